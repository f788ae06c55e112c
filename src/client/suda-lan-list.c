/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The connect view's "Chats on this network". */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <adwaita.h>

#include "suda-lan-list.h"

struct _SudaLanList
{
  GtkWidget   parent_instance;

  /* Template widgets */
  GtkWidget  *box;
  GtkWidget  *heading;
  GtkListBox *list_box;
  GtkWidget  *problem_box;
  GtkLabel   *problem_label;

  /* Owned */
  GListModel *model;
};

G_DEFINE_FINAL_TYPE (SudaLanList, suda_lan_list, GTK_TYPE_WIDGET)

enum {
  CHAT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* "192.168.1.20:6697 · #lobby · password needed" */
static char *
describe (SudaLanChat *chat)
{
  GString *text = g_string_new (suda_lan_chat_get_host (chat));
  guint16 tls_port = suda_lan_chat_get_tls_port (chat);
  const char *room = suda_lan_chat_get_room (chat);

  g_string_append_printf (text, ":%u", tls_port ? tls_port : suda_lan_chat_get_port (chat));
  if (room != NULL && *room != '\0')
    g_string_append_printf (text, " · %s", room);
  if (suda_lan_chat_get_password (chat))
    g_string_append_printf (text, " · %s", _("password needed"));
  return g_string_free (text, FALSE);
}

static GtkWidget *
create_row (gpointer item,
            gpointer data)
{
  SudaLanChat *chat = item;
  g_autofree char *subtitle = describe (chat);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("network-workgroup-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), suda_lan_chat_get_name (chat));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  if (suda_lan_chat_get_tls_port (chat) != 0)
    {
      GtkWidget *lock = gtk_image_new_from_icon_name ("channel-secure-symbolic");

      gtk_widget_set_tooltip_text (lock, _("Secure connection (TLS)"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), lock);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Connect to this chat"));
  return row;
}

static void
row_activated_cb (GtkListBox    *list_box,
                  GtkListBoxRow *row,
                  SudaLanList   *self)
{
  g_autoptr(SudaLanChat) chat = g_list_model_get_item (self->model, gtk_list_box_row_get_index (row));

  if (chat != NULL)
    g_signal_emit (self, signals[CHAT_ACTIVATED], 0, chat);
}

static void
suda_lan_list_dispose (GObject *object)
{
  SudaLanList *self = SUDA_LAN_LIST (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_LAN_LIST);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (suda_lan_list_parent_class)->dispose (object);
}

static void
suda_lan_list_class_init (SudaLanListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_lan_list_dispose;

  /* The chat clicked: the window fills the form with it and connects. */
  signals[CHAT_ACTIVATED] =
    g_signal_new ("chat-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, SUDA_TYPE_LAN_CHAT);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Suda/suda-lan-list.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaLanList, box);
  gtk_widget_class_bind_template_child (widget_class, SudaLanList, heading);
  gtk_widget_class_bind_template_child (widget_class, SudaLanList, list_box);
  gtk_widget_class_bind_template_child (widget_class, SudaLanList, problem_box);
  gtk_widget_class_bind_template_child (widget_class, SudaLanList, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
suda_lan_list_init (SudaLanList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SudaLanList *
suda_lan_list_new (GListModel *model)
{
  SudaLanList *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);
  self = g_object_new (SUDA_TYPE_LAN_LIST, NULL);
  self->model = g_object_ref (model);
  gtk_list_box_bind_model (self->list_box, model, create_row, self, NULL);
  return self;
}

GListModel *
suda_lan_list_get_model (SudaLanList *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_LIST (self), NULL);
  return self->model;
}

GtkListBox *
suda_lan_list_get_list_box (SudaLanList *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_LIST (self), NULL);
  return self->list_box;
}

/* Hidden, the list would leave people wondering: the line says why and
 * its tooltip repeats it where the line is cut short. */
void
suda_lan_list_set_available (SudaLanList *self,
                             gboolean     available,
                             const char  *problem)
{
  g_return_if_fail (SUDA_IS_LAN_LIST (self));

  gtk_widget_set_visible (self->heading, available);
  gtk_widget_set_visible (GTK_WIDGET (self->list_box), available);
  gtk_widget_set_visible (self->problem_box, !available);
  gtk_label_set_text (self->problem_label, problem ? problem : "");
  gtk_widget_set_tooltip_text (self->problem_box, problem);
}
