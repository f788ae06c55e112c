/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a session (suda-session.c) and the pushback on its senders
 * (suda-pushback.c) share: their structs, and the hot path of every queued
 * line, inline so that a delivery stays a few comparisons. */
#pragma once

#include "suda-server-private.h"
#include "suda-transport.h"

G_BEGIN_DECLS

typedef enum {
  SESSION_OPEN,
  SESSION_LAST_WORDS,   /* closing: flushing what it was last told */
  SESSION_GONE,         /* the transport is closed, or failed */
} SudaSessionState;

struct _SudaPushback
{
  const SudaServerConfig *config;
  gsize                   total;        /* bytes queued in every session */
  gsize                   peak;
  guint                   n_sessions;
  guint                   n_paused;     /* sessions not read from now */
  GQueue                  congested;    /* sessions past their high-water mark */
  GPtrArray              *waiters;      /* sessions waiting for the total to drain */
  SudaSession            *reading;      /* whose line is being handled, or NULL */
  guint64                 sent;         /* bytes sent by every session */
  guint64                 sent_seen;    /* ... at the last watch */
  gint64                  progress_at;  /* monotonic usec output last moved anywhere */
  GSource                *watch;
  gboolean                all_paused;   /* the total is past half of total-sendq */
  /* The input rate, which tells the flush whether more is coming */
  guint64                 lines_read;   /* lines handled, every session together */
  guint64                 lines_seen;   /* ... at the flush's last look */
  double                  recent_lines; /* lines read lately, fading (suda-pushback.c) */
  gint64                  recent_at;    /* monotonic usec of that look */
};

struct _SudaSession
{
  GObject                    parent_instance;

  /* Borrowed */
  const SudaServerConfig    *config;        /* the server's, which outlives it */
  const SudaSessionListener *listener;
  gpointer                   listener_data;
  const SudaSessionHandler  *handler;
  SudaPushback              *pushback;      /* the server's, until detached */

  /* Owned */
  gpointer                   owner;
  GDestroyNotify             owner_destroy;
  SudaTransport             *transport;     /* closed once detached */
  /* The transport's send, looked up once: it is called at every flush. */
  gssize                   (*send) (SudaTransport *transport, const char *data,
                                    gsize len, GError **error);
  int                        fd;            /* a plain socket's, sent to directly; or -1 */
  SudaLineBuffer             in;
  char                      *out;           /* pending output, from out_off to out_len */
  gsize                      out_off;
  gsize                      out_len;
  gsize                      out_cap;
  GList                      dirty_link;    /* in the listener's queue while output waits */
  gint64                     dirty_at;      /* monotonic usec it went there */
  GList                      congested_link;  /* in the pushback's while congested */
  GPtrArray                 *waiters;       /* senders held back by this queue, owned refs */
  GSource                   *resume_source;
  gsize                      counted;       /* this session's share of the pushback's total */
  guint64                    sent;          /* bytes sent so far */
  guint64                    sent_seen;     /* ... at the pushback's last watch */
  gint64                     progress_at;   /* monotonic usec the output last moved */
  guint                      blocked_by;    /* congested queues this sender waits for */
  char                      *host;
  GDateTime                 *connected_at;
  char                      *keepalive;     /* the line sent to an idle peer, or NULL */
  char                      *nick;          /* the public face, set by the owner */
  char                      *channels;

  gint64                     connected_mono;  /* monotonic usec of the connect */
  gint64                     last_active;   /* monotonic usec of the last line read */
  gint64                     ping_sent;     /* monotonic usec, 0 when none pending */
  double                     tokens;
  gint64                     tokens_at;
  guint                      throttle_id;
  guint                      pause_id;
  guint                      id;
  SudaSessionState               state;

  guint                      registered : 1;
  guint                      pause_ends_line : 1;
  guint                      sendq_exceeded : 1;  /* to be closed at the next flush */
  guint                      queued : 1;          /* the listener knows output waits */
  guint                      congested : 1;       /* past a quarter of the sendq */
  guint                      stuck : 1;           /* congested, and reads nothing while others do */
  guint                      paused : 1;          /* not read from: pushed back */
  guint                      secure : 1;          /* over TLS */
  guint                      announced : 1;       /* its "connect" is logged */
};

static inline void
_suda_clear_source (GSource **source)
{
  if (*source)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static inline gsize
_suda_session_get_pending (SudaSession *self)
{
  return self->out_len - self->out_off;
}

/* A broadcast appends to every member: the listener hears of each session
 * once per flush, not once per line. */
static inline void
_suda_session_mark_dirty (SudaSession *self)
{
  if (!self->queued)
    {
      self->queued = TRUE;
      self->listener->dirty (self->listener_data, self);
    }
}

/* suda-pushback.c */
void         _suda_pushback_note_crossing   (SudaSession  *self,
                                             gsize         pending);
void         _suda_pushback_add_waiter      (GPtrArray   **waiters,
                                             SudaSession  *sender);
void         _suda_pushback_release_waiters (GPtrArray   **waiters);
void         _suda_pushback_end_congestion  (SudaSession  *self);
void         _suda_pushback_leave           (SudaSession  *self);
/* suda-session.c */
void         _suda_session_schedule_resume  (SudaSession  *self);

/* After every change to the output (the hot path: a few comparisons).
 * Congested past a quarter of the sendq, drained below a sixteenth. */
static inline void
note_queued (SudaSession *self)
{
  SudaPushback *pushback = self->pushback;
  const SudaServerConfig *config = self->config;
  gsize pending = _suda_session_get_pending (self);

  if (pushback == NULL)
    return;
  pushback->total = pushback->total - self->counted + pending;
  self->counted = pending;
  if (pushback->total > pushback->peak)
    pushback->peak = pushback->total;
  if (G_UNLIKELY (self->congested ? pending <= config->sendq_bytes / 16
                                  : pending > config->sendq_bytes / 4) ||
      G_UNLIKELY (pushback->all_paused ? pushback->total <= config->total_sendq_bytes / 4
                                       : pushback->total > config->total_sendq_bytes / 2))
    _suda_pushback_note_crossing (self, pending);
}

G_END_DECLS
