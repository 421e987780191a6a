/* SPDX-License-Identifier: Apache-2.0 */
/* `hardrun report`: the audit log summarized, the evidence a platform team
 * needs before it turns a rollout (audit mode) into enforcement: per rule,
 * per profile and per container, what was changed, denied, quarantined,
 * and what enforcement would have done (the audited decisions).
 *   hardrun report [--audit-log FILE] [--format text|json|prometheus]
 *                  [--since TIME] [--container ID]
 * The log is the policy's audit_log unless --audit-log names one.
 * --since keeps the records written at or after TIME (RFC 3339, or a
 * duration before now such as 1h); --container keeps one container's, named
 * by its id or, as docker does, a prefix no other container of the log
 * shares.  prometheus is the text exposition format for node_exporter's
 * textfile collector: decision counts per rule, outcome and profile.  Lines
 * that are not audit records are counted, named with their number and why,
 * and skipped, never fatal: a log cut short by a full disk must still be
 * readable, and nothing is hidden from its reader.
 * Exit status: 0, or 2 when the log cannot be read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_read.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "hardrun/util.h"
#include "log.h"
#include "metrics.h"
#include "options.h"
#include "policy_source.h"

#define EXIT_ERROR 2
static const char usage[] = "usage: hardrun [--hardrun-policy FILE] report [--audit-log FILE] [--format "
                            "text|json|prometheus] [--since TIME] [--container ID]";

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

/* A count by three names: (rule, outcome, profile) for the decisions,
 * (command, verdict, profile) for the records. */
struct triple
{
  char *name[3];
  long count;
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

/* Which records are counted: --since and --container. */
struct filter
{
  bool has_since;
  struct timespec since;
  const char *since_text;
  char *container; /* the full id --container named */
  long left_out;   /* records read but not counted */
};

struct report
{
  struct filter filter;
  struct triple *by_rule, *by_record;
  size_t n_by_rule, n_by_record;
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

static void
triple_add (struct triple **list, size_t *n, const char *a, const char *b, const char *c)
{
  const char *names[3] = { a, b, c };

  for (size_t i = 0; i < *n; i++)
    if (strcmp ((*list)[i].name[0], a) == 0 && strcmp ((*list)[i].name[1], b) == 0
        && strcmp ((*list)[i].name[2], c) == 0)
      {
        (*list)[i].count++;
        return;
      }
  *list = xrealloc (*list, (*n + 1) * sizeof **list);
  for (size_t k = 0; k < 3; k++)
    (*list)[*n].name[k] = xstrdup (names[k]);
  (*list)[(*n)++].count = 1;
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
add_decisions (struct report *r, const struct hr_json *decisions, struct record *rec, const char *profile)
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
      triple_add (&r->by_rule, &r->n_by_rule, rule, outcome, profile);
    }
}

/* Whether --since and --container keep the record. */
static bool
wanted (const struct filter *f, const struct hr_json *doc, const char *container)
{
  const char *when = text_of (doc, "time");
  struct timespec t;

  if (f->container && strcmp (container, f->container) != 0)
    return false;
  /* a record without a readable time cannot be shown to be recent */
  if (f->has_since
      && (when == NULL || hr_parse_rfc3339 (when, &t) < 0 || t.tv_sec < f->since.tv_sec
          || (t.tv_sec == f->since.tv_sec && t.tv_nsec < f->since.tv_nsec)))
    return false;
  return true;
}

static bool
add_record (const struct hr_json *doc, size_t line, void *data)
{
  struct report *r = data;
  const char *container = text_of (doc, "container"), *decision = text_of (doc, "decision");
  const char *profile = text_of (doc, "profile"), *image = text_of (doc, "image");
  const char *command = text_of (doc, "command");
  struct record rec = { .line = line, .records = 1 };
  struct tally *p;

  if (container == NULL || decision == NULL)
    return false;
  if (!wanted (&r->filter, doc, container))
    return ++r->filter.left_out, true;
  add_decisions (r, hr_json_get_value (doc, "decisions"), &rec, profile ? profile : "-");
  triple_add (&r->by_record, &r->n_by_record, command && strcmp (command, "exec") == 0 ? "exec" : "create", decision,
              profile ? profile : "-");
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

  /* qsort's array may not be NULL, even empty (every record left out) */
  if (r->n_records > 0)
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
  if (r->filter.has_since || r->filter.container)
    printf ("filter:    %s%s%s%s%s; %ld records left out\n", r->filter.has_since ? "since " : "",
            r->filter.has_since ? r->filter.since_text : "", r->filter.has_since && r->filter.container ? ", " : "",
            r->filter.container ? "container " : "", r->filter.container ? r->filter.container : "",
            r->filter.left_out);
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

static struct hr_json *
filter_json (const struct filter *f)
{
  struct hr_json *o = hr_json_new (HR_JSON_OBJECT);

  if (f->has_since)
    {
      struct tm tm;
      char when[64];

      gmtime_r (&f->since.tv_sec, &tm);
      strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
      hr_json_set (o, "since", hr_json_new_string (f->since_text));
      hr_json_set (o, "since_time", hr_json_new_string (when));
    }
  if (f->container)
    hr_json_set (o, "container", hr_json_new_string (f->container));
  hr_json_set (o, "left_out", hr_json_new_int (f->left_out));
  return o;
}

static void
print_json (const char *path, const struct report *r, size_t n_containers)
{
  cleanup_json struct hr_json *out = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *decisions = hr_json_new (HR_JSON_OBJECT), *rules = hr_json_new (HR_JSON_ARRAY);
  struct hr_json *profiles = hr_json_new (HR_JSON_ARRAY), *containers = hr_json_new (HR_JSON_ARRAY);
  cleanup_free char *text = NULL;

  hr_json_set (out, "audit_log", hr_json_new_string (path));
  if (r->filter.has_since || r->filter.container)
    hr_json_set (out, "filter", filter_json (&r->filter));
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

static int
by_names (const void *a, const void *b)
{
  const struct triple *x = a, *y = b;
  int c = 0;

  for (size_t k = 0; k < 3 && c == 0; k++)
    c = strcmp (x->name[k], y->name[k]);
  return c;
}

/* The samples of one family, sorted so that a textfile changes only where
 * a count does; the third name of each triple is its profile. */
static void
print_samples (const char *family, struct triple *list, size_t n, const char *first, const char *second,
               const char *only_first)
{
  const char *names[] = { first, second, "profile" };

  if (n > 0)
    qsort (list, n, sizeof *list, by_names);
  for (size_t i = 0; i < n; i++)
    {
      const char *values[] = { list[i].name[0], list[i].name[1], list[i].name[2] };
      if (only_first == NULL)
        hr_prom_sample (stdout, family, names, values, 3, list[i].count);
      else if (strcmp (list[i].name[0], only_first) == 0)
        hr_prom_sample (stdout, family, names + 1, values + 1, 2, list[i].count);
    }
}

static void
print_prometheus (const struct report *r)
{
  const struct hr_prom_family_info *f;

  f = &hr_prom_decisions;
  hr_prom_family (stdout, f->name, f->type, f->help);
  print_samples (f->name, r->by_rule, r->n_by_rule, "rule", "outcome", NULL);
  f = &hr_prom_containers;
  hr_prom_family (stdout, f->name, f->type, f->help);
  print_samples (f->name, r->by_record, r->n_by_record, "command", "outcome", "create");
  f = &hr_prom_execs;
  hr_prom_family (stdout, f->name, f->type, f->help);
  print_samples (f->name, r->by_record, r->n_by_record, "command", "outcome", "exec");
  f = &hr_prom_unreadable;
  hr_prom_family (stdout, f->name, f->type, f->help);
  hr_prom_sample (stdout, f->name, NULL, NULL, 0, r->skipped);
}

/* The ids of the log that start with the prefix --container gave. */
struct prefix_search
{
  const char *prefix;
  bool exact;
  struct hr_strv matches; /* distinct, at most MAX_MATCHES + 1 */
};
#define MAX_MATCHES 5

static bool
match_prefix (const struct hr_json *doc, size_t line, void *data)
{
  struct prefix_search *s = data;
  const char *container = text_of (doc, "container");

  (void)line;
  if (container == NULL || strncmp (container, s->prefix, strlen (s->prefix)) != 0)
    return container != NULL && text_of (doc, "decision") != NULL;
  if (strcmp (container, s->prefix) == 0)
    s->exact = true;
  if (s->matches.len <= MAX_MATCHES && !hr_strv_contains (&s->matches, container))
    hr_strv_push (&s->matches, container);
  return true;
}

/* --container: the id itself, or the one id of the log it is a prefix of. */
static char *
resolve_container (const char *path, const char *prefix, hr_error_t *err)
{
  struct prefix_search s = { .prefix = prefix };
  cleanup_free char *list = NULL;
  char *found = NULL;
  long skipped;

  if (prefix[0] == '\0')
    return hr_error_set (err, 0, "--container: empty id"), NULL;
  if (hr_audit_read (path, match_prefix, &s, &skipped, err) < 0)
    return NULL;
  if (s.exact || s.matches.len == 1)
    found = xstrdup (s.exact ? prefix : s.matches.items[0]);
  else if (s.matches.len == 0)
    hr_error_set (err, 0, "--container \"%s\": no container of the audit log %s has this id or prefix", prefix, path);
  else
    {
      for (size_t i = 0; i < s.matches.len && i < MAX_MATCHES; i++)
        {
          char *more;
          xasprintf (&more, "%s%s\"%s\"", list ? list : "", list ? ", " : "", s.matches.items[i]);
          free (list);
          list = more;
        }
      hr_error_set (err, 0, "--container \"%s\" is the prefix of several containers: %s%s", prefix, list,
                    s.matches.len > MAX_MATCHES ? ", ..." : "");
    }
  hr_strv_clear (&s.matches);
  return found;
}

static void
triples_free (struct triple *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < 3; k++)
      free (list[i].name[k]);
  free (list);
}

static void
report_clear (struct report *r, size_t n_records)
{
  triples_free (r->by_rule, r->n_by_rule);
  triples_free (r->by_record, r->n_by_record);
  free (r->filter.container);
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

/* --since and --container into r->filter. */
static int
set_filter (struct report *r, const char *path, const char *since, const char *container, hr_error_t *err)
{
  struct timespec now;

  clock_gettime (CLOCK_REALTIME, &now);
  if (since && hr_parse_since (since, &now, &r->filter.since, err) < 0)
    return -1;
  r->filter.has_since = since != NULL;
  r->filter.since_text = since;
  if (container && (r->filter.container = resolve_container (path, container, err)) == NULL)
    return -1;
  return 0;
}

int
hr_cmd_report (const struct hr_cli *cli, int argc, char **argv)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *log_path = NULL;
  const char *audit_log = NULL, *format = "text", *since = NULL, *container = NULL;
  struct report r = { 0 };
  size_t n_containers;

  for (int i = 0; i < argc; i++)
    if (!hr_take_option (argc, argv, &i, "--audit-log", &audit_log)
        && !hr_take_option (argc, argv, &i, "--format", &format) && !hr_take_option (argc, argv, &i, "--since", &since)
        && !hr_take_option (argc, argv, &i, "--container", &container))
      {
        hr_error_set (&err, 0, "unexpected argument \"%s\"\n%s", argv[i], usage);
        return hr_log_failure (err, "report"), EXIT_ERROR;
      }
  if (strcmp (format, "text") != 0 && strcmp (format, "json") != 0 && strcmp (format, "prometheus") != 0)
    return hr_error_set (&err, 0, "--format must be text, json or prometheus"), hr_log_failure (err, "report"),
           EXIT_ERROR;
  log_path = audit_log ? xstrdup (audit_log) : hr_policy_audit_log (cli);
  if (set_filter (&r, log_path, since, container, &err) < 0
      || hr_audit_read_all (log_path, add_record, add_unreadable, &r, &r.skipped, &err) < 0)
    {
      report_clear (&r, r.n_records);
      return hr_log_failure (err, "report"), EXIT_ERROR;
    }
  n_containers = fold_containers (&r);
  if (strcmp (format, "json") == 0)
    print_json (log_path, &r, n_containers);
  else if (strcmp (format, "prometheus") == 0)
    print_prometheus (&r);
  else
    print_text (log_path, &r, n_containers);
  report_clear (&r, n_containers);
  return 0;
}
