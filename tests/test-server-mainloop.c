/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Nothing slow runs on the main loop: stopping with clients that read
 * nothing, loading a long history at start. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#include "suda-server-private.h"
#include "suda-test-util.h"

#define N_STUCK 3

static gboolean
is_stopped (gpointer data)
{
  return !suda_server_get_running (data);
}

/* Small kernel buffers on both ends of NICK's connection, so little
 * output fills them. */
static void
shrink_buffers (SudaServer     *server,
                SudaTestClient *client,
                const char     *nick)
{
  SudaSession *session = suda_server_find_session (server, nick);

  g_assert_nonnull (session);
  g_socket_set_option (suda_test_client_get_socket (client), SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  g_socket_set_option (_suda_session_get_socket (session), SOL_SOCKET, SO_SNDBUF, 4096, NULL);
}

/* TRUE once every registered session but WATCHER has output the kernel
 * would not take. */
static gboolean
all_stuck (SudaServer *server,
           const char *watcher)
{
  GListModel *sessions = suda_server_get_sessions (server);
  guint n = g_list_model_get_n_items (sessions);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaSession) session = g_list_model_get_item (sessions, i);

      if (g_strcmp0 (suda_session_get_nick (session), watcher) != 0 &&
          _suda_session_get_unsent (session) < 16 * 1024)
        return FALSE;
    }
  return TRUE;
}

/* Stop returns at once with N_STUCK clients that read nothing; the one who
 * reads is told, and "running" turns FALSE later, when the stop is done. */
static void
test_stop_returns_at_once (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) watcher = NULL;
  SudaTestClient *stuck[N_STUCK];
  g_autofree char *text = g_strnfill (400, 'x');
  guint16 port;
  guint rounds = 0;

  config->sendq_bytes = 64 * 1024 * 1024;
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  for (guint i = 0; i < N_STUCK; i++)
    {
      g_autofree char *nick = g_strdup_printf ("stuck%u", i);

      stuck[i] = suda_test_client_register_joined (port, nick, NULL, "#lobby");
      shrink_buffers (server, stuck[i], nick);
    }
  watcher = suda_test_client_register_joined (port, "watcher", NULL, "#lobby");

  /* The stuck ones' kernel buffers fill, then their sendqs grow. */
  while (!all_stuck (server, "watcher"))
    {
      g_assert_cmpuint (++rounds, <, 5000);
      for (guint i = 0; i < 50; i++)
        suda_test_client_send (watcher, "PRIVMSG #lobby :%u %s", i, text);
      g_ptr_array_unref (suda_test_client_sync (watcher));
    }

  suda_server_stop (server, "closing time");
  /* Returned with the last words still queued: not done, port still held. */
  g_assert_true (suda_server_get_running (server));
  suda_test_client_await (watcher, "ERROR :*closing time*");
  g_assert_true (suda_test_client_wait_closed (watcher, 5000));

  g_assert_true (suda_test_wait_until (is_stopped, server, 10000));
  g_assert_cmpuint (suda_server_get_n_users (server), ==, 0);
  g_assert_false (suda_test_port_accepts (port));
  for (guint i = 0; i < N_STUCK; i++)
    suda_test_client_free (stuck[i]);

  /* And it starts again. */
  g_assert_true (suda_server_start (server, NULL));
  g_assert_true (suda_test_port_accepts (suda_server_get_port (server)));
}

/* A server disposed of while stopping finishes at once. */
static void
test_dispose_while_stopping (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  SudaServer *server;
  g_autoptr(SudaTestClient) watcher = NULL;
  SudaTestClient *stuck;
  g_autofree char *text = g_strnfill (400, 'x');
  guint16 port;
  guint rounds = 0;

  config->sendq_bytes = 64 * 1024 * 1024;
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  stuck = suda_test_client_register_joined (port, "stuck", NULL, "#lobby");
  shrink_buffers (server, stuck, "stuck");
  watcher = suda_test_client_register_joined (port, "watcher", NULL, "#lobby");
  while (!all_stuck (server, "watcher"))
    {
      g_assert_cmpuint (++rounds, <, 5000);
      for (guint i = 0; i < 50; i++)
        suda_test_client_send (watcher, "PRIVMSG #lobby :%u %s", i, text);
      g_ptr_array_unref (suda_test_client_sync (watcher));
    }
  suda_server_stop (server, NULL);
  g_assert_true (suda_server_get_running (server));
  g_object_unref (server);
  g_assert_false (suda_test_port_accepts (port));
  suda_test_client_free (stuck);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/mainloop/stop-returns-at-once", test_stop_returns_at_once);
  g_test_add_func ("/server/mainloop/dispose-while-stopping", test_dispose_while_stopping);
  return g_test_run ();
}
