/* SPDX-License-Identifier: Apache-2.0 */
/* Typed readers for spec members.  They accept exactly what Go's decoder
 * accepts for the field's type and call everything else an error, so hardrun
 * never reasons about a value the runtime would refuse or read otherwise. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/json.h"
#include "hardrun/util.h"

static int
wrong_type (const char *where, const char *field, const char *want, const struct hr_json *v, hr_error_t *err)
{
  return hr_error_set (err, 0, "%s%s%s: expected %s, found %s", where, *where ? "." : "", field, want,
                       hr_json_type_name (v->type));
}

int
hr_json_check_type (const struct hr_json *obj, const char *field, enum hr_json_type type, const char *where,
                    hr_error_t *err)
{
  struct hr_json *v = hr_json_get_value (obj, field);

  if (v == NULL || v->type == type)
    return 0;
  return wrong_type (where, field, hr_json_type_name (type), v, err);
}

int
hr_json_read_string (const struct hr_json *obj, const char *field, const char *where, const char **out, hr_error_t *err)
{
  struct hr_json *v = hr_json_get_value (obj, field);

  if (v == NULL)
    return 0;
  if (v->type != HR_JSON_STRING)
    return wrong_type (where, field, "string", v, err);
  *out = v->text;
  return 0;
}

int
hr_json_read_bool (const struct hr_json *obj, const char *field, const char *where, bool *out, hr_error_t *err)
{
  struct hr_json *v = hr_json_get_value (obj, field);

  if (v == NULL)
    return 0;
  if (v->type != HR_JSON_TRUE && v->type != HR_JSON_FALSE)
    return wrong_type (where, field, "boolean", v, err);
  *out = v->type == HR_JSON_TRUE;
  return 0;
}

/* Go decodes an integer field only from integer syntax: no fraction, no
 * exponent. */
static bool
is_integer_text (const char *t)
{
  if (*t == '-')
    t++;
  if (*t == '\0')
    return false;
  for (; *t; t++)
    if (*t < '0' || *t > '9')
      return false;
  return true;
}

int
hr_json_number_to_int64 (const struct hr_json *num, int64_t *out)
{
  char *end;
  long long v;

  if (num->type != HR_JSON_NUMBER || !is_integer_text (num->text))
    return -1;
  errno = 0;
  v = strtoll (num->text, &end, 10);
  if (errno != 0 || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

int
hr_json_number_to_uint64 (const struct hr_json *num, uint64_t *out)
{
  char *end;
  unsigned long long v;

  if (num->type != HR_JSON_NUMBER || !is_integer_text (num->text) || num->text[0] == '-')
    return -1;
  errno = 0;
  v = strtoull (num->text, &end, 10);
  if (errno != 0 || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

int
hr_json_read_int64 (const struct hr_json *obj, const char *field, const char *where, int64_t *out, hr_error_t *err)
{
  struct hr_json *v = hr_json_get_value (obj, field);

  if (v == NULL)
    return 0;
  if (v->type != HR_JSON_NUMBER)
    return wrong_type (where, field, "integer", v, err);
  if (hr_json_number_to_int64 (v, out) < 0)
    return hr_error_set (err, 0, "%s.%s: %s is not a 64-bit integer", where, field, v->text);
  return 0;
}

int
hr_json_read_uint32 (const struct hr_json *obj, const char *field, const char *where, uint32_t *out, hr_error_t *err)
{
  struct hr_json *v = hr_json_get_value (obj, field);
  uint64_t u;

  if (v == NULL)
    return 0;
  if (v->type != HR_JSON_NUMBER)
    return wrong_type (where, field, "integer", v, err);
  if (hr_json_number_to_uint64 (v, &u) < 0 || u > UINT32_MAX)
    return hr_error_set (err, 0, "%s.%s: %s is not an unsigned 32-bit integer", where, field, v->text);
  *out = (uint32_t)u;
  return 0;
}
