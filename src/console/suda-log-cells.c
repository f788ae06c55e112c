/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-format.h"
#include "suda-log-cells.h"
#include "suda-log-row.h"

/* Text longer than this also gets a tooltip, since the cell ellipsizes it */
#define TOOLTIP_THRESHOLD 60

static const char * const events[] = {
  "message", "notice", "whisper", "join", "part", "quit", "nick", "kick",
  "topic", "mode", "connect", "register", "disconnect", "search", "schedule",
  "error", "server-start", "server-stop", "redact", "upload", NULL
};

const char * const *
_suda_log_cells_get_events (void)
{
  return events;
}

/* An inscription, not a label: its size comes from a count of lines, not
 * from laying out its text, so the list measures a row of cells without
 * shaping any text (a label shapes its text each time it is measured,
 * and a list re-measures every row shown when rows are added). */
static void
log_cell_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 0);
  gtk_inscription_set_min_lines (GTK_INSCRIPTION (cell), 1);
  gtk_inscription_set_nat_lines (GTK_INSCRIPTION (cell), 1);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_list_item_set_child (item, cell);
}

/* A malformed line has no room and no nick.  A file from elsewhere may
 * hold anything: controls show as pictures there too. */
static char *
dup_entry_text (SudaLogRow  *row,
                const char * (*get) (SudaLogEntry *entry))
{
  SudaLogEntry *entry = suda_log_row_get_entry (row);
  g_autofree char *shown = suda_format_strip (entry ? get (entry) : NULL, SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);

  return shown ? g_steal_pointer (&shown) : g_strdup ("");
}

static char *
dup_time_text (SudaLogRow *row)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  char *text;

  if (suda_log_row_get_malformed (row))
    return g_strdup_printf (_("line %u"), suda_log_row_get_line_number (row));
  utc = g_date_time_new_from_unix_utc (suda_log_entry_get_time (suda_log_row_get_entry (row)) / G_USEC_PER_SEC);
  local = utc ? g_date_time_to_local (utc) : NULL;
  text = local ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : NULL;
  return text ? text : g_strdup ("");
}

char *
_suda_log_cells_dup_text (SudaLogRow    *row,
                          SudaLogColumn  column)
{
  switch (column)
    {
    case SUDA_LOG_COLUMN_TIME:
      return dup_time_text (row);
    case SUDA_LOG_COLUMN_EVENT:
      return g_strdup (suda_log_row_get_malformed (row) ? _("malformed")
                                                        : suda_log_entry_get_event (suda_log_row_get_entry (row)));
    case SUDA_LOG_COLUMN_ROOM:
      return dup_entry_text (row, suda_log_entry_get_channel);
    case SUDA_LOG_COLUMN_NICK:
      return dup_entry_text (row, suda_log_entry_get_nick);
    case SUDA_LOG_COLUMN_TEXT:
    default:
      return suda_log_row_dup_summary (row);
    }
}

static void
bind_cell (GtkListItem   *item,
           SudaLogColumn  column)
{
  GtkInscription *cell = GTK_INSCRIPTION (gtk_list_item_get_child (item));
  SudaLogRow *row = SUDA_LOG_ROW (gtk_list_item_get_item (item));
  g_autofree char *text = _suda_log_cells_dup_text (row, column);

  gtk_inscription_set_text (cell, text);
  /* cells are recycled, so the class is set or cleared every time */
  if (column == SUDA_LOG_COLUMN_EVENT && suda_log_row_get_malformed (row))
    gtk_widget_add_css_class (GTK_WIDGET (cell), "error");
  else if (column == SUDA_LOG_COLUMN_EVENT)
    gtk_widget_remove_css_class (GTK_WIDGET (cell), "error");
  if (column == SUDA_LOG_COLUMN_TEXT)
    {
      const char *tooltip = g_utf8_strlen (text, -1) > TOOLTIP_THRESHOLD ? text : NULL;

      /* GTK asks the display where the pointer is at every tooltip set (two
       * round trips to the X server): a row that keeps none sets none */
      if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (cell)), tooltip) != 0)
        gtk_widget_set_tooltip_text (GTK_WIDGET (cell), tooltip);
    }
}

static void
log_cell_bind_time (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  bind_cell (item, SUDA_LOG_COLUMN_TIME);
}

static void
log_cell_bind_event (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  bind_cell (item, SUDA_LOG_COLUMN_EVENT);
}

static void
log_cell_bind_room (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  bind_cell (item, SUDA_LOG_COLUMN_ROOM);
}

static void
log_cell_bind_nick (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  bind_cell (item, SUDA_LOG_COLUMN_NICK);
}

static void
log_cell_bind_text (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  bind_cell (item, SUDA_LOG_COLUMN_TEXT);
}

void
_suda_log_cells_bind_callbacks (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, log_cell_setup);
  gtk_widget_class_bind_template_callback (widget_class, log_cell_bind_time);
  gtk_widget_class_bind_template_callback (widget_class, log_cell_bind_event);
  gtk_widget_class_bind_template_callback (widget_class, log_cell_bind_room);
  gtk_widget_class_bind_template_callback (widget_class, log_cell_bind_nick);
  gtk_widget_class_bind_template_callback (widget_class, log_cell_bind_text);
}

typedef struct {
  GtkAdjustment *adj;
  GtkWidget     *scrolled;
  GdkFrameClock *clock;     /* the scrolled window's while it is realized */
  gboolean enabled;
  gboolean at_end;      /* the person left the view at its end */
  gboolean pending;     /* a jump to the end the list has not seen yet */
  gboolean catch_up;    /* the list grew under a view that follows it */
  guint    idle_id;
  double   last_value;
} ScrollFollow;

static gboolean
adjustment_at_end (GtkAdjustment *adj)
{
  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - 2.0;
}

/* A list view only moves its rows when the value changes, and a value set
 * before its first allocation may already equal the end it later computes;
 * a one-pixel step first makes sure it sees a change. */
static void
scroll_to_end (ScrollFollow *follow)
{
  double end = gtk_adjustment_get_upper (follow->adj) - gtk_adjustment_get_page_size (follow->adj);

  if (end <= 0)
    {
      follow->pending = TRUE;
      return;
    }
  follow->pending = FALSE;
  gtk_adjustment_set_value (follow->adj, end - 1);
  gtk_adjustment_set_value (follow->adj, end);
}

/* Only a move up is the person leaving the end: list views also move the
 * value themselves as rows are added below, but never upwards. */
static void
follow_value_changed_cb (GtkAdjustment *adj,
                         ScrollFollow  *follow)
{
  double value = gtk_adjustment_get_value (adj);

  if (adjustment_at_end (adj))
    follow->at_end = TRUE;
  else if (value < follow->last_value - 0.5)
    follow->at_end = FALSE;
  follow->last_value = value;
}

static void
catch_up (ScrollFollow *follow)
{
  follow->catch_up = FALSE;
  if (follow->enabled && follow->at_end)
    scroll_to_end (follow);
}

static gboolean
scroll_to_end_idle_cb (gpointer data)
{
  ScrollFollow *follow = data;

  follow->idle_id = 0;
  catch_up (follow);
  return G_SOURCE_REMOVE;
}

/* After the window's own layout handler, in the same layout phase: the
 * jump makes the list lay itself out again before anything is painted
 * (the frame clock repeats its layout phase when asked during it), so a
 * batch costs one frame, not a frame at the old place and one at the end. */
static void
frame_layout_cb (GdkFrameClock *clock,
                 ScrollFollow  *follow)
{
  if (follow->catch_up)
    catch_up (follow);
}

/* Growth changes "upper" without touching "value": that is the moment to
 * catch up, if the view was at its end before the growth.  The list view
 * ignores its adjustment while it lays itself out, which is when this
 * runs, so the jump waits for the end of the layout phase (or for an idle
 * moment, when the window is not realized and lays nothing out). */
static void
follow_changed_cb (GtkAdjustment *adj,
                   ScrollFollow  *follow)
{
  if (!follow->enabled || !follow->at_end || (!follow->pending && adjustment_at_end (adj)))
    return;
  follow->catch_up = TRUE;
  if (follow->clock == NULL && follow->idle_id == 0)
    follow->idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, scroll_to_end_idle_cb, follow, NULL);
}

static void
follow_unrealize_cb (GtkWidget    *scrolled,
                     ScrollFollow *follow)
{
  if (follow->clock != NULL)
    g_signal_handlers_disconnect_by_func (follow->clock, frame_layout_cb, follow);
  g_clear_object (&follow->clock);
}

static void
follow_realize_cb (GtkWidget    *scrolled,
                   ScrollFollow *follow)
{
  follow_unrealize_cb (scrolled, follow);
  follow->clock = g_object_ref (gtk_widget_get_frame_clock (scrolled));
  g_signal_connect_after (follow->clock, "layout", G_CALLBACK (frame_layout_cb), follow);
}

static void
scroll_follow_free (gpointer data)
{
  ScrollFollow *follow = data;

  g_clear_handle_id (&follow->idle_id, g_source_remove);
  follow_unrealize_cb (follow->scrolled, follow);
  g_signal_handlers_disconnect_by_data (follow->adj, follow);
  g_object_unref (follow->adj);
  g_free (follow);
}

void
_suda_scroll_follow_attach (GtkScrolledWindow *scrolled)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scrolled);
  ScrollFollow *follow = g_new0 (ScrollFollow, 1);

  follow->adj = g_object_ref (adj);
  follow->scrolled = GTK_WIDGET (scrolled);
  follow->enabled = TRUE;
  follow->at_end = TRUE;
  g_object_set_data_full (G_OBJECT (scrolled), "suda-scroll-follow", follow, scroll_follow_free);
  g_signal_connect (adj, "value-changed", G_CALLBACK (follow_value_changed_cb), follow);
  g_signal_connect (adj, "changed", G_CALLBACK (follow_changed_cb), follow);
  g_signal_connect (scrolled, "realize", G_CALLBACK (follow_realize_cb), follow);
  g_signal_connect (scrolled, "unrealize", G_CALLBACK (follow_unrealize_cb), follow);
  if (gtk_widget_get_realized (GTK_WIDGET (scrolled)))
    follow_realize_cb (GTK_WIDGET (scrolled), follow);
}

void
_suda_scroll_follow_set_enabled (GtkScrolledWindow *scrolled,
                                 gboolean           enabled)
{
  ScrollFollow *follow = g_object_get_data (G_OBJECT (scrolled), "suda-scroll-follow");

  g_return_if_fail (follow != NULL);

  follow->enabled = enabled;
  if (enabled)
    {
      follow->at_end = TRUE;
      scroll_to_end (follow);
    }
}
