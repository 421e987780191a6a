/* SPDX-License-Identifier: Apache-2.0 */
/* Without libFuzzer: runs the target over every file named on the command
 * line (or every file of the directories named), for regression runs of the
 * corpus and of past crashes in ordinary and sanitizer builds. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
run_file (const char *path)
{
  FILE *f = fopen (path, "rb");
  uint8_t *buf;
  long size;

  if (f == NULL)
    return perror (path), 1;
  fseek (f, 0, SEEK_END);
  size = ftell (f);
  rewind (f);
  buf = malloc ((size_t)size + 1);
  if (fread (buf, 1, (size_t)size, f) != (size_t)size)
    return fclose (f), free (buf), perror (path), 1;
  fclose (f);
  LLVMFuzzerTestOneInput (buf, (size_t)size);
  free (buf);
  return 0;
}

int
main (int argc, char **argv)
{
  int files = 0, errors = 0;

  for (int i = 1; i < argc; i++)
    {
      struct stat st;
      DIR *d;
      struct dirent *e;

      if (stat (argv[i], &st) == 0 && S_ISDIR (st.st_mode) && (d = opendir (argv[i])) != NULL)
        {
          while ((e = readdir (d)) != NULL)
            {
              char path[4096];
              if (e->d_name[0] == '.')
                continue;
              snprintf (path, sizeof path, "%s/%s", argv[i], e->d_name);
              errors += run_file (path);
              files++;
            }
          closedir (d);
        }
      else
        errors += run_file (argv[i]), files++;
    }
  printf ("replayed %d inputs, %d unreadable\n", files, errors);
  return errors ? 1 : 0;
}
