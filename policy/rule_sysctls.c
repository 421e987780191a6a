/* SPDX-License-Identifier: Apache-2.0 */
/* sysctls: only the namespaced, harmless ones of the Kubernetes Pod Security
 * Standards allowlist; anything else could reach host-wide kernel state. */
#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "allow", HR_SETTING_STRINGS },
  { NULL, 0 },
};

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  const struct hr_json *allow = hr_setting_get (ctx, "allow");
  struct hr_json *sysctl;

  if (hr_spec_linux_member (ctx->doc, "sysctl", HR_JSON_OBJECT, &sysctl, err) < 0)
    return -1;
  for (size_t i = sysctl ? sysctl->len : 0; i-- > 0;)
    {
      const char *key = sysctl->members[i].key;
      if (sysctl->members[i].value->type != HR_JSON_STRING)
        return hr_error_set (err, 0, "linux.sysctl.%s: expected string", key);
      if (hr_json_strings_contain (allow, key))
        continue;
      if (hr_finding (ctx, "sysctl %s=\"%s\" is not allowed", key, sysctl->members[i].value->text))
        hr_json_remove (sysctl, key);
    }
  return 0;
}

const struct hr_rule_def hr_rule_sysctls = {
  .name = "sysctls",
  .settings = settings,
  .apply_spec = apply_spec,
};
