/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cluster's events on a Redis stream.  Each server appends (XADD) and
 * reads on a connection of its own with XREAD BLOCK from the last entry it
 * saw: a server cut off from Redis reads what it missed when it is back,
 * in the order it was added, as pub/sub never could.  Stream IDs only grow,
 * so an entry at or before the last one seen is one already delivered. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "suda-cluster-private.h"

/* How many entries one XREAD brings at most: a server back from an outage
 * catches up in slices, leaving the main loop to its own clients between. */
#define READ_COUNT "256"

struct _SudaClusterReader
{
  SudaRedis            *redis;
  char                 *key;
  char                 *last_id;     /* "$" until the first entry */
  SudaClusterEntryFunc  func;
  gpointer              data;
  gboolean              stopped;
};

static void read_more (SudaClusterReader *self);
static void reader_clear (gpointer data);

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr(redisReply) reply = suda_redis_command_finish (SUDA_REDIS (source), result, NULL);
}

/* XADD KEY MAXLEN ~ MAX * e PAYLOAD: "~" lets Redis trim whole nodes, far
 * cheaper than an exact cap. */
void
_suda_cluster_stream_add (SudaRedis  *redis,
                          const char *key,
                          guint       max_length,
                          const char *payload)
{
  g_autofree char *max = g_strdup_printf ("%u", max_length);
  const char *argv[] = { "XADD", key, "MAXLEN", "~", max, "*", "e", payload, NULL };

  suda_redis_command_async (redis, argv, NULL, NULL, on_added, NULL);
}

/* "MS-SEQ" as two numbers; FALSE for "$" or anything else. */
static gboolean
parse_id (const char *id,
          guint64    *ms,
          guint64    *seq)
{
  char *end = NULL;

  if (id == NULL || !g_ascii_isdigit (id[0]))
    return FALSE;
  *ms = g_ascii_strtoull (id, &end, 10);
  if (*end != '-')
    return FALSE;
  *seq = g_ascii_strtoull (end + 1, &end, 10);
  return *end == '\0';
}

gboolean
_suda_cluster_stream_id_after (const char *id,
                               const char *than)
{
  guint64 ms, seq, than_ms, than_seq;

  if (!parse_id (than, &than_ms, &than_seq))
    return TRUE;
  if (!parse_id (id, &ms, &seq))
    return FALSE;
  return ms > than_ms || (ms == than_ms && seq > than_seq);
}

/* The payload of one entry [id, [field, value, ...]], or NULL. */
static const redisReply *
entry_payload (const redisReply *entry)
{
  const redisReply *fields;

  if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
      entry->element[1]->type != REDIS_REPLY_ARRAY)
    return NULL;
  fields = entry->element[1];
  for (gsize i = 0; i + 1 < fields->elements; i += 2)
    if (fields->element[i]->type == REDIS_REPLY_STRING &&
        strcmp (fields->element[i]->str, "e") == 0 &&
        fields->element[i + 1]->type == REDIS_REPLY_STRING)
      return fields->element[i + 1];
  return NULL;
}

/* Entries come as [id, [field, value, ...]], oldest first. */
void
_suda_cluster_stream_foreach (const redisReply     *entries,
                              const char           *after,
                              SudaClusterEntryFunc  func,
                              gpointer              data)
{
  for (gsize i = 0; entries->type == REDIS_REPLY_ARRAY && i < entries->elements; i++)
    {
      const redisReply *entry = entries->element[i];
      const redisReply *payload = entry_payload (entry);

      if (payload == NULL || entry->element[0]->type != REDIS_REPLY_STRING)
        continue;
      if (after != NULL && !_suda_cluster_stream_id_after (entry->element[0]->str, after))
        continue;
      func (entry->element[0]->str, payload->str, payload->len, data);
    }
}

static void
deliver (const char *id,
         const char *payload,
         gsize       length,
         gpointer    data)
{
  SudaClusterReader *self = data;

  if (self->stopped)
    return;
  g_free (self->last_id);
  self->last_id = g_strdup (id);
  self->func (id, payload, length, self->data);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  SudaClusterReader *self = data;
  g_autoptr(redisReply) reply = suda_redis_command_finish (SUDA_REDIS (source), result, NULL);

  /* A reply on a closed connection: the cluster sees "closed" and starts
   * again from last_id. */
  if (!self->stopped && reply != NULL)
    {
      /* [[key, entries]], or nil when the block ends with nothing */
      if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 &&
          reply->element[0]->type == REDIS_REPLY_ARRAY && reply->element[0]->elements == 2)
        {
          g_autofree char *after = g_strdup (self->last_id);

          _suda_cluster_stream_foreach (reply->element[0]->element[1], after, deliver, self);
        }
      if (!self->stopped)
        read_more (self);
    }
  g_rc_box_release_full (self, reader_clear);
}

static void
read_more (SudaClusterReader *self)
{
  const char *argv[] = { "XREAD", "COUNT", READ_COUNT, "BLOCK", "0", "STREAMS",
                         self->key, self->last_id, NULL };

  suda_redis_command_async (self->redis, argv, NULL, NULL, on_read, g_rc_box_acquire (self));
}

static void
reader_clear (gpointer data)
{
  SudaClusterReader *self = data;

  g_clear_object (&self->redis);
  g_free (self->key);
  g_free (self->last_id);
}

/* Reads KEY after AFTER (NULL: from now on) on REDIS, which does nothing
 * else, and hands each entry to FUNC. */
SudaClusterReader *
_suda_cluster_reader_new (SudaRedis            *redis,
                          const char           *key,
                          const char           *after,
                          SudaClusterEntryFunc  func,
                          gpointer              data)
{
  SudaClusterReader *self = g_rc_box_new0 (SudaClusterReader);

  self->redis = g_object_ref (redis);
  self->key = g_strdup (key);
  self->last_id = g_strdup (after != NULL ? after : "$");
  self->func = func;
  self->data = data;
  read_more (self);
  return self;
}

/* The ID of the last entry handed on, or NULL before the first. */
const char *
_suda_cluster_reader_get_last_id (SudaClusterReader *self)
{
  return g_str_equal (self->last_id, "$") ? NULL : self->last_id;
}

/* FUNC is not called again; a read still on its way finds it stopped. */
void
_suda_cluster_reader_free (SudaClusterReader *self)
{
  if (self == NULL)
    return;
  self->stopped = TRUE;
  g_rc_box_release_full (self, reader_clear);
}
