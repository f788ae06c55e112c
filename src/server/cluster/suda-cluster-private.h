/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Several servers, one chat ([cluster], issue 15): what the server sees of
 * the cluster (suda-cluster.c). */
#pragma once

#include "suda-server-private.h"

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

G_END_DECLS
