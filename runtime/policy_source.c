/* SPDX-License-Identifier: Apache-2.0 */
/* Which policy and which profile apply to this invocation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "files.h"
#include "hardrun/util.h"
#include "policy_source.h"
#include "runtime_trust.h"
#include "sha256.h"

#define MAX_NAMED_FILE_SIZE (4u << 20)
#define MAX_POLICY_SIZE (4u << 20)

/* Every file the policy names, read here (the policy library reads none)
 * with the policy's own trust checks: a seccomp profile anyone could
 * rewrite would decide what every container may call. */
int
hr_policy_read_files (struct hr_policy *policy, bool require_trusted, hr_error_t *err)
{
  struct hr_strv paths = { 0 };
  int ret = 0;

  hr_policy_named_files (policy, &paths);
  for (size_t i = 0; i < paths.len && ret == 0; i++)
    {
      cleanup_free char *text = NULL;
      size_t len;

      if ((require_trusted && hr_check_root_owned (paths.items[i], "the seccomp profile", true, err) < 0)
          || hr_read_small_file (paths.items[i], MAX_NAMED_FILE_SIZE, &text, &len, err) < 0
          || hr_policy_attach_file (policy, paths.items[i], text, len, err) < 0)
        ret = hr_error_prefix (err, "policy %s", policy->source);
    }
  hr_strv_clear (&paths);
  return ret;
}

int
hr_policy_check_trusted (const char *path, hr_error_t *err)
{
  /* group-writable is allowed: a policy group may edit it, anyone else not */
  return hr_check_root_owned (path, "the policy", true, err);
}

static void
add_error (struct hr_policy_problems *problems, hr_error_t *err)
{
  cleanup_free char *text = hr_error_text (*err);

  hr_policy_problems_add (problems, "", NULL, text);
  hr_error_free (err);
}

struct hr_policy *
hr_policy_check_file (const char *path, bool require_trusted, struct hr_policy_problems *problems)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *text = NULL;
  cleanup_policy struct hr_policy *policy = NULL;
  size_t len, before = problems->len;

  if (hr_read_small_file (path, MAX_POLICY_SIZE, &text, &len, &err) < 0)
    return add_error (problems, &err), NULL;
  /* the runtime's own checks, so that what validate calls valid runs */
  if (require_trusted && hr_policy_check_trusted (path, &err) < 0)
    add_error (problems, &err);
  policy = hr_policy_load_text_all (text, len, path, problems);
  if (policy != NULL && hr_policy_read_files (policy, require_trusted, &err) < 0)
    add_error (problems, &err);
  return problems->len == before ? hr_steal_pointer (&policy) : NULL;
}

static struct hr_policy *
with_files (struct hr_policy *policy, bool require_trusted, hr_error_t *err)
{
  if (policy != NULL && hr_policy_read_files (policy, require_trusted, err) < 0)
    {
      hr_policy_free (policy);
      return NULL;
    }
  return policy;
}

/* The digest the audit lines name the policy by: of the very bytes that
 * were loaded, so that a line says which policy decided. */
static struct hr_policy *
with_digest (struct hr_policy *policy, const char *prefix, const char *text, size_t len)
{
  struct hr_sha256 ctx;
  char hex[65];

  if (policy == NULL)
    return NULL;
  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, text, len);
  hr_sha256_hex (&ctx, hex);
  snprintf (policy->digest, sizeof policy->digest, "%s%s", prefix, hex);
  return policy;
}

static struct hr_policy *
load_policy_only (const struct hr_cli *cli, bool require_trusted, hr_error_t *err)
{
  const char *path = cli->policy_path;

  /* Only a policy file that does not exist at all falls back to the
   * embedded default; one that exists but cannot be read fails closed. */
  if (path == NULL)
    {
      if (access (HARDRUN_DEFAULT_POLICY_PATH, F_OK) < 0 && errno == ENOENT)
        return with_digest (hr_policy_load_default (err), "embedded:", hr_default_policy_text,
                            strlen (hr_default_policy_text));
      path = HARDRUN_DEFAULT_POLICY_PATH;
    }
  if (require_trusted && access (path, F_OK) == 0 && hr_policy_check_trusted (path, err) < 0)
    return NULL;
  return hr_policy_load_file (path, err);
}

struct hr_policy *
hr_policy_load_file (const char *path, hr_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len;

  if (hr_read_small_file (path, MAX_POLICY_SIZE, &text, &len, err) < 0)
    return hr_error_prefix (err, "policy"), NULL;
  return with_digest (hr_policy_load_text (text, len, path, err), "", text, len);
}

struct hr_policy *
hr_load_policy (const struct hr_cli *cli, bool require_trusted, hr_error_t *err)
{
  return with_files (load_policy_only (cli, require_trusted, err), require_trusted, err);
}

char *
hr_policy_audit_log (const struct hr_cli *cli)
{
  hr_error_t err = NULL;
  /* only the audit log is wanted: the files the policy names are not read */
  struct hr_policy *policy = load_policy_only (cli, false, &err);
  char *path = xstrdup (policy && policy->audit_log[0] ? policy->audit_log : HARDRUN_DEFAULT_AUDIT_LOG);

  hr_error_free (&err);
  hr_policy_free (policy);
  return path;
}

static const char *
annotation_profile (const struct hr_policy *policy, const struct hr_json *spec, hr_error_t *err, bool *failed)
{
  const struct hr_json *annotations, *value;

  *failed = false;
  if (policy->profile_annotation == NULL || spec == NULL)
    return NULL;
  annotations = hr_json_get_value (spec, "annotations");
  /* Annotations are a Go map: keys match exactly, not case-insensitively. */
  for (size_t i = 0; annotations && i < annotations->len; i++)
    {
      if (strcmp (annotations->members[i].key, policy->profile_annotation) != 0)
        continue;
      value = annotations->members[i].value;
      if (!hr_json_is_string (value))
        return *failed = true, hr_error_set (err, 0, "annotation %s: expected string", policy->profile_annotation),
               NULL;
      if (!hr_strv_contains (&policy->annotation_profiles, value->text))
        return *failed = true,
               hr_error_set (err, 0,
                             "annotation %s asks for profile \"%s\", which the policy does not let annotations choose",
                             policy->profile_annotation, value->text),
               NULL;
      return value->text;
    }
  return NULL;
}

/* The value of annotation key in the spec (a Go map: exact keys), or NULL. */
static const char *
spec_annotation (const struct hr_json *spec, const char *key)
{
  const struct hr_json *annotations = spec ? hr_json_get_value (spec, "annotations") : NULL;

  for (size_t i = 0; annotations && annotations->type == HR_JSON_OBJECT && i < annotations->len; i++)
    if (strcmp (annotations->members[i].key, key) == 0 && hr_json_is_string (annotations->members[i].value))
      return annotations->members[i].value->text;
  return NULL;
}

/* The policy's entry for the Kubernetes namespace of a CRI pod (containerd
 * puts it on the sandbox and on every container of the pod), or NULL. */
static const struct hr_json *
kubernetes_namespace_entry (const struct hr_policy *policy, const struct hr_json *spec, const char **ns)
{
  const struct hr_json *entry;

  *ns = spec_annotation (spec, "io.kubernetes.cri.sandbox-namespace");
  if (policy->kubernetes_namespaces == NULL || *ns == NULL)
    return NULL;
  entry = hr_json_get_value (policy->kubernetes_namespaces, *ns);
  return entry ? entry : hr_json_get_value (policy->kubernetes_namespaces, "*");
}

/* A pod's profile: its annotation's choice when the namespace's list allows
 * it, else the namespace's default profile.  The sandbox and every
 * container of the pod carry the same namespace and pod annotations
 * (containerd's pod_annotations), so they get the same profile. */
static const char *
kubernetes_profile (const struct hr_policy *policy, const struct hr_json *spec, const struct hr_json *entry,
                    const char *ns, hr_error_t *err, bool *failed)
{
  const char *asked = policy->profile_annotation ? spec_annotation (spec, policy->profile_annotation) : NULL;
  const struct hr_json *def = hr_json_get_value (entry, "default_profile");

  *failed = false;
  if (asked == NULL)
    return hr_json_is_string (def) ? def->text : policy->default_profile;
  if (!hr_json_strings_contain (hr_json_get_value (entry, "profiles"), asked))
    return *failed = true,
           hr_error_set (err, 0, "annotation %s asks for profile \"%s\", which Kubernetes namespace \"%s\" may not use",
                         policy->profile_annotation, asked, ns),
           NULL;
  return asked;
}

const struct hr_profile *
hr_select_profile (const struct hr_policy *policy, const struct hr_cli *cli, const struct hr_json *spec,
                   hr_error_t *err)
{
  const char *name = cli->profile;
  const struct hr_profile *profile;
  const struct hr_json *entry;
  const char *ns = NULL;
  bool failed;

  entry = name == NULL ? kubernetes_namespace_entry (policy, spec, &ns) : NULL;
  if (entry != NULL)
    {
      name = kubernetes_profile (policy, spec, entry, ns, err, &failed);
      if (failed)
        return NULL;
    }
  if (name == NULL)
    {
      name = annotation_profile (policy, spec, err, &failed);
      if (failed)
        return NULL;
    }
  if (name == NULL)
    name = policy->default_profile;
  profile = hr_policy_find_profile (policy, name);
  if (profile == NULL)
    hr_error_set (err, 0, "policy %s has no profile named \"%s\"", policy->source, name);
  return profile;
}
