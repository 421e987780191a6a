/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/mountinfo, read and parsed by hardrun itself (as crun and
 * bubblewrap do): the runtime's one reader of the mount table. */
#ifndef HARDRUN_MOUNTINFO_H
#define HARDRUN_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "hardrun/error.h"

/* One line: "ID PARENT MAJ:MIN ROOT TARGET OPTS [OPTIONAL...] - FSTYPE
 * SOURCE SUPER".  root, target and source have their \ooo escapes decoded;
 * super_options keeps them (a comma inside an option is \054 there, so the
 * list splits safely; hr_mount_option decodes the value it returns). */
struct hr_mount_entry
{
  char *device, *root, *target, *fstype, *source, *super_options;
};

struct hr_mount_table
{
  char *text; /* the entries point into it */
  struct hr_mount_entry *entries;
  size_t len;
};

/* mountinfo.c */
/* Reads and parses path (normally /proc/self/mountinfo). */
int hr_mount_table_read (const char *path, struct hr_mount_table *table, hr_error_t *err);
/* Parses text, which the table takes; lines that are not mountinfo lines
 * are skipped. */
void hr_mount_table_parse (char *text, struct hr_mount_table *table);
void hr_mount_table_clear (struct hr_mount_table *table);
/* The mount at exactly path that is on top (listed last), or NULL. */
const struct hr_mount_entry *hr_mount_table_find (const struct hr_mount_table *table, const char *path);
/* The value of option name in a comma-separated option list, decoded, in a
 * new string (*value); false when the list does not have it with a value. */
bool hr_mount_option (const char *options, const char *name, char **value);

#endif
