/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun install containerd: containerd 1.6's CRI runtime handler
 * "hardrun" (the runc v2 shim with BinaryName = hardrun) in
 * /etc/containerd/config.toml.
 *
 * The operator's TOML is edited as text, never re-serialized, so every byte
 * of theirs that hardrun has no business with stays as it was: a table the
 * file already has gets hardrun's key on the line after its header (and the
 * line that set the key before is commented out, marked), a table it lacks is
 * appended in one block between two marker lines.  containerd's `imports`
 * drop-in is no way out: 1.6 merges an imported file's plugin tables whole,
 * so a drop-in naming the CRI plugin would replace the operator's CRI
 * settings. */
#include <stdio.h>
#include <string.h>

#include "hardrun/util.h"
#include "install.h"

#define CRI "plugins.io.containerd.grpc.v1.cri.containerd"
#define RUNTIMES CRI ".runtimes"
#define MARK "# hardrun install"
#define MAX_LINES 100000

struct toml_text
{
  char **lines; /* without their newline */
  size_t n;
  bool final_newline;
  bool *commented;       /* line i is emitted commented out */
  struct hr_strv *after; /* lines to insert after line i */
  struct hr_strv block;  /* appended tables */
};

static void
toml_text_clear (struct toml_text *t)
{
  for (size_t i = 0; i < t->n; i++)
    {
      free (t->lines[i]);
      hr_strv_clear (&t->after[i]);
    }
  free (t->lines);
  free (t->commented);
  free (t->after);
  hr_strv_clear (&t->block);
}
#define cleanup_toml_text __attribute__ ((cleanup (toml_text_clear)))

static int
split_lines (struct toml_text *t, const char *s, size_t len, hr_error_t *err)
{
  size_t start = 0, cap = 0;

  for (size_t i = 0; i <= len; i++)
    {
      if (i < len && s[i] != '\n')
        continue;
      if (i == len && start == len)
        break;
      if (t->n == MAX_LINES)
        return hr_error_set (err, 0, "/etc/containerd/config.toml has more than %d lines", MAX_LINES);
      if (t->n == cap)
        {
          cap = cap ? cap * 2 : 64;
          t->lines = realloc (t->lines, cap * sizeof *t->lines);
          if (t->lines == NULL)
            abort ();
        }
      t->lines[t->n++] = strndup (s + start, i - start);
      start = i + 1;
    }
  t->final_newline = len > 0 && s[len - 1] == '\n';
  t->commented = calloc (t->n + 1, sizeof *t->commented);
  t->after = calloc (t->n + 1, sizeof *t->after);
  if (t->commented == NULL || t->after == NULL)
    abort ();
  return 0;
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* A table header's dotted key, canonical: its parts (bare or quoted) joined
 * by '.', the quotes taken off, so that [a."b".c] and [ a . b . c ] are one
 * table.  NULL when the line is not a table header ([[arrays]] are not:
 * hardrun never names one). */
static char *
header_key (const char *line)
{
  const char *p = skip_space (line);
  char *out, *o;

  if (p[0] != '[' || p[1] == '[')
    return NULL;
  out = o = xmalloc (strlen (p) + 1);
  for (p++; *p && *p != ']'; p++)
    {
      if (*p == '"' || *p == '\'')
        {
          char q = *p++;
          while (*p && *p != q)
            *o++ = *p++;
          if (*p == '\0')
            break;
        }
      else if (*p != ' ' && *p != '\t')
        *o++ = *p;
    }
  *o = '\0';
  if (*p != ']')
    {
      free (out);
      return NULL;
    }
  return out;
}

/* The line index of table `key`'s header, or -1. */
static long
find_table (const struct toml_text *t, const char *key)
{
  for (size_t i = 0; i < t->n; i++)
    {
      cleanup_free char *k = header_key (t->lines[i]);
      if (k && strcmp (k, key) == 0)
        return (long)i;
    }
  return -1;
}

/* The bare key a "key = value" line sets, compared with name. */
static bool
line_sets (const char *line, const char *name)
{
  const char *p = skip_space (line);
  size_t n = strlen (name);

  return strncmp (p, name, n) == 0 && *skip_space (p + n) == '=';
}

static bool
single_line_value (const char *line)
{
  int depth = 0;

  if (strstr (line, "\"\"\"") || strstr (line, "'''"))
    return false;
  for (const char *p = line; *p; p++)
    depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
  return depth <= 0;
}

/* key = value in table: after the table's header when the file has it (an
 * earlier setting of key in that table commented out), else in the
 * appended block. */
static int
set_key (struct toml_text *t, const char *table_header, const char *key, const char *value, hr_error_t *err)
{
  cleanup_free char *canon = header_key (table_header);
  cleanup_free char *line = NULL;
  long at = find_table (t, canon);

  if (at < 0)
    {
      const char *last = NULL;
      bool seen = false;

      for (size_t i = 0; i < t->block.len; i++)
        if (t->block.items[i][0] == '[')
          last = t->block.items[i], seen |= strcmp (last, table_header) == 0;
      if (!hr_streq (last, table_header))
        {
          if (seen)
            return hr_error_set (err, 0, "internal: table %s appended twice", table_header);
          hr_strv_push (&t->block, table_header);
        }
      xasprintf (&line, "  %s = %s", key, value);
      hr_strv_push (&t->block, line);
      return 0;
    }
  for (size_t i = (size_t)at + 1; i < t->n; i++)
    {
      cleanup_free char *k = header_key (t->lines[i]);
      if (k != NULL || strncmp (skip_space (t->lines[i]), "[[", 2) == 0)
        break;
      if (!line_sets (t->lines[i], key))
        continue;
      if (!single_line_value (t->lines[i]))
        return hr_error_set (err, 0, "%s in %s spans several lines: set it by hand", key, table_header);
      t->commented[i] = true;
    }
  xasprintf (&line, "  %s = %s " MARK, key, value);
  hr_strv_push (&t->after[at], line);
  return 0;
}

/* A key set elsewhere than where hardrun looks (a dotted key in a parent
 * table, an inline table) would make containerd see two values or refuse
 * the file: hardrun refuses first. */
static int
refuse_elsewhere (const struct toml_text *t, const char *key, const char *table, hr_error_t *err)
{
  cleanup_free char *canon = header_key (table);
  bool inside = false;

  for (size_t i = 0; i < t->n; i++)
    {
      cleanup_free char *k = header_key (t->lines[i]);
      const char *hit;

      if (k)
        inside = strcmp (k, canon) == 0;
      hit = strstr (t->lines[i], key);
      if (k == NULL && hit && !inside && *skip_space (t->lines[i]) != '#')
        return hr_error_set (err, 0,
                             "/etc/containerd/config.toml sets %s outside %s (line %zu): hardrun cannot edit it safely",
                             key, table, i + 1);
    }
  return 0;
}

static bool
has_version_2 (const struct toml_text *t, bool *has_tables)
{
  *has_tables = false;
  for (size_t i = 0; i < t->n; i++)
    {
      const char *p = skip_space (t->lines[i]);
      if (*p == '[')
        {
          *has_tables = true;
          return false;
        }
      if (line_sets (p, "version"))
        return strcmp (skip_space (strchr (p, '=') + 1), "2") == 0
               || hr_has_prefix (skip_space (strchr (p, '=') + 1), "2 ");
    }
  return false;
}

static bool
declares_runtimes (const struct toml_text *t)
{
  for (size_t i = 0; i < t->n; i++)
    {
      cleanup_free char *k = header_key (t->lines[i]);
      if (k && hr_has_prefix (k, RUNTIMES "."))
        return true;
    }
  return false;
}

#define H_CRI "[plugins.\"io.containerd.grpc.v1.cri\".containerd]"
#define H_RT(name) "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes." name "]"

static int
plan_edits (const struct hr_install_opts *o, struct toml_text *t, hr_error_t *err)
{
  cleanup_free char *path = hr_install_toml_string (o->path);

  if (refuse_elsewhere (t, "runtimes.hardrun", H_RT ("hardrun"), err) < 0)
    return -1;
  /* Declaring any runtime replaces containerd's built-in table, whose "runc"
   * the CRI plugin's default_runtime_name names: keep it. */
  if (!declares_runtimes (t) && set_key (t, H_RT ("runc"), "runtime_type", "\"io.containerd.runc.v2\"", err) < 0)
    return -1;
  if (o->set_default || o->lockdown)
    {
      if (refuse_elsewhere (t, "default_runtime_name", H_CRI, err) < 0
          || set_key (t, H_CRI, "default_runtime_name", "\"hardrun\"", err) < 0)
        return -1;
    }
  if (set_key (t, H_RT ("hardrun"), "runtime_type", "\"io.containerd.runc.v2\"", err) < 0
      /* the pod annotation hardrun's policy reads (profile_annotation.key) */
      || set_key (t, H_RT ("hardrun"), "pod_annotations", "[\"io.hardrun.profile\"]", err) < 0
      || set_key (t, H_RT ("hardrun.options"), "BinaryName", path, err) < 0)
    return -1;
  /* the handler called runc runs hardrun too */
  if (o->lockdown && set_key (t, H_RT ("runc.options"), "BinaryName", path, err) < 0)
    return -1;
  return 0;
}

static void
put_line (FILE *f, const char *s)
{
  fputs (s, f);
  fputc ('\n', f);
}

static char *
render (const struct toml_text *t, size_t *len)
{
  char *buf = NULL;
  FILE *f = open_memstream (&buf, len);

  if (f == NULL)
    abort ();
  for (size_t i = 0; i < t->n; i++)
    {
      if (t->commented[i])
        fputs (MARK ": ", f);
      fputs (t->lines[i], f);
      if (i + 1 < t->n || t->final_newline || t->after[i].len || t->block.len)
        fputc ('\n', f);
      for (size_t j = 0; j < t->after[i].len; j++)
        put_line (f, t->after[i].items[j]);
    }
  if (t->block.len)
    {
      put_line (f, "");
      put_line (f, MARK ": begin (hardrun install containerd --uninstall restores this file as it was)");
      for (size_t i = 0; i < t->block.len; i++)
        put_line (f, t->block.items[i]);
      put_line (f, MARK ": end");
    }
  if (fclose (f) != 0)
    abort ();
  return buf;
}

static int
edit_config_toml (const struct hr_install_opts *o, const char *orig, size_t orig_len, char **out, size_t *out_len,
                  enum hr_install_want *want, hr_error_t *err)
{
  cleanup_toml_text struct toml_text t = { 0 };
  cleanup_free char *text = NULL;
  bool has_tables;

  if (orig == NULL)
    text = xstrdup ("# written by hardrun install containerd\nversion = 2\n");
  else
    text = strndup (orig, orig_len);
  if (text == NULL || split_lines (&t, text, strlen (text), err) < 0)
    return text ? -1 : hr_error_set (err, 0, "out of memory");
  if (!has_version_2 (&t, &has_tables))
    {
      cleanup_free char *versioned = NULL;

      if (has_tables || strstr (text, "version"))
        return hr_error_set (err, 0,
                             "/etc/containerd/config.toml is not a version 2 config (\"version = 2\" before its first "
                             "table): hardrun install writes containerd 1.6's version 2 tables");
      /* comments only: the version goes first */
      toml_text_clear (&t);
      memset (&t, 0, sizeof t);
      xasprintf (&versioned, "version = 2\n%s", text);
      if (split_lines (&t, versioned, strlen (versioned), err) < 0)
        return -1;
    }
  if (plan_edits (o, &t, err) < 0)
    return -1;
  *out = render (&t, out_len);
  *want = HR_INSTALL_WRITE;
  return 0;
}

char *
hr_install_toml_string (const char *s)
{
  size_t n = strlen (s);
  char *out = xmalloc (n * 6 + 3), *o = out;

  *o++ = '"';
  for (; *s; s++)
    {
      unsigned char c = (unsigned char)*s;
      if (c == '"' || c == '\\')
        *o++ = '\\', *o++ = (char)c;
      else if (c < 0x20 || c == 0x7f)
        o += sprintf (o, "\\u%04x", c);
      else
        *o++ = (char)c;
    }
  *o++ = '"';
  *o = '\0';
  return out;
}

static const struct hr_install_target containerd_targets[] = {
  { "/etc/containerd/config.toml", 0644, false, edit_config_toml },
};

const struct hr_install_engine hr_install_containerd = {
  .name = "containerd",
  .daemon = "containerd",
  .reload = HR_RELOAD_RESTART,
  .targets = containerd_targets,
  .n_targets = HR_ARRAY_SIZE (containerd_targets),
};
