/* SPDX-License-Identifier: Apache-2.0 */
/* pids_limit: a fork bomb in one container must not exhaust the host. */
#include <inttypes.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "limit", HR_SETTING_INT },
  { NULL, 0 },
};

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  int64_t limit = 0;
  hr_json_number_to_int64 (hr_settings_member (s, "limit"), &limit);
  return limit > 0 ? 0 : hr_error_set (err, 0, "limit must be positive");
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *resources, *pids;
  int64_t limit = 0;

  if (hr_spec_linux_member (ctx->doc, "resources", HR_JSON_OBJECT, &resources, err) < 0)
    return -1;
  if (resources && hr_json_check_type (resources, "pids", HR_JSON_OBJECT, "linux.resources", err) < 0)
    return -1;
  pids = hr_json_get_value (resources, "pids");
  if (hr_json_read_int64 (pids, "limit", "linux.resources.pids", &limit, err) < 0)
    return -1;
  if (limit > 0)
    return 0;
  if (hr_finding (ctx, "pids limit set to %" PRId64, hr_setting_int (ctx, "limit")))
    {
      resources = hr_spec_linux_ensure (ctx->doc, "resources", HR_JSON_OBJECT);
      pids = hr_json_ensure_object (resources, "pids");
      hr_json_set (pids, "limit", hr_json_new_int (hr_setting_int (ctx, "limit")));
    }
  return 0;
}

const struct hr_rule_def hr_rule_pids_limit = {
  .name = "pids_limit",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
