/* SPDX-License-Identifier: Apache-2.0 */
/* doctor, kernel group: the sysctls that matter to containers, lockdown,
 * the LSMs, cgroups, seccomp and the kernel features hardrun relies on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include "doctor.h"
#include "hardrun/util.h"

enum compare
{
  AT_LEAST, /* the value is >= want */
  EXACTLY,
  AT_MOST,
};

struct sysctl_check
{
  const char *name;
  enum hr_doctor_severity severity;
  enum compare compare;
  long want;
  const char *why;
};

/* What a container host should have, and why.  Each can be set by --fix
 * (through /etc/sysctl.d, so that it survives a reboot). */
static const struct sysctl_check sysctls[] = {
  { "kernel.unprivileged_bpf_disabled", HR_SEVERITY_HIGH, AT_LEAST, 1,
    "unprivileged eBPF is a frequent kernel attack surface from containers" },
  { "kernel.kptr_restrict", HR_SEVERITY_MEDIUM, AT_LEAST, 1, "kernel addresses in /proc help an exploit defeat KASLR" },
  { "kernel.dmesg_restrict", HR_SEVERITY_MEDIUM, EXACTLY, 1,
    "the kernel log leaks addresses and other tenants' events" },
  { "kernel.perf_event_paranoid", HR_SEVERITY_MEDIUM, AT_LEAST, 2, "perf events are a kernel attack surface" },
  { "fs.protected_symlinks", HR_SEVERITY_MEDIUM, EXACTLY, 1,
    "symlinks in sticky world-writable directories redirect root's file operations" },
  { "fs.protected_hardlinks", HR_SEVERITY_MEDIUM, EXACTLY, 1,
    "hardlinks to files one does not own pin setuid binaries and sensitive files" },
  { "fs.protected_fifos", HR_SEVERITY_LOW, AT_LEAST, 1, "FIFOs in sticky directories spoof root's writes" },
  { "fs.protected_regular", HR_SEVERITY_LOW, AT_LEAST, 1, "files in sticky directories spoof root's writes" },
  { "fs.suid_dumpable", HR_SEVERITY_MEDIUM, EXACTLY, 0, "core dumps of setuid programs leak their memory" },
  { "kernel.randomize_va_space", HR_SEVERITY_MEDIUM, EXACTLY, 2, "address space layout randomization, fully" },
  { "net.ipv4.conf.all.rp_filter", HR_SEVERITY_LOW, AT_LEAST, 1,
    "without reverse-path filtering a container can spoof source addresses" },
  { "user.max_user_namespaces", HR_SEVERITY_CRITICAL, AT_LEAST, 1,
    "hardrun gives every container a user namespace: 0 starts no container" },
};

static char *
sysctl_path (const char *name)
{
  char *path, *p;

  xasprintf (&path, "/proc/sys/%s", name);
  for (p = path + strlen ("/proc/sys/"); *p; p++)
    if (*p == '.')
      *p = '/';
  return path;
}

static bool
compare_ok (enum compare c, long have, long want)
{
  switch (c)
    {
    case AT_LEAST:
      return have >= want;
    case EXACTLY:
      return have == want;
    case AT_MOST:
      return have <= want;
    default:
      return false;
    }
}

static const char *
compare_words (enum compare c)
{
  return c == AT_LEAST ? "at least " : c == AT_MOST ? "at most " : "";
}

static void
check_sysctl (struct hr_doctor_report *r, const struct sysctl_check *c)
{
  cleanup_free char *id = NULL, *path = sysctl_path (c->name), *value = hr_doctor_read (path);
  cleanup_free char *expected = NULL;
  struct hr_doctor_finding *f;
  char *end = NULL;
  long have;

  xasprintf (&id, "sysctl.%s", c->name);
  f = hr_doctor_add (r, id, "kernel", c->severity, c->why);
  xasprintf (&expected, "%s%ld", compare_words (c->compare), c->want);
  if (value == NULL)
    {
      hr_doctor_set (f, HR_DOCTOR_SKIP, "absent", expected, "this kernel has no %s", c->name);
      return;
    }
  have = strtol (value, &end, 10);
  if (end != value && *end == '\0' && compare_ok (c->compare, have, c->want))
    {
      hr_doctor_set (f, HR_DOCTOR_PASS, value, expected, "-");
      return;
    }
  hr_doctor_set (f, HR_DOCTOR_FAIL, value, expected,
                 "sysctl -w %s=%ld && echo '%s = %ld' >>/etc/sysctl.d/90-hardrun.conf", c->name, c->want, c->name,
                 c->want);
  f->sysctl = c->name;
  xasprintf (&f->sysctl_value, "%ld", c->want);
}

static void
check_lsm (struct hr_doctor_report *r)
{
  cleanup_free char *lsm = hr_doctor_read ("/sys/kernel/security/lsm");
  struct hr_doctor_finding *f = hr_doctor_add (r, "kernel.lsm", "kernel", HR_SEVERITY_LOW,
                                               "a mandatory access control module confines what hardrun cannot");
  bool mac = lsm && (strstr (lsm, "apparmor") || strstr (lsm, "selinux") || strstr (lsm, "landlock"));

  hr_doctor_set (f, mac ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL, lsm ? lsm : "securityfs not mounted or no LSM",
                 "apparmor, selinux or landlock",
                 "boot with lsm=landlock,lockdown,yama,apparmor (and install apparmor)");
}

static void
check_lockdown (struct hr_doctor_report *r)
{
  cleanup_free char *mode = hr_doctor_read ("/sys/kernel/security/lockdown");
  struct hr_doctor_finding *f = hr_doctor_add (r, "kernel.lockdown", "kernel", HR_SEVERITY_INFO,
                                               "kernel lockdown keeps even root from modifying the running kernel");
  bool on = mode && (strstr (mode, "[integrity]") || strstr (mode, "[confidentiality]"));

  hr_doctor_set (f, on ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL, mode ? mode : "not available", "integrity",
                 "boot with lockdown=integrity");
}

static void
check_cgroups (struct hr_doctor_report *r)
{
  struct statfs fs;
  struct hr_doctor_finding *f = hr_doctor_add (r, "kernel.cgroup_v2", "kernel", HR_SEVERITY_LOW,
                                               "cgroup v2 delegates safely and is what runtimes test first");
  bool v2 = statfs ("/sys/fs/cgroup", &fs) == 0 && fs.f_type == 0x63677270; /* CGROUP2_SUPER_MAGIC */

  hr_doctor_set (f, v2 ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL, v2 ? "v2 (unified)" : "v1 or hybrid", "v2 (unified)",
                 "boot with systemd.unified_cgroup_hierarchy=1");
}

static void
check_seccomp (struct hr_doctor_report *r)
{
  cleanup_free char *actions = hr_doctor_read ("/proc/sys/kernel/seccomp/actions_avail");
  struct hr_doctor_finding *f = hr_doctor_add (r, "kernel.seccomp", "kernel", HR_SEVERITY_CRITICAL,
                                               "hardrun compiles a seccomp filter for every container");
  bool ok = actions && strstr (actions, "kill_process") && strstr (actions, "errno") && strstr (actions, "user_notif");

  hr_doctor_set (f, ok ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL, actions ? actions : "no seccomp",
                 "kill_process, errno and user_notif", "a kernel built with CONFIG_SECCOMP_FILTER (5.0 or later)");
}

/* openat2 (5.6), idmapped mounts (5.12), idmapped layers under overlayfs
 * (5.19) */
static void
check_version (struct hr_doctor_report *r)
{
  struct utsname u;
  int major = 0, minor = 0;
  struct hr_doctor_finding *f = hr_doctor_add (r, "kernel.version", "kernel", HR_SEVERITY_HIGH,
                                               "hardrun relies on openat2, idmapped mounts and overlays of them");

  if (uname (&u) == 0)
    sscanf (u.release, "%d.%d", &major, &minor);
  hr_doctor_set (f, major > 5 || (major == 5 && minor >= 19) ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL, u.release,
                 "5.19 or later", "upgrade the kernel (Debian 12: linux-image from bookworm-backports)");
}

void
hr_doctor_kernel (struct hr_doctor_report *r)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (sysctls); i++)
    check_sysctl (r, &sysctls[i]);
  check_lsm (r);
  check_lockdown (r);
  check_cgroups (r);
  check_seccomp (r);
  check_version (r);
}
