/* SPDX-License-Identifier: Apache-2.0 */
/* no_new_privileges: setuid binaries and file capabilities in the image must
 * not raise privilege, for the container and for every exec. */
#include "spec_access.h"

static int
apply_process (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  bool nnp = false;

  if (hr_json_read_bool (process, "noNewPrivileges", "process", &nnp, err) < 0)
    return -1;
  if (!nnp && hr_finding (ctx, "noNewPrivileges set"))
    hr_json_set (process, "noNewPrivileges", hr_json_new_bool (true));
  return 0;
}

const struct hr_rule_def hr_rule_no_new_privileges = {
  .name = "no_new_privileges",
  .apply_process = apply_process,
};
