/* SPDX-License-Identifier: Apache-2.0 */
/* probe: the one program the integration tests run inside a container.
 * Built static (`cc -static`, tests/integration/helpers.bash puts it at
 * /bin/probe in the shared rootfs) so it runs on the busybox rootfs.
 *
 *   probe [TEST...]   tries the operations the baseline must take away and
 *                     prints one "name=RESULT" line for each, RESULT being
 *                     "ok" or the errno's name (EPERM, ENOSYS, ...);
 *                     default: every test of `tests`, in its order
 *   probe euid        prints "euid=N" (whose power a setuid copy runs with)
 *   probe escape [NAME...]
 *                     tries the known routes out of a container (default:
 *                     every attempt of `attempts`) and prints one line each:
 *                       NAME=allowed        the kernel did what was asked
 *                                           (or got past its permission
 *                                           checks to the arguments)
 *                       NAME=blocked ERRNO  refused: a permission error,
 *                                           seccomp's answer, a read-only
 *                                           or masked file
 *                       NAME=blocked killed the attempt's process died of a
 *                                           signal (a seccomp kill action)
 *                     then "escape-probe=done".  Every attempt runs in a
 *                     child of its own, so that a seccomp kill or a
 *                     namespace change does not end or taint the run.
 *                     Nothing an attempt that succeeds does changes the
 *                     host: values are written back as they were read,
 *                     arguments are chosen so that the kernel fails after
 *                     its permission checks (an invalid reboot magic, kexec
 *                     flags, a missing swap file), created files are
 *                     removed.
 *   probe escape --list  the attempts' names */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
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
  static const struct
  {
    int e;
    const char *name;
  } names[] = {
    { EPERM, "EPERM" },   { ENOENT, "ENOENT" },   { EBADF, "EBADF" },           { ENOMEM, "ENOMEM" },
    { EACCES, "EACCES" }, { EFAULT, "EFAULT" },   { EBUSY, "EBUSY" },           { EEXIST, "EEXIST" },
    { ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EINVAL, "EINVAL" },         { EROFS, "EROFS" },
    { ENOSYS, "ENOSYS" }, { EDQUOT, "EDQUOT" },   { EOPNOTSUPP, "EOPNOTSUPP" }, { ENOKEY, "ENOKEY" },
    { EUSERS, "EUSERS" }, { ENOSPC, "ENOSPC" },   { ENXIO, "ENXIO" },           { ECONNREFUSED, "ECONNREFUSED" },
  };
  static char other[32];

  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (names[i].e == e)
      return names[i].name;
  snprintf (other, sizeof other, "errno%d", e);
  return other;
}

/* ---- probe [TEST...] ---- */

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

/* ---- probe escape [NAME...] ---- */

/* Errors that mean the kernel (or seccomp, or a mount) said no. */
static bool
is_refusal (int e)
{
  return e == EPERM || e == EACCES || e == EROFS || e == ENOSYS || e == ENOENT || e == ENXIO || e == ENODEV;
}

/* The attempt reached the kernel's work behind its permission checks. */
static int
past_checks (long ret)
{
  if (ret >= 0 || !is_refusal (errno))
    return 0;
  return -1;
}

/* Writes back exactly what the file holds: a success changes nothing. */
static int
write_back (const char *path)
{
  char buf[4096];
  ssize_t n;
  int fd = open (path, O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf);
  if (n <= 0 || lseek (fd, 0, SEEK_SET) < 0 || write (fd, buf, (size_t)n) != n)
    {
      int e = n == 0 ? EACCES : errno;
      close (fd);
      errno = e;
      return -1;
    }
  return close (fd);
}

static int
create_and_remove (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0)
    return -1;
  close (fd);
  return unlink (path);
}

/* mknod at path, then (when want_read) read from it, with a buffer large
   enough for a whole /dev/kmsg record (a shorter read is EINVAL there). */
static int
make_node (const char *path, mode_t type, dev_t dev, bool want_read)
{
  int fd, ret = 0;
  char buf[8192];

  unlink (path);
  if (mknod (path, type | 0600, dev) < 0)
    return -1;
  if (want_read)
    {
      fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0 || read (fd, buf, sizeof buf) < 0)
        ret = errno == EAGAIN ? 0 : -1;
      if (fd >= 0)
        close (fd);
    }
  unlink (path);
  return ret;
}

/* ---- the attempts ---- */

static long
try_mount (void)
{
  return mount ("none", "/mnt", "tmpfs", 0, "size=1m");
}

static long
try_setns_pid1_mnt (void)
{
  int fd = open ("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
  return fd < 0 ? -1 : setns (fd, CLONE_NEWNS);
}

static long
try_keyctl (void)
{
  return syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "escape-probe") < 0 ? -1 : 0;
}

static long
try_bpf (void)
{
  /* BPF_MAP_CREATE of a one-entry array map */
  unsigned int attr[30] = { 2 /* BPF_MAP_TYPE_ARRAY */, 4, 4, 1 };
  long fd = syscall (SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof attr);

  if (fd >= 0)
    close ((int)fd);
  return fd < 0 ? -1 : 0;
}

static long
try_perf_event_open (void)
{
  /* a kernel-side hardware-independent event: needs perf_event_paranoid
   * below 2 or CAP_PERFMON */
  struct perf_event_attr attr = { .type = PERF_TYPE_SOFTWARE, .size = sizeof attr, .config = PERF_COUNT_SW_CPU_CLOCK };
  long fd = syscall (SYS_perf_event_open, &attr, 0, -1, -1, 0);

  if (fd >= 0)
    close ((int)fd);
  return fd < 0 ? -1 : 0;
}

static long
try_userfaultfd (void)
{
  /* without UFFD_USER_MODE_ONLY: needs CAP_SYS_PTRACE when
   * vm.unprivileged_userfaultfd is 0 */
  long fd = syscall (SYS_userfaultfd, O_CLOEXEC);

  if (fd >= 0)
    close ((int)fd);
  return fd < 0 ? -1 : 0;
}

static long
try_open_by_handle_at (void)
{
  /* the "shocker" route: a handle for / opened without a path */
  struct
  {
    struct file_handle h;
    unsigned char data[128];
  } fh = { .h.handle_bytes = 128 };
  int mount_id, fd;

  if (name_to_handle_at (AT_FDCWD, "/", &fh.h, &mount_id, 0) < 0)
    return -1;
  fd = open_by_handle_at (open ("/", O_RDONLY | O_DIRECTORY), &fh.h, O_RDONLY);
  if (fd < 0)
    return -1;
  return close (fd);
}

static long
try_sysrq_trigger (void)
{
  /* opening for writing is the barrier; nothing is written */
  int fd = open ("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
  return fd < 0 ? -1 : close (fd);
}

static long
try_core_pattern (void)
{
  return write_back ("/proc/sys/kernel/core_pattern");
}

static long
try_kcore (void)
{
  char c;
  int fd = open ("/proc/kcore", O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return -1;
  n = read (fd, &c, 1);
  close (fd);
  if (n == 1)
    return 0;
  errno = n == 0 ? EACCES : errno; /* masked: an empty file */
  return -1;
}

static long
try_kmsg (void)
{
  char buf[8192];
  int fd = open ("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT)
    return make_node ("/dev/.escape-probe-kmsg", S_IFCHR, makedev (1, 11), true);
  if (fd < 0 || (read (fd, buf, sizeof buf) < 0 && errno != EAGAIN))
    return -1;
  return close (fd);
}

static long
try_mknod_block (void)
{
  return make_node ("/dev/.escape-probe-block", S_IFBLK, makedev (7, 0), false);
}

static long
try_dev_mem (void)
{
  return make_node ("/dev/.escape-probe-mem", S_IFCHR, makedev (1, 1), true);
}

static long
try_af_packet (void)
{
  int fd = socket (AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  return fd < 0 ? -1 : close (fd);
}

static long
try_raw_socket (void)
{
  int fd = socket (AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  return fd < 0 ? -1 : close (fd);
}

static long
try_module_load (void)
{
  /* an invalid descriptor: EBADF once CAP_SYS_MODULE and seccomp let it by */
  return past_checks (syscall (SYS_finit_module, -1, "", 0));
}

static long
try_kexec_load (void)
{
  /* invalid flags: EINVAL after the CAP_SYS_BOOT check */
  return past_checks (syscall (SYS_kexec_load, 0, 0, NULL, 0x7fff0000UL));
}

static long
try_reboot (void)
{
  /* an invalid magic: EINVAL after the CAP_SYS_BOOT check */
  return past_checks (syscall (SYS_reboot, 0, 0, 0x1234, NULL));
}

static long
try_settimeofday (void)
{
  /* the time zone alone, written back as it is (UTC: no clock warp) */
  struct timeval tv;
  struct timezone tz;

  if (syscall (SYS_gettimeofday, &tv, &tz) < 0)
    return -1;
  if (tz.tz_minuteswest != 0)
    {
      errno = EINVAL; /* not UTC: a first tz write would warp the clock */
      return -1;
    }
  return (int)syscall (SYS_settimeofday, NULL, &tz);
}

static long
try_iopl (void)
{
#if defined(__x86_64__) || defined(__i386__)
  if (iopl (3) < 0)
    return -1;
  return iopl (0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

static long
try_personality (void)
{
  if (personality (READ_IMPLIES_EXEC) < 0)
    return -1;
  /* granted only if the persona really changed */
  return (personality (0xffffffff) & READ_IMPLIES_EXEC) ? 0 : (errno = EPERM, -1);
}

static long
try_swapon (void)
{
  /* a path that does not exist: ENOENT after the CAP_SYS_ADMIN check */
  if (swapon ("/.escape-probe-no-such-swap", 0) == 0)
    return 0;
  return errno == ENOENT ? 0 : -1;
}

static long
try_syslog (void)
{
  char buf[64];
  return klogctl (3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof buf) < 0 ? -1 : 0;
}

static long
try_acct (void)
{
  /* turning accounting off when it is off changes nothing */
  return (int)syscall (SYS_acct, NULL);
}

static long
try_chroot (void)
{
  return chroot ("/tmp");
}

static long
try_write_etc (void)
{
  return create_and_remove ("/etc/.escape-probe");
}

static long
try_write_sysfs (void)
{
  if (access ("/sys/kernel/mm/ksm/run", F_OK) == 0)
    return write_back ("/sys/kernel/mm/ksm/run");
  return write_back ("/sys/module/printk/parameters/time");
}

static long
try_engine_socket (void)
{
  static const char *const sockets[]
      = { "/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/run/podman/podman.sock" };
  int last = ENOENT;

  for (size_t i = 0; i < sizeof sockets / sizeof *sockets; i++)
    {
      struct sockaddr_un addr = { .sun_family = AF_UNIX };
      int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

      snprintf (addr.sun_path, sizeof addr.sun_path, "%s", sockets[i]);
      if (fd >= 0 && connect (fd, (struct sockaddr *)&addr, sizeof addr) == 0)
        return close (fd);
      last = errno;
      if (fd >= 0)
        close (fd);
    }
  errno = last;
  return -1;
}

/* Each attempt returns >= 0 when it got through, -1 with errno when
 * refused; every one runs in a child of its own (run_attempt). */
static const struct test attempts[] = {
  { "mount", try_mount, true },
  { "unshare_user", do_unshare_user, true },
  { "unshare_mount", do_unshare_mount, true },
  { "setns_pid1_mnt", try_setns_pid1_mnt, true },
  { "keyctl", try_keyctl, true },
  { "add_key", do_add_key, true },
  { "bpf", try_bpf, true },
  { "perf_event_open", try_perf_event_open, true },
  { "userfaultfd", try_userfaultfd, true },
  { "io_uring", do_io_uring, true },
  { "open_by_handle_at", try_open_by_handle_at, true },
  { "sysrq_trigger", try_sysrq_trigger, true },
  { "core_pattern", try_core_pattern, true },
  { "kcore", try_kcore, true },
  { "kmsg", try_kmsg, true },
  { "mknod_block", try_mknod_block, true },
  { "dev_mem", try_dev_mem, true },
  { "af_packet", try_af_packet, true },
  { "raw_socket", try_raw_socket, true },
  { "module_load", try_module_load, true },
  { "kexec_load", try_kexec_load, true },
  { "reboot", try_reboot, true },
  { "settimeofday", try_settimeofday, true },
  { "iopl", try_iopl, true },
  { "personality_read_implies_exec", try_personality, true },
  { "swapon", try_swapon, true },
  { "syslog", try_syslog, true },
  { "acct", try_acct, true },
  { "chroot", try_chroot, true },
  { "write_rootfs", do_write_root, true },
  { "write_etc", try_write_etc, true },
  { "write_sysfs", try_write_sysfs, true },
  { "engine_socket", try_engine_socket, true },
};

/* The child reports through its exit status: 0 allowed, 1+errno refused. */
static void
run_attempt (const struct test *a)
{
  int status;
  pid_t pid;

  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    _exit (a->fn () >= 0 ? 0 : 1 + (errno & 0x7f));
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    {
      printf ("%s=error %s\n", a->name, strerror (errno));
      return;
    }
  if (WIFSIGNALED (status))
    printf ("%s=blocked killed by signal %d\n", a->name, WTERMSIG (status));
  else if (WEXITSTATUS (status) == 0)
    printf ("%s=allowed\n", a->name);
  else
    printf ("%s=blocked %s\n", a->name, errno_name (WEXITSTATUS (status) - 1));
  fflush (stdout);
}

static int
escape_main (int argc, char **argv)
{
  size_t n = sizeof attempts / sizeof *attempts;

  if (argc == 2 && strcmp (argv[1], "--list") == 0)
    {
      for (size_t i = 0; i < n; i++)
        puts (attempts[i].name);
      return 0;
    }
  for (size_t i = 0; i < n; i++)
    {
      bool wanted = argc == 1;
      for (int j = 1; j < argc && !wanted; j++)
        wanted = strcmp (argv[j], attempts[i].name) == 0;
      if (wanted)
        run_attempt (&attempts[i]);
    }
  printf ("escape-probe=done\n");
  return 0;
}

int
main (int argc, char **argv)
{
  size_t n = sizeof tests / sizeof tests[0];

  if (argc >= 2 && strcmp (argv[1], "escape") == 0)
    return escape_main (argc - 1, argv + 1);
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
