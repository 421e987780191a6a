/* SPDX-License-Identifier: Apache-2.0 */
/* devices: no device node or device-cgroup allow rule beyond what the
 * engines give every container (null, zero, full, random, urandom, tty,
 * console, ptmx, pts, tun, and mknod-only rules).  The fix drops what is not
 * allowed; deny names the device. */
#include <string.h>

#include "device_rules.h"
#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "nodes", HR_SETTING_STRINGS },
  { "cgroup_rules", HR_SETTING_STRINGS },
  { NULL, 0 },
};

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  for (size_t i = 0; i < s->len; i++)
    {
      bool with_access = strcmp (s->members[i].key, "cgroup_rules") == 0;
      const struct hr_json *list = s->members[i].value;

      for (size_t k = 0; k < list->len; k++)
        {
          struct hr_device_rule rule;
          if (hr_device_rule_parse (list->items[k]->text, with_access, &rule) < 0)
            return hr_error_set (err, 0, "%s: \"%s\" is not a device rule like \"%s\"", s->members[i].key,
                                 list->items[k]->text, with_access ? "c 1:3 rwm" : "c 1:3");
        }
    }
  return 0;
}

static int
check_nodes (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  const struct hr_json *allowed = hr_setting_get (ctx, "nodes");
  struct hr_json *nodes;

  if (hr_spec_linux_member (ctx->doc, "devices", HR_JSON_ARRAY, &nodes, err) < 0)
    return -1;
  for (size_t i = nodes ? nodes->len : 0; i-- > 0;)
    {
      struct hr_device_rule rule;
      const char *path = "";
      cleanup_free char *text = NULL;

      if (hr_device_rule_from_node (nodes->items[i], &rule, err) < 0
          || hr_entry_string (nodes->items[i], "path", "linux.devices", &path, err) < 0)
        return -1;
      if (hr_device_rule_allowed (&rule, allowed, false))
        continue;
      text = hr_device_rule_text (&rule);
      if (hr_finding (ctx, "device %s (%s) is not allowed", path, text))
        hr_json_remove_at (nodes, i);
    }
  return 0;
}

static int
check_cgroup_rules (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  const struct hr_json *allowed = hr_setting_get (ctx, "cgroup_rules");
  struct hr_json *resources, *rules;

  if (hr_spec_device_rules (ctx->doc, &resources, &rules, err) < 0)
    return -1;
  for (size_t i = rules ? rules->len : 0; i-- > 0;)
    {
      struct hr_device_rule rule;
      bool allow = false;
      cleanup_free char *text = NULL;

      if (hr_device_rule_from_cgroup (rules->items[i], &rule, err) < 0
          || hr_json_read_bool (rules->items[i], "allow", "linux.resources.devices", &allow, err) < 0)
        return -1;
      if (!allow || hr_device_rule_allowed (&rule, allowed, true))
        continue;
      text = hr_device_rule_text (&rule);
      if (hr_finding (ctx, "device cgroup rule allowing %s is not allowed", text))
        hr_json_remove_at (rules, i);
    }
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  if (check_nodes (ctx, err) < 0)
    return -1;
  return check_cgroup_rules (ctx, err);
}

const struct hr_rule_def hr_rule_devices = {
  .name = "devices",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
