/* SPDX-License-Identifier: Apache-2.0 */
/* The caller's bundle stays the caller's.  hardrun hands runc a private
 * bundle with the hardened spec (below) and never writes config.json.
 *
 * Earlier versions rewrote config.json in place, pointed at a staged rootfs
 * and id range (/run/hardrun/stage/N), and kept the original beside it
 * (.hardrun-original.json, .hardrun-hardened.json).  Such a bundle still
 * runs: a config.json byte-identical to what hardrun wrote is read as that
 * original, and hardened afresh. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundle_memory.h"
#include "cli.h"
#include "files.h"
#include "hardrun/util.h"
#include "idrange.h"
#include "runc_state.h"
#include "sha256.h"

#define ORIGINAL_NAME ".hardrun-original.json"
#define HARDENED_NAME ".hardrun-hardened.json"

int
hr_bundle_recall_original (int dirfd, char **text, size_t *len, hr_error_t *err)
{
  cleanup_free char *hardened = NULL;
  char *original = NULL;
  size_t hardened_len, original_len;
  struct stat st;
  hr_error_t ignored = NULL;

  if (hr_file_read (dirfd, HARDENED_NAME, HR_JSON_MAX_SIZE, &hardened, &hardened_len, &st, &ignored) < 0)
    {
      hr_error_free (&ignored);
      return 0; /* never staged, or unreadable: config.json as it is */
    }
  if (hardened_len != *len || memcmp (hardened, *text, *len) != 0)
    return 0;
  if (hr_file_read (dirfd, ORIGINAL_NAME, HR_JSON_MAX_SIZE, &original, &original_len, &st, err) < 0)
    return hr_error_prefix (err, "this bundle's config.json was written by hardrun, but its original is lost");
  free (*text);
  *text = original;
  *len = original_len;
  return 1;
}

/* ---- the private bundle ----
 *
 * hardrun never rewrites the caller's config.json: a bundle is the
 * caller's, and runc's ordinary workflow (create, delete, edit config.json,
 * run again) must keep working, byte for byte.  The hardened spec goes into
 * a bundle of hardrun's own, /run/hardrun/bundles/ROOTKEY/ID (root-only,
 * keyed by runc's --root and the container id), and runc is handed that
 * directory as --bundle.  runc then records it as the container's bundle,
 * so whatever reads config.json from there later (runc exec without -p, an
 * OCI hook given the state) reads the spec that runs.  What runc resolves
 * against its working directory, the bundle, is made absolute first against
 * the caller's bundle, exactly as runc would have resolved it: root.path,
 * the sources of bind mounts, namespace paths, hook paths and the seccomp
 * listener socket.  A SIGKILL at any point loses nothing: the caller's files
 * are never written, the private copy is written atomically, and a copy
 * whose container runc no longer knows is removed at delete or by the next
 * create under the same --root. */

#define PRIVATE_DIR HR_STATE_DIR "/bundles"
/* a private bundle younger than this may belong to a create in progress */
#define PRIVATE_GC_AGE_SECONDS 600

/* The private bundles of a runtime root live in a directory named by a
 * digest of the root runc itself uses: absolute and clean, as runc makes it
 * (a relative --root, or "" which create resolves in the bundle and delete
 * in the working directory; hr_cli_state_root).  `root` is that. */
static char *
private_root_dir (const char *root)
{
  struct hr_sha256 ctx;
  char hex[65];
  char *dir;

  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, root, strlen (root));
  hr_sha256_hex (&ctx, hex);
  hex[16] = '\0';
  xasprintf (&dir, PRIVATE_DIR "/%s", hex);
  return dir;
}

/* Go's filepath.Clean, for the result of filepath.Join(base, rel). */
static char *
go_clean_join (const char *base, const char *rel)
{
  cleanup_free char *joined = NULL;
  char *out;
  size_t o = 0;

  xasprintf (&joined, "%s/%s", base, rel);
  out = xmalloc (strlen (joined) + 2);
  for (const char *p = joined; *p;)
    {
      size_t n;
      while (*p == '/')
        p++;
      n = strcspn (p, "/");
      if (n == 0 || (n == 1 && p[0] == '.'))
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          while (o > 0 && out[o - 1] != '/')
            o--;
          if (o > 0)
            o--; /* the slash before the dropped element */
        }
      else
        {
          out[o++] = '/';
          memcpy (out + o, p, n);
          o += n;
        }
      p += n;
    }
  if (o == 0)
    out[o++] = '/';
  out[o] = '\0';
  return out;
}

/* The directory runc's os.Getwd() returns once it is in the bundle: $PWD
 * when that names the same directory, else the physical path. */
static char *
runc_working_dir (int bundle_fd, hr_error_t *err)
{
  const char *pwd = getenv ("PWD");
  struct stat here, there;
  char link[64];
  char buf[PATH_MAX];
  ssize_t n;

  if (fstat (bundle_fd, &here) < 0)
    return hr_error_set (err, errno, "cannot stat the bundle"), NULL;
  if (pwd && pwd[0] == '/' && stat (pwd, &there) == 0 && there.st_dev == here.st_dev && there.st_ino == here.st_ino)
    return xstrdup (pwd);
  snprintf (link, sizeof link, "/proc/self/fd/%d", bundle_fd);
  n = readlink (link, buf, sizeof buf - 1);
  if (n <= 0)
    return hr_error_set (err, errno, "cannot find the bundle's path"), NULL;
  buf[n] = '\0';
  return xstrdup (buf);
}

/* Makes a relative path member absolute against base.  With empty, an
 * empty or absent path is the bundle itself (runc's filepath.Join(cwd, "")
 * for root.path and bind sources); elsewhere "" means none. */
static void
absolute_member (struct hr_json *obj, const char *field, const char *base, bool empty)
{
  struct hr_json *v = hr_json_get_value (obj, field);
  char *abs;

  if (v == NULL && empty)
    {
      hr_json_set (obj, field, hr_json_new_string (base));
      return;
    }
  if (!hr_json_is_string (v) || v->text[0] == '/' || (v->text[0] == '\0' && !empty))
    return;
  abs = go_clean_join (base, v->text);
  free (v->text);
  v->text = abs;
}

static void
absolute_in_array (struct hr_json *arr, const char *field, const char *base, bool binds_only)
{
  for (size_t i = 0; arr && arr->type == HR_JSON_ARRAY && i < arr->len; i++)
    {
      struct hr_json *entry = arr->items[i];
      const struct hr_json *options = hr_json_get_value (entry, "options");
      bool bind = hr_json_strings_contain (options, "bind") || hr_json_strings_contain (options, "rbind");

      /* runc joins a relative source with its directory only for MS_BIND */
      if (entry->type == HR_JSON_OBJECT && (bind || !binds_only))
        absolute_member (entry, field, base, binds_only);
    }
}

static void
make_paths_absolute (struct hr_json *spec, const char *base)
{
  static const char *const hook_kinds[]
      = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" };
  struct hr_json *linux_ = hr_json_get_value (spec, "linux");
  struct hr_json *hooks = hr_json_get_value (spec, "hooks");
  struct hr_json *root = hr_json_get_value (spec, "root");
  struct hr_json *seccomp = hr_json_get_value (linux_, "seccomp");

  if (root && root->type == HR_JSON_OBJECT)
    absolute_member (root, "path", base, true);
  absolute_in_array (hr_json_get_value (spec, "mounts"), "source", base, true);
  absolute_in_array (hr_json_get_value (linux_, "namespaces"), "path", base, false);
  for (size_t i = 0; hooks && i < HR_ARRAY_SIZE (hook_kinds); i++)
    absolute_in_array (hr_json_get_value (hooks, hook_kinds[i]), "path", base, false);
  if (seccomp && seccomp->type == HR_JSON_OBJECT)
    absolute_member (seccomp, "listenerPath", base, false);
}

/* runc knows the container (its state directory exists). */
static bool
runc_knows (const char *root, const char *id)
{
  cleanup_free char *state = NULL;
  struct stat st;

  xasprintf (&state, "%s/%s", root, id);
  return lstat (state, &st) == 0 || errno != ENOENT;
}

/* The private bundle and whatever is in it (a temporary file a kill left). */
static void
remove_private (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *de;

  while (d && (de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      unlinkat (dirfd (d), de->d_name, 0);
  if (d)
    closedir (d);
  rmdir (dir);
}

/* The container id of a private bundle's name, "ID.XXXXXX" (NULL if not one). */
static char *
id_of (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (name[0] == '.' || dot == NULL || strlen (dot) != 7)
    return NULL;
  return xstrndup (name, (size_t)(dot - name));
}

/* Removes the private bundles runc no longer knows the container of: those
 * of `only` (any age), or with only NULL, those older than a create could
 * take (runc run removes its container without calling hardrun). */
static void
collect (const char *root, const char *top, const char *only)
{
  DIR *d = opendir (top);
  struct dirent *de;
  time_t now = time (NULL);

  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_free char *id = id_of (de->d_name);
      cleanup_free char *dir = NULL;
      struct stat st;

      if (id == NULL || (only && strcmp (id, only) != 0) || runc_knows (root, id))
        continue;
      xasprintf (&dir, "%s/%s", top, de->d_name);
      if (only || (stat (dir, &st) == 0 && now - st.st_mtime > PRIVATE_GC_AGE_SECONDS))
        remove_private (dir);
    }
  if (d)
    closedir (d);
}

#define ROOT_NAME ".root"

/* Names, in the private bundles' directory of a runtime root, the root
 * itself (once), so that a later collection can tell when it is gone. */
static void
remember_root (const char *top, const char *root)
{
  cleanup_free char *path = NULL;
  int fd;

  xasprintf (&path, "%s/" ROOT_NAME, top);
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (write (fd, root, strlen (root)) < 0)
    unlink (path);
  close (fd);
}

/* The runtime root the private bundles under top were made for (its .root
 * file), when it is an absolute path: a relative one was relative to
 * another create's directory and cannot be judged. */
static bool
read_top_root (const char *top, char root[PATH_MAX])
{
  cleanup_free char *file = NULL;
  ssize_t n;
  int fd;

  xasprintf (&file, "%s/" ROOT_NAME, top);
  fd = open (file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  n = read (fd, root, PATH_MAX - 1);
  close (fd);
  if (n <= 0 || root[0] != '/')
    return false;
  root[n] = '\0';
  return true;
}

/* A gone root's directory once nothing is left in it: every create reads
 * each of these directories (a test's temporary roots left hundreds).  A
 * create that made it again meanwhile keeps it (rmdir fails: its .root is
 * written back); one that is about to make its bundle in it retries (see
 * make_private_dir). */
static void
forget_empty_top (const char *top, const char *root)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/" ROOT_NAME, top);
  if (unlink (path) < 0)
    return;
  if (rmdir (top) < 0)
    remember_root (top, root);
}

/* The private bundles of runtime roots that no longer exist (a test's or a
 * tool's temporary --root, removed with its containers still recorded): no
 * create under them will come to collect them, and runc knows none of
 * their containers.  Only an absolute root is judged; the age rule of
 * collect() spares a create in progress that is about to make its root. */
static void
collect_gone_roots (const char *own_top)
{
  DIR *d = opendir (PRIVATE_DIR);
  struct dirent *de;

  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_free char *top = NULL;
      char root[PATH_MAX] = "";
      struct stat st;

      if (de->d_name[0] == '.')
        continue;
      xasprintf (&top, PRIVATE_DIR "/%s", de->d_name);
      if (strcmp (top, own_top) == 0 || !read_top_root (top, root))
        continue;
      if (lstat (root, &st) < 0 && errno == ENOENT)
        {
          collect (root, top, NULL);
          forget_empty_top (top, root);
        }
    }
  if (d)
    closedir (d);
}

/* ---- the creating process ----
 *
 * A private bundle is written before runc makes the container's state: in
 * between, runc does not know the container and the bundle is not stale.
 * CREATOR_NAME in it names the process that writes it ("PID START", the
 * process that then becomes runc create): while it runs, the create may
 * still be under way; once it is gone, runc knows the container or never
 * will. */

#define CREATOR_NAME ".creator"

static int
write_creator (int dirfd, const char *dir, hr_error_t *err)
{
  char text[64];
  int fd, len;

  len = snprintf (text, sizeof text, "%ld %llu\n", (long)getpid (), (unsigned long long)hr_self_start_time ());
  fd = openat (dirfd, CREATOR_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return hr_error_set (err, errno, "cannot write %s/" CREATOR_NAME, dir);
  if (write (fd, text, (size_t)len) != len)
    return close (fd), hr_error_set (err, errno, "cannot write %s/" CREATOR_NAME, dir);
  close (fd);
  return 0;
}

/* The create that wrote the private bundle (dirfd, st) may still run: its
 * process lives; without a creator file (written by an older hardrun, or
 * about to be written), the bundle is younger than a create could take. */
static bool
create_may_run (int dirfd, const struct stat *st)
{
  char buf[64];
  long long pid;
  unsigned long long start;
  ssize_t n;
  int fd = openat (dirfd, CREATOR_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return time (NULL) - st->st_mtime <= PRIVATE_GC_AGE_SECONDS;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return time (NULL) - st->st_mtime <= PRIVATE_GC_AGE_SECONDS;
  buf[n] = '\0';
  if (sscanf (buf, "%lld %llu", &pid, &start) != 2)
    return true; /* only hardrun writes here: not judged */
  return hr_process_is (pid, start);
}

/* runc holds container id under root with the private bundle (st) as its
 * bundle, or its record cannot be read (fail closed). */
static bool
runc_holds (const char *root, const char *id, const struct stat *st)
{
  cleanup_json struct hr_json *state = NULL;
  hr_error_t err = NULL;
  const char *bundle;
  struct stat b;
  int loaded = hr_runc_state_load (root, id, &state, &err);

  if (loaded < 0)
    return hr_error_free (&err), true;
  if (loaded == 0)
    return false;
  bundle = hr_runc_state_bundle (state);
  if (bundle == NULL)
    return true; /* cannot tell which bundle it runs from */
  return stat (bundle, &b) == 0 && b.st_dev == st->st_dev && b.st_ino == st->st_ino;
}

static bool
private_is_stale (const char *root, const char *dir, const char *id)
{
  cleanup_close int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;

  if (dirfd < 0 || fstat (dirfd, &st) < 0)
    return false;
  return !create_may_run (dirfd, &st) && !runc_holds (root, id, &st);
}

static void
stale_under (const char *top, const char *root,
             void (*fn) (const char *dir, const char *root, const char *id, void *data), void *data)
{
  DIR *d = opendir (top);
  struct dirent *de;

  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_free char *id = id_of (de->d_name);
      cleanup_free char *dir = NULL;

      if (id == NULL)
        continue;
      xasprintf (&dir, "%s/%s", top, de->d_name);
      if (private_is_stale (root, dir, id))
        fn (dir, root, id, data);
    }
  if (d)
    closedir (d);
}

void
hr_private_bundles_stale (void (*fn) (const char *dir, const char *root, const char *id, void *data), void *data)
{
  DIR *d = opendir (PRIVATE_DIR);
  struct dirent *de;

  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_free char *top = NULL;
      char root[PATH_MAX];

      if (de->d_name[0] == '.')
        continue;
      xasprintf (&top, PRIVATE_DIR "/%s", de->d_name);
      if (read_top_root (top, root))
        stale_under (top, root, fn, data);
    }
  if (d)
    closedir (d);
}

int
hr_private_bundle_remove_if_stale (const char *dir, hr_error_t *err)
{
  cleanup_free char *top = xstrdup (dir);
  cleanup_free char *id = NULL;
  char root[PATH_MAX];
  char *slash = strrchr (top, '/');

  /* PRIVATE_DIR/TOP/ID.XXXXXX and nothing else */
  if (slash == NULL || !hr_has_prefix (top, PRIVATE_DIR "/") || strchr (top + strlen (PRIVATE_DIR "/"), '/') != slash)
    return 0;
  *slash = '\0';
  id = id_of (slash + 1);
  if (id == NULL || !read_top_root (top, root) || !private_is_stale (root, dir, id))
    return 0;
  remove_private (dir);
  if (access (dir, F_OK) == 0 || errno != ENOENT)
    return hr_error_set (err, errno, "cannot remove %s", dir);
  return 1;
}

/* top/ID.XXXXXX, a directory of this create's own: a concurrent create of
 * the same id never rewrites the spec of the container that won.  Another
 * create may remove top as a gone root's between our making it and
 * mkdtemp (forget_empty_top): then top is made again, once. */
static char *
make_private_dir (const char *top, const char *root, const char *id, hr_error_t *err)
{
  char *dir = NULL;

  for (int attempt = 0; attempt < 2; attempt++)
    {
      /* root's: traversable (runc's init starts in it), not listable */
      if (hr_make_dir (HR_STATE_DIR, 0711, err) < 0 || hr_make_dir (PRIVATE_DIR, 0711, err) < 0
          || hr_make_dir (top, 0711, err) < 0)
        return hr_error_prefix (err, "cannot make the private bundle"), NULL;
      remember_root (top, root);
      if (attempt == 0)
        {
          collect (root, top, NULL);
          collect_gone_roots (top);
        }
      free (dir);
      xasprintf (&dir, "%s/%s.XXXXXX", top, id);
      if (mkdtemp (dir) != NULL)
        {
          int saved;
          if (chmod (dir, 0711) == 0)
            return dir;
          saved = errno;
          rmdir (dir);
          errno = saved;
          break;
        }
      if (errno != ENOENT)
        break;
    }
  hr_error_set (err, errno, "cannot make the private bundle %s", dir);
  free (dir);
  return NULL;
}

int
hr_private_bundle_write (const struct hr_cli *cli, int bundle_fd, struct hr_json *spec, char **dir_out, hr_error_t *err)
{
  cleanup_free char *root = hr_cli_state_root (cli->root, err);
  cleanup_free char *top = NULL, *dir = NULL, *base = NULL;
  cleanup_free char *text = NULL;
  cleanup_close int dirfd = -1;
  struct stat mode = { .st_mode = 0600, .st_uid = 0, .st_gid = 0 };
  size_t len;

  if (root == NULL || (base = runc_working_dir (bundle_fd, err)) == NULL)
    return -1;
  top = private_root_dir (root);
  if (!hr_container_id_valid (cli->container_id))
    return hr_error_set (err, 0, "invalid container id \"%s\"", cli->container_id ? cli->container_id : "");
  dir = make_private_dir (top, root, cli->container_id, err);
  if (dir == NULL)
    return -1;
  dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd < 0)
    return hr_error_set (err, errno, "cannot open %s", dir);
  if (write_creator (dirfd, dir, err) < 0)
    return remove_private (dir), -1;
  make_paths_absolute (spec, base);
  text = hr_json_serialize (spec, &len);
  if (hr_file_replace (dirfd, "config.json", text, len, &mode, HR_FILE_VOLATILE, err) < 0)
    {
      remove_private (dir);
      return hr_error_prefix (err, "cannot write the private bundle %s", dir);
    }
  *dir_out = hr_steal_pointer (&dir);
  return 0;
}

void
hr_private_bundle_forget (const char *root_flag, const char *id)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *root = hr_cli_state_root (root_flag, &err);
  cleanup_free char *top = NULL;

  if (root == NULL || !hr_container_id_valid (id))
    return;
  top = private_root_dir (root);
  collect (root, top, id);
}

/* The index of the runc argument that holds value (a pointer into one of
 * them, "-b=DIR" or "DIR" after "--bundle"), -1 if none does. */
static int
argument_holding (const struct hr_cli *cli, const char *value)
{
  uintptr_t v = (uintptr_t)value;

  for (int i = 1; value && i < cli->runtime_argc; i++)
    if (v >= (uintptr_t)cli->runtime_argv[i] && v <= (uintptr_t)cli->runtime_argv[i] + strlen (cli->runtime_argv[i]))
      return i;
  return -1;
}

/* The argument a with the part from value on replaced by replacement. */
static char *
replace_value (const char *a, const char *value, const char *replacement)
{
  char *out;

  xasprintf (&out, "%.*s%s", (int)((uintptr_t)value - (uintptr_t)a), a, replacement);
  return out;
}

/* runc's argv with dir as the bundle: the value of the bundle flag runc
 * obeys (the one cli.c took) is replaced, or, with none, "--bundle dir"
 * follows the command.  A --root "" that cli.c resolved to the caller's
 * bundle is given as that directory: runc would resolve it against the
 * bundle it enters, which is now the private one. */
char **
hr_argv_with_bundle (const struct hr_cli *cli, const char *dir)
{
  char **argv = xcalloc ((size_t)cli->runtime_argc + 3, sizeof (char *));
  int given = argument_holding (cli, cli->bundle);
  int root = cli->root_storage ? argument_holding (cli, cli->root_given) : -1;
  int o = 0;

  argv[o++] = cli->runtime_argv[0];
  for (int i = 1; i < cli->runtime_argc; i++)
    {
      char *a = cli->runtime_argv[i];
      if (i == given)
        argv[o++] = replace_value (a, cli->bundle, dir);
      else if (i == root)
        argv[o++] = replace_value (a, cli->root_given, cli->root);
      else
        argv[o++] = xstrdup (a);
      if (given < 0 && a == cli->command)
        {
          argv[o++] = xstrdup ("--bundle");
          argv[o++] = xstrdup (dir);
        }
    }
  return argv;
}
