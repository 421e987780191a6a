/* SPDX-License-Identifier: Apache-2.0 */
/* A JSON tree that can be rewritten without losing anything the Go runtime
 * would read: member order, unknown members and the exact text of numbers are
 * kept, and keys are looked up the way Go's encoding/json matches them to
 * struct fields (case-insensitively, with its two Unicode special cases).
 *
 * The parser refuses every input on which hardrun and the runtime could
 * disagree: two keys of one object that Go would fold together (exact
 * duplicates included), invalid UTF-8, lone UTF-16 surrogates, NUL in any
 * string, and trailing data after the top-level value. */
#ifndef HARDRUN_JSON_H
#define HARDRUN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/error.h"

enum hr_json_type
{
  HR_JSON_NULL,
  HR_JSON_FALSE,
  HR_JSON_TRUE,
  HR_JSON_NUMBER,
  HR_JSON_STRING,
  HR_JSON_ARRAY,
  HR_JSON_OBJECT,
};

struct hr_json;

struct hr_json_member
{
  char *key;
  struct hr_json *value;
};

struct hr_json
{
  enum hr_json_type type;
  char *text;                     /* STRING: the decoded value; NUMBER: the number as written */
  struct hr_json **items;         /* ARRAY */
  struct hr_json_member *members; /* OBJECT */
  size_t len;                     /* items or members */
  size_t cap;
  bool go_map; /* OBJECT decoded into a Go map: keys are exact, never folded */
};

#define HR_JSON_MAX_SIZE (64u << 20)
#define HR_JSON_MAX_DEPTH 64

struct hr_json *hr_json_parse (const char *buf, size_t len, hr_error_t *err);
/* Keeps every member of an object, duplicates and case variants included:
 * only for input that hr_go_decode_spec (spec_go_types.h) resolves next the
 * way runc's decoder does. */
struct hr_json *hr_json_parse_all_members (const char *buf, size_t len, hr_error_t *err);
/* As hr_json_parse, building only the top-level members named in keep
 * (NULL-terminated, matched as hr_json_get matches): the others are read
 * past, checked as JSON but never allocated.  For large files of which a
 * few members are wanted (runc's state.json, for a container's init). */
struct hr_json *hr_json_parse_members (const char *buf, size_t len, const char *const *keep, hr_error_t *err);
void hr_json_free (struct hr_json *node);
static inline void
hr_json_freep (struct hr_json **p)
{
  hr_json_free (*p);
}
#define cleanup_json __attribute__ ((cleanup (hr_json_freep)))

/* Compact text written the way Go's encoding/json writes it, so a tree parsed
 * from a Go-written file serializes back to the same bytes. */
char *hr_json_serialize (const struct hr_json *node, size_t *len);
/* Indented, for people (policy show, check --format json). */
char *hr_json_serialize_pretty (const struct hr_json *node);

/* True when Go's encoding/json would decode a member called `key` into the
 * struct field named `field`. */
bool hr_json_key_matches (const char *key, const char *field);

/* Object member lookup with Go's matching (exact only in a go_map object);
 * NULL when absent or when obj is not an object.  hr_json_get_value also treats a JSON null as absent. */
struct hr_json *hr_json_get (const struct hr_json *obj, const char *field);
struct hr_json *hr_json_get_value (const struct hr_json *obj, const char *field);
struct hr_json *hr_json_get_path (const struct hr_json *obj, const char *const *fields);

/* Typed readers for spec fields: absent or null is not an error (the
 * default is returned); a value of the wrong type is, naming `where`. */
int hr_json_read_string (const struct hr_json *obj, const char *field, const char *where, const char **out,
                         hr_error_t *err);
int hr_json_read_bool (const struct hr_json *obj, const char *field, const char *where, bool *out, hr_error_t *err);
int hr_json_read_int64 (const struct hr_json *obj, const char *field, const char *where, int64_t *out, hr_error_t *err);
int hr_json_read_uint32 (const struct hr_json *obj, const char *field, const char *where, uint32_t *out,
                         hr_error_t *err);
/* The member must be absent, null, or of `type`. */
int hr_json_check_type (const struct hr_json *obj, const char *field, enum hr_json_type type, const char *where,
                        hr_error_t *err);
int hr_json_number_to_int64 (const struct hr_json *num, int64_t *out);
int hr_json_number_to_uint64 (const struct hr_json *num, uint64_t *out);

struct hr_json *hr_json_new (enum hr_json_type type);
struct hr_json *hr_json_new_string (const char *s);
struct hr_json *hr_json_new_number (const char *text);
struct hr_json *hr_json_new_int (int64_t v);
struct hr_json *hr_json_new_bool (bool v);
struct hr_json *hr_json_clone (const struct hr_json *node);

/* Replaces the value of the member Go would match (keeping its key and
 * place), else appends a member; takes ownership of value. */
void hr_json_set (struct hr_json *obj, const char *field, struct hr_json *value);
/* Returns the object member `field`, creating an empty object (or replacing a
 * null) when needed; NULL if the member exists with another type. */
struct hr_json *hr_json_ensure_object (struct hr_json *obj, const char *field);
struct hr_json *hr_json_ensure_array (struct hr_json *obj, const char *field);
/* The member's value, removed from obj and now the caller's (NULL when
 * there is none): for a tree that is taken apart rather than copied. */
struct hr_json *hr_json_take (struct hr_json *obj, const char *field);
/* The same for the member at index. */
struct hr_json *hr_json_take_member (struct hr_json *obj, size_t index);
bool hr_json_remove (struct hr_json *obj, const char *field);
void hr_json_append (struct hr_json *arr, struct hr_json *value);
void hr_json_remove_at (struct hr_json *arr, size_t index);
/* Inserts value before index (index == len appends); takes ownership. */
void hr_json_insert_at (struct hr_json *arr, size_t index, struct hr_json *value);
bool hr_json_equal (const struct hr_json *a, const struct hr_json *b);

static inline bool
hr_json_is_string (const struct hr_json *n)
{
  return n != NULL && n->type == HR_JSON_STRING;
}

/* An array of strings contains s. */
bool hr_json_strings_contain (const struct hr_json *arr, const char *s);

const char *hr_json_type_name (enum hr_json_type type);

#endif
