/* The policy's questions about the host, answered from this machine. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/runtime.h"
#include "hardrun/util.h"
#include "idrange.h"
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

static int
proc_ns_flag (const char *name)
{
  static const struct
  {
    const char *name;
    int flag;
  } map[] = {
    { "net", CLONE_NEWNET }, { "mnt", CLONE_NEWNS },    { "pid", CLONE_NEWPID },       { "ipc", CLONE_NEWIPC },
    { "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER }, { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
  };
  for (size_t i = 0; i < HR_ARRAY_SIZE (map); i++)
    if (strcmp (map[i].name, name) == 0)
      return map[i].flag;
  return 0;
}

/* Namespaces a spec names by path are opened once, when the policy first
 * asks about them, and judged by the opened object; stage_netns.c pins the
 * same descriptors under the staging directory for runc, so a path swapped
 * after the check (a symlink flipped in a loop) changes nothing.  One
 * invocation of hardrun handles one spec: the table lives as long as the
 * process. */
#define MAX_OPENED_NS 32

static struct
{
  char *path;
  int fd;
} opened_ns[MAX_OPENED_NS];
static size_t n_opened_ns;

int
hr_namespace_open (const char *oci_type, const char *path, hr_error_t *err)
{
  const char *name = proc_ns_name (oci_type);
  int fd, type;

  if (name == NULL)
    return hr_error_set (err, 0, "unknown namespace type \"%s\"", oci_type);
  for (size_t i = 0; i < n_opened_ns; i++)
    if (strcmp (opened_ns[i].path, path) == 0)
      return opened_ns[i].fd;
  if (n_opened_ns == MAX_OPENED_NS)
    return hr_error_set (err, E2BIG, "the spec names more than %d namespace paths", MAX_OPENED_NS);
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return hr_error_set (err, errno, "cannot open the %s namespace \"%s\"", oci_type, path);
  type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0 || type != proc_ns_flag (name))
    {
      close (fd);
      return hr_error_set (err, type < 0 ? errno : 0, "\"%s\" is not a %s namespace", path, oci_type);
    }
  opened_ns[n_opened_ns].path = xstrdup (path);
  opened_ns[n_opened_ns++].fd = fd;
  return fd;
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
  int fd = hr_namespace_open (type, path, err);
  struct stat a;

  if (fd < 0)
    return -1;
  if (fstat (fd, &a) < 0)
    return hr_error_set (err, errno, "cannot inspect the %s namespace \"%s\"", type, path);
  *is_host = same_namespace (&a, "1", name) || same_namespace (&a, "self", name);
  return 0;
}

/* uid_map and gid_map of the user namespace nsfd, read by a child that
 * entered it (what the kernel shows a process in the namespace: ids in the
 * parent namespace), so that no path is opened twice. */
static int
read_userns_maps (int nsfd, char *buf, size_t size, hr_error_t *err)
{
  int pipefd[2], status;
  ssize_t n, total = 0;
  pid_t pid;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    return close (pipefd[0]), close (pipefd[1]), hr_error_set (err, errno, "fork");
  if (pid == 0)
    {
      static const char *const files[] = { "/proc/self/uid_map", "/proc/self/gid_map" };
      close (pipefd[0]);
      if (setns (nsfd, CLONE_NEWUSER) < 0)
        _exit (1);
      for (size_t i = 0; i < HR_ARRAY_SIZE (files); i++)
        {
          char text[2048];
          int fd = open (files[i], O_RDONLY | O_CLOEXEC);
          ssize_t len = fd < 0 ? -1 : read (fd, text, sizeof text);
          if (len < 0 || write (pipefd[1], text, (size_t)len) != len || write (pipefd[1], "--\n", 3) != 3)
            _exit (1);
        }
      _exit (0);
    }
  close (pipefd[1]);
  while ((n = read (pipefd[0], buf + total, size - 1 - (size_t)total)) > 0)
    total += n;
  close (pipefd[0]);
  buf[total] = '\0';
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hr_error_set (err, errno, "waitpid");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return hr_error_set (err, 0, "cannot read the id mappings of the user namespace");
  return 0;
}

/* One extent from container id 0: its host id and size; false otherwise. */
static bool
single_extent (const char *text, int64_t *host_id, int64_t *size)
{
  unsigned long long inside, outside, count;
  int used = 0;

  if (sscanf (text, "%llu %llu %llu\n%n", &inside, &outside, &count, &used) != 3 || inside != 0
      || !hr_has_prefix (text + used, "--\n"))
    return false;
  *host_id = (int64_t)outside;
  *size = (int64_t)count;
  return true;
}

int
hr_userns_mapping (int nsfd, int64_t *host_uid, int64_t *host_gid, int64_t *size, hr_error_t *err)
{
  char maps[4200];
  const char *gids;
  int64_t gid_size = 0;

  if (read_userns_maps (nsfd, maps, sizeof maps, err) < 0)
    return -1;
  gids = strstr (maps, "--\n");
  gids = gids ? gids + 3 : "";
  if (!single_extent (maps, host_uid, size) || !single_extent (gids, host_gid, &gid_size) || gid_size != *size)
    *size = 0;
  return 0;
}

/* The init pid runc records for container id under root, or -1. */
static long
runc_init_pid (const char *root, const char *id)
{
  cleanup_free char *path = NULL, *text = NULL;
  cleanup_json struct hr_json *state = NULL;
  hr_error_t err = NULL;
  const struct hr_json *value;
  int64_t pid = -1;
  struct stat st;
  size_t len;

  xasprintf (&path, "%s/%s/state.json", root, id);
  if (hr_file_read (AT_FDCWD, path, HR_JSON_MAX_SIZE, &text, &len, &st, &err) < 0
      || (state = hr_json_parse (text, len, &err)) == NULL)
    return hr_error_free (&err), -1;
  value = hr_json_get_value (state, "init_process_pid");
  if (value == NULL || hr_json_number_to_int64 (value, &pid) < 0)
    return -1;
  return (long)pid;
}

/* The hardrun container that holds an id range of its own (an entry of the
 * allocator's state, kind "own") and whose init process lives in the user
 * namespace st names.  Reads the entries as idrange.c writes them:
 * "ROOT\nID\nPID START\nUID UIDS GID GIDS KIND\n". */
static char *
range_owner (const struct stat *st)
{
  DIR *d = opendir (HR_STATE_DIR "/ids");
  struct dirent *de;
  char *owner = NULL;

  while (d && owner == NULL && (de = readdir (d)) != NULL)
    {
      char path[320], root[4096], id[1024], kind[8], ns[64];
      struct stat user;
      long pid;
      FILE *f;
      int n;

      if (!isdigit ((unsigned char)de->d_name[0]))
        continue;
      snprintf (path, sizeof path, HR_STATE_DIR "/ids/%s", de->d_name);
      if ((f = fopen (path, "re")) == NULL)
        continue;
      n = fscanf (f, "%4095[^\n]\n%1023[^\n]\n%*[^\n]\n%*s %*s %*s %*s %7s", root, id, kind);
      fclose (f);
      if (n != 3 || strcmp (kind, "own") != 0 || (pid = runc_init_pid (root, id)) <= 0)
        continue;
      snprintf (ns, sizeof ns, "/proc/%ld/ns/user", pid);
      if (stat (ns, &user) == 0 && user.st_dev == st->st_dev && user.st_ino == st->st_ino)
        owner = xstrdup (id);
    }
  if (d)
    closedir (d);
  return owner;
}

/* "uid_map 0 0 1, gid_map 0 0 1" from the two files as read_userns_maps
 * returns them (each followed by a "--" line), spaces squeezed. */
static char *
maps_text (const char *maps)
{
  size_t len = strlen (maps);
  char *out = xmalloc (len + sizeof "uid_map , gid_map ");
  char *o = stpcpy (out, "uid_map");
  bool space = true;

  for (const char *c = maps; *c; c++)
    {
      if (hr_has_prefix (c, "--\n"))
        {
          if (c[3] != '\0')
            o = stpcpy (o, ", gid_map");
          c += 2;
          space = true;
        }
      else if (*c == ' ' || *c == '\n')
        space = true;
      else
        {
          if (space)
            *o++ = ' ';
          *o++ = *c;
          space = false;
        }
    }
  *o = '\0';
  return out;
}

static int
user_namespace_info (const struct hr_host *host, const char *path, struct hr_userns_info *info, hr_error_t *err)
{
  char maps[4200];
  struct stat st;
  int fd = hr_namespace_open ("user", path, err);

  memset (info, 0, sizeof *info);
  if (fd < 0 || read_userns_maps (fd, maps, sizeof maps, err) < 0
      || hr_userns_mapping (fd, &info->host_uid, &info->host_gid, &info->size, err) < 0)
    return hr_error_prefix (err, "user namespace \"%s\"", path);
  if (fstat (fd, &st) < 0)
    return hr_error_set (err, errno, "cannot inspect the user namespace \"%s\"", path);
  if (info->host_uid == 0 || info->host_gid == 0)
    info->size = 0;
  info->owner = range_owner (&st);
  info->maps = maps_text (maps);
  return 0;
}

static char *
resolve_path (const struct hr_host *host, const char *path)
{
  cleanup_free char *joined = NULL;
  char buf[PATH_MAX];

  if (path[0] != '/')
    {
      xasprintf (&joined, "%s/%s", (const char *)host->data, path);
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
  host->user_namespace_info = user_namespace_info;
  host->data = (void *)(bundle && *bundle ? bundle : ".");
}
