/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The rows of the window's three lists (conversations, history, members),
 * made by the factories that suda-window.ui declares. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-conversation-row.h"
#include "suda-format-pango.h"
#include "suda-message-row.h"
#include "suda-window-private.h"

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
}

static void
message_row_bind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     SudaWindow               *self)
{
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
