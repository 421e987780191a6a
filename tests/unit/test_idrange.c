/* SPDX-License-Identifier: Apache-2.0 */
/* The id-range allocator's pure parts: ranges are found over host ids, so
 * pools of different sizes and bases never overlap; delegated and reserved
 * ids are skipped; the search goes round; and --root is read as runc reads
 * it. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "userns/idrange.h"

static struct hr_id_pool
pool_of (uint32_t base, uint32_t size, uint32_t count)
{
  return (struct hr_id_pool){ .uid_base = base, .gid_base = base, .size = size, .count = count, .source = "test" };
}

/* Allocates like hr_ids_allocate: fit, then mark the range busy. */
static uint64_t
take (const struct hr_id_pool *pool, struct hr_id_spans *uids, struct hr_id_spans *gids, uint64_t *cursor)
{
  uint64_t o;

  cr_assert_eq (hr_id_range_fit (pool, uids, gids, *cursor - pool->uid_base, &o), 0, "no range fits");
  hr_id_spans_add (uids, pool->uid_base + o, pool->size, "taken");
  hr_id_spans_add (gids, pool->gid_base + o, pool->size, "taken");
  *cursor = pool->uid_base + o + pool->size;
  return pool->uid_base + o;
}

Test (idrange, sizes_never_overlap)
{
  /* issue 13 item 7: a 131072-id profile and the default profile share the
   * pool's base; slots times sizes made the second range fall inside the
   * first */
  struct hr_id_pool big = pool_of (100000, 131072, 8), small = pool_of (100000, 65536, 16);
  struct hr_id_spans uids = { 0 }, gids = { 0 };
  uint64_t cursor = 100000, a, b, c;

  b = take (&small, &uids, &gids, &cursor);
  a = take (&big, &uids, &gids, &cursor);
  c = take (&small, &uids, &gids, &cursor);
  cr_assert (a >= b + 65536 || a + 131072 <= b, "ranges %lu and %lu overlap", a, b);
  cr_assert (c >= a + 131072 || c + 65536 <= a, "ranges %lu and %lu overlap", c, a);
  cr_assert (c >= b + 65536 || c + 65536 <= b);
  hr_id_spans_clear (&uids);
  hr_id_spans_clear (&gids);
}

Test (idrange, other_bases_and_unaligned_ranges)
{
  /* another profile's pool starts mid-range of this one */
  struct hr_id_pool p = pool_of (100000, 65536, 4);
  struct hr_id_spans uids = { 0 }, gids = { 0 };
  uint64_t o;

  hr_id_spans_add (&uids, 130000, 65536, "other profile");
  cr_assert_eq (hr_id_range_fit (&p, &uids, &gids, 0, &o), 0);
  cr_assert_eq (o, 130000 + 65536 - 100000);
  /* gids are checked on their own */
  hr_id_spans_add (&gids, 100000 + o + 10, 1, "a gid");
  cr_assert_eq (hr_id_range_fit (&p, &uids, &gids, 0, &o), 0);
  cr_assert_eq (o, 130000 + 65536 - 100000 + 11);
  hr_id_spans_clear (&uids);
  hr_id_spans_clear (&gids);
}

Test (idrange, full_pool_fails)
{
  struct hr_id_pool p = pool_of (100000, 65536, 2);
  struct hr_id_spans uids = { 0 }, gids = { 0 };
  uint64_t cursor = 100000, o;

  take (&p, &uids, &gids, &cursor);
  take (&p, &uids, &gids, &cursor);
  cr_assert_eq (hr_id_range_fit (&p, &uids, &gids, 0, &o), -1);
  hr_id_spans_clear (&uids);
  hr_id_spans_clear (&gids);
}

Test (idrange, round_robin_reuses_a_freed_range_last)
{
  struct hr_id_pool p = pool_of (100000, 65536, 3);
  struct hr_id_spans uids = { 0 }, gids = { 0 };
  uint64_t o;

  /* range 0 was freed, range 1 is live, the cursor stands after it */
  hr_id_spans_add (&uids, 100000 + 65536, 65536, "live");
  cr_assert_eq (hr_id_range_fit (&p, &uids, &gids, 2 * 65536, &o), 0);
  cr_assert_eq (o, 2 * 65536, "the range after the cursor first");
  hr_id_spans_add (&uids, 100000 + 2 * 65536, 65536, "live");
  cr_assert_eq (hr_id_range_fit (&p, &uids, &gids, 3 * 65536, &o), 0);
  cr_assert_eq (o, 0, "then round to the start");
  hr_id_spans_clear (&uids);
  hr_id_spans_clear (&gids);
}

Test (idrange, subid_parse)
{
  struct hr_id_spans others = { 0 };
  uint64_t start = 0, count = 0;
  bool found;

  hr_subid_parse ("# comment\nalice:100000:65536\nhardrun:2000000000:131072\nbad:x:1\n1001:165536:65536\n", "hardrun",
                  &found, &start, &count, &others);
  cr_assert (found);
  cr_assert_eq (start, 2000000000);
  cr_assert_eq (count, 131072);
  cr_assert_eq (others.len, 2);
  cr_assert_eq (others.items[0].first, 100000);
  cr_assert_str_eq (others.items[0].owner, "user \"alice\" (100000-165535)");
  cr_assert_str_eq (others.items[1].owner, "user \"1001\" (165536-231071)");
  hr_id_spans_clear (&others);
  hr_subid_parse ("", "hardrun", &found, &start, &count, &others);
  cr_assert_not (found);
}

Test (idrange, delegated_and_reserved_ids_are_skipped)
{
  /* Debian's first user gets 100000:65536: the old default pool's first
   * range */
  struct hr_id_pool p = pool_of (100000, 65536, 1024);
  struct hr_id_spans uids = { 0 }, gids = { 0 };
  uint64_t start, count, o;
  bool found;

  hr_subid_parse ("alice:100000:65536\n", "hardrun", &found, &start, &count, &uids);
  hr_id_spans_add_reserved (&uids);
  hr_id_spans_add_reserved (&gids);
  cr_assert_eq (hr_id_range_fit (&p, &uids, &gids, 0, &o), 0);
  cr_assert_eq (p.uid_base + o, 165536);
  /* five ranges fit between alice and nspawn's pick range (524288-...),
   * and the old default pool ends inside that: why the default moved */
  {
    uint64_t cursor = 100000;
    for (int i = 0; i < 5; i++)
      cr_assert_lt (take (&p, &uids, &gids, &cursor) + 65536, 524288 + 1);
    cr_assert_eq (hr_id_range_fit (&p, &uids, &gids, cursor - 100000, &o), -1);
  }
  /* systemd's dynamic users */
  hr_id_spans_clear (&uids);
  hr_id_spans_clear (&gids);
  hr_subid_parse ("alice:100000:65536\n", "hardrun", &found, &start, &count, &uids);
  hr_id_spans_add_reserved (&uids);
  p = pool_of (60000, 65536, 3);
  cr_assert_eq (hr_id_range_fit (&p, &uids, &gids, 0, &o), 0);
  cr_assert_eq (p.uid_base + o, 165536, "after dynamic users (61184-65519) and alice");
  hr_id_spans_clear (&uids);
  hr_id_spans_clear (&gids);
}

static char *
state_root (const char *flag)
{
  hr_error_t err = NULL;
  char *root = hr_cli_state_root (flag, &err);
  cr_assert_not_null (root, "%s", err ? err->msg : "");
  return root;
}

Test (idrange, state_root_as_runc_reads_it)
{
  char dir[] = "/tmp/hr-root-XXXXXX";
  char *r;

  cr_assert_not_null (mkdtemp (dir));
  cr_assert_eq (chdir (dir), 0);
  setenv ("PWD", dir, 1);
  unsetenv ("XDG_RUNTIME_DIR");
  r = state_root (NULL);
  cr_assert_str_eq (r, "/run/runc");
  free (r);
  r = state_root ("/run//x/./y/../z/");
  cr_assert_str_eq (r, "/run/x/z");
  free (r);
  /* relative and empty roots are the working directory's */
  r = state_root ("st");
  cr_assert (strncmp (r, dir, strlen (dir)) == 0 && strcmp (r + strlen (dir), "/st") == 0, "got %s", r);
  free (r);
  r = state_root ("");
  cr_assert_str_eq (r, dir);
  free (r);
  r = state_root ("a\nb");
  cr_assert (strcmp (r + strlen (dir), "/a\nb") == 0);
  free (r);
  /* a $PWD that does not name "." is not believed */
  setenv ("PWD", "/", 1);
  r = state_root ("st");
  cr_assert_str_neq (r, "/st");
  free (r);
  rmdir (dir);
}

Test (idrange, state_root_xdg_for_other_users)
{
  char *r;

  setenv ("XDG_RUNTIME_DIR", "/run/user/1000", 1);
  r = state_root (NULL);
  /* runc 1.1.5 ignores it for real root in the initial user namespace */
  cr_assert_str_eq (r, geteuid () == 0 ? "/run/runc" : "/run/user/1000/runc");
  free (r);
  unsetenv ("XDG_RUNTIME_DIR");
}
