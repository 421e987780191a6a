/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON tree: whatever it accepts must serialize, re-parse to an equal
 * tree and serialize to the same bytes again (a rewrite is a fixed point);
 * and the members-only parse of the same text agrees with it on the
 * members it builds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/json.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* What hr_json_parse accepted, hr_json_parse_members accepts, with each
 * kept top-level member equal to the full tree's. */
static void
members_agree (const uint8_t *data, size_t size, const struct hr_json *tree)
{
  static const char *const keep[] = { "init_process_pid", "config", "a", NULL };
  hr_error_t err = NULL;
  struct hr_json *some = hr_json_parse_members ((const char *)data, size, keep, &err);

  if (some == NULL)
    abort ();
  if (tree->type == HR_JSON_OBJECT)
    for (const char *const *k = keep; *k; k++)
      {
        const struct hr_json *full = hr_json_get (tree, *k), *part = hr_json_get (some, *k);
        if ((full == NULL) != (part == NULL) || (full && !hr_json_equal (full, part)))
          abort ();
      }
  hr_json_free (some);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hr_error_t err = NULL;
  struct hr_json *tree = hr_json_parse ((const char *)data, size, &err);
  struct hr_json *again;
  char *text, *text2;
  size_t len, len2;

  if (tree == NULL)
    {
      if (err == NULL || err->msg == NULL || err->msg[0] == '\0')
        abort (); /* every refusal explains itself */
      hr_error_free (&err);
      return 0;
    }
  members_agree (data, size, tree);
  text = hr_json_serialize (tree, &len);
  again = hr_json_parse (text, len, &err);
  if (again == NULL || !hr_json_equal (tree, again))
    abort ();
  text2 = hr_json_serialize (again, &len2);
  if (len != len2 || memcmp (text, text2, len) != 0)
    abort ();
  free (text);
  free (text2);
  hr_json_free (tree);
  hr_json_free (again);
  return 0;
}
