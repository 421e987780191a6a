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

static const char *
closest (const char *name, const char *const *list)
{
  size_t n = 0;

  while (list[n])
    n++;
  return hr_closest_name (name, list, n);
}

/* Where a value lies in the policy: a chain of keys on the stack (NULL is
 * the top level), written as the dotted path of the loader's messages
 * ("profiles.strict.rules") and as the JSON pointer `policy validate`
 * reports ("/profiles/strict/rules"). */
struct loc
{
  const struct loc *up;
  const char *key; /* NULL: the index-th item of an array */
  size_t index;
};

/* RFC 6901: "~" is written "~0" and "/" is written "~1". */
static char *
pointer_escape (const char *key)
{
  char *out = xmalloc (2 * strlen (key) + 1), *o = out;

  for (; *key; key++)
    o = *key == '~' ? stpcpy (o, "~0") : *key == '/' ? stpcpy (o, "~1") : (*o = *key, o + 1);
  *o = '\0';
  return out;
}

/* at as the loader's messages write it ("profiles.strict.rules[2]"), or as
 * a JSON pointer ("/profiles/strict/rules/2"). */
static char *
render (const struct loc *at, bool as_pointer)
{
  cleanup_free char *up = NULL, *key = NULL;
  char *out;

  if (at == NULL)
    return xstrdup (as_pointer ? "" : "the top level");
  up = at->up ? render (at->up, as_pointer) : xstrdup ("");
  if (at->key == NULL)
    xasprintf (&out, as_pointer ? "%s/%zu" : "%s[%zu]", up, at->index);
  else if (as_pointer)
    key = pointer_escape (at->key), xasprintf (&out, "%s/%s", up, key);
  else
    xasprintf (&out, "%s%s%s", up, up[0] ? "." : "", at->key);
  return out;
}

/* The loader's two modes: failing fast (the runtime: the first problem is
 * the error) and collecting (`policy validate`: every problem is recorded
 * and the same checks go on with the next value).  Either way a problem
 * makes the load fail. */
struct loader
{
  hr_error_t *err;                /* failing fast */
  struct hr_policy_problems *all; /* collecting, else NULL */
  const struct hr_json *profiles; /* the document's, for "did you mean" */
  bool embedded;                  /* the document is the embedded default policy */
};

static bool
collecting (const struct loader *ld)
{
  return ld->all != NULL;
}

/* A problem with the value at `at`, whose message names `where` (the same
 * place or the object holding it).  Returns -1. */
static int __attribute__ ((format (printf, 5, 6)))
problem (struct loader *ld, const struct loc *where, const struct loc *at, const char *suggestion, const char *fmt, ...)
{
  cleanup_free char *msg = NULL, *place = NULL, *ptr = NULL;
  va_list ap;

  va_start (ap, fmt);
  xvasprintf (&msg, fmt, ap);
  va_end (ap);
  if (collecting (ld))
    {
      ptr = render (at, true);
      hr_policy_problems_add (ld->all, ptr, suggestion, msg);
      return -1;
    }
  place = render (where, false);
  if (suggestion)
    return hr_error_set (ld->err, 0, "%s: %s (did you mean \"%s\"?)", place, msg, suggestion);
  return hr_error_set (ld->err, 0, "%s: %s", place, msg);
}

/* The profile a misspelt profile name most likely meant, or NULL. */
static const char *
closest_profile (const struct loader *ld, const char *name)
{
  cleanup_free const char **names = NULL;
  size_t n = ld->profiles ? ld->profiles->len : 0;

  names = xcalloc (n + 1, sizeof *names);
  for (size_t i = 0; i < n; i++)
    names[i] = ld->profiles->members[i].key;
  return hr_closest_name (name, names, n);
}

static int
check_keys (struct loader *ld, const struct hr_json *obj, const char *const *allowed, const struct loc *at)
{
  int ret = 0;

  for (size_t i = 0; i < obj->len; i++)
    {
      const char *key = obj->members[i].key;
      struct loc here = { at, key, 0 };

      if (in_list (allowed, key))
        continue;
      ret = problem (ld, at, &here, closest (key, allowed), "unknown key \"%s\"", key);
      if (!collecting (ld))
        return ret;
    }
  return ret;
}

/* Exact-key member lookup: the policy is hardrun's own format.  NULL for
 * what is not an object (collecting goes on past a value of the wrong type). */
static struct hr_json *
member (const struct hr_json *obj, const char *key)
{
  if (obj == NULL || obj->type != HR_JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->len; i++)
    if (strcmp (obj->members[i].key, key) == 0)
      return obj->members[i].value;
  return NULL;
}

static int
expect_type (struct loader *ld, const struct hr_json *v, enum hr_json_type type, const struct loc *at)
{
  bool ok = v->type == type || (type == HR_JSON_TRUE && v->type == HR_JSON_FALSE);
  if (ok)
    return 0;
  return problem (ld, at, at, NULL, "expected %s, found %s", hr_json_type_name (type), hr_json_type_name (v->type));
}

static int
check_setting_type (struct loader *ld, const struct hr_json *v, enum hr_setting_type type, const struct loc *at)
{
  int64_t n;
  int ret = 0;

  switch (type)
    {
    case HR_SETTING_BOOL:
      return expect_type (ld, v, HR_JSON_TRUE, at);
    case HR_SETTING_STRING:
      return expect_type (ld, v, HR_JSON_STRING, at);
    case HR_SETTING_INT:
      if (v->type != HR_JSON_NUMBER || hr_json_number_to_int64 (v, &n) < 0 || n < 0)
        return problem (ld, at, at, NULL, "expected a non-negative integer");
      return 0;
    case HR_SETTING_SIGNED_INT:
      if (v->type != HR_JSON_NUMBER || hr_json_number_to_int64 (v, &n) < 0)
        return problem (ld, at, at, NULL, "expected an integer");
      return 0;
    case HR_SETTING_STRINGS:
    case HR_SETTING_OBJECTS:
      if (expect_type (ld, v, HR_JSON_ARRAY, at) < 0)
        return -1;
      for (size_t i = 0; i < v->len; i++)
        {
          enum hr_json_type want = type == HR_SETTING_STRINGS ? HR_JSON_STRING : HR_JSON_OBJECT;
          struct loc item = { at, NULL, i };

          if (v->items[i]->type == want)
            continue;
          ret = problem (ld, &item, &item, NULL, "expected %s, found %s", hr_json_type_name (want),
                         hr_json_type_name (v->items[i]->type));
          if (!collecting (ld))
            return ret;
        }
      return ret;
    default:
      return problem (ld, at, at, NULL, "unknown setting type");
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

static const char *
closest_rule (const char *name)
{
  const char *names[64];
  size_t n = 0;

  for (size_t i = 0; i < hr_rule_count () && n < HR_ARRAY_SIZE (names); i++)
    names[n++] = hr_rule_defs[i]->name;
  return hr_closest_name (name, names, n);
}

static const char *
closest_setting (const struct hr_rule_def *def, const char *key)
{
  const char *names[32] = { "action" };
  size_t n = 1;

  for (const struct hr_setting *s = def->settings; s && s->key && n < HR_ARRAY_SIZE (names); s++)
    names[n++] = s->key;
  return hr_closest_name (key, names, n);
}

/* One setting of a rule's overrides, checked and applied to target. */
static int
overlay_setting (struct loader *ld, struct hr_json *target, const struct hr_rule_def *def, const char *key,
                 const struct hr_json *value, const struct loc *at_rule)
{
  struct loc at = { at_rule, key, 0 };
  enum hr_action action;

  if (strcmp (key, "action") == 0)
    {
      if (value->type != HR_JSON_STRING || hr_action_parse (value->text, &action) < 0)
        return problem (ld, &at, &at,
                        value->type == HR_JSON_STRING
                            ? hr_closest_name (value->text, action_names, HR_ARRAY_SIZE (action_names))
                            : NULL,
                        "expected one of \"fix\", \"deny\", \"quarantine\", \"audit\", \"off\"");
    }
  else
    {
      const struct hr_setting *s = find_setting (def, key);
      if (s == NULL)
        return problem (ld, at_rule, &at, closest_setting (def, key), "unknown setting \"%s\"", key);
      if (check_setting_type (ld, value, s->type, &at) < 0)
        return -1;
    }
  hr_json_set (target, key, hr_json_clone (value));
  return 0;
}

/* Applies one rule's overrides from a profile onto the resolved rules. */
static int
overlay_rule (struct loader *ld, struct hr_json *resolved, const char *rule, const struct hr_json *overrides,
              const struct loc *at_rules)
{
  const struct hr_rule_def *def = hr_rule_def_find (rule);
  struct loc at = { at_rules, rule, 0 };
  struct hr_json *target;
  int ret = 0;

  if (def == NULL)
    return problem (ld, at_rules, &at, closest_rule (rule), "unknown rule \"%s\"", rule);
  if (expect_type (ld, overrides, HR_JSON_OBJECT, &at) < 0)
    return -1;
  target = hr_json_ensure_object (resolved, rule);
  for (size_t i = 0; i < overrides->len; i++)
    if (overlay_setting (ld, target, def, overrides->members[i].key, overrides->members[i].value, &at) < 0)
      {
        ret = -1;
        if (!collecting (ld))
          return -1;
      }
  return ret;
}

static struct hr_json *resolve_profile (struct loader *ld, const char *name, const struct hr_json *defaults, int depth,
                                        bool *base_broken);

/* The rules a profile starts from: the defaults, or the profile it extends
 * resolved.  Collecting, a base that cannot be resolved is one problem of
 * this profile (the base reports its own), and the defaults stand in for it
 * so that this profile's own overrides are still checked. */
static struct hr_json *
resolve_base (struct loader *ld, const struct hr_json *profile, const struct loc *at_profile,
              const struct hr_json *defaults, int depth, bool *base_broken)
{
  const struct hr_json *extends = member (profile, "extends");
  struct loc at = { at_profile, "extends", 0 };
  cleanup_error hr_error_t quiet_err = NULL;
  struct loader quiet = { .err = &quiet_err, .profiles = ld->profiles };
  struct hr_json *base;

  *base_broken = false;
  if (extends == NULL)
    return hr_json_clone (defaults);
  if (extends->type != HR_JSON_STRING)
    problem (ld, &at, &at, NULL, "expected string");
  else if (depth >= MAX_EXTENDS_DEPTH)
    problem (ld, &at, &at, NULL, "profiles extend each other in a loop");
  else if (member (ld->profiles, extends->text) == NULL)
    problem (ld, &at, &at, closest_profile (ld, extends->text), "no profile named \"%s\"", extends->text);
  else if (!collecting (ld))
    return resolve_profile (ld, extends->text, defaults, depth + 1, base_broken);
  else if ((base = resolve_profile (&quiet, extends->text, defaults, depth + 1, base_broken)) != NULL)
    return base;
  else
    problem (ld, &at, &at, NULL, "profile \"%s\" cannot be resolved: %s", extends->text, quiet_err->msg);
  if (!collecting (ld))
    return NULL;
  *base_broken = true;
  return hr_json_clone (defaults);
}

static struct hr_json *
resolve_profile (struct loader *ld, const char *name, const struct hr_json *defaults, int depth, bool *base_broken)
{
  const struct hr_json *profile = member (ld->profiles, name);
  struct loc at_profiles = { NULL, "profiles", 0 }, at = { &at_profiles, name, 0 }, at_rules = { &at, "rules", 0 };
  cleanup_json struct hr_json *resolved = NULL;
  const struct hr_json *rules;

  if (expect_type (ld, profile, HR_JSON_OBJECT, &at) < 0)
    return NULL;
  if (check_keys (ld, profile, profile_keys, &at) < 0 && !collecting (ld))
    return NULL;
  resolved = resolve_base (ld, profile, &at, defaults, depth, base_broken);
  if (resolved == NULL)
    return NULL;
  rules = member (profile, "rules");
  if (rules != NULL && expect_type (ld, rules, HR_JSON_OBJECT, &at_rules) < 0)
    return NULL;
  /* collecting, a setting that was refused is left out (the problem is
   * recorded) and the rules' own checks still run on the rest */
  for (size_t i = 0; rules && i < rules->len; i++)
    if (overlay_rule (ld, resolved, rules->members[i].key, rules->members[i].value, &at_rules) < 0 && !collecting (ld))
      return NULL;
  return hr_steal_pointer (&resolved);
}

/* Runs the rule's own checks (names, paths, ranges) on its resolved settings. */
static int
rule_check (const struct hr_rule_def *def, struct hr_json *settings, hr_error_t *err)
{
  return (def->validate && def->validate (settings, err) < 0) || (def->load && def->load (settings, err) < 0) ? -1 : 0;
}

/* The pointer of what a rule's check refused: the setting (and the item)
 * its message names when the profile sets them itself, else the rule the
 * profile overrides, else the profile. */
static char *
rule_problem_pointer (const struct hr_json *profile, const struct loc *at_profile, const struct hr_rule_def *def,
                      const char *msg)
{
  const struct hr_json *rules = member (profile, "rules"), *own = rules ? member (rules, def->name) : NULL;
  struct loc at_rules = { at_profile, "rules", 0 }, at_rule = { &at_rules, def->name, 0 }, at_key, at_item;
  const struct loc *at = own ? &at_rule : at_profile;

  for (const struct hr_setting *s = def->settings; own && s && s->key; s++)
    {
      size_t n = strlen (s->key);
      const struct hr_json *value = member (own, s->key);

      if (value == NULL || strncmp (msg, s->key, n) != 0 || strchr (":[ ", msg[n]) == NULL || msg[n] == '\0')
        continue;
      at_key = (struct loc){ &at_rule, s->key, 0 };
      at = &at_key;
      for (size_t i = 0; value->type == HR_JSON_ARRAY && i < value->len; i++)
        {
          cleanup_free char *quoted = NULL;

          if (value->items[i]->type != HR_JSON_STRING)
            continue;
          xasprintf (&quoted, "\"%s\"", value->items[i]->text);
          if (strstr (msg, quoted))
            {
              at_item = (struct loc){ &at_key, NULL, i };
              at = &at_item;
              break;
            }
        }
      break;
    }
  return render (at, true);
}

/* Collecting: a rule's check that fails on a profile fails the same way on
 * every profile that extends it without changing the setting; it is that
 * profile's problem, reported there, and only there. */
static bool
inherited_problem (const struct hr_rule_def *def, const struct hr_json *base, const char *msg)
{
  const struct hr_json *rule = base ? member (base, def->name) : NULL;
  cleanup_json struct hr_json *settings = NULL;
  cleanup_error hr_error_t err = NULL;

  if (rule == NULL)
    return false;
  settings = hr_json_clone (rule);
  hr_json_remove (settings, "action");
  return rule_check (def, settings, &err) < 0 && strcmp (err->msg, msg) == 0;
}

struct resolved_profile
{
  const char *name;
  struct hr_json *rules;      /* resolved; build_profile takes its rules apart */
  const struct hr_json *base; /* the rules it started from, NULL when they are the defaults */
  bool base_broken;           /* collecting: its base had problems, the defaults stood in */
};

/* The value of member key (as member() finds it), removed from obj. */
static struct hr_json *
take_member (struct hr_json *obj, const char *key)
{
  for (size_t i = 0; obj && obj->type == HR_JSON_OBJECT && i < obj->len; i++)
    if (strcmp (obj->members[i].key, key) == 0)
      return hr_json_take_member (obj, i);
  return NULL;
}

/* Turns resolved rules into the profile's rule configs, in enforcement order. */
static int
build_profile (struct loader *ld, struct hr_profile *out, const struct resolved_profile *rp)
{
  struct hr_json *resolved = rp->rules;
  const char *name = rp->name;
  struct loc at_profiles = { NULL, "profiles", 0 }, at = { &at_profiles, name, 0 };
  size_t n = hr_rule_count ();
  int ret = 0;

  out->name = xstrdup (name);
  out->rules = xcalloc (n, sizeof *out->rules);
  for (size_t i = 0; i < n; i++)
    {
      const struct hr_rule_def *def = hr_rule_defs[i];
      struct hr_json *rule = take_member (resolved, def->name);
      struct hr_rule_config *cfg = &out->rules[i];
      const struct hr_json *action;
      hr_error_t rule_err = NULL;

      cfg->name = def->name;
      cfg->settings = rule;
      if (rule == NULL || (action = member (rule, "action")) == NULL)
        return problem (ld, &at, &at, NULL, "rule \"%s\" has no action", def->name);
      hr_action_parse (action->text, &cfg->action);
      hr_json_free (take_member (cfg->settings, "action"));
      for (const struct hr_setting *s = def->settings; s && s->key; s++)
        if (member (cfg->settings, s->key) == NULL)
          return problem (ld, &at, &at, NULL, "rule \"%s\" lacks setting \"%s\"", def->name, s->key);
      if (!collecting (ld))
        {
          if (rule_check (def, cfg->settings, ld->err) < 0)
            return hr_error_prefix (ld->err, "profile \"%s\": rule \"%s\"", name, def->name);
          continue;
        }
      if (rp->base_broken || rule_check (def, cfg->settings, &rule_err) == 0)
        continue;
      if (!inherited_problem (def, rp->base, rule_err->msg))
        {
          cleanup_free char *ptr = rule_problem_pointer (member (ld->profiles, name), &at, def, rule_err->msg);
          cleanup_free char *msg = NULL;

          xasprintf (&msg, "rule \"%s\": %s", def->name, rule_err->msg);
          hr_policy_problems_add (ld->all, ptr, NULL, msg);
        }
      hr_error_free (&rule_err);
      ret = -1;
    }
  return ret;
}

/* Collecting: a profile that could not be resolved keeps its name, so that
 * what names it is not reported as naming nothing. */
static void
add_broken_profile (struct hr_policy *policy, const char *name)
{
  struct hr_profile *p = &policy->profiles[policy->n_profiles++];

  p->name = xstrdup (name);
  p->rules = xcalloc (hr_rule_count (), sizeof *p->rules);
  for (size_t i = 0; i < hr_rule_count (); i++)
    p->rules[i].name = hr_rule_defs[i]->name;
}

static int
load_profile (struct loader *ld, struct hr_policy *policy, const char *name, const struct hr_json *defaults)
{
  struct resolved_profile rp = { .name = name };
  cleanup_json struct hr_json *resolved = resolve_profile (ld, name, defaults, 0, &rp.base_broken);
  cleanup_json struct hr_json *base = NULL;
  const struct hr_json *extends = member (member (ld->profiles, name), "extends");
  bool ignored;

  if (resolved == NULL)
    {
      if (collecting (ld))
        add_broken_profile (policy, name);
      return -1;
    }
  if (collecting (ld) && !rp.base_broken && hr_json_is_string (extends))
    {
      struct loader quiet = { .profiles = ld->profiles };
      hr_error_t quiet_err = NULL;

      quiet.err = &quiet_err;
      base = resolve_profile (&quiet, extends->text, defaults, 1, &ignored);
      hr_error_free (&quiet_err);
    }
  rp.rules = resolved;
  rp.base = base;
  policy->n_profiles++;
  return build_profile (ld, &policy->profiles[policy->n_profiles - 1], &rp);
}

static int
load_profiles (struct loader *ld, struct hr_policy *policy, const struct hr_json *doc, const struct hr_json *defaults)
{
  const struct hr_json *profiles = member (doc, "profiles");
  static const char fallback_text[] = "{\"default\":{}}";
  cleanup_json struct hr_json *fallback = NULL;
  struct loc at = { NULL, "profiles", 0 };
  int ret = 0;

  if (profiles == NULL)
    profiles = fallback = hr_json_parse (fallback_text, sizeof fallback_text - 1, NULL);
  if (expect_type (ld, profiles, HR_JSON_OBJECT, &at) < 0)
    return -1;
  if (profiles->len == 0)
    return problem (ld, &at, &at, NULL, "at least one profile is needed");
  ld->profiles = profiles;
  policy->profiles = xcalloc (profiles->len, sizeof (struct hr_profile));
  for (size_t i = 0; i < profiles->len; i++)
    if (load_profile (ld, policy, profiles->members[i].key, defaults) < 0)
      {
        ret = -1;
        if (!collecting (ld))
          break;
      }
  /* the fallback's names must outlive it: nothing names them after this */
  if (fallback)
    ld->profiles = NULL;
  return ret;
}

static int
read_string (struct loader *ld, const struct hr_json *doc, const char *key, char **out)
{
  const struct hr_json *v = member (doc, key);
  struct loc at = { NULL, key, 0 };

  if (v == NULL)
    return 0;
  if (expect_type (ld, v, HR_JSON_STRING, &at) < 0)
    return -1;
  free (*out);
  *out = xstrdup (v->text);
  return 0;
}

static int
read_bool (struct loader *ld, const struct hr_json *doc, const char *key, bool *out)
{
  const struct hr_json *v = member (doc, key);
  struct loc at = { NULL, key, 0 };

  if (v == NULL)
    return 0;
  if (expect_type (ld, v, HR_JSON_TRUE, &at) < 0)
    return -1;
  *out = v->type == HR_JSON_TRUE;
  return 0;
}

/* A list of profile names (profile_annotation.profiles, a Kubernetes
 * namespace's profiles), each naming a profile of the policy. */
static int
check_profile_names (struct loader *ld, const struct hr_policy *policy, const struct hr_json *names,
                     const struct loc *at)
{
  cleanup_error hr_error_t type_err = NULL;
  struct loader quiet = { .err = &type_err };
  int ret = 0;

  if (names == NULL || check_setting_type (&quiet, names, HR_SETTING_STRINGS, at) < 0)
    return problem (ld, at, at, NULL, "expected an array of profile names");
  for (size_t i = 0; i < names->len; i++)
    {
      const char *name = names->items[i]->text;
      struct loc item = { at, NULL, i };

      if (hr_policy_find_profile (policy, name) != NULL)
        continue;
      ret = problem (ld, at, &item, closest_profile (ld, name), "no profile named \"%s\"", name);
      if (!collecting (ld))
        return ret;
    }
  return ret;
}

static int
read_profile_annotation (struct loader *ld, struct hr_policy *policy, const struct hr_json *doc)
{
  static const char *const keys[] = { "key", "profiles", NULL };
  const struct hr_json *v = member (doc, "profile_annotation");
  struct loc at = { NULL, "profile_annotation", 0 }, at_key = { &at, "key", 0 }, at_names = { &at, "profiles", 0 };
  const struct hr_json *key, *names;
  int ret;

  if (v == NULL)
    return 0;
  if (expect_type (ld, v, HR_JSON_OBJECT, &at) < 0)
    return -1;
  ret = check_keys (ld, v, keys, &at);
  if (ret < 0 && !collecting (ld))
    return -1;
  key = member (v, "key");
  names = member (v, "profiles");
  if (key == NULL || key->type != HR_JSON_STRING || key->text[0] == '\0')
    {
      ret = problem (ld, &at_key, key ? &at_key : &at, NULL, "expected a non-empty string");
      if (!collecting (ld))
        return -1;
    }
  if (check_profile_names (ld, policy, names, &at_names) < 0 || ret < 0)
    return -1;
  policy->profile_annotation = xstrdup (key->text);
  for (size_t i = 0; i < names->len; i++)
    hr_strv_push (&policy->annotation_profiles, names->items[i]->text);
  return 0;
}

/* One entry of kubernetes_namespaces. */
static int
check_namespace (struct loader *ld, const struct hr_policy *policy, const char *name, const struct hr_json *ns,
                 const struct loc *at_all)
{
  static const char *const keys[] = { "default_profile", "profiles", NULL };
  struct loc at = { at_all, name, 0 }, at_def = { &at, "default_profile", 0 }, at_names = { &at, "profiles", 0 };
  const struct hr_json *def, *names;
  int ret = 0;

  if (name[0] == '\0')
    return problem (ld, &at, &at, NULL, "empty namespace name");
  if (expect_type (ld, ns, HR_JSON_OBJECT, &at) < 0)
    return -1;
  ret = check_keys (ld, ns, keys, &at);
  if (ret < 0 && !collecting (ld))
    return -1;
  def = member (ns, "default_profile");
  names = member (ns, "profiles");
  if (def && (def->type != HR_JSON_STRING || hr_policy_find_profile (policy, def->text) == NULL))
    {
      ret = problem (ld, &at_def, &at_def, def->type == HR_JSON_STRING ? closest_profile (ld, def->text) : NULL,
                     "expected the name of a profile");
      if (!collecting (ld))
        return -1;
      def = NULL;
    }
  if (check_profile_names (ld, policy, names, &at_names) < 0)
    return -1;
  /* a default that names nothing was reported already */
  if (ret < 0 || hr_policy_find_profile (policy, def ? def->text : policy->default_profile) == NULL)
    return ret;
  if (!hr_json_strings_contain (names, def ? def->text : policy->default_profile))
    return problem (ld, &at_names, &at_names, NULL, "the namespace's default profile \"%s\" is not listed",
                    def ? def->text : policy->default_profile);
  return ret;
}

/* "kubernetes_namespaces": {"NAME" or "*": {"default_profile": P,
 * "profiles": [P...]}}: the profile a pod of namespace NAME gets, and the
 * ones its pod annotation may choose ("*": every other namespace). */
static int
read_kubernetes_namespaces (struct loader *ld, struct hr_policy *policy, const struct hr_json *doc)
{
  const struct hr_json *v = member (doc, "kubernetes_namespaces");
  struct loc at = { NULL, "kubernetes_namespaces", 0 };
  int ret = 0;

  if (v == NULL)
    return 0;
  if (expect_type (ld, v, HR_JSON_OBJECT, &at) < 0)
    return -1;
  for (size_t i = 0; i < v->len; i++)
    if (check_namespace (ld, policy, v->members[i].key, v->members[i].value, &at) < 0)
      {
        ret = -1;
        if (!collecting (ld))
          return -1;
      }
  if (ret == 0)
    policy->kubernetes_namespaces = hr_json_clone (v);
  return ret;
}

static int
read_globals (struct loader *ld, struct hr_policy *policy, const struct hr_json *doc)
{
  const struct hr_json *version = member (doc, "version");
  struct loc at_version = { NULL, "version", 0 }, at_runtime = { NULL, "runtime", 0 },
             at_sha = { NULL, "runtime_sha256", 0 }, at_log = { NULL, "audit_log", 0 };
  const struct
  {
    const char *key;
    char **out;
  } string_keys[] = {
    { "runtime", &policy->runtime },
    { "runtime_sha256", &policy->runtime_sha256 },
    { "audit_log", &policy->audit_log },
    { "default_profile", &policy->default_profile },
    { "quarantine_profile", &policy->quarantine_profile },
  };
  int ret = 0;

  if (version && (version->type != HR_JSON_NUMBER || strcmp (version->text, "1") != 0))
    {
      ret = problem (ld, &at_version, &at_version, NULL, "only version 1 is supported");
      if (!collecting (ld))
        return -1;
    }
  for (size_t i = 0; i < HR_ARRAY_SIZE (string_keys); i++)
    if (read_string (ld, doc, string_keys[i].key, string_keys[i].out) < 0)
      {
        ret = -1;
        if (!collecting (ld))
          return -1;
      }
  if ((read_bool (ld, doc, "audit_syslog", &policy->audit_syslog) < 0 && !collecting (ld))
      || (read_bool (ld, doc, "audit_mode", &policy->audit_mode) < 0 && !collecting (ld)))
    return -1;
  if (policy->runtime && policy->runtime[0] != '/')
    ret = problem (ld, &at_runtime, &at_runtime, NULL, "\"%s\" is not an absolute path", policy->runtime);
  if ((ret == 0 || collecting (ld)) && policy->runtime_sha256 && !hr_is_sha256_hex (policy->runtime_sha256))
    ret = problem (ld, &at_sha, &at_sha, NULL, "\"%s\" is not a SHA-256 digest (64 hex digits)",
                   policy->runtime_sha256);
  if ((ret == 0 || collecting (ld)) && policy->audit_log[0] != '\0' && policy->audit_log[0] != '/')
    ret = problem (ld, &at_log, &at_log, NULL, "\"%s\" is not an absolute path", policy->audit_log);
  return ret;
}

static struct hr_json *
embedded_default_rules (void)
{
  static const char *const path[] = { "profiles", "default", NULL };
  hr_error_t err = NULL;
  struct hr_json *doc = hr_json_parse (hr_default_policy_text, strlen (hr_default_policy_text), &err);
  struct hr_json *rules;

  if (doc == NULL)
    abort (); /* the embedded policy is checked by the unit tests */
  rules = hr_json_take (hr_json_get_path (doc, path), "rules");
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
link_quarantine (struct loader *ld, struct hr_policy *policy)
{
  const struct hr_profile *target = NULL;
  struct loc at = { NULL, "quarantine_profile", 0 }, at_profiles = { NULL, "profiles", 0 };
  int ret = 0;

  if (policy->quarantine_profile)
    {
      target = hr_policy_find_profile (policy, policy->quarantine_profile);
      if (target == NULL)
        return problem (ld, &at, &at, closest_profile (ld, policy->quarantine_profile), "no profile named \"%s\"",
                        policy->quarantine_profile);
      if (uses_quarantine (target))
        return problem (ld, &at, &at, NULL, "profile \"%s\" has a rule whose action is quarantine itself",
                        target->name);
    }
  for (size_t i = 0; i < policy->n_profiles; i++)
    {
      struct loc at_profile = { &at_profiles, policy->profiles[i].name, 0 };

      if (!uses_quarantine (&policy->profiles[i]))
        continue;
      if (target == NULL)
        {
          ret = problem (ld, &at_profile, &at_profile, NULL,
                         "quarantines containers, but the policy names no quarantine_profile");
          if (!collecting (ld))
            return ret;
          continue;
        }
      policy->profiles[i].quarantine = target;
    }
  return ret;
}

/* metrics_textfile: where the decision counts are kept for node_exporter's
 * textfile collector (runtime/metrics_textfile.c), or none. */
static int
read_metrics_textfile (struct loader *ld, struct hr_policy *policy, const struct hr_json *doc)
{
  struct loc at = { NULL, "metrics_textfile", 0 };

  if (read_string (ld, doc, "metrics_textfile", &policy->metrics_textfile) < 0)
    return -1;
  if (policy->metrics_textfile && policy->metrics_textfile[0] == '\0')
    {
      free (policy->metrics_textfile);
      policy->metrics_textfile = NULL;
    }
  if (policy->metrics_textfile && (policy->metrics_textfile[0] != '/' || hr_has_suffix (policy->metrics_textfile, "/")))
    return problem (ld, &at, &at, NULL, "\"%s\" is not an absolute file path", policy->metrics_textfile);
  return 0;
}

/* After a problem: failing fast stops, collecting goes on. */
static bool
go_on (const struct loader *ld, int ret)
{
  return ret == 0 || collecting (ld);
}

/* Every check of the policy document, in the loader's mode. */
static struct hr_policy *
load_doc (struct loader *ld, const struct hr_json *doc, const char *source)
{
  static const char *const embedded_rules[] = { "profiles", "default", "rules", NULL };
  /* the embedded policy holds the defaults itself: not parsed twice */
  cleanup_json struct hr_json *parsed = ld->embedded ? NULL : embedded_default_rules ();
  const struct hr_json *defaults = parsed ? parsed : hr_json_get_path (doc, embedded_rules);
  cleanup_policy struct hr_policy *policy = xcalloc (1, sizeof *policy);
  struct loc at_default = { NULL, "default_profile", 0 };
  int ret = 0;

  policy->source = xstrdup (source);
  policy->audit_log = xstrdup (HARDRUN_DEFAULT_AUDIT_LOG);
  policy->default_profile = xstrdup ("default");
  if (expect_type (ld, doc, HR_JSON_OBJECT, NULL) < 0)
    return NULL;
  if (check_keys (ld, doc, top_level_keys, NULL) < 0)
    ret = -1;
  if (go_on (ld, ret) && read_globals (ld, policy, doc) < 0)
    ret = -1;
  if (go_on (ld, ret) && load_profiles (ld, policy, doc, defaults) < 0)
    ret = -1;
  if (go_on (ld, ret) && read_profile_annotation (ld, policy, doc) < 0)
    ret = -1;
  if (go_on (ld, ret) && link_quarantine (ld, policy) < 0)
    ret = -1;
  /* collecting after "profiles" itself was refused, every name would be missing */
  if (go_on (ld, ret) && policy->n_profiles > 0 && hr_policy_find_profile (policy, policy->default_profile) == NULL)
    ret = problem (ld, &at_default, &at_default, closest_profile (ld, policy->default_profile),
                   "no profile named \"%s\"", policy->default_profile);
  if (go_on (ld, ret) && read_kubernetes_namespaces (ld, policy, doc) < 0)
    ret = -1;
  if (go_on (ld, ret) && read_metrics_textfile (ld, policy, doc) < 0)
    ret = -1;
  return ret < 0 ? NULL : hr_steal_pointer (&policy);
}

static struct hr_policy *
load_text (const char *text, size_t len, const char *source, bool embedded, hr_error_t *err)
{
  cleanup_json struct hr_json *doc = hr_json_parse (text, len, err);
  struct loader ld = { .err = err, .embedded = embedded };
  struct hr_policy *policy;

  if (doc == NULL)
    return hr_error_prefix (err, "policy %s", source), NULL;
  policy = load_doc (&ld, doc, source);
  if (policy == NULL)
    hr_error_prefix (err, "policy %s", source);
  return policy;
}

struct hr_policy *
hr_policy_load_text (const char *text, size_t len, const char *source, hr_error_t *err)
{
  return load_text (text, len, source, false, err);
}

struct hr_policy *
hr_policy_load_text_all (const char *text, size_t len, const char *source, struct hr_policy_problems *problems)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_json struct hr_json *doc = hr_json_parse (text, len, &err);
  struct loader ld = { .err = &err, .all = problems };
  size_t before = problems->len;
  struct hr_policy *policy;

  if (doc == NULL)
    {
      hr_policy_problems_add (problems, "", NULL, err->msg);
      return NULL;
    }
  policy = load_doc (&ld, doc, source);
  if (problems->len == before)
    return policy;
  hr_policy_free (policy);
  return NULL;
}

void
hr_policy_problems_add (struct hr_policy_problems *problems, const char *pointer, const char *suggestion,
                        const char *message)
{
  struct hr_policy_problem *p;

  problems->items = xrealloc (problems->items, (problems->len + 1) * sizeof *problems->items);
  p = &problems->items[problems->len++];
  p->pointer = xstrdup (pointer);
  p->message = xstrdup (message);
  p->suggestion = suggestion ? xstrdup (suggestion) : NULL;
}

void
hr_policy_problems_clear (struct hr_policy_problems *problems)
{
  for (size_t i = 0; i < problems->len; i++)
    {
      free (problems->items[i].pointer);
      free (problems->items[i].message);
      free (problems->items[i].suggestion);
    }
  free (problems->items);
  problems->items = NULL;
  problems->len = 0;
}

struct hr_policy *
hr_policy_load_default (hr_error_t *err)
{
  return load_text (hr_default_policy_text, strlen (hr_default_policy_text), "embedded default policy", true, err);
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
