/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-log-entry.h"

G_BEGIN_DECLS

#define SUDA_TYPE_LIVE_LOG (suda_live_log_get_type ())

G_DECLARE_FINAL_TYPE (SudaLiveLog, suda_live_log, SUDA, LIVE_LOG, GObject)

/* The console's live log: a GListModel of SudaLogRow holding only the
 * newest "max-rows" events at most, in a ring (a full ring drops its
 * oldest fifth at once); the log file has them all.  Events
 * arrive in batches (one per frame), and each batch changes the model with
 * at most two "items-changed" signals.  "n-total" counts every event seen,
 * so "n-total" > n_items says older lines are only in the file. */
SudaLiveLog *suda_live_log_new          (guint          max_rows);
void         suda_live_log_append       (SudaLiveLog   *self,
                                         SudaLogEntry **entries,
                                         guint          n_entries,
                                         guint64        n_skipped);
guint        suda_live_log_get_max_rows (SudaLiveLog   *self);
guint64      suda_live_log_get_n_total  (SudaLiveLog   *self);

G_END_DECLS
