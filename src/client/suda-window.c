/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client's window: the object and its template, the connection's state
 * in the header bar, and which conversation is shown.  The rest is split
 * by concern; see suda-window-private.h. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-format-input.h"
#include "suda-format-pango.h"
#include "suda-window-private.h"

/* How often a flood of new messages reaches the history view: each time
 * costs a layout of the rows on screen. */
#define HISTORY_THROTTLE_MS 250

enum {
  PROP_0,
  PROP_SHOW_MEMBERS,
  PROP_CONNECTION,
  PROP_CONVERSATION,
  PROP_DARK,
  PROP_SHOW_COLORS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SudaWindow, suda_window, ADW_TYPE_APPLICATION_WINDOW)

/* Errors and state */

void
_suda_window_show_error (SudaWindow *self,
                         const char *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

void
_suda_window_hide_error (SudaWindow *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

/* Each server of the window reports here; the banner and the header
 * are the shown server's. */
static void
connection_error_cb (SudaConnection *connection,
                     const GError   *error,
                     SudaWindow     *self)
{
  if (connection == suda_window_get_connection (self))
    _suda_window_show_error (self, error->message);
}

/* The connection's state, nick and host are bound to the header bar and
 * the form in suda-window.ui through these closures. */
static char *
state_text (SudaWindow          *self,
            SudaConnectionState  state,
            const char          *nick,
            const char          *host)
{
  switch (state)
    {
    case SUDA_CONNECTION_CONNECTING:
      return g_strdup_printf (_("Connecting to %s…"), host);
    case SUDA_CONNECTION_REGISTERING:
      return g_strdup_printf (_("Signing in to %s…"), host);
    case SUDA_CONNECTION_CONNECTED:
      return g_strdup_printf (_("%s on %s"), nick, host);
    case SUDA_CONNECTION_RECONNECTING:
      return g_strdup_printf (_("Connection lost — reconnecting to %s…"), host);
    case SUDA_CONNECTION_DISCONNECTED:
    default:
      return g_strdup (_("Not connected"));
    }
}

static GStrv
status_dot_classes (SudaWindow          *self,
                    SudaConnectionState  state)
{
  static const char * const classes[] = {
    "disconnected", "connecting", "connecting", "connected", "reconnecting",
  };
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv strv;

  g_strv_builder_add (builder, "status-dot");
  g_strv_builder_add (builder, classes[MIN (state, G_N_ELEMENTS (classes) - 1)]);
  strv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return strv;
}

static gboolean
is_disconnected (SudaWindow          *self,
                 SudaConnectionState  state)
{
  return state == SUDA_CONNECTION_DISCONNECTED;
}

/* Actions cannot be bound from a template: their state follows here.
 * Being signed in again ends what the lost connection reported; a nick
 * taken at the first sign-in stays said. */
static void
connection_state_cb (SudaConnection *connection,
                     GParamSpec     *pspec,
                     SudaWindow     *self)
{
  SudaConnectionState state = suda_connection_get_state (connection);

  if (connection != suda_window_get_connection (self))
    return;
  _suda_window_update_actions (self, state == SUDA_CONNECTION_DISCONNECTED);
  _suda_window_update_form (self);
  if (state == SUDA_CONNECTION_RECONNECTING)
    self->reconnecting = TRUE;
  else if (state == SUDA_CONNECTION_DISCONNECTED)
    self->reconnecting = FALSE;
  else if (state == SUDA_CONNECTION_CONNECTED && self->reconnecting)
    {
      self->reconnecting = FALSE;
      _suda_window_hide_error (self);
    }
}

/* The shown conversation: its name and topic are bound to the widgets in
 * suda-window.ui through these closures, which get the window first. */

static char *
conversation_title (SudaWindow *self,
                    const char *name)
{
  return g_strdup (name ? name : _("Suda"));
}

static gboolean
topic_visible (SudaWindow *self,
               const char *topic)
{
  return topic != NULL && *topic != '\0';
}

/* Formatted as messages are, one isolate like them. */
static char *
topic_text (SudaWindow *self,
            const char *topic)
{
  return suda_format_parse (topic ? topic : "",
                            SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS | SUDA_FORMAT_PLAIN_ISOLATE, NULL);
}

static PangoAttrList *
topic_attributes (SudaWindow *self,
                  const char *topic,
                  gboolean    dark,
                  gboolean    show_colors)
{
  g_autoptr(GArray) spans = NULL;
  g_autofree char *shown = NULL;
  SudaFormatTheme theme;

  shown = suda_format_parse (topic ? topic : "",
                             SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS | SUDA_FORMAT_PLAIN_ISOLATE, &spans);
  suda_format_theme_init (&theme, dark, show_colors);
  return suda_format_attributes (spans, 0, &theme);
}

static char *
topic_tooltip (SudaWindow *self,
               const char *topic)
{
  return suda_format_strip (topic, SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
}

/* The shown conversation's server becomes the one the header, the form
 * and the entry speak for. */
static void
set_current_client (SudaWindow *self,
                    SudaClient *client)
{
  if (client == NULL || client == self->client)
    return;
  g_set_object (&self->client, client);
  connection_state_cb (suda_client_get_connection (client), NULL, self);
  _suda_window_tls_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

/* A new model, not a changed one, makes the list view start afresh
 * instead of keeping its place from the conversation shown before. */
static void
set_history (SudaWindow       *self,
             SudaConversation *conversation)
{
  gtk_list_view_set_model (self->history_list, NULL);
  g_clear_object (&self->history);
  if (conversation != NULL)
    self->history = suda_throttled_list_new (G_LIST_MODEL (conversation), HISTORY_THROTTLE_MS);
  gtk_single_selection_set_model (self->history_selection, G_LIST_MODEL (self->history));
  gtk_single_selection_set_selected (self->history_selection, GTK_INVALID_LIST_POSITION);
  if (self->history != NULL)
    gtk_list_view_set_model (self->history_list, GTK_SELECTION_MODEL (self->history_selection));
}

static void
select_conversation_row (SudaWindow       *self,
                         SudaConversation *conversation)
{
  GListModel *conversations = gtk_single_selection_get_model (self->conversation_selection);
  guint n = g_list_model_get_n_items (conversations);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      if (conv == conversation)
        {
          gtk_single_selection_set_selected (self->conversation_selection, i);
          break;
        }
    }
}

void
suda_window_show_conversation (SudaWindow       *self,
                               SudaConversation *conversation)
{
  g_return_if_fail (SUDA_IS_WINDOW (self));

  /* Selecting the row comes back here through notify::selected-item. */
  select_conversation_row (self, conversation);
  if (self->shown == conversation)
    return;

  g_set_object (&self->shown, conversation);
  if (conversation != NULL)
    set_current_client (self, _suda_window_client_of (self, conversation));
  set_history (self, conversation);
  gtk_no_selection_set_model (self->member_selection,
                              conversation ? suda_conversation_get_members (conversation) : NULL);
  suda_client_set_active_conversation (self->client, conversation);
  /* A new model starts the view at the top; that is no scroll up. */
  self->last_scroll_value = 0;
  _suda_window_set_sticks (self, TRUE);
  _suda_window_scroll_to_end (self);
  _suda_window_reveal_marker (self);
  self->search_position = -1;
  _suda_window_update_members (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION]);
}

static void
conversation_selected_cb (GtkSingleSelection *selection,
                          GParamSpec         *pspec,
                          SudaWindow         *self)
{
  SudaConversation *conv = gtk_single_selection_get_selected_item (selection);

  if (conv != NULL)
    suda_window_show_conversation (self, conv);
  /* A folded sidebar covers the history: picking a row is done with it. */
  if (conv != NULL && adw_flap_get_folded (self->sidebar_flap))
    adw_flap_set_reveal_flap (self->sidebar_flap, FALSE);
}

static void
conversation_opened_cb (SudaClient       *client,
                        SudaConversation *conversation,
                        SudaWindow       *self)
{
  suda_window_show_conversation (self, conversation);
}

static void
browse_rooms_cb (SudaClient *client,
                 SudaWindow *self)
{
  _suda_window_show_room_list (self, client);
}

static void
attention_cb (SudaClient       *client,
              SudaConversation *conversation,
              SudaMessage      *message,
              SudaWindow       *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  /* Without a session bus (a bare X server, a test) there is nobody to
   * show notifications, and GIO would complain loudly. */
  if (app == NULL || gtk_window_is_active (GTK_WINDOW (self)) ||
      g_application_get_dbus_connection (app) == NULL)
    return;
  if (suda_conversation_get_kind (conversation) == SUDA_CONVERSATION_PRIVATE)
    title = g_strdup_printf (_("%s (private)"), suda_message_get_sender (message));
  else
    title = g_strdup_printf (_("%s in %s"), suda_message_get_sender (message),
                             suda_conversation_get_name (conversation));
  notification = g_notification_new (title);
  body = suda_format_strip (suda_message_get_text (message), SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-conversation", "s",
                                                suda_conversation_get_name (conversation));
  /* One notification per conversation: a busy room replaces, not stacks. */
  id = g_strdup_printf ("conversation-%s", suda_conversation_get_name (conversation));
  g_application_send_notification (app, id, notification);
}

/* In front, a mention in a conversation not shown: a toast whose Show
 * opens it (the sidebar row carries its mention badge meanwhile). */
static void
mentioned_elsewhere_cb (SudaClient       *client,
                        SudaConversation *conversation,
                        SudaMessage      *message,
                        SudaWindow       *self)
{
  SudaConnection *connection = suda_client_get_connection (client);
  g_autofree char *title = NULL;
  g_autofree char *markup = NULL;
  AdwToast *toast;

  if (conversation == self->shown)
    return;
  if (suda_conversation_get_kind (conversation) == SUDA_CONVERSATION_PRIVATE)
    title = g_strdup_printf (_("%s wrote to you"), suda_message_get_sender (message));
  else
    title = g_strdup_printf (_("%s mentioned you in %s"), suda_message_get_sender (message),
                             suda_conversation_get_name (conversation));
  /* A toast's title is markup (libadwaita 1.2): names are text. */
  markup = g_markup_escape_text (title, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_button_label (toast, _("_Show"));
  adw_toast_set_action_name (toast, "win.show-mentioned");
  adw_toast_set_action_target (toast, "(sqs)", suda_connection_get_host (connection),
                               suda_connection_get_port (connection), suda_conversation_get_name (conversation));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
window_active_cb (SudaWindow *self,
                  GParamSpec *pspec,
                  SudaWindow *user_data)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->clients));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaClient) client = g_list_model_get_item (G_LIST_MODEL (self->clients), i);

      suda_client_set_window_active (client, gtk_window_is_active (GTK_WINDOW (self)));
    }
  _suda_window_note_read (self);
}

static gboolean
on_close_request (GtkWindow *window)
{
  SudaWindow *self = SUDA_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (self->shown != NULL && suda_conversation_get_kind (self->shown) == SUDA_CONVERSATION_ROOM)
    g_settings_set_string (self->settings, "room", suda_conversation_get_name (self->shown));
  /* Saying goodbye to the servers is not disconnecting from them: they
   * are kept as they are now, to come back at the next start. */
  _suda_window_servers_save (self);
  _suda_window_servers_freeze (self);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->clients)); i++)
    {
      g_autoptr(SudaClient) client = g_list_model_get_item (G_LIST_MODEL (self->clients), i);

      suda_client_disconnect (client);
    }
  return FALSE;
}

/* GObject */

static void
suda_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SudaWindow *self = SUDA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SHOW_MEMBERS: g_value_set_boolean (value, self->show_members); break;
    case PROP_CONNECTION: g_value_set_object (value, suda_window_get_connection (self)); break;
    case PROP_CONVERSATION: g_value_set_object (value, self->shown); break;
    case PROP_DARK: g_value_set_boolean (value, self->dark); break;
    case PROP_SHOW_COLORS: g_value_set_boolean (value, self->show_colors); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Sets a boolean field, notifying only a change. */
static void
set_flag (GObject      *object,
          gboolean     *field,
          const GValue *value,
          GParamSpec   *pspec)
{
  if (*field != g_value_get_boolean (value))
    {
      *field = g_value_get_boolean (value);
      g_object_notify_by_pspec (object, pspec);
    }
}

static void
suda_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SudaWindow *self = SUDA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SHOW_MEMBERS:
      set_flag (object, &self->show_members, value, pspec);
      _suda_window_update_members (self);
      break;
    case PROP_DARK: set_flag (object, &self->dark, value, pspec); break;
    case PROP_SHOW_COLORS: set_flag (object, &self->show_colors, value, pspec); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_window_dispose (GObject *object)
{
  SudaWindow *self = SUDA_WINDOW (object);

  for (guint i = 0; self->clients && i < g_list_model_get_n_items (G_LIST_MODEL (self->clients)); i++)
    {
      g_autoptr(SudaClient) client = g_list_model_get_item (G_LIST_MODEL (self->clients), i);

      g_signal_handlers_disconnect_by_data (client, self);
      g_signal_handlers_disconnect_by_data (suda_client_get_connection (client), self);
    }
  g_clear_handle_id (&self->follow_id, g_source_remove);
  _suda_window_servers_freeze (self);
  if (self->room_list != NULL)
    gtk_window_destroy (self->room_list);
  _suda_window_tls_dispose (self);
  /* The settings outlive the window and keep their action alive: taken
   * out, it no longer tells the window's gone action group of changes. */
  g_action_map_remove_action (G_ACTION_MAP (self), "style");
  if (self->jump_popover != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->jump_popover));
  self->jump_popover = NULL;
  if (self->member_popover != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->member_popover));
  self->member_popover = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_WINDOW);
  g_clear_object (&self->history);
  g_clear_object (&self->shown);
  g_clear_object (&self->client);
  g_clear_object (&self->clients);
  g_clear_object (&self->client_conversations);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (suda_window_parent_class)->dispose (object);
}

static void
suda_window_finalize (GObject *object)
{
  SudaWindow *self = SUDA_WINDOW (object);

  g_clear_pointer (&self->sent, g_ptr_array_unref);
  g_clear_pointer (&self->completion_prefix, g_free);
  g_clear_pointer (&self->menu_nick, g_free);
  G_OBJECT_CLASS (suda_window_parent_class)->finalize (object);
}

static void
suda_window_class_init (SudaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = suda_window_dispose;
  object_class->finalize = suda_window_finalize;
  object_class->get_property = suda_window_get_property;
  object_class->set_property = suda_window_set_property;
  window_class->close_request = on_close_request;

  properties[PROP_SHOW_MEMBERS] = g_param_spec_boolean ("show-members", NULL, NULL, TRUE, rw);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SUDA_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL, SUDA_TYPE_CONVERSATION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The style's and the setting's, for the colours of messages and topic. */
  properties[PROP_DARK] = g_param_spec_boolean ("dark", NULL, NULL, FALSE, rw);
  properties[PROP_SHOW_COLORS] = g_param_spec_boolean ("show-colors", NULL, NULL, TRUE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Suda/suda-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, status_dot);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, find_button);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, connect_form);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, server_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, nick_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, password_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, tls_switch);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, account_button);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, account_nick_check);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, account_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, account_password_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, tls_button);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, tls_details);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, connect_button);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, disconnect_button);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, sidebar_flap);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, conversation_list);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, topic_label);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, search_status);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, history_scroller);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, history_list);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, jump_button);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, input_view);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, members_flap);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, members_heading);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, member_list);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, jump_popover);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, jump_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, member_popover);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, format_popover);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, format_colors);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, conversation_selection);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, history_selection);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, member_selection);
  gtk_widget_class_bind_template_callback (widget_class, state_text);
  gtk_widget_class_bind_template_callback (widget_class, status_dot_classes);
  gtk_widget_class_bind_template_callback (widget_class, is_disconnected);
  gtk_widget_class_bind_template_callback (widget_class, conversation_title);
  gtk_widget_class_bind_template_callback (widget_class, topic_visible);
  gtk_widget_class_bind_template_callback (widget_class, topic_text);
  gtk_widget_class_bind_template_callback (widget_class, topic_attributes);
  gtk_widget_class_bind_template_callback (widget_class, topic_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, conversation_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, window_active_cb);
  _suda_window_actions_class_init (widget_class);
  _suda_window_input_class_init (widget_class);
  _suda_window_lists_class_init (widget_class);
  _suda_window_adaptive_class_init (widget_class);
  _suda_window_scroll_class_init (widget_class);
  _suda_window_search_class_init (widget_class);
  _suda_window_tls_class_init (widget_class);
}

/* The window loads its own shortcuts window rather than leaving it to
 * GtkApplication's automatic gtk/help-overlay.ui, so that a window without
 * an application (as in the tests) still has win.show-help-overlay. */
static void
add_help_overlay (SudaWindow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;

  builder = gtk_builder_new_from_resource ("/chat/suda/Suda/suda-shortcuts-window.ui");
  gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self),
                                           GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "shortcuts_window")));
}

/* GtkSearchBar makes its close button in C with only an icon and no
 * accessible name (GTK 4.8): give it one a screen reader can say. */
static void
name_icon_buttons (GtkWidget  *widget,
                   const char *name)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    name_icon_buttons (c, name);
}

static void
suda_window_init (SudaWindow *self)
{
  g_autoptr(GtkFlattenListModel) all = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->sent = g_ptr_array_new_with_free_func (g_free);
  self->recall = -1;
  self->search_position = -1;
  self->show_members = TRUE;
  self->show_colors = TRUE;
  self->sticks_to_bottom = TRUE;
  /* A binding in the template whose target is the template itself warns
   * when the window goes (GTK 4.8): the title follows the header's here. */
  g_object_bind_property (self->window_title, "title", self, "title", G_BINDING_SYNC_CREATE);
  gtk_widget_set_parent (GTK_WIDGET (self->jump_popover), self->sidebar);
  gtk_widget_set_parent (GTK_WIDGET (self->member_popover), GTK_WIDGET (self->members_flap));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  name_icon_buttons (GTK_WIDGET (self->search_bar), _("Close Search"));
  add_help_overlay (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-search", FALSE);
  suda_format_input_fill_colors (self->format_colors);
  _suda_window_actions_init (self);
  _suda_window_adaptive_init (self);
  /* The sidebar: every server's conversations, each group headed by its
   * server conversation, which each client lists first. */
  self->clients = g_list_store_new (SUDA_TYPE_CLIENT);
  self->client_conversations = g_list_store_new (G_TYPE_LIST_MODEL);
  all = gtk_flatten_list_model_new (G_LIST_MODEL (g_object_ref (self->client_conversations)));
  gtk_single_selection_set_model (self->conversation_selection, G_LIST_MODEL (all));
  _suda_window_servers_init (self);
  _suda_window_files_init (self);
}

/* The server whose conversation CONVERSATION is, or NULL. */
SudaClient *
_suda_window_client_of (SudaWindow       *self,
                        SudaConversation *conversation)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->clients));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaClient) client = g_list_model_get_item (G_LIST_MODEL (self->clients), i);
      guint position;

      if (g_list_store_find (G_LIST_STORE (suda_client_get_conversations (client)), conversation, &position))
        return client;
    }
  return NULL;
}

/* The server of this window on HOST:PORT, or NULL. */
SudaClient *
_suda_window_find_server (SudaWindow *self,
                          const char *host,
                          guint16     port)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->clients));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaClient) client = g_list_model_get_item (G_LIST_MODEL (self->clients), i);
      SudaConnection *connection = suda_client_get_connection (client);

      if (g_strcmp0 (suda_connection_get_host (connection), host) == 0 &&
          suda_connection_get_port (connection) == port)
        return client;
    }
  return NULL;
}

/* The settings come from outside the template: what they say reaches
 * the window here. */
static void
bind_settings (SudaWindow *self)
{
  g_object_bind_property (adw_style_manager_get_default (), "dark", self, "dark", G_BINDING_SYNC_CREATE);
  _suda_window_bind_style (self);
  g_settings_bind (self->settings, "show-colors", self, "show-colors", G_SETTINGS_BIND_GET);
}

/* Another server in this window: its conversations join the sidebar
 * under its own server conversation, and it becomes the shown one.  Each
 * server keeps its own connection, reconnection and nick. */
SudaClient *
suda_window_add_server (SudaWindow *self)
{
  g_autoptr(SudaClient) client = NULL;
  SudaConnection *connection;

  g_return_val_if_fail (SUDA_IS_WINDOW (self), NULL);

  client = suda_client_new ();
  connection = suda_client_get_connection (client);
  g_settings_bind (self->settings, "keep-transcripts", client, "keep-transcripts", G_SETTINGS_BIND_GET);
  suda_client_set_window_active (client, gtk_window_is_active (GTK_WINDOW (self)));
  g_signal_connect (client, "conversation-opened", G_CALLBACK (conversation_opened_cb), self);
  g_signal_connect (client, "attention", G_CALLBACK (attention_cb), self);
  g_signal_connect (client, "browse-rooms", G_CALLBACK (browse_rooms_cb), self);
  g_signal_connect (client, "mentioned-elsewhere", G_CALLBACK (mentioned_elsewhere_cb), self);
  g_signal_connect (connection, "error", G_CALLBACK (connection_error_cb), self);
  g_signal_connect (connection, "notify::state", G_CALLBACK (connection_state_cb), self);
  _suda_window_tls_watch (self, connection);
  _suda_window_servers_watch (self, client);
  g_list_store_append (self->clients, client);
  g_list_store_append (self->client_conversations, suda_client_get_conversations (client));
  suda_window_show_conversation (self, suda_client_get_server_conversation (client));
  return client;
}

SudaWindow *
suda_window_new (GtkApplication *application,
                 GSettings      *settings)
{
  SudaWindow *self;
  g_autofree char *server = NULL;
  g_autofree char *nick = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SUDA_TYPE_WINDOW, "application", application, NULL);
  self->settings = g_object_ref (settings);
  bind_settings (self);
  suda_window_add_server (self);
  _suda_window_tls_bind (self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  server = g_settings_get_string (settings, "server");
  nick = g_settings_get_string (settings, "nickname");
  suda_window_fill_form (self, server, g_settings_get_uint (settings, "port"),
                         *nick ? nick : g_get_user_name (), NULL);
  return self;
}

SudaClient *
suda_window_get_client (SudaWindow *self)
{
  g_return_val_if_fail (SUDA_IS_WINDOW (self), NULL);
  return self->client;
}

/* The client's connection, or NULL before the window has a client. */
SudaConnection *
suda_window_get_connection (SudaWindow *self)
{
  g_return_val_if_fail (SUDA_IS_WINDOW (self), NULL);
  return self->client ? suda_client_get_connection (self->client) : NULL;
}

/* Puts values in the form, e.g. from the command line; ROOM, when given,
 * is the room to join once connected. */
void
suda_window_fill_form (SudaWindow *self,
                       const char *host,
                       guint16     port,
                       const char *nick,
                       const char *room)
{
  g_return_if_fail (SUDA_IS_WINDOW (self));

  if (host != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_entry), host);
  if (port != 0)
    gtk_spin_button_set_value (self->port_spin, port);
  if (nick != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->nick_entry), nick);
  if (room != NULL)
    g_settings_set_string (self->settings, "room", room);
}
