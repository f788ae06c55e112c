/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Several servers in one window: each its own group in the sidebar, its
 * own connection and nick, and their rooms kept apart. */
#include "config.h"

#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-test-window.h"
#include "suda-window.h"

typedef struct {
  SudaTestWindow w;        /* the window, and the first server */
  SudaServer    *server2;
} Fixture;

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  suda_test_window_close (&f->w);
  g_clear_object (&f->server2);
}

typedef struct {
  SudaClient *client;
  const char *room;
} Joined;

static gboolean
room_joined (gpointer data)
{
  Joined *j = data;
  SudaConversation *conv = suda_client_find_conversation (j->client, j->room);

  return conv != NULL && suda_conversation_get_joined (conv);
}

static SudaClient *
connect_to (Fixture    *f,
            SudaServer *server,
            const char *nick)
{
  SudaClient *client;
  Joined joined;

  gtk_editable_set_text (GTK_EDITABLE (suda_test_window_child (&f->w, "server_entry")), "127.0.0.1");
  gtk_spin_button_set_value (suda_test_window_child (&f->w, "port_spin"), suda_server_get_port (server));
  gtk_editable_set_text (GTK_EDITABLE (suda_test_window_child (&f->w, "nick_entry")), nick);
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.connect", NULL);
  client = suda_window_get_client (f->w.window);
  joined = (Joined) { client, "#lab" };
  g_assert_true (suda_test_wait_until (room_joined, &joined, 5000));
  return client;
}

typedef struct {
  SudaConversation *conv;
  const char       *text;
} Said;

static gboolean
conversation_has (gpointer data)
{
  Said *said = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (said->conv));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (said->conv), i);

      if (g_strcmp0 (suda_message_get_text (m), said->text) == 0)
        return TRUE;
    }
  return FALSE;
}

static guint
count_in_sidebar (Fixture          *f,
                  SudaConversation *wanted)
{
  GListModel *sidebar = gtk_single_selection_get_model (suda_test_window_child (&f->w, "conversation_selection"));
  guint n = g_list_model_get_n_items (sidebar), found = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (sidebar, i);

      found += conv == wanted;
    }
  return found;
}

static gboolean
subtitle_is_alice_two (gpointer title)
{
  return g_strcmp0 (adw_window_title_get_subtitle (title), "alice_two on 127.0.0.1") == 0;
}

/* Two servers on 127.0.0.1: each in its own group of the sidebar, each
 * room with only its own server's lines, the header following the shown
 * server, and a nick change on one leaving the other's alone. */
static void
test_two_servers_apart (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaTestClient) carol = NULL;
  SudaClient *one, *two;
  SudaConversation *lab_one, *lab_two;
  Said said;

  suda_test_window_open (&f->w, 1000);
  f->server2 = suda_test_server_new (config);
  one = connect_to (f, f->w.server, "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.add-server", NULL);
  g_assert_true (gtk_widget_get_sensitive (suda_test_window_child (&f->w, "server_entry")));
  two = connect_to (f, f->server2, "alice");
  g_assert_true (one != two);

  lab_one = suda_client_find_conversation (one, "#lab");
  lab_two = suda_client_find_conversation (two, "#lab");
  g_assert_true (lab_one != lab_two);
  g_assert_cmpuint (count_in_sidebar (f, suda_client_get_server_conversation (one)), ==, 1);
  g_assert_cmpuint (count_in_sidebar (f, suda_client_get_server_conversation (two)), ==, 1);
  g_assert_cmpuint (count_in_sidebar (f, lab_one), ==, 1);
  g_assert_cmpuint (count_in_sidebar (f, lab_two), ==, 1);

  bob = suda_test_client_register_joined (suda_server_get_port (f->w.server), "bob", NULL, "#lab");
  carol = suda_test_client_register_joined (suda_server_get_port (f->server2), "carol", NULL, "#lab");
  suda_test_client_send (bob, "PRIVMSG #lab :only on the first");
  suda_test_client_send (carol, "PRIVMSG #lab :only on the second");
  said = (Said) { lab_one, "only on the first" };
  g_assert_true (suda_test_wait_until (conversation_has, &said, 5000));
  said = (Said) { lab_two, "only on the second" };
  g_assert_true (suda_test_wait_until (conversation_has, &said, 5000));
  said = (Said) { lab_two, "only on the first" };
  g_assert_false (conversation_has (&said));
  said = (Said) { lab_one, "only on the second" };
  g_assert_false (conversation_has (&said));

  /* The header and the entry speak for the shown conversation's server. */
  suda_window_show_conversation (f->w.window, lab_one);
  g_assert_true (suda_window_get_client (f->w.window) == one);
  g_assert_cmpuint (suda_connection_get_port (suda_window_get_connection (f->w.window)), ==,
                    suda_server_get_port (f->w.server));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (suda_test_window_child (&f->w, "input_view")), "hello first", -1);
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.send", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* PRIVMSG #lab :hello first"));

  suda_window_show_conversation (f->w.window, lab_two);
  g_assert_true (suda_window_get_client (f->w.window) == two);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (suda_test_window_child (&f->w, "input_view")), "/nick alice_two", -1);
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.send", NULL);
  g_free (suda_test_client_expect (carol, ":alice!* NICK :alice_two"));
  g_assert_true (suda_test_wait_until (subtitle_is_alice_two, suda_test_window_child (&f->w, "window_title"), 5000));
  g_assert_cmpstr (suda_connection_get_nick (suda_client_get_connection (one)), ==, "alice");
}

typedef struct {
  GSettings *settings;
  guint      n;          /* servers saved */
  guint      connected;  /* of them connected */
} Saved;

static gboolean
servers_saved (gpointer data)
{
  Saved *saved = data;
  g_autoptr(GVariant) servers = g_settings_get_value (saved->settings, "servers");
  guint connected = 0;

  for (gsize i = 0; i < g_variant_n_children (servers); i++)
    {
      g_autoptr(GVariant) server = g_variant_get_child_value (servers, i);
      g_autoptr(GVariant) up = g_variant_get_child_value (server, 5);

      connected += g_variant_get_boolean (up);
    }
  return g_variant_n_children (servers) == saved->n && connected == saved->connected;
}

/* The window's server on PORT, found through the sidebar's groups. */
static SudaClient *
server_on (SudaWindow *window,
           guint16     port)
{
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (
    gtk_widget_get_template_child (GTK_WIDGET (window), SUDA_TYPE_WINDOW, "conversation_selection"));
  GListModel *sidebar = gtk_single_selection_get_model (selection);

  for (guint i = 0; i < g_list_model_get_n_items (sidebar); i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (sidebar, i);
      SudaClient *client;

      if (suda_conversation_get_kind (conv) != SUDA_CONVERSATION_SERVER)
        continue;
      suda_window_show_conversation (window, conv);
      client = suda_window_get_client (window);
      if (suda_connection_get_port (suda_client_get_connection (client)) == port)
        return client;
    }
  return NULL;
}

static void
wait_joined (SudaClient *client,
             const char *room)
{
  Joined joined = { client, room };

  g_assert_true (suda_test_wait_until (room_joined, &joined, 5000));
}

/* Issue 13: the servers and rooms of the last session come back in a new
 * window: those connected reconnect and rejoin, the one the person
 * disconnected is listed, not connected, and its rooms wait in it. */
static void
test_servers_restored (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server3 = NULL;
  SudaClient *one, *two, *three;
  SudaConversation *lab_two;
  Saved saved;

  suda_test_window_open (&f->w, 1000);
  f->server2 = suda_test_server_new (config);
  server3 = suda_test_server_new (config);
  one = connect_to (f, f->w.server, "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.add-server", NULL);
  two = connect_to (f, f->server2, "alicia");
  lab_two = suda_client_find_conversation (two, "#lab");
  suda_client_submit (two, lab_two, "/join #second");
  wait_joined (two, "#second");
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.add-server", NULL);
  three = connect_to (f, server3, "ali");
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.disconnect", NULL);
  g_assert_cmpint (suda_connection_get_state (suda_client_get_connection (three)), ==,
                   SUDA_CONNECTION_DISCONNECTED);
  g_assert_true (one != two && two != three);
  saved = (Saved) { f->w.settings, 3, 2 };
  g_assert_true (suda_test_wait_until (servers_saved, &saved, 5000));

  /* Closing says goodbye to the servers without forgetting them. */
  gtk_window_close (GTK_WINDOW (f->w.window));
  g_clear_object (&f->w.window);
  suda_test_gtk_drain ();
  g_assert_true (servers_saved (&saved));

  f->w.window = g_object_ref_sink (suda_window_new (NULL, f->w.settings));
  gtk_window_present (GTK_WINDOW (f->w.window));
  suda_window_restore_servers (f->w.window);
  one = server_on (f->w.window, suda_server_get_port (f->w.server));
  two = server_on (f->w.window, suda_server_get_port (f->server2));
  three = server_on (f->w.window, suda_server_get_port (server3));
  g_assert_nonnull (one);
  g_assert_nonnull (two);
  g_assert_nonnull (three);
  wait_joined (one, "#lab");
  wait_joined (two, "#lab");
  wait_joined (two, "#second");
  g_assert_null (suda_client_find_conversation (one, "#second"));
  g_assert_cmpstr (suda_connection_get_nick (suda_client_get_connection (two)), ==, "alicia");
  g_assert_cmpint (suda_connection_get_state (suda_client_get_connection (three)), ==,
                   SUDA_CONNECTION_DISCONNECTED);
  g_assert_cmpstr (suda_connection_get_nick (suda_client_get_connection (three)), ==, "ali");
  g_assert_cmpstr (suda_conversation_get_name (suda_client_get_server_conversation (three)), ==, "127.0.0.1");
  /* Still three servers, two connected, once the rejoins are saved. */
  g_assert_true (suda_test_wait_until (servers_saved, &saved, 5000));

  /* An address for the disconnected one connects that group, as --nick
   * says, and adds none. */
  suda_window_open_address (f->w.window, "127.0.0.1", suda_server_get_port (server3), FALSE, "zed", NULL);
  wait_joined (three, "#lab");
  g_assert_cmpstr (suda_connection_get_nick (suda_client_get_connection (three)), ==, "zed");
  g_assert_true (suda_window_get_client (f->w.window) == three);
  saved = (Saved) { f->w.settings, 3, 3 };
  g_assert_true (suda_test_wait_until (servers_saved, &saved, 5000));
}

static GtkWidget *
find_button_labelled (GtkWidget  *widget,
                      const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0 &&
      gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button_labelled (c, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0 &&
      gtk_widget_get_mapped (widget))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (has_label (c, text))
      return TRUE;
  return FALSE;
}

static gboolean
toast_shown (gpointer data)
{
  Fixture *f = data;
  GtkWidget *overlay = suda_test_window_child (&f->w, "toast_overlay");

  return has_label (overlay, "bob mentioned you in #second") && find_button_labelled (overlay, "_Show") != NULL;
}

static gboolean
second_shown (gpointer data)
{
  Fixture *f = data;
  SudaConversation *active = suda_client_get_active_conversation (suda_window_get_client (f->w.window));

  return g_strcmp0 (suda_conversation_get_name (active), "#second") == 0;
}

/* A mention in a room not shown while the window is in front: a toast
 * says who and where, the sidebar row is marked, and Show opens it. */
static void
test_mention_toast (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = NULL;
  SudaClient *client;
  SudaConversation *lab, *second;
  Said said;

  suda_test_window_open (&f->w, 1000);
  client = connect_to (f, f->w.server, "alice");
  suda_client_set_window_active (client, TRUE);
  lab = suda_client_find_conversation (client, "#lab");
  suda_client_submit (client, lab, "/join #second");
  wait_joined (client, "#second");
  second = suda_client_find_conversation (client, "#second");
  suda_window_show_conversation (f->w.window, lab);
  bob = suda_test_client_register_joined (suda_server_get_port (f->w.server), "bob", NULL, "#second");

  /* In the room shown: no toast. */
  suda_test_client_send (bob, "JOIN #lab");
  suda_test_client_send (bob, "PRIVMSG #lab :alice: here, where you look");
  said = (Said) { lab, "alice: here, where you look" };
  g_assert_true (suda_test_wait_until (conversation_has, &said, 5000));
  g_assert_null (find_button_labelled (suda_test_window_child (&f->w, "toast_overlay"), "_Show"));

  suda_test_client_send (bob, "PRIVMSG #second :alice: look at this");
  g_assert_true (suda_test_wait_until (toast_shown, f, 5000));
  g_assert_true (suda_conversation_get_mention (second));
  g_assert_true (suda_window_get_client (f->w.window) == client);
  g_assert_true (suda_client_get_active_conversation (client) == lab);

  g_signal_emit_by_name (find_button_labelled (suda_test_window_child (&f->w, "toast_overlay"), "_Show"), "clicked");
  g_assert_true (suda_test_wait_until (second_shown, f, 5000));
  g_assert_false (suda_conversation_get_mention (second));
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

  g_test_add ("/client/window/servers/two-servers-apart", Fixture, NULL, NULL,
              test_two_servers_apart, fixture_tear_down);
  g_test_add ("/client/window/servers/restored-at-start", Fixture, NULL, NULL,
              test_servers_restored, fixture_tear_down);
  g_test_add ("/client/window/servers/mention-toast", Fixture, NULL, NULL,
              test_mention_toast, fixture_tear_down);
  return g_test_run ();
}
