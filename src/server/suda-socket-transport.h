/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <errno.h>
#include <sys/socket.h>

#include "suda-transport.h"

G_BEGIN_DECLS

#define SUDA_TYPE_SOCKET_TRANSPORT (suda_socket_transport_get_type ())

G_DECLARE_FINAL_TYPE (SudaSocketTransport, suda_socket_transport, SUDA, SOCKET_TRANSPORT, SudaTransport)

/* A clear-text TCP connection: send(2), watched in the main context's epoll set. */
SudaTransport *suda_socket_transport_new    (GSocketConnection   *connection);
int            suda_socket_transport_get_fd (SudaSocketTransport *self);

/* The transport's send, inline so that the session's flush (once per
 * session per main-loop iteration) calls send(2) with no call between:
 * send(2) itself, not g_socket_send(), as a full kernel buffer is the
 * common case under load and GIO makes a GError of each.  Returns the
 * bytes taken, 0 when the kernel takes none now, -1 on failure. */
static inline gssize
suda_socket_send (int          fd,
                  const char  *data,
                  gsize        len,
                  GError     **error)
{
  for (;;)
    {
      gssize n = send (fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      int saved_errno;

      if (G_LIKELY (n >= 0))
        return n;
      saved_errno = errno;
      if (saved_errno == EINTR)
        continue;
      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
        return 0;
      g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return -1;
    }
}

G_END_DECLS
