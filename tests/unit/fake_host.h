/* A fake struct hr_host for the unit tests: the policy asks the host three
 * questions, and here the test decides every answer from small tables.
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
 *
 *   user_namespace_info  a path matching an entry of `user_namespaces` maps
 *                      what the entry says and is its owner's range; any
 *                      other path maps 0 onto host 0 (`unshare -r`), no
 *                      hardrun range.
 *
 * allocate_ids stays NULL (the policy's host_uid/host_gid are used) unless a
 * test sets it.  Every table is NULL-terminated and may be NULL. */
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
  const struct fake_link *rootfs_links;      /* terminated by a NULL `from` */
  const struct fake_userns *user_namespaces; /* terminated by a NULL `path` */
};

/* Fills *host so that its answers come from *config, which must outlive it. */
void fake_host_init (struct hr_host *host, const struct fake_host_config *config);

/* Fixture helpers shared by the test files. */

/* The whole file as a NUL-terminated string (NULL when it cannot be read). */
char *fake_read_file (const char *path, size_t *len);

/* Paths under FIXTURES_DIR matching the glob pattern (relative to it), sorted
 * and NULL-terminated; *count gets their number.  Free with fake_free_list. */
char **fake_fixture_list (const char *pattern, size_t *count);
void fake_free_list (char **list);

#endif
