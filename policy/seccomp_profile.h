/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp profiles in the OCI form: the embedded default profile computed for
 * a capability set, and compilation with libseccomp so that a profile that
 * runc could not load is a hardrun error instead. */
#ifndef HARDRUN_SECCOMP_PROFILE_H
#define HARDRUN_SECCOMP_PROFILE_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "hardrun/enforce.h"
#include "hardrun/error.h"
#include "hardrun/json.h"
#include "hardrun/util.h"

extern const char hr_default_seccomp_text[];

/* Docker's default allowlist semantics: the base allowlist plus the groups
 * whose required capabilities are all in `bounding`, for this machine's
 * architectures, with every `must_deny` name left out. */
struct hr_json *hr_seccomp_default_profile (const struct hr_json *bounding, const struct hr_json *must_deny);

/* hr_seccomp_compile is declared in hardrun/enforce.h. */

/* This machine's architectures as the embedded profile lists them (the
 * native one and those it can run). */
struct hr_json *hr_seccomp_native_architectures (void);

/* seccomp_learn.c: the calls every profile allows (NULL-terminated); the
 * profile of a container whose calls are being learned (the floor allowed,
 * must_deny denied, everything else allowed and logged by the kernel); the
 * minimal profile allowing the floor and the calls seen. */
extern const char *const hr_seccomp_floor[];
struct hr_json *hr_seccomp_learning_profile (const struct hr_json *must_deny);

/* seccomp_compile.c, read as runc reads them: an action (with its errno
 * field) as libseccomp's value; the conditions of a rule (at most
 * HR_SECCOMP_MAX_CONDITIONS), *repeated_index when an argument index comes
 * twice (runc then adds each condition as a rule of its own). */
#define MAX_SYSCALL_ARGS 6
#define HR_SECCOMP_MAX_CONDITIONS (MAX_SYSCALL_ARGS * 4)
int hr_seccomp_read_action (const struct hr_json *obj, const char *field, const char *errno_field, uint32_t *out,
                            hr_error_t *err);
int hr_seccomp_read_conditions (const struct hr_json *args, struct scmp_arg_cmp *conds, size_t *n, bool *repeated_index,
                                hr_error_t *err);

/* The libseccomp filter runc would build from the profile (what
 * hr_seccomp_compile checks); the caller releases it. */
int hr_seccomp_build (const struct hr_json *profile, scmp_filter_ctx *out, hr_error_t *err);

/* seccomp_sim.c: the filter libseccomp builds from a profile, run on one
 * call's data as the kernel would (the instructions libseccomp emits; an
 * unknown one answers KILL). */
struct hr_seccomp_sim
{
  struct sock_filter *prog;
  size_t len;
};
int hr_seccomp_sim_load (const struct hr_json *profile, struct hr_seccomp_sim *sim, hr_error_t *err);
uint32_t hr_seccomp_sim_run (const struct hr_seccomp_sim *sim, const struct seccomp_data *data);
void hr_seccomp_sim_clear (struct hr_seccomp_sim *sim);

/* seccomp_merge.c: the strictest of n profiles (NULL entries skipped), as
 * one profile whose filter, compiled by libseccomp as runc compiles it,
 * answers every call with the strictest answer any of them gives
 * (KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > NOTIFY > TRACE > LOG >
 * ALLOW; between two errnos, or two trace values, the earlier profile's).
 * The first profile's other members (flags, listenerPath,
 * listenerMetadata, architectures, unknown ones) are kept; a member it lacks
 * comes from the first later profile that has it.  clone3 answers ENOSYS
 * unless a profile kills or traps it.  When changed is not NULL it gets the
 * names of the calls whose answer differs from the first profile's alone. */
struct hr_json *hr_seccomp_merge (const struct hr_json *const *profiles, size_t n, struct hr_strv *changed,
                                  hr_error_t *err);

/* Actions under which a syscall may run (a tracer or notify agent can let it). */
bool hr_seccomp_action_allows (const char *action);

#endif
