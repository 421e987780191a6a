/* exec: the --process file gets the same process rules as the container
 * (capabilities, no_new_privileges, cwd), and the exec flags that would
 * raise privilege are refused: they cannot be rewritten in place, and
 * `docker exec --privileged` must gain nothing. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harden.h"
#include "hardrun/runtime.h"
#include "hardrun/util.h"

#define FLAGS_RULE "exec_flags"

static void __attribute__ ((format (printf, 3, 4)))
flag_finding (struct hr_result *result, bool audit_mode, const char *fmt, ...)
{
  va_list ap;
  char *msg;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  hr_result_add (result, FLAGS_RULE, audit_mode ? HR_OUTCOME_AUDITED : HR_OUTCOME_DENIED, msg);
}

/* An exec flag goes through the process rules on a process made of it
 * alone (--cwd: process_cwd; --env: secrets).  What a rule would rewrite in
 * a process file cannot be rewritten in argv: it is refused; what a rule
 * only audits is recorded as such.  Takes process. */
static int
check_flag_as_process (const char *flag, struct hr_json *process, const struct hr_profile *profile, bool audit_mode,
                       struct hr_result *result, hr_error_t *err)
{
  cleanup_json struct hr_json *owned = process;
  struct hr_result probe = { 0 };
  int ret;

  hr_json_set (process, "noNewPrivileges", hr_json_new_bool (true));
  ret = hr_enforce_process (process, profile, audit_mode, &probe, err);
  for (size_t i = 0; ret == 0 && i < probe.len; i++)
    {
      char *message;

      if (probe.items[i].outcome != HR_OUTCOME_AUDITED || audit_mode)
        {
          flag_finding (result, audit_mode, "exec %s: %s", flag, probe.items[i].message);
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
  for (size_t i = 0; i < cli->exec_caps.len; i++)
    flag_finding (result, audit_mode, "exec --cap %s is not allowed: capabilities come from the policy",
                  cli->exec_caps.items[i]);
  if (cli->exec_apparmor && cli->exec_apparmor[0])
    flag_finding (result, audit_mode, "exec --apparmor \"%s\" is not allowed", cli->exec_apparmor);
  if (cli->exec_process_label && cli->exec_process_label[0])
    flag_finding (result, audit_mode, "exec --process-label \"%s\" is not allowed", cli->exec_process_label);
  if (cli->exec_no_new_privs == 0)
    flag_finding (result, audit_mode, "exec --no-new-privs=%s is not allowed", "false");
  return check_process_flags (cli, profile, audit_mode, result, err);
}

static int
harden_process_file (const struct hr_cli *cli, const struct hr_profile *profile, bool audit_mode,
                     struct hr_result *result, hr_error_t *err)
{
  cleanup_free char *dir_copy = xstrdup (cli->process_path);
  cleanup_free char *name_copy = xstrdup (cli->process_path);
  const char *name = basename (name_copy);
  cleanup_close int dirfd = open (dirname (dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_free char *text = NULL;
  cleanup_free char *out = NULL;
  cleanup_json struct hr_json *process = NULL;
  struct stat st;
  size_t len;

  if (dirfd < 0)
    return hr_error_set (err, errno, "cannot open the directory of %s", cli->process_path);
  if (hr_file_read (dirfd, name, HR_JSON_MAX_SIZE, &text, &len, &st, err) < 0)
    return -1;
  process = hr_json_parse (text, len, err);
  if (process == NULL || hr_enforce_process (process, profile, audit_mode, result, err) < 0)
    return hr_error_prefix (err, "%s", cli->process_path);
  if (result->n_denied > 0 || result->n_changed == 0)
    return 0;
  out = hr_json_serialize (process, &len);
  return hr_file_replace (dirfd, name, out, len, &st, HR_FILE_DIR_SYNC_NOW, err);
}

int
hr_cmd_exec (const struct hr_cli *cli)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_policy struct hr_policy *policy = hr_load_policy (cli, true, &err);
  cleanup_free char *runtime = NULL;
  cleanup_free char *summary = NULL;
  const struct hr_profile *profile;
  struct hr_result result = { 0 };
  struct hr_audit_event ev
      = { .command = "exec", .container_id = cli->container_id, .result = &result, .userns_setup_us = -1 };

  if (policy == NULL)
    return hr_log_failure (err, "cannot load the policy, no process is started");
  if (hr_find_runtime (policy->runtime, policy->runtime_sha256, &runtime, &err) < 0)
    return hr_log_failure (err, NULL);
  profile = hr_select_profile (policy, cli, NULL, &err);
  if (profile == NULL)
    return hr_log_failure (err, NULL);
  ev.profile = profile->name;
  ev.audit_mode = policy->audit_mode;
  ev.document = cli->process_path;
  if (check_flags (cli, profile, policy->audit_mode, &result, &err) < 0
      || (cli->process_path && result.n_denied == 0
          && harden_process_file (cli, profile, policy->audit_mode, &result, &err) < 0))
    {
      hr_result_clear (&result);
      return hr_log_failure (err, "exec");
    }
  hr_audit_write (policy, &ev);
  if (result.n_denied > 0)
    {
      summary = hr_denial_summary (&result);
      hr_result_clear (&result);
      hr_log_error ("policy denies exec in container %s (profile \"%s\"): %s", cli->container_id, profile->name,
                    summary);
      return 1;
    }
  hr_result_clear (&result);
  hr_exec_runtime (runtime, cli, &err);
  return hr_log_failure (err, NULL);
}
