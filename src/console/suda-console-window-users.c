/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-console-window-private.h"

/* The Users page: who is connected, and kicking or disconnecting them. */

typedef struct {
  GWeakRef  window;
  char     *done;     /* the toast once it is done */
} UserAction;

static void
user_action_free (UserAction *action)
{
  g_weak_ref_clear (&action->window);
  g_free (action->done);
  g_free (action);
}

/* The server thread's answer; the window may have gone meanwhile. */
static void
user_action_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  UserAction *action = data;
  g_autoptr(SudaConsoleWindow) self = g_weak_ref_get (&action->window);
  g_autoptr(GError) error = NULL;

  if (!suda_server_host_user_action_finish (SUDA_SERVER_HOST (source), result, &error))
    {
      if (self != NULL)
        _suda_console_window_toast (self, error->message);
    }
  else if (self != NULL)
    _suda_console_window_toast (self, action->done);
  user_action_free (action);
}

static void
user_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (widget);
  gboolean kick = g_str_equal (action_name, "win.kick-user");
  SudaServerHost *host = suda_console_window_get_host (self);
  const char *nick, *reason;
  UserAction *action;

  g_variant_get (parameter, "(&s&s)", &nick, &reason);
  if (!_suda_console_window_is_running (self))
    return;
  if (*reason == '\0')
    reason = NULL;
  action = g_new0 (UserAction, 1);
  g_weak_ref_init (&action->window, self);
  action->done = g_strdup_printf (kick ? _("Kicked %s") : _("Disconnected %s"), nick);
  if (kick)
    suda_server_host_kick_async (host, nick, reason, NULL, user_action_done_cb, action);
  else
    suda_server_host_disconnect_async (host, nick, reason, NULL, user_action_done_cb, action);
}

static void
reason_response_cb (AdwMessageDialog  *dialog,
                    const char        *response,
                    SudaConsoleWindow *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  const char *nick = g_object_get_data (G_OBJECT (dialog), "suda-nick");
  const char *action = g_object_get_data (G_OBJECT (dialog), "suda-action");

  if (g_str_equal (response, "confirm"))
    gtk_widget_activate_action (GTK_WIDGET (self), action, "(ss)",
                                nick, gtk_editable_get_text (entry));
}

static void
ask_reason (SudaConsoleWindow *self,
            gboolean           kick)
{
  SudaUserRow *user = _suda_console_window_selected_user (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog, *entry;
  const char *nick;

  if (user == NULL || !(nick = suda_user_row_get_nick (user)))
    return;
  if (kick)
    {
      heading = g_strdup_printf (_("Kick %s?"), nick);
      body = g_strdup_printf (_("%s leaves every room and is disconnected. "
                                "The rooms see the reason."), nick);
    }
  else
    {
      heading = g_strdup_printf (_("Disconnect %s?"), nick);
      body = g_strdup_printf (_("%s’s connection is closed; they may connect again."), nick);
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason (optional)"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "confirm", kick ? _("_Kick") : _("_Disconnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "confirm",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "confirm");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "suda-nick", g_strdup (nick), g_free);
  g_object_set_data (G_OBJECT (dialog), "suda-action",
                     (gpointer) (kick ? "win.kick-user" : "win.disconnect-user"));
  g_signal_connect (dialog, "response", G_CALLBACK (reason_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ask_reason_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ask_reason (SUDA_CONSOLE_WINDOW (widget), g_str_equal (action_name, "win.kick-selected"));
}

static void
user_cell_pressed_cb (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      GtkListItem     *item)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (gtk_widget_get_root (cell));
  guint position = gtk_list_item_get_position (item);
  double bx, by;

  if (position == GTK_INVALID_LIST_POSITION)
    return;
  gtk_single_selection_set_selected (self->users_selection, position);
  if (!gtk_widget_translate_coordinates (cell, self->users_box, x, y, &bx, &by))
    return;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->user_popover),
                               &(GdkRectangle) { bx, by, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->user_popover));
}

/* Inscriptions, as in the log viewer: a page of rows is measured without
 * shaping its text, which is most of what opening the page costs. */
static void
user_cell_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  GtkWidget *cell = gtk_inscription_new (NULL);
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 0);
  gtk_inscription_set_min_lines (GTK_INSCRIPTION (cell), 1);
  gtk_inscription_set_nat_lines (GTK_INSCRIPTION (cell), 1);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (user_cell_pressed_cb), item);
  gtk_widget_add_controller (cell, GTK_EVENT_CONTROLLER (gesture));
  gtk_list_item_set_child (item, cell);
}

/* Nick and rooms change while a row is shown, so those cells follow the
 * row's properties until it is recycled. */
static void
bind_cell_property (GtkListItem *item,
                    const char  *property)
{
  GBinding *binding = g_object_bind_property (gtk_list_item_get_item (item), property,
                                              gtk_list_item_get_child (item), "text",
                                              G_BINDING_SYNC_CREATE);

  g_object_set_data_full (G_OBJECT (item), "suda-binding", g_object_ref (binding), g_object_unref);
}

static void
user_cell_bind_nick (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  bind_cell_property (item, "nick");
}

static void
user_cell_bind_rooms (GtkSignalListItemFactory *factory,
                      GtkListItem              *item)
{
  bind_cell_property (item, "channels");
}

static void
user_cell_bind_address (GtkSignalListItemFactory *factory,
                        GtkListItem              *item)
{
  SudaUserRow *user = gtk_list_item_get_item (item);

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)),
                            suda_user_row_get_address (user));
}

static void
user_cell_bind_since (GtkSignalListItemFactory *factory,
                      GtkListItem              *item)
{
  SudaUserRow *user = gtk_list_item_get_item (item);
  GDateTime *connected = suda_user_row_get_connected_at (user);
  g_autofree char *text = connected ? _suda_console_format_moment (connected) : NULL;

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)), text ? text : "");
}

static void
user_cell_unbind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item)
{
  GBinding *binding = g_object_steal_data (G_OBJECT (item), "suda-binding");

  if (binding != NULL)
    {
      g_binding_unbind (binding);
      g_object_unref (binding);
    }
}

static void
users_selection_changed_cb (SudaConsoleWindow *self)
{
  _suda_console_window_update_state (self);
}

/* Only a page someone sees follows the host's users: hidden, the sorted
 * list holds nothing and no batch reaches it (no sorting, no rows); shown,
 * it takes them all in one change and sorts them once. */
static void
users_view_map_changed_cb (SudaConsoleWindow *self)
{
  GtkSortListModel *sorted = GTK_SORT_LIST_MODEL (gtk_single_selection_get_model (self->users_selection));
  SudaServerHost *host = suda_console_window_get_host (self);
  GListModel *users = NULL;

  /* the host goes first when the window is torn down */
  if (host != NULL && gtk_widget_get_mapped (GTK_WIDGET (self->users_view)))
    users = suda_server_host_get_users (host);
  if (gtk_sort_list_model_get_model (sorted) != users)
    gtk_sort_list_model_set_model (sorted, users);
}

/* The host lists registered users only, in batches; the column headers sort. */
void
_suda_console_window_setup_users (SudaConsoleWindow *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->users_view);
  GtkSortListModel *sorted;

  sorted = gtk_sort_list_model_new (NULL, sorter ? g_object_ref (sorter) : NULL);
  self->users_selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (self->users_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->users_selection, TRUE);
  g_signal_connect_swapped (self->users_selection, "notify::selected",
                            G_CALLBACK (users_selection_changed_cb), self);
  gtk_column_view_set_model (self->users_view, GTK_SELECTION_MODEL (self->users_selection));
  g_signal_connect_swapped (self->users_view, "map", G_CALLBACK (users_view_map_changed_cb), self);
  g_signal_connect_swapped (self->users_view, "unmap", G_CALLBACK (users_view_map_changed_cb), self);

  self->user_popover = gtk_popover_menu_new_from_model (self->user_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->user_popover), FALSE);
  gtk_widget_set_halign (self->user_popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->user_popover, self->users_box);
}

void
_suda_console_window_users_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, user_cell_setup);
  gtk_widget_class_bind_template_callback (widget_class, user_cell_bind_nick);
  gtk_widget_class_bind_template_callback (widget_class, user_cell_bind_address);
  gtk_widget_class_bind_template_callback (widget_class, user_cell_bind_since);
  gtk_widget_class_bind_template_callback (widget_class, user_cell_bind_rooms);
  gtk_widget_class_bind_template_callback (widget_class, user_cell_unbind);

  gtk_widget_class_install_action (widget_class, "win.kick-user", "(ss)", user_action);
  gtk_widget_class_install_action (widget_class, "win.disconnect-user", "(ss)", user_action);
  gtk_widget_class_install_action (widget_class, "win.kick-selected", NULL, ask_reason_action);
  gtk_widget_class_install_action (widget_class, "win.disconnect-selected", NULL, ask_reason_action);
}
