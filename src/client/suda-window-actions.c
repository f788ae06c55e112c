/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's actions (win.*): menus, buttons and keys all go through
 * them.  The connect form is read here too, as only win.connect uses it. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-format-input.h"
#include "suda-irc-message.h"
#include "suda-room-list.h"
#include "suda-room-settings.h"
#include "suda-window-private.h"

static gboolean
parse_form (SudaWindow  *self,
            char       **host,
            guint16     *port,
            char       **nick)
{
  g_autofree char *h = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_entry))));
  g_autofree char *n = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->nick_entry))));

  if (*h == '\0')
    {
      _suda_window_show_error (self, _("Enter the server’s address, a host name or an IP address."));
      gtk_widget_grab_focus (GTK_WIDGET (self->server_entry));
      return FALSE;
    }
  if (!suda_irc_is_valid_nick (n, 30))
    {
      _suda_window_show_error (self, *n == '\0' ? _("Enter a nickname.")
                                                : _("A nickname starts with a letter and has only letters, digits and - _ [ ] \\ ` ^ { } |, at most 30 of them."));
      gtk_widget_grab_focus (GTK_WIDGET (self->nick_entry));
      return FALSE;
    }
  /* A port typed but not yet taken in (Enter or leaving the field) counts. */
  gtk_spin_button_update (self->port_spin);
  *port = gtk_spin_button_get_value_as_int (self->port_spin);
  *host = g_steal_pointer (&h);
  *nick = g_steal_pointer (&n);
  return TRUE;
}

void
suda_window_connect (SudaWindow *self)
{
  g_autofree char *host = NULL;
  g_autofree char *nick = NULL;
  g_autofree char *room = NULL;
  const char *password;
  SudaClient *other;
  guint16 port;

  g_return_if_fail (SUDA_IS_WINDOW (self));

  if (!parse_form (self, &host, &port, &nick))
    return;
  /* A server this window already has is that server's group again. */
  other = _suda_window_find_server (self, host, port);
  if (other != NULL && other != self->client)
    suda_window_show_conversation (self, suda_client_get_server_conversation (other));
  _suda_window_hide_error (self);
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
  if (!_suda_window_prepare_connect (self, host, nick, password))
    return;
  g_settings_set_string (self->settings, "server", host);
  g_settings_set_uint (self->settings, "port", port);
  g_settings_set_string (self->settings, "nickname", nick);
  room = g_settings_get_string (self->settings, "room");
  suda_client_set_autojoin (self->client, room);
  /* The focus leaves the form before the form turns insensitive: GTK 4.8
   * keeps a focused entry that turns insensitive blinking, without focus. */
  if (!gtk_widget_grab_focus (GTK_WIDGET (self->input_view)))
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  suda_client_connect (self->client, host, port, nick, password);
}

/* Enter in any field of the connect form connects. */
static void
form_activate_cb (GtkWidget  *field,
                  SudaWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.connect", NULL);
}

/* Connecting is for a disconnected window, disconnecting for the others. */
void
_suda_window_update_actions (SudaWindow *self,
                             gboolean    disconnected)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.connect", disconnected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.disconnect", !disconnected);
}

/* What went wrong with the connection (a nickname taken, a lost link)
 * is over once the user has closed it. */
static void
disconnect (SudaWindow *self)
{
  suda_client_disconnect (self->client);
  _suda_window_hide_error (self);
}

static void
leave (SudaWindow *self)
{
  if (self->shown != NULL)
    suda_client_close_conversation (self->client, self->shown);
}

/* Room settings are an operator's: others hear why not instead. */
static void
room_settings (SudaWindow *self)
{
  SudaConnection *connection = suda_client_get_connection (self->client);
  SudaMember *own;

  if (self->shown == NULL || suda_conversation_get_kind (self->shown) != SUDA_CONVERSATION_ROOM ||
      !suda_conversation_get_joined (self->shown))
    {
      _suda_window_show_error (self, _("Open a room you are in to change its settings."));
      return;
    }
  own = suda_conversation_find_member (self->shown, suda_connection_get_nick (connection));
  if (own == NULL || !suda_member_get_operator (own))
    {
      _suda_window_show_error (self, _("Only the room’s operators change its settings."));
      return;
    }
  gtk_window_present (GTK_WINDOW (suda_room_settings_new (GTK_WINDOW (self), connection,
                                                          suda_conversation_get_name (self->shown),
                                                          suda_conversation_get_topic (self->shown))));
}

/* The room browser for CLIENT's server, one at a time: a browser of
 * another server gives way. */
void
_suda_window_show_room_list (SudaWindow *self,
                             SudaClient *client)
{
  if (self->room_list != NULL && suda_room_list_get_client (SUDA_ROOM_LIST (self->room_list)) != client)
    gtk_window_destroy (self->room_list);
  if (self->room_list == NULL)
    {
      self->room_list = GTK_WINDOW (suda_room_list_new (GTK_WINDOW (self), client));
      g_object_add_weak_pointer (G_OBJECT (self->room_list), (gpointer *) &self->room_list);
    }
  gtk_window_present (self->room_list);
}

/* Asking the shown server for its rooms opens the browser (the client
 * says "browse-rooms", as for /list). */
static void
browse_rooms (SudaWindow *self)
{
  if (!suda_connection_is_connected (suda_client_get_connection (self->client)))
    {
      _suda_window_show_error (self, _("Connect to a server to browse its rooms."));
      return;
    }
  suda_client_browse_rooms (self->client);
}

/* A new, empty server group; the form, free again, says where to. */
static void
add_server (SudaWindow *self)
{
  suda_window_add_server (self);
  gtk_editable_set_text (GTK_EDITABLE (self->server_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->server_entry));
}

static void
jump_to_latest (SudaWindow *self)
{
  _suda_window_set_sticks (self, TRUE);
  _suda_window_scroll_to_end (self);
}

/* The actions without a parameter, each a function of the window. */
static const struct {
  const char  *name;
  void       (*run) (SudaWindow *self);
} plain_actions[] = {
  { "win.connect", suda_window_connect },
  { "win.disconnect", disconnect },
  { "win.add-server", add_server },
  { "win.room-settings", room_settings },
  { "win.browse-rooms", browse_rooms },
  { "win.dismiss-error", _suda_window_hide_error },
  { "win.send", _suda_window_send_input },
  { "win.leave", leave },
  { "win.jump-to-conversation", _suda_window_open_jump },
  { "win.find", _suda_window_open_search },
  { "win.close-search", _suda_window_close_search },
  { "win.jump-to-latest", jump_to_latest },
};

static void
plain_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  for (guint i = 0; i < G_N_ELEMENTS (plain_actions); i++)
    if (g_str_equal (plain_actions[i].name, action_name))
      {
        plain_actions[i].run (SUDA_WINDOW (widget));
        return;
      }
  g_assert_not_reached ();
}

/* A mention toast's Show: the conversation on (HOST, PORT) named NAME,
 * if it is still there. */
static void
show_mentioned_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);
  const char *host, *name;
  SudaConversation *conv;
  SudaClient *client;
  guint16 port;

  g_variant_get (parameter, "(&sq&s)", &host, &port, &name);
  client = _suda_window_find_server (self, host, port);
  conv = client ? suda_client_find_conversation (client, name) : NULL;
  if (conv != NULL)
    suda_window_show_conversation (self, conv);
}

/* Ctrl+B, Ctrl+I, Ctrl+U and the formatting popover's buttons. */
static void
format_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);

  suda_format_input_apply (self->input_view, g_variant_get_string (parameter, NULL));
  gtk_popover_popdown (self->format_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->input_view));
}

void
_suda_window_actions_class_init (GtkWidgetClass *widget_class)
{
  for (guint i = 0; i < G_N_ELEMENTS (plain_actions); i++)
    gtk_widget_class_install_action (widget_class, plain_actions[i].name, NULL, plain_action);
  gtk_widget_class_install_action (widget_class, "win.format", "s", format_action);
  gtk_widget_class_install_action (widget_class, "win.show-mentioned", "(sqs)", show_mentioned_action);
  gtk_widget_class_install_property_action (widget_class, "win.show-members", "show-members");
  gtk_widget_class_bind_template_callback (widget_class, form_activate_cb);
}

/* The style setting as libadwaita names it. */
static gboolean
style_to_color_scheme (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  const char *style = g_variant_get_string (variant, NULL);

  if (g_str_equal (style, "light"))
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_str_equal (style, "dark"))
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    g_value_set_enum (value, ADW_COLOR_SCHEME_DEFAULT);
  return TRUE;
}

/* win.style sets the setting, and the setting the style of every window
 * (binding the one style manager again replaces the last binding). */
void
_suda_window_bind_style (SudaWindow *self)
{
  g_autoptr(GAction) style = g_settings_create_action (self->settings, "style");

  g_action_map_add_action (G_ACTION_MAP (self), style);
  g_settings_bind_with_mapping (self->settings, "style", adw_style_manager_get_default (), "color-scheme",
                                G_SETTINGS_BIND_GET, style_to_color_scheme, NULL, NULL, NULL);
}

void
_suda_window_actions_init (SudaWindow *self)
{
  /* GTK 4.8's spin button has no activate signal of its own: Enter
   * reaches only the text inside it. */
  g_signal_connect (gtk_editable_get_delegate (GTK_EDITABLE (self->port_spin)), "activate",
                    G_CALLBACK (form_activate_cb), self);
}
