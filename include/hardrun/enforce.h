/* SPDX-License-Identifier: Apache-2.0 */
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
  /* The range above is the policy's plan (its host_uid and host_gid):
   * create reserves a free range of `size` ids and hands it to
   * hr_assign_id_range, which rewrites the mappings and the finding
   * (result->items[range_finding], made for range_reason).  `check` leaves
   * the plan as it is. */
  bool private_range;
  const char *range_reason;
  size_t range_finding;
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
  /* Those of own_binds that are named volumes any container may bind
   * (docker's and podman's, not a pod's own): idmapped onto the volume
   * owner's ids (volume_uid and volume_gid map the container's id 0), so
   * nothing the container writes there is owned by a host user.  Each
   * source comes with the root of its volume, the directory whose content
   * is moved onto those ids once (same index in both). */
  struct hr_strv shared_volume_sources;
  struct hr_strv shared_volume_roots;
  int64_t volume_uid;
  int64_t volume_gid;
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

/* What a path is in the host's mount table (see hr_host.mount_fact). */
struct hr_mount_fact
{
  bool mount_point; /* the path is the mount point of a mount of its own */
  char *fstype;     /* that mount's filesystem type (NULL when not a mount point) */
  char *root;       /* the directory of its filesystem it shows (mountinfo's root) */
  char *device;     /* major:minor of its filesystem */
  /* Where else the same directory is visible on the host: the mount point
   * of every other mount of the device whose root contains it, with the
   * rest of the path appended (a bind volume of /etc: "/etc"). */
  struct hr_strv host_paths;
};

void hr_mount_fact_clear (struct hr_mount_fact *fact);

/* A bind mount, as runc tells one: type "bind" or a bind option. */
bool hr_mount_is_bind (const struct hr_json *mount);

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
  /* Compiles the final seccomp profile, or knows that an identical one
   * compiled before.  NULL: hr_seccomp_compile every time. */
  int (*check_seccomp) (const struct hr_host *host, const struct hr_json *profile, hr_error_t *err);
  /* The seccomp rule's merge for inputs (a text naming everything the
   * merge depends on besides hardrun's own code), remembered from an
   * earlier container: the merged profile, with *changed filled; NULL when
   * none is known.  remember_merge keeps one for later.  Either may be
   * NULL: every merge is then done anew. */
  struct hr_json *(*recall_merge) (const struct hr_host *host, const char *inputs, size_t len, struct hr_strv *changed);
  void (*remember_merge) (const struct hr_host *host, const char *inputs, size_t len, const struct hr_json *merged,
                          const struct hr_strv *changed);
  /* Where the working directory `path` (absolute) of a process lands once
   * every symlink on the way is followed inside the rootfs as the kernel
   * follows it when runc chdir's there, dangling links included (followed
   * lexically): an image whose /app links to /proc/self/fd/7 gives
   * "/proc/self/fd/7".  A clean container path; NULL when the rootfs cannot
   * be read or the callback is not set.  rootfs is root.path as in the
   * spec, or for an exec process_root. */
  char *(*resolve_cwd) (const struct hr_host *host, const char *rootfs, const char *path);
  /* exec: the container's live root (/proc/PID/root of its init), with
   * every mount the container has; NULL otherwise. */
  const char *process_root;
  /* The id of the container being created or exec'd into (runc's
   * container-id argument), or NULL (check, unit tests). */
  const char *container_id;
  /* Resolves the executable at path once and checks that nobody but root
   * can swap it: the resolved file is a regular, executable file owned by
   * root and not writable by group or others, and so is every directory
   * above it (none a symlink).  *resolved gets the path to hand the
   * runtime in place of path.  NULL: every host hook is refused. */
  int (*trusted_executable) (const struct hr_host *host, const char *path, char **resolved, hr_error_t *err);
  /* The live containers other than container_id in the runtime's state
   * directory (runtime_root) and in the state directories matching the
   * glob patterns `roots` (other engines' runc roots): their ids and their
   * cgroups (paths below the root of the pids hierarchy, from their init's
   * /proc/PID/cgroup); *self gets the cgroup the runtime runs in (a
   * relative cgroupsPath lands below it).  NULL: cgroupsPath is not
   * checked against other containers. */
  int (*live_cgroups) (const struct hr_host *host, const struct hr_json *roots, struct hr_strv *ids,
                       struct hr_strv *cgroups, char **self, hr_error_t *err);
  /* What the absolute path `path` is in the mount table
   * (/proc/self/mountinfo); fails when it cannot be read.  NULL: no path
   * is a mount point. */
  int (*mount_fact) (const struct hr_host *host, const char *path, struct hr_mount_fact *out, hr_error_t *err);
  /* The namespace at `path` is the `type` namespace ("ipc", "network", ...)
   * of the init process of the live container `id`, as the runtime
   * recorded it under its root (runc's state.json: pid and start time). */
  bool (*namespace_of_container) (const struct hr_host *host, const char *id, const char *type, const char *path);
  /* The annotation `key` the live container `id` was created with (runc
   * keeps a spec's annotations as labels in its state), or NULL. */
  char *(*container_annotation) (const struct hr_host *host, const char *id, const char *key);
  /* The real runtime's --root, or NULL for its default. */
  const char *runtime_root;
  /* What the user namespace at path maps and whose range it is; fails when
   * it cannot be inspected.  NULL: no joined user namespace is trusted. */
  int (*user_namespace_info) (const struct hr_host *host, const char *path, struct hr_userns_info *info,
                              hr_error_t *err);
  void *data;
};

/* Hardens a whole OCI spec (create, run, restore). */
int hr_enforce_spec (struct hr_json *spec, const struct hr_profile *profile, bool audit_mode,
                     const struct hr_host *host, struct hr_result *result, hr_error_t *err);

/* Applies the id range the runtime reserved for a planned private user
 * namespace (result->needs.private_range): the spec's uidMappings and
 * gidMappings and the finding that announced them name host_uid and
 * host_gid.  Fails when the result planned no private range. */
int hr_assign_id_range (struct hr_json *spec, struct hr_result *result, int64_t host_uid, int64_t host_gid);

/* Parses a spec the way runc's Go decoder reads it: duplicate and
 * case-variant keys, merges and nulls resolved as encoding/json resolves them
 * into runtime-spec's types (policy/spec_go_types.c). */
struct hr_json *hr_spec_parse_go (const char *text, size_t len, hr_error_t *err);

/* Hardens the process of an exec (the --process file). */
int hr_enforce_process (struct hr_json *process, const struct hr_profile *profile, bool audit_mode,
                        struct hr_result *result, hr_error_t *err);

/* The same, with the host's answers about the container (an exec's
 * working directory is resolved in the container's live root). */
int hr_enforce_exec_process (struct hr_json *process, const struct hr_profile *profile, bool audit_mode,
                             const struct hr_host *host, struct hr_result *result, hr_error_t *err);

/* Builds an OCI seccomp profile with libseccomp as runc 1.1 does and
 * generates its BPF: what runc would reject fails here. */
int hr_seccomp_compile (const struct hr_json *profile, hr_error_t *err);
/* The same, and the BPF it generated (*bpf malloc'd, *len bytes) when bpf
 * is not NULL: what the compiled-profile cache keeps. */
int hr_seccomp_compile_bpf (const struct hr_json *profile, char **bpf, size_t *len, hr_error_t *err);
/* How hr_seccomp_build reads a profile, for the compiled-profile cache's
 * keys: bump it whenever a change there could change the BPF. */
#define HR_SECCOMP_COMPILE_FORMAT 1

/* The rules, in the order enforcement runs them. */
size_t hr_rule_count (void);
const char *hr_rule_name (size_t index);

/* What a rule is, for reports and `hardrun explain` (policy/rule_meta.c). */
struct hr_rule_meta
{
  const char *name;     /* the rule's name in the policy */
  const char *id;       /* stable id, e.g. "HR-CAPS-001" */
  const char *severity; /* "critical", "high", "medium" or "low" */
  const char *pointer;  /* the spec field it judges (RFC 6901) */
  const char *summary;  /* what it does */
  const char *fix;      /* the setting or profile that would allow it */
};
size_t hr_rule_meta_count (void);
const struct hr_rule_meta *hr_rule_meta_at (size_t index);
/* By rule name or id (ids case-insensitively); NULL when unknown. */
const struct hr_rule_meta *hr_rule_meta_find (const char *name_or_id);

/* A minimal seccomp profile (OCI form): the floor every process needs plus
 * the system calls in seen (names); see policy/seccomp_learn.c. */
struct hr_json *hr_seccomp_learned_profile (const struct hr_strv *seen);

#endif
