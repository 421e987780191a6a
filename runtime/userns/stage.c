/* SPDX-License-Identifier: Apache-2.0 */
/* Idmapped staging of a container's rootfs and bind sources.  On this
 * kernel an overlayfs mount cannot be idmapped itself, but an overlay
 * mounted from idmapped layer directories works; the layers are read from
 * the existing overlay's mount options with libmount.  The overlay is
 * read-only, so the mount points runc would create in it come as one more
 * layer on top. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/util.h"
#include "host.h"
#include "mount_points.h"
#include "mountinfo.h"
#include "stage.h"
#include "userns.h"
#include "volume_owner.h"

#define MAX_LAYERS 500

struct stage
{
  const char *dir;
  const char *bundle; /* what a relative bind source is relative to */
  bool deny_unmapped_binds;
  const struct hr_host_needs *needs;
  int userns_fd;
  int volume_userns_fd; /* the container's ids onto the volume owner's, made when needed */
  int n_layers;
  int n_binds;
};

/* Clones the mount at src onto dst, idmapped when asked and supported.
 * Returns 1 when idmapped, 0 when a plain bind was made. */
static int
clone_mount (const char *src, const char *dst, int userns_fd, bool recursive, bool want_idmap, hr_error_t *err)
{
  unsigned rec = recursive ? AT_RECURSIVE : 0;
  cleanup_close int tree = open_tree (AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
  int idmapped = 0;

  if (tree < 0)
    return hr_error_set (err, errno, "cannot clone the mount of %s", src);
  if (want_idmap)
    idmapped = mount_setattr (tree, "", AT_EMPTY_PATH | rec, &attr, sizeof attr) == 0;
  if (move_mount (tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return hr_error_set (err, errno, "cannot mount %s on %s", src, dst);
  return idmapped;
}

static char *
stage_child (const struct stage *s, const char *kind, int index)
{
  char *p;
  if (index < 0)
    xasprintf (&p, "%s/%s", s->dir, kind);
  else
    xasprintf (&p, "%s/%s/%d", s->dir, kind, index);
  return p;
}

static int
make_mount_point (const char *path, bool directory, hr_error_t *err)
{
  int fd;

  if (directory)
    return hr_make_dir (path, 0755, err);
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return hr_error_set (err, errno, "cannot create %s", path);
  close (fd);
  return 0;
}

/* A layer of the overlay whose driver directory is base: Docker gives
 * relative layer paths when the list is long, relative to that directory. */
static char *
layer_path (const char *base, const char *layer)
{
  char *p;

  xasprintf (&p, "%s%s%s", layer[0] == '/' ? "" : base, layer[0] == '/' ? "" : "/", layer);
  return p;
}

/* The overlay mounted exactly at path: its layers, topmost first. */
static int
overlay_layers (const char *path, struct hr_strv *layers, hr_error_t *err)
{
  struct hr_mount_table table;
  const struct hr_mount_entry *fs;
  cleanup_free char *base = NULL, *upper = NULL, *lower = NULL;
  int ret = 0;

  if (hr_mount_table_read ("/proc/self/mountinfo", &table, err) < 0)
    return -1;
  fs = hr_mount_table_find (&table, path);
  if (fs == NULL || strcmp (fs->fstype, "overlay") != 0)
    goto out;
  /* the driver's directory: the parent of ID/merged */
  base = xstrdup (path);
  for (int up = 0; up < 2 && strrchr (base, '/'); up++)
    *strrchr (base, '/') = '\0';
  if (hr_mount_option (fs->super_options, "upperdir", &upper))
    hr_strv_push_take (layers, layer_path (base, upper));
  if (hr_mount_option (fs->super_options, "lowerdir", &lower))
    {
      char *save = NULL;
      for (char *l = strtok_r (lower, ":", &save); l; l = strtok_r (NULL, ":", &save))
        {
          char *p = layer_path (base, l), resolved[PATH_MAX];
          /* lowers are often symlinks (overlay2/l/XXXX) */
          if (realpath (p, resolved) != NULL)
            {
              free (p);
              p = xstrdup (resolved);
            }
          hr_strv_push_take (layers, p);
        }
    }
  if (layers->len > MAX_LAYERS)
    ret = hr_error_set (err, E2BIG, "overlay at %s has more than %d layers", path, MAX_LAYERS);
out:
  hr_mount_table_clear (&table);
  return ret;
}

/* The layer of mount points the rootfs lacks (mount_points.h), built in
 * the stage directory; NULL when nothing is missing. */
static char *
mount_points_layer (struct stage *s, const struct hr_json *spec, const char *rootfs, hr_error_t *err)
{
  char *layer = stage_child (s, "points", -1);
  int made;

  if (hr_make_dir (layer, 0755, err) < 0)
    return free (layer), NULL;
  made = hr_mount_points_layer (spec, rootfs, layer, err);
  if (made <= 0)
    {
      free (layer);
      return made < 0 ? NULL : xstrdup ("");
    }
  return layer;
}

static int
stage_overlay (struct stage *s, const struct hr_json *spec, const char *rootfs, const struct hr_strv *layers,
               const char *target, hr_error_t *err)
{
  cleanup_free char *options = xstrdup ("lowerdir=");
  cleanup_free char *layers_dir = stage_child (s, "layers", -1);
  cleanup_free char *points = mount_points_layer (s, spec, rootfs, err);
  struct hr_strv all = { 0 };

  if (points == NULL || hr_make_dir (layers_dir, 0711, err) < 0)
    return -1;
  if (*points)
    hr_strv_push (&all, points);
  for (size_t i = 0; i < layers->len; i++)
    hr_strv_push (&all, layers->items[i]);
  for (size_t i = 0; i < all.len; i++)
    {
      cleanup_free char *dst = stage_child (s, "layers", (int)i);
      char *next;

      if (make_mount_point (dst, true, err) < 0 || clone_mount (all.items[i], dst, s->userns_fd, false, true, err) < 0)
        return hr_strv_clear (&all), -1;
      xasprintf (&next, "%s%s%s", options, i ? ":" : "", dst);
      free (options);
      options = next;
    }
  hr_strv_clear (&all);
  if (mount ("overlay", target, "overlay", MS_RDONLY, options) < 0)
    return hr_error_set (err, errno, "cannot mount the idmapped overlay at %s", target);
  return 0;
}

static int
stage_rootfs (struct stage *s, struct hr_json *spec, const char *bundle, hr_error_t *err)
{
  struct hr_json *root = hr_json_ensure_object (spec, "root");
  const struct hr_json *path = hr_json_get_value (root, "path");
  cleanup_free char *joined = NULL;
  cleanup_free char *target = stage_child (s, "rootfs", -1);
  struct hr_strv layers = { 0 };
  char resolved[PATH_MAX];
  int ret;

  if (!hr_json_is_string (path))
    return hr_error_set (err, 0, "the spec has no root.path");
  if (path->text[0] != '/')
    xasprintf (&joined, "%s/%s", bundle[0] ? bundle : ".", path->text);
  if (realpath (joined ? joined : path->text, resolved) == NULL)
    return hr_error_set (err, errno, "cannot resolve the rootfs %s", path->text);
  if (hr_make_dir (target, 0755, err) < 0 || overlay_layers (resolved, &layers, err) < 0)
    return hr_strv_clear (&layers), -1;
  if (layers.len >= 2)
    ret = stage_overlay (s, spec, resolved, &layers, target, err);
  else
    ret = clone_mount (resolved, target, s->userns_fd, true, true, err);
  hr_strv_clear (&layers);
  if (ret < 0)
    return -1;
  hr_json_set (root, "path", hr_json_new_string (target));
  return 0;
}

/* Under the user namespace hardrun adds, the kernel locks the flags of a
 * bind's source mount (ro, nosuid, nodev, noexec, the atime flags): runc
 * 1.1 remounts the bind with only the flags its options name, and the
 * kernel refuses to clear a locked one (EPERM; containerd CRI's /dev/shm,
 * `rbind,ro` of a nosuid,nodev,noexec tmpfs).  So the options carry the
 * flags of the mount the bind really comes from, appended last so they win
 * over a contrary option (runc applies options in order). */
static void
carry_locked_flags (struct hr_json *mount, unsigned long flags)
{
  static const char *const atime_options[]
      = { "atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime" };
  static const struct
  {
    unsigned long flag;
    const char *option;
  } locked[] = { { ST_RDONLY, "ro" }, { ST_NOSUID, "nosuid" }, { ST_NODEV, "nodev" }, { ST_NOEXEC, "noexec" } };
  struct hr_json *options = hr_json_ensure_array (mount, "options");

  for (size_t i = 0; i < HR_ARRAY_SIZE (locked); i++)
    if (flags & locked[i].flag)
      hr_json_append (options, hr_json_new_string (locked[i].option));
  /* the atime mode must match exactly once any atime option is named */
  for (size_t i = options->len; i-- > 0;)
    for (size_t a = 0; a < HR_ARRAY_SIZE (atime_options); a++)
      if (hr_json_is_string (options->items[i]) && strcmp (options->items[i]->text, atime_options[a]) == 0)
        {
          hr_json_remove_at (options, i);
          break;
        }
  hr_json_append (options, hr_json_new_string ((flags & ST_NOATIME)    ? "noatime"
                                               : (flags & ST_RELATIME) ? "relatime"
                                                                       : "strictatime"));
  if (flags & ST_NODIRATIME)
    hr_json_append (options, hr_json_new_string ("nodiratime"));
}

/* The flags a bind's options ask for, judged as runc applies them: in
 * order, so the last of "ro" and "rw" (or "nosuid" and "suid"...) wins. */
static uint64_t
bind_attrs (const struct hr_json *options)
{
  static const struct
  {
    const char *set, *clear;
    uint64_t attr;
  } pairs[] = {
    { "ro", "rw", MOUNT_ATTR_RDONLY },
    { "nosuid", "suid", MOUNT_ATTR_NOSUID },
    { "nodev", "dev", MOUNT_ATTR_NODEV },
    { "noexec", "exec", MOUNT_ATTR_NOEXEC },
  };
  uint64_t attrs = 0;

  for (size_t i = 0; options && options->type == HR_JSON_ARRAY && i < options->len; i++)
    for (size_t p = 0; hr_json_is_string (options->items[i]) && p < HR_ARRAY_SIZE (pairs); p++)
      if (strcmp (options->items[i]->text, pairs[p].set) == 0)
        attrs |= pairs[p].attr;
      else if (strcmp (options->items[i]->text, pairs[p].clear) == 0)
        attrs &= ~pairs[p].attr;
  return attrs;
}

/* Gives the cloned tree of a bind what its options ask for on every
 * submount (runc 1.1 remounts only the top one: `rbind,ro` left a submount
 * writable), and idmaps it when it is the container's own.  Returns 1 when
 * idmapped. */
static int
shape_bind (int tree, const char *source, const struct hr_json *options, bool recursive, int userns_fd, hr_error_t *err)
{
  unsigned rec = recursive ? AT_RECURSIVE : 0;
  struct mount_attr flags = { .attr_set = bind_attrs (options) };
  struct mount_attr idmap = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };

  if (flags.attr_set && mount_setattr (tree, "", AT_EMPTY_PATH | rec, &flags, sizeof flags) < 0)
    return hr_error_set (err, errno, "cannot apply the options of the bind of %s to every mount under it", source);
  if (userns_fd < 0)
    return 0;
  return mount_setattr (tree, "", AT_EMPTY_PATH | rec, &idmap, sizeof idmap) == 0;
}

/* The user namespace a shared volume is idmapped with: the container's ids
 * (from its host_uid and host_gid) seen as the volume owner's. */
static int
volume_userns (struct stage *s, hr_error_t *err)
{
  const struct hr_host_needs *n = s->needs;
  struct hr_id_map map = {
    .host_uid = (uint32_t)n->host_uid,
    .host_gid = (uint32_t)n->host_gid,
    .size = n->size < HR_VOLUME_IDS ? (uint32_t)n->size : HR_VOLUME_IDS,
    .inside_uid = (uint32_t)n->volume_uid,
    .inside_gid = (uint32_t)n->volume_gid,
  };

  if (s->volume_userns_fd < 0)
    s->volume_userns_fd = hr_userns_open (&map, err);
  return s->volume_userns_fd;
}

/* *userns_fd: the namespace to idmap the bind of source with: a shared
 * volume's (its content moved onto the volume owner's ids first), the
 * container's for the rest of its own binds, -1 for a host path (never
 * idmapped) or when the container has no namespace of its own. */
static int
bind_userns (struct stage *s, const char *source, int *userns_fd, hr_error_t *err)
{
  const struct hr_host_needs *n = s->needs;

  *userns_fd = -1;
  if (s->userns_fd < 0 || !hr_strv_contains (&n->own_binds, source))
    return 0;
  *userns_fd = s->userns_fd;
  for (size_t i = 0; i < n->shared_volume_sources.len; i++)
    if (strcmp (n->shared_volume_sources.items[i], source) == 0)
      {
        if (hr_volume_adopt (n->shared_volume_roots.items[i], (uint32_t)n->volume_uid, (uint32_t)n->volume_gid, err) < 0
            || volume_userns (s, err) < 0)
          return -1;
        *userns_fd = s->volume_userns_fd;
      }
  return 0;
}

/* The very object the policy judged when it resolved source (a relative
 * one in the bundle, as runc resolves it), so that a symlink flipped since
 * changes nothing; else the source opened now.  -1 when there is none: a
 * relative source the policy did not resolve is left to the runtime. */
static int
opened_source (const struct stage *s, const char *source)
{
  cleanup_free char *in_bundle = NULL;

  if (source[0] == '/')
    {
      int fd = hr_host_opened (source);
      return fd >= 0 ? fd : open (source, O_PATH | O_CLOEXEC);
    }
  xasprintf (&in_bundle, "%s/%s", s->bundle, source);
  return hr_host_opened (in_bundle);
}

/* Bind sources.  Only what is the container's own (needs.own_binds: the
 * engine's files for this container, its named volumes) is idmapped: onto
 * its range, or for a volume any container may bind onto the volume
 * owner's ids (volume_owner.c says why); through an idmapped host path the
 * container's root would act as host root on host files.  Every other bind
 * keeps the host's ownership as the container's user namespace sees it
 * (host root's files are nobody's).  All are reachable through the 0711
 * stage directory. */
static int
stage_bind (struct stage *s, struct hr_json *mount, hr_error_t *err)
{
  const struct hr_json *source = hr_json_get_value (mount, "source");
  const struct hr_json *options = hr_json_get_value (mount, "options");
  cleanup_free char *dst = NULL;
  cleanup_close int fd = -1;
  cleanup_close int tree = -1;
  struct statvfs sv;
  struct stat st;
  bool recursive;
  int idmapped, userns_fd;

  if (!hr_json_is_string (source))
    return 0; /* the runtime reports a missing source itself */
  fd = opened_source (s, source->text);
  if (fd < 0 || fstat (fd, &st) < 0)
    return 0;
  if (bind_userns (s, source->text, &userns_fd, err) < 0)
    return -1;
  recursive = hr_json_strings_contain (options, "rbind");
  tree = open_tree (fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return hr_error_set (err, errno, "cannot clone the mount of %s", source->text);
  if (fstatvfs (tree, &sv) < 0)
    return hr_error_set (err, errno, "cannot read the mount flags of %s", source->text);
  idmapped = shape_bind (tree, source->text, options, recursive, userns_fd, err);
  if (idmapped < 0)
    return -1;
  if (userns_fd >= 0 && !idmapped && s->deny_unmapped_binds)
    return hr_error_set (err, 0,
                         "the filesystem of bind source \"%s\" cannot be idmapped (its files would show as nobody); "
                         "the policy's user_namespace.unmappable_binds is \"deny\"",
                         source->text);
  dst = stage_child (s, "binds", s->n_binds++);
  if (make_mount_point (dst, S_ISDIR (st.st_mode), err) < 0)
    return -1;
  if (move_mount (tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return hr_error_set (err, errno, "cannot mount %s on %s", source->text, dst);
  hr_json_set (mount, "source", hr_json_new_string (dst));
  carry_locked_flags (mount, sv.f_flag);
  return 0;
}

static int
stage_binds (struct stage *s, struct hr_json *spec, hr_error_t *err)
{
  struct hr_json *mounts = hr_json_get_value (spec, "mounts");
  cleanup_free char *binds_dir = stage_child (s, "binds", -1);

  if (mounts == NULL || mounts->type != HR_JSON_ARRAY)
    return 0;
  if (hr_make_dir (binds_dir, 0711, err) < 0)
    return -1;
  for (size_t i = 0; i < mounts->len; i++)
    if (hr_mount_is_bind (mounts->items[i]) && stage_bind (s, mounts->items[i], err) < 0)
      return -1;
  return 0;
}

int
hr_stage_container (struct hr_json *spec, const char *bundle, const struct hr_allocation *a, bool deny_unmapped_binds,
                    const struct hr_host_needs *needs, hr_error_t *err)
{
  struct stage s = { .dir = a->stage_dir,
                     .bundle = bundle && *bundle ? bundle : ".",
                     .userns_fd = -1,
                     .volume_userns_fd = -1,
                     .deny_unmapped_binds = deny_unmapped_binds,
                     .needs = needs };
  hr_error_t ignored = NULL;
  int ret = -1;

  hr_stage_remove (a->stage_dir, &ignored); /* leftovers of a reclaimed slot */
  hr_error_free (&ignored);
  if (hr_make_dir (a->stage_dir, 0711, err) < 0)
    return -1;
  if (a->userns_path)
    {
      s.userns_fd = open (a->userns_path, O_RDONLY | O_CLOEXEC);
      if (s.userns_fd < 0)
        hr_error_set (err, errno, "cannot open the user namespace %s", a->userns_path);
    }
  else
    s.userns_fd = hr_userns_open (&a->map, err);
  if (s.userns_fd >= 0 && stage_rootfs (&s, spec, bundle, err) == 0 && stage_binds (&s, spec, err) == 0
      && hr_stage_netns (spec, a->stage_dir, a->userns_path ? NULL : &a->map, err) == 0)
    ret = 0;
  if (s.userns_fd >= 0)
    close (s.userns_fd);
  if (s.volume_userns_fd >= 0)
    close (s.volume_userns_fd);
  if (ret < 0)
    {
      hr_stage_remove (a->stage_dir, &ignored);
      hr_error_free (&ignored);
      hr_error_prefix (err, "cannot prepare the idmapped rootfs");
    }
  return ret;
}

bool
hr_spec_has_binds (const struct hr_json *spec)
{
  const struct hr_json *mounts = hr_json_get_value (spec, "mounts");

  for (size_t i = 0; mounts && mounts->type == HR_JSON_ARRAY && i < mounts->len; i++)
    if (hr_mount_is_bind (mounts->items[i]))
      return true;
  return false;
}

int
hr_stage_binds (struct hr_json *spec, const char *bundle, const struct hr_allocation *a,
                const struct hr_host_needs *needs, hr_error_t *err)
{
  struct stage s = { .dir = a->stage_dir,
                     .bundle = bundle && *bundle ? bundle : ".",
                     .userns_fd = -1,
                     .volume_userns_fd = -1,
                     .needs = needs };
  hr_error_t ignored = NULL;

  hr_stage_remove (a->stage_dir, &ignored); /* leftovers of a reclaimed slot */
  hr_error_free (&ignored);
  if (hr_make_dir (a->stage_dir, 0711, err) == 0 && stage_binds (&s, spec, err) == 0)
    return 0;
  hr_stage_remove (a->stage_dir, &ignored);
  hr_error_free (&ignored);
  return hr_error_prefix (err, "cannot stage the bind sources");
}

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return flag == FTW_DP ? rmdir (path) : unlink (path);
}

static int
by_length_desc (const void *a, const void *b)
{
  return (int)strlen (*(char *const *)b) - (int)strlen (*(char *const *)a);
}

int
hr_stage_remove (const char *dir, hr_error_t *err)
{
  struct hr_mount_table table;
  struct hr_strv targets = { 0 };
  size_t dir_len = strlen (dir);
  struct stat st;

  /* No directory, no mount under it (a mount point is a directory entry):
   * the usual case of a create, which clears a slot's leftovers first. */
  if (lstat (dir, &st) < 0 && errno == ENOENT)
    return 0;
  if (hr_mount_table_read ("/proc/self/mountinfo", &table, err) < 0)
    return -1;
  for (size_t i = 0; i < table.len; i++)
    {
      const char *t = table.entries[i].target;
      if (strncmp (t, dir, dir_len) == 0 && (t[dir_len] == '/' || t[dir_len] == '\0'))
        hr_strv_push (&targets, t);
    }
  hr_mount_table_clear (&table);
  /* deepest first, so an overlay goes before the layers under it */
  if (targets.len > 1)
    qsort (targets.items, targets.len, sizeof (char *), by_length_desc);
  for (size_t i = 0; i < targets.len; i++)
    umount2 (targets.items[i], MNT_DETACH);
  hr_strv_clear (&targets);
  if (nftw (dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
    return hr_error_set (err, errno, "cannot remove %s", dir);
  return 0;
}
