/* SPDX-License-Identifier: Apache-2.0 */
/* files.c: bundle files read whole and bounded, replaced atomically with
 * the original's mode and owner, read as runc's os.Open reads them, and
 * sealed private copies no one can change after hardrun's check. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/util.h"
#include "userns/rootfs_path.h"

static char dir[] = "/tmp/hardrun-files-XXXXXX";
static int dirfd_ = -1;

static void
make_dir (void)
{
  cr_assert_not_null (mkdtemp (dir));
  dirfd_ = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cr_assert_geq (dirfd_, 0);
}

static void
remove_dir (void)
{
  char cmd[80];

  close (dirfd_);
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq (system (cmd), 0);
}

static void
put (const char *name, const char *text, mode_t mode)
{
  int fd = openat (dirfd_, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

  cr_assert_geq (fd, 0);
  cr_assert_eq (write (fd, text, strlen (text)), (ssize_t)strlen (text));
  cr_assert_eq (fchmod (fd, mode), 0);
  close (fd);
}

/* the names in the directory, one per line, sorted by ls */
static char *
listing (void)
{
  char cmd[96], *out = xcalloc (1, 4096);
  FILE *p;
  size_t n;

  snprintf (cmd, sizeof cmd, "ls -A %s", dir);
  p = popen (cmd, "r");
  cr_assert_not_null (p);
  n = fread (out, 1, 4095, p);
  out[n] = '\0';
  pclose (p);
  return out;
}

TestSuite (files, .init = make_dir, .fini = remove_dir);

Test (files, read_is_whole_and_bounded)
{
  cleanup_free char *data = NULL;
  hr_error_t err = NULL;
  struct stat st;
  size_t len = 0;

  put ("config.json", "{\"a\":1}", 0640);
  cr_assert_eq (hr_file_read (dirfd_, "config.json", 100, &data, &len, &st, &err), 0);
  cr_assert_str_eq (data, "{\"a\":1}");
  cr_assert_eq (len, 7);
  cr_assert_eq (st.st_mode & 07777, 0640);
  /* one byte over the limit is refused, not cut */
  cr_assert_eq (hr_file_read (dirfd_, "config.json", 6, &data, &len, &st, &err), -1);
  cr_assert_eq (err->status, EFBIG);
  hr_error_free (&err);
}

Test (files, read_refuses_what_is_not_a_regular_file)
{
  cleanup_free char *data = NULL;
  hr_error_t err = NULL;
  struct stat st;
  size_t len;

  cr_assert_eq (mkdirat (dirfd_, "sub", 0755), 0);
  cr_assert_eq (hr_file_read (dirfd_, "sub", 100, &data, &len, &st, &err), -1);
  cr_assert (strstr (err->msg, "not a regular file") != NULL, "%s", err->msg);
  hr_error_free (&err);
  cr_assert_eq (hr_file_read (dirfd_, "missing", 100, &data, &len, &st, &err), -1);
  cr_assert_eq (err->status, ENOENT);
  hr_error_free (&err);
}

/* synced, and volatile (hardrun's /run state): the same atomic replace */
static void
replace_keeps_mode_and_owner (int flags)
{
  cleanup_free char *data = NULL;
  cleanup_free char *names = NULL;
  hr_error_t err = NULL;
  struct stat st, after;
  size_t len;

  put ("config.json", "old", 0604);
  cr_assert_eq (fchownat (dirfd_, "config.json", 1234, 5678, 0), 0, "%s", strerror (errno));
  cr_assert_eq (fstatat (dirfd_, "config.json", &st, 0), 0);
  cr_assert_eq (hr_file_replace (dirfd_, "config.json", "new text", 8, &st, flags, &err), 0, "%s", err ? err->msg : "");
  cr_assert_eq (hr_file_read (dirfd_, "config.json", 100, &data, &len, &after, &err), 0);
  cr_assert_str_eq (data, "new text");
  cr_assert_eq (after.st_mode & 07777, 0604);
  cr_assert_eq (after.st_uid, 1234);
  cr_assert_eq (after.st_gid, 5678);
  cr_assert_neq (after.st_ino, st.st_ino, "replaced by rename, not rewritten in place");
  names = listing ();
  cr_assert_str_eq (names, "config.json\n");
}

Test (files, replace_keeps_mode_and_owner_and_leaves_no_temporary)
{
  if (geteuid () != 0)
    cr_skip_test ("needs root to give the file another owner");
  replace_keeps_mode_and_owner (HR_FILE_DIR_SYNC_NOW);
  replace_keeps_mode_and_owner (HR_FILE_VOLATILE);
}

Test (files, replace_failing_leaves_the_original)
{
  cleanup_free char *data = NULL;
  cleanup_free char *names = NULL;
  hr_error_t err = NULL;
  struct stat st, after;
  size_t len;

  put ("config.json", "original", 0600);
  cr_assert_eq (fstatat (dirfd_, "config.json", &st, 0), 0);
  /* a directory where the file is: the rename fails */
  cr_assert_eq (mkdirat (dirfd_, "target", 0755), 0);
  cr_assert_eq (mkdirat (dirfd_, "target/x", 0755), 0);
  cr_assert_eq (hr_file_replace (dirfd_, "target", "new", 3, &st, HR_FILE_DIR_SYNC_NOW, &err), -1);
  hr_error_free (&err);
  cr_assert_eq (hr_file_read (dirfd_, "config.json", 100, &data, &len, &after, &err), 0);
  cr_assert_str_eq (data, "original");
  names = listing ();
  cr_assert_str_eq (names, "config.json\ntarget\n", "a temporary file was left: %s", names);
}

Test (files, read_stream_follows_links_and_reads_pipes_bounded)
{
  cleanup_free char *data = NULL;
  char path[96], link[96];
  hr_error_t err = NULL;
  size_t len;
  int fds[2];

  put ("process.json", "{\"args\":[\"sh\"]}", 0600);
  snprintf (path, sizeof path, "%s/process.json", dir);
  snprintf (link, sizeof link, "%s/link", dir);
  cr_assert_eq (symlink (path, link), 0);
  cr_assert_eq (hr_file_read_stream (link, 100, &data, &len, &err), 0);
  cr_assert_str_eq (data, "{\"args\":[\"sh\"]}");
  free (data), data = NULL;
  /* a pipe, as a process substitution gives it */
  cr_assert_eq (pipe (fds), 0);
  cr_assert_eq (write (fds[1], "{}", 2), 2);
  close (fds[1]);
  snprintf (path, sizeof path, "/proc/self/fd/%d", fds[0]);
  cr_assert_eq (hr_file_read_stream (path, 100, &data, &len, &err), 0);
  cr_assert_str_eq (data, "{}");
  close (fds[0]);
  free (data), data = NULL;
  cr_assert_eq (hr_file_read_stream (link, 5, &data, &len, &err), -1);
  cr_assert_eq (err->status, EFBIG);
  hr_error_free (&err);
}

Test (files, private_copy_is_sealed_and_survives_exec)
{
  hr_error_t err = NULL;
  char buf[16] = { 0 };
  int fd = hr_file_private_copy ("{\"x\":1}", 7, 100, &err);

  cr_assert_geq (fd, 100, "%s", err ? err->msg : "");
  cr_assert_eq (fcntl (fd, F_GETFD) & FD_CLOEXEC, 0, "the runtime must inherit it");
  cr_assert_eq (pread (fd, buf, sizeof buf - 1, 0), 7);
  cr_assert_str_eq (buf, "{\"x\":1}");
  /* nobody can change it after the check */
  cr_assert_eq (pwrite (fd, "!", 1, 0), -1);
  cr_assert_eq (ftruncate (fd, 0), -1);
  cr_assert_eq (fcntl (fd, F_ADD_SEALS, 0), -1, "seals are sealed");
  close (fd);
}

/* rootfs_path.c: the longest existing prefix of a container path, resolved
 * inside the rootfs as runc resolves it.  A clean path without symlinks is
 * taken as written; every other is resolved by the kernel and read back. */
static void
expect_split (const char *path, const char *resolved, const char *rest)
{
  const char *got_rest = NULL;
  cleanup_free char *got = hr_rootfs_split (dirfd_, dir, path, &got_rest);

  cr_assert_not_null (got, "%s", path);
  cr_expect_str_eq (got, resolved, "%s", path);
  cr_expect_str_eq (got_rest, rest, "%s", path);
}

Test (files, rootfs_split_resolves_symlinks_inside_the_rootfs)
{
  /* path, what exists of it resolved in the rootfs, the rest as written */
  static const struct
  {
    const char *path, *resolved, *rest;
  } cases[] = {
    { "/", "/", "" },
    { "/etc/file", "/etc/file", "" },
    { "//etc/missing/deeper", "/etc", "missing/deeper" },
    { "/etc/file/below", "/etc/file", "below" },
    { "/abs/file", "/etc/file", "" }, /* abs -> /etc */
    { "/abs", "/etc", "" },
    { "/up/file", "/etc/file", "" }, /* up -> ../../../../etc, kept inside */
    { "/etc/../etc/file", "/etc/file", "" },
    { "/../../etc", "/etc", "" },
    { "/dangling/x", "/", "dangling/x" }, /* dangling -> /nowhere */
    { "/etc/", "/etc", "" },
    { "/abs/", "/etc", "" },
  };
  int probe = hr_open_beneath (dirfd_, ".", O_PATH, RESOLVE_IN_ROOT);

  /* valgrind before 3.20 answers openat2 with ENOSYS */
  if (probe < 0 && errno == ENOSYS)
    cr_skip_test ("needs openat2 (Linux 5.6; under valgrind, 3.20 or later)");
  cr_assert_geq (probe, 0);
  close (probe);
  cr_assert_eq (mkdirat (dirfd_, "etc", 0755), 0);
  put ("etc/file", "x", 0644);
  cr_assert_eq (symlinkat ("/etc", dirfd_, "abs"), 0);
  cr_assert_eq (symlinkat ("../../../../etc", dirfd_, "up"), 0);
  cr_assert_eq (symlinkat ("/nowhere", dirfd_, "dangling"), 0);

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_split (cases[i].path, cases[i].resolved, cases[i].rest);
}
