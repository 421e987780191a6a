/* SPDX-License-Identifier: Apache-2.0 */
/* Errors where the user sees them.  containerd and Docker pass
 * `--log FILE --log-format json` and show the last error line of that file
 * as the failure of `docker run` / `ctr run`, so hardrun's own errors are
 * written there exactly as runc writes its own. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "log.h"

static const char *log_path;
static bool log_json;

void
hr_log_init (const char *path, const char *format)
{
  log_path = (path && *path) ? path : NULL;
  log_json = format && strcmp (format, "json") == 0;
}

static void
rfc3339_now (char *buf, size_t size)
{
  time_t now = time (NULL);
  struct tm tm;

  gmtime_r (&now, &tm);
  strftime (buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* logrus quotes text values like Go's strconv.Quote. */
static char *
quote_text (const char *s)
{
  size_t len = strlen (s);
  char *out = xmalloc (len * 4 + 3);
  char *o = out;

  *o++ = '"';
  for (; *s; s++)
    {
      unsigned char c = (unsigned char)*s;
      if (c == '"' || c == '\\')
        *o++ = '\\', *o++ = (char)c;
      else if (c == '\n')
        *o++ = '\\', *o++ = 'n';
      else if (c < 0x20)
        o += sprintf (o, "\\x%02x", c);
      else
        *o++ = (char)c;
    }
  *o++ = '"';
  *o = '\0';
  return out;
}

static char *
format_line (const char *level, const char *msg)
{
  char when[32];
  char *line;

  rfc3339_now (when, sizeof when);
  if (log_json)
    {
      cleanup_json struct hr_json *obj = hr_json_new (HR_JSON_OBJECT);
      cleanup_free char *text = NULL;

      hr_json_set (obj, "level", hr_json_new_string (level));
      hr_json_set (obj, "msg", hr_json_new_string (msg));
      hr_json_set (obj, "time", hr_json_new_string (when));
      text = hr_json_serialize (obj, NULL);
      xasprintf (&line, "%s\n", text);
    }
  else
    {
      cleanup_free char *quoted = quote_text (msg);
      xasprintf (&line, "time=\"%s\" level=%s msg=%s\n", when, level, quoted);
    }
  return line;
}

static void __attribute__ ((format (printf, 2, 0))) emit (const char *level, const char *fmt, va_list ap)
{
  cleanup_free char *body = NULL;
  cleanup_free char *msg = NULL;
  cleanup_free char *line = NULL;
  int saved = errno;

  xvasprintf (&body, fmt, ap);
  xasprintf (&msg, "hardrun: %s", body);
  if (log_path)
    {
      cleanup_close int fd = open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
      if (fd >= 0)
        {
          line = format_line (level, msg);
          /* a log that cannot be written has nowhere to say so */
          (void)hr_write_all (fd, line, strlen (line));
        }
    }
  (void)hr_write_all (STDERR_FILENO, msg, strlen (msg));
  (void)hr_write_all (STDERR_FILENO, "\n", 1);
  errno = saved;
}

void
hr_log_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  emit ("error", fmt, ap);
  va_end (ap);
}

void
hr_log_warning (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  emit ("warning", fmt, ap);
  va_end (ap);
}

int
hr_log_failure (hr_error_t err, const char *context)
{
  cleanup_free char *text = hr_error_text (err);

  if (context)
    hr_log_error ("%s: %s", context, text);
  else
    hr_log_error ("%s", text);
  return 1;
}
