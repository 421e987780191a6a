/* SPDX-License-Identifier: Apache-2.0 */
/* libmount opened with dlopen on first use; see libmount_lazy.h for why. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>

#include "libmount_lazy.h"

#define LIBMOUNT_SONAME "libmount.so.1"

static const struct
{
  const char *symbol;
  size_t offset;
} functions[] = {
  { "mnt_new_table_from_file", offsetof (struct hr_libmount, new_table_from_file) },
  { "mnt_unref_table", offsetof (struct hr_libmount, unref_table) },
  { "mnt_table_find_target", offsetof (struct hr_libmount, table_find_target) },
  { "mnt_table_next_fs", offsetof (struct hr_libmount, table_next_fs) },
  { "mnt_new_iter", offsetof (struct hr_libmount, new_iter) },
  { "mnt_free_iter", offsetof (struct hr_libmount, free_iter) },
  { "mnt_fs_get_target", offsetof (struct hr_libmount, fs_get_target) },
  { "mnt_fs_get_fstype", offsetof (struct hr_libmount, fs_get_fstype) },
  { "mnt_fs_get_fs_options", offsetof (struct hr_libmount, fs_get_fs_options) },
  { "mnt_optstr_get_option", offsetof (struct hr_libmount, optstr_get_option) },
};

static struct hr_libmount loaded;
static bool is_loaded;

const struct hr_libmount *
hr_libmount (hr_error_t *err)
{
  void *handle;

  if (is_loaded)
    return &loaded;
  handle = dlopen (LIBMOUNT_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    return hr_error_set (err, 0, "cannot load %s (apt-get install libmount1): %s", LIBMOUNT_SONAME, dlerror ()), NULL;
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
    {
      void *fn = dlsym (handle, functions[i].symbol);
      if (fn == NULL)
        {
          hr_error_set (err, 0, "%s lacks %s", LIBMOUNT_SONAME, functions[i].symbol);
          dlclose (handle);
          return NULL;
        }
      *(void **)((char *)&loaded + functions[i].offset) = fn;
    }
  is_loaded = true;
  return &loaded;
}
