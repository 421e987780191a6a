/* SPDX-License-Identifier: Apache-2.0 */
/* Every command that reads no spec (start, state, kill, list, ...): find the
 * real runtime the policy names (only its runtime and pin are read, not the
 * whole policy) and execute it with the caller's argv, so that the command
 * costs about one more execve than runc alone. */
#include "cli.h"
#include "commands.h"
#include "hardrun/util.h"
#include "log.h"
#include "real_runtime.h"

int
hr_cmd_passthrough (const struct hr_cli *cli)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *hint = NULL, *pin = NULL, *runtime = NULL;

  if (cli->runtime_help)
    hr_print_help_pointer ();
  if (hr_policy_runtime_hint (cli, &hint, &pin, &err) < 0 || hr_find_runtime (hint, pin, &runtime, &err) < 0)
    return hr_log_failure (err, NULL);
  hr_exec_runtime (runtime, cli, &err);
  return hr_log_failure (err, NULL);
}
