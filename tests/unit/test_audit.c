/* SPDX-License-Identifier: Apache-2.0 */
/* The audit trail and the container records, without containers: every
 * audit line is JSON whatever the bytes and bounded whatever the size; the
 * reader names each line it cannot read; a record is found again only for
 * the container it names. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "audit_read.h"
#include "cli.h"
#include "container_record.h"
#include "hardrun/util.h"

static char *
temp_path (void)
{
  char tmpl[] = "/tmp/hardrun-audit-XXXXXX";
  int fd = mkstemp (tmpl);

  cr_assert_geq (fd, 0);
  close (fd);
  return xstrdup (tmpl);
}

static bool
keep (const struct hr_json *record, size_t line, void *data)
{
  struct hr_json **last = data;
  hr_json_free (*last);
  *last = hr_json_clone (record);
  return true;
}

static void
note (size_t line, const char *why, void *data)
{
  struct hr_strv *bad = data;
  char *entry;
  xasprintf (&entry, "%zu %s", line, why);
  hr_strv_push_take (bad, entry);
}

struct both
{
  struct hr_json *last;
  struct hr_strv bad;
};

static bool
keep_both (const struct hr_json *record, size_t line, void *data)
{
  return keep (record, line, &((struct both *)data)->last);
}

static void
note_both (size_t line, const char *why, void *data)
{
  note (line, why, &((struct both *)data)->bad);
}

Test (audit, invalid_utf8_and_huge_strings_stay_json_and_bounded)
{
  cleanup_free char *log = temp_path ();
  cleanup_free char *huge = xmalloc (200001);
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_default (&err);
  struct hr_result result = { 0 };
  struct both seen = { 0 };
  long skipped = 0;
  struct hr_audit_event ev = { .command = "exec",
                               .container_id = "c1",
                               .document = "/tmp/p\xff\xfe.json",
                               .profile = "default",
                               .result = &result,
                               .userns_setup_us = -1 };
  const struct hr_json *decisions;
  FILE *f;

  cr_assert_not_null (policy);
  free (policy->audit_log);
  policy->audit_log = xstrdup (log);
  memset (huge, 'A', 200000);
  huge[200000] = '\0';
  hr_result_add (&result, "secrets", HR_OUTCOME_AUDITED, xstrdup (huge));
  /* more decisions than a line may carry */
  for (int i = 0; i < 2000; i++)
    hr_result_add (&result, "sensitive_mounts", HR_OUTCOME_DENIED, xstrdup (huge + 199000));
  hr_audit_write (policy, &ev);
  /* a line of another writer that is not JSON, and one over 16 MiB */
  f = fopen (log, "a");
  fputs ("{\"cut\":\n", f);
  for (int i = 0; i < 17; i++)
    for (int k = 0; k < 1024; k++)
      fputs (huge + 199000 - 24, f);
  fputs ("\n", f);
  fclose (f);
  cr_assert_eq (hr_audit_read_all (log, keep_both, note_both, &seen, &skipped, &err), 0);
  cr_assert_eq (skipped, 2);
  cr_assert_str_eq (seen.bad.items[0], "2 not JSON: invalid JSON at line 1 column 2: parse error: premature EOF");
  cr_assert_str_eq (seen.bad.items[1], "3 longer than 16 MiB");
  cr_assert_str_eq (hr_json_get_value (seen.last, "document")->text, "/tmp/p\\xff\\xfe.json");
  decisions = hr_json_get_value (seen.last, "decisions");
  cr_assert (strstr (decisions->items[0]->members[2].value->text, "...[195904 more bytes]") != NULL);
  cr_assert_lt (decisions->len, 2001);
  cr_assert_str_eq (hr_json_get_value (decisions->items[decisions->len - 1], "outcome")->text, "truncated");
  cr_assert (strstr (hr_json_get_value (decisions->items[decisions->len - 1], "message")->text, "denied") != NULL);
  hr_json_free (seen.last);
  hr_strv_clear (&seen.bad);
  hr_result_clear (&result);
  hr_policy_free (policy);
  unlink (log);
}

Test (container_record, saved_found_only_for_its_container_and_forgotten)
{
  char root[] = "/tmp/hardrun-root-XXXXXX";
  struct hr_cli cli = { .container_id = "rec-test" }, other;
  struct hr_container_record rec;
  hr_error_t err = NULL;

  if (geteuid () != 0)
    cr_skip_test ("needs root (/run/hardrun)");
  cr_assert_not_null (mkdtemp (root));
  cli.root = root;
  other = cli;
  other.container_id = "rec-other";
  cr_assert_eq (hr_container_record_save (&cli, "strict", true), 0);
  cr_assert_eq (hr_container_record_load (&cli, &rec, &err), 0);
  cr_assert (rec.found && rec.quarantined);
  cr_assert_str_eq (rec.profile, "strict");
  hr_container_record_clear (&rec);
  cr_assert_eq (hr_container_record_load (&other, &rec, &err), 0);
  cr_assert (!rec.found);
  /* another root is another container */
  other.container_id = "rec-test";
  other.root = "/tmp";
  cr_assert_eq (hr_container_record_load (&other, &rec, &err), 0);
  cr_assert (!rec.found);
  hr_container_record_forget (&cli);
  cr_assert_eq (hr_container_record_load (&cli, &rec, &err), 0);
  cr_assert (!rec.found);
  rmdir (root);
}
