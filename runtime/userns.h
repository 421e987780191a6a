/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HARDRUN_USERNS_H
#define HARDRUN_USERNS_H

#include <stdint.h>

#include "hardrun/error.h"

/* Container ids 0..size-1 onto host_uid.. and host_gid.. */
struct hr_id_map
{
  uint32_t host_uid;
  uint32_t host_gid;
  uint32_t size;
};

/* An O_CLOEXEC descriptor of a new user namespace with that mapping. */
int hr_userns_open (const struct hr_id_map *map, hr_error_t *err);

#endif
