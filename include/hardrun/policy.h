/* SPDX-License-Identifier: Apache-2.0 */
/* The policy: global settings plus named profiles, each a full set of rules
 * with an action and the rule's settings.  Loading validates everything
 * (unknown keys, capability names via libcap, syscall names via libseccomp)
 * and resolves every profile against the embedded defaults, so enforcement
 * never meets an unchecked setting. */
#ifndef HARDRUN_POLICY_H
#define HARDRUN_POLICY_H

#include <stdbool.h>

#include "hardrun/error.h"
#include "hardrun/json.h"
#include "hardrun/util.h"

enum hr_action
{
  HR_ACTION_OFF,
  HR_ACTION_AUDIT,
  HR_ACTION_FIX,
  HR_ACTION_DENY,
  /* like deny, but the container runs isolated instead of being refused:
   * fresh namespaces, no engine hooks, the policy's quarantine profile */
  HR_ACTION_QUARANTINE,
};

const char *hr_action_name (enum hr_action action);
int hr_action_parse (const char *name, enum hr_action *out);

/* One rule of a profile, resolved: settings holds every key the rule knows. */
struct hr_rule_config
{
  const char *name;
  enum hr_action action;
  struct hr_json *settings; /* owned; an object without "action" */
};

struct hr_profile
{
  char *name;
  struct hr_rule_config *rules; /* hr_rule_count () entries, in enforcement order */
  /* The policy's quarantine profile when a rule of this one has the action
   * quarantine, else NULL. */
  const struct hr_profile *quarantine;
};

struct hr_policy
{
  char *source;         /* file it came from, or "embedded default policy" */
  char *runtime;        /* absolute path of the real runtime, or NULL to search */
  char *runtime_sha256; /* the runtime's pinned digest (64 hex digits), or NULL */
  char *audit_log;      /* "" disables the audit file */
  bool audit_syslog;
  bool audit_mode; /* every rule only records what it would do */
  char *default_profile;
  char *quarantine_profile;           /* the profile quarantined containers get, or NULL */
  char *profile_annotation;           /* NULL: annotations cannot choose a profile */
  struct hr_strv annotation_profiles; /* the profiles an annotation may choose */
  struct hr_profile *profiles;
  size_t n_profiles;
  /* Kubernetes pods: namespace name (or "*") -> {"default_profile",
   * "profiles"}, validated; NULL when the policy has none. */
  struct hr_json *kubernetes_namespaces;
  /* The SHA-256 of the policy bytes that were loaded, in hex, or
   * "embedded:" and the digest of the embedded default; set by runtime/
   * (which reads the file), "" when unknown. */
  char digest[80];
  /* node_exporter textfile the decision counts are kept in, or NULL */
  char *metrics_textfile;
};

/* The embedded default policy, as text (also what `policy show` starts from). */
extern const char hr_default_policy_text[];

struct hr_policy *hr_policy_load_text (const char *text, size_t len, const char *source, hr_error_t *err);
struct hr_policy *hr_policy_load_default (hr_error_t *err);
void hr_policy_free (struct hr_policy *policy);
static inline void
hr_policy_freep (struct hr_policy **p)
{
  hr_policy_free (*p);
}
#define cleanup_policy __attribute__ ((cleanup (hr_policy_freep)))

const struct hr_profile *hr_policy_find_profile (const struct hr_policy *policy, const char *name);

/* The effective policy (every profile resolved, defaults included) as JSON. */
struct hr_json *hr_policy_to_json (const struct hr_policy *policy);

/* The rule config of `rule` in `profile`. */
const struct hr_rule_config *hr_profile_rule (const struct hr_profile *profile, const char *rule);

/* The files the policy names (a seccomp rule's profile), each once: the
 * library reads no file, runtime/ reads them (with the policy's own trust
 * checks) and attaches their text, which is parsed and compiled for every
 * rule naming path.  A rule whose file was not attached fails when used. */
void hr_policy_named_files (const struct hr_policy *policy, struct hr_strv *out);
int hr_policy_attach_file (struct hr_policy *policy, const char *path, const char *text, size_t len, hr_error_t *err);

/* One problem of a policy, as `policy validate` reports it. */
struct hr_policy_problem
{
  char *pointer;    /* JSON pointer (RFC 6901) of the value at fault; "" is the whole file */
  char *message;    /* what is wrong, without the location */
  char *suggestion; /* the name a misspelt one likely meant, or NULL */
};

struct hr_policy_problems
{
  struct hr_policy_problem *items;
  size_t len;
};

void hr_policy_problems_add (struct hr_policy_problems *problems, const char *pointer, const char *suggestion,
                             const char *message);
void hr_policy_problems_clear (struct hr_policy_problems *problems);

/* hr_policy_load_text in the mode that goes on after a problem: the same
 * checks decide, but every problem is appended to problems instead of the
 * first one ending the load.  Returns the policy only when there is none. */
struct hr_policy *hr_policy_load_text_all (const char *text, size_t len, const char *source,
                                           struct hr_policy_problems *problems);

#endif
