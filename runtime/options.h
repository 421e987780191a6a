/* SPDX-License-Identifier: Apache-2.0 */
/* options of hardrun's own commands */
#ifndef HARDRUN_OPTIONS_H
#define HARDRUN_OPTIONS_H

#include <stdbool.h>

/* options.c: "--name value" or "--name=value" at argv[*i] (advancing *i
 * past the value); false when argv[*i] is another option. */
bool hr_take_option (int argc, char **argv, int *i, const char *name, const char **out);

#endif
