/* SPDX-License-Identifier: Apache-2.0 */
/* What each rule is, for people and CI: a stable id (never renumbered, never
 * reused), a severity, the spec field it judges (RFC 6901 pointer) and the
 * fix in words.  Kept apart from the rules' logic: metadata only. */
#include <string.h>
#include <strings.h>

#include "hardrun/enforce.h"

static const struct hr_rule_meta metas[] = {
  { "user_namespace", "HR-USERNS-001", "high", "/linux/namespaces",
    "runs the container in a private user namespace with a free id range, so root inside is nobody outside",
    "give the container its own user namespace, or run it under a profile whose user_namespace rule is audit" },
  { "host_namespaces", "HR-HOSTNS-001", "high", "/linux/namespaces",
    "refuses the host's pid, network, ipc and uts namespaces (absent, or a path to the host's)",
    "drop hostPID/hostNetwork/hostIPC (--pid/--net/--ipc host), or allow the type in host_namespaces.allow_host" },
  { "readonly_rootfs", "HR-ROROOT-001", "medium", "/root/readonly",
    "makes the root filesystem read-only, with writable tmpfs where the image needs them",
    "write to a volume or tmpfs instead of the image, or turn readonly_rootfs off in the profile" },
  { "capabilities", "HR-CAPS-001", "high", "/process/capabilities",
    "keeps only the capabilities in capabilities.allow in every set",
    "drop the capability (--cap-drop), or add it to capabilities.allow of a profile for this workload" },
  { "no_new_privileges", "HR-NNP-001", "medium", "/process/noNewPrivileges",
    "sets noNewPrivileges so setuid files and file capabilities grant nothing", "nothing to do: it is only set" },
  { "exec_flags", "HR-EXEC-001", "medium", "/process",
    "refuses runc exec flags that ask for privilege by name (--cap, --apparmor, --process-label, --no-new-privs=false)",
    "exec without those flags, or set exec_flags to audit in a profile for this workload" },
  { "privileged", "HR-PRIV-001", "high", "/linux",
    "turns --privileged (a device rule allowing every device) into an ordinary hardened container, or refuses it",
    "drop --privileged and grant the one device or capability needed, or use a profile that allows it" },
  { "devices", "HR-DEV-001", "high", "/linux/devices",
    "allows only the device nodes and device cgroup rules in devices.nodes or devices.cgroup_rules",
    "drop the device (--device), or add it to devices.nodes or devices.cgroup_rules of the profile" },
  { "sensitive_mounts", "HR-MOUNT-001", "critical", "/mounts",
    "refuses bind mounts and volumes that expose sensitive host paths (/, /etc, engine state, sockets)",
    "bind a narrower directory, or add it to sensitive_mounts.exceptions (or .volumes) of a profile for this "
    "workload" },
  { "proc_sys_mounts", "HR-PROCSYS-001", "high", "/mounts",
    "allows proc and sysfs mounts only at /proc and /sys, where their masked paths apply",
    "remove the extra proc or sysfs mount" },
  { "bind_options", "HR-BINDOPT-001", "medium", "/mounts", "adds nosuid and nodev to every bind mount",
    "nothing to do: the options are only added" },
  { "masked_paths", "HR-MASK-001", "medium", "/linux/maskedPaths",
    "masks the kernel interfaces in masked_paths.masked and keeps them read-only",
    "do not unmask (--security-opt systempaths=unconfined), or change masked_paths.masked in the profile" },
  { "pids_limit", "HR-PIDS-001", "low", "/linux/resources/pids/limit",
    "sets a pids limit when there is none or a higher one", "set --pids-limit at most the profile's pids_limit.limit" },
  { "sysctls", "HR-SYSCTL-001", "medium", "/linux/sysctl", "allows only the sysctls in sysctls.allow",
    "drop the sysctl (--sysctl), or add it to sysctls.allow of the profile" },
  { "process_cwd", "HR-CWD-001", "high", "/process/cwd",
    "refuses a working directory that leads out of the container (/proc/self/fd, symlinks to the host)",
    "use a working directory inside the image" },
  { "process_limits", "HR-RLIMIT-001", "low", "/process/rlimits",
    "refuses or caps rlimits beyond what the engines give by default (RTPRIO, MEMLOCK, ...)",
    "ask for rlimits within the profile's process_limits.rlimits" },
  { "process_labels", "HR-LABEL-001", "medium", "/process",
    "replaces an unconfined AppArmor profile with the policy's, or refuses it",
    "drop apparmor=unconfined / label=disable, or use a profile that allows them" },
  { "hooks", "HR-HOOK-001", "critical", "/hooks",
    "runs a host hook only when its kind, path, executable, args and env match hooks.allowed",
    "remove the hook, or add its exact shape to hooks.allowed of the policy" },
  { "cgroups_path", "HR-CGROUP-001", "high", "/linux/cgroupsPath",
    "refuses a cgroupsPath that lands in another container's or the host's cgroup",
    "let the engine choose the cgroup (no --cgroup-parent outside its own tree)" },
  { "secrets", "HR-SECRET-001", "medium", "/process/env",
    "refuses credentials written into the spec (token formats, high-entropy values under secret names)",
    "pass secrets at run time from a secret store or as files (a secret volume), not in the spec" },
  { "seccomp", "HR-SECCOMP-001", "high", "/linux/seccomp",
    "keeps a seccomp profile at least as strict as the default profile",
    "drop seccomp=unconfined, or give a profile that is a subset of the default" },
};

size_t
hr_rule_meta_count (void)
{
  return sizeof metas / sizeof metas[0];
}

const struct hr_rule_meta *
hr_rule_meta_at (size_t index)
{
  return index < hr_rule_meta_count () ? &metas[index] : NULL;
}

const struct hr_rule_meta *
hr_rule_meta_find (const char *name_or_id)
{
  for (size_t i = 0; i < hr_rule_meta_count (); i++)
    if (strcmp (metas[i].name, name_or_id) == 0 || strcasecmp (metas[i].id, name_or_id) == 0)
      return &metas[i];
  return NULL;
}
