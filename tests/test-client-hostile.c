/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client against a hostile server: lines missing their parts, and
 * floods that would grow its memory without bound. */
#include "config.h"

#include <string.h>

#include "suda-client.h"
#include "suda-connection-private.h"
#include "suda-format.h"
#include "suda-limits.h"
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


/* Limits, fed straight into the connection's line entry point: no socket,
 * so thousands of lines take milliseconds. */

#define WELCOME \
  ":irc.example 001 rose :Welcome\r\n" \
  ":rose!r@h JOIN #lobby\r\n" \
  ":irc.example 353 rose = #lobby :rose @bob carol\r\n" \
  ":irc.example 366 rose #lobby :End of NAMES\r\n"

static void
feed (SudaClient *client,
      const char *text)
{
  _suda_connection_receive (suda_client_get_connection (client), text, strlen (text));
}

static SudaClient *
fed_client_new (void)
{
  SudaClient *client = suda_client_new ();
  SudaConnection *connection = suda_client_get_connection (client);

  suda_connection_set_server (connection, "irc.example", 6667);
  suda_connection_set_nick (connection, "rose");
  feed (client, WELCOME);
  g_assert_true (suda_connection_is_connected (connection));
  g_assert_nonnull (suda_client_find_conversation (client, "#lobby"));
  return client;
}

static guint
count_kind (SudaClient           *client,
            SudaConversationKind  kind)
{
  GListModel *list = suda_client_get_conversations (client);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (list, i);

      count += suda_conversation_get_kind (conv) == kind;
    }
  return count;
}

/* The last message of CONV, not counting date separators. */
static SudaMessage *
last_message (SudaConversation *conv)
{
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (conv)); i > 0; i--)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i - 1);

      if (suda_message_get_kind (m) != SUDA_MESSAGE_KIND_DATE_SEPARATOR)
        return m;   /* the conversation keeps its reference */
    }
  return NULL;
}

static void
test_limit_rooms (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  g_autoptr(GString) lines = g_string_new (NULL);
  const char * const *channels;
  guint n_channels = 0;

  /* #lobby and 1,000 more: the last one is one too many. */
  for (guint i = 0; i < SUDA_CLIENT_MAX_ROOMS; i++)
    g_string_append_printf (lines, ":rose!r@h JOIN #room%u\r\n", i);
  feed (client, lines->str);
  g_assert_cmpuint (count_kind (client, SUDA_CONVERSATION_ROOM), ==, SUDA_CLIENT_MAX_ROOMS);
  g_assert_nonnull (suda_client_find_conversation (client, "#room998"));
  g_assert_null (suda_client_find_conversation (client, "#room999"));
  /* Nor does a message to another room open one. */
  feed (client, ":bob!b@h PRIVMSG #elsewhere :hi\r\n:bob!b@h TOPIC #elsewhere :t\r\n");
  g_assert_null (suda_client_find_conversation (client, "#elsewhere"));

  channels = suda_connection_get_channels (suda_client_get_connection (client));
  while (channels[n_channels] != NULL)
    n_channels++;
  g_assert_cmpuint (n_channels, ==, SUDA_CLIENT_MAX_ROOMS);
}

static void
test_limit_private_conversations (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  g_autoptr(GString) lines = g_string_new (NULL);
  SudaConversation *server = suda_client_get_server_conversation (client);

  for (guint i = 0; i <= SUDA_CLIENT_MAX_PRIVATE; i++)
    g_string_append_printf (lines, ":p%u!u@h PRIVMSG rose :hello %u\r\n", i, i);
  feed (client, lines->str);
  g_assert_cmpuint (count_kind (client, SUDA_CONVERSATION_PRIVATE), ==, SUDA_CLIENT_MAX_PRIVATE);
  g_assert_null (suda_client_find_conversation (client, "p1000"));
  /* The one past the limit is still shown, in the server conversation. */
  g_assert_cmpstr (suda_message_get_text (last_message (server)), ==, "hello 1000");
  g_assert_cmpstr (suda_message_get_sender (last_message (server)), ==, "p1000");
}

static gboolean
last_is_replayed (SudaClient *client)
{
  return suda_message_get_replayed (last_message (suda_client_find_conversation (client, "#lobby")));
}

static void
test_limit_open_batches (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  g_autoptr(GString) lines = g_string_new (NULL);

  /* One more than the cap, never closed: the first is forgotten. */
  for (guint i = 0; i <= SUDA_CLIENT_MAX_OPEN_BATCHES; i++)
    g_string_append_printf (lines, "BATCH +b%u chathistory #lobby\r\n", i);
  feed (client, lines->str);
  feed (client, "@batch=b1 :bob!b@h PRIVMSG #lobby :kept\r\n");
  g_assert_true (last_is_replayed (client));
  feed (client, "@batch=b0 :bob!b@h PRIVMSG #lobby :forgotten\r\n");
  g_assert_false (last_is_replayed (client));
  /* Closing one makes room without forgetting another. */
  feed (client, "BATCH -b1\r\nBATCH +late chathistory #lobby\r\n"
                "@batch=b2 :bob!b@h PRIVMSG #lobby :still open\r\n");
  g_assert_true (last_is_replayed (client));
}

/* At the cap, a batch opened inside the oldest one forgets that oldest
 * one, its own outer batch: it still opens, one level deep. */
static void
test_limit_batch_in_the_oldest (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  g_autoptr(GString) lines = g_string_new (NULL);

  for (guint i = 0; i < SUDA_CLIENT_MAX_OPEN_BATCHES; i++)
    g_string_append_printf (lines, "BATCH +b%u chathistory #lobby\r\n", i);
  g_string_append (lines, "@batch=b0 BATCH +inner chathistory #lobby\r\n"
                          "@batch=inner :bob!b@h PRIVMSG #lobby :inner\r\n");
  feed (client, lines->str);
  g_assert_true (last_is_replayed (client));
  feed (client, "@batch=b0 :bob!b@h PRIVMSG #lobby :outer\r\n");
  g_assert_false (last_is_replayed (client));
}

static void
test_limit_batch_depth (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  g_autoptr(GString) lines = g_string_new ("BATCH +d1 chathistory #lobby\r\n");
  g_autofree char *deepest = NULL;
  g_autofree char *too_deep = NULL;

  for (guint depth = 2; depth <= SUDA_CLIENT_MAX_BATCH_DEPTH + 1; depth++)
    g_string_append_printf (lines, "@batch=d%u BATCH +d%u chathistory #lobby\r\n", depth - 1, depth);
  feed (client, lines->str);
  deepest = g_strdup_printf ("@batch=d%u :bob!b@h PRIVMSG #lobby :deepest\r\n",
                             SUDA_CLIENT_MAX_BATCH_DEPTH);
  feed (client, deepest);
  g_assert_true (last_is_replayed (client));
  too_deep = g_strdup_printf ("@batch=d%u :bob!b@h PRIVMSG #lobby :too deep\r\n",
                              SUDA_CLIENT_MAX_BATCH_DEPTH + 1);
  feed (client, too_deep);
  g_assert_false (last_is_replayed (client));
}

/* A PRIVMSG to #lobby whose tags ('@' and space included) take TAG_BYTES. */
static char *
line_with_tags (gsize tag_bytes,
                const char *text)
{
  g_autofree char *value = g_strnfill (tag_bytes - strlen ("@a= "), 'v');

  return g_strdup_printf ("@a=%s :bob!b@h PRIVMSG #lobby :%s\r\n", value, text);
}

static void
test_limit_tag_bytes (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  SudaConversation *lobby = suda_client_find_conversation (client, "#lobby");
  g_autofree char *fits = line_with_tags (SUDA_CLIENT_MAX_TAG_BYTES, "fits");
  g_autofree char *over = line_with_tags (SUDA_CLIENT_MAX_TAG_BYTES + 1, "over");

  feed (client, fits);
  g_assert_cmpstr (suda_message_get_text (last_message (lobby)), ==, "fits");
  feed (client, over);
  g_assert_cmpstr (suda_message_get_text (last_message (lobby)), ==, "fits");
}

static void
test_limit_line_length (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  SudaConversation *lobby = suda_client_find_conversation (client, "#lobby");
  const char *head = ":bob!b@h PRIVMSG #lobby :";
  g_autofree char *fits_text = g_strnfill (SUDA_CLIENT_MAX_LINE - strlen (head), 'f');
  g_autofree char *over_text = g_strnfill (SUDA_CLIENT_MAX_LINE - strlen (head) + 1, 'o');
  g_autofree char *fits = g_strconcat (head, fits_text, "\r\n", NULL);
  g_autofree char *over = g_strconcat (head, over_text, "\r\n", head, "next\r\n", NULL);

  feed (client, fits);
  g_assert_cmpstr (suda_message_get_text (last_message (lobby)), ==, fits_text);
  feed (client, over);
  g_assert_cmpstr (suda_message_get_text (last_message (lobby)), ==, "next");
}

static void
test_limit_held_replies (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  g_autoptr(GString) lines = g_string_new (NULL);

  for (guint i = 0; i < 100; i++)
    g_string_append (lines, ":bob!b@h PRIVMSG rose :\001VERSION\001\r\n");
  feed (client, lines->str);
  g_assert_cmpuint (_suda_connection_get_n_held (suda_client_get_connection (client)), ==,
                    SUDA_CLIENT_MAX_HELD_REPLIES);
}

/* Lines with a NUL are dropped; a lone CR ends a line. */
static void
test_nul_and_lone_cr (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  SudaConversation *lobby = suda_client_find_conversation (client, "#lobby");
  static const char with_nul[] = ":bob!b@h PRIVMSG #lobby :a\0b\r\n";
  guint n_before = suda_conversation_get_n_messages (lobby);

  _suda_connection_receive (suda_client_get_connection (client), with_nul, sizeof with_nul - 1);
  g_assert_cmpuint (suda_conversation_get_n_messages (lobby), ==, n_before);
  feed (client, ":bob!b@h PRIVMSG #lobby :one\r:carol!c@h PRIVMSG #lobby :two\r\n");
  g_assert_cmpuint (suda_conversation_get_n_messages (lobby), ==, n_before + 2);
  g_assert_cmpstr (suda_message_get_text (last_message (lobby)), ==, "two");
}

/* Numerics short of parameters are dropped, not shown half-filled. */
static void
test_numerics_with_too_few_params (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  SudaConversation *lobby = suda_client_find_conversation (client, "#lobby");
  SudaConversation *server = suda_client_get_server_conversation (client);
  guint n_server = suda_conversation_get_n_messages (server);

  feed (client, "332 rose #lobby\r\n353 rose = #lobby\r\n366\r\n401\r\n002\r\n");
  g_assert_null (suda_conversation_get_topic (lobby));
  g_assert_cmpuint (suda_conversation_get_n_members (lobby), ==, 3);
  g_assert_cmpuint (suda_conversation_get_n_messages (server), ==, n_server);
  feed (client, ":irc.example 002 rose :Your host is irc.example\r\n");
  g_assert_cmpuint (suda_conversation_get_n_messages (server), ==, n_server + 1);
}

/* A server that does not read what we send (while it keeps asking for
 * answers) costs a bounded buffer: the connection is given up and retried. */
static gboolean
not_connected (gpointer data)
{
  return !suda_connection_is_connected (data);
}

static void
test_limit_sendq (void)
{
  g_autoptr(SudaTestFakeIrc) fake = suda_test_fake_irc_new ();
  g_autoptr(SudaClient) client = suda_client_new ();
  SudaConnection *connection = suda_client_get_connection (client);
  g_autofree char *token = g_strnfill (400, 't');
  g_autofree char *ping = g_strdup_printf ("PING :%s\r\n", token);
  g_autoptr(GString) burst = g_string_new (NULL);
  guint64 sent = 0;

  suda_connection_set_reconnect_delay (connection, 60000);
  suda_client_connect (client, "127.0.0.1", fake->port, "rose", NULL);
  suda_test_fake_irc_register (fake, "rose");
  suda_test_fake_irc_sync (fake);
  g_assert_true (suda_connection_is_connected (connection));
  for (guint i = 0; i < 100; i++)
    g_string_append (burst, ping);
  /* Whatever the kernel buffers hold, 64 MiB of answers is past them. */
  while (suda_connection_is_connected (connection) && sent < 64 * 1024 * 1024)
    {
      suda_test_fake_irc_send (fake, burst->str);
      sent += burst->len;
      suda_test_iterate (1);
    }
  g_assert_true (suda_test_wait_until (not_connected, connection, 5000));
  g_assert_cmpint (suda_connection_get_state (connection), ==, SUDA_CONNECTION_RECONNECTING);
}

/* A channel where a channel goes, a person where a person goes: no room
 * named after a person, no private conversation named after a room. */
static void
test_names_in_their_places (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  SudaConversation *lobby = suda_client_find_conversation (client, "#lobby");
  GListModel *conversations = suda_client_get_conversations (client);
  guint n_before = g_list_model_get_n_items (conversations);

  feed (client, ":eve!e@h PRIVMSG rose :hi\r\n");
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, n_before + 1);
  feed (client,
        ":eve!e@h NICK #lobby\r\n"          /* a person renamed to a room */
        ":rose!r@h JOIN trent\r\n"          /* a room without '#' */
        ":rose!r@h JOIN :#a b\r\n"          /* a room with a space */
        ":#x!u@h PRIVMSG rose :hi\r\n"      /* a room as the sender */
        ":bob!b@h KICK #lobby #lobby\r\n"   /* a room kicked */
        ":bob!b@h NICK :c d\r\n");          /* a nickname with a space */
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, n_before + 1);
  g_assert_cmpint (suda_conversation_get_kind (suda_client_find_conversation (client, "eve")), ==,
                   SUDA_CONVERSATION_PRIVATE);
  g_assert_null (suda_client_find_conversation (client, "trent"));
  g_assert_nonnull (suda_conversation_find_member (lobby, "bob"));
}

/* A line cut by lone CRs whose first piece ends the connection: the
 * pieces after it must not be read from the freed line buffer (the
 * sanitizer build catches it). */
static void
test_lone_cr_after_a_fatal_error (void)
{
  g_autoptr(SudaClient) client = suda_client_new ();
  SudaConnection *connection = suda_client_get_connection (client);

  suda_connection_set_server (connection, "irc.example", 6667);
  suda_connection_set_nick (connection, "rose");
  _suda_connection_register (connection);
  g_assert_cmpint (suda_connection_get_state (connection), ==, SUDA_CONNECTION_REGISTERING);
  feed (client, ":irc.example 433 * rose :taken\r"
                ":irc.example 433 * rose_ :taken\r"
                ":irc.example 433 * rose__ :taken\r"
                ":irc.example NOTICE rose :after the end\r\n");
  g_assert_cmpint (suda_connection_get_state (connection), ==, SUDA_CONNECTION_DISCONNECTED);
}

/* mIRC formatting and other control characters would show as boxes: the
 * model keeps what was said for the history to draw, and its plain text
 * (what a row, a notification or a search sees) has no code left. */
static void
test_formatting_is_stripped (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  SudaConversation *lobby = suda_client_find_conversation (client, "#lobby");
  g_autofree char *shown = NULL;
  g_autofree char *topic = NULL;

  feed (client, ":bob!b@h PRIVMSG #lobby :\002bold\002 \00304,12red\003 bell\007\r\n");
  g_assert_cmpstr (suda_message_get_text (last_message (lobby)), ==,
                   "\002bold\002 \00304,12red\003 bell\007");
  shown = suda_format_strip (suda_message_get_text (last_message (lobby)), SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
  g_assert_cmpstr (shown, ==, "bold red bell\u2407");
  g_assert_true (suda_message_matches (last_message (lobby), "bold red"));
  feed (client, ":bob!b@h TOPIC #lobby :\037new\037 topic\r\n");
  topic = suda_format_strip (suda_conversation_get_topic (lobby), SUDA_FORMAT_PLAIN_DEFAULT);
  g_assert_cmpstr (topic, ==, "new topic");
}

/* Renamed onto someone we already talk to: still one conversation per name. */
static void
test_nick_onto_a_private_conversation (void)
{
  g_autoptr(SudaClient) client = fed_client_new ();
  GListModel *conversations = suda_client_get_conversations (client);
  guint named_eve = 0;

  feed (client, ":eve!e@h PRIVMSG rose :hi\r\n:dave!d@h PRIVMSG rose :hey\r\n"
                ":dave!d@h NICK eve\r\n:eve!e@h NICK Eve\r\n");
  for (guint i = 0; i < g_list_model_get_n_items (conversations); i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      named_eve += g_ascii_strcasecmp (suda_conversation_get_name (conv), "eve") == 0;
    }
  g_assert_cmpuint (named_eve, ==, 1);
  g_assert_nonnull (suda_client_find_conversation (client, "dave"));
  g_assert_cmpstr (suda_conversation_get_name (suda_client_find_conversation (client, "eve")), ==, "Eve");
}

/* CAP LS may go on for many lines; the table of capabilities stops. */
static void
test_limit_caps (void)
{
  g_autoptr(SudaClient) client = suda_client_new ();
  SudaConnection *connection = suda_client_get_connection (client);
  g_autoptr(GString) lines = g_string_new (NULL);

  suda_connection_set_server (connection, "irc.example", 6667);
  suda_connection_set_nick (connection, "rose");
  _suda_connection_register (connection);
  feed (client, "CAP * ACK :server-time\r\n");
  g_assert_true (suda_connection_has_cap (connection, "server-time"));
  g_string_append (lines, "CAP * ACK :");
  for (guint i = 0; i < SUDA_CLIENT_MAX_CAPS; i++)
    g_string_append_printf (lines, "junk%u ", i);
  g_string_append (lines, "echo-message\r\n");
  feed (client, lines->str);
  g_assert_true (suda_connection_has_cap (connection, "junk0"));
  g_assert_false (suda_connection_has_cap (connection, "junk255"));
  g_assert_false (suda_connection_has_cap (connection, "echo-message"));
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
  g_test_add_func ("/client/hostile/limit/rooms", test_limit_rooms);
  g_test_add_func ("/client/hostile/limit/private-conversations", test_limit_private_conversations);
  g_test_add_func ("/client/hostile/limit/open-batches", test_limit_open_batches);
  g_test_add_func ("/client/hostile/limit/batch-depth", test_limit_batch_depth);
  g_test_add_func ("/client/hostile/limit/batch-in-the-oldest", test_limit_batch_in_the_oldest);
  g_test_add_func ("/client/hostile/limit/tag-bytes", test_limit_tag_bytes);
  g_test_add_func ("/client/hostile/limit/line-length", test_limit_line_length);
  g_test_add_func ("/client/hostile/limit/held-replies", test_limit_held_replies);
  g_test_add_func ("/client/hostile/limit/capabilities", test_limit_caps);
  g_test_add_func ("/client/hostile/limit/send-queue", test_limit_sendq);
  g_test_add_func ("/client/hostile/odd/nul-byte-and-lone-cr", test_nul_and_lone_cr);
  g_test_add_func ("/client/hostile/odd/lone-cr-after-a-fatal-error", test_lone_cr_after_a_fatal_error);
  g_test_add_func ("/client/hostile/odd/names-in-their-places", test_names_in_their_places);
  g_test_add_func ("/client/hostile/odd/formatting-is-stripped", test_formatting_is_stripped);
  g_test_add_func ("/client/hostile/odd/nick-onto-a-private-conversation", test_nick_onto_a_private_conversation);
  g_test_add_func ("/client/hostile/odd/numerics-with-too-few-params", test_numerics_with_too_few_params);
  return g_test_run ();
}
