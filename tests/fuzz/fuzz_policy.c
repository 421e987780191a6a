/* SPDX-License-Identifier: Apache-2.0 */
/* Policy files: load, and whatever loads must show and re-load; the
 * collecting mode (policy validate) accepts exactly what the runtime
 * accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/json.h"
#include "hardrun/policy.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_text ((const char *)data, size, "fuzz", &err);
  struct hr_policy_problems problems = { 0 };
  struct hr_policy *collected = hr_policy_load_text_all ((const char *)data, size, "fuzz", &problems);
  struct hr_policy *again;
  struct hr_json *shown;
  char *text;
  size_t len;

  if ((policy == NULL) != (collected == NULL) || (collected == NULL) != (problems.len > 0))
    abort ();
  hr_policy_free (collected);
  hr_policy_problems_clear (&problems);
  if (policy == NULL)
    {
      hr_error_free (&err);
      return 0;
    }
  shown = hr_policy_to_json (policy);
  text = hr_json_serialize (shown, &len);
  again = hr_policy_load_text (text, len, "fuzz-shown", &err);
  if (again == NULL)
    abort ();
  hr_policy_free (again);
  hr_json_free (shown);
  free (text);
  hr_policy_free (policy);
  return 0;
}
