/* SPDX-License-Identifier: Apache-2.0 */
/* The policy's questions about the host, answered from this machine. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
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

#include "cwd_resolve.h"
#include "files.h"
#include "hardrun/util.h"
#include "host.h"
#include "mountinfo.h"
#include "runc_state.h"
#include "seccomp_cache.h"
#include "strmap.h"
#include "userns/idrange.h"
#include "userns/rootfs_path.h"
#include "vfork_call.h"

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

/* Every host path the policy resolves is opened once (O_PATH, symlinks
 * followed as runc follows them) and judged by what that descriptor is;
 * staging then mounts that very object (hr_host_opened), so a symlink
 * flipped between the check and the use changes nothing.  hardrun lives for
 * one command: the descriptors stay open until it execs the runtime
 * (O_CLOEXEC). */
#define MAX_OPENED 65536

/* What one path opened to: its descriptor (-1 when it could not be
 * opened: asked again, it fails again, so one command sees one answer) and,
 * once asked for, the absolute path that descriptor stands for (the rules
 * ask for the same sensitive paths and the same rootfs once per mount). */
struct opened_path
{
  int fd;
  char *target;
  int is_dir; /* 0 until asked, then 1 or -1 */
};

static struct hr_strmap opened; /* path -> struct opened_path */

/* Past MAX_OPENED paths, one entry is reused: each answer is still judged
 * from a descriptor, and only staging's reuse of it is lost. */
static struct opened_path overflow = { .fd = -1 };

static struct opened_path *
open_entry (const char *path)
{
  struct opened_path *e;
  bool found;

  e = hr_strmap_get (&opened, path, &found);
  if (found)
    return e;
  if (opened.len == MAX_OPENED)
    {
      if (overflow.fd >= 0)
        close (overflow.fd);
      free (overflow.target);
      e = &overflow;
    }
  else
    {
      e = xmalloc (sizeof *e);
      hr_strmap_put (&opened, path, e);
    }
  *e = (struct opened_path){ .fd = open (path, O_PATH | O_CLOEXEC) };
  return e;
}

/* The absolute path e's descriptor stands for, NULL when it did not open. */
static const char *
entry_target (struct opened_path *e)
{
  char link[64], buf[PATH_MAX];
  ssize_t n;

  if (e == NULL || e->fd < 0)
    return NULL;
  if (e->target)
    return e->target;
  snprintf (link, sizeof link, "/proc/self/fd/%d", e->fd);
  n = readlink (link, buf, sizeof buf - 1);
  if (n < 0 || buf[0] != '/')
    return NULL;
  buf[n] = '\0';
  return e->target = xstrdup (buf);
}

int
hr_host_opened (const char *path)
{
  bool found;
  const struct opened_path *e = hr_strmap_get (&opened, path, &found);

  return found && e->fd >= 0 ? fcntl (e->fd, F_DUPFD_CLOEXEC, 0) : -1;
}

struct maps_call
{
  int nsfd;
  char *buf;
  size_t size, len;
};

/* The child's part: enters the namespace and appends each map, then
 * "--\n", to the caller's buffer (the memory is shared). */
/* not instrumented: ASan takes the switch to the child's stack for a
 * corrupt one and warns on its stderr */
static int __attribute__ ((no_sanitize_address)) read_maps_child (void *data)
{
  static const char *const files[] = { "/proc/self/uid_map", "/proc/self/gid_map" };
  struct maps_call *c = data;

  if (setns (c->nsfd, CLONE_NEWUSER) < 0)
    _exit (1);
  for (size_t i = 0; i < HR_ARRAY_SIZE (files); i++)
    {
      /* room for the map, "--\n" and the caller's final NUL */
      size_t room = c->size - c->len;
      int fd = room < 5 ? -1 : open (files[i], O_RDONLY | O_CLOEXEC);
      ssize_t n = fd < 0 ? -1 : read (fd, c->buf + c->len, room - 4);

      if (n < 0)
        _exit (1);
      c->len += (size_t)n;
      memcpy (c->buf + c->len, "--\n", 3);
      c->len += 3;
      close (fd);
    }
  _exit (0);
}

/* uid_map and gid_map of the user namespace nsfd, read by a child that
 * entered it (what the kernel shows a process in the namespace: ids in the
 * parent namespace), so that no path is opened twice.  The child writes
 * them straight into buf (hr_vfork_call). */
static int
read_userns_maps (int nsfd, char *buf, size_t size, hr_error_t *err)
{
  struct maps_call call = { .nsfd = nsfd, .buf = buf, .size = size };
  int status = hr_vfork_call (read_maps_child, &call);

  if (status < 0)
    return hr_error_set (err, errno, "cannot start a child to read the id mappings");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return hr_error_set (err, 0, "cannot read the id mappings of the user namespace");
  buf[call.len] = '\0';
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
  cleanup_json struct hr_json *state = NULL;
  hr_error_t err = NULL;
  int64_t pid;
  uint64_t start;

  /* runc's record, root's alone, and its init still the same process */
  if (hr_runc_state_load_init (root, id, &state, &err) <= 0 || !hr_runc_state_init (state, &pid, &start)
      || !hr_process_is (pid, start))
    return hr_error_free (&err), -1;
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

/* path made absolute against the bundle, as runc reads relative paths. */
static const char *
absolute_in_bundle (const struct hr_host *host, const char *path, char **joined)
{
  if (path[0] == '/')
    return path;
  xasprintf (joined, "%s/%s", (const char *)host->data, path);
  return *joined;
}

static char *
resolve_path (const struct hr_host *host, const char *path)
{
  cleanup_free char *joined = NULL;
  const char *target = entry_target (open_entry (absolute_in_bundle (host, path, &joined)));

  return target ? xstrdup (target) : NULL;
}

/* The rootfs as the descriptor it opened to and the path that stands for;
 * -1 when it is not a directory that opens. */
static int
rootfs_opened (const struct hr_host *host, const char *rootfs, const char **root)
{
  cleanup_free char *joined = NULL;
  const char *absolute = absolute_in_bundle (host, rootfs, &joined);
  struct opened_path *e = open_entry (absolute);
  struct stat st;

  *root = entry_target (e);
  if (e == NULL || *root == NULL)
    return -1;
  if (e->is_dir == 0)
    e->is_dir = fstat (e->fd, &st) == 0 && S_ISDIR (st.st_mode) ? 1 : -1;
  return e->is_dir > 0 ? e->fd : -1;
}

/* openat2 with RESOLVE_IN_ROOT resolves symlinks inside the rootfs the way
 * the container sees them, never escaping to the host. */
static bool
rootfs_has_dir (const struct hr_host *host, const char *rootfs, const char *dir)
{
  const char *root;
  int rootfd = rootfs_opened (host, rootfs, &root);
  cleanup_close int fd = -1;

  if (rootfd < 0)
    return false;
  fd = hr_open_beneath (rootfd, dir, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT);
  return fd >= 0;
}

/* The longest prefix of path that exists, resolved inside the rootfs, and
 * the rest appended as written. */
static char *
rootfs_resolve_anew (const struct hr_host *host, const char *rootfs, const char *path)
{
  cleanup_free char *resolved = NULL;
  const char *root, *rest;
  int rootfd = rootfs_opened (host, rootfs, &root);
  char *out;

  if (rootfd < 0)
    return NULL;
  resolved = hr_rootfs_split (rootfd, root, path, &rest);
  if (resolved == NULL)
    return NULL;
  xasprintf (&out, "%s%s%s", resolved, *rest && strcmp (resolved, "/") != 0 ? "/" : "", rest);
  return out;
}

/* Each rule that judges mounts resolves every destination (the read-only
 * rootfs, /proc and /sys, the tmpfs it adds): the answers are kept for the
 * command, which never changes the rootfs. */
static struct hr_strmap resolved_in_rootfs; /* rootfs "\n" path -> answer */

static char *
rootfs_resolve (const struct hr_host *host, const char *rootfs, const char *path)
{
  cleanup_free char *key = NULL;
  const char *known;
  char *answer;
  bool found;

  xasprintf (&key, "%s\n%s", rootfs, path);
  known = hr_strmap_get (&resolved_in_rootfs, key, &found);
  if (found)
    return known ? xstrdup (known) : NULL;
  answer = rootfs_resolve_anew (host, rootfs, path);
  if (resolved_in_rootfs.len < MAX_OPENED)
    hr_strmap_put (&resolved_in_rootfs, key, answer ? xstrdup (answer) : NULL);
  return answer;
}

/* A whole /proc file (whose size stat does not tell), NUL-terminated, at
 * most max bytes; NULL when it cannot be read. */
static char *
read_proc_file (const char *path, size_t max)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  size_t used = 0, cap = 4096;
  char *buf;
  ssize_t n;

  if (fd < 0)
    return NULL;
  buf = xmalloc (cap + 1);
  while ((n = read (fd, buf + used, cap - used)) > 0)
    if ((used += (size_t)n) == cap)
      {
        if (cap >= max)
          return free (buf), NULL;
        buf = xrealloc (buf, (cap *= 2) + 1);
      }
  if (n < 0)
    return free (buf), NULL;
  buf[used] = '\0';
  return buf;
}

/* The host paths where the directory `root` of device `dev` is visible,
 * through the mounts other than the one at (or below) `path`. */
static void
other_views (const struct hr_mount_table *table, const char *path, const struct hr_mount_entry *self,
             struct hr_strv *out)
{
  for (size_t i = 0; i < table->len; i++)
    {
      const struct hr_mount_entry *m = &table->entries[i];
      cleanup_free char *joined = NULL;
      char *view;

      if (m == self || strcmp (m->device, self->device) != 0 || hr_path_is_under (m->target, path)
          || !hr_path_is_under (self->root, m->root))
        continue;
      xasprintf (&joined, "%s/%s", m->target, self->root + (strcmp (m->root, "/") == 0 ? 0 : strlen (m->root)));
      view = hr_path_clean (joined);
      if (hr_strv_contains (out, view))
        free (view);
      else
        hr_strv_push_take (out, view);
    }
}

static int
mount_fact (const struct hr_host *host, const char *path, struct hr_mount_fact *out, hr_error_t *err)
{
  struct hr_mount_table table;
  const struct hr_mount_entry *self;

  memset (out, 0, sizeof *out);
  if (hr_mount_table_read ("/proc/self/mountinfo", &table, err) < 0)
    return -1;
  self = hr_mount_table_find (&table, path);
  if (self != NULL)
    {
      out->mount_point = true;
      out->fstype = xstrdup (self->fstype);
      out->root = xstrdup (self->root);
      out->device = xstrdup (self->device);
      other_views (&table, path, self, &out->host_paths);
    }
  hr_mount_table_clear (&table);
  return 0;
}

/* runc's state of a live container (its init still the process runc
 * started): NULL when it has none, it cannot be trusted, or its init has
 * exited.  *pid gets the init's pid. */
static struct hr_json *
live_state (const struct hr_host *host, const char *id, int64_t *pid)
{
  struct hr_json *state = NULL;
  hr_error_t err = NULL;
  uint64_t start;

  if (hr_runc_state_load (host->runtime_root ? host->runtime_root : "/run/runc", id, &state, &err) <= 0)
    return hr_error_free (&err), NULL;
  if (hr_runc_state_init (state, pid, &start) && hr_process_is (*pid, start))
    return state;
  hr_json_free (state);
  return NULL;
}

static bool
namespace_of_container (const struct hr_host *host, const char *id, const char *type, const char *path)
{
  int64_t pid = 0;
  cleanup_free char *init_ns = NULL;
  cleanup_json struct hr_json *state = live_state (host, id, &pid);
  const char *name = proc_ns_name (type);
  struct stat a, b;

  if (state == NULL || name == NULL)
    return false;
  xasprintf (&init_ns, "/proc/%lld/ns/%s", (long long)pid, name);
  return stat (path, &a) == 0 && stat (init_ns, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static char *
container_annotation (const struct hr_host *host, const char *id, const char *key)
{
  int64_t pid = 0;
  cleanup_json struct hr_json *state = live_state (host, id, &pid);
  const struct hr_json *config = state ? hr_json_get_value (state, "config") : NULL;
  const struct hr_json *labels = config ? hr_json_get_value (config, "labels") : NULL;
  size_t n = strlen (key);

  for (size_t i = 0; labels && labels->type == HR_JSON_ARRAY && i < labels->len; i++)
    {
      const char *l = hr_json_is_string (labels->items[i]) ? labels->items[i]->text : "";
      if (strncmp (l, key, n) == 0 && l[n] == '=')
        return xstrdup (l + n + 1);
    }
  return NULL;
}

/* A step of a resolved path nobody but root may change: owned by root, not
 * writable by others, nor by a group other than root's. */
static int
check_root_owned (const struct stat *st, const char *path, const char *step, hr_error_t *err)
{
  if (S_ISLNK (st->st_mode))
    return hr_error_set (err, ELOOP, "\"%s\" changed while it was checked (\"%s\" is a symlink)", path, step);
  if (st->st_uid != 0)
    return hr_error_set (err, EPERM, "\"%s\" is owned by uid %u, not root", step, (unsigned)st->st_uid);
  if ((st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && st->st_gid != 0))
    return hr_error_set (err, EPERM, "\"%s\" is writable by others (mode %04o)", step, (unsigned)(st->st_mode & 07777));
  return 0;
}

/* realpath once, then every step of the result opened without following
 * symlinks and judged on the opened object: what the runtime will run is
 * this path, and nobody but root can change where it leads. */
static int
trusted_executable (const struct hr_host *host, const char *path, char **resolved, hr_error_t *err)
{
  char buf[PATH_MAX];
  cleanup_free char *steps = NULL;
  cleanup_close int dirfd = -1;
  char *save = NULL;
  struct stat st;

  (void)host;
  if (realpath (path, buf) == NULL)
    return hr_error_set (err, errno, "cannot resolve \"%s\"", path);
  dirfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0 || fstat (dirfd, &st) < 0)
    return hr_error_set (err, errno, "cannot open \"/\"");
  if (check_root_owned (&st, buf, "/", err) < 0)
    return -1;
  steps = xstrdup (buf);
  for (char *name = strtok_r (steps, "/", &save); name; name = strtok_r (NULL, "/", &save))
    {
      cleanup_free char *step = xstrndup (buf, (size_t)(name - steps) + strlen (name));
      int fd = openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

      if (fd < 0)
        return hr_error_set (err, errno, "cannot open \"%s\"", buf);
      close (dirfd);
      dirfd = fd;
      if (fstat (dirfd, &st) < 0)
        return hr_error_set (err, errno, "cannot inspect \"%s\"", buf);
      if (check_root_owned (&st, buf, step, err) < 0)
        return -1;
    }
  if (!S_ISREG (st.st_mode) || (st.st_mode & 0111) == 0)
    return hr_error_set (err, EACCES, "\"%s\" is not an executable file", buf);
  *resolved = xstrdup (buf);
  return 0;
}

#define RUNC_DEFAULT_ROOT "/run/runc"

/* The cgroup of the pids hierarchy (cgroup v1) in a /proc/PID/cgroup text,
 * else the unified one; NULL when neither is there. */
static char *
pids_cgroup_of (const char *pid)
{
  cleanup_free char *file = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *unified = NULL;
  char *save = NULL;

  xasprintf (&file, "/proc/%s/cgroup", pid);
  if ((text = read_proc_file (file, 65536)) == NULL)
    return NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *controllers = strchr (line, ':');
      char *path = controllers ? strchr (controllers + 1, ':') : NULL;

      if (path == NULL)
        continue;
      *path++ = '\0';
      controllers++;
      if (*controllers == '\0' && unified == NULL)
        unified = xstrdup (path);
      for (char *c = controllers; c; c = strchr (c, ','))
        {
          c += *c == ',';
          if (strncmp (c, "pids", 4) == 0 && (c[4] == ',' || c[4] == '\0'))
            return xstrdup (path);
        }
    }
  return hr_steal_pointer (&unified);
}

/* One entry of runc's state directory: its cgroup when its init lives.  A
 * record that cannot be read names no cgroup we could compare. */
static char *
live_container_cgroup (const char *root, const char *id)
{
  cleanup_json struct hr_json *state = NULL;
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *pid_text = NULL;
  int64_t pid;
  uint64_t start;

  if (hr_runc_state_load_init (root, id, &state, &err) <= 0 || !hr_runc_state_init (state, &pid, &start)
      || !hr_process_is (pid, start))
    return NULL;
  xasprintf (&pid_text, "%lld", (long long)pid);
  return pids_cgroup_of (pid_text);
}

/* runc's --root made absolute as runc does (filepath.Abs). */
static char *
runtime_root (const struct hr_host *host)
{
  const char *root = host->runtime_root && *host->runtime_root ? host->runtime_root : RUNC_DEFAULT_ROOT;
  cleanup_free char *cwd = NULL;
  cleanup_free char *joined = NULL;

  if (root[0] == '/')
    return hr_path_clean (root);
  cwd = getcwd (NULL, 0);
  if (cwd == NULL)
    return NULL;
  xasprintf (&joined, "%s/%s", cwd, root);
  return hr_path_clean (joined);
}

/* The live containers of one state directory, appended; skip names the
 * container being created (in the runtime's own directory only: another
 * engine's container of the same name is another container). */
static int
scan_state_dir (const char *root, const char *skip, struct hr_strv *ids, struct hr_strv *cgroups, hr_error_t *err)
{
  DIR *dir = opendir (root);
  struct dirent *de;

  if (dir == NULL)
    return errno == ENOENT ? 0 : hr_error_set (err, errno, "cannot list the runtime's state \"%s\"", root);
  while ((de = readdir (dir)) != NULL)
    {
      char *cgroup;

      if (de->d_name[0] == '.' || hr_streq (de->d_name, skip))
        continue;
      cgroup = live_container_cgroup (root, de->d_name);
      if (cgroup == NULL)
        continue;
      hr_strv_push (ids, de->d_name);
      hr_strv_push_take (cgroups, cgroup);
    }
  closedir (dir);
  return 0;
}

/* Another engine's state directory counts only when it is root's own:
 * a state.json anyone else can write could name any process. */
static bool
root_state_dir (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

static int
live_cgroups (const struct hr_host *host, const struct hr_json *roots, struct hr_strv *ids, struct hr_strv *cgroups,
              char **self, hr_error_t *err)
{
  cleanup_free char *own = runtime_root (host);
  struct hr_strv seen = { 0 };
  int ret = 0;

  *self = pids_cgroup_of ("self");
  if (*self == NULL)
    return hr_error_set (err, 0, "cannot tell the cgroup of the runtime from /proc/self/cgroup");
  if (own == NULL)
    return hr_error_set (err, errno, "cannot resolve the runtime's --root");
  hr_strv_push_take (&seen, resolve_path (host, own) ?: xstrdup (own));
  ret = scan_state_dir (own, host->container_id, ids, cgroups, err);
  for (size_t i = 0; ret == 0 && roots && i < roots->len; i++)
    {
      glob_t g = { 0 };

      if (glob (roots->items[i]->text, GLOB_NOSORT | GLOB_ONLYDIR, NULL, &g) != 0)
        continue;
      for (size_t k = 0; ret == 0 && k < g.gl_pathc; k++)
        {
          cleanup_free char *dir = resolve_path (host, g.gl_pathv[k]);

          if (dir == NULL || hr_strv_contains (&seen, dir) || !root_state_dir (dir))
            continue;
          hr_strv_push (&seen, dir);
          ret = scan_state_dir (dir, NULL, ids, cgroups, err);
        }
      globfree (&g);
    }
  hr_strv_clear (&seen);
  return ret;
}

/* Every container of an image usually gets the same profile, and compiling
 * one costs milliseconds: compiled profiles are kept under /var/cache
 * (runtime/seccomp_cache.c). */
static int
check_seccomp_cached (const struct hr_host *host, const struct hr_json *profile, hr_error_t *err)
{
  return hr_seccomp_cache_check (profile, err);
}

/* A cold merge of Docker's profile costs milliseconds: merges are kept
 * there too, bound to this build of hardrun. */
static struct hr_json *
recall_merge (const struct hr_host *host, const char *inputs, size_t len, struct hr_strv *changed)
{
  return hr_seccomp_cache_recall_merge (inputs, len, changed);
}

static void
remember_merge (const struct hr_host *host, const char *inputs, size_t len, const struct hr_json *merged,
                const struct hr_strv *changed)
{
  hr_seccomp_cache_remember_merge (inputs, len, merged, changed);
}

void
hr_host_enable_caches (struct hr_host *host)
{
  host->check_seccomp = check_seccomp_cached;
  host->recall_merge = recall_merge;
  host->remember_merge = remember_merge;
}

void
hr_host_init (struct hr_host *host, const char *bundle)
{
  memset (host, 0, sizeof *host);
  host->namespace_is_host = namespace_is_host;
  host->resolve_path = resolve_path;
  host->rootfs_has_dir = rootfs_has_dir;
  host->rootfs_resolve = rootfs_resolve;
  host->trusted_executable = trusted_executable;
  host->live_cgroups = live_cgroups;
  host->mount_fact = mount_fact;
  host->namespace_of_container = namespace_of_container;
  host->container_annotation = container_annotation;
  host->resolve_cwd = hr_resolve_cwd;
  host->user_namespace_info = user_namespace_info;
  host->data = (void *)(bundle && *bundle ? bundle : ".");
}
