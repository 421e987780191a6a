/* SPDX-License-Identifier: Apache-2.0 */
/* Ownership, mode and pin checks of the files hardrun trusts; see
 * runtime_trust.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "hardrun/util.h"
#include "runtime_trust.h"
#include "sha256.h"

#define VERIFIED_DIR "/run/hardrun"
#define VERIFIED_FILE VERIFIED_DIR "/verified-runtimes"

static int
check_one (const char *path, const struct stat *st, const char *what, const char *file, mode_t deny, hr_error_t *err)
{
  if (st->st_uid != 0)
    return hr_error_set (err, EPERM, "%s %s is not trusted: %s is owned by uid %u, not root", what, file, path,
                         (unsigned)st->st_uid);
  if (st->st_mode & deny)
    return hr_error_set (err, EPERM, "%s %s is not trusted: %s is writable by %s (mode %04o)", what, file, path,
                         (st->st_mode & S_IWOTH) ? "others" : "its group", (unsigned)(st->st_mode & 07777));
  return 0;
}

int
hr_check_root_owned (const char *path, const char *what, bool allow_group_write, hr_error_t *err)
{
  char resolved[PATH_MAX];
  struct stat st;

  /* the file a symlink leads to is the one that runs or is read */
  if (realpath (path, resolved) == NULL || stat (resolved, &st) < 0)
    return hr_error_set (err, errno, "%s %s", what, path);
  if (check_one (resolved, &st, what, path, allow_group_write ? S_IWOTH : S_IWGRP | S_IWOTH, err) < 0)
    return -1;
  /* every directory up to /: one writable by others could swap the file */
  while (strcmp (resolved, "/") != 0)
    {
      char *slash = strrchr (resolved, '/');
      slash[slash == resolved ? 1 : 0] = '\0';
      if (stat (resolved, &st) < 0)
        return hr_error_set (err, errno, "%s %s: %s", what, path, resolved);
      if (check_one (resolved, &st, what, path, (st.st_mode & S_ISVTX) ? 0 : S_IWGRP | S_IWOTH, err) < 0)
        return -1;
    }
  return 0;
}

/* The identity of the file's current contents, as far as the kernel tells:
 * any write changes mtime and ctime, and ctime cannot be set back. */
static void
file_identity (const struct stat *st, char *out, size_t size)
{
  snprintf (out, size, "%llu %llu %lld %lld.%09ld %lld.%09ld", (unsigned long long)st->st_dev,
            (unsigned long long)st->st_ino, (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
            (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

static bool
remembered (const char *identity, const char *pin)
{
  FILE *f = fopen (VERIFIED_FILE, "re");
  char line[256], want[256];
  struct stat st;
  bool found = false;

  if (f == NULL)
    return false;
  /* only root's own record counts */
  if (fstat (fileno (f), &st) < 0 || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
    {
      fclose (f);
      return false;
    }
  snprintf (want, sizeof want, "%s %s\n", identity, pin);
  while (!found && fgets (line, sizeof line, f) != NULL)
    found = strcmp (line, want) == 0;
  fclose (f);
  return found;
}

static void
remember (const char *identity, const char *pin)
{
  int fd;

  if (geteuid () != 0 || (mkdir (VERIFIED_DIR, 0711) < 0 && errno != EEXIST))
    return;
  fd = open (VERIFIED_FILE, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return;
  dprintf (fd, "%s %s\n", identity, pin);
  close (fd);
}

static int
hash_fd (int fd, const char *path, char digest[65], hr_error_t *err)
{
  struct hr_sha256 ctx;
  char buf[1 << 16];
  ssize_t n;

  hr_sha256_init (&ctx);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    hr_sha256_update (&ctx, buf, (size_t)n);
  if (n < 0)
    return hr_error_set (err, errno, "cannot read the real runtime %s", path);
  hr_sha256_hex (&ctx, digest);
  return 0;
}

static int
check_pin (int fd, const struct stat *st, const char *path, const char *pin, hr_error_t *err)
{
  char identity[160], digest[65];

  file_identity (st, identity, sizeof identity);
  if (remembered (identity, pin))
    return 0;
  if (hash_fd (fd, path, digest, err) < 0)
    return -1;
  if (strcasecmp (digest, pin) != 0)
    return hr_error_set (err, EPERM,
                         "the real runtime %s is not the one the policy pins: its SHA-256 is %s, runtime_sha256 is %s",
                         path, digest, pin);
  remember (identity, pin);
  return 0;
}

int
hr_open_runtime (const char *path, const char *pin, int *fd_out, hr_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat opened, checked;

  if (fd < 0 || fstat (fd, &opened) < 0)
    return hr_error_set (err, errno, "cannot open the real runtime %s", path);
  if (hr_check_root_owned (path, "the real runtime", false, err) < 0)
    return -1;
  /* the file that was checked is the file that was opened (and is what
   * runs: the caller executes this descriptor, not the path again) */
  if (stat (path, &checked) < 0 || checked.st_dev != opened.st_dev || checked.st_ino != opened.st_ino)
    return hr_error_set (err, EAGAIN, "the real runtime %s changed while it was being checked", path);
  if (check_one (path, &opened, "the real runtime", path, S_IWGRP | S_IWOTH, err) < 0)
    return -1;
  if (pin && check_pin (fd, &opened, path, pin, err) < 0)
    return -1;
  *fd_out = hr_steal_fd (&fd);
  return 0;
}

int
hr_check_runtime (const char *path, const char *pin, hr_error_t *err)
{
  int fd;

  if (hr_open_runtime (path, pin, &fd, err) < 0)
    return -1;
  close (fd);
  return 0;
}

/* Go's exec.LookPath: a name with a slash as it is, else the first
 * executable regular file of that name in PATH ("" entries meaning "."). */
static char *
look_path (const char *name)
{
  const char *path = getenv ("PATH"), *p;

  if (strchr (name, '/'))
    return xstrdup (name);
  if (path == NULL || *path == '\0')
    return NULL;
  for (p = path; p; p = strchr (p, ':') ? strchr (p, ':') + 1 : NULL)
    {
      size_t n = strcspn (p, ":");
      cleanup_free char *candidate = NULL;
      struct stat st;

      xasprintf (&candidate, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", name);
      if (stat (candidate, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111))
        return hr_steal_pointer (&candidate);
    }
  return NULL;
}

int
hr_check_criu (const struct hr_cli *cli, hr_error_t *err)
{
  cleanup_free char *path = NULL;

  if (cli->command == NULL || (strcmp (cli->command, "checkpoint") != 0 && strcmp (cli->command, "restore") != 0))
    return 0;
  path = look_path (cli->criu ? cli->criu : "criu");
  if (path == NULL || access (path, F_OK) < 0)
    return 0;
  return hr_check_root_owned (path, "the criu binary", false, err);
}
