/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HARDRUN_USERNS_H
#define HARDRUN_USERNS_H

#include <stdint.h>

#include "hardrun/error.h"

/* Ids inside_uid..+size-1 (inside_gid..) of a namespace onto host_uid..
 * and host_gid..: a container's namespace maps from 0; the namespace of a
 * shared volume's idmapped mount maps the volume owner's ids instead (on
 * disk they are what the container's ids become). */
struct hr_id_map
{
  uint32_t host_uid;
  uint32_t host_gid;
  uint32_t size;
  uint32_t inside_uid;
  uint32_t inside_gid;
};

/* An O_CLOEXEC descriptor of a new user namespace with that mapping. */
int hr_userns_open (const struct hr_id_map *map, hr_error_t *err);

#endif
