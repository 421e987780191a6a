/* SPDX-License-Identifier: Apache-2.0 */
/* Checks on the raw text that yajl cannot make for us, run before parsing:
 * strict UTF-8 (no overlong forms, no encoded surrogates, nothing above
 * U+10FFFF) and \u escapes that form whole UTF-16 pairs.  Go replaces each of
 * these with U+FFFD while yajl keeps or rewrites them differently, so
 * accepting them would let hardrun and the runtime read different strings. */
#include <stdbool.h>
#include <stdint.h>

#include "json_internal.h"

static size_t
utf8_sequence_length (const unsigned char *s, size_t avail)
{
  unsigned char c = s[0];
  uint32_t cp;
  size_t n;

  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4, cp = c & 0x07;
  else
    return 0;
  if (avail < n)
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((s[i] & 0xC0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i] & 0x3F);
    }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF)
    return 0; /* overlong or out of range */
  if (cp >= 0xD800 && cp <= 0xDFFF)
    return 0; /* surrogates are not characters */
  return n;
}

static int
hex4 (const char *s, size_t avail, uint32_t *out)
{
  uint32_t v = 0;

  if (avail < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      char c = s[i];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= (uint32_t)(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= (uint32_t)(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= (uint32_t)(c - 'A' + 10);
      else
        return -1;
    }
  *out = v;
  return 0;
}

/* At buf[i] == '\\' inside a string; returns the index after the escape, or
 * 0 when it is a surrogate escape without its partner (malformed escapes are
 * left for yajl to report). */
static size_t
check_escape (const char *buf, size_t len, size_t i)
{
  uint32_t cp, low;

  if (i + 1 >= len || buf[i + 1] != 'u')
    return i + 2;
  if (hex4 (buf + i + 2, len - i - 2, &cp) < 0)
    return i + 2;
  if (cp >= 0xDC00 && cp <= 0xDFFF)
    return 0;
  if (cp < 0xD800 || cp > 0xDBFF)
    return i + 6;
  if (i + 12 > len || buf[i + 6] != '\\' || buf[i + 7] != 'u' || hex4 (buf + i + 8, len - i - 8, &low) < 0
      || low < 0xDC00 || low > 0xDFFF)
    return 0;
  return i + 12;
}

int
hr_json_check_text (const char *buf, size_t len, hr_error_t *err)
{
  bool in_string = false;
  size_t i = 0;

  while (i < len)
    {
      unsigned char c = (unsigned char)buf[i];
      size_t n;

      if (c >= 0x80)
        {
          n = utf8_sequence_length ((const unsigned char *)buf + i, len - i);
          if (n == 0)
            return hr_error_set (err, 0, "invalid UTF-8 at byte %zu", i);
          i += n;
          continue;
        }
      if (in_string && c == '\\')
        {
          n = check_escape (buf, len, i);
          if (n == 0)
            return hr_error_set (err, 0, "unpaired UTF-16 surrogate escape at byte %zu", i);
          i = n;
          continue;
        }
      if (c == '"')
        in_string = !in_string;
      i++;
    }
  return 0;
}
