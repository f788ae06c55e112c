/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaClient as a new user meets it (issue 13): server replies read as
 * sentences, a kick told once, reconnecting as who you are now without
 * doubling the history, and two networks' rooms kept apart.  A scripted
 * server where the lines matter, a real Suda server where the flow does. */
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

static SudaConnection *
connection (Fixture *f)
{
  return suda_client_get_connection (f->client);
}

/* rose is in #lobby with bob; reconnecting takes 20 ms. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->fake = suda_test_fake_irc_new ();
  f->client = suda_client_new ();
  suda_connection_set_reconnect_delay (connection (f), 20);
  suda_client_connect (f->client, "127.0.0.1", f->fake->port, "rose", NULL);
  suda_test_fake_irc_register (f->fake, "rose");
  suda_test_fake_irc_send (f->fake,
                           ":rose!r@h JOIN #lobby\r\n"
                           ":fake.local 353 rose = #lobby :rose @bob\r\n"
                           ":fake.local 366 rose #lobby :End of NAMES\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_nonnull (find (f, "#lobby"));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_pointer (&f->fake, suda_test_fake_irc_free);
  suda_test_iterate (5);
}

/* How many messages of KIND in CONV hold TEXT. */
static guint
count (SudaConversation *conv,
       SudaMessageKind   kind,
       const char       *text)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conv));
  guint found = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      found += suda_message_get_kind (m) == kind && strstr (suda_message_get_text (m), text) != NULL;
    }
  return found;
}

static const char *
last_text (SudaConversation *conv,
           SudaMessageKind   kind)
{
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (conv)); i > 0; i--)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i - 1);

      if (suda_message_get_kind (m) == kind)
        return suda_message_get_text (m);   /* the conversation keeps it */
    }
  return NULL;
}

/* Bug 1: "nobody No such: No such nick" */
static void
test_error_is_subject_and_text (Fixture       *f,
                                gconstpointer  data)
{
  SudaConversation *server = suda_client_get_server_conversation (f->client);

  suda_test_fake_irc_send (f->fake, ":fake.local 401 rose nobody :No such nick/channel\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpstr (last_text (server, SUDA_MESSAGE_KIND_ERROR), ==, "nobody: No such nick/channel");

  /* InspIRCd's refused kick: the subject is the room, the text whole. */
  suda_test_fake_irc_send (f->fake, ":fake.local 482 rose #lobby :You must be a channel op or "
                           "higher to kick a more privileged user.\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpstr (last_text (server, SUDA_MESSAGE_KIND_ERROR), ==,
                   "#lobby: You must be a channel op or higher to kick a more privileged user.");

  /* No subject: the text alone. */
  suda_test_fake_irc_send (f->fake, ":fake.local 481 rose :Permission Denied- You're not an IRC operator\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpstr (last_text (server, SUDA_MESSAGE_KIND_ERROR), ==,
                   "Permission Denied- You're not an IRC operator");

  /* Two subjects (441: nick and room) stay in order. */
  suda_test_fake_irc_send (f->fake, ":fake.local 441 rose dave #lobby :They aren't on that channel\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpstr (last_text (server, SUDA_MESSAGE_KIND_ERROR), ==,
                   "dave #lobby: They aren't on that channel");
}

/* Bug 9: 333 read as a sentence in its room (an event line); 422 and lists of tokens not
 * shown at all. */
static void
test_informational_numerics (Fixture       *f,
                             gconstpointer  data)
{
  SudaConversation *server = suda_client_get_server_conversation (f->client);
  SudaConversation *lobby = find (f, "#lobby");
  guint n_server = suda_conversation_get_n_messages (server);
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (1796028855);
  g_autofree char *date = g_date_time_format (when, "%Y-%m-%d %H:%M");
  g_autofree char *expected = g_strdup_printf ("Topic set by ivan on %s", date);

  suda_test_fake_irc_send (f->fake,
                           ":fake.local 004 rose fake.local suda-0.1 io ovimntklsb\r\n"
                           ":fake.local 005 rose CHANTYPES=# NETWORK=Fake :are supported by this server\r\n"
                           ":fake.local 422 rose :MOTD File is missing\r\n"
                           ":fake.local 332 rose #lobby :Welcome all\r\n"
                           ":fake.local 333 rose #lobby ivan!i@h 1796028855\r\n"
                           ":fake.local 329 rose #lobby 1796000000\r\n");
  suda_test_fake_irc_sync (f->fake);

  /* An event of the room, drawn like "Topic: …" above it. */
  g_assert_cmpstr (last_text (lobby, SUDA_MESSAGE_KIND_EVENT), ==, expected);
  g_assert_cmpuint (count (lobby, SUDA_MESSAGE_KIND_INFO, expected), ==, 0);
  g_assert_cmpuint (count (lobby, SUDA_MESSAGE_KIND_EVENT, "1796028855"), ==, 0);
  g_assert_cmpuint (count (lobby, SUDA_MESSAGE_KIND_INFO, "1796028855"), ==, 0);
  /* Nothing of those reached the server's conversation. */
  g_assert_cmpuint (suda_conversation_get_n_messages (server), ==, n_server);
  g_assert_cmpuint (count (server, SUDA_MESSAGE_KIND_ERROR, "MOTD"), ==, 0);
}

/* Bug 6: a kick is an event line in its room, not a red error too. */
static void
test_kick_told_once (Fixture       *f,
                     gconstpointer  data)
{
  SudaConversation *lobby = find (f, "#lobby");
  SudaConversation *server = suda_client_get_server_conversation (f->client);

  suda_client_set_active_conversation (f->client, lobby);
  suda_test_fake_irc_send (f->fake, ":bob!b@h KICK #lobby rose :enough\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpuint (count (lobby, SUDA_MESSAGE_KIND_EVENT, "bob removed you from #lobby (enough)"), ==, 1);
  g_assert_cmpuint (count (lobby, SUDA_MESSAGE_KIND_ERROR, "removed you"), ==, 0);
  g_assert_cmpuint (count (server, SUDA_MESSAGE_KIND_ERROR, "removed you"), ==, 0);
  g_assert_false (suda_conversation_get_joined (lobby));
}

static gboolean
is_state (gpointer data)
{
  gpointer *args = data;

  return (gint) suda_connection_get_state (args[0]) == GPOINTER_TO_INT (args[1]);
}

static void
wait_state (SudaConnection      *conn,
            SudaConnectionState  state)
{
  gpointer args[] = { conn, GINT_TO_POINTER (state) };

  g_assert_true (suda_test_wait_until (is_state, args, 5000));
}

static void
drop_peer (Fixture *f)
{
  g_io_stream_close (G_IO_STREAM (f->fake->peer), NULL, NULL);
}

/* Bug 2: after /nick the loss is followed by the nick taken, not the
 * form's; the banner's problem is there while away and gone once back. */
static void
test_reconnect_as_current_nick (Fixture       *f,
                                gconstpointer  data)
{
  suda_client_submit (f->client, find (f, "#lobby"), "/nick rosalind");
  suda_test_fake_irc_expect (f->fake, "NICK rosalind");
  suda_test_fake_irc_send (f->fake, ":rose!r@h NICK rosalind\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpstr (suda_connection_get_nick (connection (f)), ==, "rosalind");
  g_assert_null (suda_connection_get_problem (connection (f)));

  drop_peer (f);
  wait_state (connection (f), SUDA_CONNECTION_RECONNECTING);
  g_assert_nonnull (suda_connection_get_problem (connection (f)));

  suda_test_fake_irc_accept (f->fake, 2);
  suda_test_fake_irc_expect (f->fake, "NICK rosalind");
  g_assert_false (strstr (f->fake->received->str, "NICK rose\r\n") != NULL);
  suda_test_fake_irc_send (f->fake, ":fake.local 001 rosalind :Welcome\r\n");
  suda_test_fake_irc_expect (f->fake, "JOIN #lobby");
  wait_state (connection (f), SUDA_CONNECTION_CONNECTED);
  g_assert_null (suda_connection_get_problem (connection (f)));
}

/* Bug 2: the "nickname taken" problem goes with Disconnect. */
static void
test_problem_cleared_by_disconnect (void)
{
  g_autoptr(SudaTestFakeIrc) fake = suda_test_fake_irc_new ();
  g_autoptr(SudaClient) client = suda_client_new ();
  SudaConnection *conn = suda_client_get_connection (client);

  suda_client_connect (client, "127.0.0.1", fake->port, "rose", NULL);
  suda_test_fake_irc_accept (fake, 1);
  suda_test_fake_irc_expect (fake, "NICK rose");
  suda_test_fake_irc_send (fake, ":fake.local 433 * rose :Nickname is already in use\r\n");
  suda_test_fake_irc_expect (fake, "NICK rose_");
  g_assert_nonnull (strstr (suda_connection_get_problem (conn), "rose"));
  suda_client_disconnect (client);
  g_assert_null (suda_connection_get_problem (conn));
}

/* Bug 2: the history a server replays on a rejoin is shown once, told
 * apart by time, sender and text when the server gives no msgid. */
static void
test_replay_without_msgid_not_doubled (Fixture       *f,
                                       gconstpointer  data)
{
  SudaConversation *lobby = find (f, "#lobby");

  suda_test_fake_irc_send (f->fake,
                           "@time=2026-11-30T10:00:00.000Z :bob!b@h PRIVMSG #lobby :hello\r\n"
                           "@time=2026-11-30T10:00:01.000Z :bob!b@h PRIVMSG #lobby :again\r\n"
                           "BATCH +h1 chathistory #lobby\r\n"
                           "@batch=h1;time=2026-11-30T10:00:00.000Z :bob!b@h PRIVMSG #lobby :hello\r\n"
                           "@batch=h1;time=2026-11-30T10:00:01.000Z :bob!b@h PRIVMSG #lobby :again\r\n"
                           "@batch=h1;time=2026-11-30T10:00:02.000Z :bob!b@h PRIVMSG #lobby :hello\r\n"
                           "BATCH -h1\r\n");
  suda_test_fake_irc_sync (f->fake);
  /* The third is another "hello", said a second later. */
  g_assert_cmpuint (count (lobby, SUDA_MESSAGE_KIND_MESSAGE, "hello"), ==, 2);
  g_assert_cmpuint (count (lobby, SUDA_MESSAGE_KIND_MESSAGE, "again"), ==, 1);
}

/* Where TEXT is in CONV, or -1. */
static gint
position_of (SudaConversation *conv,
             const char       *text)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conv));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      if (g_strcmp0 (suda_message_get_text (m), text) == 0)
        return (gint) i;
    }
  return -1;
}

/* The history a server replays after our JOIN is older than the join:
 * "You joined" comes below it, once the names are in; a live line that
 * comes first brings it along, above itself. */
static void
test_join_line_below_replay (Fixture       *f,
                             gconstpointer  data)
{
  SudaConversation *lab, *hall;

  suda_test_fake_irc_send (f->fake,
                           ":rose!r@h JOIN #lab\r\n"
                           "BATCH +r1 chathistory #lab\r\n"
                           "@batch=r1;time=2026-11-30T09:00:00.000Z :bob!b@h PRIVMSG #lab :before you came\r\n"
                           "@batch=r1;time=2026-11-30T09:00:01.000Z :bob!b@h PRIVMSG #lab :still before\r\n"
                           "BATCH -r1\r\n"
                           ":fake.local 353 rose = #lab :rose @bob\r\n"
                           ":fake.local 366 rose #lab :End of NAMES\r\n"
                           ":bob!b@h PRIVMSG #lab :after you came\r\n");
  suda_test_fake_irc_sync (f->fake);
  lab = find (f, "#lab");
  g_assert_cmpint (position_of (lab, "before you came"), <, position_of (lab, "still before"));
  g_assert_cmpint (position_of (lab, "still before"), <, position_of (lab, "You joined #lab"));
  g_assert_cmpint (position_of (lab, "You joined #lab"), <, position_of (lab, "after you came"));

  /* No names (a server that sends none): the first live line. */
  suda_test_fake_irc_send (f->fake,
                           ":rose!r@h JOIN #hall\r\n"
                           ":bob!b@h PRIVMSG #hall :hi rose\r\n");
  suda_test_fake_irc_sync (f->fake);
  hall = find (f, "#hall");
  g_assert_cmpint (position_of (hall, "You joined #hall"), >=, 0);
  g_assert_cmpint (position_of (hall, "You joined #hall"), <, position_of (hall, "hi rose"));
}

/* Bug 3: the network's name names the server's conversation; another
 * name at the same address is another network, whose rooms are its own. */
static void
test_network_name (Fixture       *f,
                   gconstpointer  data)
{
  SudaConversation *server = suda_client_get_server_conversation (f->client);

  suda_test_fake_irc_send (f->fake, ":fake.local 005 rose NETWORK=FakeNet :are supported\r\n"
                           ":fake.local 332 rose #lobby :FakeNet's topic\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpstr (suda_conversation_get_name (server), ==, "FakeNet");
  g_assert_cmpstr (suda_connection_get_network (connection (f)), ==, "FakeNet");

  drop_peer (f);
  suda_test_fake_irc_accept (f->fake, 2);
  suda_test_fake_irc_expect (f->fake, "NICK rose");
  suda_test_fake_irc_send (f->fake, ":other.local 001 rose :Welcome\r\n"
                           ":other.local 005 rose NETWORK=OtherNet :are supported\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpstr (suda_conversation_get_name (server), ==, "OtherNet");
  g_assert_null (find (f, "#lobby"));
}

/* Real Suda servers */

typedef struct {
  SudaClient *client;
  const char *room;
  const char *text;
} Wait;

static gboolean
is_joined (gpointer data)
{
  Wait *w = data;
  SudaConversation *conv = suda_client_find_conversation (w->client, w->room);

  return conv != NULL && suda_conversation_get_joined (conv);
}

static gboolean
has_text (gpointer data)
{
  Wait *w = data;
  SudaConversation *conv = suda_client_find_conversation (w->client, w->room);

  return conv != NULL && count (conv, SUDA_MESSAGE_KIND_MESSAGE, w->text) > 0;
}

static gboolean
has_left (gpointer data)
{
  return !is_joined (data);
}

static void
wait_text (SudaClient *client,
           const char *room,
           const char *text)
{
  Wait w = { client, room, text };

  if (!suda_test_wait_until (has_text, &w, 5000))
    g_error ("no “%s” in %s", text, room);
}

static void
connect_and_join (SudaClient *client,
                  SudaServer *server,
                  const char *room)
{
  Wait w = { client, room, NULL };

  suda_client_set_autojoin (client, room);
  suda_client_connect (client, "127.0.0.1", suda_server_get_port (server), "alice", NULL);
  g_assert_true (suda_test_wait_until (is_joined, &w, 5000));
}

/* Bug 2, with Suda's server (msgid through message-tags): leaving and
 * joining again replays the room's history, shown once. */
static void
test_rejoin_not_doubled (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = suda_test_server_new (config);
  g_autoptr(SudaClient) client = suda_client_new ();
  g_autoptr(SudaTestClient) bob = NULL;
  SudaConversation *lab;
  Wait w = { client, "#lab", NULL };

  connect_and_join (client, server, "#lab");
  bob = suda_test_client_register (suda_server_get_port (server), "bob", NULL);
  suda_test_client_join (bob, "bob", "#lab");
  suda_test_client_send (bob, "PRIVMSG #lab :first line");
  suda_test_client_send (bob, "PRIVMSG #lab :second line");
  wait_text (client, "#lab", "second line");
  lab = suda_client_find_conversation (client, "#lab");

  suda_client_submit (client, lab, "/part");
  g_assert_true (suda_test_wait_until (has_left, &w, 5000));
  suda_client_submit (client, lab, "/join #lab");
  g_assert_true (suda_test_wait_until (is_joined, &w, 5000));
  suda_test_client_send (bob, "PRIVMSG #lab :third line");
  wait_text (client, "#lab", "third line");

  g_assert_cmpuint (count (lab, SUDA_MESSAGE_KIND_MESSAGE, "first line"), ==, 1);
  g_assert_cmpuint (count (lab, SUDA_MESSAGE_KIND_MESSAGE, "second line"), ==, 1);
  suda_client_disconnect (client);
}

static gboolean
has_topic (gpointer data)
{
  Wait *w = data;
  SudaConversation *conv = suda_client_find_conversation (w->client, w->room);

  return conv != NULL && g_strcmp0 (suda_conversation_get_topic (conv), w->text) == 0;
}

/* Bug 3: two servers on one host are two networks: switching from one
 * to the other keeps neither the first's lines nor its topic. */
static void
test_port_switch_keeps_networks_apart (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) first = suda_test_server_new (config);
  g_autoptr(SudaServer) second = suda_test_server_new (config);
  g_autoptr(SudaClient) client = suda_client_new ();
  g_autoptr(SudaTestClient) bob = NULL;
  SudaConversation *lab;
  Wait topic = { client, "#lab", "first server's topic" };

  connect_and_join (client, first, "#lab");
  lab = suda_client_find_conversation (client, "#lab");
  suda_client_submit (client, lab, "/topic first server's topic");
  g_assert_true (suda_test_wait_until (has_topic, &topic, 5000));
  suda_client_submit (client, lab, "said on the first");
  wait_text (client, "#lab", "said on the first");
  suda_client_disconnect (client);

  connect_and_join (client, second, "#lab");
  bob = suda_test_client_register (suda_server_get_port (second), "bob", NULL);
  suda_test_client_join (bob, "bob", "#lab");
  suda_test_client_send (bob, "PRIVMSG #lab :said on the second");
  wait_text (client, "#lab", "said on the second");
  lab = suda_client_find_conversation (client, "#lab");
  g_assert_cmpuint (count (lab, SUDA_MESSAGE_KIND_MESSAGE, "said on the first"), ==, 0);
  g_assert_cmpstr (suda_conversation_get_topic (lab), !=, "first server's topic");
  suda_client_disconnect (client);
}

static gboolean
has_nick (gpointer data)
{
  Wait *w = data;

  return g_strcmp0 (suda_connection_get_nick (suda_client_get_connection (w->client)), w->text) == 0 &&
         suda_connection_is_connected (suda_client_get_connection (w->client));
}

/* Bug 4: an irc:// address while connected opens that server's room with
 * that nickname: on the same server a nick change and a join, on another
 * a move there. */
static void
test_open_address_while_connected (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) first = suda_test_server_new (config);
  g_autoptr(SudaServer) second = suda_test_server_new (config);
  g_autoptr(SudaClient) client = suda_client_new ();
  SudaConnection *conn = suda_client_get_connection (client);
  Wait other_room = { client, "#other", NULL };
  Wait second_room = { client, "#far", NULL };
  Wait alicia = { client, NULL, "alicia" };
  Wait zoe = { client, NULL, "zoe" };

  connect_and_join (client, first, "#lab");
  suda_client_open_address (client, "127.0.0.1", suda_server_get_port (first), "alicia", "#other");
  g_assert_true (suda_test_wait_until (has_nick, &alicia, 5000));
  g_assert_true (suda_test_wait_until (is_joined, &other_room, 5000));
  g_assert_nonnull (suda_client_find_conversation (client, "#lab"));

  suda_client_open_address (client, "127.0.0.1", suda_server_get_port (second), "zoe", "#far");
  g_assert_true (suda_test_wait_until (has_nick, &zoe, 5000));
  g_assert_true (suda_test_wait_until (is_joined, &second_room, 5000));
  g_assert_cmpuint (suda_connection_get_port (conn), ==, suda_server_get_port (second));
  g_assert_null (suda_client_find_conversation (client, "#lab"));
  suda_client_disconnect (client);
}

/* suda_client_connect() while connected: the same network and nick is
 * nothing to do (nothing cleared, no second connection); another network
 * is left first (QUIT) and the session moves there. */
static void
test_connect_while_connected (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SudaTestFakeIrc) other = suda_test_fake_irc_new ();
  SudaConversation *server = suda_client_get_server_conversation (f->client);
  SudaConversation *lobby = find (f, "#lobby");
  guint n_server = suda_conversation_get_n_messages (server);
  guint n_conversations = g_list_model_get_n_items (suda_client_get_conversations (f->client));

  suda_client_connect (f->client, "127.0.0.1", f->fake->port, "rose", NULL);
  suda_client_connect (f->client, "127.0.0.1", f->fake->port, "ROSE", NULL);
  suda_test_fake_irc_sync (f->fake);
  g_assert_true (suda_connection_is_connected (connection (f)));
  g_assert_true (find (f, "#lobby") == lobby);
  g_assert_true (suda_conversation_get_joined (lobby));
  g_assert_cmpuint (suda_conversation_get_n_messages (server), ==, n_server);
  g_assert_cmpuint (g_list_model_get_n_items (suda_client_get_conversations (f->client)), ==, n_conversations);
  g_assert_cmpuint (f->fake->n_accepted, ==, 1);
  g_assert_null (strstr (f->fake->received->str, "NICK ROSE"));

  /* The same network, another nick: a nick change, nothing more. */
  suda_client_connect (f->client, "127.0.0.1", f->fake->port, "rosa", NULL);
  suda_test_fake_irc_expect (f->fake, "NICK rosa");
  g_assert_true (find (f, "#lobby") == lobby);

  suda_client_connect (f->client, "127.0.0.1", other->port, "rose", NULL);
  suda_test_fake_irc_expect (f->fake, "QUIT *");
  suda_test_fake_irc_register (other, "rose");
  suda_test_fake_irc_sync (other);
  g_assert_true (suda_connection_is_connected (connection (f)));
  g_assert_cmpuint (suda_connection_get_port (connection (f)), ==, other->port);
  g_assert_null (find (f, "#lobby"));
  g_assert_cmpuint (f->fake->n_accepted, ==, 1);
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *n)
{
  (*n)++;
}

/* Thousands of rooms in a LIST reach the room browser's model in a few
 * batches, not one change per room. */
static void
test_room_list_batched (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GString) lines = g_string_new (":fake.local 321 rose Channel :Users  Name\r\n");
  GListModel *rooms = suda_client_get_rooms (f->client);
  guint changes = 0;

  g_signal_connect (rooms, "items-changed", G_CALLBACK (count_changes), &changes);
  suda_client_browse_rooms (f->client);
  suda_test_fake_irc_expect (f->fake, "LIST");
  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (lines, ":fake.local 322 rose #room%u %u :topic \x02%u\x02\r\n", i, i % 50, i);
  g_string_append (lines, ":fake.local 323 rose :End of /LIST\r\n");
  suda_test_fake_irc_send (f->fake, lines->str);
  suda_test_fake_irc_sync (f->fake);
  g_assert_false (suda_client_get_listing_rooms (f->client));
  g_assert_cmpuint (g_list_model_get_n_items (rooms), ==, 5000);
  g_assert_cmpuint (changes, <=, 50);
  g_signal_handlers_disconnect_by_data (rooms, &changes);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add ("/client/session/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("numerics/error-is-subject-and-text", test_error_is_subject_and_text);
  ADD ("numerics/informational-readable-or-hidden", test_informational_numerics);
  ADD ("kick/told-once", test_kick_told_once);
  ADD ("reconnect/as-current-nick-and-problem-clears", test_reconnect_as_current_nick);
  g_test_add_func ("/client/session/reconnect/problem-cleared-by-disconnect", test_problem_cleared_by_disconnect);
  ADD ("history/replay-without-msgid-not-doubled", test_replay_without_msgid_not_doubled);
  ADD ("history/join-line-below-replay", test_join_line_below_replay);
  g_test_add_func ("/client/session/history/rejoin-not-doubled", test_rejoin_not_doubled);
  ADD ("network/name-from-isupport", test_network_name);
  g_test_add_func ("/client/session/network/port-switch-keeps-networks-apart",
                   test_port_switch_keeps_networks_apart);
  g_test_add_func ("/client/session/open-address/while-connected", test_open_address_while_connected);
  ADD ("connect/while-connected", test_connect_while_connected);
  ADD ("room-list/batched", test_room_list_batched);
#undef ADD
  return g_test_run ();
}
