/* SPDX-License-Identifier: Apache-2.0 */
/* The mount table reader: any bytes parse without reading out of bounds;
 * the mount found at an entry's target is that target's last entry; an
 * option's value is no longer than the options it came from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/util.h"
#include "mountinfo.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct hr_mount_table table;
  char *text = xstrndup ((const char *)data, size);

  hr_mount_table_parse (text, &table);
  for (size_t i = 0; i < table.len; i++)
    {
      const struct hr_mount_entry *e = &table.entries[i], *top = hr_mount_table_find (&table, e->target);
      char *value = NULL;

      if (top == NULL || top < e || strcmp (top->target, e->target) != 0)
        abort ();
      if (hr_mount_option (e->super_options, "lowerdir", &value))
        {
          if (strlen (value) > strlen (e->super_options))
            abort ();
          free (value);
        }
    }
  hr_mount_table_clear (&table);
  return 0;
}
