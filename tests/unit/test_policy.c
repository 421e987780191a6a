/* SPDX-License-Identifier: Apache-2.0 */
/* Policy loading: the embedded default, the round trip through `policy
 * show`, every validation error, and profile inheritance. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "fake_host.h"
#include "hardrun/enforce.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"
#include "policy_source.h"

static struct hr_policy *
load_ok (const char *text)
{
  hr_error_t err = NULL;
  struct hr_policy *p = hr_policy_load_text (text, strlen (text), "test", &err);

  cr_assert_not_null (p, "policy refused: %s", err ? err->msg : "?");
  cr_assert_null (err);
  return p;
}

/* The policy is refused with a message that contains every needle. */
static void
load_fails (const char *text, const char *needle, const char *needle2)
{
  hr_error_t err = NULL;
  struct hr_policy *p = hr_policy_load_text (text, strlen (text), "test.json", &err);

  cr_assert_null (p, "policy should be refused: %s", text);
  cr_assert_not_null (err);
  cr_assert (strstr (err->msg, "test.json") != NULL, "\"%s\" does not name the policy", err->msg);
  cr_assert (strstr (err->msg, needle) != NULL, "\"%s\" lacks \"%s\"", err->msg, needle);
  if (needle2)
    cr_assert (strstr (err->msg, needle2) != NULL, "\"%s\" lacks \"%s\"", err->msg, needle2);
  hr_error_free (&err);
}

/* A policy whose only profile "p" has these rules. */
static void
rules_fail (const char *rules, const char *needle, const char *needle2)
{
  cleanup_free char *text = NULL;

  xasprintf (&text, "{\"default_profile\":\"p\",\"profiles\":{\"p\":{\"rules\":%s}}}", rules);
  load_fails (text, needle, needle2);
}

static char *
policy_text (const struct hr_policy *p)
{
  cleanup_json struct hr_json *j = hr_policy_to_json (p);
  return hr_json_serialize (j, NULL);
}

static const struct hr_json *
setting (const struct hr_profile *profile, const char *rule, const char *key)
{
  const struct hr_rule_config *cfg = hr_profile_rule (profile, rule);

  cr_assert_not_null (cfg, "no rule %s", rule);
  return hr_json_get (cfg->settings, key);
}

static bool
rules_equal (const struct hr_rule_config *a, const struct hr_rule_config *b)
{
  return strcmp (a->name, b->name) == 0 && a->action == b->action && hr_json_equal (a->settings, b->settings);
}

/* The embedded default. */

Test (policy_default, loads_with_every_rule)
{
  hr_error_t err = NULL;
  struct hr_policy *p = hr_policy_load_default (&err);
  const struct hr_profile *def;

  cr_assert_not_null (p, "%s", err ? err->msg : "?");
  cr_assert_eq (p->n_profiles, 1);
  cr_assert_str_eq (p->default_profile, "default");
  cr_assert_str_eq (p->source, "embedded default policy");
  cr_assert_str_eq (p->audit_log, "/var/log/hardrun/audit.jsonl");
  cr_assert_not (p->audit_mode);
  cr_assert_not (p->audit_syslog);
  cr_assert_null (p->runtime);
  cr_assert_null (p->profile_annotation);
  def = hr_policy_find_profile (p, "default");
  cr_assert_not_null (def);
  cr_assert_str_eq (def->name, "default");
  cr_assert_null (hr_policy_find_profile (p, "strict"));
  cr_assert_geq (hr_rule_count (), 15);
  for (size_t i = 0; i < hr_rule_count (); i++)
    {
      const struct hr_rule_config *cfg = hr_profile_rule (def, hr_rule_name (i));
      cr_assert_not_null (cfg, "rule %s", hr_rule_name (i));
      cr_assert_eq (cfg, &def->rules[i], "rules are kept in enforcement order");
      cr_assert_str_eq (cfg->name, hr_rule_name (i));
      cr_assert_not_null (cfg->settings);
      cr_assert_eq (cfg->settings->type, HR_JSON_OBJECT);
      cr_assert_null (hr_json_get (cfg->settings, "action"), "%s: action is not a setting", cfg->name);
    }
  cr_assert_null (hr_profile_rule (def, "nope"));
  cr_assert_eq (hr_profile_rule (def, "host_namespaces")->action, HR_ACTION_DENY);
  cr_assert_eq (hr_profile_rule (def, "capabilities")->action, HR_ACTION_FIX);
  cr_assert_eq (hr_profile_rule (def, "sysctls")->action, HR_ACTION_DENY);
  cr_assert_eq (hr_json_get (hr_profile_rule (def, "capabilities")->settings, "allow")->len, 8);
  cr_assert_str_eq (hr_json_get (hr_profile_rule (def, "pids_limit")->settings, "limit")->text, "4096");
  hr_policy_free (p);
}

/* Every rule has an entry in the embedded default profile, and the driver
 * runs them in the documented order (capabilities before seccomp, which is
 * computed for the final capabilities; privileged before devices, whose
 * device rules it resets; user_namespace before sysctls). */
static size_t
rule_index (const char *name)
{
  for (size_t i = 0; i < hr_rule_count (); i++)
    if (strcmp (hr_rule_name (i), name) == 0)
      return i;
  cr_assert_fail ("no rule %s", name);
  return 0;
}

Test (policy_default, rule_order)
{
  static const char *const path[] = { "profiles", "default", "rules", NULL };
  hr_error_t err = NULL;
  cleanup_json struct hr_json *doc = hr_json_parse (hr_default_policy_text, strlen (hr_default_policy_text), &err);
  const struct hr_json *rules = hr_json_get_path (doc, path);

  cr_assert_not_null (rules);
  cr_assert_eq (hr_rule_count (), rules->len);
  for (size_t i = 0; i < hr_rule_count (); i++)
    cr_assert_str_eq (rules->members[i].key, hr_rule_name (i), "default-policy.json lists the rules in order");
  cr_assert_eq (rule_index ("user_namespace"), 0);
  cr_assert_eq (rule_index ("seccomp"), hr_rule_count () - 1);
  cr_assert_lt (rule_index ("capabilities"), rule_index ("seccomp"));
  cr_assert_lt (rule_index ("privileged"), rule_index ("devices"));
  cr_assert_lt (rule_index ("user_namespace"), rule_index ("sysctls"));
}

Test (policy_default, text_is_the_embedded_policy)
{
  cleanup_free char *a = NULL, *b = NULL;
  hr_error_t err = NULL;
  struct hr_policy *p1 = hr_policy_load_default (&err);
  struct hr_policy *p2 = load_ok (hr_default_policy_text);

  a = policy_text (p1);
  b = policy_text (p2);
  cr_assert_str_eq (a, b);
  hr_policy_free (p1);
  hr_policy_free (p2);
}

Test (policy_default, show_output_loads_back_equal)
{
  hr_error_t err = NULL;
  struct hr_policy *p = hr_policy_load_default (&err);
  cleanup_free char *first = policy_text (p);
  cleanup_json struct hr_json *j = hr_policy_to_json (p);
  cleanup_free char *pretty = hr_json_serialize_pretty (j);
  struct hr_policy *again = load_ok (pretty);
  cleanup_free char *second = policy_text (again);

  cr_assert_str_eq (first, second);
  hr_policy_free (p);
  hr_policy_free (again);
}

Test (policy_default, show_round_trip_of_a_full_policy)
{
  const char *text = "{\"version\":1,\"runtime\":\"/usr/bin/runc\",\"audit_log\":\"\",\"audit_syslog\":true,"
                     "\"audit_mode\":true,\"default_profile\":\"strict\","
                     "\"profile_annotation\":{\"key\":\"io.hardrun/profile\",\"profiles\":[\"relaxed\"]},"
                     "\"profiles\":{\"strict\":{\"description\":\"d\",\"extends\":\"relaxed\",\"rules\":{"
                     "\"capabilities\":{\"allow\":[]}}},\"relaxed\":{\"rules\":{\"sysctls\":{\"action\":\"audit\"},"
                     "\"pids_limit\":{\"limit\":100}}}}}";
  struct hr_policy *p = load_ok (text);
  cleanup_free char *first = policy_text (p);
  struct hr_policy *again = load_ok (first);
  cleanup_free char *second = policy_text (again);

  cr_assert_str_eq (first, second);
  cr_assert_str_eq (again->runtime, "/usr/bin/runc");
  cr_assert_str_eq (again->audit_log, "");
  cr_assert (again->audit_syslog);
  cr_assert (again->audit_mode);
  cr_assert_str_eq (again->default_profile, "strict");
  cr_assert_str_eq (again->profile_annotation, "io.hardrun/profile");
  cr_assert_eq (again->annotation_profiles.len, 1);
  cr_assert_str_eq (again->annotation_profiles.items[0], "relaxed");
  cr_assert_eq (again->n_profiles, 2);
  cr_assert_eq (setting (hr_policy_find_profile (again, "strict"), "capabilities", "allow")->len, 0);
  cr_assert_str_eq (setting (hr_policy_find_profile (again, "strict"), "pids_limit", "limit")->text, "100");
  hr_policy_free (p);
  hr_policy_free (again);
}

Test (policy_default, minimal_policies)
{
  struct hr_policy *p = load_ok ("{}");

  cr_assert_eq (p->n_profiles, 1);
  cr_assert_not_null (hr_policy_find_profile (p, "default"));
  hr_policy_free (p);
  p = load_ok ("{\"version\":1,\"profiles\":{\"default\":{}}}");
  cr_assert_eq (p->n_profiles, 1);
  hr_policy_free (p);
}

/* Validation. */

Test (policy_errors, unknown_top_level_key)
{
  load_fails ("{\"version\":1,\"profile\":{}}", "unknown key \"profile\"", NULL);
  load_fails ("{\"Profiles\":{}}", "unknown key \"Profiles\"", NULL);
}

Test (policy_errors, unknown_profile_key)
{
  load_fails ("{\"profiles\":{\"default\":{\"rule\":{}}}}", "unknown key \"rule\"", "profiles.default");
}

Test (policy_errors, unknown_rule)
{
  rules_fail ("{\"capabilites\":{\"action\":\"fix\"}}", "unknown rule \"capabilites\"", NULL);
}

Test (policy_errors, unknown_setting)
{
  rules_fail ("{\"capabilities\":{\"allowed\":[]}}", "unknown setting \"allowed\"", "capabilities");
  rules_fail ("{\"pids_limit\":{\"Limit\":5}}", "unknown setting \"Limit\"", NULL);
}

Test (policy_errors, wrong_types)
{
  rules_fail ("{\"capabilities\":{\"allow\":\"CAP_CHOWN\"}}", "expected array, found string",
              "profiles.p.rules.capabilities.allow");
  rules_fail ("{\"capabilities\":{\"allow\":[1]}}", "expected string, found number", NULL);
  rules_fail ("{\"pids_limit\":{\"limit\":\"4096\"}}", "expected a non-negative integer", NULL);
  rules_fail ("{\"pids_limit\":{\"limit\":-1}}", "expected a non-negative integer", NULL);
  rules_fail ("{\"pids_limit\":{\"limit\":1.5}}", "expected a non-negative integer", NULL);
  rules_fail ("{\"readonly_rootfs\":{\"tmpfs_size\":64}}", "expected string, found number", NULL);
  rules_fail ("{\"capabilities\":[]}", "expected object, found array", NULL);
  rules_fail ("[]", "expected object, found array", NULL);
  load_fails ("{\"profiles\":[]}", "profiles: expected object", NULL);
  load_fails ("{\"profiles\":{\"default\":[]}}", "expected object", NULL);
  load_fails ("{\"audit_mode\":\"yes\"}", "audit_mode: expected boolean", NULL);
  load_fails ("{\"audit_log\":5}", "audit_log: expected string", NULL);
  load_fails ("[]", "expected object, found array", NULL);
}

Test (policy_errors, bad_action)
{
  rules_fail ("{\"capabilities\":{\"action\":\"block\"}}",
              "expected one of \"fix\", \"deny\", \"quarantine\", \"audit\", \"off\"", "capabilities.action");
  rules_fail ("{\"capabilities\":{\"action\":\"FIX\"}}", "expected one of", NULL);
  rules_fail ("{\"capabilities\":{\"action\":true}}", "expected one of", NULL);
}

Test (policy_errors, capabilities)
{
  rules_fail ("{\"capabilities\":{\"allow\":[\"CAP_CHOWN\",\"CAP_FLY\"]}}", "unknown capability \"CAP_FLY\"", NULL);
  rules_fail ("{\"capabilities\":{\"allow\":[\"cap_chown\"]}}", "\"cap_chown\"", "capabilit");
  rules_fail ("{\"capabilities\":{\"allow\":[\"CAP_Chown\"]}}", "\"CAP_Chown\"", "upper case");
  rules_fail ("{\"capabilities\":{\"allow\":[\"CHOWN\"]}}", "unknown capability \"CHOWN\"", NULL);
}

Test (policy_errors, syscalls)
{
  rules_fail ("{\"seccomp\":{\"must_deny\":[\"mount\",\"not_a_syscall\"]}}", "unknown system call \"not_a_syscall\"",
              NULL);
}

Test (policy_errors, paths)
{
  rules_fail ("{\"sensitive_mounts\":{\"paths\":[\"/etc\",\"var/lib/docker\"]}}",
              "\"var/lib/docker\" is not an absolute path", "sensitive_mounts");
  rules_fail ("{\"sensitive_mounts\":{\"exceptions\":[\"x/*\"]}}", "\"x/*\" is not an absolute path", NULL);
  rules_fail ("{\"readonly_rootfs\":{\"tmpfs\":[\"tmp\"]}}", "\"tmp\" is not an absolute path", NULL);
  rules_fail ("{\"masked_paths\":{\"masked\":[\"proc/kcore\"]}}", "\"proc/kcore\" is not an absolute path", NULL);
  load_fails ("{\"runtime\":\"runc\"}", "runtime: \"runc\" is not an absolute path", NULL);
  load_fails ("{\"audit_log\":\"audit.log\"}", "audit_log: \"audit.log\" is not an absolute path", NULL);
}

Test (policy_errors, devices)
{
  rules_fail ("{\"devices\":{\"nodes\":[\"c 1\"]}}", "\"c 1\" is not a device rule", "devices");
  rules_fail ("{\"devices\":{\"nodes\":[\"x 1:3\"]}}", "\"x 1:3\" is not a device rule", NULL);
  rules_fail ("{\"devices\":{\"nodes\":[\"c 1:3 rwm\"]}}", "is not a device rule", NULL);
  rules_fail ("{\"devices\":{\"cgroup_rules\":[\"c 1:3\"]}}", "\"c 1:3\" is not a device rule", NULL);
  rules_fail ("{\"devices\":{\"cgroup_rules\":[\"c 1:3 rwx\"]}}", "is not a device rule", NULL);
  rules_fail ("{\"devices\":{\"cgroup_rules\":[\"c -1:3 rwm\"]}}", "is not a device rule", NULL);
}

Test (policy_errors, namespaces)
{
  rules_fail ("{\"host_namespaces\":{\"allow_host\":[\"net\"]}}", "unknown namespace type \"net\"", NULL);
}

Test (policy_errors, user_namespace)
{
  rules_fail ("{\"user_namespace\":{\"host_uid\":0}}", "host_uid and host_gid must be above 0", "user_namespace");
  rules_fail ("{\"user_namespace\":{\"host_gid\":0}}", "must be above 0", NULL);
  rules_fail ("{\"user_namespace\":{\"size\":1000}}", "size must be a multiple of 65536", NULL);
  rules_fail ("{\"user_namespace\":{\"ranges\":0}}", "ranges must be positive", NULL);
  rules_fail ("{\"user_namespace\":{\"host_uid\":4294000000}}", "fit in 32-bit ids", NULL);
}

Test (policy_errors, unmappable_binds)
{
  rules_fail ("{\"user_namespace\":{\"unmappable_binds\":\"maybe\"}}", "unmappable_binds must be \"allow\" or \"deny\"",
              NULL);
}

Test (policy_errors, hooks)
{
  /* a hook is allowed by its whole shape, never by its path alone */
  rules_fail ("{\"hooks\":{\"allowed\":[\"/usr/sbin/dockerd\"]}}", "hooks.allowed[0]: expected object", "hooks");
  rules_fail ("{\"hooks\":{\"allowed\":[{\"kinds\":[\"prestart\"],\"executable\":[\"dockerd\"],\"args\":[]}]}}",
              "\"dockerd\" is not an absolute path", "hooks");
}

Test (policy_errors, pids_limit_zero)
{
  rules_fail ("{\"pids_limit\":{\"limit\":0}}", "limit must be positive", NULL);
}

Test (policy_errors, extends)
{
  load_fails ("{\"default_profile\":\"a\",\"profiles\":{\"a\":{\"extends\":\"b\"},\"b\":{\"extends\":\"a\"}}}", "loop",
              NULL);
  load_fails ("{\"profiles\":{\"default\":{\"extends\":\"default\"}}}", "loop", NULL);
  load_fails ("{\"profiles\":{\"default\":{\"extends\":\"nothere\"}}}", "no profile named \"nothere\"", NULL);
  load_fails ("{\"profiles\":{\"default\":{\"extends\":1}}}", "extends: expected string", NULL);
}

Test (policy_errors, default_profile_missing)
{
  load_fails ("{\"default_profile\":\"strict\",\"profiles\":{\"default\":{}}}",
              "default_profile: no profile named \"strict\"", NULL);
  load_fails ("{\"profiles\":{\"strict\":{}}}", "default_profile: no profile named \"default\"", NULL);
  load_fails ("{\"profiles\":{}}", "at least one profile", NULL);
}

Test (policy_errors, profile_annotation)
{
  load_fails ("{\"profile_annotation\":{\"key\":\"k\",\"profiles\":[\"missing\"]}}",
              "profile_annotation.profiles: no profile named \"missing\"", NULL);
  load_fails ("{\"profile_annotation\":{\"key\":\"\",\"profiles\":[]}}", "profile_annotation.key", NULL);
  load_fails ("{\"profile_annotation\":{\"key\":\"k\"}}", "profile_annotation.profiles", NULL);
  load_fails ("{\"profile_annotation\":{\"key\":\"k\",\"profiles\":[],\"x\":1}}", "unknown key \"x\"", NULL);
}

Test (policy_errors, version)
{
  load_fails ("{\"version\":2}", "only version 1", NULL);
  load_fails ("{\"version\":\"1\"}", "only version 1", NULL);
  load_fails ("{\"version\":1.0}", "only version 1", NULL);
}

Test (policy_errors, malformed_json)
{
  load_fails ("{\"version\":1,", "invalid JSON", NULL);
  load_fails ("", "empty document", NULL);
}

Test (policy_errors, duplicate_keys)
{
  load_fails ("{\"version\":1,\"version\":1}", "duplicate key", NULL);
  rules_fail ("{\"sysctls\":{\"action\":\"fix\"},\"Sysctls\":{\"action\":\"off\"}}", "duplicate key", NULL);
}

Test (policy_files, missing_file)
{
  hr_error_t err = NULL;
  struct hr_policy *p = hr_policy_load_file ("/nonexistent/hardrun/policy.json", &err);

  cr_assert_null (p);
  cr_assert_not_null (err);
  cr_assert_eq (err->status, ENOENT);
  cr_assert (strstr (err->msg, "/nonexistent/hardrun/policy.json") != NULL, "%s", err->msg);
  hr_error_free (&err);
}

Test (policy_files, directory)
{
  hr_error_t err = NULL;
  struct hr_policy *p = hr_policy_load_file (FIXTURES_DIR, &err);

  cr_assert_null (p);
  cr_assert_not_null (err);
  cr_assert (strstr (err->msg, "not a regular file") != NULL, "%s", err->msg);
  hr_error_free (&err);
}

Test (policy_files, a_file_loads)
{
  char path[] = "/tmp/hardrun-test-policy-XXXXXX";
  int fd = mkstemp (path);
  const char text[] = "{\"profiles\":{\"default\":{\"rules\":{\"pids_limit\":{\"limit\":7}}}}}";
  hr_error_t err = NULL;
  struct hr_policy *p;

  cr_assert_geq (fd, 0);
  cr_assert_eq (write (fd, text, sizeof text - 1), (ssize_t)sizeof text - 1);
  close (fd);
  p = hr_policy_load_file (path, &err);
  unlink (path);
  cr_assert_not_null (p, "%s", err ? err->msg : "?");
  cr_assert_str_eq (p->source, path);
  cr_assert_str_eq (setting (hr_policy_find_profile (p, "default"), "pids_limit", "limit")->text, "7");
  hr_policy_free (p);
}

Test (policy_files, example_policies_load)
{
  size_t count = 0;
  char **files = fake_fixture_list ("../../examples/policies/*.json", &count);

  cr_assert_geq (count, 3);
  for (size_t i = 0; i < count; i++)
    {
      hr_error_t err = NULL;
      struct hr_policy *p = hr_policy_load_file (files[i], &err);

      cr_assert_not_null (p, "%s: %s", files[i], err ? err->msg : "?");
      cr_assert_not_null (hr_policy_find_profile (p, p->default_profile));
      hr_policy_free (p);
    }
  fake_free_list (files);
}

/* Inheritance. */

Test (policy_profiles, extends_overrides_one_setting)
{
  struct hr_policy *p = load_ok ("{\"profiles\":{\"default\":{},\"strict\":{\"extends\":\"default\",\"rules\":{"
                                 "\"capabilities\":{\"allow\":[]}}}}}");
  const struct hr_profile *def = hr_policy_find_profile (p, "default");
  const struct hr_profile *strict = hr_policy_find_profile (p, "strict");

  cr_assert_not_null (strict);
  cr_assert_eq (setting (strict, "capabilities", "allow")->type, HR_JSON_ARRAY);
  cr_assert_eq (setting (strict, "capabilities", "allow")->len, 0);
  cr_assert_eq (hr_profile_rule (strict, "capabilities")->action, HR_ACTION_FIX);
  for (size_t i = 0; i < hr_rule_count (); i++)
    if (strcmp (hr_rule_name (i), "capabilities") != 0)
      cr_assert (rules_equal (&strict->rules[i], &def->rules[i]), "rule %s differs", hr_rule_name (i));
  cr_assert_not (rules_equal (&strict->rules[3], &def->rules[3]));
  hr_policy_free (p);
}

Test (policy_profiles, extends_a_changed_profile)
{
  struct hr_policy *p = load_ok ("{\"profiles\":{\"default\":{\"rules\":{\"pids_limit\":{\"limit\":100}}},"
                                 "\"child\":{\"extends\":\"default\",\"rules\":{\"sysctls\":{\"action\":\"off\"}}},"
                                 "\"grandchild\":{\"extends\":\"child\"},\"fresh\":{}}}");

  cr_assert_str_eq (setting (hr_policy_find_profile (p, "child"), "pids_limit", "limit")->text, "100");
  cr_assert_str_eq (setting (hr_policy_find_profile (p, "grandchild"), "pids_limit", "limit")->text, "100");
  cr_assert_eq (hr_profile_rule (hr_policy_find_profile (p, "grandchild"), "sysctls")->action, HR_ACTION_OFF);
  /* without extends a profile starts from the embedded defaults */
  cr_assert_str_eq (setting (hr_policy_find_profile (p, "fresh"), "pids_limit", "limit")->text, "4096");
  cr_assert_eq (hr_profile_rule (hr_policy_find_profile (p, "fresh"), "sysctls")->action, HR_ACTION_DENY);
  hr_policy_free (p);
}

Test (policy_profiles, without_extends_equals_embedded_default)
{
  hr_error_t err = NULL;
  struct hr_policy *def = hr_policy_load_default (&err);
  struct hr_policy *p = load_ok ("{\"profiles\":{\"default\":{\"rules\":{\"capabilities\":{\"allow\":[]}}},"
                                 "\"other\":{}}}");
  const struct hr_profile *embedded = hr_policy_find_profile (def, "default");
  const struct hr_profile *other = hr_policy_find_profile (p, "other");

  for (size_t i = 0; i < hr_rule_count (); i++)
    cr_assert (rules_equal (&other->rules[i], &embedded->rules[i]), "rule %s differs", hr_rule_name (i));
  cr_assert_eq (setting (hr_policy_find_profile (p, "default"), "capabilities", "allow")->len, 0);
  hr_policy_free (p);
  hr_policy_free (def);
}

Test (policy_profiles, action_only_keeps_settings)
{
  hr_error_t err = NULL;
  struct hr_policy *def = hr_policy_load_default (&err);
  struct hr_policy *p = load_ok ("{\"profiles\":{\"default\":{\"rules\":{\"sysctls\":{\"action\":\"audit\"},"
                                 "\"devices\":{\"action\":\"fix\"}}}}}");
  const struct hr_profile *a = hr_policy_find_profile (p, "default");
  const struct hr_profile *b = hr_policy_find_profile (def, "default");

  cr_assert_eq (hr_profile_rule (a, "sysctls")->action, HR_ACTION_AUDIT);
  cr_assert_eq (hr_profile_rule (a, "devices")->action, HR_ACTION_FIX);
  cr_assert (hr_json_equal (hr_profile_rule (a, "sysctls")->settings, hr_profile_rule (b, "sysctls")->settings));
  cr_assert (hr_json_equal (hr_profile_rule (a, "devices")->settings, hr_profile_rule (b, "devices")->settings));
  cr_assert_eq (setting (a, "sysctls", "allow")->len, 10);
  hr_policy_free (p);
  hr_policy_free (def);
}

Test (policy_profiles, settings_replace_not_merge)
{
  struct hr_policy *p = load_ok ("{\"profiles\":{\"default\":{\"rules\":{\"sysctls\":{\"allow\":[\"kernel.x\"]}}}}}");
  const struct hr_json *allow = setting (hr_policy_find_profile (p, "default"), "sysctls", "allow");

  cr_assert_eq (allow->len, 1);
  cr_assert_str_eq (allow->items[0]->text, "kernel.x");
  hr_policy_free (p);
}

Test (policy_names, actions)
{
  enum hr_action a = HR_ACTION_OFF;

  cr_assert_eq (hr_action_parse ("deny", &a), 0);
  cr_assert_eq (a, HR_ACTION_DENY);
  cr_assert_eq (hr_action_parse ("audit", &a), 0);
  cr_assert_eq (a, HR_ACTION_AUDIT);
  cr_assert_lt (hr_action_parse ("block", &a), 0);
  cr_assert_str_eq (hr_action_name (HR_ACTION_FIX), "fix");
  cr_assert_str_eq (hr_action_name (HR_ACTION_OFF), "off");
}

/* An error set over another that nobody handled is a bug: debug builds
 * abort there instead of dropping the first error silently. */
#ifndef NDEBUG
Test (error, set_twice_aborts, .signal = SIGABRT)
{
  hr_error_t err = NULL;

  hr_error_set (&err, 0, "first");
  hr_error_set (&err, 0, "second");
}
#endif

Test (error, set_after_free_is_fine)
{
  hr_error_t err = NULL;

  hr_error_set (&err, ENOENT, "first");
  hr_error_free (&err);
  hr_error_set (&err, 0, "second");
  cr_assert_str_eq (err->msg, "second");
  hr_error_free (&err);
}
