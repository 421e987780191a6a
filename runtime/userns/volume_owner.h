/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HARDRUN_VOLUME_OWNER_H
#define HARDRUN_VOLUME_OWNER_H

#include <stdint.h>

#include "hardrun/error.h"

/* How many ids of the volume owner a shared volume's idmapped mount maps:
 * container ids 0..HR_VOLUME_IDS-1 are volume_uid.. on disk. */
#define HR_VOLUME_IDS 65536u

/* Moves the content of the shared volume at root (its directory, as the
 * policy resolved it) onto the volume owner's ids, once (volume_owner.c
 * says how and why). */
int hr_volume_adopt (const char *root, uint32_t volume_uid, uint32_t volume_gid, hr_error_t *err);

#endif
