/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the audit log back (report, seccomp learn): one JSON object a
 * line.  A line that is not one is counted and, for a caller that asks,
 * named with its number and why, never fatal: a log cut short by a full
 * disk must still be readable.  A line is held in memory only up to
 * MAX_LINE bytes; a longer one is skipped as such, not read whole. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_read.h"
#include "hardrun/util.h"

#define MAX_LINE (16u << 20)

struct line_reader
{
  FILE *f;
  char *line;
  size_t len, cap;
  bool too_long;
};

/* The next line without its newline; false at the end of the file. */
static bool
next_line (struct line_reader *r)
{
  int c;

  r->len = 0;
  r->too_long = false;
  while ((c = getc_unlocked (r->f)) != EOF && c != '\n')
    {
      if (r->len >= MAX_LINE)
        {
          r->too_long = true;
          continue;
        }
      if (r->len + 1 >= r->cap)
        {
          r->cap = r->cap ? r->cap * 2 : 4096;
          r->line = xrealloc (r->line, r->cap);
        }
      r->line[r->len++] = (char)c;
    }
  if (c == EOF && r->len == 0 && !r->too_long)
    return false;
  if (r->line)
    r->line[r->len] = '\0';
  return true;
}

static void
unreadable (hr_audit_unreadable_fn bad, void *data, size_t number, long *skipped, const char *why)
{
  ++*skipped;
  if (bad)
    bad (number, why, data);
}

int
hr_audit_read_all (const char *path, hr_audit_record_fn fn, hr_audit_unreadable_fn bad, void *data, long *skipped,
                   hr_error_t *err)
{
  struct line_reader r = { .f = fopen (path, "re") };
  size_t number = 0;

  if (r.f == NULL)
    return hr_error_set (err, errno, "cannot read the audit log %s", path);
  *skipped = 0;
  while (next_line (&r))
    {
      hr_error_t parse_err = NULL;
      struct hr_json *doc = NULL;

      number++;
      if (r.too_long)
        unreadable (bad, data, number, skipped, "longer than 16 MiB");
      else if ((doc = hr_json_parse (r.line ? r.line : "", r.len, &parse_err)) == NULL)
        {
          cleanup_free char *text = hr_error_text (parse_err);
          cleanup_free char *why = NULL;
          xasprintf (&why, "not JSON: %s", text);
          unreadable (bad, data, number, skipped, why);
        }
      else if (doc->type != HR_JSON_OBJECT || !fn (doc, number, data))
        unreadable (bad, data, number, skipped, "not an audit record");
      hr_error_free (&parse_err);
      hr_json_free (doc);
    }
  free (r.line);
  fclose (r.f);
  return 0;
}

int
hr_audit_read (const char *path, hr_audit_record_fn fn, void *data, long *skipped, hr_error_t *err)
{
  return hr_audit_read_all (path, fn, NULL, data, skipped, err);
}
