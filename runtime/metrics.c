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

char *
hr_prom_series (const char *name, const char *const *names, const char *const *values, size_t n)
{
  char *series = xstrdup (name);

  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *text = hr_prom_escape_label (values[i]);
      char *longer;

      xasprintf (&longer, "%s%s%s=\"%s\"%s", series, i ? "," : "{", names[i], text, i + 1 == n ? "}" : "");
      free (series);
      series = longer;
    }
  return series;
}

void
hr_prom_sample (FILE *out, const char *name, const char *const *names, const char *const *values, size_t n,
                long long value)
{
  cleanup_free char *series = hr_prom_series (name, names, values, n);

  fprintf (out, "%s %lld\n", series, value);
}

const struct hr_prom_family_info hr_prom_decisions = {
  "hardrun_decisions_total",
  "counter",
  "Rule decisions of hardrun, by rule, outcome (changed, denied, audited, quarantined) and profile.",
};
const struct hr_prom_family_info hr_prom_containers = {
  "hardrun_containers_total",
  "counter",
  "Containers created, run or restored through hardrun, by verdict (allow, modify, deny, quarantine) and profile.",
};
const struct hr_prom_family_info hr_prom_execs = {
  "hardrun_execs_total",
  "counter",
  "Processes executed in containers through hardrun, by verdict and profile.",
};
const struct hr_prom_family_info hr_prom_unreadable = {
  "hardrun_audit_unreadable_lines",
  "gauge",
  "Lines of the audit log that are not audit records (cut short, not JSON).",
};

const struct hr_prom_family_info *
hr_prom_counter_of (const char *series)
{
  const struct hr_prom_family_info *families[] = { &hr_prom_decisions, &hr_prom_containers, &hr_prom_execs };
  size_t len = strcspn (series, "{ ");

  for (size_t i = 0; i < HR_ARRAY_SIZE (families); i++)
    if (strlen (families[i]->name) == len && strncmp (series, families[i]->name, len) == 0)
      return families[i];
  return NULL;
}
