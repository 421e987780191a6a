/* SPDX-License-Identifier: Apache-2.0 */
/* The Prometheus text exposition format (version 0.0.4), as node_exporter's
 * textfile collector reads it: HELP and TYPE before a family's samples,
 * label values in double quotes with \\, \" and \n escaped (HELP text with
 * \\ and \n).  Rule and profile names come from a policy file and the audit
 * log: whatever their bytes, a sample stays one well-formed line. */
#include <string.h>

#include "hardrun/util.h"
#include "metrics.h"

static char *
escape (const char *value, bool quote)
{
  char *out = xmalloc (2 * strlen (value) + 1), *p = out;

  for (; *value; value++)
    {
      if (*value == '\\' || (quote && *value == '"'))
        *p++ = '\\', *p++ = *value;
      else if (*value == '\n')
        *p++ = '\\', *p++ = 'n';
      else
        *p++ = *value;
    }
  *p = '\0';
  return out;
}

char *
hr_prom_escape_label (const char *value)
{
  return escape (value, true);
}

void
hr_prom_family (FILE *out, const char *name, const char *type, const char *help)
{
  cleanup_free char *text = escape (help, false);

  fprintf (out, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

void
hr_prom_sample (FILE *out, const char *name, const char *const *names, const char *const *values, size_t n,
                long long value)
{
  fputs (name, out);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *text = hr_prom_escape_label (values[i]);
      fprintf (out, "%s%s=\"%s\"", i ? "," : "{", names[i], text);
    }
  fprintf (out, "%s %lld\n", n ? "}" : "", value);
}
