/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Several servers, one chat ([cluster], issue 15): what the server sees of
 * the cluster (suda-cluster.c). */
#pragma once

#include <json-glib/json-glib.h>

#include "suda-cluster-status.h"
#include "suda-server-private.h"
#include "suda-redis.h"

G_BEGIN_DECLS

/* Whether Redis answers at CONFIG's address now: a start with [cluster]
 * required=true fails without it. */
gboolean      _suda_cluster_check           (const SudaServerConfig *config,
                                             GError                **error);
/* Joins the cluster as ID, in the background: until Redis answers (and
 * whenever it is lost) this server runs alone, and says so in its log. */
SudaCluster  *_suda_cluster_new             (SudaCore               *core,
                                             const char             *id);
void          _suda_cluster_free            (SudaCluster            *self);
/* Connected to Redis and hearing the cluster's channel. */
gboolean      _suda_cluster_is_connected    (SudaCluster            *self);
const char   *_suda_cluster_get_id          (SudaCluster            *self);
/* The other servers heard from, for tests and the console. */
guint         _suda_cluster_get_n_peers     (SudaCluster            *self);
/* For the console (suda_server_dup_cluster_status): FUNC (DATA) runs as the
 * link to Redis changes. */
typedef void (*SudaClusterChangedFunc) (gpointer data);

void          _suda_cluster_set_changed     (SudaCluster            *self,
                                             SudaClusterChangedFunc  func,
                                             gpointer                data);
SudaClusterStatus *_suda_cluster_dup_status (SudaCluster            *self);
/* Redis did not answer the start's check: unreachable from now, the outage
 * already logged. */
void          _suda_cluster_set_unreachable (SudaCluster            *self);

/* What suda-cluster.c shares with the suda-cluster-*.c files: a message
 * begun as KIND, published and freed by the caller; a line and its log
 * entry written into one, and read back on another server. */
SudaCore     *_suda_cluster_get_core        (SudaCluster            *self);
JsonBuilder  *_suda_cluster_begin           (SudaCluster            *self,
                                             const char             *kind);
/* FALSE while Redis is away: the message is not kept */
gboolean      _suda_cluster_publish         (SudaCluster            *self,
                                             JsonBuilder            *builder);
/* A command on the commands' connection; FALSE (and no CALLBACK) while
 * Redis is away. */
gboolean      _suda_cluster_call            (SudaCluster            *self,
                                             const char * const     *argv,
                                             GAsyncReadyCallback     callback,
                                             gpointer                data);
void          _suda_cluster_add_line        (JsonBuilder            *builder,
                                             SudaOutLine            *line,
                                             SudaLogEntry           *entry);
SudaLogEntry *_suda_cluster_read_entry      (JsonObject             *object,
                                             const char             *server);

/* Private messages to a nick another server holds (suda-cluster-direct.c):
 * out is FALSE for what is not one. */
void          _suda_cluster_read_line       (JsonObject             *object,
                                             SudaOutLine            *line);
gboolean      _suda_cluster_direct_out      (SudaCluster            *self,
                                             SudaLogEntry           *entry,
                                             SudaOutLine            *line);
void          _suda_cluster_direct_in       (SudaCluster            *self,
                                             const char             *server,
                                             JsonObject             *object);

/* A room's state as another server changed it (suda-cluster-rooms.c). */
void          _suda_cluster_rooms_apply_mode (SudaCluster           *self,
                                             SudaOutLine            *line,
                                             const char             *room);
/* Who made a room first, so that its operators are one set across servers:
 * what a JOIN published says of it, and what one received settles. */
void          _suda_cluster_rooms_add_join  (SudaCluster            *self,
                                             JsonBuilder            *builder,
                                             const char             *room,
                                             const char             *nick);
void          _suda_cluster_rooms_join_in   (SudaCluster            *self,
                                             const char             *server,
                                             JsonObject             *object,
                                             const char             *room,
                                             const char             *nick);
/* A user announced to a server that joins carries its @ and + in each
 * room, which the servers that learn it from that take. */
void          _suda_cluster_rooms_add_user  (SudaCluster            *self,
                                             JsonBuilder            *builder,
                                             SudaClient             *client);
void          _suda_cluster_rooms_user_in   (SudaCluster            *self,
                                             const char             *server,
                                             JsonObject             *object,
                                             SudaRemoteUser         *user);
/* Accounts: a change through this server's store is sent to the others,
 * and theirs written here; names are claimed in Redis, those this store
 * holds each time the cluster is joined (suda-cluster-accounts.c). */
typedef struct _SudaClusterAccounts SudaClusterAccounts;

SudaClusterAccounts *_suda_cluster_accounts_new  (SudaCluster         *cluster);
void          _suda_cluster_accounts_free   (SudaClusterAccounts    *self);
void          _suda_cluster_accounts_in     (SudaClusterAccounts    *self,
                                             JsonObject             *object);
void          _suda_cluster_accounts_joined (SudaClusterAccounts    *self);

/* A room made here that others have asks them its state (room-ask), they
 * answer (room-state), and it learns it. */
void          _suda_cluster_rooms_joined    (SudaCluster            *self,
                                             const char             *room);
void          _suda_cluster_rooms_answer    (SudaCluster            *self,
                                             JsonObject             *object);
void          _suda_cluster_rooms_learn     (SudaCluster            *self,
                                             JsonObject             *object);
void          _suda_cluster_rooms_ask       (SudaCluster            *self,
                                             const char             *room);
/* JOINs of a room only others have, held until its state is in
 * (suda-cluster-held.c): the learning of the state releases them. */
typedef struct _SudaClusterHeld SudaClusterHeld;

SudaClusterHeld *_suda_cluster_held_new     (SudaCluster            *cluster);
void          _suda_cluster_held_free       (SudaClusterHeld        *self);
SudaClusterHeld *_suda_cluster_get_held     (SudaCluster            *self);
gboolean      _suda_cluster_held_waits_for  (SudaClusterHeld        *self,
                                             const char             *room);
void          _suda_cluster_held_release    (SudaClusterHeld        *self,
                                             const char             *room);
gboolean      _suda_cluster_held_is_releasing (SudaClusterHeld      *self);
void          _suda_cluster_held_forget     (SudaClusterHeld        *self,
                                             SudaClient             *client);
guint         _suda_cluster_held_get_n_joins (SudaClusterHeld       *self);
/* The events' stream (suda-cluster-stream.c): one entry is one JSON event
 * in the field "e". */
typedef struct _SudaClusterReader SudaClusterReader;
typedef void (*SudaClusterEntryFunc) (const char *id,
                                      const char *payload,
                                      gsize       length,
                                      gpointer    data);

void          _suda_cluster_stream_add      (SudaRedis              *redis,
                                             const char             *key,
                                             guint                   max_length,
                                             const char             *payload);
gboolean      _suda_cluster_stream_id_after (const char             *id,
                                             const char             *than);
void          _suda_cluster_stream_foreach  (const redisReply       *entries,
                                             const char             *after,
                                             SudaClusterEntryFunc    func,
                                             gpointer                data);
SudaClusterReader *_suda_cluster_reader_new (SudaRedis              *redis,
                                             const char             *key,
                                             const char             *after,
                                             SudaClusterEntryFunc    func,
                                             gpointer                data);
const char   *_suda_cluster_reader_get_last_id (SudaClusterReader   *self);
void          _suda_cluster_reader_free     (SudaClusterReader      *self);

/* Each room's shared history (suda-cluster-history.c). */
void          _suda_cluster_history_add     (SudaRedis              *redis,
                                             const char             *room,
                                             guint                   max_lines,
                                             const char             *payload);
void          _suda_cluster_history_load    (SudaRedis              *redis,
                                             SudaCore               *core,
                                             GCancellable           *cancellable,
                                             GDestroyNotify          done,
                                             gpointer                data);
/* A JSON member when it is a string, else NULL (suda-cluster.c). */
const char   *_suda_cluster_get_string      (JsonObject             *object,
                                             const char             *name);

G_END_DECLS
