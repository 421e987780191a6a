/* SPDX-License-Identifier: Apache-2.0 */
/* stage.c: bind sources staged under the stage directory with the flags
 * the source mount locks carried into the bind's options, every submount
 * of an `rbind,ro` made read-only (runc 1.1 remounts only the top one),
 * `ro`/`rw` judged as runc applies them (the last wins), and every staged
 * mount removed with the directory.  Mounting needs root: each test runs
 * in a mount namespace of its own (criterion forks every test), so nothing
 * it mounts reaches the host. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "userns/idrange.h"
#include "userns/stage.h"

static char dir[] = "/tmp/hardrun-stage-XXXXXX";
static bool made;

/* root, a private mount namespace, and the new mount API (valgrind 3.19
 * does not know open_tree) */
static void
private_mounts (void)
{
  int fd;

  if (geteuid () != 0)
    cr_skip_test ("needs root (mounts)");
  fd = (int)syscall (SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLOEXEC);
  if (fd < 0)
    cr_skip_test ("needs open_tree(2): %s", strerror (errno));
  close (fd);
  cr_assert_eq (unshare (CLONE_NEWNS), 0, "unshare: %s", strerror (errno));
  cr_assert_eq (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
  cr_assert_not_null (mkdtemp (dir));
  made = true;
}

/* The test's mounts end with its process (its own mount namespace), but
 * its directory is on the host's /tmp: removed, mounts first, as staging
 * is. */
static void
remove_dir (void)
{
  hr_error_t err = NULL;

  if (made)
    cr_assert_eq (hr_stage_remove (dir, &err), 0, "%s", err ? err->msg : "");
}

static char *
path_in (const char *name)
{
  char *p;
  xasprintf (&p, "%s/%s", dir, name);
  return p;
}

/* a tmpfs at dir/name with the given mount flags */
static char *
tmpfs_at (const char *name, unsigned long flags)
{
  char *p = path_in (name);

  cr_assert (mkdir (p, 0755) == 0 || errno == EEXIST);
  cr_assert_eq (mount ("tmpfs", p, "tmpfs", flags, "size=1m"), 0, "mount %s: %s", p, strerror (errno));
  return p;
}

/* stages one bind of source with options (a JSON array); returns the
 * mount object as staged */
static struct hr_json *
stage_one (const char *source, const char *options, struct hr_json **spec_out)
{
  cleanup_free char *text = NULL, *stage_dir = path_in ("stage");
  struct hr_allocation a = { .slot = 0, .stage_dir = stage_dir };
  struct hr_host_needs needs = { 0 };
  hr_error_t err = NULL;
  struct hr_json *spec;

  xasprintf (&text,
             "{\"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"%s\", \"options\": %s}]}",
             source, options);
  spec = hr_json_parse (text, strlen (text), &err);
  cr_assert_not_null (spec);
  cr_assert_eq (hr_stage_binds (spec, dir, &a, &needs, &err), 0, "%s", err ? err->msg : "");
  *spec_out = spec;
  return hr_json_get_value (spec, "mounts")->items[0];
}

static const char *
staged_source (const struct hr_json *mount)
{
  return hr_json_get_value (mount, "source")->text;
}

static bool
is_read_only (const char *path)
{
  struct statvfs sv;

  cr_assert_eq (statvfs (path, &sv), 0, "statvfs %s: %s", path, strerror (errno));
  return (sv.f_flag & ST_RDONLY) != 0;
}

Test (stage, locked_flags_carried_into_the_options, .init = private_mounts, .fini = remove_dir)
{
  cleanup_free char *src = tmpfs_at ("src", MS_NOEXEC | MS_NOSUID | MS_NODEV | MS_NOATIME);
  cleanup_json struct hr_json *spec = NULL;
  struct hr_json *m = stage_one (src, "[\"bind\"]", &spec);
  const struct hr_json *options = hr_json_get_value (m, "options");
  cleanup_free char *expect = path_in ("stage/binds/0");

  cr_assert_str_eq (staged_source (m), expect, "the spec points at the staged object");
  cr_assert (hr_json_strings_contain (options, "noexec"));
  cr_assert (hr_json_strings_contain (options, "nosuid"));
  cr_assert (hr_json_strings_contain (options, "nodev"));
  cr_assert (hr_json_strings_contain (options, "noatime"));
  cr_assert_not (hr_json_strings_contain (options, "ro"), "a writable source stays writable");
}

Test (stage, rbind_ro_makes_every_submount_read_only, .init = private_mounts, .fini = remove_dir)
{
  cleanup_free char *tree = tmpfs_at ("tree", 0);
  cleanup_free char *sub = tmpfs_at ("tree/sub", 0);
  cleanup_json struct hr_json *spec = NULL;
  struct hr_json *m = stage_one (tree, "[\"rbind\", \"ro\"]", &spec);
  cleanup_free char *staged_sub = NULL;

  xasprintf (&staged_sub, "%s/sub", staged_source (m));
  cr_assert (is_read_only (staged_source (m)));
  cr_assert (is_read_only (staged_sub), "the submount of an rbind,ro is read-only too");
  cr_assert_not (is_read_only (sub), "the host's own submount is untouched");
}

Test (stage, the_last_of_ro_and_rw_wins, .init = private_mounts, .fini = remove_dir)
{
  cleanup_free char *a = tmpfs_at ("a", 0), *b = tmpfs_at ("b", 0);
  cleanup_json struct hr_json *spec_a = NULL, *spec_b = NULL;

  struct hr_json *ma = stage_one (a, "[\"bind\", \"ro\", \"rw\"]", &spec_a);

  cr_assert_not (is_read_only (staged_source (ma)), "ro then rw: writable");
  /* the second staging starts from an empty stage directory */
  cr_assert_eq (umount2 (staged_source (ma), MNT_DETACH), 0);
  cr_assert (is_read_only (staged_source (stage_one (b, "[\"bind\", \"rw\", \"ro\"]", &spec_b))),
             "rw then ro: read-only");
}

Test (stage, remove_unmounts_everything_under_the_directory, .init = private_mounts, .fini = remove_dir)
{
  cleanup_free char *tree = tmpfs_at ("tree", 0);
  cleanup_free char *sub = tmpfs_at ("tree/sub", 0);
  cleanup_free char *stage_dir = path_in ("stage");
  cleanup_free char *mountinfo = NULL;
  cleanup_json struct hr_json *spec = NULL;
  hr_error_t err = NULL;
  size_t len;

  stage_one (tree, "[\"rbind\"]", &spec);
  cr_assert_eq (hr_stage_remove (stage_dir, &err), 0, "%s", err ? err->msg : "");
  cr_assert_eq (access (stage_dir, F_OK), -1, "the stage directory is gone");
  cr_assert_eq (hr_file_read_stream ("/proc/self/mountinfo", 1 << 20, &mountinfo, &len, &err), 0);
  cr_assert_null (strstr (mountinfo, stage_dir), "a mount is left under %s", stage_dir);
}

Test (stage, a_missing_source_is_left_to_the_runtime, .init = private_mounts, .fini = remove_dir)
{
  cleanup_free char *missing = path_in ("missing");
  cleanup_json struct hr_json *spec = NULL;
  struct hr_json *m = stage_one (missing, "[\"bind\"]", &spec);

  cr_assert_str_eq (staged_source (m), missing, "runc reports a missing source in its own words");
}

Test (stage, spec_has_binds)
{
  hr_error_t err = NULL;
  const char *with = "{\"mounts\": [{\"destination\": \"/p\", \"type\": \"proc\", \"source\": \"proc\"},"
                     " {\"destination\": \"/d\", \"source\": \"/x\", \"options\": [\"rbind\"]}]}";
  const char *without = "{\"mounts\": [{\"destination\": \"/p\", \"type\": \"proc\", \"source\": \"proc\"}]}";
  cleanup_json struct hr_json *a = hr_json_parse (with, strlen (with), &err);
  cleanup_json struct hr_json *b = hr_json_parse (without, strlen (without), &err);

  cr_assert (hr_spec_has_binds (a), "a mount with bind options and no type is a bind, as runc reads it");
  cr_assert_not (hr_spec_has_binds (b));
}
