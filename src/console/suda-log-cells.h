/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "suda-log-row.h"

G_BEGIN_DECLS

/* The time/event/room/nick/text columns of a log: the log viewer's cells
 * (its template names the callbacks "log_cell_setup" and
 * "log_cell_bind_{time,event,room,nick,text}"), and what each column
 * shows, which the console's live log draws too. */
typedef enum {
  SUDA_LOG_COLUMN_TIME,
  SUDA_LOG_COLUMN_EVENT,
  SUDA_LOG_COLUMN_ROOM,
  SUDA_LOG_COLUMN_NICK,
  SUDA_LOG_COLUMN_TEXT,
  SUDA_LOG_N_COLUMNS
} SudaLogColumn;

void                _suda_log_cells_bind_callbacks  (GtkWidgetClass    *widget_class);
const char * const *_suda_log_cells_get_events      (void);
/* What a column shows of a row, as the live log draws it too */
char               *_suda_log_cells_dup_text        (SudaLogRow        *row,
                                                     SudaLogColumn      column);

G_END_DECLS
