/* SPDX-License-Identifier: Apache-2.0 */
/* sensitive_mounts: a bind mount must not expose the host's own control
 * surface: a sensitive path, anything below one, or any parent of one (a bind
 * of /var exposes /var/lib/docker).  Both the path as written and the path
 * with symlinks resolved are checked; a relative source is resolved against
 * the bundle, as runc resolves it.
 *
 * The files engines bind into a container (hosts, resolv.conf, ...) are
 * exceptions listed in the policy, and an exception applies only to the
 * files of the container being created: its patterns name them through
 * placeholders ({id}: the runtime's container id; {sandbox_id} and
 * {pod_uid}: its Kubernetes pod, trusted only when the container really is
 * in that pod), so another container's files never match.  A named volume
 * (the "volumes" patterns) is judged by what it really is in the mount table:
 * a plain directory is the container's own; a mount over a host path is a
 * bind of that path.  What is the container's own goes to
 * needs.own_binds (only that may be idmapped).
 *
 * Non-bind mounts must be of a kernel-virtual type, and the rootfs is judged
 * like a bind source (equal to, inside or a parent of a sensitive path),
 * except the engines' own image stores ("rootfs_exceptions"). */
#include <fnmatch.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

#define ANNOTATION_SANDBOX_ID "io.kubernetes.cri.sandbox-id"
#define ANNOTATION_POD_UID "io.kubernetes.cri.sandbox-uid"

static const struct hr_setting settings[] = {
  { "paths", HR_SETTING_STRINGS },   { "exceptions", HR_SETTING_STRINGS },
  { "volumes", HR_SETTING_STRINGS }, { "rootfs_exceptions", HR_SETTING_STRINGS },
  { "types", HR_SETTING_STRINGS },   { NULL, 0 },
};

/* What the placeholders of a pattern stand for, for this container; NULL
 * when unknown or untrusted (a pattern using it then matches nothing). */
struct owner
{
  struct hr_rule_ctx *ctx;
  const char *id;
  const char *sandbox_id;
  const char *pod_uid;
  const char *joined_id; /* set per path: see joined_candidate */
};

/* {joined_id}: a live container whose namespaces this one joins (docker's
 * --network/--ipc container:X binds X's hosts, resolv.conf and shm).  The
 * first three name what is the container's own; the last one does not. */
static const char *const placeholders[] = { "{id}", "{sandbox_id}", "{pod_uid}", "{joined_id}", NULL };
#define JOINED_PLACEHOLDER 3

/* Filesystems that are the kernel's control surface: a volume that is one
 * of them is refused whatever its path. */
static const char *const kernel_fstypes[]
    = { "proc",    "sysfs",    "devtmpfs", "devpts",     "cgroup",    "cgroup2", "securityfs",
        "debugfs", "tracefs",  "bpf",      "configfs",   "fusectl",   "nsfs",    "binfmt_misc",
        "pstore",  "efivarfs", "autofs",   "rpc_pipefs", "selinuxfs", NULL };

static const char *
owner_value (const struct owner *o, size_t placeholder)
{
  const char *values[] = { o->id, o->sandbox_id, o->pod_uid, o->joined_id };
  return values[placeholder];
}

/* A value that can stand in a pattern: one path component, no glob
 * character (runc's rule for container ids, and what a pod uid is). */
static bool
valid_value (const char *v)
{
  size_t n = v ? strlen (v) : 0;

  if (n == 0 || n > 1024 || strcmp (v, ".") == 0 || strcmp (v, "..") == 0)
    return false;
  return strspn (v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") == n;
}

/* The index of the placeholder p starts with, or -1. */
static int
placeholder_at (const char *p)
{
  for (int k = 0; *p == '{' && placeholders[k]; k++)
    if (hr_has_prefix (p, placeholders[k]))
      return k;
  return -1;
}

/* The pattern with its placeholders replaced; NULL when one has no value.
 * *has_placeholder tells whether it named the container's own. */
static char *
expand (const char *pattern, const struct owner *o, bool *has_placeholder)
{
  char *out = xstrdup ("");
  const char *p = pattern;

  *has_placeholder = false;
  while (*p)
    {
      int k = placeholder_at (p);
      size_t literal = k < 0 ? strcspn (p + 1, "{") + 1 : 0;
      const char *value = k < 0 ? p : owner_value (o, (size_t)k);
      char *next;

      if (k >= 0 && !valid_value (value))
        return free (out), NULL;
      *has_placeholder |= k >= 0 && k != JOINED_PLACEHOLDER;
      xasprintf (&next, "%s%.*s", out, (int)(k < 0 ? literal : strlen (value)), value);
      free (out);
      out = next;
      p += k < 0 ? literal : strlen (placeholders[k]);
    }
  return out;
}

static int
validate_placeholders (const struct hr_json *list, const char *where, hr_error_t *err)
{
  for (size_t i = 0; i < list->len; i++)
    for (const char *p = strchr (list->items[i]->text, '{'); p; p = strchr (p + 1, '{'))
      if (placeholder_at (p) < 0)
        return hr_error_set (err, 0,
                             "%s: \"%s\" has an unknown placeholder (known: {id}, {sandbox_id}, {pod_uid}, "
                             "{joined_id})",
                             where, list->items[i]->text);
  return 0;
}

static int
validate (const struct hr_json *s, hr_error_t *err)
{
  for (size_t i = 0; i < s->len; i++)
    {
      const char *key = s->members[i].key;
      if (strcmp (key, "types") == 0)
        continue;
      if (hr_validate_absolute_paths (s->members[i].value, key, err) < 0
          || validate_placeholders (s->members[i].value, key, err) < 0)
        return -1;
    }
  return 0;
}

enum match
{
  MATCH_NONE,
  MATCH_ANY,   /* a pattern without placeholder: allowed, not the container's own */
  MATCH_OWNED, /* a pattern naming this container: its own */
};

/* The container joins namespaces of the live container `id` by path: all
 * of those it joins (a CRI app container joins its sandbox's ipc, uts,
 * network and pid namespaces), or with any_one at least one of them
 * (docker's --network container:X). */
static bool
joins_container (struct hr_rule_ctx *ctx, const char *id, bool any_one)
{
  static const char *const shared[] = { "ipc", "uts", "network", "pid", NULL };
  struct hr_json *namespaces = NULL;
  size_t joined = 0, others = 0;

  if (ctx->host->namespace_of_container == NULL || hr_spec_namespaces (ctx->doc, &namespaces, NULL) < 0)
    return false;
  for (size_t i = 0; shared[i]; i++)
    {
      const struct hr_json *ns = hr_namespace_find (namespaces, shared[i]);
      const struct hr_json *path = ns ? hr_json_get_value (ns, "path") : NULL;

      if (!hr_json_is_string (path) || path->text[0] == '\0')
        continue;
      if (ctx->host->namespace_of_container (ctx->host, id, shared[i], path->text))
        joined++;
      else
        others++;
    }
  return joined > 0 && (any_one || others == 0);
}

/* The path component where a pattern has {joined_id} (a whole component),
 * when the container really joins that live container; else NULL. */
static char *
joined_candidate (const struct owner *o, const char *pattern, const char *path)
{
  const char *at = strstr (pattern, placeholders[JOINED_PLACEHOLDER]);
  const char *p = path;
  size_t depth = 0;
  char *id;

  if (at == NULL || at == pattern || at[-1] != '/')
    return NULL;
  for (const char *c = pattern; c < at; c++)
    depth += *c == '/';
  for (; depth > 0 && p; depth--)
    p = strchr (p, '/') ? strchr (p, '/') + 1 : NULL;
  if (p == NULL)
    return NULL;
  id = xstrndup (p, strcspn (p, "/"));
  if (!valid_value (id) || hr_streq (id, o->id) || !joins_container (o->ctx, id, true))
    return free (id), NULL;
  return id;
}

/* How path, or one of its parents, matches the patterns; *matched (when
 * not NULL) gets the length of the part that matched. */
static enum match
pattern_match (const struct hr_json *patterns, const struct owner *o, const char *path, size_t *matched)
{
  cleanup_free char *prefix = xstrdup (path);
  enum match best = MATCH_NONE;

  for (;;)
    {
      char *slash;
      for (size_t i = 0; i < patterns->len; i++)
        {
          struct owner with = *o;
          cleanup_free char *joined = joined_candidate (o, patterns->items[i]->text, prefix);
          bool named;
          cleanup_free char *p = NULL;

          with.joined_id = joined;
          p = expand (patterns->items[i]->text, &with, &named);
          if (p && fnmatch (p, prefix, FNM_PATHNAME) == 0 && best != MATCH_OWNED)
            best = named ? MATCH_OWNED : MATCH_ANY;
        }
      slash = strrchr (prefix, '/');
      if (matched)
        *matched = strlen (prefix);
      if (best != MATCH_NONE || slash == NULL || slash == prefix)
        return best;
      *slash = '\0';
    }
}

/* path is the sensitive path s, lies below it, or is a parent of it.  "/"
 * itself is only hit by a bind of the whole root: everything lies below it. */
static bool
related (const char *path, const char *s)
{
  if (strcmp (s, "/") == 0)
    return strcmp (path, "/") == 0;
  return hr_path_is_under (path, s) || hr_path_is_under (s, path);
}

/* The sensitive path `path` touches, or NULL.  Sensitive entries are also
 * compared in their resolved form (/var/run is a link to /run here). */
static const char *
sensitive_match (struct hr_rule_ctx *ctx, const char *path)
{
  const struct hr_json *paths = hr_setting_get (ctx, "paths");

  for (size_t i = 0; i < paths->len; i++)
    {
      const char *s = paths->items[i]->text;
      cleanup_free char *resolved = ctx->host->resolve_path (ctx->host, s);

      if (related (path, s) || (resolved && related (path, resolved)))
        return s;
    }
  return NULL;
}

/* The sensitive path a host path (absolute, clean) exposes, NULL when none
 * or when an exception of `key` covers it; *owned tells that it is the
 * container's own. */
static const char *
path_violation (struct hr_rule_ctx *ctx, const struct owner *o, const char *key, const char *path, bool *owned)
{
  enum match m = pattern_match (hr_setting_get (ctx, key), o, path, NULL);

  *owned = m == MATCH_OWNED;
  return m == MATCH_NONE ? sensitive_match (ctx, path) : NULL;
}

/* The annotation `key` as Go decodes a map: keys exact, the last wins. */
static const char *
annotation (const struct hr_json *spec, const char *key)
{
  const struct hr_json *a = hr_json_get_value (spec, "annotations");
  const char *value = NULL;

  for (size_t i = 0; a && a->type == HR_JSON_OBJECT && i < a->len; i++)
    if (strcmp (a->members[i].key, key) == 0)
      value = hr_json_is_string (a->members[i].value) ? a->members[i].value->text : NULL;
  return value;
}

/* Who the container is: its id, and its pod when it is really in one. */
static struct owner
find_owner (struct hr_rule_ctx *ctx)
{
  struct owner o = { .ctx = ctx, .id = ctx->host->container_id };
  const char *sandbox = annotation (ctx->doc, ANNOTATION_SANDBOX_ID);
  const char *uid = annotation (ctx->doc, ANNOTATION_POD_UID);
  cleanup_free char *recorded = NULL;

  if (!valid_value (o.id) || !valid_value (sandbox))
    return o;
  if (strcmp (sandbox, o.id) == 0) /* the sandbox itself */
    {
      o.sandbox_id = sandbox;
      o.pod_uid = uid;
      return o;
    }
  if (!joins_container (ctx, sandbox, false))
    return o;
  o.sandbox_id = sandbox;
  /* the pod's uid is the one its sandbox was created with */
  recorded = ctx->host->container_annotation ? ctx->host->container_annotation (ctx->host, sandbox, ANNOTATION_POD_UID)
                                             : NULL;
  if (uid && recorded && strcmp (uid, recorded) == 0)
    o.pod_uid = uid;
  return o;
}

void
hr_mount_fact_clear (struct hr_mount_fact *fact)
{
  free (fact->fstype);
  free (fact->root);
  free (fact->device);
  hr_strv_clear (&fact->host_paths);
  memset (fact, 0, sizeof *fact);
}

static void
mount_fact_freep (struct hr_mount_fact *f)
{
  hr_mount_fact_clear (f);
}

/* The refusal of `volume` (a path at or below a named volume) for what the
 * mount at `at` is, when `at` is a mount point (*mounted is then set): a
 * kernel filesystem, or a mount of a host path (`rest` appended) that is
 * sensitive.  NULL when fine. */
static char *
mount_violation (struct hr_rule_ctx *ctx, const struct owner *o, const char *volume, const char *at, const char *rest,
                 const char *dest, bool *mounted)
{
  __attribute__ ((cleanup (mount_fact_freep))) struct hr_mount_fact fact = { 0 };
  hr_error_t err = NULL;
  char *msg = NULL;

  if (ctx->host->mount_fact && ctx->host->mount_fact (ctx->host, at, &fact, &err) < 0)
    {
      xasprintf (&msg, "volume \"%s\" at \"%s\" cannot be inspected: %s", volume, dest, err->msg);
      hr_error_free (&err);
      return msg;
    }
  if (!fact.mount_point)
    return NULL;
  *mounted = true;
  for (size_t i = 0; kernel_fstypes[i]; i++)
    if (hr_streq (fact.fstype, kernel_fstypes[i]))
      {
        xasprintf (&msg, "volume \"%s\" at \"%s\" is a %s filesystem", volume, dest, fact.fstype);
        return msg;
      }
  for (size_t i = 0; i < fact.host_paths.len; i++)
    {
      cleanup_free char *joined = NULL;
      cleanup_free char *real = NULL;
      const char *hit;
      bool unused;

      xasprintf (&joined, "%s/%s", fact.host_paths.items[i], rest);
      real = hr_path_clean (joined);
      hit = path_violation (ctx, o, "exceptions", real, &unused);
      if (hit)
        {
          xasprintf (&msg,
                     "volume \"%s\" at \"%s\" is a mount of the host path \"%s\", which exposes the sensitive host "
                     "path \"%s\"",
                     volume, dest, real, hit);
          return msg;
        }
    }
  return NULL;
}

/* A path at or below a named volume (its first root_len characters),
 * judged by what the volume's directory and the path really are: a plain
 * directory is the container's own; a mount is judged by the host paths
 * where the same directory is visible (a bind volume of /etc is a bind of
 * /etc) and by its filesystem.  Returns the refusal, or NULL. */
static char *
volume_violation (struct hr_rule_ctx *ctx, const struct owner *o, const char *path, size_t root_len, const char *dest,
                  bool *owned)
{
  cleanup_free char *root = xstrndup (path, root_len);
  bool mounted = false;
  char *msg = mount_violation (ctx, o, path, root, path + root_len, dest, &mounted);

  if (msg == NULL && path[root_len] != '\0')
    msg = mount_violation (ctx, o, path, path, "", dest, &mounted);
  *owned = msg == NULL && !mounted;
  return msg;
}

/* The refusal of a bind (NULL when allowed); *owned tells that its source is
 * the container's own, *shared_volume (owned, or NULL) the root of the named
 * volume it lies in when any container may bind that volume. */
static char *
bind_violation (struct hr_rule_ctx *ctx, const struct owner *o, const char *source, const char *dest, bool *owned,
                char **shared_volume)
{
  cleanup_free char *clean = source[0] == '/' ? hr_path_clean (source) : NULL;
  cleanup_free char *resolved = ctx->host->resolve_path (ctx->host, source);
  const char *hit = NULL;
  bool clean_owned;
  size_t root_len;
  enum match volume;
  char *msg = NULL;

  *owned = false;
  *shared_volume = NULL;
  if (resolved && resolved[0] != '/')
    resolved = (free (resolved), NULL);
  if (clean == NULL && resolved == NULL)
    {
      xasprintf (&msg, "bind mount with relative source \"%s\" at \"%s\" does not resolve in the bundle", source, dest);
      return msg;
    }
  volume = resolved ? pattern_match (hr_setting_get (ctx, "volumes"), o, resolved, &root_len) : MATCH_NONE;
  if (volume != MATCH_NONE)
    {
      msg = volume_violation (ctx, o, resolved, root_len, dest, owned);
      /* a pattern without a placeholder names volumes of no one container */
      if (*owned && volume == MATCH_ANY)
        *shared_volume = xstrndup (resolved, root_len);
      return msg;
    }
  if (clean)
    hit = path_violation (ctx, o, "exceptions", clean, &clean_owned);
  /* own only through the object it resolves to */
  if (hit == NULL && resolved)
    hit = path_violation (ctx, o, "exceptions", resolved, owned);
  if (hit)
    xasprintf (&msg, "bind mount of \"%s\" at \"%s\" exposes the sensitive host path \"%s\"", source, dest, hit);
  return msg;
}

/* Records that the bind of source is the container's own (and, with
 * shared_volume, a shared volume's), once. */
static void
record_own_bind (struct hr_host_needs *needs, const char *source, char *shared_volume)
{
  if (hr_strv_contains (&needs->own_binds, source))
    return free (shared_volume);
  hr_strv_push (&needs->own_binds, source);
  if (shared_volume == NULL)
    return;
  hr_strv_push (&needs->shared_volume_sources, source);
  hr_strv_push_take (&needs->shared_volume_roots, shared_volume);
}

static int
check_mount (struct hr_rule_ctx *ctx, const struct owner *o, struct hr_json *mounts, size_t i, hr_error_t *err)
{
  struct hr_json *m = mounts->items[i];
  const char *type, *source, *dest;
  cleanup_free char *refusal = NULL;
  cleanup_free char *shared_volume = NULL;
  struct hr_json *options;
  bool owned;

  if (hr_entry_string (m, "type", "mounts", &type, err) < 0 || hr_entry_string (m, "source", "mounts", &source, err) < 0
      || hr_entry_string (m, "destination", "mounts", &dest, err) < 0 || hr_mount_options (m, &options, err) < 0)
    return -1;
  if (!hr_mount_is_bind (m))
    {
      if (!hr_json_strings_contain (hr_setting_get (ctx, "types"), type)
          && hr_finding (ctx, "mount of type \"%s\" from \"%s\" at \"%s\" is not allowed", type, source, dest))
        hr_json_remove_at (mounts, i);
      return 0;
    }
  refusal = bind_violation (ctx, o, source, dest, &owned, &shared_volume);
  if (refusal == NULL)
    {
      if (owned)
        record_own_bind (&ctx->result->needs, source, hr_steal_pointer (&shared_volume));
      return 0;
    }
  if (hr_finding (ctx, "%s", refusal))
    hr_json_remove_at (mounts, i);
  return 0;
}

/* The rootfs is judged like a bind source, except the engines' image
 * stores: it must not be, lie inside, or contain a sensitive path. */
static int
check_root (struct hr_rule_ctx *ctx, const struct owner *o, hr_error_t *err)
{
  struct hr_json *root = hr_json_get_value (ctx->doc, "root");
  const char *path = NULL, *hit = NULL;
  cleanup_free char *resolved = NULL;
  cleanup_free char *clean = NULL;
  bool owned;

  if (hr_json_read_string (root, "path", "root", &path, err) < 0)
    return -1;
  if (path == NULL)
    return 0;
  resolved = ctx->host->resolve_path (ctx->host, path);
  if (path[0] == '/')
    {
      clean = hr_path_clean (path);
      hit = path_violation (ctx, o, "rootfs_exceptions", clean, &owned);
    }
  if (hit == NULL && resolved && resolved[0] == '/')
    hit = path_violation (ctx, o, "rootfs_exceptions", resolved, &owned);
  if (hit)
    hr_violation (ctx, "root filesystem \"%s\" exposes the sensitive host path \"%s\"", path, hit);
  return 0;
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct owner o = find_owner (ctx);
  struct hr_json *mounts;

  if (check_root (ctx, &o, err) < 0 || hr_spec_mounts (ctx->doc, &mounts, err) < 0)
    return -1;
  for (size_t i = mounts ? mounts->len : 0; i-- > 0;)
    if (check_mount (ctx, &o, mounts, i, err) < 0)
      return -1;
  return 0;
}

const struct hr_rule_def hr_rule_sensitive_mounts = {
  .name = "sensitive_mounts",
  .settings = settings,
  .validate = validate,
  .apply_spec = apply_spec,
};
