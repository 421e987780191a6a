/* SPDX-License-Identifier: Apache-2.0 */
/* create, run and restore: harden the bundle's config.json (or refuse the
 * container), record the decision, then hand over to the real runtime. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "commands.h"
#include "container_record.h"
#include "files.h"
#include "harden.h"
#include "hardrun/util.h"
#include "heap_prefault.h"
#include "log.h"
#include "policy_source.h"
#include "real_runtime.h"
#include "userns/bundle_memory.h"
#include "userns/stage.h"

#define SPEC_NAME "config.json"
/* the heap a create of Docker's default spec uses, with some room */
#define CREATE_HEAP_BYTES (448u << 10)

static int
open_bundle (const char *bundle, hr_error_t *err)
{
  const char *dir = bundle[0] ? bundle : ".";
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return hr_error_set (err, errno, "cannot open the bundle %s", dir);
  return fd;
}

/* The image, where the engine's annotations name it (containerd's CRI,
 * OCI image annotations); Docker 20.10 and ctr give none. */
static const char *
image_of (const struct hr_json *spec)
{
  static const char *const keys[]
      = { "io.kubernetes.cri.image-name", "org.opencontainers.image.ref.name", "org.opencontainers.image.base.name" };
  const struct hr_json *annotations = spec ? hr_json_get_value (spec, "annotations") : NULL;

  for (size_t i = 0; annotations && annotations->type == HR_JSON_OBJECT && i < HR_ARRAY_SIZE (keys); i++)
    {
      /* annotations are a Go map: exact keys */
      for (size_t m = 0; m < annotations->len; m++)
        if (strcmp (annotations->members[m].key, keys[i]) == 0 && hr_json_is_string (annotations->members[m].value))
          return annotations->members[m].value->text;
    }
  return NULL;
}

static void
audit (const struct hr_policy *policy, const struct hr_cli *cli, const struct hr_hardened *h, const char *path,
       long userns_setup_us)
{
  struct hr_audit_event ev = {
    .image = image_of (h->doc),
    .userns_setup_us = userns_setup_us,
    .command = cli->command,
    .container_id = cli->container_id,
    .document = path,
    .profile = h->profile ? h->profile->name : NULL,
    .audit_mode = h->audit_mode,
    .result = &h->result,
    .spec = h->doc,
  };
  hr_audit_write (policy, &ev);
}

static int
deny (const struct hr_policy *policy, const struct hr_cli *cli, const struct hr_hardened *h, const char *path)
{
  cleanup_free char *summary = hr_denial_summary (&h->result);

  audit (policy, cli, h, path, -1);
  hr_log_error ("policy denies container %s (profile \"%s\"): %s", cli->container_id, h->profile->name, summary);
  return 1;
}

/* "/proc/PID/ns/user" -> the mappings in /proc/PID/{uid,gid}_map as spec JSON. */
static struct hr_json *
read_id_map (const char *userns_path, const char *file, hr_error_t *err)
{
  cleanup_free char *path = xstrdup (userns_path);
  struct hr_json *list = hr_json_new (HR_JSON_ARRAY);
  unsigned long long inside, outside, count;
  FILE *f;

  strcpy (strstr (path, "/ns/user"), "/");
  strcat (path, file);
  f = fopen (path, "re");
  if (f == NULL)
    return hr_json_free (list), hr_error_set (err, errno, "cannot read %s", path), NULL;
  while (fscanf (f, "%llu %llu %llu", &inside, &outside, &count) == 3)
    {
      struct hr_json *m = hr_json_new (HR_JSON_OBJECT);
      hr_json_set (m, "containerID", hr_json_new_int ((int64_t)inside));
      hr_json_set (m, "hostID", hr_json_new_int ((int64_t)outside));
      hr_json_set (m, "size", hr_json_new_int ((int64_t)count));
      hr_json_append (list, m);
    }
  fclose (f);
  return list;
}

/* runc 1.1 wants the mappings of a user namespace it joins spelled out. */
static int
copy_joined_mappings (struct hr_json *spec, const char *userns_path, hr_error_t *err)
{
  struct hr_json *linux_ = hr_json_ensure_object (spec, "linux");
  struct hr_json *uids = read_id_map (userns_path, "uid_map", err);
  struct hr_json *gids = uids ? read_id_map (userns_path, "gid_map", err) : NULL;

  if (gids == NULL)
    return hr_json_free (uids), -1;
  hr_json_set (linux_, "uidMappings", uids);
  hr_json_set (linux_, "gidMappings", gids);
  return 0;
}

static bool
deny_unmapped_binds (const struct hr_profile *profile)
{
  const struct hr_rule_config *rule = hr_profile_rule (profile, "user_namespace");

  for (size_t i = 0; i < rule->settings->len; i++)
    if (strcmp (rule->settings->members[i].key, "unmappable_binds") == 0)
      return strcmp (rule->settings->members[i].value->text, "deny") == 0;
  return false;
}

/* A bundle rewritten by an earlier create points at that container's
 * staged rootfs and id range; running it again would share both with
 * whichever container holds the slot now.  Fail closed. */
static int
refuse_reused_staging (const struct hr_hardened *h, hr_error_t *err)
{
  const struct hr_json *path = hr_json_get_value (hr_json_get_value (h->doc, "root"), "path");

  if (h->allocated || !hr_json_is_string (path) || !hr_has_prefix (path->text, HR_STATE_DIR "/stage/"))
    return 0;
  return hr_error_set (err, 0,
                       "the spec's root.path \"%s\" is another container's staged rootfs (this bundle was hardened "
                       "by an earlier create, and edited since): give the runtime the original config.json",
                       path->text);
}

/* Without a private user namespace nothing else is staged, but the bind
 * sources still are: runc would resolve each path again after the policy
 * judged it, and a symlink flipped meanwhile would give it another object.
 * Not when sensitive_mounts only records (audit, off): then runc gets the
 * caller's spec as it is. */
static int
stage_binds_without_range (struct hr_hardened *h, hr_error_t *err)
{
  enum hr_action action = hr_profile_rule (h->profile, "sensitive_mounts")->action;

  if (h->audit_mode || action == HR_ACTION_OFF || action == HR_ACTION_AUDIT || !hr_spec_has_binds (h->doc))
    return 0;
  if (hr_ids_allocate_stage (h->cli->root, h->cli->container_id, &h->allocation, err) < 0)
    return -1;
  h->allocated = true;
  return hr_stage_binds (h->doc, h->cli->bundle, &h->allocation, &h->result.needs, err);
}

/* What the policy asked the host to prepare: the idmapped rootfs, with the
 * container's own range or with the user namespace it joins. */
static int
prepare_host (struct hr_hardened *h, hr_error_t *err)
{
  const struct hr_host_needs *needs = &h->result.needs;

  if (refuse_reused_staging (h, err) < 0)
    return -1;

  if (!needs->idmapped_rootfs)
    return stage_binds_without_range (h, err);
  if (needs->join_userns)
    {
      /* the joiner holds the joined namespace's ids for as long as it lives */
      if (hr_ids_join_userns (h->cli->root, h->cli->container_id, needs->join_userns, &h->allocation, err) < 0)
        return -1;
      h->allocated = true;
      h->allocation.userns_path = xstrdup (needs->join_userns);
      if (copy_joined_mappings (h->doc, needs->join_userns, err) < 0)
        return -1;
    }
  if (needs->range_owner)
    {
      /* one more user of the owner's range: it lives until the last is gone */
      if (hr_ids_join (h->cli->root, h->cli->container_id, needs->range_owner, &h->allocation, err) < 0)
        return -1;
      h->allocated = true;
      h->allocation.map = (struct hr_id_map){ .host_uid = (uint32_t)needs->host_uid,
                                              .host_gid = (uint32_t)needs->host_gid,
                                              .size = (uint32_t)needs->size };
    }
  if (!h->allocated)
    return 0;
  return hr_stage_container (h->doc, h->cli->bundle, &h->allocation, deny_unmapped_binds (h->profile), needs, err);
}

int
hr_cmd_create (const struct hr_cli *cli)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_policy struct hr_policy *policy = NULL;
  cleanup_free char *runtime = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *private_dir = NULL;
  cleanup_close int dirfd = -1;
  struct hr_hardened h = { 0 };
  struct hr_cli exec_cli = *cli;
  struct timespec t0, t1;
  struct stat st;
  size_t len;
  int ret = 1;

  hr_heap_prefault (CREATE_HEAP_BYTES);
  policy = hr_load_policy (cli, true, &err);
  if (policy == NULL)
    return hr_log_failure (err, "cannot load the policy, no container is started");
  if (hr_find_runtime (policy->runtime, policy->runtime_sha256, &runtime, &err) < 0)
    return hr_log_failure (err, NULL);
  xasprintf (&path, "%s/%s", cli->bundle[0] ? cli->bundle : ".", SPEC_NAME);
  dirfd = open_bundle (cli->bundle, &err);
  if (dirfd < 0 || hr_file_read (dirfd, SPEC_NAME, HR_JSON_MAX_SIZE, &text, &len, &st, &err) < 0
      || hr_bundle_recall_original (dirfd, &text, &len, &err) < 0)
    return hr_log_failure (err, "cannot read the spec");
  if (hr_harden_spec (policy, cli, text, len, cli->bundle, true, &h, &err) < 0)
    {
      ret = hr_log_failure (err, path);
      goto out;
    }
  if (h.result.n_denied > 0)
    {
      ret = deny (policy, cli, &h, path);
      goto out;
    }
  clock_gettime (CLOCK_MONOTONIC, &t0);
  if (prepare_host (&h, &err) < 0)
    {
      ret = hr_log_failure (err, NULL);
      goto out;
    }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  /* The caller's config.json is never written: runc gets a private
   * bundle with the hardened spec (bundle_memory.c says why). */
  if ((h.result.n_changed > 0 || h.allocated) && hr_private_bundle_write (cli, dirfd, h.doc, &private_dir, &err) < 0)
    {
      ret = hr_log_failure (err, "cannot write the hardened spec");
      goto out;
    }
  if (hr_container_record_save (cli, h.profile->name, hr_result_quarantined (&h.result)) < 0)
    goto out;
  if (private_dir)
    exec_cli.runtime_argv = hr_argv_with_bundle (cli, private_dir);
  audit (policy, cli, &h, path,
         h.result.needs.idmapped_rootfs ? (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000 : -1);
  hr_hardened_clear (&h);
  hr_exec_runtime (runtime, &exec_cli, &err);
  if (private_dir)
    hr_private_bundle_forget (cli->root, cli->container_id);
  return hr_log_failure (err, NULL);

out:
  hr_hardened_abandon (&h);
  hr_hardened_clear (&h);
  return ret;
}
