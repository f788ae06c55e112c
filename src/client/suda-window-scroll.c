/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The history view sticks to its end until the person scrolls up; at the
 * top it asks for older history, at the end it tells the server what was
 * read, and coming to a conversation it shows the "New messages" line. */
#include "config.h"

#include "suda-message-row.h"
#include "suda-window-private.h"

/* How close to the end counts as "at the bottom", in pixels. */
#define BOTTOM_SLACK 8.0
/* How close to the top asks for older lines, in pixels: a little before
 * the very top, so the page often comes before the person gets there. */
#define TOP_SLACK 48.0

/* The person has seen the shown conversation to its end: the server hears
 * of it (draft/read-marker), when it listens. */
void
_suda_window_note_read (SudaWindow *self)
{
  if (self->shown != NULL && self->sticks_to_bottom && gtk_window_is_active (GTK_WINDOW (self)))
    suda_client_note_read (_suda_window_client_of (self, self->shown), self->shown);
}

/* Runs once the value settled: a new model puts the view at the top for a
 * moment, before it goes to the end, and that is no scroll to the top. */
static gboolean
load_older (gpointer user_data)
{
  SudaWindow *self = user_data;
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->history_scroller);

  if (self->shown != NULL && !self->sticks_to_bottom && gtk_adjustment_get_value (adj) <= TOP_SLACK)
    suda_client_load_older (_suda_window_client_of (self, self->shown), self->shown);
  return G_SOURCE_REMOVE;
}

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
  _suda_window_note_read (self);
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
    {
      _suda_window_set_sticks (self, TRUE);
      _suda_window_note_read (self);
    }
  else if (value < self->last_scroll_value - 1)
    {
      _suda_window_set_sticks (self, FALSE);
      if (value <= TOP_SLACK)
        g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, load_older, g_object_ref (self), g_object_unref);
    }
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

/* The row showing MESSAGE, if the view has one now. */
static GtkWidget *
find_row (SudaWindow  *self,
          SudaMessage *message)
{
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (self->history_list));
       item != NULL; item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *row = gtk_widget_get_first_child (item);

      if (SUDA_IS_MESSAGE_ROW (row) && suda_message_row_get_message (SUDA_MESSAGE_ROW (row)) == message)
        return row;
    }
  return NULL;
}

/* Whether MESSAGE has a row in the view now, and where, in the scroller. */
static gboolean
row_bounds (SudaWindow      *self,
            SudaMessage     *message,
            graphene_rect_t *bounds)
{
  GtkWidget *row = message ? find_row (self, message) : NULL;

  /* A row just made has no size until the next layout. */
  return row != NULL && gtk_widget_compute_bounds (row, GTK_WIDGET (self->history_scroller), bounds) &&
         bounds->size.height > 0;
}

/* Frames after a conversation is shown, once the view is at its end: when
 * the marker is above the view (more unread lines than a screen), the
 * view goes up to it.  The person scrolling first, or a few frames with
 * no end reached, ends the wait. */
static gboolean
reveal_marker_tick (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  SudaWindow *self = SUDA_WINDOW (widget);
  guint *ticks = user_data;
  gint pos = self->shown ? suda_conversation_get_marker_position (self->shown) : -1;
  guint n = self->history ? g_list_model_get_n_items (G_LIST_MODEL (self->history)) : 0;
  g_autoptr(SudaMessage) last = n > 0 ? g_list_model_get_item (G_LIST_MODEL (self->history), n - 1) : NULL;
  g_autoptr(SudaMessage) marker = NULL;
  graphene_rect_t bounds;

  if (pos < 0 || (guint) pos >= n || !self->sticks_to_bottom || (*ticks)++ > 30)
    return G_SOURCE_REMOVE;
  /* Laid out at the end yet: the last line has its row in sight. */
  if (!row_bounds (self, last, &bounds) ||
      bounds.origin.y + bounds.size.height > gtk_widget_get_height (GTK_WIDGET (self->history_scroller)) + 1)
    return G_SOURCE_CONTINUE;
  marker = g_list_model_get_item (G_LIST_MODEL (self->history), pos);
  if (row_bounds (self, marker, &bounds) && bounds.origin.y >= 0)
    return G_SOURCE_REMOVE;
  _suda_window_set_sticks (self, FALSE);
  gtk_widget_activate_action (GTK_WIDGET (self->history_list), "list.scroll-to-item", "u", (guint) pos);
  return G_SOURCE_REMOVE;
}

/* After a conversation is shown: the "New messages" line in view. */
void
_suda_window_reveal_marker (SudaWindow *self)
{
  if (self->shown != NULL && suda_conversation_get_marker_position (self->shown) >= 0)
    gtk_widget_add_tick_callback (GTK_WIDGET (self), reveal_marker_tick, g_new0 (guint, 1), g_free);
}

void
_suda_window_scroll_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, SudaWindow, older_indicator);
  gtk_widget_class_bind_template_callback (widget_class, history_items_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, history_adjustment_changed_cb);
}
