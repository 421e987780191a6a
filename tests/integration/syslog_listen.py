#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A syslog receiver for the tests: binds a unix datagram socket at PATH
(the test bind-mounts it nowhere: it runs in a private mount namespace whose
/dev is a writable overlay, so PATH is /dev/log itself).

  syslog_listen.py PATH OUT READY        writes each datagram to OUT, one a
                                         line, until killed
  syslog_listen.py PATH --stall READY    fills the socket's queue from a
                                         second socket and never reads: a
                                         receiver that has stopped
READY is created once the socket is bound (and, with --stall, full)."""
import os
import socket
import sys
import time

path, mode, ready = sys.argv[1], sys.argv[2], sys.argv[3]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    os.unlink(path)
except FileNotFoundError:
    pass
sock.bind(path)
if mode == "--stall":
    filler = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    filler.setblocking(False)
    sent = 0
    while True:
        try:
            filler.sendto(b"x" * 64, path)
            sent += 1
        except BlockingIOError:
            break
    print(f"queue full after {sent} datagrams", file=sys.stderr)
    open(ready, "w").close()
    time.sleep(3600)
else:
    with open(mode, "ab", buffering=0) as out:
        open(ready, "w").close()
        while True:
            data = sock.recv(1 << 20)
            out.write(data.replace(b"\n", b"\\n") + b"\n")
