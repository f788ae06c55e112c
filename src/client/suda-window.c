/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-conversation-row.h"
#include "suda-format-input.h"
#include "suda-format-pango.h"
#include "suda-irc-message.h"
#include "suda-message-row.h"
#include "suda-throttled-list.h"
#include "suda-window.h"

/* More lines than this in one send asks first: a paste meant for a file
 * should not flood a room by accident. */
#define PASTE_CONFIRM_LINES 5
#define INPUT_HISTORY_MAX 100
/* How close to the end counts as "at the bottom", in pixels. */
#define BOTTOM_SLACK 8.0
/* How often a flood of new messages reaches the history view: each time
 * costs a layout of the rows on screen. */
#define HISTORY_THROTTLE_MS 250

struct _SudaWindow
{
  AdwApplicationWindow  parent_instance;

  /* template children */
  AdwWindowTitle       *window_title;
  GtkWidget            *status_dot;
  GtkWidget            *connect_form;
  GtkEntry             *server_entry;
  GtkSpinButton        *port_spin;
  GtkEntry             *nick_entry;
  GtkWidget            *password_entry;
  GtkWidget            *connect_button;
  GtkWidget            *disconnect_button;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkWidget            *sidebar;
  GtkListView          *conversation_list;
  GtkLabel             *topic_label;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkLabel             *search_status;
  GtkScrolledWindow    *history_scroller;
  GtkListView          *history_list;
  GtkWidget            *jump_button;
  GtkTextView          *input_view;
  GtkRevealer          *members_revealer;
  GtkLabel             *members_heading;
  GtkListView          *member_list;
  GtkPopover           *jump_popover;
  GtkPopover           *format_popover;
  GtkGrid              *format_colors;
  GtkSearchEntry       *jump_entry;

  GSettings            *settings;
  SudaClient           *client;
  GtkSingleSelection   *conversation_selection;
  GtkSingleSelection   *history_selection;
  SudaConversation     *shown;            /* the conversation in the history view */
  SudaThrottledList    *history;          /* what the view shows of it */
  gboolean              sticks_to_bottom;
  double                last_scroll_value;
  guint                 follow_id;
  gboolean              show_members;

  GPtrArray            *sent;             /* what was sent, for Up */
  gint                  recall;           /* index into sent while recalling, or -1 */
  char                 *completion_prefix;
  guint                 completion_index;
  gint                  completion_start; /* offset of the word being completed */
  gboolean              completing;
  gint                  search_position;
};

enum {
  PROP_0,
  PROP_SHOW_MEMBERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SudaWindow, suda_window, ADW_TYPE_APPLICATION_WINDOW)

static void on_history_selected (GtkSingleSelection *selection,
                                 GParamSpec         *pspec,
                                 SudaWindow         *self);

/* Errors and state */

static void
show_error (SudaWindow *self,
            const char *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

static void
hide_error (SudaWindow *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
on_connection_error (SudaConnection *connection,
                     const GError   *error,
                     SudaWindow     *self)
{
  show_error (self, error->message);
}

static void
update_title (SudaWindow *self)
{
  const char *name = self->shown ? suda_conversation_get_name (self->shown) : NULL;

  adw_window_title_set_title (self->window_title, name ? name : _("Suda"));
  gtk_window_set_title (GTK_WINDOW (self), name ? name : _("Suda"));
}

static void
update_state (SudaWindow *self)
{
  SudaConnection *connection = suda_client_get_connection (self->client);
  SudaConnectionState state = suda_connection_get_state (connection);
  const char *host = suda_connection_get_host (connection);
  g_autofree char *subtitle = NULL;
  static const char * const dot_classes[] = {
    "disconnected", "connecting", "connecting", "connected", "reconnecting",
  };

  switch (state)
    {
    case SUDA_CONNECTION_CONNECTING:
      subtitle = g_strdup_printf (_("Connecting to %s…"), host);
      break;
    case SUDA_CONNECTION_REGISTERING:
      subtitle = g_strdup_printf (_("Signing in to %s…"), host);
      break;
    case SUDA_CONNECTION_CONNECTED:
      subtitle = g_strdup_printf (_("%s on %s"), suda_connection_get_nick (connection), host);
      break;
    case SUDA_CONNECTION_RECONNECTING:
      subtitle = g_strdup_printf (_("Connection lost — reconnecting to %s…"), host);
      break;
    case SUDA_CONNECTION_DISCONNECTED:
    default:
      subtitle = g_strdup (_("Not connected"));
      break;
    }
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_tooltip_text (self->status_dot, subtitle);
  for (guint i = 0; i < G_N_ELEMENTS (dot_classes); i++)
    gtk_widget_remove_css_class (self->status_dot, dot_classes[i]);
  gtk_widget_add_css_class (self->status_dot, dot_classes[state]);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.connect",
                                 state == SUDA_CONNECTION_DISCONNECTED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.disconnect",
                                 state != SUDA_CONNECTION_DISCONNECTED);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_entry), state == SUDA_CONNECTION_DISCONNECTED);
  gtk_widget_set_sensitive (GTK_WIDGET (self->port_spin), state == SUDA_CONNECTION_DISCONNECTED);
  gtk_widget_set_sensitive (GTK_WIDGET (self->nick_entry), state == SUDA_CONNECTION_DISCONNECTED);
  gtk_widget_set_sensitive (self->password_entry, state == SUDA_CONNECTION_DISCONNECTED);
}

static void
on_state_notify (SudaConnection *connection,
                 GParamSpec     *pspec,
                 SudaWindow     *self)
{
  update_state (self);
}

/* Sticking to the bottom */

/* Asks the list view to show the last row at the bottom.  Setting the
 * adjustment to its upper end instead would use estimated row heights,
 * and would take several frames (and rows bound for nothing) to settle. */
static void
scroll_to_end (SudaWindow *self)
{
  guint n = self->history ? g_list_model_get_n_items (G_LIST_MODEL (self->history)) : 0;

  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->history_list), "list.scroll-to-item", "u", n - 1);
}

/* The history view's model is throttled (see SudaThrottledList), so in a
 * flood this runs a few times a second, not once per batch. */
static void
on_history_items_changed (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          SudaWindow *self)
{
  if (self->sticks_to_bottom && added > 0)
    scroll_to_end (self);
}

static void
set_sticks (SudaWindow *self,
            gboolean    sticks)
{
  self->sticks_to_bottom = sticks;
  gtk_widget_set_visible (self->jump_button, !sticks);
}

/* Only a move up lets go of the bottom.  The list view also moves the
 * value itself while it measures new rows, and those moves must not count
 * as the person scrolling away. */
static void
on_vadjustment_value_changed (GtkAdjustment *adj,
                              SudaWindow    *self)
{
  double value = gtk_adjustment_get_value (adj);
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  if (value >= bottom - BOTTOM_SLACK)
    set_sticks (self, TRUE);
  else if (value < self->last_scroll_value - 1)
    set_sticks (self, FALSE);
  self->last_scroll_value = value;
}

static gboolean
follow_end (gpointer user_data)
{
  SudaWindow *self = user_data;

  self->follow_id = 0;
  if (self->sticks_to_bottom)
    scroll_to_end (self);
  return G_SOURCE_REMOVE;
}

/* The list grew or the view changed size: follow the end if we were there.
 * Not right here: this runs while the list view lays itself out, and it
 * does not listen to its adjustment then, so the move would be undone. */
static void
on_vadjustment_changed (GtkAdjustment *adj,
                        SudaWindow    *self)
{
  if (self->sticks_to_bottom && self->follow_id == 0)
    self->follow_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, follow_end, self, NULL);
}

gboolean
suda_window_get_sticks_to_bottom (SudaWindow *self)
{
  g_return_val_if_fail (SUDA_IS_WINDOW (self), FALSE);
  return self->sticks_to_bottom;
}

/* Conversations */

static void
update_topic (SudaWindow *self)
{
  const char *topic = self->shown ? suda_conversation_get_topic (self->shown) : NULL;

  g_autoptr(GArray) spans = NULL;
  g_autoptr(PangoAttrList) attrs = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *tooltip = NULL;
  SudaFormatTheme theme;

  /* Formatted as messages are, one isolate like them. */
  shown = suda_format_parse (topic ? topic : "",
                             SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS | SUDA_FORMAT_PLAIN_ISOLATE, &spans);
  tooltip = suda_format_strip (topic, SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
  suda_format_theme_init (&theme, adw_style_manager_get_dark (adw_style_manager_get_default ()),
                          self->settings == NULL || g_settings_get_boolean (self->settings, "show-colors"));
  attrs = suda_format_attributes (spans, 0, &theme);
  gtk_widget_set_visible (GTK_WIDGET (self->topic_label), topic != NULL && *topic != '\0');
  gtk_label_set_text (self->topic_label, shown);
  gtk_label_set_attributes (self->topic_label, attrs);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->topic_label), tooltip);
}

static void
update_members_heading (SudaWindow *self)
{
  guint n = self->shown ? g_list_model_get_n_items (suda_conversation_get_members (self->shown)) : 0;
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Member", "%u Members", n), n);

  gtk_label_set_text (self->members_heading, text);
}

static void
on_shown_notify (SudaConversation *conv,
                 GParamSpec       *pspec,
                 SudaWindow       *self)
{
  update_topic (self);
  update_title (self);
}

static void
on_members_changed (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    SudaWindow *self)
{
  update_members_heading (self);
}

static void
update_members_visibility (SudaWindow *self)
{
  gboolean room = self->shown && suda_conversation_get_kind (self->shown) == SUDA_CONVERSATION_ROOM;

  gtk_revealer_set_reveal_child (self->members_revealer, self->show_members && room);
}

void
suda_window_show_conversation (SudaWindow       *self,
                               SudaConversation *conversation)
{
  GListModel *conversations;
  guint n;

  g_return_if_fail (SUDA_IS_WINDOW (self));

  /* Selecting the row comes back here through notify::selected-item. */
  conversations = suda_client_get_conversations (self->client);
  n = g_list_model_get_n_items (conversations);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      if (conv == conversation)
        {
          gtk_single_selection_set_selected (self->conversation_selection, i);
          break;
        }
    }
  if (self->shown == conversation)
    return;

  if (self->shown != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->shown, self);
      g_signal_handlers_disconnect_by_data (suda_conversation_get_members (self->shown), self);
    }
  g_set_object (&self->shown, conversation);

  if (self->history_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->history_selection, self);
  g_clear_object (&self->history_selection);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);
  if (conversation != NULL)
    {
      g_autoptr(GtkNoSelection) members = NULL;

      self->history = suda_throttled_list_new (G_LIST_MODEL (conversation), HISTORY_THROTTLE_MS);
      self->history_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->history)));
      gtk_single_selection_set_autoselect (self->history_selection, FALSE);
      gtk_single_selection_set_can_unselect (self->history_selection, TRUE);
      gtk_single_selection_set_selected (self->history_selection, GTK_INVALID_LIST_POSITION);
      g_signal_connect (self->history_selection, "notify::selected",
                        G_CALLBACK (on_history_selected), self);
      members = gtk_no_selection_new (g_object_ref (suda_conversation_get_members (conversation)));
      gtk_list_view_set_model (self->member_list, GTK_SELECTION_MODEL (members));
      g_signal_connect (conversation, "notify::topic", G_CALLBACK (on_shown_notify), self);
      g_signal_connect (self->history, "items-changed", G_CALLBACK (on_history_items_changed), self);
      g_signal_connect (conversation, "notify::name", G_CALLBACK (on_shown_notify), self);
      g_signal_connect (suda_conversation_get_members (conversation), "items-changed",
                        G_CALLBACK (on_members_changed), self);
    }
  gtk_list_view_set_model (self->history_list, GTK_SELECTION_MODEL (self->history_selection));
  suda_client_set_active_conversation (self->client, conversation);
  /* A new model starts the view at the top; that is no scroll up. */
  self->last_scroll_value = 0;
  set_sticks (self, TRUE);
  scroll_to_end (self);
  self->search_position = -1;
  update_topic (self);
  update_title (self);
  update_members_heading (self);
  update_members_visibility (self);
}

/* The history's selection only marks what a search found: a click
 * elsewhere selects nothing. */
static void
on_history_selected (GtkSingleSelection *selection,
                     GParamSpec         *pspec,
                     SudaWindow         *self)
{
  if (!gtk_search_bar_get_search_mode (self->search_bar) &&
      gtk_single_selection_get_selected (selection) != GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
}

/* Activating someone in the member list starts a whisper to them. */
static void
on_member_activated (GtkListView *list,
                     guint        position,
                     SudaWindow  *self)
{
  g_autoptr(SudaMember) member = g_list_model_get_item (G_LIST_MODEL (gtk_list_view_get_model (list)),
                                                        position);
  g_autofree char *text = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  GtkTextIter end;

  if (member == NULL)
    return;
  text = g_strdup_printf ("/whisper %s ", suda_member_get_nick (member));
  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_widget_grab_focus (GTK_WIDGET (self->input_view));
}

static void
on_conversation_selected (GtkSingleSelection *selection,
                          GParamSpec         *pspec,
                          SudaWindow         *self)
{
  SudaConversation *conv = gtk_single_selection_get_selected_item (selection);

  if (conv != NULL)
    suda_window_show_conversation (self, conv);
}

static void
on_conversation_opened (SudaClient       *client,
                        SudaConversation *conversation,
                        SudaWindow       *self)
{
  suda_window_show_conversation (self, conversation);
}

static void
on_attention (SudaClient       *client,
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

static void
on_window_active (SudaWindow *self,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  suda_client_set_window_active (self->client, gtk_window_is_active (GTK_WINDOW (self)));
}

/* Row factories */

static void
setup_message_row (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  SudaWindow *self = user_data;
  GtkWidget *row = suda_message_row_new ();

  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_child (item, row);
  /* Colours are made readable on the style's background, so the row
   * follows the style and the setting. */
  g_object_bind_property (adw_style_manager_get_default (), "dark", row, "dark", G_BINDING_SYNC_CREATE);
  if (self->settings != NULL)
    g_settings_bind (self->settings, "show-colors", row, "show-colors", G_SETTINGS_BIND_GET);
}

static void
bind_message_row (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  suda_message_row_set_message (SUDA_MESSAGE_ROW (gtk_list_item_get_child (item)),
                                gtk_list_item_get_item (item));
}

static void
unbind_message_row (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  suda_message_row_set_message (SUDA_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
setup_conversation_row (GtkSignalListItemFactory *factory,
                        GtkListItem              *item,
                        gpointer                  user_data)
{
  gtk_list_item_set_child (item, suda_conversation_row_new ());
}

static void
bind_conversation_row (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       gpointer                  user_data)
{
  suda_conversation_row_set_conversation (SUDA_CONVERSATION_ROW (gtk_list_item_get_child (item)),
                                          gtk_list_item_get_item (item));
}

static void
unbind_conversation_row (GtkSignalListItemFactory *factory,
                         GtkListItem              *item,
                         gpointer                  user_data)
{
  suda_conversation_row_set_conversation (SUDA_CONVERSATION_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
setup_member_row (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_member_row (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  SudaMember *member = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = g_strdup_printf ("%s%s", suda_member_get_prefixes (member),
                                           suda_member_get_nick (member));

  g_autofree char *revealed = suda_format_reveal (suda_member_get_nick (member));

  gtk_label_set_text (GTK_LABEL (label), text);
  /* Two nicks that look alike differ in what cannot be seen: say it. */
  gtk_widget_set_tooltip_text (label, revealed);
  if (suda_member_get_operator (member))
    gtk_widget_add_css_class (label, "operator");
  else
    gtk_widget_remove_css_class (label, "operator");
}

/* The entry */

static char *
dup_input (SudaWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_input (SudaWindow *self,
           const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  GtkTextIter end;

  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
}

static void
do_send (SudaWindow *self,
         const char *text)
{
  if (self->sent->len == 0 ||
      g_strcmp0 (g_ptr_array_index (self->sent, self->sent->len - 1), text) != 0)
    g_ptr_array_add (self->sent, g_strdup (text));
  if (self->sent->len > INPUT_HISTORY_MAX)
    g_ptr_array_remove_index (self->sent, 0);
  self->recall = -1;
  set_input (self, "");
  set_sticks (self, TRUE);
  suda_client_submit (self->client, self->shown, text);
  scroll_to_end (self);
}

static void
on_many_lines_response (AdwMessageDialog *dialog,
                        const char       *response,
                        SudaWindow       *self)
{
  const char *text = g_object_get_data (G_OBJECT (dialog), "text");

  if (g_strcmp0 (response, "send") == 0)
    do_send (self, text);
}

static guint
count_lines (const char *text)
{
  guint n = 0;
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (*g_strstrip (lines[i]) != '\0')
      n++;
  return n;
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

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);
  g_autofree char *text = dup_input (self);
  guint n_lines = count_lines (text);

  if (n_lines == 0)
    return;
  if (n_lines > PASTE_CONFIRM_LINES)
    {
      AdwMessageDialog *dialog;
      g_autofree char *heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Send %u line?",
                                                               "Send %u lines?", n_lines), n_lines);

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
        _("Each line goes out as a message of its own.")));
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "send", _("_Send"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "send");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_object_set_data_full (G_OBJECT (dialog), "text", g_steal_pointer (&text), g_free);
      g_signal_connect (dialog, "response", G_CALLBACK (on_many_lines_response), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  do_send (self, text);
}

/* g_ptr_array_sort() hands over pointers to the elements. */
static gint
compare_nick_ptrs (gconstpointer a,
                   gconstpointer b)
{
  return suda_irc_casecmp (*(const char **) a, *(const char **) b);
}

static void
reset_completion (SudaWindow *self)
{
  g_clear_pointer (&self->completion_prefix, g_free);
  self->completion_index = 0;
}

/* Tab: the word before the cursor becomes the next nickname of the room
 * that starts with it; Tab again cycles through the others. */
static void
complete_nick (SudaWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  g_auto(GStrv) nicks = NULL;
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  g_autofree char *folded_prefix = NULL;
  GtkTextIter cursor, start;
  const char *choice;
  g_autofree char *replacement = NULL;

  if (self->shown == NULL)
    return;
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));

  if (self->completion_prefix == NULL)
    {
      g_autofree char *word = NULL;

      start = cursor;
      while (!gtk_text_iter_starts_line (&start))
        {
          GtkTextIter prev = start;

          gtk_text_iter_backward_char (&prev);
          if (g_unichar_isspace (gtk_text_iter_get_char (&prev)))
            break;
          start = prev;
        }
      word = gtk_text_iter_get_text (&start, &cursor);
      if (*word == '\0')
        return;
      self->completion_prefix = g_steal_pointer (&word);
      self->completion_start = gtk_text_iter_get_offset (&start);
      self->completion_index = 0;
    }
  else
    gtk_text_buffer_get_iter_at_offset (buffer, &start, self->completion_start);

  nicks = suda_conversation_dup_member_nicks (self->shown);
  folded_prefix = suda_irc_casefold (self->completion_prefix);
  for (guint i = 0; nicks[i]; i++)
    {
      g_autofree char *folded = suda_irc_casefold (nicks[i]);

      if (g_str_has_prefix (folded, folded_prefix))
        g_ptr_array_add (matches, nicks[i]);
    }
  if (matches->len == 0)
    {
      reset_completion (self);
      gtk_widget_error_bell (GTK_WIDGET (self->input_view));
      return;
    }
  g_ptr_array_sort (matches, compare_nick_ptrs);
  choice = g_ptr_array_index (matches, self->completion_index % matches->len);
  self->completion_index++;
  /* At the start of a line a nickname addresses someone: "bob: ". */
  replacement = g_strconcat (choice, self->completion_start == 0 ? ": " : " ", NULL);
  self->completing = TRUE;
  gtk_text_buffer_delete (buffer, &start, &cursor);
  gtk_text_buffer_insert (buffer, &start, replacement, -1);
  self->completing = FALSE;
}

/* Any edit but our own ends a round of Tab presses. */
static void
on_input_changed (GtkTextBuffer *buffer,
                  SudaWindow    *self)
{
  if (!self->completing)
    reset_completion (self);
}

static gboolean
on_input_key_pressed (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      SudaWindow            *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->input_view);
  GtkTextIter cursor;

  if (keyval != GDK_KEY_Tab && keyval != GDK_KEY_ISO_Left_Tab)
    reset_completion (self);

  switch (keyval)
    {
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      if (state & GDK_SHIFT_MASK)
        return FALSE;   /* the text view makes a new line */
      gtk_widget_activate_action (GTK_WIDGET (self), "win.send", NULL);
      return TRUE;

    case GDK_KEY_Tab:
      complete_nick (self);
      return TRUE;

    case GDK_KEY_Up:
      gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
      if (gtk_text_iter_get_line (&cursor) != 0 || self->sent->len == 0)
        return FALSE;
      if (self->recall < 0)
        self->recall = self->sent->len;
      if (self->recall > 0)
        self->recall--;
      set_input (self, g_ptr_array_index (self->sent, self->recall));
      return TRUE;

    case GDK_KEY_Down:
      gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
      if (self->recall < 0 || gtk_text_iter_get_line (&cursor) != gtk_text_buffer_get_line_count (buffer) - 1)
        return FALSE;
      self->recall++;
      if ((guint) self->recall >= self->sent->len)
        {
          self->recall = -1;
          set_input (self, "");
        }
      else
        set_input (self, g_ptr_array_index (self->sent, self->recall));
      return TRUE;

    default:
      return FALSE;
    }
}

/* Actions */

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
      show_error (self, _("Enter the server’s address, a host name or an IP address."));
      gtk_widget_grab_focus (GTK_WIDGET (self->server_entry));
      return FALSE;
    }
  if (!suda_irc_is_valid_nick (n, 30))
    {
      show_error (self, *n == '\0' ? _("Enter a nickname.")
                                  : _("A nickname starts with a letter and has only letters, digits and - _ [ ] \\ ` ^ { } |, at most 30 of them."));
      gtk_widget_grab_focus (GTK_WIDGET (self->nick_entry));
      return FALSE;
    }
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
  guint16 port;

  g_return_if_fail (SUDA_IS_WINDOW (self));

  if (!parse_form (self, &host, &port, &nick))
    return;
  hide_error (self);
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
  g_settings_set_string (self->settings, "server", host);
  g_settings_set_uint (self->settings, "port", port);
  g_settings_set_string (self->settings, "nickname", nick);
  room = g_settings_get_string (self->settings, "room");
  suda_client_set_autojoin (self->client, room);
  suda_client_connect (self->client, host, port, nick, password);
  gtk_widget_grab_focus (GTK_WIDGET (self->input_view));
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  suda_window_connect (SUDA_WINDOW (widget));
}

static void
disconnect_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  suda_client_disconnect (SUDA_WINDOW (widget)->client);
}

static void
dismiss_error_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  hide_error (SUDA_WINDOW (widget));
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);

  if (self->shown != NULL)
    suda_client_close_conversation (self->client, self->shown);
}

static void
jump_to_latest_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);

  set_sticks (self, TRUE);
  scroll_to_end (self);
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);

  /* The bar focuses its connected entry once it is shown. */
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
}

static void
close_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->input_view));
}

static void
on_search_mode (GtkSearchBar *bar,
                GParamSpec   *pspec,
                SudaWindow   *self)
{
  gboolean on = gtk_search_bar_get_search_mode (bar);

  /* Escape only belongs to the search while it is open. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-search", on);
  if (!on && self->history_selection)
    gtk_single_selection_set_selected (self->history_selection, GTK_INVALID_LIST_POSITION);
  self->search_position = -1;
}

static void
search_from (SudaWindow *self,
             gint        before)
{
  const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  gint found;

  if (self->shown == NULL || *needle == '\0')
    {
      gtk_label_set_text (self->search_status, "");
      return;
    }
  suda_throttled_list_flush (self->history);
  found = suda_conversation_find (self->shown, needle, before);
  if (found < 0 && before >= 0)
    found = suda_conversation_find (self->shown, needle, -1);   /* wrap around */
  if (found < 0)
    {
      gtk_label_set_text (self->search_status, _("Not found"));
      return;
    }
  gtk_label_set_text (self->search_status, "");
  self->search_position = found;
  set_sticks (self, FALSE);
  gtk_single_selection_set_selected (self->history_selection, found);
  gtk_widget_activate_action (GTK_WIDGET (self->history_list), "list.scroll-to-item", "u", found);
}

static void
on_search_changed (GtkSearchEntry *entry,
                   SudaWindow     *self)
{
  search_from (self, -1);
}

static void
on_search_next (GtkSearchEntry *entry,
                SudaWindow     *self)
{
  search_from (self, self->search_position);
}

static void
on_search_stop (GtkSearchEntry *entry,
                SudaWindow     *self)
{
  close_search_action (GTK_WIDGET (self), NULL, NULL);
}

static void
jump_to_conversation_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->jump_entry), "");
  /* Below the top of the sidebar, where the list of conversations starts. */
  gtk_popover_set_pointing_to (self->jump_popover,
                               &(GdkRectangle) { 0, 0, gtk_widget_get_width (self->sidebar), 1 });
  gtk_popover_set_position (self->jump_popover, GTK_POS_BOTTOM);
  gtk_popover_popup (self->jump_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->jump_entry));
}

static void
on_jump_activate (GtkSearchEntry *entry,
                  SudaWindow     *self)
{
  GListModel *conversations = suda_client_get_conversations (self->client);
  g_autofree char *needle = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (entry)), -1);
  guint n = g_list_model_get_n_items (conversations);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);
      g_autofree char *name = g_utf8_casefold (suda_conversation_get_name (conv), -1);

      if (strstr (name, needle) != NULL)
        {
          suda_window_show_conversation (self, conv);
          break;
        }
    }
  gtk_popover_popdown (self->jump_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->input_view));
}

static void
on_jump_stop (GtkSearchEntry *entry,
              SudaWindow     *self)
{
  gtk_popover_popdown (self->jump_popover);
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
  suda_client_disconnect (self->client);
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
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
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
      if (self->show_members != g_value_get_boolean (value))
        {
          self->show_members = g_value_get_boolean (value);
          update_members_visibility (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_window_dispose (GObject *object)
{
  SudaWindow *self = SUDA_WINDOW (object);

  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      g_signal_handlers_disconnect_by_data (suda_client_get_connection (self->client), self);
    }
  if (self->shown != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->shown, self);
      g_signal_handlers_disconnect_by_data (suda_conversation_get_members (self->shown), self);
    }
  g_clear_handle_id (&self->follow_id, g_source_remove);
  if (self->jump_popover != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->jump_popover));
  self->jump_popover = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_WINDOW);
  if (self->history_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->history_selection, self);
  g_clear_object (&self->history_selection);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);
  g_clear_object (&self->shown);
  g_clear_object (&self->conversation_selection);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (suda_window_parent_class)->dispose (object);
}

static void
suda_window_finalize (GObject *object)
{
  SudaWindow *self = SUDA_WINDOW (object);

  g_clear_pointer (&self->sent, g_ptr_array_unref);
  g_clear_pointer (&self->completion_prefix, g_free);
  G_OBJECT_CLASS (suda_window_parent_class)->finalize (object);
}

static void
suda_window_class_init (SudaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = suda_window_dispose;
  object_class->finalize = suda_window_finalize;
  object_class->get_property = suda_window_get_property;
  object_class->set_property = suda_window_set_property;
  window_class->close_request = on_close_request;

  properties[PROP_SHOW_MEMBERS] =
    g_param_spec_boolean ("show-members", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Suda/suda-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, status_dot);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, connect_form);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, server_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, nick_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, password_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, connect_button);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, disconnect_button);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, error_label);
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
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, members_revealer);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, members_heading);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, member_list);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, jump_popover);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, jump_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, format_popover);
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, format_colors);

  gtk_widget_class_install_action (widget_class, "win.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "win.disconnect", NULL, disconnect_action);
  gtk_widget_class_install_action (widget_class, "win.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.format", "s", format_action);
  gtk_widget_class_install_action (widget_class, "win.leave", NULL, leave_action);
  gtk_widget_class_install_action (widget_class, "win.jump-to-conversation", NULL, jump_to_conversation_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.close-search", NULL, close_search_action);
  gtk_widget_class_install_action (widget_class, "win.jump-to-latest", NULL, jump_to_latest_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-error", NULL, dismiss_error_action);
  gtk_widget_class_install_property_action (widget_class, "win.show-members", "show-members");
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
  GtkListItemFactory *factory;
  GtkEventController *keys;
  GtkAdjustment *vadj;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->sent = g_ptr_array_new_with_free_func (g_free);
  self->recall = -1;
  self->search_position = -1;
  self->show_members = TRUE;
  self->sticks_to_bottom = TRUE;
  gtk_widget_set_parent (GTK_WIDGET (self->jump_popover), self->sidebar);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  name_icon_buttons (GTK_WIDGET (self->search_bar), _("Close Search"));
  add_help_overlay (self);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_message_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_message_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_message_row), NULL);
  gtk_list_view_set_factory (self->history_list, factory);
  g_object_unref (factory);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_conversation_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_conversation_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_conversation_row), NULL);
  gtk_list_view_set_factory (self->conversation_list, factory);
  g_object_unref (factory);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_member_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_member_row), NULL);
  gtk_list_view_set_factory (self->member_list, factory);
  g_object_unref (factory);

  vadj = gtk_scrolled_window_get_vadjustment (self->history_scroller);
  g_signal_connect (vadj, "value-changed", G_CALLBACK (on_vadjustment_value_changed), self);
  g_signal_connect (vadj, "changed", G_CALLBACK (on_vadjustment_changed), self);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_input_key_pressed), self);
  g_signal_connect (gtk_text_view_get_buffer (self->input_view), "changed",
                    G_CALLBACK (on_input_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->input_view), keys);

  g_signal_connect (self->search_bar, "notify::search-mode-enabled", G_CALLBACK (on_search_mode), self);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect (self->search_entry, "activate", G_CALLBACK (on_search_next), self);
  g_signal_connect (self->search_entry, "next-match", G_CALLBACK (on_search_next), self);
  g_signal_connect (self->search_entry, "stop-search", G_CALLBACK (on_search_stop), self);
  g_signal_connect (self->jump_entry, "activate", G_CALLBACK (on_jump_activate), self);
  g_signal_connect (self->member_list, "activate", G_CALLBACK (on_member_activated), self);
  g_signal_connect (self->jump_entry, "stop-search", G_CALLBACK (on_jump_stop), self);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (on_window_active), NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-search", FALSE);
  suda_format_input_fill_colors (self->format_colors);
}

static void
bind_client (SudaWindow *self)
{
  SudaConnection *connection = suda_client_get_connection (self->client);

  self->conversation_selection =
    gtk_single_selection_new (g_object_ref (suda_client_get_conversations (self->client)));
  gtk_list_view_set_model (self->conversation_list, GTK_SELECTION_MODEL (self->conversation_selection));
  g_signal_connect (self->conversation_selection, "notify::selected-item",
                    G_CALLBACK (on_conversation_selected), self);
  g_signal_connect (self->client, "conversation-opened", G_CALLBACK (on_conversation_opened), self);
  g_signal_connect (self->client, "attention", G_CALLBACK (on_attention), self);
  g_signal_connect (connection, "error", G_CALLBACK (on_connection_error), self);
  g_signal_connect (connection, "notify::state", G_CALLBACK (on_state_notify), self);
  g_signal_connect (connection, "notify::nick", G_CALLBACK (on_state_notify), self);
  g_settings_bind (self->settings, "keep-transcripts", self->client, "keep-transcripts",
                   G_SETTINGS_BIND_GET);
  /* The topic's colours follow the style and the setting, as rows do. */
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_topic), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::show-colors",
                           G_CALLBACK (update_topic), self, G_CONNECT_SWAPPED);
  suda_window_show_conversation (self, suda_client_get_server_conversation (self->client));
  update_state (self);
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
  self->client = suda_client_new ();
  bind_client (self);

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
