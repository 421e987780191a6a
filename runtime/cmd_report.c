/* SPDX-License-Identifier: Apache-2.0 */
/* `hardrun report`: the audit log summarized, the evidence a platform team
 * needs before it turns a rollout (audit mode) into enforcement: per rule,
 * per profile and per container, what was changed, denied, quarantined,
 * and what enforcement would have done (the audited decisions).
 *   hardrun report [--audit-log FILE] [--format text|json]
 * The log is the policy's audit_log unless --audit-log names one.  Lines
 * that are not audit records are counted, named with their number and why,
 * and skipped, never fatal: a log cut short by a full disk must still be
 * readable, and nothing is hidden from its reader.
 * Exit status: 0, or 2 when the log cannot be read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_read.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "hardrun/util.h"
#include "log.h"
#include "options.h"
#include "policy_source.h"

#define EXIT_ERROR 2
static const char usage[] = "usage: hardrun [--hardrun-policy FILE] report [--audit-log FILE] [--format text|json]";

/* What one audit record says, kept for the per-container table. */
struct record
{
  size_t line;    /* order in the log: the last record of a container wins */
  size_t records; /* after folding: how many records the container had */
  char *container, *image, *profile, *decision;
  long changed, denied, audited, quarantined;
};

/* One row of the per-rule or per-profile table. */
struct tally
{
  char *name;
  long records, allow, modify, deny, quarantine;
  long changed, denied, audited, quarantined;
};

/* The lines that could not be read, the first MAX_UNREADABLE of them
 * named (all are counted in skipped). */
#define MAX_UNREADABLE 100
struct unreadable
{
  size_t line;
  char *why;
};

/* Where the image column comes from: the spec's annotations, which
 * whoever runs a container sets (podman --annotation, a pod's
 * annotations): a claim, not what ran. */
static const char image_note[]
    = "image: as the spec's annotations name it (io.kubernetes.cri.image-name, org.opencontainers.image.ref.name, "
      "org.opencontainers.image.base.name); whoever runs a container can set these: what the caller claims, "
      "not verified";
#define IMAGE_SOURCE "annotation (set by the caller, not verified)"

struct report
{
  struct unreadable unreadable[MAX_UNREADABLE];
  size_t n_unreadable;
  struct record *records;
  size_t n_records, cap_records;
  struct tally *rules, *profiles;
  size_t n_rules, n_profiles;
  long skipped, allow, modify, deny, quarantine;
};

static struct tally *
tally_for (struct tally **list, size_t *n, const char *name)
{
  for (size_t i = 0; i < *n; i++)
    if (strcmp ((*list)[i].name, name) == 0)
      return &(*list)[i];
  *list = xrealloc (*list, (*n + 1) * sizeof **list);
  memset (&(*list)[*n], 0, sizeof **list);
  (*list)[*n].name = xstrdup (name);
  return &(*list)[(*n)++];
}

static const char *
text_of (const struct hr_json *obj, const char *key)
{
  const struct hr_json *v = hr_json_get_value (obj, key);
  return hr_json_is_string (v) ? v->text : NULL;
}

/* The counters of the four verdicts, in this order. */
static const char *const verdicts[] = { "allow", "modify", "deny", "quarantine" };

static void
count_decision (long *counters[4], const char *decision)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (verdicts); i++)
    if (strcmp (decision, verdicts[i]) == 0)
      ++*counters[i];
}

/* The decisions of one record, into the rule table and the record's counts. */
static void
add_decisions (struct report *r, const struct hr_json *decisions, struct record *rec)
{
  for (size_t i = 0; decisions && decisions->type == HR_JSON_ARRAY && i < decisions->len; i++)
    {
      const char *rule = text_of (decisions->items[i], "rule"), *outcome = text_of (decisions->items[i], "outcome");
      struct tally *t;
      long *rule_count, *rec_count;

      if (rule == NULL || outcome == NULL)
        continue;
      t = tally_for (&r->rules, &r->n_rules, rule);
      if (strcmp (outcome, "changed") == 0)
        rule_count = &t->changed, rec_count = &rec->changed;
      else if (strcmp (outcome, "denied") == 0)
        rule_count = &t->denied, rec_count = &rec->denied;
      else if (strcmp (outcome, "audited") == 0)
        rule_count = &t->audited, rec_count = &rec->audited;
      else if (strcmp (outcome, "quarantined") == 0)
        rule_count = &t->quarantined, rec_count = &rec->quarantined;
      else
        continue;
      ++*rule_count;
      ++*rec_count;
    }
}

static bool
add_record (const struct hr_json *doc, size_t line, void *data)
{
  struct report *r = data;
  const char *container = text_of (doc, "container"), *decision = text_of (doc, "decision");
  const char *profile = text_of (doc, "profile"), *image = text_of (doc, "image");
  struct record rec = { .line = line, .records = 1 };
  struct tally *p;

  if (container == NULL || decision == NULL)
    return false;
  add_decisions (r, hr_json_get_value (doc, "decisions"), &rec);
  count_decision ((long *[]){ &r->allow, &r->modify, &r->deny, &r->quarantine }, decision);
  p = tally_for (&r->profiles, &r->n_profiles, profile ? profile : "-");
  p->records++;
  count_decision ((long *[]){ &p->allow, &p->modify, &p->deny, &p->quarantine }, decision);
  p->changed += rec.changed;
  p->denied += rec.denied;
  p->audited += rec.audited;
  p->quarantined += rec.quarantined;
  rec.container = xstrdup (container);
  rec.image = xstrdup (image ? image : "-");
  rec.profile = xstrdup (profile ? profile : "-");
  rec.decision = xstrdup (decision);
  if (r->n_records == r->cap_records)
    {
      r->cap_records = r->cap_records ? 2 * r->cap_records : 64;
      r->records = xrealloc (r->records, r->cap_records * sizeof *r->records);
    }
  r->records[r->n_records++] = rec;
  return true;
}

static void
add_unreadable (size_t line, const char *why, void *data)
{
  struct report *r = data;

  if (r->n_unreadable < MAX_UNREADABLE)
    r->unreadable[r->n_unreadable++] = (struct unreadable){ line, xstrdup (why) };
}

/* Per container: its records in log order, the last one's decision. */
static int
by_container_then_line (const void *a, const void *b)
{
  const struct record *x = a, *y = b;
  int c = strcmp (x->container, y->container);
  return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void
record_free (struct record *rec)
{
  free (rec->container);
  free (rec->image);
  free (rec->profile);
  free (rec->decision);
}

/* Folds each container's records into one row: the last record's profile
 * and decision, the last image named, the counts and records summed.  The
 * rows are r->records[0 .. returned). */
static size_t
fold_containers (struct report *r)
{
  size_t out = 0;

  qsort (r->records, r->n_records, sizeof *r->records, by_container_then_line);
  for (size_t i = 0; i < r->n_records; i++)
    {
      struct record rec = r->records[i], *prev = out ? &r->records[out - 1] : NULL;

      if (prev == NULL || strcmp (prev->container, rec.container) != 0)
        {
          r->records[out++] = rec;
          continue;
        }
      rec.records += prev->records;
      rec.changed += prev->changed;
      rec.denied += prev->denied;
      rec.audited += prev->audited;
      rec.quarantined += prev->quarantined;
      if (strcmp (rec.image, "-") == 0)
        {
          /* an exec's record names no image: the create's did */
          char *image = rec.image;
          rec.image = prev->image;
          prev->image = image;
        }
      record_free (prev);
      *prev = rec;
    }
  return out;
}

static void
print_tally_text (const char *title, const char *column, const struct tally *t, size_t n, bool with_decisions)
{
  printf ("\n%s\n", title);
  if (with_decisions)
    printf ("  %-20s %8s %8s %8s %8s %10s %8s %8s %8s %11s\n", column, "records", "allow", "modify", "deny",
            "quarantine", "changed", "denied", "audited", "quarantined");
  else
    printf ("  %-20s %8s %8s %8s %11s\n", column, "changed", "denied", "audited", "quarantined");
  for (size_t i = 0; i < n; i++)
    if (with_decisions)
      printf ("  %-20s %8ld %8ld %8ld %8ld %10ld %8ld %8ld %8ld %11ld\n", t[i].name, t[i].records, t[i].allow,
              t[i].modify, t[i].deny, t[i].quarantine, t[i].changed, t[i].denied, t[i].audited, t[i].quarantined);
    else
      printf ("  %-20s %8ld %8ld %8ld %11ld\n", t[i].name, t[i].changed, t[i].denied, t[i].audited, t[i].quarantined);
}

static void
print_text (const char *path, const struct report *r, size_t n_containers)
{
  printf ("audit log: %s\n", path);
  printf ("records:   %zu (allow %ld, modify %ld, deny %ld, quarantine %ld)%s", r->n_records, r->allow, r->modify,
          r->deny, r->quarantine, r->skipped ? "" : "\n");
  if (r->skipped)
    printf ("; %ld lines skipped (unreadable, listed below)\n", r->skipped);
  for (size_t i = 0; i < r->n_unreadable; i++)
    printf ("unreadable line %zu: %s\n", r->unreadable[i].line, r->unreadable[i].why);
  if ((size_t)r->skipped > r->n_unreadable)
    printf ("unreadable lines after the first %d are not listed\n", MAX_UNREADABLE);
  printf ("audited decisions are what enforcement would change or refuse\n");
  print_tally_text ("per rule", "rule", r->rules, r->n_rules, false);
  print_tally_text ("per profile", "profile", r->profiles, r->n_profiles, true);
  printf ("\n%s\n", image_note);
  printf ("\nper container\n  %-14s %-32s %-10s %7s %-10s %8s %8s %8s %11s\n", "container", "image", "profile",
          "records", "last", "changed", "denied", "audited", "quarantined");
  for (size_t i = 0; i < n_containers; i++)
    {
      const struct record *c = &r->records[i];
      printf ("  %-14.12s %-32s %-10s %7zu %-10s %8ld %8ld %8ld %11ld\n", c->container, c->image, c->profile,
              c->records, c->decision, c->changed, c->denied, c->audited, c->quarantined);
    }
}

static struct hr_json *
tally_json (const struct tally *t, const char *key, bool with_decisions)
{
  struct hr_json *o = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (o, key, hr_json_new_string (t->name));
  if (with_decisions)
    {
      hr_json_set (o, "records", hr_json_new_int (t->records));
      hr_json_set (o, "allow", hr_json_new_int (t->allow));
      hr_json_set (o, "modify", hr_json_new_int (t->modify));
      hr_json_set (o, "deny", hr_json_new_int (t->deny));
      hr_json_set (o, "quarantine", hr_json_new_int (t->quarantine));
    }
  hr_json_set (o, "changed", hr_json_new_int (t->changed));
  hr_json_set (o, "denied", hr_json_new_int (t->denied));
  hr_json_set (o, "audited", hr_json_new_int (t->audited));
  hr_json_set (o, "quarantined", hr_json_new_int (t->quarantined));
  return o;
}

static struct hr_json *
unreadable_json (const struct report *r)
{
  struct hr_json *list = hr_json_new (HR_JSON_ARRAY);

  for (size_t i = 0; i < r->n_unreadable; i++)
    {
      struct hr_json *o = hr_json_new (HR_JSON_OBJECT);
      hr_json_set (o, "line", hr_json_new_int ((int64_t)r->unreadable[i].line));
      hr_json_set (o, "why", hr_json_new_string (r->unreadable[i].why));
      hr_json_append (list, o);
    }
  return list;
}

static void
print_json (const char *path, const struct report *r, size_t n_containers)
{
  cleanup_json struct hr_json *out = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *decisions = hr_json_new (HR_JSON_OBJECT), *rules = hr_json_new (HR_JSON_ARRAY);
  struct hr_json *profiles = hr_json_new (HR_JSON_ARRAY), *containers = hr_json_new (HR_JSON_ARRAY);
  cleanup_free char *text = NULL;

  hr_json_set (out, "audit_log", hr_json_new_string (path));
  hr_json_set (out, "records", hr_json_new_int ((long)r->n_records));
  hr_json_set (out, "skipped_lines", hr_json_new_int (r->skipped));
  hr_json_set (out, "unreadable_lines", unreadable_json (r));
  hr_json_set (out, "image_note", hr_json_new_string (image_note));
  hr_json_set (decisions, "allow", hr_json_new_int (r->allow));
  hr_json_set (decisions, "modify", hr_json_new_int (r->modify));
  hr_json_set (decisions, "deny", hr_json_new_int (r->deny));
  hr_json_set (decisions, "quarantine", hr_json_new_int (r->quarantine));
  hr_json_set (out, "decisions", decisions);
  for (size_t i = 0; i < r->n_rules; i++)
    hr_json_append (rules, tally_json (&r->rules[i], "rule", false));
  for (size_t i = 0; i < r->n_profiles; i++)
    hr_json_append (profiles, tally_json (&r->profiles[i], "profile", true));
  for (size_t i = 0; i < n_containers; i++)
    {
      const struct record *c = &r->records[i];
      struct hr_json *o = hr_json_new (HR_JSON_OBJECT);
      hr_json_set (o, "container", hr_json_new_string (c->container));
      hr_json_set (o, "image", hr_json_new_string (c->image));
      if (strcmp (c->image, "-") != 0)
        hr_json_set (o, "image_source", hr_json_new_string (IMAGE_SOURCE));
      hr_json_set (o, "profile", hr_json_new_string (c->profile));
      hr_json_set (o, "records", hr_json_new_int ((long)c->records));
      hr_json_set (o, "last_decision", hr_json_new_string (c->decision));
      hr_json_set (o, "changed", hr_json_new_int (c->changed));
      hr_json_set (o, "denied", hr_json_new_int (c->denied));
      hr_json_set (o, "audited", hr_json_new_int (c->audited));
      hr_json_set (o, "quarantined", hr_json_new_int (c->quarantined));
      hr_json_append (containers, o);
    }
  hr_json_set (out, "rules", rules);
  hr_json_set (out, "profiles", profiles);
  hr_json_set (out, "containers", containers);
  text = hr_json_serialize_pretty (out);
  fputs (text, stdout);
}

static void
report_clear (struct report *r, size_t n_records)
{
  for (size_t i = 0; i < n_records; i++)
    record_free (&r->records[i]);
  for (size_t i = 0; i < r->n_rules; i++)
    free (r->rules[i].name);
  for (size_t i = 0; i < r->n_profiles; i++)
    free (r->profiles[i].name);
  for (size_t i = 0; i < r->n_unreadable; i++)
    free (r->unreadable[i].why);
  free (r->records), free (r->rules), free (r->profiles);
}

int
hr_cmd_report (const struct hr_cli *cli, int argc, char **argv)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *log_path = NULL;
  const char *audit_log = NULL, *format = "text";
  struct report r = { 0 };
  size_t n_containers;

  for (int i = 0; i < argc; i++)
    if (!hr_take_option (argc, argv, &i, "--audit-log", &audit_log)
        && !hr_take_option (argc, argv, &i, "--format", &format))
      {
        hr_error_set (&err, 0, "unexpected argument \"%s\"\n%s", argv[i], usage);
        return hr_log_failure (err, "report"), EXIT_ERROR;
      }
  if (strcmp (format, "text") != 0 && strcmp (format, "json") != 0)
    return hr_error_set (&err, 0, "--format must be text or json"), hr_log_failure (err, "report"), EXIT_ERROR;
  log_path = audit_log ? xstrdup (audit_log) : hr_policy_audit_log (cli);
  if (hr_audit_read_all (log_path, add_record, add_unreadable, &r, &r.skipped, &err) < 0)
    return hr_log_failure (err, "report"), EXIT_ERROR;
  n_containers = fold_containers (&r);
  if (strcmp (format, "json") == 0)
    print_json (log_path, &r, n_containers);
  else
    print_text (log_path, &r, n_containers);
  report_clear (&r, n_containers);
  return 0;
}
