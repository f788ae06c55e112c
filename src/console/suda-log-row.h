/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "suda-log-entry.h"

G_BEGIN_DECLS

#define SUDA_TYPE_LOG_ROW (suda_log_row_get_type ())

G_DECLARE_FINAL_TYPE (SudaLogRow, suda_log_row, SUDA, LOG_ROW, GObject)

/* One row of a log view: an entry, or a malformed line kept as raw text,
 * with where it was in the file.  Rows are immutable and made on demand,
 * so a view of a million lines holds only the rows on screen. */
SudaLogRow   *suda_log_row_new_from_line   (const char   *line,
                                            gsize         len,
                                            guint         line_number);
SudaLogRow   *suda_log_row_new_from_entry  (SudaLogEntry *entry);
SudaLogEntry *suda_log_row_get_entry       (SudaLogRow   *self);
const char   *suda_log_row_get_raw_text    (SudaLogRow   *self);
gboolean      suda_log_row_get_malformed   (SudaLogRow   *self);
guint         suda_log_row_get_line_number (SudaLogRow   *self);
char         *suda_log_row_dup_summary     (SudaLogRow   *self);

G_END_DECLS
