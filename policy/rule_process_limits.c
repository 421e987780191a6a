/* SPDX-License-Identifier: Apache-2.0 */
/* process_limits: what a process may ask the kernel for beyond what the
 * engines give by default.  runc sets rlimits from the host side, as host
 * root (before the process enters its user namespace), so a raised hard
 * limit is really granted: RLIMIT_RTPRIO lets a process run real-time and
 * starve the host's CPUs without CAP_SYS_NICE, RLIMIT_MEMLOCK pins host
 * memory, RLIMIT_NOFILE and RLIMIT_NPROC size kernel tables.  Each hard
 * limit is held to the policy's ceiling (the engines' defaults: Docker and
 * podman's 1048576 open files, podman's 4194304 processes, the 8 MiB of
 * locked memory and no real-time or nice priority a daemon inherits).
 * oomScoreAdj below the policy's floor would make the container harder to
 * kill than the host's own daemons when memory runs out: it is raised to
 * the floor (default 0; a Kubernetes Guaranteed pod asks for -997, which a
 * policy that wants it allows with a lower floor).  Checked for the
 * container and for every exec. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000

static const struct hr_setting settings[] = {
  { "rlimits", HR_SETTING_OBJECTS }, /* [{"type": "RLIMIT_NOFILE", "max": 1048576}, ...] */
  { "oom_score_adj_min", HR_SETTING_SIGNED_INT },
  { NULL, 0 },
};

static const char *const rlimit_names[] = {
  "RLIMIT_AS",      "RLIMIT_CORE",     "RLIMIT_CPU",        "RLIMIT_DATA",   "RLIMIT_FSIZE", "RLIMIT_LOCKS",
  "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",       "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
  "RLIMIT_RTPRIO",  "RLIMIT_RTTIME",   "RLIMIT_SIGPENDING", "RLIMIT_STACK",  NULL,
};

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  const struct hr_json *limits = hr_settings_member (s, "rlimits"),
                       *floor = hr_settings_member (s, "oom_score_adj_min");
  int64_t min = 0;
  uint64_t max;

  for (size_t i = 0; limits && i < limits->len; i++)
    {
      const struct hr_json *type = hr_json_get_value (limits->items[i], "type");
      const struct hr_json *value = hr_json_get_value (limits->items[i], "max");
      bool known = false;

      for (size_t k = 0; hr_json_is_string (type) && rlimit_names[k]; k++)
        known |= strcmp (rlimit_names[k], type->text) == 0;
      if (!known || limits->items[i]->len != 2 || value == NULL || hr_json_number_to_uint64 (value, &max) < 0)
        return hr_error_set (err, 0, "rlimits[%zu]: expected {\"type\": \"RLIMIT_...\", \"max\": N}", i);
    }
  if (floor && (hr_json_number_to_int64 (floor, &min) < 0 || min < OOM_SCORE_ADJ_MIN || min > OOM_SCORE_ADJ_MAX))
    return hr_error_set (err, 0, "oom_score_adj_min must lie within -1000 and 1000");
  return 0;
}

/* The ceiling of an rlimit type; false when the policy names none. */
static bool
ceiling (const struct hr_rule_ctx *ctx, const char *type, uint64_t *max)
{
  const struct hr_json *limits = hr_setting_get (ctx, "rlimits");

  for (size_t i = 0; i < limits->len; i++)
    if (strcmp (hr_json_get_value (limits->items[i], "type")->text, type) == 0)
      return hr_json_number_to_uint64 (hr_json_get_value (limits->items[i], "max"), max) == 0;
  return false;
}

static struct hr_json *
u64_number (uint64_t v)
{
  char text[32];
  snprintf (text, sizeof text, "%" PRIu64, v);
  return hr_json_new_number (text);
}

static int
check_rlimit (struct hr_rule_ctx *ctx, struct hr_json *limit, size_t index, hr_error_t *err)
{
  const char *type = NULL;
  uint64_t hard = 0, soft = 0, max;
  const struct hr_json *h, *s;

  if (limit->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "process.rlimits[%zu]: expected object", index);
  if (hr_json_read_string (limit, "type", "process.rlimits[]", &type, err) < 0)
    return -1;
  h = hr_json_get_value (limit, "hard");
  s = hr_json_get_value (limit, "soft");
  if ((h && hr_json_number_to_uint64 (h, &hard) < 0) || (s && hr_json_number_to_uint64 (s, &soft) < 0))
    return hr_error_set (err, 0, "process.rlimits[%zu]: expected unsigned integers", index);
  if (type == NULL || !ceiling (ctx, type, &max) || hard <= max)
    return 0;
  if (!hr_finding (ctx, "%s hard limit %" PRIu64 " is above the policy's ceiling %" PRIu64 ": lowered to it", type,
                   hard, max))
    return 0;
  hr_json_set (limit, "hard", u64_number (max));
  if (soft > max)
    hr_json_set (limit, "soft", u64_number (max));
  return 0;
}

static int
check_oom_score_adj (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  int64_t floor = hr_setting_int (ctx, "oom_score_adj_min"), adj = 0;

  if (hr_json_get_value (process, "oomScoreAdj") == NULL)
    return 0;
  if (hr_json_read_int64 (process, "oomScoreAdj", "process", &adj, err) < 0)
    return -1;
  if (adj < floor
      && hr_finding (ctx,
                     "oomScoreAdj %" PRId64 " is below the policy's floor %" PRId64
                     " (the container would outlive the host's daemons when memory runs out): raised to it",
                     adj, floor))
    hr_json_set (process, "oomScoreAdj", hr_json_new_int (floor));
  return 0;
}

static int
apply_process (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  struct hr_json *limits = hr_json_get_value (process, "rlimits");

  if (limits && limits->type != HR_JSON_ARRAY)
    return hr_error_set (err, 0, "process.rlimits: expected array");
  for (size_t i = 0; limits && i < limits->len; i++)
    if (check_rlimit (ctx, limits->items[i], i, err) < 0)
      return -1;
  return check_oom_score_adj (ctx, process, err);
}

const struct hr_rule_def hr_rule_process_limits = {
  .name = "process_limits",
  .settings = settings,
  .validate = validate,
  .apply_process = apply_process,
};
