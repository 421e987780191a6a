/* SPDX-License-Identifier: Apache-2.0 */
/* Device notation shared by the devices and privileged rules. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "device_rules.h"
#include "hardrun/util.h"

static int
parse_number (const char *s, int64_t *out)
{
  char *end;
  long long v;

  if (strcmp (s, "*") == 0)
    {
      *out = HR_DEVICE_ANY;
      return 0;
    }
  v = strtoll (s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 0 || v > UINT32_MAX)
    return -1;
  *out = v;
  return 0;
}

static bool
valid_access (const char *access)
{
  if (*access == '\0' || strlen (access) > 3)
    return false;
  return strspn (access, "rwm") == strlen (access);
}

int
hr_device_rule_parse (const char *text, bool with_access, struct hr_device_rule *out)
{
  char type[2], major[16], minor[16], access[8] = "";
  int n = sscanf (text, "%1s %15[^:]:%15s %7s", type, major, minor, access);

  if (n != (with_access ? 4 : 3) || strchr ("acb", type[0]) == NULL)
    return -1;
  out->type = type[0];
  if (parse_number (major, &out->major) < 0 || parse_number (minor, &out->minor) < 0)
    return -1;
  if (with_access && !valid_access (access))
    return -1;
  snprintf (out->access, sizeof out->access, "%s", access);
  return 0;
}

static int
read_number (const struct hr_json *entry, const char *field, int64_t *out, hr_error_t *err)
{
  const struct hr_json *v = hr_json_get_value (entry, field);

  *out = HR_DEVICE_ANY;
  if (v == NULL)
    return 0;
  if (hr_json_number_to_int64 (v, out) < 0)
    return hr_error_set (err, 0, "device %s: expected an integer", field);
  return 0;
}

int
hr_device_rule_from_cgroup (const struct hr_json *entry, struct hr_device_rule *out, hr_error_t *err)
{
  const char *type = "a", *access = "rwm";

  if (entry->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "linux.resources.devices: expected objects");
  if (hr_json_read_string (entry, "type", "linux.resources.devices", &type, err) < 0
      || hr_json_read_string (entry, "access", "linux.resources.devices", &access, err) < 0
      || read_number (entry, "major", &out->major, err) < 0 || read_number (entry, "minor", &out->minor, err) < 0)
    return -1;
  out->type = type[0] ? type[0] : 'a';
  /* An empty access string means all access, as runc reads it. */
  snprintf (out->access, sizeof out->access, "%s", access[0] ? access : "rwm");
  return 0;
}

int
hr_device_rule_from_node (const struct hr_json *entry, struct hr_device_rule *out, hr_error_t *err)
{
  const char *type = "";

  if (entry->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "linux.devices: expected objects");
  if (hr_json_read_string (entry, "type", "linux.devices", &type, err) < 0
      || read_number (entry, "major", &out->major, err) < 0 || read_number (entry, "minor", &out->minor, err) < 0)
    return -1;
  /* 'u' (unbuffered character) is a character device too; fifos ('p') carry no device. */
  out->type = (type[0] == 'u') ? 'c' : type[0];
  out->access[0] = '\0';
  return 0;
}

static bool
access_subset (const char *want, const char *have)
{
  for (; *want; want++)
    if (strchr (have, *want) == NULL)
      return false;
  return true;
}

static bool
covers (const struct hr_device_rule *allowed, const struct hr_device_rule *req, bool with_access)
{
  if (allowed->type != 'a' && allowed->type != req->type)
    return false;
  if (allowed->major != HR_DEVICE_ANY && allowed->major != req->major)
    return false;
  if (allowed->minor != HR_DEVICE_ANY && allowed->minor != req->minor)
    return false;
  return !with_access || access_subset (req->access, allowed->access);
}

bool
hr_device_rule_allowed (const struct hr_device_rule *request, const struct hr_json *allowed, bool with_access)
{
  if (request->type == 'p')
    return true;
  for (size_t i = 0; i < allowed->len; i++)
    {
      struct hr_device_rule rule;
      if (hr_device_rule_parse (allowed->items[i]->text, with_access, &rule) == 0
          && covers (&rule, request, with_access))
        return true;
    }
  return false;
}

static void
number_text (int64_t v, char *buf, size_t size)
{
  if (v == HR_DEVICE_ANY)
    snprintf (buf, size, "*");
  else
    snprintf (buf, size, "%" PRId64, v);
}

char *
hr_device_rule_text (const struct hr_device_rule *rule)
{
  char major[24], minor[24];
  char *text;

  number_text (rule->major, major, sizeof major);
  number_text (rule->minor, minor, sizeof minor);
  xasprintf (&text, "%c %s:%s%s%s", rule->type, major, minor, rule->access[0] ? " " : "", rule->access);
  return text;
}

bool
hr_device_rule_allows_all (const struct hr_json *entry)
{
  struct hr_device_rule rule;
  hr_error_t err = NULL;
  bool allow = false;

  if (hr_device_rule_from_cgroup (entry, &rule, &err) < 0)
    {
      hr_error_free (&err);
      return false;
    }
  hr_json_read_bool (entry, "allow", "", &allow, &err);
  hr_error_free (&err);
  return allow && rule.type == 'a' && rule.major == HR_DEVICE_ANY && rule.minor == HR_DEVICE_ANY;
}

struct hr_json *
hr_device_rule_to_cgroup (const struct hr_device_rule *rule)
{
  struct hr_json *e = hr_json_new (HR_JSON_OBJECT);
  char type[2] = { rule->type, '\0' };

  hr_json_set (e, "allow", hr_json_new_bool (true));
  hr_json_set (e, "type", hr_json_new_string (type));
  if (rule->major != HR_DEVICE_ANY)
    hr_json_set (e, "major", hr_json_new_int (rule->major));
  if (rule->minor != HR_DEVICE_ANY)
    hr_json_set (e, "minor", hr_json_new_int (rule->minor));
  hr_json_set (e, "access", hr_json_new_string (rule->access));
  return e;
}
