/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-listed-room.h"
#include "suda-room-list.h"

struct _SudaRoomList
{
  AdwWindow            parent_instance;

  /* Template widgets */
  AdwWindowTitle      *window_title;
  GtkWidget           *join_button;
  GtkSearchEntry      *search_entry;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *users_column;
  GtkLabel            *status_label;

  /* Owned */
  SudaClient          *client;
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSingleSelection  *selection;
  char                *needle;     /* the search text, casefolded, or NULL */
};

G_DEFINE_FINAL_TYPE (SudaRoomList, suda_room_list, ADW_TYPE_WINDOW)

static gboolean
contains_folded (const char *text,
                 const char *needle)
{
  g_autofree char *folded = g_utf8_casefold (text, -1);

  return strstr (folded, needle) != NULL;
}

static gboolean
room_matches (gpointer item,
              gpointer user_data)
{
  SudaRoomList *self = user_data;

  return self->needle == NULL ||
         contains_folded (suda_listed_room_get_name (item), self->needle) ||
         contains_folded (suda_listed_room_get_topic (item), self->needle);
}

static void
update_status (SudaRoomList *self)
{
  guint total = g_list_model_get_n_items (suda_client_get_rooms (self->client));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autofree char *text = NULL;

  if (suda_client_get_listing_rooms (self->client))
    text = g_strdup_printf (ngettext ("Loading rooms… %u so far", "Loading rooms… %u so far", total), total);
  else if (total == 0)
    text = g_strdup (_("This server has no rooms to list."));
  else if (shown == 0)
    text = g_strdup_printf (_("No rooms match “%s”"), gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  else if (shown < total)
    text = g_strdup_printf (ngettext ("%u of %u room", "%u of %u rooms", total), shown, total);
  else
    text = g_strdup_printf (ngettext ("%u room", "%u rooms", total), total);
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_sensitive (self->join_button, gtk_single_selection_get_selected_item (self->selection) != NULL);
}

/* Once sorted, the top row is the one Enter joins: the first room to
 * arrive, selected then, has moved down since. */
static void
sort_pending_cb (GtkSortListModel *sorted,
                 GParamSpec       *pspec,
                 SudaRoomList     *self)
{
  if (self->client != NULL && self->selection != NULL &&
      gtk_sort_list_model_get_pending (sorted) == 0 && !suda_client_get_listing_rooms (self->client) &&
      g_list_model_get_n_items (G_LIST_MODEL (sorted)) > 0)
    gtk_single_selection_set_selected (self->selection, 0);
}

static void
search_changed_cb (SudaRoomList *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_free (self->needle);
  self->needle = *stripped ? g_utf8_casefold (stripped, -1) : NULL;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
join (SudaRoomList   *self,
      SudaListedRoom *room)
{
  g_autofree char *command = NULL;

  if (room == NULL)
    return;
  command = g_strdup_printf ("/join %s", suda_listed_room_get_name (room));
  suda_client_submit (self->client, suda_client_get_server_conversation (self->client), command);
  gtk_window_close (GTK_WINDOW (self));
}

static void
join_clicked_cb (SudaRoomList *self)
{
  join (self, gtk_single_selection_get_selected_item (self->selection));
}

static void
row_activated_cb (SudaRoomList *self,
                  guint         position)
{
  g_autoptr(SudaListedRoom) room = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  join (self, room);
}

static void
suda_room_list_dispose (GObject *object)
{
  SudaRoomList *self = SUDA_ROOM_LIST (object);

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_data (self->filtered, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_ROOM_LIST);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (suda_room_list_parent_class)->dispose (object);
}

static void
suda_room_list_finalize (GObject *object)
{
  g_free (SUDA_ROOM_LIST (object)->needle);
  G_OBJECT_CLASS (suda_room_list_parent_class)->finalize (object);
}

static void
suda_room_list_class_init (SudaRoomListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_room_list_dispose;
  object_class->finalize = suda_room_list_finalize;

  /* The template's expressions name the item type. */
  g_type_ensure (SUDA_TYPE_LISTED_ROOM);
  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Suda/suda-room-list.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaRoomList, window_title);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomList, join_button);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomList, column_view);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomList, name_column);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomList, users_column);
  gtk_widget_class_bind_template_child (widget_class, SudaRoomList, status_label);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, join_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
suda_room_list_init (SudaRoomList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Rooms -> search filter -> the column view's sort -> selection.  Both
 * filter and sort work incrementally so a huge list never stalls a frame. */
static void
build_model (SudaRoomList *self)
{
  GtkSortListModel *sorted;

  self->filter = gtk_custom_filter_new (room_matches, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (suda_client_get_rooms (self->client)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  gtk_filter_list_model_set_incremental (self->filtered, TRUE);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->filtered)),
                                    g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  gtk_sort_list_model_set_incremental (sorted, TRUE);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  gtk_column_view_sort_by_column (self->column_view, self->users_column, GTK_SORT_DESCENDING);

  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_status), self);
  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (update_status), self);
  g_signal_connect_swapped (self->client, "notify::listing-rooms", G_CALLBACK (update_status), self);
  g_signal_connect_object (sorted, "notify::pending", G_CALLBACK (sort_pending_cb), self, 0);
}

SudaRoomList *
suda_room_list_new (GtkWindow  *parent,
                    SudaClient *client)
{
  SudaRoomList *self;
  const char *host;

  g_return_val_if_fail (SUDA_IS_CLIENT (client), NULL);

  self = g_object_new (SUDA_TYPE_ROOM_LIST, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  host = suda_connection_get_host (suda_client_get_connection (client));
  adw_window_title_set_subtitle (self->window_title, host ? host : "");
  build_model (self);
  update_status (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  return self;
}

SudaClient *
suda_room_list_get_client (SudaRoomList *self)
{
  g_return_val_if_fail (SUDA_IS_ROOM_LIST (self), NULL);
  return self->client;
}
