/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection over TLS against a scripted server with a self-signed
 * certificate made here: trust on first use, a changed certificate
 * refused, STS, SASL PLAIN and REGISTER. */
#include "config.h"

#include <string.h>

#include "suda-certificate.h"
#include "suda-connection-private.h"
#include "suda-test-fake-irc.h"
#include "suda-test-util.h"
#include "suda-tls-self-signed.h"

typedef struct {
  char            *dir;
  GTlsCertificate *certificate;
  GTlsCertificate *other;
  SudaTrustStore  *store;
  SudaConnection  *connection;
  GError          *error;
  SudaTestFakeIrc *fake;
} Fixture;

static GTlsCertificate *
make_certificate (const char *dir,
                  const char *name)
{
  g_autofree char *cert = g_strdup_printf ("%s/%s.crt", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  g_assert_true (suda_tls_create_self_signed (cert, key, "localhost", &error));
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  return certificate;
}

static void
on_error (SudaConnection *connection,
          const GError   *error,
          Fixture        *f)
{
  g_test_message ("error: %s", error->message);
  g_clear_error (&f->error);
  f->error = g_error_copy (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;

  f->dir = suda_test_make_tmpdir ();
  f->certificate = make_certificate (f->dir, "server");
  f->other = make_certificate (f->dir, "impostor");
  path = g_build_filename (f->dir, "trust.ini", NULL);
  f->store = suda_trust_store_new (path);
  f->connection = suda_connection_new ();
  suda_connection_set_trust_store (f->connection, f->store);
  suda_connection_set_nick (f->connection, "alice");
  suda_connection_set_tls (f->connection, TRUE);
  suda_connection_set_connect_timeout (f->connection, 5000);
  g_signal_connect (f->connection, "error", G_CALLBACK (on_error), f);
  f->fake = suda_test_fake_irc_new_tls (f->certificate);
  suda_connection_set_server (f->connection, "127.0.0.1", f->fake->port);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (f->connection, f);
  suda_connection_disconnect (f->connection, NULL);
  g_clear_object (&f->connection);
  g_clear_pointer (&f->fake, suda_test_fake_irc_free);
  g_clear_object (&f->store);
  g_clear_object (&f->certificate);
  g_clear_object (&f->other);
  g_clear_error (&f->error);
  g_free (f->dir);
}

static gboolean
has_error (gpointer data)
{
  return ((Fixture *) data)->error != NULL;
}

static void
wait_error (Fixture *f,
            GQuark   domain,
            int      code)
{
  g_clear_error (&f->error);
  g_assert_true (suda_test_wait_until (has_error, f, 10000));
  g_assert_error (f->error, domain, code);
}

static gboolean
is_connected (gpointer data)
{
  return suda_connection_is_connected (data);
}

static void
pin (Fixture         *f,
     GTlsCertificate *certificate,
     guint16          port)
{
  g_autofree char *fingerprint = suda_certificate_fingerprint (certificate);
  g_autoptr(GError) error = NULL;

  g_assert_true (suda_trust_store_pin (f->store, "127.0.0.1", port, fingerprint, &error));
  g_assert_no_error (error);
}

static void
test_unknown_then_trusted (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *expected = suda_certificate_fingerprint (f->certificate);
  g_autofree char *seen = NULL;
  g_autoptr(GError) error = NULL;

  /* Nobody vouches for a self-signed certificate: the attempt stops and
   * shows what it stopped at. */
  suda_connection_connect (f->connection);
  wait_error (f, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_CERTIFICATE_UNKNOWN);
  g_assert_cmpint (suda_connection_get_state (f->connection), ==, SUDA_CONNECTION_DISCONNECTED);
  g_assert_cmpuint (f->fake->n_accepted, ==, 0);
  g_assert_nonnull (suda_connection_get_rejected_certificate (f->connection));
  seen = suda_certificate_fingerprint (suda_connection_get_rejected_certificate (f->connection));
  g_assert_cmpstr (seen, ==, expected);

  /* Trusted: pinned for this host and port, and the next attempt goes in. */
  g_assert_true (suda_connection_trust_rejected_certificate (f->connection, &error));
  g_assert_no_error (error);
  g_assert_cmpint (suda_trust_store_check (f->store, "127.0.0.1", f->fake->port, expected), ==, SUDA_TRUST_PINNED);
  suda_connection_connect (f->connection);
  suda_test_fake_irc_register (f->fake, "alice");
  g_assert_true (suda_test_wait_until (is_connected, f->connection, 5000));
  g_assert_true (suda_connection_get_certificate (f->connection) != NULL);
  g_assert_true (g_tls_certificate_is_same (suda_connection_get_certificate (f->connection), f->certificate));

  /* Text flows both ways through TLS. */
  suda_connection_send_message (f->connection, "#lobby", "안녕 over TLS");
  suda_test_fake_irc_expect (f->fake, "PRIVMSG #lobby :안녕 over TLS");
  suda_test_fake_irc_sync (f->fake);
}

static void
test_changed_refused (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *pinned = suda_certificate_fingerprint (f->other);

  /* The person trusted another certificate for this server before. */
  pin (f, f->other, f->fake->port);
  suda_connection_connect (f->connection);
  wait_error (f, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_CERTIFICATE_CHANGED);
  g_assert_nonnull (strstr (f->error->message, "not the one you trusted"));
  g_assert_cmpint (suda_connection_get_state (f->connection), ==, SUDA_CONNECTION_DISCONNECTED);
  g_assert_cmpuint (f->fake->n_accepted, ==, 0);
  g_assert_null (suda_connection_get_certificate (f->connection));
  /* The pin stays until the person replaces it on purpose. */
  g_assert_cmpint (suda_trust_store_check (f->store, "127.0.0.1", f->fake->port, pinned), ==, SUDA_TRUST_PINNED);
}

static void
test_pinned_accepted (Fixture       *f,
                      gconstpointer  data)
{
  pin (f, f->certificate, f->fake->port);
  suda_connection_connect (f->connection);
  suda_test_fake_irc_register (f->fake, "alice");
  g_assert_true (suda_test_wait_until (is_connected, f->connection, 5000));
  g_assert_null (f->error);
}

static void
test_sts_upgrade (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SudaTestFakeIrc) clear = suda_test_fake_irc_new ();
  g_autofree char *offer = g_strdup_printf (":fake.local CAP * LS :sts=port=%u,duration=300 server-time\r\n",
                                            f->fake->port);

  pin (f, f->certificate, f->fake->port);
  suda_connection_set_tls (f->connection, FALSE);
  suda_connection_set_server (f->connection, "127.0.0.1", clear->port);
  suda_connection_connect (f->connection);
  suda_test_fake_irc_accept (clear, 1);
  suda_test_fake_irc_expect (clear, "CAP LS 302");
  suda_test_fake_irc_send (clear, offer);

  /* At once to the TLS port, whose policy (read over TLS) is then kept. */
  suda_test_fake_irc_accept (f->fake, 1);
  g_assert_true (suda_connection_get_tls (f->connection));
  g_assert_cmpuint (suda_connection_get_port (f->connection), ==, f->fake->port);
  suda_test_fake_irc_expect (f->fake, "CAP LS 302");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP * LS :sts=duration=3600 server-time\r\n");
  suda_test_fake_irc_expect (f->fake, "CAP REQ *server-time");
  g_assert_cmpuint (suda_trust_store_lookup_sts (f->store, "127.0.0.1", g_get_real_time () / G_USEC_PER_SEC),
                    ==, f->fake->port);
  suda_test_fake_irc_send (f->fake, ":fake.local CAP alice ACK :server-time\r\n:fake.local 001 alice :Welcome\r\n");
  g_assert_true (suda_test_wait_until (is_connected, f->connection, 5000));
  g_assert_cmpuint (clear->n_accepted, ==, 1);

  /* Later connections to that host go to TLS before saying anything. */
  suda_connection_disconnect (f->connection, NULL);
  suda_connection_set_tls (f->connection, FALSE);
  suda_connection_set_server (f->connection, "127.0.0.1", clear->port);
  suda_connection_connect (f->connection);
  suda_test_fake_irc_accept (f->fake, 2);
  g_assert_true (suda_connection_get_tls (f->connection));
  g_assert_cmpuint (clear->n_accepted, ==, 1);
}

/* Registration up to the server's "AUTHENTICATE +", over TLS. */
static void
start_sasl (Fixture *f)
{
  pin (f, f->certificate, f->fake->port);
  suda_connection_set_account (f->connection, "alice", "s3cret");
  suda_connection_connect (f->connection);
  suda_test_fake_irc_accept (f->fake, 1);
  suda_test_fake_irc_expect (f->fake, "CAP LS 302");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP * LS :sasl=PLAIN draft/account-registration\r\n");
  suda_test_fake_irc_expect (f->fake, "CAP REQ :draft/account-registration sasl");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP alice ACK :draft/account-registration sasl\r\n");
  suda_test_fake_irc_expect (f->fake, "AUTHENTICATE PLAIN");
  g_assert_null (strstr (f->fake->received->str, "CAP END"));
  suda_test_fake_irc_send (f->fake, "AUTHENTICATE +\r\n");
}

static void
test_sasl_success (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *payload = g_base64_encode ((const guchar *) "alice\0alice\0s3cret", 18);
  g_autofree char *line = g_strdup_printf ("AUTHENTICATE %s", payload);

  start_sasl (f);
  suda_test_fake_irc_expect (f->fake, line);
  suda_test_fake_irc_send (f->fake, ":fake.local 900 alice alice!a@h alice :You are now logged in as alice\r\n"
                                    ":fake.local 903 alice :SASL authentication successful\r\n");
  suda_test_fake_irc_expect (f->fake, "CAP END");
  suda_test_fake_irc_send (f->fake, ":fake.local 001 alice :Welcome\r\n");
  g_assert_true (suda_test_wait_until (is_connected, f->connection, 5000));
  g_assert_null (f->error);
}

static void
test_sasl_failure (Fixture       *f,
                   gconstpointer  data)
{
  start_sasl (f);
  suda_test_fake_irc_expect (f->fake, "AUTHENTICATE *");
  suda_test_fake_irc_send (f->fake, ":fake.local 904 alice :SASL authentication failed\r\n");
  wait_error (f, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_LOGIN);
  g_assert_nonnull (strstr (f->error->message, "alice"));
  /* Registration goes on without the account. */
  suda_test_fake_irc_expect (f->fake, "CAP END");
  suda_test_fake_irc_send (f->fake, ":fake.local 001 alice :Welcome\r\n");
  g_assert_true (suda_test_wait_until (is_connected, f->connection, 5000));
}

static void
test_sasl_not_in_clear (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SudaTestFakeIrc) clear = suda_test_fake_irc_new ();

  suda_connection_set_tls (f->connection, FALSE);
  suda_connection_set_server (f->connection, "127.0.0.1", clear->port);
  suda_connection_set_account (f->connection, "alice", "s3cret");
  suda_connection_connect (f->connection);
  suda_test_fake_irc_accept (clear, 1);
  suda_test_fake_irc_expect (clear, "CAP LS 302");
  suda_test_fake_irc_send (clear, ":fake.local CAP * LS :sasl server-time\r\n");
  wait_error (f, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_INSECURE);
  suda_test_fake_irc_expect (clear, "CAP REQ *server-time");
  suda_test_fake_irc_send (clear, ":fake.local CAP alice ACK :server-time\r\n");
  suda_test_fake_irc_expect (clear, "CAP END");
  suda_test_fake_irc_sync (clear);
  g_assert_null (strstr (clear->received->str, "AUTHENTICATE"));
  g_assert_null (strstr (clear->received->str, "s3cret"));
}

static void
test_sasl_not_offered (Fixture       *f,
                       gconstpointer  data)
{
  pin (f, f->certificate, f->fake->port);
  suda_connection_set_account (f->connection, "alice", "s3cret");
  suda_connection_connect (f->connection);
  suda_test_fake_irc_accept (f->fake, 1);
  suda_test_fake_irc_expect (f->fake, "CAP LS 302");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP * LS :server-time\r\n");
  wait_error (f, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_LOGIN);
  g_assert_nonnull (strstr (f->error->message, "no accounts"));
  suda_test_fake_irc_expect (f->fake, "CAP REQ *server-time");
  g_assert_null (strstr (f->fake->received->str, "AUTHENTICATE"));
}

static void
test_register_then_login (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  pin (f, f->certificate, f->fake->port);
  suda_connection_connect (f->connection);
  suda_test_fake_irc_accept (f->fake, 1);
  suda_test_fake_irc_expect (f->fake, "CAP LS 302");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP * LS :draft/account-registration\r\n");
  suda_test_fake_irc_expect (f->fake, "CAP REQ *draft/account-registration");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP alice ACK :draft/account-registration\r\n"
                                    ":fake.local 001 alice :Welcome\r\n");
  g_assert_true (suda_test_wait_until (is_connected, f->connection, 5000));

  g_assert_true (suda_connection_register_account (f->connection, "n3w", &error));
  g_assert_no_error (error);
  suda_test_fake_irc_expect (f->fake, "REGISTER alice * n3w");
  suda_test_fake_irc_send (f->fake, ":fake.local FAIL REGISTER ACCOUNT_EXISTS alice :Account already exists\r\n");
  wait_error (f, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_REGISTER);
  g_assert_nonnull (strstr (f->error->message, "Account already exists"));
  g_assert_null (suda_connection_get_account (f->connection));

  g_assert_true (suda_connection_register_account (f->connection, "n3w", &error));
  suda_test_fake_irc_send (f->fake, ":fake.local REGISTER SUCCESS alice :Account created\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpstr (suda_connection_get_account (f->connection), ==, "alice");
}

static void
test_register_refused_in_clear (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(SudaTestFakeIrc) clear = suda_test_fake_irc_new ();
  g_autoptr(GError) error = NULL;

  suda_connection_set_tls (f->connection, FALSE);
  suda_connection_set_server (f->connection, "127.0.0.1", clear->port);
  suda_connection_connect (f->connection);
  suda_test_fake_irc_accept (clear, 1);
  suda_test_fake_irc_expect (clear, "CAP LS 302");
  suda_test_fake_irc_send (clear, ":fake.local CAP * LS :draft/account-registration\r\n");
  suda_test_fake_irc_send (clear, ":fake.local CAP alice ACK :draft/account-registration\r\n"
                                  ":fake.local 001 alice :Welcome\r\n");
  g_assert_true (suda_test_wait_until (is_connected, f->connection, 5000));
  g_assert_false (suda_connection_register_account (f->connection, "n3w", &error));
  g_assert_error (error, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_INSECURE);
  suda_test_fake_irc_sync (clear);
  g_assert_null (strstr (clear->received->str, "n3w"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/client/tls/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("unknown-certificate-then-trusted", test_unknown_then_trusted);
  ADD ("changed-certificate-refused", test_changed_refused);
  ADD ("pinned-certificate-accepted", test_pinned_accepted);
  ADD ("sts-upgrade", test_sts_upgrade);
  ADD ("sasl-plain-success", test_sasl_success);
  ADD ("sasl-plain-failure", test_sasl_failure);
  ADD ("sasl-not-sent-in-clear", test_sasl_not_in_clear);
  ADD ("sasl-not-offered", test_sasl_not_offered);
  ADD ("register-then-login", test_register_then_login);
  ADD ("register-refused-in-clear", test_register_refused_in_clear);
#undef ADD
  return g_test_run ();
}
