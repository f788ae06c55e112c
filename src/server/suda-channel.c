/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-channel.h"
#include "suda-irc-message.h"

SudaChannel *
suda_channel_new (const char *name)
{
  SudaChannel *self = g_new0 (SudaChannel, 1);

  self->name = g_strdup (name);
  self->created = g_get_real_time () / G_USEC_PER_SEC;
  self->members = g_array_new (FALSE, FALSE, sizeof (SudaMember));
  self->modes = SUDA_CHANNEL_NO_EXTERNAL | SUDA_CHANNEL_TOPIC_LOCK;
  return self;
}

void
suda_channel_free (SudaChannel *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->topic);
  g_free (self->topic_setter);
  g_free (self->key);
  g_array_unref (self->members);
  g_clear_pointer (&self->invited, g_hash_table_unref);
  g_clear_pointer (&self->bans, g_ptr_array_unref);
  g_clear_pointer (&self->excepts, g_ptr_array_unref);
  g_clear_pointer (&self->invex, g_ptr_array_unref);
  g_free (self);
}

SudaMember *
suda_channel_find_member (SudaChannel *self,
                          SudaClient  *client)
{
  for (guint i = 0; i < self->members->len; i++)
    {
      SudaMember *member = &g_array_index (self->members, SudaMember, i);

      if (member->client == client)
        return member;
    }
  return NULL;
}

gboolean
suda_channel_has_member (SudaChannel *self,
                         SudaClient  *client)
{
  return suda_channel_find_member (self, client) != NULL;
}

gboolean
suda_channel_is_op (SudaChannel *self,
                    SudaClient  *client)
{
  SudaMember *member = suda_channel_find_member (self, client);

  return member != NULL && (member->flags & SUDA_MEMBER_OP) != 0;
}

SudaMember *
suda_channel_add_member (SudaChannel *self,
                         SudaClient  *client,
                         guint        flags)
{
  SudaMember member = { client, flags };

  g_array_append_val (self->members, member);
  return &g_array_index (self->members, SudaMember, self->members->len - 1);
}

void
suda_channel_remove_member (SudaChannel *self,
                            SudaClient  *client)
{
  for (guint i = 0; i < self->members->len; i++)
    if (g_array_index (self->members, SudaMember, i).client == client)
      {
        g_array_remove_index (self->members, i);
        return;
      }
}

char *
suda_channel_dup_modes (SudaChannel *self,
                        gboolean     with_key)
{
  GString *modes = g_string_new ("+");

  if (self->modes & SUDA_CHANNEL_INVITE_ONLY)
    g_string_append_c (modes, 'i');
  if (self->key)
    g_string_append_c (modes, 'k');
  if (self->limit)
    g_string_append_c (modes, 'l');
  if (self->modes & SUDA_CHANNEL_MODERATED)
    g_string_append_c (modes, 'm');
  if (self->modes & SUDA_CHANNEL_NO_EXTERNAL)
    g_string_append_c (modes, 'n');
  if (self->modes & SUDA_CHANNEL_PRIVATE)
    g_string_append_c (modes, 'p');
  if (self->modes & SUDA_CHANNEL_SECRET)
    g_string_append_c (modes, 's');
  if (self->modes & SUDA_CHANNEL_TOPIC_LOCK)
    g_string_append_c (modes, 't');
  if (self->key)
    g_string_append_printf (modes, " %s", with_key ? self->key : "*");
  if (self->limit)
    g_string_append_printf (modes, " %u", self->limit);
  return g_string_free (modes, FALSE);
}

void
suda_channel_set_topic (SudaChannel *self,
                        const char  *topic,
                        const char  *setter)
{
  g_free (self->topic);
  self->topic = g_strdup (topic);
  g_free (self->topic_setter);
  self->topic_setter = g_strdup (setter);
  self->topic_time = g_get_real_time () / G_USEC_PER_SEC;
}

gboolean
suda_channel_set_flag (SudaChannel *self,
                       guint        flag,
                       gboolean     on)
{
  if (((self->modes & flag) != 0) == on)
    return FALSE;
  self->modes = on ? self->modes | flag : self->modes & ~flag;
  return TRUE;
}

/* KEY NULL removes the key. */
gboolean
suda_channel_set_key (SudaChannel *self,
                      const char  *key)
{
  if (key == NULL && self->key == NULL)
    return FALSE;
  g_free (self->key);
  self->key = g_strdup (key);
  return TRUE;
}

/* LIMIT 0 removes the limit. */
gboolean
suda_channel_set_limit (SudaChannel *self,
                        guint        limit)
{
  if (limit == 0 && self->limit == 0)
    return FALSE;
  self->limit = limit;
  return TRUE;
}

gboolean
suda_channel_set_member_flag (SudaChannel *self,
                              SudaClient  *client,
                              guint        flag,
                              gboolean     on)
{
  SudaMember *member = suda_channel_find_member (self, client);

  if (member == NULL || ((member->flags & flag) != 0) == on)
    return FALSE;
  member->flags = on ? member->flags | flag : member->flags & ~flag;
  return TRUE;
}

/* Bans are kept casefolded, as the masks they are matched against. */
gboolean
suda_channel_set_mask (GPtrArray  **list,
                       const char  *mask,
                       gboolean     on)
{
  g_autofree char *folded = suda_irc_casefold (mask);
  guint index;

  if (*list == NULL)
    *list = g_ptr_array_new_with_free_func (g_free);
  if (g_ptr_array_find_with_equal_func (*list, folded, g_str_equal, &index) == on)
    return FALSE;
  if (on)
    g_ptr_array_add (*list, g_steal_pointer (&folded));
  else
    g_ptr_array_remove_index (*list, index);
  return TRUE;
}

gboolean
suda_channel_set_ban (SudaChannel *self,
                      const char  *mask,
                      gboolean     on)
{
  return suda_channel_set_mask (&self->bans, mask, on);
}

/* TRUE when FOLDED_MASK (a casefolded nick!user@host) matches a glob of LIST. */
gboolean
suda_channel_list_matches (GPtrArray  *list,
                           const char *folded_mask)
{
  for (guint i = 0; list != NULL && i < list->len; i++)
    if (g_pattern_match_simple (g_ptr_array_index (list, i), folded_mask))
      return TRUE;
  return FALSE;
}

gboolean
suda_channel_has_ban (SudaChannel *self,
                      const char  *mask)
{
  g_autofree char *folded = suda_irc_casefold (mask);

  return self->bans != NULL && g_ptr_array_find_with_equal_func (self->bans, folded, g_str_equal, NULL);
}

guint
suda_channel_get_n_bans (SudaChannel *self)
{
  return self->bans ? self->bans->len : 0;
}

void
suda_channel_invite (SudaChannel *self,
                     const char  *nick)
{
  if (self->invited == NULL)
    self->invited = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal, g_free, NULL);
  g_hash_table_add (self->invited, g_strdup (nick));
}

gboolean
suda_channel_is_invited (SudaChannel *self,
                         const char  *nick)
{
  return self->invited != NULL && nick != NULL && g_hash_table_contains (self->invited, nick);
}

/* An invitation is good for one JOIN. */
gboolean
suda_channel_take_invitation (SudaChannel *self,
                              const char  *nick)
{
  return self->invited != NULL && nick != NULL && g_hash_table_remove (self->invited, nick);
}

static void
history_item_free (gpointer data)
{
  SudaHistoryItem *item = data;

  g_free (item->source);
  g_free (item->command);
  g_free (item->text);
  g_free (item->msgid);
  g_free (item->target);
  g_free (item);
}

SudaHistory *
suda_history_new (guint max)
{
  SudaHistory *self = g_new0 (SudaHistory, 1);

  g_queue_init (&self->items);
  g_queue_init (&self->events);
  self->max = max;
  return self;
}

void
suda_history_free (SudaHistory *self)
{
  if (self == NULL)
    return;
  g_queue_clear_full (&self->items, history_item_free);
  g_queue_clear_full (&self->events, history_item_free);
  g_free (self);
}

/* The item added (NULL when the history keeps nothing), borrowed. */
SudaHistoryItem *
suda_history_add (SudaHistory *self,
                  gint64       time,
                  const char  *source,
                  const char  *command,
                  const char  *text,
                  const char  *msgid)
{
  SudaHistoryItem *item;

  if (self->max == 0)
    return NULL;
  item = g_new0 (SudaHistoryItem, 1);
  item->time = time;
  item->source = g_strdup (source);
  item->command = g_strdup (command);
  item->text = g_strdup (text);
  item->msgid = g_strdup (msgid);
  g_queue_push_tail (&self->items, item);
  while (self->items.length > self->max)
    history_item_free (g_queue_pop_head (&self->items));
  return item;
}

/* Events are kept apart, so that joins and parts never push messages out
 * of a history; as many of them as messages. */
void
suda_history_add_event (SudaHistory *self,
                        gint64       time,
                        const char  *source,
                        const char  *command,
                        const char  *target,
                        const char  *text)
{
  SudaHistoryItem *item;

  if (self->max == 0)
    return;
  item = g_new0 (SudaHistoryItem, 1);
  item->time = time;
  item->source = g_strdup (source);
  item->command = g_strdup (command);
  item->target = g_strdup (target);
  item->text = g_strdup (text);
  item->event = TRUE;
  g_queue_push_tail (&self->events, item);
  while (self->events.length > self->max)
    history_item_free (g_queue_pop_head (&self->events));
}

/* The messages (and the events since the oldest of them, when WITH_EVENTS)
 * in the order they happened, borrowed. */
GPtrArray *
suda_history_dup_view (SudaHistory *self,
                       gboolean     with_events)
{
  GPtrArray *view = g_ptr_array_new ();
  GList *m = self ? self->items.head : NULL;
  GList *e = self && with_events ? self->events.head : NULL;
  gint64 oldest = m ? ((SudaHistoryItem *) m->data)->time : G_MININT64;

  /* Events before the oldest message kept are not told: their messages are gone. */
  while (e && ((SudaHistoryItem *) e->data)->time < oldest)
    e = e->next;
  while (m || e)
    {
      if (e == NULL || (m && ((SudaHistoryItem *) m->data)->time <= ((SudaHistoryItem *) e->data)->time))
        {
          g_ptr_array_add (view, m->data);
          m = m->next;
        }
      else
        {
          g_ptr_array_add (view, e->data);
          e = e->next;
        }
    }
  return view;
}

int
suda_history_find_msgid (SudaHistory *self,
                         const char  *msgid)
{
  int index = 0;

  for (GList *l = self->items.head; l; l = l->next, index++)
    if (g_strcmp0 (((SudaHistoryItem *) l->data)->msgid, msgid) == 0)
      return index;
  return -1;
}

/* Items are kept in the order they were said, so times only grow.  Times
 * compare in milliseconds, the precision of the time tags clients quote. */
guint
suda_history_count_before (SudaHistory *self,
                           gint64       time,
                           gboolean     inclusive)
{
  gint64 ms = time / 1000;
  guint count = 0;

  for (GList *l = self->items.head; l; l = l->next, count++)
    {
      gint64 item_ms = ((SudaHistoryItem *) l->data)->time / 1000;

      if (inclusive ? item_ms > ms : item_ms >= ms)
        break;
    }
  return count;
}

gboolean
suda_history_remove_msgid (SudaHistory *self,
                           const char  *msgid)
{
  for (GList *l = self->items.head; l; l = l->next)
    if (g_strcmp0 (((SudaHistoryItem *) l->data)->msgid, msgid) == 0)
      {
        history_item_free (l->data);
        g_queue_delete_link (&self->items, l);
        return TRUE;
      }
  return FALSE;
}
