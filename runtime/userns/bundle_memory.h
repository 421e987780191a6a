/* SPDX-License-Identifier: Apache-2.0 */
/* The original spec of a bundle hardrun staged, kept in the bundle so that
 * running the bundle again starts from it (bundle_memory.c). */
#ifndef HARDRUN_BUNDLE_MEMORY_H
#define HARDRUN_BUNDLE_MEMORY_H

#include <stddef.h>
#include <sys/stat.h>

#include "hardrun/error.h"

/* When *text (config.json) is exactly what hardrun last wrote into this
 * bundle, replaces it with the original it was made from and returns 1;
 * returns 0 when it is not. */
int hr_bundle_recall_original (int dirfd, char **text, size_t *len, hr_error_t *err);

struct hr_cli;
struct hr_json;

/* Writes the hardened spec, its bundle-relative paths made absolute as runc
 * would resolve them in the caller's bundle (bundle_fd), into the
 * container's private bundle; *dir_out is its path. */
int hr_private_bundle_write (const struct hr_cli *cli, int bundle_fd, struct hr_json *spec, char **dir_out,
                             hr_error_t *err);
/* Removes the container's private bundles once runc no longer knows it. */
void hr_private_bundle_forget (const char *root, const char *id);
/* The runtime's argv (NULL-terminated, argv[0] as given) with dir as the
 * bundle runc obeys. */
char **hr_argv_with_bundle (const struct hr_cli *cli, const char *dir);

/* For doctor: calls fn for every private bundle that is stale: its create
 * is over (the creating process gone; without a record of it, older than a
 * create could take) and runc holds no container that runs from it (the
 * container's state is gone, or names another bundle), under an absolute
 * runtime root.  A runtime record that cannot be read counts as live. */
void hr_private_bundles_stale (void (*fn) (const char *dir, const char *root, const char *id, void *data), void *data);
/* Removes the private bundle dir (a path fn was given) if it is still
 * stale; 1 when removed, 0 when kept, -1 when it cannot be removed. */
int hr_private_bundle_remove_if_stale (const char *dir, hr_error_t *err);

#endif
