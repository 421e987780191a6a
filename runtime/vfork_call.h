/* SPDX-License-Identifier: Apache-2.0 */
/* a short task in a child that borrows hardrun's memory while hardrun waits */
#ifndef HARDRUN_VFORK_CALL_H
#define HARDRUN_VFORK_CALL_H

/* vfork_call.c */
/* Runs fn(arg) in a child made by clone(CLONE_VM | CLONE_VFORK), as
 * posix_spawn makes its child: nothing is copied, hardrun is suspended
 * until the child exits, so the child may write the caller's memory (arg).
 * fn must end with _exit (a return exits with its value) and must not be
 * ASan-instrumented where it calls _exit (ASan takes the child's stack for
 * a corrupt one).  Returns the child's wait status, or -1 and errno. */
int hr_vfork_call (int (*fn) (void *arg), void *arg);

#endif
