/* SPDX-License-Identifier: Apache-2.0 */
/* proc_sys_mounts: proc and sysfs mount only at /proc and /sys.  The masked
 * and read-only paths (/proc/kcore, /sys/firmware, ...) are applied at those
 * places only: a second proc or sysfs mount elsewhere (/mnt/s) would show
 * everything they hide.  The destination is judged where it lands once the
 * rootfs's symlinks are followed, as runc resolves it.  fix drops the mount. */
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const char *const homes[][2] = { { "proc", "/proc" }, { "sysfs", "/sys" } };

/* Where the destination lands inside the rootfs (the written form when the
 * rootfs cannot be read). */
static char *
landing (struct hr_rule_ctx *ctx, const char *clean)
{
  struct hr_json *root = hr_json_get_value (ctx->doc, "root");
  const struct hr_json *path = root ? hr_json_get_value (root, "path") : NULL;
  char *resolved = NULL;

  if (hr_json_is_string (path) && ctx->host && ctx->host->rootfs_resolve)
    resolved = ctx->host->rootfs_resolve (ctx->host, path->text, clean);
  return resolved ? resolved : xstrdup (clean);
}

static int
check_mount (struct hr_rule_ctx *ctx, struct hr_json *mounts, size_t i, hr_error_t *err)
{
  const char *type, *dest;
  cleanup_free char *clean = NULL;
  cleanup_free char *lands = NULL;

  if (hr_entry_string (mounts->items[i], "type", "mounts", &type, err) < 0
      || hr_entry_string (mounts->items[i], "destination", "mounts", &dest, err) < 0)
    return -1;
  if (hr_mount_is_bind (mounts->items[i]))
    return 0;
  for (size_t k = 0; k < HR_ARRAY_SIZE (homes); k++)
    {
      if (strcmp (type, homes[k][0]) != 0)
        continue;
      clean = hr_path_clean (dest);
      lands = landing (ctx, clean);
      if (strcmp (clean, homes[k][1]) == 0 && strcmp (lands, homes[k][1]) == 0)
        return 0;
      if (hr_finding (ctx, "%s mount at \"%s\" (landing at \"%s\") is not allowed: %s mounts only at %s", type, dest,
                      lands, type, homes[k][1]))
        hr_json_remove_at (mounts, i);
      return 0;
    }
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *mounts;

  if (hr_spec_mounts (ctx->doc, &mounts, err) < 0)
    return -1;
  for (size_t i = mounts ? mounts->len : 0; i-- > 0;)
    if (check_mount (ctx, mounts, i, err) < 0)
      return -1;
  return 0;
}

const struct hr_rule_def hr_rule_proc_sys_mounts = {
  .name = "proc_sys_mounts",
  .apply_spec = apply_spec,
};
