/* SPDX-License-Identifier: Apache-2.0 */
/* runc's command line, read exactly as runc 1.1 (urfave/cli 1.22 over Go's
 * flag package) reads it: global flags, the subcommand, its flags (moved in
 * front of the positional arguments as urfave/cli does, except for exec), the
 * bundle, the --process file and the container id.  hardrun's own flags
 * (--hardrun-*) are taken out of the runtime's argv. */
#ifndef HARDRUN_CLI_H
#define HARDRUN_CLI_H

#include <stdbool.h>

#include "hardrun/error.h"
#include "hardrun/util.h"

enum hr_command_kind
{
  HR_CMD_PASSTHROUGH, /* reads no spec: exec the runtime untouched */
  HR_CMD_CREATE,
  HR_CMD_RUN,
  HR_CMD_RESTORE,
  HR_CMD_EXEC,
  HR_CMD_DELETE,  /* runs the runtime, then releases what create allocated */
  HR_CMD_VERSION, /* --version / -v */
  HR_CMD_CHECK,   /* hardrun's own commands */
  HR_CMD_POLICY,
  HR_CMD_REPORT,
  HR_CMD_SECCOMP,
  HR_CMD_HELP, /* hardrun help [COMMAND] */
  HR_CMD_DOCTOR,
  HR_CMD_INSTALL, /* hardrun install ENGINE */
  HR_CMD_EXPLAIN, /* hardrun explain [RULE] */
};

struct hr_cli
{
  /* hardrun's own flags */
  const char *policy_path;
  const char *profile;

  /* argv for the real runtime (argv[0] included, NULL-terminated) */
  char **runtime_argv;
  int runtime_argc;

  /* runc's global flags that hardrun uses */
  const char *log_path;
  const char *log_format;
  const char *root;       /* --root: the runtime's state directory, NULL for its default; for
                           * create/run/restore, --root "" becomes the bundle directory, where
                           * runc resolves it after entering the bundle */
  char *root_storage;     /* owned: what root points at when parsing rewrote it */
  const char *root_given; /* --root's value as given: a pointer into argv */
  const char *criu;       /* --criu: the criu binary runc runs for checkpoint/restore, NULL for "criu" */

  enum hr_command_kind kind;
  const char *command;  /* the subcommand as written, NULL when none */
  int command_index;    /* its index in argv; own commands read argv after it */
  bool unknown_command; /* parsing failed on a command runc does not have */
  bool runtime_help;    /* --help (or no command): runc prints its help */

  /* create, run, restore, exec */
  const char *bundle;       /* "" means the working directory, as in runc */
  const char *process_path; /* exec --process, NULL when none */
  const char *container_id;

  /* exec flags that change the process's privileges */
  struct hr_strv exec_caps;
  struct hr_strv exec_env; /* exec --env NAME=VALUE */
  const char *exec_apparmor;
  const char *exec_process_label;
  const char *exec_cwd;
  int exec_no_new_privs; /* -1 when not given */

  /* exec flags that shape the process runc builds */
  const char *exec_user;      /* --user UID[:GID] */
  struct hr_strv exec_gids;   /* --additional-gids, each as written */
  int exec_tty;               /* --tty: -1 when not given */
  bool exec_process_short;    /* the process file was given as -p */
  long exec_preserve_fds;     /* --preserve-fds (0 when out of range) */
  const char *exec_flags_end; /* the "--" that ended exec's flags (an argv entry), or NULL */
};

int hr_cli_parse (int argc, char **argv, struct hr_cli *cli, hr_error_t *err);
void hr_cli_clear (struct hr_cli *cli);

bool hr_cli_reads_spec (const struct hr_cli *cli);
/* The state directory runc 1.1.5 really uses for --root (root_flag, NULL
 * when the flag was not given): its default (/run/runc, or
 * $XDG_RUNTIME_DIR/runc where runc honours it), made absolute against the
 * working directory and cleaned as Go's filepath.Abs does; "" is the working
 * directory itself.  Fails where runc would (no working directory). */
char *hr_cli_state_root (const char *root_flag, hr_error_t *err);
const char *hr_command_kind_name (enum hr_command_kind kind);

#endif
