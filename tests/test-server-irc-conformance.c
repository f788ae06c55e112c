/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the Modern IRC Client Protocol document and the IRCv3 specifications
 * ask of a server, grouped by command the way src/server/irc/ is. */
#include "config.h"

#include <crypt.h>
#include <string.h>

#include "suda-test-util.h"

/* MODE +b ------------------------------------------------------------------- */

static void
test_ban_silences_member (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");

  suda_test_client_send (alice, "MODE #room +b bob!*@*");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room +b bob!*@*");
  suda_test_client_send (bob, "PRIVMSG #room :still here");
  suda_test_client_await (bob, ":suda.local 404 bob #room :Cannot send to channel");
  suda_test_client_send (bob, "NOTICE #room :still here");
  suda_test_client_send (bob, "NICK bobby");
  suda_test_client_await (bob, ":suda.local 435 bob bobby #room :Cannot change nickname while banned on channel");
  suda_test_client_expect_nothing_before_sync (alice, "*still here*");

  /* Voice lifts it, as on ngircd; so does lifting the ban. */
  suda_test_client_send (alice, "MODE #room +v bob");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room +v bob");
  suda_test_client_send (bob, "PRIVMSG #room :voiced");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 PRIVMSG #room :voiced");
  suda_test_client_send (alice, "MODE #room -vb bob bob!*@*");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room -vb bob bob!*@*");
  suda_test_client_send (bob, "NICK bobby");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 NICK :bobby");
}

/* NAMES, TOPIC -------------------------------------------------------------- */

static void
test_topic_unset_and_setter (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *line = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_auto(GStrv) words = NULL;

  suda_test_client_send (alice, "TOPIC #room");
  suda_test_client_await (alice, ":suda.local 331 alice #room :No topic is set");
  suda_test_client_send (alice, "TOPIC #room :first");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 TOPIC #room :first");
  suda_test_client_send (bob, "TOPIC #room");
  suda_test_client_await (bob, ":suda.local 332 bob #room :first");
  line = suda_test_client_expect (bob, ":suda.local 333 bob #room alice *");
  words = g_strsplit (line, " ", 0);
  g_assert_cmpuint (g_strv_length (words), ==, 6);
  g_assert_cmpint (g_ascii_strtoll (words[5], NULL, 10), >=, now - 5);
  g_assert_cmpint (g_ascii_strtoll (words[5], NULL, 10), <=, now + 5);

  /* A cleared topic is no topic: 331 to TOPIC, and nothing on JOIN. */
  suda_test_client_send (alice, "TOPIC #room :");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 TOPIC #room :");
  suda_test_client_send (bob, "TOPIC #room");
  suda_test_client_await (bob, ":suda.local 331 bob #room :No topic is set");
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 JOIN #room");
  lines = suda_test_client_sync (bob);
  g_assert_null (suda_test_lines_find (lines, "* 331 *"));
  g_assert_null (suda_test_lines_find (lines, "* 332 *"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 353 bob = #room :suda @alice bob"));
}

static void
test_secret_room (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#hide");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(GPtrArray) lines = NULL;

  suda_test_client_send (alice, "MODE #hide +s");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #hide +s");
  suda_test_client_send (alice, "MODE #hide");
  suda_test_client_await (alice, ":suda.local 324 alice #hide +nst");
  /* 353's symbol: '@' for a secret room, '=' for a public one. */
  suda_test_client_send (alice, "NAMES #hide");
  suda_test_client_await (alice, ":suda.local 353 alice @ #hide :suda @alice");
  suda_test_client_send (alice, "NAMES #lobby");
  suda_test_client_await (alice, ":suda.local 353 alice = #lobby :*");

  /* Outsiders see nothing of it. */
  suda_test_client_send (bob, "NAMES #hide");
  lines = suda_test_client_sync (bob);
  g_assert_null (suda_test_lines_find (lines, "* 353 *"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 366 bob #hide :End of /NAMES list."));
  g_clear_pointer (&lines, g_ptr_array_unref);
  suda_test_client_send (bob, "LIST");
  lines = suda_test_client_sync (bob);
  g_assert_null (suda_test_lines_find (lines, "*#hide*"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 322 bob #lobby *"));
  g_clear_pointer (&lines, g_ptr_array_unref);
  suda_test_client_send (bob, "LIST #hide");
  suda_test_client_expect_nothing_before_sync (bob, "* 322 *");
  suda_test_client_send (bob, "WHO #hide");
  suda_test_client_expect_nothing_before_sync (bob, "* 352 *");
  suda_test_client_send (bob, "WHOIS alice");
  suda_test_client_expect_nothing_before_sync (bob, "* 319 *");

  /* Members do see it. */
  suda_test_client_send (alice, "LIST #hide");
  suda_test_client_await (alice, ":suda.local 322 alice #hide 2 :");
  suda_test_client_send (alice, "WHOIS alice");
  suda_test_client_await (alice, ":suda.local 319 alice alice :@#hide");
}

/* WHO ----------------------------------------------------------------------- */

static void
test_who (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "multi-prefix", "#room");
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);
  g_autoptr(SudaTestClient) dave = suda_test_user (server, "dave", NULL);
  g_autoptr(GPtrArray) lines = NULL;

  suda_test_client_send (carol, "MODE carol +i");
  suda_test_client_await (carol, ":carol!~carol@127.0.0.1 MODE carol :+i");
  suda_test_client_send (alice, "MODE #room +v alice");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #room +v alice");
  suda_test_client_send (alice, "AWAY :out");
  suda_test_client_await (alice, ":suda.local 306 alice *");

  /* 352 <client> <channel> <user> <host> <server> <nick> <flags> :<hopcount> <realname> */
  suda_test_client_send (bob, "WHO #room");
  suda_test_client_await (bob, ":suda.local 352 bob #room suda suda.local suda.local suda H :0 Suda service");
  suda_test_client_await (bob, ":suda.local 352 bob #room ~alice 127.0.0.1 suda.local alice G@+ :0 Test alice");
  suda_test_client_await (bob, ":suda.local 352 bob #room ~bob 127.0.0.1 suda.local bob H :0 Test bob");
  suda_test_client_await (bob, ":suda.local 315 bob #room :End of /WHO list.");

  /* WHO * lists everyone visible: an invisible user only to herself and
   * to those who share a room with her. */
  suda_test_client_send (dave, "WHO *");
  lines = suda_test_client_sync (dave);
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 352 dave * ~alice 127.0.0.1 suda.local alice G :0 Test alice"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 352 dave * ~bob 127.0.0.1 suda.local bob H :0 Test bob"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 352 dave * ~dave 127.0.0.1 suda.local dave H :0 Test dave"));
  g_assert_null (suda_test_lines_find (lines, "* carol *"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 315 dave * :End of /WHO list."));
  g_clear_pointer (&lines, g_ptr_array_unref);

  suda_test_client_send (carol, "WHO *");
  lines = suda_test_client_sync (carol);
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 352 carol * ~carol 127.0.0.1 suda.local carol H :0 Test carol"));
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* A mask matches nicks (any case); an exact nick finds even the invisible. */
  suda_test_client_send (dave, "WHO B*");
  lines = suda_test_client_sync (dave);
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 352 dave * ~bob 127.0.0.1 suda.local bob H :0 Test bob"));
  g_assert_null (suda_test_lines_find (lines, "* alice *"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 315 dave B* :End of /WHO list."));
  g_clear_pointer (&lines, g_ptr_array_unref);
  suda_test_client_send (dave, "WHO carol");
  suda_test_client_await (dave, ":suda.local 352 dave * ~carol 127.0.0.1 suda.local carol H :0 Test carol");
  suda_test_client_await (dave, ":suda.local 315 dave carol :End of /WHO list.");
  suda_test_client_send (dave, "WHO nobody");
  suda_test_client_await (dave, ":suda.local 315 dave nobody :End of /WHO list.");

  /* Invisible members are hidden from outsiders' WHO #room. */
  suda_test_client_send (bob, "MODE bob +i");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 MODE bob :+i");
  suda_test_client_send (dave, "WHO #room");
  lines = suda_test_client_sync (dave);
  g_assert_nonnull (suda_test_lines_find (lines, "* 352 dave #room ~alice *"));
  g_assert_null (suda_test_lines_find (lines, "* bob *"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 315 dave #room :End of /WHO list."));
}

/* An operator is '*' in WHO's flags and counted in LUSERS' 252. */
static void
test_who_and_lusers_show_operators (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autofree char *salt = crypt_gensalt_ra (NULL, 0, NULL, 0);
  struct crypt_data data = { 0 };
  const char *hash = crypt_r ("letmein", salt, &data);
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) kim = NULL;
  g_autoptr(SudaTestClient) lee = NULL;

  g_assert_nonnull (hash);
  g_assert_true (suda_server_config_set_value (config, "operators", "teacher", hash, NULL));
  server = suda_test_server_new (config);
  kim = suda_test_member (server, "kim", NULL, "#room");
  lee = suda_test_member (server, "lee", NULL, "#room");
  suda_test_client_send (kim, "OPER teacher letmein");
  suda_test_client_await (kim, ":suda.local 381 kim *");
  suda_test_client_send (lee, "WHO #room");
  suda_test_client_await (lee, ":suda.local 352 lee #room ~kim 127.0.0.1 suda.local kim H*@ :0 Test kim");
  suda_test_client_send (lee, "WHO kim");
  suda_test_client_await (lee, ":suda.local 352 lee * ~kim 127.0.0.1 suda.local kim H* :0 Test kim");
  suda_test_client_send (lee, "LUSERS");
  suda_test_client_await (lee, ":suda.local 252 lee 1 :operator(s) online");
}

/* LIST ---------------------------------------------------------------------- */

static void
test_list (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  g_assert_true (suda_server_config_set_value (config, "server", "default-channel", "", NULL));
  server = suda_test_server_new_unthrottled (config);
  alice = suda_test_user (server, "alice", NULL);
  bob = suda_test_user (server, "bob", NULL);

  /* No rooms: 321 and 323 only. */
  suda_test_client_send (alice, "LIST");
  lines = suda_test_client_sync (alice);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, ":suda.local 321 alice Channel :Users  Name");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, ":suda.local 323 alice :End of /LIST");
  g_clear_pointer (&lines, g_ptr_array_unref);

  suda_test_client_join (alice, "alice", "#a");
  suda_test_client_join (alice, "alice", "#b");
  suda_test_client_join (alice, "alice", "#c");
  suda_test_client_send (alice, "TOPIC #b :bee");

  suda_test_client_send (bob, "LIST #b");
  lines = suda_test_client_sync (bob);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, ":suda.local 322 bob #b 2 :bee");
  g_assert_cmpstr (g_ptr_array_index (lines, 2), ==, ":suda.local 323 bob :End of /LIST");
  g_clear_pointer (&lines, g_ptr_array_unref);

  suda_test_client_send (bob, "LIST #a,#C,#nowhere");
  lines = suda_test_client_sync (bob);
  g_assert_cmpuint (lines->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, ":suda.local 322 bob #a 2 :");
  g_assert_cmpstr (g_ptr_array_index (lines, 2), ==, ":suda.local 322 bob #c 2 :");
  g_clear_pointer (&lines, g_ptr_array_unref);

  suda_test_client_send (bob, "LIST #nowhere");
  lines = suda_test_client_sync (bob);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, ":suda.local 323 bob :End of /LIST");
}

/* LUSERS -------------------------------------------------------------------- */

static guint
number_after (GPtrArray  *lines,
              const char *pattern,
              guint       word)
{
  const char *line = suda_test_lines_find (lines, pattern);
  g_auto(GStrv) words = NULL;

  g_assert_nonnull (line);
  words = g_strsplit (line, " ", 0);
  g_assert_cmpuint (g_strv_length (words), >, word);
  return (guint) g_ascii_strtoull (words[word] + (words[word][0] == ':'), NULL, 10);
}

static void
test_lusers (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);
  g_autoptr(SudaTestClient) unknown = suda_test_client_connect (suda_server_get_port (server));
  g_autoptr(GPtrArray) lines = NULL;
  guint visible, invisible, local, global;

  suda_test_client_send (unknown, "NICK later");
  suda_test_client_send (carol, "MODE carol +i");
  suda_test_client_await (carol, ":carol!~carol@127.0.0.1 MODE carol :+i");
  suda_test_client_send (alice, "LUSERS");
  lines = suda_test_client_sync (alice);
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 251 alice :There are 2 users and 1 invisible on 1 servers"));
  g_assert_null (suda_test_lines_find (lines, "* 252 *"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 253 alice 1 :unknown connection(s)"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 254 alice 2 :channels formed"));
  visible = number_after (lines, "* 251 *", 5);
  invisible = number_after (lines, "* 251 *", 8);
  local = number_after (lines, "* 255 *", 5);
  g_assert_cmpuint (number_after (lines, "* 265 *", 3), ==, local);
  global = number_after (lines, "* 266 *", 3);
  g_assert_cmpuint (visible + invisible, ==, global);
  g_assert_cmpuint (local, ==, global);
  g_assert_cmpuint (global, ==, 3);
}

/* CAP ----------------------------------------------------------------------- */

static void
test_cap (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));
  g_autoptr(SudaTestClient) d = NULL;
  g_autofree char *ls = NULL;

  suda_test_client_send (c, "CAP LS 302");
  ls = suda_test_client_expect (c, ":suda.local CAP * LS :*");
  g_assert_nonnull (strstr (ls, " cap-notify"));
  g_assert_nonnull (strstr (ls, " message-tags"));
  /* All or nothing: one unknown cap NAKs the lot. */
  suda_test_client_send (c, "CAP REQ :server-time bogus-cap");
  suda_test_client_await (c, ":suda.local CAP * NAK :server-time bogus-cap");
  suda_test_client_send (c, "CAP LIST");
  suda_test_client_await (c, ":suda.local CAP * LIST :cap-notify");
  suda_test_client_send (c, "CAP REQ :server-time echo-message");
  suda_test_client_await (c, ":suda.local CAP * ACK :server-time echo-message");
  /* 302 keeps cap-notify on. */
  suda_test_client_send (c, "CAP REQ -cap-notify");
  suda_test_client_await (c, ":suda.local CAP * NAK :-cap-notify");
  suda_test_client_send (c, "NICK kim");
  suda_test_client_send (c, "USER kim 0 * :Kim");
  suda_test_client_send (c, "CAP END");
  suda_test_client_await (c, ":suda.local 001 kim *");

  /* After registration: REQ still works, ACK names the nick. */
  d = suda_test_user (server, "dee", NULL);
  suda_test_client_send (d, "CAP REQ :batch multi-prefix");
  suda_test_client_await (d, ":suda.local CAP dee ACK :batch multi-prefix");
  suda_test_client_send (d, "CAP LIST");
  suda_test_client_await (d, ":suda.local CAP dee LIST :batch multi-prefix");
  suda_test_client_send (d, "CAP REQ :-batch");
  suda_test_client_await (d, ":suda.local CAP dee ACK :-batch");
  suda_test_client_send (d, "CAP LIST");
  suda_test_client_await (d, ":suda.local CAP dee LIST :multi-prefix");
}

/* USER ---------------------------------------------------------------------- */

static void
test_user_empty_realname (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));

  suda_test_client_send (c, "NICK kim");
  suda_test_client_send (c, "USER kim 0 * :");
  suda_test_client_await (c, ":suda.local 461 kim USER :Not enough parameters");
  suda_test_client_send (c, "USER  0 * :Kim");
  suda_test_client_send (c, "USER kim 0 * :Kim Lee");
  suda_test_client_await (c, ":suda.local 001 kim *");
}

/* AWAY ---------------------------------------------------------------------- */

static void
test_away_notify_on_join (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", "away-notify", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_send (carol, "AWAY :gone fishing");
  suda_test_client_await (carol, ":suda.local 306 carol *");
  suda_test_client_join (carol, "carol", "#room");
  suda_test_client_await (alice, ":carol!~carol@127.0.0.1 JOIN #room");
  suda_test_client_await (alice, ":carol!~carol@127.0.0.1 AWAY :gone fishing");
  suda_test_client_await (bob, ":carol!~carol@127.0.0.1 JOIN #room");
  suda_test_client_expect_nothing_before_sync (bob, "* AWAY *");
}

/* MODE ---------------------------------------------------------------------- */

static void
test_mode_errors (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  /* Keys with spaces cannot be typed in a JOIN: refused. */
  suda_test_client_send (alice, "MODE #room +k :two words");
  suda_test_client_await (alice, ":suda.local 525 alice #room :Key is not well-formed");
  suda_test_client_send (alice, "MODE #room +k : ");
  suda_test_client_await (alice, ":suda.local 525 alice #room :Key is not well-formed");
  suda_test_client_send (alice, "MODE #room");
  suda_test_client_await (alice, ":suda.local 324 alice #room +nt");

  /* 696 <client> <target> <mode char> <parameter> :<description> */
  suda_test_client_send (alice, "MODE #room +l many");
  suda_test_client_await (alice, ":suda.local 696 alice #room l many :*");
  suda_test_client_send (alice, "MODE #room +l :");
  suda_test_client_await (alice, ":suda.local 696 alice #room l * :*");
  suda_test_client_send (alice, "MODE #room +l -3");
  suda_test_client_await (alice, ":suda.local 696 alice #room l -3 :*");

  /* No such nick is 401; a nick not in the room is 441. */
  suda_test_client_send (alice, "MODE #room +o nobody");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
  suda_test_client_send (alice, "MODE #room +v bob");
  suda_test_client_await (alice, ":suda.local 441 alice bob #room :They aren't on that channel");

  /* Unknown modes are 472, for members and others (e and I exist now:
   * tests/test-server-irc-commands.c). */
  suda_test_client_send (alice, "MODE #room +q *!*@*");
  suda_test_client_await (alice, ":suda.local 472 alice q :is unknown mode char to me");
  suda_test_client_send (alice, "MODE #room R");
  suda_test_client_await (alice, ":suda.local 472 alice R :is unknown mode char to me");
  suda_test_client_send (bob, "MODE #room +Z");
  suda_test_client_await (bob, ":suda.local 472 bob Z :is unknown mode char to me");
  suda_test_client_send (bob, "MODE #room +m");
  suda_test_client_await (bob, ":suda.local 442 bob #room :You're not on that channel");
}

/* PRIVMSG, NOTICE: message-tags msgid ------------------------------------- */

static char *
msgid_of (const char *line)
{
  const char *start = strstr (line, "msgid=");

  g_assert_nonnull (start);
  start += strlen ("msgid=");
  return g_strndup (start, strcspn (start, "; "));
}

static void
test_msgid (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", "message-tags echo-message", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "message-tags", "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", NULL, "#room");
  g_autoptr(SudaTestClient) dave = NULL;
  g_autofree char *echo = NULL, *heard = NULL, *again = NULL, *other = NULL, *whisper = NULL;
  g_autofree char *id = NULL, *replayed = NULL, *log = NULL, *logged = NULL;

  suda_test_client_send (alice, "PRIVMSG #room :hello");
  echo = suda_test_client_expect (alice, "@msgid=* :alice!~alice@127.0.0.1 PRIVMSG #room :hello");
  heard = suda_test_client_expect (bob, "@msgid=* :alice!~alice@127.0.0.1 PRIVMSG #room :hello");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 PRIVMSG #room :hello");
  id = msgid_of (heard);
  g_assert_cmpuint (strlen (id), >, 0);
  g_assert_cmpstr (id, ==, (again = msgid_of (echo)));

  suda_test_client_send (alice, "NOTICE #room :hello");
  other = suda_test_client_expect (bob, "@msgid=* :alice!~alice@127.0.0.1 NOTICE #room :hello");
  g_free (again);
  g_assert_cmpstr (id, !=, (again = msgid_of (other)));
  suda_test_client_send (alice, "PRIVMSG bob :psst");
  whisper = suda_test_client_expect (bob, "@msgid=* :alice!~alice@127.0.0.1 PRIVMSG bob :psst");
  g_free (again);
  g_assert_cmpstr (id, !=, (again = msgid_of (whisper)));

  /* The replay on JOIN and the log keep the same id. */
  dave = suda_test_user (server, "dave", "server-time message-tags");
  suda_test_client_send (dave, "JOIN #room");
  replayed = suda_test_client_expect (dave, "@time=*;msgid=* :alice!~alice@127.0.0.1 PRIVMSG #room *hello");
  g_free (again);
  g_assert_cmpstr (id, ==, (again = msgid_of (replayed)));
  g_assert_true (g_file_get_contents (suda_server_get_log_path (server), &log, NULL, NULL));
  logged = g_strdup_printf ("\"msgid\":\"%s\"", id);
  g_assert_nonnull (strstr (log, logged));
}

static void
test_tagmsg (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", "message-tags echo-message", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "message-tags", "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", NULL, "#room");

  suda_test_client_send (alice, "@+typing=active;secret=x TAGMSG #room");
  suda_test_client_await (bob, "@msgid=*;+typing=active :alice!~alice@127.0.0.1 TAGMSG #room");
  suda_test_client_await (alice, "@msgid=*;+typing=active :alice!~alice@127.0.0.1 TAGMSG #room");
  suda_test_client_send (alice, "@+typing=paused TAGMSG bob");
  suda_test_client_await (bob, "@msgid=*;+typing=paused :alice!~alice@127.0.0.1 TAGMSG bob");
  suda_test_client_expect_nothing_before_sync (carol, "*TAGMSG*");
  suda_test_client_send (alice, "TAGMSG #nowhere");
  suda_test_client_await (alice, ":suda.local 403 alice #nowhere :No such channel");
  suda_test_client_send (alice, "TAGMSG nobody");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
}

/* A line over 512 bytes: 417, the line dropped, the client kept. */
static void
test_line_too_long (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autofree char *text = g_strnfill (600, 'a');

  suda_test_client_send (alice, "PRIVMSG #room :%s", text);
  suda_test_client_await (alice, ":suda.local 417 alice :Input line was too long");
  suda_test_client_send (alice, "PRIVMSG #room :still here");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 PRIVMSG #room :still here");
  suda_test_client_expect_nothing_before_sync (bob, "*aaaaaaaaaa*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/irc/mode/ban-silences-member", test_ban_silences_member);
  g_test_add_func ("/server/irc/mode/errors-key-limit-nick-unknown", test_mode_errors);
  g_test_add_func ("/server/irc/names/symbol-and-secret-rooms", test_secret_room);
  g_test_add_func ("/server/irc/topic/unset-and-setter", test_topic_unset_and_setter);
  g_test_add_func ("/server/irc/who/params-flags-masks-invisible", test_who);
  g_test_add_func ("/server/irc/who/operators-flagged", test_who_and_lusers_show_operators);
  g_test_add_func ("/server/irc/list/none-one-several-missing", test_list);
  g_test_add_func ("/server/irc/lusers/counts-add-up", test_lusers);
  g_test_add_func ("/server/irc/cap/all-or-nothing-302-after-registration", test_cap);
  g_test_add_func ("/server/irc/user/empty-realname", test_user_empty_realname);
  g_test_add_func ("/server/irc/away/notify-on-join", test_away_notify_on_join);
  g_test_add_func ("/server/irc/privmsg/msgid-live-replay-log", test_msgid);
  g_test_add_func ("/server/irc/line/too-long-gets-417-and-stays", test_line_too_long);
  g_test_add_func ("/server/irc/tagmsg/relayed-to-message-tags-clients", test_tagmsg);
  return g_test_run ();
}
