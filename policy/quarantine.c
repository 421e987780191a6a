/* SPDX-License-Identifier: Apache-2.0 */
/* Quarantine: a container that breaks a rule whose action is quarantine is
 * run isolated instead of refused (during a rollout, refusing workloads is
 * often not an option; running them as asked is worse).  Isolated means:
 * fresh network, pid, ipc, uts and mount namespaces in place of any it asked
 * to join or share with the host, none of the engine's set-up hooks (which
 * could connect it, e.g. plug its network in), and the policy's quarantine
 * profile (normally its strictest) enforced on what remains.  The reasons
 * stay in the result as "quarantined" decisions and the result is marked,
 * so the audit line says so. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/util.h"
#include "rules.h"
#include "spec_access.h"

static const char *const isolated_namespaces[] = { "network", "pid", "ipc", "uts", "mount", NULL };
/* The hooks an engine runs before the process starts; poststart and
 * poststop only observe and clean up. */
static const char *const setup_hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer", NULL };

static void record (struct hr_result *result, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
record (struct hr_result *result, const char *fmt, ...)
{
  va_list ap;
  char *message;

  va_start (ap, fmt);
  xvasprintf (&message, fmt, ap);
  va_end (ap);
  hr_result_add (result, "quarantine", HR_OUTCOME_CHANGED, message);
}

static void
isolate_namespaces (struct hr_json *spec, struct hr_result *result)
{
  struct hr_json *namespaces = hr_json_ensure_array (hr_json_ensure_object (spec, "linux"), "namespaces");

  for (size_t i = 0; isolated_namespaces[i]; i++)
    {
      const char *type = isolated_namespaces[i];
      struct hr_json *ns = hr_namespace_find (namespaces, type);
      const struct hr_json *path = ns ? hr_json_get_value (ns, "path") : NULL;

      if (ns == NULL)
        {
          ns = hr_json_new (HR_JSON_OBJECT);
          hr_json_set (ns, "type", hr_json_new_string (type));
          hr_json_append (namespaces, ns);
          record (result, "a fresh %s namespace in place of the host's", type);
        }
      else if (path != NULL)
        {
          cleanup_free char *was = xstrdup (hr_json_is_string (path) ? path->text : "?");
          hr_json_remove (ns, "path");
          record (result, "a fresh %s namespace in place of %s", type, was);
        }
    }
}

static void
drop_setup_hooks (struct hr_json *spec, struct hr_result *result)
{
  struct hr_json *hooks = hr_json_get_value (spec, "hooks");

  for (size_t i = 0; hooks && hooks->type == HR_JSON_OBJECT && setup_hooks[i]; i++)
    if (hr_json_remove (hooks, setup_hooks[i]))
      record (result, "the engine's %s hooks removed (they could connect the container)", setup_hooks[i]);
}

/* The probe's profile is compiled by the real pass, if it comes to that. */
static int
accept_unchecked (const struct hr_host *host, const struct hr_json *profile, hr_error_t *err)
{
  return 0;
}

int
hr_quarantine_probe (struct hr_json *spec, const struct hr_profile *profile, const struct hr_host *host,
                     struct hr_result *result, bool *quarantine, hr_error_t *err)
{
  cleanup_json struct hr_json *probe = hr_json_clone (spec);
  struct hr_host quiet = *host;
  struct hr_result found = { 0 };

  /* a dry run: rules only decide (create reserves id ranges afterwards);
   * the seccomp profile is compiled by the real pass */
  quiet.check_seccomp = accept_unchecked;
  *quarantine = false;
  if (hr_run_rules (probe, profile, false, &quiet, false, &found, err) < 0)
    {
      hr_result_clear (&found);
      return -1;
    }
  /* a denial stands: the real pass refuses the container */
  if (found.n_quarantined > 0 && found.n_denied == 0)
    {
      for (size_t i = 0; i < found.len; i++)
        if (found.items[i].outcome == HR_OUTCOME_QUARANTINED)
          hr_result_add (result, found.items[i].rule, HR_OUTCOME_QUARANTINED, xstrdup (found.items[i].message));
      isolate_namespaces (spec, result);
      drop_setup_hooks (spec, result);
      *quarantine = true;
    }
  hr_result_clear (&found);
  return 0;
}
