/* SPDX-License-Identifier: Apache-2.0 */
/* A whole spec through the embedded default policy: no crash, and a
 * hardened spec is a fixed point (enforcing it again changes nothing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_host.h"
#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static struct hr_policy *policy;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hr_error_t err = NULL;
  struct hr_json *spec;
  struct hr_result result = { 0 }, again = { 0 };
  const struct hr_profile *profile;

  if (policy == NULL && (policy = hr_policy_load_default (&err)) == NULL)
    abort ();
  profile = hr_policy_find_profile (policy, "default");
  spec = hr_json_parse ((const char *)data, size, &err);
  if (spec == NULL)
    {
      hr_error_free (&err);
      return 0;
    }
  if (hr_enforce_spec (spec, profile, false, &fuzz_host, &result, &err) == 0 && result.n_denied == 0)
    {
      if (hr_enforce_spec (spec, profile, false, &fuzz_host, &again, &err) < 0 || again.n_changed != 0)
        abort ();
    }
  hr_error_free (&err);
  hr_result_clear (&result);
  hr_result_clear (&again);
  hr_json_free (spec);
  return 0;
}
