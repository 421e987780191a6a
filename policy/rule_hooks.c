/* SPDX-License-Identifier: Apache-2.0 */
/* hooks: prestart, createRuntime, createContainer, poststart and poststop
 * hooks run as root in the host's namespaces, before or after the
 * container: a hook is a command on the host, and its path, arguments and
 * environment together decide what it does (dockerd with LD_PRELOAD, or
 * with -H tcp://0.0.0.0:2375, is no longer Docker's network hook).  A hook
 * runs only when its whole shape is one the policy allows: the kinds it may
 * be, the path as written, the executable that path resolves to, every
 * argument (the token {container_id} is this container's id and nothing
 * else) and every environment entry.  startContainer hooks run inside the
 * container and are not host commands.
 *
 * The path is resolved once, by the host, which also checks that nobody but
 * root can swap what it resolved to; the runtime is handed that resolved
 * path (Docker's /proc/PID/exe becomes dockerd's own path, which runs the
 * same reexec entry point), so a symlink flipped after the check changes
 * nothing. */
#include <fnmatch.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "allowed", HR_SETTING_OBJECTS },
  { NULL, 0 },
};

static const char *const host_hook_kinds[]
    = { "prestart", "createRuntime", "createContainer", "poststart", "poststop", NULL };

#define CONTAINER_ID_TOKEN "{container_id}"

static bool
is_host_kind (const char *kind)
{
  for (size_t i = 0; host_hook_kinds[i]; i++)
    if (strcmp (host_hook_kinds[i], kind) == 0)
      return true;
  return false;
}

static bool
is_string_array (const struct hr_json *v)
{
  if (v->type != HR_JSON_ARRAY)
    return false;
  for (size_t i = 0; i < v->len; i++)
    if (v->items[i]->type != HR_JSON_STRING)
      return false;
  return true;
}

/* A shape member that must be an array of strings (absent when !required). */
static int
validate_strings (const struct hr_json *shape, const char *key, bool required, const char *where, hr_error_t *err)
{
  const struct hr_json *v = hr_json_get (shape, key);

  if (v == NULL)
    return required ? hr_error_set (err, 0, "%s: lacks \"%s\"", where, key) : 0;
  if (!is_string_array (v))
    return hr_error_set (err, 0, "%s.%s: expected an array of strings", where, key);
  return 0;
}

static int
validate_shape (const struct hr_json *shape, const char *where, hr_error_t *err)
{
  static const char *const keys[] = { "kinds", "path", "executable", "args", "env", NULL };
  const struct hr_json *kinds, *exe;

  for (size_t i = 0; i < shape->len; i++)
    {
      size_t k = 0;
      while (keys[k] && strcmp (keys[k], shape->members[i].key) != 0)
        k++;
      if (keys[k] == NULL)
        return hr_error_set (err, 0, "%s: unknown key \"%s\"", where, shape->members[i].key);
    }
  if (validate_strings (shape, "kinds", true, where, err) < 0 || validate_strings (shape, "path", false, where, err) < 0
      || validate_strings (shape, "executable", true, where, err) < 0
      || validate_strings (shape, "args", true, where, err) < 0
      || validate_strings (shape, "env", false, where, err) < 0)
    return -1;
  kinds = hr_json_get (shape, "kinds");
  for (size_t i = 0; i < kinds->len; i++)
    if (!is_host_kind (kinds->items[i]->text))
      return hr_error_set (err, 0, "%s.kinds: \"%s\" is not a host hook kind", where, kinds->items[i]->text);
  exe = hr_json_get (shape, "executable");
  if (exe->len == 0)
    return hr_error_set (err, 0, "%s.executable: names no executable", where);
  if (hr_validate_absolute_paths (exe, where, err) < 0)
    return -1;
  return hr_json_get (shape, "path") ? hr_validate_absolute_paths (hr_json_get (shape, "path"), where, err) : 0;
}

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  const struct hr_json *allowed = hr_settings_member (s, "allowed");

  for (size_t i = 0; i < allowed->len; i++)
    {
      cleanup_free char *where = NULL;

      xasprintf (&where, "hooks.allowed[%zu]", i);
      if (validate_shape (allowed->items[i], where, err) < 0)
        return -1;
    }
  return 0;
}

/* A hook as runc will read it. */
struct hook
{
  const char *kind;
  const char *path;     /* as written */
  const char *resolved; /* what the host resolved it to */
  const struct hr_json *args;
  const struct hr_json *env;
};

static bool
any_matches (const struct hr_json *patterns, const char *s, int flags)
{
  for (size_t i = 0; patterns && i < patterns->len; i++)
    if (fnmatch (patterns->items[i]->text, s, flags) == 0)
      return true;
  return false;
}

static bool
args_match (const struct hr_rule_ctx *ctx, const struct hr_json *patterns, const struct hr_json *args)
{
  size_t n = args ? args->len : 0;

  if (patterns->len != n)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      const char *p = patterns->items[i]->text;

      if (strcmp (p, CONTAINER_ID_TOKEN) == 0 ? !hr_streq (ctx->host->container_id, args->items[i]->text)
                                              : fnmatch (p, args->items[i]->text, 0) != 0)
        return false;
    }
  return true;
}

static bool
env_matches (const struct hr_json *patterns, const struct hr_json *env)
{
  for (size_t i = 0; env && i < env->len; i++)
    if (!any_matches (patterns, env->items[i]->text, 0))
      return false;
  return true;
}

static bool
shape_matches (const struct hr_rule_ctx *ctx, const struct hr_json *shape, const struct hook *h)
{
  const struct hr_json *path = hr_json_get (shape, "path");

  for (size_t i = 0; i < hr_json_get (shape, "kinds")->len; i++)
    if (strcmp (hr_json_get (shape, "kinds")->items[i]->text, h->kind) == 0)
      return (path == NULL || any_matches (path, h->path, FNM_PATHNAME))
             && any_matches (hr_json_get (shape, "executable"), h->resolved, FNM_PATHNAME)
             && args_match (ctx, hr_json_get (shape, "args"), h->args)
             && env_matches (hr_json_get (shape, "env"), h->env);
  return false;
}

static bool
allowed (const struct hr_rule_ctx *ctx, const struct hook *h)
{
  const struct hr_json *shapes = hr_setting_get (ctx, "allowed");

  for (size_t i = 0; i < shapes->len; i++)
    if (shape_matches (ctx, shapes->items[i], h))
      return true;
  return false;
}

/* args or env: absent, null, or an array of strings (what Go decodes). */
static int
read_strings (const struct hr_json *entry, const char *field, const char *kind, const struct hr_json **out,
              hr_error_t *err)
{
  const struct hr_json *v = hr_json_get_value (entry, field);

  *out = v;
  if (v != NULL && !is_string_array (v))
    return hr_error_set (err, 0, "hooks.%s.%s: expected an array of strings", kind, field);
  return 0;
}

/* The runtime gets the path that was judged, not the name. */
static void
pin_path (struct hr_rule_ctx *ctx, struct hr_json *entry, const struct hook *h)
{
  char *message;

  xasprintf (&message, "%s hook \"%s\" runs as \"%s\", resolved once", h->kind, h->path, h->resolved);
  if (ctx->action == HR_ACTION_AUDIT)
    {
      hr_result_add (ctx->result, ctx->config->name, HR_OUTCOME_AUDITED, message);
      return;
    }
  hr_result_add (ctx->result, ctx->config->name, HR_OUTCOME_CHANGED, message);
  hr_json_set (entry, "path", hr_json_new_string (h->resolved));
}

/* Judges one hook; *remove is set when the fix action drops it. */
static int
check_hook (struct hr_rule_ctx *ctx, struct hr_json *entry, const char *kind, bool *remove, hr_error_t *err)
{
  struct hook h = { .kind = kind, .path = "" };
  cleanup_free char *resolved = NULL;
  hr_error_t why = NULL;

  *remove = false;
  if (entry->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "hooks.%s: expected objects", kind);
  if (hr_entry_string (entry, "path", "hooks", &h.path, err) < 0 || read_strings (entry, "args", kind, &h.args, err) < 0
      || read_strings (entry, "env", kind, &h.env, err) < 0)
    return -1;
  if (h.path[0] != '/' || ctx->host->trusted_executable == NULL)
    hr_error_set (&why, 0, "not an absolute path the host can check");
  else
    ctx->host->trusted_executable (ctx->host, h.path, &resolved, &why);
  if (why == NULL)
    {
      h.resolved = resolved;
      if (allowed (ctx, &h))
        {
          if (strcmp (resolved, h.path) != 0)
            pin_path (ctx, entry, &h);
          return 0;
        }
    }
  *remove = hr_finding (ctx, "%s hook \"%s\"%s%s runs on the host and is not an allowed shape (path, args, env)%s%s",
                        kind, h.path, resolved ? " resolved to " : "", resolved ? resolved : "", why ? ": " : "",
                        why ? why->msg : "");
  hr_error_free (&why);
  return 0;
}

static int
check_kind (struct hr_rule_ctx *ctx, struct hr_json *hooks, const char *kind, hr_error_t *err)
{
  struct hr_json *list = hr_json_get_value (hooks, kind);

  if (list == NULL)
    return 0;
  if (list->type != HR_JSON_ARRAY)
    return hr_error_set (err, 0, "hooks.%s: expected array", kind);
  for (size_t i = list->len; i-- > 0;)
    {
      bool remove;

      if (check_hook (ctx, list->items[i], kind, &remove, err) < 0)
        return -1;
      if (remove)
        hr_json_remove_at (list, i);
    }
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *hooks;

  if (hr_json_check_type (ctx->doc, "hooks", HR_JSON_OBJECT, "", err) < 0)
    return -1;
  hooks = hr_json_get_value (ctx->doc, "hooks");
  for (size_t i = 0; hooks && host_hook_kinds[i]; i++)
    if (check_kind (ctx, hooks, host_hook_kinds[i], err) < 0)
      return -1;
  return 0;
}

const struct hr_rule_def hr_rule_hooks = {
  .name = "hooks",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
