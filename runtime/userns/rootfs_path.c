/* SPDX-License-Identifier: Apache-2.0 */
/* See rootfs_path.h. */
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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

char *
hr_rootfs_split (int rootfd, const char *root, const char *path, const char **rest)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  cleanup_free char *prefix = NULL;

  while (*path == '/')
    path++;
  prefix = xstrdup (path);
  for (;;)
    {
      cleanup_close int fd = (int)syscall (SYS_openat2, rootfd, *prefix ? prefix : ".", &how, sizeof how);
      char *slash;

      if (fd >= 0)
        {
          size_t n = strlen (prefix);
          *rest = path + n + (n > 0 && path[n] == '/' ? 1 : 0);
          return container_path_of (fd, root);
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
