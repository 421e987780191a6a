/* SPDX-License-Identifier: Apache-2.0 */
/* probe: run inside a container by the integration tests; tries the
 * operations the baseline must take away and prints one "name=RESULT" line
 * for each, RESULT being "ok" or the errno's name (EPERM, ENOSYS, ...).
 * Built static (`cc -static`) so it runs on the busybox rootfs.
 *
 *   probe [TEST...]   default: every test, in the order below
 *   probe euid        prints "euid=N" */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

static const char *
errno_name (int e)
{
  static char other[32];

  switch (e)
    {
    case EPERM:
      return "EPERM";
    case ENOENT:
      return "ENOENT";
    case EBADF:
      return "EBADF";
    case ENOMEM:
      return "ENOMEM";
    case EACCES:
      return "EACCES";
    case EFAULT:
      return "EFAULT";
    case EBUSY:
      return "EBUSY";
    case EEXIST:
      return "EEXIST";
    case ENODEV:
      return "ENODEV";
    case ENOTDIR:
      return "ENOTDIR";
    case EINVAL:
      return "EINVAL";
    case EROFS:
      return "EROFS";
    case ENOSYS:
      return "ENOSYS";
    case EDQUOT:
      return "EDQUOT";
    case EOPNOTSUPP:
      return "EOPNOTSUPP";
    case ENOKEY:
      return "ENOKEY";
    case EUSERS:
      return "EUSERS";
    case ENOSPC:
      return "ENOSPC";
    }
  snprintf (other, sizeof other, "errno%d", e);
  return other;
}

static void
report (const char *name, long ret)
{
  printf ("%s=%s\n", name, ret < 0 ? errno_name (errno) : "ok");
  fflush (stdout);
}

/* In a child, so a namespace change does not affect the later tests. */
static void
report_in_child (const char *name, long (*fn) (void))
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      long ret = fn ();
      printf ("%s=%s\n", name, ret < 0 ? errno_name (errno) : "ok");
      fflush (stdout);
      _exit (0);
    }
  if (pid < 0)
    {
      report (name, -1);
      return;
    }
  waitpid (pid, &status, 0);
}

static long
do_keyctl (void)
{
  return syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
}

static long
do_add_key (void)
{
  return syscall (SYS_add_key, "user", "hardrun-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING);
}

static long
do_unshare_user (void)
{
  return unshare (CLONE_NEWUSER);
}

static long
do_unshare_mount (void)
{
  return unshare (CLONE_NEWNS);
}

/* In a mount namespace of its own where it can have one, so that a probe
 * run by mistake outside a container does not mount over the host's /mnt. */
static long
do_mount (void)
{
  if (unshare (CLONE_NEWNS) == 0)
    mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  return mount ("none", "/mnt", "tmpfs", 0, NULL);
}

static long
do_write_root (void)
{
  int fd = open ("/.hardrun-probe", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  close (fd);
  unlink ("/.hardrun-probe");
  return 0;
}

static long
do_clone3 (void)
{
  /* a NULL argument: EFAULT (or EINVAL) when the kernel sees it, ENOSYS
   * when seccomp answers in its place */
  return syscall (SYS_clone3, NULL, 0);
}

static long
do_io_uring (void)
{
  char params[120];
  long fd;

  memset (params, 0, sizeof params);
  fd = syscall (SYS_io_uring_setup, 1, params);
  if (fd >= 0)
    close ((int)fd);
  return fd;
}

static long
do_bpf (void)
{
  char attr[128];

  memset (attr, 0, sizeof attr);
  /* BPF_MAP_CREATE with an empty attribute: EINVAL from the kernel */
  return syscall (SYS_bpf, 0, attr, sizeof attr);
}

static long
do_mknod (void)
{
  long ret = mknod ("/tmp/.hardrun-probe-null", S_IFCHR | 0600, makedev (1, 3));
  if (ret == 0)
    unlink ("/tmp/.hardrun-probe-null");
  return ret;
}

struct test
{
  const char *name;
  long (*fn) (void);
  bool child;
};

static const struct test tests[] = {
  { "keyctl", do_keyctl, false },
  { "add_key", do_add_key, false },
  { "unshare_user", do_unshare_user, true },
  { "unshare_mount", do_unshare_mount, true },
  { "mount", do_mount, true },
  { "write_root", do_write_root, false },
  { "clone3", do_clone3, false },
  { "io_uring_setup", do_io_uring, false },
  { "bpf", do_bpf, false },
  { "mknod", do_mknod, false },
};

/* mkdir(2) itself (libc may call mkdirat), with the mode at argument 1, so
 * that a profile's argument conditions on it can be seen. */
static long
do_mkdir_mode (mode_t mode)
{
  long ret = syscall (SYS_mkdir, "/tmp/.hardrun-probe-dir", mode);
  if (ret == 0)
    rmdir ("/tmp/.hardrun-probe-dir");
  return ret;
}

static long
do_mkdir (void)
{
  return do_mkdir_mode (0700);
}

static long
do_mkdir755 (void)
{
  return do_mkdir_mode (0755);
}

/* Run only when named (the seccomp merge tests): not part of the default
 * run, whose output other suites read. */
static const struct test named_tests[] = {
  { "mkdir", do_mkdir, false },
  { "mkdir755", do_mkdir755, false },
};

static void
run (const struct test *t)
{
  if (t->child)
    report_in_child (t->name, t->fn);
  else
    report (t->name, t->fn ());
}

int
main (int argc, char **argv)
{
  size_t n = sizeof tests / sizeof tests[0];

  /* whose power a setuid copy of the probe runs with */
  if (argc == 2 && strcmp (argv[1], "euid") == 0)
    return printf ("euid=%d\n", (int)geteuid ()) < 0;
  if (argc < 2)
    {
      for (size_t i = 0; i < n; i++)
        run (&tests[i]);
      return 0;
    }
  for (int a = 1; a < argc; a++)
    {
      size_t i;
      for (i = 0; i < n; i++)
        if (strcmp (argv[a], tests[i].name) == 0)
          break;
      if (i < n)
        {
          run (&tests[i]);
          continue;
        }
      for (i = 0; i < sizeof named_tests / sizeof named_tests[0]; i++)
        if (strcmp (argv[a], named_tests[i].name) == 0)
          break;
      if (i == sizeof named_tests / sizeof named_tests[0])
        {
          fprintf (stderr, "probe: unknown test %s\n", argv[a]);
          return 2;
        }
      run (&named_tests[i]);
    }
  return 0;
}
