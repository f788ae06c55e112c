/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-test-util.h"

/* The server-time tag, UTC with milliseconds (split so no "??-" trigraph forms). */
#define TIME_TAG "@time=????" "-??" "-??T??:??:??.???Z"

/* Every reply names the server and the client's nick (or '*' before one is
 * accepted); the patterns spell both out so a wrong target fails too. */

/* Two registered clients still talk to each other. */
static void
assert_chat_works (SudaTestClient *from,
                   const char     *from_nick,
                   SudaTestClient *to,
                   const char     *to_nick)
{
  g_autofree char *pattern = g_strdup_printf (":%s!*@127.0.0.1 PRIVMSG %s :still here?", from_nick, to_nick);

  suda_test_client_send (from, "PRIVMSG %s :still here?", to_nick);
  suda_test_client_await (to, pattern);
}

static void
test_plain_registration (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));
  g_autofree char *isupport1 = NULL;
  g_autofree char *isupport2 = NULL;
  g_autofree char *isupport3 = NULL;
  g_autofree char *isupport = NULL;
  const char *tokens[] = {
    " CASEMAPPING=rfc1459 ", " CHANTYPES=# ", " PREFIX=(ov)@+ ", " NICKLEN=30 ",
    " CHANNELLEN=50 ", " TOPICLEN=390 ", " CHANMODES=beI,k,l,imnpst ", " UTF8ONLY ",
    " NETWORK=Suda ", " MAXTARGETS=4 ", " CHANLIMIT=#:20 ",
  };

  suda_test_client_send (c, "NICK alice");
  suda_test_client_send (c, "USER alice 0 * :Alice Liddell");
  suda_test_client_await (c, ":suda.local 001 alice :Welcome to the Suda IRC Network, alice!~alice@127.0.0.1");
  suda_test_client_await (c, ":suda.local 002 alice :Your host is suda.local, running version suda-" PACKAGE_VERSION);
  suda_test_client_await (c, ":suda.local 003 alice :This server was created *");
  suda_test_client_await (c, ":suda.local 004 alice suda.local suda-" PACKAGE_VERSION " Biow beIiklmnopstv beIklov");
  isupport1 = suda_test_client_expect (c, ":suda.local 005 alice * :are supported by this server");
  isupport2 = suda_test_client_expect (c, ":suda.local 005 alice * :are supported by this server");
  isupport3 = suda_test_client_expect (c, ":suda.local 005 alice * :are supported by this server");
  isupport = g_strconcat (isupport1, " ", isupport2, " ", isupport3, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_test_message ("ISUPPORT token %s", tokens[i]);
      g_assert_nonnull (strstr (isupport, tokens[i]));
    }
  /* Prefixed targets (PRIVMSG @#room) work, so they are advertised. */
  g_assert_nonnull (strstr (isupport, "STATUSMSG=@+"));
  suda_test_client_await (c, ":suda.local 251 alice :There are 1 users and 0 invisible on 1 servers");
  suda_test_client_await (c, ":suda.local 254 alice 1 :channels formed");
  suda_test_client_await (c, ":suda.local 255 alice :I have 1 clients and 0 servers");
  suda_test_client_await (c, ":suda.local 422 alice :MOTD File is missing");
  /* Registration does not put an IRC client in any room. */
  suda_test_client_assert_quiet (c);

  g_assert_cmpuint (suda_server_get_n_users (server), ==, 1);
}

static void
test_motd (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) c = NULL;

  /* As GKeyFile hands it over: "\n" in the file is a real newline. */
  config->motd = g_strdup ("Welcome to our class chat!\nBe kind.");
  server = suda_test_server_new_unthrottled (config);
  c = suda_test_client_connect (suda_server_get_port (server));
  suda_test_client_send (c, "NICK alice");
  suda_test_client_send (c, "USER alice 0 * :Alice");
  suda_test_client_await (c, ":suda.local 375 alice :- suda.local Message of the day - ");
  suda_test_client_await (c, ":suda.local 372 alice :- Welcome to our class chat!");
  suda_test_client_await (c, ":suda.local 372 alice :- Be kind.");
  suda_test_client_await (c, ":suda.local 376 alice :End of /MOTD command.");

  suda_test_client_send (c, "MOTD");
  suda_test_client_await (c, ":suda.local 375 alice *");
  suda_test_client_await (c, ":suda.local 372 alice :- Welcome to our class chat!");
  suda_test_client_await (c, ":suda.local 372 alice :- Be kind.");
  suda_test_client_await (c, ":suda.local 376 alice *");
}

static void
test_cap_negotiation (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));
  g_autoptr(SudaTestClient) other = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  suda_test_client_send (c, "CAP LS 302");
  suda_test_client_await (c, ":suda.local CAP * LS :account-notify account-tag away-notify batch cap-notify draft/account-registration=before-connect draft/chathistory draft/message-redaction draft/multiline=max-bytes=4096,max-lines=24 draft/read-marker echo-message extended-join extended-monitor invite-notify labeled-response message-tags multi-prefix sasl=PLAIN,EXTERNAL server-time setname standard-replies userhost-in-names");
  suda_test_client_send (c, "NICK alice");
  suda_test_client_send (c, "USER alice 0 * :Alice");
  suda_test_client_send (c, "CAP REQ :server-time echo-message");
  suda_test_client_await (c, ":suda.local CAP alice ACK :server-time echo-message");
  suda_test_client_send (c, "CAP REQ :server-time no-such-cap");
  suda_test_client_await (c, ":suda.local CAP alice NAK :server-time no-such-cap");
  suda_test_client_send (c, "CAP LIST");
  suda_test_client_await (c, ":suda.local CAP alice LIST :cap-notify echo-message server-time");
  suda_test_client_send (c, "CAP REQ :-echo-message");
  suda_test_client_await (c, ":suda.local CAP alice ACK :-echo-message");
  suda_test_client_send (c, "CAP FROB");
  suda_test_client_await (c, ":suda.local 410 alice FROB :Invalid CAP command");

  /* NICK and USER are in, yet registration waits for CAP END. */
  lines = suda_test_client_sync (c);
  g_assert_null (suda_test_lines_find (lines, "* 001 *"));
  g_assert_cmpuint (suda_server_get_n_users (server), ==, 0);

  suda_test_client_send (c, "CAP END");
  suda_test_client_await (c, ":suda.local 001 alice :Welcome*");
  suda_test_client_await (c, ":suda.local 422 alice *");
  suda_test_client_send (c, "CAP LIST");
  suda_test_client_await (c, ":suda.local CAP alice LIST :cap-notify server-time");

  /* The negotiated capability shows: a relayed line carries its time. */
  other = suda_test_client_register (suda_server_get_port (server), "bob", NULL);
  suda_test_client_send (other, "PRIVMSG alice :hello");
  suda_test_client_await (c, TIME_TAG " :bob!~bob@127.0.0.1 PRIVMSG alice :hello");
}

static void
test_cap_after_registration (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_register (suda_server_get_port (server), "alice", NULL);

  /* CAP LS after registration lists, and must not hold anything up. */
  suda_test_client_send (c, "CAP LS 302");
  suda_test_client_await (c, ":suda.local CAP alice LS :*server-time*");
  suda_test_client_send (c, "CAP REQ :multi-prefix");
  suda_test_client_await (c, ":suda.local CAP alice ACK :multi-prefix");
  suda_test_client_send (c, "JOIN #room");
  suda_test_client_await (c, ":suda.local 353 alice = #room :suda @alice");
}

static void
test_password (gconstpointer data)
{
  const char *mode = data;
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) c = NULL;
  guint16 port;

  config->password = g_strdup ("open sesame");
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  c = suda_test_client_connect (port);

  if (g_str_equal (mode, "right"))
    {
      suda_test_client_send (c, "PASS :open sesame");
      suda_test_client_send (c, "NICK alice");
      suda_test_client_send (c, "USER alice 0 * :Alice");
      suda_test_client_await (c, ":suda.local 001 alice *");
      g_assert_cmpuint (suda_server_get_n_users (server), ==, 1);
      return;
    }
  if (g_str_equal (mode, "right-with-cap"))
    {
      suda_test_client_send (c, "CAP LS 302");
      suda_test_client_send (c, "PASS :open sesame");
      suda_test_client_send (c, "NICK alice");
      suda_test_client_send (c, "USER alice 0 * :Alice");
      suda_test_client_await (c, ":suda.local CAP * LS *");
      suda_test_client_send (c, "CAP END");
      suda_test_client_await (c, ":suda.local 001 alice *");
      return;
    }

  if (g_str_equal (mode, "wrong"))
    suda_test_client_send (c, "PASS sesame");
  suda_test_client_send (c, "NICK alice");
  suda_test_client_send (c, "USER alice 0 * :Alice");
  suda_test_client_await (c, ":suda.local 464 alice :Password incorrect");
  suda_test_client_await (c, "ERROR :Closing link: 127.0.0.1 (Bad password)");
  g_assert_true (suda_test_client_wait_closed (c, 2000));
  g_assert_cmpuint (suda_server_get_n_users (server), ==, 0);

  /* The refused session held the nick only while it lasted. */
  {
    g_autoptr(SudaTestClient) again = suda_test_client_connect (port);

    suda_test_client_send (again, "PASS :open sesame");
    suda_test_client_send (again, "NICK alice");
    suda_test_client_send (again, "USER alice 0 * :Alice");
    suda_test_client_await (again, ":suda.local 001 alice *");
  }
}

static void
test_nick_collision (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) alice = suda_test_client_register (port, "alice", NULL);
  g_autoptr(SudaTestClient) brackets = suda_test_client_register (port, "[a]", NULL);
  g_autoptr(SudaTestClient) pipe = suda_test_client_register (port, "x|y", NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (port);
  const char *taken[] = { "alice", "Alice", "ALICE", "{a}", "{A}", "[A]", "x\\y", "X\\Y", "suda", "SUDA" };

  /* rfc1459 casemapping: A-Z are a-z and []\ are {}| (and ~ is ^). */
  for (guint i = 0; i < G_N_ELEMENTS (taken); i++)
    {
      g_autofree char *pattern = g_strdup_printf (":suda.local 433 * %s :Nickname is already in use", taken[i]);

      suda_test_client_send (c, "NICK %s", taken[i]);
      suda_test_client_await (c, pattern);
    }
  suda_test_client_send (c, "NICK bob");
  suda_test_client_send (c, "USER bob 0 * :Bob");
  suda_test_client_await (c, ":suda.local 001 bob *");

  /* After registration too, and a change of case of one's own nick is fine. */
  suda_test_client_send (c, "NICK ALICE");
  suda_test_client_await (c, ":suda.local 433 bob ALICE :Nickname is already in use");
  suda_test_client_send (c, "NICK Bob");
  suda_test_client_await (c, ":bob!~bob@127.0.0.1 NICK :Bob");
  suda_test_client_send (c, "NICK robert");
  suda_test_client_await (c, ":Bob!~bob@127.0.0.1 NICK :robert");
  /* The old nick is free again. */
  suda_test_client_send (alice, "NICK bob");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 NICK :bob");
  assert_chat_works (c, "robert", alice, "bob");
  (void) brackets;
  (void) pipe;
}

static void
test_nick_race_while_registering (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) first = suda_test_client_connect (port);
  g_autoptr(SudaTestClient) second = suda_test_client_connect (port);

  /* A nick is held from NICK on, even before USER completes registration. */
  suda_test_client_send (first, "NICK carol");
  g_ptr_array_unref (suda_test_client_sync (first));  /* the server has taken it */
  suda_test_client_send (second, "NICK Carol");
  suda_test_client_await (second, ":suda.local 433 * Carol :Nickname is already in use");
  suda_test_client_send (first, "USER carol 0 * :Carol");
  suda_test_client_await (first, ":suda.local 001 carol *");
}

static void
test_invalid_nicks (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));
  const char *bad[] = {
    "1abc", "-dash", "#chan", "a@b", "a!b", "a.b", "a,b", "a*", "철수", "nick한글",
    "abcdefghijabcdefghijabcdefghijX" /* 31 > NICKLEN */, ":a b", "~tilde",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *pattern = g_strdup_printf (":suda.local 432 * %s :Erroneous nickname",
                                                  bad[i][0] == ':' ? bad[i] + 1 : bad[i]);

      if (bad[i][0] == ':')
        suda_test_client_send (c, "NICK %s", bad[i]);
      else
        suda_test_client_send (c, "NICK %s", bad[i]);
      suda_test_client_await (c, pattern);
    }
  suda_test_client_send (c, "NICK");
  suda_test_client_await (c, ":suda.local 431 * :No nickname given");
  suda_test_client_send (c, "NICK :");
  suda_test_client_await (c, ":suda.local 431 * :No nickname given");

  /* The longest allowed nick and all the specials are fine. */
  suda_test_client_send (c, "NICK abcdefghijabcdefghijabcdefghij");
  suda_test_client_send (c, "NICK [\\]^_`{|}-9");
  suda_test_client_send (c, "USER u 0 * :U");
  suda_test_client_await (c, ":suda.local 001 [\\]^_`{|}-9 *");
}

static void
test_not_registered (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));
  const char *early[] = { "JOIN #lobby", "PRIVMSG #lobby :hi", "MODE #lobby", "WHOIS x", "LIST", "FROBNICATE" };

  suda_test_client_send (c, "NICK dave");
  for (guint i = 0; i < G_N_ELEMENTS (early); i++)
    {
      suda_test_client_send (c, "%s", early[i]);
      suda_test_client_await (c, ":suda.local 451 dave :You have not registered");
    }
  suda_test_client_send (c, "USER");
  suda_test_client_await (c, ":suda.local 461 dave USER :Not enough parameters");
  suda_test_client_send (c, "USER dave 0 *");
  suda_test_client_await (c, ":suda.local 461 dave USER :Not enough parameters");
  suda_test_client_send (c, "USER dave 0 * :Dave");
  suda_test_client_await (c, ":suda.local 001 dave *");
  suda_test_client_await (c, ":suda.local 422 dave *");

  suda_test_client_send (c, "USER dave 0 * :Dave again");
  suda_test_client_await (c, ":suda.local 462 dave :You may not reregister");
  suda_test_client_send (c, "PASS secret");
  suda_test_client_await (c, ":suda.local 462 dave :You may not reregister");
  g_assert_cmpuint (suda_server_get_n_users (server), ==, 1);
}

static void
test_max_clients (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaTestClient) third = NULL;
  g_autoptr(SudaTestClient) later = NULL;
  g_autofree char *line = NULL;
  guint16 port;

  config->max_clients = 2;
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  alice = suda_test_client_register (port, "alice", NULL);
  bob = suda_test_client_register (port, "bob", NULL);
  suda_test_client_send (alice, "JOIN #lobby");
  suda_test_client_send (bob, "JOIN #lobby");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 JOIN #lobby");

  third = suda_test_client_connect (port);
  line = suda_test_client_read_line (third, 5000);
  g_assert_cmpstr (line, ==, "ERROR :Server is full (2 clients)");
  g_assert_true (suda_test_client_wait_closed (third, 2000));

  /* A client that talks before it listens is told as well. */
  {
    g_autoptr(SudaTestClient) eager = suda_test_client_connect (port);
    g_autofree char *refusal = NULL;

    suda_test_client_send (eager, "NICK eager");
    suda_test_client_send (eager, "USER eager 0 * :Eager");
    refusal = suda_test_client_read_line (eager, 5000);
    g_assert_cmpstr (refusal, ==, "ERROR :Server is full (2 clients)");
    g_assert_true (suda_test_client_wait_closed (eager, 2000));
  }

  /* No one else noticed. */
  suda_test_client_send (alice, "PRIVMSG #lobby :are we still two?");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 PRIVMSG #lobby :are we still two?");
  suda_test_client_send (bob, "PRIVMSG #lobby :yes");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 PRIVMSG #lobby :yes");
  g_assert_cmpuint (suda_server_get_n_users (server), ==, 2);

  /* A place frees up when someone leaves. */
  suda_test_client_send (bob, "QUIT :bye");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 QUIT :Quit: bye");
  g_assert_true (suda_test_client_wait_closed (bob, 2000));
  later = suda_test_client_register (port, "carol", NULL);
  assert_chat_works (later, "carol", alice, "alice");
}

/* Reads C's lines for up to MS milliseconds, answering every PING, until
 * one matches PATTERN. */
static gboolean
answer_pings_until (SudaTestClient *c,
                    const char     *pattern,
                    guint           ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  guint pings = 0;

  while (g_get_monotonic_time () < end)
    {
      g_autofree char *line = suda_test_client_read_line (c, 20);

      if (line && g_str_has_prefix (line, "PING :"))
        {
          suda_test_client_send (c, "PONG :%s", line + 6);
          pings++;
        }
      else if (line && g_pattern_match_simple (pattern, line))
        {
          /* Lively was asked too, and answering kept it in. */
          g_assert_cmpuint (pings, >=, 1);
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_ping_timeout (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) lively = NULL;
  g_autoptr(SudaTestClient) silent = NULL;
  g_autoptr(SudaTestClient) unregistered = NULL;
  guint16 port;

  /* Small, with room for a loaded machine: lively answers within ms. */
  config->ping_interval_ms = 250;
  config->ping_timeout_ms = 600;
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  lively = suda_test_client_register (port, "lively", NULL);
  silent = suda_test_client_register (port, "silent", NULL);
  unregistered = suda_test_client_connect (port);
  suda_test_client_send (lively, "JOIN #lobby");
  suda_test_client_send (silent, "JOIN #lobby");
  suda_test_client_await (lively, ":silent!~silent@127.0.0.1 JOIN #lobby");

  /* Silent is asked, says nothing, and is dropped; lively answers and stays. */
  suda_test_client_await (silent, "PING :suda.local");
  g_assert_true (answer_pings_until (lively, ":silent!~silent@127.0.0.1 QUIT :Ping timeout", 3000));
  suda_test_client_await (silent, "ERROR :Closing link: 127.0.0.1 (Ping timeout)");
  g_assert_true (suda_test_client_wait_closed (silent, 1000));
  /* A connection that never registers is dropped as well. */
  suda_test_client_await (unregistered, "ERROR :Closing link: 127.0.0.1 (Registration timeout)");

  suda_test_client_assert_quiet (lively);
  g_assert_cmpuint (suda_server_get_n_users (server), ==, 1);
  suda_test_client_send (lively, "PRIVMSG #lobby :alone now");
  suda_test_client_send (lively, "WHOIS lively");
  suda_test_client_await (lively, ":suda.local 311 lively lively ~lively 127.0.0.1 * :Test lively");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/registration/nick-user", test_plain_registration);
  g_test_add_func ("/server/registration/motd-lines", test_motd);
  g_test_add_func ("/server/registration/cap-negotiation", test_cap_negotiation);
  g_test_add_func ("/server/registration/cap-after-registration", test_cap_after_registration);
  g_test_add_data_func ("/server/registration/password/right", "right", test_password);
  g_test_add_data_func ("/server/registration/password/right-with-cap", "right-with-cap", test_password);
  g_test_add_data_func ("/server/registration/password/wrong-is-refused", "wrong", test_password);
  g_test_add_data_func ("/server/registration/password/missing-is-refused", "missing", test_password);
  g_test_add_func ("/server/registration/nick-collision-rfc1459", test_nick_collision);
  g_test_add_func ("/server/registration/nick-held-while-registering", test_nick_race_while_registering);
  g_test_add_func ("/server/registration/invalid-nicks", test_invalid_nicks);
  g_test_add_func ("/server/registration/commands-before-registration", test_not_registered);
  g_test_add_func ("/server/connection/max-clients-refused", test_max_clients);
  g_test_add_func ("/server/connection/ping-timeout", test_ping_timeout);
  return g_test_run ();
}
