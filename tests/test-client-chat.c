/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaClient: what the window shows, fed by a real Suda server. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "suda-client.h"
#include "suda-server-config.h"
#include "suda-log-entry.h"
#include "suda-test-util.h"

typedef struct {
  SudaServer *server;
  SudaClient *client;
  char       *logs;
  GPtrArray  *attention;   /* SudaMessage */
} Fixture;

static void
on_attention (SudaClient       *client,
              SudaConversation *conv,
              SudaMessage      *message,
              Fixture          *f)
{
  g_ptr_array_add (f->attention, g_object_ref (message));
}

static gboolean
is_joined (gpointer data)
{
  Fixture *f = data;
  SudaConversation *conv = suda_client_find_conversation (f->client, "#lab");

  return conv != NULL && suda_conversation_get_joined (conv) &&
         suda_conversation_find_member (conv, "alice") != NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  /* DATA, when given, is the server's service-nick= ("" turns it off). */
  if (data != NULL)
    {
      g_free (config->service_nick);
      config->service_nick = g_strdup (data);
    }
  f->server = suda_test_server_new (config);
  f->client = suda_client_new ();
  f->logs = suda_test_make_tmpdir ();
  f->attention = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->client, "attention", G_CALLBACK (on_attention), f);
  suda_client_set_transcript_dir (f->client, f->logs);
  suda_client_set_keep_transcripts (f->client, TRUE);
  suda_client_set_autojoin (f->client, "#lab");
  suda_client_connect (f->client, "127.0.0.1", suda_server_get_port (f->server), "alice", NULL);
  g_assert_true (suda_test_wait_until (is_joined, f, 5000));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  suda_client_disconnect (f->client);
  g_clear_object (&f->client);
  g_clear_object (&f->server);
  g_ptr_array_unref (f->attention);
  g_free (f->logs);
}

typedef struct {
  SudaConversation *conv;
  SudaMessageKind   kind;
  const char       *text;
  SudaMessage      *found;
} Expect;

static gboolean
has_message (gpointer data)
{
  Expect *e = data;
  guint n;

  if (e->conv == NULL)
    return FALSE;
  n = g_list_model_get_n_items (G_LIST_MODEL (e->conv));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (e->conv), i - 1);

      if (suda_message_get_kind (m) == e->kind && strstr (suda_message_get_text (m), e->text))
        {
          e->found = m;
          return TRUE;
        }
    }
  return FALSE;
}

static SudaMessage *
wait_message (SudaConversation *conv,
              SudaMessageKind   kind,
              const char       *text)
{
  Expect e = { conv, kind, text, NULL };

  if (!suda_test_wait_until (has_message, &e, 5000))
    g_error ("no message “%s” in %s", text, conv ? suda_conversation_get_name (conv) : "(none)");
  return e.found;
}

static SudaTestClient *
bob_joins (Fixture *f)
{
  SudaTestClient *bob = suda_test_client_register (suda_server_get_port (f->server), "bob", NULL);

  suda_test_client_join (bob, "bob", "#lab");
  return bob;
}

static SudaConversation *
lab (Fixture *f)
{
  return suda_client_find_conversation (f->client, "#lab");
}

static void
test_room_messages (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = bob_joins (f);
  SudaConversation *room = lab (f);
  SudaMessage *m;

  wait_message (room, SUDA_MESSAGE_KIND_EVENT, "bob joined");
  g_assert_nonnull (suda_conversation_find_member (room, "bob"));
  suda_test_client_send (bob, "PRIVMSG #lab :hello everyone");
  m = wait_message (room, SUDA_MESSAGE_KIND_MESSAGE, "hello everyone");
  g_assert_cmpstr (suda_message_get_sender (m), ==, "bob");
  g_assert_false (suda_message_get_own (m));
  g_assert_false (suda_message_get_mention (m));
  /* The window is not active: everything counts as unread. */
  g_assert_cmpuint (suda_conversation_get_unread_count (room), >=, 1);

  suda_client_set_active_conversation (f->client, room);
  suda_client_set_window_active (f->client, TRUE);
  g_assert_cmpuint (suda_conversation_get_unread_count (room), ==, 0);

  suda_client_submit (f->client, room, "hi bob\nhow are you?");
  suda_test_client_await (bob, ":alice!* PRIVMSG #lab :hi bob");
  suda_test_client_await (bob, ":alice!* PRIVMSG #lab :how are you?");
  m = wait_message (room, SUDA_MESSAGE_KIND_MESSAGE, "how are you?");
  g_assert_true (suda_message_get_own (m));
  g_assert_cmpuint (suda_conversation_get_unread_count (room), ==, 0);

  suda_client_submit (f->client, room, "/me waves");
  m = wait_message (room, SUDA_MESSAGE_KIND_ACTION, "waves");
  g_assert_cmpstr (suda_message_get_sender (m), ==, "alice");
}

static void
test_mention_and_whisper_ask_for_attention (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = bob_joins (f);
  SudaConversation *private;
  SudaMessage *m;

  suda_test_client_send (bob, "PRIVMSG #lab :Alice, look at this");
  m = wait_message (lab (f), SUDA_MESSAGE_KIND_MESSAGE, "look at this");
  g_assert_true (suda_message_get_mention (m));
  g_assert_true (suda_conversation_get_mention (lab (f)));
  suda_test_client_send (bob, "PRIVMSG #lab :malice is not a mention");
  m = wait_message (lab (f), SUDA_MESSAGE_KIND_MESSAGE, "malice");
  g_assert_false (suda_message_get_mention (m));

  suda_test_client_send (bob, "PRIVMSG alice :psst");
  while ((private = suda_client_find_conversation (f->client, "bob")) == NULL)
    suda_test_iterate (10);
  g_assert_cmpint (suda_conversation_get_kind (private), ==, SUDA_CONVERSATION_PRIVATE);
  wait_message (private, SUDA_MESSAGE_KIND_MESSAGE, "psst");
  g_assert_cmpuint (suda_conversation_get_unread_count (private), ==, 1);
  g_assert_cmpuint (f->attention->len, ==, 2);

  /* While the window is in front nobody is notified. */
  suda_client_set_window_active (f->client, TRUE);
  suda_test_client_send (bob, "PRIVMSG alice :again");
  wait_message (private, SUDA_MESSAGE_KIND_MESSAGE, "again");
  g_assert_cmpuint (f->attention->len, ==, 2);
}

static void
test_whisper_command_opens_conversation (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = bob_joins (f);
  SudaConversation *private;

  suda_client_submit (f->client, lab (f), "/w bob secret plan");
  suda_test_client_await (bob, ":alice!* PRIVMSG bob :secret plan");
  private = suda_client_find_conversation (f->client, "bob");
  g_assert_nonnull (private);
  wait_message (private, SUDA_MESSAGE_KIND_MESSAGE, "secret plan");

  /* Renames follow the person. */
  suda_test_client_send (bob, "NICK robert");
  wait_message (lab (f), SUDA_MESSAGE_KIND_EVENT, "bob is now known as robert");
  g_assert_nonnull (suda_conversation_find_member (lab (f), "robert"));
  g_assert_null (suda_conversation_find_member (lab (f), "bob"));
  g_assert_cmpstr (suda_conversation_get_name (private), ==, "robert");
}

static void
test_local_commands_print_into_history (Fixture       *f,
                                        gconstpointer  data)
{
  SudaConversation *room = lab (f);

  suda_client_submit (f->client, room, "/help");
  wait_message (room, SUDA_MESSAGE_KIND_INFO, "/whisper NICKNAME TEXT");
  suda_client_submit (f->client, room, "/help kick");
  wait_message (room, SUDA_MESSAGE_KIND_INFO, "/kick NICKNAME [REASON] —");
  suda_client_submit (f->client, room, "/kick");
  wait_message (room, SUDA_MESSAGE_KIND_ERROR, "Usage: /kick NICKNAME [REASON]");
  suda_client_submit (f->client, room, "/dance");
  wait_message (room, SUDA_MESSAGE_KIND_ERROR, "no command /dance");
  suda_client_submit (f->client, room, "/users");
  wait_message (room, SUDA_MESSAGE_KIND_INFO, "in #lab:");
  suda_client_submit (f->client, suda_client_get_server_conversation (f->client), "hello?");
  wait_message (suda_client_get_server_conversation (f->client), SUDA_MESSAGE_KIND_ERROR,
                "server’s conversation");
}

static void
test_service_commands_reach_the_service (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = bob_joins (f);

  g_assert_true (suda_client_has_service (f->client, lab (f)));
  suda_client_submit (f->client, lab (f), "/schedule +10m tea time");
  suda_test_client_await (bob, ":alice!* PRIVMSG #lab :!schedule +10m tea time");
  suda_client_submit (f->client, lab (f), "/schedule soon tea");
  wait_message (lab (f), SUDA_MESSAGE_KIND_ERROR, "Usage: /schedule");
}

typedef struct {
  SudaClient *client;
  const char *sender;
} Sender;

static gboolean
someone_spoke (gpointer data)
{
  Sender *s = data;
  GListModel *conversations = suda_client_get_conversations (s->client);

  for (guint i = 0; i < g_list_model_get_n_items (conversations); i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (conv)); j++)
        {
          g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), j);

          if (g_strcmp0 (suda_message_get_sender (m), s->sender) == 0 &&
              suda_message_get_kind (m) != SUDA_MESSAGE_KIND_EVENT)
            return TRUE;
        }
    }
  return FALSE;
}

/* /summary and /quiz say their !command in the room; /answer goes to the
 * service user alone. */
static void
test_ai_commands_reach_the_service (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = bob_joins (f);
  Sender service = { f->client, "suda" };

  /* The service answers it (no quiz runs) wherever its notices go. */
  g_assert_false (someone_spoke (&service));
  suda_client_submit (f->client, lab (f), "/answer B");
  g_assert_true (suda_test_wait_until (someone_spoke, &service, 5000));
  suda_client_submit (f->client, lab (f), "/summary 30");
  suda_test_client_await (bob, ":alice!* PRIVMSG #lab :!summary 30");
  suda_client_submit (f->client, lab (f), "/quiz capitals 90");
  suda_test_client_await (bob, ":alice!* PRIVMSG #lab :!quiz capitals 90");
  suda_client_submit (f->client, suda_client_get_server_conversation (f->client), "/summary");
  wait_message (suda_client_get_server_conversation (f->client), SUDA_MESSAGE_KIND_ERROR, "Use /summary [N] in a room.");
  suda_test_client_expect_nothing_before_sync (bob, "*answer B*");
}

/* The server names its service user in ISUPPORT; the client asks that
 * one, whatever its nick. */
static void
test_service_nick_comes_from_the_server (Fixture       *f,
                                         gconstpointer  data)
{
  SudaConnection *connection = suda_client_get_connection (f->client);
  Sender helper = { f->client, "helper" };

  g_assert_cmpstr (suda_connection_get_service_nick (connection), ==, "helper");
  g_assert_true (suda_client_has_service (f->client, lab (f)));
  g_assert_true (suda_client_has_service (f->client, NULL));
  /* Outside a room /search is a private message to the service user,
   * which answers (here: that the assistant is not set up). */
  suda_client_submit (f->client, suda_client_get_server_conversation (f->client), "/search sockets");
  g_assert_true (suda_test_wait_until (someone_spoke, &helper, 5000));
}

static void
test_service_turned_off (Fixture       *f,
                         gconstpointer  data)
{
  g_assert_null (suda_connection_get_service_nick (suda_client_get_connection (f->client)));
  g_assert_false (suda_client_has_service (f->client, lab (f)));
  suda_client_submit (f->client, lab (f), "/search sockets");
  wait_message (lab (f), SUDA_MESSAGE_KIND_ERROR, "does not offer /search");
}

static void
test_kicked_from_room (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = suda_test_client_register (suda_server_get_port (f->server), "bob", NULL);
  SudaConversation *room;

  /* bob opens #ops first and so runs it. */
  suda_test_client_join (bob, "bob", "#ops");
  suda_client_submit (f->client, lab (f), "/join ops");
  while ((room = suda_client_find_conversation (f->client, "#ops")) == NULL ||
         !suda_conversation_get_joined (room))
    suda_test_iterate (10);
  suda_test_client_send (bob, "KICK #ops alice :out you go");
  wait_message (room, SUDA_MESSAGE_KIND_EVENT, "bob removed you from #ops (out you go)");
  g_assert_false (suda_conversation_get_joined (room));
  suda_client_submit (f->client, room, "anyone?");
  wait_message (room, SUDA_MESSAGE_KIND_ERROR, "not in this room");
}

static void
test_transcripts_are_json_lines (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = bob_joins (f);
  g_autofree char *network = g_strdup_printf ("127.0.0.1:%u", suda_server_get_port (f->server));
  g_autofree char *path = g_build_filename (f->logs, network, "#lab.jsonl", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean seen = FALSE;
  gboolean join_seen = FALSE;

  suda_test_client_send (bob, "PRIVMSG #lab :for the record 수다");
  wait_message (lab (f), SUDA_MESSAGE_KIND_MESSAGE, "for the record");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SudaLogEntry) entry = suda_log_entry_new_from_line (lines[i], -1, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (suda_log_entry_get_channel (entry), ==, "#lab");
      if (g_strcmp0 (suda_log_entry_get_text (entry), "for the record 수다") == 0)
        {
          g_assert_cmpstr (suda_log_entry_get_event (entry), ==, "message");
          g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "bob");
          seen = TRUE;
        }
      /* Events keep their parts, not the sentence the window shows. */
      if (g_strcmp0 (suda_log_entry_get_event (entry), "join") == 0 &&
          g_strcmp0 (suda_log_entry_get_nick (entry), "bob") == 0)
        {
          g_assert_null (suda_log_entry_get_text (entry));
          join_seen = TRUE;
        }
    }
  g_assert_true (seen);
  g_assert_true (join_seen);
}

static gboolean
transcript_has (gpointer data)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (((const char **) data)[0], &contents, NULL, NULL) &&
         strstr (contents, ((const char **) data)[1]) != NULL;
}

/* A transcript's text is plain words; the codes are kept beside it. */
static void
test_transcript_text_is_plain (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = bob_joins (f);
  g_autofree char *network = g_strdup_printf ("127.0.0.1:%u", suda_server_get_port (f->server));
  g_autofree char *path = g_build_filename (f->logs, network, "#lab.jsonl", NULL);
  const char *wait[] = { path, "\"text\":\"red and bold\",\"formatted\":\"\\u000304red\\u0003 and \\u0002bold\\u0002\"" };

  suda_test_client_send (bob, "PRIVMSG #lab :\003" "04red\003 and \002" "bold\002");
  if (!suda_test_wait_until (transcript_has, (gpointer) wait, 5000))
    g_error ("the transcript never had the plain text and the codes");
}

static gboolean
is_disconnected (gpointer data)
{
  Fixture *f = data;

  return suda_connection_get_state (suda_client_get_connection (f->client)) == SUDA_CONNECTION_DISCONNECTED;
}

/* Issue 13: two servers on one host keep their transcripts apart. */
static void
test_transcripts_by_network (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) other = suda_test_server_new (config);
  g_autoptr(SudaTestClient) bob = bob_joins (f);
  g_autofree char *first = g_strdup_printf ("127.0.0.1:%u", suda_server_get_port (f->server));
  g_autofree char *second = g_strdup_printf ("127.0.0.1:%u", suda_server_get_port (other));
  g_autofree char *first_path = g_build_filename (f->logs, first, "#lab.jsonl", NULL);
  g_autofree char *second_path = g_build_filename (f->logs, second, "#lab.jsonl", NULL);
  const char *first_wait[] = { first_path, "on the first server" };
  const char *second_wait[] = { second_path, "on the second server" };
  g_autofree char *contents = NULL;
  g_autoptr(SudaTestClient) carol = NULL;

  suda_test_client_send (bob, "PRIVMSG #lab :on the first server");
  g_assert_true (suda_test_wait_until (transcript_has, (gpointer) first_wait, 5000));

  suda_client_disconnect (f->client);
  g_assert_true (suda_test_wait_until (is_disconnected, f, 5000));
  suda_client_connect (f->client, "127.0.0.1", suda_server_get_port (other), "alice", NULL);
  g_assert_true (suda_test_wait_until (is_joined, f, 5000));
  carol = suda_test_client_register (suda_server_get_port (other), "carol", NULL);
  suda_test_client_join (carol, "carol", "#lab");
  suda_test_client_send (carol, "PRIVMSG #lab :on the second server");
  g_assert_true (suda_test_wait_until (transcript_has, (gpointer) second_wait, 5000));
  g_assert_true (g_file_get_contents (first_path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "on the second server"));
}

static void
test_disconnect_clears_members (Fixture       *f,
                                gconstpointer  data)
{
  suda_client_submit (f->client, lab (f), "/quit bye now");
  g_assert_cmpint (suda_connection_get_state (suda_client_get_connection (f->client)), ==,
                   SUDA_CONNECTION_DISCONNECTED);
  g_assert_false (suda_conversation_get_joined (lab (f)));
  g_assert_cmpuint (g_list_model_get_n_items (suda_conversation_get_members (lab (f))), ==, 0);
  suda_client_submit (f->client, lab (f), "/join #other");
  wait_message (lab (f), SUDA_MESSAGE_KIND_ERROR, "not connected");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/client/chat/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("room-messages-land-in-the-room", test_room_messages);
  ADD ("mention-and-whisper-ask-for-attention", test_mention_and_whisper_ask_for_attention);
  ADD ("whisper-command-opens-conversation", test_whisper_command_opens_conversation);
  ADD ("local-commands-print-into-history", test_local_commands_print_into_history);
  ADD ("service-commands-reach-the-service", test_service_commands_reach_the_service);
  ADD ("ai-commands-reach-the-service", test_ai_commands_reach_the_service);
  ADD ("kicked-from-room", test_kicked_from_room);
  ADD ("transcripts-are-json-lines", test_transcripts_are_json_lines);
  ADD ("transcript-text-is-plain", test_transcript_text_is_plain);
  ADD ("transcripts-by-network", test_transcripts_by_network);
  ADD ("quit-clears-members", test_disconnect_clears_members);
#undef ADD
  g_test_add ("/client/chat/service-nick-comes-from-the-server", Fixture, "helper",
              fixture_set_up, test_service_nick_comes_from_the_server, fixture_tear_down);
  g_test_add ("/client/chat/service-turned-off", Fixture, "",
              fixture_set_up, test_service_turned_off, fixture_tear_down);

  return g_test_run ();
}
