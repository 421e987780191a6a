/* SPDX-License-Identifier: Apache-2.0 */
/* finding, trusting and executing the real runtime */
#ifndef HARDRUN_REAL_RUNTIME_H
#define HARDRUN_REAL_RUNTIME_H

#include "cli.h"
#include "hardrun/error.h"

/* real_runtime.c */
/* The configured runtime, else the first runc of the search path that is
 * not hardrun itself; refused unless root owns it (and the directories
 * above it) and, with a pin, unless its SHA-256 is the pin. */
int hr_find_runtime (const char *configured, const char *pin, char **path, hr_error_t *err);
/* The runtime and pin the policy file (if any) names, without validating
 * the rest: pass-through commands need only these.  Fails only when the
 * file exists and is not root's alone. */
int hr_policy_runtime_hint (const struct hr_cli *cli, char **runtime, char **pin, hr_error_t *err);
/* execv's the runtime with the caller's argv (hardrun's flags removed);
 * returns only on failure. */
int hr_exec_runtime (const char *path, const struct hr_cli *cli, hr_error_t *err);

#endif
