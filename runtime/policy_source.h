/* SPDX-License-Identifier: Apache-2.0 */
/* where the policy comes from, and the profile a container gets */
#ifndef HARDRUN_POLICY_SOURCE_H
#define HARDRUN_POLICY_SOURCE_H

#include "cli.h"
#include "hardrun/error.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include <stdbool.h>

/* Reads the policy file at path and loads it: the policy library takes text,
 * the runtime reads files. */
struct hr_policy *hr_policy_load_file (const char *path, hr_error_t *err);

/* policy_source.c: --hardrun-policy, else the policy file, else the
 * embedded default.  Fails closed on any problem with a file that exists. */
/* With require_trusted, a policy file that is not root's alone (see
 * runtime_trust.h) is refused: commands that run containers ask for it,
 * check and policy (which run nothing) do not. */
struct hr_policy *hr_load_policy (const struct hr_cli *cli, bool require_trusted, hr_error_t *err);
/* Reads the files a loaded policy names (its seccomp profiles) and attaches
 * them; with require_trusted each must pass the policy's own trust checks. */
int hr_policy_read_files (struct hr_policy *policy, bool require_trusted, hr_error_t *err);
/* The trust checks the runtime applies to a policy file before it reads it
 * (runtime_trust.h: root's, not writable by others, nor is any directory
 * above it). */
int hr_policy_check_trusted (const char *path, hr_error_t *err);
/* `policy validate`: reads the policy file and loads it collecting every
 * problem (hr_policy_load_text_all), with require_trusted the runtime's
 * trust checks of the file and of the files it names too.  Returns the
 * policy when problems got none. */
struct hr_policy *hr_policy_check_file (const char *path, bool require_trusted, struct hr_policy_problems *problems);
/* The audit log the policy names; the built-in default when the policy
 * cannot be read (for report and seccomp learn, which run nothing). */
char *hr_policy_audit_log (const struct hr_cli *cli);
/* The profile: --hardrun-profile, else the annotation the policy allows
 * (spec may be NULL), else the policy's default. */
const struct hr_profile *hr_select_profile (const struct hr_policy *policy, const struct hr_cli *cli,
                                            const struct hr_json *spec, hr_error_t *err);

#endif
