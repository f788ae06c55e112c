/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client's accounts against Suda's own server: REGISTER, then SASL
 * PLAIN on the next connection, and a wrong password told as such.  The
 * server here speaks in clear, so the connection is allowed to send
 * passwords without TLS (what the window asks the person about). */
#include "config.h"

#include <string.h>

#include "suda-connection.h"
#include "suda-test-util.h"

typedef struct {
  SudaServer     *server;
  SudaConnection *connection;
  GError         *error;
  gboolean        logged_in;    /* 900 seen */
} Fixture;

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
on_event (SudaConnection *connection,
          SudaIrcEvent   *event,
          Fixture        *f)
{
  if (g_strcmp0 (event->command, "900") == 0)
    f->logged_in = TRUE;
}

static SudaConnection *
new_connection (Fixture    *f,
                const char *nick)
{
  SudaConnection *connection = suda_connection_new ();

  suda_connection_set_server (connection, "127.0.0.1", suda_server_get_port (f->server));
  suda_connection_set_nick (connection, nick);
  suda_connection_set_allow_cleartext (connection, TRUE);
  g_signal_connect (connection, "error", G_CALLBACK (on_error), f);
  g_signal_connect (connection, "event", G_CALLBACK (on_event), f);
  return connection;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  f->server = suda_test_server_new_unthrottled (config);
  g_assert_nonnull (suda_server_get_accounts (f->server));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->connection, f);
      suda_connection_disconnect (f->connection, NULL);
    }
  g_clear_object (&f->connection);
  g_clear_object (&f->server);
  g_clear_error (&f->error);
}

static gboolean
is_connected (gpointer data)
{
  return suda_connection_is_connected (data);
}

static gboolean
has_account (gpointer data)
{
  return suda_connection_get_account (data) != NULL;
}

static gboolean
logged_in_or_failed (gpointer data)
{
  Fixture *f = data;

  return f->logged_in || f->error != NULL;
}

static void
reconnect_as (Fixture    *f,
              const char *account,
              const char *password)
{
  g_signal_handlers_disconnect_by_data (f->connection, f);
  suda_connection_disconnect (f->connection, NULL);
  g_clear_object (&f->connection);
  g_clear_error (&f->error);
  f->logged_in = FALSE;
  f->connection = new_connection (f, account);
  suda_connection_set_account (f->connection, account, password);
  suda_connection_connect (f->connection);
}

static void
test_register_then_sasl (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->connection = new_connection (f, "mina");
  suda_connection_connect (f->connection);
  g_assert_true (suda_test_wait_until (is_connected, f->connection, 5000));
  g_assert_true (suda_connection_has_cap (f->connection, "draft/account-registration"));

  g_assert_true (suda_connection_register_account (f->connection, "correct horse 42", &error));
  g_assert_no_error (error);
  /* Hashing runs off the server's main loop: give it time. */
  g_assert_true (suda_test_wait_until (has_account, f->connection, 30000));
  g_assert_cmpstr (suda_connection_get_account (f->connection), ==, "mina");
  g_assert_null (f->error);

  /* The next connection logs in during registration. */
  reconnect_as (f, "mina", "correct horse 42");
  g_assert_true (suda_test_wait_until (logged_in_or_failed, f, 30000));
  g_assert_null (f->error);
  g_assert_true (suda_test_wait_until (is_connected, f->connection, 5000));
  g_assert_true (suda_connection_has_cap (f->connection, "sasl"));

  /* A wrong password: told, and the connection goes on without it. */
  reconnect_as (f, "mina", "wrong horse");
  g_assert_true (suda_test_wait_until (logged_in_or_failed, f, 30000));
  g_assert_false (f->logged_in);
  g_assert_error (f->error, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_LOGIN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/client/accounts/register-then-sasl", Fixture, NULL,
              fixture_set_up, test_register_then_sasl, fixture_tear_down);
  return g_test_run ();
}
