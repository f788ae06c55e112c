/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-server.h"

G_BEGIN_DECLS

#define SUDA_TYPE_SERVER_HOST (suda_server_host_get_type ())

G_DECLARE_FINAL_TYPE (SudaServerHost, suda_server_host, SUDA, SERVER_HOST, GObject)

/* Runs on the server thread with the thread's SudaServer (NULL before the
 * first start). */
typedef void (*SudaServerHostFunc) (SudaServer *server,
                                    gpointer    data);

/* The console's server: a SudaServer running on a thread of its own, with
 * its own GMainContext, so chat never waits for drawing.  Every function
 * here is called on the thread that made the host (GTK's) and reads only
 * the host's copy of the server's state, which the server thread updates
 * through a queue drained at most once per frame.
 *
 * Properties: "running", "port", "log-failing", "tls-fingerprint" (as SudaServer's, seen from
 * here), "n-users" (the registered users in "users"), "cluster" (the
 * newest SudaClusterStatus of [cluster], or NULL).
 * Signals: "log-batch" (GPtrArray *entries, guint64 n_skipped): the log
 * entries since the last batch, oldest first; N_SKIPPED older ones were
 * dropped on the way because more than "max-log-rows" came in one frame. */
SudaServerHost         *suda_server_host_new             (guint                max_log_rows);
void                    suda_server_host_start_async     (SudaServerHost      *self,
                                                          const SudaServerConfig *config,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean                suda_server_host_start_finish    (SudaServerHost      *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void                    suda_server_host_stop            (SudaServerHost      *self,
                                                          const char          *reason);
void                    suda_server_host_kick_async      (SudaServerHost      *self,
                                                          const char          *nick,
                                                          const char          *reason,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
void                    suda_server_host_disconnect_async (SudaServerHost     *self,
                                                          const char          *nick,
                                                          const char          *reason,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean                suda_server_host_user_action_finish (SudaServerHost   *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void                    suda_server_host_invoke          (SudaServerHost      *self,
                                                          SudaServerHostFunc   func,
                                                          gpointer             data,
                                                          GDestroyNotify       destroy);
/* A command that answers later: FUNC runs on the server thread with the
 * running server (DATA is destroyed once it returns) and ends REPLY there,
 * once, with suda_server_host_reply (a VALUE or an ERROR, both taken);
 * CALLBACK then runs here.  Refused when the server is not running. */
typedef struct _SudaServerHostReply SudaServerHostReply;
typedef void (*SudaServerHostCallFunc) (SudaServer          *server,
                                        gpointer             data,
                                        SudaServerHostReply *reply);

void                    suda_server_host_call_async      (SudaServerHost      *self,
                                                          SudaServerHostCallFunc func,
                                                          gpointer             data,
                                                          GDestroyNotify       destroy,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GVariant               *suda_server_host_call_finish     (SudaServerHost      *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void                    suda_server_host_reply           (SudaServerHostReply *reply,
                                                          GVariant            *value,
                                                          GError              *error);
gboolean                suda_server_host_get_running     (SudaServerHost      *self);
gboolean                suda_server_host_get_starting    (SudaServerHost      *self);
guint16                 suda_server_host_get_port        (SudaServerHost      *self);
const char             *suda_server_host_get_address     (SudaServerHost      *self);
const char             *suda_server_host_get_web_url     (SudaServerHost      *self);
const char             *suda_server_host_get_tls_fingerprint (SudaServerHost  *self);
GDateTime              *suda_server_host_get_started_at  (SudaServerHost      *self);
gboolean                suda_server_host_get_log_failing (SudaServerHost      *self);
const SudaServerConfig *suda_server_host_get_config      (SudaServerHost      *self);
GListModel             *suda_server_host_get_users       (SudaServerHost      *self);
guint                   suda_server_host_get_n_users     (SudaServerHost      *self);
const SudaClusterStatus *suda_server_host_get_cluster    (SudaServerHost      *self);
void                    suda_server_host_set_cluster_watched (SudaServerHost  *self,
                                                          gboolean             watched);
void                    suda_server_host_set_draw_cost   (SudaServerHost      *self,
                                                          gint64               usec);
void                    suda_server_host_set_log_paused  (SudaServerHost      *self,
                                                          gboolean             paused);
gboolean                suda_server_host_get_log_paused  (SudaServerHost      *self);

G_END_DECLS
