/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp_agent: a minimal seccomp notify agent for the integration tests,
 * in the role of runc's own tests/cmd/seccompagent: it listens on a unix
 * socket (the profile's listenerPath), receives from runc the container's
 * state (JSON, with the profile's listenerMetadata) and the notify fd
 * (SCM_RIGHTS), and answers every notified mkdir with ERRNO; any other
 * notified call is let through.  It writes the state it received to
 * STATE_FILE and exits when the container's processes are gone.
 *
 *   seccomp_agent SOCKET ERRNO STATE_FILE */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define STATE_MAX (1 << 20)

static int
listen_on (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0 || strlen (path) >= sizeof addr.sun_path)
    return -1;
  strcpy (addr.sun_path, path);
  unlink (path);
  if (bind (fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen (fd, 1) < 0)
    return -1;
  return fd;
}

/* The state runc sends, and the fd that comes with it. */
static int
receive_fd (int conn, char *state, size_t size, size_t *len)
{
  char control[CMSG_SPACE (sizeof (int) * 4)];
  struct iovec iov = { state, size - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *c;
  ssize_t n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);

  if (n <= 0)
    return -1;
  *len = (size_t)n;
  state[n] = '\0';
  for (c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        int fd;
        memcpy (&fd, CMSG_DATA (c), sizeof fd);
        return fd;
      }
  return -1;
}

static int
answer_one (int notify_fd, int mkdir_errno)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;

  memset (&req, 0, sizeof req);
  if (ioctl (notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    return errno == EINTR || errno == ENOENT ? 0 : -1;
  memset (&resp, 0, sizeof resp);
  resp.id = req.id;
  if (req.data.nr == SYS_mkdir || req.data.nr == SYS_mkdirat)
    resp.error = -mkdir_errno;
  else
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  if (ioctl (notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
    return -1;
  fprintf (stderr, "seccomp_agent: call %d answered %s\n", req.data.nr, resp.error ? "with an errno" : "continue");
  return 0;
}

int
main (int argc, char **argv)
{
  static char state[STATE_MAX];
  size_t len = 0;
  int lfd, conn, notify_fd, mkdir_errno;
  FILE *out;

  if (argc != 4)
    return fprintf (stderr, "usage: seccomp_agent SOCKET ERRNO STATE_FILE\n"), 2;
  mkdir_errno = atoi (argv[2]);
  lfd = listen_on (argv[1]);
  if (lfd < 0)
    return perror ("seccomp_agent: listen"), 1;
  conn = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    return perror ("seccomp_agent: accept"), 1;
  notify_fd = receive_fd (conn, state, sizeof state, &len);
  out = fopen (argv[3], "we");
  if (out)
    fwrite (state, 1, len, out), fclose (out);
  if (notify_fd < 0)
    return fprintf (stderr, "seccomp_agent: no fd came with the state\n"), 1;
  for (;;)
    {
      struct pollfd p = { notify_fd, POLLIN, 0 };
      int r = poll (&p, 1, 60000);

      if (r <= 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
        return r < 0 ? 1 : 0; /* the container is gone (or never called) */
      if (answer_one (notify_fd, mkdir_errno) < 0)
        return perror ("seccomp_agent: notification"), 1;
    }
}
