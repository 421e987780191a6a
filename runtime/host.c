/* The policy's questions about the host, answered from this machine. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hardrun/runtime.h"
#include "hardrun/util.h"
#include "rootfs_path.h"

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

/* The host's namespace of a type: pid 1's, and hardrun's own (the engine
 * runs runtimes in the host's namespaces; pid 1 is not always inspectable,
 * e.g. when it is not dumpable). */
static bool
same_namespace (const struct stat *a, const char *pid, const char *name)
{
  cleanup_free char *path = NULL;
  struct stat b;

  xasprintf (&path, "/proc/%s/ns/%s", pid, name);
  return stat (path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

static int
namespace_is_host (const struct hr_host *host, const char *type, const char *path, bool *is_host, hr_error_t *err)
{
  const char *name = proc_ns_name (type);
  struct stat a;

  if (name == NULL)
    return hr_error_set (err, 0, "unknown namespace type \"%s\"", type);
  if (stat (path, &a) < 0)
    return hr_error_set (err, errno, "cannot inspect the %s namespace \"%s\"", type, path);
  *is_host = same_namespace (&a, "1", name) || same_namespace (&a, "self", name);
  return 0;
}

/* Every host path the policy resolves is opened once (O_PATH, symlinks
 * followed as runc follows them) and judged by what that descriptor is;
 * staging then mounts that very object (hr_host_opened), so a symlink
 * flipped between the check and the use changes nothing.  hardrun lives for
 * one command: the descriptors stay open until it execs the runtime
 * (O_CLOEXEC). */
#define MAX_OPENED 65536

static struct
{
  char **paths;
  int *fds;
  size_t len;
} opened;

static int
open_once (const char *path)
{
  int fd;

  for (size_t i = 0; i < opened.len; i++)
    if (strcmp (opened.paths[i], path) == 0)
      return opened.fds[i];
  fd = open (path, O_PATH | O_CLOEXEC);
  if (fd < 0 || opened.len == MAX_OPENED)
    return fd;
  opened.paths = xrealloc (opened.paths, (opened.len + 1) * sizeof *opened.paths);
  opened.fds = xrealloc (opened.fds, (opened.len + 1) * sizeof *opened.fds);
  opened.paths[opened.len] = xstrdup (path);
  opened.fds[opened.len++] = fd;
  return fd;
}

int
hr_host_opened (const char *path)
{
  for (size_t i = 0; i < opened.len; i++)
    if (strcmp (opened.paths[i], path) == 0)
      return fcntl (opened.fds[i], F_DUPFD_CLOEXEC, 0);
  return -1;
}

static char *
resolve_path (const struct hr_host *host, const char *path)
{
  cleanup_free char *joined = NULL;
  char link[64], buf[PATH_MAX];
  ssize_t n;
  int fd;

  if (path[0] != '/')
    {
      xasprintf (&joined, "%s/%s", (const char *)host->data, path);
      path = joined;
    }
  fd = open_once (path);
  if (fd < 0)
    return NULL;
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, buf, sizeof buf - 1);
  if (n < 0 || buf[0] != '/')
    return NULL;
  buf[n] = '\0';
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
  fd = (int)syscall (SYS_openat2, rootfd, *dir ? dir : ".", &how, sizeof how);
  return fd >= 0;
}

/* The longest prefix of path that exists, resolved inside the rootfs, and
 * the rest appended as written. */
static char *
rootfs_resolve (const struct hr_host *host, const char *rootfs, const char *path)
{
  cleanup_free char *root = resolve_path (host, rootfs);
  cleanup_free char *resolved = NULL;
  cleanup_close int rootfd = -1;
  const char *rest;
  char *out;

  if (root == NULL || (rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
    return NULL;
  resolved = hr_rootfs_split (rootfd, root, path, &rest);
  if (resolved == NULL)
    return NULL;
  xasprintf (&out, "%s%s%s", resolved, *rest && strcmp (resolved, "/") != 0 ? "/" : "", rest);
  return out;
}

#define SECCOMP_CACHE_DIR "/run/hardrun/seccomp"

static uint64_t
fnv1a64 (const char *data, size_t len, uint64_t h)
{
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
  return h;
}

/* Every container of an image usually gets the same profile, and compiling
 * one costs milliseconds: remember the profiles that compiled (by two
 * hashes of their text) in a root-only directory. runc compiles the
 * profile again anyway; the cache only spares hardrun's early check. */
static int
check_seccomp_cached (const struct hr_host *host, const struct hr_json *profile, hr_error_t *err)
{
  size_t len;
  cleanup_free char *text = hr_json_serialize (profile, &len);
  cleanup_free char *path = NULL;
  int fd;

  xasprintf (&path, SECCOMP_CACHE_DIR "/%016llx%016llx-%zu",
             (unsigned long long)fnv1a64 (text, len, 1469598103934665603ULL),
             (unsigned long long)fnv1a64 (text, len, 7809847782465536322ULL), len);
  if (access (path, F_OK) == 0)
    return 0;
  if (hr_seccomp_compile (profile, err) < 0)
    return -1;
  if (mkdir ("/run/hardrun", 0711) < 0 && errno != EEXIST)
    return 0;
  if (mkdir (SECCOMP_CACHE_DIR, 0700) < 0 && errno != EEXIST)
    return 0;
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0)
    close (fd);
  return 0;
}

void
hr_host_enable_caches (struct hr_host *host)
{
  host->check_seccomp = check_seccomp_cached;
}

void
hr_host_init (struct hr_host *host, const char *bundle)
{
  memset (host, 0, sizeof *host);
  host->namespace_is_host = namespace_is_host;
  host->resolve_path = resolve_path;
  host->rootfs_has_dir = rootfs_has_dir;
  host->rootfs_resolve = rootfs_resolve;
  host->data = (void *)(bundle && *bundle ? bundle : ".");
}
