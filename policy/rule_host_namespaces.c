/* SPDX-License-Identifier: Apache-2.0 */
/* host_namespaces: a container must have its own pid, network, ipc, uts and
 * mount namespaces.  Missing entries share the host's; a path entry may name
 * the host's own namespace (same device and inode as pid 1's), which is the
 * same thing with extra steps.  Joining another container's namespace (pods)
 * is fine. */
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "required", HR_SETTING_STRINGS },
  { "allow_host", HR_SETTING_STRINGS },
  { NULL, 0 },
};

static const char *const known_types[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", "time", NULL };

static int
validate_types (const struct hr_json *list, const char *where, hr_error_t *err)
{
  for (size_t i = 0; i < list->len; i++)
    {
      bool ok = false;
      for (size_t k = 0; known_types[k]; k++)
        ok |= strcmp (known_types[k], list->items[i]->text) == 0;
      if (!ok)
        return hr_error_set (err, 0, "%s: unknown namespace type \"%s\"", where, list->items[i]->text);
    }
  return 0;
}

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  for (size_t i = 0; i < s->len; i++)
    if (validate_types (s->members[i].value, s->members[i].key, err) < 0)
      return -1;
  return 0;
}

static void
add_namespace (struct hr_json *spec, const char *type)
{
  struct hr_json *ns = hr_json_new (HR_JSON_OBJECT);
  hr_json_set (ns, "type", hr_json_new_string (type));
  hr_json_append (hr_spec_linux_ensure (spec, "namespaces", HR_JSON_ARRAY), ns);
}

/* One entry of the type: its path must not be the host's namespace. */
static int
check_entry (struct hr_rule_ctx *ctx, struct hr_json *ns, const char *type, hr_error_t *err)
{
  const char *path = "";
  bool is_host = false;

  hr_entry_string (ns, "path", "linux.namespaces", &path, err);
  if (path[0] == '\0')
    return 0;
  if (ctx->host->namespace_is_host (ctx->host, type, path, &is_host, err) < 0)
    {
      /* Unverifiable is not allowed: fail closed, but as a finding the
       * user can read rather than an internal error. */
      cleanup_free char *why = hr_error_text (*err);
      hr_error_free (err);
      hr_violation (ctx, "cannot verify that the %s namespace \"%s\" is not the host's: %s", type, path, why);
      return 0;
    }
  if (is_host && hr_finding (ctx, "the %s namespace \"%s\" is the host's", type, path))
    hr_json_remove (ns, "path");
  return 0;
}

/* Every entry of the type is checked: runc refuses a type listed twice,
 * but a runtime that lets the last entry win must not get an unchecked one. */
static int
check_type (struct hr_rule_ctx *ctx, struct hr_json *namespaces, const char *type, hr_error_t *err)
{
  bool found = false;

  for (size_t i = 0; namespaces && i < namespaces->len; i++)
    {
      const struct hr_json *t = hr_json_get_value (namespaces->items[i], "type");

      if (!hr_json_is_string (t) || strcmp (t->text, type) != 0)
        continue;
      found = true;
      if (check_entry (ctx, namespaces->items[i], type, err) < 0)
        return -1;
    }
  if (!found && hr_finding (ctx, "no %s namespace: the container would share the host's", type))
    add_namespace (ctx->doc, type);
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  const struct hr_json *required = hr_setting_get (ctx, "required");
  const struct hr_json *allow_host = hr_setting_get (ctx, "allow_host");
  struct hr_json *namespaces;

  if (hr_spec_namespaces (ctx->doc, &namespaces, err) < 0)
    return -1;
  for (size_t i = 0; i < required->len; i++)
    {
      const char *type = required->items[i]->text;
      if (hr_json_strings_contain (allow_host, type))
        continue;
      if (check_type (ctx, namespaces, type, err) < 0)
        return -1;
      /* add_namespace may have created the array */
      if (namespaces == NULL)
        hr_spec_namespaces (ctx->doc, &namespaces, err);
    }
  return 0;
}

const struct hr_rule_def hr_rule_host_namespaces = {
  .name = "host_namespaces",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
