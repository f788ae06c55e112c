/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-account-store.h"
#include "suda-cluster-status.h"
#include "suda-log-entry.h"
#include "suda-server-config.h"
#include "suda-session.h"

G_BEGIN_DECLS

/* suda_server_start()'s errors beyond GIOError's. */
#define SUDA_SERVER_ERROR (suda_server_error_quark ())
typedef enum {
  SUDA_SERVER_ERROR_WEB_PORT_IN_USE,   /* [web] port= is another program's */
} SudaServerError;
GQuark suda_server_error_quark (void);

#define SUDA_TYPE_SERVER (suda_server_get_type ())

G_DECLARE_FINAL_TYPE (SudaServer, suda_server, SUDA, SERVER, GObject)

/* Signals:
 *   "log-entry" (SudaLogEntry *entry): every event, as it is written to the log
 *   "cluster-changed": [cluster]'s link to Redis connected or was lost
 * Properties: "running" (boolean: notified on start and stop), "port" (uint),
 * "n-users" (uint), "tls-fingerprint" (string, NULL without TLS). */

SudaServer       *suda_server_new               (const SudaServerConfig *config);
const SudaServerConfig *suda_server_get_config  (SudaServer   *self);
gboolean          suda_server_start             (SudaServer   *self,
                                                 GError      **error);
void              suda_server_stop              (SudaServer   *self,
                                                 const char   *reason);
gboolean          suda_server_get_running       (SudaServer   *self);
guint16           suda_server_get_port          (SudaServer   *self);
char             *suda_server_dup_address       (SudaServer   *self);
/* TLS ([tls] port=): the port (0 when off), "ADDR:PORT", and the SHA-256
 * fingerprint of the certificate in use (64 lowercase hex digits; NULL
 * when off), which "tls-fingerprint" notifies as REHASH changes it. */
guint16           suda_server_get_tls_port      (SudaServer   *self);
char             *suda_server_dup_tls_address   (SudaServer   *self);
const char       *suda_server_get_tls_fingerprint (SudaServer *self);
gboolean          suda_server_get_tls_self_signed (SudaServer *self);
/* The web page ([web] port=): its port, 0 when off or stopped, and its
 * address as http(s)://ADDRESS:PORT/ (0.0.0.0 for every interface), NULL
 * when off.  Both are known from the start ("port" notifies then). */
guint16           suda_server_get_web_port      (SudaServer   *self);
char             *suda_server_dup_web_url       (SudaServer   *self);
GDateTime        *suda_server_get_started_at    (SudaServer   *self);
guint             suda_server_get_n_users       (SudaServer   *self);
GListModel       *suda_server_get_sessions      (SudaServer   *self);
SudaSession      *suda_server_find_session      (SudaServer   *self,
                                                 const char   *nick);
gboolean          suda_server_kick              (SudaServer   *self,
                                                 const char   *nick,
                                                 const char   *reason,
                                                 GError      **error);
gboolean          suda_server_disconnect        (SudaServer   *self,
                                                 const char   *nick,
                                                 const char   *reason,
                                                 GError      **error);
void              suda_server_reopen_log        (SudaServer   *self);
void              suda_server_log               (SudaServer   *self,
                                                 SudaLogEntry *entry);
const char       *suda_server_get_log_path      (SudaServer   *self);
SudaAccountStore *suda_server_get_accounts      (SudaServer   *self);
const char       *suda_server_get_accounts_problem (SudaServer *self);
/* [cluster]: Redis, this server and the others heard from, with their
 * users; NULL when stopped or alone.  On the server's thread only. */
SudaClusterStatus *suda_server_dup_cluster_status (SudaServer  *self);
/* TRUE while the log cannot be written (a full disk): chat goes on, and
 * entries wait in memory ("log-failing" is notified as it changes). */
gboolean          suda_server_get_log_failing   (SudaServer   *self);
/* REHASH and SIGHUP: the config file read again, nobody dropped. */
void              suda_server_set_config_file   (SudaServer   *self,
                                                 const char   *path,
                                                 const char * const *pinned);
gboolean          suda_server_rehash            (SudaServer   *self,
                                                 char        **restart,
                                                 GError      **error);
void              suda_server_apply_config      (SudaServer   *self,
                                                 const SudaServerConfig *config,
                                                 char        **restart);

G_END_DECLS
