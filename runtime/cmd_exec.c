/* SPDX-License-Identifier: Apache-2.0 */
/* exec: every exec runs under the profile its container was created under
 * (recorded at create, see container_record.h); an exec into a quarantined
 * container is refused.  The process is read once, from the --process file
 * (whatever it is: a regular file, a pipe, /dev/stdin) or, without one, built
 * as runc builds it (the bundle's config.json process and the exec flags),
 * hardened, and handed to runc as a private sealed copy (--process
 * /proc/self/fd/N): runc never reads anything the caller could change after
 * the check, and hardrun never writes through or over a path the caller
 * named.  The exec flags that would raise privilege are refused: `docker
 * exec --privileged` must gain nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "commands.h"
#include "container_record.h"
#include "exec_namespaces.h"
#include "files.h"
#include "harden.h"
#include "hardrun/util.h"
#include "host.h"
#include "log.h"
#include "policy_source.h"
#include "real_runtime.h"
#include "runc_state.h"

#define FLAGS_RULE "exec_flags"
#define QUARANTINE_RULE "quarantine"

/* The exec being judged: its flags are cli.c's (struct hr_cli's exec_*);
 * these are where they sit in runc's argv, and the process. */
struct exec_request
{
  int insert_at;  /* where an added --process goes in runtime_argv */
  int id_index;   /* the container id in runtime_argv */
  char *document; /* where the process came from */
  struct hr_json *process;
  struct hr_json *state; /* runc's state.json of the container, or NULL */
  char *root;            /* the container's live root, or NULL */
  bool absent;           /* runc has no such container */
};

static void
exec_request_clear (struct exec_request *req)
{
  free (req->document);
  hr_json_free (req->process);
  hr_json_free (req->state);
  free (req->root);
}

static void __attribute__ ((format (printf, 4, 5)))
add_finding (struct hr_result *result, const char *rule, bool audit_mode, const char *fmt, ...)
{
  va_list ap;
  char *msg;

  va_start (ap, fmt);
  xvasprintf (&msg, fmt, ap);
  va_end (ap);
  hr_result_add (result, rule, audit_mode ? HR_OUTCOME_AUDITED : HR_OUTCOME_DENIED, msg);
}

/* An exec flag goes through the process rules on a process made of it
 * alone (--cwd: process_cwd; --env: secrets), so the finding names the
 * flag.  What a rule would rewrite is refused: the caller asked for it by
 * name; what a rule only audits is recorded as such.  Takes process. */
static int
check_flag_as_process (const char *flag, struct hr_json *process, const struct hr_profile *profile, bool audit_mode,
                       struct hr_result *result, hr_error_t *err)
{
  cleanup_json struct hr_json *owned = process;
  struct hr_result probe = { 0 };
  int ret;

  hr_json_set (owned, "noNewPrivileges", hr_json_new_bool (true));
  ret = hr_enforce_process (process, profile, audit_mode, &probe, err);
  for (size_t i = 0; ret == 0 && i < probe.len; i++)
    {
      char *message;

      if (probe.items[i].outcome != HR_OUTCOME_AUDITED || audit_mode)
        {
          add_finding (result, FLAGS_RULE, audit_mode, "exec %s: %s", flag, probe.items[i].message);
          continue;
        }
      xasprintf (&message, "exec %s: %s", flag, probe.items[i].message);
      hr_result_add (result, probe.items[i].rule, HR_OUTCOME_AUDITED, message);
    }
  hr_result_clear (&probe);
  return ret;
}

static int
check_process_flags (const struct hr_cli *cli, const struct hr_profile *profile, bool audit_mode,
                     struct hr_result *result, hr_error_t *err)
{
  if (cli->exec_cwd && cli->exec_cwd[0])
    {
      struct hr_json *process = hr_json_new (HR_JSON_OBJECT);
      hr_json_set (process, "cwd", hr_json_new_string (cli->exec_cwd));
      if (check_flag_as_process ("--cwd", process, profile, audit_mode, result, err) < 0)
        return -1;
    }
  if (cli->exec_env.len > 0)
    {
      struct hr_json *process = hr_json_new (HR_JSON_OBJECT), *env = hr_json_new (HR_JSON_ARRAY);
      for (size_t i = 0; i < cli->exec_env.len; i++)
        hr_json_append (env, hr_json_new_string (cli->exec_env.items[i]));
      hr_json_set (process, "env", env);
      if (check_flag_as_process ("--env", process, profile, audit_mode, result, err) < 0)
        return -1;
    }
  return 0;
}

static int
check_flags (const struct hr_cli *cli, const struct hr_profile *profile, bool audit_mode, struct hr_result *result,
             hr_error_t *err)
{
  const struct hr_rule_config *rule = hr_profile_rule (profile, FLAGS_RULE);

  /* the exec_flags rule's action: off hands the flags to runc as they are
   * (the process rules still judge the process they make); audit records */
  if (rule == NULL || rule->action == HR_ACTION_OFF)
    return check_process_flags (cli, profile, audit_mode, result, err);
  audit_mode = audit_mode || rule->action == HR_ACTION_AUDIT;
  for (size_t i = 0; i < cli->exec_caps.len; i++)
    add_finding (result, FLAGS_RULE, audit_mode, "exec --cap %s is not allowed: capabilities come from the policy",
                 cli->exec_caps.items[i]);
  if (cli->exec_apparmor && cli->exec_apparmor[0])
    add_finding (result, FLAGS_RULE, audit_mode, "exec --apparmor \"%s\" is not allowed", cli->exec_apparmor);
  if (cli->exec_process_label && cli->exec_process_label[0])
    add_finding (result, FLAGS_RULE, audit_mode, "exec --process-label \"%s\" is not allowed", cli->exec_process_label);
  if (cli->exec_no_new_privs == 0)
    add_finding (result, FLAGS_RULE, audit_mode, "exec --no-new-privs=%s is not allowed", "false");
  return check_process_flags (cli, profile, audit_mode, result, err);
}

/* ------------------------------------------------------------------------
 * the profile */

/* The container's recorded profile; without a record (a container created
 * before hardrun kept them) the profile the command line or the policy
 * names, and the audit line says so.  *source is owned. */
static const struct hr_profile *
exec_profile (const struct hr_policy *policy, const struct hr_cli *cli, const struct hr_container_record *rec,
              char **source, hr_error_t *err)
{
  const struct hr_profile *profile;

  if (!rec->found)
    {
      xasprintf (source, "no record of the container's profile (created before hardrun recorded it): %s",
                 cli->profile ? "--hardrun-profile" : "the policy's default profile");
      return hr_select_profile (policy, cli, NULL, err);
    }
  profile = hr_policy_find_profile (policy, rec->profile);
  if (profile == NULL)
    return hr_error_set (err, 0, "container %s was created under profile \"%s\", which policy %s does not have",
                         cli->container_id, rec->profile, policy->source),
           NULL;
  if (cli->profile && strcmp (cli->profile, rec->profile) != 0)
    xasprintf (source, "recorded at create (--hardrun-profile \"%s\" ignored)", cli->profile);
  else
    *source = xstrdup ("recorded at create");
  return profile;
}

/* ------------------------------------------------------------------------
 * the exec's argv, read as runc 1.1 reads it */

static int
argv_index (const struct hr_cli *cli, const char *arg)
{
  for (int i = 0; i < cli->runtime_argc; i++)
    if (cli->runtime_argv[i] == arg)
      return i;
  return -1;
}

/* Where the container id, and the "--" that may end the flags, sit in
 * runc's argv: an added --process goes in front of both. */
static int
locate_exec_args (const struct hr_cli *cli, struct exec_request *req, hr_error_t *err)
{
  int cmd = argv_index (cli, cli->command), id = argv_index (cli, cli->container_id);
  int end = cli->exec_flags_end ? argv_index (cli, cli->exec_flags_end) : -1;

  if (cmd < 0 || id <= cmd)
    return hr_error_set (err, 0, "cannot find the container id in the exec arguments");
  req->id_index = id;
  req->insert_at = end > cmd && end < id ? end : id;
  return 0;
}

/* Go's strconv.Atoi (and urfave/cli's Int64Slice, ParseInt base 10; runc
 * checks its flags itself too). */
static int
go_atoi (const char *s, int64_t *out)
{
  bool negative = *s == '-';
  uint64_t v = 0, limit;
  int digits = 0;

  if (*s == '+' || *s == '-')
    s++;
  limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  for (; *s; s++, digits++)
    {
      if (*s < '0' || *s > '9' || v > (limit - (uint64_t)(*s - '0')) / 10)
        return -1;
      v = v * 10 + (uint64_t)(*s - '0');
    }
  if (digits == 0)
    return -1;
  *out = negative ? (int64_t)(0 - v) : (int64_t)v;
  return 0;
}

/* ------------------------------------------------------------------------
 * the process */

static int
read_process_file (const char *path, struct exec_request *req, hr_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len;

  if (hr_file_read_stream (path, HR_JSON_MAX_SIZE, &text, &len, err) < 0)
    return -1;
  req->document = xstrdup (path);
  req->process = hr_json_parse (text, len, err);
  return req->process ? 0 : hr_error_prefix (err, "%s", path);
}

/* The container's state as runc keeps it, or NULL. */
static struct hr_json *
read_state (const struct hr_cli *cli, hr_error_t *err)
{
  cleanup_free char *dir = hr_container_state_dir (cli);
  cleanup_free char *path = NULL, *text = NULL;
  struct hr_json *state;
  size_t len;

  xasprintf (&path, "%s/state.json", dir);
  if (hr_read_small_file (path, HR_JSON_MAX_SIZE, &text, &len, err) < 0)
    return hr_error_prefix (err, "container %s", cli->container_id), NULL;
  state = hr_json_parse (text, len, err);
  if (state == NULL)
    hr_error_prefix (err, "%s", path);
  return state;
}

/* The bundle runc reads for an exec without --process. */
static char *
bundle_of (const struct hr_json *state, hr_error_t *err)
{
  const char *bundle = hr_runc_state_bundle (state);

  if (bundle == NULL)
    return hr_error_set (err, 0, "the container's state names no bundle"), NULL;
  return xstrdup (bundle);
}

/* /proc/PID/root of the container's init while it is the process runc
 * started (its start time as runc recorded it), else NULL. */
static char *
live_root (const struct hr_json *state)
{
  int64_t pid;
  uint64_t start;
  char *root;

  if (state == NULL || !hr_runc_state_init (state, &pid, &start) || !hr_process_is (pid, start))
    return NULL;
  xasprintf (&root, "/proc/%lld/root", (long long)pid);
  return root;
}

static void
append_strings (struct hr_json *obj, const char *field, char **items, size_t n)
{
  struct hr_json *list = hr_json_ensure_array (obj, field);

  for (size_t i = 0; list && i < n; i++)
    hr_json_append (list, hr_json_new_string (items[i]));
}

static int
apply_user_flags (struct hr_json *process, const struct hr_cli *cli, hr_error_t *err)
{
  struct hr_json *user = hr_json_ensure_object (process, "user");
  int64_t v;

  if (user == NULL)
    return hr_error_set (err, 0, "process.user: expected object");
  if (cli->exec_user && cli->exec_user[0])
    {
      cleanup_free char *uid = xstrdup (cli->exec_user);
      char *gid = strchr (uid, ':');

      if (gid)
        {
          *gid++ = '\0';
          if (go_atoi (gid, &v) < 0)
            return hr_error_set (err, 0, "parsing %s as int for gid failed", gid);
          hr_json_set (user, "gid", hr_json_new_int ((uint32_t)v));
        }
      if (go_atoi (uid, &v) < 0)
        return hr_error_set (err, 0, "parsing %s as int for uid failed", uid);
      hr_json_set (user, "uid", hr_json_new_int ((uint32_t)v));
    }
  for (size_t i = 0; i < cli->exec_gids.len; i++)
    {
      struct hr_json *gids = hr_json_ensure_array (user, "additionalGids");
      if (go_atoi (cli->exec_gids.items[i], &v) < 0 || v < 0 || gids == NULL)
        return hr_error_set (err, 0, "additional-gids must be a positive number %s", cli->exec_gids.items[i]);
      hr_json_append (gids, hr_json_new_int ((uint32_t)v));
    }
  return 0;
}

/* runc 1.1's getProcess without --process: the spec's process, its args
 * the command after the container id, then the flags. */
static int
apply_exec_flags (const struct hr_cli *cli, struct hr_json *process, const struct exec_request *req, hr_error_t *err)
{
  static const char *const cap_sets[] = { "bounding", "effective", "permitted", "ambient" };
  struct hr_json *args = hr_json_new (HR_JSON_ARRAY);

  for (int i = req->id_index + 1; i < cli->runtime_argc; i++)
    hr_json_append (args, hr_json_new_string (cli->runtime_argv[i]));
  hr_json_set (process, "args", args);
  if (cli->exec_cwd && cli->exec_cwd[0])
    hr_json_set (process, "cwd", hr_json_new_string (cli->exec_cwd));
  if (cli->exec_apparmor && cli->exec_apparmor[0])
    hr_json_set (process, "apparmorProfile", hr_json_new_string (cli->exec_apparmor));
  if (cli->exec_process_label && cli->exec_process_label[0])
    hr_json_set (process, "selinuxLabel", hr_json_new_string (cli->exec_process_label));
  for (size_t i = 0; cli->exec_caps.len > 0 && i < HR_ARRAY_SIZE (cap_sets); i++)
    append_strings (hr_json_ensure_object (process, "capabilities"), cap_sets[i], cli->exec_caps.items,
                    cli->exec_caps.len);
  append_strings (process, "env", cli->exec_env.items, cli->exec_env.len);
  hr_json_set (process, "terminal", hr_json_new_bool (cli->exec_tty == 1));
  if (cli->exec_no_new_privs >= 0)
    hr_json_set (process, "noNewPrivileges", hr_json_new_bool (cli->exec_no_new_privs == 1));
  return apply_user_flags (process, cli, err);
}

static int
process_from_bundle (const struct hr_cli *cli, struct exec_request *req, hr_error_t *err)
{
  cleanup_free char *bundle = req->state ? bundle_of (req->state, err) : NULL;
  cleanup_free char *text = NULL;
  cleanup_json struct hr_json *spec = NULL;
  cleanup_close int dirfd = -1;
  const struct hr_json *process;
  struct stat st;
  size_t len;

  if (req->state == NULL)
    return -1; /* why is in err */
  if (bundle == NULL)
    return -1;
  xasprintf (&req->document, "%s/config.json", bundle);
  dirfd = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return hr_error_set (err, errno, "cannot open the bundle %s", bundle);
  if (hr_file_read (dirfd, "config.json", HR_JSON_MAX_SIZE, &text, &len, &st, err) < 0)
    return hr_error_prefix (err, "%s", bundle);
  /* the spec as runc reads it: runc reads this file for the exec */
  spec = hr_spec_parse_go (text, len, err);
  if (spec == NULL)
    return hr_error_prefix (err, "%s", req->document);
  process = hr_json_get_value (spec, "process");
  if (process == NULL || process->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "%s: the spec has no process object", req->document);
  req->process = hr_json_clone (process);
  return apply_exec_flags (cli, req->process, req, err);
}

/* runc reads the hardened copy through --process /proc/self/fd/N: in place
 * of the caller's --process value, or added before the container id. */
static char **
runtime_argv_with (const struct hr_cli *cli, const struct exec_request *req, int fd)
{
  char **argv = xcalloc ((size_t)cli->runtime_argc + 3, sizeof (char *));
  int n = 0;

  for (int i = 0; i < cli->runtime_argc; i++)
    {
      char *arg = cli->runtime_argv[i];
      const char *eq = strchr (arg, '=');

      if (cli->process_path == NULL && i == req->insert_at)
        xasprintf (&argv[n++], "%s=/proc/self/fd/%d", cli->exec_process_short ? "-p" : "--process", fd);
      if (cli->process_path == arg)
        xasprintf (&arg, "/proc/self/fd/%d", fd);
      else if (cli->process_path && eq && cli->process_path == eq + 1)
        xasprintf (&arg, "%.*s/proc/self/fd/%d", (int)(eq + 1 - arg), arg, fd);
      argv[n++] = arg;
    }
  return argv;
}

static int
exec_hardened (const char *runtime, const struct hr_cli *cli, const struct exec_request *req, hr_error_t *err)
{
  cleanup_free char *text = NULL;
  struct hr_cli hardened = *cli;
  size_t len;
  int fd;

  text = hr_json_serialize (req->process, &len);
  fd = hr_file_private_copy (text, len, 3 + (int)cli->exec_preserve_fds, err);
  if (fd < 0)
    return -1;
  /* argv lives until the execve; the strings it adds leak only on failure */
  hardened.runtime_argv = runtime_argv_with (cli, req, fd);
  hardened.runtime_argc = cli->runtime_argc + 1;
  hr_exec_runtime (runtime, &hardened, err);
  close (fd);
  free (hardened.runtime_argv);
  return -1;
}

/* runc 1.1 cannot join, after the container's user namespace, one the
 * host owns (a pod's CNI netns): hardrun joins those first. */
static int
join_foreign_namespaces (const struct hr_cli *cli, const struct exec_request *req, hr_error_t *err)
{
  cleanup_free char *state_dir = NULL;

  if (req->state == NULL)
    return 0;
  state_dir = hr_container_state_dir (cli);
  if (hr_exec_join_foreign_namespaces (state_dir, req->state, err) < 0)
    return hr_error_prefix (err, "container %s", cli->container_id);
  return 0;
}

/* ------------------------------------------------------------------------ */

static int
judge (const struct hr_cli *cli, const struct hr_profile *profile, bool audit_mode, bool quarantined,
       struct exec_request *req, struct hr_result *result, hr_error_t *err)
{
  hr_error_t ignored = NULL;
  struct hr_host host;

  if (quarantined)
    {
      add_finding (result, QUARANTINE_RULE, audit_mode,
                   "container %s runs quarantined: no process may join it (exec is refused)", cli->container_id);
      profile = profile->quarantine ? profile->quarantine : profile;
    }
  if (check_flags (cli, profile, audit_mode, result, err) < 0 || locate_exec_args (cli, req, err) < 0)
    return -1;
  if (result->n_denied > 0)
    return 0;
  /* with --process, a container runc does not know fails in runc, with
   * runc's own words */
  req->state = read_state (cli, &ignored);
  if (req->state == NULL && !cli->process_path && ignored && (ignored->status == ENOENT || ignored->status == ENOTDIR))
    {
      /* no such container: runc says so in its own words (an exec into a
       * container that appears meanwhile reads runc's recorded bundle,
       * which is hardrun's hardened copy; a --process file is always
       * handed on hardened, below) */
      req->absent = true;
      hr_error_free (&ignored);
      return 0;
    }
  if (req->state == NULL && !cli->process_path)
    {
      *err = hr_steal_pointer (&ignored);
      return -1;
    }
  hr_error_free (&ignored);
  if ((cli->process_path ? read_process_file (cli->process_path, req, err) : process_from_bundle (cli, req, err)) < 0)
    return -1;
  hr_host_init (&host, NULL);
  host.container_id = cli->container_id;
  host.process_root = req->root = live_root (req->state);
  if (hr_enforce_exec_process (req->process, profile, audit_mode, &host, result, err) < 0)
    return hr_error_prefix (err, "%s", req->document);
  return 0;
}

int
hr_cmd_exec (const struct hr_cli *cli)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_policy struct hr_policy *policy = hr_load_policy (cli, true, &err);
  cleanup_free char *runtime = NULL, *summary = NULL, *source = NULL;
  struct hr_container_record rec = { 0 };
  struct exec_request req = { 0 };
  const struct hr_profile *profile = NULL;
  struct hr_result result = { 0 };
  struct hr_audit_event ev
      = { .command = "exec", .container_id = cli->container_id, .result = &result, .userns_setup_us = -1 };
  int ret = 1;

  if (policy == NULL)
    return hr_log_failure (err, "cannot load the policy, no process is started");
  if (hr_find_runtime (policy->runtime, policy->runtime_sha256, &runtime, &err) < 0
      || hr_container_record_load (cli, &rec, &err) < 0
      || (profile = exec_profile (policy, cli, &rec, &source, &err)) == NULL)
    {
      ret = hr_log_failure (err, "exec");
      goto out;
    }
  if (judge (cli, profile, policy->audit_mode, rec.quarantined, &req, &result, &err) < 0)
    {
      ret = hr_log_failure (err, "exec");
      goto out;
    }
  if (req.absent && result.n_denied == 0)
    {
      hr_exec_runtime (runtime, cli, &err);
      ret = hr_log_failure (err, NULL);
      goto out;
    }
  ev.profile = profile->name;
  ev.profile_source = source;
  ev.audit_mode = policy->audit_mode;
  ev.document = req.document ? req.document : cli->process_path;
  ev.runc_state = req.state;
  hr_audit_write (policy, &ev);
  if (result.n_denied > 0)
    {
      summary = hr_denial_summary (&result);
      hr_log_error ("policy denies exec in container %s (profile \"%s\"): %s", cli->container_id, profile->name,
                    summary);
      goto out;
    }
  if (join_foreign_namespaces (cli, &req, &err) == 0)
    exec_hardened (runtime, cli, &req, &err);
  ret = hr_log_failure (err, NULL);

out:
  hr_result_clear (&result);
  hr_container_record_clear (&rec);
  exec_request_clear (&req);
  return ret;
}
