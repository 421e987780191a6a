/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun install docker: the runtimes of examples/docker/daemon.json in
 * /etc/docker/daemon.json (every other member kept, with its order and its
 * number text), the example profiles their runtimeArgs name, and for
 * --lockdown hardrun as `runc` in front of the real one: dockerd reserves the
 * name "runc" for its built-in runtime, which runs whatever `runc` its PATH
 * finds first (/usr/local/sbin before /usr/sbin). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "install.h"

#define DOCKER_CONFIG_MAX (4u << 20)
#define BINARY_MAX (64u << 20)

static bool
blank (const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!strchr (" \t\r\n", s[i]))
      return false;
  return true;
}

/* The example's runtimes, with hardrun's path as the engine runs it. */
static int
register_runtimes (const struct hr_install_opts *o, struct hr_json *doc, hr_error_t *err)
{
  cleanup_json struct hr_json *example
      = hr_json_parse (hr_example_daemon_json_text, strlen (hr_example_daemon_json_text), err);
  struct hr_json *runtimes, *mine;

  if (example == NULL)
    return hr_error_prefix (err, "the embedded examples/docker/daemon.json");
  mine = hr_json_get (example, "runtimes");
  runtimes = hr_json_ensure_object (doc, "runtimes");
  if (runtimes == NULL)
    return hr_error_set (err, 0, "\"runtimes\" in /etc/docker/daemon.json is not an object");
  for (size_t i = 0; mine && i < mine->len; i++)
    {
      struct hr_json *rt = hr_json_clone (mine->members[i].value);

      hr_json_set (rt, "path", hr_json_new_string (o->path));
      hr_json_set (runtimes, mine->members[i].key, rt);
    }
  return 0;
}

static int
edit_daemon_json (const struct hr_install_opts *o, const char *orig, size_t orig_len, char **out, size_t *out_len,
                  enum hr_install_want *want, hr_error_t *err)
{
  cleanup_json struct hr_json *doc = NULL;

  if (orig == NULL || blank (orig, orig_len))
    doc = hr_json_new (HR_JSON_OBJECT);
  else if ((doc = hr_json_parse (orig, orig_len, err)) == NULL)
    return hr_error_prefix (err, "/etc/docker/daemon.json");
  if (doc->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "/etc/docker/daemon.json is not a JSON object");
  if (register_runtimes (o, doc, err) < 0)
    return -1;
  if (o->set_default || o->lockdown)
    hr_json_set (doc, "default-runtime", hr_json_new_string ("hardrun"));
  *out = hr_json_serialize_pretty (doc);
  *out_len = strlen (*out);
  *want = HR_INSTALL_WRITE;
  return 0;
}

int
hr_install_edit_profiles (const struct hr_install_opts *o, const char *orig, size_t orig_len, char **out,
                          size_t *out_len, enum hr_install_want *want, hr_error_t *err)
{
  /* an operator's file is theirs: never replaced */
  *want = HR_INSTALL_ORIGINAL;
  if (orig != NULL)
    return 0;
  *out = xstrdup (hr_example_profiles_text);
  *out_len = strlen (*out);
  *want = HR_INSTALL_WRITE;
  return 0;
}

/* --lockdown: a copy of hardrun as /usr/local/sbin/runc.  Someone else's
 * file there is refused, never replaced. */
static int
edit_shadow_runc (const struct hr_install_opts *o, const char *orig, size_t orig_len, char **out, size_t *out_len,
                  enum hr_install_want *want, hr_error_t *err)
{
  cleanup_free char *self = NULL;
  cleanup_free char *bin = NULL;
  struct stat st;
  size_t len;

  *want = HR_INSTALL_ORIGINAL;
  if (!o->lockdown)
    return 0;
  xasprintf (&self, "%s%s", o->node_root, o->path);
  if (hr_file_read (AT_FDCWD, self, BINARY_MAX, &bin, &len, &st, err) < 0)
    return -1;
  if (orig != NULL && (orig_len != len || memcmp (orig, bin, len) != 0))
    return hr_error_set (err, 0,
                         "%s exists and is not hardrun: --lockdown installs hardrun there, remove the file first",
                         HR_INSTALL_SHADOW_RUNC);
  *out = hr_steal_pointer (&bin);
  *out_len = len;
  *want = HR_INSTALL_WRITE;
  return 0;
}

static const struct hr_install_target docker_targets[] = {
  { HR_INSTALL_PROFILES, 0644, true, hr_install_edit_profiles },
  { "/etc/docker/daemon.json", 0644, false, edit_daemon_json },
  { HR_INSTALL_SHADOW_RUNC, 0755, false, edit_shadow_runc },
};

const struct hr_install_engine hr_install_docker = {
  .name = "docker",
  .daemon = "dockerd",
  .reload = HR_RELOAD_SIGHUP,
  .transition_path = "/etc/docker/daemon.json",
  .transition = hr_install_docker_transition,
  .wait_transition = hr_install_docker_wait_transition,
  .targets = docker_targets,
  .n_targets = HR_ARRAY_SIZE (docker_targets),
};
