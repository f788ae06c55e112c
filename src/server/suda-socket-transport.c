/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A clear-text TCP connection: the socket's own sources, g_socket_receive()
 * into the session's buffer and send(2) straight from its queue. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "suda-socket-transport.h"

struct _SudaSocketTransport
{
  SudaTransport      parent_instance;

  GSocketConnection *connection;
  GSocket           *socket;   /* the connection's */
  int                fd;       /* the socket's */
  GSource           *read_source;
  GSource           *write_source;
};

G_DEFINE_FINAL_TYPE (SudaSocketTransport, suda_socket_transport, SUDA_TYPE_TRANSPORT)

static void
destroy_source (GSource **source)
{
  if (*source)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  suda_transport_ready (data, G_IO_IN);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_writable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  SudaSocketTransport *self = data;

  g_clear_pointer (&self->write_source, g_source_unref);
  suda_transport_ready (data, G_IO_OUT);
  return G_SOURCE_REMOVE;
}

static GSource *
add_source (SudaSocketTransport *self,
            GIOCondition         condition,
            GSocketSourceFunc    func)
{
  GSource *source = g_socket_create_source (self->socket, condition, NULL);

  g_source_set_callback (source, G_SOURCE_FUNC (func), self, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
suda_socket_transport_watch (SudaTransport *transport,
                             GIOCondition   condition)
{
  SudaSocketTransport *self = SUDA_SOCKET_TRANSPORT (transport);

  if ((condition & G_IO_IN) && self->read_source == NULL)
    self->read_source = add_source (self, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable);
  else if (!(condition & G_IO_IN))
    destroy_source (&self->read_source);
  if ((condition & G_IO_OUT) && self->write_source == NULL)
    self->write_source = add_source (self, G_IO_OUT, on_writable);
  else if (!(condition & G_IO_OUT))
    destroy_source (&self->write_source);
}

static gssize
suda_socket_transport_receive (SudaTransport *transport,
                               char          *buffer,
                               gsize          size,
                               GError       **error)
{
  SudaSocketTransport *self = SUDA_SOCKET_TRANSPORT (transport);

  return g_socket_receive (self->socket, buffer, size, NULL, error);
}

/* send() itself, not g_socket_send(): a full kernel buffer is the common
 * case under load, and GIO makes a GError of each. */
static gssize
suda_socket_transport_send (SudaTransport *transport,
                            const char    *data,
                            gsize          len,
                            GError       **error)
{
  SudaSocketTransport *self = SUDA_SOCKET_TRANSPORT (transport);

  for (;;)
    {
      gssize n = send (self->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      int saved_errno = errno;

      if (n >= 0)
        return n;
      if (saved_errno == EINTR)
        continue;
      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
        return 0;
      g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return -1;
    }
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

  destroy_source (&self->read_source);
  destroy_source (&self->write_source);
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

  destroy_source (&self->read_source);
  destroy_source (&self->write_source);
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
