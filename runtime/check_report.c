/* SPDX-License-Identifier: Apache-2.0 */
/* SARIF and JUnit renderings of check's decisions (with the rules' metadata,
 * policy/rule_meta.c). */
#include <string.h>

#include "check_report.h"
#include "config.h"
#include "hardrun/util.h"
#include "offline_host.h"
#include "xml_text.h"

const char *
hr_check_outcome (const struct hr_decision *d)
{
  if (d->outcome == HR_OUTCOME_DENIED && hr_offline_undecided (d->message))
    return "undecided";
  return hr_outcome_name (d->outcome);
}

void
hr_check_decision_meta (struct hr_json *decision, const char *rule)
{
  const struct hr_rule_meta *m = hr_rule_meta_find (rule);

  if (m == NULL)
    return;
  hr_json_set (decision, "rule_id", hr_json_new_string (m->id));
  hr_json_set (decision, "severity", hr_json_new_string (m->severity));
  hr_json_set (decision, "path", hr_json_new_string (m->pointer));
  hr_json_set (decision, "fix", hr_json_new_string (m->fix));
}

static struct hr_json *
text_object (const char *text)
{
  struct hr_json *o = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (o, "text", hr_json_new_string (text));
  return o;
}

/* SARIF levels: a denial is an error, a rewrite a warning, a record a note. */
static const char *
sarif_level (const struct hr_decision *d)
{
  if (d->outcome == HR_OUTCOME_DENIED)
    return "error";
  return d->outcome == HR_OUTCOME_AUDITED ? "note" : "warning";
}

static struct hr_json *
sarif_rules (void)
{
  struct hr_json *rules = hr_json_new (HR_JSON_ARRAY);

  for (size_t i = 0; i < hr_rule_meta_count (); i++)
    {
      const struct hr_rule_meta *m = hr_rule_meta_at (i);
      struct hr_json *r = hr_json_new (HR_JSON_OBJECT);
      struct hr_json *props = hr_json_new (HR_JSON_OBJECT);

      hr_json_set (r, "id", hr_json_new_string (m->id));
      hr_json_set (r, "name", hr_json_new_string (m->name));
      hr_json_set (r, "shortDescription", text_object (m->summary));
      hr_json_set (r, "help", text_object (m->fix));
      hr_json_set (props, "severity", hr_json_new_string (m->severity));
      hr_json_set (r, "properties", props);
      hr_json_append (rules, r);
    }
  return rules;
}

static struct hr_json *
sarif_location (const char *spec_uri, const char *pointer)
{
  struct hr_json *loc = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *phys = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *art = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *logical = hr_json_new (HR_JSON_ARRAY);
  struct hr_json *l = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (art, "uri", hr_json_new_string (spec_uri));
  hr_json_set (phys, "artifactLocation", art);
  hr_json_set (loc, "physicalLocation", phys);
  hr_json_set (l, "fullyQualifiedName", hr_json_new_string (pointer));
  hr_json_set (l, "kind", hr_json_new_string ("member"));
  hr_json_append (logical, l);
  hr_json_set (loc, "logicalLocations", logical);
  return loc;
}

struct hr_json *
hr_check_sarif (const struct hr_result *result, const char *spec_uri)
{
  struct hr_json *log = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *runs = hr_json_new (HR_JSON_ARRAY);
  struct hr_json *run = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *tool = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *driver = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *results = hr_json_new (HR_JSON_ARRAY);

  hr_json_set (log, "$schema", hr_json_new_string ("https://json.schemastore.org/sarif-2.1.0.json"));
  hr_json_set (log, "version", hr_json_new_string ("2.1.0"));
  hr_json_set (driver, "name", hr_json_new_string ("hardrun"));
  hr_json_set (driver, "version", hr_json_new_string (HARDRUN_VERSION));
  hr_json_set (driver, "informationUri", hr_json_new_string ("https://github.com/hardrun/hardrun"));
  hr_json_set (driver, "rules", sarif_rules ());
  hr_json_set (tool, "driver", driver);
  hr_json_set (run, "tool", tool);
  for (size_t i = 0; i < result->len; i++)
    {
      const struct hr_decision *d = &result->items[i];
      const struct hr_rule_meta *m = hr_rule_meta_find (d->rule);
      struct hr_json *r = hr_json_new (HR_JSON_OBJECT);
      struct hr_json *locs = hr_json_new (HR_JSON_ARRAY);
      struct hr_json *props = hr_json_new (HR_JSON_OBJECT);

      hr_json_set (r, "ruleId", hr_json_new_string (m ? m->id : d->rule));
      hr_json_set (r, "level", hr_json_new_string (sarif_level (d)));
      hr_json_set (r, "message", text_object (d->message));
      hr_json_append (locs, sarif_location (spec_uri, m ? m->pointer : ""));
      hr_json_set (r, "locations", locs);
      hr_json_set (props, "outcome", hr_json_new_string (hr_check_outcome (d)));
      hr_json_set (r, "properties", props);
      hr_json_append (results, r);
    }
  hr_json_set (run, "results", results);
  hr_json_append (runs, run);
  hr_json_set (log, "runs", runs);
  return log;
}

void
hr_check_junit (const struct hr_result *result, const char *spec, FILE *out)
{
  size_t failures = 0;

  for (size_t r = 0; r < hr_rule_meta_count (); r++)
    for (size_t i = 0; i < result->len; i++)
      if (result->items[i].outcome == HR_OUTCOME_DENIED
          && strcmp (result->items[i].rule, hr_rule_meta_at (r)->name) == 0)
        {
          failures++;
          break;
        }
  fputs ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"hardrun check ", out);
  hr_xml_text (spec, out);
  fprintf (out, "\" tests=\"%zu\" failures=\"%zu\">\n", hr_rule_meta_count (), failures);
  for (size_t r = 0; r < hr_rule_meta_count (); r++)
    {
      const struct hr_rule_meta *m = hr_rule_meta_at (r);
      bool open = false;

      fprintf (out, "    <testcase classname=\"hardrun.%s\" name=\"%s %s\">\n", m->severity, m->id, m->name);
      for (size_t i = 0; i < result->len; i++)
        {
          const struct hr_decision *d = &result->items[i];
          if (d->outcome != HR_OUTCOME_DENIED || strcmp (d->rule, m->name) != 0)
            continue;
          if (!open)
            {
              fputs ("      <failure message=\"", out);
              hr_xml_text (m->fix, out);
              fprintf (out, "\" type=\"%s\">", hr_check_outcome (d));
              open = true;
            }
          hr_xml_text (d->message, out);
          fputc ('\n', out);
        }
      if (open)
        fputs ("</failure>\n", out);
      fputs ("    </testcase>\n", out);
    }
  fputs ("  </testsuite>\n</testsuites>\n", out);
}
