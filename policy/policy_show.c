/* SPDX-License-Identifier: Apache-2.0 */
/* The effective policy as JSON: what `hardrun policy show` prints. The
 * output is itself a valid policy with every default spelled out. */
#include "hardrun/policy.h"
#include "hardrun/util.h"
#include "rules.h"

static struct hr_json *
profile_to_json (const struct hr_profile *profile)
{
  struct hr_json *obj = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *rules = hr_json_new (HR_JSON_OBJECT);

  for (size_t i = 0; i < hr_rule_count (); i++)
    {
      const struct hr_rule_config *cfg = &profile->rules[i];
      struct hr_json *rule = hr_json_new (HR_JSON_OBJECT);

      hr_json_set (rule, "action", hr_json_new_string (hr_action_name (cfg->action)));
      /* the settings the rule knows, not what loading added (a loaded file) */
      for (const struct hr_setting *k = hr_rule_defs[i]->settings; k && k->key; k++)
        hr_json_set (rule, k->key, hr_json_clone (hr_json_get_value (cfg->settings, k->key)));
      hr_json_set (rules, cfg->name, rule);
    }
  hr_json_set (obj, "rules", rules);
  return obj;
}

struct hr_json *
hr_policy_to_json (const struct hr_policy *policy)
{
  struct hr_json *doc = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *profiles = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (doc, "version", hr_json_new_int (1));
  if (policy->runtime)
    hr_json_set (doc, "runtime", hr_json_new_string (policy->runtime));
  if (policy->runtime_sha256)
    hr_json_set (doc, "runtime_sha256", hr_json_new_string (policy->runtime_sha256));
  hr_json_set (doc, "audit_log", hr_json_new_string (policy->audit_log));
  hr_json_set (doc, "audit_syslog", hr_json_new_bool (policy->audit_syslog));
  hr_json_set (doc, "audit_mode", hr_json_new_bool (policy->audit_mode));
  if (policy->metrics_textfile)
    hr_json_set (doc, "metrics_textfile", hr_json_new_string (policy->metrics_textfile));
  hr_json_set (doc, "default_profile", hr_json_new_string (policy->default_profile));
  if (policy->quarantine_profile)
    hr_json_set (doc, "quarantine_profile", hr_json_new_string (policy->quarantine_profile));
  if (policy->profile_annotation)
    {
      struct hr_json *ann = hr_json_new (HR_JSON_OBJECT);
      struct hr_json *names = hr_json_new (HR_JSON_ARRAY);

      for (size_t i = 0; i < policy->annotation_profiles.len; i++)
        hr_json_append (names, hr_json_new_string (policy->annotation_profiles.items[i]));
      hr_json_set (ann, "key", hr_json_new_string (policy->profile_annotation));
      hr_json_set (ann, "profiles", names);
      hr_json_set (doc, "profile_annotation", ann);
    }
  for (size_t i = 0; i < policy->n_profiles; i++)
    hr_json_set (profiles, policy->profiles[i].name, profile_to_json (&policy->profiles[i]));
  hr_json_set (doc, "profiles", profiles);
  if (policy->kubernetes_namespaces)
    hr_json_set (doc, "kubernetes_namespaces", hr_json_clone (policy->kubernetes_namespaces));
  return doc;
}
