/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON tree: whatever it accepts must serialize, re-parse to an equal
 * tree and serialize to the same bytes again (a rewrite is a fixed point). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/json.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

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
