/* SPDX-License-Identifier: Apache-2.0 */
/* strmap.c: every key found again after the table grew, a NULL value told
 * apart from a missing key, a value replaced in place. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>

#include "strmap.h"

Test (strmap, finds_every_key_after_growing)
{
  struct hr_strmap map = { 0 };
  char key[32];
  bool found;

  for (uintptr_t i = 0; i < 20000; i++)
    {
      snprintf (key, sizeof key, "/dest/%lu", (unsigned long)i);
      hr_strmap_put (&map, key, (void *)(i + 1));
    }
  cr_assert_eq (map.len, 20000);
  for (uintptr_t i = 0; i < 20000; i++)
    {
      snprintf (key, sizeof key, "/dest/%lu", (unsigned long)i);
      cr_assert_eq ((uintptr_t)hr_strmap_get (&map, key, &found), i + 1, "%s", key);
      cr_assert (found);
    }
  cr_assert_null (hr_strmap_get (&map, "/dest/20000", &found));
  cr_assert_not (found);
  hr_strmap_clear (&map);
  cr_assert_eq (map.len, 0);
}

Test (strmap, null_value_is_found_and_a_value_is_replaced)
{
  struct hr_strmap map = { 0 };
  bool found = true;

  cr_assert_null (hr_strmap_get (&map, "a", &found));
  cr_assert_not (found);
  hr_strmap_put (&map, "a", NULL);
  cr_assert_null (hr_strmap_get (&map, "a", &found));
  cr_assert (found);
  hr_strmap_put (&map, "a", (void *)"x");
  cr_assert_str_eq (hr_strmap_get (&map, "a", &found), "x");
  cr_assert_eq (map.len, 1);
  hr_strmap_clear (&map);
}
