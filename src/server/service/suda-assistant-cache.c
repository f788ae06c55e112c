/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-assistant-cache.h"

typedef struct {
  char   *key;
  char   *text;
  gint64  stored_at;
} CacheEntry;

struct _SudaAnswerCache {
  guint       max_entries;
  gint64      ttl_usec;
  GHashTable *index;   /* key (owned by the entry) → GList link in lru */
  GQueue      lru;     /* CacheEntry, most recently used first */
};

static void
cache_entry_free (CacheEntry *entry)
{
  g_free (entry->key);
  g_free (entry->text);
  g_free (entry);
}

SudaAnswerCache *
_suda_answer_cache_new (guint  max_entries,
                        gint64 ttl_usec)
{
  SudaAnswerCache *self = g_new0 (SudaAnswerCache, 1);

  self->max_entries = max_entries;
  self->ttl_usec = ttl_usec;
  self->index = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->lru);

  return self;
}

void
_suda_answer_cache_free (SudaAnswerCache *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->index);
  g_queue_clear_full (&self->lru, (GDestroyNotify) cache_entry_free);
  g_free (self);
}

static void
remove_link (SudaAnswerCache *self,
             GList           *link)
{
  CacheEntry *entry = link->data;

  g_hash_table_remove (self->index, entry->key);
  g_queue_delete_link (&self->lru, link);
  cache_entry_free (entry);
}

const char *
_suda_answer_cache_lookup (SudaAnswerCache *self,
                           const char      *key,
                           gint64           now_usec)
{
  GList *link;
  CacheEntry *entry;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  link = g_hash_table_lookup (self->index, key);
  if (link == NULL)
    return NULL;

  entry = link->data;
  if (self->ttl_usec > 0 && now_usec - entry->stored_at >= self->ttl_usec)
    {
      remove_link (self, link);
      return NULL;
    }

  g_queue_unlink (&self->lru, link);
  g_queue_push_head_link (&self->lru, link);

  return entry->text;
}

void
_suda_answer_cache_insert (SudaAnswerCache *self,
                           const char      *key,
                           const char      *text,
                           gint64           now_usec)
{
  CacheEntry *entry;
  GList *link;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (text != NULL);

  if (self->max_entries == 0)
    return;

  link = g_hash_table_lookup (self->index, key);
  if (link != NULL)
    remove_link (self, link);

  while (self->lru.length >= self->max_entries)
    remove_link (self, self->lru.tail);

  entry = g_new0 (CacheEntry, 1);
  entry->key = g_strdup (key);
  entry->text = g_strdup (text);
  entry->stored_at = now_usec;

  g_queue_push_head (&self->lru, entry);
  g_hash_table_insert (self->index, entry->key, self->lru.head);
}
