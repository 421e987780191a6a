/* SPDX-License-Identifier: Apache-2.0 */
/* A user namespace file descriptor with a given mapping, for idmapped
 * mounts: a short-lived child is made in a new user namespace, we write its
 * maps from outside, keep a descriptor of the namespace and kill the child. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "userns.h"

static int
write_file (const char *path, const char *text)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (text);

  if (fd < 0 || write (fd, text, len) != (ssize_t)len)
    return -1;
  return 0;
}

/* The child's whole life: it is born in the new user namespace (clone's
 * CLONE_NEWUSER) and waits to be killed once the parent holds it. */
static int __attribute__ ((no_sanitize_address)) child_main (void *unused)
{
  /* a raw ppoll of nothing: blocks until the SIGKILL, touching no memory
   * the parent uses (no errno, no cancellation state) */
  for (;;)
    syscall (SYS_ppoll, NULL, 0, NULL, NULL, 0);
  return 0;
}

static int
write_maps (pid_t pid, const struct hr_id_map *map, hr_error_t *err)
{
  char path[64], text[128];

  snprintf (text, sizeof text, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", map->inside_uid, map->host_uid, map->size);
  snprintf (path, sizeof path, "/proc/%d/uid_map", (int)pid);
  if (write_file (path, text) < 0)
    return hr_error_set (err, errno, "cannot write %s", path);
  snprintf (text, sizeof text, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", map->inside_gid, map->host_gid, map->size);
  snprintf (path, sizeof path, "/proc/%d/gid_map", (int)pid);
  if (write_file (path, text) < 0)
    return hr_error_set (err, errno, "cannot write %s", path);
  return 0;
}

/* The child shares the parent's memory and descriptor table (CLONE_VM,
 * CLONE_FILES: nothing is copied, as posix_spawn does) and runs on this
 * stack, which it leaves only by being killed. */
static char child_stack[16384] __attribute__ ((aligned (16)));

int
hr_userns_open (const struct hr_id_map *map, hr_error_t *err)
{
  int nsfd = -1;
  char path[64];
  pid_t pid;

  pid = clone (child_main, child_stack + sizeof child_stack, CLONE_NEWUSER | CLONE_VM | CLONE_FILES | SIGCHLD, NULL);
  if (pid < 0)
    return hr_error_set (err, errno, "cannot create a user namespace");
  if (write_maps (pid, map, err) == 0)
    {
      snprintf (path, sizeof path, "/proc/%d/ns/user", (int)pid);
      nsfd = open (path, O_RDONLY | O_CLOEXEC);
      if (nsfd < 0)
        hr_error_set (err, errno, "cannot open %s", path);
    }
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return nsfd;
}
