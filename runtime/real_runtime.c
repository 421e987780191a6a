/* SPDX-License-Identifier: Apache-2.0 */
/* Finding and executing the real runtime.  hardrun may be installed as
 * `runc` in front of the real one, so a candidate that is hardrun itself
 * (same device and inode as /proc/self/exe) is never chosen. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "files.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "real_runtime.h"
#include "runtime_trust.h"

static const char *const runtime_names[] = { "runc", NULL };

/* The runtime hr_find_runtime verified, opened once: hr_exec_runtime
 * executes this descriptor, so what runs is the file that was checked (and
 * hashed against the pin), whatever happens to the path meanwhile.  One
 * per process: hardrun finds and executes one runtime and exits. */
static struct
{
  char *path;
  int fd;
} verified = { NULL, -1 };

static bool
is_self (const struct stat *st)
{
  struct stat self;
  return stat ("/proc/self/exe", &self) == 0 && self.st_dev == st->st_dev && self.st_ino == st->st_ino;
}

static bool
usable (const char *path, bool *was_self)
{
  struct stat st;

  *was_self = false;
  if (stat (path, &st) < 0 || !S_ISREG (st.st_mode) || access (path, X_OK) < 0)
    return false;
  *was_self = is_self (&st);
  return !*was_self;
}

static int
find_runtime (const char *configured, char **path, hr_error_t *err)
{
  cleanup_free char *dirs = xstrdup (HARDRUN_RUNTIME_SEARCH_PATH);
  char *save = NULL;
  bool was_self;

  if (configured)
    {
      if (usable (configured, &was_self))
        return *path = xstrdup (configured), 0;
      if (was_self)
        return hr_error_set (err, 0, "the policy names hardrun itself (%s) as the real runtime", configured);
      return hr_error_set (err, errno, "the real runtime %s named by the policy is not an executable file", configured);
    }
  for (char *dir = strtok_r (dirs, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    for (size_t i = 0; runtime_names[i]; i++)
      {
        cleanup_free char *candidate = NULL;
        xasprintf (&candidate, "%s/%s", dir, runtime_names[i]);
        if (usable (candidate, &was_self))
          return *path = hr_steal_pointer (&candidate), 0;
      }
  return hr_error_set (err, 0,
                       "no real runtime found (looked for runc in %s): install runc or set \"runtime\" in "
                       "the policy",
                       HARDRUN_RUNTIME_SEARCH_PATH);
}

int
hr_find_runtime (const char *configured, const char *pin, char **path, hr_error_t *err)
{
  int fd;

  if (find_runtime (configured, path, err) < 0)
    return -1;
  if (hr_open_runtime (*path, pin, &fd, err) < 0)
    {
      free (*path);
      *path = NULL;
      return -1;
    }
  if (verified.fd >= 0)
    close (verified.fd);
  free (verified.path);
  verified.path = xstrdup (*path);
  verified.fd = fd;
  return 0;
}

/* A string member of the policy document, or NULL. */
static char *
string_member (const struct hr_json *doc, const char *key)
{
  const struct hr_json *value = doc ? hr_json_get_value (doc, key) : NULL;
  return hr_json_is_string (value) ? xstrdup (value->text) : NULL;
}

int
hr_policy_runtime_hint (const struct hr_cli *cli, char **runtime, char **pin, hr_error_t *err)
{
  const char *path = cli->policy_path ? cli->policy_path : HARDRUN_DEFAULT_POLICY_PATH;
  cleanup_json struct hr_json *doc = NULL;
  cleanup_free char *text = NULL;
  hr_error_t ignored = NULL;
  struct stat st;
  size_t len;

  *runtime = *pin = NULL;
  if (hr_file_read (AT_FDCWD, path, 4u << 20, &text, &len, &st, &ignored) < 0)
    return hr_error_free (&ignored), 0;
  /* a policy that anyone could have rewritten names no runtime to trust */
  if (hr_check_root_owned (path, "the policy", true, err) < 0)
    return -1;
  doc = hr_json_parse (text, len, &ignored);
  hr_error_free (&ignored);
  *runtime = string_member (doc, "runtime");
  *pin = string_member (doc, "runtime_sha256");
  if (*runtime && (*runtime)[0] != '/')
    {
      free (*runtime);
      *runtime = NULL;
    }
  return 0;
}

int
hr_exec_runtime (const char *path, const struct hr_cli *cli, hr_error_t *err)
{
  cli->runtime_argv[0] = (char *)path;
  if (verified.fd >= 0 && strcmp (path, verified.path) == 0)
    {
      execveat (verified.fd, "", cli->runtime_argv, environ, AT_EMPTY_PATH);
      /* ENOENT: a script, whose interpreter cannot open a close-on-exec
       * descriptor; anything else is an error of the runtime itself */
      if (errno != ENOENT)
        return hr_error_set (err, errno, "cannot execute the real runtime %s", path);
    }
  execv (path, cli->runtime_argv);
  return hr_error_set (err, errno, "cannot execute the real runtime %s", path);
}
