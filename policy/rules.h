/* SPDX-License-Identifier: Apache-2.0 */
/* The contract between the enforcement driver, the policy loader and each
 * rule family (one file each, rule_*.c). */
#ifndef HARDRUN_RULES_H
#define HARDRUN_RULES_H

#include <stdbool.h>

#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"

enum hr_setting_type
{
  HR_SETTING_BOOL,
  HR_SETTING_INT, /* a non-negative integer */
  HR_SETTING_STRING,
  HR_SETTING_STRINGS,    /* an array of strings */
  HR_SETTING_OBJECTS,    /* an array of objects, checked by the rule */
  HR_SETTING_SIGNED_INT, /* an integer, negative ones too */
};

struct hr_setting
{
  const char *key;
  enum hr_setting_type type;
};

struct hr_rule_ctx
{
  struct hr_json *doc; /* the spec, or the process of an exec */
  const struct hr_rule_config *config;
  enum hr_action action; /* effective: audit mode turns fix and deny into audit */
  struct hr_result *result;
  const struct hr_host *host;
  const struct hr_profile *profile;
};

struct hr_rule_def
{
  const char *name;
  const struct hr_setting *settings; /* terminated by a NULL key */
  /* Checks values beyond their type (names, paths); may be NULL. */
  int (*validate) (const struct hr_json *settings, hr_error_t *err);
  /* Loads what a setting names (a file) into the settings, once, when the
   * policy is loaded, so that a broken one fails the policy; may be NULL. */
  int (*load) (struct hr_json *settings, hr_error_t *err);
  /* Rules about the whole spec (create, run, restore). */
  int (*apply_spec) (struct hr_rule_ctx *ctx, hr_error_t *err);
  /* Rules about a process: run on the spec's process and on every exec's. */
  int (*apply_process) (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err);
};

extern const struct hr_rule_def *const hr_rule_defs[];
const struct hr_rule_def *hr_rule_def_find (const char *name);

/* Runs every rule of the profile over doc (a spec, or with for_process an
 * exec's process). */
int hr_run_rules (struct hr_json *doc, const struct hr_profile *profile, bool audit_mode, const struct hr_host *host,
                  bool for_process, struct hr_result *result, hr_error_t *err);

/* quarantine.c: runs the profile's rules on a copy of the spec, without side
 * effects; when a quarantine-action rule is broken (and no deny rule), adds
 * the quarantined decisions, isolates spec and sets *quarantine: the
 * caller then enforces the quarantine profile on it. */
int hr_quarantine_probe (struct hr_json *spec, const struct hr_profile *profile, const struct hr_host *host,
                         struct hr_result *result, bool *quarantine, hr_error_t *err);

/* Records that the document breaks the rule, as the message says, and
 * returns true when the rule must now change the document (action fix).
 * With deny the finding is a denial, with audit only a record. */
bool hr_finding (struct hr_rule_ctx *ctx, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* A finding no rewrite can cure: a denial under fix and deny, a record under audit. */
void hr_violation (struct hr_rule_ctx *ctx, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Settings readers, for validated settings (they cannot fail). */
const struct hr_json *hr_setting_get (const struct hr_rule_ctx *ctx, const char *key);
bool hr_setting_bool (const struct hr_rule_ctx *ctx, const char *key);
int64_t hr_setting_int (const struct hr_rule_ctx *ctx, const char *key);
const char *hr_setting_string (const struct hr_rule_ctx *ctx, const char *key);

/* Validation helpers for rule validate() functions. */
/* The member `key` of a rule's settings object (exact keys), or NULL. */
const struct hr_json *hr_settings_member (const struct hr_json *settings, const char *key);
int hr_validate_capability_names (const struct hr_json *list, const char *where, hr_error_t *err);
int hr_validate_syscall_names (const struct hr_json *list, const char *where, hr_error_t *err);
int hr_validate_absolute_paths (const struct hr_json *list, const char *where, hr_error_t *err);

/* The rule definitions. */
extern const struct hr_rule_def hr_rule_user_namespace;
extern const struct hr_rule_def hr_rule_host_namespaces;
extern const struct hr_rule_def hr_rule_readonly_rootfs;
extern const struct hr_rule_def hr_rule_capabilities;
extern const struct hr_rule_def hr_rule_no_new_privileges;
extern const struct hr_rule_def hr_rule_exec_flags;
extern const struct hr_rule_def hr_rule_privileged;
extern const struct hr_rule_def hr_rule_devices;
extern const struct hr_rule_def hr_rule_sensitive_mounts;
extern const struct hr_rule_def hr_rule_proc_sys_mounts;
extern const struct hr_rule_def hr_rule_bind_options;
extern const struct hr_rule_def hr_rule_masked_paths;
extern const struct hr_rule_def hr_rule_pids_limit;
extern const struct hr_rule_def hr_rule_sysctls;
extern const struct hr_rule_def hr_rule_process_cwd;
extern const struct hr_rule_def hr_rule_seccomp;
extern const struct hr_rule_def hr_rule_hooks;
extern const struct hr_rule_def hr_rule_secrets;
extern const struct hr_rule_def hr_rule_process_limits;
extern const struct hr_rule_def hr_rule_process_labels;
extern const struct hr_rule_def hr_rule_cgroups_path;

#endif
