/* SPDX-License-Identifier: Apache-2.0 */
/* Builds an hr_json tree from yajl's parser callbacks.  yajl hands numbers
 * over as text (kept verbatim) and strings already unescaped; this file adds
 * what Go compatibility needs: depth bound, NUL-free strings and no two keys
 * that Go would match to the same field. */
#include <errno.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "hardrun/util.h"
#include "json_internal.h"

/* Folded keys of one object, to find Go-equivalent duplicates in O(1). */
struct key_set
{
  char **slots;
  size_t cap;
  size_t used;
};

struct frame
{
  struct hr_json *node;
  char *pending_key; /* objects: key of the member being parsed */
  struct key_set keys;
};

struct parser
{
  struct frame stack[HR_JSON_MAX_DEPTH + 1];
  size_t depth;
  struct hr_json *root;
  hr_error_t err;
  bool keep_duplicates; /* every member kept, for hr_go_decode_spec to resolve */
  /* hr_json_parse_members: the top-level members kept (others are read
   * past, never built); NULL keeps all */
  const char *const *keep;
  /* while a member's value is read past: 1 before it or after its last
   * nested container closed, more inside nested containers; 0 otherwise */
  size_t skip;
};

/* A scalar read past, when the parser is reading past a value. */
static bool
skip_scalar (struct parser *p)
{
  if (p->skip == 0)
    return false;
  if (p->skip == 1)
    p->skip = 0;
  return true;
}

static int fail (struct parser *p, const char *what);

/* A container opened inside a value read past: as deep a nesting as the
 * tree would refuse is refused here too. */
static int
skip_open (struct parser *p)
{
  if (p->depth + p->skip > HR_JSON_MAX_DEPTH)
    return fail (p, "nesting deeper than " HR_STRINGIFY (HR_JSON_MAX_DEPTH) " levels");
  p->skip++;
  return 1;
}

static bool
skip_close (struct parser *p)
{
  if (p->skip == 0)
    return false;
  if (--p->skip == 1)
    p->skip = 0;
  return true;
}

static bool
kept_member (const struct parser *p, const char *key)
{
  for (const char *const *k = p->keep; *k; k++)
    if (hr_json_key_matches (key, *k))
      return true;
  return false;
}

static uint64_t
hash_string (const char *s)
{
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static void
key_set_grow (struct key_set *set)
{
  struct key_set bigger = { .cap = set->cap ? set->cap * 2 : 16 };

  bigger.slots = xcalloc (bigger.cap, sizeof (char *));
  for (size_t i = 0; i < set->cap; i++)
    {
      char *k = set->slots[i];
      if (k == NULL)
        continue;
      size_t j = hash_string (k) & (bigger.cap - 1);
      while (bigger.slots[j] != NULL)
        j = (j + 1) & (bigger.cap - 1);
      bigger.slots[j] = k;
      bigger.used++;
    }
  free (set->slots);
  *set = bigger;
}

/* Adds the folded key; false when it was already there. Takes ownership. */
static bool
key_set_add (struct key_set *set, char *folded)
{
  size_t j;

  if ((set->used + 1) * 2 > set->cap)
    key_set_grow (set);
  j = hash_string (folded) & (set->cap - 1);
  while (set->slots[j] != NULL)
    {
      if (strcmp (set->slots[j], folded) == 0)
        {
          free (folded);
          return false;
        }
      j = (j + 1) & (set->cap - 1);
    }
  set->slots[j] = folded;
  set->used++;
  return true;
}

static void
key_set_clear (struct key_set *set)
{
  for (size_t i = 0; i < set->cap; i++)
    free (set->slots[i]);
  free (set->slots);
  memset (set, 0, sizeof *set);
}

/* "process.capabilities.bounding[3]" for error messages. */
static char *
current_path (struct parser *p)
{
  char *path = xstrdup ("");

  for (size_t i = 0; i < p->depth; i++)
    {
      struct frame *f = &p->stack[i];
      /* A frame with a frame above it holds that container as its last
       * member or item already (attach took the pending key). */
      bool in_child = i + 1 < p->depth;
      bool is_object = f->node->type == HR_JSON_OBJECT;
      const char *key = is_object && in_child ? f->node->members[f->node->len - 1].key : f->pending_key;
      char *next = NULL;

      if (is_object && key != NULL)
        xasprintf (&next, "%s%s%s", path, *path ? "." : "", key);
      else if (f->node->type == HR_JSON_ARRAY)
        xasprintf (&next, "%s[%zu]", path, f->node->len - (in_child ? 1 : 0));
      else
        continue;
      free (path);
      path = next;
    }
  if (*path == '\0')
    {
      free (path);
      path = xstrdup ("the top level");
    }
  return path;
}

static int
fail (struct parser *p, const char *what)
{
  cleanup_free char *path = current_path (p);
  hr_error_set (&p->err, 0, "%s at %s", what, path);
  return 0;
}

static int
attach (struct parser *p, struct hr_json *node)
{
  struct frame *top;

  if (p->depth == 0)
    {
      p->root = node;
      return 1;
    }
  top = &p->stack[p->depth - 1];
  if (top->node->type == HR_JSON_ARRAY)
    {
      hr_json_append (top->node, node);
      return 1;
    }
  if (top->node->len == top->node->cap)
    {
      top->node->cap = top->node->cap ? top->node->cap * 2 : 8;
      top->node->members = xrealloc (top->node->members, top->node->cap * sizeof (struct hr_json_member));
    }
  top->node->members[top->node->len].key = hr_steal_pointer (&top->pending_key);
  top->node->members[top->node->len].value = node;
  top->node->len++;
  return 1;
}

static int
on_null (void *ctx)
{
  if (skip_scalar (ctx))
    return 1;
  return attach (ctx, hr_json_new (HR_JSON_NULL));
}

static int
on_boolean (void *ctx, int value)
{
  if (skip_scalar (ctx))
    return 1;
  return attach (ctx, hr_json_new_bool (value));
}

static int
on_number (void *ctx, const char *text, size_t len)
{
  struct hr_json *n;

  if (skip_scalar (ctx))
    return 1;
  n = hr_json_new (HR_JSON_NUMBER);
  n->text = xstrndup (text, len);
  return attach (ctx, n);
}

static int
on_string (void *ctx, const unsigned char *s, size_t len)
{
  struct hr_json *n;

  if (skip_scalar (ctx))
    return 1;
  if (memchr (s, '\0', len) != NULL)
    return fail (ctx, "NUL character in string");
  n = hr_json_new (HR_JSON_STRING);
  n->text = xstrndup ((const char *)s, len);
  return attach (ctx, n);
}

static int
push (struct parser *p, enum hr_json_type type)
{
  struct hr_json *node;

  if (p->depth >= HR_JSON_MAX_DEPTH)
    return fail (p, "nesting deeper than " HR_STRINGIFY (HR_JSON_MAX_DEPTH) " levels");
  node = hr_json_new (type);
  if (!attach (p, node))
    return 0;
  p->stack[p->depth++] = (struct frame){ .node = node };
  return 1;
}

static int
pop (void *ctx)
{
  struct parser *p = ctx;
  struct frame *f;

  if (skip_close (p))
    return 1;
  f = &p->stack[--p->depth];
  key_set_clear (&f->keys);
  free (f->pending_key);
  return 1;
}

static int
on_start_map (void *ctx)
{
  struct parser *p = ctx;

  if (p->skip > 0)
    return skip_open (p);
  return push (p, HR_JSON_OBJECT);
}

static int
on_start_array (void *ctx)
{
  struct parser *p = ctx;

  if (p->skip > 0)
    return skip_open (p);
  return push (p, HR_JSON_ARRAY);
}

static int
on_map_key (void *ctx, const unsigned char *key, size_t len)
{
  struct parser *p = ctx;
  struct frame *top = &p->stack[p->depth - 1];
  cleanup_free char *msg = NULL;

  if (p->skip > 0)
    return 1;
  if (memchr (key, '\0', len) != NULL)
    return fail (p, "NUL character in key");
  top->pending_key = xstrndup ((const char *)key, len);
  if (p->keep && p->depth == 1 && !kept_member (p, top->pending_key))
    {
      free (hr_steal_pointer (&top->pending_key));
      p->skip = 1;
      return 1;
    }
  if (p->keep_duplicates)
    return 1;
  if (key_set_add (&top->keys, hr_json_fold_key (top->pending_key)))
    return 1;
  xasprintf (&msg, "duplicate key \"%s\" (keys that differ only in case are the same key to the runtime)",
             top->pending_key);
  free (hr_steal_pointer (&top->pending_key));
  return fail (p, msg);
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = pop,
  .yajl_start_array = on_start_array,
  .yajl_end_array = pop,
};

static void
line_and_column (const char *buf, size_t offset, size_t *line, size_t *column)
{
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset; i++)
    {
      if (buf[i] == '\n')
        (*line)++, *column = 1;
      else
        (*column)++;
    }
}

static void
set_syntax_error (yajl_handle h, const char *buf, size_t len, hr_error_t *err)
{
  unsigned char *detail = yajl_get_error (h, 0, (const unsigned char *)buf, len);
  size_t offset = yajl_get_bytes_consumed (h);
  size_t line, column, n = detail ? strlen ((const char *)detail) : 0;

  /* yajl ends its message with a newline; ours are single lines */
  while (n > 0 && (detail[n - 1] == '\n' || detail[n - 1] == ' '))
    detail[--n] = '\0';
  line_and_column (buf, offset < len ? offset : len, &line, &column);
  hr_error_set (err, 0, "invalid JSON at line %zu column %zu: %s", line, column,
                n > 0 ? (const char *)detail : "syntax error");
  if (detail)
    yajl_free_error (h, detail);
}

static void
parser_reset (struct parser *p)
{
  while (p->depth > 0)
    pop (p);
  hr_json_free (p->root);
  p->root = NULL;
}

static struct hr_json *
parse (const char *buf, size_t len, bool keep_duplicates, const char *const *keep, hr_error_t *err)
{
  struct parser p = { .keep_duplicates = keep_duplicates, .keep = keep };
  yajl_handle h;
  yajl_status st;

  if (len == 0)
    return hr_error_set (err, 0, "empty document"), NULL;
  if (len > HR_JSON_MAX_SIZE)
    return hr_error_set (err, EFBIG, "document larger than %u bytes", HR_JSON_MAX_SIZE), NULL;
  if (hr_json_check_text (buf, len, err) < 0)
    return NULL;

  h = yajl_alloc (&callbacks, NULL, &p);
  if (h == NULL)
    abort ();
  st = yajl_parse (h, (const unsigned char *)buf, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  if (st != yajl_status_ok)
    {
      if (p.err != NULL)
        *err = hr_steal_pointer (&p.err);
      else
        set_syntax_error (h, buf, len, err);
      parser_reset (&p);
    }
  yajl_free (h);
  return hr_steal_pointer (&p.root);
}

struct hr_json *
hr_json_parse (const char *buf, size_t len, hr_error_t *err)
{
  return parse (buf, len, false, NULL, err);
}

struct hr_json *
hr_json_parse_all_members (const char *buf, size_t len, hr_error_t *err)
{
  return parse (buf, len, true, NULL, err);
}

struct hr_json *
hr_json_parse_members (const char *buf, size_t len, const char *const *keep, hr_error_t *err)
{
  return parse (buf, len, false, keep, err);
}
