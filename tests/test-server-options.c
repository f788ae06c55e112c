/* SPDX-License-Identifier: GPL-3.0-or-later */
/* [server] options that change the shape of the server: no service user,
 * no default room, a long server name. */
#include "config.h"

#include <string.h>

#include "service/suda-service-private.h"
#include "suda-test-util.h"

static SudaServer *
server_with (const char *service_nick,
             const char *default_channel)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  g_free (config->service_nick);
  config->service_nick = g_strdup (service_nick);
  g_free (config->default_channel);
  config->default_channel = g_strdup (default_channel);
  return suda_test_server_new_unthrottled (config);
}

/* The lines before the PONG, none of which may match FORBIDDEN. */
static void
send_and_forbid (SudaTestClient *client,
                 const char     *command,
                 const char     *forbidden)
{
  suda_test_client_send (client, "%s", command);
  suda_test_client_expect_nothing_before_sync (client, forbidden);
}

static void
test_no_service_user (void)
{
  g_autoptr(SudaServer) server = server_with ("", "#lobby");
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) alice = suda_test_client_register_joined (port, "alice", NULL, "#lobby");
  g_autoptr(SudaTestClient) bob = suda_test_client_register_joined (port, "bob", NULL, "#lobby");

  g_assert_null (_suda_server_get_service (server));

  suda_test_client_send (alice, "NAMES #lobby");
  suda_test_client_await (alice, ":suda.local 353 alice = #lobby :@alice bob");
  suda_test_client_await (alice, ":suda.local 366 alice #lobby :End of /NAMES list.");

  send_and_forbid (alice, "WHO #lobby", "* 352 alice #lobby suda *");
  suda_test_client_send (alice, "WHO #lobby");
  suda_test_client_await (alice, ":suda.local 352 alice #lobby ~alice 127.0.0.1 suda.local alice H@ :0 Test alice");
  suda_test_client_await (alice, ":suda.local 352 alice #lobby ~bob 127.0.0.1 suda.local bob H :0 Test bob");
  suda_test_client_await (alice, ":suda.local 315 alice #lobby :End of /WHO list.");

  suda_test_client_send (alice, "LIST");
  suda_test_client_await (alice, ":suda.local 322 alice #lobby 2 :");
  suda_test_client_send (alice, "LUSERS");
  suda_test_client_await (alice, ":suda.local 251 alice :There are 2 users and 0 invisible on 1 servers");

  suda_test_client_send (alice, "WHOIS suda");
  suda_test_client_await (alice, ":suda.local 401 alice suda :No such nick/channel");
  suda_test_client_send (alice, "PRIVMSG suda :help");
  suda_test_client_await (alice, ":suda.local 401 alice suda :No such nick/channel");

  /* "!" words are plain text: said to the room, answered by nobody. */
  suda_test_client_send (alice, "PRIVMSG #lobby :!help");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 PRIVMSG #lobby :!help");
  suda_test_client_expect_nothing_before_sync (alice, "*NOTICE alice*");

  /* With no service user the name is free. */
  {
    g_autoptr(SudaTestClient) named = suda_test_client_register (port, "suda", NULL);

    g_assert_nonnull (suda_server_find_session (server, "suda"));
  }
}

static void
assert_no_rooms (SudaTestClient *client)
{
  g_autofree char *after_start = NULL;

  suda_test_client_send (client, "LIST");
  suda_test_client_await (client, ":suda.local 321 alice Channel :Users  Name");
  after_start = suda_test_client_read_line (client, 5000);
  g_assert_cmpstr (after_start, ==, ":suda.local 323 alice :End of /LIST");
  suda_test_client_send (client, "LUSERS");
  suda_test_client_await (client, ":suda.local 254 alice 0 :channels formed");
}

static void
test_no_default_channel (void)
{
  g_autoptr(SudaServer) server = server_with ("suda", "");
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) alice = suda_test_client_register (port, "alice", NULL);

  assert_no_rooms (alice);
  /* The nameless room answered to an empty WHO and NAMES mask. */
  send_and_forbid (alice, "WHO :", "* 352 *");
  send_and_forbid (alice, "NAMES :", "* 353 *");
  send_and_forbid (alice, "NAMES", "* 353 *");

  /* A room exists while someone is in it, and goes with the last one. */
  suda_test_client_join (alice, "alice", "#study");
  suda_test_client_send (alice, "LIST");
  suda_test_client_await (alice, ":suda.local 322 alice #study 2 :");
  suda_test_client_send (alice, "PART #study");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 PART #study");
  assert_no_rooms (alice);

  /* A person on a terminal joins no room and is told there is none. */
  {
    g_autoptr(SudaTestClient) dave = suda_test_client_connect (port);

    suda_test_client_await (dave, "*** Welcome to Suda. Type your nickname and press Enter.");
    suda_test_client_send (dave, "dave");
    suda_test_client_await (dave, "*** Welcome to Suda!*");
    suda_test_client_send (dave, "hello?");
    suda_test_client_await (dave, "*** No such channel");
    assert_no_rooms (alice);
  }
}

/* Fails the test on any line over 512 bytes (tags aside). */
static void
assert_line_fits (const char *line)
{
  const char *body = line;

  if (line[0] == '@' && strchr (line, ' '))
    body = strchr (line, ' ') + 1;
  if (strlen (body) + 2 > 512 || !g_utf8_validate (line, -1, NULL))
    g_error ("line of %zu bytes or not UTF-8: %.100s…", strlen (body) + 2, line);
}

static SudaTestClient *
register_checked (guint16     port,
                  const char *nick,
                  const char *caps)
{
  SudaTestClient *client = suda_test_client_connect (port);

  suda_test_client_set_line_check (client, assert_line_fits);
  suda_test_client_send (client, "CAP LS 302");
  suda_test_client_send (client, "NICK %s", nick);
  suda_test_client_send (client, "USER %s 0 * :Test %s", nick, nick);
  if (caps)
    suda_test_client_send (client, "CAP REQ :%s", caps);
  suda_test_client_send (client, "CAP REQ :%s", "no-such-capability-but-a-long-name-to-echo-back");
  suda_test_client_send (client, "CAP END");
  suda_test_client_await (client, "* 001 *");
  suda_test_client_await (client, "* 376 *");
  return client;
}

static void
test_long_name_lines_fit (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(GString) long_text = g_string_new (NULL);
  SudaTestClock clock = { g_date_time_new_local (2026, 11, 21, 10, 0, 0) };
  SudaScheduler *scheduler;
  guint16 port;

  /* Longer than any host name, so every line that names the server would
   * pass 512 bytes unless it is built to fit. */
  g_free (config->server_name);
  config->server_name = g_strnfill (400, 'n');
  g_free (config->motd);
  config->motd = g_strnfill (480, 'm');
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  scheduler = _suda_service_get_scheduler (_suda_server_get_service (server));
  suda_scheduler_set_clock (scheduler, suda_test_clock_now, &clock, NULL);

  alice = register_checked (port, "alice", "server-time batch message-tags");
  bob = register_checked (port, "bob", NULL);
  while (long_text->len < 450)
    g_string_append (long_text, "word ");

  suda_test_client_send (alice, "JOIN #lobby");
  suda_test_client_send (alice, "PRIVMSG #lobby :%s", long_text->str);
  suda_test_client_send (alice, "TOPIC #lobby :%s", long_text->str);
  suda_test_client_send (alice, "PRIVMSG #lobby :!help");
  suda_test_client_send (alice, "PRIVMSG suda :help");
  suda_test_client_send (alice, "PRIVMSG suda :what is this %s", long_text->str);
  suda_test_client_send (alice, "PRIVMSG #lobby :!schedule +1m %s", long_text->str);
  suda_test_client_send (alice, "PRIVMSG #lobby :!schedule");
  suda_test_client_send (alice, "VERSION");
  suda_test_client_send (alice, "LUSERS");
  suda_test_client_send (alice, "TIME");
  suda_test_client_send (alice, "WHOIS suda");
  suda_test_client_send (alice, "PING :%s", long_text->str);
  suda_test_client_send (alice, "NOSUCHCOMMAND%s", g_strnfill (300, 'x'));
  suda_test_client_await (alice, "@time=* :suda!suda@nnnn* NOTICE alice :*");
  g_ptr_array_unref (suda_test_client_sync (alice));

  /* Bob, without server-time, gets the history as notices from the server. */
  suda_test_client_send (bob, "JOIN #lobby");
  suda_test_client_send (bob, "WHO #lobby");
  suda_test_client_send (bob, "LIST");
  suda_test_client_await (bob, "* NOTICE #lobby :*<alice> word word*");
  g_ptr_array_unref (suda_test_client_sync (bob));

  suda_test_clock_advance (&clock, 60);
  suda_scheduler_check_due (scheduler);
  suda_test_client_await (bob, ":suda!suda@nnnn* PRIVMSG #lobby :[Scheduled by alice] word*");
  g_ptr_array_unref (suda_test_client_sync (bob));

  /* The console's kick comes from the server's name. */
  g_assert_true (suda_server_kick (server, "bob", NULL, NULL));
  suda_test_client_await (alice, "@time=* :nnnn* KICK #lobby bob :*");
  g_assert_true (suda_test_client_wait_closed (bob, 5000));
  g_ptr_array_unref (suda_test_client_sync (alice));

  /* A refused line is answered with FAIL, in the server's name. */
  suda_test_client_send_raw (alice, "PRIVMSG #lobby :a\rb\r\n", strlen ("PRIVMSG #lobby :a\rb\r\n"));
  suda_test_client_await (alice, ":nnnn* FAIL * INVALID_CHARACTER :*");
  g_ptr_array_unref (suda_test_client_sync (alice));
  g_date_time_unref (clock.now);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/options/no-service-user", test_no_service_user);
  g_test_add_func ("/server/options/no-default-channel", test_no_default_channel);
  g_test_add_func ("/server/options/long-name-lines-fit", test_long_name_lines_fit);

  return g_test_run ();
}
