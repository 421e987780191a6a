/* SPDX-License-Identifier: Apache-2.0 */
/* Shared, type-checked access to the spec for the rules. */
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

int
hr_spec_linux_member (struct hr_json *spec, const char *field, enum hr_json_type type, struct hr_json **out,
                      hr_error_t *err)
{
  struct hr_json *linux_ = hr_json_get_value (spec, "linux");

  *out = NULL;
  if (linux_ == NULL)
    return 0;
  if (hr_json_check_type (linux_, field, type, "linux", err) < 0)
    return -1;
  *out = hr_json_get_value (linux_, field);
  return 0;
}

int
hr_spec_device_rules (struct hr_json *spec, struct hr_json **resources, struct hr_json **rules, hr_error_t *err)
{
  *rules = NULL;
  if (hr_spec_linux_member (spec, "resources", HR_JSON_OBJECT, resources, err) < 0)
    return -1;
  if (*resources && hr_json_check_type (*resources, "devices", HR_JSON_ARRAY, "linux.resources", err) < 0)
    return -1;
  *rules = hr_json_get_value (*resources, "devices");
  return 0;
}

struct hr_json *
hr_spec_linux_ensure (struct hr_json *spec, const char *field, enum hr_json_type type)
{
  struct hr_json *linux_ = hr_json_ensure_object (spec, "linux");
  return type == HR_JSON_OBJECT ? hr_json_ensure_object (linux_, field) : hr_json_ensure_array (linux_, field);
}

static int
check_entries_are_objects (const struct hr_json *arr, const char *where, hr_error_t *err)
{
  for (size_t i = 0; i < arr->len; i++)
    if (arr->items[i]->type != HR_JSON_OBJECT)
      return hr_error_set (err, 0, "%s[%zu]: expected object, found %s", where, i,
                           hr_json_type_name (arr->items[i]->type));
  return 0;
}

int
hr_spec_mounts (struct hr_json *spec, struct hr_json **out, hr_error_t *err)
{
  *out = hr_json_get_value (spec, "mounts");
  if (*out == NULL)
    return 0;
  if ((*out)->type != HR_JSON_ARRAY)
    return hr_error_set (err, 0, "mounts: expected array, found %s", hr_json_type_name ((*out)->type));
  return check_entries_are_objects (*out, "mounts", err);
}

int
hr_entry_string (const struct hr_json *entry, const char *field, const char *where, const char **out, hr_error_t *err)
{
  *out = "";
  return hr_json_read_string (entry, field, where, out, err);
}

int
hr_mount_options (const struct hr_json *mount, struct hr_json **out, hr_error_t *err)
{
  *out = hr_json_get_value (mount, "options");
  if (*out == NULL)
    return 0;
  if ((*out)->type != HR_JSON_ARRAY)
    return hr_error_set (err, 0, "mount options: expected array, found %s", hr_json_type_name ((*out)->type));
  for (size_t i = 0; i < (*out)->len; i++)
    if (!hr_json_is_string ((*out)->items[i]))
      return hr_error_set (err, 0, "mount options: expected strings");
  return 0;
}

bool
hr_mount_is_bind (const struct hr_json *mount)
{
  const struct hr_json *type = hr_json_get_value (mount, "type");
  const struct hr_json *options = hr_json_get_value (mount, "options");

  if (hr_json_is_string (type) && strcmp (type->text, "bind") == 0)
    return true;
  return hr_json_strings_contain (options, "bind") || hr_json_strings_contain (options, "rbind");
}

int
hr_spec_namespaces (struct hr_json *spec, struct hr_json **out, hr_error_t *err)
{
  if (hr_spec_linux_member (spec, "namespaces", HR_JSON_ARRAY, out, err) < 0)
    return -1;
  if (*out == NULL)
    return 0;
  if (check_entries_are_objects (*out, "linux.namespaces", err) < 0)
    return -1;
  for (size_t i = 0; i < (*out)->len; i++)
    {
      const char *s;
      if (hr_entry_string ((*out)->items[i], "type", "linux.namespaces", &s, err) < 0
          || hr_entry_string ((*out)->items[i], "path", "linux.namespaces", &s, err) < 0)
        return -1;
    }
  return 0;
}

struct hr_json *
hr_namespace_find (const struct hr_json *namespaces, const char *type)
{
  if (namespaces == NULL)
    return NULL;
  /* runc lets the last entry of a type win; hardrun checks every entry, so
   * returning the first is enough for "is there one" questions and the
   * host-namespace rule looks at all of them. */
  for (size_t i = 0; i < namespaces->len; i++)
    {
      const struct hr_json *t = hr_json_get_value (namespaces->items[i], "type");
      if (hr_json_is_string (t) && strcmp (t->text, type) == 0)
        return namespaces->items[i];
    }
  return NULL;
}

char *
hr_join_names (const struct hr_strv *names)
{
  size_t total = 1;
  char *out;

  for (size_t i = 0; i < names->len; i++)
    total += strlen (names->items[i]) + 2;
  out = xmalloc (total);
  out[0] = '\0';
  for (size_t i = 0; i < names->len; i++)
    {
      if (i)
        strcat (out, ", ");
      strcat (out, names->items[i]);
    }
  return out;
}
