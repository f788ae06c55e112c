/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client against a hostile server: lines missing their parts, and
 * floods that would grow its memory without bound. */
#include "config.h"

#include <string.h>

#include "suda-client.h"
#include "suda-test-fake-irc.h"
#include "suda-test-util.h"

typedef struct {
  SudaTestFakeIrc *fake;
  SudaClient      *client;
} Fixture;

static SudaConversation *
find (Fixture    *f,
      const char *name)
{
  return suda_client_find_conversation (f->client, name);
}

static guint
n_members (SudaConversation *conv)
{
  return g_list_model_get_n_items (suda_conversation_get_members (conv));
}

/* rose is in #lobby with bob and carol. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->fake = suda_test_fake_irc_new ();
  f->client = suda_client_new ();
  suda_client_connect (f->client, "127.0.0.1", f->fake->port, "rose", NULL);
  suda_test_fake_irc_register (f->fake, "rose");
  suda_test_fake_irc_send (f->fake,
                           ":rose!r@h JOIN #lobby\r\n"
                           ":fake.local 353 rose = #lobby :rose @bob carol\r\n"
                           ":fake.local 366 rose #lobby :End of NAMES\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_nonnull (find (f, "#lobby"));
  g_assert_cmpuint (n_members (find (f, "#lobby")), ==, 3);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_pointer (&f->fake, suda_test_fake_irc_free);
  suda_test_iterate (5);
}

/* Sends LINE, then proves it was read (and survived), and that #lobby
 * neither lost anyone nor showed a half-filled line for it. */
static void
send_and_check_dropped (Fixture    *f,
                        const char *line)
{
  SudaConversation *lobby = find (f, "#lobby");
  guint n_before = suda_conversation_get_n_messages (lobby);

  suda_test_fake_irc_send (f->fake, line);
  suda_test_fake_irc_sync (f->fake);
  g_assert_true (suda_connection_is_connected (suda_client_get_connection (f->client)));
  g_assert_cmpuint (n_members (lobby), ==, 3);
  g_assert_nonnull (suda_conversation_find_member (lobby, "bob"));
  g_assert_cmpuint (suda_conversation_get_n_messages (lobby), ==, n_before);
}

static void
test_quit_without_source (Fixture       *f,
                          gconstpointer  data)
{
  send_and_check_dropped (f, "QUIT :bye\r\n");
}

static void
test_nick_without_source (Fixture       *f,
                          gconstpointer  data)
{
  send_and_check_dropped (f, "NICK newnick\r\n");
  g_assert_null (suda_conversation_find_member (find (f, "#lobby"), "newnick"));
}

static void
test_part_without_source (Fixture       *f,
                          gconstpointer  data)
{
  send_and_check_dropped (f, "PART #lobby\r\n");
  g_assert_true (suda_conversation_get_joined (find (f, "#lobby")));
}

static void
test_join_without_source (Fixture       *f,
                          gconstpointer  data)
{
  send_and_check_dropped (f, "JOIN #lobby\r\n");
}

static void
test_kick_without_source (Fixture       *f,
                          gconstpointer  data)
{
  send_and_check_dropped (f, "KICK #lobby bob :out\r\n");
}

/* An empty prefix is no source either. */
static void
test_empty_source (Fixture       *f,
                   gconstpointer  data)
{
  send_and_check_dropped (f, ": QUIT :bye\r\n:!@ NICK x\r\n:@h PART #lobby\r\n");
}

/* The same command with its source still works, so the checks above
 * prove the dropping, not a handler that does nothing. */
static void
test_complete_lines_still_work (Fixture       *f,
                                gconstpointer  data)
{
  SudaConversation *lobby = find (f, "#lobby");

  suda_test_fake_irc_send (f->fake, ":bob!b@h NICK robert\r\n:carol!c@h QUIT :bye\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_nonnull (suda_conversation_find_member (lobby, "robert"));
  g_assert_null (suda_conversation_find_member (lobby, "carol"));
  g_assert_cmpuint (n_members (lobby), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/client/hostile/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("no-source/quit", test_quit_without_source);
  ADD ("no-source/nick", test_nick_without_source);
  ADD ("no-source/part", test_part_without_source);
  ADD ("no-source/join", test_join_without_source);
  ADD ("no-source/kick", test_kick_without_source);
  ADD ("no-source/empty-prefix", test_empty_source);
  ADD ("complete-lines-still-work", test_complete_lines_still_work);
#undef ADD
  return g_test_run ();
}
