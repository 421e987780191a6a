/* A bundle whose spec hardrun pointed at a staged rootfs and id range
 * (/run/hardrun/stage/N) cannot be run again as it is: by then that slot
 * belongs to another container, or to nobody.  runc users do run a bundle
 * again, so hardrun keeps, beside config.json, the original it was given
 * and the spec it wrote; a config.json still byte-identical to what hardrun
 * wrote is read as that original, and hardened afresh.  A spec edited since
 * is read as it is (and refused if it still points at a staging slot). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle_memory.h"
#include "hardrun/runtime.h"
#include "hardrun/util.h"

#define ORIGINAL_NAME ".hardrun-original.json"
#define HARDENED_NAME ".hardrun-hardened.json"

int
hr_bundle_recall_original (int dirfd, char **text, size_t *len, hr_error_t *err)
{
  cleanup_free char *hardened = NULL;
  char *original = NULL;
  size_t hardened_len, original_len;
  struct stat st;
  hr_error_t ignored = NULL;

  if (hr_file_read (dirfd, HARDENED_NAME, HR_JSON_MAX_SIZE, &hardened, &hardened_len, &st, &ignored) < 0)
    {
      hr_error_free (&ignored);
      return 0; /* never staged, or unreadable: config.json as it is */
    }
  if (hardened_len != *len || memcmp (hardened, *text, *len) != 0)
    return 0;
  if (hr_file_read (dirfd, ORIGINAL_NAME, HR_JSON_MAX_SIZE, &original, &original_len, &st, err) < 0)
    return hr_error_prefix (err, "this bundle's config.json was written by hardrun, but its original is lost");
  free (*text);
  *text = original;
  *len = original_len;
  return 1;
}

int
hr_bundle_remember (int dirfd, const char *original, size_t original_len, const char *hardened, size_t hardened_len,
                    const struct stat *spec_st, hr_error_t *err)
{
  /* config.json is replaced next, in the same directory: its sync covers these */
  if (hr_file_replace (dirfd, ORIGINAL_NAME, original, original_len, spec_st, HR_FILE_DIR_SYNC_LATER, err) < 0
      || hr_file_replace (dirfd, HARDENED_NAME, hardened, hardened_len, spec_st, HR_FILE_DIR_SYNC_LATER, err) < 0)
    return hr_error_prefix (err, "cannot keep the original spec in the bundle");
  return 0;
}
