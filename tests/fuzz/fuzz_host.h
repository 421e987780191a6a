/* SPDX-License-Identifier: Apache-2.0 */
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

/* a hook path resolves to itself; one under /tmp is not root's */
static int
fuzz_trusted_executable (const struct hr_host *host, const char *path, char **resolved, hr_error_t *err)
{
  if (strncmp (path, "/tmp/", 5) == 0)
    return hr_error_set (err, 0, "fuzz host: %s not root's", path);
  *resolved = xstrdup (path);
  return 0;
}

/* one other live container, in /docker/a */
static int
fuzz_live_cgroups (const struct hr_host *host, const struct hr_json *roots, struct hr_strv *ids,
                   struct hr_strv *cgroups, char **self, hr_error_t *err)
{
  hr_strv_push (ids, "a");
  hr_strv_push (cgroups, "/docker/a");
  *self = xstrdup ("/");
  return 0;
}

static const struct hr_host fuzz_host = {
  .namespace_is_host = fuzz_namespace_is_host,
  .resolve_path = fuzz_resolve_path,
  .rootfs_has_dir = fuzz_rootfs_has_dir,
  .mount_fact = fuzz_mount_fact,
  .namespace_of_container = fuzz_namespace_of_container,
  .container_annotation = fuzz_container_annotation,
  .trusted_executable = fuzz_trusted_executable,
  .live_cgroups = fuzz_live_cgroups,
  .container_id = "000000000000000000000000000000000000000000000000000000c0ffee0000",
};

#endif
