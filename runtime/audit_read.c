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

/* n digits at *p as a number; -1 when they are not all digits. */
static int
digits (const char **p, int n)
{
  int v = 0;

  for (int i = 0; i < n; i++, (*p)++)
    {
      if (**p < '0' || **p > '9')
        return -1;
      v = v * 10 + (**p - '0');
    }
  return v;
}

/* Steps over the character at *p when it is one of set. */
static bool
expect (const char **p, const char *set)
{
  if (**p == '\0' || strchr (set, **p) == NULL)
    return false;
  ++*p;
  return true;
}

static long
fraction_ns (const char **p)
{
  long ns = 0, scale = 100000000;

  if (**p != '.')
    return 0;
  ++*p;
  if (**p < '0' || **p > '9')
    return -1;
  for (; **p >= '0' && **p <= '9'; ++*p, scale /= 10)
    ns += scale * (**p - '0');
  return ns;
}

int
hr_parse_rfc3339 (const char *text, struct timespec *out)
{
  const char *p = text;
  struct tm tm = { 0 };
  int year, mon, day, hour, min, sec, off_h = 0, off_m = 0, sign = 0;
  long ns;
  time_t t;

  if ((year = digits (&p, 4)) < 0 || !expect (&p, "-") || (mon = digits (&p, 2)) < 0 || !expect (&p, "-")
      || (day = digits (&p, 2)) < 0 || !expect (&p, "Tt") || (hour = digits (&p, 2)) < 0 || !expect (&p, ":")
      || (min = digits (&p, 2)) < 0 || !expect (&p, ":") || (sec = digits (&p, 2)) < 0 || (ns = fraction_ns (&p)) < 0)
    return -1;
  if (*p == '+' || *p == '-')
    {
      sign = *p++ == '+' ? 1 : -1;
      if ((off_h = digits (&p, 2)) < 0 || !expect (&p, ":") || (off_m = digits (&p, 2)) < 0 || off_h > 23 || off_m > 59)
        return -1;
    }
  else if (!expect (&p, "Zz"))
    return -1;
  /* a leap second (60) is read as the next second, as Go reads it */
  if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
    return -1;
  tm = (struct tm){ .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day, .tm_hour = hour, .tm_min = min };
  t = timegm (&tm);
  /* timegm normalizes 31 February to 3 March: a date that moved is no date */
  if (tm.tm_mday != day || tm.tm_mon != mon - 1)
    return -1;
  out->tv_sec = t + sec - sign * (off_h * 3600 + off_m * 60);
  out->tv_nsec = ns;
  return 0;
}

/* "1h30m", "90s", "7d": whole numbers, each with its unit, largest first
 * or not; at most about a hundred years. */
static int
parse_duration (const char *text, long long *seconds)
{
  static const struct
  {
    char unit;
    long long seconds;
  } units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
  const char *p = text;
  long long total = 0;

  if (*p == '\0')
    return -1;
  while (*p)
    {
      long long n = 0;
      size_t u;

      if (*p < '0' || *p > '9')
        return -1;
      for (; *p >= '0' && *p <= '9'; p++)
        if ((n = n * 10 + (*p - '0')) > 100LL * 366 * 86400)
          return -1;
      for (u = 0; u < HR_ARRAY_SIZE (units) && units[u].unit != *p; u++)
        ;
      if (u == HR_ARRAY_SIZE (units))
        return -1;
      p++;
      if ((total += n * units[u].seconds) > 100LL * 366 * 86400)
        return -1;
    }
  *seconds = total;
  return 0;
}

int
hr_parse_since (const char *text, const struct timespec *now, struct timespec *out, hr_error_t *err)
{
  long long seconds;

  if (hr_parse_rfc3339 (text, out) == 0)
    return 0;
  if (parse_duration (text, &seconds) < 0)
    return hr_error_set (err, 0,
                         "--since \"%s\": expected an RFC 3339 time (2026-01-02T15:04:05Z) or a duration (90s, "
                         "15m, 1h30m, 7d)",
                         text);
  out->tv_sec = now->tv_sec - (time_t)seconds;
  out->tv_nsec = now->tv_nsec;
  return 0;
}
