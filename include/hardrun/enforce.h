/* Enforcement: a spec (or an exec process) and a profile in, the hardened
 * document and the list of decisions out.  Pure: nothing here prints, exits,
 * touches files or allocates host resources; what it needs to know about the
 * host comes in through struct hr_host. */
#ifndef HARDRUN_ENFORCE_H
#define HARDRUN_ENFORCE_H

#include <stdbool.h>
#include <stdlib.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"

enum hr_outcome
{
  HR_OUTCOME_CHANGED,     /* the rule rewrote the document */
  HR_OUTCOME_DENIED,      /* the rule refuses the container */
  HR_OUTCOME_AUDITED,     /* audit action: what the rule would have done */
  HR_OUTCOME_QUARANTINED, /* quarantine action: the container runs isolated */
};

struct hr_decision
{
  const char *rule;
  enum hr_outcome outcome;
  char *message;
};

/* What the host must prepare before the runtime runs the hardened spec. */
struct hr_host_needs
{
  /* The user_namespace rule gave the container a private id range: its
   * rootfs (and the engine's bind files) must be idmapped onto it. */
  bool idmapped_rootfs;
  int64_t host_uid;
  int64_t host_gid;
  int64_t size;
  /* Set instead of a range when the container joins the user namespace of
   * the container whose other namespaces it joins (a Kubernetes pod's
   * sandbox): the rootfs is idmapped with that namespace.  Owned. */
  char *join_userns;
  /* Bind sources (as they stand in the hardened spec) that are this
   * container's own: the engine's per-container files of this container and
   * named volumes that really are volumes.  Only these may be idmapped onto
   * the container's range; every other host path keeps the host's
   * ownership as the container's user namespace sees it. */
  struct hr_strv own_binds;
  /* Set with host_uid/host_gid/size when the container shares the id range
   * of another hardrun container (a pod's sandbox) instead of getting one
   * of its own: it gets a new user namespace with exactly that mapping, so
   * that runc 1.1 joins the other namespaces (a CNI network namespace the
   * host's user namespace owns) as host root before it unshares the user
   * namespace.  The container whose range it is (owned). */
  char *range_owner;
};

struct hr_result
{
  struct hr_decision *items;
  size_t len;
  size_t cap;
  size_t n_denied;
  size_t n_changed;
  size_t n_quarantined;
  struct hr_host_needs needs;
};

void hr_result_clear (struct hr_result *result);
/* Records a decision; takes ownership of message. */
void hr_result_add (struct hr_result *result, const char *rule, enum hr_outcome outcome, char *message);
const char *hr_outcome_name (enum hr_outcome outcome);
/* "deny", "quarantine", "modify" or "allow". */
const char *hr_result_verdict (const struct hr_result *result);
/* The container runs quarantined: a quarantine rule was broken, no deny rule. */
bool hr_result_quarantined (const struct hr_result *result);

/* A user namespace a spec joins, as the host sees it. */
struct hr_userns_info
{
  /* Its mapping when its uid_map and gid_map are each one extent from
   * container id 0 (size 0 otherwise). */
  int64_t host_uid;
  int64_t host_gid;
  int64_t size;
  /* The hardrun container whose id range this is: the user namespace of
   * its init process, with a range hardrun allocated (owned), or NULL. */
  char *owner;
  /* uid_map and gid_map as the kernel shows them, for messages (owned). */
  char *maps;
};

static inline void
hr_userns_info_clear (struct hr_userns_info *info)
{
  free (info->owner);
  free (info->maps);
  info->owner = info->maps = NULL;
}

/* What the policy needs to ask the host. */
struct hr_host
{
  /* Sets *is_host when `path` names the same namespace (device and inode)
   * as pid 1's namespace of type `type` ("net", "pid", ...); fails when the
   * path cannot be inspected. */
  int (*namespace_is_host) (const struct hr_host *host, const char *type, const char *path, bool *is_host,
                            hr_error_t *err);
  /* realpath(3) of a host path, or NULL when it cannot be resolved. */
  char *(*resolve_path) (const struct hr_host *host, const char *path);
  /* The container's rootfs (root.path as in the spec) has a directory at
   * dir, resolved inside the rootfs as the container would see it. */
  bool (*rootfs_has_dir) (const struct hr_host *host, const char *rootfs, const char *dir);
  /* Where the container path `path` (absolute, clean) lands once the
   * symlinks of the rootfs are followed inside it, as runc resolves mount
   * destinations: /var/run/secrets is /run/secrets on an image whose
   * /var/run links to /run.  The part that does not exist yet is kept as
   * written.  NULL when the rootfs cannot be opened. */
  char *(*rootfs_resolve) (const struct hr_host *host, const char *rootfs, const char *path);
  /* Reserves a private range of `size` host uids and gids for this
   * container.  NULL: the policy's host_uid/host_gid are used as they are
   * (one shared mapping; `check` and the unit tests). */
  int (*allocate_ids) (const struct hr_host *host, int64_t size, int64_t *uid, int64_t *gid, hr_error_t *err);
  /* Compiles the final seccomp profile, or knows that an identical one
   * compiled before.  NULL: hr_seccomp_compile every time. */
  int (*check_seccomp) (const struct hr_host *host, const struct hr_json *profile, hr_error_t *err);
  /* The id of the container being created or exec'd into (runc's
   * container-id argument), or NULL (check, unit tests). */
  const char *container_id;
  /* What the user namespace at path maps and whose range it is; fails when
   * it cannot be inspected.  NULL: no joined user namespace is trusted. */
  int (*user_namespace_info) (const struct hr_host *host, const char *path, struct hr_userns_info *info,
                              hr_error_t *err);
  void *data;
  void *context; /* for allocate_ids */
};

/* Hardens a whole OCI spec (create, run, restore). */
int hr_enforce_spec (struct hr_json *spec, const struct hr_profile *profile, bool audit_mode,
                     const struct hr_host *host, struct hr_result *result, hr_error_t *err);

/* Hardens the process of an exec (the --process file). */
int hr_enforce_process (struct hr_json *process, const struct hr_profile *profile, bool audit_mode,
                        struct hr_result *result, hr_error_t *err);

/* Builds an OCI seccomp profile with libseccomp as runc 1.1 does and
 * generates its BPF: what runc would reject fails here. */
int hr_seccomp_compile (const struct hr_json *profile, hr_error_t *err);

/* The rules, in the order enforcement runs them. */
size_t hr_rule_count (void);
const char *hr_rule_name (size_t index);

/* A minimal seccomp profile (OCI form): the floor every process needs plus
 * the system calls in seen (names); see policy/seccomp_learn.c. */
struct hr_json *hr_seccomp_learned_profile (const struct hr_strv *seen);

#endif
