/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation, string and path helpers.  Running out of memory in a
 * short-lived runtime shim is not something to recover from, so the x*
 * allocators abort instead of returning NULL. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/util.h"

static void __attribute__ ((noreturn)) oom (void)
{
  static const char msg[] = "hardrun: out of memory\n";
  if (write (2, msg, sizeof msg - 1) < 0)
    abort ();
  abort ();
}

void *
xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xcalloc (size_t nmemb, size_t size)
{
  void *p = calloc (nmemb ? nmemb : 1, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xrealloc (void *ptr, size_t size)
{
  void *p = realloc (ptr, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

char *
xstrdup (const char *s)
{
  char *p = strdup (s);
  if (p == NULL)
    oom ();
  return p;
}

char *
xstrndup (const char *s, size_t n)
{
  char *p = strndup (s, n);
  if (p == NULL)
    oom ();
  return p;
}

int
xasprintf (char **out, const char *fmt, ...)
{
  va_list ap;
  int ret;

  va_start (ap, fmt);
  ret = xvasprintf (out, fmt, ap);
  va_end (ap);
  return ret;
}

int
xvasprintf (char **out, const char *fmt, va_list ap)
{
  int ret = vasprintf (out, fmt, ap);

  if (ret < 0)
    oom ();
  return ret;
}

bool
hr_is_sha256_hex (const char *s)
{
  size_t n = strspn (s, "0123456789abcdefABCDEF");
  return n == 64 && s[n] == '\0';
}

bool
hr_has_suffix (const char *s, const char *suffix)
{
  size_t len = strlen (s), n = strlen (suffix);
  return len >= n && memcmp (s + len - n, suffix, n) == 0;
}

bool
hr_has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

void
hr_strv_push_take (struct hr_strv *v, char *s)
{
  if (v->len == v->cap)
    {
      v->cap = v->cap ? v->cap * 2 : 8;
      v->items = xrealloc (v->items, v->cap * sizeof (char *));
    }
  v->items[v->len++] = s;
}

void
hr_strv_push (struct hr_strv *v, const char *s)
{
  hr_strv_push_take (v, xstrdup (s));
}

bool
hr_strv_contains (const struct hr_strv *v, const char *s)
{
  for (size_t i = 0; i < v->len; i++)
    if (strcmp (v->items[i], s) == 0)
      return true;
  return false;
}

void
hr_strv_clear (struct hr_strv *v)
{
  for (size_t i = 0; i < v->len; i++)
    free (v->items[i]);
  free (v->items);
  v->items = NULL;
  v->len = v->cap = 0;
}

/* Go's filepath.Clean for absolute paths: no empty, "." or ".." elements. */
char *
hr_path_clean (const char *path)
{
  size_t len = strlen (path);
  char *out = xmalloc (len + 2);
  size_t o = 0;
  const char *p = path;

  out[o++] = '/';
  while (*p)
    {
      const char *end;
      size_t n;

      while (*p == '/')
        p++;
      end = strchrnul (p, '/');
      n = (size_t)(end - p);
      if (n == 0 || (n == 1 && p[0] == '.'))
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          while (o > 1 && out[o - 1] != '/')
            o--;
          if (o > 1)
            o--;
        }
      else
        {
          if (o > 1)
            out[o++] = '/';
          memcpy (out + o, p, n);
          o += n;
        }
      p = end;
    }
  out[o] = '\0';
  return out;
}

bool
hr_path_is_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  if (strcmp (dir, "/") == 0)
    return path[0] == '/';
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
