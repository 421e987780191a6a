/* SPDX-License-Identifier: Apache-2.0 */
/* delete: the real runtime deletes the container, then hardrun releases what
 * create allocated (its id range and idmapped staging mounts).  The only
 * command besides create that is not a plain exec: hardrun must act after
 * the runtime, so it waits for it and passes its exit status on. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "container_record.h"
#include "hardrun/util.h"
#include "log.h"
#include "real_runtime.h"
#include "userns/bundle_memory.h"
#include "userns/idrange.h"

/* posix_spawn rather than fork: the child shares hardrun's memory until
 * it executes the runtime, so no page is copied nor faulted in again. */
static int
run_and_wait (const char *runtime, const struct hr_cli *cli, hr_error_t *err)
{
  pid_t pid;
  int status;

  cli->runtime_argv[0] = (char *)runtime;
  status = posix_spawn (&pid, runtime, NULL, NULL, cli->runtime_argv, environ);
  if (status != 0)
    return hr_error_set (err, status, "cannot execute %s", runtime);
  /* The engine's signals are for the runtime; wait for it either way. */
  signal (SIGINT, SIG_IGN);
  signal (SIGTERM, SIG_IGN);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hr_error_set (err, errno, "waitpid");
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

int
hr_cmd_delete (const struct hr_cli *cli)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *hint = NULL, *pin = NULL, *runtime = NULL;
  int status;

  if (hr_policy_runtime_hint (cli, &hint, &pin, &err) < 0 || hr_find_runtime (hint, pin, &runtime, &err) < 0)
    return hr_log_failure (err, NULL);
  status = run_and_wait (runtime, cli, &err);
  if (status < 0)
    return hr_log_failure (err, NULL);
  /* Released only once the runtime holds no state for the container (a
   * failed delete of a running container keeps its range). */
  if (hr_ids_release (cli->root, cli->container_id, &err) < 0)
    hr_log_failure (err, "cannot release the container's id range");
  hr_container_record_forget (cli);
  /* the hardened copy of its spec goes with the container */
  hr_private_bundle_forget (cli->root, cli->container_id);
  return status;
}
