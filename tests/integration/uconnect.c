/* SPDX-License-Identifier: Apache-2.0 */
/* uconnect PATH: connects to the unix socket at PATH and says what
 * happened ("connected" or "refused: <errno text>"); binds.bats runs it
 * inside containers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);

  if (argc != 2 || fd < 0 || strlen (argv[1]) >= sizeof addr.sun_path)
    return 2;
  strcpy (addr.sun_path, argv[1]);
  if (connect (fd, (struct sockaddr *)&addr, sizeof addr) < 0)
    {
      printf ("refused: %s\n", strerror (errno));
      return 1;
    }
  puts ("connected");
  return 0;
}
