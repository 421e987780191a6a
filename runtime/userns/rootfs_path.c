/* SPDX-License-Identifier: Apache-2.0 */
/* See rootfs_path.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/util.h"
#include "rootfs_path.h"

/* The container path an fd opened inside the rootfs stands for. */
static char *
container_path_of (int fd, const char *root)
{
  char link[64], buf[4096];
  size_t root_len = strlen (root);
  ssize_t n;

  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, buf, sizeof buf - 1);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  if (strcmp (root, "/") == 0)
    return xstrdup (buf);
  if (strncmp (buf, root, root_len) != 0 || (buf[root_len] != '\0' && buf[root_len] != '/'))
    return NULL;
  return xstrdup (buf[root_len] ? buf + root_len : "/");
}

/* A clean relative path: no "." or ".." component, no empty one (nor a
 * trailing slash, which the kernel would accept and the written path keep). */
static bool
clean_relative (const char *path)
{
  for (const char *c = path; *c;)
    {
      size_t n = strcspn (c, "/");
      if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
        return false;
      if (c[n] == '/' && c[n + 1] == '\0')
        return false;
      c += n + (c[n] == '/');
    }
  return true;
}

/* The container path prefix (existing in the rootfs) stands for, or NULL
 * when it does not exist.  A clean prefix that opens with no symlink on its
 * way is itself (the usual case: no readlink of the descriptor); any other
 * is resolved inside the rootfs and read back from the descriptor. */
static char *
existing_container_path (int rootfd, const char *root, const char *prefix)
{
  cleanup_close int fd = -1;
  char *out;

  if (*prefix == '\0')
    return xstrdup ("/"); /* the rootfs itself */
  if (clean_relative (prefix))
    {
      fd = hr_open_beneath (rootfd, prefix, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
      if (fd >= 0)
        return xasprintf (&out, "/%s", prefix), out;
      if (errno == ENOENT || errno == ENOTDIR)
        return NULL;
    }
  fd = hr_open_beneath (rootfd, prefix, O_PATH, RESOLVE_IN_ROOT);
  return fd >= 0 ? container_path_of (fd, root) : NULL;
}

char *
hr_rootfs_split (int rootfd, const char *root, const char *path, const char **rest)
{
  cleanup_free char *prefix = NULL;

  while (*path == '/')
    path++;
  prefix = xstrdup (path);
  for (;;)
    {
      char *found = existing_container_path (rootfd, root, prefix), *slash;

      if (found)
        {
          size_t n = strlen (prefix);
          *rest = path + n + (n > 0 && path[n] == '/' ? 1 : 0);
          return found;
        }
      if (*prefix == '\0')
        return NULL;
      slash = strrchr (prefix, '/');
      if (slash)
        *slash = '\0';
      else
        *prefix = '\0';
    }
}
