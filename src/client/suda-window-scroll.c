/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The history view sticks to its end until the person scrolls up. */
#include "config.h"

#include "suda-window-private.h"

/* How close to the end counts as "at the bottom", in pixels. */
#define BOTTOM_SLACK 8.0

/* Asks the list view to show the last row at the bottom.  Setting the
 * adjustment to its upper end instead would use estimated row heights,
 * and would take several frames (and rows bound for nothing) to settle. */
void
_suda_window_scroll_to_end (SudaWindow *self)
{
  guint n = self->history ? g_list_model_get_n_items (G_LIST_MODEL (self->history)) : 0;

  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->history_list), "list.scroll-to-item", "u", n - 1);
}

void
_suda_window_set_sticks (SudaWindow *self,
                         gboolean    sticks)
{
  self->sticks_to_bottom = sticks;
  gtk_widget_set_visible (self->jump_button, !sticks);
}

gboolean
suda_window_get_sticks_to_bottom (SudaWindow *self)
{
  g_return_val_if_fail (SUDA_IS_WINDOW (self), FALSE);
  return self->sticks_to_bottom;
}

/* The history view's model is throttled (see SudaThrottledList), so in a
 * flood this runs a few times a second, not once per batch.  While the
 * view is between two conversations it has no model to scroll. */
static void
history_items_changed_cb (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          SudaWindow *self)
{
  if (self->sticks_to_bottom && added > 0 && gtk_list_view_get_model (self->history_list) != NULL)
    _suda_window_scroll_to_end (self);
}

/* Only a move up lets go of the bottom.  The list view also moves the
 * value itself while it measures new rows, and those moves must not count
 * as the person scrolling away. */
static void
history_value_changed_cb (GtkAdjustment *adj,
                          SudaWindow    *self)
{
  double value = gtk_adjustment_get_value (adj);
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  if (value >= bottom - BOTTOM_SLACK)
    _suda_window_set_sticks (self, TRUE);
  else if (value < self->last_scroll_value - 1)
    _suda_window_set_sticks (self, FALSE);
  self->last_scroll_value = value;
}

static gboolean
follow_end (gpointer user_data)
{
  SudaWindow *self = user_data;

  self->follow_id = 0;
  if (self->sticks_to_bottom)
    _suda_window_scroll_to_end (self);
  return G_SOURCE_REMOVE;
}

/* The list grew or the view changed size: follow the end if we were there.
 * Not right here: this runs while the list view lays itself out, and it
 * does not listen to its adjustment then, so the move would be undone. */
static void
history_adjustment_changed_cb (GtkAdjustment *adj,
                               SudaWindow    *self)
{
  if (self->sticks_to_bottom && self->follow_id == 0)
    self->follow_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, follow_end, self, NULL);
}

void
_suda_window_scroll_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, history_items_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_adjustment_changed_cb);
}
