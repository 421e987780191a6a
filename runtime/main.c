/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun: a runc-compatible OCI runtime that enforces a security baseline on
 * every container it is asked to create, then executes the real runtime. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "hardrun/util.h"
#include "log.h"
#include "runtime_trust.h"

/* runc (urfave/cli) exits 3 on a command it does not have. */
#define HR_EXIT_UNKNOWN_COMMAND 3

static int
dispatch (const struct hr_cli *cli, int argc, char **argv)
{
  int rest = cli->command_index + 1;

  /* hardrun COMMAND --help, for hardrun's own commands */
  if ((cli->kind == HR_CMD_CHECK || cli->kind == HR_CMD_POLICY || cli->kind == HR_CMD_REPORT
       || cli->kind == HR_CMD_SECCOMP || cli->kind == HR_CMD_DOCTOR || cli->kind == HR_CMD_INSTALL
       || cli->kind == HR_CMD_EXPLAIN)
      && hr_help_requested (argc - rest, argv + rest))
    return hr_cmd_help_topic (cli->command);
  switch (cli->kind)
    {
    case HR_CMD_PASSTHROUGH:
      return hr_cmd_passthrough (cli);
    case HR_CMD_CREATE:
    case HR_CMD_RUN:
    case HR_CMD_RESTORE:
      return hr_cmd_create (cli);
    case HR_CMD_EXEC:
      return hr_cmd_exec (cli);
    case HR_CMD_DELETE:
      return hr_cmd_delete (cli);
    case HR_CMD_VERSION:
      return hr_cmd_version (cli);
    case HR_CMD_CHECK:
      return hr_cmd_check (cli, argc - rest, argv + rest);
    case HR_CMD_POLICY:
      return hr_cmd_policy (cli, argc - rest, argv + rest);
    case HR_CMD_REPORT:
      return hr_cmd_report (cli, argc - rest, argv + rest);
    case HR_CMD_SECCOMP:
      return hr_cmd_seccomp (cli, argc - rest, argv + rest);
    case HR_CMD_DOCTOR:
      return hr_cmd_doctor (cli, argc - rest, argv + rest);
    case HR_CMD_INSTALL:
      return hr_cmd_install (cli, argc - rest, argv + rest);
    case HR_CMD_EXPLAIN:
      return hr_cmd_explain (cli, argc - rest, argv + rest);
    case HR_CMD_HELP:
      return hr_cmd_help (cli, argc - rest, argv + rest);
    default:
      break;
    }
  return 1;
}

int
main (int argc, char **argv)
{
  cleanup_error hr_error_t err = NULL;
  struct hr_cli cli;
  int ret;

  if (hr_cli_parse (argc, argv, &cli, &err) < 0)
    {
      /* The log flags may have been read before the error. */
      hr_log_init (cli.log_path, cli.log_format);
      ret = hr_log_failure (err, NULL);
      if (cli.unknown_command)
        ret = HR_EXIT_UNKNOWN_COMMAND;
      hr_cli_clear (&cli);
      return ret;
    }
  hr_log_init (cli.log_path, cli.log_format);
  /* runc runs criu as root: it must be as trustworthy as runc */
  if (hr_check_criu (&cli, &err) < 0)
    ret = hr_log_failure (err, NULL);
  else
    ret = dispatch (&cli, argc, argv);
  hr_cli_clear (&cli);
  return ret;
}
