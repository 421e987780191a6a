/* SPDX-License-Identifier: Apache-2.0 */
/* hr_error_t: errors carry an errno and a message up the stack. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/error.h"
#include "hardrun/util.h"

int
hr_error_set (hr_error_t *err, int status, const char *fmt, ...)
{
  va_list ap;
  char *msg = NULL;

  va_start (ap, fmt);
  xvasprintf (&msg, fmt, ap);
  va_end (ap);

  if (err == NULL)
    {
      free (msg);
      return -1;
    }
  if (*err != NULL)
    {
      /* an error set over another drops the first one silently: a bug of
       * the caller, which debug builds stop at */
#ifndef NDEBUG
      fprintf (stderr, "hardrun: bug: an error set twice: \"%s\", then \"%s\"\n", (*err)->msg, msg);
      abort ();
#endif
      hr_error_free (err);
    }
  *err = xmalloc (sizeof **err);
  (*err)->status = status;
  (*err)->msg = msg;
  return -1;
}

int
hr_error_prefix (hr_error_t *err, const char *fmt, ...)
{
  va_list ap;
  cleanup_free char *prefix = NULL;
  char *joined = NULL;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  xvasprintf (&prefix, fmt, ap);
  va_end (ap);
  xasprintf (&joined, "%s: %s", prefix, (*err)->msg);
  free ((*err)->msg);
  (*err)->msg = joined;
  return -1;
}

char *
hr_error_text (hr_error_t err)
{
  char *text = NULL;

  if (err == NULL)
    return xstrdup ("unknown error");
  if (err->status == 0)
    return xstrdup (err->msg);
  xasprintf (&text, "%s: %s", err->msg, strerror (err->status));
  return text;
}

void
hr_error_free (hr_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}
