/* SPDX-License-Identifier: Apache-2.0 */
/* The fake struct hr_host of the unit tests and the fuzzers (tests/fuzz):
 * the policy asks the host questions, and here the test decides every answer
 * from small tables.
 *
 *   namespace_is_host  a path matching one of `host_namespaces` (fnmatch(3)
 *                      patterns such as "/proc/1/ns/\*") is the host's; one
 *                      matching `broken_namespaces` cannot be inspected (the
 *                      call fails with an error naming the path); any other
 *                      path is a namespace of its own.
 *   resolve_path       a path equal to or below the `from` of a link is
 *                      rewritten onto its `to` (a symlink on the host); a
 *                      link whose `to` is NULL makes the path unresolvable
 *                      (NULL).  Other paths resolve to a copy of themselves.
 *   rootfs_has_dir     true unless the directory is listed in `missing_dirs`.
 *   rootfs_resolve     like resolve_path, with the links of `rootfs_links`
 *                      (symlinks inside the image, e.g. /var/run -> /run).
 *   trusted_executable resolve_path; a result under /tmp or /home is not
 *                      root's own (an error).
 *   live_cgroups       unset unless fake_host_set_live_cgroups gave a table.
 *
 *   mount_fact         a path matching the `path` (an fnmatch(3) pattern;
 *                      a plain path matches only itself) of one of `mounts`,
 *                      the first that does, is a mount point of that
 *                      `fstype`, visible elsewhere at `host_path` (none when
 *                      NULL); other paths are not mount points.  A path
 *                      matching `broken_mounts` cannot be inspected.
 *   namespace_of_container
 *                      a namespace path matching a `pattern` of
 *                      `container_namespaces` belongs to that `id`'s init.
 *   container_annotation
 *                      from `container_annotations`.
 *   container_id       `container_id`; relative paths resolve below `bundle`.
 *
 *   user_namespace_info  a path matching an entry of `user_namespaces` maps
 *                      what the entry says and is its owner's range; any
 *                      other path maps 0 onto host 0 (`unshare -r`), no
 *                      hardrun range.
 *
 * Every table is NULL-terminated and may be NULL. */
#ifndef HARDRUN_TESTS_FAKE_HOST_H
#define HARDRUN_TESTS_FAKE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/enforce.h"

struct fake_link
{
  const char *from;
  const char *to;
};

struct fake_mount
{
  const char *path;
  const char *fstype;
  const char *host_path;
};

struct fake_container_ns
{
  const char *id;
  const char *pattern;
};

struct fake_annotation
{
  const char *id;
  const char *key;
  const char *value;
};

/* A user namespace some container of hardrun's holds. */
struct fake_userns
{
  const char *path; /* fnmatch(3) pattern */
  int64_t host_uid;
  int64_t host_gid;
  int64_t size;
  const char *owner;
};

struct fake_host_config
{
  const char *const *host_namespaces;
  const char *const *broken_namespaces;
  const struct fake_link *links; /* terminated by a NULL `from` */
  const char *const *missing_dirs;
  const struct fake_link *rootfs_links; /* terminated by a NULL `from` */
  const struct fake_mount *mounts;      /* terminated by a NULL `path` */
  const char *const *broken_mounts;
  const struct fake_container_ns *container_namespaces; /* terminated by a NULL `id` */
  const struct fake_annotation *container_annotations;  /* terminated by a NULL `id` */
  const char *container_id;
  const char *bundle;
  const struct fake_userns *user_namespaces; /* terminated by a NULL `path` */
};

/* Fills *host so that its answers come from *config, which must outlive it. */
void fake_host_init (struct hr_host *host, const struct fake_host_config *config);

/* Sets host->live_cgroups to answer from `live` (`from` the id of another
 * live container, `to` its cgroup) and self (the runtime's cgroup); both
 * must outlive host. */
void fake_host_set_live_cgroups (struct hr_host *host, const struct fake_link *live, const char *self);

/* Fixture helpers shared by the test files. */

/* The whole file as a NUL-terminated string (NULL when it cannot be read). */
char *fake_read_file (const char *path, size_t *len);

/* Paths under FIXTURES_DIR matching the glob pattern (relative to it), sorted
 * and NULL-terminated; *count gets their number.  Free with fake_free_list. */
char **fake_fixture_list (const char *pattern, size_t *count);
void fake_free_list (char **list);

#endif
