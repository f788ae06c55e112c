/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The IRC commands past the core set, grouped by command the way
 * src/server/irc/ is: WHOX, WHOWAS, INFO, LINKS, ADMIN, STATS, HELP,
 * WALLOPS, KNOCK, SETNAME, INVITE lists, STATUSMSG, several targets,
 * channel modes +p +e +I and m:, LIST filters, REHASH; and what plain-text
 * sessions see of them. */
#include "config.h"

#include <crypt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "suda-test-util.h"

static char *
hash_password (const char *password)
{
  g_autofree char *salt = crypt_gensalt_ra (NULL, 0, NULL, 0);
  struct crypt_data data = { 0 };
  const char *hash = crypt_r (password, salt, &data);

  g_assert_nonnull (hash);
  return g_strdup (hash);
}

/* A server with one operator, "teacher" / "letmein". */
static SudaServer *
server_with_oper (SudaServerConfig *config)
{
  g_autofree char *hash = hash_password ("letmein");

  g_assert_true (suda_server_config_set_value (config, "operators", "teacher", hash, NULL));
  return suda_test_server_new_unthrottled (config);
}

static void
become_oper (SudaTestClient *c,
             const char     *nick)
{
  g_autofree char *pattern = g_strdup_printf (":suda.local 381 %s *", nick);

  suda_test_client_send (c, "OPER teacher letmein");
  suda_test_client_await (c, pattern);
}

/* A plain-text session named NICK, past its welcome. */
static SudaTestClient *
plain_user (SudaServer *server,
            const char *nick)
{
  SudaTestClient *c = suda_test_client_connect (suda_server_get_port (server));

  suda_test_client_send (c, "%s", nick);
  suda_test_client_await (c, "*** Welcome to Suda!*");
  return c;
}

/* Every line a plain-text session reads is plain text, never IRC. */
static void
forbid_irc_line (const char *line)
{
  g_assert_false (line[0] == ':' || line[0] == '@' || g_str_has_prefix (line, "PING"));
}

/* WHO (WHOX) ---------------------------------------------------------------- */

static void
test_whox (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autofree char *line = NULL;

  /* Fields come in the fixed order t c u i h s n f d l a o r, whatever the asked order. */
  suda_test_client_send (bob, "WHO #room %%rnfchuadtsilo,42");
  suda_test_client_await (bob, ":suda.local 354 bob 42 #room suda 255.255.255.255 suda.local suda.local suda H 0 0 0 n/a :Suda service");
  suda_test_client_await (bob, ":suda.local 354 bob 42 #room ~alice 127.0.0.1 127.0.0.1 suda.local alice H@ 0 * 0 n/a :Test alice");
  suda_test_client_await (bob, ":suda.local 354 bob 42 #room ~bob 127.0.0.1 127.0.0.1 suda.local bob H 0 * 0 n/a :Test bob");
  suda_test_client_await (bob, ":suda.local 315 bob #room :End of /WHO list.");

  /* A few fields, no token; a bad token is 0. */
  suda_test_client_send (bob, "WHO alice %%na");
  suda_test_client_await (bob, ":suda.local 354 bob alice 0");
  suda_test_client_send (bob, "WHO alice %%tn,abc");
  suda_test_client_await (bob, ":suda.local 354 bob 0 alice");
  suda_test_client_send (bob, "WHO al* %%nr");
  suda_test_client_await (bob, ":suda.local 354 bob alice :Test alice");
  suda_test_client_await (bob, ":suda.local 315 bob al* :End of /WHO list.");

  /* Plain WHO still answers 352. */
  suda_test_client_send (bob, "WHO alice");
  suda_test_client_await (bob, ":suda.local 352 bob * ~alice 127.0.0.1 suda.local alice H :0 Test alice");

  /* Advertised. */
  suda_test_client_send (bob, "VERSION");
  line = suda_test_client_expect (bob, ":suda.local 005 bob *WHOX*");
  g_assert_nonnull (strstr (line, " WHOX "));
}

/* WHOWAS -------------------------------------------------------------------- */

static void
test_whowas (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) watcher = suda_test_user (server, "watcher", NULL);
  g_autoptr(GPtrArray) lines = NULL;

  /* alice was alice twice (a nick change, then a quit as alice again). */
  suda_test_client_send (alice, "NICK alice2");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 NICK :alice2");
  suda_test_client_send (alice, "NICK alice");
  suda_test_client_await (alice, ":alice2!~alice@127.0.0.1 NICK :alice");
  suda_test_client_send (alice, "QUIT :bye");
  g_assert_true (suda_test_client_wait_closed (alice, 5000));

  suda_test_client_send (watcher, "WHOWAS alice");
  suda_test_client_await (watcher, ":suda.local 314 watcher alice ~alice 127.0.0.1 * :Test alice");
  suda_test_client_await (watcher, ":suda.local 312 watcher alice suda.local :*");
  suda_test_client_await (watcher, ":suda.local 314 watcher alice ~alice 127.0.0.1 * :Test alice");
  suda_test_client_await (watcher, ":suda.local 312 watcher alice suda.local :*");
  suda_test_client_await (watcher, ":suda.local 369 watcher alice :End of WHOWAS");

  /* A count of 1 is the newest only; 0 and negative counts are all. */
  suda_test_client_send (watcher, "WHOWAS alice 1");
  lines = suda_test_client_sync (watcher);
  g_assert_cmpuint (lines->len, ==, 3);
  g_clear_pointer (&lines, g_ptr_array_unref);
  suda_test_client_send (watcher, "WHOWAS alice 0");
  lines = suda_test_client_sync (watcher);
  g_assert_cmpuint (lines->len, ==, 5);
  g_clear_pointer (&lines, g_ptr_array_unref);
  suda_test_client_send (watcher, "WHOWAS alice -1");
  lines = suda_test_client_sync (watcher);
  g_assert_cmpuint (lines->len, ==, 5);
  g_clear_pointer (&lines, g_ptr_array_unref);

  suda_test_client_send (watcher, "WHOWAS alice2");
  suda_test_client_await (watcher, ":suda.local 314 watcher alice2 ~alice 127.0.0.1 * :Test alice");
  suda_test_client_send (watcher, "WHOWAS nobody");
  suda_test_client_await (watcher, ":suda.local 406 watcher nobody :There was no such nickname");
  suda_test_client_await (watcher, ":suda.local 369 watcher nobody :End of WHOWAS");
  suda_test_client_send (watcher, "WHOWAS");
  suda_test_client_await (watcher, ":suda.local 461 watcher WHOWAS :Not enough parameters");

  /* A plain-text session's nick is remembered too. */
  {
    g_autoptr(SudaTestClient) frank = plain_user (server, "frank");

    suda_test_client_send (frank, "/quit");
    g_assert_true (suda_test_client_wait_closed (frank, 5000));
    suda_test_client_send (watcher, "WHOWAS frank");
    suda_test_client_await (watcher, ":suda.local 314 watcher frank ~plain 127.0.0.1 * :Plain-text user");
  }
}

/* INFO, LINKS, ADMIN, STATS --------------------------------------------------- */

static void
test_info_links_admin (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) bob = NULL;

  g_assert_true (suda_server_config_set_value (config, "server", "admin-location", "Room 301", NULL));
  g_assert_true (suda_server_config_set_value (config, "server", "admin-email", "kim@example.org", NULL));
  server = suda_test_server_new_unthrottled (config);
  bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (bob, "INFO");
  suda_test_client_await (bob, ":suda.local 371 bob :Suda " PACKAGE_VERSION);
  suda_test_client_await (bob, ":suda.local 374 bob :End of /INFO list.");

  suda_test_client_send (bob, "LINKS");
  suda_test_client_await (bob, ":suda.local 364 bob suda.local suda.local :0 Suda chat server");
  suda_test_client_await (bob, ":suda.local 365 bob * :End of /LINKS list.");
  suda_test_client_send (bob, "LINKS elsewhere.*");
  suda_test_client_expect_nothing_before_sync (bob, "* 364 *");

  suda_test_client_send (bob, "ADMIN");
  suda_test_client_await (bob, ":suda.local 256 bob suda.local :Administrative info");
  suda_test_client_await (bob, ":suda.local 257 bob :Room 301");
  suda_test_client_await (bob, ":suda.local 258 bob :Suda chat network");
  suda_test_client_await (bob, ":suda.local 259 bob :kim@example.org");
  suda_test_client_send (bob, "ADMIN other.example");
  suda_test_client_await (bob, ":suda.local 402 bob other.example :No such server");
}

static void
test_admin_without_config (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (bob, "ADMIN suda.local");
  suda_test_client_await (bob, ":suda.local 256 bob suda.local :Administrative info");
  suda_test_client_await (bob, ":suda.local 257 bob :No administrative location is configured");
  suda_test_client_await (bob, ":suda.local 259 bob :No administrative contact is configured");
}

static void
test_stats (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;

  suda_test_client_send (bob, "PRIVMSG #room :one");
  suda_test_client_send (bob, "PRIVMSG #room :two");
  suda_test_client_send (bob, "STATS u");
  suda_test_client_await (bob, ":suda.local 242 bob :Server Up 0 days 0:00:*");
  suda_test_client_await (bob, ":suda.local 219 bob u :End of /STATS report");

  /* Each command with its count and bytes; PRIVMSG came twice. */
  suda_test_client_send (bob, "STATS m");
  line = suda_test_client_expect (bob, ":suda.local 212 bob PRIVMSG 2 * 0");
  words = g_strsplit (line, " ", 0);
  g_assert_cmpint (g_ascii_strtoll (words[5], NULL, 10), >=, 2 * strlen ("PRIVMSG #room :one"));
  suda_test_client_await (bob, ":suda.local 219 bob m :End of /STATS report");

  /* An unknown letter is only the end. */
  suda_test_client_send (bob, "STATS q");
  suda_test_client_await (bob, ":suda.local 219 bob q :End of /STATS report");
}

/* HELP ---------------------------------------------------------------------- */

static void
test_help (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(GPtrArray) lines = NULL;

  suda_test_client_send (bob, "HELP");
  suda_test_client_await (bob, ":suda.local 704 bob * :*");
  lines = suda_test_client_sync (bob);
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 705 bob * :*KNOCK*"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local 706 bob * :End of /HELP."));

  suda_test_client_send (bob, "HELP join");
  suda_test_client_await (bob, ":suda.local 704 bob JOIN :JOIN <#room>*");
  suda_test_client_await (bob, ":suda.local 705 bob JOIN :Joins rooms*");
  suda_test_client_await (bob, ":suda.local 706 bob JOIN :End of /HELP.");
  suda_test_client_send (bob, "HELPOP whowas");
  suda_test_client_await (bob, ":suda.local 704 bob WHOWAS :WHOWAS <nick> [<count>]");

  suda_test_client_send (bob, "HELP nosuchthing");
  suda_test_client_await (bob, ":suda.local 524 bob NOSUCHTHING :No help available on this topic");
}

/* WALLOPS ------------------------------------------------------------------- */

static void
test_wallops (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = server_with_oper (config);
  g_autoptr(SudaTestClient) kim = suda_test_user (server, "kim", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_send (bob, "WALLOPS :not mine to say");
  suda_test_client_await (bob, ":suda.local 481 bob :Permission Denied- You're not an IRC operator");

  suda_test_client_send (bob, "MODE bob +w");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 MODE bob :+w");
  suda_test_client_send (bob, "MODE bob");
  suda_test_client_await (bob, ":suda.local 221 bob +w");
  become_oper (kim, "kim");
  suda_test_client_send (kim, "WALLOPS :server restarts at noon");
  suda_test_client_await (bob, ":kim!~kim@127.0.0.1 WALLOPS :server restarts at noon");
  suda_test_client_expect_nothing_before_sync (carol, "*WALLOPS*");
  suda_test_client_expect_nothing_before_sync (kim, "*WALLOPS*");
}

/* KNOCK --------------------------------------------------------------------- */

static void
test_knock (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_send (carol, "KNOCK #room");
  suda_test_client_await (carol, ":suda.local 713 carol #room :Channel is open");
  suda_test_client_send (bob, "KNOCK #room");
  suda_test_client_await (bob, ":suda.local 714 bob #room :You are already on that channel");
  suda_test_client_send (carol, "KNOCK #nowhere");
  suda_test_client_await (carol, ":suda.local 403 carol #nowhere :No such channel");

  suda_test_client_send (alice, "MODE #room +i");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #room +i");
  suda_test_client_send (carol, "KNOCK #room :let me in");
  suda_test_client_await (carol, ":suda.local 711 carol #room :Your KNOCK has been delivered");
  suda_test_client_await (alice, ":suda.local 710 alice #room carol!~carol@127.0.0.1 :has asked for an invite");
  /* Only the room's operators hear it. */
  suda_test_client_expect_nothing_before_sync (bob, "* 710 *");
  suda_test_client_send (carol, "KNOCK #room");
  suda_test_client_await (carol, ":suda.local 712 carol #room :*");
  suda_test_client_expect_nothing_before_sync (alice, "* 710 *");

  /* Advertised. */
  suda_test_client_send (carol, "VERSION");
  suda_test_client_await (carol, ":suda.local 005 carol * KNOCK *");
}

/* SETNAME ------------------------------------------------------------------- */

static void
test_setname (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "setname", "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", "setname", "#room");
  g_autoptr(SudaTestClient) dave = suda_test_member (server, "dave", NULL, "#room");
  g_autoptr(SudaTestClient) erin = suda_test_user (server, "erin", "setname");

  /* Its owner and room-mates with the cap hear of it; others and strangers do not. */
  suda_test_client_send (bob, "SETNAME :Robert Tables");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 SETNAME :Robert Tables");
  suda_test_client_await (carol, ":bob!~bob@127.0.0.1 SETNAME :Robert Tables");
  suda_test_client_expect_nothing_before_sync (dave, "*SETNAME*");
  suda_test_client_expect_nothing_before_sync (erin, "*SETNAME*");
  suda_test_client_send (dave, "WHOIS bob");
  suda_test_client_await (dave, ":suda.local 311 dave bob ~bob 127.0.0.1 * :Robert Tables");

  suda_test_client_send (bob, "SETNAME :");
  suda_test_client_await (bob, ":suda.local FAIL SETNAME INVALID_REALNAME :The real name is empty or too long");
  suda_test_client_send (dave, "SETNAME :Dave without the cap");
  suda_test_client_expect_nothing_before_sync (dave, "*SETNAME*");
  suda_test_client_send (carol, "WHOIS bob");
  suda_test_client_await (carol, ":suda.local 311 carol bob ~bob 127.0.0.1 * :Robert Tables");
  suda_test_client_send (carol, "WHOIS dave");
  suda_test_client_await (carol, ":suda.local 311 carol dave ~dave 127.0.0.1 * :Dave without the cap");
}

/* INVITE (the list) --------------------------------------------------------- */

static void
test_invite_list (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (bob, "INVITE");
  suda_test_client_await (bob, ":suda.local 337 bob :End of /INVITE list.");
  suda_test_client_join (alice, "alice", "#other");
  suda_test_client_send (alice, "INVITE bob #room");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 INVITE bob #room");
  suda_test_client_send (alice, "INVITE bob #other");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 INVITE bob #other");
  suda_test_client_send (bob, "INVITE");
  suda_test_client_await (bob, ":suda.local 336 bob #*");
  suda_test_client_await (bob, ":suda.local 336 bob #*");
  suda_test_client_await (bob, ":suda.local 337 bob :End of /INVITE list.");
  /* An invitation is used up by its JOIN. */
  suda_test_client_join (bob, "bob", "#room");
  suda_test_client_send (bob, "INVITE");
  suda_test_client_await (bob, ":suda.local 336 bob #other");
  suda_test_client_await (bob, ":suda.local 337 bob :End of /INVITE list.");
  suda_test_client_send (bob, "INVITE alice");
  suda_test_client_await (bob, ":suda.local 461 bob INVITE :Not enough parameters");
}

/* PRIVMSG @#room (STATUSMSG) --------------------------------------------------- */

static void
test_statusmsg (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", NULL, "#room");
  g_autoptr(SudaTestClient) dave = suda_test_member (server, "dave", "echo-message", "#room");

  suda_test_client_send (alice, "MODE #room +v bob");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 MODE #room +v bob");
  suda_test_client_send (carol, "PRIVMSG @#room :to the operators");
  suda_test_client_await (alice, ":carol!~carol@127.0.0.1 PRIVMSG @#room :to the operators");
  suda_test_client_send (carol, "PRIVMSG +#room :to the voiced");
  suda_test_client_await (alice, ":carol!~carol@127.0.0.1 PRIVMSG +#room :to the voiced");
  suda_test_client_await (bob, ":carol!~carol@127.0.0.1 PRIVMSG +#room :to the voiced");
  suda_test_client_expect_nothing_before_sync (bob, "*to the operators*");
  suda_test_client_expect_nothing_before_sync (dave, "*to the*");
  suda_test_client_expect_nothing_before_sync (carol, "*to the*");

  /* The sender's echo, and nothing of it in the history replayed. */
  suda_test_client_send (dave, "PRIVMSG @#room :echoed");
  suda_test_client_await (dave, ":dave!~dave@127.0.0.1 PRIVMSG @#room :echoed");
  suda_test_client_send (carol, "PART #room");
  suda_test_client_await (carol, ":carol!~carol@127.0.0.1 PART #room");
  suda_test_client_send (carol, "JOIN #room");
  suda_test_client_expect_nothing_before_sync (carol, "*to the*");

  suda_test_client_send (carol, "PRIVMSG @#nowhere :x");
  suda_test_client_await (carol, ":suda.local 403 carol @#nowhere :No such channel");
  suda_test_client_send (carol, "VERSION");
  suda_test_client_await (carol, ":suda.local 005 carol * STATUSMSG=@+ *");
}

/* KICK and NAMES with several targets ----------------------------------------- */

static void
test_kick_several (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", NULL, "#room");

  suda_test_client_send (alice, "KICK #room bob,nobody,carol :enough");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 KICK #room bob :enough");
  suda_test_client_await (alice, ":suda.local 401 alice nobody :No such nick/channel");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 KICK #room carol :enough");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 KICK #room carol :enough");
  suda_test_client_send (alice, "NAMES #room");
  suda_test_client_await (alice, ":suda.local 353 alice = #room :suda @alice");
}

static void
test_names_several (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#a");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#b");

  suda_test_client_send (alice, "NAMES #a,#b,#none");
  suda_test_client_await (alice, ":suda.local 353 alice = #a :suda @alice");
  suda_test_client_await (alice, ":suda.local 366 alice #a :End of /NAMES list.");
  suda_test_client_await (alice, ":suda.local 353 alice = #b :suda @bob");
  suda_test_client_await (alice, ":suda.local 366 alice #b :End of /NAMES list.");
  suda_test_client_await (alice, ":suda.local 366 alice #none :End of /NAMES list.");
}

/* MODE +p +e +I m: --------------------------------------------------------------- */

static void
test_private_room (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#prv");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (alice, "TOPIC #prv :inside only");
  suda_test_client_send (alice, "MODE #prv +p");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #prv +p");
  suda_test_client_send (alice, "MODE #prv");
  suda_test_client_await (alice, ":suda.local 324 alice #prv +npt");
  suda_test_client_send (alice, "NAMES #prv");
  suda_test_client_await (alice, ":suda.local 353 alice * #prv :suda @alice");

  /* Outsiders see it listed, but not its topic nor who is in it. */
  suda_test_client_send (bob, "LIST #prv");
  suda_test_client_await (bob, ":suda.local 322 bob #prv 2 :");
  suda_test_client_send (bob, "NAMES #prv");
  suda_test_client_expect_nothing_before_sync (bob, "* 353 *");
  suda_test_client_send (bob, "WHOIS alice");
  suda_test_client_expect_nothing_before_sync (bob, "* 319 *");
  suda_test_client_send (bob, "TOPIC #prv");
  suda_test_client_await (bob, ":suda.local 442 bob #prv :You're not on that channel");
}

static void
test_ban_exceptions (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_send (alice, "MODE #room +be *!*@127.0.0.1 bob!*@*");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #room +be *!*@127.0.0.1 bob!*@*");
  suda_test_client_send (alice, "MODE #room e");
  suda_test_client_await (alice, ":suda.local 348 alice #room bob!*@*");
  suda_test_client_await (alice, ":suda.local 349 alice #room :End of channel exception list");
  suda_test_client_send (carol, "JOIN #room");
  suda_test_client_await (carol, ":suda.local 474 carol #room :Cannot join channel (+b)");
  suda_test_client_join (bob, "bob", "#room");
  suda_test_client_send (bob, "PRIVMSG #room :excepted");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 PRIVMSG #room :excepted");

  suda_test_client_send (alice, "MODE #room -e bob!*@*");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #room -e bob!*@*");
  suda_test_client_send (alice, "MODE #room +e");
  suda_test_client_await (alice, ":suda.local 349 alice #room :End of channel exception list");
}

static void
test_invite_exceptions (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = suda_test_user (server, "carol", NULL);

  suda_test_client_send (alice, "MODE #room +iI carol!*@*");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #room +iI carol!*@*");
  suda_test_client_send (alice, "MODE #room I");
  suda_test_client_await (alice, ":suda.local 346 alice #room carol!*@*");
  suda_test_client_await (alice, ":suda.local 347 alice #room :End of channel invite exception list");
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_await (bob, ":suda.local 473 bob #room :Cannot join channel (+i)");
  suda_test_client_join (carol, "carol", "#room");
  suda_test_client_send (bob, "MODE #room I");
  suda_test_client_await (bob, ":suda.local 347 bob #room :*");
}

static void
test_mute_extban (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (alice, "MODE #room +b m:bob!*@*");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE #room +b m:bob!*@*");
  /* A muted person comes in, and reads, but says nothing. */
  suda_test_client_join (bob, "bob", "#room");
  suda_test_client_send (bob, "PRIVMSG #room :hello?");
  suda_test_client_await (bob, ":suda.local 404 bob #room :Cannot send to channel");
  suda_test_client_expect_nothing_before_sync (alice, "*hello?*");
  suda_test_client_send (alice, "PRIVMSG #room :you are muted");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 PRIVMSG #room :you are muted");
  suda_test_client_send (bob, "VERSION");
  suda_test_client_await (bob, ":suda.local 005 bob * EXTBAN=,m *");
}

/* LIST filters (ELIST=CMNTU) ---------------------------------------------------------- */

static void
assert_list (SudaTestClient     *c,
             const char         *query,
             const char * const *expected)
{
  g_autoptr(GPtrArray) lines = NULL;
  guint n_rooms = 0;

  suda_test_client_send (c, "LIST %s", query);
  lines = suda_test_client_sync (c);
  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), " 322 "))
      n_rooms++;
  g_test_message ("LIST %s", query);
  g_assert_cmpuint (n_rooms, ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i]; i++)
    {
      g_autofree char *pattern = g_strdup_printf ("* 322 * %s *", expected[i]);

      g_assert_nonnull (suda_test_lines_find (lines, pattern));
    }
}

static void
test_list_filters (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#study");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#study");

  suda_test_client_join (alice, "alice", "#test");
  suda_test_client_send (alice, "TOPIC #test :exam");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 TOPIC #test :exam");

  /* #lobby: the service; #test: the service, alice; #study: the service, alice, bob. */
  assert_list (bob, ">2", (const char *[]) { "#study", NULL });
  assert_list (bob, "<2", (const char *[]) { "#lobby", NULL });
  assert_list (bob, ">1,<3", (const char *[]) { "#test", NULL });
  assert_list (bob, "#s*", (const char *[]) { "#study", NULL });
  assert_list (bob, "!#s*", (const char *[]) { "#lobby", "#test", NULL });
  assert_list (bob, "*t*,!#study", (const char *[]) { "#test", NULL });
  /* Made less than a minute ago, or more than ten; topic set a minute ago or less. */
  assert_list (bob, "C<1", (const char *[]) { "#lobby", "#study", "#test", NULL });
  assert_list (bob, "C>10", (const char *[]) { NULL });
  assert_list (bob, "T<1", (const char *[]) { "#test", NULL });
  assert_list (bob, "T>1", (const char *[]) { NULL });
  /* Names still work, and plain LIST lists all. */
  assert_list (bob, "#test,#study", (const char *[]) { "#test", "#study", NULL });
  assert_list (bob, "", (const char *[]) { "#lobby", "#study", "#test", NULL });

  suda_test_client_send (bob, "VERSION");
  suda_test_client_await (bob, ":suda.local 005 bob * ELIST=CMNTU *");
}

/* LUSERS before registration; TOPIC of a secret room ------------------------------------ */

static void
test_lusers_before_registration (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) early = suda_test_client_connect (suda_server_get_port (server));

  suda_test_client_send (early, "LUSERS");
  suda_test_client_await (early, ":suda.local 251 * :There are 1 users and 0 invisible on 1 servers");
  suda_test_client_await (early, ":suda.local 253 * 1 :unknown connection(s)");
  suda_test_client_await (early, ":suda.local 266 * 1 1 :*");
  /* Other commands still wait for registration. */
  suda_test_client_send (early, "WHO alice");
  suda_test_client_await (early, ":suda.local 451 * :You have not registered");
}

static void
test_secret_topic (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#hide");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);

  suda_test_client_send (alice, "MODE #hide +s");
  suda_test_client_send (alice, "TOPIC #hide :plans");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 TOPIC #hide :plans");
  suda_test_client_send (alice, "TOPIC #hide");
  suda_test_client_await (alice, ":suda.local 332 alice #hide :plans");
  suda_test_client_send (bob, "TOPIC #hide");
  suda_test_client_await (bob, ":suda.local 442 bob #hide :You're not on that channel");
  suda_test_client_expect_nothing_before_sync (bob, "*plans*");
}

/* REHASH ------------------------------------------------------------------------------ */

static void
write_config (const char *path,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static void
test_rehash (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "suda.conf", NULL);
  g_autofree char *hash = hash_password ("letmein");
  g_autofree char *first = g_strdup_printf ("[server]\nmotd=first\n[operators]\nteacher=%s\n", hash);
  g_autofree char *second = g_strdup_printf ("[server]\nmotd=second\nport=7000\n[limits]\nmax-targets=1\n"
                                             "[ai]\nmodel=tiny-model\n[operators]\nhead=%s\n", hash);
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) kim = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaTestClient) lee = NULL;

  write_config (path, first);
  g_assert_true (suda_server_config_load_file (config, path, NULL));
  server = suda_test_server_new_unthrottled (config);
  kim = suda_test_user (server, "kim", NULL);
  bob = suda_test_user (server, "bob", NULL);

  /* Without a file there is nothing to read. */
  become_oper (kim, "kim");
  suda_test_client_send (kim, "REHASH");
  suda_test_client_await (kim, ":suda.local NOTICE kim :*without a config file*");

  suda_server_set_config_file (server, path, NULL);
  suda_test_client_send (bob, "REHASH");
  suda_test_client_await (bob, ":suda.local 481 bob :*");
  write_config (path, second);
  suda_test_client_send (kim, "REHASH");
  suda_test_client_await (kim, ":suda.local 382 kim suda.conf :Rehashing");
  suda_test_client_await (kim, ":suda.local NOTICE kim :*after a restart: *[server] port*");

  /* Nobody was dropped; the new MOTD, limits and operators are in force. */
  suda_test_client_send (bob, "MOTD");
  suda_test_client_await (bob, ":suda.local 372 bob :- second");
  suda_test_client_send (bob, "PRIVMSG kim,bob :two");
  suda_test_client_await (bob, ":suda.local 407 bob bob :*");
  lee = suda_test_user (server, "lee", NULL);
  suda_test_client_send (lee, "OPER head letmein");
  suda_test_client_await (lee, ":suda.local 381 lee *");
  g_assert_cmpstr (suda_server_get_config (server)->ai.model, ==, "tiny-model");

  /* A file that does not load changes nothing. */
  write_config (path, "[limits]\nmax-targets=none\n");
  suda_test_client_send (kim, "REHASH");
  suda_test_client_await (kim, ":suda.local NOTICE kim :*not read again*max-targets*");
  suda_test_client_send (bob, "MOTD");
  suda_test_client_await (bob, ":suda.local 372 bob :- second");
  g_assert_cmpint (g_remove (path), ==, 0);
}

/* suda-serverd reads its config file again on SIGHUP; --port stays. */
static void
test_rehash_on_sighup (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "suda.conf", NULL);
  g_autofree char *log = g_build_filename (dir, "server.jsonl", NULL);
  g_autofree char *line = NULL;
  g_autofree char *logged = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  gboolean seen = FALSE;

  write_config (path, "[server]\nmotd=first\nport=1\n");
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("SUDA_SERVERD"),
                              "--config", path, "--listen=127.0.0.1", "--port=0", "--log", log, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on 127.0.0.1:"));
  bob = suda_test_client_register (atoi (strrchr (line, ':') + 1), "bob", NULL);

  write_config (path, "[server]\nmotd=second\nport=2\n");
  g_subprocess_send_signal (process, SIGHUP);
  /* The daemon's main loop handles the signal: ask until the MOTD changes. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!seen && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GPtrArray) lines = NULL;

      suda_test_client_send (bob, "MOTD");
      lines = suda_test_client_sync (bob);
      seen = suda_test_lines_find (lines, ":suda.local 372 bob :- second") != NULL;
    }
  g_assert_true (seen);
  g_assert_true (g_file_get_contents (log, &logged, NULL, NULL));
  g_assert_nonnull (strstr (logged, "\"event\":\"rehash\""));
  /* The port was the command line's: no restart is asked for. */
  g_assert_null (strstr (logged, "\"restart\""));
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
}

/* Plain-text sessions ---------------------------------------------------------------- */

static void
test_plain_kicked_joins_back (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#lobby");
  g_autoptr(SudaTestClient) frank = plain_user (server, "frank");

  suda_test_client_set_line_check (frank, forbid_irc_line);
  suda_test_client_send (frank, "/help");
  suda_test_client_await (frank, "[??:??] *** /join*");
  suda_test_client_send (alice, "KICK #lobby frank :out");
  suda_test_client_await (frank, "[??:??] * alice kicked frank (out)");
  suda_test_client_send (frank, "still here?");
  suda_test_client_await (frank, "[??:??] *** You are not in #lobby: type /join to come back.");
  suda_test_client_send (frank, "/join");
  suda_test_client_await (alice, ":frank!~plain@127.0.0.1 JOIN #lobby");
  suda_test_client_send (frank, "/join");
  suda_test_client_await (frank, "[??:??] *** You are already in #lobby.");
  suda_test_client_send (frank, "/join #elsewhere");
  suda_test_client_await (frank, "[??:??] *** Here you talk in #lobby only*");
  suda_test_client_send (frank, "back");
  suda_test_client_await (alice, ":frank!~plain@127.0.0.1 PRIVMSG #lobby :back");
}

static void
test_plain_sees_no_irc (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) irc = suda_test_client_connect (suda_server_get_port (server));
  g_autoptr(SudaTestClient) frank = NULL;

  /* An IRC client speaks first, and is never greeted in plain words. */
  suda_test_client_send (irc, "NICK ircuser");
  suda_test_client_send (irc, "USER ircuser 0 * :Irc User");
  suda_test_client_await (irc, ":suda.local 001 ircuser *");

  /* A silent newcomer is greeted in plain words, its very first line too. */
  frank = suda_test_client_connect (suda_server_get_port (server));
  suda_test_client_set_line_check (frank, forbid_irc_line);
  suda_test_client_await (frank, "*** Welcome to Suda. Type your nickname and press Enter.");
  /* The IRC client came earlier: had it a greeting due, it would be here by now. */
  suda_test_client_expect_nothing_before_sync (irc, "*Type your nickname*");
  suda_test_client_send (frank, "frank");
  suda_test_client_await (frank, "*** Welcome to Suda!*");

  /* An invitation is a sentence. */
  suda_test_client_send (alice, "INVITE frank #room");
  suda_test_client_await (frank, "*** alice invites you to #room");
  suda_test_client_send (frank, "/users");
  suda_test_client_await (frank, "[??:??] *** * in #lobby: *");
}

static void
test_plain_me (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#lobby");
  g_autoptr(SudaTestClient) frank = plain_user (server, "frank");
  g_autoptr(SudaTestClient) late = NULL;
  g_autoptr(SudaTestClient) old = NULL;

  suda_test_client_send (alice, "PRIVMSG #lobby :\001ACTION waves\001");
  suda_test_client_await (frank, "[??:??] * alice waves");
  suda_test_client_send (frank, "/me smiles");
  suda_test_client_await (alice, ":frank!~plain@127.0.0.1 PRIVMSG #lobby :\001ACTION smiles\001");

  /* Replayed: to a plain session, and to an IRC client without server-time. */
  late = plain_user (server, "late");
  suda_test_client_await (late, "[*-* *:*] * alice waves");
  suda_test_client_await (late, "[*-* *:*] * frank smiles");
  old = suda_test_client_register (suda_server_get_port (server), "old", NULL);
  suda_test_client_send (old, "JOIN #lobby");
  suda_test_client_await (old, ":suda.local NOTICE #lobby :[*] * alice waves");
  suda_test_client_await (old, ":suda.local NOTICE #lobby :[*] * frank smiles");
}

/* OPER while CAP negotiation holds registration open: not yet (451), and
 * negotiation goes on; once registered, OPER works and the caps stay. */
static void
test_oper_mid_registration (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = server_with_oper (config);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));

  suda_test_client_send (c, "CAP LS 302");
  suda_test_client_send (c, "NICK kim");
  suda_test_client_send (c, "USER kim 0 * :Kim");
  suda_test_client_await (c, ":suda.local CAP * LS *");
  suda_test_client_send (c, "CAP REQ :server-time");
  suda_test_client_await (c, ":suda.local CAP kim ACK :server-time");
  suda_test_client_send (c, "OPER teacher letmein");
  suda_test_client_await (c, ":suda.local 451 kim :You have not registered");
  suda_test_client_send (c, "CAP LIST");
  suda_test_client_expect_nothing_before_sync (c, "* 001 *");
  suda_test_client_send (c, "CAP END");
  suda_test_client_await (c, ":suda.local 001 kim *");
  suda_test_client_send (c, "OPER teacher letmein");
  suda_test_client_await (c, ":suda.local 381 kim *");
  suda_test_client_send (c, "MODE kim");
  suda_test_client_await (c, ":suda.local 221 kim +o*");
  suda_test_client_send (c, "CAP LIST");
  suda_test_client_await (c, ":suda.local CAP kim LIST :cap-notify server-time");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/irc/who/whox-fields-and-token", test_whox);
  g_test_add_func ("/server/irc/whowas/ring-and-counts", test_whowas);
  g_test_add_func ("/server/irc/info/info-links-admin", test_info_links_admin);
  g_test_add_func ("/server/irc/admin/without-config-keys", test_admin_without_config);
  g_test_add_func ("/server/irc/stats/uptime-and-commands", test_stats);
  g_test_add_func ("/server/irc/help/index-topic-unknown", test_help);
  g_test_add_func ("/server/irc/wallops/operators-to-plus-w", test_wallops);
  g_test_add_func ("/server/irc/oper/mid-registration", test_oper_mid_registration);
  g_test_add_func ("/server/irc/knock/invite-only-rooms", test_knock);
  g_test_add_func ("/server/irc/setname/changes-realname-and-tells-cap-holders", test_setname);
  g_test_add_func ("/server/irc/invite/list-pending", test_invite_list);
  g_test_add_func ("/server/irc/privmsg/statusmsg", test_statusmsg);
  g_test_add_func ("/server/irc/kick/several-targets", test_kick_several);
  g_test_add_func ("/server/irc/names/several-rooms", test_names_several);
  g_test_add_func ("/server/irc/mode/private-room", test_private_room);
  g_test_add_func ("/server/irc/mode/ban-exceptions", test_ban_exceptions);
  g_test_add_func ("/server/irc/mode/invite-exceptions", test_invite_exceptions);
  g_test_add_func ("/server/irc/mode/mute-extban", test_mute_extban);
  g_test_add_func ("/server/irc/list/elist-filters", test_list_filters);
  g_test_add_func ("/server/irc/lusers/before-registration", test_lusers_before_registration);
  g_test_add_func ("/server/irc/topic/secret-room-members-only", test_secret_topic);
  g_test_add_func ("/server/irc/rehash/reloads-without-dropping", test_rehash);
  g_test_add_func ("/server/irc/rehash/daemon-sighup", test_rehash_on_sighup);
  g_test_add_func ("/server/plain/kicked-joins-back", test_plain_kicked_joins_back);
  g_test_add_func ("/server/plain/never-an-irc-line", test_plain_sees_no_irc);
  g_test_add_func ("/server/plain/me-rendered-live-and-replayed", test_plain_me);
  return g_test_run ();
}
