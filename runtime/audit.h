/* SPDX-License-Identifier: Apache-2.0 */
/* the audit trail: one JSON line per decision */
#ifndef HARDRUN_AUDIT_H
#define HARDRUN_AUDIT_H

#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include <stdbool.h>

/* audit.c: one JSON line per decision. */
struct hr_audit_event
{
  const char *command;
  const char *container_id;
  const char *document; /* the file that was checked */
  const char *image;    /* from the spec's annotations, or NULL */
  const char *profile;
  /* exec: where the profile came from (the container's record, or why
   * there was none), or NULL */
  const char *profile_source;
  bool audit_mode;
  const struct hr_result *result;
  /* create: time spent preparing the user namespace (id range, idmapped
   * rootfs), in microseconds; -1 when there was none */
  long userns_setup_us;
  /* where the engine names the pod (Kubernetes namespace, pod, container):
   * the spec's annotations (create), or runc's state.json of the container,
   * whose labels carry them (exec); either may be NULL */
  const struct hr_json *spec;
  const struct hr_json *runc_state;
};
/* Appends the line to the policy's audit_log and, with audit_syslog, sends
 * it to syslog (LOG_AUTHPRIV) with a severity that follows the decision:
 * deny and quarantine warning, modify notice, allow info. */
void hr_audit_write (const struct hr_policy *policy, const struct hr_audit_event *event);
/* The syslog severity of a verdict ("allow", "modify", "deny", "quarantine"). */
int hr_audit_severity (const char *verdict);

struct hr_json *hr_result_to_json (const struct hr_result *result);

#endif
