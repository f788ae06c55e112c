/* SPDX-License-Identifier: GPL-3.0-or-later */
/* JOINs held for a room's state ([cluster], issue 15).  A room that only
 * other servers have is not here yet, nor are its bans, key, limit and +i:
 * a JOIN let in at once would pass checks that the room's own servers make.
 * So the JOIN waits while this server asks for the room's state (room-ask,
 * suda-cluster-rooms.c), and goes on as its answer comes in, which takes a
 * few milliseconds; a server that never answers (it has just gone) costs the
 * joiner HOLD_MS, after which the JOIN goes on as if the room were new here,
 * and the state, arriving late, still applies. */
#include "config.h"

#include "suda-cluster-private.h"
#include "suda-irc-message.h"

/* Long enough for a loaded Redis and a busy peer, short enough that a
 * person does not wonder. */
#define HOLD_MS 1500

typedef struct {
  SudaClusterHeld *owner;
  SudaClient      *client;     /* not owned: a QUIT forgets its JOINs */
  char            *room;
  char            *key;
  SudaJoinFunc     resume;
  gpointer         resume_data;
  GDestroyNotify   destroy;
  guint            timeout_id;
} Held;

struct _SudaClusterHeld
{
  SudaCluster *cluster;        /* not owned: it owns this */
  GPtrArray   *joins;          /* Held, in the order they came */
  gboolean     releasing;      /* resuming JOINs whose room's state is in */
};

static void
held_free (Held *held)
{
  g_clear_handle_id (&held->timeout_id, _suda_source_remove);
  if (held->destroy != NULL)
    held->destroy (held->resume_data);
  g_free (held->room);
  g_free (held->key);
  g_free (held);
}

/* HELD leaves the list; its JOIN runs as if there were nothing to wait for. */
static void
resume (Held *held)
{
  g_ptr_array_remove (held->owner->joins, held);
  held->resume (held->client, held->room, held->key, held->resume_data);
  held_free (held);
}

static gboolean
on_timeout (gpointer data)
{
  Held *held = data;

  held->timeout_id = 0;
  resume (held);
  return G_SOURCE_REMOVE;
}

static gboolean
waits_for (Held       *held,
           const char *room)
{
  return suda_irc_casecmp (held->room, room) == 0;
}

gboolean
_suda_cluster_held_waits_for (SudaClusterHeld *self,
                              const char      *room)
{
  for (guint i = 0; i < self->joins->len; i++)
    if (waits_for (g_ptr_array_index (self->joins, i), room))
      return TRUE;
  return FALSE;
}

static gboolean
hold (gpointer       data,
      SudaClient    *client,
      const char    *room,
      const char    *key,
      SudaJoinFunc   resume_func,
      gpointer       resume_data,
      GDestroyNotify destroy)
{
  SudaClusterHeld *self = data;
  SudaRegistry *registry = _suda_cluster_get_core (self->cluster)->registry;
  Held *held;

  if (!_suda_cluster_is_connected (self->cluster) ||
      _suda_registry_get_remote_members (registry, room) == NULL)
    return FALSE;
  /* One question per room, however many wait for its answer. */
  if (!_suda_cluster_held_waits_for (self, room))
    _suda_cluster_rooms_ask (self->cluster, room);
  held = g_new0 (Held, 1);
  held->owner = self;
  held->client = client;
  held->room = g_strdup (room);
  held->key = g_strdup (key);
  held->resume = resume_func;
  held->resume_data = resume_data;
  held->destroy = destroy;
  held->timeout_id = _suda_timeout_add (HOLD_MS, on_timeout, held);
  g_ptr_array_add (self->joins, held);
  return TRUE;
}

SudaClusterHeld *
_suda_cluster_held_new (SudaCluster *cluster)
{
  SudaClusterHeld *self = g_new0 (SudaClusterHeld, 1);

  self->cluster = cluster;
  self->joins = g_ptr_array_new ();
  _suda_delivery_set_hold_join (_suda_cluster_get_core (cluster)->delivery, hold, self);
  return self;
}

/* The server stops: its clients go too, and their JOINs with them. */
void
_suda_cluster_held_free (SudaClusterHeld *self)
{
  _suda_delivery_set_hold_join (_suda_cluster_get_core (self->cluster)->delivery, NULL, NULL);
  for (guint i = 0; i < self->joins->len; i++)
    held_free (g_ptr_array_index (self->joins, i));
  g_ptr_array_unref (self->joins);
  g_free (self);
}

/* ROOM's state is here (in a room made for it if none was): its JOINs are
 * checked against it, and a room that let none of them in goes again. */
void
_suda_cluster_held_release (SudaClusterHeld *self,
                            const char      *room)
{
  SudaRegistry *registry = _suda_cluster_get_core (self->cluster)->registry;
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();
  SudaChannel *channel;

  for (guint i = 0; i < self->joins->len; i++)
    if (waits_for (g_ptr_array_index (self->joins, i), room))
      g_ptr_array_add (ready, g_ptr_array_index (self->joins, i));
  if (ready->len == 0)
    return;
  self->releasing = TRUE;
  for (guint i = 0; i < ready->len; i++)
    resume (g_ptr_array_index (ready, i));
  self->releasing = FALSE;
  channel = _suda_registry_find_channel (registry, room);
  if (channel != NULL)
    _suda_registry_drop_channel_if_empty (registry, channel);
}

gboolean
_suda_cluster_held_is_releasing (SudaClusterHeld *self)
{
  return self->releasing;
}

/* CLIENT is leaving: its JOINs are dropped, not run. */
void
_suda_cluster_held_forget (SudaClusterHeld *self,
                           SudaClient      *client)
{
  for (guint i = self->joins->len; i > 0; i--)
    {
      Held *held = g_ptr_array_index (self->joins, i - 1);

      if (held->client == client)
        {
          g_ptr_array_remove_index (self->joins, i - 1);
          held_free (held);
        }
    }
}

guint
_suda_cluster_held_get_n_joins (SudaClusterHeld *self)
{
  return self->joins->len;
}
