/* Seccomp profiles in the OCI form: the embedded default profile computed for
 * a capability set, and compilation with libseccomp so that a profile that
 * runc could not load is a hardrun error instead. */
#ifndef HARDRUN_SECCOMP_PROFILE_H
#define HARDRUN_SECCOMP_PROFILE_H

#include <stdbool.h>

#include "hardrun/enforce.h"
#include "hardrun/error.h"
#include "hardrun/json.h"

extern const char hr_default_seccomp_text[];

/* Docker's default allowlist semantics: the base allowlist plus the groups
 * whose required capabilities are all in `bounding`, for this machine's
 * architectures, with every `must_deny` name left out. */
struct hr_json *hr_seccomp_default_profile (const struct hr_json *bounding, const struct hr_json *must_deny);

/* hr_seccomp_compile is declared in hardrun/enforce.h. */

/* Actions under which a syscall may run (a tracer or notify agent can let it). */
bool hr_seccomp_action_allows (const char *action);

#endif
