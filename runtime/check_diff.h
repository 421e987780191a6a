/* SPDX-License-Identifier: Apache-2.0 */
/* `check --diff`: what the policy's rewrite changes in a spec. */
#ifndef HARDRUN_CHECK_DIFF_H
#define HARDRUN_CHECK_DIFF_H

#include <stdio.h>

#include "hardrun/json.h"

/* An RFC 6902 JSON patch (an array of operations) that turns before into
 * after: objects key by key, arrays index by index (removals from the end,
 * highest index first), anything else replaced whole. */
struct hr_json *hr_check_json_patch (const struct hr_json *before, const struct hr_json *after);

/* A unified diff (3 lines of context) of the pretty-printed documents,
 * labelled a/NAME and b/NAME; nothing when they are equal. */
void hr_check_unified_diff (const struct hr_json *before, const struct hr_json *after, const char *name, FILE *out);

#endif
