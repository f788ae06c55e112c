/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One client connection as bytes: the socket, the bounded line reader,
 * flood control, the outbound buffer (sendq) and its flush.  Complete lines
 * go to the session's owner through a SudaSessionHandler; the session
 * knows nothing of what they mean. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "suda-server-private.h"

typedef enum {
  STATE_OPEN,
  STATE_LAST_WORDS,   /* closing: flushing what it was last told */
  STATE_GONE,         /* the socket is closed, or failed */
} SessionState;

/* A congested reader whose output has not moved for this long, while the
 * others keep up, holds senders back no more: it is dropped once its own
 * sendq is full. */
#define STUCK_AFTER_USEC G_USEC_PER_SEC
#define WATCH_EVERY_MS   250
/* Lines one session has handled before the others get their turn: a sender
 * with a backlog would otherwise fan out for 100 ms in one go. */
#define LINES_PER_TURN   16

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
};

struct _SudaSession
{
  GObject                    parent_instance;

  /* Borrowed */
  const SudaServerConfig    *config;        /* the server's, which outlives it */
  const SudaSessionListener *listener;
  gpointer                   listener_data;
  const SudaSessionHandler  *handler;
  GSocket                   *socket;        /* the connection's */
  int                        fd;            /* the socket's */
  SudaPushback              *pushback;      /* the server's, until detached */

  /* Owned */
  gpointer                   owner;
  GDestroyNotify             owner_destroy;
  GSocketConnection         *connection;
  GSource                   *read_source;
  GSource                   *write_source;
  SudaLineBuffer             in;
  char                      *out;           /* pending output, from out_off to out_len */
  gsize                      out_off;
  gsize                      out_len;
  gsize                      out_cap;
  GList                      dirty_link;    /* in the listener's queue while output waits */
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
  SessionState               state;

  guint                      registered : 1;
  guint                      pause_ends_line : 1;
  guint                      sendq_exceeded : 1;  /* to be closed at the next flush */
  guint                      queued : 1;          /* the listener knows output waits */
  guint                      congested : 1;       /* past a quarter of the sendq */
  guint                      stuck : 1;           /* congested, and reads nothing while others do */
  guint                      paused : 1;          /* not read from: pushed back */
};

enum {
  PROP_0,
  PROP_NICK,
  PROP_ADDRESS,
  PROP_CONNECTED_AT,
  PROP_CHANNELS,
  PROP_REGISTERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One read buffer for every session: the main loop reads one socket at a
 * time, and a session keeps only the unfinished tail of its input. */
static char read_scratch[64 * 1024];

G_DEFINE_FINAL_TYPE (SudaSession, suda_session, G_TYPE_OBJECT)

static gboolean on_readable   (GSocket *socket, GIOCondition condition, gpointer data);
static inline void note_queued (SudaSession *self);
static void     leave_pushback (SudaSession *self);
static inline void mark_dirty (SudaSession *self);
static gboolean process_input (SudaSession *self);

static void
destroy_source (GSource **source)
{
  if (*source)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
suda_session_dispose (GObject *object)
{
  SudaSession *self = SUDA_SESSION (object);

  destroy_source (&self->read_source);
  destroy_source (&self->write_source);
  g_clear_handle_id (&self->throttle_id, _suda_source_remove);
  g_clear_handle_id (&self->pause_id, _suda_source_remove);
  leave_pushback (self);
  g_clear_object (&self->connection);
  self->socket = NULL;
  if (self->owner_destroy)
    g_clear_pointer (&self->owner, self->owner_destroy);

  G_OBJECT_CLASS (suda_session_parent_class)->dispose (object);
}

static void
suda_session_finalize (GObject *object)
{
  SudaSession *self = SUDA_SESSION (object);

  suda_line_buffer_clear (&self->in);
  g_free (self->out);
  g_free (self->host);
  g_free (self->keepalive);
  g_free (self->nick);
  g_free (self->channels);
  g_clear_pointer (&self->connected_at, g_date_time_unref);

  G_OBJECT_CLASS (suda_session_parent_class)->finalize (object);
}

static void
suda_session_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SudaSession *self = SUDA_SESSION (object);

  switch (prop_id)
    {
    case PROP_NICK:
      g_value_set_string (value, suda_session_get_nick (self));
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->host);
      break;
    case PROP_CONNECTED_AT:
      g_value_set_boxed (value, self->connected_at);
      break;
    case PROP_CHANNELS:
      g_value_take_string (value, suda_session_dup_channels (self));
      break;
    case PROP_REGISTERED:
      g_value_set_boolean (value, self->registered);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_session_class_init (SudaSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = suda_session_dispose;
  object_class->finalize = suda_session_finalize;
  object_class->get_property = suda_session_get_property;

  properties[PROP_NICK] =
    g_param_spec_string ("nick", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED_AT] =
    g_param_spec_boxed ("connected-at", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHANNELS] =
    g_param_spec_string ("channels", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_session_init (SudaSession *self)
{
  self->dirty_link.data = self;
  self->congested_link.data = self;
}

char *
_suda_session_describe_peer (GSocketConnection *connection,
                             gboolean          *loopback)
{
  g_autoptr(GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);
  g_autofree char *text = NULL;
  GInetAddress *inet;

  if (loopback)
    *loopback = FALSE;
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  if (loopback)
    *loopback = g_inet_address_get_is_loopback (inet);
  text = g_inet_address_to_string (inet);
  /* An IPv6 address may contain ':' which IRC masks cannot carry first. */
  if (text[0] == ':')
    return g_strconcat ("0", text, NULL);
  return g_steal_pointer (&text);
}

static void
watch_input (SudaSession *self)
{
  self->read_source = g_socket_create_source (self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  _suda_source_attach (self->read_source);
}

SudaSession *
_suda_session_new (GSocketConnection         *connection,
                   const SudaServerConfig    *config,
                   SudaPushback              *pushback,
                   const SudaSessionListener *listener,
                   gpointer                   listener_data)
{
  SudaSession *self = g_object_new (SUDA_TYPE_SESSION, NULL);

  self->config = config;
  self->pushback = pushback;
  pushback->n_sessions++;
  self->listener = listener;
  self->listener_data = listener_data;
  self->connection = g_object_ref (connection);
  self->socket = g_socket_connection_get_socket (connection);
  self->fd = g_socket_get_fd (self->socket);
  self->host = _suda_session_describe_peer (connection, NULL);
  self->connected_at = g_date_time_new_now_utc ();
  self->last_active = self->connected_mono = g_get_monotonic_time ();
  self->tokens = config->flood_burst;
  self->tokens_at = self->last_active;
  suda_line_buffer_init (&self->in, config->max_line + SUDA_MAX_TAGS_BYTES);

  g_socket_set_blocking (self->socket, FALSE);
  /* Chat lines are small and latency matters more than packet count. */
  g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  self->read_source = g_socket_create_source (self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  _suda_source_attach (self->read_source);
  return self;
}

void
_suda_session_set_owner (SudaSession              *self,
                         const SudaSessionHandler *handler,
                         gpointer                  owner,
                         GDestroyNotify            destroy)
{
  self->handler = handler;
  self->owner = owner;
  self->owner_destroy = destroy;
}

gpointer
_suda_session_get_owner (SudaSession *self)
{
  return self->owner;
}

/* The seeds' console clients send a message as one write with no newline;
 * a session told so ends such a line after a short pause. */
void
_suda_session_set_pause_ends_line (SudaSession *self,
                                   gboolean     pause_ends_line)
{
  self->pause_ends_line = pause_ends_line;
}

void
_suda_session_set_keepalive (SudaSession *self,
                             const char  *line)
{
  g_free (self->keepalive);
  self->keepalive = g_strdup (line);
}

/* The public face ------------------------------------------------------------ */

const char *
suda_session_get_nick (SudaSession *self)
{
  g_return_val_if_fail (SUDA_IS_SESSION (self), NULL);
  return self->registered ? self->nick : NULL;
}

const char *
suda_session_get_address (SudaSession *self)
{
  g_return_val_if_fail (SUDA_IS_SESSION (self), NULL);
  return self->host;
}

GDateTime *
suda_session_get_connected_at (SudaSession *self)
{
  g_return_val_if_fail (SUDA_IS_SESSION (self), NULL);
  return self->connected_at;
}

gboolean
suda_session_get_registered (SudaSession *self)
{
  g_return_val_if_fail (SUDA_IS_SESSION (self), FALSE);
  return self->registered;
}

char *
suda_session_dup_channels (SudaSession *self)
{
  g_return_val_if_fail (SUDA_IS_SESSION (self), NULL);
  return g_strdup (self->channels ? self->channels : "");
}

void
_suda_session_set_public_nick (SudaSession *self,
                               const char  *nick)
{
  if (g_strcmp0 (self->nick, nick) == 0)
    return;
  g_free (self->nick);
  self->nick = g_strdup (nick);
  if (self->registered)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

void
_suda_session_set_registered (SudaSession *self)
{
  if (self->registered)
    return;
  self->registered = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED]);
}

void
_suda_session_set_channels (SudaSession *self,
                            const char  *text)
{
  g_free (self->channels);
  self->channels = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNELS]);
}

gint64
_suda_session_get_last_active (SudaSession *self)
{
  return self->last_active;
}

guint
_suda_session_get_id (SudaSession *self)
{
  return self->id;
}

void
_suda_session_set_id (SudaSession *self,
                      guint        id)
{
  self->id = id;
}

GList *
_suda_session_get_dirty_link (SudaSession *self)
{
  return &self->dirty_link;
}

GSocket *
_suda_session_get_socket (SudaSession *self)
{
  return self->socket;
}

gboolean
_suda_session_is_closing (SudaSession *self)
{
  return self->state != STATE_OPEN;
}

/* Pushback ----------------------------------------------------------------- */

/* Under overload the server slows the senders down instead of dropping the
 * readers: a sender whose line lands in a congested queue is not read from
 * again until that queue drains, and past half of total-sendq nobody is. */

SudaPushback *
_suda_pushback_new (const SudaServerConfig *config)
{
  SudaPushback *self = g_new0 (SudaPushback, 1);

  self->config = config;
  g_queue_init (&self->congested);
  return self;
}

static void release_waiters (GPtrArray **waiters);

void
_suda_pushback_free (SudaPushback *self)
{
  g_assert (self->congested.length == 0);
  release_waiters (&self->waiters);
  destroy_source (&self->watch);
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

static gboolean
on_resume (gpointer data)
{
  SudaSession *self = data;

  g_clear_pointer (&self->resume_source, g_source_unref);
  if (self->state != STATE_OPEN || self->blocked_by > 0 || self->pushback == NULL)
    return G_SOURCE_REMOVE;
  if (self->paused)
    {
      self->paused = FALSE;
      self->pushback->n_paused--;
    }
  if (self->read_source == NULL)
    watch_input (self);
  process_input (self);
  return G_SOURCE_REMOVE;
}

/* Read again, from the main loop: this may run inside a flush. */
static void
schedule_resume (SudaSession *self)
{
  if (self->resume_source != NULL || self->state != STATE_OPEN)
    return;
  self->resume_source = g_idle_source_new ();
  g_source_set_priority (self->resume_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->resume_source, on_resume, g_object_ref (self), g_object_unref);
  _suda_source_attach (self->resume_source);
}

/* Each sender once: it handles no other line until it is released. */
static void
add_waiter (GPtrArray  **waiters,
            SudaSession *sender)
{
  if (*waiters == NULL)
    *waiters = g_ptr_array_new ();
  else if ((*waiters)->len > 0 && g_ptr_array_index (*waiters, (*waiters)->len - 1) == sender)
    return;
  g_ptr_array_add (*waiters, g_object_ref (sender));
  sender->blocked_by++;
}

static void
release_waiters (GPtrArray **waiters)
{
  g_autoptr(GPtrArray) released = g_steal_pointer (waiters);

  if (released == NULL)
    return;
  for (guint i = 0; i < released->len; i++)
    {
      g_autoptr(SudaSession) sender = g_ptr_array_index (released, i);

      if (--sender->blocked_by == 0)
        schedule_resume (sender);
    }
}

static void
pause_reading (SudaSession *self)
{
  if (self->paused)
    return;
  self->paused = TRUE;
  self->pushback->n_paused++;
  destroy_source (&self->read_source);
}

static inline gsize
get_pending (SudaSession *self)
{
  return self->out_len - self->out_off;
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
          release_waiters (&session->waiters);
        }
      if (session->stuck && session->state == STATE_OPEN && !session->sendq_exceeded &&
          (largest == NULL || get_pending (session) > get_pending (largest)))
        largest = session;
    }
  if (self->all_paused && largest != NULL)
    {
      largest->sendq_exceeded = TRUE;
      mark_dirty (largest);
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

static void
end_congestion (SudaSession *self)
{
  self->congested = FALSE;
  self->stuck = FALSE;
  g_queue_unlink (&self->pushback->congested, &self->congested_link);
  release_waiters (&self->waiters);
}

/* Crossing a threshold: a queue congested or drained, the total past half
 * of total-sendq or back under a quarter. */
static void
note_crossing (SudaSession *self,
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
    end_congestion (self);

  if (!pushback->all_paused && pushback->total > config->total_sendq_bytes / 2)
    {
      pushback->all_paused = TRUE;
      ensure_watch (pushback);
    }
  else if (pushback->all_paused && pushback->total <= config->total_sendq_bytes / 4)
    {
      pushback->all_paused = FALSE;
      release_waiters (&pushback->waiters);
    }
}

/* After every change to the output (the hot path: a few comparisons).
 * Congested past a quarter of the sendq, drained below a sixteenth. */
static inline void
note_queued (SudaSession *self)
{
  SudaPushback *pushback = self->pushback;
  const SudaServerConfig *config = self->config;
  gsize pending = get_pending (self);

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
    note_crossing (self, pending);
}

/* Done with the server's pushback: its output no longer counts, whoever
 * waited for it goes on, and it waits for no one. */
static void
leave_pushback (SudaSession *self)
{
  if (self->pushback == NULL)
    return;
  self->out_off = self->out_len = 0;
  note_queued (self);
  if (self->congested)
    end_congestion (self);
  if (self->paused)
    self->pushback->n_paused--;
  self->paused = FALSE;
  destroy_source (&self->resume_source);
  self->pushback->n_sessions--;
  self->pushback = NULL;
}

/* Output ------------------------------------------------------------------ */

/* A broadcast appends to every member: the listener hears of each session
 * once per flush, not once per line. */
static inline void
mark_dirty (SudaSession *self)
{
  if (!self->queued)
    {
      self->queued = TRUE;
      self->listener->dirty (self->listener_data, self);
    }
}

void
_suda_session_send (SudaSession *self,
                    const char  *data,
                    gsize        len)
{
  gsize pending = self->out_len - self->out_off;
  SudaPushback *pushback;

  if (self->socket == NULL || self->state == STATE_GONE || len == 0 || self->sendq_exceeded)
    return;
  /* The total is bounded too, should the pushback not have been enough. */
  if ((pending + len > self->config->sendq_bytes ||
       self->pushback->total + len > self->config->total_sendq_bytes) &&
      self->state == STATE_OPEN)
    {
      /* A client that does not read must not grow the server's memory.
       * It is closed at the flush, not here: this may run inside a
       * broadcast walking the very member list that closing changes. */
      self->sendq_exceeded = TRUE;
      mark_dirty (self);
      return;
    }

  if (self->out_off > 0 && self->out_off == self->out_len)
    self->out_off = self->out_len = 0;
  if (self->out_len + len > self->out_cap)
    {
      /* The sent part is dropped when it is at least half: moving a long
       * queue to make room for one line would copy it again and again. */
      if (self->out_off > 0 && self->out_off >= pending)
        {
          memmove (self->out, self->out + self->out_off, pending);
          self->out_len = pending;
          self->out_off = 0;
        }
      if (self->out_len + len > self->out_cap)
        {
          self->out_cap = MAX (self->out_len + len, MAX (self->out_cap * 2, 512));
          self->out = g_realloc (self->out, self->out_cap);
        }
    }
  memcpy (self->out + self->out_len, data, len);
  self->out_len += len;
  /* The hot path: a queue only grows here, so only its start of
   * congestion (or the total's pause) can be crossed. */
  pushback = self->pushback;
  self->counted += len;
  pushback->total += len;
  if (pushback->total > pushback->peak)
    pushback->peak = pushback->total;
  if (G_UNLIKELY (pending + len > self->config->sendq_bytes / 4 ||
                  pushback->total > self->config->total_sendq_bytes / 2))
    {
      note_crossing (self, pending + len);
      /* The sender of the line being handled waits for this queue to drain. */
      if (self->congested && !self->stuck && pushback->reading != NULL &&
          pushback->reading != self)
        add_waiter (&self->waiters, pushback->reading);
    }
  mark_dirty (self);
}

static gboolean
on_writable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  SudaSession *self = data;

  g_clear_pointer (&self->write_source, g_source_unref);
  mark_dirty (self);
  return G_SOURCE_REMOVE;
}

/* Sends what it can without blocking; FALSE when the kernel is full.
 * send() itself, not g_socket_send(): a full kernel buffer is the common
 * case under load, and GIO makes a GError of each. */
static gboolean
send_pending (SudaSession *self)
{
  gboolean full = FALSE;

  while (self->out_off < self->out_len && self->socket != NULL)
    {
      gssize n = send (self->fd, self->out + self->out_off,
                       self->out_len - self->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
      int saved_errno = errno;

      if (n >= 0)
        {
          self->out_off += n;
          self->sent += n;
          if (self->pushback != NULL)
            self->pushback->sent += n;
          continue;
        }
      if (saved_errno == EINTR)
        continue;
      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
        {
          /* The kernel's buffer is full: wait for it to drain. */
          if (self->write_source == NULL)
            {
              self->write_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
              g_source_set_callback (self->write_source, G_SOURCE_FUNC (on_writable), self, NULL);
              _suda_source_attach (self->write_source);
            }
          full = TRUE;
          break;
        }
      self->out_off = self->out_len = 0;
      if (self->state == STATE_OPEN)
        _suda_session_close (self, g_strerror (saved_errno));
      self->state = STATE_GONE;
      break;
    }
  note_queued (self);
  return !full;
}

/* Sends what is pending without blocking.  Returns FALSE once the session
 * is gone (the caller must not touch it again). */
gboolean
_suda_session_flush (SudaSession *self)
{
  self->queued = FALSE;
  if (self->sendq_exceeded && self->state == STATE_OPEN)
    {
      /* What it did not read is dropped; it gets only its last words. */
      self->out_off = self->out_len = 0;
      note_queued (self);
      self->sendq_exceeded = FALSE;
      _suda_session_close (self, "SendQ exceeded");
    }
  if (!send_pending (self))
    return TRUE;

  /* An idle session keeps no output buffer; a busy one keeps a buffer it
   * used well, or it would be grown again (and its pages faulted in) at
   * every flush. */
  if ((self->out_cap > 4096 && (self->out_len <= self->out_cap / 4 || self->out_cap > 256 * 1024)) ||
      self->state != STATE_OPEN)
    {
      g_clear_pointer (&self->out, g_free);
      self->out_cap = 0;
    }
  self->out_off = self->out_len = 0;
  if (self->state != STATE_OPEN)
    {
      if (self->socket != NULL)
        g_socket_shutdown (self->socket, FALSE, TRUE, NULL);
      self->listener->gone (self->listener_data, self);
      return FALSE;
    }
  return TRUE;
}

/* Bytes queued that the kernel has not taken yet. */
gsize
_suda_session_get_unsent (SudaSession *self)
{
  return self->out_len - self->out_off;
}

/* Closing: the owner says its last words, the output is flushed, then the
 * session leaves its listener. */
void
_suda_session_close (SudaSession *self,
                     const char  *reason)
{
  if (self->state != STATE_OPEN)
    return;

  /* From here on the last words go out even past the sendq (a full sendq
   * is a reason to close, and must not recurse into here), and last_active
   * dates the close for _suda_session_check_ping(). */
  self->state = STATE_LAST_WORDS;
  self->last_active = g_get_monotonic_time ();
  if (self->handler)
    self->handler->closed (self->owner, reason);

  destroy_source (&self->read_source);
  destroy_source (&self->resume_source);
  if (self->paused)
    {
      self->paused = FALSE;
      self->pushback->n_paused--;
    }
  g_clear_handle_id (&self->throttle_id, _suda_source_remove);
  g_clear_handle_id (&self->pause_id, _suda_source_remove);
  mark_dirty (self);
}

/* The listener let go of it: the socket closes now. */
void
_suda_session_detach (SudaSession *self)
{
  destroy_source (&self->write_source);
  if (self->socket != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  self->socket = NULL;
  self->state = STATE_GONE;
  leave_pushback (self);
}

/* Input ------------------------------------------------------------------- */

static gboolean
on_throttle_done (gpointer data)
{
  SudaSession *self = data;

  self->throttle_id = 0;
  process_input (self);
  return G_SOURCE_REMOVE;
}

/* Token bucket: FLOOD_BURST lines at once, then FLOOD_RATE lines a second,
 * from the first line on (registering takes fewer lines than the burst). */
static gboolean
take_token (SudaSession *self)
{
  const SudaServerConfig *config = self->config;
  gint64 now;

  if (!config->flood_control)
    return TRUE;
  now = g_get_monotonic_time ();
  self->tokens = MIN (config->flood_burst,
                      self->tokens + (now - self->tokens_at) * config->flood_rate / G_USEC_PER_SEC);
  self->tokens_at = now;
  if (self->tokens >= 1)
    {
      self->tokens -= 1;
      return TRUE;
    }
  if (self->throttle_id == 0 && config->flood_rate > 0)
    self->throttle_id = _suda_timeout_add ((guint) (1000 / config->flood_rate) + 1,
                                           on_throttle_done, self);
  return FALSE;
}

/* Returns FALSE when the session is closing. */
static gboolean
process_input (SudaSession *self)
{
  char *line;
  gsize len;
  guint handled = 0;

  while (self->state == STATE_OPEN)
    {
      SudaPushback *pushback = self->pushback;
      SudaLineStatus status;

      if (pushback->all_paused && self->blocked_by == 0)
        add_waiter (&pushback->waiters, self);
      if (self->blocked_by > 0)
        {
          /* Lines read stay in the buffer, the rest in the kernel's, and
           * TCP slows the sender down. */
          pause_reading (self);
          return TRUE;
        }
      if (self->throttle_id != 0 || !take_token (self))
        {
          /* Unprocessed lines wait in the buffer; a client that keeps
           * sending faster than it may is cut off once it is full. */
          if (suda_line_buffer_get_pending (&self->in) > self->config->recvq_bytes)
            {
              _suda_session_close (self, "Excess Flood");
              return FALSE;
            }
          return TRUE;
        }

      status = suda_line_buffer_pop (&self->in, &line, &len);
      if (status == SUDA_LINE_NONE)
        {
          if (self->tokens < self->config->flood_burst)
            self->tokens += 1;  /* give back the token no line used */
          return TRUE;
        }
      if (status == SUDA_LINE_TOO_LONG)
        {
          self->handler->overlong (self->owner);
          _suda_session_close (self, "Line too long");
          return FALSE;
        }
      self->last_active = g_get_monotonic_time ();
      self->ping_sent = 0;
      pushback->reading = self;
      self->handler->line (self->owner, line, len);
      pushback->reading = NULL;
      if (++handled == LINES_PER_TURN && self->state == STATE_OPEN)
        {
          /* Read no more until the rest is handled, in a later turn. */
          destroy_source (&self->read_source);
          schedule_resume (self);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
on_pause (gpointer data)
{
  SudaSession *self = data;
  g_autofree char *partial = NULL;

  /* Lines waiting their turn (flood control, pushback) are no pause in
   * typing: taken now, they would become one message. */
  if (self->throttle_id != 0 || self->resume_source != NULL || self->blocked_by > 0)
    return G_SOURCE_CONTINUE;
  self->pause_id = 0;
  partial = suda_line_buffer_take_partial (&self->in);
  if (partial != NULL)
    {
      gsize len = strlen (partial);

      if (len > 0 && partial[len - 1] == '\r')
        partial[--len] = '\0';
      self->pushback->reading = self;
      self->handler->line (self->owner, partial, len);
      self->pushback->reading = NULL;
    }
  return G_SOURCE_REMOVE;
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  g_autoptr(SudaSession) self = g_object_ref (data);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_socket_receive (socket, read_scratch, sizeof read_scratch, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      g_clear_pointer (&self->read_source, g_source_unref);
      _suda_session_close (self, n == 0 ? "Connection closed" : error->message);
      return G_SOURCE_REMOVE;
    }

  suda_line_buffer_append (&self->in, read_scratch, n);
  if (!process_input (self))
    return self->read_source ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;

  if (self->pause_ends_line && suda_line_buffer_get_pending (&self->in) > 0)
    {
      g_clear_handle_id (&self->pause_id, _suda_source_remove);
      self->pause_id = _suda_timeout_add (300, on_pause, self);
    }
  return G_SOURCE_CONTINUE;
}

/* Timeouts ------------------------------------------------------------------ */

void
_suda_session_check_ping (SudaSession *self,
                          gint64       now)
{
  gint64 timeout = (gint64) self->config->ping_timeout_ms * 1000;
  gint64 idle = now - self->last_active;

  /* A buffer kept because it was busy goes once the session is idle. */
  if (self->out != NULL && self->out_cap > 4096 && self->out_off == self->out_len)
    {
      g_clear_pointer (&self->out, g_free);
      self->out_off = self->out_len = self->out_cap = 0;
    }
  if (self->state != STATE_OPEN)
    {
      /* A peer that never reads its last words does not keep its socket
       * and buffer here for ever. */
      if (self->state == STATE_LAST_WORDS && idle > timeout)
        {
          destroy_source (&self->write_source);
          self->listener->gone (self->listener_data, self);
        }
      return;
    }
  /* Registering has a deadline from the connect that no line extends, or
   * a slot could be held for ever with a PING now and then. */
  if (!self->registered &&
      (idle > timeout ||
       now - self->connected_mono > (gint64) self->config->registration_timeout_ms * 1000))
    {
      _suda_session_close (self, "Registration timeout");
      return;
    }
  /* Without a keepalive line (people on nc or telnet cannot answer PING),
   * TCP tells when they leave. */
  if (self->keepalive == NULL)
    return;
  if (self->ping_sent && now - self->ping_sent > timeout)
    {
      _suda_session_close (self, "Ping timeout");
      return;
    }
  if (!self->ping_sent && idle > (gint64) self->config->ping_interval_ms * 1000)
    {
      self->ping_sent = now;
      _suda_session_send (self, self->keepalive, strlen (self->keepalive));
    }
}
