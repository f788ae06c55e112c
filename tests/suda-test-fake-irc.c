/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-test-fake-irc.h"
#include "suda-test-util.h"

static void
on_handshake_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SudaTestFakeIrc *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;   /* SELF is gone */
      g_test_message ("fake server: handshake failed: %s", error->message);
      self->n_handshakes_failed++;
      return;
    }
  g_set_object (&self->stream, G_IO_STREAM (source));
  self->n_accepted++;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             SudaTestFakeIrc   *self)
{
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  g_set_object (&self->peer, connection);
  g_socket_set_blocking (g_socket_connection_get_socket (connection), FALSE);
  g_string_truncate (self->received, 0);
  if (self->certificate == NULL)
    {
      g_set_object (&self->stream, G_IO_STREAM (connection));
      self->n_accepted++;
      return TRUE;
    }
  g_clear_object (&self->stream);
  tls = g_tls_server_connection_new (G_IO_STREAM (connection), self->certificate, &error);
  g_assert_no_error (error);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->cancellable,
                                    on_handshake_done, self);
  return TRUE;
}

SudaTestFakeIrc *
suda_test_fake_irc_new_tls (GTlsCertificate *certificate)
{
  SudaTestFakeIrc *self = suda_test_fake_irc_new ();

  self->certificate = g_object_ref (certificate);
  self->cancellable = g_cancellable_new ();
  return self;
}

SudaTestFakeIrc *
suda_test_fake_irc_new (void)
{
  SudaTestFakeIrc *self = g_new0 (SudaTestFakeIrc, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  self->received = g_string_new (NULL);
  self->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);
  return self;
}

void
suda_test_fake_irc_free (SudaTestFakeIrc *self)
{
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  if (self->stream != NULL)
    g_io_stream_close (self->stream, NULL, NULL);
  if (self->peer != NULL)
    g_io_stream_close (G_IO_STREAM (self->peer), NULL, NULL);
  g_clear_object (&self->stream);
  g_clear_object (&self->peer);
  g_clear_object (&self->certificate);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->service);
  g_string_free (self->received, TRUE);
  g_free (self);
}

static gboolean
has_accepted (gpointer data)
{
  gpointer *args = data;

  return ((SudaTestFakeIrc *) args[0])->n_accepted >= GPOINTER_TO_UINT (args[1]);
}

void
suda_test_fake_irc_accept (SudaTestFakeIrc *self,
                           guint            n_accepted)
{
  gpointer args[] = { self, GUINT_TO_POINTER (n_accepted) };

  if (!suda_test_wait_until (has_accepted, args, 10000))
    g_error ("no client connected (%u so far)", self->n_accepted);
}

void
suda_test_fake_irc_send_len (SudaTestFakeIrc *self,
                             const char      *data,
                             gsize            len)
{
  GPollableOutputStream *out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->stream));

  /* The socket is non-blocking so that a client slow to read never stalls
   * the main loop it needs to run: wait for room, iterating meanwhile. */
  while (len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (out, data, len, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          suda_test_iterate (1);
          continue;
        }
      g_assert_no_error (error);
      data += n;
      len -= n;
    }
}

void
suda_test_fake_irc_send (SudaTestFakeIrc *self,
                         const char      *text)
{
  suda_test_fake_irc_send_len (self, text, strlen (text));
}

static gboolean
received_matches (SudaTestFakeIrc *self,
                  const char      *pattern)
{
  g_auto(GStrv) lines = g_strsplit (self->received->str, "\r\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_pattern_match_simple (pattern, lines[i]))
      return TRUE;
  return FALSE;
}

void
suda_test_fake_irc_expect (SudaTestFakeIrc *self,
                           const char      *pattern)
{
  GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->stream));
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      char buf[4096];
      gssize n;

      while ((n = g_pollable_input_stream_read_nonblocking (in, buf, sizeof buf, NULL, NULL)) > 0)
        g_string_append_len (self->received, buf, n);
      if (received_matches (self, pattern))
        return;
      suda_test_iterate (5);
    }
  g_error ("the client never sent %s; it sent:\n%s", pattern, self->received->str);
}

void
suda_test_fake_irc_sync (SudaTestFakeIrc *self)
{
  static guint serial;
  g_autofree char *ping = g_strdup_printf ("PING :sync-%u\r\n", ++serial);
  g_autofree char *pong = g_strdup_printf ("PONG sync-%u", serial);

  suda_test_fake_irc_send (self, ping);
  suda_test_fake_irc_expect (self, pong);
}

void
suda_test_fake_irc_register (SudaTestFakeIrc *self,
                             const char      *nick)
{
  g_autofree char *welcome = g_strdup_printf (":fake.local 001 %s :Welcome\r\n", nick);

  if (self->stream == NULL)
    suda_test_fake_irc_accept (self, 1);
  suda_test_fake_irc_expect (self, "NICK *");
  suda_test_fake_irc_send (self, welcome);
}
