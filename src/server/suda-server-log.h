/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-channel.h"
#include "suda-log-entry.h"

G_BEGIN_DECLS

typedef struct _SudaServerLog SudaServerLog;

/* The on-disk JSON Lines log.  Entries are buffered during one main-loop
 * iteration and written before any session's output of that iteration is
 * flushed, so whatever a client received is already in the file. */
SudaServerLog *suda_server_log_new          (const char     *path);
void           suda_server_log_free         (SudaServerLog  *self);
const char    *suda_server_log_get_path     (SudaServerLog  *self);
void           suda_server_log_append       (SudaServerLog  *self,
                                             SudaLogEntry   *entry);
gboolean       suda_server_log_flush        (SudaServerLog  *self);
gboolean       suda_server_log_is_failing   (SudaServerLog  *self);
void           suda_server_log_set_max_pending (SudaServerLog *self,
                                             gsize           bytes);
void           suda_server_log_reopen       (SudaServerLog  *self);
GHashTable    *suda_server_log_load_history (const char     *path,
                                             guint           lines_per_channel);
GHashTable    *suda_server_log_load_history_upto (const char *path,
                                             guint           lines_per_channel,
                                             gsize           end);
void           suda_server_log_load_history_async (const char          *path,
                                                   guint                lines_per_channel,
                                                   gsize                end,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GHashTable    *suda_server_log_load_history_finish (GAsyncResult  *result,
                                                    GError       **error);

G_END_DECLS
