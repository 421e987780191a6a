/* SPDX-License-Identifier: Apache-2.0 */
/* `hardrun check`: what the policy would do to a spec, touching nothing.
 * Exit status: 0 the container would run (as is or hardened), 1 it would be
 * refused, 2 the input or the policy could not be used; with
 * `--fail-on modified`, 3 when it would run only once rewritten.
 *
 * Host facts: with --bundle DIR the spec is taken for one made on this host
 * (online: hook and namespace paths are looked up here); with --config FILE
 * it is taken for a spec from anywhere (offline: host paths are judged by
 * their text, runtime/offline_host.c).  --online and --offline override. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "check_diff.h"
#include "check_report.h"
#include "cli.h"
#include "commands.h"
#include "files.h"
#include "harden.h"
#include "hardrun/util.h"
#include "log.h"
#include "offline_host.h"
#include "options.h"
#include "policy_source.h"

#define EXIT_DENY 1
#define EXIT_ERROR 2
#define EXIT_MODIFIED 3

struct check_options
{
  const char *bundle;
  const char *config;
  const char *format;
  const char *profile;
  const char *id;      /* the container id the engine would give (its files' exceptions) */
  const char *fail_on; /* "denied" (default) or "modified" */
  const char *diff;    /* NULL, "unified" or "json-patch" */
  bool offline;
};

static const char usage[] = "usage: hardrun [--hardrun-policy FILE] check (--bundle DIR | --config FILE) "
                            "[--profile NAME] [--format text|json|sarif|junit] [--id ID] [--offline|--online] "
                            "[--fail-on denied|modified] "
                            "[--diff[=unified|json-patch]]";

static int
parse_options (int argc, char **argv, struct check_options *o, hr_error_t *err)
{
  int online = -1;

  o->format = "text";
  o->fail_on = "denied";
  for (int i = 0; i < argc; i++)
    {
      if (strcmp (argv[i], "--offline") == 0 || strcmp (argv[i], "--online") == 0)
        {
          online = strcmp (argv[i], "--online") == 0;
          continue;
        }
      if (strcmp (argv[i], "--diff") == 0 || strncmp (argv[i], "--diff=", 7) == 0)
        {
          o->diff = argv[i][6] ? argv[i] + 7 : "unified";
          continue;
        }
      if (hr_take_option (argc, argv, &i, "--bundle", &o->bundle) || hr_take_option (argc, argv, &i, "-b", &o->bundle)
          || hr_take_option (argc, argv, &i, "--config", &o->config)
          || hr_take_option (argc, argv, &i, "--format", &o->format)
          || hr_take_option (argc, argv, &i, "--profile", &o->profile)
          || hr_take_option (argc, argv, &i, "--id", &o->id)
          || hr_take_option (argc, argv, &i, "--fail-on", &o->fail_on))
        continue;
      return hr_error_set (err, 0, "unexpected argument \"%s\"\n%s", argv[i], usage);
    }
  if ((o->bundle == NULL) == (o->config == NULL))
    return hr_error_set (err, 0, "give exactly one of --bundle and --config\n%s", usage);
  if (strcmp (o->format, "text") != 0 && strcmp (o->format, "json") != 0 && strcmp (o->format, "sarif") != 0
      && strcmp (o->format, "junit") != 0)
    return hr_error_set (err, 0, "--format must be text, json, sarif or junit");
  if (strcmp (o->fail_on, "denied") != 0 && strcmp (o->fail_on, "modified") != 0)
    return hr_error_set (err, 0, "--fail-on must be denied or modified");
  if (o->diff && strcmp (o->diff, "unified") != 0 && strcmp (o->diff, "json-patch") != 0)
    return hr_error_set (err, 0, "--diff must be unified or json-patch");
  /* a spec file outside a bundle is taken for one captured elsewhere */
  o->offline = online < 0 ? o->config != NULL : online == 0;
  return 0;
}

static size_t
count_undecided (const struct hr_result *result)
{
  size_t n = 0;

  for (size_t i = 0; i < result->len; i++)
    n += strcmp (hr_check_outcome (&result->items[i]), "undecided") == 0;
  return n;
}

static const char *
host_mode (bool offline)
{
  return offline ? "offline (host paths judged by their text, not looked up on this machine)"
                 : "online (host paths looked up on this machine)";
}

/* Item i refuses, and is the last refusal of its rule in a row: where the
 * rule's fix is said, once. */
static bool
ends_refusals_of_rule (const struct hr_result *result, size_t i)
{
  const struct hr_decision *d = &result->items[i], *next = i + 1 < result->len ? &result->items[i + 1] : NULL;

  if (d->outcome != HR_OUTCOME_DENIED && d->outcome != HR_OUTCOME_QUARANTINED)
    return false;
  return next == NULL || next->outcome != d->outcome || strcmp (next->rule, d->rule) != 0;
}

static void
print_fix (const char *rule)
{
  const struct hr_rule_meta *m = hr_rule_meta_find (rule);

  if (m != NULL)
    printf ("            fix: %s (hardrun explain %s)\n", m->fix, m->name);
}

static void
print_text (const char *path, const struct hr_policy *policy, const struct hr_hardened *h, bool offline)
{
  printf ("spec:     %s\n", path);
  printf ("host:     %s\n", host_mode (offline));
  printf ("policy:   %s\n", policy->source);
  printf ("profile:  %s%s\n", h->profile->name, h->audit_mode ? " (audit mode: nothing is enforced)" : "");
  printf ("decision: %s (%zu changed, %zu denied, %zu undecided offline)\n", hr_result_verdict (&h->result),
          h->result.n_changed, h->result.n_denied - count_undecided (&h->result), count_undecided (&h->result));
  for (size_t i = 0; i < h->result.len; i++)
    {
      const struct hr_decision *d = &h->result.items[i];
      printf ("  %-9s %s: %s\n", hr_check_outcome (d), d->rule, d->message);
      if (ends_refusals_of_rule (&h->result, i))
        print_fix (d->rule);
    }
}

static struct hr_json *
decisions_json (const struct hr_result *result)
{
  struct hr_json *list = hr_result_to_json (result);

  for (size_t i = 0; i < result->len && i < list->len; i++)
    {
      hr_json_set (list->items[i], "outcome", hr_json_new_string (hr_check_outcome (&result->items[i])));
      hr_check_decision_meta (list->items[i], result->items[i].rule);
    }
  return list;
}

static void
print_json (const char *path, const struct hr_policy *policy, const struct hr_hardened *h, bool offline)
{
  cleanup_json struct hr_json *report = hr_json_new (HR_JSON_OBJECT);
  cleanup_free char *text = NULL;

  hr_json_set (report, "spec_file", hr_json_new_string (path));
  hr_json_set (report, "policy", hr_json_new_string (policy->source));
  hr_json_set (report, "profile", hr_json_new_string (h->profile->name));
  hr_json_set (report, "audit_mode", hr_json_new_bool (h->audit_mode));
  hr_json_set (report, "decision", hr_json_new_string (hr_result_verdict (&h->result)));
  hr_json_set (report, "offline", hr_json_new_bool (offline));
  hr_json_set (report, "decisions", decisions_json (&h->result));
  hr_json_set (report, "spec", hr_json_clone (h->doc));
  text = hr_json_serialize_pretty (report);
  fputs (text, stdout);
}

static void
print_sarif (const char *path, const struct hr_hardened *h)
{
  cleanup_json struct hr_json *log = hr_check_sarif (&h->result, path);
  cleanup_free char *out = hr_json_serialize_pretty (log);

  fputs (out, stdout);
}

/* --diff: the rewrite alone, from the spec as runc reads it. */
static int
print_diff (const char *mode, const char *text, size_t len, const struct hr_hardened *h, hr_error_t *err)
{
  cleanup_json struct hr_json *before = hr_spec_parse_go (text, len, err);
  cleanup_json struct hr_json *patch = NULL;
  cleanup_free char *out = NULL;

  if (before == NULL)
    return -1;
  if (strcmp (mode, "unified") == 0)
    {
      hr_check_unified_diff (before, h->doc, "config.json", stdout);
      return 0;
    }
  patch = hr_check_json_patch (before, h->doc);
  out = hr_json_serialize_pretty (patch);
  fputs (out, stdout);
  return 0;
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
      || hr_harden_spec_adjusted (policy, &cli, text, len, o.bundle ? o.bundle : dir, false,
                                  o.offline ? hr_offline_host_adjust : NULL, NULL, &h, &err)
             < 0)
    {
      hr_hardened_clear (&h);
      hr_log_failure (err, path);
      return EXIT_ERROR;
    }
  if (o.diff)
    {
      if (print_diff (o.diff, text, len, &h, &err) < 0)
        {
          hr_hardened_clear (&h);
          hr_log_failure (err, path);
          return EXIT_ERROR;
        }
    }
  else if (strcmp (o.format, "sarif") == 0)
    print_sarif (path, &h);
  else if (strcmp (o.format, "junit") == 0)
    hr_check_junit (&h.result, path, stdout);
  else if (strcmp (o.format, "json") == 0)
    print_json (path, policy, &h, o.offline);
  else
    print_text (path, policy, &h, o.offline);
  ret = h.result.n_denied > 0 ? EXIT_DENY : 0;
  if (ret == 0 && strcmp (o.fail_on, "modified") == 0 && strcmp (hr_result_verdict (&h.result), "allow") != 0)
    ret = EXIT_MODIFIED;
  hr_hardened_clear (&h);
  return ret;
}
