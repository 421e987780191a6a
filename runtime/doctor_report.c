/* SPDX-License-Identifier: Apache-2.0 */
/* doctor's findings: adding, filling and freeing them; see doctor.h. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "hardrun/util.h"

static const char *const severity_names[] = {
  [HR_SEVERITY_INFO] = "info", [HR_SEVERITY_LOW] = "low",           [HR_SEVERITY_MEDIUM] = "medium",
  [HR_SEVERITY_HIGH] = "high", [HR_SEVERITY_CRITICAL] = "critical",
};

const char *
hr_doctor_severity_name (enum hr_doctor_severity s)
{
  return severity_names[s];
}

int
hr_doctor_severity_parse (const char *name, enum hr_doctor_severity *out)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (severity_names); i++)
    if (strcmp (severity_names[i], name) == 0)
      return *out = (enum hr_doctor_severity)i, 0;
  return -1;
}

struct hr_doctor_finding *
hr_doctor_add (struct hr_doctor_report *r, const char *id, const char *group, enum hr_doctor_severity severity,
               const char *title)
{
  struct hr_doctor_finding *f;

  if (r->len == r->cap)
    {
      r->cap = r->cap ? 2 * r->cap : 32;
      r->items = xrealloc (r->items, r->cap * sizeof *r->items);
    }
  f = &r->items[r->len++];
  memset (f, 0, sizeof *f);
  /* ids are built by some checks: the report keeps its own copy */
  f->id = xstrdup (id);
  f->group = group;
  f->severity = severity;
  f->title = title;
  f->status = HR_DOCTOR_SKIP;
  f->found = xstrdup ("");
  f->expected = xstrdup ("");
  f->fix = xstrdup ("-");
  return f;
}

void
hr_doctor_set (struct hr_doctor_finding *f, enum hr_doctor_status status, const char *found, const char *expected,
               const char *fix_fmt, ...)
{
  va_list ap;

  f->status = status;
  free (f->found);
  free (f->expected);
  free (f->fix);
  f->found = xstrdup (found);
  f->expected = xstrdup (expected);
  va_start (ap, fix_fmt);
  xvasprintf (&f->fix, fix_fmt, ap);
  va_end (ap);
}

void
hr_doctor_report_clear (struct hr_doctor_report *r)
{
  for (size_t i = 0; i < r->len; i++)
    {
      free ((char *)r->items[i].id);
      free (r->items[i].found);
      free (r->items[i].expected);
      free (r->items[i].fix);
      free (r->items[i].sysctl_value);
      hr_strv_clear (&r->items[i].repair_items);
    }
  free (r->items);
  memset (r, 0, sizeof *r);
}

char *
hr_doctor_read (const char *path)
{
  char buf[4096];
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    return NULL;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  while (n > 0 && buf[n - 1] == '\n')
    buf[--n] = '\0';
  return xstrdup (buf);
}
