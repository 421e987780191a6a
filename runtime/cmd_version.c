/* SPDX-License-Identifier: Apache-2.0 */
/* `--version`: engines (docker info, containerd) parse the first lines as
 * runc's, so the real runtime's output comes first, then hardrun's. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "commit.h"
#include "config.h"
#include "hardrun/util.h"
#include "log.h"
#include "real_runtime.h"

static int
run_runtime_version (const char *runtime)
{
  pid_t pid;
  int status;

  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      execl (runtime, runtime, "--version", (char *)NULL);
      _exit (127);
    }
  if (waitpid (pid, &status, 0) < 0)
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 1;
}

int
hr_cmd_version (const struct hr_cli *cli)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *hint = NULL, *pin = NULL, *runtime = NULL;
  int status = 0;

  if (hr_policy_runtime_hint (cli, &hint, &pin, &err) < 0 || hr_find_runtime (hint, pin, &runtime, &err) < 0)
    hr_log_failure (err, NULL), status = 1;
  else
    status = run_runtime_version (runtime);
  printf ("hardrun version %s\n", HARDRUN_VERSION);
  printf ("hardrun commit: %s\n", HARDRUN_COMMIT);
  printf ("hardrun real runtime: %s\n", runtime ? runtime : "not found");
  return status;
}
