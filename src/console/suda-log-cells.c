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
  "error", "server-start", "server-stop", "redact", NULL
};

const char * const *
_suda_log_cells_get_events (void)
{
  return events;
}

static void
log_cell_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static SudaLogRow *
item_row (GtkListItem *item,
          GtkLabel   **label)
{
  *label = GTK_LABEL (gtk_list_item_get_child (item));
  return SUDA_LOG_ROW (gtk_list_item_get_item (item));
}

static void
log_cell_bind_time (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkLabel *label;
  SudaLogRow *row = item_row (item, &label);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *text = NULL;

  if (suda_log_row_get_malformed (row))
    {
      text = g_strdup_printf (_("line %u"), suda_log_row_get_line_number (row));
      gtk_label_set_text (label, text);
      return;
    }
  utc = g_date_time_new_from_unix_utc (suda_log_entry_get_time (suda_log_row_get_entry (row)) / G_USEC_PER_SEC);
  local = utc ? g_date_time_to_local (utc) : NULL;
  text = local ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : NULL;
  gtk_label_set_text (label, text ? text : "");
}

static void
log_cell_bind_event (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  GtkLabel *label;
  SudaLogRow *row = item_row (item, &label);
  gboolean malformed = suda_log_row_get_malformed (row);

  /* cells are recycled, so the class is set or cleared every time */
  if (malformed)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
  gtk_label_set_text (label, malformed ? _("malformed")
                                       : suda_log_entry_get_event (suda_log_row_get_entry (row)));
}

/* A malformed line has no room and no nick.  A file from elsewhere may
 * hold anything: controls show as pictures there too. */
static void
set_entry_text (GtkLabel     *label,
                SudaLogRow   *row,
                const char * (*get) (SudaLogEntry *entry))
{
  SudaLogEntry *entry = suda_log_row_get_entry (row);
  const char *text = entry ? get (entry) : NULL;
  g_autofree char *shown = suda_format_strip (text, SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);

  gtk_label_set_text (label, shown ? shown : "");
}

static void
log_cell_bind_room (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkLabel *label;
  SudaLogRow *row = item_row (item, &label);

  set_entry_text (label, row, suda_log_entry_get_channel);
}

static void
log_cell_bind_nick (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkLabel *label;
  SudaLogRow *row = item_row (item, &label);

  set_entry_text (label, row, suda_log_entry_get_nick);
}

static void
log_cell_bind_text (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  GtkLabel *label;
  SudaLogRow *row = item_row (item, &label);
  g_autofree char *text = suda_log_row_dup_summary (row);

  gtk_label_set_text (label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label),
                               g_utf8_strlen (text, -1) > TOOLTIP_THRESHOLD ? text : NULL);
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
  gboolean enabled;
  gboolean at_end;      /* the person left the view at its end */
  gboolean pending;     /* a jump to the end the list has not seen yet */
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

static gboolean
scroll_to_end_idle_cb (gpointer data)
{
  ScrollFollow *follow = data;

  follow->idle_id = 0;
  if (follow->enabled && follow->at_end)
    scroll_to_end (follow);
  return G_SOURCE_REMOVE;
}

/* Growth changes "upper" without touching "value": that is the moment to
 * catch up, if the view was at its end before the growth.  The list view
 * ignores its adjustment while it lays itself out, which is when this
 * runs, so the jump waits for an idle moment. */
static void
follow_changed_cb (GtkAdjustment *adj,
                   ScrollFollow  *follow)
{
  if (follow->enabled && follow->at_end && (follow->pending || !adjustment_at_end (adj)) &&
      follow->idle_id == 0)
    follow->idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, scroll_to_end_idle_cb, follow, NULL);
}

static void
scroll_follow_free (gpointer data)
{
  ScrollFollow *follow = data;

  g_clear_handle_id (&follow->idle_id, g_source_remove);
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
  follow->enabled = TRUE;
  follow->at_end = TRUE;
  g_object_set_data_full (G_OBJECT (scrolled), "suda-scroll-follow", follow, scroll_follow_free);
  g_signal_connect (adj, "value-changed", G_CALLBACK (follow_value_changed_cb), follow);
  g_signal_connect (adj, "changed", G_CALLBACK (follow_changed_cb), follow);
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
