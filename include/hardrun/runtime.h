/* SPDX-License-Identifier: Apache-2.0 */
/* The effects side of hardrun (runtime/): logging in runc's format, the real
 * host's answers for the policy, bundle file I/O, the audit trail and the
 * real runtime.  Only runtime/ code and the tests use these. */
#ifndef HARDRUN_RUNTIME_H
#define HARDRUN_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "hardrun/cli.h"
#include "hardrun/enforce.h"
#include "hardrun/error.h"
#include "hardrun/policy.h"

/* log.c: errors go to --log in runc's format (JSON lines with --log-format
 * json, logrus text otherwise) and to stderr; never to stdout. */
void hr_log_init (const char *path, const char *format);
void hr_log_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void hr_log_warning (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Logs err with a context and returns the exit status to use (1). */
int hr_log_failure (hr_error_t err, const char *context);

/* host.c: answers from this machine; relative paths resolve against bundle.
 * allocate_ids is left NULL: create sets it (see harden.c). */
void hr_host_init (struct hr_host *host, const char *bundle);
/* create: remember compiled seccomp profiles under /run/hardrun/seccomp. */
void hr_host_enable_caches (struct hr_host *host);
/* A new O_CLOEXEC descriptor of the object the policy judged when it
 * resolved the host path `path` (host->resolve_path), or -1 when it did not. */
int hr_host_opened (const char *path);

/* cwd_resolve.c: struct hr_host's resolve_cwd. */
char *hr_resolve_cwd (const struct hr_host *host, const char *rootfs, const char *path);

/* The namespace of OCI type `type` at path, opened once per invocation and
 * checked to be a namespace of that type: the descriptor the policy judged
 * (owned by host.c, O_CLOEXEC; do not close it). */
int hr_namespace_open (const char *type, const char *path, hr_error_t *err);
/* The user namespace nsfd's mapping when its uid_map and gid_map are each
 * one extent from container id 0 (*size 0 otherwise). */
int hr_userns_mapping (int nsfd, int64_t *host_uid, int64_t *host_gid, int64_t *size, hr_error_t *err);

/* files.c */
int hr_file_read (int dirfd, const char *name, size_t max_size, char **data, size_t *len, struct stat *st,
                  hr_error_t *err);
/* Replaces name in dirfd with data, atomically: a temporary file in the same
 * directory with the original's mode and owner, fsync, rename, fsync of the
 * directory.  On any error the original is left as it was.  With
 * HR_FILE_DIR_SYNC_LATER the directory is not synced: the caller replaces
 * another file of the same directory next, whose directory sync covers
 * both renames (each fsync costs a few hundred microseconds of create). */
enum
{
  HR_FILE_DIR_SYNC_NOW = 0,
  HR_FILE_DIR_SYNC_LATER = 1,
};
int hr_file_replace (int dirfd, const char *name, const char *data, size_t len, const struct stat *original, int flags,
                     hr_error_t *err);

/* Reads a whole file as runc's os.Open would (symlinks followed; a pipe,
 * /dev/stdin or a process substitution as well as a regular file), once, at
 * most max_size bytes. */
int hr_file_read_stream (const char *path, size_t max_size, char **data, size_t *len, hr_error_t *err);
/* A whole regular file of at most max_size bytes, NUL-terminated: the
 * runtime's one file reader (hr_file_read from the working directory). */
int hr_read_small_file (const char *path, size_t max_size, char **text, size_t *len, hr_error_t *err);

/* Reads the policy file at path and loads it: the policy library takes text,
 * the runtime reads files. */
struct hr_policy *hr_policy_load_file (const char *path, hr_error_t *err);

/* Writes all of data to fd, again after EINTR and short writes; -1 and errno
 * on failure. */
int hr_write_all (int fd, const char *data, size_t len);

/* A sealed in-memory copy of data, open without close-on-exec at an fd of
 * at least min_fd, so that the real runtime reads exactly it through
 * /proc/self/fd/N: nothing on disk, nothing left to clean up, nothing
 * anyone can change between hardrun's check and the runtime's read. */
int hr_file_private_copy (const char *data, size_t len, int min_fd, hr_error_t *err);

/* policy_source.c: --hardrun-policy, else the policy file, else the
 * embedded default.  Fails closed on any problem with a file that exists. */
/* With require_trusted, a policy file that is not root's alone (see
 * runtime_trust.h) is refused: commands that run containers ask for it,
 * check and policy (which run nothing) do not. */
struct hr_policy *hr_load_policy (const struct hr_cli *cli, bool require_trusted, hr_error_t *err);
/* Reads the files a loaded policy names (its seccomp profiles) and attaches
 * them; with require_trusted each must pass the policy's own trust checks. */
int hr_policy_read_files (struct hr_policy *policy, bool require_trusted, hr_error_t *err);
/* The audit log the policy names; the built-in default when the policy
 * cannot be read (for report and seccomp learn, which run nothing). */
char *hr_policy_audit_log (const struct hr_cli *cli);
/* The profile: --hardrun-profile, else the annotation the policy allows
 * (spec may be NULL), else the policy's default. */
const struct hr_profile *hr_select_profile (const struct hr_policy *policy, const struct hr_cli *cli,
                                            const struct hr_json *spec, hr_error_t *err);

/* audit.c: one JSON line per decision. */
struct hr_audit_event
{
  const char *command;
  const char *container_id;
  const char *document; /* the file that was checked */
  const char *image;    /* from the spec's annotations, or NULL */
  const char *profile;
  /* exec: where the profile came from (the container's record, or why
   * there was none), or NULL */
  const char *profile_source;
  bool audit_mode;
  const struct hr_result *result;
  /* create: time spent preparing the user namespace (id range, idmapped
   * rootfs), in microseconds; -1 when there was none */
  long userns_setup_us;
};
void hr_audit_write (const struct hr_policy *policy, const struct hr_audit_event *event);

/* audit_read.c: calls fn for each line of the log that is a JSON object,
 * with its line number; lines that are not, or that fn rejects (false),
 * are counted in *skipped. */
typedef bool (*hr_audit_record_fn) (const struct hr_json *record, size_t line, void *data);
int hr_audit_read (const char *path, hr_audit_record_fn fn, void *data, long *skipped, hr_error_t *err);
/* Also calls bad for each line that is not read, with its number and why
 * ("longer than 16 MiB", "not JSON: ...", "not an audit record"). */
typedef void (*hr_audit_unreadable_fn) (size_t line, const char *why, void *data);
int hr_audit_read_all (const char *path, hr_audit_record_fn fn, hr_audit_unreadable_fn bad, void *data, long *skipped,
                       hr_error_t *err);
struct hr_json *hr_result_to_json (const struct hr_result *result);

/* real_runtime.c */
/* The configured runtime, else the first runc of the search path that is
 * not hardrun itself; refused unless root owns it (and the directories
 * above it) and, with a pin, unless its SHA-256 is the pin. */
int hr_find_runtime (const char *configured, const char *pin, char **path, hr_error_t *err);
/* The runtime and pin the policy file (if any) names, without validating
 * the rest: pass-through commands need only these.  Fails only when the
 * file exists and is not root's alone. */
int hr_policy_runtime_hint (const struct hr_cli *cli, char **runtime, char **pin, hr_error_t *err);
/* execv's the runtime with the caller's argv (hardrun's flags removed);
 * returns only on failure. */
int hr_exec_runtime (const char *path, const struct hr_cli *cli, hr_error_t *err);

/* commands */
int hr_cmd_passthrough (const struct hr_cli *cli);
int hr_cmd_spec (const struct hr_cli *cli);
int hr_cmd_exec (const struct hr_cli *cli);
int hr_cmd_delete (const struct hr_cli *cli);
int hr_cmd_check (const struct hr_cli *cli, int argc, char **argv);
int hr_cmd_report (const struct hr_cli *cli, int argc, char **argv);
int hr_cmd_seccomp (const struct hr_cli *cli, int argc, char **argv);

int hr_cmd_doctor (const struct hr_cli *cli, int argc, char **argv);

/* cmd_help.c: hardrun's own help; runc's help stays runc's. */
int hr_cmd_help (const struct hr_cli *cli, int argc, char **argv);
/* The help of one of hardrun's own commands; 1 when name is none. */
int hr_cmd_help_topic (const char *name);
/* --help or -h among argv */
bool hr_help_requested (int argc, char **argv);
/* The line in front of runc's help that points at hardrun's. */
void hr_print_help_pointer (void);

/* options.c: "--name value" or "--name=value" at argv[*i] (advancing *i
 * past the value); false when argv[*i] is another option. */
bool hr_take_option (int argc, char **argv, int *i, const char *name, const char **out);
int hr_cmd_policy (const struct hr_cli *cli, int argc, char **argv);
int hr_cmd_version (const struct hr_cli *cli);

#endif
