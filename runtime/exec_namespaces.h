/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HARDRUN_EXEC_NAMESPACES_H
#define HARDRUN_EXEC_NAMESPACES_H

#include "hardrun/error.h"
#include "hardrun/json.h"

/* Before `runc exec` into the container runc recorded as state (under
 * state_dir): joins, from this process, the container's network, IPC and
 * UTS namespaces that belong to another user namespace than the
 * container's, and shows runc, in a private mount namespace, a state
 * without them, so that runc 1.1 (which joins the user namespace first)
 * can still run the process in all of the container's namespaces.  A no-op
 * when every namespace is the container's own, or the container has no
 * user namespace or no live init (runc then reports that itself).  Returns
 * 0, or -1 with err set when a step fails: no process may then start. */
int hr_exec_join_foreign_namespaces (const char *state_dir, const struct hr_json *state, hr_error_t *err);

#endif
