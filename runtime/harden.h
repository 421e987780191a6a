#ifndef HARDRUN_HARDEN_H
#define HARDRUN_HARDEN_H

#include "hardrun/runtime.h"

struct hr_hardened
{
  struct hr_json *doc;
  struct hr_result result;
  const struct hr_profile *profile;
  bool audit_mode;
};

int hr_harden_spec (const struct hr_policy *policy, const struct hr_cli *cli, const char *text, size_t len,
                    const char *bundle, struct hr_hardened *out, hr_error_t *err);
void hr_hardened_clear (struct hr_hardened *h);
/* "rule: message; rule: message" of every denial. */
char *hr_denial_summary (const struct hr_result *result);

#endif
