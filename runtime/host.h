/* SPDX-License-Identifier: Apache-2.0 */
/* this machine's answers to the policy's questions (struct hr_host) */
#ifndef HARDRUN_HOST_H
#define HARDRUN_HOST_H

#include "hardrun/enforce.h"
#include "hardrun/error.h"
#include <stdint.h>

/* host.c: answers from this machine; relative paths resolve against bundle. */
void hr_host_init (struct hr_host *host, const char *bundle);
/* create: remember compiled seccomp profiles under /var/cache/hardrun/seccomp
 * (runtime/seccomp_cache.c). */
void hr_host_enable_caches (struct hr_host *host);
/* A new O_CLOEXEC descriptor of the object the policy judged when it
 * resolved the host path `path` (host->resolve_path), or -1 when it did not. */
int hr_host_opened (const char *path);

/* The namespace of OCI type `type` at path, opened once per invocation and
 * checked to be a namespace of that type: the descriptor the policy judged
 * (owned by host.c, O_CLOEXEC; do not close it). */
int hr_namespace_open (const char *type, const char *path, hr_error_t *err);
/* The user namespace nsfd's mapping when its uid_map and gid_map are each
 * one extent from container id 0 (*size 0 otherwise). */
int hr_userns_mapping (int nsfd, int64_t *host_uid, int64_t *host_gid, int64_t *size, hr_error_t *err);

#endif
