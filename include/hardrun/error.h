/* SPDX-License-Identifier: Apache-2.0 */
/* The error type, after crun's libcrun_error_t: a function that can fail
 * returns < 0 (or NULL) and fills *err with an errno and a message; callers
 * add context on the way up with hr_error_prefix(). */
#ifndef HARDRUN_ERROR_H
#define HARDRUN_ERROR_H

#include <stdarg.h>

struct hr_error_s
{
  int status; /* errno of the underlying failure, 0 when there is none */
  char *msg;
};
typedef struct hr_error_s *hr_error_t;

/* Sets *err (which must be empty) and returns -1, so callers can write
 * `return hr_error_set (err, errno, "open %s", path);`. */
int hr_error_set (hr_error_t *err, int status, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

/* Puts "context: " in front of the message of an error already set. */
int hr_error_prefix (hr_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* The message with strerror(status) appended when status is set; caller frees. */
char *hr_error_text (hr_error_t err);

void hr_error_free (hr_error_t *err);

#define cleanup_error __attribute__ ((cleanup (hr_error_free)))

#endif
