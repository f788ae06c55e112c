/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Plain-text sessions: nc, telnet and the seeds' console clients. */
#include "config.h"

#include <string.h>

#include "suda-test-util.h"

typedef struct {
  SudaServer     *server;
  guint16         port;
  SudaTestClient *irc;     /* alice, an IRC client in #lobby */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  config->flood_control = FALSE;
  f->server = suda_test_server_new (config);
  f->port = suda_server_get_port (f->server);
  f->irc = suda_test_client_register (f->port, "alice", NULL);
  suda_test_client_send (f->irc, "JOIN #lobby");
  suda_test_client_await (f->irc, "* 366 *");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  suda_test_client_free (f->irc);
  g_object_unref (f->server);
}

static SudaTestClient *
plain_connect (Fixture    *f,
               const char *first_line)
{
  SudaTestClient *c = suda_test_client_connect (f->port);

  /* A silent newcomer is told in plain words what to type. */
  suda_test_client_await (c, "*** Welcome to Suda. Type your nickname and press Enter.");
  suda_test_client_send (c, "%s", first_line);
  suda_test_client_await (c, "*** Welcome to Suda!*");
  return c;
}

static void
test_nick_from_first_line (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = plain_connect (f, "bob");
  g_autofree char *line = NULL;

  suda_test_client_await (f->irc, ":bob!*@127.0.0.1 JOIN #lobby");
  suda_test_client_await (bob, "[??:??] * bob joined #lobby");

  /* Both ways: plain to IRC, IRC to plain. */
  suda_test_client_send (bob, "hello from nc");
  suda_test_client_await (f->irc, ":bob!* PRIVMSG #lobby :hello from nc");
  suda_test_client_send (f->irc, "PRIVMSG #lobby :hi bob");
  line = suda_test_client_expect (bob, "[??:??] *");
  g_assert_true (g_pattern_match_simple ("[??:??] alice: hi bob", line));
}

static void
test_guest_nick (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SudaTestClient) c = plain_connect (f, "hello everyone, I am new");
  g_autofree char *line = NULL;

  /* Not a nickname: a guest nick, and the line is its first message. */
  line = suda_test_client_expect (f->irc, ":guest-*!* PRIVMSG #lobby :hello everyone, I am new");
  g_assert_true (g_str_has_prefix (line, ":guest-"));
}

static void
test_taken_nick_gets_guest (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SudaTestClient) c = plain_connect (f, "alice");

  suda_test_client_await (f->irc, ":guest-*!* PRIVMSG #lobby :alice");
}

/* The seeds' clients send a message as one write with no newline. */
static void
test_line_without_newline (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SudaTestClient) c = suda_test_client_connect (f->port);

  suda_test_client_await (c, "*** Welcome to Suda. Type your nickname*");
  suda_test_client_send_raw (c, "carol", 5);
  suda_test_client_await (c, "*** Welcome to Suda!*");
  suda_test_client_send_raw (c, "no newline here", 15);
  suda_test_client_await (f->irc, ":carol!* PRIVMSG #lobby :no newline here");
}

static void
test_slash_commands (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SudaTestClient) dan = plain_connect (f, "dan");
  g_autofree char *line = NULL;

  suda_test_client_send (dan, "/users");
  line = suda_test_client_expect (dan, "*** 2 people in #lobby: *");
  g_assert_nonnull (strstr (line, "@alice"));
  g_assert_nonnull (strstr (line, "dan"));

  suda_test_client_send (dan, "/nick daniel");
  suda_test_client_await (f->irc, ":dan!* NICK :daniel");
  suda_test_client_await (dan, "[??:??] * dan is now known as daniel");

  suda_test_client_send (dan, "/nick alice");
  suda_test_client_await (dan, "*** That nickname is taken.");
  suda_test_client_send (dan, "/nick 9lives");
  suda_test_client_await (dan, "*** That nickname is not allowed*");
  suda_test_client_send (dan, "/whisper");
  suda_test_client_await (dan, "*** Usage: /whisper NICK TEXT");
  suda_test_client_send (dan, "/bogus");
  suda_test_client_await (dan, "*** Unknown command /bogus*");
  suda_test_client_send (dan, "/help");
  suda_test_client_await (dan, "*** /quit*");

  /* A whisper each way between a plain-text user and an IRC user. */
  suda_test_client_send (dan, "/whisper alice just for you");
  suda_test_client_await (f->irc, ":daniel!* PRIVMSG alice :just for you");
  suda_test_client_send (f->irc, "PRIVMSG daniel :got it");
  suda_test_client_await (dan, "[??:??] (whisper) alice: got it");

  suda_test_client_send (dan, "/quit see you");
  suda_test_client_await (f->irc, ":daniel!* QUIT :see you");
  g_assert_true (suda_test_client_wait_closed (dan, 5000));
}

/* IRC numerics and syntax never reach a plain session. */
static void
test_no_protocol_shown (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SudaTestClient) eve = plain_connect (f, "eve");

  suda_test_client_send (f->irc, "TOPIC #lobby :Exams on Friday");
  suda_test_client_await (eve, "[??:??] * alice set the topic: Exams on Friday");
  suda_test_client_send (f->irc, "NOTICE #lobby :a notice");
  suda_test_client_send (f->irc, "PRIVMSG #lobby :\001ACTION waves\001");
  suda_test_client_await (eve, "[??:??] * alice waves");
  suda_test_client_send (eve, "/users");
  for (;;)
    {
      g_autofree char *line = suda_test_client_read_line (eve, 2000);

      g_assert_nonnull (line);
      g_assert_false (g_pattern_match_simple (":* ??? *", line));
      if (strstr (line, "people in #lobby"))
        break;
    }
}

/* A terminal shows the words, not the formatting codes, and a control
 * that would act on it is shown as a picture; IRC clients get the bytes. */
static void
test_formatting_stripped (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SudaTestClient) nc = plain_connect (f, "nc");
  g_autoptr(SudaTestClient) irc = suda_test_client_register_joined (f->port, "irssi", NULL, "#lobby");
  g_autofree char *line = NULL;

  suda_test_client_send (f->irc, "PRIVMSG #lobby :\003" "04red text\003 and \003" "09,01green on black\003 reset\017 done");
  line = suda_test_client_expect (nc, "[??:??] alice: *");
  g_assert_true (g_pattern_match_simple ("[??:??] alice: red text and green on black reset done", line));
  suda_test_client_await (irc, ":alice!* PRIVMSG #lobby :\003" "04red text\003 and \003" "09,01green on black\003 reset\017 done");

  suda_test_client_send (f->irc, "PRIVMSG #lobby :\001ACTION \002waves\002\001");
  suda_test_client_await (nc, "[??:??] * alice waves");
  suda_test_client_send (f->irc, "TOPIC #lobby :\035Exams\035 \033[2J");
  suda_test_client_await (nc, "[??:??] * alice set the topic: Exams \u241b[2J");
}

/* To IRC users a plain-text user is an ordinary user. */
static void
test_ordinary_to_irc (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SudaTestClient) frank = plain_connect (f, "frank");
  g_autofree char *line = NULL;

  suda_test_client_send (f->irc, "WHOIS frank");
  suda_test_client_await (f->irc, "* 311 alice frank * 127.0.0.1 * :*");
  suda_test_client_send (f->irc, "NAMES #lobby");
  line = suda_test_client_expect (f->irc, "* 353 alice = #lobby :*");
  g_assert_nonnull (strstr (line, "frank"));
  suda_test_client_send (f->irc, "KICK #lobby frank :out");
  suda_test_client_await (frank, "[??:??] * alice kicked frank (out)");
}

/* A CR inside a plain line would end it early for IRC clients that end
 * lines at CR, and forge a second line: the line is refused whole. */
static void
test_bare_cr_refused (Fixture       *f,
                      gconstpointer  data)
{
  static const char forged[] = "hi\r:evil!e@x PRIVMSG #lobby :forged\n";
  g_autoptr(SudaTestClient) mallory = plain_connect (f, "mallory");

  suda_test_client_await (f->irc, ":mallory!* JOIN #lobby");
  suda_test_client_send_raw (mallory, forged, sizeof forged - 1);
  suda_test_client_await (mallory, "[??:??] *** That line contained a carriage return and was not sent.");
  suda_test_client_expect_nothing_before_sync (f->irc, "*forged*");
  /* A NUL is refused as before, and a line ended by CR LF still goes. */
  suda_test_client_send_raw (mallory, "a\0b\n", 4);
  suda_test_client_await (mallory, "[??:??] *** That line was not text (UTF-8) and was not sent.");
  suda_test_client_send (mallory, "still here");
  suda_test_client_await (f->irc, ":mallory!* PRIVMSG #lobby :still here");
}

/* [limits] max-line holds for plain lines, with or without a newline. */
static void
test_max_line (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SudaTestClient) long_talker = plain_connect (f, "lee");
  g_autofree char *longest = g_strnfill (510, 'b');
  g_autofree char *over = g_strnfill (511, 'c');
  g_autofree char *huge = g_strnfill (5000, 'd');

  suda_test_client_await (f->irc, ":lee!* JOIN #lobby");
  suda_test_client_send (long_talker, "%s", over);
  suda_test_client_await (long_talker, "[??:??] *** That line was too long (at most 510 bytes) and was not sent.");
  suda_test_client_send (long_talker, "%s", huge);
  suda_test_client_await (long_talker, "[??:??] *** That line was too long (at most 510 bytes) and was not sent.");
  /* 8000 bytes and no newline: the pause ends the line. */
  suda_test_client_send_raw (long_talker, huge, 5000);
  suda_test_client_send_raw (long_talker, huge, 3000);
  suda_test_client_await (long_talker, "[??:??] *** That line was too long (at most 510 bytes) and was not sent.");
  suda_test_client_expect_nothing_before_sync (f->irc, "* PRIVMSG #lobby :[cd]*");
  /* The longest allowed goes (cut to 512 bytes with the sender's mask). */
  suda_test_client_send (long_talker, "%s", longest);
  suda_test_client_await (f->irc, ":lee!* PRIVMSG #lobby :bbbbbbbbbb*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/server/plain/nick-from-first-line-and-chat-both-ways", test_nick_from_first_line);
  ADD ("/server/plain/guest-nick-and-first-message", test_guest_nick);
  ADD ("/server/plain/taken-nick-gets-guest", test_taken_nick_gets_guest);
  ADD ("/server/plain/line-ended-by-a-pause", test_line_without_newline);
  ADD ("/server/plain/slash-commands-and-whispers", test_slash_commands);
  ADD ("/server/plain/no-protocol-shown", test_no_protocol_shown);
  ADD ("/server/plain/ordinary-user-to-irc", test_ordinary_to_irc);
  ADD ("/server/plain/formatting-stripped", test_formatting_stripped);
  ADD ("/server/plain/bare-cr-refused", test_bare_cr_refused);
  ADD ("/server/plain/max-line", test_max_line);
  return g_test_run ();
}
