/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A clear-text TCP connection: watched in the main context's epoll set
 * (suda-poller.c), g_socket_receive() into the session's buffer and
 * send(2) straight from its queue. */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "suda-server-private.h"
#include "suda-socket-transport.h"

struct _SudaSocketTransport
{
  SudaTransport      parent_instance;

  GSocketConnection *connection;
  GSocket           *socket;   /* the connection's */
  int                fd;       /* the socket's */
  SudaPollWatch     *watch;     /* made at the first watch, in that thread's context */
};

G_DEFINE_FINAL_TYPE (SudaSocketTransport, suda_socket_transport, SUDA_TYPE_TRANSPORT)

static void
on_ready (gpointer     data,
          GIOCondition condition)
{
  suda_transport_ready (data, condition);
}

static void
suda_socket_transport_watch (SudaTransport *transport,
                             GIOCondition   condition)
{
  SudaSocketTransport *self = SUDA_SOCKET_TRANSPORT (transport);

  if (self->watch == NULL && condition != 0)
    self->watch = _suda_poll_watch_new (self->fd, on_ready, self);
  if (self->watch != NULL)
    _suda_poll_watch_set (self->watch, condition);
}

static gssize
suda_socket_transport_receive (SudaTransport *transport,
                               char          *buffer,
                               gsize          size,
                               GError       **error)
{
  SudaSocketTransport *self = (SudaSocketTransport *) transport;

  return g_socket_receive (self->socket, buffer, size, NULL, error);
}

static gssize
suda_socket_transport_send (SudaTransport *transport,
                            const char    *data,
                            gsize          len,
                            GError       **error)
{
  return suda_socket_send (((SudaSocketTransport *) transport)->fd, data, len, error);
}

static void
suda_socket_transport_shutdown (SudaTransport *transport)
{
  SudaSocketTransport *self = SUDA_SOCKET_TRANSPORT (transport);

  g_socket_shutdown (self->socket, FALSE, TRUE, NULL);
}

static void
suda_socket_transport_close (SudaTransport *transport)
{
  SudaSocketTransport *self = SUDA_SOCKET_TRANSPORT (transport);

  g_clear_pointer (&self->watch, _suda_poll_watch_free);
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
}

static GSocketAddress *
suda_socket_transport_dup_remote_address (SudaTransport *transport)
{
  SudaSocketTransport *self = SUDA_SOCKET_TRANSPORT (transport);

  return g_socket_connection_get_remote_address (self->connection, NULL);
}

static GSocket *
suda_socket_transport_get_socket (SudaTransport *transport)
{
  return SUDA_SOCKET_TRANSPORT (transport)->socket;
}

static void
suda_socket_transport_dispose (GObject *object)
{
  SudaSocketTransport *self = SUDA_SOCKET_TRANSPORT (object);

  g_clear_pointer (&self->watch, _suda_poll_watch_free);
  g_clear_object (&self->connection);
  self->socket = NULL;

  G_OBJECT_CLASS (suda_socket_transport_parent_class)->dispose (object);
}

static void
suda_socket_transport_class_init (SudaSocketTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SudaTransportClass *transport_class = SUDA_TRANSPORT_CLASS (klass);

  object_class->dispose = suda_socket_transport_dispose;
  transport_class->receive = suda_socket_transport_receive;
  transport_class->send = suda_socket_transport_send;
  transport_class->watch = suda_socket_transport_watch;
  transport_class->shutdown = suda_socket_transport_shutdown;
  transport_class->close = suda_socket_transport_close;
  transport_class->dup_remote_address = suda_socket_transport_dup_remote_address;
  transport_class->get_socket = suda_socket_transport_get_socket;
}

static void
suda_socket_transport_init (SudaSocketTransport *self)
{
}

int
suda_socket_transport_get_fd (SudaSocketTransport *self)
{
  g_return_val_if_fail (SUDA_IS_SOCKET_TRANSPORT (self), -1);
  return self->fd;
}

SudaTransport *
suda_socket_transport_new (GSocketConnection *connection)
{
  SudaSocketTransport *self;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);

  self = g_object_new (SUDA_TYPE_SOCKET_TRANSPORT, NULL);
  self->connection = g_object_ref (connection);
  self->socket = g_socket_connection_get_socket (connection);
  self->fd = g_socket_get_fd (self->socket);
  g_socket_set_blocking (self->socket, FALSE);
  /* Chat lines are small and latency matters more than packet count. */
  g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  return SUDA_TRANSPORT (self);
}
