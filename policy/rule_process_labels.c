/* SPDX-License-Identifier: Apache-2.0 */
/* process_labels: the LSM confinement of a process.  The container must not
 * be unconfined: an AppArmor profile "unconfined" (docker --privileged and
 * --security-opt apparmor=unconfined on an AppArmor host) is replaced by
 * the policy's apparmor_profile, or refused when it names none.  An exec
 * runs under its container's labels: runc gives an exec the container's
 * AppArmor profile and SELinux label unless its process names others
 * (docker exec --privileged names "unconfined"), so an exec process's
 * apparmorProfile and selinuxLabel are removed. */
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "apparmor_profile", HR_SETTING_STRING },
  { NULL, 0 },
};

static int
confine_container (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  const char *profile = NULL, *replacement = hr_setting_string (ctx, "apparmor_profile");

  if (hr_json_read_string (process, "apparmorProfile", "process", &profile, err) < 0)
    return -1;
  if (!hr_streq (profile, "unconfined"))
    return 0;
  if (replacement[0] == '\0')
    {
      hr_violation (ctx, "AppArmor profile \"unconfined\": the policy names no profile to confine it with");
      return 0;
    }
  if (hr_finding (ctx, "AppArmor profile \"unconfined\" replaced by \"%s\"", replacement))
    hr_json_set (process, "apparmorProfile", hr_json_new_string (replacement));
  return 0;
}

static int
keep_container_labels (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  static const char *const fields[][2]
      = { { "apparmorProfile", "AppArmor profile" }, { "selinuxLabel", "SELinux label" } };

  for (size_t i = 0; i < HR_ARRAY_SIZE (fields); i++)
    {
      const char *value = NULL;

      if (hr_json_read_string (process, fields[i][0], "process", &value, err) < 0)
        return -1;
      if (value && value[0]
          && hr_finding (ctx, "exec asks for the %s \"%s\": it runs under its container's", fields[i][1], value))
        hr_json_remove (process, fields[i][0]);
    }
  return 0;
}

static int
apply_process (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  /* an exec's process is the whole document */
  if (ctx->doc == process)
    return keep_container_labels (ctx, process, err);
  return confine_container (ctx, process, err);
}

const struct hr_rule_def hr_rule_process_labels = {
  .name = "process_labels",
  .settings = settings,
  .apply_process = apply_process,
};
