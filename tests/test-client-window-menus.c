/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The member menu: a right click on a member or on a nick in the history
 * offers private message, whois, op/deop, kick and ban, under Xvfb. */
#include "config.h"

#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-test-window.h"
#include "suda-member.h"
#include "suda-message.h"
#include "suda-room-settings.h"
#include "suda-window.h"

typedef SudaTestWindow Fixture;

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  suda_test_window_close (f);
}

/* The list item rows made by the member list's factory, or the history's. */
static GtkWidget *
find_row_for (GtkWidget  *widget,
              const char *nick)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (widget), "list-item");

  if (item != NULL && gtk_list_item_get_item (item) != NULL)
    {
      gpointer thing = gtk_list_item_get_item (item);
      const char *name = SUDA_IS_MEMBER (thing) ? suda_member_get_nick (thing)
                         : suda_message_get_sender (thing);

      if (g_strcmp0 (name, nick) == 0)
        return widget;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_row_for (c, nick);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct {
  GtkWidget  *list;
  const char *nick;
} RowWait;

static gboolean
row_shown (gpointer data)
{
  RowWait *w = data;

  return find_row_for (w->list, w->nick) != NULL;
}

/* What a right click on ROW does, through its own gesture. */
static void
right_click (GtkWidget *row)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (row);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller) &&
          gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (controller)) == GDK_BUTTON_SECONDARY)
        {
          g_signal_emit_by_name (controller, "pressed", 1, 4.0, 4.0);
          return;
        }
    }
  g_error ("the row has no right-click gesture");
}

/* Each item of the member's menu does its command to that member. */
static void
test_member_menu (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = NULL;
  RowWait wait;
  GtkWidget *row;

  suda_test_window_open (f, 1000);
  suda_test_window_connect (f, "alice");
  bob = suda_test_client_register_joined (suda_server_get_port (f->server), "bob", NULL, "#lab");
  wait = (RowWait) { suda_test_window_child (f, "member_list"), "bob" };
  g_assert_true (suda_test_wait_until (row_shown, &wait, 5000));
  row = find_row_for (wait.list, "bob");
  right_click (row);
  g_assert_true (gtk_widget_get_visible (suda_test_window_child (f, "member_popover")));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.member-op", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* MODE #lab +o bob"));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.member-deop", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* MODE #lab -o bob"));

  /* The keyboard's way: Shift+F10 (win.member-menu) on the focused row. */
  gtk_popover_popdown (suda_test_window_child (f, "member_popover"));
  g_assert_true (suda_test_wait_until (row_shown, &wait, 5000));
  row = find_row_for (wait.list, "bob");
  g_assert_true (gtk_widget_grab_focus (gtk_widget_get_parent (row)));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.member-menu", NULL);
  g_assert_true (gtk_widget_get_visible (suda_test_window_child (f, "member_popover")));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.member-op", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* MODE #lab +o bob"));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.member-whois", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.member-query", NULL);
  g_assert_cmpstr (suda_conversation_get_name (suda_client_get_active_conversation (suda_window_get_client (f->window))), ==, "bob");

  /* The same menu from bob's line in the history, back in the room. */
  suda_window_show_conversation (f->window,
                                 suda_client_find_conversation (suda_window_get_client (f->window), "#lab"));
  suda_test_client_send (bob, "PRIVMSG #lab :right-click me");
  wait = (RowWait) { suda_test_window_child (f, "history_list"), "bob" };
  g_assert_true (suda_test_wait_until (row_shown, &wait, 5000));
  right_click (find_row_for (wait.list, "bob"));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.member-ban", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* MODE #lab +b bob!*@*"));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.member-kick", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* KICK #lab bob*"));
}

static SudaRoomSettings *
find_settings_dialog (void)
{
  return (SudaRoomSettings *) suda_test_gtk_find_window (SUDA_TYPE_ROOM_SETTINGS);
}

static gboolean
dialog_loaded (gpointer dialog)
{
  GtkWidget *apply = GTK_WIDGET (gtk_widget_get_template_child (dialog, SUDA_TYPE_ROOM_SETTINGS, "apply_button"));

  return gtk_widget_get_sensitive (apply);
}

static gpointer
dialog_child (SudaRoomSettings *dialog,
              const char       *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (dialog), SUDA_TYPE_ROOM_SETTINGS, name);
}

/* The room settings dialog reads the room's modes from the server, and
 * Apply sends one MODE with what changed and the new topic. */
static void
test_room_settings (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = NULL;
  SudaRoomSettings *dialog;

  suda_test_window_open (f, 1000);
  suda_test_window_connect (f, "alice");
  bob = suda_test_client_register_joined (suda_server_get_port (f->server), "bob", NULL, "#lab");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.room-settings", NULL);
  dialog = find_settings_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (suda_test_wait_until (dialog_loaded, dialog, 5000));
  g_assert_false (gtk_switch_get_active (dialog_child (dialog, "moderated_switch")));

  gtk_switch_set_active (dialog_child (dialog, "moderated_switch"), TRUE);
  gtk_switch_set_active (dialog_child (dialog, "invite_switch"), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "key_row")), "sesame");
  gtk_spin_button_set_value (dialog_child (dialog, "limit_spin"), 10);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "topic_row")), "Set in the dialog");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "settings.apply", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* MODE #lab +imkl sesame 10"));
  g_free (suda_test_client_expect (bob, ":alice!* TOPIC #lab :Set in the dialog"));
  suda_test_gtk_drain ();
  g_assert_null (find_settings_dialog ());

  /* Opened again, it shows what the server now says. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.room-settings", NULL);
  dialog = find_settings_dialog ();
  g_assert_true (suda_test_wait_until (dialog_loaded, dialog, 5000));
  g_assert_true (gtk_switch_get_active (dialog_child (dialog, "moderated_switch")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dialog_child (dialog, "key_row"))), ==, "sesame");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (dialog_child (dialog, "limit_spin")), ==, 10);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Someone who is not an operator hears why instead of a dialog. */
static void
test_room_settings_for_operators (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = NULL;

  suda_test_window_open (f, 1000);
  bob = suda_test_client_register_joined (suda_server_get_port (f->server), "bob", NULL, "#lab");
  suda_test_window_connect (f, "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.room-settings", NULL);
  g_assert_null (find_settings_dialog ());
  g_assert_cmpstr (gtk_label_get_text (suda_test_window_child (f, "error_label")), ==, "Only the room’s operators change its settings.");
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

  g_test_add ("/client/window/menus/member-menu", Fixture, NULL, NULL,
              test_member_menu, fixture_tear_down);
  g_test_add ("/client/window/menus/room-settings", Fixture, NULL, NULL,
              test_room_settings, fixture_tear_down);
  g_test_add ("/client/window/menus/room-settings-for-operators", Fixture, NULL, NULL,
              test_room_settings_for_operators, fixture_tear_down);
  return g_test_run ();
}
