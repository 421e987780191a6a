/* Reading the audit log back (report, seccomp learn): one JSON object a
 * line.  A line that is not one is counted and skipped, never fatal: a log
 * cut short by a full disk must still be readable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/runtime.h"
#include "hardrun/util.h"

#define MAX_LINE (16u << 20)

int
hr_audit_read (const char *path, hr_audit_record_fn fn, void *data, long *skipped, hr_error_t *err)
{
  FILE *f = fopen (path, "re");
  char *line = NULL;
  size_t cap = 0, number = 0;
  ssize_t len;

  if (f == NULL)
    return hr_error_set (err, errno, "cannot read the audit log %s", path);
  *skipped = 0;
  while ((len = getline (&line, &cap, f)) >= 0)
    {
      hr_error_t ignored = NULL;
      struct hr_json *doc = (size_t)len <= MAX_LINE ? hr_json_parse (line, (size_t)len, &ignored) : NULL;

      number++;
      if (doc == NULL || doc->type != HR_JSON_OBJECT || !fn (doc, number, data))
        ++*skipped;
      hr_error_free (&ignored);
      hr_json_free (doc);
    }
  free (line);
  fclose (f);
  return 0;
}
