/* SPDX-License-Identifier: Apache-2.0 */
/* `hardrun check`: what the policy would do to a spec, touching nothing.
 * Exit status: 0 the container would run (as is or hardened), 1 it would be
 * refused, 2 the input or the policy could not be used. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "commands.h"
#include "files.h"
#include "harden.h"
#include "hardrun/util.h"
#include "log.h"
#include "options.h"
#include "policy_source.h"

#define EXIT_DENY 1
#define EXIT_ERROR 2

struct check_options
{
  const char *bundle;
  const char *config;
  const char *format;
  const char *profile;
  const char *id; /* the container id the engine would give (its files' exceptions) */
};

static const char usage[] = "usage: hardrun [--hardrun-policy FILE] check (--bundle DIR | --config FILE) "
                            "[--profile NAME] [--format text|json] [--id ID]";

static int
parse_options (int argc, char **argv, struct check_options *o, hr_error_t *err)
{
  o->format = "text";
  for (int i = 0; i < argc; i++)
    {
      if (hr_take_option (argc, argv, &i, "--bundle", &o->bundle) || hr_take_option (argc, argv, &i, "-b", &o->bundle)
          || hr_take_option (argc, argv, &i, "--config", &o->config)
          || hr_take_option (argc, argv, &i, "--format", &o->format)
          || hr_take_option (argc, argv, &i, "--profile", &o->profile)
          || hr_take_option (argc, argv, &i, "--id", &o->id))
        continue;
      return hr_error_set (err, 0, "unexpected argument \"%s\"\n%s", argv[i], usage);
    }
  if ((o->bundle == NULL) == (o->config == NULL))
    return hr_error_set (err, 0, "give exactly one of --bundle and --config\n%s", usage);
  if (strcmp (o->format, "text") != 0 && strcmp (o->format, "json") != 0)
    return hr_error_set (err, 0, "--format must be text or json");
  return 0;
}

static void
print_text (const char *path, const struct hr_policy *policy, const struct hr_hardened *h)
{
  printf ("spec:     %s\n", path);
  printf ("policy:   %s\n", policy->source);
  printf ("profile:  %s%s\n", h->profile->name, h->audit_mode ? " (audit mode: nothing is enforced)" : "");
  printf ("decision: %s (%zu changed, %zu denied)\n", hr_result_verdict (&h->result), h->result.n_changed,
          h->result.n_denied);
  for (size_t i = 0; i < h->result.len; i++)
    printf ("  %-8s %s: %s\n", hr_outcome_name (h->result.items[i].outcome), h->result.items[i].rule,
            h->result.items[i].message);
}

static void
print_json (const char *path, const struct hr_policy *policy, const struct hr_hardened *h)
{
  cleanup_json struct hr_json *report = hr_json_new (HR_JSON_OBJECT);
  cleanup_free char *text = NULL;

  hr_json_set (report, "spec_file", hr_json_new_string (path));
  hr_json_set (report, "policy", hr_json_new_string (policy->source));
  hr_json_set (report, "profile", hr_json_new_string (h->profile->name));
  hr_json_set (report, "audit_mode", hr_json_new_bool (h->audit_mode));
  hr_json_set (report, "decision", hr_json_new_string (hr_result_verdict (&h->result)));
  hr_json_set (report, "decisions", hr_result_to_json (&h->result));
  hr_json_set (report, "spec", hr_json_clone (h->doc));
  text = hr_json_serialize_pretty (report);
  fputs (text, stdout);
}

static int
split_path (const struct check_options *o, char **dir, const char **name)
{
  if (o->bundle)
    {
      *dir = xstrdup (o->bundle);
      *name = "config.json";
      return 0;
    }
  *dir = xstrdup (o->config);
  if (strrchr (*dir, '/') == NULL)
    {
      free (*dir);
      *dir = xstrdup (".");
      *name = o->config;
      return 0;
    }
  *strrchr (*dir, '/') = '\0';
  *name = strrchr (o->config, '/') + 1;
  if (**dir == '\0')
    {
      free (*dir);
      *dir = xstrdup ("/");
    }
  return 0;
}

int
hr_cmd_check (const struct hr_cli *cli_in, int argc, char **argv)
{
  cleanup_error hr_error_t err = NULL;
  struct check_options o = { 0 };
  struct hr_cli cli = *cli_in;
  cleanup_policy struct hr_policy *policy = NULL;
  cleanup_free char *dir = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *path = NULL;
  cleanup_close int dirfd = -1;
  const char *name;
  struct hr_hardened h = { 0 };
  struct stat st;
  size_t len;
  int ret;

  if (parse_options (argc, argv, &o, &err) < 0)
    {
      hr_log_failure (err, "check");
      return EXIT_ERROR;
    }
  if (o.profile)
    cli.profile = o.profile;
  if (o.id)
    cli.container_id = o.id;
  policy = hr_load_policy (&cli, false, &err);
  if (policy == NULL)
    {
      hr_log_failure (err, "cannot load the policy");
      return EXIT_ERROR;
    }
  split_path (&o, &dir, &name);
  xasprintf (&path, "%s/%s", dir, name);
  dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    {
      hr_error_set (&err, errno, "cannot open %s", dir);
      hr_log_failure (err, "check");
      return EXIT_ERROR;
    }
  if (hr_file_read (dirfd, name, HR_JSON_MAX_SIZE, &text, &len, &st, &err) < 0
      || hr_harden_spec (policy, &cli, text, len, o.bundle ? o.bundle : dir, false, &h, &err) < 0)
    {
      hr_hardened_clear (&h);
      hr_log_failure (err, path);
      return EXIT_ERROR;
    }
  if (strcmp (o.format, "json") == 0)
    print_json (path, policy, &h);
  else
    print_text (path, policy, &h);
  ret = h.result.n_denied > 0 ? EXIT_DENY : 0;
  hr_hardened_clear (&h);
  return ret;
}
