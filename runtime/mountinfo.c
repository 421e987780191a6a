/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/mountinfo, parsed: see mountinfo.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "mountinfo.h"

/* The kernel writes a line for every mount of the namespace; a table
 * larger than this is not one hardrun should walk on every create. */
#define MOUNTINFO_MAX_SIZE HR_JSON_MAX_SIZE

/* A field with its \ooo escapes decoded, in place (the kernel escapes
 * space, tab, newline and backslash this way: seq_file's mangle). */
static char *
unescape (char *field)
{
  char *r = field, *w = field;

  while (*r)
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7')
      {
        *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
        r += 4;
      }
    else
      *w++ = *r++;
  *w = '\0';
  return field;
}

/* The next field of *cursor, NUL-terminated; NULL past the end of the
 * line.  The kernel separates fields by exactly one space and escapes any
 * space inside one, so an empty field (a mount whose source is "") is a
 * field too. */
static char *
next_field (char **cursor)
{
  char *start = *cursor, *end;

  if (start == NULL)
    return NULL;
  end = strchr (start, ' ');
  if (end)
    *end++ = '\0';
  *cursor = end;
  return start;
}

static bool
parse_line (char *line, struct hr_mount_entry *m)
{
  static char no_options[] = "";
  char *fields[6], *tok, *fstype, *source, *super;
  size_t n = 0;

  while (n < 6 && (fields[n] = next_field (&line)) != NULL)
    n++;
  if (n < 6)
    return false;
  /* optional fields, up to the separator */
  while ((tok = next_field (&line)) != NULL && strcmp (tok, "-") != 0)
    ;
  if (tok == NULL || (fstype = next_field (&line)) == NULL || (source = next_field (&line)) == NULL)
    return false;
  super = next_field (&line);
  if (super == NULL)
    super = no_options;
  *m = (struct hr_mount_entry){
    .device = fields[2],
    .root = unescape (fields[3]),
    .target = unescape (fields[4]),
    .fstype = unescape (fstype),
    .source = unescape (source),
    .super_options = super,
  };
  return true;
}

void
hr_mount_table_parse (char *text, struct hr_mount_table *table)
{
  size_t cap = 0;
  char *line = text;

  *table = (struct hr_mount_table){ .text = text };
  while (line && *line)
    {
      char *next = strchr (line, '\n');

      if (next)
        *next++ = '\0';
      if (table->len == cap)
        table->entries = xrealloc (table->entries, (cap = cap ? cap * 2 : 64) * sizeof *table->entries);
      if (parse_line (line, &table->entries[table->len]))
        table->len++;
      line = next;
    }
}

int
hr_mount_table_read (const char *path, struct hr_mount_table *table, hr_error_t *err)
{
  char *text;
  size_t len;

  *table = (struct hr_mount_table){ 0 };
  if (hr_file_read_stream (path, MOUNTINFO_MAX_SIZE, &text, &len, err) < 0)
    return -1;
  hr_mount_table_parse (text, table);
  return 0;
}

void
hr_mount_table_clear (struct hr_mount_table *table)
{
  free (table->entries);
  free (table->text);
  *table = (struct hr_mount_table){ 0 };
}

const struct hr_mount_entry *
hr_mount_table_find (const struct hr_mount_table *table, const char *path)
{
  for (size_t i = table->len; i-- > 0;)
    if (strcmp (table->entries[i].target, path) == 0)
      return &table->entries[i];
  return NULL;
}

bool
hr_mount_option (const char *options, const char *name, char **value)
{
  size_t name_len = strlen (name);

  for (const char *o = options; o && *o; o = strchr (o, ','), o = o ? o + 1 : NULL)
    if (strncmp (o, name, name_len) == 0 && o[name_len] == '=')
      {
        const char *start = o + name_len + 1;
        *value = unescape (xstrndup (start, strcspn (start, ",")));
        return true;
      }
  return false;
}
