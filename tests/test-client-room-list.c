/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The room browser /list opens (issue 13): the server's rooms with their
 * users and topics, searched, sorted, and one joined from it. */
#include "config.h"

#include "suda-listed-room.h"
#include "suda-room-list.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-test-window.h"

static SudaRoomList *
find_room_list (void)
{
  return (SudaRoomList *) suda_test_gtk_find_window (SUDA_TYPE_ROOM_LIST);
}

static gboolean
room_list_open (gpointer data)
{
  return find_room_list () != NULL;
}

static gpointer
child (SudaRoomList *list,
       const char   *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (list), SUDA_TYPE_ROOM_LIST, name);

  g_assert_nonnull (object);
  return object;
}

static GListModel *
shown_rooms (SudaRoomList *list)
{
  return G_LIST_MODEL (gtk_column_view_get_model (child (list, "column_view")));
}

typedef struct {
  SudaRoomList *list;
  guint         n;
} Shown;

/* Listed, filtered and sorted to the end, N rooms shown. */
static gboolean
rooms_shown (gpointer data)
{
  Shown *shown = data;

  return !suda_client_get_listing_rooms (suda_room_list_get_client (shown->list)) &&
         g_list_model_get_n_items (shown_rooms (shown->list)) == shown->n;
}

static SudaListedRoom *
shown_room (SudaRoomList *list,
            guint         position)
{
  g_autoptr(SudaListedRoom) room = g_list_model_get_item (shown_rooms (list), position);

  return room;   /* the store keeps it */
}

static gboolean
top_selected (gpointer data)
{
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (shown_rooms (data));

  return gtk_single_selection_get_selected (selection) == 0;
}

/* The sort is incremental: it may end an idle later than the listing. */
static gboolean
fullest_first (gpointer data)
{
  return suda_listed_room_get_users (shown_room (data, 0)) >= suda_listed_room_get_users (shown_room (data, 1)) &&
         suda_listed_room_get_users (shown_room (data, 1)) >= suda_listed_room_get_users (shown_room (data, 2)) &&
         suda_listed_room_get_users (shown_room (data, 0)) > suda_listed_room_get_users (shown_room (data, 2));
}

static gboolean
lab_first (gpointer data)
{
  return g_strcmp0 (suda_listed_room_get_name (shown_room (data, 0)), "#lab") == 0;
}

static gboolean
mathclub_joined_and_shown (gpointer data)
{
  SudaClient *client = suda_window_get_client (data);
  SudaConversation *active = suda_client_get_active_conversation (client);

  return g_strcmp0 (suda_conversation_get_name (active), "#mathclub") == 0 &&
         suda_conversation_get_joined (active);
}

static void
test_browse_and_join (void)
{
  SudaTestWindow f = { 0 };
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaTestClient) carol = NULL;
  SudaRoomList *list;
  Shown shown;

  suda_test_window_open (&f, 1000);
  suda_test_window_connect (&f, "alice");
  bob = suda_test_client_register_joined (suda_server_get_port (f.server), "bob", NULL, "#mathclub");
  carol = suda_test_client_register_joined (suda_server_get_port (f.server), "carol", NULL, "#mathclub");
  suda_test_client_send (bob, "TOPIC #mathclub :Proofs \x02on\x02 Fridays");
  g_free (suda_test_client_expect (carol, ":bob!* TOPIC #mathclub :*"));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (suda_test_window_child (&f, "input_view")), "/list", -1);
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.send", NULL);
  g_assert_true (suda_test_wait_until (room_list_open, NULL, 5000));
  list = find_room_list ();
  g_assert_true (suda_room_list_get_client (list) == suda_window_get_client (f.window));

  /* Every room, the fullest first, its users counted and its topic
   * without formatting codes: #mathclub, #lab and the default #lobby. */
  shown = (Shown) { list, 3 };
  g_assert_true (suda_test_wait_until (rooms_shown, &shown, 5000));
  g_assert_cmpstr (gtk_label_get_text (child (list, "status_label")), ==, "3 rooms");
  g_assert_true (suda_test_wait_until (fullest_first, list, 5000));
  g_assert_true (suda_test_wait_until (top_selected, list, 5000));
  /* Sorted by name, as a click on the column's header does. */
  gtk_column_view_sort_by_column (child (list, "column_view"), child (list, "name_column"), GTK_SORT_ASCENDING);
  g_assert_true (suda_test_wait_until (lab_first, list, 5000));
  g_assert_cmpstr (suda_listed_room_get_name (shown_room (list, 0)), ==, "#lab");
  g_assert_cmpstr (suda_listed_room_get_name (shown_room (list, 1)), ==, "#lobby");
  g_assert_cmpstr (suda_listed_room_get_name (shown_room (list, 2)), ==, "#mathclub");
  g_assert_cmpuint (suda_listed_room_get_users (shown_room (list, 2)), >=, 2);
  g_assert_cmpstr (suda_listed_room_get_topic (shown_room (list, 2)), ==, "Proofs on Fridays");

  /* The search looks at names and topics alike. */
  gtk_editable_set_text (child (list, "search_entry"), "FRIDAY");
  shown.n = 1;
  g_assert_true (suda_test_wait_until (rooms_shown, &shown, 5000));
  g_assert_cmpstr (suda_listed_room_get_name (shown_room (list, 0)), ==, "#mathclub");
  g_assert_cmpstr (gtk_label_get_text (child (list, "status_label")), ==, "1 of 3 rooms");
  gtk_editable_set_text (child (list, "search_entry"), "nothing like it");
  shown.n = 0;
  g_assert_true (suda_test_wait_until (rooms_shown, &shown, 5000));
  g_assert_false (gtk_widget_get_sensitive (child (list, "join_button")));
  gtk_editable_set_text (child (list, "search_entry"), "math");
  shown.n = 1;
  g_assert_true (suda_test_wait_until (rooms_shown, &shown, 5000));

  /* Join takes the selected room, and the browser is done. */
  g_assert_true (gtk_widget_get_sensitive (child (list, "join_button")));
  g_signal_emit_by_name (child (list, "join_button"), "clicked");
  g_assert_true (suda_test_wait_until (mathclub_joined_and_shown, f.window, 5000));
  g_assert_null (find_room_list ());

  /* The menu's Browse Rooms opens it again, afresh. */
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.browse-rooms", NULL);
  g_assert_true (suda_test_wait_until (room_list_open, NULL, 5000));
  list = find_room_list ();
  shown = (Shown) { list, 3 };
  g_assert_true (suda_test_wait_until (rooms_shown, &shown, 5000));
  suda_test_window_close (&f);
  suda_test_gtk_drain ();
  g_assert_null (find_room_list ());
}

/* /list with a pattern still answers in the conversation. */
static gboolean
has_rooms_block (gpointer data)
{
  SudaConversation *server = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (server));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (server), i);

      const char *text = suda_message_get_text (m);

      if (text != NULL && g_str_has_prefix (text, "Rooms on this server:\n#lab"))
        return TRUE;
    }
  return FALSE;
}

static void
test_list_with_pattern_stays_text (void)
{
  SudaTestWindow f = { 0 };
  SudaClient *client;

  suda_test_window_open (&f, 1000);
  suda_test_window_connect (&f, "alice");
  client = suda_window_get_client (f.window);
  suda_client_submit (client, suda_client_get_server_conversation (client), "/list #lab");
  /* Told where the person is, #lab. */
  g_assert_true (suda_test_wait_until (has_rooms_block, suda_client_get_active_conversation (client), 5000));
  g_assert_null (find_room_list ());
  g_assert_false (suda_client_get_listing_rooms (client));
  suda_test_window_close (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("no display: run under xvfb-run\n");
      return 77;
    }
  adw_init ();

  g_test_add_func ("/client/room-list/browse-and-join", test_browse_and_join);
  g_test_add_func ("/client/room-list/pattern-stays-text", test_list_with_pattern_stays_text);
  return g_test_run ();
}
