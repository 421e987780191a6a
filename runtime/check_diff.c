/* SPDX-License-Identifier: Apache-2.0 */
/* `check --diff`: the rewrite as a JSON patch or as a unified diff, both
 * made here (no dependency on diffutils or a JSON patch library). */
#include <string.h>

#include "check_diff.h"
#include "hardrun/util.h"

/* RFC 6901: "~" is written "~0" and "/" "~1". */
static char *
pointer_append (const char *base, const char *token)
{
  size_t n = strlen (base);
  char *out = xmalloc (n + 2 * strlen (token) + 2);
  char *p = out + n;

  memcpy (out, base, n);
  *p++ = '/';
  for (; *token; token++)
    if (*token == '~' || *token == '/')
      {
        *p++ = '~';
        *p++ = *token == '~' ? '0' : '1';
      }
    else
      *p++ = *token;
  *p = '\0';
  return out;
}

static char *
pointer_index (const char *base, size_t i)
{
  char *out;

  xasprintf (&out, "%s/%zu", base, i);
  return out;
}

static void
add_op (struct hr_json *patch, const char *op, const char *path, const struct hr_json *value)
{
  struct hr_json *o = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (o, "op", hr_json_new_string (op));
  hr_json_set (o, "path", hr_json_new_string (path));
  if (value)
    hr_json_set (o, "value", hr_json_clone (value));
  hr_json_append (patch, o);
}

/* Exact key lookup: the diff is of documents, not of Go's folded view. */
static const struct hr_json *
member (const struct hr_json *obj, const char *key)
{
  for (size_t i = 0; i < obj->len; i++)
    if (strcmp (obj->members[i].key, key) == 0)
      return obj->members[i].value;
  return NULL;
}

static void diff_value (struct hr_json *patch, const char *path, const struct hr_json *a, const struct hr_json *b);

static void
diff_object (struct hr_json *patch, const char *path, const struct hr_json *a, const struct hr_json *b)
{
  for (size_t i = 0; i < a->len; i++)
    if (member (b, a->members[i].key) == NULL)
      {
        cleanup_free char *p = pointer_append (path, a->members[i].key);
        add_op (patch, "remove", p, NULL);
      }
  for (size_t i = 0; i < b->len; i++)
    {
      const struct hr_json *old = member (a, b->members[i].key);
      cleanup_free char *p = pointer_append (path, b->members[i].key);

      if (old)
        diff_value (patch, p, old, b->members[i].value);
      else
        add_op (patch, "add", p, b->members[i].value);
    }
}

static void
diff_array (struct hr_json *patch, const char *path, const struct hr_json *a, const struct hr_json *b)
{
  size_t common = a->len < b->len ? a->len : b->len;

  for (size_t i = 0; i < common; i++)
    {
      cleanup_free char *p = pointer_index (path, i);
      diff_value (patch, p, a->items[i], b->items[i]);
    }
  for (size_t i = a->len; i-- > common;)
    {
      cleanup_free char *p = pointer_index (path, i);
      add_op (patch, "remove", p, NULL);
    }
  for (size_t i = common; i < b->len; i++)
    {
      cleanup_free char *p = pointer_index (path, i);
      add_op (patch, "add", p, b->items[i]);
    }
}

static void
diff_value (struct hr_json *patch, const char *path, const struct hr_json *a, const struct hr_json *b)
{
  if (hr_json_equal (a, b))
    return;
  if (a->type == HR_JSON_OBJECT && b->type == HR_JSON_OBJECT)
    diff_object (patch, path, a, b);
  else if (a->type == HR_JSON_ARRAY && b->type == HR_JSON_ARRAY)
    diff_array (patch, path, a, b);
  else
    add_op (patch, "replace", path, b);
}

struct hr_json *
hr_check_json_patch (const struct hr_json *before, const struct hr_json *after)
{
  struct hr_json *patch = hr_json_new (HR_JSON_ARRAY);

  diff_value (patch, "", before, after);
  return patch;
}

/* Lines of text, split in place (text is owned by the caller). */
struct lines
{
  char **at;
  size_t len;
};

static void
split_lines (char *text, struct lines *l)
{
  size_t cap = 64;

  l->at = xmalloc (cap * sizeof *l->at);
  l->len = 0;
  for (char *p = text; *p;)
    {
      char *nl = strchr (p, '\n');
      if (l->len == cap)
        l->at = xrealloc (l->at, (cap *= 2) * sizeof *l->at);
      l->at[l->len++] = p;
      if (nl == NULL)
        break;
      *nl = '\0';
      p = nl + 1;
    }
}

/* One line of the edit script: ' ' kept, '-' only in a, '+' only in b. */
struct edit
{
  char op;
  const char *line;
  size_t ai, bi; /* 0-based line numbers in a and b before this line */
};

#define CONTEXT 3

/* The longest common subsequence of lines (a spec is a few hundred lines:
 * the quadratic table stays small). */
static struct edit *
edit_script (const struct lines *a, const struct lines *b, size_t *n)
{
  size_t w = b->len + 1;
  size_t *lcs = xmalloc ((a->len + 1) * w * sizeof *lcs);
  struct edit *e = xmalloc ((a->len + b->len + 1) * sizeof *e);
  size_t i = 0, j = 0;

  for (size_t x = a->len + 1; x-- > 0;)
    for (size_t y = b->len + 1; y-- > 0;)
      if (x == a->len || y == b->len)
        lcs[x * w + y] = 0;
      else if (strcmp (a->at[x], b->at[y]) == 0)
        lcs[x * w + y] = lcs[(x + 1) * w + y + 1] + 1;
      else
        lcs[x * w + y] = lcs[(x + 1) * w + y] > lcs[x * w + y + 1] ? lcs[(x + 1) * w + y] : lcs[x * w + y + 1];
  *n = 0;
  while (i < a->len || j < b->len)
    {
      struct edit *d = &e[(*n)++];
      d->ai = i;
      d->bi = j;
      if (i < a->len && j < b->len && strcmp (a->at[i], b->at[j]) == 0)
        *d = (struct edit){ ' ', a->at[i++], d->ai, j++ };
      else if (i < a->len && (j == b->len || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]))
        *d = (struct edit){ '-', a->at[i++], d->ai, d->bi };
      else
        *d = (struct edit){ '+', b->at[j++], d->ai, d->bi };
    }
  free (lcs);
  return e;
}

static void
print_hunk (const struct edit *e, size_t from, size_t to, FILE *out)
{
  size_t na = 0, nb = 0;

  for (size_t k = from; k < to; k++)
    {
      na += e[k].op != '+';
      nb += e[k].op != '-';
    }
  fprintf (out, "@@ -%zu,%zu +%zu,%zu @@\n", e[from].ai + (na > 0), na, e[from].bi + (nb > 0), nb);
  for (size_t k = from; k < to; k++)
    fprintf (out, "%c%s\n", e[k].op, e[k].line);
}

void
hr_check_unified_diff (const struct hr_json *before, const struct hr_json *after, const char *name, FILE *out)
{
  cleanup_free char *ta = hr_json_serialize_pretty (before);
  cleanup_free char *tb = hr_json_serialize_pretty (after);
  struct lines a, b;
  struct edit *e;
  size_t n, k = 0;

  split_lines (ta, &a);
  split_lines (tb, &b);
  e = edit_script (&a, &b, &n);
  fprintf (out, "--- a/%s\n+++ b/%s\n", name, name);
  while (k < n)
    {
      size_t start, end, last;
      if (e[k].op == ' ')
        {
          k++;
          continue;
        }
      start = k > CONTEXT ? k - CONTEXT : 0;
      /* extend while the next change is within two contexts */
      last = k;
      for (end = k; end < n && end <= last + 2 * CONTEXT; end++)
        if (e[end].op != ' ')
          last = end;
      end = last + CONTEXT + 1 < n ? last + CONTEXT + 1 : n;
      print_hunk (e, start, end, out);
      k = end;
    }
  free (e);
  free (a.at);
  free (b.at);
}
