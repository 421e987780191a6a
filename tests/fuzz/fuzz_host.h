/* A host with fixed answers, so fuzzing never touches the real filesystem. */
#ifndef HARDRUN_FUZZ_HOST_H
#define HARDRUN_FUZZ_HOST_H

#include <string.h>

#include "hardrun/enforce.h"
#include "hardrun/util.h"

static int
fuzz_namespace_is_host (const struct hr_host *host, const char *type, const char *path, bool *is_host, hr_error_t *err)
{
  if (strncmp (path, "/proc/1/", 8) == 0)
    return hr_error_set (err, 0, "fuzz host: %s unverifiable", path);
  *is_host = strstr (path, "host") != NULL;
  return 0;
}

static char *
fuzz_resolve_path (const struct hr_host *host, const char *path)
{
  return path[0] == '/' ? xstrdup (path) : NULL;
}

static bool
fuzz_rootfs_has_dir (const struct hr_host *host, const char *rootfs, const char *dir)
{
  return strcmp (dir, "/var/tmp") != 0;
}

/* A volume named "mnt" is a bind of /etc, one named "proc" a proc mount;
 * other paths are not mount points. */
static int
fuzz_mount_fact (const struct hr_host *host, const char *path, struct hr_mount_fact *out, hr_error_t *err)
{
  memset (out, 0, sizeof *out);
  if (strstr (path, "/broken/"))
    return hr_error_set (err, 0, "fuzz host: %s unreadable", path);
  if (strstr (path, "/mnt/") || strstr (path, "/proc/"))
    {
      out->mount_point = true;
      out->fstype = xstrdup (strstr (path, "/proc/") ? "proc" : "ext4");
      if (strstr (path, "/mnt/"))
        hr_strv_push (&out->host_paths, "/etc");
    }
  return 0;
}

/* Container "sbx" is a live sandbox whose namespaces have "sbx" in their
 * path, created for pod "pod". */
static bool
fuzz_namespace_of_container (const struct hr_host *host, const char *id, const char *type, const char *path)
{
  return strcmp (id, "sbx") == 0 && strstr (path, "sbx") != NULL;
}

static char *
fuzz_container_annotation (const struct hr_host *host, const char *id, const char *key)
{
  return strcmp (id, "sbx") == 0 ? xstrdup ("pod") : NULL;
}

static const struct hr_host fuzz_host = {
  .namespace_is_host = fuzz_namespace_is_host,
  .resolve_path = fuzz_resolve_path,
  .rootfs_has_dir = fuzz_rootfs_has_dir,
  .container_id = "abc",
  .mount_fact = fuzz_mount_fact,
  .namespace_of_container = fuzz_namespace_of_container,
  .container_annotation = fuzz_container_annotation,
};

#endif
