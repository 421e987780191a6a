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

#include "cli.h"
#include "doctor.h"
#include "files.h"
#include "harden.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "policy_source.h"
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

/* The live containers' cgroups, gathered once for every container judged:
 * the cgroups rule asks for them on each spec, and a scan of every state
 * directory per container made doctor quadratic (100 containers: 10,000
 * state.json and /proc/PID/cgroup reads).  `own` is the runtime root's
 * part (the judged container is left out of it, as create does), `all`
 * that part followed by the other engines' roots (host.c scans its own
 * root first). */
struct live_cache
{
  int (*scan) (const struct hr_host *host, const struct hr_json *roots, struct hr_strv *ids, struct hr_strv *cgroups,
               char **self, hr_error_t *err);
  const struct hr_json *roots; /* the profile's state_roots the lists are for */
  bool valid;
  struct hr_strv own_ids, own_cgroups, all_ids, all_cgroups;
  char *self;
};

static struct live_cache live_cache;

static void
live_cache_clear (struct live_cache *c)
{
  hr_strv_clear (&c->own_ids);
  hr_strv_clear (&c->own_cgroups);
  hr_strv_clear (&c->all_ids);
  hr_strv_clear (&c->all_cgroups);
  free (c->self);
  c->self = NULL;
  c->valid = false;
}

static int
live_cache_fill (struct live_cache *c, const struct hr_host *host, const struct hr_json *roots, hr_error_t *err)
{
  struct hr_host all = *host;
  cleanup_free char *self2 = NULL;

  live_cache_clear (c);
  all.container_id = NULL;
  if (c->scan (&all, NULL, &c->own_ids, &c->own_cgroups, &c->self, err) < 0
      || c->scan (&all, roots, &c->all_ids, &c->all_cgroups, &self2, err) < 0)
    return -1;
  /* the own root's part must lead the full list, or the cache is wrong:
   * then every spec scans for itself */
  for (size_t i = 0; i < c->own_ids.len; i++)
    if (i >= c->all_ids.len || !hr_streq (c->own_ids.items[i], c->all_ids.items[i]))
      return 1;
  c->roots = roots;
  c->valid = true;
  return 0;
}

static int
live_cgroups_cached (const struct hr_host *host, const struct hr_json *roots, struct hr_strv *ids,
                     struct hr_strv *cgroups, char **self, hr_error_t *err)
{
  struct live_cache *c = &live_cache;
  int ret = 0;

  if (!c->valid || c->roots != roots)
    ret = live_cache_fill (c, host, roots, err);
  if (ret < 0)
    return -1;
  if (ret > 0)
    return c->scan (host, roots, ids, cgroups, self, err);
  for (size_t i = 0; i < c->all_ids.len; i++)
    {
      if (i < c->own_ids.len && hr_streq (c->all_ids.items[i], host->container_id))
        continue;
      hr_strv_push (ids, c->all_ids.items[i]);
      hr_strv_push (cgroups, c->all_cgroups.items[i]);
    }
  *self = xstrdup (c->self);
  return 0;
}

static void
share_live_cgroups (struct hr_host *host, void *data)
{
  (void)data;
  if (host->live_cgroups == NULL)
    return;
  live_cache.scan = host->live_cgroups;
  host->live_cgroups = live_cgroups_cached;
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
      || hr_harden_spec_adjusted (policy, &as_container, text, len, bundle, false, share_live_cgroups, NULL, &h, &err)
             < 0)
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
  live_cache_clear (&live_cache);
}
