/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Finding things: a line in the shown conversation's history (the search
 * bar), and a conversation by its name (the jump popover). */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-window-private.h"

void
_suda_window_open_search (SudaWindow *self)
{
  /* The bar focuses its connected entry once it is shown. */
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
}

void
_suda_window_close_search (SudaWindow *self)
{
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->input_view));
}

static void
search_mode_cb (GtkSearchBar *bar,
                GParamSpec   *pspec,
                SudaWindow   *self)
{
  gboolean on = gtk_search_bar_get_search_mode (bar);

  /* Escape only belongs to the search while it is open. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-search", on);
  if (!on && self->history_selection != NULL)
    gtk_single_selection_set_selected (self->history_selection, GTK_INVALID_LIST_POSITION);
  self->search_position = -1;
}

/* The history's selection only marks what a search found: a click
 * elsewhere selects nothing. */
static void
history_selected_cb (GtkSingleSelection *selection,
                     GParamSpec         *pspec,
                     SudaWindow         *self)
{
  if (!gtk_search_bar_get_search_mode (self->search_bar) &&
      gtk_single_selection_get_selected (selection) != GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
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
  _suda_window_set_sticks (self, FALSE);
  gtk_single_selection_set_selected (self->history_selection, found);
  gtk_widget_activate_action (GTK_WIDGET (self->history_list), "list.scroll-to-item", "u", found);
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   SudaWindow     *self)
{
  search_from (self, -1);
}

static void
search_next_cb (GtkSearchEntry *entry,
                SudaWindow     *self)
{
  search_from (self, self->search_position);
}

static void
search_stop_cb (GtkSearchEntry *entry,
                SudaWindow     *self)
{
  _suda_window_close_search (self);
}

/* Jumping to a conversation */

void
_suda_window_open_jump (SudaWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->jump_entry), "");
  /* Below the top of the sidebar, where the list of conversations starts. */
  gtk_popover_set_pointing_to (self->jump_popover,
                               &(GdkRectangle) { 0, 0, gtk_widget_get_width (self->sidebar), 1 });
  gtk_popover_set_position (self->jump_popover, GTK_POS_BOTTOM);
  gtk_popover_popup (self->jump_popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->jump_entry));
}

static void
jump_activate_cb (GtkSearchEntry *entry,
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
jump_stop_cb (GtkSearchEntry *entry,
              SudaWindow     *self)
{
  gtk_popover_popdown (self->jump_popover);
}

void
_suda_window_search_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, search_mode_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_stop_cb);
  gtk_widget_class_bind_template_callback (widget_class, jump_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, jump_stop_cb);
}
