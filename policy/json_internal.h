/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HARDRUN_JSON_INTERNAL_H
#define HARDRUN_JSON_INTERNAL_H

#include <stddef.h>

#include "hardrun/json.h"

int hr_json_check_text (const char *buf, size_t len, hr_error_t *err);

/* Writes the key as Go folds it for field matching (ASCII lowercase, U+017F
 * as 's', U+212A as 'k') into a new string. */
char *hr_json_fold_key (const char *key);

#endif
