/* Private id ranges: one per container, never overlapping a live one, kept
 * under /run/hardrun with a lock, released on delete, reclaimed when their
 * container is gone (also after hardrun was killed half-way). */
#ifndef HARDRUN_IDRANGE_H
#define HARDRUN_IDRANGE_H

#include <stdint.h>

#include "hardrun/error.h"
#include "hardrun/policy.h"
#include "userns.h"

#define HR_STATE_DIR "/run/hardrun"

struct hr_id_pool
{
  uint32_t uid_base;
  uint32_t gid_base;
  uint32_t size;      /* ids per container */
  uint32_t count;     /* containers */
  const char *source; /* "/etc/subuid" or "policy" */
};

/* The hardrun entry of /etc/subuid and /etc/subgid when both exist, else
 * the policy's user_namespace host_uid, host_gid and ranges. */
int hr_id_pool_load (const struct hr_profile *profile, struct hr_id_pool *pool, hr_error_t *err);

struct hr_allocation
{
  int slot;
  struct hr_id_map map;
  char *stage_dir;   /* where this container's idmapped mounts live */
  char *userns_path; /* joined user namespace (no range of its own), or NULL */
};

/* Reserves a range for (runtime root, container id), reclaiming stale ones. */
int hr_ids_allocate (const struct hr_id_pool *pool, const char *runtime_root, const char *id, struct hr_allocation *out,
                     hr_error_t *err);
/* A staging slot without an id range, for a container that joins another
 * container's user namespace (its slot numbers start at HR_JOIN_SLOT_BASE). */
#define HR_JOIN_SLOT_BASE 1000000
int hr_ids_allocate_stage (const char *runtime_root, const char *id, struct hr_allocation *out, hr_error_t *err);
/* Unmounts the container's staging and frees its range (no-op if none). */
int hr_ids_release (const char *runtime_root, const char *id, hr_error_t *err);
void hr_allocation_clear (struct hr_allocation *a);

/* runc's rule for container ids (also keeps them safe as file names). */
bool hr_container_id_valid (const char *id);

/* Unmounts everything below dir and removes it. */
int hr_stage_remove (const char *dir, hr_error_t *err);

#endif
