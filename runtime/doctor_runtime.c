/* SPDX-License-Identifier: Apache-2.0 */
/* doctor, runtime group: hardrun, the real runtime and the policy are
 * root's alone; the runtime's version against the runc escapes of recent
 * years; the audit log and hardrun's state are private. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "doctor.h"
#include "hardrun/util.h"
#include "policy_source.h"
#include "real_runtime.h"
#include "runtime_trust.h"

static void
check_trusted_file (struct hr_doctor_report *r, const char *id, const char *title, const char *path)
{
  struct hr_doctor_finding *f = hr_doctor_add (r, id, "runtime", HR_SEVERITY_CRITICAL, title);
  hr_error_t err = NULL;

  if (hr_check_root_owned (path, "the file", false, &err) == 0)
    hr_doctor_set (f, HR_DOCTOR_PASS, path, "root's alone, in root's directories", "-");
  else
    hr_doctor_set (f, HR_DOCTOR_FAIL, err->msg, "root's alone, in root's directories",
                   "chown root:root %s && chmod go-w %s (and its directories)", path, path);
  hr_error_free (&err);
}

static void
check_hardrun (struct hr_doctor_report *r)
{
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);

  if (n < 0)
    return;
  self[n] = '\0';
  check_trusted_file (r, "runtime.hardrun_owner", "anyone who can replace hardrun owns every container", self);
}

/* The output of `runtime --version`, first line. */
static char *
runtime_version (const char *runtime)
{
  cleanup_free char *cmd = NULL;
  char line[256] = "";
  FILE *p;

  xasprintf (&cmd, "'%s' --version 2>/dev/null", runtime);
  p = popen (cmd, "re");
  if (p == NULL)
    return NULL;
  if (fgets (line, sizeof line, p) == NULL)
    line[0] = '\0';
  pclose (p);
  line[strcspn (line, "\n")] = '\0';
  return xstrdup (line);
}

/* runc 1.1.12 fixed CVE-2024-21626 (leaked fds, cwd in /proc/self/fd) and
 * 1.2.8 / 1.3.3 the 2025 mount races (CVE-2025-31133, -52565, -52881);
 * runc 1.0.0-rc6 fixed CVE-2019-5736. */
static void
check_runtime_version (struct hr_doctor_report *r, const char *runtime)
{
  cleanup_free char *line = runtime_version (runtime);
  struct hr_doctor_finding *f = hr_doctor_add (r, "runtime.runc_version", "runtime", HR_SEVERITY_HIGH,
                                               "the real runtime carries the fixes for the runc escapes");
  int major = 0, minor = 0, patch = 0;
  const char *v = line ? strstr (line, "version ") : NULL;
  bool distro;

  if (v == NULL || sscanf (v + 8, "%d.%d.%d", &major, &minor, &patch) != 3)
    {
      hr_doctor_set (f, HR_DOCTOR_FAIL, line ? line : "no version", "runc 1.2.8, 1.3.3 or later",
                     "install a current runc");
      return;
    }
  distro = strchr (v + 8, '+') != NULL || strchr (v + 8, '~') != NULL;
  if ((major == 1 && minor == 2 && patch >= 8) || (major == 1 && minor == 3 && patch >= 3) || (major == 1 && minor >= 4)
      || major > 1)
    hr_doctor_set (f, HR_DOCTOR_PASS, line, "runc 1.2.8, 1.3.3 or later", "-");
  else if (distro)
    hr_doctor_set (f, HR_DOCTOR_FAIL, line,
                   "runc 1.2.8, 1.3.3 or later; a distribution build may carry backported fixes that its "
                   "version string does not show: doctor cannot tell",
                   "check the distribution's advisories for CVE-2024-21626 and CVE-2025-31133/52565/52881 "
                   "against %s",
                   line);
  else
    hr_doctor_set (f, HR_DOCTOR_FAIL, line, "runc 1.2.8, 1.3.3 or later", "install runc 1.2.8, 1.3.3 or later");
}

static void
check_real_runtime (struct hr_doctor_report *r, const struct hr_policy *policy)
{
  struct hr_doctor_finding *f = hr_doctor_add (r, "runtime.real_runtime", "runtime", HR_SEVERITY_CRITICAL,
                                               "the real runtime is root's alone (and the pinned build)");
  cleanup_free char *runtime = NULL;
  hr_error_t err = NULL;

  if (hr_find_runtime (policy->runtime, policy->runtime_sha256, &runtime, &err) < 0)
    {
      hr_doctor_set (f, HR_DOCTOR_FAIL, err->msg, "a trusted runc",
                     "install runc root-owned (apt-get install runc), or fix the policy's runtime and runtime_sha256");
      hr_error_free (&err);
      return;
    }
  hr_doctor_set (f, HR_DOCTOR_PASS, runtime, policy->runtime_sha256 ? "root's alone, the pinned build" : "root's alone",
                 "-");
  check_runtime_version (r, runtime);
}

static void
check_private_dir (struct hr_doctor_report *r, const char *id, const char *title, const char *path, const char *owner,
                   const char *mode)
{
  struct hr_doctor_finding *f = hr_doctor_add (r, id, "runtime", HR_SEVERITY_HIGH, title);
  cleanup_free char *found = NULL;
  struct stat st;

  if (lstat (path, &st) < 0)
    {
      hr_doctor_set (f, HR_DOCTOR_SKIP, "absent", "root's, not writable by others", "-");
      return;
    }
  xasprintf (&found, "%s uid %u mode %04o", path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
  if (st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH)) && !S_ISLNK (st.st_mode))
    hr_doctor_set (f, HR_DOCTOR_PASS, found, "root's, not writable by others", "-");
  else
    hr_doctor_set (f, HR_DOCTOR_FAIL, found, "root's, not writable by others", "chown %s %s && chmod %s %s", owner,
                   path, mode, path);
}

void
hr_doctor_runtime (struct hr_doctor_report *r, const struct hr_cli *cli)
{
  struct hr_doctor_finding *f;
  struct hr_policy *policy;
  cleanup_free char *audit_log = hr_policy_audit_log (cli);
  cleanup_free char *audit_dir = xstrdup (audit_log);
  hr_error_t err = NULL;

  check_hardrun (r);
  f = hr_doctor_add (r, "runtime.policy", "runtime", HR_SEVERITY_CRITICAL,
                     "the policy is root's alone and valid (otherwise no container starts)");
  policy = hr_load_policy (cli, true, &err);
  if (policy == NULL)
    {
      hr_doctor_set (f, HR_DOCTOR_FAIL, err->msg, "a trusted, valid policy", "hardrun policy validate FILE");
      hr_error_free (&err);
    }
  else
    {
      hr_doctor_set (f, HR_DOCTOR_PASS, cli->policy_path ? cli->policy_path : HARDRUN_DEFAULT_POLICY_PATH,
                     "a trusted, valid policy", "-");
      check_real_runtime (r, policy);
      hr_policy_free (policy);
    }
  if (strrchr (audit_dir, '/'))
    *strrchr (audit_dir, '/') = '\0';
  check_private_dir (r, "runtime.audit_log_dir", "the audit log cannot be rewritten by anyone but root", audit_dir,
                     "root:adm", "0750");
  check_private_dir (r, "runtime.audit_log", "the audit log cannot be rewritten by anyone but root", audit_log,
                     "root:adm", "0640");
  check_private_dir (r, "runtime.state_dir", "hardrun's state (/run/hardrun) is root's alone", "/run/hardrun",
                     "root:root", "0711");
}
