/* SPDX-License-Identifier: Apache-2.0 */
/* readonly_rootfs: the image cannot be modified from inside; scratch space
 * comes from size-limited tmpfs mounts at the usual writable places, put
 * before any mount the engine placed below them so those stay visible. */
#include <stdio.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "tmpfs", HR_SETTING_STRINGS },
  { "tmpfs_size", HR_SETTING_STRING },
  { NULL, 0 },
};

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  for (size_t i = 0; i < s->len; i++)
    if (strcmp (s->members[i].key, "tmpfs") == 0 && hr_validate_absolute_paths (s->members[i].value, "tmpfs", err) < 0)
      return -1;
  return 0;
}

static struct hr_json *
tmpfs_mount (const char *dir, const char *size)
{
  struct hr_json *m = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *options = hr_json_new (HR_JSON_ARRAY);
  cleanup_free char *opt = NULL;

  hr_json_set (m, "destination", hr_json_new_string (dir));
  hr_json_set (m, "type", hr_json_new_string ("tmpfs"));
  hr_json_set (m, "source", hr_json_new_string ("tmpfs"));
  hr_json_append (options, hr_json_new_string ("nosuid"));
  hr_json_append (options, hr_json_new_string ("nodev"));
  hr_json_append (options, hr_json_new_string (strcmp (dir, "/run") == 0 ? "mode=755" : "mode=1777"));
  xasprintf (&opt, "size=%s", size);
  hr_json_append (options, hr_json_new_string (opt));
  hr_json_set (m, "options", options);
  return m;
}

static const char *
root_path (struct hr_rule_ctx *ctx)
{
  const struct hr_json *path = hr_json_get_value (hr_json_get_value (ctx->doc, "root"), "path");
  return hr_json_is_string (path) ? path->text : "rootfs";
}

/* Where a mount destination lands in the container: runc follows the
 * rootfs's symlinks, so /var/run/x is below /run on most images. */
static char *
resolved_destination (struct hr_rule_ctx *ctx, const char *dest)
{
  cleanup_free char *clean = hr_path_clean (dest);
  char *resolved = NULL;

  if (ctx->host->rootfs_resolve)
    resolved = ctx->host->rootfs_resolve (ctx->host, root_path (ctx), clean);
  if (resolved == NULL)
    return xstrdup (clean);
  free (clean);
  clean = resolved;
  return hr_path_clean (clean);
}

/* Index of the first mount at or below dir (len when none), and whether
 * one is exactly at dir. */
static size_t
first_mount_below (struct hr_rule_ctx *ctx, const struct hr_json *mounts, const char *dir, bool *exact, hr_error_t *err)
{
  size_t first = mounts ? mounts->len : 0;

  *exact = false;
  for (size_t i = 0; mounts && i < mounts->len; i++)
    {
      const char *dest;
      cleanup_free char *resolved = NULL;

      if (hr_entry_string (mounts->items[i], "destination", "mounts", &dest, err) < 0)
        return (size_t)-1;
      resolved = resolved_destination (ctx, dest);
      if (strcmp (resolved, dir) == 0)
        *exact = true;
      if (hr_path_is_under (resolved, dir) && i < first)
        first = i;
    }
  return first;
}

static int
ensure_tmpfs (struct hr_rule_ctx *ctx, const char *dir, hr_error_t *err)
{
  struct hr_json *mounts;
  bool exact;
  size_t at;

  if (hr_spec_mounts (ctx->doc, &mounts, err) < 0)
    return -1;
  at = first_mount_below (ctx, mounts, dir, &exact, err);
  if (at == (size_t)-1)
    return -1;
  if (exact)
    return 0;
  /* A mount point the image lacks cannot be created: the rootfs belongs to
   * ids outside the container's user namespace, and is read-only. */
  if (!ctx->host->rootfs_has_dir (ctx->host, root_path (ctx), dir))
    return 0;
  if (!hr_finding (ctx, "tmpfs mounted at %s (size %s)", dir, hr_setting_string (ctx, "tmpfs_size")))
    return 0;
  hr_json_insert_at (hr_json_ensure_array (ctx->doc, "mounts"), at,
                     tmpfs_mount (dir, hr_setting_string (ctx, "tmpfs_size")));
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  const struct hr_json *dirs = hr_setting_get (ctx, "tmpfs");
  struct hr_json *root = hr_json_get_value (ctx->doc, "root");
  bool readonly = false;

  if (hr_json_read_bool (root, "readonly", "root", &readonly, err) < 0)
    return -1;
  if (!readonly && hr_finding (ctx, "root filesystem made read-only"))
    hr_json_set (hr_json_ensure_object (ctx->doc, "root"), "readonly", hr_json_new_bool (true));
  for (size_t i = 0; i < dirs->len; i++)
    {
      cleanup_free char *dir = hr_path_clean (dirs->items[i]->text);
      if (ensure_tmpfs (ctx, dir, err) < 0)
        return -1;
    }
  return 0;
}

const struct hr_rule_def hr_rule_readonly_rootfs = {
  .name = "readonly_rootfs",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
