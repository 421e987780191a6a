/* SPDX-License-Identifier: Apache-2.0 */
/* The merge of seccomp profiles (policy/seccomp_merge.c), judged by what the
 * kernel answers: each case merges two profiles, builds the filter as runc
 * builds it (libseccomp), loads it in a child process and makes real calls
 * there.  mkdir(NULL or 1, mode) and rmdir(NULL) touch nothing: when the
 * filter lets them through, the kernel answers EFAULT. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../policy/seccomp_profile.h"
#include "files.h"
#include "hardrun/json.h"
#include "hardrun/util.h"

#define KILLED 1000 /* the call killed (or trapped) the process: SIGSYS */
#define MAX_PROBES 6

/* One call: nr with two arguments, and the answer expected (an errno, 0,
 * or KILLED). */
struct probe
{
  long nr;
  unsigned long a0, a1;
  int expect;
};

struct merge_case
{
  const char *name;
  const char *first;  /* the spec's profile */
  const char *second; /* the base profile */
  struct probe probes[MAX_PROBES];
  const char *has[3]; /* texts the merged profile must contain */
};

/* The calls a child needs to report (write, exit) and none other. */
#define NEEDED "{\"names\":[\"exit_group\",\"exit\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}"
/* An allowlist (default EPERM) allowing mkdir unconditionally. */
#define ALLOWLIST_MKDIR                                                                                                \
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" NEEDED                                                        \
  ",{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"
#define ALLOWLIST_NO_MKDIR "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" NEEDED "]}"
#define ALLOW_BUT(rules) "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[" rules "]}"
#define MKDIR_RULE(action, extra) "{\"names\":[\"mkdir\"],\"action\":\"" action "\"" extra "}"
#define ARG1(op, value) ",\"args\":[{\"index\":1,\"value\":" #value ",\"op\":\"" op "\"}]"

#define MKDIR(mode, expect)                                                                                            \
  {                                                                                                                    \
    SYS_mkdir, 0, mode, expect                                                                                         \
  }
#define MKDIR_AT1(mode, expect)                                                                                        \
  {                                                                                                                    \
    SYS_mkdir, 1, mode, expect                                                                                         \
  }
#define RMDIR(expect)                                                                                                  \
  {                                                                                                                    \
    SYS_rmdir, 0, 0, expect                                                                                            \
  }

static const struct merge_case cases[] = {
  { "allow-by-default denial of mkdir kept (EACCES), the allowlist around it",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_ERRNO", ",\"errnoRet\":13")),
    ALLOWLIST_MKDIR,
    { MKDIR (0755, EACCES), RMDIR (EPERM) },
    { NULL } },
  { "a denial under a condition keeps its condition, beside an unconditional allow",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_ERRNO", ",\"errnoRet\":13" ARG1 ("SCMP_CMP_EQ", 448))),
    ALLOWLIST_MKDIR,
    { MKDIR (0700, EACCES), MKDIR (0755, EFAULT), RMDIR (EPERM) },
    { NULL } },
  { "kill kept", ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_KILL", "")), ALLOWLIST_MKDIR, { MKDIR (0755, KILLED) }, { NULL } },
  { "kill-process kept",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_KILL_PROCESS", "")),
    ALLOWLIST_MKDIR,
    { MKDIR (0755, KILLED) },
    { NULL } },
  { "trap kept", ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_TRAP", "")), ALLOWLIST_MKDIR, { MKDIR (0755, KILLED) }, { NULL } },
  { "log kept where the base allows",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_LOG", "")),
    ALLOWLIST_MKDIR,
    { MKDIR (0755, EFAULT) },
    { "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_LOG\"}" } },
  { "log loses to the base's denial",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_LOG", "")),
    ALLOWLIST_NO_MKDIR,
    { MKDIR (0755, EPERM) },
    { NULL } },
  { "notify kept where the base allows",
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/agent.sock\",\"listenerMetadata\":\"m\","
    "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
    "\"syscalls\":[" MKDIR_RULE ("SCMP_ACT_NOTIFY", "") "]}",
    ALLOWLIST_MKDIR,
    { RMDIR (EPERM) },
    { "\"listenerPath\":\"/run/agent.sock\",\"listenerMetadata\":\"m\"",
      "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}", "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"]" } },
  { "notify loses to the base's denial",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_NOTIFY", "")),
    ALLOWLIST_NO_MKDIR,
    { MKDIR (0755, EPERM) },
    { NULL } },
  { "the spec's errno wins a tie of denials; a call only the spec allows gets the base's",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":[" NEEDED
    ",{\"names\":[\"rmdir\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    ALLOWLIST_MKDIR,
    { MKDIR (0755, ENOSYS), RMDIR (EPERM) },
    { "\"defaultErrnoRet\":38" } },
  { "conditional allows on both sides: only what both allow",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" NEEDED "," MKDIR_RULE (
        "SCMP_ACT_ALLOW", ARG1 ("SCMP_CMP_EQ", 448)) "," MKDIR_RULE ("SCMP_ACT_ALLOW", ARG1 ("SCMP_CMP_EQ", 493)) "]}",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" NEEDED ",{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_"
    "ALLOW\",\"args\":[{\"index\":1,\"value\":448,\"valueTwo\":448,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
    { MKDIR (0700, EFAULT), MKDIR (0755, EFAULT), MKDIR (0600, EPERM), MKDIR (0777, EPERM) },
    { NULL } },
  { "overlapping denials on two arguments: each keeps its errno where it alone matches",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_ERRNO", ",\"errnoRet\":13" ARG1 ("SCMP_CMP_EQ", 448)) "," MKDIR_RULE (
        "SCMP_ACT_ERRNO", ",\"errnoRet\":22,\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]")),
    ALLOWLIST_MKDIR,
    { MKDIR (0755, EINVAL), MKDIR_AT1 (0700, EACCES), MKDIR_AT1 (0755, EFAULT) },
    { NULL } },
  { "a kill in the base beats the spec's errno",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_ERRNO", ",\"errnoRet\":13")),
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" NEEDED "," MKDIR_RULE ("SCMP_ACT_KILL", "") "]}",
    { MKDIR (0755, KILLED) },
    { NULL } },
  { "a region that needs two comparisons of one argument fails closed (strictest action for the call)",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_ERRNO", ",\"errnoRet\":13" ARG1 ("SCMP_CMP_LT", 64)) "," MKDIR_RULE (
        "SCMP_ACT_ERRNO", ",\"errnoRet\":13" ARG1 ("SCMP_CMP_GT", 448))),
    ALLOWLIST_MKDIR,
    { MKDIR (0777, EACCES), MKDIR (0, EACCES), MKDIR (0500, EACCES) },
    { NULL } },
  { "a negated masked condition: denied unless the mask matches",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" NEEDED ",{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_"
    "ALLOW\",\"args\":[{\"index\":1,\"value\":18,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
    ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_ERRNO", ",\"errnoRet\":13" ARG1 ("SCMP_CMP_EQ", 448))),
    { MKDIR (0700, EACCES), MKDIR (0777, EPERM), MKDIR (0744, EFAULT), MKDIR (0701, EFAULT) },
    { NULL } },
};

static struct hr_json *
parse (const char *text)
{
  hr_error_t err = NULL;
  struct hr_json *j = hr_json_parse (text, strlen (text), &err);

  cr_assert_not_null (j, "%s: %s", text, err ? err->msg : "");
  return j;
}

/* What the kernel answers to p under the profile's filter. */
static int
answer (const struct hr_json *profile, const struct probe *p)
{
  scmp_filter_ctx ctx;
  hr_error_t err = NULL;
  pid_t pid;
  int status;

  cr_assert_eq (hr_seccomp_build (profile, &ctx, &err), 0, "%s", err ? err->msg : "");
  pid = fork ();
  cr_assert_geq (pid, 0);
  if (pid == 0)
    {
      long ret;
      signal (SIGSYS, SIG_DFL);
      if (seccomp_load (ctx) < 0)
        _exit (255);
      ret = syscall (p->nr, p->a0, p->a1);
      _exit (ret == 0 ? 0 : errno);
    }
  seccomp_release (ctx);
  cr_assert_eq (waitpid (pid, &status, 0), pid);
  if (WIFSIGNALED (status))
    return WTERMSIG (status) == SIGSYS ? KILLED : -WTERMSIG (status);
  cr_assert_neq (WEXITSTATUS (status), 255, "seccomp_load failed");
  return WEXITSTATUS (status);
}

static size_t
conditional_rules (const struct hr_json *profile)
{
  const struct hr_json *syscalls = hr_json_get (profile, "syscalls");
  size_t n = 0;

  for (size_t i = 0; i < syscalls->len; i++)
    n += hr_json_get (syscalls->items[i], "args") != NULL;
  return n;
}

static struct hr_json *
merge (const char *first, const char *second)
{
  cleanup_json struct hr_json *a = parse (first);
  cleanup_json struct hr_json *b = parse (second);
  const struct hr_json *profiles[] = { a, b };
  hr_error_t err = NULL;
  struct hr_json *merged = hr_seccomp_merge (profiles, 2, NULL, &err);

  cr_assert_not_null (merged, "%s", err ? err->msg : "");
  return merged;
}

/* valgrind, for one, hides the seccomp(2) that libseccomp probes for its
 * API level: then no filter can be loaded here. */
#define REQUIRE_LOADABLE_FILTERS()                                                                                     \
  do                                                                                                                   \
    if (seccomp_api_get () < 3)                                                                                        \
      cr_skip_test ("libseccomp API level %u here: filters cannot be loaded", seccomp_api_get ());                     \
  while (0)

Test (seccomp_merge, table_of_profile_pairs_as_the_kernel_answers)
{
  REQUIRE_LOADABLE_FILTERS ();
  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      const struct merge_case *c = &cases[i];
      cleanup_json struct hr_json *merged = merge (c->first, c->second);
      cleanup_free char *text = hr_json_serialize (merged, NULL);
      hr_error_t err = NULL;

      cr_assert_eq (hr_seccomp_compile (merged, &err), 0, "%s: %s", c->name, err ? err->msg : "");
      for (size_t k = 0; k < HR_ARRAY_SIZE (c->has) && c->has[k]; k++)
        cr_assert (strstr (text, c->has[k]) != NULL, "%s: %s lacks %s", c->name, text, c->has[k]);
      for (size_t k = 0; k < MAX_PROBES && c->probes[k].nr; k++)
        {
          int got = answer (merged, &c->probes[k]);
          cr_assert_eq (got, c->probes[k].expect, "%s: probe %zu answered %d, expected %d; merged %s", c->name, k, got,
                        c->probes[k].expect, text);
        }
      /* the merge is its own fixed point, but for a result with more
       * conditional rules than a merge takes in for one call (32): "mode &
       * 022 == 0 but not 0700" takes 61 rules of one masked comparison
       * each, and merged again the call fails closed (stricter) */
      if (conditional_rules (merged) <= 32)
        {
          cleanup_json struct hr_json *again = merge (text, c->second);
          cr_assert (hr_json_equal (again, merged), "%s: merging again changed it", c->name);
        }
    }
}

/* Why the merge computes regions instead of concatenating rules: libseccomp
 * lets an unconditional rule shadow every conditional rule of the same
 * call, whatever their actions.  Concatenated, the spec's "EACCES when mode
 * is 0700" vanishes behind the allowlist's plain allow of mkdir. */
Test (seccomp_merge, concatenating_rules_would_loosen_the_spec)
{
  cleanup_json struct hr_json *concat
      = parse ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" NEEDED
               ",{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ALLOW\"}," MKDIR_RULE (
                   "SCMP_ACT_ERRNO", ",\"errnoRet\":13" ARG1 ("SCMP_CMP_EQ", 448)) "]}");
  const struct probe p = MKDIR (0700, 0);

  REQUIRE_LOADABLE_FILTERS ();
  cr_assert_eq (answer (concat, &p), EFAULT, "libseccomp changed: the shadowing the merge avoids is gone");
}

Test (seccomp_merge, changed_calls_are_named)
{
  cleanup_json struct hr_json *a = parse (ALLOW_BUT (MKDIR_RULE ("SCMP_ACT_ERRNO", ",\"errnoRet\":13")));
  cleanup_json struct hr_json *b = parse (ALLOWLIST_MKDIR);
  cleanup_json struct hr_json *merged = NULL;
  const struct hr_json *profiles[] = { a, b };
  struct hr_strv changed = { 0 };
  hr_error_t err = NULL;

  merged = hr_seccomp_merge (profiles, 2, &changed, &err);
  cr_assert_not_null (merged);
  /* the default went from allow to EPERM: every call is named */
  cr_assert (hr_strv_contains (&changed, "write") && hr_strv_contains (&changed, "clone3"));
  hr_strv_clear (&changed);
  profiles[0] = b;
  hr_json_free (merged);
  merged = hr_seccomp_merge (profiles, 2, &changed, &err);
  cr_assert_eq (changed.len, 1, "only clone3 (ENOSYS) changes");
  cr_assert_str_eq (changed.items[0], "clone3");
  hr_strv_clear (&changed);
}

Test (seccomp_merge, clone3_answers_enosys_unless_killed)
{
  const struct probe p = { SYS_clone3, 0, 0, ENOSYS };
  const struct probe killed = { SYS_clone3, 0, 0, KILLED };
  cleanup_json struct hr_json *merged = merge (ALLOW_BUT (""), ALLOWLIST_MKDIR);
  cleanup_json struct hr_json *kill
      = merge (ALLOW_BUT ("{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}"), ALLOWLIST_MKDIR);

  REQUIRE_LOADABLE_FILTERS ();
  cr_assert_eq (answer (merged, &p), ENOSYS);
  cr_assert_eq (answer (kill, &killed), KILLED);
}

/* A base profile's notify rules must not reach the spec's agent. */
Test (seccomp_merge, another_profile_s_agent_never_answers_the_base_s_notify_rules)
{
  cleanup_json struct hr_json *a = parse (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/user-agent.sock\",\"syscalls\":[" MKDIR_RULE (
          "SCMP_ACT_NOTIFY", "") "]}");
  cleanup_json struct hr_json *b = parse ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":\"/run/policy.sock\","
                                          "\"syscalls\":[" NEEDED ",{\"names\":[\"rmdir\"],\"action\":\"SCMP_ACT_"
                                          "NOTIFY\"}]}");
  const struct hr_json *profiles[] = { a, b };
  hr_error_t err = NULL;

  cr_assert_null (hr_seccomp_merge (profiles, 2, NULL, &err));
  cr_assert_not_null (strstr (err->msg, "/run/user-agent.sock"), "%s", err->msg);
  hr_error_free (&err);
}

/* The engines' real profiles (the fixtures) merged with the embedded one:
 * for every call either names, on arguments that include the namespace
 * flags clone must refuse, the merged filter answers at least as strictly
 * as each of the two filters alone (kernel precedence: the smaller the
 * action value as a signed number, the stricter). */
static int32_t
strictness (uint32_t ret)
{
  return (int32_t)(ret & 0xffff0000U);
}

static void
check_at_least_as_strict (const char *fixture)
{
  char path[512];
  char *text = NULL;
  size_t len;
  hr_error_t err = NULL;
  cleanup_json struct hr_json *spec = NULL;
  cleanup_json struct hr_json *embedded = NULL;
  cleanup_json struct hr_json *merged = NULL;
  cleanup_json struct hr_json *bounding = parse ("[\"CAP_CHOWN\",\"CAP_SETUID\",\"CAP_SETGID\"]");
  cleanup_json struct hr_json *must_deny = parse ("[\"unshare\",\"mount\",\"keyctl\"]");
  const struct hr_json *own, *profiles[2];
  struct hr_seccomp_sim sims[3] = { { 0 } };
  static const uint64_t values[]
      = { 0, 1, 0x10000000 /* CLONE_NEWUSER */, 0x00020000 /* CLONE_NEWNS */, 0x01200011, UINT64_MAX, 8, 0xffffffff };
  size_t checked = 0;

  snprintf (path, sizeof path, FIXTURES_DIR "/%s/config.json", fixture);
  cr_assert_eq (hr_read_small_file (path, 1 << 22, &text, &len, &err), 0, "%s", path);
  spec = hr_json_parse (text, len, &err);
  free (text);
  own = hr_json_get (hr_json_get (spec, "linux"), "seccomp");
  cr_assert_not_null (own, "%s has no seccomp profile", fixture);
  embedded = hr_seccomp_default_profile (bounding, must_deny);
  profiles[0] = own, profiles[1] = embedded;
  merged = hr_seccomp_merge (profiles, 2, NULL, &err);
  cr_assert_not_null (merged, "%s", err ? err->msg : "");
  cr_assert_eq (hr_seccomp_sim_load (own, &sims[0], &err), 0);
  cr_assert_eq (hr_seccomp_sim_load (embedded, &sims[1], &err), 0);
  cr_assert_eq (hr_seccomp_sim_load (merged, &sims[2], &err), 0);
  for (int nr = 0; nr < 460; nr++)
    for (size_t v = 0; v < HR_ARRAY_SIZE (values); v++)
      {
        struct seccomp_data data = { .nr = nr, .arch = seccomp_arch_native () };
        uint32_t a, b, m;
        char *name;

        for (size_t i = 0; i < MAX_SYSCALL_ARGS; i++)
          data.args[i] = values[(v + i) % HR_ARRAY_SIZE (values)];
        a = hr_seccomp_sim_run (&sims[0], &data);
        b = hr_seccomp_sim_run (&sims[1], &data);
        m = hr_seccomp_sim_run (&sims[2], &data);
        name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_NATIVE, nr);
        cr_assert (strictness (m) <= strictness (a) && strictness (m) <= strictness (b),
                   "%s: %s(%llx, ...) answered %x merged, %x by the engine's profile, %x by the embedded one", fixture,
                   name ? name : "?", (unsigned long long)data.args[0], m, a, b);
        free (name);
        checked++;
      }
  for (size_t i = 0; i < 3; i++)
    hr_seccomp_sim_clear (&sims[i]);
  cr_assert_gt (checked, 3000);
}

Test (seccomp_merge, engines_profiles_merged_are_at_least_as_strict_as_each)
{
  check_at_least_as_strict ("docker-20.10/default");
  check_at_least_as_strict ("podman-4.3/default");
}

/* A call libseccomp does not know (a misspelt name, a newer kernel's call)
 * is ignored by runc, so its argument rules never apply: the merge gives it
 * its strictest answer, unconditionally, and merging the result again
 * changes nothing (the fuzzer found regions that a second merge rewrote). */
Test (seccomp_merge, unknown_call_gets_its_strictest_answer_and_stays_so)
{
  static const char spec[]
      = ALLOW_BUT ("{\"names\":[\"persOnality\"],\"action\":\"SCMP_ACT_KILL\"" ARG1 ("SCMP_CMP_EQ", 8) "}");
  cleanup_json struct hr_json *merged = merge (spec, ALLOW_BUT (""));
  cleanup_free char *text = hr_json_serialize (merged, NULL);
  cleanup_json struct hr_json *again = merge (text, ALLOW_BUT (""));
  const struct hr_json *syscalls = hr_json_get (merged, "syscalls");
  size_t killed = 0;

  for (size_t i = 0; i < syscalls->len; i++)
    {
      cleanup_free char *rule = hr_json_serialize (syscalls->items[i], NULL);
      if (strstr (rule, "persOnality") == NULL)
        continue;
      cr_assert_null (hr_json_get (syscalls->items[i], "args"), "an argument rule for a call runc ignores: %s", rule);
      killed += strstr (rule, "SCMP_ACT_KILL") != NULL;
    }
  cr_assert_eq (killed, 1, "persOnality is not killed unconditionally: %s", text);
  cr_assert (hr_json_equal (again, merged), "merging again changed it: %s", text);
}
