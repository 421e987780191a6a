/* SPDX-License-Identifier: Apache-2.0 */
/* cgroups_path: runc puts the container into linux.cgroupsPath and writes
 * its resources (pids.max, memory limits, ...) there.  A path that is
 * another live container's cgroup, lies inside one or contains one would
 * move this container into that container's cgroup, or limit it (pids.max
 * of 1 and it can no longer fork).  The containers of a Kubernetes pod are
 * siblings under the pod's cgroup (kubepods/.../pod<uid>/<id>, or
 * kubepods-...-pod<uid>.slice/cri-containerd-<id>.scope), which is no
 * container's own, so a pod keeps its shared parent.
 *
 * The path is judged as runc 1.1 reads it.  With the cgroupfs driver it is
 * cleaned ("../" cannot climb out), and a relative one (or none: the
 * container id) lands below the cgroup runc runs in.  With the systemd
 * driver "slice:prefix:name" is the scope prefix-name.scope in the expanded
 * slice (a-b.slice is a.slice/a-b.slice).  Which driver runc was told to
 * use is not in the spec, so a path of that form is judged both ways.
 * Which containers are live, and their cgroups, the host answers from
 * runc's state (each init pid checked alive): the state directory of this
 * runtime and those of the other engines (`state_roots`), since a docker
 * user's --cgroup-parent can name a Kubernetes container's cgroup. */
#include <string.h>

#include "hardrun/util.h"
#include "rules.h"

static const struct hr_setting settings[] = {
  { "state_roots", HR_SETTING_STRINGS },
  { NULL, 0 },
};

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  return hr_validate_absolute_paths (hr_settings_member (s, "state_roots"), "state_roots", err);
}

static char *
cgroupfs_path (const char *path, const char *id, const char *self)
{
  cleanup_free char *clean = hr_path_clean (*path ? path : id);
  char *out;

  if (path[0] == '/')
    return hr_steal_pointer (&clean);
  xasprintf (&out, "%s%s", strcmp (self, "/") == 0 ? "" : self, clean);
  return out;
}

/* runc's systemd.ExpandSlice: "a-b.slice" is "/a.slice/a-b.slice". */
static char *
expand_slice (const char *slice)
{
  size_t n = strlen (slice) - strlen (".slice");
  char *out;

  if (!hr_has_suffix (slice, ".slice") || strchr (slice, '/') != NULL)
    return NULL;
  out = xstrdup ("");
  if (n == 1 && slice[0] == '-')
    return out;
  for (size_t i = 0; i <= n; i++)
    if (i == n || slice[i] == '-')
      {
        char *next;

        xasprintf (&next, "%s/%.*s.slice", out, (int)i, slice);
        free (out);
        out = next;
      }
  return out;
}

/* "slice:prefix:name" as runc's systemd driver places it; NULL when the
 * path is not of that form. */
static char *
systemd_path (const char *path, const char *id)
{
  const char *c1 = strchr (path, ':');
  const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  cleanup_free char *slice = NULL;
  cleanup_free char *expanded = NULL;
  const char *name;
  char *out;

  if (c2 == NULL || strchr (c2 + 1, ':') != NULL)
    return NULL;
  slice = c1 == path ? xstrdup ("system.slice") : xstrndup (path, (size_t)(c1 - path));
  expanded = expand_slice (slice);
  if (expanded == NULL)
    return NULL;
  name = strcmp (c2 + 1, "*") == 0 && id ? id : c2 + 1;
  if (hr_has_suffix (name, ".slice"))
    xasprintf (&out, "%s/%s", expanded, name);
  else
    xasprintf (&out, "%s/%.*s-%s.scope", expanded, (int)(c2 - c1 - 1), c1 + 1, name);
  return out;
}

/* Refuses mine when it is, lies inside or contains a live container's
 * cgroup; true when it did. */
static bool
judge (struct hr_rule_ctx *ctx, const char *written, const char *mine, const struct hr_strv *ids,
       const struct hr_strv *cgroups)
{
  for (size_t i = 0; i < ids->len; i++)
    {
      const char *theirs = cgroups->items[i];

      if (strcmp (theirs, "/") == 0 || (!hr_path_is_under (mine, theirs) && !hr_path_is_under (theirs, mine)))
        continue;
      hr_violation (ctx, "cgroupsPath \"%s\" (%s) %s the cgroup %s of the live container \"%s\"", written, mine,
                    strcmp (mine, theirs) == 0        ? "is"
                    : hr_path_is_under (mine, theirs) ? "lies inside"
                                                      : "contains",
                    theirs, ids->items[i]);
      return true;
    }
  return false;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  const struct hr_json *lnx = hr_json_get_value (ctx->doc, "linux");
  const char *path = "";
  const char *id = ctx->host->container_id ? ctx->host->container_id : "";
  struct hr_strv ids = { 0 }, cgroups = { 0 };
  cleanup_free char *self = NULL;
  cleanup_free char *fs = NULL;
  cleanup_free char *sd = NULL;
  int ret = 0;

  if (lnx && hr_json_read_string (lnx, "cgroupsPath", "linux", &path, err) < 0)
    return -1;
  /* no path and no id (check): where runc puts it is not known */
  if (ctx->host->live_cgroups == NULL || (*path == '\0' && *id == '\0'))
    return 0;
  if (ctx->host->live_cgroups (ctx->host, hr_setting_get (ctx, "state_roots"), &ids, &cgroups, &self, err) < 0)
    ret = hr_error_prefix (err, "cannot tell the live containers' cgroups");
  else
    {
      fs = cgroupfs_path (path, id, self);
      sd = systemd_path (path, ctx->host->container_id);
      if (!judge (ctx, path, fs, &ids, &cgroups) && sd)
        judge (ctx, path, sd, &ids, &cgroups);
    }
  hr_strv_clear (&ids);
  hr_strv_clear (&cgroups);
  return ret;
}

const struct hr_rule_def hr_rule_cgroups_path = {
  .name = "cgroups_path",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
