/* SPDX-License-Identifier: Apache-2.0 */
/* A child sharing hardrun's memory for one short task; see vfork_call.h.
 * fork would copy hardrun's page tables and make every page it touches
 * afterwards fault once more: milliseconds of every create here. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "vfork_call.h"

int
hr_vfork_call (int (*fn) (void *arg), void *arg)
{
  /* one child at a time (the caller is suspended while it runs) */
  static char stack[65536] __attribute__ ((aligned (16)));
  int status;
  pid_t pid = clone (fn, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, arg);

  if (pid < 0)
    return -1;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}
