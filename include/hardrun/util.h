/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by policy/ and runtime/: allocation that aborts on
 * failure, and cleanup attributes so every resource is released on every
 * path without goto ladders. */
#ifndef HARDRUN_UTIL_H
#define HARDRUN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/error.h"

#define HR_ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))
#define HR_STRINGIFY_(x) #x
#define HR_STRINGIFY(x) HR_STRINGIFY_ (x)

void *xmalloc (size_t size);
void *xcalloc (size_t nmemb, size_t size);
void *xrealloc (void *ptr, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
int xasprintf (char **out, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
int xvasprintf (char **out, const char *fmt, va_list ap) __attribute__ ((format (printf, 2, 0)));

static inline void
hr_freep (void *p)
{
  free (*(void **)p);
}

static inline void
hr_closep (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

#define cleanup_free __attribute__ ((cleanup (hr_freep)))
#define cleanup_close __attribute__ ((cleanup (hr_closep)))

/* Hand ownership of *p to the caller: the cleanup attached to p then frees nothing. */
#define hr_steal_pointer(p)                                                                                            \
  ({                                                                                                                   \
    __typeof__ (*(p)) stolen_ = *(p);                                                                                  \
    *(p) = NULL;                                                                                                       \
    stolen_;                                                                                                           \
  })

#define hr_steal_fd(fd)                                                                                                \
  ({                                                                                                                   \
    int stolen_fd_ = *(fd);                                                                                            \
    *(fd) = -1;                                                                                                        \
    stolen_fd_;                                                                                                        \
  })

static inline bool
hr_streq (const char *a, const char *b)
{
  return a != NULL && b != NULL && strcmp (a, b) == 0;
}

bool hr_has_prefix (const char *s, const char *prefix);
bool hr_has_suffix (const char *s, const char *suffix);
bool hr_is_sha256_hex (const char *s);
/* Lexically cleans an absolute path like Go's filepath.Clean. */
char *hr_path_clean (const char *path);
/* path equals dir or lies below it (both clean). */
bool hr_path_is_under (const char *path, const char *dir);

/* A growable list of owned strings. */
struct hr_strv
{
  char **items;
  size_t len;
  size_t cap;
};

void hr_strv_push (struct hr_strv *v, const char *s);
void hr_strv_push_take (struct hr_strv *v, char *s);
bool hr_strv_contains (const struct hr_strv *v, const char *s);
void hr_strv_clear (struct hr_strv *v);

/* suggest.c: the candidate a misspelt name most likely meant (a few edits
 * away, or the same but for case), or NULL: for "did you mean". */
const char *hr_closest_name (const char *name, const char *const *candidates, size_t n);

#endif
