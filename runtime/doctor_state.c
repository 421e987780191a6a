/* SPDX-License-Identifier: Apache-2.0 */
/* doctor, hardrun's state: what hardrun keeps under /run/hardrun for a
 * container (its id-range entry, its staging mounts, its private bundle,
 * the record of its profile) is held only while the container can still
 * use it.  An engine that removes a container without `hardrun delete` (or
 * a delete that failed half-way) leaves it behind.
 *
 * Each module judges its own state by the rule it reclaims by (idrange.c:
 * the create or the container's init lives; bundle_memory.c and
 * container_record.c: the create is over and runc holds no container that
 * uses it), so doctor never calls stale what a create would keep.  --fix
 * hands each item it found back to its module, which judges it again under
 * the lock create takes and removes it only if it is still stale. */
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container_record.h"
#include "doctor.h"
#include "hardrun/util.h"
#include "mountinfo.h"
#include "userns/bundle_memory.h"
#include "userns/idrange.h"

/* the found text names this many items, then counts the rest */
#define MAX_NAMED 20

/* What a check found stale: the items --fix hands back, and their names. */
struct stale_list
{
  struct hr_strv items;
  char *named;
  size_t len;
};

static void __attribute__ ((format (printf, 3, 4)))
stale_add (struct stale_list *l, const char *item, const char *fmt, ...)
{
  cleanup_free char *what = NULL;
  char *next;
  va_list ap;

  va_start (ap, fmt);
  xvasprintf (&what, fmt, ap);
  va_end (ap);
  hr_strv_push (&l->items, item);
  if (l->len++ < MAX_NAMED)
    {
      xasprintf (&next, "%s%s%s", l->named ? l->named : "", l->named ? "; " : "", what);
      free (l->named);
      l->named = next;
    }
}

/* Sets f from the list: pass with "none stale" (a constant, so that a
 * saved baseline does not drift with every container started), or fail
 * naming the stale items, --fix repairing them. */
static void
finish (struct hr_doctor_finding *f, struct stale_list *l, const char *expected,
        int (*repair) (const struct hr_doctor_finding *f, hr_error_t *err))
{
  cleanup_free char *found = NULL;

  if (l->len == 0)
    {
      hr_doctor_set (f, HR_DOCTOR_PASS, "none stale", expected, "-");
      hr_strv_clear (&l->items);
      return;
    }
  if (l->len > MAX_NAMED)
    xasprintf (&found, "%zu stale: %s; and %zu more", l->len, l->named, l->len - MAX_NAMED);
  else
    xasprintf (&found, "%zu stale: %s", l->len, l->named);
  hr_doctor_set (f, HR_DOCTOR_FAIL, found, expected, "hardrun doctor --fix");
  f->repair = repair;
  f->repair_items = l->items;
  memset (&l->items, 0, sizeof l->items);
  free (l->named);
  l->named = NULL;
}

/* ---------------------------------------------------------------------
 * id-range entries: HR_STATE_DIR/ids/SLOT */

/* Slots (HR_STATE_DIR/ids/SLOT and HR_STAGE_DIR/SLOT) freed through the
 * allocator, which judges each again under its lock. */
static int
repair_slots (const struct hr_doctor_finding *f, hr_error_t *err)
{
  for (size_t i = 0; i < f->repair_items.len; i++)
    {
      const char *slot = f->repair_items.items[i];
      cleanup_free char *stage = NULL, *entry = NULL;
      bool staged, entered;
      int freed;

      xasprintf (&stage, HR_STAGE_DIR "/%s", slot);
      xasprintf (&entry, HR_STATE_DIR "/ids/%s", slot);
      staged = access (stage, F_OK) == 0;
      entered = access (entry, F_OK) == 0;
      freed = hr_ids_reclaim_slot (atoi (slot), err);
      if (freed < 0)
        return -1;
      if (freed == 0)
        printf ("kept %s slot %s: its container lives (or its entry cannot be read)\n", f->id, slot);
      else if (access (stage, F_OK) == 0)
        printf ("not fixed %s slot %s: %s could not be removed\n", f->id, slot, stage);
      else
        {
          if (entered)
            printf ("fixed %s slot %s: released its id range (removed %s)\n", f->id, slot, entry);
          if (staged)
            printf ("fixed %s slot %s: unmounted (MNT_DETACH) and removed %s\n", f->id, slot, stage);
          if (!entered && !staged)
            printf ("fixed %s slot %s: already released\n", f->id, slot);
        }
    }
  return 0;
}

static void
check_ranges (struct hr_doctor_report *r, const struct hr_ids_entries *ids)
{
  struct hr_doctor_finding *f = hr_doctor_add (r, "state.ranges", "runtime", HR_SEVERITY_MEDIUM,
                                               "no id range (or staging slot) is held by a container that is gone");
  struct stale_list l = { 0 };

  for (size_t i = 0; i < ids->len; i++)
    {
      const struct hr_ids_entry_info *e = &ids->items[i];
      char slot[16];

      if (!e->readable || e->live)
        continue;
      snprintf (slot, sizeof slot, "%d", e->slot);
      if (e->uid_count > 0)
        stale_add (&l, slot, "ids/%d: %s/%s (%s, uids %llu-%llu)", e->slot, e->root, e->id, e->kind,
                   (unsigned long long)e->uid, (unsigned long long)(e->uid + e->uid_count - 1));
      else
        stale_add (&l, slot, "ids/%d: %s/%s (staging only)", e->slot, e->root, e->id);
    }
  finish (f, &l, "every entry's create or container init alive", repair_slots);
}

/* ---------------------------------------------------------------------
 * staging directories: HR_STAGE_DIR/SLOT */

/* The mount points under HR_STAGE_DIR. */
static void
stage_mounts (struct hr_strv *out)
{
  struct hr_mount_table table;
  cleanup_error hr_error_t ignored = NULL;

  if (hr_mount_table_read ("/proc/self/mountinfo", &table, &ignored) < 0)
    return;
  for (size_t i = 0; i < table.len; i++)
    if (hr_has_prefix (table.entries[i].target, HR_STAGE_DIR "/"))
      hr_strv_push (out, table.entries[i].target);
  hr_mount_table_clear (&table);
}

static size_t
mounts_under (const struct hr_strv *mounts, const char *dir)
{
  size_t n = 0, len = strlen (dir);

  for (size_t i = 0; i < mounts->len; i++)
    n += strncmp (mounts->items[i], dir, len) == 0 && (mounts->items[i][len] == '/' || mounts->items[i][len] == '\0');
  return n;
}

static const struct hr_ids_entry_info *
entry_of_slot (const struct hr_ids_entries *ids, int slot)
{
  for (size_t i = 0; i < ids->len; i++)
    if (ids->items[i].slot == slot)
      return &ids->items[i];
  return NULL;
}

static void
check_stage (struct hr_doctor_report *r, const struct hr_ids_entries *ids)
{
  struct hr_doctor_finding *f = hr_doctor_add (r, "state.stage", "runtime", HR_SEVERITY_MEDIUM,
                                               "no staging directory (or mount under it) outlives its container");
  struct stale_list l = { 0 };
  struct hr_strv mounts = { 0 };
  DIR *d = opendir (HR_STAGE_DIR);
  struct dirent *de;

  stage_mounts (&mounts);
  while (d && (de = readdir (d)) != NULL)
    {
      const struct hr_ids_entry_info *e;
      cleanup_free char *dir = NULL;
      char *end;
      long slot = strtol (de->d_name, &end, 10);

      if (!isdigit ((unsigned char)de->d_name[0]) || *end != '\0' || slot > INT32_MAX)
        continue;
      e = entry_of_slot (ids, (int)slot);
      if (e && (!e->readable || e->live))
        continue;
      xasprintf (&dir, HR_STAGE_DIR "/%ld", slot);
      stale_add (&l, de->d_name, "%s (mounts left: %zu; %s)", dir, mounts_under (&mounts, dir),
                 e ? "its entry's container is gone" : "no entry holds it");
    }
  if (d)
    closedir (d);
  hr_strv_clear (&mounts);
  finish (f, &l, "a staging directory only for a live entry", repair_slots);
}

/* ---------------------------------------------------------------------
 * private bundles and container records: each module lists its stale
 * items and removes one if it is still stale */

struct removable
{
  const char *id;
  enum hr_doctor_severity severity;
  const char *title;
  const char *expected;
  const char *prefix; /* what makes an item a path */
  void (*list) (void (*fn) (const char *item, const char *root, const char *id, void *data), void *data);
  int (*remove) (const char *item, hr_error_t *err);
};

static const struct removable removables[] = {
  { "state.bundles", HR_SEVERITY_LOW, "no private bundle outlives its container",
    "a private bundle only for a create under way or a container runc holds", "", hr_private_bundles_stale,
    hr_private_bundle_remove_if_stale },
  { "state.containers", HR_SEVERITY_LOW, "no container record outlives its container",
    "a record only for a create under way or a container runc holds", HR_STATE_DIR "/containers/",
    hr_container_records_stale, hr_container_record_remove_if_stale },
};

struct listing
{
  const struct removable *what;
  struct stale_list l;
};

static void
add_removable (const char *item, const char *root, const char *id, void *data)
{
  struct listing *listing = data;

  stale_add (&listing->l, item, "%s%s (%s/%s)", listing->what->prefix, item, root, id);
}

static int
repair_removables (const struct hr_doctor_finding *f, hr_error_t *err)
{
  const struct removable *what = NULL;

  for (size_t i = 0; i < HR_ARRAY_SIZE (removables); i++)
    if (strcmp (removables[i].id, f->id) == 0)
      what = &removables[i];
  for (size_t i = 0; what && i < f->repair_items.len; i++)
    {
      const char *item = f->repair_items.items[i];
      int removed = what->remove (item, err);

      if (removed < 0)
        return -1;
      if (removed)
        printf ("fixed %s: removed %s%s\n", f->id, what->prefix, item);
      else
        printf ("kept %s %s%s: no longer stale\n", f->id, what->prefix, item);
    }
  return 0;
}

static void
check_removables (struct hr_doctor_report *r)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (removables); i++)
    {
      const struct removable *what = &removables[i];
      struct hr_doctor_finding *f = hr_doctor_add (r, what->id, "runtime", what->severity, what->title);
      struct listing listing = { .what = what };

      what->list (add_removable, &listing);
      finish (f, &listing.l, what->expected, repair_removables);
    }
}

void
hr_doctor_state (struct hr_doctor_report *r)
{
  struct hr_ids_entries ids;

  hr_ids_list (&ids);
  check_ranges (r, &ids);
  check_stage (r, &ids);
  check_removables (r);
  hr_ids_entries_clear (&ids);
}
