/* SPDX-License-Identifier: Apache-2.0 */
/* What a container that joins a network namespace it does not own needs
 * from the host: its sysfs and its net.* sysctls.
 *
 * The kernel lets a process mount sysfs, or write a net.* sysctl, only when
 * it is privileged over the network namespace's owning user namespace.  A container that
 * gets a new user namespace from hardrun but joins an existing network
 * namespace (podman's and CNI's netns files, a Kubernetes pod's sandbox,
 * docker's --network container:X) is never privileged over it, so runc's
 * sysfs mount and sysctl writes fail with EPERM.  hardrun, root on the
 * host, mounts a fresh read-only sysfs from inside that network namespace
 * (so /sys/class/net shows the container's interfaces, not the host's) in
 * the stage directory, and the spec binds it instead; it writes the net.*
 * sysctls the policy let through into that namespace, gids translated to
 * the host's, and removes them from the spec.  Never into the host's own
 * network namespace: those stay in the spec, for runc to refuse. */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "host.h"
#include "stage.h"
#include "vfork_call.h"

#define SYSFS_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* The path of the namespace of OCI type `type` the container joins; ""
 * when the spec has no entry of the type (it stays in the runtime's); NULL
 * when runc creates a new one, which the container's user namespace then
 * owns. */
static const char *
joined_namespace (const struct hr_json *spec, const char *type_name)
{
  const struct hr_json *ns = hr_json_get_value (hr_json_get_value (spec, "linux"), "namespaces");

  for (size_t i = 0; ns && ns->type == HR_JSON_ARRAY && i < ns->len; i++)
    {
      const struct hr_json *type = hr_json_get_value (ns->items[i], "type");
      const struct hr_json *path = hr_json_get_value (ns->items[i], "path");

      if (hr_json_is_string (type) && strcmp (type->text, type_name) == 0)
        return hr_json_is_string (path) && path->text[0] ? path->text : NULL;
    }
  return "";
}

struct in_namespace_call
{
  const char *path;
  int nstype;
  int (*action) (const void *arg);
  const void *arg;
};

/* not instrumented: ASan takes the switch to the child's stack for a
 * corrupt one and warns on its stderr */
static int __attribute__ ((no_sanitize_address)) in_namespace_child (void *data)
{
  const struct in_namespace_call *c = data;
  int fd = *c->path ? open (c->path, O_RDONLY | O_CLOEXEC) : -1;

  if (*c->path && (fd < 0 || setns (fd, c->nstype) < 0))
    _exit (errno ? errno : EINVAL);
  _exit (c->action (c->arg) < 0 ? (errno ? errno : EIO) : 0);
}

/* Runs action(arg) in a child that entered the namespace at path, of type
 * nstype ("" for the runtime's own); the child's mounts land in hardrun's
 * mount namespace all the same.  Returns the child's errno (0 on success).
 * The child borrows hardrun's memory (hr_vfork_call). */
static int
in_namespace (const char *path, int nstype, int (*action) (const void *arg), const void *arg)
{
  struct in_namespace_call call = { path, nstype, action, arg };
  int status = hr_vfork_call (in_namespace_child, &call);

  if (status < 0)
    return errno;
  if (!WIFEXITED (status))
    return EINTR;
  return WEXITSTATUS (status);
}

static int
mount_sysfs (const void *target)
{
  return mount ("sysfs", target, "sysfs", SYSFS_FLAGS, NULL);
}

struct sysctl_write
{
  const char *path;
  const char *value;
};

static int
write_sysctl (const void *arg)
{
  const struct sysctl_write *w = arg;
  size_t len = strlen (w->value);
  int fd = open (w->path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write (fd, w->value, len) != (ssize_t)len)
    return -1;
  return close (fd);
}

/* A bind of what hardrun mounted in the stage directory; read-only unless
 * the container must write there. */
static struct hr_json *
staged_bind (const char *source, const char *destination, bool read_only)
{
  static const char *const options[] = { "rbind", "nosuid", "noexec", "nodev", "ro" };
  struct hr_json *m = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *list = hr_json_new (HR_JSON_ARRAY);

  hr_json_set (m, "destination", hr_json_new_string (destination));
  hr_json_set (m, "type", hr_json_new_string ("bind"));
  hr_json_set (m, "source", hr_json_new_string (source));
  for (size_t i = 0; i < HR_ARRAY_SIZE (options) - (read_only ? 0 : 1); i++)
    hr_json_append (list, hr_json_new_string (options[i]));
  hr_json_set (m, "options", list);
  return m;
}

/* A kernel filesystem runc cannot mount in the namespace the container
 * joins: hardrun mounts it from inside that namespace, once, in the stage
 * directory, and every mount of that type in the spec becomes a bind of it. */
struct staged_fs
{
  const char *type; /* "sysfs", "mqueue" */
  const char *ns;   /* the namespace's path, "" for the runtime's own */
  int nstype;       /* CLONE_NEWNET, CLONE_NEWIPC */
  bool read_only;   /* the bind's */
  int (*mount) (const void *target);
};

static int
replace_mounts (struct hr_json *spec, const struct staged_fs *fs, const char *stage_dir, hr_error_t *err)
{
  struct hr_json *mounts = hr_json_get_value (spec, "mounts");
  cleanup_free char *target = NULL;
  bool mounted = false;
  int e;

  xasprintf (&target, "%s/%s", stage_dir, fs->type);
  for (size_t i = 0; mounts && mounts->type == HR_JSON_ARRAY && i < mounts->len; i++)
    {
      const struct hr_json *type = hr_json_get_value (mounts->items[i], "type");
      const struct hr_json *dest = hr_json_get_value (mounts->items[i], "destination");
      struct hr_json *bind;

      if (!hr_json_is_string (type) || strcmp (type->text, fs->type) != 0 || !hr_json_is_string (dest))
        continue;
      if (!mounted)
        {
          if (mkdir (target, 0755) < 0 && errno != EEXIST)
            return hr_error_set (err, errno, "cannot create %s", target);
          if ((e = in_namespace (fs->ns, fs->nstype, fs->mount, target)) != 0)
            return hr_error_set (err, e, "cannot mount %s for the namespace %s", fs->type,
                                 *fs->ns ? fs->ns : "of the runtime");
          mounted = true;
        }
      bind = staged_bind (target, dest->text, fs->read_only);
      hr_json_free (mounts->items[i]);
      mounts->items[i] = bind;
    }
  return 0;
}

static bool
is_hosts_netns (const char *netns)
{
  struct stat a, b;

  if (*netns == '\0')
    return true;
  if (stat (netns, &a) < 0)
    return true; /* runc will fail on it; write nothing */
  return (stat ("/proc/self/ns/net", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
         || (stat ("/proc/1/ns/net", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

/* ping_group_range is read in the writer's user namespace: the container's
 * gids become the host gids they map to. */
static int
host_ping_range (const char *value, const struct hr_id_map *map, char **out, hr_error_t *err)
{
  unsigned long long lo, hi;

  if (sscanf (value, "%llu %llu", &lo, &hi) != 2)
    return hr_error_set (err, 0, "net.ipv4.ping_group_range \"%s\" is not two gids", value);
  if (map == NULL || map->size == 0)
    return hr_error_set (err, 0, "net.ipv4.ping_group_range: the container's gid mapping is not known");
  if (lo > hi)
    return xasprintf (out, "%s", value), 0;
  if (hi >= map->size)
    return hr_error_set (err, 0, "net.ipv4.ping_group_range \"%s\" is outside the container's gids", value);
  xasprintf (out, "%llu %llu", map->host_gid + lo, map->host_gid + hi);
  return 0;
}

static int
write_net_sysctls (struct hr_json *spec, const char *netns, const struct hr_id_map *map, hr_error_t *err)
{
  struct hr_json *sysctl = hr_json_get_value (hr_json_get_value (spec, "linux"), "sysctl");
  size_t i = 0;

  if (sysctl == NULL || sysctl->type != HR_JSON_OBJECT || is_hosts_netns (netns))
    return 0;
  while (i < sysctl->len)
    {
      const char *key = sysctl->members[i].key;
      const struct hr_json *value = sysctl->members[i].value;
      cleanup_free char *path = NULL;
      cleanup_free char *text = NULL;
      struct sysctl_write w;
      int e;

      if (!hr_has_prefix (key, "net.") || !hr_json_is_string (value))
        {
          i++;
          continue;
        }
      if (strcmp (key, "net.ipv4.ping_group_range") == 0 ? host_ping_range (value->text, map, &text, err) < 0 : 0)
        return -1;
      xasprintf (&path, "/proc/sys/%s", key);
      for (char *c = path + strlen ("/proc/sys/"); *c; c++)
        if (*c == '.')
          *c = '/';
      w = (struct sysctl_write){ path, text ? text : value->text };
      if ((e = in_namespace (netns, CLONE_NEWNET, write_sysctl, &w)) != 0)
        return hr_error_set (err, e, "cannot set %s in the network namespace %s", key, netns);
      hr_json_remove (sysctl, key);
    }
  return 0;
}

/* Bind-mounts the namespace descriptor fd at DIR/NAME under the stage
 * directory (DIR root-only) and returns that path. */
static char *
pin_fd (int fd, const char *stage_dir, const char *name, hr_error_t *err)
{
  cleanup_free char *dir = NULL, *target = NULL, *source = NULL;
  int tfd;

  xasprintf (&dir, "%s/ns", stage_dir);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return hr_error_set (err, errno, "cannot create %s", dir), NULL;
  xasprintf (&target, "%s/%s", dir, name);
  xasprintf (&source, "/proc/self/fd/%d", fd);
  tfd = open (target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (tfd < 0)
    return hr_error_set (err, errno, "cannot create %s", target), NULL;
  close (tfd);
  if (mount (source, target, NULL, MS_BIND, NULL) < 0)
    return hr_error_set (err, errno, "cannot pin a namespace at %s", target), NULL;
  return hr_steal_pointer (&target);
}

/* The host id and size of the single mapping entry of list, or false. */
static bool
single_mapping (const struct hr_json *list, int64_t *host_id, int64_t *size)
{
  const struct hr_json *m = list && list->type == HR_JSON_ARRAY && list->len == 1 ? list->items[0] : NULL;
  const struct hr_json *inside = hr_json_get_value (m, "containerID");
  int64_t c = -1;

  return m && inside && hr_json_number_to_int64 (inside, &c) == 0 && c == 0 && hr_json_get_value (m, "hostID")
         && hr_json_number_to_int64 (hr_json_get_value (m, "hostID"), host_id) == 0 && hr_json_get_value (m, "size")
         && hr_json_number_to_int64 (hr_json_get_value (m, "size"), size) == 0;
}

/* A container that shares a pod's range gets a new user namespace with its
 * mapping, since runc 1.1 joins a user namespace before every other one
 * and then cannot join one another user namespace owns (a CNI netns).  When
 * every namespace it joins belongs to one user namespace with exactly that
 * mapping, not the host's (Docker's --network/--ipc container:X of a
 * hardrun container), it joins that one instead: `runc exec`, which always
 * joins the user namespace first, can then join the others too.  fds: the
 * joined namespaces, as the policy judged them. */
static int
join_owner_userns (struct hr_json *spec, const char *stage_dir, const int *fds, size_t n, hr_error_t *err)
{
  struct hr_json *linux_ = hr_json_get_value (spec, "linux");
  struct hr_json *user = NULL, *ns = hr_json_get_value (linux_, "namespaces");
  int64_t uid, gid, size, gsize, ouid, ogid, osize;
  cleanup_close int owner = -1;
  struct stat first, st, self;
  char *pinned;

  for (size_t i = 0; ns && ns->type == HR_JSON_ARRAY && i < ns->len; i++)
    if (hr_json_is_string (hr_json_get_value (ns->items[i], "type"))
        && strcmp (hr_json_get_value (ns->items[i], "type")->text, "user") == 0)
      user = ns->items[i];
  if (n == 0 || user == NULL || hr_json_get_value (user, "path") != NULL
      || !single_mapping (hr_json_get_value (linux_, "uidMappings"), &uid, &size)
      || !single_mapping (hr_json_get_value (linux_, "gidMappings"), &gid, &gsize) || gsize != size)
    return 0;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_close int o = ioctl (fds[i], NS_GET_USERNS);
      if (o < 0 || fstat (o, i == 0 ? &first : &st) < 0)
        return 0;
      if (i > 0 && (st.st_dev != first.st_dev || st.st_ino != first.st_ino))
        return 0;
      if (i == 0)
        owner = hr_steal_fd (&o);
    }
  if (stat ("/proc/self/ns/user", &self) == 0 && self.st_dev == first.st_dev && self.st_ino == first.st_ino)
    return 0;
  if (hr_userns_mapping (owner, &ouid, &ogid, &osize, err) < 0)
    return -1;
  if (osize != size || ouid != uid || ogid != gid)
    return 0;
  pinned = pin_fd (owner, stage_dir, "user", err);
  if (pinned == NULL)
    return -1;
  hr_json_set (user, "path", hr_json_new_string (pinned));
  free (pinned);
  return 0;
}

/* Every namespace the spec joins by path is pinned: the descriptor the
 * policy judged (host.c opened it once) is bind-mounted under the stage
 * directory, root-only, and the spec points there, so runc joins exactly
 * the namespace that was checked whatever happens to the path since. */
static int
pin_namespaces (struct hr_json *spec, const char *stage_dir, hr_error_t *err)
{
  struct hr_json *ns = hr_json_get_value (hr_json_get_value (spec, "linux"), "namespaces");
  int fds[64];
  size_t n = 0;

  for (size_t i = 0; ns && ns->type == HR_JSON_ARRAY && i < ns->len; i++)
    {
      const struct hr_json *type = hr_json_get_value (ns->items[i], "type");
      const struct hr_json *path = hr_json_get_value (ns->items[i], "path");
      cleanup_free char *name = NULL, *pinned = NULL;
      int fd;

      if (!hr_json_is_string (type) || !hr_json_is_string (path) || path->text[0] == '\0')
        continue;
      if ((fd = hr_namespace_open (type->text, path->text, err)) < 0)
        return -1;
      xasprintf (&name, "%zu-%s", i, type->text);
      if ((pinned = pin_fd (fd, stage_dir, name, err)) == NULL)
        return hr_error_prefix (err, "the %s namespace \"%s\"", type->text, path->text);
      hr_json_set (ns->items[i], "path", hr_json_new_string (pinned));
      if (strcmp (type->text, "user") != 0 && n < HR_ARRAY_SIZE (fds))
        fds[n++] = fd;
    }
  return join_owner_userns (spec, stage_dir, fds, n, err);
}

static int
mount_mqueue (const void *target)
{
  return mount ("mqueue", target, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* The kernel lets a process mount mqueue only when it is privileged over
 * the IPC namespace's owning user namespace: a container that joins
 * another's IPC namespace (a pod's) with a user namespace of its own never
 * is.  hardrun mounts it from inside that namespace and the spec binds it. */
static int
replace_mqueue_mounts (struct hr_json *spec, const char *stage_dir, hr_error_t *err)
{
  /* the queues are the pod's to use: not read-only */
  const struct staged_fs mqueue = { "mqueue", joined_namespace (spec, "ipc"), CLONE_NEWIPC, false, mount_mqueue };

  /* only an IPC namespace joined by path: never the runtime's own */
  return mqueue.ns == NULL || *mqueue.ns == '\0' ? 0 : replace_mounts (spec, &mqueue, stage_dir, err);
}

int
hr_stage_netns (struct hr_json *spec, const char *stage_dir, const struct hr_id_map *map, hr_error_t *err)
{
  const char *netns;

  if (pin_namespaces (spec, stage_dir, err) < 0 || replace_mqueue_mounts (spec, stage_dir, err) < 0)
    return hr_error_prefix (err, "joined namespaces");
  netns = joined_namespace (spec, "network");
  if (netns == NULL)
    return 0;
  const struct staged_fs sysfs = { "sysfs", netns, CLONE_NEWNET, true, mount_sysfs };
  if (replace_mounts (spec, &sysfs, stage_dir, err) < 0 || write_net_sysctls (spec, netns, map, err) < 0)
    return hr_error_prefix (err, "joined network namespace");
  return 0;
}
