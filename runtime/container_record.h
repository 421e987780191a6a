/* SPDX-License-Identifier: Apache-2.0 */
/* The profile a container was created under, recorded at create so that
 * every exec into it runs under the same profile (and an exec into a
 * quarantined container is refused).  Kept privately under /run/hardrun
 * (root only), keyed by the runtime's --root and the container id as the
 * id allocator keys containers, and removed at delete. */
#ifndef HARDRUN_CONTAINER_RECORD_H
#define HARDRUN_CONTAINER_RECORD_H

#include <stdbool.h>

#include "cli.h"
#include "hardrun/error.h"

struct hr_container_record
{
  bool found;       /* false: the container was created without a record */
  char *profile;    /* the profile selected at create */
  bool quarantined; /* it runs quarantined (under the quarantine profile) */
};

/* create, run, restore: records the container's profile; logs and returns
 * <0 on failure (the container must not start without its record). */
int hr_container_record_save (const struct hr_cli *cli, const char *profile, bool quarantined);
/* exec: the record of cli's container; rec->found is false when there is
 * none.  A record that cannot be read or trusted is an error. */
int hr_container_record_load (const struct hr_cli *cli, struct hr_container_record *rec, hr_error_t *err);
/* delete: removes the record once the runtime holds no state for the
 * container (a failed delete keeps it). */
void hr_container_record_forget (const struct hr_cli *cli);
void hr_container_record_clear (struct hr_container_record *rec);
/* The runtime's state directory of the container: --root as given (runc's
 * default when none) and the id. */
char *hr_container_state_dir (const struct hr_cli *cli);

/* For doctor: calls fn for every stale record (its create is over and the
 * runtime keeps no state for its container, under an absolute root), with
 * the record's file name under /run/hardrun/containers. */
void hr_container_records_stale (void (*fn) (const char *name, const char *root, const char *id, void *data),
                                 void *data);
/* Under the state lock (which save takes too), removes the record name if it
 * is still stale: 1 when removed, 0 when kept, -1 on error. */
int hr_container_record_remove_if_stale (const char *name, hr_error_t *err);

#endif
