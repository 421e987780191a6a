/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun install docker|containerd|podman: registers hardrun with the
 * engine's own configuration, and --uninstall puts every file back byte for
 * byte.
 *
 * Before the first change to a file its original bytes (mode and owner too)
 * or the fact that it did not exist are kept under
 * /var/lib/hardrun/install/ENGINE/, with the SHA-256 of what hardrun last
 * wrote.  Every run computes the file from that original (install_ENGINE.c),
 * so a second run writes nothing, and a run with other options replaces
 * hardrun's edit instead of stacking a new one on it.  A file whose bytes are
 * no longer hardrun's (an operator edited it since) is neither rewritten nor
 * restored without --force.  Every file is opened beneath the node root
 * (--node-root, for a DaemonSet's hostPath view of its node) as if it were /,
 * so a symlink on the node cannot point a write outside it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "files.h"
#include "hardrun/util.h"
#include "install.h"
#include "log.h"
#include "options.h"
#include "runtime_trust.h"
#include "sha256.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define STATE_DIR "/var/lib/hardrun/install"
#define FILE_MAX (64u << 20)

extern char **environ;

static const char usage[] = "usage: hardrun install docker|containerd|podman [--default] [--lockdown] [--uninstall]\n"
                            "                       [--dry-run] [--force] [--node-root DIR] [--path PATH]";

/* One file's state now, and what the run will do with it. */
struct plan
{
  const struct hr_install_target *target;
  char *key; /* its name in the state directory */
  char *dir; /* its directory on the node */
  const char *base;
  bool present; /* the file exists now */
  char *now;
  size_t now_len;
  struct stat now_st;
  bool backed_up; /* a backup exists */
  bool orig_present;
  char *orig;
  size_t orig_len;
  struct stat orig_st;
  bool changed; /* the file is not what hardrun last wrote */
  enum hr_install_want want;
  char *out;
  size_t out_len;
  enum
  {
    ACT_NONE,
    ACT_WRITE,
    ACT_RESTORE,
    ACT_FORGET, /* an operator's edit kept, the backup dropped */
  } act;
};

static void
plan_clear (struct plan *p)
{
  free (p->key);
  free (p->dir);
  free (p->now);
  free (p->orig);
  free (p->out);
}

/* ---------------------------------------------------------------------
 * files beneath the node root */

static int
open_in_root (int rootfd, const char *path, int flags, hr_error_t *err)
{
  int fd = hr_open_beneath (rootfd, path, flags, RESOLVE_IN_ROOT);

  if (fd < 0)
    return hr_error_set (err, errno, "cannot open \"%s\" on the node", path);
  return fd;
}

/* The directory dir on the node, created with its missing parents (each one
 * made is added to created, deepest last) unless dry. */
static int
open_dir (int rootfd, const char *dir, mode_t mode, bool create, struct hr_strv *created, hr_error_t *err)
{
  cleanup_free char *partial = xstrdup (dir);
  int fd = open_in_root (rootfd, dir, O_PATH | O_DIRECTORY, err);

  if (fd >= 0 || !create || (*err)->status != ENOENT)
    return fd;
  hr_error_free (err);
  for (char *slash = partial + 1;; slash++)
    {
      bool last = (slash = strchr (slash, '/')) == NULL;
      cleanup_close int pfd = -1;
      char *name;

      if (!last)
        *slash = '\0';
      name = strrchr (partial, '/');
      *name = '\0';
      pfd = open_in_root (rootfd, partial[0] ? partial : "/", O_PATH | O_DIRECTORY, err);
      *name = '/';
      if (pfd < 0)
        return -1;
      if (mkdirat (pfd, name + 1, mode) == 0)
        {
          if (created)
            hr_strv_push (created, partial);
        }
      else if (errno != EEXIST)
        return hr_error_set (err, errno, "cannot create \"%s\" on the node", partial);
      if (last)
        break;
      *slash = '/';
    }
  return open_in_root (rootfd, dir, O_PATH | O_DIRECTORY, err);
}

/* name in dirfd, read whole; *present false when it does not exist.  A
 * symlink is refused: replacing it would replace the link, not its target. */
static int
read_file (int dirfd, const char *name, const char *shown, bool *present, char **data, size_t *len, struct stat *st,
           hr_error_t *err)
{
  *present = false;
  if (dirfd < 0)
    return 0; /* its directory does not exist */
  if (fstatat (dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : hr_error_set (err, errno, "cannot stat \"%s\"", shown);
  if (S_ISLNK (st->st_mode))
    return hr_error_set (err, 0, "\"%s\" is a symbolic link: point it away or edit its target by hand", shown);
  if (hr_file_read (dirfd, name, FILE_MAX, data, len, st, err) < 0)
    return hr_error_prefix (err, "\"%s\"", shown);
  *present = true;
  return 0;
}

static void
sha_hex (bool present, const char *data, size_t len, char out[65])
{
  struct hr_sha256 ctx;

  if (!present)
    {
      strcpy (out, "absent");
      return;
    }
  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, data, len);
  hr_sha256_hex (&ctx, out);
}

/* ---------------------------------------------------------------------
 * the state directory: KEY.orig (the original, its mode and owner) or
 * KEY.absent, KEY.sha256 (what hardrun last wrote), KEY.dirs (directories
 * hardrun made for the file) */

static char *
state_name (const char *key, const char *suffix)
{
  char *s;
  xasprintf (&s, "%s.%s", key, suffix);
  return s;
}

static int
state_write (int statefd, const char *key, const char *suffix, const char *data, size_t len, const struct stat *like,
             hr_error_t *err)
{
  cleanup_free char *name = state_name (key, suffix);
  struct stat st = { .st_mode = S_IFREG | 0600 };

  return hr_file_replace (statefd, name, data, len, like ? like : &st, HR_FILE_DIR_SYNC_NOW, err);
}

static int
state_read (int statefd, const char *key, const char *suffix, bool *present, char **data, size_t *len, struct stat *st,
            hr_error_t *err)
{
  cleanup_free char *name = state_name (key, suffix);
  return read_file (statefd, name, name, present, data, len, st, err);
}

static void
state_remove (int statefd, const char *key)
{
  static const char *const suffixes[] = { "orig", "absent", "sha256", "dirs" };

  for (size_t i = 0; i < HR_ARRAY_SIZE (suffixes); i++)
    {
      cleanup_free char *name = state_name (key, suffixes[i]);
      unlinkat (statefd, name, 0);
    }
}

static int
load_backup (int statefd, struct plan *p, hr_error_t *err)
{
  cleanup_free char *recorded = NULL;
  cleanup_free char *absent = NULL;
  bool absent_present = false, rec_present = false;
  size_t len;
  struct stat st;
  char now_sha[65];

  if (state_read (statefd, p->key, "orig", &p->orig_present, &p->orig, &p->orig_len, &p->orig_st, err) < 0
      || state_read (statefd, p->key, "absent", &absent_present, &absent, &len, &st, err) < 0
      || state_read (statefd, p->key, "sha256", &rec_present, &recorded, &len, &st, err) < 0)
    return -1;
  p->backed_up = p->orig_present || absent_present;
  if (!p->backed_up)
    return 0;
  sha_hex (p->present, p->now, p->now_len, now_sha);
  p->changed = !rec_present || strncmp (recorded, now_sha, strlen (now_sha)) != 0;
  return 0;
}

/* The originals decide what --uninstall writes into the engine's config:
 * the directory must be root's alone (a planted KEY.orig would be restored
 * as the engine's configuration).  One run at a time: a DaemonSet's preStop
 * and its successor's start may overlap. */
static int
lock_state (const struct hr_install_opts *o, int statefd, int *lockfd, hr_error_t *err)
{
  cleanup_free char *path = NULL;
  struct stat st;

  xasprintf (&path, "%s%s/%s", o->node_root, STATE_DIR, o->engine);
  if (fstat (statefd, &st) < 0)
    return hr_error_set (err, errno, "cannot stat %s", path);
  if (st.st_uid != 0 || (st.st_mode & 022))
    return hr_error_set (err, 0, "%s is not root's alone (owner %u, mode %o): not trusted", path, (unsigned)st.st_uid,
                         (unsigned)(st.st_mode & 07777));
  if (hr_check_root_owned (path, "the install state", false, err) < 0)
    return -1;
  *lockfd = openat (statefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*lockfd < 0 || flock (*lockfd, LOCK_EX) < 0)
    return hr_error_set (err, errno, "cannot lock %s%s/%s", o->node_root, STATE_DIR, o->engine);
  return 0;
}

/* ---------------------------------------------------------------------
 * planning: read everything, decide everything, change nothing */

static int
plan_target (const struct hr_install_opts *o, int rootfd, int statefd, struct plan *p, hr_error_t *err)
{
  const struct hr_install_target *t = p->target;
  cleanup_close int dirfd = -1;
  const char *orig;
  size_t orig_len;

  p->dir = xstrdup (t->path);
  *strrchr (p->dir, '/') = '\0';
  p->base = strrchr (t->path, '/') + 1;
  p->key = xstrdup (t->path + 1);
  for (char *c = p->key; *c; c++)
    if (*c == '/')
      *c = '%';
  dirfd = open_dir (rootfd, p->dir[0] ? p->dir : "/", 0755, false, NULL, err);
  if (dirfd < 0 && (*err)->status == ENOENT)
    hr_error_free (err);
  else if (dirfd < 0)
    return -1;
  if (read_file (dirfd, p->base, t->path, &p->present, &p->now, &p->now_len, &p->now_st, err) < 0)
    return -1;
  if (statefd >= 0 && load_backup (statefd, p, err) < 0)
    return -1;
  orig = p->backed_up ? (p->orig_present ? p->orig : NULL) : (p->present ? p->now : NULL);
  orig_len = p->backed_up ? p->orig_len : p->now_len;
  p->want = HR_INSTALL_ORIGINAL;
  if (!o->uninstall && t->edit (o, orig, orig_len, &p->out, &p->out_len, &p->want, err) < 0)
    return -1;

  if (p->want == HR_INSTALL_ORIGINAL)
    {
      if (!p->backed_up)
        p->act = ACT_NONE;
      else if (p->changed && !o->force)
        {
          if (!t->keep_if_changed)
            return hr_error_set (err, 0,
                                 "\"%s\" was changed since hardrun install wrote it: not restored (the original is "
                                 "in %s/%s/%s.orig); --force restores it anyway, losing those changes",
                                 t->path, STATE_DIR, o->engine, p->key);
          p->act = ACT_FORGET;
        }
      else
        p->act = ACT_RESTORE;
      return 0;
    }
  if (p->backed_up && p->changed && !o->force)
    return hr_error_set (err, 0,
                         "\"%s\" was changed since hardrun install wrote it: not rewritten; --force rewrites it from "
                         "the original hardrun kept, losing those changes",
                         t->path);
  p->act = p->present && p->now_len == p->out_len && memcmp (p->now, p->out, p->out_len) == 0 ? ACT_NONE : ACT_WRITE;
  return 0;
}

/* ---------------------------------------------------------------------
 * applying */

static int
apply_write (const struct hr_install_opts *o, int rootfd, int statefd, struct plan *p, hr_error_t *err)
{
  cleanup_close int dirfd = -1;
  struct hr_strv created = { 0 };
  struct stat st = { .st_mode = S_IFREG | p->target->new_mode };
  char sha[65];
  int ret = -1;

  dirfd = open_dir (rootfd, p->dir[0] ? p->dir : "/", 0755, true, &created, err);
  if (dirfd < 0)
    goto out;
  if (!p->backed_up)
    {
      /* the original first, and a record that the file holds it, so that
       * a crash anywhere after leaves a state the next run understands */
      cleanup_free char *dirs = NULL;
      size_t len = 0;
      FILE *f = open_memstream (&dirs, &len);

      for (size_t i = 0; f && i < created.len; i++)
        fprintf (f, "%s\n", created.items[i]);
      if (f == NULL || fclose (f) != 0)
        abort ();
      sha_hex (p->present, p->now, p->now_len, sha);
      if (state_write (statefd, p->key, "dirs", dirs, len, NULL, err) < 0
          || state_write (statefd, p->key, "sha256", sha, strlen (sha), NULL, err) < 0
          || state_write (statefd, p->key, p->present ? "orig" : "absent", p->present ? p->now : "",
                          p->present ? p->now_len : 0, p->present ? &p->now_st : NULL, err)
                 < 0)
        goto out;
    }
  if (hr_file_replace (dirfd, p->base, p->out, p->out_len, p->present ? &p->now_st : &st, HR_FILE_DIR_SYNC_NOW, err)
      < 0)
    goto out;
  sha_hex (true, p->out, p->out_len, sha);
  ret = state_write (statefd, p->key, "sha256", sha, strlen (sha), NULL, err);
  printf ("hardrun install %s: %s: written%s\n", o->engine, p->target->path,
          p->backed_up ? "" : " (the original is kept for --uninstall)");
out:
  hr_strv_clear (&created);
  return ret;
}

/* The directories hardrun made for the file, deepest first, if empty. */
static void
remove_made_dirs (int rootfd, int statefd, const char *key)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *dirs = NULL;
  struct stat st;
  bool present;
  size_t len;
  char *end;

  if (state_read (statefd, key, "dirs", &present, &dirs, &len, &st, &err) < 0 || !present)
    return;
  while ((end = strrchr (dirs, '\n')) != NULL)
    {
      char *line;
      *end = '\0';
      line = strrchr (dirs, '\n');
      line = line ? line + 1 : dirs;
      if (*line)
        {
          char *slash = strrchr (line, '/');
          cleanup_close int pfd = -1;
          *slash = '\0';
          pfd = open_in_root (rootfd, line[0] ? line : "/", O_PATH | O_DIRECTORY, &err);
          if (pfd >= 0)
            unlinkat (pfd, slash + 1, AT_REMOVEDIR);
          hr_error_free (&err);
        }
      *line = '\0';
    }
}

static int
apply_restore (const struct hr_install_opts *o, int rootfd, int statefd, struct plan *p, hr_error_t *err)
{
  cleanup_close int dirfd = open_dir (rootfd, p->dir[0] ? p->dir : "/", 0755, false, NULL, err);

  if (dirfd < 0 && p->orig_present)
    return -1;
  if (p->orig_present)
    {
      if (hr_file_replace (dirfd, p->base, p->orig, p->orig_len, &p->orig_st, HR_FILE_DIR_SYNC_NOW, err) < 0)
        return -1;
    }
  else if (dirfd >= 0 && unlinkat (dirfd, p->base, 0) < 0 && errno != ENOENT)
    return hr_error_set (err, errno, "cannot remove \"%s\"", p->target->path);
  hr_error_free (err);
  remove_made_dirs (rootfd, statefd, p->key);
  state_remove (statefd, p->key);
  printf ("hardrun install %s: %s: %s\n", o->engine, p->target->path,
          p->orig_present ? "restored as it was before hardrun install" : "removed (it did not exist before)");
  return 0;
}

static int
apply (const struct hr_install_opts *o, int rootfd, int statefd, struct plan *p, hr_error_t *err)
{
  switch (p->act)
    {
    case ACT_WRITE:
      return apply_write (o, rootfd, statefd, p, err);
    case ACT_RESTORE:
      return apply_restore (o, rootfd, statefd, p, err);
    case ACT_FORGET:
      state_remove (statefd, p->key);
      printf ("hardrun install %s: %s: kept: edited since hardrun installed it\n", o->engine, p->target->path);
      return 0;
    case ACT_NONE:
      return 0;
    default:
      return 0;
    }
}

static void
show_dry_run (const struct hr_install_opts *o, const struct plan *p)
{
  static const char *const verbs[] = { "unchanged", "would write", "would restore", "would keep (edited)" };

  printf ("hardrun install %s: %s: %s\n", o->engine, p->target->path, verbs[p->act]);
  if (p->act == ACT_WRITE && memchr (p->out, '\0', p->out_len) == NULL)
    printf ("%.*s", (int)p->out_len, p->out);
}

/* ---------------------------------------------------------------------
 * reloading the engine */

static size_t
find_daemons (const char *comm, pid_t *pids, size_t max)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;
  size_t n = 0;

  if (d == NULL)
    return 0;
  while (n < max && (e = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;
      cleanup_free char *text = NULL;
      hr_error_t err = NULL;
      size_t len;

      if (e->d_name[0] < '1' || e->d_name[0] > '9')
        continue;
      xasprintf (&path, "/proc/%s/comm", e->d_name);
      if (hr_file_read_stream (path, 64, &text, &len, &err) == 0 && len > 0)
        {
          text[strcspn (text, "\n")] = '\0';
          if (strcmp (text, comm) == 0)
            pids[n++] = (pid_t)atoi (e->d_name);
        }
      hr_error_free (&err);
    }
  closedir (d);
  return n;
}

static int
restart_with_systemd (const char *unit)
{
  char *argv[] = { (char *)"systemctl", (char *)"restart", (char *)unit, NULL };
  pid_t pid;
  int status;

  if (posix_spawnp (&pid, "systemctl", NULL, NULL, argv, environ) != 0)
    return -1;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

static void
reload_engine (const struct hr_install_opts *o, const struct hr_install_engine *e)
{
  pid_t pids[16];
  size_t n;

  if (e->reload == HR_RELOAD_NONE)
    {
      printf ("hardrun install %s: podman reads containers.conf at every command: nothing to reload\n", o->engine);
      return;
    }
  if (o->node_root[0])
    {
      printf ("hardrun install %s: %s on that node was not reloaded (--node-root): %s\n", o->engine, e->daemon,
              e->reload == HR_RELOAD_SIGHUP ? "send it SIGHUP" : "restart it");
      return;
    }
  n = find_daemons (e->daemon, pids, HR_ARRAY_SIZE (pids));
  if (n == 0)
    {
      printf ("hardrun install %s: %s is not running: it reads the change when it starts\n", o->engine, e->daemon);
      return;
    }
  if (e->reload == HR_RELOAD_SIGHUP)
    {
      for (size_t i = 0; i < n; i++)
        if (kill (pids[i], SIGHUP) == 0)
          printf ("hardrun install %s: %s (pid %d): sent SIGHUP, it rereads its runtimes\n", o->engine, e->daemon,
                  (int)pids[i]);
      return;
    }
  /* containerd reads its config only at start; the running shims (and so
   * the containers) survive its restart */
  if (access ("/run/systemd/system", F_OK) == 0 && restart_with_systemd (e->daemon) == 0)
    printf ("hardrun install %s: %s restarted (systemctl restart %s)\n", o->engine, e->daemon, e->daemon);
  else
    printf ("hardrun install %s: %s (pid %d) reads its config only at start: restart it to load the change\n",
            o->engine, e->daemon, (int)pids[0]);
}

/* dockerd keeps what a reload does not name: first a transition that names
 * it (install_docker_api.c), reloaded and seen loaded, then the final file. */
static int
transition_first (const struct hr_install_opts *o, const struct hr_install_engine *e, int rootfd,
                  const struct plan *plans, hr_error_t *err)
{
  const struct plan *p = NULL;
  cleanup_free char *text = NULL;
  cleanup_close int dirfd = -1;
  struct stat st = { .st_mode = S_IFREG | 0644 };
  pid_t pids[16];
  size_t len = 0, n;
  int kind;

  if (e->transition == NULL || o->dry_run || o->node_root[0])
    return 0;
  for (size_t i = 0; i < e->n_targets; i++)
    if (strcmp (plans[i].target->path, e->transition_path) == 0)
      p = &plans[i];
  if (p == NULL || (p->act != ACT_WRITE && p->act != ACT_RESTORE))
    return 0;
  if (p->act == ACT_WRITE)
    kind = e->transition (p->out, p->out_len, &text, &len, err);
  else
    kind = e->transition (p->orig_present ? p->orig : "", p->orig_present ? p->orig_len : 0, &text, &len, err);
  if (kind <= 0)
    return kind;
  n = find_daemons (e->daemon, pids, HR_ARRAY_SIZE (pids));
  if (n == 0)
    return 0; /* its API answered, but no process of that name: not ours to reload */
  dirfd = open_dir (rootfd, p->dir, 0755, false, NULL, err);
  if (dirfd < 0
      || hr_file_replace (dirfd, p->base, text, len, p->present ? &p->now_st : &st, HR_FILE_DIR_SYNC_NOW, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    kill (pids[i], SIGHUP);
  printf ("hardrun install %s: %s: a reload keeps what it does not name: first reloaded with %s\n", o->engine,
          e->daemon, kind & HR_DOCKER_UNSET_RUNTIMES ? "no runtimes and default-runtime runc" : "default-runtime runc");
  if (e->wait_transition (kind, err) == 0)
    return 0;
  /* the file as it was: nothing half-done stays behind */
  if (p->present)
    hr_file_replace (dirfd, p->base, p->now, p->now_len, &p->now_st, HR_FILE_DIR_SYNC_NOW, NULL);
  else
    unlinkat (dirfd, p->base, 0);
  for (size_t i = 0; i < n; i++)
    kill (pids[i], SIGHUP);
  return -1;
}

/* ---------------------------------------------------------------------
 * options */

static const struct hr_install_engine *
find_engine (const char *name)
{
  static const struct hr_install_engine *const engines[]
      = { &hr_install_docker, &hr_install_containerd, &hr_install_podman };

  for (size_t i = 0; name && i < HR_ARRAY_SIZE (engines); i++)
    if (strcmp (engines[i]->name, name) == 0)
      return engines[i];
  return NULL;
}

static int
parse_options (int argc, char **argv, struct hr_install_opts *o, hr_error_t *err)
{
  for (int i = 0; i < argc; i++)
    {
      if (hr_take_option (argc, argv, &i, "--node-root", &o->node_root)
          || hr_take_option (argc, argv, &i, "--path", &o->path))
        continue;
      if (strcmp (argv[i], "--default") == 0)
        o->set_default = true;
      else if (strcmp (argv[i], "--lockdown") == 0)
        o->lockdown = true;
      else if (strcmp (argv[i], "--uninstall") == 0)
        o->uninstall = true;
      else if (strcmp (argv[i], "--dry-run") == 0)
        o->dry_run = true;
      else if (strcmp (argv[i], "--force") == 0)
        o->force = true;
      else if (argv[i][0] != '-' && o->engine == NULL)
        o->engine = argv[i];
      else
        return hr_error_set (err, 0, "unexpected argument \"%s\"\n%s", argv[i], usage);
    }
  if (o->engine == NULL)
    return hr_error_set (err, 0, "an engine is needed\n%s", usage);
  if (find_engine (o->engine) == NULL)
    return hr_error_set (err, 0, "no engine named \"%s\"\n%s", o->engine, usage);
  if (o->uninstall && (o->set_default || o->lockdown))
    return hr_error_set (err, 0, "--uninstall takes no --default or --lockdown: it restores every file");
  if (o->path && o->path[0] != '/')
    return hr_error_set (err, 0, "--path \"%s\" is not absolute", o->path);
  if (o->node_root && o->node_root[0] != '/')
    return hr_error_set (err, 0, "--node-root \"%s\" is not absolute", o->node_root);
  return 0;
}

/* hardrun's path as the engine will run it: --path, else this very binary
 * (seen from the node when --node-root is given).  It must be a file only
 * root can replace: the engine runs it as root for every container. */
static int
resolve_path (struct hr_install_opts *o, char **storage, hr_error_t *err)
{
  cleanup_free char *full = NULL;
  char self[PATH_MAX];
  ssize_t n;
  struct stat st;

  if (o->path == NULL)
    {
      n = readlink ("/proc/self/exe", self, sizeof self - 1);
      if (n < 0)
        return hr_error_set (err, errno, "cannot read /proc/self/exe");
      self[n] = '\0';
      if (o->node_root[0] && !hr_path_is_under (self, o->node_root))
        return hr_error_set (err, 0,
                             "hardrun (\"%s\") is not under --node-root \"%s\": say where the node has it with --path",
                             self, o->node_root);
      *storage = xstrdup (self + strlen (o->node_root));
      o->path = *storage;
    }
  /* the file checked here is the one the engine will run only when no
   * symlink on the way can resolve differently on the node than here */
  {
    cleanup_close int rootfd = open (o->node_root[0] ? o->node_root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int fd = -1;

    if (rootfd >= 0)
      fd = hr_open_beneath (rootfd, o->path, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
    if (fd < 0)
      return hr_error_set (
          err, errno, "hardrun's path \"%s\" must name the file itself, with no symbolic link on the way", o->path);
  }
  xasprintf (&full, "%s%s", o->node_root, o->path);
  if (stat (full, &st) < 0)
    return hr_error_set (err, errno, "hardrun is not at \"%s\"", full);
  if (!S_ISREG (st.st_mode) || !(st.st_mode & S_IXUSR))
    return hr_error_set (err, 0, "\"%s\" is not an executable file", full);
  return hr_check_root_owned (full, "hardrun", false, err);
}

/* ---------------------------------------------------------------------
 * the command */

static int
run_install (struct hr_install_opts *o, const struct hr_install_engine *e, hr_error_t *err)
{
  cleanup_close int rootfd = -1;
  cleanup_close int statefd = -1;
  cleanup_close int lockfd = -1;
  cleanup_free char *state = NULL;
  struct plan plans[8] = { { 0 } };
  bool changed = false;
  int ret = -1;

  rootfd = open (o->node_root[0] ? o->node_root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return hr_error_set (err, errno, "cannot open the node root \"%s\"", o->node_root);
  xasprintf (&state, STATE_DIR "/%s", e->name);
  statefd = open_dir (rootfd, state, 0700, !o->dry_run && !o->uninstall, NULL, err);
  if (statefd < 0 && (*err)->status == ENOENT)
    hr_error_free (err);
  else if (statefd < 0 || lock_state (o, statefd, &lockfd, err) < 0)
    return -1;
  for (size_t i = 0; i < e->n_targets; i++)
    {
      plans[i].target = &e->targets[i];
      if (plan_target (o, rootfd, statefd, &plans[i], err) < 0)
        goto out;
    }
  if (transition_first (o, e, rootfd, plans, err) < 0)
    goto out;
  for (size_t i = 0; i < e->n_targets; i++)
    {
      changed |= plans[i].act != ACT_NONE;
      if (o->dry_run)
        show_dry_run (o, &plans[i]);
      else if (apply (o, rootfd, statefd, &plans[i], err) < 0)
        goto out;
    }
  if (!changed)
    printf ("hardrun install %s: nothing to change: %s\n", o->engine,
            o->uninstall ? "no file holds anything of hardrun's" : "already installed as asked");
  else if (!o->dry_run)
    reload_engine (o, e);
  if (statefd >= 0 && o->uninstall)
    {
      /* the engine's state directory goes when empty (beneath the node root) */
      cleanup_close int parent = open_in_root (rootfd, STATE_DIR, O_PATH | O_DIRECTORY, err);
      if (parent >= 0)
        unlinkat (parent, e->name, AT_REMOVEDIR);
      hr_error_free (err);
    }
  ret = 0;
out:
  for (size_t i = 0; i < e->n_targets; i++)
    plan_clear (&plans[i]);
  return ret;
}

int
hr_cmd_install (const struct hr_cli *cli, int argc, char **argv)
{
  struct hr_install_opts o = { 0 };
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *root = NULL;

  if (parse_options (argc, argv, &o, &err) < 0)
    return hr_log_failure (err, "install"), EXIT_USAGE;
  if (o.node_root)
    {
      root = hr_path_clean (o.node_root);
      o.node_root = strcmp (root, "/") == 0 ? "" : root;
    }
  else
    o.node_root = "";
  if (!o.uninstall && resolve_path (&o, &path, &err) < 0)
    return hr_log_failure (err, "install"), EXIT_FAILED;
  if (run_install (&o, find_engine (o.engine), &err) < 0)
    return hr_log_failure (err, "install"), EXIT_FAILED;
  return 0;
}
