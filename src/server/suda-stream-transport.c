/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A connection over a GIOStream whose streams are pollable: a
 * GTlsServerConnection over the accepted socket.  The handshake runs
 * asynchronously first; until it is done the session sees nothing ready,
 * and the registration deadline drops a peer that stalls in it. */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "suda-certificate.h"
#include "suda-stream-transport.h"

struct _SudaStreamTransport
{
  SudaTransport          parent_instance;

  GIOStream             *stream;
  GSocketConnection     *base;          /* the TCP connection below, or NULL */
  GPollableInputStream  *input;         /* the stream's */
  GPollableOutputStream *output;        /* the stream's */
  GSource               *read_source;
  GSource               *write_source;
  GCancellable          *cancellable;
  GError                *handshake_error;
  char                  *fingerprint;   /* the peer certificate's, or NULL */
  gboolean               handshaking;
};

enum {
  SIGNAL_HANDSHAKE_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SudaStreamTransport, suda_stream_transport, SUDA_TYPE_TRANSPORT)

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
on_readable (GObject  *stream,
             gpointer  data)
{
  suda_transport_ready (data, G_IO_IN);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_writable (GObject  *stream,
             gpointer  data)
{
  SudaStreamTransport *self = data;

  g_clear_pointer (&self->write_source, g_source_unref);
  suda_transport_ready (data, G_IO_OUT);
  return G_SOURCE_REMOVE;
}

static GSource *
add_source (SudaStreamTransport   *self,
            GSource               *source,
            GPollableSourceFunc    func)
{
  g_source_set_callback (source, G_SOURCE_FUNC (func), self, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
suda_stream_transport_watch (SudaTransport *transport,
                             GIOCondition   condition)
{
  SudaStreamTransport *self = SUDA_STREAM_TRANSPORT (transport);

  /* Watched once the handshake is over (see on_handshake_done()). */
  if (self->handshaking)
    return;
  if ((condition & G_IO_IN) && self->read_source == NULL)
    self->read_source = add_source (self, g_pollable_input_stream_create_source (self->input, NULL),
                                    on_readable);
  else if (!(condition & G_IO_IN))
    destroy_source (&self->read_source);
  if ((condition & G_IO_OUT) && self->write_source == NULL)
    self->write_source = add_source (self, g_pollable_output_stream_create_source (self->output, NULL),
                                     on_writable);
  else if (!(condition & G_IO_OUT))
    destroy_source (&self->write_source);
}

static gssize
suda_stream_transport_receive (SudaTransport *transport,
                               char          *buffer,
                               gsize          size,
                               GError       **error)
{
  SudaStreamTransport *self = SUDA_STREAM_TRANSPORT (transport);

  if (self->handshake_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->handshake_error));
      return -1;
    }
  if (self->handshaking)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "handshaking");
      return -1;
    }
  return g_pollable_input_stream_read_nonblocking (self->input, buffer, size, NULL, error);
}

static gssize
suda_stream_transport_send (SudaTransport *transport,
                            const char    *data,
                            gsize          len,
                            GError       **error)
{
  SudaStreamTransport *self = SUDA_STREAM_TRANSPORT (transport);
  g_autoptr(GError) local_error = NULL;
  gssize n;

  /* What is said before the handshake is done (a greeting) waits for it. */
  if (self->handshaking)
    return 0;
  if (self->handshake_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->handshake_error));
      return -1;
    }
  n = g_pollable_output_stream_write_nonblocking (self->output, data, len, NULL, &local_error);
  if (n < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return 0;
  if (n < 0)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return n;
}

/* No TLS close_notify: it is a write that could block on a peer that reads
 * nothing, and IRC does not need it (QUIT and ERROR say goodbye). */
static void
suda_stream_transport_shutdown (SudaTransport *transport)
{
  SudaStreamTransport *self = SUDA_STREAM_TRANSPORT (transport);

  if (self->base != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (self->base), FALSE, TRUE, NULL);
}

static void
suda_stream_transport_close (SudaTransport *transport)
{
  SudaStreamTransport *self = SUDA_STREAM_TRANSPORT (transport);

  destroy_source (&self->read_source);
  destroy_source (&self->write_source);
  g_cancellable_cancel (self->cancellable);
  if (self->base != NULL)
    g_io_stream_close (G_IO_STREAM (self->base), NULL, NULL);
  else
    g_io_stream_close (self->stream, NULL, NULL);
}

static GSocketAddress *
suda_stream_transport_dup_remote_address (SudaTransport *transport)
{
  SudaStreamTransport *self = SUDA_STREAM_TRANSPORT (transport);

  return self->base ? g_socket_connection_get_remote_address (self->base, NULL) : NULL;
}

static const char *
suda_stream_transport_get_certificate_fingerprint (SudaTransport *transport)
{
  return SUDA_STREAM_TRANSPORT (transport)->fingerprint;
}

static GSocket *
suda_stream_transport_get_socket (SudaTransport *transport)
{
  SudaStreamTransport *self = SUDA_STREAM_TRANSPORT (transport);

  return self->base ? g_socket_connection_get_socket (self->base) : NULL;
}

static void
suda_stream_transport_dispose (GObject *object)
{
  SudaStreamTransport *self = SUDA_STREAM_TRANSPORT (object);

  destroy_source (&self->read_source);
  destroy_source (&self->write_source);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stream);
  g_clear_object (&self->base);
  self->input = NULL;
  self->output = NULL;

  G_OBJECT_CLASS (suda_stream_transport_parent_class)->dispose (object);
}

static void
suda_stream_transport_finalize (GObject *object)
{
  SudaStreamTransport *self = SUDA_STREAM_TRANSPORT (object);

  g_clear_error (&self->handshake_error);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (suda_stream_transport_parent_class)->finalize (object);
}

static void
suda_stream_transport_class_init (SudaStreamTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SudaTransportClass *transport_class = SUDA_TRANSPORT_CLASS (klass);

  object_class->dispose = suda_stream_transport_dispose;
  object_class->finalize = suda_stream_transport_finalize;
  transport_class->receive = suda_stream_transport_receive;
  transport_class->send = suda_stream_transport_send;
  transport_class->watch = suda_stream_transport_watch;
  transport_class->shutdown = suda_stream_transport_shutdown;
  transport_class->close = suda_stream_transport_close;
  transport_class->dup_remote_address = suda_stream_transport_dup_remote_address;
  transport_class->get_certificate_fingerprint = suda_stream_transport_get_certificate_fingerprint;
  transport_class->get_socket = suda_stream_transport_get_socket;

  signals[SIGNAL_HANDSHAKE_DONE] =
    g_signal_new ("handshake-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);
}

static void
suda_stream_transport_init (SudaStreamTransport *self)
{
  self->cancellable = g_cancellable_new ();
}

/* glib-networking 2.74 takes what GnuTLS's system priority allows, TLS 1.0
 * and 1.1 included on Debian 12 (unless G_TLS_GNUTLS_PRIORITY says
 * otherwise, as suda-serverd sets it): a peer that got no better is
 * dropped before it says anything. */
static gboolean
is_too_old (GTlsConnection *connection)
{
  switch (g_tls_connection_get_protocol_version (connection))
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
on_handshake_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(SudaStreamTransport) self = data;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *peer;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->handshaking = FALSE;
  suda_transport_set_pending (SUDA_TRANSPORT (self), FALSE);
  if (suda_transport_is_closed (SUDA_TRANSPORT (self)))
    return;
  if (error == NULL && is_too_old (G_TLS_CONNECTION (source)))
    g_set_error_literal (&error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                         "TLS 1.2 or later is required");
  if (error != NULL)
    {
      self->handshake_error = g_steal_pointer (&error);
      g_signal_emit (self, signals[SIGNAL_HANDSHAKE_DONE], 0, FALSE, self->handshake_error->message);
      /* The session reads the error and closes. */
      suda_transport_ready (SUDA_TRANSPORT (self), G_IO_IN);
      return;
    }
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (source));
  if (peer != NULL)
    self->fingerprint = suda_certificate_fingerprint (peer);
  g_signal_emit (self, signals[SIGNAL_HANDSHAKE_DONE], 0, TRUE, NULL);
  suda_stream_transport_watch (SUDA_TRANSPORT (self),
                               suda_transport_get_watched (SUDA_TRANSPORT (self)));
}

SudaTransport *
suda_stream_transport_new (GIOStream *stream)
{
  SudaStreamTransport *self;
  GIOStream *base = stream;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (stream)), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (stream)), NULL);

  self = g_object_new (SUDA_TYPE_STREAM_TRANSPORT, NULL);
  self->stream = g_object_ref (stream);
  self->input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (stream));
  self->output = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (stream));
  if (G_IS_TLS_CONNECTION (stream))
    g_object_get (stream, "base-io-stream", &base, NULL);
  else
    g_object_ref (base);
  if (G_IS_SOCKET_CONNECTION (base))
    {
      GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (base));

      self->base = G_SOCKET_CONNECTION (g_steal_pointer (&base));
      g_socket_set_blocking (socket, FALSE);
      /* Chat lines are small and latency matters more than packet count. */
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
    }
  g_clear_object (&base);

  if (G_IS_TLS_CONNECTION (stream))
    {
      /* A peer that just closes the TCP connection has left like any other. */
      g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (stream), FALSE);
      self->handshaking = TRUE;
      suda_transport_set_pending (SUDA_TRANSPORT (self), TRUE);
      g_tls_connection_handshake_async (G_TLS_CONNECTION (stream), G_PRIORITY_DEFAULT,
                                        self->cancellable, on_handshake_done, g_object_ref (self));
    }
  return SUDA_TRANSPORT (self);
}

gboolean
suda_stream_transport_is_handshaking (SudaStreamTransport *self)
{
  g_return_val_if_fail (SUDA_IS_STREAM_TRANSPORT (self), FALSE);
  return self->handshaking;
}
