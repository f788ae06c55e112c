/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* The per-asker rate limit: a sliding window of the last minute's asks. */

#define G_LOG_DOMAIN "suda-assistant"

#include "suda-assistant-private.h"

#define RATE_WINDOW_USEC      (60 * G_USEC_PER_SEC)

static void
prune_window (GQueue *times,
              gint64  now)
{
  while (times->length > 0 &&
         now - *(gint64 *) g_queue_peek_head (times) >= RATE_WINDOW_USEC)
    g_free (g_queue_pop_head (times));
}

void
_suda_assistant_free_times (GQueue *times)
{
  g_queue_free_full (times, g_free);
}

/* Returns 0 when ASKER may ask now (and counts the ask), otherwise how
 * many seconds until they may. */
guint
_suda_assistant_rate_limit_check (SudaAssistant *self,
                                  const char    *asker)
{
  gint64 now = _suda_assistant_now (self);
  GQueue *times;
  GHashTableIter iter;
  gpointer value;

  if (self->config.rate_per_minute == 0)
    return 0;

  /* Forget askers who have been quiet for a minute, so the table stays as
   * small as the set of active users. */
  if (g_hash_table_size (self->recent_asks) > 64)
    {
      g_hash_table_iter_init (&iter, self->recent_asks);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          prune_window (value, now);
          if (((GQueue *) value)->length == 0)
            g_hash_table_iter_remove (&iter);
        }
    }

  times = g_hash_table_lookup (self->recent_asks, asker);
  if (times == NULL)
    {
      times = g_queue_new ();
      g_hash_table_insert (self->recent_asks, g_strdup (asker), times);
    }
  prune_window (times, now);

  if (times->length >= self->config.rate_per_minute)
    {
      gint64 oldest = *(gint64 *) g_queue_peek_head (times);
      gint64 wait = oldest + RATE_WINDOW_USEC - now;

      return MAX (1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    }

  g_queue_push_tail (times, g_memdup2 (&now, sizeof now));
  return 0;
}
