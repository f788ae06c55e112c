/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What a server sees of its cluster ([cluster], issue 15), as a plain copy
 * that any thread may read: suda_server_dup_cluster_status() makes one on
 * the server's thread, the console shows it on GTK's. */

typedef enum {
  SUDA_CLUSTER_LINK_CONNECTING,   /* not yet connected, no failure yet */
  SUDA_CLUSTER_LINK_CONNECTED,
  SUDA_CLUSTER_LINK_UNREACHABLE,  /* lost or refused: local chat goes on */
} SudaClusterLink;

typedef struct {
  char     *id;
  gboolean  is_self;
  gint64    last_heard;   /* real time, usec; the snapshot's own time for this server */
  guint     n_users;      /* its registered users as this server knows them */
} SudaClusterPeer;

#define SUDA_TYPE_CLUSTER_STATUS (suda_cluster_status_get_type ())

typedef struct {
  char            *redis;     /* redis[s]://HOST:PORT/DB or unix:PATH, a password as *** */
  SudaClusterLink  link;
  GDateTime       *since;     /* when LINK became what it is */
  char            *id;        /* this server's */
  guint            n_users;   /* this server's registered users */
  GPtrArray       *servers;   /* SudaClusterPeer: this server first, then the others by id */
} SudaClusterStatus;

GType              suda_cluster_status_get_type  (void) G_GNUC_CONST;
SudaClusterStatus *suda_cluster_status_new       (const char              *redis,
                                                  SudaClusterLink          link,
                                                  GDateTime               *since,
                                                  const char              *id,
                                                  guint                    n_users);
void               suda_cluster_status_add_peer  (SudaClusterStatus       *self,
                                                  const char              *id,
                                                  gint64                   last_heard,
                                                  guint                    n_users);
SudaClusterStatus *suda_cluster_status_copy      (const SudaClusterStatus *self);
void               suda_cluster_status_free      (SudaClusterStatus       *self);
const SudaClusterPeer *suda_cluster_status_find  (const SudaClusterStatus *self,
                                                  const char              *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaClusterStatus, suda_cluster_status_free)

G_END_DECLS
