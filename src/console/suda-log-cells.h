/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The cells of the time/event/room/nick/text columns that the console's
 * live log and the log viewer share.  Their templates name the callbacks
 * "log_cell_setup" and "log_cell_bind_{time,event,room,nick,text}". */
void                _suda_log_cells_bind_callbacks  (GtkWidgetClass    *widget_class);
const char * const *_suda_log_cells_get_events      (void);

/* Keeps a scrolled window at its bottom while it is enabled and the person
 * has not scrolled up: the newest entry stays in sight. */
void                _suda_scroll_follow_attach      (GtkScrolledWindow *scrolled);
void                _suda_scroll_follow_set_enabled (GtkScrolledWindow *scrolled,
                                                     gboolean           enabled);

G_END_DECLS
