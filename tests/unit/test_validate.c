/* SPDX-License-Identifier: Apache-2.0 */
/* `policy validate`: the loader's collecting mode reports every problem with
 * its JSON pointer and "did you mean", and agrees with the failing-fast mode
 * the runtime uses on what it accepts. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"
#include "policy_source.h"

#define EXAMPLES_DIR FIXTURES_DIR "/../../examples/policies"

static struct hr_policy_problems
collect (const char *text)
{
  struct hr_policy_problems problems = { 0 };
  struct hr_policy *p = hr_policy_load_text_all (text, strlen (text), "test.json", &problems);

  cr_assert_eq (p == NULL, problems.len > 0, "a policy is returned exactly when there is no problem");
  hr_policy_free (p);
  return problems;
}

/* The problem at pointer, which must be there once. */
static const struct hr_policy_problem *
at (const struct hr_policy_problems *problems, const char *pointer)
{
  const struct hr_policy_problem *found = NULL;

  for (size_t i = 0; i < problems->len; i++)
    if (strcmp (problems->items[i].pointer, pointer) == 0)
      {
        cr_assert_null (found, "two problems at %s", pointer);
        found = &problems->items[i];
      }
  cr_assert_not_null (found, "no problem at \"%s\" (%zu problems, first at \"%s\": %s)", pointer, problems->len,
                      problems->len ? problems->items[0].pointer : "", problems->len ? problems->items[0].message : "");
  return found;
}

static void
assert_problem (const struct hr_policy_problems *problems, const char *pointer, const char *needle,
                const char *suggestion)
{
  const struct hr_policy_problem *p = at (problems, pointer);

  cr_assert (strstr (p->message, needle) != NULL, "%s: \"%s\" lacks \"%s\"", pointer, p->message, needle);
  if (suggestion)
    cr_assert (p->suggestion && strcmp (p->suggestion, suggestion) == 0, "%s: suggests \"%s\", not \"%s\"", pointer,
               p->suggestion ? p->suggestion : "(nothing)", suggestion);
  else
    cr_assert_null (p->suggestion, "%s: suggests \"%s\"", pointer, p->suggestion);
}

Test (closest_name, misspellings_and_strangers)
{
  static const char *const rules[] = { "capabilities", "sysctls", "seccomp", "pids_limit", "hooks" };
  static const char *const keys[] = { "action", "allow" };

  cr_assert_str_eq (hr_closest_name ("capabilites", rules, 5), "capabilities");
  cr_assert_str_eq (hr_closest_name ("secomp", rules, 5), "seccomp");
  cr_assert_str_eq (hr_closest_name ("pids_limt", rules, 5), "pids_limit");
  cr_assert_str_eq (hr_closest_name ("hoosk", rules, 5), "hooks"); /* a transposition is one edit */
  cr_assert_str_eq (hr_closest_name ("alow", keys, 2), "allow");
  cr_assert_str_eq (hr_closest_name ("Allow", keys, 2), "allow");
  cr_assert_null (hr_closest_name ("network", rules, 5));
  cr_assert_null (hr_closest_name ("x", keys, 2));
  cr_assert_null (hr_closest_name ("allow", keys, 2), "an exact name needs no suggestion");
}

Test (collect, every_problem_at_once)
{
  struct hr_policy_problems problems
      = collect ("{\"versoin\":1,\"audit_log\":\"rel\",\"default_profile\":\"strcit\","
                 "\"profiles\":{\"default\":{\"rules\":{\"capabilites\":{\"action\":\"fix\"},"
                 "\"capabilities\":{\"alow\":[],\"allow\":[\"CAP_CHOWN\",\"CAP_FLY\"]},"
                 "\"pids_limit\":{\"Limit\":5,\"action\":\"dney\"},\"seccomp\":{\"must_deny\":[\"mount\",3]}}},"
                 "\"strict\":{\"extends\":\"defualt\",\"descripton\":\"\",\"rule\":{}},"
                 "\"other\":{\"rules\":{\"sysctls\":{\"allow\":\"x\"}}}},"
                 "\"profile_annotation\":{\"key\":\"k\",\"profiles\":[\"strict\",\"relaxed\"]}}");

  assert_problem (&problems, "/versoin", "unknown key \"versoin\"", "version");
  assert_problem (&problems, "/audit_log", "not an absolute path", NULL);
  assert_problem (&problems, "/profiles/default/rules/capabilites", "unknown rule \"capabilites\"", "capabilities");
  assert_problem (&problems, "/profiles/default/rules/capabilities/alow", "unknown setting \"alow\"", "allow");
  assert_problem (&problems, "/profiles/default/rules/capabilities/allow/1", "unknown capability \"CAP_FLY\"", NULL);
  assert_problem (&problems, "/profiles/default/rules/pids_limit/Limit", "unknown setting", "limit");
  assert_problem (&problems, "/profiles/default/rules/pids_limit/action", "expected one of", "deny");
  assert_problem (&problems, "/profiles/default/rules/seccomp/must_deny/1", "expected string, found number", NULL);
  assert_problem (&problems, "/profiles/strict/extends", "no profile named \"defualt\"", "default");
  assert_problem (&problems, "/profiles/strict/descripton", "unknown key", "description");
  assert_problem (&problems, "/profiles/strict/rule", "unknown key", "rules");
  assert_problem (&problems, "/profiles/other/rules/sysctls/allow", "expected array", NULL);
  assert_problem (&problems, "/profile_annotation/profiles/1", "no profile named \"relaxed\"", NULL);
  assert_problem (&problems, "/default_profile", "no profile named \"strcit\"", "strict");
  cr_assert_eq (problems.len, 14, "%zu problems", problems.len);
  hr_policy_problems_clear (&problems);
}

Test (collect, an_inherited_problem_is_reported_where_it_is_written)
{
  /* strict and its child inherit default's unknown capability: one problem */
  struct hr_policy_problems problems
      = collect ("{\"profiles\":{\"strict\":{\"extends\":\"default\",\"rules\":{\"sysctls\":{\"action\":\"deny\"}}},"
                 "\"child\":{\"extends\":\"strict\"},"
                 "\"default\":{\"rules\":{\"capabilities\":{\"allow\":[\"CAP_FLY\"]}}}}}");

  assert_problem (&problems, "/profiles/default/rules/capabilities/allow/0", "CAP_FLY", NULL);
  cr_assert_eq (problems.len, 1, "%zu problems, the second at %s", problems.len,
                problems.len > 1 ? problems.items[1].pointer : "");
  hr_policy_problems_clear (&problems);
  /* one that overrides the setting with a good value has no problem of its own */
  problems = collect ("{\"profiles\":{\"default\":{\"rules\":{\"pids_limit\":{\"limit\":0}}},"
                      "\"fixed\":{\"extends\":\"default\",\"rules\":{\"pids_limit\":{\"limit\":10}}}}}");
  assert_problem (&problems, "/profiles/default/rules/pids_limit/limit", "limit must be positive", NULL);
  cr_assert_eq (problems.len, 1);
  hr_policy_problems_clear (&problems);
}

Test (collect, pointers_escape_keys)
{
  struct hr_policy_problems problems
      = collect ("{\"kubernetes_namespaces\":{\"a/b~c\":{\"profiles\":[\"default\"],\"x\":1}}}");

  assert_problem (&problems, "/kubernetes_namespaces/a~1b~0c/x", "unknown key \"x\"", NULL);
  hr_policy_problems_clear (&problems);
  problems = collect ("[]");
  assert_problem (&problems, "", "expected object, found array", NULL);
  hr_policy_problems_clear (&problems);
  problems = collect ("{\"profiles\":");
  cr_assert_eq (problems.len, 1);
  cr_assert_str_eq (problems.items[0].pointer, "");
  hr_policy_problems_clear (&problems);
}

/* Broken policies, each with one problem or more: the runtime's failing-fast
 * load and the collecting one refuse the same ones. */
static const char *const broken[] = {
  "{\"version\":2}",
  "{\"profile\":{}}",
  "{\"profiles\":{}}",
  "{\"profiles\":[]}",
  "{\"runtime\":\"runc\"}",
  "{\"runtime_sha256\":\"abc\"}",
  "{\"audit_mode\":\"yes\"}",
  "{\"audit_syslog\":1,\"audit_mode\":\"x\"}",
  "{\"profiles\":{\"default\":{\"extends\":\"default\"}}}",
  /* a profile that is not an object (an array crashed the first collecting loader) */
  "{\"profiles\":{\"default\":[1]}}",
  "{\"profiles\":{\"default\":null,\"s\":{\"extends\":\"default\"}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"capabilities\":[1],\"pids_limit\":{\"limit\":0}}}}}",
  "{\"profiles\":{\"default\":{\"extends\":3}}}",
  "{\"profiles\":{\"default\":{\"extends\":\"nope\"}}}",
  "{\"profiles\":{\"default\":{\"rules\":[]}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"seccomp\":[]}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"seccomp\":{\"mode\":\"later\"}}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"user_namespace\":{\"size\":-1}}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"user_namespace\":{\"size\":100}}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"process_limits\":{\"oom_score_adj_min\":1.5}}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"hooks\":{\"allowed\":[1]}}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"hooks\":{\"allowed\":[{\"kinds\":[]}]}}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"sensitive_mounts\":{\"exceptions\":[\"/x/{nope}\"]}}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"secrets\":{\"names\":[\"*token*\"]}}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"devices\":{\"nodes\":[\"x\"]}}}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"pids_limit\":{\"action\":\"quarantine\"}}}}}",
  "{\"quarantine_profile\":\"q\",\"profiles\":{\"default\":{},\"q\":{\"rules\":{\"sysctls\":"
  "{\"action\":\"quarantine\"}}}}}",
  "{\"profile_annotation\":{\"key\":\"\",\"profiles\":[]}}",
  "{\"profile_annotation\":{\"key\":\"k\",\"profiles\":\"x\"}}",
  "{\"profile_annotation\":{\"key\":\"k\"}}",
  "{\"kubernetes_namespaces\":{\"\":{\"profiles\":[\"default\"]}}}",
  "{\"kubernetes_namespaces\":{\"ns\":{\"profiles\":[]}}}",
  "{\"kubernetes_namespaces\":{\"ns\":{\"default_profile\":\"x\",\"profiles\":[\"default\"]}}}",
  "{\"kubernetes_namespaces\":{\"ns\":[]}}",
  "{\"kubernetes_namespaces\":{\"ns\":{\"profiles\":\"default\"}}}",
  "{\"default_profile\":\"x\"}",
};

static const char *const valid[] = {
  "{}",
  "{\"version\":1,\"profiles\":{\"default\":{}}}",
  "{\"profiles\":{\"default\":{\"rules\":{\"capabilities\":{\"allow\":[]}}},\"s\":{\"extends\":\"default\"}}}",
  "{\"profile_annotation\":{\"key\":\"k\",\"profiles\":[\"default\"]},"
  "\"kubernetes_namespaces\":{\"*\":{\"profiles\":[\"default\"]}}}",
};

static void
assert_modes_agree (const char *text, bool want_valid)
{
  hr_error_t err = NULL;
  struct hr_policy *p = hr_policy_load_text (text, strlen (text), "t", &err);
  struct hr_policy_problems problems = collect (text);

  cr_assert_eq (p != NULL, want_valid, "failing fast, %s is %s: %s", text, p ? "accepted" : "refused",
                err ? err->msg : "");
  cr_assert_eq (problems.len == 0, want_valid, "collecting, %s has %zu problems", text, problems.len);
  hr_policy_free (p);
  hr_error_free (&err);
  hr_policy_problems_clear (&problems);
}

Test (modes, agree_on_what_is_accepted)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (broken); i++)
    assert_modes_agree (broken[i], false);
  for (size_t i = 0; i < HR_ARRAY_SIZE (valid); i++)
    assert_modes_agree (valid[i], true);
  assert_modes_agree (hr_default_policy_text, true);
}

Test (modes, agree_on_the_examples)
{
  DIR *d = opendir (EXAMPLES_DIR);
  struct dirent *e;
  size_t n = 0;

  cr_assert_not_null (d, "%s", EXAMPLES_DIR);
  while ((e = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL, *text = NULL;
      size_t len;
      hr_error_t err = NULL;

      if (!hr_has_suffix (e->d_name, ".json"))
        continue;
      xasprintf (&path, "%s/%s", EXAMPLES_DIR, e->d_name);
      cr_assert_eq (hr_read_small_file (path, 4u << 20, &text, &len, &err), 0, "%s", path);
      assert_modes_agree (text, true);
      n++;
    }
  closedir (d);
  cr_assert_gt (n, 0);
}

/* validate applies the runtime's own trust check of the file. */
Test (check_file, trust_is_part_of_validity)
{
  char dir[] = "/tmp/hardrun-validate-XXXXXX";
  cleanup_free char *path = NULL;
  struct hr_policy_problems problems = { 0 };
  struct hr_policy *p;
  hr_error_t err = NULL;
  int fd;

  if (geteuid () != 0)
    cr_skip_test ("needs root: the policy must be root's");
  cr_assert_not_null (mkdtemp (dir));
  xasprintf (&path, "%s/policy.json", dir);
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  cr_assert_eq (write (fd, "{}", 2), 2);
  close (fd);
  p = hr_policy_check_file (path, true, &problems);
  cr_assert_not_null (p, "%s", problems.len ? problems.items[0].message : "");
  hr_policy_free (p);

  chmod (path, 0666);
  p = hr_policy_check_file (path, true, &problems);
  cr_assert_null (p);
  cr_assert_eq (problems.len, 1);
  cr_assert (strstr (problems.items[0].message, "is writable by others") != NULL, "%s", problems.items[0].message);
  /* the very message the runtime refuses it with */
  cr_assert_eq (hr_policy_check_trusted (path, &err), -1);
  cr_assert (strstr (problems.items[0].message, err->msg) != NULL, "\"%s\" is not \"%s\"", problems.items[0].message,
             err->msg);
  hr_error_free (&err);
  hr_policy_problems_clear (&problems);
  p = hr_policy_check_file (path, false, &problems);
  cr_assert_not_null (p, "without the trust checks the content is valid");
  hr_policy_free (p);
  unlink (path);
  rmdir (dir);
}
