/* The captured engine specs through the embedded default policy: which run
 * (hardened) and which are refused, naming what; hardening is a fixed point;
 * a spec no rule changes serializes back byte for byte. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fake_host.h"
#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"

/* Docker's prestart hook is /proc/DOCKERD_PID/exe; the sandbox pid of the
 * CRI captures is 4242 and not the host's; Docker's host network is its
 * netns file. */
static const char *const host_ns[] = { "/proc/1/ns/*", "/var/run/docker/netns/default", NULL };
static const struct fake_link links[] = { { "/proc/4242/exe", "/usr/sbin/dockerd" }, { NULL, NULL } };
static const struct fake_host_config host_config = { host_ns, NULL, links, NULL };

struct expectation
{
  const char *fixture;
  const char *verdict;
  const char *needle; /* in a denial */
};

static const struct expectation expected[] = {
  { "docker-20.10/default", "modify", NULL },
  { "docker-20.10/exec", "modify", NULL },
  { "docker-20.10/privileged", "modify", NULL },
  { "docker-20.10/capadd-all-unconfined", "modify", NULL },
  { "podman-4.3/default", "modify", NULL },
  { "containerd-1.6-ctr/default", "modify", NULL },
  { "docker-20.10/binds-dockersock-tmpfs", "deny", "bind mount of \"/var/run/docker.sock\"" },
  { "docker-20.10/device-fuse-nnp", "deny", "device /dev/fuse" },
  { "docker-20.10/host-namespaces", "deny", "the network namespace \"/var/run/docker/netns/default\" is the host's" },
  { "docker-20.10/readonly-user-limits-sysctl", "deny", "net.ipv4.ip_forward" },
  { "containerd-1.6-cri/default-sandbox", "deny", "no network namespace" },
  { "containerd-1.6-cri/privileged-sandbox", "deny", "no network namespace" },
  { "containerd-1.6-cri/host-pid-sandbox", "deny", "no pid namespace" },
  { "containerd-1.6-cri/default-container", "modify", NULL },
  { "containerd-1.6-cri/privileged-container", "modify", NULL },
};

static char *
denials (const struct hr_result *r)
{
  char *all = xstrdup ("");
  for (size_t i = 0; i < r->len; i++)
    if (r->items[i].outcome == HR_OUTCOME_DENIED)
      {
        char *next;
        xasprintf (&next, "%s%s; ", all, r->items[i].message);
        free (all);
        all = next;
      }
  return all;
}

static struct hr_json *
harden (const char *text, size_t len, const struct hr_profile *profile, struct hr_result *result)
{
  hr_error_t err = NULL;
  struct hr_host host;
  struct hr_json *doc = hr_json_parse (text, len, &err);

  cr_assert_not_null (doc, "%s", err ? err->msg : "");
  fake_host_init (&host, &host_config);
  cr_assert_eq (hr_enforce_spec (doc, profile, false, &host, result, &err), 0, "%s", err ? err->msg : "");
  return doc;
}

Test (fixtures, verdicts_of_the_default_policy)
{
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_default (&err);

  for (size_t i = 0; i < HR_ARRAY_SIZE (expected); i++)
    {
      char path[512];
      size_t len;
      char *text, *why;
      struct hr_result result = { 0 };
      struct hr_json *doc;

      snprintf (path, sizeof path, "%s/%s/config.json", FIXTURES_DIR, expected[i].fixture);
      text = fake_read_file (path, &len);
      doc = harden (text, len, &policy->profiles[0], &result);
      why = denials (&result);
      cr_assert_str_eq (hr_result_verdict (&result), expected[i].verdict, "%s: %s", expected[i].fixture, why);
      if (expected[i].needle)
        cr_assert_not_null (strstr (why, expected[i].needle), "%s: %s", expected[i].fixture, why);
      free (why);
      hr_result_clear (&result);
      hr_json_free (doc);
      free (text);
    }
  hr_policy_free (policy);
}

Test (fixtures, hardening_is_a_fixed_point)
{
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_default (&err);

  for (size_t i = 0; i < HR_ARRAY_SIZE (expected); i++)
    {
      char path[512];
      size_t len, len2;
      char *text, *once, *twice;
      struct hr_result first = { 0 }, second = { 0 };
      struct hr_json *doc, *again;

      if (strcmp (expected[i].verdict, "deny") == 0)
        continue;
      snprintf (path, sizeof path, "%s/%s/config.json", FIXTURES_DIR, expected[i].fixture);
      text = fake_read_file (path, &len);
      doc = harden (text, len, &policy->profiles[0], &first);
      once = hr_json_serialize (doc, &len);
      again = harden (once, len, &policy->profiles[0], &second);
      twice = hr_json_serialize (again, &len2);
      cr_assert_eq (second.n_changed, 0, "%s: changed again: %s", expected[i].fixture,
                    second.len ? second.items[0].message : "");
      cr_assert_str_eq (once, twice, "%s", expected[i].fixture);
      hr_result_clear (&first), hr_result_clear (&second);
      hr_json_free (doc), hr_json_free (again);
      free (text), free (once), free (twice);
    }
  hr_policy_free (policy);
}

Test (fixtures, host_network_profile_admits_hostnetwork_pods)
{
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_file (FIXTURES_DIR "/../../examples/policies/profiles.json", &err);
  const struct hr_profile *profile;
  static const char *const pods[] = { "default-sandbox", "default-container", "privileged-sandbox" };

  cr_assert_not_null (policy, "%s", err ? err->msg : "");
  profile = hr_policy_find_profile (policy, "host-network");
  for (size_t i = 0; i < HR_ARRAY_SIZE (pods); i++)
    {
      char path[512];
      size_t len;
      char *text, *why;
      struct hr_result result = { 0 };
      struct hr_json *doc;

      snprintf (path, sizeof path, "%s/containerd-1.6-cri/%s/config.json", FIXTURES_DIR, pods[i]);
      text = fake_read_file (path, &len);
      doc = harden (text, len, profile, &result);
      why = denials (&result);
      cr_assert_eq (result.n_denied, 0, "%s: %s", pods[i], why);
      free (why);
      hr_result_clear (&result);
      hr_json_free (doc);
      free (text);
    }
  hr_policy_free (policy);
}

Test (fixtures, untouched_specs_round_trip_byte_for_byte)
{
  size_t n;
  char **files = fake_fixture_list ("*/*/config.json", &n);

  cr_assert_geq (n, 15);
  for (size_t i = 0; i < n; i++)
    {
      size_t len, out_len;
      hr_error_t err = NULL;
      char *text = fake_read_file (files[i], &len);
      struct hr_json *doc = hr_json_parse (text, len, &err);
      char *out = hr_json_serialize (doc, &out_len);

      cr_assert_eq (out_len, len, "%s", files[i]);
      cr_assert_eq (memcmp (out, text, len), 0, "%s", files[i]);
      free (out), free (text);
      hr_json_free (doc);
    }
  fake_free_list (files);
}
