/* SPDX-License-Identifier: Apache-2.0 */
/* Every captured engine spec through the embedded default policy: the
 * verdict and what a denial names, the baseline the hardened specs meet,
 * hardening as a fixed point, audit mode, and a profile for hostNetwork
 * pods. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fake_host.h"
#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"
#include "policy_source.h"

/* The CRI sandbox's namespaces (/proc/4242/ns/NAME) are its own (the fake host calls any
 * unlisted path not the host's); Docker's host network is its netns file;
 * Docker's prestart hook /proc/4242/exe is dockerd. */
static const char *const host_namespaces[] = { "/var/run/docker/netns/default", "/proc/1/ns/*", NULL };
static const struct fake_link links[] = { { "/proc/4242/exe", "/usr/sbin/dockerd" }, { NULL, NULL } };
/* The CRI sandbox (/proc/4242) is a hardrun container with its own range. */
static const struct fake_userns user_namespaces[] = {
  { "/proc/4242/ns/user", 500000, 600000, 65536, "000000000000000000000000000000000000000000000000000000c0ffee0000" },
  { NULL, 0, 0, 0, NULL },
};
static const struct fake_host_config host_config
    = { .host_namespaces = host_namespaces, .links = links, .user_namespaces = user_namespaces };
/* The CRI sandbox (…c0ffee0000) is live, its init's namespaces are
 * /proc/4242/ns/NAME, and it was created with the pod's uid. */
#define CRI_SANDBOX "000000000000000000000000000000000000000000000000000000c0ffee0000"
static const struct fake_container_ns sandbox_namespaces[] = { { CRI_SANDBOX, "/proc/4242/ns/*" }, { NULL, NULL } };
static const struct fake_annotation sandbox_annotations[]
    = { { CRI_SANDBOX, "io.kubernetes.cri.sandbox-uid", "00000000-0000-4000-8000-0000c0ffee00" },
        { NULL, NULL, NULL } };

/* Who the engine said the container is: the id (the last argument of its
 * create) and the bundle. */
struct identity
{
  char *id;
  char *bundle;
};

static void
identity_clear (struct identity *who)
{
  free (who->id);
  free (who->bundle);
}

static struct identity
fixture_identity (const char *fixture)
{
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  struct identity who = { NULL, NULL };
  char *save = NULL, *prev = NULL;

  xasprintf (&path, "%s/%s/01-create.argv", FIXTURES_DIR, fixture);
  text = fake_read_file (path, NULL);
  cr_assert_not_null (text, "cannot read %s", path);
  for (char *l = strtok_r (text, "\n", &save); l; prev = l, l = strtok_r (NULL, "\n", &save))
    {
      if (prev && strcmp (prev, "--bundle") == 0)
        who.bundle = xstrdup (l);
      free (who.id);
      who.id = xstrdup (l);
    }
  return who;
}

struct denial
{
  const char *rule;
  const char *needle;
};

struct expectation
{
  const char *fixture;
  const char *verdict;
  size_t n_denied;
  struct denial denials[4]; /* each must be among the denials; no denial from another rule */
};

static const struct expectation expected[] = {
  { "docker-20.10/default", "modify", 0, { { NULL, NULL } } },
  { "docker-20.10/exec", "modify", 0, { { NULL, NULL } } },
  { "docker-20.10/privileged", "modify", 0, { { NULL, NULL } } },
  { "docker-20.10/capadd-all-unconfined", "modify", 0, { { NULL, NULL } } },
  { "podman-4.3/default", "modify", 0, { { NULL, NULL } } },
  { "containerd-1.6-ctr/default", "modify", 0, { { NULL, NULL } } },
  { "containerd-1.6-cri/default-container", "modify", 0, { { NULL, NULL } } },
  { "containerd-1.6-cri/privileged-container", "modify", 0, { { NULL, NULL } } },
  { "containerd-1.6-cri/host-pid-container", "modify", 0, { { NULL, NULL } } },
  { "docker-20.10/binds-dockersock-tmpfs",
    "deny",
    2,
    { { "sensitive_mounts", "bind mount of \"/var/run/docker.sock\"" },
      { "sensitive_mounts", "bind mount of \"/etc\" at \"/hostetc\"" } } },
  { "docker-20.10/device-fuse-nnp",
    "deny",
    2,
    { { "devices", "device /dev/fuse (c 10:229)" }, { "devices", "cgroup rule allowing c 10:229 rwm" } } },
  { "docker-20.10/host-namespaces",
    "deny",
    5,
    { { "host_namespaces", "the network namespace \"/var/run/docker/netns/default\" is the host's" },
      { "host_namespaces", "no pid namespace" },
      { "host_namespaces", "no ipc namespace" },
      { "sensitive_mounts", "bind mount of \"/dev/shm\"" } } },
  { "docker-20.10/readonly-user-limits-sysctl",
    "deny",
    1,
    { { "sysctls", "sysctl net.ipv4.ip_forward=\"1\" is not allowed" } } },
  { "containerd-1.6-cri/default-sandbox",
    "deny",
    2,
    { { "host_namespaces", "no network namespace" }, { "host_namespaces", "no uts namespace" } } },
  { "containerd-1.6-cri/privileged-sandbox",
    "deny",
    2,
    { { "host_namespaces", "no network namespace" }, { "host_namespaces", "no uts namespace" } } },
  { "containerd-1.6-cri/host-pid-sandbox",
    "deny",
    3,
    { { "host_namespaces", "no pid namespace" }, { "host_namespaces", "no network namespace" } } },
};

static const struct expectation *
find_expectation (const char *config_path)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (expected); i++)
    {
      char suffix[256];

      snprintf (suffix, sizeof suffix, "/%s/config.json", expected[i].fixture);
      if (strlen (config_path) > strlen (suffix)
          && strcmp (config_path + strlen (config_path) - strlen (suffix), suffix) == 0)
        return &expected[i];
    }
  return NULL;
}

static char *
config_path (const char *fixture)
{
  char *path;

  xasprintf (&path, "%s/%s/config.json", FIXTURES_DIR, fixture);
  return path;
}

/* Parses text and enforces profile on it with the fixtures' host. */
static struct hr_json *
harden_text (const char *text, size_t len, const struct hr_profile *profile, bool audit_mode, struct hr_result *result,
             const char *what)
{
  hr_error_t err = NULL;
  struct hr_host host;
  struct hr_json *doc = hr_json_parse (text, len, &err);
  __attribute__ ((cleanup (identity_clear))) struct identity who = fixture_identity (what);
  struct fake_host_config config = host_config;

  cr_assert_not_null (doc, "%s: %s", what, err ? err->msg : "?");
  config.container_namespaces = sandbox_namespaces;
  config.container_annotations = sandbox_annotations;
  config.container_id = who.id;
  config.bundle = who.bundle;
  fake_host_init (&host, &config);
  cr_assert_eq (hr_enforce_spec (doc, profile, audit_mode, &host, result, &err), 0, "%s: %s", what,
                err ? err->msg : "?");
  return doc;
}

static struct hr_json *
harden_fixture (const char *fixture, const struct hr_profile *profile, bool audit_mode, struct hr_result *result,
                char **original, size_t *original_len)
{
  cleanup_free char *path = config_path (fixture);
  size_t len = 0;
  char *text = fake_read_file (path, &len);
  struct hr_json *doc;

  cr_assert_not_null (text, "cannot read %s", path);
  doc = harden_text (text, len, profile, audit_mode, result, fixture);
  if (original)
    {
      *original = text;
      *original_len = len;
    }
  else
    free (text);
  return doc;
}

static char *
denials_text (const struct hr_result *r)
{
  char *all = xstrdup ("");

  for (size_t i = 0; i < r->len; i++)
    if (r->items[i].outcome == HR_OUTCOME_DENIED)
      {
        char *next;
        xasprintf (&next, "%s[%s] %s; ", all, r->items[i].rule, r->items[i].message);
        free (all);
        all = next;
      }
  return all;
}

static bool
has_denial (const struct hr_result *r, const char *rule, const char *needle)
{
  for (size_t i = 0; i < r->len; i++)
    if (r->items[i].outcome == HR_OUTCOME_DENIED && strcmp (r->items[i].rule, rule) == 0
        && strstr (r->items[i].message, needle) != NULL)
      return true;
  return false;
}

static const struct hr_profile *
default_profile (struct hr_policy **policy)
{
  hr_error_t err = NULL;

  *policy = hr_policy_load_default (&err);
  cr_assert_not_null (*policy, "%s", err ? err->msg : "?");
  return hr_policy_find_profile (*policy, "default");
}

Test (fixtures, every_fixture_has_an_expectation)
{
  size_t count = 0;
  char **files = fake_fixture_list ("*/*/config.json", &count);

  cr_assert_eq (count, HR_ARRAY_SIZE (expected), "%zu fixtures, %zu expectations", count, HR_ARRAY_SIZE (expected));
  for (size_t i = 0; i < count; i++)
    cr_assert_not_null (find_expectation (files[i]), "no expectation for %s", files[i]);
  fake_free_list (files);
}

Test (fixtures, verdicts_of_the_default_policy)
{
  struct hr_policy *policy = NULL;
  const struct hr_profile *profile = default_profile (&policy);

  for (size_t i = 0; i < HR_ARRAY_SIZE (expected); i++)
    {
      const struct expectation *e = &expected[i];
      struct hr_result result = { 0 };
      cleanup_json struct hr_json *doc __attribute__ ((unused))
      = harden_fixture (e->fixture, profile, false, &result, NULL, NULL);
      cleanup_free char *why = denials_text (&result);

      cr_assert_str_eq (hr_result_verdict (&result), e->verdict, "%s: %s", e->fixture, why);
      cr_assert_eq (result.n_denied, e->n_denied, "%s: %zu denials: %s", e->fixture, result.n_denied, why);
      for (size_t k = 0; k < HR_ARRAY_SIZE (e->denials) && e->denials[k].rule; k++)
        cr_assert (has_denial (&result, e->denials[k].rule, e->denials[k].needle),
                   "%s: no denial by %s with \"%s\": %s", e->fixture, e->denials[k].rule, e->denials[k].needle, why);
      for (size_t d = 0; d < result.len; d++)
        {
          bool listed = false;

          if (result.items[d].outcome != HR_OUTCOME_DENIED)
            continue;
          for (size_t k = 0; k < HR_ARRAY_SIZE (e->denials) && e->denials[k].rule; k++)
            listed |= strcmp (e->denials[k].rule, result.items[d].rule) == 0;
          cr_assert (listed, "%s: unexpected denial by %s: %s", e->fixture, result.items[d].rule,
                     result.items[d].message);
        }
      hr_result_clear (&result);
    }
  hr_policy_free (policy);
}

/* The engine's files bound into each admitted spec are matched through the
 * container's own id (or its verified pod): all of them are its own. */
Test (fixtures, engine_files_are_the_containers_own)
{
  static const struct
  {
    const char *fixture;
    size_t own;
  } cases[] = {
    { "docker-20.10/default", 3 },
    { "podman-4.3/default", 4 },
    { "containerd-1.6-cri/default-container", 4 },
    { "containerd-1.6-cri/default-sandbox", 2 },
    { "containerd-1.6-ctr/default", 0 },
  };
  struct hr_policy *policy = NULL;
  const struct hr_profile *profile = default_profile (&policy);

  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      struct hr_result result = { 0 };
      cleanup_json struct hr_json *doc __attribute__ ((unused))
      = harden_fixture (cases[i].fixture, profile, false, &result, NULL, NULL);

      cr_assert_eq (result.needs.own_binds.len, cases[i].own, "%s: %zu own binds", cases[i].fixture,
                    result.needs.own_binds.len);
      hr_result_clear (&result);
    }
  hr_policy_free (policy);
}

/* What every spec the default policy admits looks like afterwards. */

static bool
strings_within (const struct hr_json *list, const struct hr_json *allowed)
{
  for (size_t i = 0; list && i < list->len; i++)
    if (!hr_json_is_string (list->items[i]) || !hr_json_strings_contain (allowed, list->items[i]->text))
      return false;
  return true;
}

static void
assert_baseline (const struct hr_json *spec, const struct hr_profile *profile, const char *fixture)
{
  const struct hr_json *process = hr_json_get (spec, "process");
  const struct hr_json *caps = hr_json_get (process, "capabilities");
  const struct hr_json *linux_ = hr_json_get (spec, "linux");
  const struct hr_json *allow = hr_json_get (hr_profile_rule (profile, "capabilities")->settings, "allow");
  const struct hr_json *namespaces = hr_json_get (linux_, "namespaces");
  const struct hr_json *seccomp = hr_json_get (linux_, "seccomp");
  const char *const pids[] = { "resources", "pids", "limit", NULL };
  const struct hr_json *limit = hr_json_get_path (linux_, pids);
  static const char *const sets[] = { "bounding", "effective", "permitted" };
  bool userns = false;
  int64_t n = 0;

  cr_assert_eq (hr_json_get (hr_json_get (spec, "root"), "readonly")->type, HR_JSON_TRUE, "%s: root", fixture);
  cr_assert_eq (hr_json_get (process, "noNewPrivileges")->type, HR_JSON_TRUE, "%s: noNewPrivileges", fixture);
  for (size_t i = 0; i < HR_ARRAY_SIZE (sets); i++)
    cr_assert (strings_within (hr_json_get (caps, sets[i]), allow), "%s: %s capabilities", fixture, sets[i]);
  cr_assert (hr_json_get_value (caps, "inheritable") == NULL || hr_json_get (caps, "inheritable")->len == 0, "%s",
             fixture);
  cr_assert (hr_json_get_value (caps, "ambient") == NULL || hr_json_get (caps, "ambient")->len == 0, "%s", fixture);
  for (size_t i = 0; namespaces && i < namespaces->len; i++)
    {
      const struct hr_json *type = hr_json_get (namespaces->items[i], "type");
      userns |= hr_json_is_string (type) && strcmp (type->text, "user") == 0;
    }
  cr_assert (userns, "%s: no user namespace", fixture);
  cr_assert_not_null (seccomp, "%s: no seccomp profile", fixture);
  cr_assert_str_eq (hr_json_get (seccomp, "defaultAction")->text, "SCMP_ACT_ERRNO", "%s", fixture);
  cr_assert_not_null (limit, "%s: no pids limit", fixture);
  cr_assert (hr_json_number_to_int64 (limit, &n) == 0 && n > 0, "%s: pids limit", fixture);
  cr_assert (hr_json_strings_contain (hr_json_get (linux_, "maskedPaths"), "/proc/kcore"), "%s", fixture);
  cr_assert (hr_json_strings_contain (hr_json_get (linux_, "readonlyPaths"), "/proc/sysrq-trigger"), "%s", fixture);
  cr_assert_null (hr_json_get_value (linux_, "devices"), "%s: the host's device nodes", fixture);
}

Test (fixtures, admitted_specs_meet_the_baseline)
{
  struct hr_policy *policy = NULL;
  const struct hr_profile *profile = default_profile (&policy);
  size_t checked = 0;

  for (size_t i = 0; i < HR_ARRAY_SIZE (expected); i++)
    {
      struct hr_result result = { 0 };
      cleanup_json struct hr_json *doc = NULL;

      if (expected[i].n_denied > 0)
        continue;
      doc = harden_fixture (expected[i].fixture, profile, false, &result, NULL, NULL);
      assert_baseline (doc, profile, expected[i].fixture);
      checked++;
      hr_result_clear (&result);
    }
  cr_assert_eq (checked, 9);
  hr_policy_free (policy);
}

Test (fixtures, hardening_is_a_fixed_point)
{
  struct hr_policy *policy = NULL;
  const struct hr_profile *profile = default_profile (&policy);

  for (size_t i = 0; i < HR_ARRAY_SIZE (expected); i++)
    {
      struct hr_result first = { 0 }, second = { 0 };
      cleanup_json struct hr_json *doc = NULL, *again = NULL;
      cleanup_free char *once = NULL, *twice = NULL;
      size_t len = 0;

      if (expected[i].n_denied > 0)
        continue;
      doc = harden_fixture (expected[i].fixture, profile, false, &first, NULL, NULL);
      cr_assert_gt (first.n_changed, 0, "%s", expected[i].fixture);
      once = hr_json_serialize (doc, &len);
      again = harden_text (once, len, profile, false, &second, expected[i].fixture);
      twice = hr_json_serialize (again, NULL);
      cr_assert_eq (second.len, 0, "%s: the hardened spec changes again: %s", expected[i].fixture,
                    second.len ? second.items[0].message : "");
      cr_assert_str_eq (once, twice, "%s", expected[i].fixture);
      hr_result_clear (&first);
      hr_result_clear (&second);
    }
  hr_policy_free (policy);
}

Test (fixtures, audit_mode_changes_nothing)
{
  struct hr_policy *policy = NULL;
  const struct hr_profile *profile = default_profile (&policy);

  for (size_t i = 0; i < HR_ARRAY_SIZE (expected); i++)
    {
      struct hr_result audited = { 0 }, enforced = { 0 };
      cleanup_free char *original = NULL, *out = NULL;
      size_t len = 0, out_len = 0;
      cleanup_json struct hr_json *doc = harden_fixture (expected[i].fixture, profile, true, &audited, &original, &len);
      cleanup_json struct hr_json *other __attribute__ ((unused))
      = harden_fixture (expected[i].fixture, profile, false, &enforced, NULL, NULL);

      out = hr_json_serialize (doc, &out_len);
      cr_assert_eq (out_len, len, "%s", expected[i].fixture);
      cr_assert (memcmp (out, original, len) == 0, "%s: audit mode changed the spec", expected[i].fixture);
      cr_assert_eq (audited.n_changed + audited.n_denied, 0, "%s", expected[i].fixture);
      cr_assert_str_eq (hr_result_verdict (&audited), "allow");
      cr_assert_gt (audited.len, 0, "%s", expected[i].fixture);
      for (size_t d = 0; d < audited.len; d++)
        cr_assert_eq (audited.items[d].outcome, HR_OUTCOME_AUDITED);
      /* Every rule that acts under enforcement is in the audit.  (Not the
       * same list: in audit mode later rules see the spec unchanged, e.g.
       * the devices rule sees the host devices privileged would drop.) */
      for (size_t d = 0; d < enforced.len; d++)
        {
          bool found = false;
          for (size_t k = 0; k < audited.len && !found; k++)
            found = strcmp (audited.items[k].rule, enforced.items[d].rule) == 0;
          cr_assert (found, "%s: %s acts but is not in the audit", expected[i].fixture, enforced.items[d].rule);
        }
      hr_result_clear (&audited);
      hr_result_clear (&enforced);
    }
  hr_policy_free (policy);
}

/* hostNetwork pods: a profile that allows the host's network and UTS
 * namespaces admits the CRI sandbox and its container; hostPID is still
 * refused. */

static void
check_pods (const struct hr_profile *profile)
{
  static const char *const admitted[]
      = { "containerd-1.6-cri/default-sandbox", "containerd-1.6-cri/default-container",
          "containerd-1.6-cri/privileged-sandbox", "containerd-1.6-cri/privileged-container" };

  for (size_t i = 0; i < HR_ARRAY_SIZE (admitted); i++)
    {
      struct hr_result result = { 0 };
      cleanup_json struct hr_json *doc __attribute__ ((unused))
      = harden_fixture (admitted[i], profile, false, &result, NULL, NULL);
      cleanup_free char *why = denials_text (&result);

      cr_assert_eq (result.n_denied, 0, "%s: %s", admitted[i], why);
      cr_assert_str_eq (hr_result_verdict (&result), "modify", "%s", admitted[i]);
      hr_result_clear (&result);
    }
  {
    struct hr_result result = { 0 };
    cleanup_json struct hr_json *doc __attribute__ ((unused))
    = harden_fixture ("containerd-1.6-cri/host-pid-sandbox", profile, false, &result, NULL, NULL);

    cr_assert_eq (result.n_denied, 1);
    cr_assert (has_denial (&result, "host_namespaces", "no pid namespace"));
    hr_result_clear (&result);
  }
}

Test (fixtures, host_network_profile_admits_hostnetwork_pods)
{
  const char *text = "{\"profiles\":{\"default\":{},\"hostnet\":{\"extends\":\"default\",\"rules\":{"
                     "\"host_namespaces\":{\"allow_host\":[\"network\",\"uts\"]}}}}}";
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_text (text, strlen (text), "test", &err);

  cr_assert_not_null (policy, "%s", err ? err->msg : "?");
  check_pods (hr_policy_find_profile (policy, "hostnet"));
  hr_policy_free (policy);
}

Test (fixtures, example_host_network_profile)
{
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_file (FIXTURES_DIR "/../../examples/policies/profiles.json", &err);
  const struct hr_profile *profile;

  cr_assert_not_null (policy, "%s", err ? err->msg : "?");
  profile = hr_policy_find_profile (policy, "host-network");
  cr_assert_not_null (profile);
  check_pods (profile);
  hr_policy_free (policy);
}

Test (fixtures, pod_container_shares_the_sandbox_range)
{
  struct hr_policy *policy = NULL;
  const struct hr_profile *profile = default_profile (&policy);
  struct hr_result result = { 0 };
  cleanup_json struct hr_json *doc
      = harden_fixture ("containerd-1.6-cri/default-container", profile, false, &result, NULL, NULL);
  const char *const path[] = { "linux", "uidMappings", NULL };

  cr_assert_null (result.needs.join_userns);
  cr_assert_str_eq (result.needs.range_owner, "000000000000000000000000000000000000000000000000000000c0ffee0000");
  cr_assert (result.needs.idmapped_rootfs);
  cr_assert_not_null (hr_json_get_path (doc, path));
  hr_result_clear (&result);
  hr_policy_free (policy);
}
