/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaClient and the server's history: older pages through
 * draft/chathistory when the person scrolls to the top, and the read
 * position through draft/read-marker, both only where the server offers
 * them. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-client-private.h"
#include "suda-log-entry.h"

/* Lines asked for in one page, unless the server allows fewer. */
#define OLDER_PAGE 100
/* MARKREAD goes out at most this often per conversation. */
#define MARKREAD_INTERVAL_MS 1000

static gboolean
has_history (SudaConversation *conv)
{
  return suda_conversation_get_kind (conv) != SUDA_CONVERSATION_SERVER;
}

/* Asks for the page of lines before the oldest one CONV shows: by msgid
 * when the line has one, else by its time.  Nothing goes out when the
 * server lacks draft/chathistory, a page is on its way already, or the
 * start was reached; TRUE when the request went out. */
gboolean
suda_client_load_older (SudaClient       *self,
                        SudaConversation *conv)
{
  guint max = suda_connection_get_chathistory_max (self->connection);
  g_autofree char *ref = NULL;
  g_autofree char *limit = NULL;
  SudaMessage *oldest;

  g_return_val_if_fail (SUDA_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (SUDA_IS_CONVERSATION (conv), FALSE);
  if (!has_history (conv) || !suda_connection_is_connected (self->connection) ||
      !suda_connection_has_cap (self->connection, "draft/chathistory") ||
      !suda_connection_has_cap (self->connection, "batch"))
    return FALSE;
  if ((oldest = suda_conversation_begin_older (conv)) == NULL)
    return FALSE;
  if (suda_message_get_msgid (oldest) != NULL)
    ref = g_strconcat ("msgid=", suda_message_get_msgid (oldest), NULL);
  else
    {
      g_autofree char *time = suda_log_format_time (suda_message_get_time (oldest));

      ref = g_strconcat ("timestamp=", time, NULL);
    }
  limit = g_strdup_printf ("%u", max > 0 ? MIN (max, OLDER_PAGE) : OLDER_PAGE);
  suda_connection_send_command (self->connection, "CHATHISTORY", "BEFORE",
                                suda_conversation_get_name (conv), ref, limit, NULL);
  return TRUE;
}

/* Whether EVENT belongs to the page of older lines CONV waits for. */
gboolean
_suda_client_is_older_line (SudaConversation *conv,
                            SudaIrcEvent     *event)
{
  const char *batch = suda_conversation_get_older_batch (conv);

  return event->batch != NULL && batch != NULL && g_strcmp0 (event->batch, batch) == 0;
}

/* A chathistory batch opens: the page asked for, when the conversation
 * waits for one and has none yet (a rejoin's replay comes in its own). */
void
_suda_client_history_started (SudaClient   *self,
                              SudaIrcEvent *event)
{
  SudaConversation *conv = suda_client_find_conversation (self, event->target);

  if (conv != NULL && suda_conversation_get_loading_older (conv) &&
      suda_conversation_get_older_batch (conv) == NULL)
    suda_conversation_set_older_batch (conv, event->argument);
}

void
_suda_client_history_ended (SudaClient   *self,
                            SudaIrcEvent *event)
{
  GListModel *conversations = G_LIST_MODEL (self->conversations);
  guint n = g_list_model_get_n_items (conversations);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      if (g_strcmp0 (suda_conversation_get_older_batch (conv), event->argument) == 0)
        {
          suda_conversation_end_older (conv, _("This is the start of the conversation."));
          return;
        }
    }
  /* A replay past the server's read marker, into the conversation the
   * person looks at: the marker line goes above what they have not read. */
  if (self->active != NULL && self->window_active &&
      suda_conversation_get_unread_count (self->active) > 0)
    suda_conversation_mark_read (self->active);
}

/* MARKREAD from the server: the answer to ours, the position kept when a
 * room is joined, or another client of the same person reading on. */
void
_suda_client_read_marker (SudaClient   *self,
                          SudaIrcEvent *event)
{
  SudaConversation *conv = suda_client_find_conversation (self, event->target);

  if (conv != NULL && event->time > 0)
    suda_conversation_set_read_time (conv, event->time);
}

/* MARKREAD pacing, kept on each conversation. */
typedef struct {
  GWeakRef  client;
  gint64    last_sent;   /* monotonic µs */
  guint     timeout_id;
} ReadSync;

static void
read_sync_free (gpointer data)
{
  ReadSync *sync = data;

  g_clear_handle_id (&sync->timeout_id, g_source_remove);
  g_weak_ref_clear (&sync->client);
  g_free (sync);
}

static ReadSync *
get_read_sync (SudaClient       *self,
               SudaConversation *conv)
{
  ReadSync *sync = g_object_get_data (G_OBJECT (conv), "suda-read-sync");

  if (sync == NULL)
    {
      sync = g_new0 (ReadSync, 1);
      g_weak_ref_init (&sync->client, self);
      g_object_set_data_full (G_OBJECT (conv), "suda-read-sync", sync, read_sync_free);
    }
  return sync;
}

static void
send_markread (SudaClient       *self,
               SudaConversation *conv,
               ReadSync         *sync)
{
  gint64 newest = suda_conversation_get_newest_time (conv);
  g_autofree char *time = NULL;
  g_autofree char *stamp = NULL;

  /* Never back: the server keeps the later one anyway. */
  if (newest <= suda_conversation_get_read_time (conv))
    return;
  time = suda_log_format_time (newest);
  stamp = g_strconcat ("timestamp=", time, NULL);
  suda_connection_send_command (self->connection, "MARKREAD", suda_conversation_get_name (conv),
                                stamp, NULL);
  suda_conversation_set_read_time (conv, newest);
  sync->last_sent = g_get_monotonic_time ();
}

/* DATA is the conversation, which owns the ReadSync that owns this timeout. */
static gboolean
on_markread_due (gpointer data)
{
  SudaConversation *conv = data;
  ReadSync *sync = g_object_get_data (G_OBJECT (conv), "suda-read-sync");
  g_autoptr(SudaClient) self = g_weak_ref_get (&sync->client);

  sync->timeout_id = 0;
  if (self != NULL && suda_connection_is_connected (self->connection))
    send_markread (self, conv, sync);
  return G_SOURCE_REMOVE;
}

/* The person has read CONV to its end (the window says when: shown, the
 * window active, the view at the bottom).  The server hears of it, so
 * the person's other clients and next connection know; at most once a
 * second, the last position always told. */
void
suda_client_note_read (SudaClient       *self,
                       SudaConversation *conv)
{
  ReadSync *sync;
  gint64 wait_ms;

  g_return_if_fail (SUDA_IS_CLIENT (self));
  g_return_if_fail (SUDA_IS_CONVERSATION (conv));
  if (!has_history (conv) || !suda_connection_is_connected (self->connection) ||
      !suda_connection_has_cap (self->connection, "draft/read-marker"))
    return;
  if (suda_conversation_get_newest_time (conv) <= suda_conversation_get_read_time (conv))
    return;
  sync = get_read_sync (self, conv);
  if (sync->timeout_id != 0)
    return;
  wait_ms = sync->last_sent == 0 ? 0
          : MARKREAD_INTERVAL_MS - (g_get_monotonic_time () - sync->last_sent) / 1000;
  if (wait_ms <= 0)
    send_markread (self, conv, sync);
  else
    sync->timeout_id = g_timeout_add ((guint) wait_ms, on_markread_due, conv);
}
