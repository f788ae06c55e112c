/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client window under a real display (the suite runs under xvfb-run). */
#include "config.h"

#include <string.h>

#include "suda-application.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-window.h"

typedef struct {
  SudaServer *server;
  GSettings  *settings;
  SudaWindow *window;
  char       *data_dir;
} Fixture;

static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), SUDA_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  config->port = 0;
  f->server = suda_test_server_new (config);
  f->settings = g_settings_new ("chat.suda.Suda");
  g_settings_set_string (f->settings, "room", "#lab");
  /* The test servers here speak in clear (TLS: test-client-window-tls.c). */
  g_settings_set_boolean (f->settings, "tls", FALSE);
  g_settings_set_boolean (f->settings, "keep-transcripts", FALSE);
  f->window = suda_window_new (NULL, f->settings);
  g_object_ref_sink (f->window);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, f->window, 5000));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_clear_object (&f->settings);
  g_clear_object (&f->server);
  suda_test_gtk_drain ();
}

static void
fill_form (Fixture    *f,
           const char *host,
           guint16     port,
           const char *nick)
{
  gtk_editable_set_text (GTK_EDITABLE (child (f, "server_entry")), host);
  gtk_spin_button_set_value (child (f, "port_spin"), port);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "nick_entry")), nick);
}

static SudaConnection *
connection (Fixture *f)
{
  return suda_client_get_connection (suda_window_get_client (f->window));
}

static gboolean
lab_is_shown (gpointer data)
{
  Fixture *f = data;
  SudaConversation *active = suda_client_get_active_conversation (suda_window_get_client (f->window));

  return g_strcmp0 (suda_conversation_get_name (active), "#lab") == 0 &&
         suda_conversation_get_joined (active) &&
         suda_conversation_find_member (active, "alice") != NULL;
}

static GListModel *
history_model (Fixture *f)
{
  GtkSelectionModel *selection = gtk_list_view_get_model (child (f, "history_list"));

  return gtk_single_selection_get_model (GTK_SINGLE_SELECTION (selection));
}

typedef struct {
  GListModel *model;
  const char *text;
} Find;

static gboolean
model_has_text (gpointer data)
{
  Find *find = data;
  guint n = g_list_model_get_n_items (find->model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (find->model, i);

      if (g_strcmp0 (suda_message_get_text (m), find->text) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
wait_history_text (Fixture    *f,
                   const char *text)
{
  Find find = { history_model (f), text };

  if (!suda_test_wait_until (model_has_text, &find, 5000))
    g_error ("“%s” never reached the history", text);
}

static void
set_input (Fixture    *f,
           const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (child (f, "input_view")), text, -1);
}

static char *
dup_input (Fixture *f)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (child (f, "input_view"));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
is_disconnected (gpointer data)
{
  return suda_connection_get_state (data) == SUDA_CONNECTION_DISCONNECTED;
}

static void
test_connect_receive_send_disconnect (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = NULL;
  g_autofree char *input = NULL;
  GtkWidget *connect_button = child (f, "connect_button");
  GtkWidget *disconnect_button = child (f, "disconnect_button");

  g_assert_true (gtk_widget_get_sensitive (connect_button));
  g_assert_false (gtk_widget_get_sensitive (disconnect_button));

  fill_form (f, "127.0.0.1", suda_server_get_port (f->server), "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
  g_assert_true (suda_test_wait_until (lab_is_shown, f, 5000));
  g_assert_false (gtk_widget_get_sensitive (connect_button));
  g_assert_true (gtk_widget_get_sensitive (disconnect_button));
  g_assert_false (gtk_widget_get_sensitive (child (f, "server_entry")));
  g_assert_cmpstr (adw_window_title_get_subtitle (child (f, "window_title")), ==, "alice on 127.0.0.1");
  g_assert_cmpstr (g_settings_get_string (f->settings, "server"), ==, "127.0.0.1");

  bob = suda_test_client_register (suda_server_get_port (f->server), "bob", NULL);
  suda_test_client_send (bob, "JOIN #lab");
  g_free (suda_test_client_expect (bob, "* 366 *"));
  suda_test_client_send (bob, "PRIVMSG #lab :hello from bob");
  wait_history_text (f, "hello from bob");

  set_input (f, "hi bob, nice to see you");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* PRIVMSG #lab :hi bob, nice to see you"));
  wait_history_text (f, "hi bob, nice to see you");
  input = dup_input (f);
  g_assert_cmpstr (input, ==, "");
  g_assert_true (suda_window_get_sticks_to_bottom (f->window));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.disconnect", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* QUIT *"));
  g_assert_true (suda_test_wait_until (is_disconnected, connection (f), 2000));
  g_assert_true (gtk_widget_get_sensitive (connect_button));
  g_assert_false (gtk_widget_get_sensitive (disconnect_button));
  g_assert_cmpstr (adw_window_title_get_subtitle (child (f, "window_title")), ==, "Not connected");
}

static void
connect_alice (Fixture *f)
{
  fill_form (f, "127.0.0.1", suda_server_get_port (f->server), "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
  g_assert_true (suda_test_wait_until (lab_is_shown, f, 5000));
}

static gboolean
topic_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

/* The topic bar draws a formatted topic as the history does, one bidi
 * isolate; its tooltip is the plain text. */
static void
test_topic_formatted (Fixture       *f,
                      gconstpointer  data)
{
  SudaClient *client = suda_window_get_client (f->window);
  GtkLabel *topic = child (f, "topic_label");
  g_autoptr(PangoAttrIterator) iter = NULL;
  gboolean bold = FALSE;

  /* alice joined first: she is the room's operator and may set it */
  connect_alice (f);
  suda_client_submit (client, suda_client_get_active_conversation (client),
                      "/topic \002Exams\002 on \003" "04Friday");
  g_assert_true (suda_test_wait_until (topic_shown, topic, 5000));
  g_assert_cmpstr (gtk_label_get_text (topic), ==, "\u2068Exams on Friday\u2069");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (topic)), ==, "Exams on Friday");
  iter = pango_attr_list_get_iterator (gtk_label_get_attributes (topic));
  do
    {
      int start, end;
      PangoAttribute *weight = pango_attr_iterator_get (iter, PANGO_ATTR_WEIGHT);

      pango_attr_iterator_range (iter, &start, &end);
      if (weight != NULL && start == 3 && end == 8)
        bold = TRUE;
    }
  while (pango_attr_iterator_next (iter));
  g_assert_true (bold);
}

static void
assert_heading (Fixture *f,
                guint    n_members)
{
  g_autofree char *want = g_strdup_printf ("%u Members", n_members);

  g_assert_cmpstr (gtk_label_get_text (child (f, "members_heading")), ==, want);
}

/* The header bar, the window's title, the topic bar and the member count
 * follow the shown conversation and its changes (bound in the .ui). */
static void
test_header_follows_conversation (Fixture       *f,
                                  gconstpointer  data)
{
  SudaClient *client = suda_window_get_client (f->window);
  SudaConversation *lab, *server = suda_client_get_server_conversation (client);
  guint n;

  connect_alice (f);
  lab = suda_client_get_active_conversation (client);
  g_assert_cmpstr (adw_window_title_get_title (child (f, "window_title")), ==, "#lab");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "#lab");
  n = suda_conversation_get_n_members (lab);
  g_assert_cmpuint (n, >=, 2);   /* alice and the service */
  assert_heading (f, n);
  suda_conversation_add_member (lab, "zed", "");
  assert_heading (f, n + 1);
  suda_conversation_set_topic (lab, "plain topic");
  g_assert_true (gtk_widget_get_visible (child (f, "topic_label")));

  suda_window_show_conversation (f->window, server);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, suda_conversation_get_name (server));
  g_assert_false (gtk_widget_get_visible (child (f, "topic_label")));
  assert_heading (f, 0);

  suda_window_show_conversation (f->window, lab);
  g_assert_true (gtk_widget_get_visible (child (f, "topic_label")));
  assert_heading (f, n + 1);
  suda_conversation_set_name (lab, "#lab-renamed");
  g_assert_cmpstr (adw_window_title_get_title (child (f, "window_title")), ==, "#lab-renamed");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "#lab-renamed");
}

static GtkWidget *
find_tooltip (GtkWidget  *widget,
              const char *text)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_tooltip (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
members_show_tooltip (gpointer data)
{
  return find_tooltip (data, "a\u27e8U+200B\u27e9dmin") != NULL;
}

/* A nick with a zero-width space looks like another: the member list's
 * tooltip names the invisible character. */
static void
test_member_tooltip_reveals_invisible (Fixture       *f,
                                       gconstpointer  data)
{
  SudaConversation *lab;

  connect_alice (f);
  lab = suda_client_get_active_conversation (suda_window_get_client (f->window));
  suda_conversation_add_member (lab, "a\u200bdmin", "");
  if (!suda_test_wait_until (members_show_tooltip, child (f, "member_list"), 5000))
    g_error ("no member row told the zero-width space");
  g_assert_null (find_tooltip (child (f, "member_list"), "alice"));
}

/* The input's Ctrl+B, Ctrl+I, Ctrl+U as the window's shortcuts declare them. */
static void
press_shortcut (Fixture    *f,
                const char *accel)
{
  suda_test_gtk_press_shortcut (child (f, "input_view"), accel);
}

static void
select_all_input (Fixture *f)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (child (f, "input_view"));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_select_range (buffer, &start, &end);
}

static void
test_input_formatting_keys (Fixture       *f,
                            gconstpointer  data)
{
  static const struct { const char *accel, *expected; } keys[] = {
    { "<Control>b", "\002hi\002" },
    { "<Control>i", "\035hi\035" },
    { "<Control>u", "\037hi\037" },
  };
  g_autofree char *typed = NULL;
  g_autofree char *colored = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *input = NULL;

      set_input (f, "hi");
      select_all_input (f);
      press_shortcut (f, keys[i].accel);
      input = dup_input (f);
      g_assert_cmpstr (input, ==, keys[i].expected);
    }

  /* no selection: the code goes in at the cursor */
  set_input (f, "x ");
  press_shortcut (f, "<Control>b");
  typed = dup_input (f);
  g_assert_cmpstr (typed, ==, "x \002");

  /* the popover's colour buttons: two digits, so a digit after stays text */
  set_input (f, "7 days");
  select_all_input (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.format", "s", "color:4");
  colored = dup_input (f);
  g_assert_cmpstr (colored, ==, "\003" "047 days\003");
  {
    GtkWidget *grid = child (f, "format_colors");
    guint n = 0;

    for (GtkWidget *c = gtk_widget_get_first_child (grid); c; c = gtk_widget_get_next_sibling (c))
      n++;
    g_assert_cmpuint (n, ==, 16);
  }
}

static gboolean
error_shown (gpointer data)
{
  return gtk_revealer_get_reveal_child (data);
}

static void
test_refused_port_keeps_typed_text (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  /* A port that was just free and that nobody listens on. */
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  fill_form (f, "127.0.0.1", port, "zed");
  gtk_editable_set_text (GTK_EDITABLE (child (f, "password_entry")), "typed secret");
  g_settings_set_strv (f->settings, "cleartext-servers", (const char * const []) { "127.0.0.1", NULL });
  set_input (f, "a draft I do not want to lose");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
  g_assert_true (suda_test_wait_until (error_shown, child (f, "error_revealer"), 5000));
  g_assert_nonnull (strstr (gtk_label_get_text (child (f, "error_label")), "refused"));

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "server_entry"))), ==, "127.0.0.1");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (child (f, "port_spin")), ==, port);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "nick_entry"))), ==, "zed");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "password_entry"))), ==, "typed secret");
  {
    g_autofree char *draft = dup_input (f);

    g_assert_cmpstr (draft, ==, "a draft I do not want to lose");
  }
  g_assert_true (gtk_widget_get_sensitive (child (f, "connect_button")));
  g_assert_true (gtk_widget_get_sensitive (child (f, "server_entry")));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.dismiss-error", NULL);
  g_assert_false (gtk_revealer_get_reveal_child (child (f, "error_revealer")));
}

static void
test_form_is_checked_before_connecting (Fixture       *f,
                                        gconstpointer  data)
{
  fill_form (f, "   ", 6667, "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
  g_assert_true (gtk_revealer_get_reveal_child (child (f, "error_revealer")));
  g_assert_cmpint (suda_connection_get_state (connection (f)), ==, SUDA_CONNECTION_DISCONNECTED);

  fill_form (f, "localhost", 6667, "9 lives");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
  g_assert_nonnull (strstr (gtk_label_get_text (child (f, "error_label")), "nickname"));
  g_assert_cmpint (suda_connection_get_state (connection (f)), ==, SUDA_CONNECTION_DISCONNECTED);
}

static AdwMessageDialog *
find_dialog (void)
{
  return (AdwMessageDialog *) suda_test_gtk_find_window (ADW_TYPE_MESSAGE_DIALOG);
}

static gboolean
no_dialog (gpointer data)
{
  return find_dialog () == NULL;
}

static void
test_long_paste_asks_first (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *after_cancel = NULL;
  g_autofree char *after_send = NULL;
  AdwMessageDialog *dialog;
  SudaConversation *server = suda_client_get_server_conversation (suda_window_get_client (f->window));
  guint before = g_list_model_get_n_items (G_LIST_MODEL (server));

  set_input (f, "one\ntwo\nthree\nfour\nfive\nsix");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  /* What clicking a button does: respond, then close. */
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (suda_test_wait_until (no_dialog, NULL, 5000));
  after_cancel = dup_input (f);
  g_assert_cmpstr (after_cancel, ==, "one\ntwo\nthree\nfour\nfive\nsix");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (server)), ==, before);

  /* Sending anyway: six lines go out as six (here: six refusals, as the
   * server's conversation takes no messages). */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "send");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (suda_test_wait_until (no_dialog, NULL, 5000));
  after_send = dup_input (f);
  g_assert_cmpstr (after_send, ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (server)), >=, before + 6);

  /* Five lines or fewer go without asking: the action sends at once, or
   * opens its dialog at once. */
  set_input (f, "/help\n/help kick");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  g_assert_null (find_dialog ());
  g_free (after_send);
  after_send = dup_input (f);
  g_assert_cmpstr (after_send, ==, "");
}

static void
test_search_and_escape (Fixture       *f,
                        gconstpointer  data)
{
  GtkSearchBar *bar = child (f, "search_bar");
  GtkSingleSelection *selection;
  SudaConversation *server = suda_client_get_server_conversation (suda_window_get_client (f->window));

  suda_client_add_local (suda_window_get_client (f->window), server, SUDA_MESSAGE_KIND_INFO, "needle in a haystack");
  suda_client_add_local (suda_window_get_client (f->window), server, SUDA_MESSAGE_KIND_INFO, "just hay");

  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (bar)) && gtk_search_bar_get_search_mode (bar));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.find", NULL);
  g_assert_true (gtk_search_bar_get_search_mode (bar));
  gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), "NEEDLE");
  g_signal_emit_by_name (child (f, "search_entry"), "search-changed");
  selection = GTK_SINGLE_SELECTION (gtk_list_view_get_model (child (f, "history_list")));
  {
    SudaMessage *found = gtk_single_selection_get_selected_item (selection);

    g_assert_nonnull (found);
    g_assert_cmpstr (suda_message_get_text (found), ==, "needle in a haystack");
  }
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.close-search", NULL);
  g_assert_false (gtk_search_bar_get_search_mode (bar));
  g_assert_null (gtk_single_selection_get_selected_item (selection));
}

static gboolean
at_bottom (gpointer data)
{
  GtkAdjustment *adj = data;

  return gtk_adjustment_get_value (adj) >= gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 1 &&
         gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj);
}

static void
append_lines (SudaConversation *conv,
              guint             n,
              const char       *prefix)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s %u", prefix, i);
      g_autoptr(SudaMessage) m = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, g_get_real_time (), "bot", text);

      suda_conversation_append (conv, m, FALSE);
    }
}

static gboolean
history_has_all (gpointer data)
{
  GListModel **models = data;   /* the view's model, then the conversation */

  return g_list_model_get_n_items (models[0]) == g_list_model_get_n_items (models[1]);
}

/* Returns once the history view has all of CONV (its model is throttled),
 * laid out and painted. */
static void
wait_history_settled (Fixture          *f,
                      SudaConversation *conv)
{
  GListModel *models[] = { history_model (f), G_LIST_MODEL (conv) };
  SudaTestFrame frame;

  g_assert_true (suda_test_wait_until (history_has_all, models, 5000));
  suda_test_gtk_frame_init (&frame, GTK_WIDGET (f->window));
  g_assert_true (suda_test_wait_until (suda_test_gtk_frame_painted, &frame, 5000));
}

static void
test_sticks_to_bottom_unless_scrolled_up (Fixture       *f,
                                          gconstpointer  data)
{
  SudaConversation *server = suda_client_get_server_conversation (suda_window_get_client (f->window));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (child (f, "history_scroller"));
  GtkWidget *jump = child (f, "jump_button");

  append_lines (server, 300, "line");
  g_assert_true (suda_test_wait_until (at_bottom, adj, 3000));
  g_assert_false (gtk_widget_get_visible (jump));

  /* Scrolled up, new lines leave the view where it is. */
  gtk_adjustment_set_value (adj, 0);
  wait_history_settled (f, server);
  g_assert_false (suda_window_get_sticks_to_bottom (f->window));
  g_assert_true (gtk_widget_get_visible (jump));
  append_lines (server, 50, "more");
  wait_history_settled (f, server);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), <, 1);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.jump-to-latest", NULL);
  g_assert_true (suda_test_wait_until (at_bottom, adj, 3000));
  g_assert_true (suda_window_get_sticks_to_bottom (f->window));
  g_assert_false (gtk_widget_get_visible (jump));
}

/* GTK 4 cannot make key events; emitting the entry's key controller
 * signal runs the same code a key press would. */
static gboolean
press (Fixture         *f,
       guint            keyval,
       GdkModifierType  state)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (child (f, "input_view"));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        {
          g_signal_emit_by_name (controller, "key-pressed", keyval, 0, state, &handled);
          return handled;
        }
    }
  g_assert_not_reached ();
}

static void
assert_input (Fixture    *f,
              const char *expected)
{
  g_autofree char *text = dup_input (f);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_tab_completes_and_up_recalls (Fixture       *f,
                                   gconstpointer  data)
{
  SudaConversation *conv = suda_client_get_active_conversation (suda_window_get_client (f->window));

  suda_conversation_add_member (conv, "bob", NULL);
  suda_conversation_add_member (conv, "Bobby", "@");
  suda_conversation_add_member (conv, "carol", NULL);

  /* At the start of the line a nickname addresses someone; Tab cycles. */
  set_input (f, "bo");
  g_assert_true (press (f, GDK_KEY_Tab, 0));
  assert_input (f, "bob: ");
  g_assert_true (press (f, GDK_KEY_Tab, 0));
  assert_input (f, "Bobby: ");
  g_assert_true (press (f, GDK_KEY_Tab, 0));
  assert_input (f, "bob: ");
  set_input (f, "thanks CA");
  g_assert_true (press (f, GDK_KEY_Tab, 0));
  assert_input (f, "thanks carol ");
  set_input (f, "nobody zz");
  g_assert_true (press (f, GDK_KEY_Tab, 0));
  assert_input (f, "nobody zz");

  /* Enter sends, Shift+Enter is left to the text view for a new line. */
  set_input (f, "/help kick");
  g_assert_true (press (f, GDK_KEY_Return, 0));
  assert_input (f, "");
  set_input (f, "/help me");
  g_assert_false (press (f, GDK_KEY_Return, GDK_SHIFT_MASK));
  g_assert_true (press (f, GDK_KEY_KP_Enter, 0));
  assert_input (f, "");

  /* Up walks back through what was sent, Down forward to an empty line. */
  g_assert_true (press (f, GDK_KEY_Up, 0));
  assert_input (f, "/help me");
  g_assert_true (press (f, GDK_KEY_Up, 0));
  assert_input (f, "/help kick");
  g_assert_true (press (f, GDK_KEY_Up, 0));
  assert_input (f, "/help kick");
  g_assert_true (press (f, GDK_KEY_Down, 0));
  assert_input (f, "/help me");
  g_assert_true (press (f, GDK_KEY_Down, 0));
  assert_input (f, "");

  /* In a text of several lines Up moves the cursor as usual. */
  set_input (f, "one\ntwo");
  g_assert_false (press (f, GDK_KEY_Up, 0));

  /* Activating someone in the member list (operators first) whispers. */
  g_signal_emit_by_name (child (f, "member_list"), "activate", 0);
  assert_input (f, "/whisper Bobby ");
}

/* Keyboard shortcuts window and accessible names */

static void
collect_shortcut_accels (GtkWidget *widget,
                         GPtrArray *accels)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerator = NULL;
      g_auto(GStrv) each = NULL;

      g_object_get (widget, "accelerator", &accelerator, NULL);
      /* One shortcut may list several accelerators, space-separated. */
      each = g_strsplit (accelerator != NULL ? accelerator : "", " ", -1);
      for (guint i = 0; each[i] != NULL; i++)
        if (*each[i] != '\0')
          g_ptr_array_add (accels, g_strdup (each[i]));
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_shortcut_accels (c, accels);
}

/* Compares what the keys mean, not how they are spelt: "<Primary>k" and
 * "<Control>K" are the same shortcut. */
static gboolean
accels_contain (GPtrArray  *accels,
                const char *wanted)
{
  guint want_key;
  GdkModifierType want_mods;

  g_assert_true (gtk_accelerator_parse (wanted, &want_key, &want_mods));
  for (guint i = 0; i < accels->len; i++)
    {
      guint key;
      GdkModifierType mods;

      if (gtk_accelerator_parse (g_ptr_array_index (accels, i), &key, &mods) &&
          gdk_keyval_to_lower (key) == gdk_keyval_to_lower (want_key) && mods == want_mods)
        return TRUE;
    }
  return FALSE;
}

static GtkWidget *
open_shortcuts_window (GtkWidget *window)
{
  GtkShortcutsWindow *overlay;

  g_assert_true (gtk_widget_activate_action (window, "win.show-help-overlay", NULL));
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, overlay, 5000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (overlay)) == GTK_WINDOW (window));
  return GTK_WIDGET (overlay);
}

static void
test_shortcuts_window_opens_and_lists_keys (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(GPtrArray) accels = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *overlay = open_shortcuts_window (GTK_WIDGET (f->window));

  collect_shortcut_accels (overlay, accels);
  /* The window's own accelerators and the keys the message entry handles. */
  for (const char * const *key = (const char * const[]) { "<Control>k", "<Control>q", "<Control>w",
                                                          "<Control>f", "Escape", "<Control>question",
                                                          "Return", "<Shift>Return", "Tab", "Up",
                                                          NULL }; *key; key++)
    if (!accels_contain (accels, *key))
      g_error ("the shortcuts window does not list %s", *key);

  /* Closing only hides it, at once; it opens again. */
  gtk_window_close (GTK_WINDOW (overlay));
  g_assert_false (gtk_widget_get_visible (overlay));
  g_assert_true (open_shortcuts_window (GTK_WIDGET (f->window)) == overlay);
  gtk_window_close (GTK_WINDOW (overlay));
}

/* Every accelerator the application sets, now or later, must be listed. */
static void
test_shortcuts_window_lists_every_app_accelerator (void)
{
  g_autoptr(SudaApplication) app = suda_application_new ();
  g_autoptr(GPtrArray) accels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) actions = NULL;
  g_auto(GStrv) help = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("chat.suda.Suda");
  GtkWidget *window;
  guint checked = 0;

  /* Registering runs startup, which sets the accelerators; a non-unique
   * application needs no session bus for it. */
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  help = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay");
  g_assert_true (g_strv_contains ((const char * const *) help, "<Control>question"));

  window = GTK_WIDGET (suda_window_new (GTK_APPLICATION (app), settings));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, window, 5000));
  collect_shortcut_accels (open_shortcuts_window (window), accels);

  actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) keys = gtk_application_get_accels_for_action (GTK_APPLICATION (app), actions[i]);

      for (guint k = 0; keys[k] != NULL; k++, checked++)
        if (!accels_contain (accels, keys[k]))
          g_error ("%s (%s) is missing from the shortcuts window", keys[k], actions[i]);
    }
  g_assert_cmpuint (checked, >=, 6);

  gtk_window_destroy (GTK_WINDOW (window));
  suda_test_gtk_drain ();
}

static GtkMenuButton *
find_primary_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return GTK_MENU_BUTTON (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkMenuButton *found = find_primary_menu_button (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
window_has_action (GtkWidget  *window,
                   const char *name)
{
  g_autofree char *prefixed = g_strconcat ("win.", name, NULL);
  const char *class_action, *property;
  const GVariantType *parameter;
  GType owner;

  /* GtkApplicationWindow's own actions (show-help-overlay) ... */
  if (g_action_group_has_action (G_ACTION_GROUP (window), name))
    return TRUE;
  /* ... and those SudaWindow installs on its class. */
  for (guint i = 0; gtk_widget_class_query_action (GTK_WIDGET_GET_CLASS (window), i, &owner,
                                                   &class_action, &parameter, &property); i++)
    if (g_strcmp0 (class_action, prefixed) == 0)
      return TRUE;
  return FALSE;
}

static guint
check_menu_actions (GMenuModel *menu,
                    GtkWidget  *window,
                    GActionGroup *app)
{
  guint checked = 0;

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *action = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (section != NULL)
        checked += check_menu_actions (section, window, app);
      if (!g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action))
        continue;
      if (!(g_str_has_prefix (action, "app.") && g_action_group_has_action (app, action + 4)) &&
          !(g_str_has_prefix (action, "win.") && window_has_action (window, action + 4)))
        g_error ("the main menu's %s does not exist", action);
      checked++;
    }
  return checked;
}

/* Every item of the main menu names an action that exists: an item whose
 * action is missing is shown greyed out and does nothing. */
static void
test_main_menu_actions_exist (void)
{
  g_autoptr(SudaApplication) app = suda_application_new ();
  g_autoptr(GSettings) settings = g_settings_new ("chat.suda.Suda");
  g_autoptr(GError) error = NULL;
  GtkMenuButton *button;
  GtkWidget *window;

  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = GTK_WIDGET (suda_window_new (GTK_APPLICATION (app), settings));

  button = find_primary_menu_button (window);
  g_assert_nonnull (button);
  g_assert_cmpuint (check_menu_actions (gtk_menu_button_get_menu_model (button), window,
                                        G_ACTION_GROUP (app)), >=, 8);
  gtk_window_destroy (GTK_WINDOW (window));
  suda_test_gtk_drain ();
}

/* Run from the build tree, the About window still finds the app icon:
 * GtkApplication adds <resource-base-path>/icons to the icon theme, and
 * the icons are compiled into the resources there. */
static void
test_app_icon_found_uninstalled (void)
{
  g_autoptr(SudaApplication) app = suda_application_new ();
  g_autoptr(GError) error = NULL;
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  g_assert_cmpstr (g_application_get_resource_base_path (G_APPLICATION (app)), ==, "/chat/suda/Suda");
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_assert_true (gtk_icon_theme_has_icon (theme, "chat.suda.Suda"));
  g_assert_true (gtk_icon_theme_has_icon (theme, "chat.suda.Suda-symbolic"));
}


static void
test_icon_buttons_have_accessible_names (Fixture       *f,
                                         gconstpointer  data)
{
  guint checked = 0;

  suda_test_check_icon_buttons (GTK_WIDGET (f->window), &checked);
  /* menu, members, search, dismiss, jump to latest, search bar close and
   * the window controls */
  g_assert_cmpuint (checked, >=, 9);
}

static gboolean
is_connected (gpointer data)
{
  return suda_connection_get_state (data) == SUDA_CONNECTION_CONNECTED;
}

/* Enter in a field of the connect form is the field's text emitting
 * activate (GtkText's binding for Return): each field connects. */
static void
test_enter_in_form_connects (Fixture       *f,
                             gconstpointer  data)
{
  static const char * const fields[] = { "server_entry", "port_spin", "nick_entry", "password_entry" };
  g_autofree char *port = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      GtkEditable *field = GTK_EDITABLE (child (f, fields[i]));
      GtkEditable *text = field;

      while (gtk_editable_get_delegate (text) != NULL)
        text = gtk_editable_get_delegate (text);
      g_assert_true (GTK_IS_TEXT (text));
      fill_form (f, "127.0.0.1", suda_server_get_port (f->server), "alice");
      g_signal_emit_by_name (text, "activate");
      if (!suda_test_wait_until (is_connected, connection (f), 5000))
        g_error ("Enter in %s did not connect", fields[i]);
      gtk_widget_activate_action (GTK_WIDGET (f->window), "win.disconnect", NULL);
      g_assert_true (suda_test_wait_until (is_disconnected, connection (f), 2000));
    }

  /* a port typed and not yet taken in is the one connected to */
  port = g_strdup_printf ("%u", suda_server_get_port (f->server));
  fill_form (f, "127.0.0.1", 1, "alice");
  gtk_editable_set_text (GTK_EDITABLE (child (f, "port_spin")), port);
  g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (child (f, "port_spin"))), "activate");
  g_assert_true (suda_test_wait_until (is_connected, connection (f), 5000));
}

static gboolean
error_hidden (gpointer data)
{
  return !gtk_revealer_get_reveal_child (data);
}

/* The red banner says the connection was lost; signed in again, it goes. */
static void
test_reconnected_hides_lost_banner (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  GtkRevealer *banner = child (f, "error_revealer");

  suda_connection_set_reconnect_delay (connection (f), 200);
  connect_alice (f);
  g_assert_false (gtk_revealer_get_reveal_child (banner));
  config->port = suda_server_get_port (f->server);
  suda_server_stop (f->server, NULL);
  g_assert_true (suda_test_wait_until (error_shown, banner, 5000));
  g_clear_object (&f->server);

  f->server = suda_test_server_new (config);
  g_assert_true (suda_test_wait_until (is_connected, connection (f), 8000));
  g_assert_true (error_hidden (banner));
}

/* A nickname refused while connected is said in the banner, until the
 * user disconnects. */
static void
test_disconnect_hides_nick_taken (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = suda_test_client_register (suda_server_get_port (f->server), "bob", NULL);
  GtkRevealer *banner = child (f, "error_revealer");

  connect_alice (f);
  set_input (f, "/nick bob");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  g_assert_true (suda_test_wait_until (error_shown, banner, 5000));
  g_assert_nonnull (strstr (gtk_label_get_text (child (f, "error_label")), "bob"));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.disconnect", NULL);
  g_assert_true (error_hidden (banner));
  g_assert_true (suda_test_wait_until (is_disconnected, connection (f), 2000));
  g_assert_true (error_hidden (banner));
}

/* The style choice of the main menu: kept in the settings, applied by
 * libadwaita at once, and the history's colours follow. */
static void
test_style_choice (Fixture       *f,
                   gconstpointer  data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  static const struct { const char *choice; AdwColorScheme scheme; gboolean dark; } choices[] = {
    { "dark", ADW_COLOR_SCHEME_FORCE_DARK, TRUE },
    { "light", ADW_COLOR_SCHEME_FORCE_LIGHT, FALSE },
    { "dark", ADW_COLOR_SCHEME_FORCE_DARK, TRUE },
    { "default", ADW_COLOR_SCHEME_DEFAULT, FALSE },
  };

  g_assert_cmpstr (g_settings_get_string (f->settings, "style"), ==, "default");
  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    {
      g_autofree char *saved = NULL;
      gboolean dark;

      gtk_widget_activate_action (GTK_WIDGET (f->window), "win.style", "s", choices[i].choice);
      saved = g_settings_get_string (f->settings, "style");
      g_assert_cmpstr (saved, ==, choices[i].choice);
      g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, choices[i].scheme);
      /* "default" follows the system, which under Xvfb says nothing: light */
      g_assert_cmpint (adw_style_manager_get_dark (style), ==, choices[i].dark);
      g_object_get (f->window, "dark", &dark, NULL);
      g_assert_cmpint (dark, ==, choices[i].dark);
    }

  /* a choice made elsewhere (another window, dconf) applies too */
  g_settings_set_string (f->settings, "style", "dark");
  g_assert_true (adw_style_manager_get_dark (style));
  g_settings_reset (f->settings, "style");
  g_assert_false (adw_style_manager_get_dark (style));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* No session bus under xvfb-run: without this GTK warns that it cannot
   * reach the accessibility bus, and warnings are fatal in tests. The
   * "test" backend needs no bus and, unlike "none", keeps the accessible
   * properties the accessible-name test reads. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("no display: run under xvfb-run\n");
      return 77;
    }
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/client/window/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("connect-receive-send-disconnect", test_connect_receive_send_disconnect);
  ADD ("topic-formatted", test_topic_formatted);
  ADD ("header-follows-conversation", test_header_follows_conversation);
  ADD ("member-tooltip-reveals-invisible", test_member_tooltip_reveals_invisible);
  ADD ("input-formatting-keys", test_input_formatting_keys);
  ADD ("refused-port-keeps-typed-text", test_refused_port_keeps_typed_text);
  ADD ("form-is-checked-before-connecting", test_form_is_checked_before_connecting);
  ADD ("long-paste-asks-first", test_long_paste_asks_first);
  ADD ("search-and-escape", test_search_and_escape);
  ADD ("sticks-to-bottom-unless-scrolled-up", test_sticks_to_bottom_unless_scrolled_up);
  ADD ("tab-completes-and-up-recalls", test_tab_completes_and_up_recalls);
  ADD ("shortcuts-window-opens-and-lists-keys", test_shortcuts_window_opens_and_lists_keys);
  ADD ("icon-buttons-have-accessible-names", test_icon_buttons_have_accessible_names);
  ADD ("enter-in-form-connects", test_enter_in_form_connects);
  ADD ("reconnected-hides-lost-banner", test_reconnected_hides_lost_banner);
  ADD ("disconnect-hides-nick-taken", test_disconnect_hides_nick_taken);
  ADD ("style-choice", test_style_choice);
#undef ADD
  g_test_add_func ("/client/window/shortcuts-window-lists-every-app-accelerator",
                   test_shortcuts_window_lists_every_app_accelerator);
  g_test_add_func ("/client/window/app-icon-found-uninstalled", test_app_icon_found_uninstalled);
  g_test_add_func ("/client/window/main-menu-actions-exist", test_main_menu_actions_exist);

  return g_test_run ();
}
