/* SPDX-License-Identifier: Apache-2.0 */
/* The compiled-profile cache: libseccomp takes about 9 ms to turn Docker's
 * default profile into BPF for three architectures, and every container of
 * an image asks for the same profile.  An entry is the BPF hardrun
 * compiled, named by a SHA-256 of everything the result depends on and
 * stored with a SHA-256 of itself, so that a torn, truncated or swapped
 * entry is seen and compiled again, never taken on trust.  Entries live
 * under /var/cache so that the first container after a reboot is served
 * too.  What the cache spares is hardrun's own compile check: runc builds
 * the filter the container gets from the spec itself. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/enforce.h"
#include "hardrun/util.h"
#include "log.h"
#include "seccomp_cache.h"
#include "sha256.h"

/* an entry is this header and the BPF: larger files are not ours */
#define ENTRY_HEADER "hardrun-seccomp-cache\nkey %s\nbpf-sha256 %s\nbpf-bytes %zu\n\n"
#define ENTRY_MAX_SIZE (4u << 20)

/* SHA-256 of what the compiled filter depends on: the profile's text, the
 * libseccomp that compiles it (version and the kernel API level it found),
 * the native architecture and kernel, and how hardrun reads a profile. */
static void
cache_key (const char *text, size_t len, char key[65])
{
  const struct scmp_version *v = seccomp_version ();
  cleanup_free char *context = NULL;
  struct hr_sha256 ctx;
  struct utsname u;

  if (uname (&u) < 0)
    u.release[0] = '\0';
  xasprintf (&context, "hardrun-seccomp-cache format %d libseccomp %u.%u.%u api %u arch %u kernel %s",
             HR_SECCOMP_COMPILE_FORMAT, v->major, v->minor, v->micro, seccomp_api_get (), seccomp_arch_native (),
             u.release);
  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, context, strlen (context) + 1);
  hr_sha256_update (&ctx, text, len);
  hr_sha256_hex (&ctx, key);
}

static void
digest_of (const char *data, size_t len, char out[65])
{
  struct hr_sha256 ctx;

  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, data, len);
  hr_sha256_hex (&ctx, out);
}

/* Only a directory nobody but root can write may hold entries: whoever
 * could write it could plant them. */
static int
open_checked_dir (int parent, const char *name, const char *path, bool strict, hr_error_t *err)
{
  cleanup_close int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  bool writable;

  if (fd < 0)
    return hr_error_set (err, errno, "cannot open \"%s\"", path);
  if (fstat (fd, &st) < 0)
    return hr_error_set (err, errno, "cannot stat \"%s\"", path);
  writable = strict ? (st.st_mode & 022) != 0 : (st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != 0);
  if (st.st_uid != 0 || writable)
    return hr_error_set (err, EPERM, "\"%s\" is not a directory only root can write (uid %u, mode %04o)", path,
                         (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
  return hr_steal_fd (&fd);
}

/* The entries' directory, made 0700 when missing; -1 when it cannot be
 * used (a warning when it is unsafe, silence when this is not root or
 * /var is read-only: the profile is compiled as without a cache). */
static int
open_cache_dir (void)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_close int parent = -1, root = -1;
  int fd;

  if (geteuid () != 0)
    return -1;
  if (hr_make_dir (HR_SECCOMP_CACHE_ROOT, 0700, &err) < 0 || hr_make_dir (HR_SECCOMP_CACHE_DIR, 0700, &err) < 0)
    return -1;
  parent = open_checked_dir (AT_FDCWD, "/var/cache", "/var/cache", false, &err);
  if (parent >= 0)
    root = open_checked_dir (parent, "hardrun", HR_SECCOMP_CACHE_ROOT, true, &err);
  fd = root < 0 ? -1 : open_checked_dir (root, "seccomp", HR_SECCOMP_CACHE_DIR, true, &err);
  if (fd < 0)
    hr_log_warning ("seccomp cache not used: %s", err->msg);
  return fd;
}

/* NULL when data is an intact entry for key, else what is wrong with it. */
static const char *
entry_fault (const char *data, size_t len, const char *key)
{
  char stored_key[65] = "", digest[65] = "", actual[65];
  cleanup_free char *header = NULL;
  size_t bpf_len = 0;
  const char *end = memmem (data, len, "\n\n", 2);

  if (end == NULL
      || sscanf (data, "hardrun-seccomp-cache\nkey %64[0-9a-f]\nbpf-sha256 %64[0-9a-f]\nbpf-bytes %zu", stored_key,
                 digest, &bpf_len)
             != 3)
    return "no entry header";
  /* the header exactly as hardrun writes it, nothing more or less */
  xasprintf (&header, ENTRY_HEADER, stored_key, digest, bpf_len);
  if ((size_t)(end + 2 - data) != strlen (header) || memcmp (data, header, strlen (header)) != 0)
    return "a malformed header";
  if (strcmp (stored_key, key) != 0)
    return "made for another profile";
  if (len - strlen (header) != bpf_len)
    return "truncated or extended";
  if (bpf_len == 0 || bpf_len % 8 != 0)
    return "not a BPF program";
  digest_of (end + 2, bpf_len, actual);
  if (strcmp (actual, digest) != 0)
    return "its filter does not match its digest";
  return NULL;
}

static bool
entry_intact (int dirfd, const char *key)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *data = NULL;
  const char *fault;
  struct stat st;
  size_t len;

  if (hr_file_read (dirfd, key, ENTRY_MAX_SIZE, &data, &len, &st, &err) < 0)
    {
      if (err->status != ENOENT)
        hr_log_warning ("seccomp cache entry \"%s/%s\" ignored: %s", HR_SECCOMP_CACHE_DIR, key, err->msg);
      return false;
    }
  fault = st.st_uid != 0 || (st.st_mode & 022) ? "not root's alone" : entry_fault (data, len, key);
  if (fault)
    hr_log_warning ("seccomp cache entry \"%s/%s\" ignored (%s): compiling the profile again", HR_SECCOMP_CACHE_DIR,
                    key, fault);
  return fault == NULL;
}

static size_t
count_entries (int dirfd)
{
  int fd = fcntl (dirfd, F_DUPFD_CLOEXEC, 0);
  DIR *dir = fd < 0 ? NULL : fdopendir (fd);
  size_t n = 0;

  if (dir == NULL)
    {
      if (fd >= 0)
        close (fd);
      return SIZE_MAX;
    }
  for (struct dirent *d; (d = readdir (dir)) != NULL;)
    n += d->d_name[0] != '.';
  closedir (dir);
  return n;
}

/* Written atomically (a temporary file renamed over the name) and not
 * synced: a crash may leave an entry torn, which entry_fault tells. */
static void
store_entry (int dirfd, const char *key, const char *bpf, size_t bpf_len)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *data = NULL;
  struct stat mode = { .st_mode = S_IFREG | 0600 };
  char digest[65];
  size_t header_len;

  if (count_entries (dirfd) >= HR_SECCOMP_CACHE_MAX_ENTRIES)
    return;
  digest_of (bpf, bpf_len, digest);
  xasprintf (&data, ENTRY_HEADER, key, digest, bpf_len);
  header_len = strlen (data);
  data = xrealloc (data, header_len + bpf_len);
  memcpy (data + header_len, bpf, bpf_len);
  if (hr_file_replace (dirfd, key, data, header_len + bpf_len, &mode, HR_FILE_VOLATILE, &err) < 0)
    hr_log_warning ("seccomp cache: %s", err->msg);
}

int
hr_seccomp_cache_check (const struct hr_json *profile, hr_error_t *err)
{
  size_t len, bpf_len = 0;
  cleanup_free char *text = hr_json_serialize (profile, &len);
  cleanup_free char *bpf = NULL;
  cleanup_close int dirfd = open_cache_dir ();
  char key[65];

  cache_key (text, len, key);
  if (dirfd >= 0 && entry_intact (dirfd, key))
    return 0;
  if (hr_seccomp_compile_bpf (profile, dirfd >= 0 ? &bpf : NULL, &bpf_len, err) < 0)
    return -1;
  if (dirfd >= 0)
    store_entry (dirfd, key, bpf, bpf_len);
  return 0;
}
