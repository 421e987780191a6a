/* The audit trail: one JSON line per create/run/restore/exec decision, for
 * the security team.  A failure to write it is reported but does not stop
 * the container: the decision itself was already enforced. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/runtime.h"
#include "hardrun/util.h"

struct hr_json *
hr_result_to_json (const struct hr_result *result)
{
  struct hr_json *list = hr_json_new (HR_JSON_ARRAY);

  for (size_t i = 0; i < result->len; i++)
    {
      struct hr_json *d = hr_json_new (HR_JSON_OBJECT);
      hr_json_set (d, "rule", hr_json_new_string (result->items[i].rule));
      hr_json_set (d, "outcome", hr_json_new_string (hr_outcome_name (result->items[i].outcome)));
      hr_json_set (d, "message", hr_json_new_string (result->items[i].message));
      hr_json_append (list, d);
    }
  return list;
}

static void
set_string (struct hr_json *obj, const char *key, const char *value)
{
  if (value)
    hr_json_set (obj, key, hr_json_new_string (value));
}

/* The private range the container's ids map to on the host: who its
 * processes are in the kernel's own records (seccomp learn reads it). */
static struct hr_json *
id_range (const struct hr_host_needs *needs)
{
  struct hr_json *range = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (range, "host_uid", hr_json_new_int (needs->host_uid));
  hr_json_set (range, "host_gid", hr_json_new_int (needs->host_gid));
  hr_json_set (range, "size", hr_json_new_int (needs->size));
  return range;
}

static char *
audit_line (const struct hr_audit_event *ev)
{
  cleanup_json struct hr_json *obj = hr_json_new (HR_JSON_OBJECT);
  struct timespec ts;
  struct tm tm;
  char when[64];
  char *text, *line;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (when + strlen (when), sizeof when - strlen (when), ".%06ldZ", ts.tv_nsec / 1000);
  set_string (obj, "time", when);
  set_string (obj, "command", ev->command);
  set_string (obj, "container", ev->container_id);
  set_string (obj, "document", ev->document);
  set_string (obj, "image", ev->image);
  set_string (obj, "profile", ev->profile);
  hr_json_set (obj, "audit_mode", hr_json_new_bool (ev->audit_mode));
  set_string (obj, "decision", hr_result_verdict (ev->result));
  if (hr_result_quarantined (ev->result))
    hr_json_set (obj, "quarantined", hr_json_new_bool (true));
  if (ev->result->needs.idmapped_rootfs && ev->result->needs.join_userns == NULL)
    hr_json_set (obj, "id_range", id_range (&ev->result->needs));
  if (ev->userns_setup_us >= 0)
    hr_json_set (obj, "userns_setup_us", hr_json_new_int (ev->userns_setup_us));
  hr_json_set (obj, "decisions", hr_result_to_json (ev->result));
  text = hr_json_serialize (obj, NULL);
  xasprintf (&line, "%s\n", text);
  free (text);
  return line;
}

static int
ensure_parent_dir (const char *path)
{
  cleanup_free char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');

  if (slash == NULL || slash == dir)
    return 0;
  *slash = '\0';
  if (mkdir (dir, 0750) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return -1;
  if (ensure_parent_dir (dir) < 0)
    return -1;
  return (mkdir (dir, 0750) == 0 || errno == EEXIST) ? 0 : -1;
}

static void
append_line (const char *path, const char *line)
{
  cleanup_close int fd = -1;
  size_t len = strlen (line);

  ensure_parent_dir (path);
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0640);
  /* One write of the whole line: O_APPEND keeps lines of parallel
   * invocations whole. */
  if (fd < 0 || write (fd, line, len) != (ssize_t)len)
    hr_log_warning ("cannot write the audit log %s: %s", path, strerror (errno));
}

void
hr_audit_write (const struct hr_policy *policy, const struct hr_audit_event *event)
{
  cleanup_free char *line = audit_line (event);

  if (policy->audit_log[0] != '\0')
    append_line (policy->audit_log, line);
  if (policy->audit_syslog)
    {
      openlog ("hardrun", LOG_PID, LOG_AUTHPRIV);
      syslog (LOG_NOTICE, "%s", line);
      closelog ();
    }
}
