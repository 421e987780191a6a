/* Policy loading: the embedded default, profiles and inheritance, and the
 * validation errors that keep a misunderstood policy from being applied. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"

static struct hr_policy *
load (const char *text, hr_error_t *err)
{
  return hr_policy_load_text (text, strlen (text), "test", err);
}

static const struct hr_json *
setting (const struct hr_profile *profile, const char *rule, const char *key)
{
  const struct hr_rule_config *cfg = hr_profile_rule (profile, rule);
  cr_assert_not_null (cfg, "no rule %s", rule);
  for (size_t i = 0; i < cfg->settings->len; i++)
    if (strcmp (cfg->settings->members[i].key, key) == 0)
      return cfg->settings->members[i].value;
  return NULL;
}

Test (policy, embedded_default)
{
  hr_error_t err = NULL;
  struct hr_policy *p = hr_policy_load_default (&err);
  const struct hr_profile *def;

  cr_assert_not_null (p, "%s", err ? err->msg : "");
  def = hr_policy_find_profile (p, "default");
  cr_assert_not_null (def);
  for (size_t i = 0; i < hr_rule_count (); i++)
    cr_assert_str_eq (def->rules[i].name, hr_rule_name (i));
  cr_assert_eq (hr_profile_rule (def, "capabilities")->action, HR_ACTION_FIX);
  cr_assert_eq (hr_profile_rule (def, "sensitive_mounts")->action, HR_ACTION_DENY);
  cr_assert_eq (setting (def, "capabilities", "allow")->len, 8);
  cr_assert_str_eq (setting (def, "pids_limit", "limit")->text, "4096");
  cr_assert_eq (p->audit_mode, false);
  hr_policy_free (p);
}

Test (policy, shown_policy_reloads_identically)
{
  hr_error_t err = NULL;
  struct hr_policy *p = load ("{\"profiles\":{\"default\":{},\"strict\":{\"extends\":\"default\",\"rules\":{"
                              "\"capabilities\":{\"allow\":[]}}}},\"audit_mode\":true}",
                              &err);
  struct hr_json *shown, *again_shown;
  struct hr_policy *again;
  char *a, *b;

  cr_assert_not_null (p, "%s", err ? err->msg : "");
  shown = hr_policy_to_json (p);
  a = hr_json_serialize (shown, NULL);
  again = load (a, &err);
  cr_assert_not_null (again, "%s", err ? err->msg : "");
  again_shown = hr_policy_to_json (again);
  b = hr_json_serialize (again_shown, NULL);
  cr_assert_str_eq (a, b);
  free (a), free (b);
  hr_json_free (shown), hr_json_free (again_shown);
  hr_policy_free (p), hr_policy_free (again);
}

Test (policy, profiles_inherit_setting_by_setting)
{
  hr_error_t err = NULL;
  struct hr_policy *p = load ("{\"profiles\":{\"default\":{},\"strict\":{\"extends\":\"default\",\"rules\":{"
                              "\"capabilities\":{\"allow\":[]},\"pids_limit\":{\"action\":\"deny\"}}},"
                              "\"stricter\":{\"extends\":\"strict\",\"rules\":{\"pids_limit\":{\"limit\":10}}}}}",
                              &err);
  const struct hr_profile *strict, *stricter;

  cr_assert_not_null (p, "%s", err ? err->msg : "");
  strict = hr_policy_find_profile (p, "strict");
  stricter = hr_policy_find_profile (p, "stricter");
  cr_assert_eq (setting (strict, "capabilities", "allow")->len, 0);
  cr_assert_eq (hr_profile_rule (strict, "pids_limit")->action, HR_ACTION_DENY);
  cr_assert_str_eq (setting (strict, "pids_limit", "limit")->text, "4096", "an action override keeps settings");
  cr_assert_eq (setting (stricter, "capabilities", "allow")->len, 0, "inherited through two levels");
  cr_assert_str_eq (setting (stricter, "pids_limit", "limit")->text, "10");
  cr_assert_eq (hr_profile_rule (stricter, "pids_limit")->action, HR_ACTION_DENY);
  cr_assert_eq (hr_profile_rule (stricter, "seccomp")->action, HR_ACTION_FIX);
  hr_policy_free (p);
}

struct bad_policy
{
  const char *text;
  const char *message;
};

static const struct bad_policy bad[] = {
  { "{\"bogus\":1}", "unknown key \"bogus\"" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"no_such_rule\":{}}}}}", "unknown rule \"no_such_rule\"" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"capabilities\":{\"deny\":[]}}}}}", "unknown setting \"deny\"" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"capabilities\":{\"allow\":\"CAP_CHOWN\"}}}}}", "expected array" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"capabilities\":{\"action\":\"block\"}}}}}", "expected one of" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"capabilities\":{\"allow\":[\"CAP_FLY\"]}}}}}",
    "unknown capability \"CAP_FLY\"" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"capabilities\":{\"allow\":[\"cap_chown\"]}}}}}", "cap_chown" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"seccomp\":{\"must_deny\":[\"not_a_syscall\"]}}}}}",
    "unknown system call \"not_a_syscall\"" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"sensitive_mounts\":{\"paths\":[\"etc\"]}}}}}", "not an absolute path" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"devices\":{\"nodes\":[\"c 1\"]}}}}}", "not a device rule" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"user_namespace\":{\"host_uid\":0}}}}}", "above 0" },
  { "{\"profiles\":{\"default\":{\"rules\":{\"user_namespace\":{\"size\":1000}}}}}", "multiple of 65536" },
  { "{\"profiles\":{\"a\":{\"extends\":\"b\"},\"b\":{\"extends\":\"a\"}},\"default_profile\":\"a\"}", "loop" },
  { "{\"profiles\":{\"default\":{\"extends\":\"nope\"}}}", "no profile named \"nope\"" },
  { "{\"default_profile\":\"missing\"}", "no profile named \"missing\"" },
  { "{\"profile_annotation\":{\"key\":\"k\",\"profiles\":[\"missing\"]}}", "no profile named \"missing\"" },
  { "{\"version\":2}", "version" },
  { "{\"runtime\":\"runc\"}", "not an absolute path" },
  { "{\"profiles\":", "invalid JSON" },
  { "{\"audit_mode\":true,\"audit_mode\":false}", "duplicate key" },
  { "{\"profiles\":{}}", "at least one profile" },
};

Test (policy, validation_errors_name_the_problem)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      hr_error_t err = NULL;
      struct hr_policy *p = load (bad[i].text, &err);

      cr_assert_null (p, "accepted: %s", bad[i].text);
      cr_assert_not_null (err);
      cr_assert_not_null (strstr (err->msg, bad[i].message), "%s\n  gave: %s\n  want: %s", bad[i].text, err->msg,
                          bad[i].message);
      hr_error_free (&err);
    }
}

Test (policy, files_that_cannot_be_policies)
{
  hr_error_t err = NULL;

  cr_assert_null (hr_policy_load_file ("/nonexistent/policy.json", &err));
  cr_assert_not_null (strstr (err->msg, "cannot open policy"));
  hr_error_free (&err);
  cr_assert_null (hr_policy_load_file ("/tmp", &err));
  cr_assert_not_null (strstr (err->msg, "not a regular file"));
  hr_error_free (&err);
}

Test (policy, example_policies_load)
{
  static const char *const files[] = { "default.json", "profiles.json", "audit-rollout.json" };
  for (size_t i = 0; i < HR_ARRAY_SIZE (files); i++)
    {
      char path[512];
      hr_error_t err = NULL;
      struct hr_policy *p;

      snprintf (path, sizeof path, "%s/../../examples/policies/%s", FIXTURES_DIR, files[i]);
      p = hr_policy_load_file (path, &err);
      cr_assert_not_null (p, "%s: %s", path, err ? err->msg : "");
      hr_policy_free (p);
    }
}
