/* sensitive_mounts: a bind mount must not expose the host's own control
 * surface: a sensitive path, anything below one, or any parent of one (a bind
 * of /var exposes /var/lib/docker).  Both the path as written and the path
 * with symlinks resolved are checked.  The files engines bind into every
 * container (hosts, resolv.conf, ...) are exceptions listed in the policy.
 * Non-bind mounts must be of a kernel-virtual type, and the rootfs itself
 * must not be the host's root or a parent of a sensitive path. */
#include <fnmatch.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "paths", HR_SETTING_STRINGS },
  { "exceptions", HR_SETTING_STRINGS },
  { "types", HR_SETTING_STRINGS },
  { NULL, 0 },
};

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  for (size_t i = 0; i < s->len; i++)
    if (strcmp (s->members[i].key, "types") != 0
        && hr_validate_absolute_paths (s->members[i].value, s->members[i].key, err) < 0)
      return -1;
  return 0;
}

/* The path, or one of its parents, matches an exception pattern. */
static bool
is_exception (const struct hr_json *exceptions, const char *path)
{
  cleanup_free char *prefix = xstrdup (path);

  for (;;)
    {
      char *slash;
      for (size_t i = 0; i < exceptions->len; i++)
        if (fnmatch (exceptions->items[i]->text, prefix, FNM_PATHNAME) == 0)
          return true;
      slash = strrchr (prefix, '/');
      if (slash == NULL || slash == prefix)
        return false;
      *slash = '\0';
    }
}

/* path is the sensitive path s, lies below it, or is a parent of it.  "/"
 * itself is only hit by a bind of the whole root: everything lies below it. */
static bool
related (const char *path, const char *s)
{
  if (strcmp (s, "/") == 0)
    return strcmp (path, "/") == 0;
  return hr_path_is_under (path, s) || hr_path_is_under (s, path);
}

/* The sensitive path `path` touches, or NULL.  Sensitive entries are also
 * compared in their resolved form (/var/run is a link to /run here). */
static const char *
sensitive_match (struct hr_rule_ctx *ctx, const char *path, bool parents_only)
{
  const struct hr_json *paths = hr_setting_get (ctx, "paths");

  for (size_t i = 0; i < paths->len; i++)
    {
      const char *s = paths->items[i]->text;
      cleanup_free char *resolved = ctx->host->resolve_path (ctx->host, s);
      bool hit = parents_only ? (hr_path_is_under (s, path) || strcmp (s, path) == 0) : related (path, s);

      if (!hit && resolved)
        hit = parents_only ? hr_path_is_under (resolved, path) : related (path, resolved);
      if (hit)
        return s;
    }
  return NULL;
}

/* Checks the written and the resolved form of a bind source. */
static const char *
bind_violation (struct hr_rule_ctx *ctx, const char *source)
{
  const struct hr_json *exceptions = hr_setting_get (ctx, "exceptions");
  cleanup_free char *clean = hr_path_clean (source);
  cleanup_free char *resolved = ctx->host->resolve_path (ctx->host, source);
  const char *hit;

  if (!is_exception (exceptions, clean) && (hit = sensitive_match (ctx, clean, false)) != NULL)
    return hit;
  if (resolved && !is_exception (exceptions, resolved) && (hit = sensitive_match (ctx, resolved, false)) != NULL)
    return hit;
  return NULL;
}

static int
check_mount (struct hr_rule_ctx *ctx, struct hr_json *mounts, size_t i, hr_error_t *err)
{
  struct hr_json *m = mounts->items[i];
  const char *type, *source, *dest, *hit;
  struct hr_json *options;

  if (hr_entry_string (m, "type", "mounts", &type, err) < 0 || hr_entry_string (m, "source", "mounts", &source, err) < 0
      || hr_entry_string (m, "destination", "mounts", &dest, err) < 0 || hr_mount_options (m, &options, err) < 0)
    return -1;
  if (!hr_mount_is_bind (m))
    {
      if (!hr_json_strings_contain (hr_setting_get (ctx, "types"), type)
          && hr_finding (ctx, "mount of type \"%s\" from \"%s\" at \"%s\" is not allowed", type, source, dest))
        hr_json_remove_at (mounts, i);
      return 0;
    }
  if (source[0] != '/')
    {
      if (hr_finding (ctx, "bind mount with relative source \"%s\" at \"%s\" is not allowed", source, dest))
        hr_json_remove_at (mounts, i);
      return 0;
    }
  hit = bind_violation (ctx, source);
  if (hit
      && hr_finding (ctx, "bind mount of \"%s\" at \"%s\" exposes the sensitive host path \"%s\"", source, dest, hit))
    hr_json_remove_at (mounts, i);
  return 0;
}

/* The rootfs may live below a sensitive path (engines keep images in
 * /var/lib/...), but must not be / or a parent of one. */
static int
check_root (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *root = hr_json_get_value (ctx->doc, "root");
  const char *path = NULL, *hit = NULL;
  cleanup_free char *resolved = NULL;
  cleanup_free char *clean = NULL;

  if (hr_json_read_string (root, "path", "root", &path, err) < 0)
    return -1;
  if (path == NULL)
    return 0;
  resolved = ctx->host->resolve_path (ctx->host, path);
  if (path[0] == '/')
    {
      clean = hr_path_clean (path);
      hit = sensitive_match (ctx, clean, true);
    }
  if (hit == NULL && resolved)
    hit = sensitive_match (ctx, resolved, true);
  if (hit)
    hr_violation (ctx, "root filesystem \"%s\" contains the sensitive host path \"%s\"", path, hit);
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *mounts;

  if (check_root (ctx, err) < 0 || hr_spec_mounts (ctx->doc, &mounts, err) < 0)
    return -1;
  for (size_t i = mounts ? mounts->len : 0; i-- > 0;)
    if (check_mount (ctx, mounts, i, err) < 0)
      return -1;
  return 0;
}

const struct hr_rule_def hr_rule_sensitive_mounts = {
  .name = "sensitive_mounts",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
