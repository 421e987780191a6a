/* SPDX-License-Identifier: Apache-2.0 */
/* compiled seccomp profiles kept across reboots under /var/cache/hardrun */
#ifndef HARDRUN_SECCOMP_CACHE_H
#define HARDRUN_SECCOMP_CACHE_H

#include "hardrun/error.h"
#include "hardrun/json.h"
#include "hardrun/util.h"

/* Where the entries live: root-owned directories of mode 0700 (hardrun
 * makes them; it uses none that anyone but root could write). */
#define HR_SECCOMP_CACHE_ROOT "/var/cache/hardrun"
#define HR_SECCOMP_CACHE_DIR HR_SECCOMP_CACHE_ROOT "/seccomp"
/* At this many entries the oldest quarter is removed before a new one is
 * stored (a bound on the disk a stream of distinct profiles can take). */
#define HR_SECCOMP_CACHE_MAX_ENTRIES 1024

/* Succeeds when profile compiles with libseccomp (hr_seccomp_compile):
 * from an intact entry of the cache when this exact profile compiled
 * before with this libseccomp, kernel and architecture, by compiling it
 * (and storing the result) otherwise.  Only a failing compile fails: a
 * cache that cannot be used (unsafe directory, corrupted entry, full
 * disk, not root) is warned about or passed over, never trusted.
 * The cache spares hardrun's early check only: runc builds the filter the
 * container gets from the spec, never from an entry. */
int hr_seccomp_cache_check (const struct hr_json *profile, hr_error_t *err);

/* The seccomp rule's merge for these inputs, remembered by this very build
 * of hardrun (its GNU build id is in the key) with this libseccomp and
 * architecture: unlike a compiled entry, a merge entry decides the profile
 * runc gets, so it is trusted as the policy file is (root's alone), and
 * checked against its digest.  NULL when none is intact. */
struct hr_json *hr_seccomp_cache_recall_merge (const char *inputs, size_t len, struct hr_strv *changed);
void hr_seccomp_cache_remember_merge (const char *inputs, size_t len, const struct hr_json *merged,
                                      const struct hr_strv *changed);

#endif
