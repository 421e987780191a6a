/* SPDX-License-Identifier: Apache-2.0 */
/* `hardrun policy validate FILE` and `hardrun policy show`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "hardrun/util.h"
#include "log.h"
#include "policy_source.h"

static const char usage[] = "usage: hardrun policy validate FILE | hardrun [--hardrun-policy FILE] policy show";

static int
validate (const char *path)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_policy struct hr_policy *policy = hr_policy_load_file (path, &err);

  /* the files it names must be fit to be used, trust included */
  if (policy == NULL || hr_policy_read_files (policy, true, &err) < 0)
    return hr_log_failure (err, "invalid policy");
  printf ("policy %s is valid: %zu profile%s (", path, policy->n_profiles, policy->n_profiles == 1 ? "" : "s");
  for (size_t i = 0; i < policy->n_profiles; i++)
    printf ("%s%s", i ? ", " : "", policy->profiles[i].name);
  printf ("), default \"%s\"%s\n", policy->default_profile, policy->audit_mode ? ", audit mode" : "");
  return 0;
}

static int
show (const struct hr_cli *cli)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_policy struct hr_policy *policy = hr_load_policy (cli, false, &err);
  cleanup_json struct hr_json *doc = NULL;
  cleanup_free char *text = NULL;

  if (policy == NULL)
    return hr_log_failure (err, "cannot load the policy");
  doc = hr_policy_to_json (policy);
  text = hr_json_serialize_pretty (doc);
  fprintf (stderr, "hardrun: effective policy from %s\n", policy->source);
  fputs (text, stdout);
  return 0;
}

int
hr_cmd_policy (const struct hr_cli *cli, int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[0], "validate") == 0)
    return validate (argv[1]);
  if (argc == 1 && strcmp (argv[0], "show") == 0)
    return show (cli);
  hr_log_error ("%s", usage);
  return 2;
}
