/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Self-signed certificates made with GnuTLS, loaded and used by GIO's TLS. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "suda-certificate.h"
#include "suda-test-util.h"
#include "suda-tls-self-signed.h"

typedef struct {
  char            *dir;
  char            *cert_path;
  char            *key_path;
  GTlsCertificate *certificate;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = suda_test_make_tmpdir ();
  f->cert_path = g_build_filename (f->dir, "server.crt", NULL);
  f->key_path = g_build_filename (f->dir, "server.key", NULL);
  g_assert_true (suda_tls_create_self_signed (f->cert_path, f->key_path, "class.example", &error));
  g_assert_no_error (error);
  f->certificate = g_tls_certificate_new_from_files (f->cert_path, f->key_path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->certificate);
  g_free (f->cert_path);
  g_free (f->key_path);
  g_free (f->dir);
}

static void
test_made_and_loadable (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autoptr(GDateTime) until = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *fingerprint = NULL;
  GStatBuf st;

  g_assert_cmpint (g_stat (f->key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_object_get (f->certificate, "subject-name", &subject, "issuer-name", &issuer,
                "not-valid-after", &until, NULL);
  g_assert_nonnull (strstr (subject, "CN=class.example"));
  g_assert_cmpstr (subject, ==, issuer);
  /* Ten years, give or take a leap day. */
  g_assert_cmpint (g_date_time_difference (until, now) / G_TIME_SPAN_DAY, >=, 3649);

  fingerprint = suda_certificate_fingerprint (f->certificate);
  g_assert_cmpuint (strlen (fingerprint), ==, 64);
  g_assert_true (g_str_is_ascii (fingerprint));
  for (const char *p = fingerprint; *p; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));
}

static void
test_each_one_new (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other_cert = g_build_filename (f->dir, "other.crt", NULL);
  g_autofree char *other_key = g_build_filename (f->dir, "other.key", NULL);
  g_autoptr(GTlsCertificate) other = NULL;
  g_autofree char *a = suda_certificate_fingerprint (f->certificate);
  g_autofree char *b = NULL;

  g_assert_true (suda_tls_create_self_signed (other_cert, other_key, "class.example", &error));
  other = g_tls_certificate_new_from_files (other_cert, other_key, &error);
  g_assert_no_error (error);
  b = suda_certificate_fingerprint (other);
  g_assert_cmpstr (a, !=, b);
}

static void
test_unwritable_folder (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (suda_tls_create_self_signed ("/nonexistent/suda/server.crt",
                                               "/nonexistent/suda/server.key",
                                               "class.example", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_format_fingerprint (void)
{
  g_autofree char *shown = suda_certificate_format_fingerprint ("ab12cd");

  g_assert_cmpstr (shown, ==, "AB:12:CD");
}

/* ---- a TLS conversation on 127.0.0.1 with the made certificate --------- */

typedef struct {
  Fixture   *f;
  char      *pinned;
  char      *echoed;
  gboolean   accepted_pin;
  GTlsProtocolVersion version;
} Talk;

static void
on_server_read (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GDataInputStream) in = G_DATA_INPUT_STREAM (source);
  GIOStream *tls = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (in, result, NULL, NULL);
  g_autofree char *reply = g_strconcat ("echo ", line, "\n", NULL);

  g_output_stream_write_all (g_io_stream_get_output_stream (tls), reply, strlen (reply),
                             NULL, NULL, NULL);
  g_object_unref (tls);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           data)
{
  Talk *talk = data;
  g_autoptr(GError) error = NULL;
  GIOStream *tls = g_tls_server_connection_new (G_IO_STREAM (connection), talk->f->certificate, &error);
  GDataInputStream *in;

  g_assert_no_error (error);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (tls));
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, on_server_read, tls);
  return TRUE;
}

/* Trust on first use: the client accepts the certificate it was told of. */
static gboolean
on_accept_certificate (GTlsConnection       *connection,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              data)
{
  Talk *talk = data;
  g_autofree char *fingerprint = suda_certificate_fingerprint (peer);

  talk->accepted_pin = g_strcmp0 (fingerprint, talk->pinned) == 0;
  return talk->accepted_pin;
}

static gboolean
talk_over_tls (Talk    *talk,
               guint16  port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) base = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("class.example", port);
  g_autoptr(GError) error = NULL;

  base = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (base), identity, &error);
  g_assert_no_error (error);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), talk);
  g_socket_set_timeout (g_socket_connection_get_socket (base), 10);

  /* The server's half runs on this thread's main loop: its handshake
   * happens while the client blocks, so the client runs in a thread. */
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    return FALSE;
  talk->version = g_tls_connection_get_protocol_version (G_TLS_CONNECTION (tls));
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (tls), "hello\n", 6,
                                            NULL, NULL, &error));
  in = g_data_input_stream_new (g_io_stream_get_input_stream (tls));
  talk->echoed = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  return talk->echoed != NULL;
}

typedef struct {
  Talk    *talk;
  guint16  port;
  gboolean done;
  gboolean ok;
} ClientRun;

static gpointer
client_thread (gpointer data)
{
  ClientRun *run = data;

  run->ok = talk_over_tls (run->talk, run->port);
  g_atomic_int_set (&run->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
run_done (gpointer data)
{
  ClientRun *run = data;

  return g_atomic_int_get (&run->done);
}

static gboolean
run_client (Talk    *talk,
            guint16  port)
{
  ClientRun run = { talk, port, FALSE, FALSE };
  GThread *thread = g_thread_new ("tls-client", client_thread, &run);

  g_assert_true (suda_test_wait_until (run_done, &run, 20000));
  g_thread_join (thread);
  return run.ok;
}

static void
test_handshake_on_loopback (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  Talk pinned = { f, suda_certificate_fingerprint (f->certificate), NULL, FALSE, 0 };
  Talk stranger = { f, g_strnfill (64, 'a'), NULL, FALSE, 0 };
  guint16 port;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), any, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), &pinned);

  g_assert_true (run_client (&pinned, port));
  g_assert_true (pinned.accepted_pin);
  g_assert_cmpstr (pinned.echoed, ==, "echo hello");
  /* TLS 1.2 or newer: GIO's GnuTLS backend offers nothing older. */
  g_assert_cmpint (pinned.version, >=, G_TLS_PROTOCOL_VERSION_TLS_1_2);

  /* A pin of another certificate refuses this one. */
  g_signal_handlers_disconnect_by_data (service, &pinned);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), &stranger);
  g_assert_false (run_client (&stranger, port));
  g_assert_false (stranger.accepted_pin);
  g_assert_null (stranger.echoed);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_free (pinned.pinned);
  g_free (pinned.echoed);
  g_free (stranger.pinned);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/tls/self-signed/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("made-and-loadable", test_made_and_loadable);
  ADD ("each-one-new", test_each_one_new);
  ADD ("unwritable-folder-is-an-error", test_unwritable_folder);
  ADD ("handshake-on-loopback-with-pinning", test_handshake_on_loopback);
#undef ADD
  g_test_add_func ("/tls/fingerprint/format", test_format_fingerprint);

  return g_test_run ();
}
