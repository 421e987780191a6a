/* SPDX-License-Identifier: Apache-2.0 */
/* What hardrun install writes, from a file's original bytes: containerd's
 * config.toml edited as text (the operator's lines kept, hardrun's marked,
 * a setting hardrun cannot edit safely refused), docker's daemon.json with
 * every member kept, podman's drop-in.  The file handling itself (backups,
 * restore, --node-root) is tests/e2e/install.bats. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/util.h"
#include "install.h"

static const struct hr_install_opts plain
    = { .engine = "containerd", .node_root = "", .path = "/usr/local/sbin/hardrun" };

/* The engine's first target's edit of text (NULL: the file is absent);
 * NULL when it refuses, with the message in *why. */
static char *
edit (const struct hr_install_engine *e, const struct hr_install_opts *o, const char *text, char **why)
{
  hr_error_t err = NULL;
  enum hr_install_want want;
  char *out = NULL;
  size_t len = 0;

  if (e->targets[e->n_targets == 1 ? 0 : 1].edit (o, text, text ? strlen (text) : 0, &out, &len, &want, &err) < 0)
    {
      *why = xstrdup (err->msg);
      hr_error_free (&err);
      return NULL;
    }
  cr_assert_eq (want, HR_INSTALL_WRITE);
  cr_assert_eq (strlen (out), len);
  return out;
}

static int
count (const char *hay, const char *needle)
{
  int n = 0;
  for (const char *p = hay; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

Test (install_containerd, absent_file_gets_a_version_2_config_with_runc_kept)
{
  char *why = NULL;
  cleanup_free char *out = edit (&hr_install_containerd, &plain, NULL, &why);

  cr_assert_not_null (out, "%s", why);
  cr_assert (hr_has_prefix (out, "# written by hardrun install containerd\nversion = 2\n"));
  cr_assert_eq (count (out, "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"), 1);
  cr_assert_eq (count (out, "  BinaryName = \"/usr/local/sbin/hardrun\"\n"), 1);
  cr_assert_eq (count (out, "pod_annotations = [\"io.hardrun.profile\"]"), 1);
  cr_assert_eq (count (out, "default_runtime_name"), 0);
}

Test (install_containerd, operator_lines_kept_in_place_their_setting_commented_out)
{
  static const char orig[] = "version = 2\n"
                             "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
                             "  snapshotter = \"overlayfs\"\n"
                             "  default_runtime_name = \"runc\"\n"
                             "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
                             "  runtime_type = \"io.containerd.runc.v2\"\n";
  struct hr_install_opts o = plain;
  char *why = NULL;
  cleanup_free char *out = NULL;

  o.set_default = true;
  out = edit (&hr_install_containerd, &o, orig, &why);
  cr_assert_not_null (out, "%s", why);
  cr_assert (strstr (out, "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
                          "  default_runtime_name = \"hardrun\" # hardrun install\n"
                          "  snapshotter = \"overlayfs\"\n"
                          "# hardrun install:   default_runtime_name = \"runc\"\n"),
             "%s", out);
  /* the file declares runtimes: no runc table of hardrun's */
  cr_assert_eq (count (out, "runtimes.runc]"), 1);
}

Test (install_containerd, quoted_and_spaced_headers_are_the_same_table)
{
  static const char orig[] = "version = 2\n"
                             "[ plugins . 'io.containerd.grpc.v1.cri' . \"containerd\" . runtimes . \"hardrun\" ]\n"
                             "  runtime_type = \"io.containerd.runsc.v1\"\n";
  char *why = NULL;
  cleanup_free char *out = edit (&hr_install_containerd, &plain, orig, &why);

  cr_assert_not_null (out, "%s", why);
  cr_assert_eq (count (out, "runtimes.hardrun]"), 0, "%s", out);
  cr_assert_eq (count (out, "runtimes.hardrun.options]"), 1);
  cr_assert (strstr (out, "# hardrun install:   runtime_type = \"io.containerd.runsc.v1\"\n"));
}

Test (install_containerd, refuses_what_it_cannot_edit_safely)
{
  static const char *const refused[] = {
    /* version 1: other plugin names */
    "[plugins.cri]\n  x = 1\n",
    "version = 1\n",
    /* the default set as a dotted key of a parent table */
    "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  containerd.default_runtime_name = \"runc\"\n",
    /* a value over several lines */
    "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.hardrun]\n  pod_annotations = [\n  "
    "\"a\"]\n",
  };
  struct hr_install_opts o = plain;

  o.set_default = true;
  for (size_t i = 0; i < HR_ARRAY_SIZE (refused); i++)
    {
      char *why = NULL;
      cleanup_free char *out = edit (&hr_install_containerd, &o, refused[i], &why);
      cr_assert_null (out, "accepted: %s", refused[i]);
      free (why);
    }
}

Test (install_containerd, comments_only_file_gets_its_version_first)
{
  char *why = NULL;
  cleanup_free char *out = edit (&hr_install_containerd, &plain, "# nothing yet\n", &why);

  cr_assert_not_null (out, "%s", why);
  cr_assert (hr_has_prefix (out, "version = 2\n# nothing yet\n"), "%s", out);
}

Test (install_containerd, a_path_is_a_toml_string)
{
  struct hr_install_opts o = plain;
  char *why = NULL;
  cleanup_free char *out = NULL;

  o.path = "/opt/a \"b\"\\c";
  out = edit (&hr_install_containerd, &o, NULL, &why);
  cr_assert (strstr (out, "BinaryName = \"/opt/a \\\"b\\\"\\\\c\"\n"), "%s", out);
}

Test (install_docker, every_member_kept_number_text_too)
{
  static const char orig[] = "{\"log-level\": \"warn\", \"max-concurrent-downloads\": 1e1, \"runtimes\": {\"mine\": "
                             "{\"path\": \"/x\"}}, \"x-unknown\": [1.50]}";
  struct hr_install_opts o = plain;
  char *why = NULL;
  cleanup_free char *out = NULL;

  o.engine = "docker";
  out = edit (&hr_install_docker, &o, orig, &why);
  cr_assert_not_null (out, "%s", why);
  cr_assert (strstr (out, "\"max-concurrent-downloads\": 1e1"), "%s", out);
  cr_assert (strstr (out, "1.50"));
  cr_assert (strstr (out, "\"mine\""));
  cr_assert_eq (count (out, "\"path\": \"/usr/local/sbin/hardrun\""), 4);
  cr_assert_eq (count (out, "default-runtime"), 0);
  /* JSON docker could read two ways is refused */
  free (why);
  why = NULL;
  cr_assert_null (edit (&hr_install_docker, &o, "{\"runtimes\": {}, \"Runtimes\": {}}", &why));
  free (why);
}

Test (install_podman, drop_in_default_and_lockdown)
{
  struct hr_install_opts o = plain;
  char *why = NULL;
  cleanup_free char *out = NULL;

  o.engine = "podman";
  o.lockdown = true;
  out = edit (&hr_install_podman, &o, NULL, &why);
  cr_assert (strstr (out, "[engine]\nruntime = \"hardrun\"\n"), "%s", out);
  cr_assert (strstr (out, "hardrun = [\"/usr/local/sbin/hardrun\"]\nrunc = [\"/usr/local/sbin/hardrun\"]\n"));
}
