/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun doctor: runs the checks of doctor_*.c, prints them for people
 * (text), machines (json) or CI systems (junit), records the host's state
 * (--save) and compares the host with a recorded state (--baseline), and
 * applies the fixes that are safe to apply (--fix: sysctls, through a
 * drop-in under /etc/sysctl.d so that they survive a reboot).
 * Exit status: 0 nothing at or above --fail-on failed and nothing drifted,
 * 1 otherwise, 2 doctor itself could not run. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "doctor.h"
#include "files.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "log.h"
#include "options.h"
#include "xml_text.h"

#define EXIT_FAILED 1
#define EXIT_ERROR 2
#define SYSCTL_DROPIN "/etc/sysctl.d/90-hardrun.conf"

static const char usage[] = "usage: hardrun doctor [--format text|json|junit] [--fail-on SEVERITY] [--save FILE] "
                            "[--baseline FILE] [--fix]";

struct doctor_options
{
  const char *format;
  const char *fail_on;
  const char *save;
  const char *baseline;
  bool fix;
};

static int
parse_options (int argc, char **argv, struct doctor_options *o, hr_error_t *err)
{
  enum hr_doctor_severity ignored;

  o->format = "text";
  o->fail_on = "high";
  for (int i = 0; i < argc; i++)
    {
      if (hr_take_option (argc, argv, &i, "--format", &o->format)
          || hr_take_option (argc, argv, &i, "--fail-on", &o->fail_on)
          || hr_take_option (argc, argv, &i, "--save", &o->save)
          || hr_take_option (argc, argv, &i, "--baseline", &o->baseline))
        continue;
      if (strcmp (argv[i], "--fix") == 0)
        o->fix = true;
      else
        return hr_error_set (err, 0, "unexpected argument \"%s\"\n%s", argv[i], usage);
    }
  if (strcmp (o->format, "text") != 0 && strcmp (o->format, "json") != 0 && strcmp (o->format, "junit") != 0)
    return hr_error_set (err, 0, "--format must be text, json or junit");
  if (hr_doctor_severity_parse (o->fail_on, &ignored) < 0)
    return hr_error_set (err, 0, "--fail-on must be info, low, medium, high or critical");
  return 0;
}

static const char *
status_name (enum hr_doctor_status s)
{
  return s == HR_DOCTOR_PASS ? "pass" : s == HR_DOCTOR_FAIL ? "fail" : "skip";
}

/* ---------------------------------------------------------------------
 * baseline: { "version": 1, "observed": { ID: FOUND, ... } } */

static struct hr_json *
observed_state (const struct hr_doctor_report *r)
{
  struct hr_json *doc = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *observed = hr_json_new (HR_JSON_OBJECT);

  for (size_t i = 0; i < r->len; i++)
    hr_json_set (observed, r->items[i].id, hr_json_new_string (r->items[i].found));
  hr_json_set (doc, "version", hr_json_new_int (1));
  hr_json_set (doc, "observed", observed);
  return doc;
}

/* Writes text to path through a new temporary file and a rename: never
 * through a symlink an attacker placed, never half written. */
static int
write_new_file (const char *path, const char *text, hr_error_t *err)
{
  cleanup_free char *tmp = NULL;
  size_t len = strlen (text);
  int fd;

  xasprintf (&tmp, "%s.hardrun-%ld", path, (long)getpid ());
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return hr_error_set (err, errno, "cannot create %s", tmp);
  if (write (fd, text, len) != (ssize_t)len || fsync (fd) < 0 || close (fd) < 0)
    return unlink (tmp), hr_error_set (err, errno, "cannot write %s", tmp);
  if (rename (tmp, path) < 0)
    return unlink (tmp), hr_error_set (err, errno, "cannot write %s", path);
  return 0;
}

static int
save_state (const struct hr_doctor_report *r, const char *path, hr_error_t *err)
{
  cleanup_json struct hr_json *doc = observed_state (r);
  cleanup_free char *text = hr_json_serialize_pretty (doc);

  return write_new_file (path, text, err);
}

/* Every difference between the recorded and the observed values; returns
 * their number, or -1 when the baseline cannot be read. */
static long
print_drift (const struct hr_doctor_report *r, const char *path, hr_error_t *err)
{
  cleanup_free char *text = NULL;
  cleanup_json struct hr_json *doc = NULL;
  const struct hr_json *observed;
  size_t len;
  long drift = 0;

  if (hr_read_small_file (path, 16u << 20, &text, &len, err) < 0 || (doc = hr_json_parse (text, len, err)) == NULL)
    return hr_error_prefix (err, "cannot read the baseline %s", path);
  observed = hr_json_get_value (doc, "observed");
  if (observed == NULL || observed->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "the baseline %s has no \"observed\" object", path);
  for (size_t i = 0; i < r->len; i++)
    {
      const struct hr_json *was = hr_json_get_value (observed, r->items[i].id);
      const char *before = hr_json_is_string (was) ? was->text : "(not recorded)";
      if (strcmp (before, r->items[i].found) != 0)
        printf ("drift %s: baseline \"%s\", now \"%s\"\n", r->items[i].id, before, r->items[i].found), drift++;
    }
  for (size_t i = 0; i < observed->len; i++)
    {
      bool seen = false;
      for (size_t j = 0; j < r->len && !seen; j++)
        seen = strcmp (observed->members[i].key, r->items[j].id) == 0;
      if (!seen)
        printf ("drift %s: baseline recorded it, this host has no such check now\n", observed->members[i].key), drift++;
    }
  return drift;
}

/* ---------------------------------------------------------------------
 * --fix: sysctls */

static int
set_sysctl (const char *name, const char *value)
{
  cleanup_free char *path = NULL;
  int fd, ret;

  xasprintf (&path, "/proc/sys/%s", name);
  for (char *p = path + strlen ("/proc/sys/"); *p; p++)
    if (*p == '.')
      *p = '/';
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ret = write (fd, value, strlen (value)) == (ssize_t)strlen (value) ? 0 : -1;
  close (fd);
  return ret;
}

/* The drop-in with the line for name set to value (replaced or added). */
static char *
dropin_with (const char *current, const char *name, const char *value)
{
  cleanup_free char *copy = xstrdup (current ? current : "# written by hardrun doctor --fix\n");
  char *out = xstrdup (""), *save = NULL, *next;
  size_t nlen = strlen (name);

  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (!(strncmp (line, name, nlen) == 0 && (line[nlen] == ' ' || line[nlen] == '=')))
      {
        xasprintf (&next, "%s%s\n", out, line);
        free (out);
        out = next;
      }
  xasprintf (&next, "%s%s = %s\n", out, name, value);
  free (out);
  return next;
}

static int
apply_fixes (const struct hr_doctor_report *r, hr_error_t *err)
{
  for (size_t i = 0; i < r->len; i++)
    {
      const struct hr_doctor_finding *f = &r->items[i];
      cleanup_free char *current = NULL, *updated = NULL;

      if (f->status != HR_DOCTOR_FAIL || f->sysctl == NULL)
        continue;
      if (set_sysctl (f->sysctl, f->sysctl_value) < 0)
        return hr_error_set (err, errno, "cannot set %s", f->sysctl);
      current = hr_doctor_read (SYSCTL_DROPIN);
      updated = dropin_with (current, f->sysctl, f->sysctl_value);
      if (write_new_file (SYSCTL_DROPIN, updated, err) < 0)
        return -1;
      printf ("fixed %s: %s = %s (now and in " SYSCTL_DROPIN ")\n", f->id, f->sysctl, f->sysctl_value);
    }
  for (size_t i = 0; i < r->len; i++)
    if (r->items[i].status == HR_DOCTOR_FAIL && r->items[i].repair != NULL
        && r->items[i].repair (&r->items[i], err) < 0)
      return -1;
  for (size_t i = 0; i < r->len; i++)
    if (r->items[i].status == HR_DOCTOR_FAIL && r->items[i].sysctl == NULL && r->items[i].repair == NULL)
      printf ("not fixed %s (do it by hand): %s\n", r->items[i].id, r->items[i].fix);
  return 0;
}

/* ---------------------------------------------------------------------
 * output */

static void
print_text (const struct hr_doctor_report *r, size_t failed, size_t serious)
{
  size_t passed = 0, skipped = 0;

  for (size_t i = 0; i < r->len; i++)
    {
      const struct hr_doctor_finding *f = &r->items[i];
      passed += f->status == HR_DOCTOR_PASS;
      skipped += f->status == HR_DOCTOR_SKIP;
      if (f->status != HR_DOCTOR_FAIL)
        continue;
      printf ("FAIL %-8s %s%s%s%s: %s\n", hr_doctor_severity_name (f->severity), f->id, f->cis ? " (CIS " : "",
              f->cis ? f->cis : "", f->cis ? ")" : "", f->title);
      printf ("     found: %s; expected: %s\n     fix: %s\n", f->found, f->expected, f->fix);
    }
  printf ("doctor: %zu checks, %zu passed, %zu failed (%zu at or above the --fail-on severity), %zu skipped\n", r->len,
          passed, failed, serious, skipped);
}

static struct hr_json *
finding_json (const struct hr_doctor_finding *f)
{
  struct hr_json *o = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (o, "id", hr_json_new_string (f->id));
  hr_json_set (o, "group", hr_json_new_string (f->group));
  hr_json_set (o, "severity", hr_json_new_string (hr_doctor_severity_name (f->severity)));
  hr_json_set (o, "status", hr_json_new_string (status_name (f->status)));
  hr_json_set (o, "title", hr_json_new_string (f->title));
  hr_json_set (o, "found", hr_json_new_string (f->found));
  hr_json_set (o, "expected", hr_json_new_string (f->expected));
  hr_json_set (o, "fix", hr_json_new_string (f->fix));
  if (f->cis)
    hr_json_set (o, "cis", hr_json_new_string (f->cis));
  return o;
}

static void
print_json (const struct hr_doctor_report *r, size_t failed, size_t serious)
{
  cleanup_json struct hr_json *doc = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *checks = hr_json_new (HR_JSON_ARRAY);
  cleanup_free char *text = NULL;

  for (size_t i = 0; i < r->len; i++)
    hr_json_append (checks, finding_json (&r->items[i]));
  hr_json_set (doc, "hardrun_version", hr_json_new_string (HARDRUN_VERSION));
  hr_json_set (doc, "checks", checks);
  hr_json_set (doc, "failed", hr_json_new_int ((int64_t)failed));
  hr_json_set (doc, "failed_at_or_above_fail_on", hr_json_new_int ((int64_t)serious));
  text = hr_json_serialize_pretty (doc);
  printf ("%s\n", text);
}

static void
print_junit (const struct hr_doctor_report *r, size_t failed)
{
  size_t skipped = 0;

  for (size_t i = 0; i < r->len; i++)
    skipped += r->items[i].status == HR_DOCTOR_SKIP;
  printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  printf ("<testsuite name=\"hardrun doctor\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n", r->len, failed,
          skipped);
  for (size_t i = 0; i < r->len; i++)
    {
      const struct hr_doctor_finding *f = &r->items[i];
      printf ("  <testcase classname=\"%s\" name=\"%s\">", f->group, f->id);
      if (f->status == HR_DOCTOR_SKIP)
        printf ("<skipped/>");
      if (f->status == HR_DOCTOR_FAIL)
        {
          printf ("<failure type=\"%s\" message=\"", hr_doctor_severity_name (f->severity));
          hr_xml_text (f->title, stdout);
          printf ("\">found: ");
          hr_xml_text (f->found, stdout);
          printf ("\nexpected: ");
          hr_xml_text (f->expected, stdout);
          printf ("\nfix: ");
          hr_xml_text (f->fix, stdout);
          printf ("</failure>");
        }
      printf ("</testcase>\n");
    }
  printf ("</testsuite>\n");
}

static void
run_checks (struct hr_doctor_report *r, const struct hr_cli *cli)
{
  hr_doctor_kernel (r);
  hr_doctor_runtime (r, cli);
  hr_doctor_state (r);
  hr_doctor_engines (r);
  hr_doctor_containers (r, cli);
}

int
hr_cmd_doctor (const struct hr_cli *cli, int argc, char **argv)
{
  struct doctor_options o = { 0 };
  struct hr_doctor_report r = { 0 };
  enum hr_doctor_severity fail_on = HR_SEVERITY_HIGH;
  cleanup_error hr_error_t err = NULL;
  size_t failed = 0, serious = 0;
  long drift = 0;
  int ret = EXIT_ERROR;

  if (parse_options (argc, argv, &o, &err) < 0)
    return hr_log_failure (err, "doctor"), EXIT_ERROR;
  hr_doctor_severity_parse (o.fail_on, &fail_on);
  run_checks (&r, cli);
  for (size_t i = 0; i < r.len; i++)
    if (r.items[i].status == HR_DOCTOR_FAIL)
      failed++, serious += r.items[i].severity >= fail_on;
  if (strcmp (o.format, "json") == 0)
    print_json (&r, failed, serious);
  else if (strcmp (o.format, "junit") == 0)
    print_junit (&r, failed);
  else
    print_text (&r, failed, serious);
  if ((o.save && save_state (&r, o.save, &err) < 0) || (o.baseline && (drift = print_drift (&r, o.baseline, &err)) < 0)
      || (o.fix && apply_fixes (&r, &err) < 0))
    {
      hr_log_failure (err, "doctor");
      goto out;
    }
  ret = serious || drift ? EXIT_FAILED : 0;
out:
  hr_doctor_report_clear (&r);
  return ret;
}
