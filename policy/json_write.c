/* SPDX-License-Identifier: Apache-2.0 */
/* Serializes a tree the way Go's json.Marshal does (compact, HTML-safe
 * escaping, lowercase hex), so that a Go-written spec that no rule changes
 * comes back byte for byte. */
#include <stdio.h>
#include <string.h>

#include "hardrun/json.h"
#include "hardrun/util.h"

struct buffer
{
  char *data;
  size_t len;
  size_t cap;
};

static void
put (struct buffer *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap)
    {
      while (b->len + n + 1 > b->cap)
        b->cap = b->cap ? b->cap * 2 : 4096;
      b->data = xrealloc (b->data, b->cap);
    }
  memcpy (b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void
put_str (struct buffer *b, const char *s)
{
  put (b, s, strlen (s));
}

static void
put_escaped (struct buffer *b, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s;
  const unsigned char *run = p;

  put (b, "\"", 1);
  for (; *p; p++)
    {
      char esc[7] = { '\\', 'u', '0', '0', 0, 0, 0 };
      const char *rep = NULL;
      bool line_sep = p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);

      if (*p == '"')
        rep = "\\\"";
      else if (*p == '\\')
        rep = "\\\\";
      else if (*p == '\n')
        rep = "\\n";
      else if (*p == '\r')
        rep = "\\r";
      else if (*p == '\t')
        rep = "\\t";
      else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
        esc[4] = hex[*p >> 4], esc[5] = hex[*p & 0xF], rep = esc;
      else if (line_sep)
        rep = p[2] == 0xA8 ? "\\u2028" : "\\u2029";
      if (rep == NULL)
        continue;
      put (b, (const char *)run, (size_t)(p - run));
      put_str (b, rep);
      if (line_sep)
        p += 2;
      run = p + 1;
    }
  put (b, (const char *)run, (size_t)(p - run));
  put (b, "\"", 1);
}

static void
newline (struct buffer *b, int indent)
{
  if (indent < 0)
    return;
  put (b, "\n", 1);
  for (int i = 0; i < indent; i++)
    put (b, "  ", 2);
}

/* indent < 0: compact, as Go writes it; otherwise two spaces a level. */
static void
write_node (struct buffer *b, const struct hr_json *n, int indent)
{
  int inner = indent < 0 ? -1 : indent + 1;

  switch (n->type)
    {
    case HR_JSON_NULL:
      put_str (b, "null");
      return;
    case HR_JSON_TRUE:
      put_str (b, "true");
      return;
    case HR_JSON_FALSE:
      put_str (b, "false");
      return;
    case HR_JSON_NUMBER:
      put_str (b, n->text);
      return;
    case HR_JSON_STRING:
      put_escaped (b, n->text);
      return;
    case HR_JSON_ARRAY:
      put (b, "[", 1);
      for (size_t i = 0; i < n->len; i++)
        {
          if (i)
            put (b, ",", 1);
          newline (b, inner);
          write_node (b, n->items[i], inner);
        }
      if (n->len)
        newline (b, indent);
      put (b, "]", 1);
      return;
    case HR_JSON_OBJECT:
      put (b, "{", 1);
      for (size_t i = 0; i < n->len; i++)
        {
          if (i)
            put (b, ",", 1);
          newline (b, inner);
          put_escaped (b, n->members[i].key);
          put (b, indent < 0 ? ":" : ": ", indent < 0 ? 1 : 2);
          write_node (b, n->members[i].value, inner);
        }
      if (n->len)
        newline (b, indent);
      put (b, "}", 1);
      return;
    default:
      break;
    }
}

char *
hr_json_serialize (const struct hr_json *node, size_t *len)
{
  struct buffer b = { 0 };

  write_node (&b, node, -1);
  if (len)
    *len = b.len;
  return b.data;
}

char *
hr_json_serialize_pretty (const struct hr_json *node)
{
  struct buffer b = { 0 };

  write_node (&b, node, 0);
  put (&b, "\n", 1);
  return b.data;
}
