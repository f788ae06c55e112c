/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client's IRC power-user commands against a real Suda server: what
 * goes out on the wire, and the replies gathered into readable blocks. */
#include "config.h"

#include <string.h>

#include "suda-client.h"
#include "suda-listed-room.h"
#include "suda-test-util.h"

typedef struct {
  SudaServer     *server;
  SudaClient     *client;
  SudaTestClient *bob;
} Fixture;

static gboolean
is_joined (gpointer data)
{
  Fixture *f = data;
  SudaConversation *conv = suda_client_find_conversation (f->client, "#lab");

  return conv != NULL && suda_conversation_get_joined (conv) &&
         suda_conversation_find_member (conv, "bob") != NULL;
}

static SudaConversation *
lab (Fixture *f)
{
  return suda_client_find_conversation (f->client, "#lab");
}

static gboolean
alice_joined (gpointer data)
{
  SudaConversation *conv = lab (data);

  return conv != NULL && suda_conversation_get_joined (conv);
}

/* alice (this client) joins #lab first, so she is its operator; bob is a
 * raw client in the room. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  f->server = suda_test_server_new_unthrottled (config);
  f->client = suda_client_new ();
  suda_client_set_keep_transcripts (f->client, FALSE);
  suda_client_set_autojoin (f->client, "#lab");
  suda_client_connect (f->client, "127.0.0.1", suda_server_get_port (f->server), "alice", NULL);
  f->bob = suda_test_client_register (suda_server_get_port (f->server), "bob", NULL);
  g_assert_true (suda_test_wait_until (alice_joined, f, 5000));
  suda_test_client_join (f->bob, "bob", "#lab");
  g_assert_true (suda_test_wait_until (is_joined, f, 5000));
  suda_client_set_active_conversation (f->client, lab (f));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  suda_client_disconnect (f->client);
  g_clear_pointer (&f->bob, suda_test_client_free);
  g_clear_object (&f->client);
  g_clear_object (&f->server);
}

static void
submit (Fixture    *f,
        const char *line)
{
  suda_client_submit (f->client, lab (f), line);
}

typedef struct {
  SudaConversation *conv;
  const char       *text;
  const char       *also;
} Find;

/* One message holding both TEXT and ALSO (when given). */
static gboolean
has_message (gpointer data)
{
  Find *find = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (find->conv));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (find->conv), i);
      const char *text = suda_message_get_text (m);

      if (text != NULL && strstr (text, find->text) && (find->also == NULL || strstr (text, find->also)))
        return TRUE;
    }
  return FALSE;
}

static void
wait_message (SudaConversation *conv,
              const char       *text,
              const char       *also)
{
  Find find = { conv, text, also };

  if (!suda_test_wait_until (has_message, &find, 5000))
    g_error ("no message with “%s”%s%s", text, also ? " and " : "", also ? also : "");
}

static gboolean
shows (SudaConversation *conv,
       const char       *text)
{
  Find find = { conv, text, NULL };

  return has_message (&find);
}

/* /op, /deop, /voice, /ban, /unban and /mode become MODE lines for the
 * room shown; the server relays them to bob. */
static void
test_moderation_modes (Fixture       *f,
                       gconstpointer  data)
{
  submit (f, "/op bob");
  g_free (suda_test_client_expect (f->bob, ":alice!* MODE #lab +o bob"));
  submit (f, "/deop bob");
  g_free (suda_test_client_expect (f->bob, ":alice!* MODE #lab -o bob"));
  submit (f, "/voice bob");
  g_free (suda_test_client_expect (f->bob, ":alice!* MODE #lab +v bob"));
  submit (f, "/ban carol");
  g_free (suda_test_client_expect (f->bob, ":alice!* MODE #lab +b carol!*@*"));
  submit (f, "/unban carol");
  g_free (suda_test_client_expect (f->bob, ":alice!* MODE #lab -b carol!*@*"));
  submit (f, "/mode +l 10");
  g_free (suda_test_client_expect (f->bob, ":alice!* MODE #lab +l 10"));
  submit (f, "/mode #lab +m");
  g_free (suda_test_client_expect (f->bob, ":alice!* MODE #lab +m"));
}

/* WHOIS's several numerics read as one block in the conversation asked
 * from, with who, where from and which rooms. */
static void
test_whois_block (Fixture       *f,
                  gconstpointer  data)
{
  submit (f, "/whois bob");
  wait_message (lab (f), "bob is ", "Rooms: ");
}

/* LIST's rooms for a pattern come as one block, each with its member
 * count (/list alone opens the room browser, below). */
static void
test_list_block (Fixture       *f,
                 gconstpointer  data)
{
  submit (f, "/list #lab");
  wait_message (lab (f), "Rooms on this server:", "#lab (");
}

static gboolean
rooms_listed (gpointer data)
{
  SudaClient *client = data;

  return !suda_client_get_listing_rooms (client) && g_list_model_get_n_items (suda_client_get_rooms (client)) > 0;
}

static void
count_signal (gpointer  instance,
              guint    *n)
{
  (*n)++;
}

/* /list alone asks the window for its room browser and fills the rooms'
 * model instead of writing a block. */
static void
test_list_browse (Fixture       *f,
                  gconstpointer  data)
{
  guint asked = 0;
  guint n_lab = suda_conversation_get_n_messages (lab (f));
  GListModel *rooms = suda_client_get_rooms (f->client);
  gboolean found = FALSE;

  g_signal_connect (f->client, "browse-rooms", G_CALLBACK (count_signal), &asked);
  submit (f, "/list");
  g_assert_cmpuint (asked, ==, 1);
  g_assert_true (suda_client_get_listing_rooms (f->client));
  g_assert_true (suda_test_wait_until (rooms_listed, f->client, 5000));
  for (guint i = 0; i < g_list_model_get_n_items (rooms); i++)
    {
      g_autoptr(SudaListedRoom) room = g_list_model_get_item (rooms, i);

      found |= g_strcmp0 (suda_listed_room_get_name (room), "#lab") == 0;
    }
  g_assert_true (found);
  g_assert_cmpuint (suda_conversation_get_n_messages (lab (f)), ==, n_lab);
  g_signal_handlers_disconnect_by_data (f->client, &asked);
}

/* /away and /back: bob's WHOIS of alice says she is away, then not. */
static void
test_away_and_back (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = NULL;

  submit (f, "/away at lunch");
  wait_message (suda_client_get_server_conversation (f->client), "marked as being away", NULL);
  suda_test_client_send (f->bob, "WHOIS alice");
  g_free (suda_test_client_expect (f->bob, "* 301 bob alice :at lunch"));
  g_free (suda_test_client_expect (f->bob, "* 318 bob alice *"));

  submit (f, "/back");
  wait_message (suda_client_get_server_conversation (f->client), "no longer marked", NULL);
  suda_test_client_send (f->bob, "WHOIS alice");
  g_free (suda_test_client_expect (f->bob, "* 318 bob alice *"));
  lines = suda_test_client_sync (f->bob);
  for (guint i = 0; i < lines->len; i++)
    g_assert_null (strstr (g_ptr_array_index (lines, i), " 301 "));
}

/* /quote sends the line as typed, parsed and rebuilt. */
static void
test_quote_sends_raw_line (Fixture       *f,
                           gconstpointer  data)
{
  submit (f, "/quote PRIVMSG #lab :typed by hand");
  g_free (suda_test_client_expect (f->bob, ":alice!* PRIVMSG #lab :typed by hand"));
  submit (f, "/raw PRIVMSG #lab :and raw");
  g_free (suda_test_client_expect (f->bob, ":alice!* PRIVMSG #lab :and raw"));
}

/* /invite asks the server to invite someone into the shown room. */
static void
test_invite (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SudaTestClient) carol = suda_test_client_register (suda_server_get_port (f->server),
                                                               "carol", NULL);

  submit (f, "/invite carol");
  g_free (suda_test_client_expect (carol, ":alice!* INVITE carol #lab"));
}

/* /query opens the private conversation and sends its text there. */
static void
test_query_opens_private (Fixture       *f,
                          gconstpointer  data)
{
  submit (f, "/query bob see you there");
  g_free (suda_test_client_expect (f->bob, ":alice!* PRIVMSG bob :see you there"));
  g_assert_nonnull (suda_client_find_conversation (f->client, "bob"));
}

/* An ignored nick's lines are not shown while others' are; /ignore again
 * shows them again. */
static void
test_ignore_hides_and_shows (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SudaTestClient) carol = suda_test_client_register_joined (suda_server_get_port (f->server),
                                                                      "carol", NULL, "#lab");

  submit (f, "/ignore bob");
  wait_message (lab (f), "You ignore bob", NULL);
  suda_test_client_send (f->bob, "PRIVMSG #lab :you cannot see this");
  g_free (suda_test_client_expect (carol, ":bob!* PRIVMSG #lab :you cannot see this"));
  suda_test_client_send (carol, "PRIVMSG #lab :after bob");
  wait_message (lab (f), "after bob", NULL);
  g_assert_false (shows (lab (f), "you cannot see this"));

  submit (f, "/ignore");
  wait_message (lab (f), "You ignore: bob", NULL);
  submit (f, "/ignore bob");
  wait_message (lab (f), "You no longer ignore bob", NULL);
  suda_test_client_send (f->bob, "PRIVMSG #lab :now you can");
  wait_message (lab (f), "now you can", NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/client/commands/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("moderation-modes", test_moderation_modes);
  ADD ("whois-block", test_whois_block);
  ADD ("list-block", test_list_block);
  ADD ("list-browse", test_list_browse);
  ADD ("away-and-back", test_away_and_back);
  ADD ("quote-sends-raw-line", test_quote_sends_raw_line);
  ADD ("invite", test_invite);
  ADD ("query-opens-private", test_query_opens_private);
  ADD ("ignore-hides-and-shows", test_ignore_hides_and_shows);
#undef ADD
  return g_test_run ();
}
