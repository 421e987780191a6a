/* SPDX-License-Identifier: Apache-2.0 */
/* libmount, opened on first use.  Only staging reads mount tables; loading
 * libmount (and the libblkid, libselinux and pcre2 it pulls in, with
 * libselinux's start-up probing) at every start would make each
 * pass-through command cost far more than the one execve it should. */
#ifndef HARDRUN_LIBMOUNT_LAZY_H
#define HARDRUN_LIBMOUNT_LAZY_H

#include <libmount.h>

#include "hardrun/error.h"

struct hr_libmount
{
  struct libmnt_table *(*new_table_from_file) (const char *filename);
  void (*unref_table) (struct libmnt_table *tb);
  struct libmnt_fs *(*table_find_target) (struct libmnt_table *tb, const char *path, int direction);
  int (*table_next_fs) (struct libmnt_table *tb, struct libmnt_iter *itr, struct libmnt_fs **fs);
  struct libmnt_iter *(*new_iter) (int direction);
  void (*free_iter) (struct libmnt_iter *itr);
  const char *(*fs_get_target) (const struct libmnt_fs *fs);
  const char *(*fs_get_fstype) (const struct libmnt_fs *fs);
  const char *(*fs_get_fs_options) (const struct libmnt_fs *fs);
  int (*optstr_get_option) (const char *optstr, const char *name, char **value, size_t *valsz);
};

/* The library's functions, loading it on the first call; NULL with *err set
 * when it cannot be loaded. */
const struct hr_libmount *hr_libmount (hr_error_t *err);

#endif
