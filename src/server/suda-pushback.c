/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pushback: under overload the server slows the senders down instead of
 * dropping the readers.  A sender whose line lands in a congested queue is
 * not read from again until that queue drains, and past half of
 * total-sendq nobody is. */
#include "config.h"

#include "suda-session-private.h"

/* A congested reader whose output has not moved for this long, while the
 * others keep up, holds senders back no more: it is dropped once its own
 * sendq is full. */
#define STUCK_AFTER_USEC G_USEC_PER_SEC
#define WATCH_EVERY_MS   250
/* How long the input rate remembers: a burst counts for about this long. */
#define RATE_MEMORY_USEC (G_USEC_PER_SEC / 10)

SudaPushback *
_suda_pushback_new (const SudaServerConfig *config)
{
  SudaPushback *self = g_new0 (SudaPushback, 1);

  self->config = config;
  g_queue_init (&self->congested);
  return self;
}

void
_suda_pushback_free (SudaPushback *self)
{
  g_assert (self->congested.length == 0);
  _suda_pushback_release_waiters (&self->waiters);
  _suda_clear_source (&self->watch);
  g_free (self);
}

gsize
_suda_pushback_get_total (SudaPushback *self)
{
  return self->total;
}

gsize
_suda_pushback_get_peak (SudaPushback *self)
{
  return self->peak;
}

guint
_suda_pushback_get_n_paused (SudaPushback *self)
{
  return self->n_paused;
}

void
_suda_pushback_count_line (SudaPushback *self)
{
  self->lines_read++;
}

guint64
_suda_pushback_get_lines_read (SudaPushback *self)
{
  return self->lines_read;
}

/* Lines read over the last RATE_MEMORY_USEC or so, each fading as
 * memory / (memory + age): a steady rate R gives about R × memory. */
static double
recent_lines (SudaPushback *self,
              gint64        now)
{
  gint64 age = MAX (now - self->recent_at, 0);

  self->recent_lines = self->recent_lines * RATE_MEMORY_USEC / (RATE_MEMORY_USEC + age) +
                       (double) (self->lines_read - self->lines_seen);
  self->lines_seen = self->lines_read;
  self->recent_at = now;
  return self->recent_lines;
}

/* Every line read may fan out to many sessions, and each of their send()
 * calls costs the kernel microseconds whatever it carries.  Waiting BUDGET
 * pays when at least one more line is likely to come meanwhile (read at
 * one per BUDGET or faster lately): the sessions then get both in one
 * send().  Any slower, as in a classroom, waiting would only make the line
 * late, and the flush goes at once (0). */
gint64
_suda_pushback_flush_wait (SudaPushback *self,
                           gint64        budget,
                           gint64        now)
{
  if (recent_lines (self, now) * (double) budget < (double) RATE_MEMORY_USEC)
    return 0;
  return budget;
}

/* Each sender once: it handles no other line until it is released. */
void
_suda_pushback_add_waiter (GPtrArray  **waiters,
            SudaSession *sender)
{
  if (*waiters == NULL)
    *waiters = g_ptr_array_new ();
  else if ((*waiters)->len > 0 && g_ptr_array_index (*waiters, (*waiters)->len - 1) == sender)
    return;
  g_ptr_array_add (*waiters, g_object_ref (sender));
  sender->blocked_by++;
}

void
_suda_pushback_release_waiters (GPtrArray **waiters)
{
  g_autoptr(GPtrArray) released = g_steal_pointer (waiters);

  if (released == NULL)
    return;
  for (guint i = 0; i < released->len; i++)
    {
      g_autoptr(SudaSession) sender = g_ptr_array_index (released, i);

      if (--sender->blocked_by == 0)
        _suda_session_schedule_resume (sender);
    }
}

/* Stuck: its output has not moved for STUCK_AFTER_USEC while the others'
 * did, or while most queues are not congested.  When nothing moves
 * anywhere for a moment (the machine, or the one process reading them
 * all, is slow), nobody is; when nothing has moved for a long while, the
 * congested readers may be waiting on each other (clients blocked on
 * writing to a server that reads them no more), and all are. */
static gboolean
is_stuck (SudaPushback *self,
          SudaSession  *session,
          gint64        now)
{
  if (now - session->progress_at < STUCK_AFTER_USEC)
    return FALSE;
  return self->progress_at - session->progress_at > STUCK_AFTER_USEC ||
         self->congested.length * 2 <= self->n_sessions ||
         now - self->progress_at > 5 * STUCK_AFTER_USEC;
}

/* While some queue is congested or the total is high: a stuck reader lets
 * its senders go, and when the total stays high because of stuck readers,
 * the one holding most is dropped. */
static gboolean
on_watch (gpointer data)
{
  SudaPushback *self = data;
  gint64 now = g_get_monotonic_time ();
  SudaSession *largest = NULL;

  /* Progress is seen here, by the bytes sent since the last look: the
   * send path takes no clock. */
  if (self->sent != self->sent_seen)
    {
      self->sent_seen = self->sent;
      self->progress_at = now;
    }
  for (GList *l = self->congested.head; l != NULL; l = l->next)
    {
      SudaSession *session = l->data;

      if (session->sent != session->sent_seen)
        {
          session->sent_seen = session->sent;
          session->progress_at = now;
          session->stuck = FALSE;
        }
      if (!session->stuck && is_stuck (self, session, now))
        {
          session->stuck = TRUE;
          _suda_pushback_release_waiters (&session->waiters);
        }
      if (session->stuck && session->state == SESSION_OPEN && !session->sendq_exceeded &&
          (largest == NULL || _suda_session_get_pending (session) > _suda_session_get_pending (largest)))
        largest = session;
    }
  if (self->all_paused && largest != NULL)
    {
      largest->sendq_exceeded = TRUE;
      _suda_session_mark_dirty (largest);
    }
  if (self->congested.length > 0 || self->all_paused)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
ensure_watch (SudaPushback *self)
{
  if (self->watch != NULL)
    return;
  /* Progress is measured from here, not from the last watch. */
  self->progress_at = g_get_monotonic_time ();
  self->sent_seen = self->sent;
  self->watch = g_timeout_source_new (WATCH_EVERY_MS);
  g_source_set_callback (self->watch, on_watch, self, NULL);
  _suda_source_attach (self->watch);
}

void
_suda_pushback_end_congestion (SudaSession *self)
{
  self->congested = FALSE;
  self->stuck = FALSE;
  g_queue_unlink (&self->pushback->congested, &self->congested_link);
  _suda_pushback_release_waiters (&self->waiters);
}

/* Crossing a threshold: a queue congested or drained, the total past half
 * of total-sendq or back under a quarter. */
void
_suda_pushback_note_crossing (SudaSession *self,
               gsize        pending)
{
  SudaPushback *pushback = self->pushback;
  const SudaServerConfig *config = self->config;

  if (!self->congested && pending > config->sendq_bytes / 4)
    {
      self->congested = TRUE;
      self->progress_at = g_get_monotonic_time ();
      self->sent_seen = self->sent;
      g_queue_push_tail_link (&pushback->congested, &self->congested_link);
      ensure_watch (pushback);
    }
  else if (self->congested && pending <= config->sendq_bytes / 16)
    _suda_pushback_end_congestion (self);

  if (!pushback->all_paused && pushback->total > config->total_sendq_bytes / 2)
    {
      pushback->all_paused = TRUE;
      ensure_watch (pushback);
    }
  else if (pushback->all_paused && pushback->total <= config->total_sendq_bytes / 4)
    {
      pushback->all_paused = FALSE;
      _suda_pushback_release_waiters (&pushback->waiters);
    }
}

/* Done with the server's pushback: its output no longer counts, whoever
 * waited for it goes on, and it waits for no one. */
void
_suda_pushback_leave (SudaSession *self)
{
  if (self->pushback == NULL)
    return;
  self->out_off = self->out_len = 0;
  note_queued (self);
  if (self->congested)
    _suda_pushback_end_congestion (self);
  if (self->paused)
    self->pushback->n_paused--;
  self->paused = FALSE;
  _suda_clear_source (&self->resume_source);
  self->pushback->n_sessions--;
  self->pushback = NULL;
}
