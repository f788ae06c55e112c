/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-server-host.h"

#include "suda-task.h"

G_BEGIN_DECLS

/* The boundary between the two threads.  suda-server-host.c runs on the
 * GTK thread, suda-server-host-thread.c on the server thread; they meet
 * only in SudaHostShared: the server thread pushes events under its lock
 * (_suda_host_push_*) and the GTK thread drains them once per frame; the
 * GTK thread sends commands into the server's context
 * (_suda_host_send, g_main_context_invoke_full).  Nothing else crosses.
 * ThreadSanitizer learns what the lock and the invoke order through
 * SUDA_TSAN_RELEASE/ACQUIRE (suda-task.h). */

typedef enum {
  SUDA_HOST_EVENT_STATE,      /* running, port, address, web URL, TLS fingerprint, started-at, log-failing */
  SUDA_HOST_EVENT_USER,       /* a registered user appeared or changed */
  SUDA_HOST_EVENT_USER_GONE,
  SUDA_HOST_EVENT_REPLY,      /* a command's answer: TASK returns OK or ERROR */
  SUDA_HOST_EVENT_CLUSTER,    /* a snapshot of [cluster], or NULL: none */
} SudaHostEventKind;

typedef struct {
  SudaHostEventKind  kind;
  gboolean           running;
  gboolean           log_failing;
  guint16            port;
  char              *address;
  char              *web_url;       /* the web page's, or NULL when it is off */
  char              *tls_fingerprint;  /* SHA-256, or NULL without TLS */
  GDateTime         *started_at;
  guint64            user_id;
  char              *nick;
  char              *channels;
  GDateTime         *connected_at;
  GTask             *task;
  GError            *error;
  GVariant          *value;         /* a call's answer (suda_server_host_reply) */
  SudaClusterStatus *cluster;
} SudaHostEvent;

typedef enum {
  SUDA_HOST_START,
  SUDA_HOST_STOP,
  SUDA_HOST_KICK,
  SUDA_HOST_DISCONNECT,
  SUDA_HOST_INVOKE,
  SUDA_HOST_SHUT_DOWN,        /* stop, then end the thread */
  SUDA_HOST_WATCH_CLUSTER,    /* ON: a snapshot now and every SUDA_HOST_CLUSTER_EVERY */
  SUDA_HOST_CALL,             /* CALL, answered later through a SudaServerHostReply */
} SudaHostCommandKind;

/* Log entries are drained at most every SUDA_HOST_MIN_INTERVAL usec, and
 * further apart when the window is slow to draw
 * (suda_server_host_set_draw_cost), except that the first entry after
 * SUDA_HOST_QUIET usec without any drains at once; other events once a
 * frame. */
#define SUDA_HOST_FRAME        (G_USEC_PER_SEC / 60)
#define SUDA_HOST_MIN_INTERVAL (G_USEC_PER_SEC / 4)
#define SUDA_HOST_MAX_INTERVAL (4 * G_USEC_PER_SEC)
#define SUDA_HOST_QUIET        G_USEC_PER_SEC
/* The window's drawing of the live log may take 1/300 of a core: the
 * figure the console is held to is its CPU beside the daemon's, and in a
 * busy class (50 messages a second, 100 members) 1/100 was a fifth of
 * the daemon's whole cost; the cairo renderer on Xvfb then shows a batch
 * about every second (a batch costs it 2-5 ms), a GPU more often. */
#define SUDA_HOST_DRAW_SHARE   300
/* The cluster page's refresh while shown: peers' users and last-heard
 * times; a change of the link to Redis comes at once besides. */
#define SUDA_HOST_CLUSTER_EVERY 1000   /* msec */

typedef struct _SudaHostShared SudaHostShared;

typedef struct {
  SudaHostShared      *shared;
  SudaHostCommandKind  kind;
  SudaServerConfig    *config;
  char                *nick;
  char                *reason;
  GTask               *task;
  SudaServerHostFunc   func;
  gpointer             data;
  GDestroyNotify       destroy;
  gboolean             on;
  SudaServerHostCallFunc call;
} SudaHostCommand;

struct _SudaHostShared
{
  gatomicrefcount  ref;
  GMainContext    *owner_context;   /* GTK's */
  GMainContext    *context;         /* the server thread's */
  GWeakRef         host;            /* read on the GTK thread only */

  GMutex           lock;            /* guards what follows */
  GQueue           events;          /* SudaHostEvent */
  SudaLogEntry   **ring;            /* the newest log entries not drained yet */
  guint            ring_size;
  guint            ring_start;
  guint            ring_len;
  guint64          n_logged;        /* every entry ever pushed */
  gint64           wake_due;        /* when the next drain on owner_context is, or 0 */
  GSource         *wake_source;     /* that drain's, or NULL */
  gint64           last_drain;      /* monotonic usec */
  gint64           interval;        /* usec from one drain to the next, at least */
  gint64           min_interval;    /* what INTERVAL never goes under */
  gint64           quiet;           /* usec without entries after which one drains at once */
  gint64           last_logged;     /* monotonic usec of the newest entry, or 0 */
  gboolean         log_paused;      /* nobody sees the live log: entries wait in the ring */

  /* The server thread's own */
  GMainLoop       *loop;
  SudaServer      *server;
  GPtrArray       *watched;         /* SudaSession, in the server's list order */
  guint64          next_user_id;
  gboolean         quit_when_stopped;
  GSource         *cluster_tick;    /* while the cluster page is shown, or NULL */
};

static inline void
_suda_host_lock (SudaHostShared *shared)
{
  g_mutex_lock (&shared->lock);
  SUDA_TSAN_ACQUIRE (&shared->lock);
}

static inline void
_suda_host_unlock (SudaHostShared *shared)
{
  SUDA_TSAN_RELEASE (&shared->lock);
  g_mutex_unlock (&shared->lock);
}

SudaHostShared *_suda_host_shared_new     (guint            ring_size);
SudaHostShared *_suda_host_shared_ref     (SudaHostShared  *shared);
void            _suda_host_shared_unref   (SudaHostShared  *shared);
void            _suda_host_event_free     (SudaHostEvent   *event);
void            _suda_host_command_free   (SudaHostCommand *command);
GThread        *_suda_host_thread_spawn   (SudaHostShared  *shared);
void            _suda_host_send           (SudaHostShared  *shared,
                                           SudaHostCommand *command);
/* Called on the server thread; the drain runs on the GTK thread. */
void            _suda_host_push_event     (SudaHostShared  *shared,
                                           SudaHostEvent   *event);
void            _suda_host_drain          (SudaHostShared  *shared);
/* With the lock held: a drain on the GTK thread INTERVAL usec after the last. */
void            _suda_host_wake_locked    (SudaHostShared  *shared,
                                           gint64           interval);
void            _suda_host_unwake_locked  (SudaHostShared  *shared);

/* For tests: the shortest spacing of log batches and the silence after
 * which an entry drains at once, both in usec; the host then counts
 * itself quiet. */
void            _suda_server_host_set_batch_timing (SudaServerHost *self,
                                                    gint64          min_interval,
                                                    gint64          quiet);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaHostEvent, _suda_host_event_free)

G_END_DECLS
