/* SPDX-License-Identifier: Apache-2.0 */
/* Staging a container for its private user namespace: the rootfs (an
 * overlay rebuilt read-only from idmapped layers, or the idmapped directory
 * itself) and the engine's bind sources, mounted under the allocation's
 * stage directory (mode 0711, so the mapped root can reach them while the
 * engine's 0710 directories stay closed); the spec is pointed there. */
#ifndef HARDRUN_STAGE_H
#define HARDRUN_STAGE_H

#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "idrange.h"
#include "userns.h"

/* needs: what the policy decided; its own_binds are the only bind sources
 * idmapped (onto the container's range, shared volumes onto the volume
 * owner's ids).  deny_unmapped_binds: one of those whose filesystem cannot
 * be idmapped is an error instead of showing its files as nobody. */
int hr_stage_container (struct hr_json *spec, const char *bundle, const struct hr_allocation *a,
                        bool deny_unmapped_binds, const struct hr_host_needs *needs, hr_error_t *err);

/* A container without a private user namespace: only its bind sources are
 * staged (not idmapped), each the very object the policy judged. */
int hr_stage_binds (struct hr_json *spec, const char *bundle, const struct hr_allocation *a,
                    const struct hr_host_needs *needs, hr_error_t *err);
bool hr_spec_has_binds (const struct hr_json *spec);

/* stage_netns.c: a container that joins a network namespace its new user
 * namespace does not own gets a sysfs hardrun mounted from inside that
 * namespace, bound read-only, in place of the sysfs runc could not mount,
 * and its net.* sysctls written by hardrun.  map: the container's ids (NULL
 * when it joins another container's user namespace and they are unknown). */
int hr_stage_netns (struct hr_json *spec, const char *stage_dir, const struct hr_id_map *map, hr_error_t *err);

#endif
