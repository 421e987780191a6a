/* SPDX-License-Identifier: Apache-2.0 */
/* See mount_points.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "mount_points.h"
#include "rootfs_path.h"

struct points
{
  int rootfd;
  const char *root;  /* the rootfs, host path */
  const char *layer; /* the layer being built, host path */
  bool created;
};

/* Makes layer/path a directory with the given attributes (kept when it
 * exists already). */
static int
make_dir (struct points *p, const char *path, mode_t mode, uid_t uid, gid_t gid, hr_error_t *err)
{
  cleanup_free char *target = NULL;

  xasprintf (&target, "%s%s", p->layer, path);
  if (mkdir (target, mode) < 0)
    {
      if (errno == EEXIST)
        return 0;
      return hr_error_set (err, errno, "cannot create %s", target);
    }
  if (chown (target, uid, gid) < 0 || chmod (target, mode) < 0)
    return hr_error_set (err, errno, "cannot set the owner and mode of %s", target);
  p->created = true;
  return 0;
}

/* The directories of the existing, resolved container path `dir` (no
 * symlinks), each with the attributes it has in the rootfs.  Returns 1 when
 * one of them is not a directory: runc then reports the mount itself. */
static int
copy_existing_dirs (struct points *p, const char *dir, hr_error_t *err)
{
  cleanup_free char *prefix = xstrdup (dir);
  char *slash = prefix;

  while (slash)
    {
      cleanup_free char *source = NULL;
      struct stat st;

      slash = strchr (slash + 1, '/');
      if (slash)
        *slash = '\0';
      xasprintf (&source, "%s%s", p->root, prefix);
      if (lstat (source, &st) < 0)
        return hr_error_set (err, errno, "cannot inspect %s", source);
      if (!S_ISDIR (st.st_mode))
        return 1;
      if (make_dir (p, prefix, st.st_mode & 07777, st.st_uid, st.st_gid, err) < 0)
        return -1;
      if (slash)
        *slash = '/';
    }
  return 0;
}

static int
make_file (struct points *p, const char *path, hr_error_t *err)
{
  cleanup_free char *target = NULL;
  int fd;

  xasprintf (&target, "%s%s", p->layer, path);
  fd = open (target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno == EEXIST ? 0 : hr_error_set (err, errno, "cannot create %s", target);
  close (fd);
  p->created = true;
  return 0;
}

/* The missing components of `rest` below the existing directory `base`. */
static int
create_missing (struct points *p, const char *base, const char *rest, bool file, hr_error_t *err)
{
  cleanup_free char *path = xstrdup (strcmp (base, "/") == 0 ? "" : base);
  const char *next = rest;

  while (*next)
    {
      const char *end = strchrnul (next, '/');
      char *longer;

      xasprintf (&longer, "%s/%.*s", path, (int)(end - next), next);
      free (path);
      path = longer;
      next = *end ? end + 1 : end;
      if (*next == '\0' && file)
        return make_file (p, path, err);
      if (make_dir (p, path, 0755, 0, 0, err) < 0)
        return -1;
    }
  return 0;
}

static int
add_point (struct points *p, const char *destination, bool file, hr_error_t *err)
{
  cleanup_free char *clean = hr_path_clean (destination);
  cleanup_free char *existing = NULL;
  const char *rest;

  existing = hr_rootfs_split (p->rootfd, p->root, clean, &rest);
  if (existing == NULL || *rest == '\0')
    return 0; /* unreadable (runc will say so) or present */
  switch (copy_existing_dirs (p, existing, err))
    {
    case -1:
      return -1;
    case 1:
      return 0;
    default:
      break;
    }
  return create_missing (p, existing, rest, file, err);
}

/* A bind of anything but a directory needs a file to mount on. */
static bool
mounts_a_file (const struct hr_json *mount)
{
  const struct hr_json *type = hr_json_get_value (mount, "type");
  const struct hr_json *options = hr_json_get_value (mount, "options");
  const struct hr_json *source = hr_json_get_value (mount, "source");
  bool bind = (hr_json_is_string (type) && strcmp (type->text, "bind") == 0)
              || hr_json_strings_contain (options, "bind") || hr_json_strings_contain (options, "rbind");
  struct stat st;

  return bind && hr_json_is_string (source) && stat (source->text, &st) == 0 && !S_ISDIR (st.st_mode);
}

static int
add_all (struct points *p, const struct hr_json *spec, hr_error_t *err)
{
  const struct hr_json *mounts = hr_json_get_value (spec, "mounts");
  const struct hr_json *cwd = hr_json_get_value (hr_json_get_value (spec, "process"), "cwd");
  struct stat st;

  if (lstat (p->root, &st) < 0)
    return hr_error_set (err, errno, "cannot inspect the rootfs %s", p->root);
  /* the layer's own root is the merged "/" */
  if (chown (p->layer, st.st_uid, st.st_gid) < 0 || chmod (p->layer, st.st_mode & 07777) < 0)
    return hr_error_set (err, errno, "cannot set the owner and mode of %s", p->layer);
  for (size_t i = 0; mounts && mounts->type == HR_JSON_ARRAY && i < mounts->len; i++)
    {
      const struct hr_json *dest = hr_json_get_value (mounts->items[i], "destination");
      if (hr_json_is_string (dest) && dest->text[0] == '/'
          && add_point (p, dest->text, mounts_a_file (mounts->items[i]), err) < 0)
        return -1;
    }
  if (hr_json_is_string (cwd) && cwd->text[0] == '/' && add_point (p, cwd->text, false, err) < 0)
    return -1;
  return 0;
}

int
hr_mount_points_layer (const struct hr_json *spec, const char *root, const char *layer, hr_error_t *err)
{
  struct points p = { .root = root, .layer = layer };
  int ret;

  p.rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (p.rootfd < 0)
    return hr_error_set (err, errno, "cannot open the rootfs %s", root);
  ret = add_all (&p, spec, err);
  close (p.rootfd);
  if (ret < 0)
    return hr_error_prefix (err, "mount points for the read-only rootfs");
  return p.created ? 1 : 0;
}
