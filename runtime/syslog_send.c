/* SPDX-License-Identifier: Apache-2.0 */
/* Audit lines to syslog, without syslog(3): glibc's send blocks while the
 * receiver's queue is full, and a journald that stalls must not stall every
 * container start.  One non-blocking datagram in RFC 3164 form
 * ("<PRI>Mmm dd hh:mm:ss hardrun[PID]: message"), which journald and rsyslog
 * both read; a stream socket (some rsyslog setups) gets the same bytes and
 * a NUL, as glibc sends them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "syslog_send.h"

#define SYSLOG_SOCKET "/dev/log"

static int
send_on (int type, const struct sockaddr_un *addr, const char *buf, size_t len)
{
  cleanup_close int fd = socket (AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  if (fd < 0)
    return -1;
  if (type == SOCK_STREAM)
    {
      /* a non-blocking connect to a unix socket completes or fails now */
      if (connect (fd, (const struct sockaddr *)addr, sizeof *addr) < 0)
        return -1;
      return send (fd, buf, len + 1, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len + 1 ? 0 : -1;
    }
  return sendto (fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)addr, sizeof *addr) == (ssize_t)len
             ? 0
             : -1;
}

int
hr_syslog_send (int priority, const char *message)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = SYSLOG_SOCKET };
  cleanup_free char *buf = NULL;
  char when[32];
  time_t now = time (NULL);
  struct tm tm;
  int len;

  localtime_r (&now, &tm);
  strftime (when, sizeof when, "%b %e %H:%M:%S", &tm);
  len = xasprintf (&buf, "<%d>%s hardrun[%d]: %s", priority, when, (int)getpid (), message);
  if (send_on (SOCK_DGRAM, &addr, buf, (size_t)len) == 0)
    return 0;
  if (errno == EPROTOTYPE)
    return send_on (SOCK_STREAM, &addr, buf, (size_t)len);
  return -1;
}
