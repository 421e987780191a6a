/* SPDX-License-Identifier: Apache-2.0 */
/* The fake host of the unit tests; see fake_host.h. */
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "fake_host.h"
#include "hardrun/util.h"

static const struct fake_host_config *
config_of (const struct hr_host *host)
{
  return host->data;
}

static bool
matches_any (const char *const *patterns, const char *path)
{
  for (size_t i = 0; patterns && patterns[i]; i++)
    if (fnmatch (patterns[i], path, 0) == 0)
      return true;
  return false;
}

static int
fake_namespace_is_host (const struct hr_host *host, const char *type, const char *path, bool *is_host, hr_error_t *err)
{
  const struct fake_host_config *config = config_of (host);

  if (matches_any (config->broken_namespaces, path))
    return hr_error_set (err, 2, "fake host: cannot inspect the %s namespace \"%s\"", type, path);
  *is_host = matches_any (config->host_namespaces, path);
  return 0;
}

/* path rewritten by the first link it lies at or below (a copy when none). */
static char *
follow_links (const struct fake_link *links, const char *path)
{
  for (const struct fake_link *l = links; l && l->from; l++)
    {
      size_t n = strlen (l->from);
      char *out;

      if (strncmp (path, l->from, n) != 0 || (path[n] != '\0' && path[n] != '/'))
        continue;
      if (l->to == NULL)
        return NULL;
      xasprintf (&out, "%s%s", l->to, path + n);
      return out;
    }
  return xstrdup (path);
}

static char *
fake_resolve_path (const struct hr_host *host, const char *path)
{
  const struct fake_host_config *config = config_of (host);
  cleanup_free char *joined = NULL;

  if (path[0] != '/' && config->bundle)
    {
      cleanup_free char *raw = NULL;
      xasprintf (&raw, "%s/%s", config->bundle, path);
      joined = hr_path_clean (raw);
      path = joined;
    }
  return follow_links (config->links, path);
}

static int
fake_mount_fact (const struct hr_host *host, const char *path, struct hr_mount_fact *out, hr_error_t *err)
{
  const struct fake_host_config *config = config_of (host);

  memset (out, 0, sizeof *out);
  if (matches_any (config->broken_mounts, path))
    return hr_error_set (err, 2, "fake host: cannot read the mount table for \"%s\"", path);
  for (const struct fake_mount *m = config->mounts; m && m->path; m++)
    if (fnmatch (m->path, path, 0) == 0)
      {
        out->mount_point = true;
        out->fstype = xstrdup (m->fstype);
        out->root = xstrdup ("/");
        out->device = xstrdup ("0:99");
        if (m->host_path)
          hr_strv_push (&out->host_paths, m->host_path);
        break; /* the first match: a second would leak the first's strings */
      }
  return 0;
}

static bool
fake_namespace_of_container (const struct hr_host *host, const char *id, const char *type, const char *path)
{
  (void)type;
  for (const struct fake_container_ns *n = config_of (host)->container_namespaces; n && n->id; n++)
    if (strcmp (n->id, id) == 0 && fnmatch (n->pattern, path, 0) == 0)
      return true;
  return false;
}

static char *
fake_container_annotation (const struct hr_host *host, const char *id, const char *key)
{
  for (const struct fake_annotation *a = config_of (host)->container_annotations; a && a->id; a++)
    if (strcmp (a->id, id) == 0 && strcmp (a->key, key) == 0)
      return xstrdup (a->value);
  return NULL;
}

static char *
fake_rootfs_resolve (const struct hr_host *host, const char *rootfs, const char *path)
{
  (void)rootfs;
  return follow_links (config_of (host)->rootfs_links, path);
}

static bool
fake_rootfs_has_dir (const struct hr_host *host, const char *rootfs, const char *dir)
{
  const char *const *missing = config_of (host)->missing_dirs;

  (void)rootfs;
  for (size_t i = 0; missing && missing[i]; i++)
    if (strcmp (missing[i], dir) == 0)
      return false;
  return true;
}

static int
fake_trusted_executable (const struct hr_host *host, const char *path, char **resolved, hr_error_t *err)
{
  cleanup_free char *r = follow_links (config_of (host)->links, path);

  if (r == NULL)
    return hr_error_set (err, 2, "fake host: cannot resolve \"%s\"", path);
  if (hr_has_prefix (r, "/tmp/") || hr_has_prefix (r, "/home/"))
    return hr_error_set (err, 1, "fake host: \"%s\" is not root's own", r);
  *resolved = hr_steal_pointer (&r);
  return 0;
}

static const struct fake_link *live_table;
static const char *self_cgroup;

static int
fake_live_cgroups (const struct hr_host *host, const struct hr_json *roots, struct hr_strv *ids,
                   struct hr_strv *cgroups, char **self, hr_error_t *err)
{
  (void)roots;
  (void)err;
  for (const struct fake_link *l = live_table; l->from; l++)
    if (!hr_streq (l->from, host->container_id))
      {
        hr_strv_push (ids, l->from);
        hr_strv_push (cgroups, l->to);
      }
  *self = xstrdup (self_cgroup);
  return 0;
}

void
fake_host_set_live_cgroups (struct hr_host *host, const struct fake_link *live, const char *self)
{
  live_table = live;
  self_cgroup = self;
  host->live_cgroups = fake_live_cgroups;
}

static int
fake_user_namespace_info (const struct hr_host *host, const char *path, struct hr_userns_info *info, hr_error_t *err)
{
  const struct fake_userns *u = config_of (host)->user_namespaces;

  memset (info, 0, sizeof *info);
  if (matches_any (config_of (host)->broken_namespaces, path))
    return hr_error_set (err, 2, "fake host: cannot inspect the user namespace \"%s\"", path);
  for (; u && u->path; u++)
    if (fnmatch (u->path, path, 0) == 0)
      {
        *info = (struct hr_userns_info){ u->host_uid, u->host_gid, u->size, xstrdup (u->owner), NULL };
        xasprintf (&info->maps, "0 %lld %lld -- 0 %lld %lld", (long long)u->host_uid, (long long)u->size,
                   (long long)u->host_gid, (long long)u->size);
        return 0;
      }
  info->maps = xstrdup ("0 0 4294967295 -- 0 0 4294967295");
  return 0;
}

void
fake_host_init (struct hr_host *host, const struct fake_host_config *config)
{
  memset (host, 0, sizeof *host);
  host->namespace_is_host = fake_namespace_is_host;
  host->resolve_path = fake_resolve_path;
  host->rootfs_has_dir = fake_rootfs_has_dir;
  host->rootfs_resolve = fake_rootfs_resolve;
  host->mount_fact = fake_mount_fact;
  host->namespace_of_container = fake_namespace_of_container;
  host->container_annotation = fake_container_annotation;
  host->container_id = config->container_id;
  host->trusted_executable = fake_trusted_executable;
  host->user_namespace_info = fake_user_namespace_info;
  host->data = (void *)config;
}

char *
fake_read_file (const char *path, size_t *len)
{
  FILE *f = fopen (path, "re");
  char *data = NULL;
  size_t size = 0, used = 0, n;

  if (f == NULL)
    return NULL;
  do
    {
      size = size ? size * 2 : 65536;
      data = xrealloc (data, size + 1);
      n = fread (data + used, 1, size - used, f);
      used += n;
    }
  while (used == size);
  fclose (f);
  data[used] = '\0';
  if (len)
    *len = used;
  return data;
}

char **
fake_fixture_list (const char *pattern, size_t *count)
{
  cleanup_free char *full = NULL;
  glob_t g = { 0 };
  char **list;

  xasprintf (&full, "%s/%s", FIXTURES_DIR, pattern);
  if (glob (full, 0, NULL, &g) != 0)
    g.gl_pathc = 0;
  list = xcalloc (g.gl_pathc + 1, sizeof (char *));
  for (size_t i = 0; i < g.gl_pathc; i++)
    list[i] = xstrdup (g.gl_pathv[i]);
  *count = g.gl_pathc;
  globfree (&g);
  return list;
}

void
fake_free_list (char **list)
{
  for (size_t i = 0; list && list[i]; i++)
    free (list[i]);
  free (list);
}
