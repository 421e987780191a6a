/* SPDX-License-Identifier: Apache-2.0 */
/* Shared named volumes live on the volume owner's ids.
 *
 * A docker or podman named volume outlives its container and may be bound
 * by any other container, of any runtime.  Idmapped onto the container's
 * range (its id 0 onto disk id 0), whatever the container's root writes
 * there would land on the host's disk as host root's: a copied busybox
 * made setuid is a setuid-root binary for the next plain-runc container
 * that binds the volume, or for anyone who reaches the directory.  So a
 * shared volume is idmapped onto the volume owner's ids instead (the
 * policy's volume_uid and volume_gid, 65536 of each, outside every
 * container range and above every host user): the container's id N is
 * disk id volume_uid + N.  Nothing the container writes there is owned by
 * a host user; a setuid bit gives at most the volume owner's id, which owns
 * nothing else; file capabilities it writes name that id as their root, so
 * no namespace of the host honours them; device nodes the kernel refuses
 * to any user namespace.
 *
 * The content the engine put in the volume (the image's files at its
 * mount point, copied by dockerd with their owners; the directory itself,
 * made by the engine as root) is moved onto those ids once: every entry
 * whose uid (gid) is below 65536 gets volume_uid (volume_gid) added, so
 * that the container sees it as it was in the image.  A file with more than
 * one link keeps its ids (it may be a host file linked in).  The walk never
 * follows a symlink (each entry is opened O_PATH|O_NOFOLLOW and changed
 * through that descriptor) and never leaves the volume's mount.  A mark
 * (an extended attribute in the trusted namespace, which no container can
 * write) on the volume's directory says the move is done; on a filesystem
 * without one the walk repeats at each create, and finds nothing to do. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "volume_owner.h"

#define MARK_NAME "trusted.hardrun.volume_owner"
/* deeper directories keep their ids (their content shows as nobody) */
#define MAX_DEPTH 256

struct adoption
{
  uint32_t uid;
  uint32_t gid;
  dev_t dev;
};

static uint32_t
moved (uint32_t id, uint32_t base)
{
  return id < HR_VOLUME_IDS ? base + id : id;
}

/* chown clears the setuid and setgid bits of a regular file: they are put
 * back (now on the volume owner's ids, they give no host user's power). */
static int
restore_mode (int fd, const struct stat *st)
{
  char path[64];

  if (!S_ISREG (st->st_mode) || (st->st_mode & (S_ISUID | S_ISGID)) == 0)
    return 0;
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  return chmod (path, st->st_mode & 07777);
}

/* Moves one entry (an O_PATH descriptor of it) onto the owner's ids. */
static int
move_entry (int fd, const struct stat *st, const struct adoption *a, const char *name, hr_error_t *err)
{
  uint32_t uid = moved (st->st_uid, a->uid), gid = moved (st->st_gid, a->gid);

  if (uid == st->st_uid && gid == st->st_gid)
    return 0;
  /* a file with another name somewhere may be a host file hard-linked in
   * (by host root: links never cross mounts): its owner is not the
   * volume's to change, so it keeps its ids and shows as nobody */
  if (!S_ISDIR (st->st_mode) && st->st_nlink > 1)
    return 0;
  if (fchownat (fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 || restore_mode (fd, st) < 0)
    return hr_error_set (err, errno, "cannot give \"%s\" in the volume to the volume owner", name);
  return 0;
}

static int walk (int dirfd, const struct adoption *a, int depth, hr_error_t *err);

/* One entry of a directory: moved, and walked when it is a directory of the
 * same filesystem (another mount under the volume is not the volume's). */
static int
adopt_entry (int dirfd, const char *name, const struct adoption *a, int depth, hr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int sub = -1;
  struct stat st;

  if (fd < 0 || fstat (fd, &st) < 0)
    return errno == ENOENT ? 0 : hr_error_set (err, errno, "cannot open \"%s\" in the volume", name);
  if (st.st_dev != a->dev)
    return 0;
  if (move_entry (fd, &st, a, name, err) < 0)
    return -1;
  if (!S_ISDIR (st.st_mode) || depth >= MAX_DEPTH)
    return 0;
  sub = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sub < 0)
    return hr_error_set (err, errno, "cannot open the directory \"%s\" in the volume", name);
  return walk (sub, a, depth + 1, err);
}

static int
walk (int dirfd, const struct adoption *a, int depth, hr_error_t *err)
{
  int copy = dup (dirfd);
  DIR *dir = copy >= 0 ? fdopendir (copy) : NULL;
  struct dirent *e;
  int ret = 0;

  if (dir == NULL)
    {
      if (copy >= 0)
        close (copy);
      return hr_error_set (err, errno, "cannot read a directory of the volume");
    }
  while (ret == 0 && (errno = 0, e = readdir (dir)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      ret = adopt_entry (dirfd, e->d_name, a, depth, err);
  if (ret == 0 && errno != 0)
    ret = hr_error_set (err, errno, "cannot read a directory of the volume");
  closedir (dir);
  return ret;
}

/* The volume's directory, reached without a symlink anywhere on the way. */
static int
open_volume (const char *root, hr_error_t *err)
{
  struct open_how how = {
    .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  int fd = (int)syscall (SYS_openat2, AT_FDCWD, root, &how, sizeof how);

  if (fd < 0)
    return hr_error_set (err, errno, "cannot open the volume \"%s\"", root);
  return fd;
}

static bool
marked (int fd, const char *mark)
{
  char value[64];
  ssize_t n = fgetxattr (fd, MARK_NAME, value, sizeof value - 1);

  if (n < 0)
    return false;
  value[n] = '\0';
  return strcmp (value, mark) == 0;
}

int
hr_volume_adopt (const char *root, uint32_t volume_uid, uint32_t volume_gid, hr_error_t *err)
{
  cleanup_close int fd = open_volume (root, err);
  struct adoption a = { .uid = volume_uid, .gid = volume_gid };
  char mark[32];
  struct stat st;

  if (fd < 0)
    return -1;
  snprintf (mark, sizeof mark, "%" PRIu32 ":%" PRIu32, volume_uid, volume_gid);
  if (marked (fd, mark))
    return 0;
  /* two creates binding a new volume at once: one walks, the other waits */
  if (flock (fd, LOCK_EX) < 0 || fstat (fd, &st) < 0)
    return hr_error_set (err, errno, "cannot lock the volume \"%s\"", root);
  if (marked (fd, mark))
    return 0;
  a.dev = st.st_dev;
  if (move_entry (fd, &st, &a, root, err) < 0 || walk (fd, &a, 0, err) < 0)
    return hr_error_prefix (err, "volume \"%s\"", root);
  if (fsetxattr (fd, MARK_NAME, mark, strlen (mark), 0) < 0 && errno != ENOTSUP)
    return hr_error_set (err, errno, "cannot mark the volume \"%s\" as the volume owner's", root);
  return 0;
}
