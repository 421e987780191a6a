/* SPDX-License-Identifier: Apache-2.0 */
/* The id-range allocator.  State: HR_STATE_DIR/ids/SLOT, one small file per
 * container that holds host ids (its runtime root, id, allocating process
 * and the uids and gids it holds: its own fresh range, or the range of the
 * container whose user namespace it joined); HR_STATE_DIR/stage/SLOT its
 * staging mounts.  Every change happens under an flock on
 * HR_STATE_DIR/ids.lock, which also holds where the next search starts.
 *
 * A range is free only when no live entry holds any of its ids and no live
 * process sits in a user namespace that maps them: a new range is checked
 * against all of these, whatever the pool or profile that sized them.  An
 * entry lives while its allocating process runs (create in progress) or
 * while its container's init runs (runc's state.json under the runtime root
 * normalized as runc normalizes it: the init pid and its start time). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "idrange.h"
#include "runc_state.h"

#define IDS_DIR HR_STATE_DIR "/ids"
#define STAGE_DIR HR_STAGE_DIR
#define LOCK_FILE HR_STATE_DIR "/ids.lock"
#define SUBUID "/etc/subuid"
#define SUBGID "/etc/subgid"
#define SUBID_OWNER "hardrun"

bool
hr_container_id_valid (const char *id)
{
  if (id == NULL || *id == '\0' || strcmp (id, ".") == 0 || strcmp (id, "..") == 0 || strlen (id) > 1000)
    return false;
  for (const char *p = id; *p; p++)
    if (!isalnum ((unsigned char)*p) && strchr ("_+-.", *p) == NULL)
      return false;
  return true;
}

/* ---- spans of host ids (pure) ---- */

void
hr_id_spans_add (struct hr_id_spans *spans, uint64_t first, uint64_t count, const char *owner)
{
  if (count == 0)
    return;
  for (size_t i = 0; i < spans->len; i++)
    if (spans->items[i].first == first && spans->items[i].count == count)
      return; /* the same namespace seen through another process */
  if (spans->len == spans->cap)
    {
      spans->cap = spans->cap ? spans->cap * 2 : 16;
      spans->items = xrealloc (spans->items, spans->cap * sizeof *spans->items);
    }
  spans->items[spans->len++] = (struct hr_id_span){ first, count, xstrdup (owner) };
}

void
hr_id_spans_clear (struct hr_id_spans *spans)
{
  for (size_t i = 0; i < spans->len; i++)
    free (spans->items[i].owner);
  free (spans->items);
  memset (spans, 0, sizeof *spans);
}

const struct hr_id_span *
hr_id_spans_overlap (const struct hr_id_spans *spans, uint64_t first, uint64_t count)
{
  for (size_t i = 0; i < spans->len; i++)
    {
      const struct hr_id_span *s = &spans->items[i];
      if (first < s->first + s->count && s->first < first + count)
        return s;
    }
  return NULL;
}

void
hr_subid_parse (const char *text, const char *self, bool *found, uint64_t *start, uint64_t *count,
                struct hr_id_spans *others)
{
  *found = false;
  while (text && *text)
    {
      const char *end = strchrnul (text, '\n');
      cleanup_free char *line = xstrndup (text, (size_t)(end - text));
      char *c1 = strchr (line, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL, *tail;
      unsigned long long s, n;

      text = *end ? end + 1 : end;
      if (line[0] == '#' || c2 == NULL)
        continue;
      *c1 = *c2 = '\0';
      errno = 0;
      s = strtoull (c1 + 1, &tail, 10);
      if (errno || *tail || c1[1] == '\0' || c1[1] == '-')
        continue;
      n = strtoull (c2 + 1, &tail, 10);
      if (errno || *tail || c2[1] == '\0' || c2[1] == '-')
        continue;
      if (strcmp (line, self) == 0 && !*found)
        *found = true, *start = s, *count = n;
      else if (strcmp (line, self) != 0)
        {
          cleanup_free char *owner = NULL;
          xasprintf (&owner, "user \"%s\" (%llu-%llu)", line, s, s + n - 1);
          hr_id_spans_add (others, s, n, owner);
        }
    }
}

void
hr_id_spans_add_reserved (struct hr_id_spans *spans)
{
  /* systemd's UIDS-GIDS.md */
  hr_id_spans_add (spans, 61184, 65519 - 61184 + 1, "systemd's dynamic users (61184-65519)");
  hr_id_spans_add (spans, 524288, 1879048191 - 524288 + 1, "systemd-nspawn --private-users=pick (524288-1879048191)");
}

static uint64_t
pool_length (const struct hr_id_pool *pool)
{
  return pool->length ? pool->length : (uint64_t)pool->count * pool->size;
}

static bool
offset_fits (const struct hr_id_pool *pool, const struct hr_id_spans *uids, const struct hr_id_spans *gids, uint64_t o)
{
  return o + pool->size <= pool_length (pool) && !hr_id_spans_overlap (uids, pool->uid_base + o, pool->size)
         && !hr_id_spans_overlap (gids, pool->gid_base + o, pool->size);
}

/* The lowest fitting offset at or after `from` is `from` itself or right
 * after the end of some busy span: only those are tried. */
static void
try_span_ends (const struct hr_id_pool *pool, const struct hr_id_spans *uids, const struct hr_id_spans *gids,
               const struct hr_id_spans *spans, uint32_t base, uint64_t cursor, uint64_t best[2])
{
  for (size_t i = 0; i < spans->len; i++)
    {
      uint64_t end = spans->items[i].first + spans->items[i].count;
      uint64_t o = end - base;
      int after;

      if (end < base || !offset_fits (pool, uids, gids, o))
        continue;
      after = o >= cursor ? 0 : 1;
      if (o < best[after])
        best[after] = o;
    }
}

int
hr_id_range_fit (const struct hr_id_pool *pool, const struct hr_id_spans *uids, const struct hr_id_spans *gids,
                 uint64_t cursor, uint64_t *offset)
{
  /* best[0]: lowest at or after the cursor; best[1]: lowest before it */
  uint64_t best[2] = { UINT64_MAX, UINT64_MAX };
  const uint64_t starts[] = { 0, cursor };

  if (pool->size == 0)
    return -1;
  for (size_t i = 0; i < HR_ARRAY_SIZE (starts); i++)
    if (offset_fits (pool, uids, gids, starts[i]))
      {
        int after = starts[i] >= cursor ? 0 : 1;
        if (starts[i] < best[after])
          best[after] = starts[i];
      }
  try_span_ends (pool, uids, gids, uids, pool->uid_base, cursor, best);
  try_span_ends (pool, uids, gids, gids, pool->gid_base, cursor, best);
  *offset = best[0] != UINT64_MAX ? best[0] : best[1];
  return *offset == UINT64_MAX ? -1 : 0;
}

/* ---- the pool ---- */

/* The other owners of /etc/subuid (or subgid) and systemd's ranges; the
 * hardrun entry when there is one. */
static void
read_delegations (const char *path, bool *found, uint64_t *start, uint64_t *count, struct hr_id_spans *others)
{
  cleanup_free char *text = NULL;
  hr_error_t err = NULL;
  size_t len;

  *found = false;
  if (hr_read_small_file (path, 16u << 20, &text, &len, &err) < 0)
    hr_error_free (&err); /* no file: nothing delegated */
  else
    hr_subid_parse (text, SUBID_OWNER, found, start, count, others);
  hr_id_spans_add_reserved (others);
}

static int64_t
setting_int (const struct hr_rule_config *rule, const char *key)
{
  int64_t v = 0;
  for (size_t i = 0; i < rule->settings->len; i++)
    if (strcmp (rule->settings->members[i].key, key) == 0)
      hr_json_number_to_int64 (rule->settings->members[i].value, &v);
  return v;
}

/* The hardrun entry of `path` must be nobody else's too. */
static int
check_delegation (const char *path, uint64_t start, uint64_t count, const struct hr_id_spans *others, hr_error_t *err)
{
  const struct hr_id_span *clash = hr_id_spans_overlap (others, start, count);

  if (clash == NULL)
    return 0;
  return hr_error_set (err, 0, "the hardrun entry of %s (%" PRIu64 "-%" PRIu64 ") overlaps the ids of %s", path, start,
                       start + count - 1, clash->owner);
}

int
hr_id_pool_load (const struct hr_profile *profile, struct hr_id_pool *pool, hr_error_t *err)
{
  const struct hr_rule_config *rule = hr_profile_rule (profile, "user_namespace");
  struct hr_id_spans uid_others = { 0 }, gid_others = { 0 };
  uint64_t us = 0, uc = 0, gs = 0, gc = 0;
  bool has_uid, has_gid;
  int ret = 0;

  memset (pool, 0, sizeof *pool);
  pool->size = (uint32_t)setting_int (rule, "size");
  read_delegations (SUBUID, &has_uid, &us, &uc, &uid_others);
  read_delegations (SUBGID, &has_gid, &gs, &gc, &gid_others);
  if (has_uid && has_gid)
    {
      uint64_t length = uc < gc ? uc : gc;
      if (us == 0 || gs == 0 || length < pool->size || us + uc > UINT32_MAX || gs + gc > UINT32_MAX)
        ret = hr_error_set (err, 0,
                            "the hardrun entries of /etc/subuid and /etc/subgid must start above 0 and hold "
                            "at least %" PRIu32 " ids",
                            pool->size);
      else if (check_delegation (SUBUID, us, uc, &uid_others, err) < 0
               || check_delegation (SUBGID, gs, gc, &gid_others, err) < 0)
        ret = -1;
      else
        *pool = (struct hr_id_pool){ (uint32_t)us, (uint32_t)gs, pool->size, (uint32_t)(length / pool->size),
                                     SUBUID,       length };
    }
  else
    {
      pool->uid_base = (uint32_t)setting_int (rule, "host_uid");
      pool->gid_base = (uint32_t)setting_int (rule, "host_gid");
      pool->count = (uint32_t)setting_int (rule, "ranges");
      pool->source = "policy";
    }
  hr_id_spans_clear (&uid_others);
  hr_id_spans_clear (&gid_others);
  return ret;
}

/* ---- state on disk ---- */

struct entry
{
  int slot;
  char *root; /* normalized runtime root, owned */
  char id[1024];
  long pid;
  unsigned long long start;
  uint64_t uid, uid_count, gid, gid_count; /* counts 0: no ids held */
  char kind[8];                            /* "own", "join" or "stage" */
};

static void
entry_clear (struct entry *e)
{
  free (e->root);
  e->root = NULL;
}

static int
ensure_dirs (hr_error_t *err)
{
  /* the state root and the staging root stay traversable (a container's
   * mapped root must reach its staged rootfs); the allocator's own state is
   * root's alone */
  static const struct
  {
    const char *path;
    mode_t mode;
  } dirs[] = { { HR_STATE_DIR, 0711 }, { IDS_DIR, 0700 }, { STAGE_DIR, 0711 } };

  for (size_t i = 0; i < HR_ARRAY_SIZE (dirs); i++)
    if (hr_make_dir (dirs[i].path, dirs[i].mode, err) < 0)
      return -1;
  if (chmod (IDS_DIR, 0700) < 0) /* made 0711 by older versions */
    return hr_error_set (err, errno, "cannot restrict %s", IDS_DIR);
  return 0;
}

int
hr_state_lock (hr_error_t *err)
{
  int fd;

  if (ensure_dirs (err) < 0)
    return -1;
  fd = open (LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return hr_error_set (err, errno, "cannot open %s", LOCK_FILE);
  if (flock (fd, LOCK_EX) < 0)
    return close (fd), hr_error_set (err, errno, "cannot lock %s", LOCK_FILE);
  return fd;
}

/* A file under /proc, whatever its announced size. */
static char *
read_proc_text (const char *path)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  char buf[4096];
  ssize_t n;

  if (fd < 0)
    return NULL;
  n = read (fd, buf, sizeof buf - 1);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  return xstrdup (buf);
}

static bool
entry_lives (const struct entry *e)
{
  return hr_process_is (e->pid, e->start) || hr_runc_container_alive (e->root, e->id);
}

static void
entry_path (int slot, char *path, size_t size)
{
  snprintf (path, size, IDS_DIR "/%d", slot);
}

/* "ROOT\nID\nPID START\nUID UIDS GID GIDS KIND\n" (the first two lines as
 * before ranges were recorded, which the end-to-end tests read). */
static int
read_entry (int slot, struct entry *e)
{
  char path[64];
  cleanup_free char *text = NULL;
  hr_error_t err = NULL;
  const char *nl;
  size_t len;
  int n = 0;

  memset (e, 0, sizeof *e);
  entry_path (slot, path, sizeof path);
  if (hr_read_small_file (path, 64u << 10, &text, &len, &err) < 0)
    return hr_error_free (&err), -1;
  nl = strchr (text, '\n');
  if (nl == NULL
      || sscanf (nl + 1, "%1023[^\n]\n%ld %llu\n%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %7s\n%n", e->id,
                 &e->pid, &e->start, &e->uid, &e->uid_count, &e->gid, &e->gid_count, e->kind, &n)
             != 8
      || n == 0 || nl[1 + n] != '\0')
    return -1;
  e->slot = slot;
  e->root = xstrndup (text, (size_t)(nl - text));
  return 0;
}

/* dir/name written whole, root's alone (0600), through a temporary file
 * renamed over it. */
static int
write_state_file (const char *dir, const char *name, const char *text, hr_error_t *err)
{
  cleanup_close int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat mode = { .st_mode = S_IFREG | 0600, .st_uid = 0, .st_gid = 0 };

  if (dirfd < 0)
    return hr_error_set (err, errno, "cannot open %s", dir);
  return hr_file_replace (dirfd, name, text, strlen (text), &mode, HR_FILE_VOLATILE, err);
}

static int
write_entry (const struct entry *e, hr_error_t *err)
{
  char name[32];
  cleanup_free char *text = NULL;

  snprintf (name, sizeof name, "%d", e->slot);
  xasprintf (&text, "%s\n%s\n%ld %llu\n%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n", e->root, e->id, e->pid,
             e->start, e->uid, e->uid_count, e->gid, e->gid_count, e->kind);
  return write_state_file (IDS_DIR, name, text, err);
}

static char *
stage_path (int slot)
{
  char *p;
  xasprintf (&p, STAGE_DIR "/%d", slot);
  return p;
}

static void
free_slot (int slot)
{
  cleanup_free char *stage = stage_path (slot);
  char path[64];
  hr_error_t err = NULL;

  hr_stage_remove (stage, &err);
  hr_error_free (&err);
  entry_path (slot, path, sizeof path);
  unlink (path);
}

/* What the entries say, once the stale ones are gone. */
struct scan
{
  const char *root, *id;   /* the container asked about */
  struct entry mine;       /* its entry, when found (slot -1 otherwise) */
  const char *owner_id;    /* a container whose range is wanted */
  struct entry owner;      /* its live entry (slot -1 otherwise) */
  struct hr_id_spans uids; /* ids live entries hold */
  struct hr_id_spans gids;
  size_t live;
};

static void
scan_clear (struct scan *s)
{
  entry_clear (&s->mine);
  entry_clear (&s->owner);
  hr_id_spans_clear (&s->uids);
  hr_id_spans_clear (&s->gids);
}

static void
keep_entry (struct scan *s, struct entry *e)
{
  cleanup_free char *who = NULL;
  bool same_root = s->root && strcmp (e->root, s->root) == 0;

  xasprintf (&who, "the live container %s", e->id);
  hr_id_spans_add (&s->uids, e->uid, e->uid_count, who);
  hr_id_spans_add (&s->gids, e->gid, e->gid_count, who);
  s->live++;
  if (same_root && s->id && strcmp (e->id, s->id) == 0 && s->mine.slot < 0)
    s->mine = *e, e->root = NULL;
  else if (same_root && s->owner_id && strcmp (e->id, s->owner_id) == 0 && e->uid_count > 0 && s->owner.slot < 0)
    s->owner = *e, e->root = NULL;
}

/* Reads every entry; frees the stale ones, except the asked-about
 * container's when keep_mine (release decides about that one itself). */
static void
scan_entries (struct scan *s, bool keep_mine)
{
  DIR *d = opendir (IDS_DIR);
  struct dirent *de;

  s->mine.slot = s->owner.slot = -1;
  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      struct entry e;
      char *end;
      long slot = strtol (de->d_name, &end, 10);

      /* unreadable entries are left alone: only hardrun writes here */
      if (!isdigit ((unsigned char)de->d_name[0]) || *end != '\0' || slot > INT32_MAX || read_entry ((int)slot, &e) < 0)
        continue;
      if (entry_lives (&e) || (keep_mine && s->root && strcmp (e.root, s->root) == 0 && strcmp (e.id, s->id) == 0))
        keep_entry (s, &e);
      else
        free_slot (e.slot);
      entry_clear (&e);
    }
  closedir (d);
}

/* "0 100000 65536" lines: the host ids a user namespace maps (the initial
 * namespace's identity map excepted). */
static void
add_map_spans (const char *text, long pid, struct hr_id_spans *spans)
{
  unsigned long long inside, outside, count;
  int used;

  while (text && sscanf (text, "%llu %llu %llu%n", &inside, &outside, &count, &used) == 3)
    {
      if (!(inside == 0 && outside == 0 && count == 4294967295ULL))
        {
          cleanup_free char *who = NULL;
          xasprintf (&who, "a live user namespace (process %ld)", pid);
          hr_id_spans_add (spans, outside, count, who);
        }
      text = strchr (text + used, '\n');
      text = text ? text + 1 : NULL;
    }
}

/* The user namespaces already judged in one scan, by inode: the initial
 * one and every one whose ids are counted.  Most processes share a handful
 * of namespaces, and reading ns/user costs a third of reading uid_map. */
struct seen_namespaces
{
  ino_t *inodes;
  size_t len, cap;
};

static bool
namespace_seen (const struct seen_namespaces *seen, ino_t inode)
{
  for (size_t i = 0; i < seen->len; i++)
    if (seen->inodes[i] == inode)
      return true;
  return false;
}

static void
namespace_mark (struct seen_namespaces *seen, ino_t inode)
{
  if (seen->len == seen->cap)
    seen->inodes = xrealloc (seen->inodes, (seen->cap = seen->cap ? seen->cap * 2 : 16) * sizeof *seen->inodes);
  seen->inodes[seen->len++] = inode;
}

/* The ids process pid's user namespace maps, added; false when that says
 * nothing of the namespace (the process is gone, or a zombie, which will
 * never run again and may never be reaped where pid 1 does not reap). */
static bool
add_process_namespace (long pid, struct hr_id_spans *uids, struct hr_id_spans *gids)
{
  cleanup_free char *uid_map = NULL, *gid_map = NULL;
  char path[64], state;

  snprintf (path, sizeof path, "/proc/%ld/uid_map", pid);
  uid_map = read_proc_text (path);
  if (uid_map == NULL)
    return false;
  if (strcmp (uid_map, "         0          0 4294967295\n") == 0)
    return true; /* the initial namespace maps no range */
  if (hr_process_start_time (pid, &state) == 0 || state == 'Z' || state == 'X')
    return false;
  snprintf (path, sizeof path, "/proc/%ld/gid_map", pid);
  gid_map = read_proc_text (path);
  add_map_spans (uid_map, pid, uids);
  add_map_spans (gid_map, pid, gids);
  return true;
}

/* The inode of process pid's user namespace, from its ns/user link's text
 * ("user:[4026531837]"): reading the link costs a third less than a stat,
 * which makes the namespace's nsfs entry, and a create reads every
 * process's. */
static bool
namespace_inode (int procfd, long pid, ino_t *inode)
{
  char path[64], link[64], *end;
  ssize_t n;

  snprintf (path, sizeof path, "%ld/ns/user", pid);
  n = readlinkat (procfd, path, link, sizeof link - 1);
  if (n < 0)
    return false;
  link[n] = '\0';
  if (strncmp (link, "user:[", 6) != 0 || !isdigit ((unsigned char)link[6]))
    return false;
  *inode = (ino_t)strtoull (link + 6, &end, 10);
  return strcmp (end, "]") == 0;
}

/* Every id a live process's user namespace maps: a range stays taken until
 * the last process in its namespace is gone, whatever the entries say (a
 * container that joined without telling, an exec that outlived init). */
static void
scan_user_namespaces (struct hr_id_spans *uids, struct hr_id_spans *gids)
{
  DIR *d = opendir ("/proc");
  struct seen_namespaces seen = { 0 };
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      ino_t inode;
      bool known;
      long pid;

      if (!isdigit ((unsigned char)de->d_name[0]))
        continue;
      pid = strtol (de->d_name, NULL, 10);
      /* without the inode (a kernel without it, a process going away) the
       * process is judged on its own */
      known = namespace_inode (dirfd (d), pid, &inode);
      if (known && namespace_seen (&seen, inode))
        continue;
      if (add_process_namespace (pid, uids, gids) && known)
        namespace_mark (&seen, inode);
    }
  free (seen.inodes);
  closedir (d);
}

/* The lowest entry number no file uses. */
static int
free_slot_number (void)
{
  char path[64];

  for (int slot = 0;; slot++)
    {
      entry_path (slot, path, sizeof path);
      if (access (path, F_OK) < 0 && errno == ENOENT)
        return slot;
    }
}

static int
record_entry (struct entry *e, const char *root, const char *id, const char *kind, struct hr_allocation *out,
              hr_error_t *err)
{
  e->slot = free_slot_number ();
  e->root = (char *)root;
  snprintf (e->id, sizeof e->id, "%s", id);
  snprintf (e->kind, sizeof e->kind, "%s", kind);
  e->pid = getpid ();
  e->start = hr_self_start_time ();
  if (write_entry (e, err) < 0)
    return -1;
  out->slot = e->slot;
  out->map = (struct hr_id_map){ .host_uid = (uint32_t)e->uid,
                                 .host_gid = (uint32_t)e->gid,
                                 .size = (uint32_t)e->uid_count };
  out->stage_dir = stage_path (e->slot);
  return 0;
}

/* Locks the state, normalizes the root, drops stale entries and refuses a
 * second entry for the same container. */
static int
begin (const char *runtime_root, const char *id, struct scan *s, char **root, hr_error_t *err)
{
  int lock;

  if (!hr_container_id_valid (id))
    return hr_error_set (err, 0, "invalid container id \"%s\"", id ? id : "");
  *root = hr_cli_state_root (runtime_root, err);
  if (*root == NULL)
    return -1;
  /* runc would take it, but the state records one root a line */
  if (strchr (*root, '\n'))
    return hr_error_set (err, 0, "the runtime root \"%s\" contains a newline", *root);
  lock = hr_state_lock (err);
  if (lock < 0)
    return -1;
  s->root = *root;
  s->id = id;
  scan_entries (s, false);
  if (s->mine.slot >= 0)
    return close (lock),
           hr_error_set (err, EEXIST, "container %s already holds an id range (entry %d)", id, s->mine.slot);
  return lock;
}

/* The cursor lives in the lock file, already open and held: no file of its
 * own to open, write aside and rename on every create.  It is written in
 * place at a fixed width, so a shorter number leaves no digits behind. */
static uint64_t
read_cursor (int lock)
{
  char text[32];
  ssize_t n = pread (lock, text, sizeof text - 1, 0);

  if (n <= 0)
    return 0;
  text[n] = '\0';
  return strtoull (text, NULL, 10);
}

static void
write_cursor (int lock, uint64_t next_uid)
{
  char text[32];
  int len = snprintf (text, sizeof text, "%020" PRIu64 "\n", next_uid);

  /* a failure only changes the order of reuse */
  if (pwrite (lock, text, (size_t)len, 0) < 0)
    return;
}

/* "no free range ..." naming who holds the pool's ids. */
static int
pool_exhausted (const struct hr_id_pool *pool, const struct scan *s, const struct hr_id_spans *excluded,
                hr_error_t *err)
{
  uint64_t length = pool_length (pool);
  cleanup_free char *owners = xstrdup ("");

  for (size_t i = 0; i < excluded->len; i++)
    {
      const struct hr_id_span *x = &excluded->items[i];
      char *next;
      if (x->first >= pool->uid_base + length || x->first + x->count <= pool->uid_base)
        continue;
      xasprintf (&next, "%s%s%s", owners, *owners ? ", " : "", x->owner);
      free (owners);
      owners = next;
    }
  return hr_error_set (err, ENOSPC,
                       "no free range of %" PRIu32 " ids in host uids %" PRIu32 "-%" PRIu64 " (from %s): %zu held by "
                       "live containers%s%s",
                       pool->size, pool->uid_base, pool->uid_base + length - 1, pool->source, s->live,
                       *owners ? "; delegated or reserved: " : "", owners);
}

int
hr_ids_allocate (const struct hr_id_pool *pool, const char *runtime_root, const char *id, struct hr_allocation *out,
                 hr_error_t *err)
{
  cleanup_free char *root = NULL;
  cleanup_close int lock = -1;
  struct scan s = { 0 };
  struct hr_id_spans uid_excluded = { 0 }, gid_excluded = { 0 };
  struct entry e = { 0 };
  uint64_t cursor, offset, ignored_start, ignored_count;
  bool ignored_found;
  int ret = -1;

  /* The /proc walk (the longest part of an allocation) runs before the
   * lock: a user namespace that appears after it is either one hardrun
   * makes, whose entry is written under the lock before the namespace
   * exists and read below, or one hardrun never knew of, which holding the
   * lock would not keep out either. */
  scan_user_namespaces (&s.uids, &s.gids);
  lock = begin (runtime_root, id, &s, &root, err);
  if (lock < 0)
    goto out;
  read_delegations (SUBUID, &ignored_found, &ignored_start, &ignored_count, &uid_excluded);
  read_delegations (SUBGID, &ignored_found, &ignored_start, &ignored_count, &gid_excluded);
  for (size_t i = 0; i < uid_excluded.len; i++)
    hr_id_spans_add (&s.uids, uid_excluded.items[i].first, uid_excluded.items[i].count, uid_excluded.items[i].owner);
  for (size_t i = 0; i < gid_excluded.len; i++)
    hr_id_spans_add (&s.gids, gid_excluded.items[i].first, gid_excluded.items[i].count, gid_excluded.items[i].owner);
  cursor = read_cursor (lock);
  cursor = cursor >= pool->uid_base ? cursor - pool->uid_base : 0;
  if (hr_id_range_fit (pool, &s.uids, &s.gids, cursor, &offset) < 0)
    {
      pool_exhausted (pool, &s, &uid_excluded, err);
      goto out;
    }
  e = (struct entry){ .uid = pool->uid_base + offset, .gid = pool->gid_base + offset };
  e.uid_count = e.gid_count = pool->size;
  if (record_entry (&e, root, id, "own", out, err) < 0)
    goto out;
  write_cursor (lock, e.uid + pool->size);
  ret = 0;
out:
  scan_clear (&s);
  hr_id_spans_clear (&uid_excluded);
  hr_id_spans_clear (&gid_excluded);
  return ret;
}

int
hr_ids_join (const char *runtime_root, const char *id, const char *owner_id, struct hr_allocation *out, hr_error_t *err)
{
  cleanup_free char *root = NULL;
  cleanup_close int lock = -1;
  struct scan s = { .owner_id = owner_id };
  struct entry e = { 0 };
  int ret = -1;

  lock = begin (runtime_root, id, &s, &root, err);
  if (lock < 0)
    goto out;
  if (s.owner.slot < 0)
    {
      hr_error_set (err, ENOENT, "container %s holds no live id range for %s to join", owner_id ? owner_id : "", id);
      goto out;
    }
  e = (struct entry){
    .uid = s.owner.uid, .uid_count = s.owner.uid_count, .gid = s.owner.gid, .gid_count = s.owner.gid_count
  };
  ret = record_entry (&e, root, id, "join", out, err);
out:
  scan_clear (&s);
  return ret;
}

/* The smallest span covering every line of a /proc/PID/{uid,gid}_map. */
static int
read_covering_span (const char *userns_path, const char *file, uint64_t *first, uint64_t *count, hr_error_t *err)
{
  cleanup_free char *path = NULL, *text = NULL;
  struct hr_id_spans spans = { 0 };
  const char *ns = strstr (userns_path, "/ns/user");
  uint64_t lo = UINT64_MAX, hi = 0;

  if (!hr_has_prefix (userns_path, "/proc/") || ns == NULL || ns[strlen ("/ns/user")] != '\0')
    return hr_error_set (err, 0, "cannot tell the ids of the user namespace %s", userns_path);
  xasprintf (&path, "%.*s/%s", (int)(ns - userns_path), userns_path, file);
  text = read_proc_text (path);
  if (text == NULL)
    return hr_error_set (err, errno, "cannot read %s", path);
  add_map_spans (text, 0, &spans);
  for (size_t i = 0; i < spans.len; i++)
    {
      lo = spans.items[i].first < lo ? spans.items[i].first : lo;
      hi = spans.items[i].first + spans.items[i].count > hi ? spans.items[i].first + spans.items[i].count : hi;
    }
  hr_id_spans_clear (&spans);
  if (lo == UINT64_MAX)
    return hr_error_set (err, 0, "the user namespace %s maps no ids, or all of them", userns_path);
  *first = lo;
  *count = hi - lo;
  return 0;
}

int
hr_ids_join_userns (const char *runtime_root, const char *id, const char *userns_path, struct hr_allocation *out,
                    hr_error_t *err)
{
  cleanup_free char *root = NULL;
  cleanup_close int lock = -1;
  struct scan s = { 0 };
  struct entry e = { 0 };
  int ret = -1;

  lock = begin (runtime_root, id, &s, &root, err);
  if (lock < 0 || read_covering_span (userns_path, "uid_map", &e.uid, &e.uid_count, err) < 0
      || read_covering_span (userns_path, "gid_map", &e.gid, &e.gid_count, err) < 0)
    goto out;
  ret = record_entry (&e, root, id, "join", out, err);
out:
  scan_clear (&s);
  return ret;
}

int
hr_ids_allocate_stage (const char *runtime_root, const char *id, struct hr_allocation *out, hr_error_t *err)
{
  cleanup_free char *root = NULL;
  cleanup_close int lock = -1;
  struct scan s = { 0 };
  struct entry e = { 0 };
  int ret = -1;

  lock = begin (runtime_root, id, &s, &root, err);
  if (lock >= 0)
    ret = record_entry (&e, root, id, "stage", out, err);
  scan_clear (&s);
  return ret;
}

int
hr_ids_release (const char *runtime_root, const char *id, hr_error_t *err)
{
  cleanup_free char *root = NULL;
  cleanup_close int lock = -1;
  struct scan s = { 0 };

  if (!hr_container_id_valid (id) || access (IDS_DIR, F_OK) < 0)
    return 0;
  root = hr_cli_state_root (runtime_root, err);
  if (root == NULL)
    return -1;
  lock = hr_state_lock (err);
  if (lock < 0)
    return -1;
  s.root = root;
  s.id = id;
  scan_entries (&s, true);
  /* Freed once the container's init is gone (after its delete, or when
   * create gave up before the runtime ran), unless another create of the
   * same container is still under way.  A container whose delete failed
   * keeps its range. */
  if (s.mine.slot >= 0 && !hr_runc_container_alive (root, id)
      && (s.mine.pid == getpid () || !hr_process_is (s.mine.pid, s.mine.start)))
    free_slot (s.mine.slot);
  scan_clear (&s);
  return 0;
}

void
hr_allocation_clear (struct hr_allocation *a)
{
  free (a->stage_dir);
  free (a->userns_path);
  a->stage_dir = NULL;
  a->userns_path = NULL;
}

/* ---- for doctor ---- */

void
hr_ids_list (struct hr_ids_entries *out)
{
  DIR *d = opendir (IDS_DIR);
  struct dirent *de;

  memset (out, 0, sizeof *out);
  while (d && (de = readdir (d)) != NULL)
    {
      struct hr_ids_entry_info *info;
      struct entry e;
      char *end;
      long slot = strtol (de->d_name, &end, 10);

      if (!isdigit ((unsigned char)de->d_name[0]) || *end != '\0' || slot > INT32_MAX)
        continue;
      if (out->len == out->cap)
        {
          out->cap = out->cap ? 2 * out->cap : 16;
          out->items = xrealloc (out->items, out->cap * sizeof *out->items);
        }
      info = &out->items[out->len++];
      memset (info, 0, sizeof *info);
      info->slot = (int)slot;
      if (read_entry ((int)slot, &e) < 0)
        continue;
      info->readable = true;
      info->live = entry_lives (&e);
      info->root = e.root;
      info->id = xstrdup (e.id);
      memcpy (info->kind, e.kind, sizeof info->kind);
      info->uid = e.uid;
      info->uid_count = e.uid_count;
      info->gid = e.gid;
      info->gid_count = e.gid_count;
    }
  if (d)
    closedir (d);
}

void
hr_ids_entries_clear (struct hr_ids_entries *e)
{
  for (size_t i = 0; i < e->len; i++)
    {
      free (e->items[i].root);
      free (e->items[i].id);
    }
  free (e->items);
  memset (e, 0, sizeof *e);
}

int
hr_ids_reclaim_slot (int slot, hr_error_t *err)
{
  cleanup_close int lock = hr_state_lock (err);
  char path[64];
  struct entry e;
  bool keep;

  if (lock < 0)
    return -1;
  entry_path (slot, path, sizeof path);
  if (access (path, F_OK) == 0 || errno != ENOENT)
    {
      /* unreadable entries are left alone, as scan_entries leaves them */
      keep = read_entry (slot, &e) < 0 || entry_lives (&e);
      entry_clear (&e);
      if (keep)
        return 0;
    }
  free_slot (slot);
  return 1;
}
