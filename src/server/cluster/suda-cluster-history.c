/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One shared history per room: a capped stream (suda:history:ROOM,
 * casefolded) that the server where a message was said appends to.  A
 * server reads them all when it joins the cluster, so one started after
 * the others (or back from an outage) replays the same lines on JOIN and
 * to CHATHISTORY as they do, with their own time and msgid.  Lines it
 * already keeps (same msgid) are not taken twice. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "suda-cluster-private.h"
#include "suda-irc-message.h"

#define HISTORY_KEY "suda:history:"

void
_suda_cluster_history_add (SudaRedis  *redis,
                           const char *room,
                           guint       max_lines,
                           const char *payload)
{
  g_autofree char *folded = suda_irc_casefold (room);
  g_autofree char *key = g_strconcat (HISTORY_KEY, folded, NULL);

  _suda_cluster_stream_add (redis, key, max_lines, payload);
}

typedef struct {
  SudaCore            *core;        /* not owned; valid until cancelled */
  SudaRedis           *redis;
  GCancellable        *cancellable;
  GHashTable          *seen;        /* keys asked for already */
  guint                waiting;     /* XREVRANGEs not answered yet */
  gboolean             scanned;
  GDestroyNotify       done;
  gpointer             data;
} Load;

static void
load_free (Load *load)
{
  g_object_unref (load->redis);
  g_object_unref (load->cancellable);
  g_hash_table_unref (load->seen);
  g_free (load);
}

static void
finish_if_done (Load *load)
{
  if (!load->scanned || load->waiting > 0)
    return;
  if (!g_cancellable_is_cancelled (load->cancellable))
    load->done (load->data);
  load_free (load);
}

/* In time order whatever order it arrives in: a history is replayed as kept. */
static void
merge_item (SudaHistory *history,
            gint64       time,
            JsonObject  *object)
{
  const char *msgid = _suda_cluster_get_string (object, "msgid");
  SudaHistoryItem *head = g_queue_peek_head (&history->items);
  GList *link;
  GList *before;

  if (msgid == NULL || suda_history_find_msgid (history, msgid) >= 0)
    return;
  if (history->items.length >= history->max && head != NULL && time < head->time)
    return;
  if (suda_history_add (history, time, _suda_cluster_get_string (object, "source"),
                        _suda_cluster_get_string (object, "command"),
                        _suda_cluster_get_string (object, "text"), msgid) == NULL)
    return;
  link = history->items.tail;
  for (before = link->prev; before != NULL && ((SudaHistoryItem *) before->data)->time > time;)
    before = before->prev;
  if (before == link->prev)
    return;
  g_queue_unlink (&history->items, link);
  if (before != NULL)
    g_queue_insert_after_link (&history->items, before, link);
  else
    g_queue_push_head_link (&history->items, link);
}

static void
merge_entry (const char *id,
             const char *payload,
             gsize       length,
             gpointer    data)
{
  Load *load = data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *room;
  SudaHistory *history;

  if (!json_parser_load_from_data (parser, payload, (gssize) length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  object = json_node_get_object (json_parser_get_root (parser));
  room = _suda_cluster_get_string (object, "channel");
  if (room == NULL || _suda_cluster_get_string (object, "command") == NULL ||
      (history = _suda_registry_get_history (load->core->registry, room)) == NULL)
    return;
  merge_item (history, json_object_get_int_member_with_default (object, "time", 0), object);
}

static void
on_range (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Load *load = data;
  g_autoptr(redisReply) reply = suda_redis_command_finish (SUDA_REDIS (source), result, NULL);

  load->waiting--;
  if (reply != NULL && !g_cancellable_is_cancelled (load->cancellable))
    {
      /* XREVRANGE is newest first; a history is built oldest first. */
      for (gsize i = reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0; i > 0; i--)
        {
          redisReply one = { .type = REDIS_REPLY_ARRAY, .elements = 1,
                             .element = &reply->element[i - 1] };

          _suda_cluster_stream_foreach (&one, NULL, merge_entry, load);
        }
    }
  finish_if_done (load);
}

static void scan_from (Load *load, const char *cursor);

static void
read_room (Load       *load,
           const char *key)
{
  g_autofree char *count = g_strdup_printf ("%u", load->core->config->history_lines);
  const char *argv[] = { "XREVRANGE", key, "+", "-", "COUNT", count, NULL };

  /* A key SCAN returns twice, or more rooms than this server keeps. */
  if (g_hash_table_size (load->seen) >= load->core->config->history_rooms ||
      !g_hash_table_add (load->seen, g_strdup (key)))
    return;
  load->waiting++;
  suda_redis_command_async (load->redis, argv, NULL, load->cancellable, on_range, load);
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Load *load = data;
  g_autoptr(redisReply) reply = suda_redis_command_finish (SUDA_REDIS (source), result, NULL);
  const redisReply *keys;

  /* [cursor, [key, ...]]; cursor "0" when the scan is over */
  if (reply == NULL || g_cancellable_is_cancelled (load->cancellable) ||
      reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_STRING)
    {
      load->scanned = TRUE;
      finish_if_done (load);
      return;
    }
  keys = reply->element[1];
  for (gsize i = 0; keys->type == REDIS_REPLY_ARRAY && i < keys->elements; i++)
    if (keys->element[i]->type == REDIS_REPLY_STRING)
      read_room (load, keys->element[i]->str);
  if (g_str_equal (reply->element[0]->str, "0"))
    {
      load->scanned = TRUE;
      finish_if_done (load);
    }
  else
    scan_from (load, reply->element[0]->str);
}

static void
scan_from (Load       *load,
           const char *cursor)
{
  const char *argv[] = { "SCAN", cursor, "MATCH", HISTORY_KEY "*", "COUNT", "500", NULL };

  suda_redis_command_async (load->redis, argv, NULL, load->cancellable, on_scanned, load);
}

/* Reads every room's shared history into this server's; DONE (DATA) once
 * it is read, unless CANCELLABLE was cancelled first.  A failure leaves
 * what is kept here as it was. */
void
_suda_cluster_history_load (SudaRedis      *redis,
                            SudaCore       *core,
                            GCancellable   *cancellable,
                            GDestroyNotify  done,
                            gpointer        data)
{
  Load *load = g_new0 (Load, 1);

  load->core = core;
  load->redis = g_object_ref (redis);
  load->cancellable = g_object_ref (cancellable);
  load->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load->done = done;
  load->data = data;
  if (core->config->history_lines == 0)
    {
      load->scanned = TRUE;
      finish_if_done (load);
      return;
    }
  scan_from (load, "0");
}
