/* SPDX-License-Identifier: Apache-2.0 */
/* `hardrun explain [RULE]`: what a rule does, its id, severity, the spec
 * field it judges, the fix, and its action and settings by default (the
 * embedded policy's default profile) and in the policy in use. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "hardrun/enforce.h"
#include "hardrun/util.h"
#include "log.h"
#include "policy_source.h"

static const struct hr_profile *
default_profile (const struct hr_policy *policy)
{
  for (size_t i = 0; i < policy->n_profiles; i++)
    if (strcmp (policy->profiles[i].name, policy->default_profile) == 0)
      return &policy->profiles[i];
  return policy->n_profiles ? &policy->profiles[0] : NULL;
}

static void
print_config (const char *label, const struct hr_policy *policy, const char *rule)
{
  const struct hr_profile *p = policy ? default_profile (policy) : NULL;

  if (p == NULL)
    return;
  for (size_t i = 0; i < hr_rule_count (); i++)
    if (strcmp (p->rules[i].name, rule) == 0)
      {
        cleanup_free char *settings = hr_json_serialize_pretty (p->rules[i].settings);
        printf ("%s (%s, profile \"%s\"): action %s\n  settings: %s\n", label, policy->source, p->name,
                hr_action_name (p->rules[i].action), settings);
      }
}

static int
list_rules (void)
{
  for (size_t i = 0; i < hr_rule_meta_count (); i++)
    {
      const struct hr_rule_meta *m = hr_rule_meta_at (i);
      printf ("%-15s %-18s %-8s %s\n", m->id, m->name, m->severity, m->summary);
    }
  return 0;
}

int
hr_cmd_explain (const struct hr_cli *cli, int argc, char **argv)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_policy struct hr_policy *defaults = NULL;
  cleanup_policy struct hr_policy *active = NULL;
  const struct hr_rule_meta *m;

  if (argc == 0)
    return list_rules ();
  if (argc > 1)
    {
      hr_error_set (&err, 0, "usage: hardrun explain [RULE]");
      hr_log_failure (err, "explain");
      return 2;
    }
  m = hr_rule_meta_find (argv[0]);
  if (m == NULL)
    {
      hr_error_set (&err, 0, "no rule named \"%s\" (hardrun explain lists them)", argv[0]);
      hr_log_failure (err, "explain");
      return 2;
    }
  printf ("%s (%s), severity %s\n%s.\n  judges: %s in config.json\n  fix:    %s\n\n", m->name, m->id, m->severity,
          m->summary, m->pointer, m->fix);
  defaults = hr_policy_load_default (&err);
  print_config ("default", defaults, m->name);
  hr_error_free (&err);
  active = hr_load_policy (cli, false, &err);
  if (active && strcmp (active->source, defaults ? defaults->source : "") != 0)
    print_config ("in use", active, m->name);
  return 0;
}
