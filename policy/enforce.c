/* SPDX-License-Identifier: Apache-2.0 */
/* The enforcement driver: runs every rule of the profile over the document,
 * in a fixed order (capabilities before seccomp, which is computed for the
 * final capabilities), and collects the decisions for the audit line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/enforce.h"
#include "hardrun/util.h"
#include "rules.h"
#include "spec_go_types.h"

/* Enforcement order: capabilities before seccomp, which is computed for
 * the final capabilities; user_namespace before sysctls, whose
 * ping_group_range it narrows. */
const struct hr_rule_def *const hr_rule_defs[] = {
  &hr_rule_user_namespace,
  &hr_rule_host_namespaces,
  &hr_rule_readonly_rootfs,
  &hr_rule_capabilities,
  &hr_rule_no_new_privileges,
  &hr_rule_exec_flags,
  &hr_rule_privileged,
  &hr_rule_devices,
  &hr_rule_sensitive_mounts,
  &hr_rule_proc_sys_mounts,
  &hr_rule_bind_options,
  &hr_rule_masked_paths,
  &hr_rule_pids_limit,
  &hr_rule_sysctls,
  &hr_rule_process_cwd,
  &hr_rule_process_limits,
  &hr_rule_process_labels,
  &hr_rule_hooks,
  &hr_rule_cgroups_path,
  &hr_rule_secrets,
  &hr_rule_seccomp, /* last: its profile is computed for the final capabilities */
  NULL,
};

size_t
hr_rule_count (void)
{
  return HR_ARRAY_SIZE (hr_rule_defs) - 1;
}

const char *
hr_rule_name (size_t index)
{
  return hr_rule_defs[index]->name;
}

const struct hr_rule_def *
hr_rule_def_find (const char *name)
{
  for (size_t i = 0; hr_rule_defs[i]; i++)
    if (strcmp (hr_rule_defs[i]->name, name) == 0)
      return hr_rule_defs[i];
  return NULL;
}

const char *
hr_outcome_name (enum hr_outcome outcome)
{
  switch (outcome)
    {
    case HR_OUTCOME_CHANGED:
      return "changed";
    case HR_OUTCOME_DENIED:
      return "denied";
    case HR_OUTCOME_AUDITED:
      return "audited";
    case HR_OUTCOME_QUARANTINED:
      return "quarantined";
    default:
      break;
    }
  return "unknown";
}

const char *
hr_result_verdict (const struct hr_result *result)
{
  if (result->n_denied > 0)
    return "deny";
  if (hr_result_quarantined (result))
    return "quarantine";
  return result->n_changed > 0 ? "modify" : "allow";
}

bool
hr_result_quarantined (const struct hr_result *result)
{
  return result->n_quarantined > 0 && result->n_denied == 0;
}

void
hr_result_add (struct hr_result *result, const char *rule, enum hr_outcome outcome, char *message)
{
  if (result->len == result->cap)
    {
      result->cap = result->cap ? result->cap * 2 : 16;
      result->items = xrealloc (result->items, result->cap * sizeof *result->items);
    }
  result->items[result->len++] = (struct hr_decision){ .rule = rule, .outcome = outcome, .message = message };
  if (outcome == HR_OUTCOME_DENIED)
    result->n_denied++;
  else if (outcome == HR_OUTCOME_CHANGED)
    result->n_changed++;
  else if (outcome == HR_OUTCOME_QUARANTINED)
    result->n_quarantined++;
}

void
hr_result_clear (struct hr_result *result)
{
  for (size_t i = 0; i < result->len; i++)
    free (result->items[i].message);
  free (result->items);
  free (result->needs.join_userns);
  free (result->needs.range_owner);
  hr_strv_clear (&result->needs.own_binds);
  hr_strv_clear (&result->needs.shared_volume_sources);
  hr_strv_clear (&result->needs.shared_volume_roots);
  memset (result, 0, sizeof *result);
}

/* What a finding the rule does not cure becomes under the action. */
static enum hr_outcome
refusal_outcome (enum hr_action action)
{
  switch (action)
    {
    case HR_ACTION_AUDIT:
      return HR_OUTCOME_AUDITED;
    case HR_ACTION_QUARANTINE:
      return HR_OUTCOME_QUARANTINED;
    case HR_ACTION_OFF:
    case HR_ACTION_FIX:
    case HR_ACTION_DENY:
    default:
      return HR_OUTCOME_DENIED;
    }
}

bool
hr_finding (struct hr_rule_ctx *ctx, const char *fmt, ...)
{
  va_list ap;
  char *message = NULL;
  enum hr_outcome outcome;

  va_start (ap, fmt);
  xvasprintf (&message, fmt, ap);
  va_end (ap);
  outcome = ctx->action == HR_ACTION_FIX ? HR_OUTCOME_CHANGED : refusal_outcome (ctx->action);
  hr_result_add (ctx->result, ctx->config->name, outcome, message);
  return outcome == HR_OUTCOME_CHANGED;
}

void
hr_violation (struct hr_rule_ctx *ctx, const char *fmt, ...)
{
  va_list ap;
  char *message = NULL;

  va_start (ap, fmt);
  xvasprintf (&message, fmt, ap);
  va_end (ap);
  hr_result_add (ctx->result, ctx->config->name, refusal_outcome (ctx->action), message);
}

static enum hr_action
effective_action (enum hr_action configured, bool audit_mode)
{
  if (audit_mode && configured != HR_ACTION_OFF)
    return HR_ACTION_AUDIT;
  return configured;
}

static int
apply_rule (const struct hr_rule_def *def, struct hr_rule_ctx *ctx, bool for_process, hr_error_t *err)
{
  struct hr_json *process = for_process ? ctx->doc : hr_json_get_value (ctx->doc, "process");

  if (!for_process && def->apply_spec && def->apply_spec (ctx, err) < 0)
    return -1;
  if (def->apply_process && process && def->apply_process (ctx, process, err) < 0)
    return -1;
  return 0;
}

int
hr_run_rules (struct hr_json *doc, const struct hr_profile *profile, bool audit_mode, const struct hr_host *host,
              bool for_process, struct hr_result *result, hr_error_t *err)
{
  for (size_t i = 0; i < hr_rule_count (); i++)
    {
      struct hr_rule_ctx ctx = {
        .doc = doc,
        .config = &profile->rules[i],
        .action = effective_action (profile->rules[i].action, audit_mode),
        .result = result,
        .host = host,
        .profile = profile,
      };

      if (ctx.action == HR_ACTION_OFF)
        continue;
      /* an exec cannot be moved into quarantine: its container runs already */
      if (for_process && ctx.action == HR_ACTION_QUARANTINE)
        ctx.action = HR_ACTION_DENY;
      if (apply_rule (hr_rule_defs[i], &ctx, for_process, err) < 0)
        return hr_error_prefix (err, "rule %s", hr_rule_defs[i]->name);
    }
  return 0;
}

/* What every rule may assume about the spec; the rest each rule checks where it looks. */
static int
check_spec_shape (const struct hr_json *spec, hr_error_t *err)
{
  if (spec->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "the spec is a JSON %s, not an object", hr_json_type_name (spec->type));
  if (hr_json_get_value (spec, "process") == NULL)
    return hr_error_set (err, 0, "the spec has no process");
  if (hr_json_check_type (spec, "process", HR_JSON_OBJECT, "", err) < 0
      || hr_json_check_type (spec, "linux", HR_JSON_OBJECT, "", err) < 0
      || hr_json_check_type (spec, "root", HR_JSON_OBJECT, "", err) < 0
      || hr_json_check_type (spec, "mounts", HR_JSON_ARRAY, "", err) < 0
      || hr_json_check_type (spec, "annotations", HR_JSON_OBJECT, "", err) < 0)
    return -1;
  return 0;
}

int
hr_enforce_spec (struct hr_json *spec, const struct hr_profile *profile, bool audit_mode, const struct hr_host *host,
                 struct hr_result *result, hr_error_t *err)
{
  bool quarantine = false;

  if (check_spec_shape (spec, err) < 0 || hr_check_go_types_spec (spec, err) < 0)
    return -1;
  if (profile->quarantine && !audit_mode)
    {
      if (hr_quarantine_probe (spec, profile, host, result, &quarantine, err) < 0)
        return -1;
      if (quarantine)
        profile = profile->quarantine;
    }
  return hr_run_rules (spec, profile, audit_mode, host, false, result, err);
}

int
hr_enforce_exec_process (struct hr_json *process, const struct hr_profile *profile, bool audit_mode,
                         const struct hr_host *host, struct hr_result *result, hr_error_t *err)
{
  if (process->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "the process is a JSON %s, not an object", hr_json_type_name (process->type));
  if (hr_check_go_types_process (process, "process", err) < 0)
    return -1;
  return hr_run_rules (process, profile, audit_mode, host, true, result, err);
}

int
hr_enforce_process (struct hr_json *process, const struct hr_profile *profile, bool audit_mode,
                    struct hr_result *result, hr_error_t *err)
{
  return hr_enforce_exec_process (process, profile, audit_mode, NULL, result, err);
}
