/* SPDX-License-Identifier: Apache-2.0 */
/* a process's cwd resolved inside its rootfs */
#ifndef HARDRUN_CWD_RESOLVE_H
#define HARDRUN_CWD_RESOLVE_H

#include "hardrun/enforce.h"

/* cwd_resolve.c: struct hr_host's resolve_cwd. */
char *hr_resolve_cwd (const struct hr_host *host, const char *rootfs, const char *path);

#endif
