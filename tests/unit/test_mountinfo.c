/* SPDX-License-Identifier: Apache-2.0 */
/* mountinfo.c: the kernel's mount table as the kernel writes it (escapes,
 * optional fields, overlay options), the mount on top at a path, and lines
 * that are not mountinfo skipped rather than misread. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/util.h"
#include "mountinfo.h"

static struct hr_mount_table table;

static void
parse (const char *text)
{
  hr_mount_table_parse (xstrdup (text), &table);
}

static void
clear (void)
{
  hr_mount_table_clear (&table);
}

TestSuite (mountinfo, .fini = clear);

Test (mountinfo, fields_of_a_line_with_optional_fields)
{
  parse ("25 1 8:1 / / rw,relatime shared:1 master:2 - ext4 /dev/sda1 rw,errors=remount-ro\n");
  cr_assert_eq (table.len, 1);
  cr_assert_str_eq (table.entries[0].device, "8:1");
  cr_assert_str_eq (table.entries[0].root, "/");
  cr_assert_str_eq (table.entries[0].target, "/");
  cr_assert_str_eq (table.entries[0].fstype, "ext4");
  cr_assert_str_eq (table.entries[0].source, "/dev/sda1");
  cr_assert_str_eq (table.entries[0].super_options, "rw,errors=remount-ro");
}

Test (mountinfo, octal_escapes_are_decoded_in_paths)
{
  parse ("30 25 0:40 /a\\040b /mnt/with\\040space\\011tab\\134back\\012nl rw - tmpfs tmp\\040fs rw\n");
  cr_assert_eq (table.len, 1);
  cr_assert_str_eq (table.entries[0].root, "/a b");
  cr_assert_str_eq (table.entries[0].target, "/mnt/with space\ttab\\back\nnl");
  cr_assert_str_eq (table.entries[0].source, "tmp fs");
}

Test (mountinfo, an_empty_source_is_a_field_of_its_own)
{
  parse ("41 25 0:51 / /empty rw - tmpfs  rw,size=1024k\n");
  cr_assert_eq (table.len, 1);
  cr_assert_str_eq (table.entries[0].source, "");
  cr_assert_str_eq (table.entries[0].super_options, "rw,size=1024k");
}

Test (mountinfo, the_mount_on_top_is_the_last_listed)
{
  parse ("30 25 0:40 / /mnt rw - tmpfs a rw\n"
         "31 30 0:41 / /mnt/sub rw - tmpfs b rw\n"
         "32 30 0:42 / /mnt rw - overlay c rw,lowerdir=/l\n");
  cr_assert_eq (table.len, 3);
  cr_assert_str_eq (hr_mount_table_find (&table, "/mnt")->source, "c");
  cr_assert_str_eq (hr_mount_table_find (&table, "/mnt/sub")->source, "b");
  cr_assert_null (hr_mount_table_find (&table, "/mn"));
  cr_assert_null (hr_mount_table_find (&table, "/mnt/"));
}

Test (mountinfo, lines_that_are_not_mountinfo_are_skipped)
{
  parse ("garbage\n"
         "1 2 3 4 5 6 no separator here\n"
         "1 2 3 4 5 6 7 -\n"
         "1 2 3 4 5 6 - fstype-but-no-source\n"
         "\n"
         "   \n"
         "1 2 3 4 5 6 - tmpfs\n"
         "40 25 0:50 / /ok rw - proc proc\n");
  cr_assert_eq (table.len, 1);
  cr_assert_str_eq (table.entries[0].target, "/ok");
  cr_assert_str_eq (table.entries[0].super_options, "");
}

Test (mountinfo, overlay_options_split_on_unescaped_commas_only)
{
  char *value = NULL;
  const char *opts = "rw,lowerdir=/l/A:/l/B,upperdir=/d/with\\054comma/diff,workdir=/d/work";

  cr_assert (hr_mount_option (opts, "lowerdir", &value));
  cr_assert_str_eq (value, "/l/A:/l/B");
  free (value);
  cr_assert (hr_mount_option (opts, "upperdir", &value));
  cr_assert_str_eq (value, "/d/with,comma/diff");
  free (value);
  cr_assert_not (hr_mount_option (opts, "dir", &value));
  cr_assert_not (hr_mount_option (opts, "rw", &value), "an option without a value has none to give");
  cr_assert_not (hr_mount_option ("", "lowerdir", &value));
}

Test (mountinfo, the_running_kernels_table_has_the_root)
{
  hr_error_t err = NULL;

  cr_assert_eq (hr_mount_table_read ("/proc/self/mountinfo", &table, &err), 0);
  cr_assert_gt (table.len, 0);
  cr_assert_not_null (hr_mount_table_find (&table, "/"));
}
