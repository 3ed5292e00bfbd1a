/* notify.h - the service manager's notification protocol: state lines to $NOTIFY_SOCKET. */
#pragma once

/* Sends state ("READY=1", "STATUS=...\nWATCHDOG=1"...) as one datagram to the AF_UNIX socket
 * named by $NOTIFY_SOCKET (a path, or an abstract name when it starts with '@'). 0 when sent
 * or when the variable is unset (no service manager listens), a negative errno otherwise. */
int notify_send(const char *state);
int notify_sendf(const char *format, ...) __attribute__((format(printf, 1, 2)));
