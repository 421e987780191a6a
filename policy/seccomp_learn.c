/* SPDX-License-Identifier: Apache-2.0 */
/* Learned seccomp profiles: the floor every profile allows, the profile a
 * container runs under while its system calls are learned, and the minimal
 * profile made from what it was seen to use.  The kernel's side (reading
 * its seccomp log records) is in runtime/cmd_seccomp.c. */
#include <stdlib.h>
#include <string.h>

#include "hardrun/util.h"
#include "seccomp_profile.h"

/* Calls every process makes too often to be worth a log record each (the
 * kernel rate-limits them), or that the runtime needs between loading the
 * filter and starting the process. */
const char *const hr_seccomp_floor[] = {
  "read",
  "write",
  "close",
  "fstat",
  "newfstatat",
  "lseek",
  "mmap",
  "munmap",
  "mprotect",
  "brk",
  "rt_sigaction",
  "rt_sigprocmask",
  "rt_sigreturn",
  "futex",
  "exit",
  "exit_group",
  "execve",
  "arch_prctl",
  "set_tid_address",
  "set_robust_list",
  "rseq",
  "getpid",
  "gettid",
  "clock_gettime",
  "clock_nanosleep",
  "nanosleep",
  "sched_yield",
  "restart_syscall",
  "getuid",
  "geteuid",
  "getgid",
  "getegid",
  NULL,
};

static struct hr_json *
syscall_rule (struct hr_json *names, const char *action)
{
  struct hr_json *rule = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (rule, "names", names);
  hr_json_set (rule, "action", hr_json_new_string (action));
  return rule;
}

static struct hr_json *
name_list (const char *const *names, size_t n)
{
  struct hr_json *list = hr_json_new (HR_JSON_ARRAY);

  for (size_t i = 0; i < n; i++)
    hr_json_append (list, hr_json_new_string (names[i]));
  return list;
}

static size_t
floor_len (void)
{
  size_t n = 0;
  while (hr_seccomp_floor[n])
    n++;
  return n;
}

struct hr_json *
hr_seccomp_learning_profile (const struct hr_json *must_deny)
{
  struct hr_json *profile = hr_json_new (HR_JSON_OBJECT), *syscalls = hr_json_new (HR_JSON_ARRAY);
  struct hr_json *denied = hr_json_clone (must_deny);

  hr_json_set (profile, "defaultAction", hr_json_new_string ("SCMP_ACT_LOG"));
  hr_json_set (profile, "architectures", hr_seccomp_native_architectures ());
  hr_json_append (syscalls, syscall_rule (name_list (hr_seccomp_floor, floor_len ()), "SCMP_ACT_ALLOW"));
  /* learning is no licence: the calls behind escapes stay denied */
  if (denied->len > 0)
    {
      struct hr_json *rule = syscall_rule (denied, "SCMP_ACT_ERRNO");
      hr_json_set (rule, "errnoRet", hr_json_new_int (1));
      hr_json_append (syscalls, rule);
    }
  else
    hr_json_free (denied);
  hr_json_set (profile, "syscalls", syscalls);
  return profile;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

struct hr_json *
hr_seccomp_learned_profile (const struct hr_strv *seen)
{
  struct hr_json *profile = hr_json_new (HR_JSON_OBJECT), *syscalls = hr_json_new (HR_JSON_ARRAY);
  struct hr_strv names = { 0 };

  for (size_t i = 0; hr_seccomp_floor[i]; i++)
    hr_strv_push (&names, hr_seccomp_floor[i]);
  for (size_t i = 0; i < seen->len; i++)
    if (!hr_strv_contains (&names, seen->items[i]))
      hr_strv_push (&names, seen->items[i]);
  qsort (names.items, names.len, sizeof (char *), compare_names);
  hr_json_set (profile, "defaultAction", hr_json_new_string ("SCMP_ACT_ERRNO"));
  hr_json_set (profile, "defaultErrnoRet", hr_json_new_int (1));
  hr_json_set (profile, "architectures", hr_seccomp_native_architectures ());
  hr_json_append (syscalls, syscall_rule (name_list ((const char *const *)names.items, names.len), "SCMP_ACT_ALLOW"));
  hr_json_set (profile, "syscalls", syscalls);
  hr_strv_clear (&names);
  return profile;
}
