/* SPDX-License-Identifier: Apache-2.0 */
/* The options of hardrun's own commands (check, report): "--name value" and
 * "--name=value", as runc's Go flags accept them. */
#include <string.h>

#include "options.h"

bool
hr_take_option (int argc, char **argv, int *i, const char *name, const char **out)
{
  size_t n = strlen (name);

  if (strncmp (argv[*i], name, n) != 0)
    return false;
  if (argv[*i][n] == '=')
    return *out = argv[*i] + n + 1, true;
  if (argv[*i][n] != '\0' || *i + 1 >= argc)
    return false;
  *out = argv[++*i];
  return true;
}
