/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <crypt.h>
#include <string.h>

#include "suda-test-util.h"

static SudaServer *
server_with_operator (char **log_path)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autofree char *salt = crypt_gensalt_ra (NULL, 0, NULL, 0);
  struct crypt_data data = { 0 };
  const char *hash = crypt_r ("letmein", salt, &data);
  SudaServer *server;

  g_assert_nonnull (hash);
  g_assert_true (suda_server_config_set_value (config, "operators", "teacher", hash, NULL));
  server = suda_test_server_new (config);
  *log_path = g_strdup (suda_server_get_log_path (server));
  return server;
}

static void
test_oper_right_and_wrong (void)
{
  g_autofree char *log_path = NULL;
  g_autoptr(SudaServer) server = server_with_operator (&log_path);
  g_autoptr(SudaTestClient) c = suda_test_client_register (suda_server_get_port (server), "kim", NULL);
  g_autofree char *log = NULL;

  suda_test_client_send (c, "OPER teacher wrong");
  suda_test_client_await (c, "* 464 kim :Password incorrect");
  suda_test_client_send (c, "OPER nobody letmein");
  suda_test_client_await (c, "* 464 kim :Password incorrect");
  suda_test_client_send (c, "OPER teacher letmein");
  suda_test_client_await (c, "* 381 kim :You are now an IRC operator");
  g_ptr_array_unref (suda_test_client_sync (c));

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "\"event\":\"error\",\"nick\":\"kim\",\"text\":\"failed OPER as teacher\""));
  g_assert_null (strstr (log, "letmein"));
}

static void
test_kill_and_kick_anywhere (void)
{
  g_autofree char *log_path = NULL;
  g_autoptr(SudaServer) server = server_with_operator (&log_path);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) owner = suda_test_client_register (port, "owner", NULL);
  g_autoptr(SudaTestClient) kim = suda_test_client_register (port, "kim", NULL);
  g_autoptr(SudaTestClient) troll = suda_test_client_register (port, "troll", NULL);

  suda_test_client_join (owner, "owner", "#room");
  suda_test_client_join (troll, "troll", "#room");
  suda_test_client_join (kim, "kim", "#room");

  /* Not yet an operator: neither channel operator nor server operator. */
  suda_test_client_send (kim, "KICK #room troll :go");
  suda_test_client_await (kim, "* 482 kim #room :*");
  suda_test_client_send (kim, "KILL troll :go");
  suda_test_client_await (kim, "* 481 kim :*");

  suda_test_client_send (kim, "OPER teacher letmein");
  suda_test_client_await (kim, "* 381 *");
  suda_test_client_send (kim, "KICK #room troll :behave");
  suda_test_client_await (owner, ":kim!* KICK #room troll :behave");

  suda_test_client_send (kim, "KILL troll :enough");
  suda_test_client_await (troll, "ERROR :*Killed (kim (enough))*");
  g_assert_true (suda_test_client_wait_closed (troll, 5000));
  suda_test_client_send (kim, "KILL nobody");
  suda_test_client_await (kim, "* 401 kim nobody :*");
}

/* A costly hash (SHA-512, two million rounds: about a second) is checked
 * off the main loop: others are served meanwhile. */
static void
test_oper_off_main_loop (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) kim = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(GPtrArray) before = NULL;
  guint16 port;

  /* Only the setting matters for a wrong password: crypt() does the work. */
  g_assert_true (suda_server_config_set_value (config, "operators", "teacher",
                                               "$6$rounds=2000000$saltsalt$notthehash", NULL));
  server = suda_test_server_new (config);
  port = suda_server_get_port (server);
  kim = suda_test_client_register (port, "kim", NULL);
  bob = suda_test_client_register (port, "bob", NULL);

  suda_test_client_send (kim, "OPER teacher wrong");
  suda_test_client_send (bob, "PING while-checking");
  suda_test_client_await (bob, "* PONG * while-checking");
  /* kim is served too, and has no answer yet. */
  before = suda_test_client_sync (kim);
  g_assert_null (suda_test_lines_find (before, "* 464 *"));
  g_free (suda_test_client_expect_within (kim, "* 464 kim :Password incorrect", 30000));
}

/* Guessing is slowed and stopped: a second OPER while one is checked is
 * refused, three failures end the connection, ten from one address stop
 * OPER from it; a name that is no operator's (a password given first) is
 * not logged. */
static void
test_oper_guessing_stopped (void)
{
  g_autofree char *log_path = NULL;
  g_autoptr(SudaServer) server = server_with_operator (&log_path);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) kim = suda_test_client_register (port, "kim", NULL);
  g_autoptr(GPtrArray) guessers = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_test_client_free);
  g_autoptr(SudaTestClient) late = NULL;
  g_autofree char *log = NULL;

  suda_test_client_send (kim, "OPER OperPassw0rd! teacher");
  suda_test_client_send (kim, "OPER teacher letmein");
  /* The second came while the first was checked: refused at once. */
  suda_test_client_await (kim, "* 464 kim :Password incorrect");
  suda_test_client_await (kim, "* 464 kim :Password incorrect");
  suda_test_client_send (kim, "OPER teacher wrong2");
  suda_test_client_await (kim, "* 464 kim :Password incorrect");
  suda_test_client_send (kim, "OPER teacher wrong3");
  suda_test_client_await (kim, "* 464 kim :Password incorrect");
  suda_test_client_await (kim, "ERROR :Closing link: 127.0.0.1 (Too many failed OPER attempts)");
  g_assert_true (suda_test_client_wait_closed (kim, 5000));

  /* Seven more failures from the address, at once, make ten. */
  for (int i = 0; i < 7; i++)
    {
      g_autofree char *nick = g_strdup_printf ("guess%d", i);
      SudaTestClient *c = suda_test_client_register (port, nick, NULL);

      suda_test_client_send (c, "OPER teacher wrong");
      g_ptr_array_add (guessers, c);
    }
  for (guint i = 0; i < guessers->len; i++)
    suda_test_client_await (guessers->pdata[i], "* 464 * :Password incorrect");
  late = suda_test_client_register (port, "late", NULL);
  suda_test_client_send (late, "OPER teacher letmein");
  suda_test_client_await (late, "* 464 late :Password incorrect");

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_null (strstr (log, "OperPassw0rd!"));
  g_assert_null (strstr (log, "letmein"));
  g_assert_nonnull (strstr (log, "failed OPER with a name that is no operator's"));
}

/* The seed's room: at most 10 people, and a room limit. */
static void
test_seed_limits (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_test_client_free);
  g_autoptr(SudaTestClient) extra = NULL;
  guint16 port;

  config->max_clients = 10;
  server = suda_test_server_new (config);
  port = suda_server_get_port (server);
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *nick = g_strdup_printf ("student%d", i);
      g_ptr_array_add (clients, suda_test_client_register (port, nick, NULL));
    }
  extra = suda_test_client_connect (port);
  suda_test_client_await (extra, "ERROR :Server is full (10 clients)");
  g_assert_true (suda_test_client_wait_closed (extra, 5000));

  suda_test_client_send (clients->pdata[0], "JOIN #small");
  suda_test_client_await (clients->pdata[0], "* 366 *");
  suda_test_client_send (clients->pdata[0], "MODE #small +l 2");
  suda_test_client_await (clients->pdata[0], ":student0!* MODE #small +l 2");
  suda_test_client_send (clients->pdata[1], "JOIN #small");
  suda_test_client_await (clients->pdata[1], "* 366 *");
  suda_test_client_send (clients->pdata[2], "JOIN #small");
  suda_test_client_await (clients->pdata[2], "* 471 student2 #small :*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/oper/right-and-wrong-password", test_oper_right_and_wrong);
  g_test_add_func ("/server/oper/kill-and-kick-in-any-room", test_kill_and_kick_anywhere);
  g_test_add_func ("/server/oper/checked-off-the-main-loop", test_oper_off_main_loop);
  g_test_add_func ("/server/oper/guessing-slowed-and-stopped", test_oper_guessing_stopped);
  g_test_add_func ("/server/limits/ten-clients-and-room-limit", test_seed_limits);
  return g_test_run ();
}
