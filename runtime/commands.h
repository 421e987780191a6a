/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun's commands, as main() dispatches them */
#ifndef HARDRUN_COMMANDS_H
#define HARDRUN_COMMANDS_H

#include "cli.h"
#include <stdbool.h>

/* commands */
int hr_cmd_passthrough (const struct hr_cli *cli);
int hr_cmd_create (const struct hr_cli *cli);
int hr_cmd_exec (const struct hr_cli *cli);
int hr_cmd_delete (const struct hr_cli *cli);
int hr_cmd_check (const struct hr_cli *cli, int argc, char **argv);
int hr_cmd_report (const struct hr_cli *cli, int argc, char **argv);
int hr_cmd_seccomp (const struct hr_cli *cli, int argc, char **argv);

int hr_cmd_doctor (const struct hr_cli *cli, int argc, char **argv);
/* cmd_install.c: hardrun install docker|containerd|podman */
int hr_cmd_install (const struct hr_cli *cli, int argc, char **argv);

/* cmd_help.c: hardrun's own help; runc's help stays runc's. */
int hr_cmd_help (const struct hr_cli *cli, int argc, char **argv);
/* The help of one of hardrun's own commands; 1 when name is none. */
int hr_cmd_help_topic (const char *name);
/* --help or -h among argv */
bool hr_help_requested (int argc, char **argv);
/* The line in front of runc's help that points at hardrun's. */
void hr_print_help_pointer (void);

int hr_cmd_policy (const struct hr_cli *cli, int argc, char **argv);
int hr_cmd_version (const struct hr_cli *cli);
/* hardrun explain [RULE]: a rule's metadata, action and settings. */
int hr_cmd_explain (const struct hr_cli *cli, int argc, char **argv);

#endif
