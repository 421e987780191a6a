/* hooks: prestart, createRuntime, createContainer, poststart and poststop
 * hooks run as root in the host's namespaces, before or after the
 * container: a hook is a command on the host.  Only executables the policy
 * names may run, checked with symlinks resolved (Docker's own hook is
 * /proc/PID/exe of dockerd; the same path of any other process must not
 * pass).  startContainer hooks run inside the container and are not host
 * commands. */
#include <fnmatch.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "allowed", HR_SETTING_STRINGS },
  { NULL, 0 },
};

static const char *const host_hook_kinds[]
    = { "prestart", "createRuntime", "createContainer", "poststart", "poststop", NULL };

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  return hr_validate_absolute_paths (s->members[0].value, "allowed", err);
}

static bool
allowed (struct hr_rule_ctx *ctx, const char *resolved)
{
  const struct hr_json *patterns = hr_setting_get (ctx, "allowed");

  for (size_t i = 0; i < patterns->len; i++)
    if (fnmatch (patterns->items[i]->text, resolved, FNM_PATHNAME) == 0)
      return true;
  return false;
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
      const char *path = "";
      cleanup_free char *resolved = NULL;

      if (list->items[i]->type != HR_JSON_OBJECT)
        return hr_error_set (err, 0, "hooks.%s: expected objects", kind);
      if (hr_entry_string (list->items[i], "path", "hooks", &path, err) < 0)
        return -1;
      resolved = path[0] == '/' ? ctx->host->resolve_path (ctx->host, path) : NULL;
      if (resolved && allowed (ctx, resolved))
        continue;
      if (hr_finding (ctx, "%s hook \"%s\"%s%s%s runs on the host and is not allowed", kind, path, resolved ? " (" : "",
                      resolved ? resolved : "", resolved ? ")" : ""))
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
