/* SPDX-License-Identifier: Apache-2.0 */
/* masked_paths: the /proc and /sys entries that leak host information or
 * control (kcore, keys, sysrq-trigger, ...) are masked or read-only, at least
 * as Docker does it. */
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "masked", HR_SETTING_STRINGS },
  { "readonly", HR_SETTING_STRINGS },
  { NULL, 0 },
};

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  for (size_t i = 0; i < s->len; i++)
    if (hr_validate_absolute_paths (s->members[i].value, s->members[i].key, err) < 0)
      return -1;
  return 0;
}

static int
ensure_listed (struct hr_rule_ctx *ctx, const char *field, const char *setting, const char *what, hr_error_t *err)
{
  const struct hr_json *wanted = hr_setting_get (ctx, setting);
  struct hr_json *list;
  struct hr_strv missing = { 0 };
  cleanup_free char *text = NULL;

  if (hr_spec_linux_member (ctx->doc, field, HR_JSON_ARRAY, &list, err) < 0)
    return -1;
  for (size_t i = 0; list && i < list->len; i++)
    if (!hr_json_is_string (list->items[i]))
      return hr_error_set (err, 0, "linux.%s: expected strings", field);
  for (size_t i = 0; i < wanted->len; i++)
    if (!hr_json_strings_contain (list, wanted->items[i]->text))
      hr_strv_push (&missing, wanted->items[i]->text);
  if (missing.len > 0)
    {
      text = hr_join_names (&missing);
      if (hr_finding (ctx, "%s: %s", what, text))
        {
          list = hr_spec_linux_ensure (ctx->doc, field, HR_JSON_ARRAY);
          for (size_t i = 0; i < missing.len; i++)
            hr_json_append (list, hr_json_new_string (missing.items[i]));
        }
    }
  hr_strv_clear (&missing);
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  if (ensure_listed (ctx, "maskedPaths", "masked", "paths masked", err) < 0)
    return -1;
  return ensure_listed (ctx, "readonlyPaths", "readonly", "paths made read-only", err);
}

const struct hr_rule_def hr_rule_masked_paths = {
  .name = "masked_paths",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
