/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp: every container runs under a filter that denies the system calls
 * behind most kernel escapes.  The spec's own profile (an engine's or a
 * user's) is never loosened: it is merged (seccomp_merge.c) with the base
 * profile (the embedded default for the final capabilities, the policy's
 * profile file, or the learning profile) and with the floor every container
 * gets (the must-deny calls, clone without namespace flags, clone3 answering
 * ENOSYS so that libc falls back to clone), whatever the default action of
 * any of them.  The final profile is compiled here. */
#include <stdio.h>
#include <string.h>

#include "hardrun/util.h"
#include "seccomp_profile.h"
#include "spec_access.h"

/* CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET */
#define CLONE_NAMESPACE_FLAGS 2114060288ULL

static const struct hr_setting settings[] = {
  { "must_deny", HR_SETTING_STRINGS },
  { "mode", HR_SETTING_STRING },    /* "enforce", or "learn" (see seccomp_learn.c) */
  { "profile", HR_SETTING_STRING }, /* "" or the path of a profile (hardrun seccomp learn's) */
  { NULL, 0 },
};

#define LOADED_PROFILE "loaded_profile"

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

/* The profile file itself is read by runtime/ (with the policy's own trust
 * checks) and handed over with hr_policy_attach_file: the library reads no
 * file.  A rule whose profile was never attached fails closed when used. */
static int
attach_profile (struct hr_json *rule_settings, const char *path, const char *text, size_t len, hr_error_t *err)
{
  cleanup_json struct hr_json *profile = NULL;

  if (strcmp (hr_json_get_value (rule_settings, "profile")->text, path) != 0)
    return 0;
  profile = hr_json_parse (text, len, err);
  if (profile == NULL)
    return hr_error_prefix (err, "profile %s", path);
  if (profile->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "profile %s: not a seccomp profile", path);
  if (hr_seccomp_compile (profile, err) < 0)
    return hr_error_prefix (err, "profile %s", path);
  hr_json_set (rule_settings, LOADED_PROFILE, hr_steal_pointer (&profile));
  return 0;
}

/* What every container gets whatever its profiles say: the must-deny calls
 * denied, clone refused with any namespace flag (one rule per flag, so the
 * refusal needs no negation), and (in the merge) clone3 answering ENOSYS. */
static struct hr_json *
floor_profile (const struct hr_json *must_deny)
{
  static const char text[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}";
  struct hr_json *floor = hr_json_parse (text, sizeof text - 1, NULL);
  struct hr_json *syscalls = hr_json_get (floor, "syscalls");

  if (must_deny->len > 0)
    {
      struct hr_json *rule = hr_json_new (HR_JSON_OBJECT);
      hr_json_set (rule, "names", hr_json_clone (must_deny));
      hr_json_set (rule, "action", hr_json_new_string ("SCMP_ACT_ERRNO"));
      hr_json_set (rule, "errnoRet", hr_json_new_int (1));
      hr_json_append (syscalls, rule);
    }
  for (unsigned bit = 0; bit < 64; bit++)
    if (CLONE_NAMESPACE_FLAGS & (1ULL << bit))
      {
        char rule[256];
        int n = snprintf (rule, sizeof rule,
                          "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,\"args\":[{"
                          "\"index\":0,\"value\":%llu,\"valueTwo\":%llu,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}",
                          1ULL << bit, 1ULL << bit);
        hr_json_append (syscalls, hr_json_parse (rule, (size_t)n, NULL));
      }
  return floor;
}

void
hr_policy_named_files (const struct hr_policy *policy, struct hr_strv *out)
{
  for (size_t i = 0; i < policy->n_profiles; i++)
    {
      const struct hr_rule_config *cfg = hr_profile_rule (&policy->profiles[i], hr_rule_seccomp.name);
      const char *path = hr_json_get_value (cfg->settings, "profile")->text;

      if (path[0] != '\0' && !hr_strv_contains (out, path))
        hr_strv_push (out, path);
    }
}

int
hr_policy_attach_file (struct hr_policy *policy, const char *path, const char *text, size_t len, hr_error_t *err)
{
  for (size_t i = 0; i < policy->n_profiles; i++)
    {
      const struct hr_rule_config *cfg = hr_profile_rule (&policy->profiles[i], hr_rule_seccomp.name);

      if (attach_profile (cfg->settings, path, text, len, err) < 0)
        return hr_error_prefix (err, "policy %s: profile \"%s\": rule \"seccomp\"", policy->source,
                                policy->profiles[i].name);
    }
  return 0;
}

/* "a, b, c and 12 more" */
static char *
some_names (const struct hr_strv *names)
{
  struct hr_strv head = { 0 };
  cleanup_free char *joined = NULL;
  char *out;

  for (size_t i = 0; i < names->len && i < 16; i++)
    hr_strv_push (&head, names->items[i]);
  joined = hr_join_names (&head);
  hr_strv_clear (&head);
  if (names->len <= 16)
    return hr_steal_pointer (&joined);
  xasprintf (&out, "%s and %zu more", joined, names->len - 16);
  return out;
}

static const struct hr_json *
bounding_set (struct hr_json *spec)
{
  struct hr_json *process = hr_json_get_value (spec, "process");
  return hr_json_get_value (hr_json_get_value (process, "capabilities"), "bounding");
}

/* The name of the profile the spec is merged with, for the findings. */
static const char *
base_profile_name (struct hr_rule_ctx *ctx)
{
  const char *path = hr_setting_string (ctx, "profile");

  if (strcmp (hr_setting_string (ctx, "mode"), "learn") == 0)
    return "the learning profile";
  return path[0] != '\0' ? path : "the default profile";
}

/* The profile the spec is merged with: the learning profile, the
 * policy's own profile file, or the embedded default for the container's
 * final capabilities. */
static struct hr_json *
base_profile (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  const char *path = hr_setting_string (ctx, "profile");
  const struct hr_json *loaded = hr_json_get_value (ctx->config->settings, LOADED_PROFILE);

  if (strcmp (hr_setting_string (ctx, "mode"), "learn") == 0)
    return hr_seccomp_learning_profile (hr_setting_get (ctx, "must_deny"));
  if (path[0] != '\0')
    {
      if (loaded == NULL)
        return hr_error_set (err, 0, "the seccomp profile %s was not loaded with the policy", path), NULL;
      return hr_json_clone (loaded);
    }
  return hr_seccomp_default_profile (bounding_set (ctx->doc), hr_setting_get (ctx, "must_deny"));
}

static bool
report_merge (struct hr_rule_ctx *ctx, const struct hr_json *spec_profile, const struct hr_json *merged,
              const char *what, const struct hr_strv *changed)
{
  const struct hr_json *def = hr_json_get_value (merged, "defaultAction");
  cleanup_free char *names = NULL;

  if (spec_profile == NULL)
    {
      if (strcmp (what, "the learning profile") == 0)
        return hr_finding (ctx, "learning: system calls outside the floor are allowed and logged by the kernel "
                                "(SCMP_ACT_LOG) for hardrun seccomp learn");
      if (strcmp (what, "the default profile") == 0)
        return hr_finding (ctx, "no seccomp profile: the default profile applied");
      return hr_finding (ctx, "no seccomp profile: the profile %s applied", what);
    }
  if (changed->len == 0)
    return false;
  names = some_names (changed);
  return hr_finding (ctx,
                     "seccomp profile kept and made at least as strict as %s: default action %s, answers changed "
                     "for %s",
                     what, hr_json_is_string (def) ? def->text : "(none)", names);
}

/* The spec's profile (if any), the base profile and the floor, merged into
 * the strictest of them: nothing the spec's profile denies, kills, traps,
 * logs or notifies gets looser, and nothing the base profile denies is
 * allowed. */
/* Everything the merge of merge_profiles depends on besides hardrun's own
 * code, as one text: the rule's settings (mode, profile file and its loaded
 * text, must_deny), the bounding set the default profile follows, and the
 * spec's profile.  Two containers with the same text get the same merge. */
static char *
merge_inputs (struct hr_rule_ctx *ctx, const struct hr_json *seccomp, size_t *len)
{
  const struct hr_json *bounding = bounding_set (ctx->doc);
  cleanup_free char *rule = hr_json_serialize (ctx->config->settings, NULL);
  cleanup_free char *caps = bounding ? hr_json_serialize (bounding, NULL) : NULL;
  cleanup_free char *profile = seccomp ? hr_json_serialize (seccomp, NULL) : NULL;
  char *text;

  /* one line each: serialized JSON has no raw newline, so the three
   * never run into one another */
  xasprintf (&text, "%s\n%s\n%s", rule, caps ? caps : "null", profile ? profile : "null");
  *len = strlen (text);
  return text;
}

static struct hr_json *
merge_anew (struct hr_rule_ctx *ctx, struct hr_json *seccomp, struct hr_strv *changed, hr_error_t *err)
{
  cleanup_json struct hr_json *base = base_profile (ctx, err);
  cleanup_json struct hr_json *floor = NULL;
  const struct hr_json *profiles[3];

  if (base == NULL)
    return NULL;
  floor = floor_profile (hr_setting_get (ctx, "must_deny"));
  profiles[0] = seccomp, profiles[1] = base, profiles[2] = floor;
  return hr_seccomp_merge (profiles, 3, changed, err);
}

/* The spec's profile (if any), the base profile and the floor, merged into
 * the strictest of them: nothing the spec's profile denies, kills, traps,
 * logs or notifies gets looser, and nothing the base profile denies is
 * allowed.  The host may remember merges (a cold merge of Docker's profile
 * costs milliseconds, and every container of an image asks for the same). */
static int
merge_profiles (struct hr_rule_ctx *ctx, struct hr_json *seccomp, hr_error_t *err)
{
  const struct hr_host *host = ctx->host;
  cleanup_json struct hr_json *merged = NULL;
  cleanup_free char *inputs = NULL;
  struct hr_strv changed = { 0 };
  size_t len = 0;
  bool fix;

  if (host->recall_merge && host->remember_merge)
    {
      inputs = merge_inputs (ctx, seccomp, &len);
      merged = host->recall_merge (host, inputs, len, &changed);
    }
  if (merged == NULL)
    {
      merged = merge_anew (ctx, seccomp, &changed, err);
      if (merged == NULL)
        return hr_strv_clear (&changed), hr_error_prefix (err, "linux.seccomp");
      if (inputs)
        host->remember_merge (host, inputs, len, merged, &changed);
    }
  fix = report_merge (ctx, seccomp, merged, base_profile_name (ctx), &changed);
  hr_strv_clear (&changed);
  if (fix)
    hr_json_set (hr_json_ensure_object (ctx->doc, "linux"), "seccomp", hr_steal_pointer (&merged));
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *seccomp;

  if (hr_spec_linux_member (ctx->doc, "seccomp", HR_JSON_OBJECT, &seccomp, err) < 0
      || merge_profiles (ctx, seccomp, err) < 0)
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
  .apply_spec = apply_spec,
};
