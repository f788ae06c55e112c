/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The web server over TLS: with a certificate it serves the page over
 * HTTPS and /ws over WSS on the same port (SudaWebServer alone, with a
 * self-signed certificate and libsoup's client): the connection taken
 * from libsoup after the upgrade is a TLS one, and the frames go both
 * ways over it. */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "suda-test-util.h"
#include "suda-tls-self-signed.h"
#include "web/suda-web-server.h"
#include "web/suda-web-transport.h"

typedef struct {
  GMainLoop               *loop;
  SudaTransport           *accepted;   /* the server's side */
  SoupWebsocketConnection *client;
  GString                 *received;   /* by the server */
  char                    *answer;     /* received by the client */
  GBytes                  *body;
  SoupMessage             *msg;
} Fixture;

static gboolean
accept_any_certificate (SoupMessage          *msg,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              data)
{
  return TRUE;
}

/* The server's side reads until a whole line is in, and answers. */
static void
on_server_ready (gpointer     data,
                 GIOCondition condition)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;
  char buffer[256];
  gssize n = suda_transport_receive (f->accepted, buffer, sizeof buffer, &error);

  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return;
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  g_string_append_len (f->received, buffer, n);
  if (g_str_has_suffix (f->received->str, "\n"))
    {
      const char *line = "PONG :over-tls\r\n";

      g_assert_cmpint (suda_transport_send (f->accepted, line, strlen (line), &error), ==, strlen (line));
      g_assert_no_error (error);
    }
}

static void
on_client_message (SoupWebsocketConnection *connection,
                   int                      type,
                   GBytes                  *message,
                   gpointer                 data)
{
  Fixture *f = data;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_BINARY);
  f->answer = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  g_main_loop_quit (f->loop);
}

static void
on_accept (gpointer       data,
           SudaTransport *transport)
{
  Fixture *f = data;
  g_autoptr(GSocketAddress) peer = suda_transport_dup_remote_address (transport);

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (peer));
  g_assert_true (SUDA_IS_WEB_TRANSPORT (transport));
  f->accepted = g_object_ref (transport);
  suda_transport_set_ready_func (transport, on_server_ready, f);
  suda_transport_watch (transport, G_IO_IN);
}

static void
on_page_read (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;

  f->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  g_main_loop_quit (f->loop);
}

static void
on_socket_open (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;

  f->client = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  g_signal_connect (f->client, "message", G_CALLBACK (on_client_message), f);
  soup_websocket_connection_send_text (f->client, "PING :over-tls");
}

static void
test_https_and_wss (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *cert_path = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "key.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaWebServer) web = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *ws_url = NULL;
  const char *protocols[] = { "binary.ircv3.net", NULL };
  const char *policy;
  Fixture f = { g_main_loop_new (NULL, FALSE), .received = g_string_new (NULL) };

  g_assert_true (suda_tls_create_self_signed (cert_path, key_path, "localhost", &error));
  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);
  g_assert_true (suda_server_config_set_value (config, "web", "port", "auto", NULL));
  g_assert_true (suda_server_config_set_value (config, "web", "listen", "127.0.0.1", NULL));
  web = suda_web_server_new (config, certificate, on_accept, &f);
  g_assert_true (suda_web_server_start (web, &error));
  g_assert_no_error (error);

  url = suda_web_server_dup_url (web);
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));
  f.msg = soup_message_new ("GET", url);
  g_signal_connect (f.msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  soup_session_send_and_read_async (session, f.msg, G_PRIORITY_DEFAULT, NULL, on_page_read, &f);
  g_main_loop_run (f.loop);
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, SOUP_STATUS_OK);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (f.body, NULL), g_bytes_get_size (f.body), "app.js"));
  policy = soup_message_headers_get_one (soup_message_get_response_headers (f.msg),
                                         "Content-Security-Policy");
  g_assert_nonnull (policy);
  g_assert_nonnull (strstr (policy, "frame-ancestors 'none'"));
  g_clear_object (&f.msg);

  /* The page's own origin over TLS is https://, its socket wss://. */
  origin = g_strdup_printf ("https://127.0.0.1:%u", suda_web_server_get_port (web));
  ws_url = g_strdup_printf ("wss://127.0.0.1:%u/ws", suda_web_server_get_port (web));
  f.msg = soup_message_new ("GET", ws_url);
  g_signal_connect (f.msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  soup_session_websocket_connect_async (session, f.msg, origin, (char **) protocols,
                                        G_PRIORITY_DEFAULT, NULL, on_socket_open, &f);
  g_main_loop_run (f.loop);
  g_assert_nonnull (f.accepted);
  g_assert_cmpstr (soup_websocket_connection_get_protocol (f.client), ==, "binary.ircv3.net");
  g_assert_cmpstr (f.received->str, ==, "PING :over-tls\n");
  g_assert_cmpstr (f.answer, ==, "PONG :over-tls");

  suda_transport_close (f.accepted);
  suda_web_server_stop (web);
  g_clear_object (&f.client);
  g_clear_object (&f.accepted);
  g_clear_object (&f.msg);
  g_clear_pointer (&f.body, g_bytes_unref);
  g_string_free (f.received, TRUE);
  g_free (f.answer);
  g_main_loop_unref (f.loop);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/web/tls/https-and-wss-on-one-port", test_https_and_wss);
  return g_test_run ();
}
