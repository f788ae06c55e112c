/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The TLS port: handshakes that never block the loop, chat between TLS and
 * clear-text clients, the self-signed certificate, REHASH, STS and
 * CERTFP.  Certificates are made by the test with the server's own
 * generator; clients are GIO's TLS clients (and openssl for TLS 1.1). */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "suda-certificate.h"
#include "suda-server-private.h"
#include "suda-test-util.h"
#include "suda-tls-self-signed.h"

/* A TLS client ------------------------------------------------------------- */

typedef struct {
  GIOStream      *tls;
  SudaLineBuffer  in;
  char           *server_fingerprint;
  gboolean        closed;
} TlsClient;

static gboolean
accept_any (GTlsConnection       *connection,
            GTlsCertificate      *peer,
            GTlsCertificateFlags  errors,
            gpointer              data)
{
  return TRUE;
}

static void
tls_client_free (TlsClient *self)
{
  if (self == NULL)
    return;
  g_io_stream_close (self->tls, NULL, NULL);
  g_object_unref (self->tls);
  suda_line_buffer_clear (&self->in);
  g_free (self->server_fingerprint);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TlsClient, tls_client_free)

/* Connects and shakes hands while the server runs on this same loop;
 * CERTIFICATE, when not NULL, is shown to the server. */
static TlsClient *
tls_client_connect (guint16           port,
                    GTlsCertificate  *certificate)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TlsClient *self = g_new0 (TlsClient, 1);

  g_socket_client_connect_to_host_async (client, "127.0.0.1", port, NULL, suda_test_async_store, &result);
  connection = g_socket_client_connect_to_host_finish (client, suda_test_async_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  self->tls = g_tls_client_connection_new (G_IO_STREAM (connection), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (self->tls, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (self->tls), certificate);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (self->tls), G_PRIORITY_DEFAULT, NULL,
                                    suda_test_async_store, &result);
  g_tls_connection_handshake_finish (G_TLS_CONNECTION (self->tls), suda_test_async_wait (&result), &error);
  g_assert_no_error (error);
  self->server_fingerprint =
    suda_certificate_fingerprint (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (self->tls)));
  suda_line_buffer_init (&self->in, 1024 * 1024);
  return self;
}

static void
tls_client_send (TlsClient  *self,
                 const char *line)
{
  g_autofree char *data = g_strconcat (line, "\r\n", NULL);
  GPollableOutputStream *out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->tls));
  gsize len = strlen (data), sent = 0;
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (sent < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (out, data + sent, len - sent, NULL, &error);

      if (n > 0)
        sent += n;
      else
        g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK));
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
    }
}

static char *
tls_client_read_line (TlsClient *self,
                      guint      timeout_ms)
{
  GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->tls));
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      char buffer[16384];
      char *line;
      gsize len;
      gssize n;

      if (suda_line_buffer_pop (&self->in, &line, &len) == SUDA_LINE_OK)
        return g_strndup (line, len);
      if (self->closed || g_get_monotonic_time () > end)
        return NULL;
      n = g_pollable_input_stream_read_nonblocking (in, buffer, sizeof buffer, NULL, &error);
      if (n > 0)
        {
          suda_line_buffer_append (&self->in, buffer, n);
          continue;
        }
      if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        self->closed = TRUE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }
}

/* The first line matching PATTERN (g_pattern_match_simple) within 5 s. */
static char *
tls_client_expect (TlsClient  *self,
                   const char *pattern)
{
  for (;;)
    {
      char *line = tls_client_read_line (self, 5000);

      if (line == NULL)
        g_error ("no line matching “%s” came", pattern);
      if (g_pattern_match_simple (pattern, line))
        return line;
      g_free (line);
    }
}

static void
tls_client_await (TlsClient  *self,
                  const char *pattern)
{
  g_free (tls_client_expect (self, pattern));
}

static TlsClient *
tls_client_register (guint16          port,
                     const char      *nick,
                     GTlsCertificate *certificate)
{
  TlsClient *self = tls_client_connect (port, certificate);
  g_autofree char *nick_line = g_strdup_printf ("NICK %s", nick);
  g_autofree char *user_line = g_strdup_printf ("USER %s 0 * :%s", nick, nick);
  g_autofree char *welcome = g_strdup_printf (":suda.local 001 %s *", nick);

  tls_client_send (self, nick_line);
  tls_client_send (self, user_line);
  tls_client_await (self, welcome);
  return self;
}

/* Fixtures --------------------------------------------------------------- */

typedef struct {
  char *dir;
  char *certificate;   /* PEM paths of the server's certificate */
  char *key;
} Certs;

static void
certs_make (Certs      *self,
            const char *file_prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_name = g_strconcat (file_prefix, "-cert.pem", NULL);
  g_autofree char *key_name = g_strconcat (file_prefix, "-key.pem", NULL);

  if (self->dir == NULL)
    self->dir = suda_test_make_tmpdir ();
  g_free (self->certificate);
  g_free (self->key);
  self->certificate = g_build_filename (self->dir, cert_name, NULL);
  self->key = g_build_filename (self->dir, key_name, NULL);
  g_remove (self->certificate);
  g_remove (self->key);
  suda_tls_create_self_signed (self->certificate, self->key, "suda.test", &error);
  g_assert_no_error (error);
}

static void
certs_clear (Certs *self)
{
  g_free (self->dir);
  g_free (self->certificate);
  g_free (self->key);
}

static char *
fingerprint_of_file (const char *certificate,
                     const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files (certificate, key, &error);

  g_assert_no_error (error);
  return suda_certificate_fingerprint (cert);
}

/* A server listening on a free clear-text port and a free TLS port. */
static SudaServer *
tls_server_new (SudaServerConfig *config,
                const Certs      *certs)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = suda_test_make_tmpdir ();
  SudaServer *server;

  g_free (config->listen_address);
  config->listen_address = g_strdup ("127.0.0.1");
  config->port = 0;
  config->flood_control = FALSE;
  config->exempt_loopback = TRUE;
  if (config->log_path == NULL)
    config->log_path = g_build_filename (dir, "server.jsonl", NULL);
  if (config->state_dir == NULL)
    config->state_dir = g_strdup (dir);
  if (certs != NULL)
    {
      config->tls_certificate = g_strdup (certs->certificate);
      config->tls_key = g_strdup (certs->key);
    }
  server = suda_server_new (config);
  _suda_server_set_tls_any_port (server);
  suda_server_start (server, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (suda_server_get_tls_port (server), >, 0);
  /* The history is read: connections are taken from here on. */
  while (_suda_server_is_loading_history (server))
    g_main_context_iteration (NULL, TRUE);
  return server;
}

static void
collect_entry (SudaServer   *server,
               SudaLogEntry *entry,
               GPtrArray    *entries)
{
  g_ptr_array_add (entries, g_object_ref (entry));
}

static guint
count_entries (GPtrArray  *entries,
               const char *event,
               const char *text_pattern)
{
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (entries, i);
      const char *text = suda_log_entry_get_text (entry);

      if (g_str_equal (suda_log_entry_get_event (entry), event) &&
          (text_pattern == NULL || (text != NULL && g_pattern_match_simple (text_pattern, text))))
        n++;
    }
  return n;
}

/* Tests -------------------------------------------------------------------- */

static void
test_chat_with_plain_client (void)
{
  Certs certs = { 0 };
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(TlsClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *expected = NULL;

  certs_make (&certs, "server");
  server = tls_server_new (config, &certs);
  g_signal_connect (server, "log-entry", G_CALLBACK (collect_entry), entries);
  expected = fingerprint_of_file (certs.certificate, certs.key);
  g_assert_cmpstr (suda_server_get_tls_fingerprint (server), ==, expected);
  g_assert_false (suda_server_get_tls_self_signed (server));

  alice = tls_client_register (suda_server_get_tls_port (server), "alice", NULL);
  g_assert_cmpstr (alice->server_fingerprint, ==, expected);
  bob = suda_test_client_register_joined (suda_server_get_port (server), "bob", NULL, "#lobby");
  tls_client_send (alice, "JOIN #lobby");
  tls_client_await (alice, ":suda.local 366 alice #lobby *");
  suda_test_client_await (bob, ":alice!*@127.0.0.1 JOIN #lobby");

  tls_client_send (alice, "PRIVMSG #lobby :안녕, 암호로 왔어요");
  suda_test_client_await (bob, ":alice!*@127.0.0.1 PRIVMSG #lobby :안녕, 암호로 왔어요");
  suda_test_client_send (bob, "PRIVMSG #lobby :반가워요");
  tls_client_await (alice, ":bob!*@127.0.0.1 PRIVMSG #lobby :반가워요");

  /* Only the TLS one is secure; both connects are logged, one as TLS. */
  tls_client_send (alice, "WHOIS alice");
  tls_client_await (alice, ":suda.local 671 alice alice :is using a secure connection");
  suda_test_client_send (bob, "WHOIS bob");
  suda_test_client_expect_nothing_before_sync (bob, "* 671 *");
  g_assert_true (_suda_session_is_secure (suda_server_find_session (server, "alice")));
  g_assert_null (_suda_session_get_certfp (suda_server_find_session (server, "alice")));
  g_assert_cmpuint (count_entries (entries, "connect", NULL), ==, 2);
  g_assert_cmpuint (count_entries (entries, "error", NULL), ==, 0);

  g_signal_handlers_disconnect_by_data (server, entries);
  certs_clear (&certs);
}

static gboolean
client_closed (gpointer data)
{
  SudaTestClient *client = data;
  g_autofree char *line = suda_test_client_read_line (client, 10);

  return suda_test_client_wait_closed (client, 0);
}

/* Connected, never a ClientHello: the registration deadline drops it, and
 * until then it holds a slot like any unregistered connection. */
static void
test_stalled_handshake (void)
{
  Certs certs = { 0 };
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) staller = NULL;
  g_autoptr(TlsClient) after = NULL;
  gint64 start;

  certs_make (&certs, "server");
  /* Long enough for a handshake under a sanitizer on a busy machine. */
  config->registration_timeout_ms = 2000;
  server = tls_server_new (config, &certs);

  start = g_get_monotonic_time ();
  staller = suda_test_client_connect (suda_server_get_tls_port (server));
  /* The loop never waits on it: another shakes hands and registers meanwhile. */
  after = tls_client_register (suda_server_get_tls_port (server), "after", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (suda_server_get_sessions (server)), ==, 2);
  g_assert_true (suda_test_wait_until (client_closed, staller, 10000));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2000 * 1000);
  g_assert_cmpuint (g_list_model_get_n_items (suda_server_get_sessions (server)), ==, 1);
  tls_client_send (after, "PING :still");
  tls_client_await (after, "* PONG *still");
  certs_clear (&certs);
}

/* Clear text to the TLS port: one error entry, no connect or disconnect,
 * and the server goes on. */
static void
test_garbage_handshake (void)
{
  Certs certs = { 0 };
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TlsClient) after = NULL;

  certs_make (&certs, "server");
  server = tls_server_new (config, &certs);
  g_signal_connect (server, "log-entry", G_CALLBACK (collect_entry), entries);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(SudaTestClient) garbage = suda_test_client_connect (suda_server_get_tls_port (server));

      suda_test_client_send (garbage, "NICK mallory");
      suda_test_client_send (garbage, "USER mallory 0 * :not TLS at all");
      g_assert_true (suda_test_wait_until (client_closed, garbage, 5000));
    }
  after = tls_client_register (suda_server_get_tls_port (server), "after", NULL);

  /* The first failure from an address at once, the rest summed up later. */
  g_assert_cmpuint (count_entries (entries, "error", "TLS handshake with 127.0.0.1 failed: *"), ==, 1);
  g_assert_cmpuint (count_entries (entries, "error", NULL), ==, 1);
  g_assert_cmpuint (count_entries (entries, "connect", NULL), ==, 1);
  g_assert_cmpuint (count_entries (entries, "disconnect", NULL), ==, 0);
  suda_server_stop (server, NULL);
  g_assert_cmpuint (count_entries (entries, "error", "2 more TLS handshakes from 127.0.0.1 failed *"), ==, 1);
  while (suda_server_get_running (server))
    g_main_context_iteration (NULL, TRUE);

  g_signal_handlers_disconnect_by_data (server, entries);
  certs_clear (&certs);
}

/* A server full refuses on the clear port in words, and on the TLS port
 * by closing: clear text would be garbage to a TLS client.  Both are
 * logged. */
static void
test_refused_on_tls_port_in_silence (void)
{
  Certs certs = { 0 };
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TlsClient) first = NULL;
  g_autoptr(SudaTestClient) clear = NULL;
  g_autoptr(SudaTestClient) tls = NULL;
  g_autofree char *told = NULL;
  g_autofree char *heard = NULL;

  certs_make (&certs, "server");
  config->max_clients = 1;
  server = tls_server_new (config, &certs);
  g_signal_connect (server, "log-entry", G_CALLBACK (collect_entry), entries);
  first = tls_client_register (suda_server_get_tls_port (server), "first", NULL);

  clear = suda_test_client_connect (suda_server_get_port (server));
  told = suda_test_client_read_line (clear, 5000);
  g_assert_cmpstr (told, ==, "ERROR :Server is full (1 clients)");
  tls = suda_test_client_connect (suda_server_get_tls_port (server));
  heard = suda_test_client_read_line (tls, 5000);
  g_assert_null (heard);
  g_assert_true (suda_test_client_wait_closed (tls, 5000));
  g_assert_cmpuint (count_entries (entries, "error", "server full: connection from 127.0.0.1 refused"), ==, 1);

  tls_client_send (first, "PING :still");
  tls_client_await (first, "* PONG *still");
  g_signal_handlers_disconnect_by_data (server, entries);
  certs_clear (&certs);
}

static gboolean
has_error_entry (gpointer data)
{
  return count_entries (data, "error", NULL) > 0;
}

/* openssl s_client offering exactly one protocol version; its output. */
static gboolean
openssl_connects (guint16      port,
                  const char  *version_flag,
                  char       **output)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* SECLEVEL=0: this client would refuse TLS 1.1 itself otherwise. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              "openssl", "s_client", "-connect", address, version_flag,
                              "-cipher", "DEFAULT@SECLEVEL=0", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, "", NULL, suda_test_async_store, &result);
  g_subprocess_communicate_utf8_finish (process, suda_test_async_wait (&result), &out, &err, &error);
  g_assert_no_error (error);
  *output = g_strconcat (out, err, NULL);
  return g_subprocess_get_successful (process);
}

/* Whatever GnuTLS's system priority allows (this test runs without
 * G_TLS_GNUTLS_PRIORITY), a TLS 1.1 peer gets no further than its
 * handshake: an error entry, never a connect. */
static void
test_tls_1_1_refused (void)
{
  Certs certs = { 0 };
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *output12 = NULL;
  g_autofree char *output11 = NULL;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  g_assert_null (g_getenv ("G_TLS_GNUTLS_PRIORITY"));
  certs_make (&certs, "server");
  server = tls_server_new (config, &certs);
  g_signal_connect (server, "log-entry", G_CALLBACK (collect_entry), entries);

  /* The same client, the same options: TLS 1.2 is taken... */
  g_assert_true (openssl_connects (suda_server_get_tls_port (server), "-tls1_2", &output12));
  g_assert_nonnull (strstr (output12, "Protocol  : TLSv1.2"));
  suda_test_iterate (100);
  g_assert_cmpuint (count_entries (entries, "connect", NULL), ==, 1);
  g_assert_cmpuint (count_entries (entries, "error", NULL), ==, 0);

  /* ... 1.1 is not, whether GnuTLS refuses it or the server drops it. */
  openssl_connects (suda_server_get_tls_port (server), "-tls1_1", &output11);
  g_assert_null (strstr (output11, "no protocols available"));
  g_assert_true (suda_test_wait_until (has_error_entry, entries, 5000));
  g_assert_cmpuint (count_entries (entries, "error", "TLS handshake with 127.0.0.1 failed: *"), ==, 1);
  g_assert_cmpuint (count_entries (entries, "connect", NULL), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (suda_server_get_sessions (server)), ==, 0);

  g_signal_handlers_disconnect_by_data (server, entries);
  certs_clear (&certs);
}

static void
test_plain_off (void)
{
  Certs certs = { 0 };
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(TlsClient) alice = NULL;
  g_autoptr(SudaTestClient) clear = NULL;
  g_autofree char *tls_address = NULL;

  certs_make (&certs, "server");
  config->plain = FALSE;
  server = tls_server_new (config, &certs);

  g_assert_cmpuint (suda_server_get_port (server), ==, 0);
  g_assert_null (suda_server_dup_address (server));
  tls_address = suda_server_dup_tls_address (server);
  g_assert_true (g_str_has_prefix (tls_address, "127.0.0.1:"));
  /* Clear text reaches no IRC: the one port left wants a handshake. */
  clear = suda_test_client_connect (suda_server_get_tls_port (server));
  suda_test_client_send (clear, "NICK bob");
  suda_test_client_send (clear, "USER bob 0 * :bob");
  g_assert_true (suda_test_wait_until (client_closed, clear, 5000));
  g_assert_null (suda_test_client_read_line (clear, 0));
  /* CAP LS on the TLS port: no port= to upgrade to, only how long. */
  alice = tls_client_connect (suda_server_get_tls_port (server), NULL);
  tls_client_send (alice, "CAP LS 302");
  tls_client_await (alice, ":suda.local CAP * LS :* sts=duration=2592000");
  certs_clear (&certs);
}

/* No certificate given: one is made in the state folder on first start,
 * kept private, logged, and the same one is used at the next start. */
static void
test_self_signed (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaServer) again = NULL;
  g_autoptr(TlsClient) alice = NULL;
  g_autofree char *state = suda_test_make_tmpdir ();
  g_autofree char *cert_path = g_build_filename (state, "tls", "tls-certificate.pem", NULL);
  g_autofree char *key_path = g_build_filename (state, "tls", "tls-key.pem", NULL);
  g_autofree char *fingerprint = NULL;
  GStatBuf st;

  /* A state folder not made yet. */
  config->state_dir = g_build_filename (state, "tls", NULL);
  server = tls_server_new (config, NULL);
  g_assert_true (suda_server_get_tls_self_signed (server));
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  fingerprint = fingerprint_of_file (cert_path, key_path);
  g_assert_cmpstr (suda_server_get_tls_fingerprint (server), ==, fingerprint);
  alice = tls_client_connect (suda_server_get_tls_port (server), NULL);
  g_assert_cmpstr (alice->server_fingerprint, ==, fingerprint);

  suda_server_stop (server, NULL);
  while (suda_server_get_running (server))
    g_main_context_iteration (NULL, TRUE);

  again = tls_server_new (config, NULL);
  g_assert_cmpstr (suda_server_get_tls_fingerprint (again), ==, fingerprint);
}

static void
test_self_signed_logged (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *pretty = NULL;
  g_autofree char *pattern = NULL;

  config->listen_address = g_strdup ("127.0.0.1");
  config->port = 0;
  config->state_dir = g_strdup (dir);
  config->log_path = g_build_filename (dir, "server.jsonl", NULL);
  server = suda_server_new (config);
  _suda_server_set_tls_any_port (server);
  g_signal_connect (server, "log-entry", G_CALLBACK (collect_entry), entries);
  suda_server_start (server, &error);
  g_assert_no_error (error);

  /* The way people compare them: "AB:CD:…". */
  pretty = suda_certificate_format_fingerprint (suda_server_get_tls_fingerprint (server));
  pattern = g_strdup_printf ("TLS on 127.0.0.1:%u, certificate SHA-256 fingerprint %s (self-signed)",
                             suda_server_get_tls_port (server), pretty);
  g_assert_cmpuint (count_entries (entries, "info", pattern), ==, 1);
  g_signal_handlers_disconnect_by_data (server, entries);
}

static void
write_config (const char  *path,
              const Certs *certs)
{
  g_autofree char *text = g_strdup_printf ("[tls]\ncertificate=%s\nkey=%s\n",
                                           certs->certificate, certs->key);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
count_notify (guint *count)
{
  (*count)++;
}

/* REHASH reads the files again: new handshakes get the new certificate,
 * those made keep chatting; a file that does not load changes nothing. */
static void
test_rehash_swaps_certificate (void)
{
  Certs certs = { 0 };
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(TlsClient) old = NULL;
  g_autoptr(TlsClient) fresh = NULL;
  g_autoptr(TlsClient) third = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  guint notified = 0;

  certs_make (&certs, "server");
  config_path = g_build_filename (certs.dir, "suda.conf", NULL);
  write_config (config_path, &certs);
  server = tls_server_new (config, &certs);
  suda_server_set_config_file (server, config_path, NULL);
  g_signal_connect (server, "log-entry", G_CALLBACK (collect_entry), entries);
  first = g_strdup (suda_server_get_tls_fingerprint (server));
  old = tls_client_register (suda_server_get_tls_port (server), "old", NULL);
  tls_client_send (old, "JOIN #lobby");
  tls_client_await (old, ":suda.local 366 old #lobby *");

  /* Renewed in place, as Let's Encrypt does. */
  certs_make (&certs, "server");
  second = fingerprint_of_file (certs.certificate, certs.key);
  g_assert_cmpstr (first, !=, second);
  g_signal_connect_swapped (server, "notify::tls-fingerprint", G_CALLBACK (count_notify), &notified);
  g_assert_true (suda_server_rehash (server, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (suda_server_get_tls_fingerprint (server), ==, second);

  fresh = tls_client_register (suda_server_get_tls_port (server), "fresh", NULL);
  g_assert_cmpstr (fresh->server_fingerprint, ==, second);
  g_assert_cmpstr (old->server_fingerprint, ==, first);
  tls_client_send (fresh, "JOIN #lobby");
  tls_client_await (old, ":fresh!*@127.0.0.1 JOIN #lobby");
  tls_client_send (old, "PRIVMSG #lobby :still on the old certificate");
  tls_client_await (fresh, ":old!*@127.0.0.1 PRIVMSG #lobby :still on the old certificate");

  /* A broken file: an error entry, the certificate in use stays. */
  g_file_set_contents (certs.certificate, "not a certificate\n", -1, &error);
  g_assert_no_error (error);
  g_assert_true (suda_server_rehash (server, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (suda_server_get_tls_fingerprint (server), ==, second);
  g_assert_cmpuint (count_entries (entries, "error", "*the certificate in use stays*"), ==, 1);
  third = tls_client_connect (suda_server_get_tls_port (server), NULL);
  g_assert_cmpstr (third->server_fingerprint, ==, second);

  g_signal_handlers_disconnect_by_data (server, entries);
  g_signal_handlers_disconnect_by_data (server, &notified);
  certs_clear (&certs);
}

/* sts on the clear port says where TLS is; CAP REQ cannot take it. */
static void
test_sts_values (void)
{
  Certs certs = { 0 };
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaServer) plain_only = NULL;
  g_autoptr(SudaTestClient) clear = NULL;
  g_autoptr(SudaTestClient) untold = NULL;
  g_autoptr(TlsClient) secure = NULL;
  g_autofree char *on_clear = NULL;

  certs_make (&certs, "server");
  config->sts_duration_s = 86400;
  server = tls_server_new (config, &certs);

  clear = suda_test_client_connect (suda_server_get_port (server));
  suda_test_client_send (clear, "CAP LS 302");
  on_clear = g_strdup_printf (":suda.local CAP * LS :* sts=port=%u,duration=86400",
                              suda_server_get_tls_port (server));
  suda_test_client_await (clear, on_clear);
  suda_test_client_send (clear, "CAP REQ :sts");
  suda_test_client_await (clear, ":suda.local CAP * NAK :sts");

  secure = tls_client_connect (suda_server_get_tls_port (server), NULL);
  tls_client_send (secure, "CAP LS");
  tls_client_await (secure, ":suda.local CAP * LS :* sts=duration=86400");

  /* Without TLS there is no policy to advertise. */
  plain_only = suda_test_server_new_unthrottled (NULL);
  untold = suda_test_client_connect (suda_server_get_port (plain_only));
  suda_test_client_send (untold, "CAP LS 302");
  suda_test_client_expect_nothing_before_sync (untold, "*sts=*");
  certs_clear (&certs);
}

/* A client certificate's fingerprint: WHOIS 276 for its holder and
 * operators, and the session keeps it for SASL EXTERNAL. */
static void
test_client_certificate_fingerprint (void)
{
  Certs certs = { 0 };
  Certs mine = { 0 };
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GTlsCertificate) client_cert = NULL;
  g_autoptr(TlsClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *line = NULL;

  certs_make (&certs, "server");
  certs_make (&mine, "client");
  client_cert = g_tls_certificate_new_from_files (mine.certificate, mine.key, &error);
  g_assert_no_error (error);
  fingerprint = suda_certificate_fingerprint (client_cert);
  server = tls_server_new (config, &certs);

  alice = tls_client_register (suda_server_get_tls_port (server), "alice", client_cert);
  g_assert_cmpstr (_suda_session_get_certfp (suda_server_find_session (server, "alice")), ==, fingerprint);
  tls_client_send (alice, "WHOIS alice");
  line = g_strdup_printf (":suda.local 276 alice alice :has client certificate fingerprint %s", fingerprint);
  tls_client_await (alice, line);

  /* Someone else sees no fingerprint. */
  bob = suda_test_client_register (suda_server_get_port (server), "bob", NULL);
  suda_test_client_send (bob, "WHOIS alice");
  suda_test_client_await (bob, ":suda.local 311 bob alice *");
  suda_test_client_expect_nothing_before_sync (bob, "* 276 *");
  certs_clear (&certs);
  certs_clear (&mine);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/tls/chat-with-plain-client", test_chat_with_plain_client);
  g_test_add_func ("/server/tls/refused-on-tls-port-in-silence", test_refused_on_tls_port_in_silence);
  g_test_add_func ("/server/tls/stalled-handshake-dropped-at-deadline", test_stalled_handshake);
  g_test_add_func ("/server/tls/garbage-handshake-logged-once", test_garbage_handshake);
  g_test_add_func ("/server/tls/tls-1-1-refused", test_tls_1_1_refused);
  g_test_add_func ("/server/tls/plain-off-refuses-clear-text", test_plain_off);
  g_test_add_func ("/server/tls/self-signed-made-and-kept", test_self_signed);
  g_test_add_func ("/server/tls/self-signed-fingerprint-logged", test_self_signed_logged);
  g_test_add_func ("/server/tls/rehash-swaps-certificate", test_rehash_swaps_certificate);
  g_test_add_func ("/server/tls/sts-values", test_sts_values);
  g_test_add_func ("/server/tls/client-certificate-in-whois", test_client_certificate_fingerprint);
  return g_test_run ();
}
