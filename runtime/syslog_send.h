/* SPDX-License-Identifier: Apache-2.0 */
/* syslog without blocking: one datagram to /dev/log */
#ifndef HARDRUN_SYSLOG_SEND_H
#define HARDRUN_SYSLOG_SEND_H

/* syslog.c: sends message to the local syslog socket (journald, rsyslog)
 * with priority (facility | severity, as syslog(3) takes them) and ident
 * "hardrun".  Never blocks and never fails the caller: with no socket, or
 * a receiver that is not reading, the message is dropped; returns 0 when
 * it was sent, -1 (errno set) when it was dropped. */
int hr_syslog_send (int priority, const char *message);

#endif
