/* SPDX-License-Identifier: Apache-2.0 */
/* An exec into a container whose network, IPC or UTS namespace belongs to
 * another user namespace than the container's own.
 *
 * hardrun gives a container a user namespace; a Kubernetes pod's network
 * namespace (made by the CNI), podman's, and any namespace a spec joins by
 * path still belong to the host's user namespace.  runc 1.1's exec joins the
 * container's user namespace first and the others after it, and by then it
 * is no longer privileged over a namespace the host's user namespace owns:
 * setns fails with EPERM and no process runs (runc 1.2 joins such
 * namespaces first).  So hardrun, root on the host, joins those namespaces
 * itself (through a pidfd of the container's init: the very process runc
 * recorded), and shows runc, in a mount namespace of hardrun's own that ends
 * with runc, a copy of the container's state without them: runc then joins
 * every other namespace as always, and the process inherits the ones hardrun
 * joined.  It ends in exactly the container's namespaces, as runc 1.2 puts
 * it.  runc's record on the host is never changed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec_namespaces.h"
#include "files.h"
#include "hardrun/util.h"
#include "runc_state.h"
#include "userns/idrange.h"

/* The namespaces runc 1.1 joins after the user namespace and that a host
 * root can join first without changing what runc does after: never the
 * mount or pid namespace (they change what runc itself sees). */
static const struct
{
  const char *runc_type; /* libcontainer's name in state.json */
  const char *proc_name; /* /proc/PID/ns/NAME */
  int flag;
} JOINABLE[] = {
  { "NEWIPC", "ipc", CLONE_NEWIPC },
  { "NEWUTS", "uts", CLONE_NEWUTS },
  { "NEWNET", "net", CLONE_NEWNET },
};

static const struct hr_json *
runc_namespaces (const struct hr_json *state)
{
  const struct hr_json *ns = hr_json_get_value (hr_json_get_value (state, "config"), "namespaces");

  return ns && ns->type == HR_JSON_ARRAY ? ns : NULL;
}

static bool
lists_type (const struct hr_json *namespaces, const char *type)
{
  for (size_t i = 0; i < namespaces->len; i++)
    {
      const struct hr_json *t = hr_json_get_value (namespaces->items[i], "type");

      if (hr_json_is_string (t) && strcmp (t->text, type) == 0)
        return true;
    }
  return false;
}

static bool
same_file (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The namespace /proc/PID/ns/NAME belongs to a user namespace other than
 * the one identified by userns; false when it cannot be told (runc then
 * joins it, or says why it cannot). */
static bool
owned_elsewhere (int64_t pid, const char *name, const struct stat *userns)
{
  char path[64];
  struct stat owner;
  int fd, owner_fd;
  bool elsewhere = false;

  snprintf (path, sizeof path, "/proc/%lld/ns/%s", (long long)pid, name);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  owner_fd = ioctl (fd, NS_GET_USERNS);
  if (owner_fd >= 0)
    {
      elsewhere = fstat (owner_fd, &owner) == 0 && !same_file (&owner, userns);
      close (owner_fd);
    }
  close (fd);
  return elsewhere;
}

/* The CLONE_NEW* flags of the namespaces the container lists that its
 * init's user namespace does not own. */
static int
foreign_namespaces (const struct hr_json *namespaces, int64_t pid)
{
  char path[64];
  struct stat userns;
  int flags = 0;

  snprintf (path, sizeof path, "/proc/%lld/ns/user", (long long)pid);
  if (stat (path, &userns) < 0)
    return 0;
  for (size_t i = 0; i < sizeof JOINABLE / sizeof JOINABLE[0]; i++)
    if (lists_type (namespaces, JOINABLE[i].runc_type) && owned_elsewhere (pid, JOINABLE[i].proc_name, &userns))
      flags |= JOINABLE[i].flag;
  return flags;
}

/* The state with the namespaces of flags taken out of config.namespaces. */
static char *
state_without (const struct hr_json *state, int flags, size_t *len)
{
  cleanup_json struct hr_json *copy = hr_json_clone (state);
  struct hr_json *namespaces = hr_json_get_value (hr_json_get_value (copy, "config"), "namespaces");

  for (size_t i = 0; i < sizeof JOINABLE / sizeof JOINABLE[0]; i++)
    for (size_t j = namespaces->len; (flags & JOINABLE[i].flag) && j-- > 0;)
      {
        const struct hr_json *t = hr_json_get_value (namespaces->items[j], "type");

        if (hr_json_is_string (t) && strcmp (t->text, JOINABLE[i].runc_type) == 0)
          hr_json_remove_at (namespaces, j);
      }
  return hr_json_serialize (copy, len);
}

/* In a mount namespace of this process's own (a slave of the host's, so
 * nothing mounted here reaches the host, and it ends with the process),
 * the file at target shows text instead.  The kernel binds only a file
 * that has a name: the copy gets one under /run/hardrun (root's alone)
 * just long enough to be bound. */
static int
show_privately (const char *target, const char *text, size_t len, hr_error_t *err)
{
  char copy[] = HR_STATE_DIR "/exec-state.XXXXXX";
  cleanup_close int fd = -1, target_fd = -1;
  char dest[64];
  int ret;

  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    return hr_error_set (err, errno, "cannot make a private mount namespace");
  target_fd = open (target, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target_fd < 0)
    return hr_error_set (err, errno, "cannot open \"%s\"", target);
  fd = mkostemp (copy, O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "cannot write a copy of the container's state");
  snprintf (dest, sizeof dest, "/proc/self/fd/%d", target_fd);
  ret = hr_write_all (fd, text, len) < 0 || mount (copy, dest, NULL, MS_BIND, NULL) < 0 ? -1 : 0;
  if (ret < 0)
    hr_error_set (err, errno, "cannot show runc a copy of \"%s\"", target);
  unlink (copy);
  return ret;
}

int
hr_exec_join_foreign_namespaces (const char *state_dir, const struct hr_json *state, hr_error_t *err)
{
  const struct hr_json *namespaces = runc_namespaces (state);
  cleanup_close int pidfd = -1;
  cleanup_free char *text = NULL, *target = NULL;
  uint64_t start;
  int64_t pid;
  size_t len;
  int flags;

  if (namespaces == NULL || !lists_type (namespaces, "NEWUSER") || !hr_runc_state_init (state, &pid, &start))
    return 0;
  /* the pidfd is of runc's init only if that pid still started when runc
   * recorded after it was opened; a container that is gone is runc's to
   * report */
  pidfd = (int)syscall (SYS_pidfd_open, (pid_t)pid, 0);
  if (pidfd < 0 || !hr_process_is (pid, start))
    return 0;
  flags = foreign_namespaces (namespaces, pid);
  if (flags == 0)
    return 0;
  if (setns (pidfd, flags) < 0)
    return errno == ESRCH ? 0 : hr_error_set (err, errno, "cannot join the container's namespaces");
  text = state_without (state, flags, &len);
  xasprintf (&target, "%s/state.json", state_dir);
  return show_privately (target, text, len, err);
}
