/* SPDX-License-Identifier: Apache-2.0 */
/* reading the audit trail back */
#ifndef HARDRUN_AUDIT_READ_H
#define HARDRUN_AUDIT_READ_H

#include "hardrun/error.h"
#include "hardrun/json.h"
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* audit_read.c: calls fn for each line of the log that is a JSON object,
 * with its line number; lines that are not, or that fn rejects (false),
 * are counted in *skipped. */
typedef bool (*hr_audit_record_fn) (const struct hr_json *record, size_t line, void *data);
int hr_audit_read (const char *path, hr_audit_record_fn fn, void *data, long *skipped, hr_error_t *err);
/* Also calls bad for each line that is not read, with its number and why
 * ("longer than 16 MiB", "not JSON: ...", "not an audit record"). */
typedef void (*hr_audit_unreadable_fn) (size_t line, const char *why, void *data);
int hr_audit_read_all (const char *path, hr_audit_record_fn fn, hr_audit_unreadable_fn bad, void *data, long *skipped,
                       hr_error_t *err);

/* An RFC 3339 timestamp ("2026-11-27T01:02:03Z", fractions of a second and
 * offsets such as "+01:00" allowed), as the audit log's "time" writes it;
 * -1 when text is not one. */
int hr_parse_rfc3339 (const char *text, struct timespec *out);
/* --since: an RFC 3339 timestamp, or a duration before now ("90s", "15m",
 * "1h30m", "7d"). */
int hr_parse_since (const char *text, const struct timespec *now, struct timespec *out, hr_error_t *err);

#endif
