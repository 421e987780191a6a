/* The id-range allocator.  State: HR_STATE_DIR/ids/SLOT, one small file per
 * live container naming its runtime root, id and allocating process;
 * HR_STATE_DIR/stage/SLOT its staging mounts.  Every change happens under
 * an flock on HR_STATE_DIR/ids.lock. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "idrange.h"

#define IDS_DIR HR_STATE_DIR "/ids"
#define STAGE_DIR HR_STATE_DIR "/stage"
#define LOCK_FILE HR_STATE_DIR "/ids.lock"
#define DEFAULT_RUNTIME_ROOT "/run/runc"

struct entry
{
  int slot;
  char root[4096];
  char id[1024];
  long pid;
  unsigned long long start;
};

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

/* "hardrun:START:COUNT" in /etc/subuid or /etc/subgid. */
static bool
read_subid (const char *path, uint64_t *start, uint64_t *count)
{
  FILE *f = fopen (path, "re");
  char line[256];
  bool found = false;

  if (f == NULL)
    return false;
  while (!found && fgets (line, sizeof line, f))
    found = sscanf (line, "hardrun:%" SCNu64 ":%" SCNu64, start, count) == 2;
  fclose (f);
  return found;
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

int
hr_id_pool_load (const struct hr_profile *profile, struct hr_id_pool *pool, hr_error_t *err)
{
  const struct hr_rule_config *rule = hr_profile_rule (profile, "user_namespace");
  uint64_t us, uc, gs, gc;

  pool->size = (uint32_t)setting_int (rule, "size");
  if (read_subid ("/etc/subuid", &us, &uc) && read_subid ("/etc/subgid", &gs, &gc))
    {
      uint64_t count = (uc < gc ? uc : gc) / pool->size;
      if (us == 0 || gs == 0 || count == 0 || us + uc > UINT32_MAX || gs + gc > UINT32_MAX)
        return hr_error_set (err, 0,
                             "the hardrun entries of /etc/subuid and /etc/subgid must start above 0 and hold "
                             "at least %" PRIu32 " ids",
                             pool->size);
      *pool = (struct hr_id_pool){ (uint32_t)us, (uint32_t)gs, pool->size, (uint32_t)count, "/etc/subuid" };
      return 0;
    }
  pool->uid_base = (uint32_t)setting_int (rule, "host_uid");
  pool->gid_base = (uint32_t)setting_int (rule, "host_gid");
  pool->count = (uint32_t)setting_int (rule, "ranges");
  pool->source = "policy";
  return 0;
}

static int
ensure_dirs (hr_error_t *err)
{
  const char *dirs[] = { HR_STATE_DIR, IDS_DIR, STAGE_DIR };
  for (size_t i = 0; i < HR_ARRAY_SIZE (dirs); i++)
    if (mkdir (dirs[i], 0711) < 0 && errno != EEXIST)
      return hr_error_set (err, errno, "cannot create %s", dirs[i]);
  return 0;
}

static int
lock_state (hr_error_t *err)
{
  int fd;

  if (ensure_dirs (err) < 0)
    return -1;
  fd = open (LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return hr_error_set (err, errno, "cannot open %s", LOCK_FILE);
  if (flock (fd, LOCK_EX) < 0)
    return close (fd), hr_error_set (err, errno, "cannot lock %s", LOCK_FILE);
  return fd;
}

/* The start time of pid (field 22 of /proc/PID/stat), 0 when it is gone;
 * *state is its state letter (field 3), '?' when unknown. */
static unsigned long long
process_stat (long pid, char *state)
{
  char path[64], buf[1024];
  unsigned long long start = 0;
  const char *p;
  FILE *f;
  int field = 2;

  *state = '?';
  snprintf (path, sizeof path, "/proc/%ld/stat", pid);
  f = fopen (path, "re");
  if (f == NULL)
    return 0;
  if (fgets (buf, sizeof buf, f) == NULL)
    buf[0] = '\0';
  fclose (f);
  p = strrchr (buf, ')'); /* the command name may contain spaces */
  if (p && p[1] == ' ' && p[2])
    *state = p[2];
  for (; p && *p && field < 22; p++)
    if (*p == ' ')
      field++;
  if (p)
    sscanf (p, "%llu", &start);
  return start;
}

static unsigned long long
process_start_time (long pid)
{
  char state;
  return process_stat (pid, &state);
}

static int
read_entry (int slot, struct entry *e)
{
  char path[64];
  FILE *f;
  int n;

  snprintf (path, sizeof path, IDS_DIR "/%d", slot);
  f = fopen (path, "re");
  if (f == NULL)
    return -1;
  e->slot = slot;
  n = fscanf (f, "%4095[^\n]\n%1023[^\n]\n%ld %llu", e->root, e->id, &e->pid, &e->start);
  fclose (f);
  return n == 4 ? 0 : -1;
}

static int
write_entry (const struct entry *e, hr_error_t *err)
{
  char path[64], tmp[80];
  FILE *f;

  snprintf (path, sizeof path, IDS_DIR "/%d", e->slot);
  snprintf (tmp, sizeof tmp, IDS_DIR "/.%d.tmp", e->slot);
  f = fopen (tmp, "we");
  if (f == NULL)
    return hr_error_set (err, errno, "cannot write %s", tmp);
  fprintf (f, "%s\n%s\n%ld %llu\n", e->root, e->id, e->pid, e->start);
  if (fflush (f) != 0 || fsync (fileno (f)) < 0)
    return fclose (f), unlink (tmp), hr_error_set (err, errno, "cannot write %s", tmp);
  fclose (f);
  if (rename (tmp, path) < 0)
    return unlink (tmp), hr_error_set (err, errno, "cannot write %s", path);
  return 0;
}

static char *
stage_path (int slot)
{
  char *p;
  xasprintf (&p, STAGE_DIR "/%d", slot);
  return p;
}

static bool
runtime_knows (const char *root, const char *id)
{
  char state[8192];

  snprintf (state, sizeof state, "%s/%s/state.json", root, id);
  return access (state, F_OK) == 0 || errno != ENOENT;
}

/* The allocating process is gone (or is another process now) and the
 * runtime keeps no state for the container. */
static bool
entry_is_stale (const struct entry *e)
{
  char state = '?';
  /* a zombie has exited: it will never run the runtime (and nobody may
   * reap it when its parent died and pid 1 does not) */
  bool alive = e->pid > 0 && (kill ((pid_t)e->pid, 0) == 0 || errno == EPERM)
               && process_stat (e->pid, &state) == e->start && state != 'Z' && state != 'X';

  return !alive && !runtime_knows (e->root, e->id);
}

static void
free_slot (int slot)
{
  cleanup_free char *stage = stage_path (slot);
  char path[64];
  hr_error_t err = NULL;

  hr_stage_remove (stage, &err);
  hr_error_free (&err);
  snprintf (path, sizeof path, IDS_DIR "/%d", slot);
  unlink (path);
}

/* Reads every entry, frees stale ones; used[slot] marks the live ones. */
static void
scan_entries (bool *used, uint32_t count, const char *root, const char *id, int *existing)
{
  DIR *d = opendir (IDS_DIR);
  struct dirent *de;

  *existing = -1;
  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      struct entry e;
      char *end;
      long slot = strtol (de->d_name, &end, 10);

      if (de->d_name[0] == '.' || *end != '\0' || read_entry ((int)slot, &e) < 0)
        continue;
      if (entry_is_stale (&e))
        {
          free_slot (e.slot);
          continue;
        }
      if (root && strcmp (e.root, root) == 0 && strcmp (e.id, id) == 0)
        *existing = e.slot;
      if (slot >= 0 && (uint32_t)slot < count)
        used[slot] = true;
    }
  closedir (d);
}

static const char *
runtime_root_or_default (const char *root)
{
  return (root && *root) ? root : DEFAULT_RUNTIME_ROOT;
}

static int
write_new_entry (int slot, const char *root, const char *id, hr_error_t *err)
{
  struct entry e = { .slot = slot, .pid = getpid () };

  snprintf (e.root, sizeof e.root, "%s", root);
  snprintf (e.id, sizeof e.id, "%s", id);
  e.start = process_start_time (e.pid);
  return write_entry (&e, err);
}

int
hr_ids_allocate_stage (const char *runtime_root, const char *id, struct hr_allocation *out, hr_error_t *err)
{
  cleanup_close int lock = -1;
  const char *root = runtime_root_or_default (runtime_root);
  bool used[1] = { false };
  int existing, slot = HR_JOIN_SLOT_BASE;
  char path[64];

  if (!hr_container_id_valid (id))
    return hr_error_set (err, 0, "invalid container id \"%s\"", id ? id : "");
  lock = lock_state (err);
  if (lock < 0)
    return -1;
  scan_entries (used, 0, root, id, &existing);
  if (existing >= 0)
    return hr_error_set (err, EEXIST, "container %s already holds a staging slot (%d)", id, existing);
  for (;; slot++)
    {
      snprintf (path, sizeof path, IDS_DIR "/%d", slot);
      if (access (path, F_OK) < 0)
        break;
    }
  if (write_new_entry (slot, root, id, err) < 0)
    return -1;
  out->slot = slot;
  out->stage_dir = stage_path (slot);
  return 0;
}

int
hr_ids_allocate (const struct hr_id_pool *pool, const char *runtime_root, const char *id, struct hr_allocation *out,
                 hr_error_t *err)
{
  cleanup_close int lock = -1;
  cleanup_free bool *used = NULL;
  struct entry e = { .pid = getpid () };
  const char *root = runtime_root_or_default (runtime_root);
  int existing;

  if (!hr_container_id_valid (id))
    return hr_error_set (err, 0, "invalid container id \"%s\"", id ? id : "");
  lock = lock_state (err);
  if (lock < 0)
    return -1;
  used = xcalloc (pool->count, sizeof (bool));
  scan_entries (used, pool->count, root, id, &existing);
  if (existing >= 0)
    return hr_error_set (err, EEXIST, "container %s already holds an id range (slot %d)", id, existing);
  e.slot = -1;
  for (uint32_t i = 0; i < pool->count && e.slot < 0; i++)
    if (!used[i])
      e.slot = (int)i;
  if (e.slot < 0)
    return hr_error_set (err, ENOSPC, "all %" PRIu32 " id ranges from %s are in use", pool->count, pool->source);
  if (write_new_entry (e.slot, root, id, err) < 0)
    return -1;
  out->slot = e.slot;
  out->map.host_uid = pool->uid_base + (uint32_t)e.slot * pool->size;
  out->map.host_gid = pool->gid_base + (uint32_t)e.slot * pool->size;
  out->map.size = pool->size;
  out->stage_dir = stage_path (e.slot);
  return 0;
}

int
hr_ids_release (const char *runtime_root, const char *id, hr_error_t *err)
{
  cleanup_close int lock = -1;
  const char *root = runtime_root_or_default (runtime_root);
  bool used[1] = { false };
  int existing;

  if (!hr_container_id_valid (id) || access (IDS_DIR, F_OK) < 0)
    return 0;
  lock = lock_state (err);
  if (lock < 0)
    return -1;
  /* Freed once the runtime holds no state for the container: after its
   * delete, or when create gave up before the runtime ran.  A container
   * whose delete failed keeps its range. */
  scan_entries (used, 0, root, id, &existing);
  if (existing >= 0 && !runtime_knows (root, id))
    free_slot (existing);
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
