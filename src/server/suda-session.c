/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One client connection as bytes: the transport it reads and writes through
 * (suda-transport.h), the bounded line reader, flood control, the outbound
 * buffer (sendq) and its flush; the pushback on its senders is in
 * suda-pushback.c.  Complete lines go to the session's owner through a
 * SudaSessionHandler; the session knows nothing of what they mean. */
#include "config.h"

#include <string.h>

#include "suda-session-private.h"
#include "suda-socket-transport.h"


/* Lines one session has handled before the others get their turn: a sender
 * with a backlog would otherwise fan out for 100 ms in one go. */
#define LINES_PER_TURN   16

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

static gboolean process_input (SudaSession *self);
static void     on_ready      (gpointer data, GIOCondition condition);

static void
suda_session_dispose (GObject *object)
{
  SudaSession *self = SUDA_SESSION (object);

  g_clear_handle_id (&self->throttle_id, _suda_source_remove);
  g_clear_handle_id (&self->pause_id, _suda_source_remove);
  _suda_pushback_leave (self);
  if (self->transport != NULL)
    suda_transport_close (self->transport);
  g_clear_object (&self->transport);
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

  return _suda_session_describe_address (address, loopback);
}

char *
_suda_session_describe_address (GSocketAddress *address,
                                gboolean       *loopback)
{
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

/* Input is watched until paused or closed, output only while the kernel
 * (or whatever the transport sends through) takes no more. */
static void
watch (SudaSession  *self,
       GIOCondition  condition,
       gboolean      on)
{
  GIOCondition watched = suda_transport_get_watched (self->transport);

  suda_transport_watch (self->transport, on ? watched | condition : watched & ~condition);
}

SudaSession *
_suda_session_new (SudaTransport             *transport,
                   const SudaServerConfig    *config,
                   SudaPushback              *pushback,
                   const SudaSessionListener *listener,
                   gpointer                   listener_data)
{
  SudaSession *self = g_object_new (SUDA_TYPE_SESSION, NULL);
  g_autoptr(GSocketAddress) address = suda_transport_dup_remote_address (transport);

  self->config = config;
  self->pushback = pushback;
  pushback->n_sessions++;
  self->listener = listener;
  self->listener_data = listener_data;
  self->transport = g_object_ref (transport);
  self->send = SUDA_TRANSPORT_GET_CLASS (transport)->send;
  self->fd = SUDA_IS_SOCKET_TRANSPORT (transport)
               ? suda_socket_transport_get_fd (SUDA_SOCKET_TRANSPORT (transport)) : -1;
  self->host = _suda_session_describe_address (address, NULL);
  self->connected_at = g_date_time_new_now_utc ();
  self->last_active = self->connected_mono = g_get_monotonic_time ();
  self->tokens = config->flood_burst;
  self->tokens_at = self->last_active;
  suda_line_buffer_init (&self->in, config->max_line + SUDA_MAX_TAGS_BYTES);

  suda_transport_set_ready_func (transport, on_ready, self);
  watch (self, G_IO_IN, TRUE);
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

gint64
_suda_session_get_dirty_at (SudaSession *self)
{
  return self->dirty_at;
}

void
_suda_session_set_dirty_at (SudaSession *self,
                            gint64       when)
{
  self->dirty_at = when;
}

GSocket *
_suda_session_get_socket (SudaSession *self)
{
  return suda_transport_get_socket (self->transport);
}

SudaTransport *
_suda_session_get_transport (SudaSession *self)
{
  return self->transport;
}

const char *
_suda_session_get_certfp (SudaSession *self)
{
  return suda_transport_get_certificate_fingerprint (self->transport);
}

void
_suda_session_set_secure (SudaSession *self,
                          gboolean     secure)
{
  self->secure = secure;
}

gboolean
_suda_session_is_secure (SudaSession *self)
{
  return self->secure;
}

void
_suda_session_set_announced (SudaSession *self)
{
  self->announced = TRUE;
}

gboolean
_suda_session_get_announced (SudaSession *self)
{
  return self->announced;
}

gboolean
_suda_session_is_closing (SudaSession *self)
{
  return self->state != SESSION_OPEN;
}

/* Pushback: reading paused and resumed ----------------------------------- */

static gboolean
on_resume (gpointer data)
{
  SudaSession *self = data;

  g_clear_pointer (&self->resume_source, g_source_unref);
  if (self->state != SESSION_OPEN || self->blocked_by > 0 || self->pushback == NULL)
    return G_SOURCE_REMOVE;
  if (self->paused)
    {
      self->paused = FALSE;
      self->pushback->n_paused--;
    }
  watch (self, G_IO_IN, TRUE);
  process_input (self);
  return G_SOURCE_REMOVE;
}

/* Read again, from the main loop: this may run inside a flush. */
void
_suda_session_schedule_resume (SudaSession *self)
{
  if (self->resume_source != NULL || self->state != SESSION_OPEN)
    return;
  self->resume_source = g_idle_source_new ();
  g_source_set_priority (self->resume_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->resume_source, on_resume, g_object_ref (self), g_object_unref);
  _suda_source_attach (self->resume_source);
}

static void
pause_reading (SudaSession *self)
{
  if (self->paused)
    return;
  self->paused = TRUE;
  self->pushback->n_paused++;
  watch (self, G_IO_IN, FALSE);
}

/* Output ------------------------------------------------------------------ */

void
_suda_session_send (SudaSession *self,
                    const char  *data,
                    gsize        len)
{
  gsize pending = self->out_len - self->out_off;
  SudaPushback *pushback;

  if (self->state == SESSION_GONE || len == 0 || self->sendq_exceeded)
    return;
  /* The total is bounded too, should the pushback not have been enough. */
  if ((pending + len > self->config->sendq_bytes ||
       self->pushback->total + len > self->config->total_sendq_bytes) &&
      self->state == SESSION_OPEN)
    {
      /* A client that does not read must not grow the server's memory.
       * It is closed at the flush, not here: this may run inside a
       * broadcast walking the very member list that closing changes. */
      self->sendq_exceeded = TRUE;
      _suda_session_mark_dirty (self);
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
      _suda_pushback_note_crossing (self, pending + len);
      /* The sender of the line being handled waits for this queue to drain. */
      if (self->congested && !self->stuck && pushback->reading != NULL &&
          pushback->reading != self)
        _suda_pushback_add_waiter (&self->waiters, pushback->reading);
    }
  _suda_session_mark_dirty (self);
}

/* Sends what it can without blocking; FALSE when the kernel (or the
 * transport) takes no more for now. */
static gboolean
send_pending (SudaSession *self)
{
  gboolean full = FALSE;
  GError *error = NULL;

  /* Last words to a peer that never finished its TLS handshake (cut at the
   * registration deadline) could never leave. */
  if (G_UNLIKELY (self->state != SESSION_OPEN) && suda_transport_is_pending (self->transport))
    self->out_off = self->out_len;
  while (self->out_off < self->out_len && self->state != SESSION_GONE)
    {
      /* A plain socket's send(2) inline: the flush is the server's hot path. */
      gssize n = self->fd >= 0
                   ? suda_socket_send (self->fd, self->out + self->out_off,
                                       self->out_len - self->out_off, &error)
                   : self->send (self->transport, self->out + self->out_off,
                                 self->out_len - self->out_off, &error);

      if (n > 0)
        {
          self->out_off += n;
          self->sent += n;
          if (self->pushback != NULL)
            self->pushback->sent += n;
          continue;
        }
      if (n == 0)
        {
          /* The kernel's buffer is full: wait for it to drain. */
          watch (self, G_IO_OUT, TRUE);
          full = TRUE;
          break;
        }
      self->out_off = self->out_len = 0;
      if (self->state == SESSION_OPEN)
        _suda_session_close (self, error->message);
      g_clear_error (&error);
      self->state = SESSION_GONE;
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
  if (self->sendq_exceeded && self->state == SESSION_OPEN)
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
      self->state != SESSION_OPEN)
    {
      g_clear_pointer (&self->out, g_free);
      self->out_cap = 0;
    }
  self->out_off = self->out_len = 0;
  if (self->state != SESSION_OPEN)
    {
      suda_transport_shutdown (self->transport);
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
  if (self->state != SESSION_OPEN)
    return;

  /* From here on the last words go out even past the sendq (a full sendq
   * is a reason to close, and must not recurse into here), and last_active
   * dates the close for _suda_session_check_ping(). */
  self->state = SESSION_LAST_WORDS;
  self->last_active = g_get_monotonic_time ();
  if (self->handler)
    self->handler->closed (self->owner, reason);

  watch (self, G_IO_IN, FALSE);
  _suda_clear_source (&self->resume_source);
  if (self->paused)
    {
      self->paused = FALSE;
      self->pushback->n_paused--;
    }
  g_clear_handle_id (&self->throttle_id, _suda_source_remove);
  g_clear_handle_id (&self->pause_id, _suda_source_remove);
  _suda_session_mark_dirty (self);
}

/* The listener let go of it: the socket closes now. */
void
_suda_session_detach (SudaSession *self)
{
  suda_transport_close (self->transport);
  self->state = SESSION_GONE;
  _suda_pushback_leave (self);
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

  while (self->state == SESSION_OPEN)
    {
      SudaPushback *pushback = self->pushback;
      SudaLineStatus status;

      if (pushback->all_paused && self->blocked_by == 0)
        _suda_pushback_add_waiter (&pushback->waiters, self);
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
      pushback->lines_read++;
      self->handler->line (self->owner, line, len);
      pushback->reading = NULL;
      if (++handled == LINES_PER_TURN && self->state == SESSION_OPEN)
        {
          /* Read no more until the rest is handled, in a later turn. */
          watch (self, G_IO_IN, FALSE);
          _suda_session_schedule_resume (self);
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
      self->pushback->lines_read++;
      self->handler->line (self->owner, partial, len);
      self->pushback->reading = NULL;
    }
  return G_SOURCE_REMOVE;
}

static void
on_readable (SudaSession *self)
{
  g_autoptr(GError) error = NULL;
  gssize n;

  n = suda_transport_receive (self->transport, read_scratch, sizeof read_scratch, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return;
  if (n <= 0)
    {
      watch (self, G_IO_IN, FALSE);
      _suda_session_close (self, n == 0 ? "Connection closed" : error->message);
      return;
    }

  suda_line_buffer_append (&self->in, read_scratch, n);
  if (!process_input (self))
    return;

  if (self->pause_ends_line && suda_line_buffer_get_pending (&self->in) > 0)
    {
      g_clear_handle_id (&self->pause_id, _suda_source_remove);
      self->pause_id = _suda_timeout_add (300, on_pause, self);
    }
}

/* The transport says input waits, or its output drained. */
static void
on_ready (gpointer     data,
          GIOCondition condition)
{
  g_autoptr(SudaSession) self = g_object_ref (data);

  if (condition & G_IO_OUT)
    _suda_session_mark_dirty (self);
  if ((condition & G_IO_IN) && self->state == SESSION_OPEN)
    on_readable (self);
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
  if (self->state != SESSION_OPEN)
    {
      /* A peer that never reads its last words does not keep its socket
       * and buffer here for ever. */
      if (self->state == SESSION_LAST_WORDS && idle > timeout)
        {
          watch (self, G_IO_OUT, FALSE);
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
