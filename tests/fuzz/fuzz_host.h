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

static const struct hr_host fuzz_host = {
  .namespace_is_host = fuzz_namespace_is_host,
  .resolve_path = fuzz_resolve_path,
  .rootfs_has_dir = fuzz_rootfs_has_dir,
};

#endif
