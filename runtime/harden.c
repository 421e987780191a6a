/* Shared by create/run/restore and `check`: parse a spec, pick the profile,
 * run the policy over it. */
#include <string.h>

#include "hardrun/runtime.h"
#include "hardrun/util.h"
#include "harden.h"

int
hr_harden_spec (const struct hr_policy *policy, const struct hr_cli *cli, const char *text, size_t len,
                const char *bundle, struct hr_hardened *out, hr_error_t *err)
{
  struct hr_host host;

  memset (out, 0, sizeof *out);
  out->doc = hr_json_parse (text, len, err);
  if (out->doc == NULL)
    return -1;
  out->profile = hr_select_profile (policy, cli, out->doc, err);
  if (out->profile == NULL)
    return -1;
  out->audit_mode = policy->audit_mode;
  hr_host_init (&host, bundle);
  return hr_enforce_spec (out->doc, out->profile, out->audit_mode, &host, &out->result, err);
}

void
hr_hardened_clear (struct hr_hardened *h)
{
  hr_json_free (h->doc);
  hr_result_clear (&h->result);
  memset (h, 0, sizeof *h);
}

char *
hr_denial_summary (const struct hr_result *result)
{
  char *out = xstrdup ("");

  for (size_t i = 0; i < result->len; i++)
    {
      char *next;
      if (result->items[i].outcome != HR_OUTCOME_DENIED)
        continue;
      xasprintf (&next, "%s%s%s: %s", out, *out ? "; " : "", result->items[i].rule, result->items[i].message);
      free (out);
      out = next;
    }
  return out;
}
