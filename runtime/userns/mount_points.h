/* SPDX-License-Identifier: Apache-2.0 */
/* The mount points a read-only staged rootfs lacks, as an extra overlay
 * layer. */
#ifndef HARDRUN_MOUNT_POINTS_H
#define HARDRUN_MOUNT_POINTS_H

#include "hardrun/error.h"
#include "hardrun/json.h"

/* runc creates a mount's destination (and the process's cwd) when the
 * rootfs lacks it, which a read-only overlay of idmapped layers does not
 * allow: `docker run -v /dir:/data`, `--tmpfs /scratch`, podman's
 * /etc/hosts on an image without one.  Fills the empty directory `layer`
 * with what is missing from the rootfs at root (a host path without
 * symlinks): the existing directories on the way with their owner and mode
 * (a directory of an upper layer hides the attributes of those below it),
 * then the missing ones, root-owned, and an empty file where a bind of a
 * file goes.  Returns 1 when it created anything, 0 when nothing was
 * missing. */
int hr_mount_points_layer (const struct hr_json *spec, const char *root, const char *layer, hr_error_t *err);

#endif
