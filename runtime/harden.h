/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HARDRUN_HARDEN_H
#define HARDRUN_HARDEN_H

#include "cli.h"
#include "hardrun/enforce.h"
#include "hardrun/policy.h"
#include "userns/idrange.h"

struct hr_hardened
{
  struct hr_json *doc;
  struct hr_result result;
  const struct hr_profile *profile;
  bool audit_mode;
  /* create/run/restore: the container's private id range, when the
   * user_namespace rule gave it one */
  bool allocate;
  bool allocated;
  struct hr_allocation allocation;
  const struct hr_cli *cli;
  const char *bundle;
};

/* Parses and enforces; with allocate, a private id range is reserved for
 * the container when the policy gives it a user namespace. */
int hr_harden_spec (const struct hr_policy *policy, const struct hr_cli *cli, const char *text, size_t len,
                    const char *bundle, bool allocate, struct hr_hardened *out, hr_error_t *err);
/* The same, with adjust (when not NULL) called on the host facts before the
 * policy runs: `doctor` judges many specs and shares costly facts. */
int hr_harden_spec_adjusted (const struct hr_policy *policy, const struct hr_cli *cli, const char *text, size_t len,
                             const char *bundle, bool allocate, void (*adjust) (struct hr_host *host, void *data),
                             void *data, struct hr_hardened *out, hr_error_t *err);
/* Releases the id range (and staging) if the container will not run. */
void hr_hardened_abandon (struct hr_hardened *h);
void hr_hardened_clear (struct hr_hardened *h);
/* "rule: message; rule: message" of every denial. */
char *hr_denial_summary (const struct hr_result *result);

#endif
