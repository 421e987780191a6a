/* SPDX-License-Identifier: Apache-2.0 */
/* Private id ranges: one allocator over host ids, every range checked
 * against every live range (whatever the profile that sized it), never an
 * id /etc/subuid or /etc/subgid delegate to someone else nor one of
 * systemd's reserved ranges, kept under /run/hardrun with a lock, and held
 * until the last container using it is gone (its owner and every container
 * that joined it), reclaimed when their containers are gone (also after
 * hardrun was killed half-way). */
#ifndef HARDRUN_IDRANGE_H
#define HARDRUN_IDRANGE_H

#include <stdint.h>

#include "hardrun/error.h"
#include "hardrun/policy.h"
#include "userns.h"

#define HR_STATE_DIR "/run/hardrun"
#define HR_STAGE_DIR HR_STATE_DIR "/stage"

struct hr_id_pool
{
  uint32_t uid_base;
  uint32_t gid_base;
  uint32_t size;      /* ids per container */
  uint32_t count;     /* ranges of size ids the pool spans (when length is 0) */
  const char *source; /* "/etc/subuid" or "policy" */
  uint64_t length;    /* ids the pool spans, uids and gids alike; 0: count * size */
};

/* The hardrun entry of /etc/subuid and /etc/subgid when both exist (refused
 * when another user's entry or a systemd range overlaps it), else the
 * policy's user_namespace host_uid, host_gid and ranges. */
int hr_id_pool_load (const struct hr_profile *profile, struct hr_id_pool *pool, hr_error_t *err);

struct hr_allocation
{
  int slot; /* the state entry's number: HR_STATE_DIR/ids/SLOT, stage/SLOT */
  struct hr_id_map map;
  char *stage_dir;   /* where this container's idmapped mounts live */
  char *userns_path; /* joined user namespace (no range of its own), or NULL */
};

/* Every runtime_root below is the --root flag as given (NULL when absent):
 * the allocator normalizes it as runc does (hr_cli_state_root). */

/* Reserves a fresh range for (runtime root, container id), reclaiming stale
 * ones. */
int hr_ids_allocate (const struct hr_id_pool *pool, const char *runtime_root, const char *id, struct hr_allocation *out,
                     hr_error_t *err);
/* Records (runtime root, id) as one more user of the range of the live
 * container owner_id (same runtime root): the range stays taken until every
 * user is gone. */
int hr_ids_join (const char *runtime_root, const char *id, const char *owner_id, struct hr_allocation *out,
                 hr_error_t *err);
/* The same for a container that joins a user namespace by path: it holds
 * the host ids that namespace maps (its uid_map and gid_map, as read from
 * userns_path's process) for as long as it lives. */
int hr_ids_join_userns (const char *runtime_root, const char *id, const char *userns_path, struct hr_allocation *out,
                        hr_error_t *err);
/* A staging slot without an id range. */
int hr_ids_allocate_stage (const char *runtime_root, const char *id, struct hr_allocation *out, hr_error_t *err);
/* Unmounts the container's staging and gives up its hold on its range once
 * the container is gone (no-op if it holds none). */
int hr_ids_release (const char *runtime_root, const char *id, hr_error_t *err);
void hr_allocation_clear (struct hr_allocation *a);

/* runc's rule for container ids (also keeps them safe as file names). */
bool hr_container_id_valid (const char *id);

/* Unmounts everything below dir and removes it. */
int hr_stage_remove (const char *dir, hr_error_t *err);

/* The allocator's lock (an flock on HR_STATE_DIR/ids.lock, the state
 * directories made first): every change to hardrun's state under
 * /run/hardrun that a concurrent create could race is made holding it.
 * Returns the fd to close, or -1. */
int hr_state_lock (hr_error_t *err);

/* For doctor: the allocator's entries as it judges them before it
 * reclaims one (no lock taken: entries are replaced whole). */
struct hr_ids_entry_info
{
  int slot;
  bool readable; /* false: left alone, as the allocator leaves it */
  bool live;     /* its create still runs or its container's init does */
  char *root;    /* the normalized runtime root */
  char *id;
  char kind[8];
  uint64_t uid, uid_count, gid, gid_count;
};

struct hr_ids_entries
{
  struct hr_ids_entry_info *items;
  size_t len;
  size_t cap;
};

void hr_ids_list (struct hr_ids_entries *out);
void hr_ids_entries_clear (struct hr_ids_entries *e);
/* Under the lock, frees slot as the allocator frees a stale entry (its
 * staging unmounted with MNT_DETACH and removed, its entry and so its range
 * released) unless an entry that lives, or cannot be read, holds it.
 * Returns 1 when freed, 0 when kept, -1 on error. */
int hr_ids_reclaim_slot (int slot, hr_error_t *err);

/* The pure parts, for the tests. */

/* Host ids first .. first+count-1, and who holds them (owned). */
struct hr_id_span
{
  uint64_t first;
  uint64_t count;
  char *owner;
};

struct hr_id_spans
{
  struct hr_id_span *items;
  size_t len;
  size_t cap;
};

void hr_id_spans_add (struct hr_id_spans *spans, uint64_t first, uint64_t count, const char *owner);
void hr_id_spans_clear (struct hr_id_spans *spans);
/* The first span that shares an id with first..first+count-1, or NULL. */
const struct hr_id_span *hr_id_spans_overlap (const struct hr_id_spans *spans, uint64_t first, uint64_t count);

/* /etc/subuid or /etc/subgid text ("NAME:START:COUNT" lines): the entry of
 * `self` (found = false when none) and every other owner's span. */
void hr_subid_parse (const char *text, const char *self, bool *found, uint64_t *start, uint64_t *count,
                     struct hr_id_spans *others);
/* The ids systemd keeps for itself (dynamic users, nspawn's pick range). */
void hr_id_spans_add_reserved (struct hr_id_spans *spans);

/* The offset o of a range of pool->size ids, uids uid_base+o.. and gids
 * gid_base+o.., that lies in the pool and touches no busy uid or gid: the
 * lowest at or after `cursor` (round robin: a freed range is reused last),
 * else the lowest.  -1 when none fits. */
int hr_id_range_fit (const struct hr_id_pool *pool, const struct hr_id_spans *uids, const struct hr_id_spans *gids,
                     uint64_t cursor, uint64_t *offset);

#endif
