/* SPDX-License-Identifier: Apache-2.0 */
/* Loads and validates a policy file (or the embedded default) and resolves
 * every profile: built-in defaults, then the profile it extends, then its own
 * settings.  Anything unknown or mistyped is an error: a policy that says
 * something hardrun does not understand must not be half-applied. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"
#include "rules.h"

#define MAX_EXTENDS_DEPTH 16

static const char *const top_level_keys[] = { "version",
                                              "runtime",
                                              "runtime_sha256",
                                              "audit_log",
                                              "audit_syslog",
                                              "audit_mode",
                                              "default_profile",
                                              "profile_annotation",
                                              "profiles",
                                              "quarantine_profile",
                                              "kubernetes_namespaces",
                                              "metrics_textfile",
                                              NULL };
static const char *const profile_keys[] = { "description", "extends", "rules", NULL };

static const char *const action_names[] = {
  [HR_ACTION_OFF] = "off",   [HR_ACTION_AUDIT] = "audit",           [HR_ACTION_FIX] = "fix",
  [HR_ACTION_DENY] = "deny", [HR_ACTION_QUARANTINE] = "quarantine",
};

const char *
hr_action_name (enum hr_action action)
{
  return action_names[action];
}

int
hr_action_parse (const char *name, enum hr_action *out)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (action_names); i++)
    if (strcmp (name, action_names[i]) == 0)
      {
        *out = (enum hr_action)i;
        return 0;
      }
  return -1;
}

static bool
in_list (const char *const *list, const char *s)
{
  for (; *list; list++)
    if (strcmp (*list, s) == 0)
      return true;
  return false;
}

static int
check_keys (const struct hr_json *obj, const char *const *allowed, const char *where, hr_error_t *err)
{
  for (size_t i = 0; i < obj->len; i++)
    if (!in_list (allowed, obj->members[i].key))
      return hr_error_set (err, 0, "%s: unknown key \"%s\"", where, obj->members[i].key);
  return 0;
}

/* Exact-key member lookup: the policy is hardrun's own format. */
static struct hr_json *
member (const struct hr_json *obj, const char *key)
{
  for (size_t i = 0; i < obj->len; i++)
    if (strcmp (obj->members[i].key, key) == 0)
      return obj->members[i].value;
  return NULL;
}

static int
expect_type (const struct hr_json *v, enum hr_json_type type, const char *where, hr_error_t *err)
{
  bool ok = v->type == type || (type == HR_JSON_TRUE && v->type == HR_JSON_FALSE);
  if (ok)
    return 0;
  return hr_error_set (err, 0, "%s: expected %s, found %s", where, hr_json_type_name (type),
                       hr_json_type_name (v->type));
}

static int
check_setting_type (const struct hr_json *v, enum hr_setting_type type, const char *where, hr_error_t *err)
{
  int64_t n;

  switch (type)
    {
    case HR_SETTING_BOOL:
      return expect_type (v, HR_JSON_TRUE, where, err);
    case HR_SETTING_STRING:
      return expect_type (v, HR_JSON_STRING, where, err);
    case HR_SETTING_INT:
      if (v->type != HR_JSON_NUMBER || hr_json_number_to_int64 (v, &n) < 0 || n < 0)
        return hr_error_set (err, 0, "%s: expected a non-negative integer", where);
      return 0;
    case HR_SETTING_SIGNED_INT:
      if (v->type != HR_JSON_NUMBER || hr_json_number_to_int64 (v, &n) < 0)
        return hr_error_set (err, 0, "%s: expected an integer", where);
      return 0;
    case HR_SETTING_STRINGS:
    case HR_SETTING_OBJECTS:
      if (expect_type (v, HR_JSON_ARRAY, where, err) < 0)
        return -1;
      for (size_t i = 0; i < v->len; i++)
        {
          enum hr_json_type want = type == HR_SETTING_STRINGS ? HR_JSON_STRING : HR_JSON_OBJECT;
          if (v->items[i]->type != want)
            return hr_error_set (err, 0, "%s[%zu]: expected %s, found %s", where, i, hr_json_type_name (want),
                                 hr_json_type_name (v->items[i]->type));
        }
      return 0;
    default:
      return hr_error_set (err, 0, "%s: unknown setting type", where);
    }
  return 0;
}

static const struct hr_setting *
find_setting (const struct hr_rule_def *def, const char *key)
{
  for (const struct hr_setting *s = def->settings; s && s->key; s++)
    if (strcmp (s->key, key) == 0)
      return s;
  return NULL;
}

/* Applies one rule's overrides from a profile onto the resolved rules. */
static int
overlay_rule (struct hr_json *resolved, const char *rule, const struct hr_json *overrides, const char *where,
              hr_error_t *err)
{
  const struct hr_rule_def *def = hr_rule_def_find (rule);
  struct hr_json *target;
  enum hr_action action;

  if (def == NULL)
    return hr_error_set (err, 0, "%s: unknown rule \"%s\"", where, rule);
  if (expect_type (overrides, HR_JSON_OBJECT, where, err) < 0)
    return -1;
  target = hr_json_ensure_object (resolved, rule);
  for (size_t i = 0; i < overrides->len; i++)
    {
      const char *key = overrides->members[i].key;
      const struct hr_json *value = overrides->members[i].value;
      cleanup_free char *at = NULL;

      xasprintf (&at, "%s.%s.%s", where, rule, key);
      if (strcmp (key, "action") == 0)
        {
          if (value->type != HR_JSON_STRING || hr_action_parse (value->text, &action) < 0)
            return hr_error_set (err, 0, "%s: expected one of \"fix\", \"deny\", \"quarantine\", \"audit\", \"off\"",
                                 at);
        }
      else
        {
          const struct hr_setting *s = find_setting (def, key);
          if (s == NULL)
            return hr_error_set (err, 0, "%s.%s: unknown setting \"%s\"", where, rule, key);
          if (check_setting_type (value, s->type, at, err) < 0)
            return -1;
        }
      hr_json_set (target, key, hr_json_clone (value));
    }
  return 0;
}

static struct hr_json *resolve_profile (const struct hr_json *profiles, const char *name,
                                        const struct hr_json *defaults, int depth, hr_error_t *err);

static struct hr_json *
resolve_base (const struct hr_json *profiles, const struct hr_json *profile, const char *where,
              const struct hr_json *defaults, int depth, hr_error_t *err)
{
  const struct hr_json *extends = member (profile, "extends");

  if (extends == NULL)
    return hr_json_clone (defaults);
  if (extends->type != HR_JSON_STRING)
    return hr_error_set (err, 0, "%s.extends: expected string", where), NULL;
  if (depth >= MAX_EXTENDS_DEPTH)
    return hr_error_set (err, 0, "%s.extends: profiles extend each other in a loop", where), NULL;
  return resolve_profile (profiles, extends->text, defaults, depth + 1, err);
}

static struct hr_json *
resolve_profile (const struct hr_json *profiles, const char *name, const struct hr_json *defaults, int depth,
                 hr_error_t *err)
{
  const struct hr_json *profile = member (profiles, name);
  cleanup_free char *where = NULL;
  cleanup_json struct hr_json *resolved = NULL;
  const struct hr_json *rules;

  xasprintf (&where, "profiles.%s", name);
  if (profile == NULL)
    return hr_error_set (err, 0, "no profile named \"%s\"", name), NULL;
  if (expect_type (profile, HR_JSON_OBJECT, where, err) < 0 || check_keys (profile, profile_keys, where, err) < 0)
    return NULL;
  resolved = resolve_base (profiles, profile, where, defaults, depth, err);
  if (resolved == NULL)
    return NULL;
  rules = member (profile, "rules");
  if (rules == NULL)
    return hr_steal_pointer (&resolved);
  free (where);
  xasprintf (&where, "profiles.%s.rules", name);
  if (expect_type (rules, HR_JSON_OBJECT, where, err) < 0)
    return NULL;
  for (size_t i = 0; i < rules->len; i++)
    if (overlay_rule (resolved, rules->members[i].key, rules->members[i].value, where, err) < 0)
      return NULL;
  return hr_steal_pointer (&resolved);
}

/* Turns resolved rules into the profile's rule configs, in enforcement order. */
static int
build_profile (struct hr_profile *out, const char *name, const struct hr_json *resolved, hr_error_t *err)
{
  size_t n = hr_rule_count ();

  out->name = xstrdup (name);
  out->rules = xcalloc (n, sizeof *out->rules);
  for (size_t i = 0; i < n; i++)
    {
      const struct hr_rule_def *def = hr_rule_defs[i];
      const struct hr_json *rule = member (resolved, def->name);
      struct hr_rule_config *cfg = &out->rules[i];
      const struct hr_json *action;

      cfg->name = def->name;
      if (rule == NULL || (action = member (rule, "action")) == NULL)
        return hr_error_set (err, 0, "profile \"%s\": rule \"%s\" has no action", name, def->name);
      hr_action_parse (action->text, &cfg->action);
      cfg->settings = hr_json_clone (rule);
      hr_json_remove (cfg->settings, "action");
      for (const struct hr_setting *s = def->settings; s && s->key; s++)
        if (member (cfg->settings, s->key) == NULL)
          return hr_error_set (err, 0, "profile \"%s\": rule \"%s\" lacks setting \"%s\"", name, def->name, s->key);
      if ((def->validate && def->validate (cfg->settings, err) < 0)
          || (def->load && def->load (cfg->settings, err) < 0))
        return hr_error_prefix (err, "profile \"%s\": rule \"%s\"", name, def->name);
    }
  return 0;
}

static int
load_profiles (struct hr_policy *policy, const struct hr_json *doc, const struct hr_json *defaults, hr_error_t *err)
{
  const struct hr_json *profiles = member (doc, "profiles");
  static const char fallback_text[] = "{\"default\":{}}";
  cleanup_json struct hr_json *fallback = NULL;

  if (profiles == NULL)
    profiles = fallback = hr_json_parse (fallback_text, sizeof fallback_text - 1, err);
  if (expect_type (profiles, HR_JSON_OBJECT, "profiles", err) < 0)
    return -1;
  if (profiles->len == 0)
    return hr_error_set (err, 0, "profiles: at least one profile is needed");
  policy->profiles = xcalloc (profiles->len, sizeof (struct hr_profile));
  for (size_t i = 0; i < profiles->len; i++)
    {
      const char *name = profiles->members[i].key;
      cleanup_json struct hr_json *resolved = resolve_profile (profiles, name, defaults, 0, err);

      if (resolved == NULL)
        return -1;
      policy->n_profiles++;
      if (build_profile (&policy->profiles[i], name, resolved, err) < 0)
        return -1;
    }
  return 0;
}

static int
read_string (const struct hr_json *doc, const char *key, char **out, hr_error_t *err)
{
  const struct hr_json *v = member (doc, key);

  if (v == NULL)
    return 0;
  if (expect_type (v, HR_JSON_STRING, key, err) < 0)
    return -1;
  free (*out);
  *out = xstrdup (v->text);
  return 0;
}

static int
read_bool (const struct hr_json *doc, const char *key, bool *out, hr_error_t *err)
{
  const struct hr_json *v = member (doc, key);

  if (v == NULL)
    return 0;
  if (expect_type (v, HR_JSON_TRUE, key, err) < 0)
    return -1;
  *out = v->type == HR_JSON_TRUE;
  return 0;
}

static int
read_profile_annotation (struct hr_policy *policy, const struct hr_json *doc, hr_error_t *err)
{
  static const char *const keys[] = { "key", "profiles", NULL };
  const struct hr_json *v = member (doc, "profile_annotation");
  const struct hr_json *key, *names;

  if (v == NULL)
    return 0;
  if (expect_type (v, HR_JSON_OBJECT, "profile_annotation", err) < 0
      || check_keys (v, keys, "profile_annotation", err) < 0)
    return -1;
  key = member (v, "key");
  names = member (v, "profiles");
  if (key == NULL || key->type != HR_JSON_STRING || key->text[0] == '\0')
    return hr_error_set (err, 0, "profile_annotation.key: expected a non-empty string");
  if (names == NULL || check_setting_type (names, HR_SETTING_STRINGS, "profile_annotation.profiles", err) < 0)
    return hr_error_set (err, 0, "profile_annotation.profiles: expected an array of profile names");
  policy->profile_annotation = xstrdup (key->text);
  for (size_t i = 0; i < names->len; i++)
    {
      if (hr_policy_find_profile (policy, names->items[i]->text) == NULL)
        return hr_error_set (err, 0, "profile_annotation.profiles: no profile named \"%s\"", names->items[i]->text);
      hr_strv_push (&policy->annotation_profiles, names->items[i]->text);
    }
  return 0;
}

/* "kubernetes_namespaces": {"NAME" or "*": {"default_profile": P,
 * "profiles": [P...]}}: the profile a pod of namespace NAME gets, and the
 * ones its pod annotation may choose ("*": every other namespace). */
static int
read_kubernetes_namespaces (struct hr_policy *policy, const struct hr_json *doc, hr_error_t *err)
{
  static const char *const keys[] = { "default_profile", "profiles", NULL };
  const struct hr_json *v = member (doc, "kubernetes_namespaces");

  if (v == NULL)
    return 0;
  if (expect_type (v, HR_JSON_OBJECT, "kubernetes_namespaces", err) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++)
    {
      const struct hr_json *ns = v->members[i].value;
      const struct hr_json *def, *names;
      cleanup_free char *where = NULL;

      xasprintf (&where, "kubernetes_namespaces.%s", v->members[i].key);
      if (v->members[i].key[0] == '\0' || expect_type (ns, HR_JSON_OBJECT, where, err) < 0
          || check_keys (ns, keys, where, err) < 0)
        return v->members[i].key[0] ? -1 : hr_error_set (err, 0, "%s: empty namespace name", where);
      def = member (ns, "default_profile");
      names = member (ns, "profiles");
      if (def && (def->type != HR_JSON_STRING || hr_policy_find_profile (policy, def->text) == NULL))
        return hr_error_set (err, 0, "%s.default_profile: expected the name of a profile", where);
      if (names == NULL || check_setting_type (names, HR_SETTING_STRINGS, where, err) < 0)
        return hr_error_set (err, 0, "%s.profiles: expected an array of profile names", where);
      for (size_t k = 0; k < names->len; k++)
        if (hr_policy_find_profile (policy, names->items[k]->text) == NULL)
          return hr_error_set (err, 0, "%s.profiles: no profile named \"%s\"", where, names->items[k]->text);
      if (!hr_json_strings_contain (names, def ? def->text : policy->default_profile))
        return hr_error_set (err, 0, "%s.profiles: the namespace's default profile \"%s\" is not listed", where,
                             def ? def->text : policy->default_profile);
    }
  policy->kubernetes_namespaces = hr_json_clone (v);
  return 0;
}

static int
read_globals (struct hr_policy *policy, const struct hr_json *doc, hr_error_t *err)
{
  const struct hr_json *version = member (doc, "version");

  if (version && (version->type != HR_JSON_NUMBER || strcmp (version->text, "1") != 0))
    return hr_error_set (err, 0, "version: only version 1 is supported");
  if (read_string (doc, "runtime", &policy->runtime, err) < 0
      || read_string (doc, "runtime_sha256", &policy->runtime_sha256, err) < 0
      || read_string (doc, "audit_log", &policy->audit_log, err) < 0
      || read_string (doc, "default_profile", &policy->default_profile, err) < 0
      || read_string (doc, "quarantine_profile", &policy->quarantine_profile, err) < 0
      || read_bool (doc, "audit_syslog", &policy->audit_syslog, err) < 0
      || read_bool (doc, "audit_mode", &policy->audit_mode, err) < 0)
    return -1;
  if (policy->runtime && policy->runtime[0] != '/')
    return hr_error_set (err, 0, "runtime: \"%s\" is not an absolute path", policy->runtime);
  if (policy->runtime_sha256 && !hr_is_sha256_hex (policy->runtime_sha256))
    return hr_error_set (err, 0, "runtime_sha256: \"%s\" is not a SHA-256 digest (64 hex digits)",
                         policy->runtime_sha256);
  if (policy->audit_log[0] != '\0' && policy->audit_log[0] != '/')
    return hr_error_set (err, 0, "audit_log: \"%s\" is not an absolute path", policy->audit_log);
  return 0;
}

static struct hr_json *
embedded_default_rules (void)
{
  static const char *const path[] = { "profiles", "default", "rules", NULL };
  hr_error_t err = NULL;
  struct hr_json *doc = hr_json_parse (hr_default_policy_text, strlen (hr_default_policy_text), &err);
  struct hr_json *rules;

  if (doc == NULL)
    abort (); /* the embedded policy is checked by the unit tests */
  rules = hr_json_clone (hr_json_get_path (doc, path));
  hr_json_free (doc);
  return rules;
}

static bool
uses_quarantine (const struct hr_profile *profile)
{
  for (size_t r = 0; r < hr_rule_count (); r++)
    if (profile->rules[r].action == HR_ACTION_QUARANTINE)
      return true;
  return false;
}

/* Points each profile that quarantines at the quarantine profile, which
 * must exist and must not quarantine in turn (it is the last resort). */
static int
link_quarantine (struct hr_policy *policy, hr_error_t *err)
{
  const struct hr_profile *target = NULL;

  if (policy->quarantine_profile)
    {
      target = hr_policy_find_profile (policy, policy->quarantine_profile);
      if (target == NULL)
        return hr_error_set (err, 0, "quarantine_profile: no profile named \"%s\"", policy->quarantine_profile);
      if (uses_quarantine (target))
        return hr_error_set (err, 0, "quarantine_profile \"%s\" has a rule whose action is quarantine itself",
                             target->name);
    }
  for (size_t i = 0; i < policy->n_profiles; i++)
    {
      if (!uses_quarantine (&policy->profiles[i]))
        continue;
      if (target == NULL)
        return hr_error_set (err, 0,
                             "profile \"%s\" quarantines containers, but the policy names no quarantine_profile",
                             policy->profiles[i].name);
      policy->profiles[i].quarantine = target;
    }
  return 0;
}

/* metrics_textfile: where the decision counts are kept for node_exporter's
 * textfile collector (runtime/metrics_textfile.c), or none. */
static int
read_metrics_textfile (struct hr_policy *policy, const struct hr_json *doc, hr_error_t *err)
{
  if (read_string (doc, "metrics_textfile", &policy->metrics_textfile, err) < 0)
    return -1;
  if (policy->metrics_textfile && policy->metrics_textfile[0] == '\0')
    {
      free (policy->metrics_textfile);
      policy->metrics_textfile = NULL;
    }
  if (policy->metrics_textfile && (policy->metrics_textfile[0] != '/' || hr_has_suffix (policy->metrics_textfile, "/")))
    return hr_error_set (err, 0, "metrics_textfile: \"%s\" is not an absolute file path", policy->metrics_textfile);
  return 0;
}

struct hr_policy *
hr_policy_load_text (const char *text, size_t len, const char *source, hr_error_t *err)
{
  cleanup_json struct hr_json *doc = hr_json_parse (text, len, err);
  cleanup_json struct hr_json *defaults = NULL;
  cleanup_policy struct hr_policy *policy = NULL;

  if (doc == NULL)
    return hr_error_prefix (err, "policy %s", source), NULL;
  policy = xcalloc (1, sizeof *policy);
  policy->source = xstrdup (source);
  policy->audit_log = xstrdup (HARDRUN_DEFAULT_AUDIT_LOG);
  policy->default_profile = xstrdup ("default");
  defaults = embedded_default_rules ();
  if (expect_type (doc, HR_JSON_OBJECT, "the top level", err) < 0
      || check_keys (doc, top_level_keys, "the top level", err) < 0 || read_globals (policy, doc, err) < 0
      || load_profiles (policy, doc, defaults, err) < 0 || read_profile_annotation (policy, doc, err) < 0)
    return hr_error_prefix (err, "policy %s", source), NULL;
  if (link_quarantine (policy, err) < 0)
    return hr_error_prefix (err, "policy %s", source), NULL;
  if (hr_policy_find_profile (policy, policy->default_profile) == NULL)
    return hr_error_set (err, 0, "policy %s: default_profile: no profile named \"%s\"", source,
                         policy->default_profile),
           NULL;
  if (read_kubernetes_namespaces (policy, doc, err) < 0)
    return hr_error_prefix (err, "policy %s", source), NULL;
  if (read_metrics_textfile (policy, doc, err) < 0)
    return hr_error_prefix (err, "policy %s", source), NULL;
  return hr_steal_pointer (&policy);
}

struct hr_policy *
hr_policy_load_default (hr_error_t *err)
{
  return hr_policy_load_text (hr_default_policy_text, strlen (hr_default_policy_text), "embedded default policy", err);
}

void
hr_policy_free (struct hr_policy *policy)
{
  if (policy == NULL)
    return;
  for (size_t i = 0; i < policy->n_profiles; i++)
    {
      for (size_t r = 0; policy->profiles[i].rules && r < hr_rule_count (); r++)
        hr_json_free (policy->profiles[i].rules[r].settings);
      free (policy->profiles[i].rules);
      free (policy->profiles[i].name);
    }
  free (policy->profiles);
  free (policy->source);
  free (policy->runtime);
  free (policy->runtime_sha256);
  free (policy->quarantine_profile);
  free (policy->audit_log);
  free (policy->default_profile);
  free (policy->profile_annotation);
  hr_strv_clear (&policy->annotation_profiles);
  hr_json_free (policy->kubernetes_namespaces);
  free (policy->metrics_textfile);
  free (policy);
}

const struct hr_profile *
hr_policy_find_profile (const struct hr_policy *policy, const char *name)
{
  for (size_t i = 0; i < policy->n_profiles; i++)
    if (strcmp (policy->profiles[i].name, name) == 0)
      return &policy->profiles[i];
  return NULL;
}

const struct hr_rule_config *
hr_profile_rule (const struct hr_profile *profile, const char *rule)
{
  for (size_t i = 0; i < hr_rule_count (); i++)
    if (strcmp (profile->rules[i].name, rule) == 0)
      return &profile->rules[i];
  return NULL;
}
