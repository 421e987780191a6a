/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by create/run/restore and `check`: parse a spec, pick the profile,
 * run the policy over it. */
#include <string.h>

#include "cli.h"
#include "harden.h"
#include "hardrun/util.h"
#include "host.h"
#include "log.h"
#include "policy_source.h"

/* Apply what the user_namespace rule planned: reserve a free id range for
 * the container (under /run/hardrun's lock) and give the spec and the
 * finding its ids.  Only for a container that will run: a refused one
 * never holds a range. */
static int
reserve_planned_range (struct hr_hardened *h, hr_error_t *err)
{
  struct hr_host_needs *needs = &h->result.needs;
  struct hr_id_pool pool;

  if (!needs->private_range || h->result.n_denied > 0)
    return 0;
  if (hr_id_pool_load (h->profile, &pool, err) < 0)
    return -1;
  pool.size = (uint32_t)needs->size;
  if (hr_ids_allocate (&pool, h->cli->root, h->cli->container_id, &h->allocation, err) < 0)
    return -1;
  h->allocated = true;
  return hr_assign_id_range (h->doc, &h->result, h->allocation.map.host_uid, h->allocation.map.host_gid);
}

int
hr_harden_spec (const struct hr_policy *policy, const struct hr_cli *cli, const char *text, size_t len,
                const char *bundle, bool allocate, struct hr_hardened *out, hr_error_t *err)
{
  return hr_harden_spec_adjusted (policy, cli, text, len, bundle, allocate, NULL, NULL, out, err);
}

int
hr_harden_spec_adjusted (const struct hr_policy *policy, const struct hr_cli *cli, const char *text, size_t len,
                         const char *bundle, bool allocate, void (*adjust) (struct hr_host *host, void *data),
                         void *data, struct hr_hardened *out, hr_error_t *err)
{
  struct hr_host host;

  memset (out, 0, sizeof *out);
  out->allocate = allocate;
  out->cli = cli;
  out->bundle = bundle;
  /* as runc will read it: duplicate and case-variant keys resolved */
  out->doc = hr_spec_parse_go (text, len, err);
  if (out->doc == NULL)
    return -1;
  out->profile = hr_select_profile (policy, cli, out->doc, err);
  if (out->profile == NULL)
    return -1;
  out->audit_mode = policy->audit_mode;
  hr_host_init (&host, bundle);
  host.container_id = cli->container_id;
  host.runtime_root = cli->root;
  /* check and doctor judge many specs alike: the compiled-profile cache
   * serves them as it serves create */
  hr_host_enable_caches (&host);
  if (adjust)
    adjust (&host, data);
  if (hr_enforce_spec (out->doc, out->profile, out->audit_mode, &host, &out->result, err) < 0)
    return -1;
  return allocate ? reserve_planned_range (out, err) : 0;
}

void
hr_hardened_abandon (struct hr_hardened *h)
{
  hr_error_t err = NULL;

  if (!h->allocated)
    return;
  if (hr_ids_release (h->cli->root, h->cli->container_id, &err) < 0)
    hr_log_failure (err, "cannot release the id range");
  hr_error_free (&err);
  h->allocated = false;
}

void
hr_hardened_clear (struct hr_hardened *h)
{
  hr_allocation_clear (&h->allocation);
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
