/* SPDX-License-Identifier: Apache-2.0 */
/* What hardrun trusts must be as trustworthy as hardrun: the real runtime it
 * executes as root for every container, and the policy that decides what
 * containers may do.  A file anyone but root can replace, or a runtime that
 * is not the build the policy pins, is refused (fail closed). */
#ifndef HARDRUN_RUNTIME_TRUST_H
#define HARDRUN_RUNTIME_TRUST_H

#include <stdbool.h>

#include "hardrun/error.h"

/* path and every directory above it are owned by root; path is not writable
 * by group or others (by others only, when allow_group_write); a directory
 * is not writable by group or others unless it is sticky (as /tmp is: there
 * nobody but root can replace root's files).  what names the file in the
 * error ("the real runtime", "the policy"). */
int hr_check_root_owned (const char *path, const char *what, bool allow_group_write, hr_error_t *err);

/* The real runtime at path: root-owned as above and, when pin (64 hex
 * digits) is not NULL, with that SHA-256.  A digest verified once is
 * remembered for the file's (device, inode, size, mtime, ctime) in
 * /run/hardrun, so that only a changed file is hashed again (hashing runc
 * takes ~90 ms).  Replacing a binary (install, package upgrade) makes a new
 * inode; only root could rewrite it in place and keep size and both times
 * within one clock tick, and root is trusted anyway. */
int hr_check_runtime (const char *path, const char *pin, hr_error_t *err);
/* The same checks on the file opened once: *fd (O_CLOEXEC) is the very file
 * that was checked and hashed, for the caller to execute. */
int hr_open_runtime (const char *path, const char *pin, int *fd, hr_error_t *err);

/* For the commands runc runs criu for (checkpoint, restore): the criu
 * binary (--criu, else "criu" looked up in PATH as Go's exec.LookPath does)
 * is root-owned as above.  Nothing to check when it cannot be found: runc
 * then runs nothing. */
struct hr_cli;
int hr_check_criu (const struct hr_cli *cli, hr_error_t *err);

#endif
