/* SPDX-License-Identifier: Apache-2.0 */
/* user_namespace: root in the container must not be root on the host.  A
 * spec without a user namespace gets one, mapped onto the policy's id range;
 * a spec that joins the host's user namespace or maps host id 0 is treated
 * the same way.  A spec that joins another user namespace, by path or
 * implicitly through another process's namespaces, shares that namespace's
 * id range only when it is one hardrun allocated for the pod (else it is
 * refused); a spec with its own safe mappings (rootless engines) is kept. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "host_uid", HR_SETTING_INT },
  { "host_gid", HR_SETTING_INT },
  { "size", HR_SETTING_INT },
  { "ranges", HR_SETTING_INT },
  { "unmappable_binds", HR_SETTING_STRING },
  { "volume_uid", HR_SETTING_INT },
  { "volume_gid", HR_SETTING_INT },
  { NULL, 0 },
};

/* Shared named volumes are idmapped onto the volume owner's ids, never onto
 * host ids below 65536 (see runtime/userns/volume_owner.c): that many of them. */
#define VOLUME_IDS 65536

static int64_t
setting_int (const struct hr_json *s, const char *key)
{
  int64_t v = 0;

  hr_json_number_to_int64 (hr_settings_member (s, key), &v);
  return v;
}

/* [first, first + count) and [other, other + other_count) share an id. */
static bool
ids_overlap (int64_t first, int64_t count, int64_t other, int64_t other_count)
{
  return first < other + other_count && other < first + count;
}

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  int64_t uid = setting_int (s, "host_uid"), gid = setting_int (s, "host_gid");
  int64_t size = setting_int (s, "size"), ranges = setting_int (s, "ranges");
  int64_t volume_uid = setting_int (s, "volume_uid"), volume_gid = setting_int (s, "volume_gid");
  const char *unmappable = hr_settings_member (s, "unmappable_binds")->text;

  if (strcmp (unmappable, "allow") != 0 && strcmp (unmappable, "deny") != 0)
    return hr_error_set (err, 0, "unmappable_binds must be \"allow\" or \"deny\"");
  if (uid < 1 || gid < 1)
    return hr_error_set (err, 0, "host_uid and host_gid must be above 0: host root is never mapped");
  if (size < 65536 || size % 65536 != 0)
    return hr_error_set (err, 0, "size must be a multiple of 65536");
  if (ranges < 1 || uid + size * ranges > UINT32_MAX || gid + size * ranges > UINT32_MAX)
    return hr_error_set (err, 0, "ranges must be positive and host_uid + size * ranges must fit in 32-bit ids");
  if (volume_uid < VOLUME_IDS || volume_gid < VOLUME_IDS || volume_uid + VOLUME_IDS > UINT32_MAX
      || volume_gid + VOLUME_IDS > UINT32_MAX)
    return hr_error_set (err, 0,
                         "volume_uid and volume_gid must be at least 65536 and leave 65536 ids below 2^32: what a "
                         "container writes to a shared volume is owned by them, never by a host user");
  if (ids_overlap (volume_uid, VOLUME_IDS, uid, size * ranges)
      || ids_overlap (volume_gid, VOLUME_IDS, gid, size * ranges))
    return hr_error_set (err, 0,
                         "the volume owner's ids (volume_uid, volume_gid and 65535 above) lie in the pool of "
                         "container ranges (host_uid, host_gid, size * ranges)");
  return 0;
}

static struct hr_json *
mapping (int64_t host_id, int64_t size)
{
  struct hr_json *arr = hr_json_new (HR_JSON_ARRAY);
  struct hr_json *m = hr_json_new (HR_JSON_OBJECT);

  hr_json_set (m, "containerID", hr_json_new_int (0));
  hr_json_set (m, "hostID", hr_json_new_int (host_id));
  hr_json_set (m, "size", hr_json_new_int (size));
  hr_json_append (arr, m);
  return arr;
}

/* A mapping list that gives any container id the host's uid/gid 0. */
static int
maps_host_root (const struct hr_json *mappings, const char *where, bool *found, hr_error_t *err)
{
  *found = false;
  if (mappings == NULL)
    return 0;
  if (mappings->type != HR_JSON_ARRAY)
    return hr_error_set (err, 0, "%s: expected array", where);
  for (size_t i = 0; i < mappings->len; i++)
    {
      uint32_t host_id = 0, size = 0;
      if (mappings->items[i]->type != HR_JSON_OBJECT)
        return hr_error_set (err, 0, "%s[%zu]: expected object", where, i);
      if (hr_json_read_uint32 (mappings->items[i], "hostID", where, &host_id, err) < 0
          || hr_json_read_uint32 (mappings->items[i], "size", where, &size, err) < 0)
        return -1;
      if (host_id == 0 && size > 0)
        *found = true;
    }
  return 0;
}

/* Inside a user namespace the kernel refuses ping_group_range values outside
 * the mapped gids (Docker asks for "0 2147483647"); narrow it so the
 * container still starts. */
static void
narrow_ping_group_range (struct hr_rule_ctx *ctx, int64_t size)
{
  struct hr_json *linux_ = hr_json_get_value (ctx->doc, "linux");
  struct hr_json *sysctl = hr_json_get_value (linux_, "sysctl");
  struct hr_json *range = hr_json_get_value (sysctl, "net.ipv4.ping_group_range");
  unsigned long long lo, hi;
  char buf[64];

  if (!hr_json_is_string (range) || sscanf (range->text, "%llu %llu", &lo, &hi) != 2)
    return;
  if (hi < (unsigned long long)size && lo <= hi)
    return;
  lo = lo < (unsigned long long)size ? lo : 0;
  snprintf (buf, sizeof buf, "%llu %" PRId64, lo, size - 1);
  if (hr_finding (ctx, "sysctl net.ipv4.ping_group_range narrowed from \"%s\" to \"%s\" (the mapped gids)", range->text,
                  buf))
    hr_json_set (sysctl, "net.ipv4.ping_group_range", hr_json_new_string (buf));
}

/* The finding that records a private user namespace.  The rule plans: the
 * spec gets the policy's first range, and the finding says a free range is
 * reserved at create (what `check` shows).  create reserves one afterwards
 * and hr_assign_id_range rewrites the mappings and the finding with the ids
 * the container got, so its audit line names them. */
static char *
planned_range_message (const char *why, int64_t size, int64_t uid, int64_t gid)
{
  char *message;

  xasprintf (&message,
             "%s: private user namespace added, container ids 0-%" PRId64 " mapped to a free range of %" PRId64
             " host uids and gids, reserved at create (the pool starts at uid %" PRId64 ", gid %" PRId64 ")",
             why, size - 1, size, uid, gid);
  return message;
}

static char *
assigned_range_message (const char *why, int64_t size, int64_t uid, int64_t gid)
{
  char *message;

  xasprintf (&message,
             "%s: private user namespace added, container ids 0-%" PRId64 " mapped to host uids %" PRId64 "-%" PRId64
             " and gids %" PRId64 "-%" PRId64,
             why, size - 1, uid, uid + size - 1, gid, gid + size - 1);
  return message;
}

static void
set_mappings (struct hr_json *spec, int64_t uid, int64_t gid, int64_t size)
{
  struct hr_json *linux_ = hr_json_ensure_object (spec, "linux");

  hr_json_set (linux_, "uidMappings", mapping (uid, size));
  hr_json_set (linux_, "gidMappings", mapping (gid, size));
}

static int
add_private_user_namespace (struct hr_rule_ctx *ctx, struct hr_json *userns, const char *why)
{
  int64_t size = hr_setting_int (ctx, "size");
  int64_t uid = hr_setting_int (ctx, "host_uid"), gid = hr_setting_int (ctx, "host_gid");
  cleanup_free char *message = planned_range_message (why, size, uid, gid);

  if (!hr_finding (ctx, "%s", message))
    return 0;
  if (userns == NULL)
    {
      userns = hr_json_new (HR_JSON_OBJECT);
      hr_json_set (userns, "type", hr_json_new_string ("user"));
      hr_json_append (hr_spec_linux_ensure (ctx->doc, "namespaces", HR_JSON_ARRAY), userns);
    }
  hr_json_remove (userns, "path");
  set_mappings (ctx->doc, uid, gid, size);
  ctx->result->needs = (struct hr_host_needs){
    .idmapped_rootfs = true,
    .host_uid = uid,
    .host_gid = gid,
    .size = size,
    .private_range = true,
    .range_reason = why,
    .range_finding = ctx->result->len - 1,
  };
  narrow_ping_group_range (ctx, size);
  return 0;
}

int
hr_assign_id_range (struct hr_json *spec, struct hr_result *result, int64_t host_uid, int64_t host_gid)
{
  struct hr_host_needs *needs = &result->needs;
  struct hr_decision *finding;

  if (!needs->private_range || needs->range_finding >= result->len)
    return -1;
  finding = &result->items[needs->range_finding];
  free (finding->message);
  finding->message = assigned_range_message (needs->range_reason, needs->size, host_uid, host_gid);
  set_mappings (spec, host_uid, host_gid, needs->size);
  needs->host_uid = host_uid;
  needs->host_gid = host_gid;
  return 0;
}

/* "/proc/PID/ns/NAME" -> "/proc/PID/ns/user"; NULL for other paths. */
static char *
sibling_user_namespace (const char *path)
{
  const char *p = path;
  char *user;

  if (!hr_has_prefix (p, "/proc/"))
    return NULL;
  p += strlen ("/proc/");
  if (!isdigit ((unsigned char)*p))
    return NULL;
  while (isdigit ((unsigned char)*p))
    p++;
  if (!hr_has_prefix (p, "/ns/") || strchr (p + 4, '/') != NULL)
    return NULL;
  xasprintf (&user, "%.*s/ns/user", (int)(p - path), path);
  return user;
}

/* The pod a CRI container belongs to: containerd names its sandbox in the
 * spec's annotations (a Go map: exact keys).  NULL outside Kubernetes. */
static const char *
cri_sandbox_id (const struct hr_json *spec)
{
  const struct hr_json *annotations = hr_json_get_value (spec, "annotations");

  for (size_t i = 0; annotations && annotations->type == HR_JSON_OBJECT && i < annotations->len; i++)
    if (strcmp (annotations->members[i].key, "io.kubernetes.cri.sandbox-id") == 0
        && hr_json_is_string (annotations->members[i].value))
      return annotations->members[i].value->text;
  return NULL;
}

/* A user namespace is joined only when it is exactly a range hardrun
 * allocated, to the container (the pod's sandbox, the container whose
 * namespaces a --ipc/--pid/--network container: points at) whose init lives
 * in it: a namespace that maps 0 to host 0 (`unshare -r` as root,
 * PrivateUsers=, nspawn --private-users=identity) or anyone else's range
 * would make the container root where it must not be.  Fills *info; returns
 * false after recording why not. */
static bool
joinable_user_namespace (struct hr_rule_ctx *ctx, const char *path, struct hr_userns_info *info, hr_error_t *err)
{
  const char *sandbox = cri_sandbox_id (ctx->doc);
  cleanup_free char *why = NULL;

  if (ctx->host->user_namespace_info == NULL)
    xasprintf (&why, "this host cannot inspect user namespaces");
  else if (ctx->host->user_namespace_info (ctx->host, path, info, err) < 0)
    {
      why = hr_error_text (*err);
      hr_error_free (err);
    }
  else if (info->owner == NULL || info->size == 0)
    xasprintf (&why, "it maps %s, which is not an id range hardrun allocated to a running container",
               info->maps ? info->maps : "ids hardrun did not allocate");
  else if (sandbox != NULL && strcmp (sandbox, info->owner) != 0)
    xasprintf (&why, "it is the id range of container \"%s\", not of this pod's sandbox \"%s\"", info->owner, sandbox);
  if (why == NULL)
    return true;
  hr_violation (ctx, "refusing to join the user namespace \"%s\": %s", path, why);
  return false;
}

/* Shares the range of the container whose user namespace the spec joins:
 * a new user namespace with exactly its mapping, not a join by path.  runc
 * 1.1 joins the user namespace before every other namespace given by path,
 * after which it can no longer join one the host's user namespace owns (a
 * CNI network namespace: "setns into net namespace: operation not
 * permitted"); with a new user namespace it joins them all as host root and
 * unshares the user namespace last. */
static int
share_range (struct hr_rule_ctx *ctx, struct hr_json *namespaces, struct hr_json *userns, const char *path,
             struct hr_userns_info *info)
{
  struct hr_json *linux_;

  if (!hr_finding (ctx,
                   "shares the id range of container \"%s\" (host uids %" PRId64 "-%" PRId64 ", gids %" PRId64
                   "-%" PRId64 "): a new user namespace with the mapping of %s",
                   info->owner, info->host_uid, info->host_uid + info->size - 1, info->host_gid,
                   info->host_gid + info->size - 1, path))
    return 0;
  if (userns == NULL)
    {
      userns = hr_json_new (HR_JSON_OBJECT);
      hr_json_set (userns, "type", hr_json_new_string ("user"));
      hr_json_append (namespaces, userns);
    }
  hr_json_remove (userns, "path");
  linux_ = hr_json_ensure_object (ctx->doc, "linux");
  hr_json_set (linux_, "uidMappings", mapping (info->host_uid, info->size));
  hr_json_set (linux_, "gidMappings", mapping (info->host_gid, info->size));
  free (ctx->result->needs.range_owner);
  ctx->result->needs = (struct hr_host_needs){
    .idmapped_rootfs = true,
    .host_uid = info->host_uid,
    .host_gid = info->host_gid,
    .size = info->size,
    .range_owner = hr_steal_pointer (&info->owner),
  };
  narrow_ping_group_range (ctx, info->size);
  return 0;
}

/* A container that joins another process's namespaces by /proc/PID/ns/X
 * path (a pod's app container joins its sandbox's) lives in that process's
 * user namespace implicitly, as far as those namespaces go: when it is not
 * the host's, it must be a hardrun range, which the container then shares
 * (a second, different range would leave it unable to use the namespaces
 * it joined).  *joined: the spec names such a namespace. */
static int
join_peer_user_namespace (struct hr_rule_ctx *ctx, struct hr_json *namespaces, bool *joined, hr_error_t *err)
{
  *joined = false;
  for (size_t i = 0; namespaces && i < namespaces->len && !*joined; i++)
    {
      const char *path = "";
      cleanup_free char *user = NULL;
      struct hr_userns_info info = { 0 };
      bool is_host = true;

      hr_entry_string (namespaces->items[i], "path", "linux.namespaces", &path, err);
      user = sibling_user_namespace (path);
      if (user == NULL)
        continue;
      if (ctx->host->namespace_is_host (ctx->host, "user", user, &is_host, err) < 0)
        {
          cleanup_free char *why = hr_error_text (*err);
          hr_error_free (err);
          hr_violation (ctx, "cannot verify the user namespace \"%s\" of the namespaces the spec joins: %s", user, why);
          *joined = true;
          return 0;
        }
      if (is_host)
        continue;
      *joined = true;
      if (joinable_user_namespace (ctx, user, &info, err))
        share_range (ctx, namespaces, NULL, user, &info);
      hr_userns_info_clear (&info);
    }
  return 0;
}

static int
decide_user_namespace (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *namespaces, *userns, *linux_;
  const char *path = "";
  bool is_host = false, uid_root = false, gid_root = false;

  if (hr_spec_namespaces (ctx->doc, &namespaces, err) < 0)
    return -1;
  userns = hr_namespace_find (namespaces, "user");
  if (userns == NULL)
    {
      bool joined;
      if (join_peer_user_namespace (ctx, namespaces, &joined, err) < 0)
        return -1;
      if (joined)
        return 0;
      return add_private_user_namespace (ctx, NULL, "no user namespace");
    }
  hr_entry_string (userns, "path", "linux.namespaces", &path, err);
  if (path[0] != '\0')
    {
      if (ctx->host->namespace_is_host (ctx->host, "user", path, &is_host, err) < 0)
        {
          cleanup_free char *why = hr_error_text (*err);
          hr_error_free (err);
          hr_violation (ctx, "cannot verify that the user namespace \"%s\" is not the host's: %s", path, why);
          return 0;
        }
      if (is_host)
        return add_private_user_namespace (ctx, userns, "the spec joins the host's user namespace");
      struct hr_userns_info info = { 0 };
      if (joinable_user_namespace (ctx, path, &info, err))
        share_range (ctx, namespaces, userns, path, &info);
      hr_userns_info_clear (&info);
      return 0;
    }
  linux_ = hr_json_get_value (ctx->doc, "linux");
  if (maps_host_root (hr_json_get_value (linux_, "uidMappings"), "linux.uidMappings", &uid_root, err) < 0
      || maps_host_root (hr_json_get_value (linux_, "gidMappings"), "linux.gidMappings", &gid_root, err) < 0)
    return -1;
  if (uid_root || gid_root)
    return add_private_user_namespace (ctx, userns, "the user namespace maps host id 0");
  if (hr_json_get_value (linux_, "uidMappings") == NULL)
    return add_private_user_namespace (ctx, userns, "the user namespace has no id mappings");
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_host_needs *needs = &ctx->result->needs;

  if (decide_user_namespace (ctx, err) < 0)
    return -1;
  if (needs->idmapped_rootfs)
    {
      needs->volume_uid = hr_setting_int (ctx, "volume_uid");
      needs->volume_gid = hr_setting_int (ctx, "volume_gid");
    }
  return 0;
}

const struct hr_rule_def hr_rule_user_namespace = {
  .name = "user_namespace",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
