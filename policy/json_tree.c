/* SPDX-License-Identifier: Apache-2.0 */
/* Building, reading and editing hr_json trees. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/util.h"
#include "json_internal.h"

struct hr_json *
hr_json_new (enum hr_json_type type)
{
  struct hr_json *n = xcalloc (1, sizeof *n);
  n->type = type;
  return n;
}

struct hr_json *
hr_json_new_string (const char *s)
{
  struct hr_json *n = hr_json_new (HR_JSON_STRING);
  n->text = xstrdup (s);
  return n;
}

struct hr_json *
hr_json_new_number (const char *text)
{
  struct hr_json *n = hr_json_new (HR_JSON_NUMBER);
  n->text = xstrdup (text);
  return n;
}

struct hr_json *
hr_json_new_int (int64_t v)
{
  struct hr_json *n = hr_json_new (HR_JSON_NUMBER);
  xasprintf (&n->text, "%" PRId64, v);
  return n;
}

struct hr_json *
hr_json_new_bool (bool v)
{
  return hr_json_new (v ? HR_JSON_TRUE : HR_JSON_FALSE);
}

void
hr_json_free (struct hr_json *node)
{
  if (node == NULL)
    return;
  for (size_t i = 0; i < node->len; i++)
    {
      if (node->type == HR_JSON_ARRAY)
        hr_json_free (node->items[i]);
      else
        {
          free (node->members[i].key);
          hr_json_free (node->members[i].value);
        }
    }
  free (node->items);
  free (node->members);
  free (node->text);
  free (node);
}

struct hr_json *
hr_json_clone (const struct hr_json *node)
{
  struct hr_json *c;

  if (node == NULL)
    return NULL;
  c = hr_json_new (node->type);
  c->go_map = node->go_map;
  if (node->text)
    c->text = xstrdup (node->text);
  /* member for member: a copy never merges keys that Go would keep apart */
  c->cap = node->len;
  if (node->type == HR_JSON_ARRAY && node->len > 0)
    c->items = xmalloc (node->len * sizeof (struct hr_json *));
  if (node->type == HR_JSON_OBJECT && node->len > 0)
    c->members = xmalloc (node->len * sizeof (struct hr_json_member));
  for (size_t i = 0; i < node->len; i++)
    {
      if (node->type == HR_JSON_ARRAY)
        c->items[i] = hr_json_clone (node->items[i]);
      else
        c->members[i]
            = (struct hr_json_member){ xstrdup (node->members[i].key), hr_json_clone (node->members[i].value) };
    }
  c->len = node->len;
  return c;
}

/* Go's encoding/json (fold.go) matches a key to a field name ignoring ASCII
 * case, and also lets U+017F (long s) stand for 's' and U+212A (Kelvin sign)
 * for 'k'.  Folding both sides to this form makes equal-after-fold exactly
 * "Go may decode one into the other". */
char *
hr_json_fold_key (const char *key)
{
  size_t len = strlen (key);
  char *out = xmalloc (len + 1);
  size_t o = 0;

  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)key[i];
      if (c == 0xC5 && (unsigned char)key[i + 1] == 0xBF)
        out[o++] = 's', i += 1;
      else if (c == 0xE2 && (unsigned char)key[i + 1] == 0x84 && (unsigned char)key[i + 2] == 0xAA)
        out[o++] = 'k', i += 2;
      else if (c >= 'A' && c <= 'Z')
        out[o++] = (char)(c + 32);
      else
        out[o++] = (char)c;
    }
  out[o] = '\0';
  return out;
}

bool
hr_json_key_matches (const char *key, const char *field)
{
  cleanup_free char *a = NULL;
  cleanup_free char *b = NULL;

  if (strcmp (key, field) == 0)
    return true;
  a = hr_json_fold_key (key);
  b = hr_json_fold_key (field);
  return strcmp (a, b) == 0;
}

static struct hr_json_member *
find_member (const struct hr_json *obj, const char *field)
{
  if (obj == NULL || obj->type != HR_JSON_OBJECT)
    return NULL;
  /* Exact match first, as Go does; the parser (or hr_go_decode_spec) leaves
   * at most one fold match of a struct field. */
  for (size_t i = 0; i < obj->len; i++)
    if (strcmp (obj->members[i].key, field) == 0)
      return &obj->members[i];
  if (obj->go_map)
    return NULL; /* a Go map's keys are never folded */
  for (size_t i = 0; i < obj->len; i++)
    if (hr_json_key_matches (obj->members[i].key, field))
      return &obj->members[i];
  return NULL;
}

struct hr_json *
hr_json_get (const struct hr_json *obj, const char *field)
{
  struct hr_json_member *m = find_member (obj, field);
  return m ? m->value : NULL;
}

struct hr_json *
hr_json_get_value (const struct hr_json *obj, const char *field)
{
  struct hr_json *v = hr_json_get (obj, field);
  return (v && v->type != HR_JSON_NULL) ? v : NULL;
}

struct hr_json *
hr_json_get_path (const struct hr_json *obj, const char *const *fields)
{
  const struct hr_json *cur = obj;
  for (; *fields && cur; fields++)
    cur = hr_json_get_value (cur, *fields);
  return (struct hr_json *)cur;
}

void
hr_json_set (struct hr_json *obj, const char *field, struct hr_json *value)
{
  struct hr_json_member *m = find_member (obj, field);

  if (m)
    {
      hr_json_free (m->value);
      m->value = value;
      return;
    }
  if (obj->len == obj->cap)
    {
      obj->cap = obj->cap ? obj->cap * 2 : 8;
      obj->members = xrealloc (obj->members, obj->cap * sizeof (struct hr_json_member));
    }
  obj->members[obj->len].key = xstrdup (field);
  obj->members[obj->len].value = value;
  obj->len++;
}

static struct hr_json *
ensure_container (struct hr_json *obj, const char *field, enum hr_json_type type)
{
  struct hr_json *v = hr_json_get (obj, field);

  if (v && v->type == type)
    return v;
  if (v && v->type != HR_JSON_NULL)
    return NULL;
  v = hr_json_new (type);
  hr_json_set (obj, field, v);
  return v;
}

struct hr_json *
hr_json_ensure_object (struct hr_json *obj, const char *field)
{
  return ensure_container (obj, field, HR_JSON_OBJECT);
}

struct hr_json *
hr_json_ensure_array (struct hr_json *obj, const char *field)
{
  return ensure_container (obj, field, HR_JSON_ARRAY);
}

struct hr_json *
hr_json_take_member (struct hr_json *obj, size_t index)
{
  struct hr_json *value = obj->members[index].value;

  free (obj->members[index].key);
  memmove (&obj->members[index], &obj->members[index + 1], (obj->len - index - 1) * sizeof *obj->members);
  obj->len--;
  return value;
}

struct hr_json *
hr_json_take (struct hr_json *obj, const char *field)
{
  struct hr_json_member *m = find_member (obj, field);

  return m ? hr_json_take_member (obj, (size_t)(m - obj->members)) : NULL;
}

bool
hr_json_remove (struct hr_json *obj, const char *field)
{
  struct hr_json *value = hr_json_take (obj, field);

  hr_json_free (value);
  return value != NULL;
}

void
hr_json_append (struct hr_json *arr, struct hr_json *value)
{
  if (arr->len == arr->cap)
    {
      arr->cap = arr->cap ? arr->cap * 2 : 8;
      arr->items = xrealloc (arr->items, arr->cap * sizeof (struct hr_json *));
    }
  arr->items[arr->len++] = value;
}

void
hr_json_insert_at (struct hr_json *arr, size_t index, struct hr_json *value)
{
  hr_json_append (arr, value);
  memmove (&arr->items[index + 1], &arr->items[index], (arr->len - 1 - index) * sizeof (struct hr_json *));
  arr->items[index] = value;
}

void
hr_json_remove_at (struct hr_json *arr, size_t index)
{
  hr_json_free (arr->items[index]);
  memmove (&arr->items[index], &arr->items[index + 1], (arr->len - index - 1) * sizeof (struct hr_json *));
  arr->len--;
}

bool
hr_json_equal (const struct hr_json *a, const struct hr_json *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->type != b->type || a->len != b->len)
    return false;
  if ((a->text || b->text) && (!a->text || !b->text || strcmp (a->text, b->text) != 0))
    return false;
  for (size_t i = 0; i < a->len; i++)
    {
      if (a->type == HR_JSON_ARRAY && !hr_json_equal (a->items[i], b->items[i]))
        return false;
      if (a->type == HR_JSON_OBJECT
          && (strcmp (a->members[i].key, b->members[i].key) != 0
              || !hr_json_equal (a->members[i].value, b->members[i].value)))
        return false;
    }
  return true;
}

bool
hr_json_strings_contain (const struct hr_json *arr, const char *s)
{
  if (arr == NULL || arr->type != HR_JSON_ARRAY)
    return false;
  for (size_t i = 0; i < arr->len; i++)
    if (hr_json_is_string (arr->items[i]) && strcmp (arr->items[i]->text, s) == 0)
      return true;
  return false;
}

const char *
hr_json_type_name (enum hr_json_type type)
{
  switch (type)
    {
    case HR_JSON_NULL:
      return "null";
    case HR_JSON_FALSE:
    case HR_JSON_TRUE:
      return "boolean";
    case HR_JSON_NUMBER:
      return "number";
    case HR_JSON_STRING:
      return "string";
    case HR_JSON_ARRAY:
      return "array";
    case HR_JSON_OBJECT:
      return "object";
    default:
      break;
    }
  return "unknown";
}
