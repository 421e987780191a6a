/* SPDX-License-Identifier: Apache-2.0 */
/* Observability without containers: the Prometheus text format whatever
 * the names (escaping), the times --since takes and the audit log's own,
 * the syslog severity of each verdict, and what an audit line says about
 * where it was written (host, version, policy digest, the pod). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "audit.h"
#include "audit_read.h"
#include "cli.h"
#include "config.h"
#include "hardrun/util.h"
#include "metrics.h"
#include "policy_source.h"
#include "sha256.h"

static void
check_escape (const char *in, const char *want)
{
  cleanup_free char *got = hr_prom_escape_label (in);
  cr_assert_str_eq (got, want, "escape(%s) = %s, want %s", in, got, want);
}

Test (prometheus, label_values_escape_backslash_quote_and_newline)
{
  check_escape ("plain", "plain");
  check_escape ("", "");
  check_escape ("a\"b", "a\\\"b");
  check_escape ("a\\b", "a\\\\b");
  check_escape ("a\nb", "a\\nb");
  check_escape ("\\n", "\\\\n");
  /* UTF-8 and other bytes pass as they are: the format is UTF-8 */
  check_escape ("profil\xc3\xa9 {x=\"1\"}", "profil\xc3\xa9 {x=\\\"1\\\"}");
}

static char *
render (void (*fn) (FILE *))
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);

  fn (f);
  fclose (f);
  return text;
}

static void
one_family (FILE *f)
{
  const char *names[] = { "rule", "outcome", "profile" };
  const char *values[] = { "caps", "denied", "evil\"}\nnext 1" };

  hr_prom_family (f, "hardrun_decisions_total", "counter", "Decisions \\ by rule\nand profile.");
  hr_prom_sample (f, "hardrun_decisions_total", names, values, 3, 42);
  hr_prom_sample (f, "hardrun_audit_unreadable_lines", NULL, NULL, 0, 0);
}

Test (prometheus, family_and_samples_are_one_line_each_whatever_the_names)
{
  cleanup_free char *text = render (one_family);

  cr_assert_str_eq (text,
                    "# HELP hardrun_decisions_total Decisions \\\\ by rule\\nand profile.\n"
                    "# TYPE hardrun_decisions_total counter\n"
                    "hardrun_decisions_total{rule=\"caps\",outcome=\"denied\",profile=\"evil\\\"}\\nnext 1\"} 42\n"
                    "hardrun_audit_unreadable_lines 0\n");
}

static time_t
at (const char *text)
{
  struct timespec ts = { 0 };
  cr_assert_eq (hr_parse_rfc3339 (text, &ts), 0, "%s should parse", text);
  return ts.tv_sec;
}

Test (time, rfc3339_as_the_audit_log_writes_it_and_with_offsets)
{
  struct timespec ts;

  cr_assert_eq (at ("1970-01-01T00:00:00Z"), 0);
  cr_assert_eq (at ("2026-11-27T01:02:03Z"), 1795741323);
  cr_assert_eq (hr_parse_rfc3339 ("2026-11-27T01:02:03.000123Z", &ts), 0);
  cr_assert_eq (ts.tv_sec, 1795741323);
  cr_assert_eq (ts.tv_nsec, 123000);
  cr_assert_eq (hr_parse_rfc3339 ("2026-11-27T01:02:03.123456789Z", &ts), 0);
  cr_assert_eq (ts.tv_nsec, 123456789);
  /* the same instant in other zones */
  cr_assert_eq (at ("2026-11-27T02:02:03+01:00"), 1795741323);
  cr_assert_eq (at ("2026-11-26T19:32:03-05:30"), 1795741323);
  cr_assert_eq (at ("2026-11-27t01:02:03z"), 1795741323);
  cr_assert_eq (at ("2024-02-29T00:00:00Z"), 1709164800);
}

Test (time, not_rfc3339)
{
  static const char *const bad[] = {
    "",
    "2026-11-27",
    "2026-11-27 01:02:03Z",
    "2026-11-27T01:02:03",
    "2026-11-27T01:02:03.Z",
    "2026-11-27T01:02:03+0100",
    "2026-11-27T01:02:03Zjunk",
    "2026-13-01T00:00:00Z",
    "2026-02-31T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2026-11-27T24:00:00Z",
    "2026-11-27T01:60:00Z",
    "2026-11-27T01:02:03+24:00",
    "20261127T010203Z",
    "1h",
  };
  struct timespec ts;

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    cr_assert_eq (hr_parse_rfc3339 (bad[i], &ts), -1, "\"%s\" should not parse", bad[i]);
}

Test (time, since_takes_a_time_or_a_duration_before_now)
{
  const struct timespec now = { .tv_sec = 1795741323, .tv_nsec = 5 };
  static const struct
  {
    const char *text;
    long long before;
  } ok[] = { { "0s", 0 },       { "90s", 90 },    { "15m", 900 },       { "1h", 3600 },
             { "1h30m", 5400 }, { "7d", 604800 }, { "1d2h3m4s", 93784 } };
  static const char *const bad[]
      = { "", "h", "1", "1x", "-1h", "1h-", "1.5h", " 1h", "1h ", "99999999999999999999s", "36700d", "1H" };
  struct timespec since;
  hr_error_t err = NULL;

  for (size_t i = 0; i < HR_ARRAY_SIZE (ok); i++)
    {
      cr_assert_eq (hr_parse_since (ok[i].text, &now, &since, &err), 0, "%s", ok[i].text);
      cr_assert_eq (since.tv_sec, now.tv_sec - ok[i].before, "%s", ok[i].text);
    }
  cr_assert_eq (hr_parse_since ("2026-11-27T00:00:00Z", &now, &since, &err), 0);
  cr_assert_eq (since.tv_sec, 1795737600);
  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      cr_assert_eq (hr_parse_since (bad[i], &now, &since, &err), -1, "\"%s\" should be refused", bad[i]);
      cr_assert (strstr (err->msg, "RFC 3339") != NULL);
      hr_error_free (&err);
    }
}

Test (syslog, severity_follows_the_verdict)
{
  cr_assert_eq (hr_audit_severity ("allow"), LOG_INFO);
  cr_assert_eq (hr_audit_severity ("modify"), LOG_NOTICE);
  cr_assert_eq (hr_audit_severity ("deny"), LOG_WARNING);
  cr_assert_eq (hr_audit_severity ("quarantine"), LOG_WARNING);
}

static bool
keep_last (const struct hr_json *record, size_t line, void *data)
{
  struct hr_json **last = data;
  hr_json_free (*last);
  *last = hr_json_clone (record);
  return true;
}

static const char *
field (const struct hr_json *obj, const char *a, const char *b)
{
  const struct hr_json *v = hr_json_get_value (obj, a);
  if (b)
    v = v ? hr_json_get_value (v, b) : NULL;
  return v && hr_json_is_string (v) ? v->text : NULL;
}

/* One audit line of an event about spec_text (annotations) or state_text
 * (runc's state.json), read back. */
static struct hr_json *
line_of (struct hr_policy *policy, const char *spec_text, const char *state_text)
{
  char log[] = "/tmp/hardrun-observe-XXXXXX";
  int fd = mkstemp (log);
  cleanup_json struct hr_json *spec = spec_text ? hr_json_parse (spec_text, strlen (spec_text), NULL) : NULL;
  cleanup_json struct hr_json *state = state_text ? hr_json_parse (state_text, strlen (state_text), NULL) : NULL;
  struct hr_result result = { 0 };
  struct hr_audit_event ev = { .command = "create",
                               .container_id = "c1",
                               .profile = "default",
                               .result = &result,
                               .userns_setup_us = -1,
                               .spec = spec,
                               .runc_state = state };
  struct hr_json *last = NULL;
  hr_error_t err = NULL;
  long skipped;

  cr_assert_geq (fd, 0);
  close (fd);
  free (policy->audit_log);
  policy->audit_log = xstrdup (log);
  hr_result_add (&result, "capabilities", HR_OUTCOME_CHANGED, xstrdup ("dropped CAP_SYS_ADMIN"));
  hr_audit_write (policy, &ev);
  cr_assert_eq (hr_audit_read (log, keep_last, &last, &skipped, &err), 0);
  cr_assert_eq (skipped, 0);
  cr_assert_not_null (last);
  hr_result_clear (&result);
  unlink (log);
  return last;
}

Test (audit, names_host_version_policy_digest_and_the_pod)
{
  struct hr_policy *policy = hr_policy_load_default (NULL);
  cleanup_json struct hr_json *cri = NULL, *exec = NULL, *plain = NULL;
  char host[256] = "";

  cr_assert_not_null (policy);
  strcpy (policy->digest, "0123abcd");
  cri = line_of (policy,
                 "{\"annotations\":{\"io.kubernetes.cri.sandbox-namespace\":\"team-a\","
                 "\"io.kubernetes.cri.sandbox-name\":\"web-0\",\"io.kubernetes.cri.container-name\":\"app\","
                 "\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-uid\":\"u-1\"}}",
                 NULL);
  gethostname (host, sizeof host);
  cr_assert_str_eq (field (cri, "host", NULL), host);
  cr_assert_str_eq (field (cri, "hardrun_version", NULL), HARDRUN_VERSION);
  cr_assert_not_null (field (cri, "hardrun_commit", NULL));
  cr_assert_str_eq (field (cri, "policy", NULL), "embedded default policy");
  cr_assert_str_eq (field (cri, "policy_sha256", NULL), "0123abcd");
  cr_assert_str_eq (field (cri, "kubernetes", "namespace"), "team-a");
  cr_assert_str_eq (field (cri, "kubernetes", "pod"), "web-0");
  cr_assert_str_eq (field (cri, "kubernetes", "pod_uid"), "u-1");
  cr_assert_str_eq (field (cri, "kubernetes", "container"), "app");
  cr_assert_str_eq (field (cri, "kubernetes", "container_type"), "container");
  /* the fields that were there before keep their meaning */
  cr_assert_str_eq (field (cri, "container", NULL), "c1");
  cr_assert_str_eq (field (cri, "decision", NULL), "modify");
  cr_assert_not_null (field (cri, "time", NULL));

  /* exec: runc's state keeps the annotations as labels; a label that only
   * starts like a key is not it */
  exec = line_of (policy, NULL,
                  "{\"config\":{\"labels\":[\"bundle=/b\",\"io.kubernetes.cri.sandbox-namespace-x=no\","
                  "\"io.kubernetes.cri.sandbox-namespace=team-b\",\"io.kubernetes.cri.sandbox-name=db-1\"]}}");
  cr_assert_str_eq (field (exec, "kubernetes", "namespace"), "team-b");
  cr_assert_str_eq (field (exec, "kubernetes", "pod"), "db-1");
  cr_assert_null (field (exec, "kubernetes", "container"));

  /* docker, podman: no pod, no kubernetes member */
  plain = line_of (policy, "{\"annotations\":{\"io.container.manager\":\"libpod\"}}", NULL);
  cr_assert_null (hr_json_get_value (plain, "kubernetes"));
  hr_policy_free (policy);
}

Test (audit, policy_digest_is_of_the_bytes_loaded)
{
  char path[] = "/tmp/hardrun-policy-XXXXXX";
  int fd = mkstemp (path);
  const char text[] = "{\"version\": 1, \"audit_log\": \"\"}\n";
  struct hr_policy *policy;
  struct hr_sha256 ctx;
  char hex[65];
  hr_error_t err = NULL;
  struct hr_cli cli = { 0 };

  cr_assert_eq (write (fd, text, strlen (text)), (ssize_t)strlen (text));
  close (fd);
  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, text, strlen (text));
  hr_sha256_hex (&ctx, hex);
  policy = hr_policy_load_file (path, &err);
  cr_assert_not_null (policy);
  cr_assert_str_eq (policy->digest, hex);
  hr_policy_free (policy);
  unlink (path);

  /* the embedded default, where no policy file is installed */
  if (access (HARDRUN_DEFAULT_POLICY_PATH, F_OK) == 0)
    cr_skip_test ("%s exists: the embedded default is not what loads", HARDRUN_DEFAULT_POLICY_PATH);
  policy = hr_load_policy (&cli, false, &err);
  cr_assert_not_null (policy);
  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, hr_default_policy_text, strlen (hr_default_policy_text));
  hr_sha256_hex (&ctx, hex);
  cr_assert (hr_has_prefix (policy->digest, "embedded:"));
  cr_assert_str_eq (policy->digest + strlen ("embedded:"), hex);
  hr_policy_free (policy);
}
