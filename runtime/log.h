/* SPDX-License-Identifier: Apache-2.0 */
/* errors in runc's log format */
#ifndef HARDRUN_LOG_H
#define HARDRUN_LOG_H

#include "hardrun/error.h"

/* log.c: errors go to --log in runc's format (JSON lines with --log-format
 * json, logrus text otherwise) and to stderr; never to stdout. */
void hr_log_init (const char *path, const char *format);
void hr_log_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void hr_log_warning (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Logs err with a context and returns the exit status to use (1). */
int hr_log_failure (hr_error_t err, const char *context);

#endif
