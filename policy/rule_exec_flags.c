/* SPDX-License-Identifier: Apache-2.0 */
/* exec_flags: runc's exec flags that ask for privilege by name (--cap,
 * --apparmor, --process-label, --no-new-privs=false).  hardrun applies
 * exec's flags to the process it hands runc, where the process rules would
 * quietly cut them back; this rule refuses them instead (deny, the default),
 * because the caller asked for that privilege by name.  The exec command
 * judges the flags itself (runtime/cmd_exec.c): the rule carries the action
 * the profile gives it, shown by `policy show`, and nothing else. */
#include "rules.h"

const struct hr_rule_def hr_rule_exec_flags = {
  .name = "exec_flags",
};
