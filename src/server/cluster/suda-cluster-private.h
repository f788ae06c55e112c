/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Several servers, one chat ([cluster], issue 15): what the server sees of
 * the cluster (suda-cluster.c). */
#pragma once

#include <json-glib/json-glib.h>

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
