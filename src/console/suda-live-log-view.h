/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "suda-log-cells.h"

G_BEGIN_DECLS

#define SUDA_TYPE_LIVE_LOG_VIEW (suda_live_log_view_get_type ())

G_DECLARE_FINAL_TYPE (SudaLiveLogView, suda_live_log_view, SUDA, LIVE_LOG_VIEW, GtkWidget)

/* The console's live log on screen: a GListModel of SudaLogRow drawn as a
 * table of time, event, room, nick and text, scrolled by the GtkScrollable
 * it is (put it in a GtkScrolledWindow).  One widget draws every row: a
 * batch of rows changes the scroll range and one picture, and measures
 * nothing.  Focused, a cursor row moves with the arrow keys, tells assistive
 * technologies its text, and is copied with Ctrl+C. */
GtkWidget  *suda_live_log_view_new               (void);
void        suda_live_log_view_set_model         (SudaLiveLogView *self,
                                                  GListModel      *model);
GListModel *suda_live_log_view_get_model         (SudaLiveLogView *self);
const char *suda_live_log_view_get_column_title  (SudaLogColumn    column);
gboolean    suda_live_log_view_get_visible_range (SudaLiveLogView *self,
                                                  guint           *first,
                                                  guint           *n_rows);
int         suda_live_log_view_get_cursor        (SudaLiveLogView *self);
void        suda_live_log_view_set_cursor        (SudaLiveLogView *self,
                                                  int              position);
char       *suda_live_log_view_dup_row_text      (SudaLiveLogView *self,
                                                  guint            position,
                                                  const char      *separator);
char       *suda_live_log_view_dup_tooltip_at    (SudaLiveLogView *self,
                                                  double           x,
                                                  double           y);

G_END_DECLS
