/* SPDX-License-Identifier: Apache-2.0 */
/* privileged: `--privileged` shows in the spec as a device cgroup rule that
 * allows every device.  The fix turns such a container into an ordinary
 * hardened one: the engines' default device rules, none of the host's device
 * nodes, and /sys and its cgroup tree read-only (the other rules take care of
 * capabilities, seccomp and masked paths).  A policy may deny instead. */
#include <string.h>

#include "device_rules.h"
#include "hardrun/util.h"
#include "spec_access.h"

static bool
has_allow_all_rule (const struct hr_json *rules)
{
  for (size_t i = 0; rules && i < rules->len; i++)
    if (hr_device_rule_allows_all (rules->items[i]))
      return true;
  return false;
}

/* Deny everything, then allow the defaults of the devices rule. */
static struct hr_json *
default_cgroup_rules (const struct hr_profile *profile)
{
  const struct hr_rule_config *devices = hr_profile_rule (profile, "devices");
  const struct hr_json *allowed = NULL;
  struct hr_json *rules = hr_json_new (HR_JSON_ARRAY);
  struct hr_json *deny_all = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (deny_all, "allow", hr_json_new_bool (false));
  hr_json_set (deny_all, "access", hr_json_new_string ("rwm"));
  hr_json_append (rules, deny_all);
  for (size_t i = 0; i < devices->settings->len; i++)
    if (strcmp (devices->settings->members[i].key, "cgroup_rules") == 0)
      allowed = devices->settings->members[i].value;
  for (size_t i = 0; allowed && i < allowed->len; i++)
    {
      struct hr_device_rule rule;
      if (hr_device_rule_parse (allowed->items[i]->text, true, &rule) == 0)
        hr_json_append (rules, hr_device_rule_to_cgroup (&rule));
    }
  return rules;
}

static int
make_system_mounts_readonly (struct hr_json *spec, hr_error_t *err)
{
  struct hr_json *mounts;

  if (hr_spec_mounts (spec, &mounts, err) < 0)
    return -1;
  for (size_t i = 0; mounts && i < mounts->len; i++)
    {
      const char *type;
      struct hr_json *options;

      if (hr_entry_string (mounts->items[i], "type", "mounts", &type, err) < 0
          || hr_mount_options (mounts->items[i], &options, err) < 0)
        return -1;
      if (strcmp (type, "sysfs") != 0 && strcmp (type, "cgroup") != 0 && strcmp (type, "cgroup2") != 0)
        continue;
      options = hr_json_ensure_array (mounts->items[i], "options");
      for (size_t k = options->len; k-- > 0;)
        if (strcmp (options->items[k]->text, "rw") == 0)
          hr_json_remove_at (options, k);
      if (!hr_json_strings_contain (options, "ro"))
        hr_json_append (options, hr_json_new_string ("ro"));
    }
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *resources, *rules;

  if (hr_spec_device_rules (ctx->doc, &resources, &rules, err) < 0)
    return -1;
  if (!has_allow_all_rule (rules))
    return 0;
  if (!hr_finding (ctx, "privileged container (a device cgroup rule allows every device): default device rules "
                        "restored, host device nodes dropped, /sys read-only"))
    return 0;
  hr_json_set (resources, "devices", default_cgroup_rules (ctx->profile));
  hr_json_remove (hr_json_get_value (ctx->doc, "linux"), "devices");
  return make_system_mounts_readonly (ctx->doc, err);
}

const struct hr_rule_def hr_rule_privileged = {
  .name = "privileged",
  .apply_spec = apply_spec,
};
