/* SPDX-License-Identifier: Apache-2.0 */
/* `hardrun policy validate [--format text|json] [--no-trust-check] FILE`
 * and `hardrun policy show`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "hardrun/util.h"
#include "log.h"
#include "policy_source.h"

static const char usage[] = "usage: hardrun policy validate [--format text|json] [--no-trust-check] FILE | hardrun "
                            "[--hardrun-policy FILE] policy show";

static void
print_valid_text (const char *path, const struct hr_policy *policy)
{
  printf ("policy %s is valid: %zu profile%s (", path, policy->n_profiles, policy->n_profiles == 1 ? "" : "s");
  for (size_t i = 0; i < policy->n_profiles; i++)
    printf ("%s%s", i ? ", " : "", policy->profiles[i].name);
  printf ("), default \"%s\"%s\n", policy->default_profile, policy->audit_mode ? ", audit mode" : "");
}

/* Every problem on its own line: where (a JSON pointer), what, and the
 * name that was likely meant. */
static void
print_problems_text (const char *path, const struct hr_policy_problems *problems)
{
  for (size_t i = 0; i < problems->len; i++)
    {
      const struct hr_policy_problem *p = &problems->items[i];
      cleanup_free char *hint = NULL;

      if (p->suggestion)
        xasprintf (&hint, " (did you mean \"%s\"?)", p->suggestion);
      hr_log_error ("policy %s: %s%s%s%s", path, p->pointer, p->pointer[0] ? ": " : "", p->message, hint ? hint : "");
    }
  hr_log_error ("invalid policy %s: %zu problem%s", path, problems->len, problems->len == 1 ? "" : "s");
}

static struct hr_json *
problem_json (const struct hr_policy_problem *p)
{
  struct hr_json *o = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (o, "path", hr_json_new_string (p->pointer));
  hr_json_set (o, "message", hr_json_new_string (p->message));
  hr_json_set (o, "suggestion", p->suggestion ? hr_json_new_string (p->suggestion) : hr_json_new (HR_JSON_NULL));
  return o;
}

static void
print_json (const char *path, const struct hr_policy *policy, const struct hr_policy_problems *problems)
{
  cleanup_json struct hr_json *doc = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *errors = hr_json_new (HR_JSON_ARRAY);
  cleanup_free char *text = NULL;

  hr_json_set (doc, "policy", hr_json_new_string (path));
  hr_json_set (doc, "valid", hr_json_new_bool (policy != NULL));
  for (size_t i = 0; i < problems->len; i++)
    hr_json_append (errors, problem_json (&problems->items[i]));
  hr_json_set (doc, "errors", errors);
  if (policy)
    {
      struct hr_json *names = hr_json_new (HR_JSON_ARRAY);
      for (size_t i = 0; i < policy->n_profiles; i++)
        hr_json_append (names, hr_json_new_string (policy->profiles[i].name));
      hr_json_set (doc, "profiles", names);
      hr_json_set (doc, "default_profile", hr_json_new_string (policy->default_profile));
    }
  text = hr_json_serialize_pretty (doc);
  fputs (text, stdout);
}

/* Reports every problem of the file at once, the runtime's trust checks
 * included (a policy the runtime would refuse is not valid).  Exit status:
 * 0 valid, 1 invalid, 2 usage. */
static int
validate (int argc, char **argv)
{
  const char *path = NULL, *format = "text";
  bool trust = true;
  struct hr_policy_problems problems = { 0 };
  cleanup_policy struct hr_policy *policy = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--format") == 0 && i + 1 < argc)
        format = argv[++i];
      else if (hr_has_prefix (argv[i], "--format="))
        format = argv[i] + strlen ("--format=");
      else if (strcmp (argv[i], "--no-trust-check") == 0)
        trust = false;
      else if (argv[i][0] != '-' && path == NULL)
        path = argv[i];
      else
        path = NULL, i = argc;
    }
  if (path == NULL || (strcmp (format, "text") != 0 && strcmp (format, "json") != 0))
    {
      hr_log_error ("%s", usage);
      return 2;
    }
  policy = hr_policy_check_file (path, trust, &problems);
  if (strcmp (format, "json") == 0)
    print_json (path, policy, &problems);
  else if (policy)
    print_valid_text (path, policy);
  else
    print_problems_text (path, &problems);
  hr_policy_problems_clear (&problems);
  return policy ? 0 : 1;
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
  if (argc >= 2 && strcmp (argv[0], "validate") == 0)
    return validate (argc, argv);
  if (argc == 1 && strcmp (argv[0], "show") == 0)
    return show (cli);
  hr_log_error ("%s", usage);
  return 2;
}
