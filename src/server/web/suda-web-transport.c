/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IRC over a WebSocket (https://ircv3.net/specs/extensions/websocket):
 * each message in is one line, given to the session with a "\n" after it;
 * each line out (CR LF taken off) is one message, a text message under
 * text.ircv3.net (made valid UTF-8 first) and a binary one under
 * binary.ircv3.net.  libsoup reads the frames; the session sees a
 * transport like any other, level-triggered through an idle source. */
#include "config.h"

#include <string.h>

#include "suda-server-private.h"
#include "suda-web-transport.h"

struct _SudaWebTransport
{
  SudaTransport            parent_instance;

  SoupWebsocketConnection *connection;
  GSocketAddress          *peer;
  gboolean                 binary;       /* binary.ircv3.net */
  GByteArray              *pending;      /* lines in, not yet received */
  gsize                    max_pending;  /* bytes waiting, at most */
  gboolean                 peer_closed;  /* no more input: receive() says 0 */
  guint                    pump_id;      /* the idle that tells the session */
};

G_DEFINE_FINAL_TYPE (SudaWebTransport, suda_web_transport, SUDA_TYPE_TRANSPORT)

static gboolean on_pump (gpointer data);

/* Whether the session waits for something that is ready now. */
static gboolean
is_ready (SudaWebTransport *self)
{
  GIOCondition watched = suda_transport_get_watched (SUDA_TRANSPORT (self));

  if (suda_transport_is_closed (SUDA_TRANSPORT (self)))
    return FALSE;
  return (watched & G_IO_OUT) ||
         ((watched & G_IO_IN) && (self->pending->len > 0 || self->peer_closed));
}

static void
update_pump (SudaWebTransport *self)
{
  if (is_ready (self) && self->pump_id == 0)
    self->pump_id = _suda_idle_add_full (G_PRIORITY_DEFAULT, on_pump, self, NULL);
  else if (!is_ready (self))
    g_clear_handle_id (&self->pump_id, _suda_source_remove);
}

/* Tells the session, once per main-loop iteration for as long as input
 * waits, as a socket source would. */
static gboolean
on_pump (gpointer data)
{
  g_autoptr(SudaWebTransport) self = g_object_ref (data);
  GIOCondition watched = suda_transport_get_watched (SUDA_TRANSPORT (self));

  self->pump_id = 0;
  if (watched & G_IO_OUT)
    suda_transport_ready (SUDA_TRANSPORT (self), G_IO_OUT);
  if (is_ready (self) && (suda_transport_get_watched (SUDA_TRANSPORT (self)) & G_IO_IN))
    suda_transport_ready (SUDA_TRANSPORT (self), G_IO_IN);
  update_pump (self);
  return G_SOURCE_REMOVE;
}

static void
on_message (SoupWebsocketConnection *connection,
            int                      type,
            GBytes                  *message,
            gpointer                 data)
{
  SudaWebTransport *self = data;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (message, &size);

  /* libsoup keeps reading while the session does not (a paused sender):
   * past the bound, the peer is flooding. */
  if (self->pending->len + size + 1 > self->max_pending)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                       "Excess flood");
      return;
    }
  g_byte_array_append (self->pending, bytes, size);
  /* The spec's messages carry no CR LF; a peer that adds one anyway
   * ends its line only once. */
  if (size == 0 || bytes[size - 1] != '\n')
    g_byte_array_append (self->pending, (const guint8 *) "\n", 1);
  update_pump (self);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 data)
{
  SudaWebTransport *self = data;

  self->peer_closed = TRUE;
  update_pump (self);
}

/* Errors end in "closed"; the session logs the disconnect. */
static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 data)
{
  g_debug ("WebSocket: %s", error->message);
}

static gssize
suda_web_transport_receive (SudaTransport *transport,
                            char          *buffer,
                            gsize          size,
                            GError       **error)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (transport);
  gsize n = MIN (size, self->pending->len);

  if (n > 0)
    {
      memcpy (buffer, self->pending->data, n);
      g_byte_array_remove_range (self->pending, 0, n);
      return n;
    }
  if (self->peer_closed)
    return 0;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "nothing to read");
  return -1;
}

static void
send_line (SudaWebTransport *self,
           const char       *line,
           gsize             len)
{
  g_autofree char *text = NULL;

  if (self->binary)
    {
      soup_websocket_connection_send_binary (self->connection, line, len);
      return;
    }
  /* text.ircv3.net: a line that is not UTF-8 has its bad bytes replaced. */
  text = g_utf8_validate_len (line, len, NULL) ? g_strndup (line, len) : g_utf8_make_valid (line, len);
  soup_websocket_connection_send_text (self->connection, text);
}

/* DATA is whole lines, each ended by CR LF.  libsoup queues what the
 * socket cannot take yet, so everything is taken. */
static gssize
suda_web_transport_send (SudaTransport *transport,
                         const char    *data,
                         gsize          len,
                         GError       **error)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (transport);
  const char *end = data + len;

  if (soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "WebSocket closed");
      return -1;
    }
  for (const char *line = data; line < end;)
    {
      const char *newline = memchr (line, '\n', end - line);
      const char *next = newline != NULL ? newline + 1 : end;
      const char *stop = newline != NULL ? newline : end;

      if (stop > line && stop[-1] == '\r')
        stop--;
      send_line (self, line, stop - line);
      line = next;
    }
  return len;
}

static void
suda_web_transport_watch (SudaTransport *transport,
                          GIOCondition   condition)
{
  update_pump (SUDA_WEB_TRANSPORT (transport));
}

static void
disconnect_signals (SudaWebTransport *self)
{
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
}

static void
on_closed_drop (SoupWebsocketConnection *connection,
                gpointer                 data)
{
  g_object_unref (connection);
}

/* A close frame follows what is queued, so the last words arrive; the
 * connection lives on until the close handshake is over, past the
 * session and its transport. */
static void
suda_web_transport_close (SudaTransport *transport)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (transport);

  g_clear_handle_id (&self->pump_id, _suda_source_remove);
  disconnect_signals (self);
  if (soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  g_signal_connect (g_object_ref (self->connection), "closed", G_CALLBACK (on_closed_drop), NULL);
  soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

static GSocketAddress *
suda_web_transport_dup_remote_address (SudaTransport *transport)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (transport);

  return self->peer ? g_object_ref (self->peer) : NULL;
}

static void
suda_web_transport_dispose (GObject *object)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (object);

  g_clear_handle_id (&self->pump_id, _suda_source_remove);
  disconnect_signals (self);
  g_clear_object (&self->connection);
  g_clear_object (&self->peer);

  G_OBJECT_CLASS (suda_web_transport_parent_class)->dispose (object);
}

static void
suda_web_transport_finalize (GObject *object)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (object);

  g_clear_pointer (&self->pending, g_byte_array_unref);

  G_OBJECT_CLASS (suda_web_transport_parent_class)->finalize (object);
}

static void
suda_web_transport_class_init (SudaWebTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SudaTransportClass *transport_class = SUDA_TRANSPORT_CLASS (klass);

  object_class->dispose = suda_web_transport_dispose;
  object_class->finalize = suda_web_transport_finalize;
  transport_class->receive = suda_web_transport_receive;
  transport_class->send = suda_web_transport_send;
  transport_class->watch = suda_web_transport_watch;
  transport_class->close = suda_web_transport_close;
  transport_class->dup_remote_address = suda_web_transport_dup_remote_address;
}

static void
suda_web_transport_init (SudaWebTransport *self)
{
  self->pending = g_byte_array_new ();
}

SudaTransport *
suda_web_transport_new (SoupWebsocketConnection *connection,
                        GSocketAddress          *peer,
                        gsize                    max_message)
{
  SudaWebTransport *self;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (connection), NULL);

  self = g_object_new (SUDA_TYPE_WEB_TRANSPORT, NULL);
  self->connection = g_object_ref (connection);
  self->peer = peer ? g_object_ref (peer) : NULL;
  /* A few messages' worth wait while the session is held back. */
  self->max_pending = 4 * max_message;
  self->binary = g_strcmp0 (soup_websocket_connection_get_protocol (connection), "binary.ircv3.net") == 0;
  /* A line longer than the limit is the session's to refuse, as on TCP;
   * only a message far past any line is libsoup's. */
  soup_websocket_connection_set_max_incoming_payload_size (connection, max_message);
  /* IRC's own PING keeps the session alive and finds dead peers. */
  soup_websocket_connection_set_keepalive_interval (connection, 0);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (connection, "error", G_CALLBACK (on_error), self);
  return SUDA_TRANSPORT (self);
}
