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
