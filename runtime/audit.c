/* SPDX-License-Identifier: Apache-2.0 */
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

#include "audit.h"
#include "commit.h"
#include "config.h"
#include "hardrun/util.h"
#include "log.h"
#include "metrics.h"
#include "syslog_send.h"

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

/* What one audit line may carry.  Every string is cut at string_max
 * bytes (a name, a path or a message: the decision and its rule always
 * stand), and decisions past decisions_max bytes are summed up in one last
 * decision, so that a line in the file stays far below what report and
 * seccomp learn read (16 MiB), and one to syslog below what rsyslog takes
 * whole by default (8 KiB). */
struct bounds
{
  size_t string_max, decisions_max;
};
static const struct bounds file_bounds = { 4096, 512u << 10 }, syslog_bounds = { 256, 3u << 10 };

/* The length of the valid UTF-8 sequence at p (1 to 4), or 0. */
static size_t
utf8_sequence (const unsigned char *p)
{
  size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
  unsigned int cp;

  if (n <= 1)
    return n;
  cp = p[0] & (0x7F >> n);
  for (size_t i = 1; i < n; i++)
    {
      if ((p[i] & 0xC0) != 0x80)
        return 0;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
  /* overlong forms, surrogates and code points past U+10FFFF */
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))
      || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

/* s as a valid UTF-8 string of at most max bytes: each byte that is not
 * part of valid UTF-8 becomes the text \xHH (JSON cannot carry the byte
 * itself), and what is cut is counted. */
static char *
audit_text (const char *s, size_t max)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t total = strlen (s), out_len = 0;
  char *out = xmalloc (max + 64);

  while (*p)
    {
      size_t n = utf8_sequence (p);
      size_t need = n ? n : 4;

      if (out_len + need > max)
        {
          snprintf (out + out_len, 64, "...[%zu more bytes]", total - (size_t)((const char *)p - s));
          return out;
        }
      if (n)
        memcpy (out + out_len, p, n);
      else
        snprintf (out + out_len, 5, "\\x%02x", *p);
      out_len += need;
      p += n ? n : 1;
    }
  out[out_len] = '\0';
  return out;
}

static struct hr_json *
audit_string (const char *value, const struct bounds *b)
{
  cleanup_free char *text = audit_text (value, b->string_max);
  return hr_json_new_string (text);
}

static void
set_string (struct hr_json *obj, const char *key, const char *value, const struct bounds *b)
{
  if (value)
    hr_json_set (obj, key, audit_string (value, b));
}

/* The decisions, within b->decisions_max bytes; the rest counted by
 * outcome in a last "audit_log" decision. */
static struct hr_json *
audit_decisions (const struct hr_result *result, const struct bounds *b)
{
  struct hr_json *list = hr_json_new (HR_JSON_ARRAY);
  size_t used = 0, left[4] = { 0 }, n_left = 0;

  for (size_t i = 0; i < result->len; i++)
    {
      const struct hr_decision *d = &result->items[i];
      struct hr_json *o;

      if (used > b->decisions_max)
        {
          left[d->outcome < 4 ? d->outcome : 0]++;
          n_left++;
          continue;
        }
      o = hr_json_new (HR_JSON_OBJECT);
      hr_json_set (o, "rule", audit_string (d->rule, b));
      hr_json_set (o, "outcome", hr_json_new_string (hr_outcome_name (d->outcome)));
      hr_json_set (o, "message", audit_string (d->message, b));
      used += strlen (d->rule) + (strlen (d->message) < b->string_max ? strlen (d->message) : b->string_max) + 64;
      hr_json_append (list, o);
    }
  if (n_left > 0)
    {
      struct hr_json *o = hr_json_new (HR_JSON_OBJECT);
      char *message;

      xasprintf (&message,
                 "%zu more decisions not listed (the line is bounded): %zu changed, %zu denied, %zu audited, "
                 "%zu quarantined",
                 n_left, left[HR_OUTCOME_CHANGED], left[HR_OUTCOME_DENIED], left[HR_OUTCOME_AUDITED],
                 left[HR_OUTCOME_QUARANTINED]);
      hr_json_set (o, "rule", hr_json_new_string ("audit_log"));
      hr_json_set (o, "outcome", hr_json_new_string ("truncated"));
      hr_json_set (o, "message", hr_json_new_string (message));
      free (message);
      hr_json_append (list, o);
    }
  return list;
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

/* The value of annotation key: in the spec's annotations (a Go map: exact
 * keys), else among the labels runc keeps in its state ("key=value",
 * where runc 1.1 copies the spec's annotations). */
static const char *
annotation (const struct hr_audit_event *ev, const char *key)
{
  const struct hr_json *annotations = ev->spec ? hr_json_get_value (ev->spec, "annotations") : NULL;
  const struct hr_json *labels
      = ev->runc_state ? hr_json_get_value (hr_json_get_value (ev->runc_state, "config"), "labels") : NULL;
  size_t len = strlen (key);

  for (size_t i = 0; annotations && annotations->type == HR_JSON_OBJECT && i < annotations->len; i++)
    if (strcmp (annotations->members[i].key, key) == 0 && hr_json_is_string (annotations->members[i].value))
      return annotations->members[i].value->text;
  for (size_t i = 0; labels && labels->type == HR_JSON_ARRAY && i < labels->len; i++)
    if (hr_json_is_string (labels->items[i]) && strncmp (labels->items[i]->text, key, len) == 0
        && labels->items[i]->text[len] == '=')
      return labels->items[i]->text + len + 1;
  return NULL;
}

/* The pod, where containerd's CRI names it: a sandbox carries its pod's
 * namespace and name, an app container its own name too. */
static void
set_kubernetes (struct hr_json *obj, const struct hr_audit_event *ev, const struct bounds *b)
{
  const char *ns = annotation (ev, "io.kubernetes.cri.sandbox-namespace");
  struct hr_json *k8s;

  if (ns == NULL)
    return;
  k8s = hr_json_new (HR_JSON_OBJECT);
  set_string (k8s, "namespace", ns, b);
  set_string (k8s, "pod", annotation (ev, "io.kubernetes.cri.sandbox-name"), b);
  set_string (k8s, "pod_uid", annotation (ev, "io.kubernetes.cri.sandbox-uid"), b);
  set_string (k8s, "container", annotation (ev, "io.kubernetes.cri.container-name"), b);
  set_string (k8s, "container_type", annotation (ev, "io.kubernetes.cri.container-type"), b);
  hr_json_set (obj, "kubernetes", k8s);
}

/* Where the line was written and by what: the host, hardrun's version and
 * the policy that was enforced, by the digest of its bytes. */
static void
set_origin (struct hr_json *obj, const struct hr_policy *policy, const struct bounds *b)
{
  char host[256];

  if (gethostname (host, sizeof host) == 0)
    {
      host[sizeof host - 1] = '\0';
      set_string (obj, "host", host, b);
    }
  set_string (obj, "hardrun_version", HARDRUN_VERSION, b);
  set_string (obj, "hardrun_commit", HARDRUN_COMMIT, b);
  set_string (obj, "policy", policy->source, b);
  if (policy->digest[0])
    set_string (obj, "policy_sha256", policy->digest, b);
}

static struct hr_json *
audit_record (const struct hr_policy *policy, const struct hr_audit_event *ev, const char *when, const struct bounds *b)
{
  struct hr_json *obj = hr_json_new (HR_JSON_OBJECT);

  set_string (obj, "time", when, b);
  set_string (obj, "command", ev->command, b);
  set_string (obj, "container", ev->container_id, b);
  set_string (obj, "document", ev->document, b);
  set_string (obj, "image", ev->image, b);
  set_string (obj, "profile", ev->profile, b);
  set_string (obj, "profile_source", ev->profile_source, b);
  hr_json_set (obj, "audit_mode", hr_json_new_bool (ev->audit_mode));
  set_string (obj, "decision", hr_result_verdict (ev->result), b);
  if (hr_result_quarantined (ev->result))
    hr_json_set (obj, "quarantined", hr_json_new_bool (true));
  if (ev->result->needs.idmapped_rootfs && ev->result->needs.join_userns == NULL)
    hr_json_set (obj, "id_range", id_range (&ev->result->needs));
  if (ev->userns_setup_us >= 0)
    hr_json_set (obj, "userns_setup_us", hr_json_new_int (ev->userns_setup_us));
  set_kubernetes (obj, ev, b);
  set_origin (obj, policy, b);
  hr_json_set (obj, "decisions", audit_decisions (ev->result, b));
  return obj;
}

/* The record as one line of JSON, without its newline. */
static char *
audit_line (const struct hr_policy *policy, const struct hr_audit_event *ev, const char *when, const struct bounds *b)
{
  cleanup_json struct hr_json *obj = audit_record (policy, ev, when, b);
  return hr_json_serialize (obj, NULL);
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

int
hr_audit_severity (const char *verdict)
{
  if (strcmp (verdict, "allow") == 0)
    return LOG_INFO;
  if (strcmp (verdict, "modify") == 0)
    return LOG_NOTICE;
  return LOG_WARNING; /* deny, quarantine */
}

void
hr_audit_write (const struct hr_policy *policy, const struct hr_audit_event *event)
{
  struct timespec ts;
  struct tm tm;
  char when[64];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (when + strlen (when), sizeof when - strlen (when), ".%06ldZ", ts.tv_nsec / 1000);
  if (policy->audit_log[0] != '\0')
    {
      cleanup_free char *text = audit_line (policy, event, when, &file_bounds);
      cleanup_free char *line = NULL;

      xasprintf (&line, "%s\n", text);
      append_line (policy->audit_log, line);
    }
  if (policy->metrics_textfile)
    hr_metrics_textfile_count (policy->metrics_textfile, event->command, event->profile, event->result);
  /* no syslog socket, or one that is not reading: the line is dropped, the
   * file above is the record */
  if (policy->audit_syslog)
    {
      cleanup_free char *line = audit_line (policy, event, when, &syslog_bounds);
      hr_syslog_send (LOG_AUTHPRIV | hr_audit_severity (hr_result_verdict (event->result)), line);
    }
}
