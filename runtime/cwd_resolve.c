/* SPDX-License-Identifier: Apache-2.0 */
/* Working directories resolved as the kernel resolves them when runc
 * chdir's into one: component by component inside the rootfs, each
 * symlink followed (an absolute one from the rootfs's top, never out of
 * it), and a link whose target does not exist in the rootfs still followed
 * lexically, since inside the container it may (an image's /app linking to
 * /proc/self/fd/7 points into the container's procfs).  Links on procfs
 * (magic links) are never followed: they are what the rule looks for. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cwd_resolve.h"
#include "files.h"
#include "hardrun/util.h"

#define MAX_LINKS 255

/* Opens `dir/name` inside the rootfs without following its last component;
 * -1 when it does not exist there. */
static int
open_component (int rootfd, const char *dir, const char *name, size_t name_len)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/%.*s", *dir ? dir : ".", (int)name_len, name);
  return hr_open_beneath (rootfd, path, O_PATH | O_NOFOLLOW, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

static void
pop_component (char *resolved)
{
  char *slash = strrchr (resolved, '/');
  if (slash)
    *slash = '\0';
  else
    *resolved = '\0';
}

static void
append_component (char **resolved, const char *name, size_t len)
{
  char *next;

  xasprintf (&next, "%s%s%.*s", *resolved, **resolved ? "/" : "", (int)len, name);
  free (*resolved);
  *resolved = next;
}

/* Walks path from rootfd; the result is relative ("" is the top). */
static char *
walk (int rootfd, const char *path)
{
  cleanup_free char *todo = xstrdup (path);
  char *resolved = xstrdup ("");
  int links = 0;
  size_t at = 0;

  while (todo[at])
    {
      const char *name = todo + at;
      size_t len = strcspn (name, "/");
      struct statfs fs;
      struct stat st;
      int fd;

      at += len + (name[len] == '/');
      if (len == 0 || (len == 1 && name[0] == '.'))
        continue;
      if (len == 2 && name[0] == '.' && name[1] == '.')
        {
          pop_component (resolved);
          continue;
        }
      fd = open_component (rootfd, resolved, name, len);
      /* procfs's links are taken as written: its magic links (fd/N, cwd,
       * root) are what the rule looks for, and self reads as nothing to a
       * process outside the container's pid namespace */
      if (fd >= 0 && fstat (fd, &st) == 0 && S_ISLNK (st.st_mode) && links < MAX_LINKS && fstatfs (fd, &fs) == 0
          && fs.f_type != PROC_SUPER_MAGIC)
        {
          char target[4096], *next;
          ssize_t n = readlinkat (fd, "", target, sizeof target - 1);

          if (n > 0)
            {
              close (fd);
              links++;
              target[n] = '\0';
              if (target[0] == '/')
                *resolved = '\0';
              xasprintf (&next, "%s/%s", target, todo + at);
              free (todo);
              todo = next;
              at = 0;
              continue;
            }
        }
      if (fd >= 0)
        close (fd);
      append_component (&resolved, name, len);
    }
  return resolved;
}

char *
hr_resolve_cwd (const struct hr_host *host, const char *rootfs, const char *path)
{
  cleanup_free char *root = NULL, *rel = NULL;
  cleanup_close int rootfd = -1;
  char *out;

  if (rootfs == NULL)
    return NULL;
  if (rootfs[0] == '/')
    root = xstrdup (rootfs);
  else
    xasprintf (&root, "%s/%s", host->data ? (const char *)host->data : ".", rootfs);
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return NULL;
  rel = walk (rootfd, path);
  xasprintf (&out, "/%s", rel);
  return out;
}
