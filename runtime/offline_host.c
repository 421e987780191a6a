/* SPDX-License-Identifier: Apache-2.0 */
/* Offline host facts for `check`: a spec captured on another machine names
 * that machine's paths (docker's prestart hook /proc/4242/exe, a CRI
 * container's /proc/4242/ns/net).  Looking them up here would judge this
 * machine instead, so every answer below is derived from the path text
 * only.  Where the text cannot decide, the answer is an error starting with
 * HR_OFFLINE_UNDECIDED: the rules refuse on errors (fail closed) and
 * `check` reports those refusals as "undecided". */
#include <ctype.h>
#include <string.h>

#include "hardrun/util.h"
#include "offline_host.h"

/* The decimal pid of "/proc/PID/<rest>", 0 when path has another shape;
 * *rest points after "PID/". */
static long
proc_pid (const char *path, const char **rest)
{
  const char *p = path + strlen ("/proc/");
  long pid = 0;

  if (strncmp (path, "/proc/", strlen ("/proc/")) != 0 || !isdigit ((unsigned char)*p) || *p == '0')
    return 0;
  for (; isdigit ((unsigned char)*p); p++)
    {
      if (pid > 1000000000L)
        return 0;
      pid = pid * 10 + (*p - '0');
    }
  if (*p != '/')
    return 0;
  *rest = p + 1;
  return pid;
}

static bool
under (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  return strncmp (path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0' && strchr (path + n + 1, '/') == NULL;
}

/* /proc/1/ns/X and /proc/self/ns/X are the host's (runc's own namespaces are
 * the host's); /proc/PID/ns/X of another pid is that process's, which an
 * engine names only for a container or sandbox it started; the named
 * network namespaces of CNI (/run/netns/NAME) and docker's per-container
 * ones are not the host's, docker's "default" is.  A user namespace of
 * another pid is judged the host's: the rule then gives the container a
 * private one, the stricter outcome. */
static int
offline_namespace_is_host (const struct hr_host *host, const char *type, const char *path, bool *is_host,
                           hr_error_t *err)
{
  cleanup_free char *clean = path[0] == '/' ? hr_path_clean (path) : NULL;
  const char *rest = NULL;
  long pid;

  (void)host;
  if (clean == NULL || strcmp (clean, path) != 0)
    return hr_error_set (err, 0, HR_OFFLINE_UNDECIDED ": \"%s\" is not a clean absolute path", path);
  pid = proc_pid (clean, &rest);
  if (strncmp (clean, "/proc/self/ns/", 14) == 0 || strncmp (clean, "/proc/thread-self/ns/", 21) == 0
      || (pid == 1 && strncmp (rest, "ns/", 3) == 0) || strcmp (clean, "/var/run/docker/netns/default") == 0
      || strcmp (clean, "/run/docker/netns/default") == 0)
    {
      *is_host = true;
      return 0;
    }
  if (pid > 1 && strncmp (rest, "ns/", 3) == 0 && strchr (rest + 3, '/') == NULL)
    {
      *is_host = strcmp (type, "user") == 0;
      return 0;
    }
  if (under (clean, "/run/netns") || under (clean, "/var/run/netns") || under (clean, "/run/docker/netns")
      || under (clean, "/var/run/docker/netns"))
    {
      *is_host = false;
      return 0;
    }
  return hr_error_set (err, 0, HR_OFFLINE_UNDECIDED ": the %s namespace path \"%s\" has no known shape", type, path);
}

/* Host paths are judged as written, cleaned: a symlink on the spec's host
 * cannot be seen from here. */
static char *
offline_resolve_path (const struct hr_host *host, const char *path)
{
  (void)host;
  return path[0] == '/' ? hr_path_clean (path) : NULL;
}

/* A hook's executable: /proc/PID/exe of an engine process is taken for the
 * engine's binary (HR_OFFLINE_ENGINE_EXE); an absolute clean path stands
 * for itself (who owns it there cannot be seen here: the runtime checks it
 * on the spec's host). */
static int
offline_trusted_executable (const struct hr_host *host, const char *path, char **resolved, hr_error_t *err)
{
  cleanup_free char *clean = hr_path_clean (path);
  const char *rest = NULL;

  (void)host;
  if (proc_pid (path, &rest) > 1 && strcmp (rest, "exe") == 0)
    {
      *resolved = xstrdup (HR_OFFLINE_ENGINE_EXE);
      return 0;
    }
  if (strncmp (path, "/proc/", 6) == 0 || strcmp (clean, path) != 0)
    return hr_error_set (err, 0, HR_OFFLINE_UNDECIDED ": the executable \"%s\" has no known shape", path);
  *resolved = xstrdup (clean);
  return 0;
}

static int
offline_mount_fact (const struct hr_host *host, const char *path, struct hr_mount_fact *out, hr_error_t *err)
{
  (void)host;
  (void)out;
  return hr_error_set (err, 0, HR_OFFLINE_UNDECIDED ": what is mounted at \"%s\" on the spec's host", path);
}

static int
offline_user_namespace_info (const struct hr_host *host, const char *path, struct hr_userns_info *info, hr_error_t *err)
{
  (void)host;
  (void)info;
  return hr_error_set (err, 0, HR_OFFLINE_UNDECIDED ": the mapping of the user namespace \"%s\"", path);
}

/* The engine names /proc/PID/ns/TYPE of another pid only for the container
 * the spec joins (a pod's sandbox): taken for that container's namespace.
 * The pod's uid it was created with stays unknown (no annotation). */
static bool
offline_namespace_of_container (const struct hr_host *host, const char *id, const char *type, const char *path)
{
  const char *rest = NULL;

  (void)host;
  (void)id;
  (void)type;
  return proc_pid (path, &rest) > 1 && strncmp (rest, "ns/", 3) == 0 && strchr (rest + 3, '/') == NULL;
}

void
hr_offline_host_adjust (struct hr_host *host, void *unused)
{
  (void)unused;
  host->namespace_is_host = offline_namespace_is_host;
  host->resolve_path = offline_resolve_path;
  host->trusted_executable = offline_trusted_executable;
  host->mount_fact = offline_mount_fact;
  host->user_namespace_info = offline_user_namespace_info;
  host->namespace_of_container = offline_namespace_of_container;
  /* no live containers, annotations or runc state of the spec's host */
  host->live_cgroups = NULL;
  host->container_annotation = NULL;
  host->runtime_root = NULL;
}

bool
hr_offline_undecided (const char *message)
{
  return message != NULL && strstr (message, HR_OFFLINE_UNDECIDED) != NULL;
}
