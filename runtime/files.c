/* SPDX-License-Identifier: Apache-2.0 */
/* Reading bundle files and replacing them atomically, so a crash or a full
 * disk leaves either the original or the complete rewrite, never a mix. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/util.h"

int
hr_file_read (int dirfd, const char *name, size_t max_size, char **data, size_t *len, struct stat *st, hr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  cleanup_free char *buf = NULL;
  size_t got = 0;

  if (fd < 0)
    return hr_error_set (err, errno, "cannot open %s", name);
  if (fstat (fd, st) < 0)
    return hr_error_set (err, errno, "cannot stat %s", name);
  if (!S_ISREG (st->st_mode))
    return hr_error_set (err, 0, "%s is not a regular file", name);
  if ((size_t)st->st_size > max_size)
    return hr_error_set (err, EFBIG, "%s is larger than %zu bytes", name, max_size);
  buf = xmalloc ((size_t)st->st_size + 1);
  for (;;)
    {
      ssize_t n = read (fd, buf + got, (size_t)st->st_size + 1 - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hr_error_set (err, errno, "cannot read %s", name);
      if (n == 0)
        break;
      got += (size_t)n;
      if (got > (size_t)st->st_size)
        return hr_error_set (err, 0, "%s grew while it was read", name);
    }
  buf[got] = '\0';
  *len = got;
  *data = hr_steal_pointer (&buf);
  return 0;
}

int
hr_read_small_file (const char *path, size_t max_size, char **text, size_t *len, hr_error_t *err)
{
  struct stat st;

  return hr_file_read (AT_FDCWD, path, max_size, text, len, &st, err);
}

int
hr_make_dir (const char *path, mode_t mode, hr_error_t *err)
{
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    return hr_error_set (err, errno, "cannot create %s", path);
  return 0;
}

int
hr_write_all (int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      data += n;
      len -= (size_t)n;
    }
  return 0;
}

static int
create_temp (int dirfd, const char *name, mode_t mode, char **tmp_name, hr_error_t *err)
{
  for (int attempt = 0; attempt < 16; attempt++)
    {
      unsigned long long r = 0;
      int fd;

      if (getrandom (&r, sizeof r, 0) < 0)
        r = (unsigned long long)getpid () * 2654435761ULL + (unsigned long long)attempt;
      free (*tmp_name);
      xasprintf (tmp_name, ".%s.hardrun-%016llx", name, r);
      fd = openat (dirfd, *tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
      if (fd >= 0)
        return fd;
      if (errno != EEXIST)
        return hr_error_set (err, errno, "cannot create a temporary file next to %s", name);
    }
  return hr_error_set (err, EEXIST, "cannot create a temporary file next to %s", name);
}

int
hr_file_replace (int dirfd, const char *name, const char *data, size_t len, const struct stat *original, int flags,
                 hr_error_t *err)
{
  cleanup_free char *tmp_name = NULL;
  cleanup_close int fd = create_temp (dirfd, name, original->st_mode, &tmp_name, err);
  int saved;

  if (fd < 0)
    return -1;
  if (fchmod (fd, original->st_mode & 07777) < 0 || fchown (fd, original->st_uid, original->st_gid) < 0
      || hr_write_all (fd, data, len) < 0 || (!(flags & HR_FILE_VOLATILE) && fsync (fd) < 0))
    goto fail;
  if (renameat (dirfd, tmp_name, dirfd, name) < 0)
    goto fail;
  if (!(flags & (HR_FILE_DIR_SYNC_LATER | HR_FILE_VOLATILE)))
    fsync (dirfd);
  return 0;

fail:
  saved = errno;
  unlinkat (dirfd, tmp_name, 0);
  return hr_error_set (err, saved, "cannot write %s", name);
}

int
hr_file_read_stream (const char *path, size_t max_size, char **data, size_t *len, hr_error_t *err)
{
  /* as runc's os.Open: symlinks followed, whatever the file is */
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  cleanup_free char *buf = NULL;
  size_t got = 0, cap = 0;

  if (fd < 0)
    return hr_error_set (err, errno, "cannot open %s", path);
  for (;;)
    {
      ssize_t n;

      if (got == cap)
        {
          if (cap > max_size)
            return hr_error_set (err, EFBIG, "%s is larger than %zu bytes", path, max_size);
          cap = cap ? cap * 2 : 16384;
          buf = xrealloc (buf, cap + 1);
        }
      n = read (fd, buf + got, cap - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hr_error_set (err, errno, "cannot read %s", path);
      if (n == 0)
        break;
      got += (size_t)n;
    }
  if (got > max_size)
    return hr_error_set (err, EFBIG, "%s is larger than %zu bytes", path, max_size);
  buf[got] = '\0';
  *len = got;
  *data = hr_steal_pointer (&buf);
  return 0;
}

int
hr_file_private_copy (const char *data, size_t len, int min_fd, hr_error_t *err)
{
  cleanup_close int fd = memfd_create ("hardrun-process", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  int copy;

  if (fd < 0)
    return hr_error_set (err, errno, "cannot create the private process file");
  if (hr_write_all (fd, data, len) < 0)
    return hr_error_set (err, errno, "cannot write the private process file");
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    return hr_error_set (err, errno, "cannot seal the private process file");
  /* F_DUPFD: the copy survives the execve (runc opens /proc/self/fd/N);
   * it takes the lowest free fd from min_fd on, never one the caller
   * passes to the runtime */
  copy = fcntl (fd, F_DUPFD, min_fd);
  if (copy < 0)
    return hr_error_set (err, errno, "cannot keep the private process file open");
  return copy;
}

int
hr_open_beneath (int rootfd, const char *path, int flags, unsigned long long resolve)
{
  struct open_how how = { .flags = (unsigned long long)(flags | O_CLOEXEC), .resolve = resolve };
  const char *rel = path + strspn (path, "/");

  return (int)syscall (SYS_openat2, rootfd, rel[0] ? rel : ".", &how, sizeof how);
}
