/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Events from the other servers of a cluster: each is written to this
 * server's log first, kept in its room's history, then sent to the
 * members here, with the time and msgid its own server gave it. */
#include "config.h"

#include "suda-server-private.h"

static gboolean
is_message (SudaOutLine *line)
{
  return g_str_equal (line->command, "PRIVMSG") || g_str_equal (line->command, "NOTICE");
}

static void
keep_line (SudaDelivery *self,
           SudaOutLine  *line,
           const char   *room,
           gboolean      keep)
{
  SudaRegistry *registry = _suda_delivery_get_registry (self);
  SudaHistory *history;

  if (keep)
    {
      history = _suda_registry_get_history (registry, room);
      /* Back from an outage, the room's shared history (read at once) and
       * the stream (read from where it stopped) may both bring a line. */
      if (history && (line->msgid == NULL || suda_history_find_msgid (history, line->msgid) < 0))
        suda_history_add (history, line->time, line->source, line->command, line->text, line->msgid);
    }
  else if (!is_message (line) && (history = _suda_registry_peek_history (registry, room)))
    suda_history_add_event (history, line->time, line->source, line->command, line->target, line->text);
}

/* A JOIN arrives as "#room account :realname" (extended-join); those
 * without the cap get the plain form. */
void
_suda_delivery_relay_in (SudaDelivery *self,
                         SudaLogEntry *entry,
                         SudaOutLine  *line,
                         const char   *room,
                         gboolean      keep)
{
  SudaChannel *channel = _suda_registry_find_channel (_suda_delivery_get_registry (self), room);
  gboolean join = g_str_equal (line->command, "JOIN");
  SudaOutLine plain = *line;

  _suda_delivery_count_in (self);
  if (entry)
    _suda_delivery_log (self, entry);
  if (join)
    {
      plain.target = room;
      plain.text = NULL;
    }
  keep_line (self, &plain, room, keep);
  for (guint i = 0; channel != NULL && i < channel->members->len; i++)
    {
      SudaClient *member = g_array_index (channel->members, SudaMember, i).client;
      gboolean extended = join && (member->caps & SUDA_CAP_EXTENDED_JOIN);

      _suda_delivery_send_line (extended ? line : &plain, member);
    }
  _suda_delivery_out_line_clear (line);
  _suda_delivery_out_line_clear (&plain);
}

void
_suda_delivery_relay_in_rooms (SudaDelivery *self,
                               SudaLogEntry *entry,
                               SudaOutLine  *line,
                               GPtrArray    *rooms)
{
  SudaRegistry *registry = _suda_delivery_get_registry (self);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  _suda_delivery_count_in (self);
  if (entry)
    _suda_delivery_log (self, entry);
  for (guint r = 0; r < rooms->len; r++)
    {
      SudaChannel *channel = _suda_registry_find_channel (registry, g_ptr_array_index (rooms, r));

      keep_line (self, line, g_ptr_array_index (rooms, r), FALSE);
      for (guint i = 0; channel != NULL && i < channel->members->len; i++)
        {
          SudaClient *member = g_array_index (channel->members, SudaMember, i).client;

          if (g_hash_table_add (seen, member))
            _suda_delivery_send_line (line, member);
        }
    }
  _suda_delivery_out_line_clear (line);
}
