/* seccomp: every container runs under a filter that denies the system calls
 * behind most kernel escapes.  No profile, or one that allows by default,
 * gets the embedded default (Docker's allowlist for the final capabilities);
 * an engine's own profile is kept but loses every must-deny call from its
 * allow rules, clone keeps its namespace-flag mask and clone3 answers ENOSYS
 * so that libc falls back to clone.  The final profile is compiled here. */
#include <string.h>

#include "hardrun/util.h"
#include "seccomp_profile.h"
#include "spec_access.h"

/* CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET */
#define CLONE_NAMESPACE_FLAGS 2114060288ULL
#define ENOSYS_TEXT "38"

static const struct hr_setting settings[] = {
  { "must_deny", HR_SETTING_STRINGS },
  { "mode", HR_SETTING_STRING },    /* "enforce", or "learn" (see seccomp_learn.c) */
  { "profile", HR_SETTING_STRING }, /* "" or the path of a profile (hardrun seccomp learn's) */
  { NULL, 0 },
};

#define LOADED_PROFILE "loaded_profile"
#define MAX_PROFILE_SIZE (4u << 20)

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  const char *mode = hr_json_get_value (s, "mode")->text, *profile = hr_json_get_value (s, "profile")->text;

  if (strcmp (mode, "enforce") != 0 && strcmp (mode, "learn") != 0)
    return hr_error_set (err, 0, "mode: \"%s\" is neither \"enforce\" nor \"learn\"", mode);
  if (profile[0] != '\0' && profile[0] != '/')
    return hr_error_set (err, 0, "profile: \"%s\" is not an absolute path", profile);
  return hr_validate_syscall_names (hr_json_get_value (s, "must_deny"), "must_deny", err);
}

/* The profile file, parsed and compiled once at policy load: a learned
 * profile that runc could not load fails the policy, not a container. */
static int
load (struct hr_json *s, hr_error_t *err)
{
  const char *path = hr_json_get_value (s, "profile")->text;
  cleanup_free char *text = NULL;
  struct hr_json *profile;
  size_t len;

  if (path[0] == '\0')
    return 0;
  if (hr_read_small_file (path, MAX_PROFILE_SIZE, &text, &len, err) < 0)
    return hr_error_prefix (err, "profile");
  profile = hr_json_parse (text, len, err);
  if (profile == NULL)
    return hr_error_prefix (err, "profile %s", path);
  if (profile->type != HR_JSON_OBJECT || hr_seccomp_compile (profile, err) < 0)
    {
      hr_json_free (profile);
      return err && *err ? hr_error_prefix (err, "profile %s", path)
                         : hr_error_set (err, 0, "profile %s: not a seccomp profile", path);
    }
  hr_json_set (s, LOADED_PROFILE, profile);
  return 0;
}

static const char *
rule_action (const struct hr_json *rule)
{
  const struct hr_json *a = hr_json_get_value (rule, "action");
  return hr_json_is_string (a) ? a->text : "";
}

/* An allow rule for clone that is limited to calls without namespace flags. */
static bool
clone_rule_is_masked (const struct hr_json *rule)
{
  const struct hr_json *args = hr_json_get_value (rule, "args");

  for (size_t i = 0; args && args->type == HR_JSON_ARRAY && i < args->len; i++)
    {
      const struct hr_json *a = args->items[i];
      const struct hr_json *op = hr_json_get_value (a, "op");
      const struct hr_json *index = hr_json_get_value (a, "index");
      const struct hr_json *value = hr_json_get_value (a, "value");
      const struct hr_json *value2 = hr_json_get_value (a, "valueTwo");
      uint64_t mask = 0, expected = 0;

      if (!hr_json_is_string (op) || strcmp (op->text, "SCMP_CMP_MASKED_EQ") != 0 || index == NULL
          || strcmp (index->text ? index->text : "", "0") != 0 || value == NULL
          || hr_json_number_to_uint64 (value, &mask) < 0)
        continue;
      if (value2 && hr_json_number_to_uint64 (value2, &expected) < 0)
        continue;
      if ((mask & CLONE_NAMESPACE_FLAGS) == CLONE_NAMESPACE_FLAGS && (expected & CLONE_NAMESPACE_FLAGS) == 0)
        return true;
    }
  return false;
}

static bool
is_enosys_clone3_rule (const struct hr_json *rule)
{
  const struct hr_json *names = hr_json_get_value (rule, "names");
  const struct hr_json *ret = hr_json_get_value (rule, "errnoRet");

  return names && names->len == 1 && hr_json_strings_contain (names, "clone3")
         && strcmp (rule_action (rule), "SCMP_ACT_ERRNO") == 0 && ret && ret->text
         && strcmp (ret->text, ENOSYS_TEXT) == 0 && hr_json_get_value (rule, "args") == NULL;
}

struct review
{
  struct hr_strv removed; /* must-deny names found in allow rules */
  bool clone_unmasked;
  bool clone3_wrong;
  bool has_enosys_clone3;
};

static int
review_rule (const struct hr_json *rule, const struct hr_json *must_deny, struct review *r, hr_error_t *err)
{
  const struct hr_json *names = hr_json_get_value (rule, "names");
  bool allows = hr_seccomp_action_allows (rule_action (rule));

  if (rule->type != HR_JSON_OBJECT || (names && names->type != HR_JSON_ARRAY))
    return hr_error_set (err, 0, "linux.seccomp.syscalls: expected objects with a names array");
  if (is_enosys_clone3_rule (rule))
    {
      r->has_enosys_clone3 = true;
      return 0;
    }
  for (size_t i = 0; names && i < names->len; i++)
    {
      const char *name;

      /* Go refuses the spec; rewrite_rules reads every name as a string. */
      if (!hr_json_is_string (names->items[i]))
        return hr_error_set (err, 0, "linux.seccomp.syscalls: names must be strings, found %s",
                             hr_json_type_name (names->items[i]->type));
      name = names->items[i]->text;
      if (strcmp (name, "clone3") == 0)
        r->clone3_wrong = true;
      else if (allows && strcmp (name, "clone") == 0 && !clone_rule_is_masked (rule))
        r->clone_unmasked = true;
      else if (allows && hr_json_strings_contain (must_deny, name) && !hr_strv_contains (&r->removed, name))
        hr_strv_push (&r->removed, name);
    }
  return 0;
}

static bool
name_must_go (const struct hr_json *rule, const char *name, const struct hr_json *must_deny)
{
  bool allows = hr_seccomp_action_allows (rule_action (rule));

  if (strcmp (name, "clone3") == 0)
    return true;
  if (strcmp (name, "clone") == 0)
    return allows && !clone_rule_is_masked (rule);
  return allows && hr_json_strings_contain (must_deny, name);
}

static struct hr_json *
masked_clone_rule (void)
{
  static const char text[] = "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
                             "\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}";
  return hr_json_parse (text, sizeof text - 1, NULL);
}

static struct hr_json *
enosys_clone3_rule (void)
{
  static const char text[] = "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}";
  return hr_json_parse (text, sizeof text - 1, NULL);
}

static void
rewrite_rules (struct hr_json *seccomp, const struct hr_json *must_deny, const struct review *r)
{
  struct hr_json *syscalls = hr_json_ensure_array (seccomp, "syscalls");

  for (size_t i = syscalls->len; i-- > 0;)
    {
      struct hr_json *rule = syscalls->items[i];
      struct hr_json *names = hr_json_get_value (rule, "names");

      if (is_enosys_clone3_rule (rule))
        continue;
      for (size_t k = names ? names->len : 0; k-- > 0;)
        if (name_must_go (rule, names->items[k]->text, must_deny))
          hr_json_remove_at (names, k);
      if (names && names->len == 0)
        hr_json_remove_at (syscalls, i);
    }
  if (r->clone_unmasked)
    hr_json_append (syscalls, masked_clone_rule ());
  if (!r->has_enosys_clone3)
    hr_json_append (syscalls, enosys_clone3_rule ());
}

static int
harden_existing (struct hr_rule_ctx *ctx, struct hr_json *seccomp, hr_error_t *err)
{
  const struct hr_json *must_deny = hr_setting_get (ctx, "must_deny");
  struct hr_json *syscalls;
  struct review r = { 0 };
  cleanup_free char *removed = NULL;
  int ret = 0;

  if (hr_json_check_type (seccomp, "syscalls", HR_JSON_ARRAY, "linux.seccomp", err) < 0)
    return -1;
  syscalls = hr_json_get_value (seccomp, "syscalls");
  for (size_t i = 0; syscalls && i < syscalls->len && ret == 0; i++)
    ret = review_rule (syscalls->items[i], must_deny, &r, err);
  if (ret == 0 && (r.removed.len > 0 || r.clone_unmasked || r.clone3_wrong || !r.has_enosys_clone3))
    {
      removed = hr_join_names (&r.removed);
      if (hr_finding (ctx, "seccomp profile kept with changes:%s%s%s%s",
                      r.removed.len ? " removed from its allow rules: " : "", removed,
                      r.clone_unmasked ? "; clone limited to calls without namespace flags" : "",
                      (r.clone3_wrong || !r.has_enosys_clone3) ? "; clone3 answers ENOSYS" : ""))
        rewrite_rules (seccomp, must_deny, &r);
    }
  hr_strv_clear (&r.removed);
  return ret;
}

static const struct hr_json *
bounding_set (struct hr_json *spec)
{
  struct hr_json *process = hr_json_get_value (spec, "process");
  return hr_json_get_value (hr_json_get_value (process, "capabilities"), "bounding");
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *seccomp;
  const char *default_action = "";

  if (hr_spec_linux_member (ctx->doc, "seccomp", HR_JSON_OBJECT, &seccomp, err) < 0)
    return -1;
  if (seccomp && hr_json_read_string (seccomp, "defaultAction", "linux.seccomp", &default_action, err) < 0)
    return -1;
  if (strcmp (hr_setting_string (ctx, "mode"), "learn") == 0)
    {
      if (hr_finding (ctx, "learning: system calls outside the floor are allowed and logged by the kernel "
                           "(SCMP_ACT_LOG) for hardrun seccomp learn"))
        hr_json_set (hr_json_ensure_object (ctx->doc, "linux"), "seccomp",
                     hr_seccomp_learning_profile (hr_setting_get (ctx, "must_deny")));
    }
  else if (hr_json_get_value (ctx->config->settings, LOADED_PROFILE) != NULL)
    {
      if (hr_finding (ctx, "the profile %s applied in place of the spec's", hr_setting_string (ctx, "profile")))
        hr_json_set (hr_json_ensure_object (ctx->doc, "linux"), "seccomp",
                     hr_json_clone (hr_json_get_value (ctx->config->settings, LOADED_PROFILE)));
      if (hr_spec_linux_member (ctx->doc, "seccomp", HR_JSON_OBJECT, &seccomp, err) < 0
          || (seccomp && harden_existing (ctx, seccomp, err) < 0))
        return -1;
    }
  else if (seccomp == NULL || hr_seccomp_action_allows (default_action))
    {
      bool fix = seccomp == NULL
                     ? hr_finding (ctx, "no seccomp profile: the default profile applied")
                     : hr_finding (ctx, "seccomp profile with default action %s replaced by the default profile",
                                   default_action);
      if (fix)
        hr_json_set (hr_json_ensure_object (ctx->doc, "linux"), "seccomp",
                     hr_seccomp_default_profile (bounding_set (ctx->doc), hr_setting_get (ctx, "must_deny")));
    }
  else if (harden_existing (ctx, seccomp, err) < 0)
    return -1;
  if (hr_spec_linux_member (ctx->doc, "seccomp", HR_JSON_OBJECT, &seccomp, err) < 0)
    return -1;
  if (seccomp == NULL)
    return 0;
  if ((ctx->host->check_seccomp ? ctx->host->check_seccomp (ctx->host, seccomp, err)
                                : hr_seccomp_compile (seccomp, err))
      < 0)
    return hr_error_prefix (err, "the final seccomp profile cannot be compiled");
  return 0;
}

const struct hr_rule_def hr_rule_seccomp = {
  .name = "seccomp",
  .settings = settings,
  .validate = validate,
  .load = load,
  .apply_spec = apply_spec,
};
