/* The original spec of a bundle hardrun staged, kept in the bundle so that
 * running the bundle again starts from it (bundle_memory.c). */
#ifndef HARDRUN_BUNDLE_MEMORY_H
#define HARDRUN_BUNDLE_MEMORY_H

#include <stddef.h>
#include <sys/stat.h>

#include "hardrun/error.h"

/* When *text (config.json) is exactly what hardrun last wrote into this
 * bundle, replaces it with the original it was made from and returns 1;
 * returns 0 when it is not. */
int hr_bundle_recall_original (int dirfd, char **text, size_t *len, hr_error_t *err);

/* Records the original and the hardened spec (owner and mode of
 * config.json), before config.json itself is replaced. */
int hr_bundle_remember (int dirfd, const char *original, size_t original_len, const char *hardened, size_t hardened_len,
                        const struct stat *spec_st, hr_error_t *err);

#endif
