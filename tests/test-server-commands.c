/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-test-util.h"

/* The server-time tag, UTC with milliseconds (split so no "??-" trigraph forms). */
#define TIME_TAG "@time=????" "-??" "-??T??:??:??.???Z"

/* Channels ------------------------------------------------------------------ */

static void
test_join_first_is_op (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (alice, "JOIN #room");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 JOIN #room");
  suda_test_client_await (alice, ":suda.local 353 alice = #room :suda @alice");
  suda_test_client_await (alice, ":suda.local 366 alice #room :End of /NAMES list.");

  suda_test_client_send (bob, "JOIN #ROOM");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 JOIN #room");
  suda_test_client_await (bob, ":suda.local 353 bob = #room :suda @alice bob");
  suda_test_client_await (bob, ":suda.local 366 bob #room :End of /NAMES list.");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 JOIN #room");

  /* Joining again is a no-op. */
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_assert_quiet (bob);
  suda_test_client_assert_quiet (alice);

  suda_test_client_send (bob, "NAMES #room");
  suda_test_client_await (bob, ":suda.local 353 bob = #room :suda @alice bob");
  suda_test_client_await (bob, ":suda.local 366 bob #room :End of /NAMES list.");
  suda_test_client_send (bob, "NAMES #nowhere");
  suda_test_client_await (bob, ":suda.local 366 bob #nowhere :End of /NAMES list.");

  /* The room is gone once empty, so the next one in is op again. */
  suda_test_client_send (alice, "PART #room");
  suda_test_client_send (bob, "PART #room :see you");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 PART #room :see you");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 PART #room");
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_await (bob, ":suda.local 353 bob = #room :suda @bob");
}

static void
test_join_several_with_keys (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (alice, "JOIN #a,#b,#c");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 JOIN #a");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 JOIN #b");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 JOIN #c");
  suda_test_client_await (alice, ":suda.local 366 alice #c *");
  suda_test_client_send (alice, "MODE #a +k apple");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #a +k apple");
  suda_test_client_send (alice, "MODE #b +k banana");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #b +k banana");
  suda_test_client_send (alice, "MODE #a");
  suda_test_client_await (alice, ":suda.local 324 alice #a +knt apple");

  suda_test_client_send (bob, "MODE #a");
  suda_test_client_await (bob, ":suda.local 324 bob #a +knt *");
  suda_test_client_send (bob, "JOIN #a,#b,#c apple,cherry");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 JOIN #a");
  suda_test_client_await (bob, ":suda.local 475 bob #b :Cannot join channel (+k)");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 JOIN #c");
  suda_test_client_send (bob, "JOIN #b");
  suda_test_client_await (bob, ":suda.local 475 bob #b :Cannot join channel (+k)");
  suda_test_client_send (bob, "JOIN #b banana");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 JOIN #b");

  /* JOIN 0 leaves every room, and the others see it. */
  suda_test_client_send (bob, "JOIN 0");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 PART #*");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 PART #*");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 PART #*");
  suda_test_client_send (bob, "WHOIS bob");
  suda_test_client_await (bob, ":suda.local 311 bob *");
  {
    g_autofree char *line = suda_test_client_expect (bob, ":suda.local 31? bob *");

    /* 319 would list rooms; the next line is 312 since bob is in none. */
    g_assert_true (g_str_has_prefix (line, ":suda.local 312 bob bob suda.local"));
  }
}

static void
test_part_errors (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (bob, "PART #room");
  suda_test_client_await (bob, ":suda.local 442 bob #room :You're not on that channel");
  suda_test_client_send (bob, "PART #nowhere");
  suda_test_client_await (bob, ":suda.local 403 bob #nowhere :No such channel");
  suda_test_client_send (bob, "PART");
  suda_test_client_await (bob, ":suda.local 461 bob PART :Not enough parameters");
  suda_test_client_send (bob, "JOIN nohash");
  suda_test_client_await (bob, ":suda.local 403 bob nohash :No such channel");
  suda_test_client_send (bob, "JOIN");
  suda_test_client_await (bob, ":suda.local 461 bob JOIN :Not enough parameters");
  suda_test_client_assert_quiet (alice);
}

static void
test_topic (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_send (bob, "TOPIC #room");
  suda_test_client_await (bob, ":suda.local 331 bob #room :No topic is set");

  /* +t is on by default: only an op sets the topic. */
  suda_test_client_send (bob, "TOPIC #room :bob was here");
  suda_test_client_await (bob, ":suda.local 482 bob #room :You're not channel operator");
  suda_test_client_send (alice, "TOPIC #room :Homework due Friday");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 TOPIC #room :Homework due Friday");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 TOPIC #room :Homework due Friday");
  suda_test_client_send (bob, "TOPIC #room");
  suda_test_client_await (bob, ":suda.local 332 bob #room :Homework due Friday");
  suda_test_client_await (bob, ":suda.local 333 bob #room alice *");

  /* A newcomer sees the topic on JOIN; an outsider may read it too. */
  suda_test_client_send (carol, "TOPIC #room");
  suda_test_client_await (carol, ":suda.local 332 carol #room :Homework due Friday");
  suda_test_client_send (carol, "TOPIC #room :outsider");
  suda_test_client_await (carol, ":suda.local 442 carol #room :You're not on that channel");
  suda_test_client_send (carol, "JOIN #room");
  suda_test_client_await (carol, ":suda.local 332 carol #room :Homework due Friday");
  suda_test_client_await (carol, ":suda.local 353 carol = #room :suda @alice bob carol");

  suda_test_client_send (alice, "MODE #room -t");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room -t");
  suda_test_client_send (bob, "TOPIC #room :bob was here");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 TOPIC #room :bob was here");
  suda_test_client_send (bob, "TOPIC #nowhere");
  suda_test_client_await (bob, ":suda.local 403 bob #nowhere :No such channel");
  suda_test_client_send (bob, "TOPIC");
  suda_test_client_await (bob, ":suda.local 461 bob TOPIC :Not enough parameters");
}

static void
test_mode_op_voice (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", "multi-prefix", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", NULL, "#room");

  /* A non-op is refused. */
  suda_test_client_send (bob, "MODE #room +v bob");
  suda_test_client_await (bob, ":suda.local 482 bob #room :You're not channel operator");
  suda_test_client_send (bob, "MODE #room +m");
  suda_test_client_await (bob, ":suda.local 482 bob #room :You're not channel operator");

  suda_test_client_send (alice, "MODE #room +o BOB");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 MODE #room +o bob");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room +o bob");
  suda_test_client_send (bob, "MODE #room +v carol");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 MODE #room +v carol");
  suda_test_client_send (alice, "MODE #room +v alice");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #room +v alice");

  /* multi-prefix shows every prefix; others see the highest. */
  suda_test_client_send (alice, "NAMES #room");
  suda_test_client_await (alice, ":suda.local 353 alice = #room :suda @+alice @bob +carol");
  suda_test_client_send (carol, "NAMES #room");
  suda_test_client_await (carol, ":suda.local 353 carol = #room :suda @alice @bob +carol");
  suda_test_client_send (carol, "WHO #room");
  suda_test_client_await (carol, ":suda.local 352 carol #room suda suda.local suda.local suda H :0 Suda service");
  suda_test_client_await (carol, ":suda.local 352 carol #room ~alice 127.0.0.1 suda.local alice H@ :0 Test alice");
  suda_test_client_await (carol, ":suda.local 352 carol #room ~bob 127.0.0.1 suda.local bob H@ :0 Test bob");
  suda_test_client_await (carol, ":suda.local 352 carol #room ~carol 127.0.0.1 suda.local carol H+ :0 Test carol");
  suda_test_client_await (carol, ":suda.local 315 carol #room :End of /WHO list.");

  suda_test_client_send (alice, "MODE #room -o+v bob bob");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 MODE #room -o+v bob bob");
  suda_test_client_send (bob, "MODE #room -v carol");
  suda_test_client_await (bob, ":suda.local 482 bob #room :You're not channel operator");

  /* Errors: not on the channel, unknown mode, missing argument. */
  suda_test_client_send (alice, "MODE #room +o nobody");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
  suda_test_client_send (alice, "MODE #room +z");
  suda_test_client_await (alice, ":suda.local 472 alice z :is unknown mode char to me");
  suda_test_client_send (alice, "MODE #room +o");
  suda_test_client_await (alice, ":suda.local 461 alice MODE :Not enough parameters");
  suda_test_client_send (alice, "MODE #nowhere +o bob");
  suda_test_client_await (alice, ":suda.local 403 alice #nowhere :No such channel");
  suda_test_client_send (alice, "MODE");
  suda_test_client_await (alice, ":suda.local 461 alice MODE :Not enough parameters");
}

static void
test_kick (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_send (bob, "KICK #room alice :mutiny");
  suda_test_client_await (bob, ":suda.local 482 bob #room :You're not channel operator");
  suda_test_client_send (alice, "KICK #room carol");
  suda_test_client_await (alice, ":suda.local 441 alice carol #room :They aren't on that channel");
  suda_test_client_send (alice, "KICK #room nobody");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
  suda_test_client_send (carol, "KICK #room bob");
  suda_test_client_await (carol, ":suda.local 442 carol #room :You're not on that channel");
  suda_test_client_send (carol, "KICK #nowhere bob");
  suda_test_client_await (carol, ":suda.local 403 carol #nowhere :No such channel");
  suda_test_client_send (carol, "KICK #room");
  suda_test_client_await (carol, ":suda.local 461 carol KICK :Not enough parameters");

  suda_test_client_send (alice, "KICK #room Bob :be nice");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 KICK #room bob :be nice");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 KICK #room bob :be nice");
  /* Bob is out: his messages no longer reach the room (+n). */
  suda_test_client_send (bob, "PRIVMSG #room :hello?");
  suda_test_client_await (bob, ":suda.local 404 bob #room :Cannot send to channel");
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 JOIN #room");
  suda_test_client_send (alice, "KICK #room bob");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 KICK #room bob :alice");
}

static void
test_mode_limit_and_key (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_send (alice, "MODE #room +l 2");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #room +l 2");
  suda_test_client_join (bob, "bob", "#room");
  suda_test_client_send (carol, "JOIN #room");
  suda_test_client_await (carol, ":suda.local 471 carol #room :Cannot join channel (+l)");
  suda_test_client_send (alice, "MODE #room +l zero");
  suda_test_client_await (alice, ":suda.local 696 alice #room l zero :*");
  suda_test_client_send (alice, "MODE #room -l+k secret");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room -l+k secret");
  suda_test_client_send (carol, "JOIN #room wrong");
  suda_test_client_await (carol, ":suda.local 475 carol #room :Cannot join channel (+k)");
  suda_test_client_send (carol, "JOIN #room secret");
  suda_test_client_await (carol, ":carol!~carol@127.0.0.1 JOIN #room");
  suda_test_client_send (alice, "MODE #room -k *");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 MODE #room -k *");
  suda_test_client_send (alice, "MODE #room");
  suda_test_client_await (alice, ":suda.local 324 alice #room +nt");
}

static void
test_mode_invite_only (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", NULL, "#room");

  suda_test_client_send (alice, "MODE #room +i");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 MODE #room +i");
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_await (bob, ":suda.local 473 bob #room :Cannot join channel (+i)");

  /* Only an op invites into a +i room. */
  suda_test_client_send (carol, "INVITE bob #room");
  suda_test_client_await (carol, ":suda.local 482 carol #room :You're not channel operator");
  suda_test_client_send (bob, "INVITE carol #room");
  suda_test_client_await (bob, ":suda.local 442 bob #room :You're not on that channel");
  suda_test_client_send (alice, "INVITE carol #room");
  suda_test_client_await (alice, ":suda.local 443 alice carol #room :is already on channel");
  suda_test_client_send (alice, "INVITE nobody #room");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
  suda_test_client_send (alice, "INVITE bob #nowhere");
  suda_test_client_await (alice, ":suda.local 403 alice #nowhere :No such channel");

  suda_test_client_send (alice, "INVITE Bob #room");
  suda_test_client_await (alice, ":suda.local 341 alice bob #room");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 INVITE bob #room");
  suda_test_client_join (bob, "bob", "#room");
  suda_test_client_await (carol, ":bob!~bob@127.0.0.1 JOIN #room");

  /* An invitation is used up by the join. */
  suda_test_client_send (bob, "PART #room");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 PART #room");
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_await (bob, ":suda.local 473 bob #room :Cannot join channel (+i)");
}

static void
test_mode_moderated_and_external (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) outsider = suda_test_user (server, "outsider", NULL);

  /* +n (default): no messages from outside. */
  suda_test_client_send (outsider, "PRIVMSG #room :knock knock");
  suda_test_client_await (outsider, ":suda.local 404 outsider #room :Cannot send to channel");
  suda_test_client_send (alice, "MODE #room -n");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room -n");
  suda_test_client_send (outsider, "PRIVMSG #room :knock knock");
  suda_test_client_await (bob, ":outsider!~outsider@127.0.0.1 PRIVMSG #room :knock knock");

  /* +m: only ops and voiced members talk. */
  suda_test_client_send (alice, "MODE #room +mn");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room +mn");
  suda_test_client_send (bob, "PRIVMSG #room :can I talk?");
  suda_test_client_await (bob, ":suda.local 404 bob #room :Cannot send to channel");
  suda_test_client_send (alice, "PRIVMSG #room :ops can");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 PRIVMSG #room :ops can");
  suda_test_client_send (alice, "MODE #room +v bob");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room +v bob");
  suda_test_client_send (bob, "PRIVMSG #room :now I can");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 PRIVMSG #room :now I can");
}

static void
test_mode_ban (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (alice, "MODE #room +b Bob!*@*");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #room +b Bob!*@*");
  suda_test_client_send (bob, "MODE #room b");
  suda_test_client_await (bob, ":suda.local 367 bob #room bob!*@*");
  suda_test_client_await (bob, ":suda.local 368 bob #room :End of channel ban list");
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_await (bob, ":suda.local 474 bob #room :Cannot join channel (+b)");

  /* An invitation lets a banned user in; lifting the ban empties the list. */
  suda_test_client_send (alice, "INVITE bob #room");
  suda_test_client_await (alice, ":suda.local 341 alice bob #room");
  suda_test_client_join (bob, "bob", "#room");
  suda_test_client_send (alice, "MODE #room -b bob!*@*");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 MODE #room -b bob!*@*");
  suda_test_client_send (bob, "MODE #room b");
  suda_test_client_await (bob, ":suda.local 368 bob #room :End of channel ban list");
}

static void
test_user_mode (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (alice, "MODE alice");
  suda_test_client_await (alice, ":suda.local 221 alice +");
  suda_test_client_send (alice, "MODE alice +i");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE alice :+i");
  suda_test_client_send (alice, "MODE ALICE");
  suda_test_client_await (alice, ":suda.local 221 alice +i");
  suda_test_client_send (alice, "MODE alice +i");
  suda_test_client_assert_quiet (alice);
  suda_test_client_send (alice, "MODE alice +x");
  suda_test_client_await (alice, ":suda.local 501 alice :Unknown MODE flag");
  suda_test_client_send (alice, "MODE alice -i");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE alice :-i");
  suda_test_client_send (alice, "MODE bob +i");
  suda_test_client_await (alice, ":suda.local 502 alice :Can't change mode for other users");
  suda_test_client_send (alice, "MODE nobody");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
  (void) bob;
}

/* Queries ------------------------------------------------------------------- */

static void
test_queries (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");

  suda_test_client_send (alice, "TOPIC #room :talk here");

  suda_test_client_send (alice, "WHOIS Bob");
  suda_test_client_await (alice, ":suda.local 311 alice bob ~bob 127.0.0.1 * :Test bob");
  suda_test_client_await (alice, ":suda.local 319 alice bob :#room");
  suda_test_client_await (alice, ":suda.local 312 alice bob suda.local :Suda");
  suda_test_client_await (alice, ":suda.local 317 alice bob * * :seconds idle, signon time");
  suda_test_client_await (alice, ":suda.local 318 alice bob :End of /WHOIS list.");
  suda_test_client_send (bob, "WHOIS alice");
  suda_test_client_await (bob, ":suda.local 319 bob alice :@#room");
  suda_test_client_send (alice, "WHOIS nobody");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
  suda_test_client_await (alice, ":suda.local 318 alice nobody :End of /WHOIS list.");
  suda_test_client_send (alice, "WHOIS suda");
  suda_test_client_await (alice, ":suda.local 311 alice suda suda suda.local * :Suda service");
  suda_test_client_send (alice, "WHOIS");
  suda_test_client_await (alice, ":suda.local 461 alice WHOIS :Not enough parameters");

  suda_test_client_send (alice, "WHO bob");
  suda_test_client_await (alice, ":suda.local 352 alice * ~bob 127.0.0.1 suda.local bob H :0 Test bob");
  suda_test_client_await (alice, ":suda.local 315 alice bob :End of /WHO list.");

  suda_test_client_send (alice, "LIST");
  suda_test_client_await (alice, ":suda.local 321 alice Channel :Users  Name");
  {
    g_autoptr(GPtrArray) lines = suda_test_client_sync (alice);
    gboolean lobby = FALSE, room = FALSE, end = FALSE;

    for (guint i = 0; i < lines->len; i++)
      {
        const char *line = g_ptr_array_index (lines, i);

        lobby |= g_str_equal (line, ":suda.local 322 alice #lobby 1 :");
        room |= g_str_equal (line, ":suda.local 322 alice #room 3 :talk here");
        end |= g_str_equal (line, ":suda.local 323 alice :End of /LIST");
      }
    g_assert_true (lobby && room && end);
  }

  suda_test_client_send (alice, "LUSERS");
  suda_test_client_await (alice, ":suda.local 251 alice :There are 2 users and 0 invisible on 1 servers");
  suda_test_client_await (alice, ":suda.local 254 alice 2 :channels formed");
  suda_test_client_await (alice, ":suda.local 255 alice :I have 2 clients and 0 servers");
  suda_test_client_send (alice, "MOTD");
  suda_test_client_await (alice, ":suda.local 422 alice :MOTD File is missing");
  suda_test_client_send (alice, "VERSION");
  suda_test_client_await (alice, ":suda.local 351 alice suda-" PACKAGE_VERSION " suda.local :Suda chat server");
  suda_test_client_await (alice, ":suda.local 005 alice *CASEMAPPING=rfc1459*");
  suda_test_client_send (alice, "TIME");
  suda_test_client_await (alice, ":suda.local 391 alice suda.local :* -- ??:??:?? *");

  suda_test_client_send (alice, "USERHOST bob nobody ALICE");
  suda_test_client_await (alice, ":suda.local 302 alice :bob=+~bob@127.0.0.1 alice=+~alice@127.0.0.1");
  suda_test_client_send (alice, "ISON bob nobody SUDA Alice");
  suda_test_client_await (alice, ":suda.local 303 alice :bob suda alice");
  suda_test_client_send (alice, "ISON :bob nobody");
  suda_test_client_await (alice, ":suda.local 303 alice :bob");
  suda_test_client_send (alice, "ISON");
  suda_test_client_await (alice, ":suda.local 461 alice ISON :Not enough parameters");

  suda_test_client_send (alice, "PING :are you there");
  suda_test_client_await (alice, ":suda.local PONG suda.local :are you there");
  suda_test_client_send (alice, "PING");
  suda_test_client_await (alice, ":suda.local 461 alice PING :Not enough parameters");
  suda_test_client_send (alice, "FROBNICATE #room");
  suda_test_client_await (alice, ":suda.local 421 alice FROBNICATE :Unknown command");
  suda_test_client_send (alice, "frobnicate");
  suda_test_client_await (alice, ":suda.local 421 alice FROBNICATE :Unknown command");
}

static void
test_away (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", "away-notify", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", NULL, "#room");

  suda_test_client_send (bob, "AWAY :at lunch");
  suda_test_client_await (bob, ":suda.local 306 bob :You have been marked as being away");
  /* away-notify members hear of it; the others do not. */
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 AWAY :at lunch");
  suda_test_client_assert_quiet (carol);

  suda_test_client_send (alice, "PRIVMSG bob :ping me later");
  suda_test_client_await (alice, ":suda.local 301 alice bob :at lunch");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 PRIVMSG bob :ping me later");
  suda_test_client_send (alice, "NOTICE bob :no auto-reply for notices");
  suda_test_client_assert_quiet (alice);
  suda_test_client_send (alice, "WHOIS bob");
  suda_test_client_await (alice, ":suda.local 301 alice bob :at lunch");
  suda_test_client_send (alice, "USERHOST bob");
  suda_test_client_await (alice, ":suda.local 302 alice :bob=-~bob@127.0.0.1");
  suda_test_client_send (alice, "WHO #room");
  suda_test_client_await (alice, ":suda.local 352 alice #room ~bob 127.0.0.1 suda.local bob G :0 Test bob");

  suda_test_client_send (bob, "AWAY");
  suda_test_client_await (bob, ":suda.local 305 bob :You are no longer marked as being away");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 AWAY");
  suda_test_client_send (alice, "PRIVMSG bob :back?");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 PRIVMSG bob :back?");
  suda_test_client_assert_quiet (alice);
}

/* Messages ------------------------------------------------------------------- */

#define CROWD 30

static void
test_fan_out (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  SudaTestClient *crowd[CROWD];

  /* Every other member takes server-time. */
  for (guint i = 0; i < CROWD; i++)
    {
      g_autofree char *nick = g_strdup_printf ("member%02u", i);

      crowd[i] = suda_test_user (server, nick, i % 2 ? NULL : "server-time");
      suda_test_client_join (crowd[i], nick, "#crowd");
    }
  /* Everyone has seen the last one come in before anyone talks. */
  for (guint i = 0; i + 1 < CROWD; i++)
    suda_test_client_await (crowd[i], "*:member29!~member29@127.0.0.1 JOIN #crowd");

  suda_test_client_send (crowd[7], "PRIVMSG #crowd :hello, everyone 안녕");
  for (guint i = 0; i < CROWD; i++)
    {
      g_autofree char *line = NULL;

      if (i == 7)
        continue;
      line = suda_test_client_expect (crowd[i], "*PRIVMSG #crowd *");
      if (i % 2)
        g_assert_cmpstr (line, ==, ":member07!~member07@127.0.0.1 PRIVMSG #crowd :hello, everyone 안녕");
      else
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          g_autoptr(GDateTime) stamp = NULL;
          g_autofree char *iso = NULL;

          g_assert_true (g_pattern_match_simple (TIME_TAG " :member07!~member07@127.0.0.1 PRIVMSG #crowd :hello, everyone 안녕", line));
          iso = g_strndup (line + strlen ("@time="), strlen ("2026-11-21T05:03:07.123Z"));
          stamp = g_date_time_new_from_iso8601 (iso, NULL);
          g_assert_nonnull (stamp);
          /* UTC, and now give or take the test's own run time. */
          g_assert_cmpint (ABS (g_date_time_difference (now, stamp)), <, 10 * G_USEC_PER_SEC);
        }
    }
  /* The sender does not get its own line back without echo-message. */
  suda_test_client_assert_quiet (crowd[7]);

  /* A second message reaches everyone in order, after the first. */
  suda_test_client_send (crowd[0], "PRIVMSG #crowd :one");
  suda_test_client_send (crowd[0], "PRIVMSG #crowd :two");
  for (guint i = 1; i < CROWD; i++)
    {
      suda_test_client_await (crowd[i], "*:member00!~member00@127.0.0.1 PRIVMSG #crowd :one");
      suda_test_client_await (crowd[i], "*:member00!~member00@127.0.0.1 PRIVMSG #crowd :two");
    }

  for (guint i = 0; i < CROWD; i++)
    suda_test_client_free (crowd[i]);
}

static void
test_nick_and_quit_seen_by_peers (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_join (alice, "alice", "#a");
  suda_test_client_join (bob, "bob", "#a");
  suda_test_client_join (alice, "alice", "#b");
  suda_test_client_join (bob, "bob", "#b");

  /* Once per peer, however many rooms they share; not to strangers. */
  suda_test_client_send (alice, "NICK :alicia");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 NICK :alicia");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 NICK :alicia");
  suda_test_client_assert_quiet (bob);
  suda_test_client_assert_quiet (carol);
  /* A channel named in another case is the same channel. */
  suda_test_client_send (bob, "PRIVMSG #A :hi alicia");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 PRIVMSG #a :hi alicia");
  suda_test_client_send (carol, "WHOIS alicia");
  suda_test_client_await (carol, ":suda.local 319 carol alicia :*#a*");
  suda_test_client_send (carol, "WHOIS alice");
  suda_test_client_await (carol, ":suda.local 401 carol alice :No such nick/channel");
  suda_test_client_await (carol, ":suda.local 318 carol alice :End of /WHOIS list.");

  suda_test_client_send (alice, "QUIT :off to class");
  suda_test_client_await (alice, "ERROR :Closing link: 127.0.0.1 (Quit: off to class)");
  g_assert_true (suda_test_client_wait_closed (alice, 2000));
  suda_test_client_await (bob, ":alicia!~alice@127.0.0.1 QUIT :Quit: off to class");
  suda_test_client_assert_quiet (bob);
  suda_test_client_assert_quiet (carol);
  suda_test_client_send (bob, "NAMES #a");
  suda_test_client_await (bob, ":suda.local 353 bob = #a :suda bob");
}

static void
test_topic_truncated_on_utf8_boundary (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(GString) topic = g_string_new ("a");
  g_autofree char *line = NULL;
  const char *text;

  suda_test_client_join (alice, "alice", "#room");
  for (guint i = 0; i < 150; i++)
    g_string_append (topic, "가");
  suda_test_client_send (alice, "TOPIC #room :%s", topic->str);
  line = suda_test_client_expect (alice, ":alice!~alice@127.0.0.1 TOPIC #room :a가*");
  text = strstr (line, " :") + 2;
  /* TOPICLEN=390 bytes: 1 + 129 * 3, never half a syllable. */
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpuint (strlen (text), ==, 388);
}

static void
test_echo_message (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", "echo-message server-time message-tags", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "message-tags", "#room");

  suda_test_client_send (alice, "@+draft/reply=abc;label=x PRIVMSG #room :echo me");
  suda_test_client_await (alice, TIME_TAG ";msgid=*;+draft/reply=abc :alice!~alice@127.0.0.1 PRIVMSG #room :echo me");
  suda_test_client_await (bob, "@msgid=*;+draft/reply=abc :alice!~alice@127.0.0.1 PRIVMSG #room :echo me");
  suda_test_client_send (alice, "PRIVMSG bob :private echo");
  suda_test_client_await (alice, TIME_TAG ";msgid=* :alice!~alice@127.0.0.1 PRIVMSG bob :private echo");
  suda_test_client_await (bob, "@msgid=* :alice!~alice@127.0.0.1 PRIVMSG bob :private echo");

  /* A note to oneself comes back once, not once as message and once as echo. */
  suda_test_client_send (alice, "PRIVMSG ALICE :note to self");
  suda_test_client_await (alice, TIME_TAG ";msgid=* :alice!~alice@127.0.0.1 PRIVMSG alice :note to self");
  suda_test_client_assert_quiet (alice);
  suda_test_client_assert_quiet (bob);
}

/* IRCv3: a client's tags may take 4094 bytes (the '@' and the space
 * aside); more gets 417 and the message is not delivered. */
static void
test_client_tags_limit (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", "message-tags", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "message-tags", "#room");
  g_autoptr(GString) tags = g_string_new ("+x=");
  g_autofree char *heard = NULL;

  while (tags->len < 4094)
    g_string_append_c (tags, 'v');
  suda_test_client_send (alice, "@%s PRIVMSG #room :at the limit", tags->str);
  heard = g_strdup_printf ("@msgid=*;%s :alice!~alice@127.0.0.1 PRIVMSG #room :at the limit", tags->str);
  suda_test_client_await (bob, heard);

  g_string_append_c (tags, 'v');
  suda_test_client_send (alice, "@%s PRIVMSG #room :over the limit", tags->str);
  suda_test_client_await (alice, ":suda.local 417 alice :Input line was too long");
  /* Split in two tags, the same. */
  tags->str[2000] = ';';
  tags->str[2001] = '+';
  suda_test_client_send (alice, "@%s PRIVMSG #room :over in two", tags->str);
  suda_test_client_await (alice, ":suda.local 417 alice :Input line was too long");
  suda_test_client_expect_nothing_before_sync (bob, "*over*");
  suda_test_client_send (alice, "PRIVMSG #room :still here");
  suda_test_client_await (bob, "@msgid=* :alice!~alice@127.0.0.1 PRIVMSG #room :still here");
}

static void
test_multiple_targets (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_join (alice, "alice", "#a");
  suda_test_client_join (bob, "bob", "#a");
  suda_test_client_join (alice, "alice", "#b");

  /* Duplicates (in any case) are delivered once; unknown ones get 401. */
  suda_test_client_send (alice, "PRIVMSG #a,carol,nobody,CAROL :to all of you");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 PRIVMSG #a :to all of you");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 PRIVMSG carol :to all of you");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
  suda_test_client_assert_quiet (carol);
  suda_test_client_assert_quiet (bob);
  suda_test_client_assert_quiet (alice);

  suda_test_client_send (alice, "PRIVMSG a,b,c,d,e :too many");
  suda_test_client_await (alice, ":suda.local 407 alice e :Too many targets. No message delivered");
}

static void
test_private_messages (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "Bob[1]", "server-time");

  suda_test_client_send (alice, "PRIVMSG bob{1} :psst, 비밀이야");
  suda_test_client_await (bob, TIME_TAG " :alice!~alice@127.0.0.1 PRIVMSG Bob[1] :psst, 비밀이야");
  suda_test_client_send (bob, "PRIVMSG Alice :what?");
  suda_test_client_await (alice, ":Bob[1]!~Bob_1_@127.0.0.1 PRIVMSG alice :what?");
  suda_test_client_send (bob, "NOTICE alice :a notice");
  suda_test_client_await (alice, ":Bob[1]!~Bob_1_@127.0.0.1 NOTICE alice :a notice");

  suda_test_client_send (alice, "PRIVMSG nobody :hello?");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
  suda_test_client_send (alice, "PRIVMSG #nowhere :hello?");
  suda_test_client_await (alice, ":suda.local 403 alice #nowhere :No such channel");
  suda_test_client_send (alice, "PRIVMSG");
  suda_test_client_await (alice, ":suda.local 411 alice :No recipient given (PRIVMSG)");
  suda_test_client_send (alice, "PRIVMSG bob{1}");
  suda_test_client_await (alice, ":suda.local 412 alice :No text to send");
  suda_test_client_send (alice, "PRIVMSG bob{1} :");
  suda_test_client_await (alice, ":suda.local 412 alice :No text to send");
  suda_test_client_assert_quiet (bob);
}

static void
test_notice_never_errors (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#closed");

  suda_test_client_send (bob, "MODE #closed +m");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 MODE #closed +m");

  suda_test_client_send (alice, "NOTICE nobody :x");
  suda_test_client_send (alice, "NOTICE #nowhere :x");
  suda_test_client_send (alice, "NOTICE #closed :x");  /* +n and +m */
  suda_test_client_send (alice, "NOTICE");
  suda_test_client_send (alice, "NOTICE bob");
  suda_test_client_send (alice, "NOTICE bob :");
  suda_test_client_assert_quiet (alice);
  suda_test_client_assert_quiet (bob);
  suda_test_client_send (alice, "NOTICE bob :but this arrives");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 NOTICE bob :but this arrives");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/channel/join/first-member-is-op", test_join_first_is_op);
  g_test_add_func ("/server/channel/join/several-with-keys-and-zero", test_join_several_with_keys);
  g_test_add_func ("/server/channel/part/errors", test_part_errors);
  g_test_add_func ("/server/channel/topic/op-only-under-t", test_topic);
  g_test_add_func ("/server/channel/mode/op-and-voice", test_mode_op_voice);
  g_test_add_func ("/server/channel/mode/limit-and-key", test_mode_limit_and_key);
  g_test_add_func ("/server/channel/mode/invite-only", test_mode_invite_only);
  g_test_add_func ("/server/channel/mode/moderated-and-no-external", test_mode_moderated_and_external);
  g_test_add_func ("/server/channel/mode/ban", test_mode_ban);
  g_test_add_func ("/server/channel/kick/op-allowed-non-op-refused", test_kick);
  g_test_add_func ("/server/user/mode-invisible", test_user_mode);
  g_test_add_func ("/server/user/away", test_away);
  g_test_add_func ("/server/query/whois-who-list-lusers-version-time-userhost-ison", test_queries);
  g_test_add_func ("/server/message/fan-out-30-with-time-tags", test_fan_out);
  g_test_add_func ("/server/message/echo-message-and-client-tags", test_echo_message);
  g_test_add_func ("/server/message/client-tags-limit-4094", test_client_tags_limit);
  g_test_add_func ("/server/user/nick-and-quit-seen-by-peers", test_nick_and_quit_seen_by_peers);
  g_test_add_func ("/server/channel/topic/truncated-on-utf8-boundary", test_topic_truncated_on_utf8_boundary);
  g_test_add_func ("/server/message/multiple-targets", test_multiple_targets);
  g_test_add_func ("/server/message/private", test_private_messages);
  g_test_add_func ("/server/message/notice-never-gets-errors", test_notice_never_errors);
  return g_test_run ();
}
