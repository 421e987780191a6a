/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers the rule families share: reading validated settings, validating
 * names against libcap and libseccomp, and lexical path handling. */
#include <seccomp.h>
#include <string.h>
#include <sys/capability.h>

#include "hardrun/util.h"
#include "rules.h"

const struct hr_json *
hr_setting_get (const struct hr_rule_ctx *ctx, const char *key)
{
  for (size_t i = 0; i < ctx->config->settings->len; i++)
    if (strcmp (ctx->config->settings->members[i].key, key) == 0)
      return ctx->config->settings->members[i].value;
  abort (); /* every setting is filled in when the policy is loaded */
}

bool
hr_setting_bool (const struct hr_rule_ctx *ctx, const char *key)
{
  return hr_setting_get (ctx, key)->type == HR_JSON_TRUE;
}

int64_t
hr_setting_int (const struct hr_rule_ctx *ctx, const char *key)
{
  int64_t v = 0;
  hr_json_number_to_int64 (hr_setting_get (ctx, key), &v);
  return v;
}

const char *
hr_setting_string (const struct hr_rule_ctx *ctx, const char *key)
{
  return hr_setting_get (ctx, key)->text;
}

const struct hr_json *
hr_settings_member (const struct hr_json *settings, const char *key)
{
  for (size_t i = 0; i < settings->len; i++)
    if (strcmp (settings->members[i].key, key) == 0)
      return settings->members[i].value;
  return NULL;
}

int
hr_validate_capability_names (const struct hr_json *list, const char *where, hr_error_t *err)
{
  for (size_t i = 0; i < list->len; i++)
    {
      const char *name = list->items[i]->text;
      cap_value_t cap;

      /* The runtime only knows the upper-case CAP_ form; libcap also accepts others. */
      if (!hr_has_prefix (name, "CAP_") || cap_from_name (name, &cap) < 0)
        return hr_error_set (err, 0, "%s: unknown capability \"%s\"", where, name);
      for (const char *p = name; *p; p++)
        if (*p >= 'a' && *p <= 'z')
          return hr_error_set (err, 0, "%s: capability \"%s\" must be upper case", where, name);
    }
  return 0;
}

int
hr_validate_syscall_names (const struct hr_json *list, const char *where, hr_error_t *err)
{
  for (size_t i = 0; i < list->len; i++)
    if (seccomp_syscall_resolve_name (list->items[i]->text) == __NR_SCMP_ERROR)
      return hr_error_set (err, 0, "%s: unknown system call \"%s\"", where, list->items[i]->text);
  return 0;
}

int
hr_validate_absolute_paths (const struct hr_json *list, const char *where, hr_error_t *err)
{
  for (size_t i = 0; i < list->len; i++)
    if (list->items[i]->text[0] != '/')
      return hr_error_set (err, 0, "%s: \"%s\" is not an absolute path", where, list->items[i]->text);
  return 0;
}
