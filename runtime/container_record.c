/* SPDX-License-Identifier: Apache-2.0 */
/* See container_record.h.  One file a container, named by the SHA-256 of
 * "ROOT\0ID" (a --root may hold any byte a path may); the file repeats
 * both, so a record is only ever used for the container it names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "container_record.h"
#include "files.h"
#include "hardrun/util.h"
#include "log.h"
#include "runc_state.h"
#include "sha256.h"
#include "userns/idrange.h"

#define RECORD_DIR HR_STATE_DIR "/containers"
#define RECORD_MAX_SIZE (64u << 10)
#define DEFAULT_RUNTIME_ROOT "/run/runc"

static const char *
runtime_root (const struct hr_cli *cli)
{
  return cli->root && *cli->root ? cli->root : DEFAULT_RUNTIME_ROOT;
}

char *
hr_container_state_dir (const struct hr_cli *cli)
{
  char *dir;
  xasprintf (&dir, "%s/%s", runtime_root (cli), cli->container_id);
  return dir;
}

static void
record_name (const struct hr_cli *cli, char name[70])
{
  const char *root = runtime_root (cli);
  struct hr_sha256 ctx;

  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, root, strlen (root) + 1);
  hr_sha256_update (&ctx, cli->container_id, strlen (cli->container_id));
  hr_sha256_hex (&ctx, name);
  strcat (name, ".json");
}

/* A root-only directory (made 0700 if it is not), or an error when
 * something else stands there. */
static int
private_dir (const char *path, mode_t parent_mode, hr_error_t *err)
{
  struct stat st;

  if (hr_make_dir (path, parent_mode, err) < 0)
    return -1;
  if (lstat (path, &st) < 0)
    return hr_error_set (err, errno, "cannot inspect %s", path);
  if (!S_ISDIR (st.st_mode) || st.st_uid != 0)
    return hr_error_set (err, 0, "%s is not a directory of root's", path);
  if ((st.st_mode & 022) && chmod (path, st.st_mode & 0755 & ~022) < 0)
    return hr_error_set (err, errno, "cannot make %s private", path);
  return 0;
}

static int
open_record_dir (bool create, hr_error_t *err)
{
  int fd;

  if (create && (private_dir (HR_STATE_DIR, 0711, err) < 0 || private_dir (RECORD_DIR, 0700, err) < 0))
    return -1;
  fd = open (RECORD_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && (create || errno != ENOENT))
    return hr_error_set (err, errno, "cannot open %s", RECORD_DIR);
  return fd;
}

/* A record whose container is gone without a delete through hardrun
 * (`runc run` deletes its container itself) would stay forever: at each
 * save, stale records (record_stale) are removed.  Each record names the
 * process that saved it (the create, which then becomes runc create): while
 * it runs, the container may still be on its way.  A record without one
 * (written by an older hardrun) is judged by age: older than GC_AGE
 * seconds. */
#define GC_AGE 600

struct record_view
{
  char *root, *id; /* owned */
  int64_t creator_pid;
  uint64_t creator_start;
  bool has_creator;
  time_t mtime;
};

static void
record_view_clear (struct record_view *v)
{
  free (v->root);
  free (v->id);
  memset (v, 0, sizeof *v);
}

/* dirfd/name as a record, 0 when it is one. */
static int
record_view (int dirfd, const char *name, struct record_view *v)
{
  cleanup_free char *text = NULL;
  cleanup_json struct hr_json *doc = NULL;
  const char *root = NULL, *id = NULL;
  const struct hr_json *pid, *start;
  hr_error_t err = NULL;
  struct stat st;
  size_t len;

  memset (v, 0, sizeof *v);
  if (!hr_has_suffix (name, ".json") || hr_file_read (dirfd, name, RECORD_MAX_SIZE, &text, &len, &st, &err) < 0
      || (doc = hr_json_parse (text, len, &err)) == NULL || hr_json_read_string (doc, "root", "record", &root, &err) < 0
      || hr_json_read_string (doc, "id", "record", &id, &err) < 0 || root == NULL || id == NULL)
    return hr_error_free (&err), -1;
  v->root = xstrdup (root);
  v->id = xstrdup (id);
  v->mtime = st.st_mtime;
  pid = hr_json_get_value (doc, "creator_pid");
  start = hr_json_get_value (doc, "creator_start");
  /* none in a record an older hardrun wrote */
  v->has_creator = pid && start && hr_json_number_to_int64 (pid, &v->creator_pid) == 0
                   && hr_json_number_to_uint64 (start, &v->creator_start) == 0;
  return 0;
}

/* The record's create is over and the runtime keeps no state for its
 * container (its state.json, or its whole root, is gone).  A relative root
 * was relative to its create's directory: not judged. */
static bool
record_stale (const struct record_view *v)
{
  cleanup_free char *state = NULL;

  if (v->root[0] != '/')
    return false;
  if (v->has_creator ? hr_process_is (v->creator_pid, v->creator_start) : time (NULL) - v->mtime < GC_AGE)
    return false;
  xasprintf (&state, "%s/%s/state.json", v->root, v->id);
  return access (state, F_OK) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* Calls fn for each stale record of the directory dirfd (and each
 * temporary file a save killed half-way left, older than GC_AGE). */
static void
each_stale (int dirfd, void (*fn) (int dirfd, const char *name, const struct record_view *v, void *data), void *data)
{
  cleanup_close int scan = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = scan >= 0 ? fdopendir (scan) : NULL;
  struct dirent *de;

  if (d == NULL)
    return;
  scan = -1; /* the DIR owns it */
  while ((de = readdir (d)) != NULL)
    {
      struct record_view v;
      struct stat st;

      if (de->d_name[0] == '.' && strstr (de->d_name, ".hardrun-") != NULL)
        {
          if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && time (NULL) - st.st_mtime >= GC_AGE)
            fn (dirfd, de->d_name, NULL, data);
          continue;
        }
      if (record_view (dirfd, de->d_name, &v) == 0 && record_stale (&v))
        fn (dirfd, de->d_name, &v, data);
      record_view_clear (&v);
    }
  closedir (d);
}

static void
remove_record (int dirfd, const char *name, const struct record_view *v, void *data)
{
  unlinkat (dirfd, name, 0);
}

int
hr_container_record_save (const struct hr_cli *cli, const char *profile, bool quarantined)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_json struct hr_json *doc = hr_json_new (HR_JSON_OBJECT);
  cleanup_close int dirfd = -1;
  cleanup_close int lock = -1;
  cleanup_free char *text = NULL;
  struct stat mode = { .st_mode = S_IFREG | 0600 };
  char name[70];
  size_t len;

  if (!hr_container_id_valid (cli->container_id))
    return hr_error_set (&err, 0, "invalid container id \"%s\"", cli->container_id ? cli->container_id : ""),
           hr_log_failure (err, NULL), -1;
  /* doctor --fix removes stale records under this lock: never a record
   * saved meanwhile */
  lock = hr_state_lock (&err);
  if (lock < 0)
    return hr_log_failure (err, "cannot record the container's profile"), -1;
  dirfd = open_record_dir (true, &err);
  if (dirfd < 0)
    return hr_log_failure (err, "cannot record the container's profile"), -1;
  hr_json_set (doc, "root", hr_json_new_string (runtime_root (cli)));
  hr_json_set (doc, "id", hr_json_new_string (cli->container_id));
  hr_json_set (doc, "profile", hr_json_new_string (profile));
  hr_json_set (doc, "quarantined", hr_json_new_bool (quarantined));
  hr_json_set (doc, "creator_pid", hr_json_new_int ((int64_t)getpid ()));
  hr_json_set (doc, "creator_start", hr_json_new_int ((int64_t)hr_self_start_time ()));
  text = hr_json_serialize (doc, &len);
  record_name (cli, name);
  if (hr_file_replace (dirfd, name, text, len, &mode, HR_FILE_VOLATILE, &err) < 0)
    return hr_log_failure (err, "cannot record the container's profile"), -1;
  each_stale (dirfd, remove_record, NULL);
  return 0;
}

struct stale_call
{
  void (*fn) (const char *name, const char *root, const char *id, void *data);
  void *data;
};

static void
report_stale (int dirfd, const char *name, const struct record_view *v, void *data)
{
  struct stale_call *call = data;

  if (v)
    call->fn (name, v->root, v->id, call->data);
}

void
hr_container_records_stale (void (*fn) (const char *name, const char *root, const char *id, void *data), void *data)
{
  struct stale_call call = { fn, data };
  hr_error_t err = NULL;
  cleanup_close int dirfd = open_record_dir (false, &err);

  hr_error_free (&err);
  if (dirfd >= 0)
    each_stale (dirfd, report_stale, &call);
}

int
hr_container_record_remove_if_stale (const char *name, hr_error_t *err)
{
  cleanup_close int lock = -1;
  cleanup_close int dirfd = -1;
  struct record_view v;
  bool stale;

  if (strchr (name, '/') != NULL || name[0] == '.')
    return 0;
  lock = hr_state_lock (err);
  if (lock < 0)
    return -1;
  dirfd = open_record_dir (false, err);
  if (dirfd < 0)
    return errno == ENOENT ? 0 : -1;
  stale = record_view (dirfd, name, &v) == 0 && record_stale (&v);
  record_view_clear (&v);
  if (!stale)
    return 0;
  if (unlinkat (dirfd, name, 0) < 0)
    return hr_error_set (err, errno, "cannot remove %s/%s", RECORD_DIR, name);
  return 1;
}

static int
parse_record (const struct hr_cli *cli, const char *text, size_t len, struct hr_container_record *rec, hr_error_t *err)
{
  cleanup_json struct hr_json *doc = hr_json_parse (text, len, err);
  const char *root = NULL, *id = NULL, *profile = NULL;

  if (doc == NULL || hr_json_read_string (doc, "root", "record", &root, err) < 0
      || hr_json_read_string (doc, "id", "record", &id, err) < 0
      || hr_json_read_string (doc, "profile", "record", &profile, err) < 0
      || hr_json_read_bool (doc, "quarantined", "record", &rec->quarantined, err) < 0)
    return -1;
  if (!hr_streq (root, runtime_root (cli)) || !hr_streq (id, cli->container_id) || profile == NULL)
    return hr_error_set (err, 0, "the record names another container");
  rec->profile = xstrdup (profile);
  rec->found = true;
  return 0;
}

int
hr_container_record_load (const struct hr_cli *cli, struct hr_container_record *rec, hr_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_free char *text = NULL;
  char name[70];
  struct stat st;
  size_t len;

  memset (rec, 0, sizeof *rec);
  if (!hr_container_id_valid (cli->container_id))
    return 0; /* runc refuses the id itself */
  dirfd = open_record_dir (false, err);
  if (dirfd < 0)
    return errno == ENOENT ? 0 : -1;
  record_name (cli, name);
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : hr_error_set (err, errno, "cannot inspect %s/%s", RECORD_DIR, name);
  if (hr_file_read (dirfd, name, RECORD_MAX_SIZE, &text, &len, &st, err) < 0)
    return -1;
  if (st.st_uid != 0 || (st.st_mode & 077))
    return hr_error_set (err, 0, "%s/%s is not root's alone", RECORD_DIR, name);
  if (parse_record (cli, text, len, rec, err) < 0)
    return hr_error_prefix (err, "%s/%s", RECORD_DIR, name);
  return 0;
}

void
hr_container_record_forget (const struct hr_cli *cli)
{
  cleanup_free char *state = NULL;
  cleanup_close int dirfd = -1;
  hr_error_t err = NULL;
  char name[70];

  if (!hr_container_id_valid (cli->container_id))
    return;
  xasprintf (&state, "%s/%s/state.json", runtime_root (cli), cli->container_id);
  if (access (state, F_OK) == 0 || errno != ENOENT)
    return;
  dirfd = open_record_dir (false, &err);
  hr_error_free (&err);
  if (dirfd < 0)
    return;
  record_name (cli, name);
  unlinkat (dirfd, name, 0);
}

void
hr_container_record_clear (struct hr_container_record *rec)
{
  free (rec->profile);
  memset (rec, 0, sizeof *rec);
}
