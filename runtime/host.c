/* The policy's questions about the host, answered from this machine. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hardrun/runtime.h"
#include "hardrun/util.h"

static const char *
proc_ns_name (const char *oci_type)
{
  static const char *const map[][2] = {
    { "network", "net" }, { "mount", "mnt" }, { "pid", "pid" },       { "ipc", "ipc" },
    { "uts", "uts" },     { "user", "user" }, { "cgroup", "cgroup" }, { "time", "time" },
  };
  for (size_t i = 0; i < HR_ARRAY_SIZE (map); i++)
    if (strcmp (map[i][0], oci_type) == 0)
      return map[i][1];
  return NULL;
}

static int
namespace_is_host (const struct hr_host *host, const char *type, const char *path, bool *is_host, hr_error_t *err)
{
  const char *name = proc_ns_name (type);
  cleanup_free char *own = NULL;
  struct stat a, b;

  if (name == NULL)
    return hr_error_set (err, 0, "unknown namespace type \"%s\"", type);
  xasprintf (&own, "/proc/1/ns/%s", name);
  if (stat (path, &a) < 0)
    return hr_error_set (err, errno, "cannot inspect the %s namespace \"%s\"", type, path);
  if (stat (own, &b) < 0)
    return hr_error_set (err, errno, "cannot inspect %s", own);
  *is_host = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
  return 0;
}

static char *
resolve_path (const struct hr_host *host, const char *path)
{
  cleanup_free char *joined = NULL;
  char buf[PATH_MAX];

  if (path[0] != '/')
    {
      xasprintf (&joined, "%s/%s", (const char *) host->data, path);
      path = joined;
    }
  if (realpath (path, buf) == NULL)
    return NULL;
  return xstrdup (buf);
}

/* openat2 with RESOLVE_IN_ROOT resolves symlinks inside the rootfs the way
 * the container sees them, never escaping to the host. */
static bool
rootfs_has_dir (const struct hr_host *host, const char *rootfs, const char *dir)
{
  cleanup_free char *root = resolve_path (host, rootfs);
  cleanup_close int rootfd = -1;
  cleanup_close int fd = -1;
  struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };

  if (root == NULL)
    return false;
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return false;
  while (*dir == '/')
    dir++;
  fd = (int) syscall (SYS_openat2, rootfd, *dir ? dir : ".", &how, sizeof how);
  return fd >= 0;
}

void
hr_host_init (struct hr_host *host, const char *bundle)
{
  memset (host, 0, sizeof *host);
  host->namespace_is_host = namespace_is_host;
  host->resolve_path = resolve_path;
  host->rootfs_has_dir = rootfs_has_dir;
  host->data = (void *) (bundle && *bundle ? bundle : ".");
}
