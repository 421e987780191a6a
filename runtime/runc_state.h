/* SPDX-License-Identifier: Apache-2.0 */
/* What the real runtime records of a container (runc's ROOT/ID/state.json)
 * and whether the process it names is still the container's init: the one
 * place that answers "is this container alive" for the id allocator, the
 * cgroup, hook and namespace checks.  A pid alone is not an identity (pids
 * are reused): runc records the init's start time (field 22 of
 * /proc/PID/stat), and a live init has both. */
#ifndef HARDRUN_RUNC_STATE_H
#define HARDRUN_RUNC_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "hardrun/error.h"
#include "hardrun/json.h"

/* Loads ROOT/ID/state.json into *state.  Returns 1 when loaded, 0 when the
 * runtime has no such container, -1 (err set) when the record exists but
 * cannot be read or is not root's alone (anyone who could write it could
 * name any process). */
int hr_runc_state_load (const char *root, const char *id, struct hr_json **state, hr_error_t *err);
/* As hr_runc_state_load, with only what hr_runc_state_init reads (the
 * record is mostly the container's config, parsed for nothing there). */
int hr_runc_state_load_init (const char *root, const char *id, struct hr_json **state, hr_error_t *err);

/* The init's pid and start time from a loaded state; false when absent. */
bool hr_runc_state_init (const struct hr_json *state, int64_t *pid, uint64_t *start);

/* The bundle runc recorded for the container (its "bundle=" label, as
 * runc's utils.SearchLabels finds it), or NULL. */
const char *hr_runc_state_bundle (const struct hr_json *state);

/* The start time of process pid (clock ticks since boot) and its state
 * letter; 0 when there is no such process. */
uint64_t hr_process_start_time (int64_t pid, char *state);

/* This process's start time: what records of a create in progress name it
 * by, with its pid (a pid alone is reused). */
uint64_t hr_self_start_time (void);

/* pid runs, started at start, and is not a zombie. */
bool hr_process_is (int64_t pid, uint64_t start);

/* The container ID under ROOT has a live init.  A record that exists but
 * cannot be read counts as alive (fail closed: its resources stay taken). */
bool hr_runc_container_alive (const char *root, const char *id);

#endif
