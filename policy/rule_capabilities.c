/* SPDX-License-Identifier: Apache-2.0 */
/* capabilities: every capability set is cut down to the allowlist, and the
 * inheritable and ambient sets are emptied (they only serve to pass
 * privilege across execve).  Applies to the container and to every exec. */
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "allow", HR_SETTING_STRINGS },
  { NULL, 0 },
};

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  return hr_validate_capability_names (hr_settings_member (s, "allow"), "allow", err);
}

static const char *const limited_sets[] = { "bounding", "effective", "permitted", NULL };
static const char *const emptied_sets[] = { "inheritable", "ambient", NULL };

static int
restrict_set (struct hr_rule_ctx *ctx, struct hr_json *caps, const char *set, const struct hr_json *allow,
              hr_error_t *err)
{
  struct hr_json *list = hr_json_get_value (caps, set);
  struct hr_strv removed = { 0 };
  cleanup_free char *names = NULL;

  if (list == NULL)
    return 0;
  if (list->type != HR_JSON_ARRAY)
    return hr_error_set (err, 0, "process.capabilities.%s: expected array", set);
  for (size_t i = 0; i < list->len; i++)
    {
      if (!hr_json_is_string (list->items[i]))
        return hr_strv_clear (&removed), hr_error_set (err, 0, "process.capabilities.%s: expected strings", set);
      if (!hr_json_strings_contain (allow, list->items[i]->text) && !hr_strv_contains (&removed, list->items[i]->text))
        hr_strv_push (&removed, list->items[i]->text);
    }
  if (removed.len > 0)
    {
      names = hr_join_names (&removed);
      if (hr_finding (ctx, "%s capabilities dropped: %s", set, names))
        for (size_t i = list->len; i-- > 0;)
          if (!hr_json_strings_contain (allow, list->items[i]->text))
            hr_json_remove_at (list, i);
    }
  hr_strv_clear (&removed);
  return 0;
}

static int
apply_process (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  const struct hr_json *allow = hr_setting_get (ctx, "allow");
  struct hr_json *caps;

  /* Without a capabilities object runc gives the container none, and an
   * exec the container's own (already restricted) sets. */
  caps = hr_json_get_value (process, "capabilities");
  if (caps == NULL)
    return 0;
  if (caps->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "process.capabilities: expected object");
  for (size_t i = 0; limited_sets[i]; i++)
    if (restrict_set (ctx, caps, limited_sets[i], allow, err) < 0)
      return -1;
  for (size_t i = 0; emptied_sets[i]; i++)
    {
      static const struct hr_json nothing = { .type = HR_JSON_ARRAY };
      if (restrict_set (ctx, caps, emptied_sets[i], &nothing, err) < 0)
        return -1;
    }
  return 0;
}

const struct hr_rule_def hr_rule_capabilities = {
  .name = "capabilities",
  .settings = settings,
  .validate = validate,
  .apply_process = apply_process,
};
