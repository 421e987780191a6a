/* SPDX-License-Identifier: Apache-2.0 */
/* XML text for the JUnit reports; see xml_text.h. */
#include "xml_text.h"

void
hr_xml_text (const char *s, FILE *out)
{
  for (; *s; s++)
    switch (*s)
      {
      case '<':
        fputs ("&lt;", out);
        break;
      case '>':
        fputs ("&gt;", out);
        break;
      case '&':
        fputs ("&amp;", out);
        break;
      case '"':
        fputs ("&quot;", out);
        break;
      default:
        if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
          fputc ('?', out);
        else
          fputc (*s, out);
      }
}
