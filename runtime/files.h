/* SPDX-License-Identifier: Apache-2.0 */
/* bounded reads, atomic replaces and sealed copies of files */
#ifndef HARDRUN_FILES_H
#define HARDRUN_FILES_H

#include "hardrun/error.h"
#include <stddef.h>
#include <sys/stat.h>

/* files.c */
int hr_file_read (int dirfd, const char *name, size_t max_size, char **data, size_t *len, struct stat *st,
                  hr_error_t *err);
/* Replaces name in dirfd with data, atomically: a temporary file in the same
 * directory with the original's mode and owner, fsync, rename, fsync of the
 * directory.  On any error the original is left as it was.  With
 * HR_FILE_DIR_SYNC_LATER the directory is not synced: the caller replaces
 * another file of the same directory next, whose directory sync covers
 * both renames (each fsync costs a few hundred microseconds of create).
 * With HR_FILE_VOLATILE nothing is synced: for hardrun's state under
 * /run/hardrun, which describes live processes only (a crash or a reboot
 * ends every process it names, and a record torn by one is never read
 * back as valid); readers still see the old file or the new one, never a
 * mix, because the rename is atomic. */
enum
{
  HR_FILE_DIR_SYNC_NOW = 0,
  HR_FILE_DIR_SYNC_LATER = 1,
  HR_FILE_VOLATILE = 2,
};
int hr_file_replace (int dirfd, const char *name, const char *data, size_t len, const struct stat *original, int flags,
                     hr_error_t *err);

/* Reads a whole file as runc's os.Open would (symlinks followed; a pipe,
 * /dev/stdin or a process substitution as well as a regular file), once, at
 * most max_size bytes. */
int hr_file_read_stream (const char *path, size_t max_size, char **data, size_t *len, hr_error_t *err);
/* A whole regular file of at most max_size bytes, NUL-terminated: the
 * runtime's one file reader (hr_file_read from the working directory). */
int hr_read_small_file (const char *path, size_t max_size, char **text, size_t *len, hr_error_t *err);

/* mkdir that accepts an existing path (the caller checks what stands
 * there when it matters). */
int hr_make_dir (const char *path, mode_t mode, hr_error_t *err);

/* Writes all of data to fd, again after EINTR and short writes; -1 and errno
 * on failure. */
int hr_write_all (int fd, const char *data, size_t len);

/* A sealed in-memory copy of data, open without close-on-exec at an fd of
 * at least min_fd, so that the real runtime reads exactly it through
 * /proc/self/fd/N: nothing on disk, nothing left to clean up, nothing
 * anyone can change between hardrun's check and the runtime's read. */
int hr_file_private_copy (const char *data, size_t len, int min_fd, hr_error_t *err);

/* openat2(2) of path below rootfd with `resolve` (RESOLVE_IN_ROOT, ...):
 * leading slashes are dropped, "" or "/" is rootfd itself; O_CLOEXEC is
 * added.  -1 with errno set, as open(2). */
int hr_open_beneath (int rootfd, const char *path, int flags, unsigned long long resolve);

#endif
