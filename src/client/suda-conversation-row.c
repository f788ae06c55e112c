/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-conversation-row.h"

struct _SudaConversationRow
{
  GtkWidget         parent_instance;

  GtkWidget        *box;
  GtkImage         *icon;
  GtkLabel         *name_label;
  GtkWidget        *mention_label;
  GtkLabel         *unread_label;

  SudaConversation *conversation;
};

G_DEFINE_FINAL_TYPE (SudaConversationRow, suda_conversation_row, GTK_TYPE_WIDGET)

static void
update (SudaConversationRow *self)
{
  SudaConversation *conv = self->conversation;
  guint unread;

  if (conv == NULL)
    return;
  unread = suda_conversation_get_unread_count (conv);
  gtk_label_set_text (self->name_label, suda_conversation_get_name (conv));
  gtk_widget_set_visible (self->mention_label, suda_conversation_get_mention (conv));
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), unread > 0);
  if (unread > 0)
    {
      g_autofree char *count = unread > 999 ? g_strdup ("999+") : g_strdup_printf ("%u", unread);

      gtk_label_set_text (self->unread_label, count);
    }
  /* A room we are no longer in stays listed, greyed out. */
  if (suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM &&
      !suda_conversation_get_joined (conv))
    gtk_widget_add_css_class (GTK_WIDGET (self), "left");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "left");
  if (unread > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "unread");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "unread");
}

static void
on_notify (SudaConversation    *conv,
           GParamSpec          *pspec,
           SudaConversationRow *self)
{
  update (self);
}

void
suda_conversation_row_set_conversation (SudaConversationRow *self,
                                        SudaConversation    *conversation)
{
  const char *icon_name;

  g_return_if_fail (SUDA_IS_CONVERSATION_ROW (self));

  if (self->conversation == conversation)
    return;
  if (self->conversation != NULL)
    g_signal_handlers_disconnect_by_func (self->conversation, on_notify, self);
  g_set_object (&self->conversation, conversation);
  if (conversation == NULL)
    return;

  switch (suda_conversation_get_kind (conversation))
    {
    case SUDA_CONVERSATION_SERVER: icon_name = "network-server-symbolic"; break;
    case SUDA_CONVERSATION_PRIVATE: icon_name = "avatar-default-symbolic"; break;
    case SUDA_CONVERSATION_ROOM:
    default: icon_name = "system-users-symbolic"; break;
    }
  gtk_image_set_from_icon_name (self->icon, icon_name);
  g_signal_connect (conversation, "notify::name", G_CALLBACK (on_notify), self);
  g_signal_connect (conversation, "notify::unread-count", G_CALLBACK (on_notify), self);
  g_signal_connect (conversation, "notify::mention", G_CALLBACK (on_notify), self);
  g_signal_connect (conversation, "notify::joined", G_CALLBACK (on_notify), self);
  update (self);
}

SudaConversation *
suda_conversation_row_get_conversation (SudaConversationRow *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION_ROW (self), NULL);
  return self->conversation;
}

static void
suda_conversation_row_dispose (GObject *object)
{
  SudaConversationRow *self = SUDA_CONVERSATION_ROW (object);

  suda_conversation_row_set_conversation (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_CONVERSATION_ROW);
  G_OBJECT_CLASS (suda_conversation_row_parent_class)->dispose (object);
}

static void
suda_conversation_row_class_init (SudaConversationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_conversation_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Suda/suda-conversation-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaConversationRow, box);
  gtk_widget_class_bind_template_child (widget_class, SudaConversationRow, icon);
  gtk_widget_class_bind_template_child (widget_class, SudaConversationRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConversationRow, mention_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConversationRow, unread_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "conversationrow");
}

static void
suda_conversation_row_init (SudaConversationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
suda_conversation_row_new (void)
{
  return g_object_new (SUDA_TYPE_CONVERSATION_ROW, NULL);
}
