/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The rows of the window's three lists (conversations, history, members),
 * made by the factories that suda-window.ui declares. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-conversation-row.h"
#include "suda-format-pango.h"
#include "suda-member.h"
#include "suda-message.h"
#include "suda-message-row.h"
#include "suda-window-private.h"

/* The member menu: a right click (or a long press, on a touch screen) on
 * a member or on a message offers what can be done to that person. */

static const char *
nick_of_item (gpointer item)
{
  if (SUDA_IS_MEMBER (item))
    return suda_member_get_nick (item);
  if (SUDA_IS_MESSAGE (item) && !suda_message_get_own (item))
    return suda_message_get_sender (item);
  return NULL;
}

void
_suda_window_popup_member_menu (SudaWindow *self,
                                GtkWidget  *row,
                                const char *nick,
                                double      x,
                                double      y)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self->member_popover));
  double px, py;

  if (nick == NULL || *nick == '\0' || !gtk_widget_translate_coordinates (row, parent, x, y, &px, &py))
    return;
  g_free (self->menu_nick);
  self->menu_nick = g_strdup (nick);
  gtk_popover_set_pointing_to (self->member_popover, &(GdkRectangle) { (int) px, (int) py, 1, 1 });
  gtk_popover_popup (self->member_popover);
}

static void
menu_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 SudaWindow      *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkListItem *item = g_object_get_data (G_OBJECT (row), "list-item");

  _suda_window_popup_member_menu (self, row, nick_of_item (gtk_list_item_get_item (item)), x, y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
menu_long_pressed_cb (GtkGestureLongPress *gesture,
                      double               x,
                      double               y,
                      SudaWindow          *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkListItem *item = g_object_get_data (G_OBJECT (row), "list-item");

  _suda_window_popup_member_menu (self, row, nick_of_item (gtk_list_item_get_item (item)), x, y);
}

/* The keyboard's way in (Shift+F10, Menu): the menu of the focused row of
 * the member list or the history. */
static void
member_menu_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
    {
      GtkWidget *row = g_object_get_data (G_OBJECT (w), "list-item") ? w : gtk_widget_get_first_child (w);
      GtkListItem *item = row ? g_object_get_data (G_OBJECT (row), "list-item") : NULL;

      if (item != NULL)
        {
          _suda_window_popup_member_menu (self, row, nick_of_item (gtk_list_item_get_item (item)),
                                          0, gtk_widget_get_height (row) / 2.0);
          return;
        }
    }
}

/* The row finds its item through the list item, which outlives it. */
static void
add_menu_gesture (SudaWindow  *self,
                  GtkWidget   *row,
                  GtkListItem *item)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *press = gtk_gesture_long_press_new ();

  g_object_set_data (G_OBJECT (row), "list-item", item);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (menu_pressed_cb), self);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (press), TRUE);
  g_signal_connect (press, "pressed", G_CALLBACK (menu_long_pressed_cb), self);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (press));
}

/* Each menu item is a slash command about the chosen nick, so the menu
 * and the entry do the same. */
static const struct {
  const char *action;
  const char *command;
} member_actions[] = {
  { "win.member-query", "/query " },
  { "win.member-whois", "/whois " },
  { "win.member-op", "/op " },
  { "win.member-deop", "/deop " },
  { "win.member-kick", "/kick " },
  { "win.member-ban", "/ban " },
};

static void
member_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);

  if (self->menu_nick == NULL || self->shown == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (member_actions); i++)
    if (g_str_equal (member_actions[i].action, action_name))
      {
        g_autofree char *line = g_strconcat (member_actions[i].command, self->menu_nick, NULL);

        suda_client_submit (self->client, self->shown, line);
        return;
      }
}

static void
message_row_setup_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      SudaWindow               *self)
{
  GtkWidget *row = suda_message_row_new ();

  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_child (item, row);
  /* Colours are made readable on the style's background, so the row
   * follows the style and the setting. */
  g_object_bind_property (self, "dark", row, "dark", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "show-colors", row, "show-colors", G_BINDING_SYNC_CREATE);
  add_menu_gesture (self, row, item);
}

static void
message_row_bind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     SudaWindow               *self)
{
  /* The server's own file host may be known by now: its images show. */
  _suda_window_files_trust (self);
  suda_message_row_set_message (SUDA_MESSAGE_ROW (gtk_list_item_get_child (item)),
                                gtk_list_item_get_item (item));
}

static void
message_row_unbind_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       SudaWindow               *self)
{
  suda_message_row_set_message (SUDA_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
conversation_row_setup_cb (GtkSignalListItemFactory *factory,
                           GtkListItem              *item,
                           SudaWindow               *self)
{
  gtk_list_item_set_child (item, suda_conversation_row_new ());
}

static void
conversation_row_bind_cb (GtkSignalListItemFactory *factory,
                          GtkListItem              *item,
                          SudaWindow               *self)
{
  suda_conversation_row_set_conversation (SUDA_CONVERSATION_ROW (gtk_list_item_get_child (item)),
                                          gtk_list_item_get_item (item));
}

static void
conversation_row_unbind_cb (GtkSignalListItemFactory *factory,
                            GtkListItem              *item,
                            SudaWindow               *self)
{
  suda_conversation_row_set_conversation (SUDA_CONVERSATION_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
member_row_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     SudaWindow               *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
  add_menu_gesture (self, label, item);
}

static void
member_row_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    SudaWindow               *self)
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

/* Activating someone in the member list starts a whisper to them. */
static void
member_activated_cb (GtkListView *list,
                     guint        position,
                     SudaWindow  *self)
{
  g_autoptr(SudaMember) member = g_list_model_get_item (G_LIST_MODEL (self->member_selection), position);
  g_autofree char *text = NULL;

  if (member == NULL)
    return;
  text = g_strdup_printf ("/whisper %s ", suda_member_get_nick (member));
  _suda_window_set_input (self, text);
  gtk_widget_grab_focus (GTK_WIDGET (self->input_view));
}

static char *
members_heading_text (SudaWindow *self,
                      guint       n_members)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Member", "%u Members", n_members), n_members);
}

void
_suda_window_lists_class_init (GtkWidgetClass *widget_class)
{
  for (guint i = 0; i < G_N_ELEMENTS (member_actions); i++)
    gtk_widget_class_install_action (widget_class, member_actions[i].action, NULL, member_action);
  gtk_widget_class_install_action (widget_class, "win.member-menu", NULL, member_menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "win.member-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.member-menu", NULL);
  gtk_widget_class_bind_template_callback (widget_class, message_row_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_row_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_row_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, conversation_row_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, conversation_row_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, conversation_row_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, member_row_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, member_row_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, member_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, members_heading_text);
}
