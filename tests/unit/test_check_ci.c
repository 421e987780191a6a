/* SPDX-License-Identifier: Apache-2.0 */
/* check for CI: the rules' metadata (stable ids), the offline host's
 * pattern judgements, the JSON patch and the SARIF/JUnit renderings. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "check_diff.h"
#include "check_report.h"
#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "offline_host.h"

/* The ids are a public interface (SARIF ruleId, CI suppressions): pinned. */
static const char *const pinned[][2] = {
  { "user_namespace", "HR-USERNS-001" },  { "host_namespaces", "HR-HOSTNS-001" },
  { "readonly_rootfs", "HR-ROROOT-001" }, { "capabilities", "HR-CAPS-001" },
  { "no_new_privileges", "HR-NNP-001" },  { "exec_flags", "HR-EXEC-001" },
  { "privileged", "HR-PRIV-001" },        { "devices", "HR-DEV-001" },
  { "sensitive_mounts", "HR-MOUNT-001" }, { "proc_sys_mounts", "HR-PROCSYS-001" },
  { "bind_options", "HR-BINDOPT-001" },   { "masked_paths", "HR-MASK-001" },
  { "pids_limit", "HR-PIDS-001" },        { "sysctls", "HR-SYSCTL-001" },
  { "process_cwd", "HR-CWD-001" },        { "process_limits", "HR-RLIMIT-001" },
  { "process_labels", "HR-LABEL-001" },   { "hooks", "HR-HOOK-001" },
  { "cgroups_path", "HR-CGROUP-001" },    { "secrets", "HR-SECRET-001" },
  { "seccomp", "HR-SECCOMP-001" },
};

Test (rule_meta, every_rule_has_complete_metadata)
{
  regex_t id_re;

  cr_assert_eq (regcomp (&id_re, "^HR-[A-Z]+-[0-9]{3}$", REG_EXTENDED | REG_NOSUB), 0);
  cr_assert_eq (hr_rule_meta_count (), hr_rule_count ());
  for (size_t i = 0; i < hr_rule_count (); i++)
    {
      const struct hr_rule_meta *m = hr_rule_meta_find (hr_rule_name (i));
      cr_assert_not_null (m, "rule \"%s\" has no metadata", hr_rule_name (i));
      cr_assert_eq (regexec (&id_re, m->id, 0, NULL, 0), 0, "id \"%s\"", m->id);
      cr_assert (strcmp (m->severity, "critical") == 0 || strcmp (m->severity, "high") == 0
                 || strcmp (m->severity, "medium") == 0 || strcmp (m->severity, "low") == 0);
      cr_assert_eq (m->pointer[0], '/', "pointer \"%s\"", m->pointer);
      cr_assert (strlen (m->summary) > 10 && strlen (m->fix) > 10);
      for (size_t j = 0; j < hr_rule_meta_count (); j++)
        cr_assert (j == i || strcmp (hr_rule_meta_at (j)->id, m->id) != 0, "duplicate id %s", m->id);
    }
  regfree (&id_re);
}

Test (rule_meta, ids_are_stable_and_found_by_name_or_id)
{
  cr_assert_eq (sizeof pinned / sizeof pinned[0], hr_rule_meta_count ());
  for (size_t i = 0; i < sizeof pinned / sizeof pinned[0]; i++)
    {
      cr_assert_str_eq (hr_rule_meta_find (pinned[i][0])->id, pinned[i][1]);
      cr_assert_str_eq (hr_rule_meta_find (pinned[i][1])->name, pinned[i][0]);
    }
  cr_assert_str_eq (hr_rule_meta_find ("hr-caps-001")->name, "capabilities");
  cr_assert_null (hr_rule_meta_find ("no_such_rule"));
}

static int
ns_judgement (const char *type, const char *path, bool *is_host)
{
  struct hr_host host = { 0 };
  hr_error_t err = NULL;
  int ret;

  hr_offline_host_adjust (&host, NULL);
  ret = host.namespace_is_host (&host, type, path, is_host, &err);
  if (ret < 0)
    cr_assert (hr_offline_undecided (err->msg), "%s", err->msg);
  hr_error_free (&err);
  return ret;
}

Test (offline_host, namespaces_by_pattern)
{
  bool is_host = false;

  cr_assert_eq (ns_judgement ("network", "/proc/4242/ns/net", &is_host), 0);
  cr_assert_not (is_host);
  cr_assert_eq (ns_judgement ("user", "/proc/4242/ns/user", &is_host), 0);
  cr_assert (is_host, "another pid's user namespace is judged the host's (the stricter outcome)");
  cr_assert_eq (ns_judgement ("network", "/var/run/netns/cni-1234", &is_host), 0);
  cr_assert_not (is_host);
  for (const char *const *p = (const char *const[]){ "/proc/1/ns/net", "/proc/self/ns/net", "/proc/thread-self/ns/net",
                                                     "/var/run/docker/netns/default", NULL };
       *p; p++)
    {
      is_host = false;
      cr_assert_eq (ns_judgement ("network", *p, &is_host), 0, "%s", *p);
      cr_assert (is_host, "%s", *p);
    }
  /* no known shape, or not clean: undecided, never an allow */
  for (const char *const *p = (const char *const[]){ "/tmp/x/net", "/proc/4242/../1/ns/net", "/proc/0/ns/net",
                                                     "/proc/4242/ns/net/x", "relative/ns", "/run/netns/a/b", NULL };
       *p; p++)
    cr_assert_lt (ns_judgement ("network", *p, &is_host), 0, "%s", *p);
}

Test (offline_host, executables_and_paths_by_text)
{
  struct hr_host host = { 0 };
  hr_error_t err = NULL;
  char *resolved = NULL;

  hr_offline_host_adjust (&host, NULL);
  cr_assert_eq (host.trusted_executable (&host, "/proc/4242/exe", &resolved, &err), 0);
  cr_assert_str_eq (resolved, HR_OFFLINE_ENGINE_EXE);
  free (resolved);
  resolved = NULL;
  cr_assert_lt (host.trusted_executable (&host, "/proc/4242/root/bin/sh", &resolved, &err), 0);
  cr_assert (hr_offline_undecided (err->msg));
  hr_error_free (&err);
  cr_assert_lt (host.trusted_executable (&host, "/usr/bin/../../tmp/x", &resolved, &err), 0);
  hr_error_free (&err);
  resolved = host.resolve_path (&host, "/var/../etc/./");
  cr_assert_str_eq (resolved, "/etc");
  free (resolved);
  cr_assert_null (host.live_cgroups);
  cr_assert_null (host.container_annotation);
}

Test (check_diff, json_patch_ops_and_pointer_escapes)
{
  const char a[] = "{\"a/b\":1,\"t~\":[1,2,3],\"gone\":true,\"o\":{\"k\":\"v\"}}";
  const char b[] = "{\"a/b\":2,\"t~\":[1,5],\"o\":{\"k\":\"v\",\"n\":null},\"new\":[]}";
  cleanup_json struct hr_json *ja = hr_json_parse (a, strlen (a), NULL);
  cleanup_json struct hr_json *jb = hr_json_parse (b, strlen (b), NULL);
  cleanup_json struct hr_json *patch = hr_check_json_patch (ja, jb);
  cleanup_free char *text = hr_json_serialize (patch, NULL);

  cr_assert_str_eq (text, "[{\"op\":\"remove\",\"path\":\"/gone\"},"
                          "{\"op\":\"replace\",\"path\":\"/a~1b\",\"value\":2},"
                          "{\"op\":\"replace\",\"path\":\"/t~0/1\",\"value\":5},"
                          "{\"op\":\"remove\",\"path\":\"/t~0/2\"},"
                          "{\"op\":\"add\",\"path\":\"/o/n\",\"value\":null},"
                          "{\"op\":\"add\",\"path\":\"/new\",\"value\":[]}]");
}

Test (check_report, sarif_and_junit)
{
  struct hr_result r = { 0 };
  cleanup_json struct hr_json *log = NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *f;

  hr_result_add (&r, "capabilities", HR_OUTCOME_CHANGED, xstrdup ("dropped CAP_NET_RAW"));
  hr_result_add (&r, "hooks", HR_OUTCOME_DENIED, xstrdup ("hook \"<x>\" & more"));
  log = hr_check_sarif (&r, "config.json");
  cr_assert_str_eq (hr_json_get (log, "version")->text, "2.1.0");
  struct hr_json *run = hr_json_get (log, "runs")->items[0];
  cr_assert_eq (hr_json_get (hr_json_get (hr_json_get (run, "tool"), "driver"), "rules")->len, hr_rule_count ());
  struct hr_json *res = hr_json_get (run, "results");
  cr_assert_eq (res->len, 2);
  cr_assert_str_eq (hr_json_get (res->items[0], "ruleId")->text, "HR-CAPS-001");
  cr_assert_str_eq (hr_json_get (res->items[0], "level")->text, "warning");
  cr_assert_str_eq (hr_json_get (res->items[1], "level")->text, "error");
  f = open_memstream (&buf, &len);
  hr_check_junit (&r, "a&b", f);
  fclose (f);
  cr_assert (strstr (buf, "tests=\"21\" failures=\"1\"") != NULL);
  cr_assert (strstr (buf, "hook &quot;&lt;x&gt;&quot; &amp; more") != NULL);
  cr_assert (strstr (buf, "hardrun check a&amp;b") != NULL);
  free (buf);
  hr_result_clear (&r);
}
