/* Seccomp profiles in the OCI form: the embedded default profile computed for
 * a capability set, and compilation with libseccomp so that a profile that
 * runc could not load is a hardrun error instead. */
#ifndef HARDRUN_SECCOMP_PROFILE_H
#define HARDRUN_SECCOMP_PROFILE_H

#include <stdbool.h>

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

/* Actions under which a syscall may run (a tracer or notify agent can let it). */
bool hr_seccomp_action_allows (const char *action);

#endif
