/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-cluster-status.h"

G_DEFINE_BOXED_TYPE (SudaClusterStatus, suda_cluster_status,
                     suda_cluster_status_copy, suda_cluster_status_free)

static void
peer_free (gpointer data)
{
  SudaClusterPeer *peer = data;

  g_free (peer->id);
  g_free (peer);
}

static SudaClusterPeer *
peer_new (const char *id,
          gboolean    is_self,
          gint64      last_heard,
          guint       n_users)
{
  SudaClusterPeer *peer = g_new0 (SudaClusterPeer, 1);

  peer->id = g_strdup (id);
  peer->is_self = is_self;
  peer->last_heard = last_heard;
  peer->n_users = n_users;
  return peer;
}

/* SINCE may be NULL (never when made by the server). */
SudaClusterStatus *
suda_cluster_status_new (const char      *redis,
                         SudaClusterLink  link,
                         GDateTime       *since,
                         const char      *id,
                         guint            n_users)
{
  SudaClusterStatus *self;

  g_return_val_if_fail (id != NULL, NULL);
  self = g_new0 (SudaClusterStatus, 1);
  self->redis = g_strdup (redis);
  self->link = link;
  self->since = since ? g_date_time_ref (since) : NULL;
  self->id = g_strdup (id);
  self->n_users = n_users;
  self->servers = g_ptr_array_new_with_free_func (peer_free);
  g_ptr_array_add (self->servers, peer_new (id, TRUE, g_get_real_time (), n_users));
  return self;
}

static int
compare_peers (gconstpointer a,
               gconstpointer b)
{
  const SudaClusterPeer *pa = *(SudaClusterPeer * const *) a;
  const SudaClusterPeer *pb = *(SudaClusterPeer * const *) b;

  if (pa->is_self != pb->is_self)
    return pa->is_self ? -1 : 1;
  return g_strcmp0 (pa->id, pb->id);
}

/* Kept in order as they come: this server, then the others by id. */
void
suda_cluster_status_add_peer (SudaClusterStatus *self,
                              const char        *id,
                              gint64             last_heard,
                              guint              n_users)
{
  g_return_if_fail (self != NULL && id != NULL);
  g_ptr_array_add (self->servers, peer_new (id, FALSE, last_heard, n_users));
  g_ptr_array_sort (self->servers, compare_peers);
}

SudaClusterStatus *
suda_cluster_status_copy (const SudaClusterStatus *self)
{
  SudaClusterStatus *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_new0 (SudaClusterStatus, 1);
  copy->redis = g_strdup (self->redis);
  copy->link = self->link;
  copy->since = self->since ? g_date_time_ref (self->since) : NULL;
  copy->id = g_strdup (self->id);
  copy->n_users = self->n_users;
  copy->servers = g_ptr_array_new_full (self->servers->len, peer_free);
  for (guint i = 0; i < self->servers->len; i++)
    {
      const SudaClusterPeer *peer = g_ptr_array_index (self->servers, i);

      g_ptr_array_add (copy->servers, peer_new (peer->id, peer->is_self, peer->last_heard, peer->n_users));
    }
  return copy;
}

void
suda_cluster_status_free (SudaClusterStatus *self)
{
  if (self == NULL)
    return;
  g_free (self->redis);
  g_clear_pointer (&self->since, g_date_time_unref);
  g_free (self->id);
  g_ptr_array_unref (self->servers);
  g_free (self);
}

/* The server called ID, or NULL. */
const SudaClusterPeer *
suda_cluster_status_find (const SudaClusterStatus *self,
                          const char              *id)
{
  g_return_val_if_fail (self != NULL, NULL);
  for (guint i = 0; i < self->servers->len; i++)
    {
      const SudaClusterPeer *peer = g_ptr_array_index (self->servers, i);

      if (g_strcmp0 (peer->id, id) == 0)
        return peer;
    }
  return NULL;
}
