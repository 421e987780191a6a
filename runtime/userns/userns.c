/* SPDX-License-Identifier: Apache-2.0 */
/* A user namespace file descriptor with a given mapping, for idmapped
 * mounts: a short-lived child enters a new user namespace, we write its maps
 * from outside, keep a descriptor of the namespace and let the child go. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
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

static void __attribute__ ((noreturn)) child_main (int ready_fd, int done_fd)
{
  char c = 0;

  if (unshare (CLONE_NEWUSER) < 0)
    _exit (1);
  if (write (ready_fd, &c, 1) != 1)
    _exit (1);
  /* Stay alive until the parent holds the namespace. */
  if (read (done_fd, &c, 1) < 0)
    _exit (1);
  _exit (0);
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

int
hr_userns_open (const struct hr_id_map *map, hr_error_t *err)
{
  int ready[2], done[2];
  int nsfd = -1;
  char path[64], c;
  pid_t pid;

  if (pipe2 (ready, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  if (pipe2 (done, O_CLOEXEC) < 0)
    return close (ready[0]), close (ready[1]), hr_error_set (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      hr_error_set (err, errno, "fork");
      goto out;
    }
  if (pid == 0)
    {
      /* only the parent's write end may keep the child waiting */
      close (done[1]);
      close (ready[0]);
      child_main (ready[1], done[0]);
    }
  close (ready[1]), ready[1] = -1;
  if (read (ready[0], &c, 1) != 1)
    {
      hr_error_set (err, EPERM, "cannot create a user namespace");
      goto out;
    }
  if (write_maps (pid, map, err) < 0)
    goto out;
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int)pid);
  nsfd = open (path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0)
    hr_error_set (err, errno, "cannot open %s", path);
out:
  if (ready[1] >= 0)
    close (ready[1]);
  close (ready[0]);
  close (done[1]); /* the child's read returns: it exits */
  close (done[0]);
  if (pid > 0)
    waitpid (pid, NULL, 0);
  return nsfd;
}
