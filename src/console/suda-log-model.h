/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SUDA_TYPE_LOG_MODEL (suda_log_model_get_type ())

G_DECLARE_FINAL_TYPE (SudaLogModel, suda_log_model, SUDA, LOG_MODEL, GObject)

/* A GListModel of SudaLogRow over a memory-mapped JSON Lines file.  It
 * keeps one offset per line and, while filtered, one index per matching
 * line; rows are decoded only when asked for.
 *
 * Properties: "file", "n-lines" (every line, filtered or not),
 * "following", "search-text", "nick", "event" ("malformed" selects the
 * lines that are not valid entries), "since" and "until" (unix usec,
 * since inclusive, until exclusive, 0 for no bound). */

SudaLogModel *suda_log_model_new             (void);
gboolean      suda_log_model_load            (SudaLogModel  *self,
                                              GFile         *file,
                                              GError       **error);
gboolean      suda_log_model_refresh         (SudaLogModel  *self,
                                              GError       **error);
GFile        *suda_log_model_get_file        (SudaLogModel  *self);
guint         suda_log_model_get_n_lines     (SudaLogModel  *self);
gboolean      suda_log_model_get_following   (SudaLogModel  *self);
void          suda_log_model_set_following   (SudaLogModel  *self,
                                              gboolean       following);
const char   *suda_log_model_get_search_text (SudaLogModel  *self);
void          suda_log_model_set_search_text (SudaLogModel  *self,
                                              const char    *text);
const char   *suda_log_model_get_nick        (SudaLogModel  *self);
void          suda_log_model_set_nick        (SudaLogModel  *self,
                                              const char    *nick);
const char   *suda_log_model_get_event       (SudaLogModel  *self);
void          suda_log_model_set_event       (SudaLogModel  *self,
                                              const char    *event);
gint64        suda_log_model_get_since       (SudaLogModel  *self);
gint64        suda_log_model_get_until       (SudaLogModel  *self);
void          suda_log_model_set_time_range  (SudaLogModel  *self,
                                              gint64         since,
                                              gint64         until);

G_END_DECLS
