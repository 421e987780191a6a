/* SPDX-License-Identifier: Apache-2.0 */
/* A whole spec through the embedded default policy: no crash, and a
 * hardened spec is a fixed point (enforcing it again changes nothing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_host.h"
#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static struct hr_policy *policy;

/* The host the fuzzed spec meets (the unit tests' fake host, with tables
 * that any path can reach): a namespace path with "host" in it is the
 * host's, one under /proc/1/ cannot be inspected, one with "userns" in it
 * is the user namespace of sandbox "sbx" (pod "pod"), whose other
 * namespaces have "sbx" in their path; relative paths resolve below
 * /bundle, /unresolvable does not resolve; the rootfs lacks /var/tmp; a
 * path with /proc/ in it is a proc mount, one with /mnt/ a bind of /etc,
 * one with /broken/ unreadable; hooks under /tmp are not root's; one other
 * container lives, in /docker/a. */
static const char *const host_namespaces[] = { "*host*", NULL };
static const char *const broken_namespaces[] = { "/proc/1/*", NULL };
static const struct fake_link links[] = { { "/unresolvable", NULL }, { NULL, NULL } };
static const char *const missing_dirs[] = { "/var/tmp", NULL };
static const struct fake_mount mounts[]
    = { { "*/proc/*", "proc", NULL }, { "*/mnt/*", "ext4", "/etc" }, { NULL, NULL, NULL } };
static const char *const broken_mounts[] = { "*/broken/*", NULL };
static const struct fake_container_ns container_namespaces[] = { { "sbx", "*sbx*" }, { NULL, NULL } };
static const struct fake_annotation annotations[]
    = { { "sbx", "io.kubernetes.cri.sandbox-uid", "pod" }, { NULL, NULL, NULL } };
static const struct fake_userns user_namespaces[]
    = { { "*userns*", 200000, 200000, 65536, "sbx" }, { NULL, 0, 0, 0, NULL } };
static const struct fake_link live[] = { { "a", "/docker/a" }, { NULL, NULL } };
static const struct fake_host_config host_config = {
  .host_namespaces = host_namespaces,
  .broken_namespaces = broken_namespaces,
  .links = links,
  .missing_dirs = missing_dirs,
  .mounts = mounts,
  .broken_mounts = broken_mounts,
  .container_namespaces = container_namespaces,
  .container_annotations = annotations,
  .container_id = "000000000000000000000000000000000000000000000000000000c0ffee0000",
  .bundle = "/bundle",
  .user_namespaces = user_namespaces,
};
static struct hr_host host;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hr_error_t err = NULL;
  struct hr_json *spec;
  struct hr_result result = { 0 }, again = { 0 };
  const struct hr_profile *profile;

  if (policy == NULL && (policy = hr_policy_load_default (&err)) == NULL)
    abort ();
  if (host.data == NULL)
    {
      fake_host_init (&host, &host_config);
      fake_host_set_live_cgroups (&host, live, "/");
    }
  profile = hr_policy_find_profile (policy, "default");
  spec = hr_json_parse ((const char *)data, size, &err);
  if (spec == NULL)
    {
      hr_error_free (&err);
      return 0;
    }
  if (hr_enforce_spec (spec, profile, false, &host, &result, &err) == 0 && result.n_denied == 0)
    {
      if (hr_enforce_spec (spec, profile, false, &host, &again, &err) < 0 || again.n_changed != 0)
        abort ();
    }
  hr_error_free (&err);
  hr_result_clear (&result);
  hr_result_clear (&again);
  hr_json_free (spec);
  return 0;
}
