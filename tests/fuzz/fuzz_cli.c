/* SPDX-License-Identifier: Apache-2.0 */
/* The argv grammar: the input is NUL-separated arguments. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *copy = malloc (size + 1);
  char *argv[66];
  int argc = 0;
  hr_error_t err = NULL;
  struct hr_cli cli;

  memcpy (copy, data, size);
  copy[size] = '\0';
  argv[argc++] = "runc";
  for (char *p = copy; p < copy + size && argc < 65; p += strlen (p) + 1)
    argv[argc++] = p;
  argv[argc] = NULL;
  if (hr_cli_parse (argc, argv, &cli, &err) == 0)
    {
      /* hardrun's own flags leave, nothing else does */
      if (cli.runtime_argc > argc || cli.runtime_argv[cli.runtime_argc] != NULL)
        abort ();
      if (hr_cli_reads_spec (&cli) && cli.container_id == NULL)
        abort ();
    }
  hr_error_free (&err);
  hr_cli_clear (&cli);
  free (copy);
  return 0;
}
