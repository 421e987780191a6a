/* SPDX-License-Identifier: Apache-2.0 */
/* doctor, containers group: every running container that did not go
 * through hardrun (started before it was installed, or by another runtime)
 * is listed with what the policy would have done to it.  A container went
 * through hardrun when its init runs in a private user namespace: hardrun
 * gives every container one, so an init in the host's user namespace (uid
 * 0 mapped to host uid 0) was not hardened by it. */
#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor.h"
#include "harden.h"
#include "hardrun/json.h"
#include "hardrun/runtime.h"
#include "hardrun/util.h"
#include "runc_state.h"

/* The state roots of the engines' runc (runc's default, docker's,
 * containerd's per namespace, podman's). */
static const char *const state_roots[] = {
  "/run/runc",
  "/run/docker/runtime-runc/*",
  "/run/containerd/runc/*",
  "/run/user/*/runc",
};

/* The init's uid_map maps container uid 0 to host uid 0. */
static bool
in_host_userns (int64_t pid)
{
  char path[64];
  cleanup_free char *map = NULL;
  unsigned long inside = 1, outside = 1;

  snprintf (path, sizeof path, "/proc/%lld/uid_map", (long long)pid);
  map = hr_doctor_read (path);
  return map && sscanf (map, "%lu %lu", &inside, &outside) == 2 && inside == 0 && outside == 0;
}

/* What the policy would do to the spec in the container's bundle, judged
 * in this process as `hardrun check --id ID` does (a check per container
 * through a child hardrun would cost a process start each). */
static char *
policy_verdict (const struct hr_policy *policy, const struct hr_cli *cli, const char *id, const char *bundle)
{
  struct hr_cli as_container = *cli;
  struct hr_hardened h = { 0 };
  cleanup_close int dirfd = bundle ? open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  cleanup_free char *text = NULL;
  hr_error_t err = NULL;
  char *verdict;
  struct stat st;
  size_t len;

  if (policy == NULL || dirfd < 0)
    return xstrdup (bundle ? "its spec cannot be read" : "no bundle recorded");
  as_container.container_id = id;
  if (hr_file_read (dirfd, "config.json", HR_JSON_MAX_SIZE, &text, &len, &st, &err) < 0
      || hr_harden_spec (policy, &as_container, text, len, bundle, false, &h, &err) < 0)
    verdict = xstrdup ("its spec cannot be checked");
  else
    xasprintf (&verdict, "%s, %zu changed, %zu denied", hr_result_verdict (&h.result), h.result.n_changed,
               h.result.n_denied);
  hr_error_free (&err);
  hr_hardened_clear (&h);
  return verdict;
}

static void
scan_root (const char *root, const struct hr_policy *policy, const struct hr_cli *cli, struct hr_strv *unhardened)
{
  DIR *d = opendir (root);
  struct dirent *e;

  while (d && (e = readdir (d)) != NULL)
    {
      cleanup_json struct hr_json *state = NULL;
      cleanup_free char *verdict = NULL;
      hr_error_t err = NULL;
      int64_t pid;
      uint64_t start;
      char *line;

      if (e->d_name[0] == '.' || hr_runc_state_load (root, e->d_name, &state, &err) <= 0)
        {
          hr_error_free (&err);
          continue;
        }
      if (!hr_runc_state_init (state, &pid, &start) || !hr_process_is (pid, start) || !in_host_userns (pid))
        continue;
      verdict = policy_verdict (policy, cli, e->d_name, hr_runc_state_bundle (state));
      xasprintf (&line, "%s/%s (policy: %s)", root, e->d_name, verdict);
      hr_strv_push_take (unhardened, line);
    }
  if (d)
    closedir (d);
}

void
hr_doctor_containers (struct hr_doctor_report *r, const struct hr_cli *cli)
{
  cleanup_policy struct hr_policy *policy = NULL;
  hr_error_t err = NULL;
  struct hr_doctor_finding *f = hr_doctor_add (r, "containers.unhardened", "containers", HR_SEVERITY_HIGH,
                                               "every running container went through hardrun");
  struct hr_strv unhardened = { 0 };
  cleanup_free char *found = xstrdup ("");

  policy = hr_load_policy (cli, false, &err);
  hr_error_free (&err);

  for (size_t i = 0; i < HR_ARRAY_SIZE (state_roots); i++)
    {
      glob_t g;
      if (glob (state_roots[i], GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g) != 0)
        continue;
      for (size_t j = 0; j < g.gl_pathc; j++)
        scan_root (g.gl_pathv[j], policy, cli, &unhardened);
      globfree (&g);
    }
  for (size_t i = 0; i < unhardened.len; i++)
    {
      char *next;
      xasprintf (&next, "%s%s%s", found, i ? "; " : "", unhardened.items[i]);
      free (found);
      found = next;
    }
  hr_doctor_set (f, unhardened.len ? HR_DOCTOR_FAIL : HR_DOCTOR_PASS, unhardened.len ? found : "none",
                 "no container outside a private user namespace",
                 "recreate them through hardrun (docker run --runtime=hardrun, or make hardrun the default runtime)");
  hr_strv_clear (&unhardened);
}
