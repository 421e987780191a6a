/* SPDX-License-Identifier: Apache-2.0 */
/* escape-probe: run inside a container, tries the known routes out of it
 * and prints one line per attempt:
 *
 *   NAME=allowed              the kernel did what was asked (or got past
 *                             its permission checks to the arguments)
 *   NAME=blocked ERRNO        refused: a permission error, seccomp's
 *                             answer, a read-only or masked file
 *   NAME=blocked killed       the attempt's process died of a signal
 *                             (a seccomp kill action)
 *
 * Every attempt runs in a child of its own, so that a seccomp kill or a
 * namespace change does not end or taint the run.  Nothing an attempt that
 * succeeds does changes the host: values are written back as they were
 * read, arguments are chosen so that the kernel fails after its permission
 * checks (an invalid reboot magic, kexec flags, a missing swap file), and
 * created files are removed.  Built static: `cc -static -O2`.
 *
 *   escape-probe [NAME...]   default: every attempt, in the table's order
 *   escape-probe --list      the names */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
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

#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

/* An attempt returns 0 when it got through, -1 with errno when refused. */
typedef int (*attempt_fn) (void);

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

static int
try_mount (void)
{
  return mount ("none", "/mnt", "tmpfs", 0, "size=1m");
}

static int
try_unshare_user (void)
{
  return unshare (CLONE_NEWUSER);
}

static int
try_unshare_mount (void)
{
  return unshare (CLONE_NEWNS);
}

static int
try_setns_pid1_mnt (void)
{
  int fd = open ("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
  return fd < 0 ? -1 : setns (fd, CLONE_NEWNS);
}

static int
try_keyctl (void)
{
  return syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "escape-probe") < 0 ? -1 : 0;
}

static int
try_add_key (void)
{
  return (int)syscall (SYS_add_key, "user", "escape-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING) < 0 ? -1 : 0;
}

static int
try_bpf (void)
{
  /* BPF_MAP_CREATE of a one-entry array map */
  unsigned int attr[30] = { 2 /* BPF_MAP_TYPE_ARRAY */, 4, 4, 1 };
  long fd = syscall (SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof attr);

  if (fd >= 0)
    close ((int)fd);
  return fd < 0 ? -1 : 0;
}

static int
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

static int
try_userfaultfd (void)
{
  /* without UFFD_USER_MODE_ONLY: needs CAP_SYS_PTRACE when
   * vm.unprivileged_userfaultfd is 0 */
  long fd = syscall (SYS_userfaultfd, O_CLOEXEC);

  if (fd >= 0)
    close ((int)fd);
  return fd < 0 ? -1 : 0;
}

static int
try_io_uring (void)
{
  char params[120] = { 0 };
  long fd = syscall (SYS_io_uring_setup, 1, params);

  if (fd >= 0)
    close ((int)fd);
  return fd < 0 ? -1 : 0;
}

static int
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

static int
try_sysrq_trigger (void)
{
  /* opening for writing is the barrier; nothing is written */
  int fd = open ("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
  return fd < 0 ? -1 : close (fd);
}

static int
try_core_pattern (void)
{
  return write_back ("/proc/sys/kernel/core_pattern");
}

static int
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

static int
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

static int
try_mknod_block (void)
{
  return make_node ("/dev/.escape-probe-block", S_IFBLK, makedev (7, 0), false);
}

static int
try_dev_mem (void)
{
  return make_node ("/dev/.escape-probe-mem", S_IFCHR, makedev (1, 1), true);
}

static int
try_af_packet (void)
{
  int fd = socket (AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  return fd < 0 ? -1 : close (fd);
}

static int
try_raw_socket (void)
{
  int fd = socket (AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  return fd < 0 ? -1 : close (fd);
}

static int
try_module_load (void)
{
  /* an invalid descriptor: EBADF once CAP_SYS_MODULE and seccomp let it by */
  return past_checks (syscall (SYS_finit_module, -1, "", 0));
}

static int
try_kexec_load (void)
{
  /* invalid flags: EINVAL after the CAP_SYS_BOOT check */
  return past_checks (syscall (SYS_kexec_load, 0, 0, NULL, 0x7fff0000UL));
}

static int
try_reboot (void)
{
  /* an invalid magic: EINVAL after the CAP_SYS_BOOT check */
  return past_checks (syscall (SYS_reboot, 0, 0, 0x1234, NULL));
}

static int
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

static int
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

static int
try_personality (void)
{
  if (personality (READ_IMPLIES_EXEC) < 0)
    return -1;
  /* granted only if the persona really changed */
  return (personality (0xffffffff) & READ_IMPLIES_EXEC) ? 0 : (errno = EPERM, -1);
}

static int
try_swapon (void)
{
  /* a path that does not exist: ENOENT after the CAP_SYS_ADMIN check */
  if (swapon ("/.escape-probe-no-such-swap", 0) == 0)
    return 0;
  return errno == ENOENT ? 0 : -1;
}

static int
try_syslog (void)
{
  char buf[64];
  return klogctl (3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof buf) < 0 ? -1 : 0;
}

static int
try_acct (void)
{
  /* turning accounting off when it is off changes nothing */
  return (int)syscall (SYS_acct, NULL);
}

static int
try_chroot (void)
{
  return chroot ("/tmp");
}

static int
try_write_rootfs (void)
{
  return create_and_remove ("/.escape-probe");
}

static int
try_write_etc (void)
{
  return create_and_remove ("/etc/.escape-probe");
}

static int
try_write_sysfs (void)
{
  if (access ("/sys/kernel/mm/ksm/run", F_OK) == 0)
    return write_back ("/sys/kernel/mm/ksm/run");
  return write_back ("/sys/module/printk/parameters/time");
}

static int
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

struct attempt
{
  const char *name;
  attempt_fn fn;
};

static const struct attempt attempts[] = {
  { "mount", try_mount },
  { "unshare_user", try_unshare_user },
  { "unshare_mount", try_unshare_mount },
  { "setns_pid1_mnt", try_setns_pid1_mnt },
  { "keyctl", try_keyctl },
  { "add_key", try_add_key },
  { "bpf", try_bpf },
  { "perf_event_open", try_perf_event_open },
  { "userfaultfd", try_userfaultfd },
  { "io_uring", try_io_uring },
  { "open_by_handle_at", try_open_by_handle_at },
  { "sysrq_trigger", try_sysrq_trigger },
  { "core_pattern", try_core_pattern },
  { "kcore", try_kcore },
  { "kmsg", try_kmsg },
  { "mknod_block", try_mknod_block },
  { "dev_mem", try_dev_mem },
  { "af_packet", try_af_packet },
  { "raw_socket", try_raw_socket },
  { "module_load", try_module_load },
  { "kexec_load", try_kexec_load },
  { "reboot", try_reboot },
  { "settimeofday", try_settimeofday },
  { "iopl", try_iopl },
  { "personality_read_implies_exec", try_personality },
  { "swapon", try_swapon },
  { "syslog", try_syslog },
  { "acct", try_acct },
  { "chroot", try_chroot },
  { "write_rootfs", try_write_rootfs },
  { "write_etc", try_write_etc },
  { "write_sysfs", try_write_sysfs },
  { "engine_socket", try_engine_socket },
};

static const char *
errno_name (int e)
{
  static const struct
  {
    int e;
    const char *name;
  } names[] = {
    { EPERM, "EPERM" },   { ENOENT, "ENOENT" },
    { EACCES, "EACCES" }, { EROFS, "EROFS" },
    { ENOSYS, "ENOSYS" }, { EINVAL, "EINVAL" },
    { EBADF, "EBADF" },   { ENXIO, "ENXIO" },
    { ENODEV, "ENODEV" }, { ECONNREFUSED, "ECONNREFUSED" },
    { EEXIST, "EEXIST" }, { ENOMEM, "ENOMEM" },
  };
  static char other[32];

  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (names[i].e == e)
      return names[i].name;
  snprintf (other, sizeof other, "errno%d", e);
  return other;
}

/* The child reports through its exit status: 0 allowed, 1+errno refused. */
static void
run_attempt (const struct attempt *a)
{
  int status;
  pid_t pid;

  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    _exit (a->fn () == 0 ? 0 : 1 + (errno & 0x7f));
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

int
main (int argc, char **argv)
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
