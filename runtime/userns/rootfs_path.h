/* SPDX-License-Identifier: Apache-2.0 */
/* Paths inside a container's rootfs, resolved as runc resolves them: every
 * symlink followed inside the rootfs (openat2 RESOLVE_IN_ROOT), never out
 * of it. */
#ifndef HARDRUN_ROOTFS_PATH_H
#define HARDRUN_ROOTFS_PATH_H

#include <stddef.h>

/* Splits the container path `path` into the longest prefix that exists in
 * the rootfs open at rootfd (whose host path is root, without symlinks),
 * returned resolved as a container path ("/" at least), and the part that
 * does not exist yet (*rest, pointing into path, without a leading slash;
 * "" when the whole path exists).  NULL when the rootfs cannot be read. */
char *hr_rootfs_split (int rootfd, const char *root, const char *path, const char **rest);

#endif
