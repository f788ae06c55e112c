/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-connection-private.h"
#include "suda-irc-message.h"
#include "suda-limits.h"
#include "suda-line-buffer.h"
#include "suda-log-entry.h"

#define MAX_RECONNECT_DELAY_MS 60000
#define QUIT_GRACE_MS 1000
/* A connection that has been silent this long gets a PING of ours; no
 * answer within KEEPALIVE_TIMEOUT_S means the network is gone, even when
 * the kernel has not noticed yet. */
#define KEEPALIVE_IDLE_S 120
#define KEEPALIVE_TIMEOUT_S 60
#define KEEPALIVE_CHECK_S 15
/* Lines beyond a short burst are paced, so a long paste does not trip the
 * server's flood control and get us disconnected. */
#define SEND_BURST 8
#define SEND_INTERVAL_MS 600
/* Room kept for ":nick!user@host " that the server puts in front of our
 * lines when it relays them: user up to 10 bytes, host up to 63. */
#define RELAY_PREFIX_SLACK (1 + 10 + 1 + 63 + 1)

static const char * const wanted_caps[] = {
  "server-time", "echo-message", "batch", "message-tags", "multi-prefix", "away-notify",
};

struct _SudaConnection
{
  GObject              parent_instance;

  char                *host;
  guint16              port;
  char                *password;
  char                *wanted_nick;
  char                *nick;
  SudaConnectionState  state;
  guint                connect_timeout_ms;
  guint                reconnect_delay_ms;

  GSocketClient       *client;
  GCancellable        *cancellable;
  GSocketConnection   *connection;
  GSocket             *socket;
  GSource             *in_source;
  GSource             *out_source;
  SudaLineBuffer       lines;
  gboolean             discarding;      /* skipping the rest of an overlong line */
  gboolean             write_failed;
  GString             *outbuf;

  GQueue               held;            /* lines waiting for registration or pacing */
  guint                tokens;
  guint                pace_id;

  GPtrArray           *channels;        /* joined rooms, to join again after a loss */
  GHashTable          *caps_offered;
  GHashTable          *caps_enabled;
  GHashTable          *batches;         /* id → Batch */
  guint64              batch_serial;
  char                *prefix_modes;    /* ISUPPORT PREFIX, e.g. "ov" */
  char                *prefix_chars;    /* e.g. "@+" */

  guint                nick_attempt;
  guint                reconnect_attempt;
  guint                reconnect_id;
  guint                timeout_id;
  guint                quit_id;
  guint                keepalive_id;
  gint64               last_received;   /* monotonic µs */
  gint64               ping_sent;       /* monotonic µs, 0 when none is out */
  gboolean             timed_out;
  gboolean             quitting;
  gboolean             ever_registered;
  char                *server_error;    /* text of the last ERROR line */
  GError              *fatal_error;     /* reported when the socket closes */
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_NICK,
  PROP_HOST,
  PROP_PORT,
  PROP_PASSWORD,
  PROP_CONNECT_TIMEOUT,
  PROP_RECONNECT_DELAY,
  N_PROPS
};

enum {
  SIGNAL_EVENT,
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_QUARK (suda-connection-error-quark, suda_connection_error)

G_DEFINE_ENUM_TYPE (SudaConnectionState, suda_connection_state,
  G_DEFINE_ENUM_VALUE (SUDA_CONNECTION_DISCONNECTED, "disconnected"),
  G_DEFINE_ENUM_VALUE (SUDA_CONNECTION_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (SUDA_CONNECTION_REGISTERING, "registering"),
  G_DEFINE_ENUM_VALUE (SUDA_CONNECTION_CONNECTED, "connected"),
  G_DEFINE_ENUM_VALUE (SUDA_CONNECTION_RECONNECTING, "reconnecting"))

G_DEFINE_FINAL_TYPE (SudaConnection, suda_connection, G_TYPE_OBJECT)

/* An open IRCv3 batch. */
typedef struct {
  char    *type;
  guint    depth;    /* 1 for a batch outside any other */
  guint64  serial;   /* the order opened, to forget the oldest first */
} Batch;

static void
batch_free (gpointer data)
{
  Batch *batch = data;

  g_free (batch->type);
  g_free (batch);
}

static void start_connect     (SudaConnection *self);
static void close_socket      (SudaConnection *self);
static void flush_output      (SudaConnection *self);
static void handle_loss       (SudaConnection *self);

static void
set_state (SudaConnection      *self,
           SudaConnectionState  state)
{
  if (self->state == state)
    return;
  g_debug ("connection %s:%u: state %d → %d", self->host, self->port, self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_current_nick (SudaConnection *self,
                  const char     *nick)
{
  if (g_strcmp0 (self->nick, nick) == 0)
    return;
  g_free (self->nick);
  self->nick = g_strdup (nick);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

static void
emit_error (SudaConnection      *self,
            SudaConnectionError  code,
            const char          *format,
            ...) G_GNUC_PRINTF (3, 4);

static void
emit_error (SudaConnection      *self,
            SudaConnectionError  code,
            const char          *format,
            ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (SUDA_CONNECTION_ERROR, code, format, args);
  va_end (args);
  g_message ("%s:%u: %s", self->host, self->port, error->message);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

static void
emit_event (SudaConnection *self,
            SudaIrcEvent   *event)
{
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);
}

/* Sets an error that ends the connection for good: it is told once the
 * socket is closed, and no reconnection follows. */
static void
set_fatal (SudaConnection      *self,
           SudaConnectionError  code,
           const char          *message)
{
  if (self->fatal_error == NULL)
    self->fatal_error = g_error_new_literal (SUDA_CONNECTION_ERROR, code, message);
}

/* Sending */

static void
write_line (SudaConnection *self,
            const char     *line)
{
  if (self->socket == NULL || self->write_failed)
    return;
  if (self->outbuf->len + strlen (line) + 2 > SUDA_CLIENT_MAX_SENDQ)
    {
      /* The server stopped reading: the read side sees it as a loss. */
      g_debug ("send queue over %u bytes: giving up on this connection",
               SUDA_CLIENT_MAX_SENDQ);
      g_string_truncate (self->outbuf, 0);
      self->write_failed = TRUE;
      g_socket_shutdown (self->socket, TRUE, TRUE, NULL);
      return;
    }
  g_string_append (self->outbuf, line);
  g_string_append (self->outbuf, "\r\n");
  flush_output (self);
}

static gboolean
on_pace (gpointer user_data)
{
  SudaConnection *self = user_data;

  if (self->tokens < SEND_BURST)
    self->tokens++;
  while (self->tokens > 0 && self->state == SUDA_CONNECTION_CONNECTED &&
         !g_queue_is_empty (&self->held))
    {
      g_autofree char *line = g_queue_pop_head (&self->held);

      self->tokens--;
      write_line (self, line);
    }
  if (self->tokens == SEND_BURST && g_queue_is_empty (&self->held))
    {
      self->pace_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_pacing (SudaConnection *self)
{
  if (self->pace_id == 0)
    self->pace_id = g_timeout_add (SEND_INTERVAL_MS, on_pace, self);
}

/* Lines are held until registration completes; afterwards they go out at
 * once while tokens last, then at the pacing interval. */
static void
queue_line (SudaConnection *self,
            const char     *line)
{
  if (self->state == SUDA_CONNECTION_CONNECTED && g_queue_is_empty (&self->held) &&
      self->tokens > 0)
    {
      self->tokens--;
      write_line (self, line);
      ensure_pacing (self);
      return;
    }
  g_queue_push_tail (&self->held, g_strdup (line));
  if (self->state == SUDA_CONNECTION_CONNECTED)
    ensure_pacing (self);
}

static void
release_held (SudaConnection *self)
{
  while (self->tokens > 0 && !g_queue_is_empty (&self->held))
    {
      g_autofree char *line = g_queue_pop_head (&self->held);

      self->tokens--;
      write_line (self, line);
    }
  if (!g_queue_is_empty (&self->held) || self->tokens < SEND_BURST)
    ensure_pacing (self);
}

static gboolean
on_socket_writable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  SudaConnection *self = user_data;

  g_clear_pointer (&self->out_source, g_source_destroy);
  flush_output (self);
  return G_SOURCE_REMOVE;
}

static void
flush_output (SudaConnection *self)
{
  while (self->socket != NULL && self->outbuf->len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize sent;

      sent = g_socket_send (self->socket, self->outbuf->str, self->outbuf->len, NULL, &error);
      if (sent < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              if (self->out_source == NULL)
                {
                  self->out_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
                  g_source_set_callback (self->out_source, G_SOURCE_FUNC (on_socket_writable),
                                         self, NULL);
                  g_source_attach (self->out_source, NULL);
                  g_source_unref (self->out_source);
                }
              return;
            }
          /* The peer is gone, but what it said last (an ERROR line, say)
           * may still wait to be read: the read side notices the close
           * after reading it and decides what happens next. */
          g_debug ("send failed: %s", error->message);
          g_string_truncate (self->outbuf, 0);
          self->write_failed = TRUE;
          return;
        }
      g_string_erase (self->outbuf, 0, sent);
    }
}

static void
send_params (SudaConnection      *self,
             gboolean             immediately,
             const char          *command,
             const char * const  *params,
             guint                n_params)
{
  g_autoptr(GString) line = g_string_new (NULL);

  suda_irc_append_line (line, NULL, NULL, command, params, n_params);
  g_string_truncate (line, line->len - 2);  /* CR LF is added on the way out */
  if (immediately)
    write_line (self, line->str);
  else
    queue_line (self, line->str);
}

static void
send_now (SudaConnection *self,
          const char     *command,
          ...) G_GNUC_NULL_TERMINATED;

static void
send_now (SudaConnection *self,
          const char     *command,
          ...)
{
  const char *params[SUDA_IRC_MAX_PARAMS];
  const char *param;
  guint n = 0;
  va_list args;

  va_start (args, command);
  while ((param = va_arg (args, const char *)) != NULL && n < SUDA_IRC_MAX_PARAMS)
    params[n++] = param;
  va_end (args);
  send_params (self, TRUE, command, params, n);
}

void
suda_connection_send_command (SudaConnection *self,
                              const char     *command,
                              ...)
{
  const char *params[SUDA_IRC_MAX_PARAMS];
  const char *param;
  guint n = 0;
  va_list args;

  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (command != NULL);

  va_start (args, command);
  while ((param = va_arg (args, const char *)) != NULL && n < SUDA_IRC_MAX_PARAMS)
    params[n++] = param;
  va_end (args);
  send_params (self, FALSE, command, params, n);
}

void
suda_connection_send_raw (SudaConnection *self,
                          const char     *line)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (line != NULL);
  /* A line break inside would let text smuggle in a second command. */
  g_return_if_fail (strpbrk (line, "\r\n") == NULL);
  queue_line (self, line);
}

/* Cuts TEXT into pieces that each fit one line once the server has put its
 * prefix in front; EXTRA bytes per piece are kept for CTCP framing.  Cuts
 * fall on a space when there is one in the second half of a piece. */
GPtrArray *
suda_connection_split_text (SudaConnection *self,
                            const char     *command,
                            const char     *target,
                            const char     *text,
                            gsize           extra)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = NULL;
  gsize nick_len = self->nick ? strlen (self->nick) : (self->wanted_nick ? strlen (self->wanted_nick) : 9);
  gsize overhead = RELAY_PREFIX_SLACK + nick_len + strlen (command) + 1 + strlen (target) + 2 + 2 + extra;
  gsize max = SUDA_IRC_MAX_LINE > overhead + 16 ? SUDA_IRC_MAX_LINE - overhead : 16;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = lines[i];
      gsize len = strlen (p);

      if (len > 0 && p[len - 1] == '\r')
        len--;
      if (len == 0)
        continue;
      while (len > 0)
        {
          gsize cut = suda_utf8_truncate (p, len, max);
          gsize next = cut;

          if (cut < len)
            {
              for (gsize j = cut; j > cut / 2; j--)
                if (p[j] == ' ')
                  {
                    cut = j;
                    next = j + 1;
                    break;
                  }
            }
          if (cut == 0)   /* cannot happen with valid UTF-8; guards the loop */
            cut = next = MIN (len, max);
          g_ptr_array_add (pieces, g_strndup (p, cut));
          p += next;
          len -= next;
        }
    }
  return pieces;
}

/* Without echo-message the server does not send our own lines back, so the
 * event the person expects to see is made up here. */
static void
emit_own (SudaConnection   *self,
          SudaIrcEventKind  kind,
          const char       *command,
          const char       *target,
          const char       *text)
{
  g_autoptr(SudaIrcEvent) event = NULL;

  if (suda_connection_has_cap (self, "echo-message"))
    return;
  event = suda_irc_event_new (kind, command);
  event->time = g_get_real_time ();
  event->nick = g_strdup (self->nick);
  event->target = g_strdup (target);
  event->text = g_strdup (text);
  event->own = TRUE;
  emit_event (self, event);
}

static void
send_text (SudaConnection   *self,
           SudaIrcEventKind  kind,
           const char       *command,
           const char       *target,
           const char       *text)
{
  g_autoptr(GPtrArray) pieces = NULL;
  gboolean action = kind == SUDA_IRC_EVENT_ACTION;

  pieces = suda_connection_split_text (self, command, target, text, action ? 9 : 0);
  for (guint i = 0; i < pieces->len; i++)
    {
      const char *piece = g_ptr_array_index (pieces, i);
      g_autofree char *framed = action ? g_strdup_printf ("\001ACTION %s\001", piece) : NULL;
      const char *params[] = { target, framed ? framed : piece };

      send_params (self, FALSE, command, params, 2);
      emit_own (self, kind, command, target, piece);
    }
}

void
suda_connection_send_message (SudaConnection *self,
                              const char     *target,
                              const char     *text)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  send_text (self, SUDA_IRC_EVENT_MESSAGE, "PRIVMSG", target, text);
}

void
suda_connection_send_action (SudaConnection *self,
                             const char     *target,
                             const char     *text)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  send_text (self, SUDA_IRC_EVENT_ACTION, "PRIVMSG", target, text);
}

void
suda_connection_send_notice (SudaConnection *self,
                             const char     *target,
                             const char     *text)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  send_text (self, SUDA_IRC_EVENT_NOTICE, "NOTICE", target, text);
}

/* Channels remembered for rejoining */

static gint
find_channel (SudaConnection *self,
              const char     *channel)
{
  for (guint i = 0; i + 1 < self->channels->len; i++)   /* the last one is NULL */
    if (suda_irc_casecmp (g_ptr_array_index (self->channels, i), channel) == 0)
      return i;
  return -1;
}

static void
remember_channel (SudaConnection *self,
                  const char     *channel,
                  gboolean        joined)
{
  gint pos = find_channel (self, channel);

  if (joined && pos < 0 && self->channels->len - 1 < SUDA_CLIENT_MAX_ROOMS)
    {
      g_ptr_array_remove_index (self->channels, self->channels->len - 1);  /* the NULL */
      g_ptr_array_add (self->channels, g_strdup (channel));
      g_ptr_array_add (self->channels, NULL);
    }
  else if (!joined && pos >= 0)
    g_ptr_array_remove_index (self->channels, pos);
}

const char * const *
suda_connection_get_channels (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return (const char * const *) self->channels->pdata;
}

/* The membership prefix ('@', '+', …) that a channel mode letter gives,
 * from ISUPPORT PREFIX, or 0 when the mode is not a membership mode. */
char
suda_connection_get_mode_prefix (SudaConnection *self,
                                 char            mode)
{
  const char *p;

  g_return_val_if_fail (SUDA_IS_CONNECTION (self), 0);
  p = strchr (self->prefix_modes, mode);
  if (mode == '\0' || p == NULL || (gsize) (p - self->prefix_modes) >= strlen (self->prefix_chars))
    return 0;
  return self->prefix_chars[p - self->prefix_modes];
}

const char *
suda_connection_get_prefix_chars (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->prefix_chars;
}

/* Incoming lines */

static gboolean
is_own (SudaConnection *self,
        const char     *nick)
{
  return nick != NULL && self->nick != NULL && suda_irc_casecmp (nick, self->nick) == 0;
}

static void
parse_isupport (SudaConnection       *self,
                const SudaIrcMessage *msg)
{
  for (guint i = 1; i + 1 < msg->n_params; i++)
    {
      const char *token = msg->params[i];
      const char *close;

      if (!g_str_has_prefix (token, "PREFIX=(") || !(close = strchr (token, ')')))
        continue;
      g_free (self->prefix_modes);
      g_free (self->prefix_chars);
      self->prefix_modes = g_strndup (token + 8, close - (token + 8));
      self->prefix_chars = g_strdup (close + 1);
    }
}

static void
handle_cap (SudaConnection       *self,
            const SudaIrcMessage *msg)
{
  const char *sub = suda_irc_message_param (msg, 1);
  const char *list;
  gboolean more;

  if (sub == NULL)
    return;
  more = msg->n_params >= 4 && strcmp (msg->params[2], "*") == 0;
  list = suda_irc_message_param (msg, more ? 3 : 2);

  if (g_ascii_strcasecmp (sub, "LS") == 0)
    {
      g_auto(GStrv) caps = g_strsplit (list ? list : "", " ", -1);
      g_autoptr(GString) request = g_string_new (NULL);

      for (guint i = 0; caps[i] != NULL; i++)
        {
          char *eq = strchr (caps[i], '=');

          if (eq != NULL)
            *eq = '\0';
          if (caps[i][0] != '\0' &&
              g_hash_table_size (self->caps_offered) < SUDA_CLIENT_MAX_CAPS)
            g_hash_table_add (self->caps_offered, g_strdup (caps[i]));
        }
      if (more)
        return;
      for (guint i = 0; i < G_N_ELEMENTS (wanted_caps); i++)
        if (g_hash_table_contains (self->caps_offered, wanted_caps[i]))
          g_string_append_printf (request, "%s%s", request->len ? " " : "", wanted_caps[i]);
      if (request->len > 0)
        send_now (self, "CAP", "REQ", request->str, NULL);
      else
        send_now (self, "CAP", "END", NULL);
    }
  else if (g_ascii_strcasecmp (sub, "ACK") == 0)
    {
      g_auto(GStrv) caps = g_strsplit (list ? list : "", " ", -1);

      for (guint i = 0; caps[i] != NULL; i++)
        {
          if (caps[i][0] == '-')
            g_hash_table_remove (self->caps_enabled, caps[i] + 1);
          else if (caps[i][0] != '\0' &&
                   g_hash_table_size (self->caps_enabled) < SUDA_CLIENT_MAX_CAPS)
            g_hash_table_add (self->caps_enabled, g_strdup (caps[i]));
        }
      if (self->state == SUDA_CONNECTION_REGISTERING && !more)
        send_now (self, "CAP", "END", NULL);
    }
  else if (g_ascii_strcasecmp (sub, "NAK") == 0)
    {
      if (self->state == SUDA_CONNECTION_REGISTERING)
        send_now (self, "CAP", "END", NULL);
    }
}

static gboolean
on_keepalive (gpointer user_data)
{
  SudaConnection *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (self->ping_sent != 0 && now - self->ping_sent > KEEPALIVE_TIMEOUT_S * G_USEC_PER_SEC)
    {
      g_debug ("no answer to our PING: the connection is dead");
      self->keepalive_id = 0;
      close_socket (self);
      handle_loss (self);
      return G_SOURCE_REMOVE;
    }
  if (self->ping_sent == 0 && now - self->last_received > KEEPALIVE_IDLE_S * G_USEC_PER_SEC)
    {
      self->ping_sent = now;
      send_now (self, "PING", "suda-keepalive", NULL);
    }
  return G_SOURCE_CONTINUE;
}

static void
handle_registered (SudaConnection       *self,
                   const SudaIrcMessage *msg)
{
  g_autoptr(SudaIrcEvent) event = suda_irc_event_new (SUDA_IRC_EVENT_REGISTERED, msg->command);
  g_autoptr(GPtrArray) rejoin = g_ptr_array_new_with_free_func (g_free);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  set_current_nick (self, msg->params[0]);
  self->reconnect_attempt = 0;
  self->ever_registered = TRUE;
  self->tokens = SEND_BURST;
  self->ping_sent = 0;
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  self->keepalive_id = g_timeout_add_seconds (KEEPALIVE_CHECK_S, on_keepalive, self);
  set_state (self, SUDA_CONNECTION_CONNECTED);

  event->time = g_get_real_time ();
  event->target = g_strdup (self->nick);
  event->text = g_strdup (suda_irc_message_param (msg, 1));
  emit_event (self, event);

  /* Rooms come back first, then whatever was typed while away. */
  for (guint i = 0; i + 1 < self->channels->len; i++)
    g_ptr_array_add (rejoin, g_strdup (g_ptr_array_index (self->channels, i)));
  for (guint i = rejoin->len; i > 0; i--)
    g_queue_push_head (&self->held, g_strdup_printf ("JOIN %s", (char *) g_ptr_array_index (rejoin, i - 1)));
  release_held (self);
}

/* Numerics 433, 432, 464, 465, 417 change what the connection does next;
 * the other errors only need to be told. */
static gboolean
handle_error_numeric (SudaConnection       *self,
                      const SudaIrcMessage *msg)
{
  const char *nick = suda_irc_message_param (msg, 1);

  /* The nickname is shown to the person: only a real one. */
  if (!_suda_connection_is_nickname (nick))
    nick = self->wanted_nick ? self->wanted_nick : "";
  if (strcmp (msg->command, "433") == 0 || strcmp (msg->command, "436") == 0)
    {
      if (self->state != SUDA_CONNECTION_REGISTERING)
        {
          emit_error (self, SUDA_CONNECTION_ERROR_NICK_TAKEN,
                      _("The nickname “%s” is already taken."), nick);
          return TRUE;
        }
      if (self->nick_attempt < 2)
        {
          g_autofree char *next = NULL;

          self->nick_attempt++;
          next = g_strdup_printf ("%s%s", self->wanted_nick,
                                  self->nick_attempt == 1 ? "_" : "__");
          emit_error (self, SUDA_CONNECTION_ERROR_NICK_TAKEN,
                      _("The nickname “%s” is already taken; trying “%s” instead."),
                      nick, next);
          send_now (self, "NICK", next, NULL);
        }
      else
        {
          g_autofree char *message =
            g_strdup_printf (_("The nicknames “%s”, “%s_” and “%s__” are all taken. Choose another nickname."),
                             self->wanted_nick, self->wanted_nick, self->wanted_nick);

          set_fatal (self, SUDA_CONNECTION_ERROR_NICK_TAKEN, message);
          close_socket (self);
          handle_loss (self);
        }
      return TRUE;
    }
  if (strcmp (msg->command, "432") == 0 && self->state == SUDA_CONNECTION_REGISTERING)
    {
      g_autofree char *message =
        g_strdup_printf (_("The server does not accept “%s” as a nickname."), nick);

      set_fatal (self, SUDA_CONNECTION_ERROR_NICK_INVALID, message);
      close_socket (self);
      handle_loss (self);
      return TRUE;
    }
  if (strcmp (msg->command, "464") == 0)
    {
      set_fatal (self, SUDA_CONNECTION_ERROR_PASSWORD,
                 _("The server password is wrong."));
      return TRUE;
    }
  if (strcmp (msg->command, "465") == 0)
    {
      set_fatal (self, SUDA_CONNECTION_ERROR_BANNED,
                 _("This server does not let you in (banned)."));
      return TRUE;
    }
  if (strcmp (msg->command, "417") == 0)
    {
      emit_error (self, SUDA_CONNECTION_ERROR_LINE_TOO_LONG,
                  _("The server refused a line as too long."));
      return TRUE;
    }
  return FALSE;
}

static char *
join_params (const SudaIrcMessage *msg,
             guint                 from)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = from; i < msg->n_params; i++)
    g_string_append_printf (text, "%s%s", text->len ? " " : "", msg->params[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
forget_oldest_batch (SudaConnection *self)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *oldest = NULL;
  guint64 oldest_serial = G_MAXUINT64;

  g_hash_table_iter_init (&iter, self->batches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((Batch *) value)->serial < oldest_serial)
      {
        oldest = key;
        oldest_serial = ((Batch *) value)->serial;
      }
  g_debug ("too many open batches: forgetting %s", oldest);
  g_hash_table_remove (self->batches, oldest);
}

/* BATCH +REF TYPE [...] opens, BATCH -REF closes (IRCv3 batch); a batch
 * inside another carries the outer one's batch tag. */
static void
handle_batch (SudaConnection       *self,
              const SudaIrcMessage *msg)
{
  const char *ref = suda_irc_message_param (msg, 0);
  const char *type = suda_irc_message_param (msg, 1);
  g_autofree char *outer_ref = NULL;
  Batch *outer, *batch;
  guint depth;

  if (ref == NULL || (ref[0] != '+' && ref[0] != '-') || ref[1] == '\0')
    {
      g_debug ("ignoring a BATCH without a reference");
      return;
    }
  if (ref[0] == '-')
    {
      g_hash_table_remove (self->batches, ref + 1);
      return;
    }
  if (type == NULL || *type == '\0')
    {
      g_debug ("ignoring BATCH %s without a type", ref);
      return;
    }
  outer_ref = suda_irc_message_dup_tag (msg, "batch");
  outer = outer_ref ? g_hash_table_lookup (self->batches, outer_ref) : NULL;
  depth = outer ? outer->depth + 1 : 1;
  if (depth > SUDA_CLIENT_MAX_BATCH_DEPTH)
    {
      g_debug ("ignoring BATCH %s nested deeper than %u", ref, SUDA_CLIENT_MAX_BATCH_DEPTH);
      return;
    }
  /* This may forget the outer batch itself: its depth was read before. */
  if (!g_hash_table_contains (self->batches, ref + 1) &&
      g_hash_table_size (self->batches) >= SUDA_CLIENT_MAX_OPEN_BATCHES)
    forget_oldest_batch (self);
  batch = g_new0 (Batch, 1);
  batch->type = g_strdup (type);
  batch->depth = depth;
  batch->serial = ++self->batch_serial;
  g_hash_table_insert (self->batches, g_strdup (ref + 1), batch);
}

static void
handle_message (SudaConnection *self,
                SudaIrcMessage *msg)
{
  g_autoptr(SudaIrcEvent) event = NULL;
  g_autofree char *time_tag = NULL;
  g_autofree char *batch = NULL;
  const char *cmd = msg->command;
  gboolean numeric = g_ascii_isdigit (cmd[0]);
  gint64 time;

  time_tag = suda_irc_message_dup_tag (msg, "time");
  if (time_tag == NULL || !suda_log_parse_time (time_tag, &time))
    time = g_get_real_time ();

  if (strcmp (cmd, "PING") == 0)
    {
      send_now (self, "PONG", msg->n_params > 0 ? msg->params[0] : "", NULL);
      return;
    }
  if (strcmp (cmd, "CAP") == 0)
    {
      handle_cap (self, msg);
      return;
    }
  if (strcmp (cmd, "BATCH") == 0)
    {
      handle_batch (self, msg);
      return;
    }
  if (strcmp (cmd, "ERROR") == 0)
    {
      g_free (self->server_error);
      self->server_error = g_strdup (suda_irc_message_param (msg, 0));
      return;
    }
  if (strcmp (cmd, "001") == 0 && msg->n_params > 0)
    {
      handle_registered (self, msg);
      return;
    }
  if (strcmp (cmd, "005") == 0)
    parse_isupport (self, msg);
  if (numeric && (cmd[0] == '4' || cmd[0] == '5') && handle_error_numeric (self, msg))
    return;
  /* A server from before IRCv3 does not know CAP; registration goes on
   * without it, and the person need not hear about it. */
  if (strcmp (cmd, "421") == 0 && g_strcmp0 (suda_irc_message_param (msg, 1), "CAP") == 0)
    return;

  event = suda_irc_event_new (SUDA_IRC_EVENT_OTHER, cmd);
  event->time = time;
  event->source = g_strdup (msg->source);
  event->nick = suda_irc_source_nick (msg->source);
  event->own = is_own (self, event->nick);
  event->params = g_new0 (char *, msg->n_params + 1);
  for (guint i = 0; i < msg->n_params; i++)
    event->params[i] = g_strdup (msg->params[i]);
  batch = suda_irc_message_dup_tag (msg, "batch");
  if (batch != NULL)
    {
      Batch *open = g_hash_table_lookup (self->batches, batch);

      event->replayed = open != NULL && (strcmp (open->type, "chathistory") == 0 ||
                                         strcmp (open->type, "znc.in/playback") == 0);
    }

  if ((strcmp (cmd, "PRIVMSG") == 0 || strcmp (cmd, "NOTICE") == 0) && msg->n_params >= 2)
    {
      const char *text = msg->params[1];
      gboolean notice = cmd[0] == 'N';

      event->kind = notice ? SUDA_IRC_EVENT_NOTICE : SUDA_IRC_EVENT_MESSAGE;
      event->target = g_strdup (msg->params[0]);
      if (text[0] == '\001')
        {
          g_autofree char *ctcp = g_strdup (text + 1);
          char *end = strchr (ctcp, '\001');

          if (end != NULL)
            *end = '\0';
          if (g_str_has_prefix (ctcp, "ACTION ") && !notice)
            {
              event->kind = SUDA_IRC_EVENT_ACTION;
              event->text = g_strdup (ctcp + 7);
            }
          else
            {
              if (!notice && g_ascii_strcasecmp (ctcp, "VERSION") == 0 && event->nick &&
                  !event->own && g_queue_get_length (&self->held) < SUDA_CLIENT_MAX_HELD_REPLIES)
                {
                  g_autofree char *reply = g_strdup_printf ("\001VERSION Suda %s\001", PACKAGE_VERSION);

                  send_params (self, FALSE, "NOTICE", (const char *[]) { event->nick, reply }, 2);
                }
              return;   /* other CTCP requests are not shown */
            }
        }
      else
        event->text = g_strdup (text);
    }
  else if (strcmp (cmd, "JOIN") == 0 && msg->n_params >= 1)
    {
      event->kind = SUDA_IRC_EVENT_JOIN;
      event->target = g_strdup (msg->params[0]);
      if (event->own)
        remember_channel (self, msg->params[0], TRUE);
    }
  else if (strcmp (cmd, "PART") == 0 && msg->n_params >= 1)
    {
      event->kind = SUDA_IRC_EVENT_PART;
      event->target = g_strdup (msg->params[0]);
      event->text = g_strdup (suda_irc_message_param (msg, 1));
      if (event->own)
        remember_channel (self, msg->params[0], FALSE);
    }
  else if (strcmp (cmd, "QUIT") == 0)
    {
      event->kind = SUDA_IRC_EVENT_QUIT;
      event->text = g_strdup (suda_irc_message_param (msg, 0));
    }
  else if (strcmp (cmd, "NICK") == 0 && msg->n_params >= 1)
    {
      event->kind = SUDA_IRC_EVENT_NICK;
      event->argument = g_strdup (msg->params[0]);
      if (event->own)
        set_current_nick (self, msg->params[0]);
    }
  else if (strcmp (cmd, "KICK") == 0 && msg->n_params >= 2)
    {
      event->kind = SUDA_IRC_EVENT_KICK;
      event->target = g_strdup (msg->params[0]);
      event->argument = g_strdup (msg->params[1]);
      event->text = g_strdup (suda_irc_message_param (msg, 2));
      if (is_own (self, msg->params[1]))
        {
          remember_channel (self, msg->params[0], FALSE);
          if (event->text != NULL && *event->text != '\0' &&
              g_strcmp0 (event->text, event->nick) != 0)
            emit_error (self, SUDA_CONNECTION_ERROR_KICKED, _("%s removed you from %s: %s"),
                        event->nick ? event->nick : _("The server"), msg->params[0], event->text);
          else
            emit_error (self, SUDA_CONNECTION_ERROR_KICKED, _("%s removed you from %s."),
                        event->nick ? event->nick : _("The server"), msg->params[0]);
        }
    }
  else if (strcmp (cmd, "TOPIC") == 0 && msg->n_params >= 1)
    {
      event->kind = SUDA_IRC_EVENT_TOPIC;
      event->target = g_strdup (msg->params[0]);
      event->text = g_strdup (suda_irc_message_param (msg, 1));
    }
  else if (strcmp (cmd, "332") == 0 && msg->n_params >= 3)
    {
      event->kind = SUDA_IRC_EVENT_TOPIC;
      g_clear_pointer (&event->nick, g_free);
      event->target = g_strdup (msg->params[1]);
      event->text = g_strdup (msg->params[2]);
    }
  else if (strcmp (cmd, "MODE") == 0 && msg->n_params >= 2)
    {
      event->kind = SUDA_IRC_EVENT_MODE;
      event->target = g_strdup (msg->params[0]);
      event->text = join_params (msg, 1);
    }
  else if (strcmp (cmd, "353") == 0 && msg->n_params >= 4)
    {
      event->kind = SUDA_IRC_EVENT_NAMES;
      event->target = g_strdup (msg->params[2]);
      event->text = g_strdup (msg->params[3]);
    }
  else if (strcmp (cmd, "366") == 0 && msg->n_params >= 2)
    {
      event->kind = SUDA_IRC_EVENT_END_OF_NAMES;
      event->target = g_strdup (msg->params[1]);
    }
  else if (numeric)
    {
      event->kind = cmd[0] == '4' || cmd[0] == '5' ? SUDA_IRC_EVENT_ERROR : SUDA_IRC_EVENT_INFO;
      g_clear_pointer (&event->nick, g_free);
      event->own = FALSE;
      /* "401 me bob :No such nick" reads best as "bob: No such nick". */
      if (msg->n_params >= 3 && event->kind == SUDA_IRC_EVENT_ERROR)
        {
          g_autofree char *what = join_params (msg, 1);
          char *last = strrchr (what, ' ');

          event->target = g_strdup (msg->params[1]);
          if (last != NULL)
            *last = '\0';
          event->text = g_strdup_printf ("%s: %s", what, msg->params[msg->n_params - 1]);
        }
      else
        event->text = join_params (msg, 1);
    }

  /* The text keeps its formatting codes: the history draws them
   * (suda-format.h), and every plain view strips them there. */
  emit_event (self, event);
}

static void
handle_one_line (SudaConnection *self,
                 char           *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fixed = NULL;
  SudaIrcMessage msg;

  if (!g_utf8_validate (line, -1, NULL))
    {
      /* Old servers and bridges may relay Latin-1; show it rather than drop it. */
      fixed = g_utf8_make_valid (line, -1);
      line = fixed;
    }
  if (!suda_irc_message_parse (&msg, line, &error))
    {
      g_debug ("ignoring a malformed line: %s", error->message);
      return;
    }
  if (!_suda_connection_tags_fit (&msg))
    {
      g_debug ("ignoring a %s line with more than %u bytes of tags", msg.command,
               SUDA_CLIENT_MAX_TAG_BYTES);
      return;
    }
  if (!_suda_connection_line_is_complete (&msg))
    {
      g_debug ("ignoring a %s line with parts missing", msg.command);
      return;
    }
  handle_message (self, &msg);
}

/* LINE (LEN bytes, CR LF gone) may hold a NUL, which no IRC line may, and
 * lone CRs, which some servers end lines with: the NUL drops the line, and
 * each CR ends one. */
static void
handle_line (SudaConnection *self,
             GSocket        *socket,
             char           *line,
             gsize           len)
{
  g_autofree char *copy = NULL;
  char *next;

  if (memchr (line, '\0', len) != NULL)
    {
      g_debug ("ignoring a line with a NUL byte");
      return;
    }
  /* LINE lives in the line buffer, which a handler closing the
   * connection frees: the pieces after the first need a copy. */
  if (strchr (line, '\r') != NULL)
    line = copy = g_strndup (line, len);
  for (char *p = line; p != NULL && self->socket == socket; p = next)
    {
      char *cr = strchr (p, '\r');

      next = NULL;
      if (cr != NULL)
        {
          *cr = '\0';
          next = cr + 1;
        }
      handle_one_line (self, p);
    }
}

/* Splits what arrived into lines and handles each, as long as SOCKET is
 * still the one being read (NULL when fed without a socket). */
static void
receive_bytes (SudaConnection *self,
               GSocket        *socket,
               const char     *data,
               gsize           n)
{
  char *line;
  gsize len;
  SudaLineStatus status;

  self->last_received = g_get_monotonic_time ();
  self->ping_sent = 0;
  suda_line_buffer_append (&self->lines, data, n);
  while (self->socket == socket)
    {
      gsize pending = suda_line_buffer_get_pending (&self->lines);

      status = suda_line_buffer_pop (&self->lines, &line, &len);
      if (status == SUDA_LINE_NONE)
        break;
      if (status == SUDA_LINE_TOO_LONG)
        {
          /* Nothing taken means the line goes on past what arrived: drop
           * what came of it, and its rest up to the next newline too, so
           * no tail is read as a line of its own.  A whole overlong line
           * is gone already, and the lines after it are kept. */
          gboolean cut = suda_line_buffer_get_pending (&self->lines) == pending;

          if (cut)
            g_free (suda_line_buffer_take_partial (&self->lines));
          if (!self->discarding)
            emit_error (self, SUDA_CONNECTION_ERROR_LINE_TOO_LONG,
                        _("The server sent a line that is too long; it was left out."));
          self->discarding = cut;
          continue;
        }
      if (self->discarding)
        {
          self->discarding = FALSE;
          continue;
        }
      handle_line (self, socket, line, len);
    }
}

void
_suda_connection_receive (SudaConnection *self,
                          const char     *data,
                          gsize           len)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (data != NULL || len == 0);

  /* In pieces no larger than a socket read, so the line bound acts the same. */
  for (gsize done = 0; done < len; done += 4096)
    receive_bytes (self, self->socket, data + done, MIN (len - done, 4096));
}

guint
_suda_connection_get_n_held (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), 0);
  return g_queue_get_length (&self->held);
}

static gboolean
on_socket_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  SudaConnection *self = user_data;
  /* Handlers may drop the last other reference to the connection. */
  g_autoptr(GObject) guard G_GNUC_UNUSED = g_object_ref (G_OBJECT (self));
  char buf[4096];

  while (self->socket == socket)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (n <= 0)
        {
          g_debug ("connection closed: %s", error ? error->message : "end of stream");
          self->in_source = NULL;
          close_socket (self);
          handle_loss (self);
          return G_SOURCE_REMOVE;
        }
      receive_bytes (self, socket, buf, n);
    }
  /* A handler may have closed this connection and opened another. */
  if (self->in_source == g_main_current_source ())
    self->in_source = NULL;
  return G_SOURCE_REMOVE;
}

/* Connecting and losing the connection */

static void
close_socket (SudaConnection *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->quit_id, g_source_remove);
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  if (self->in_source != NULL)
    {
      g_source_destroy (self->in_source);
      self->in_source = NULL;
    }
  g_clear_pointer (&self->out_source, g_source_destroy);
  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_clear_object (&self->connection);
  self->socket = NULL;
  self->write_failed = FALSE;
  suda_line_buffer_clear (&self->lines);
  self->discarding = FALSE;
  g_string_truncate (self->outbuf, 0);
  g_hash_table_remove_all (self->caps_offered);
  g_hash_table_remove_all (self->caps_enabled);
  g_hash_table_remove_all (self->batches);
}

static gboolean
on_reconnect (gpointer user_data)
{
  SudaConnection *self = user_data;

  self->reconnect_id = 0;
  start_connect (self);
  return G_SOURCE_REMOVE;
}

guint
suda_connection_get_next_reconnect_delay (SudaConnection *self)
{
  guint64 delay = self->reconnect_delay_ms;

  for (guint i = 0; i < self->reconnect_attempt && delay < MAX_RECONNECT_DELAY_MS; i++)
    delay *= 2;
  return MIN (delay, MAX_RECONNECT_DELAY_MS);
}

static void
schedule_reconnect (SudaConnection *self)
{
  guint delay = suda_connection_get_next_reconnect_delay (self);

  /* ±20 % jitter, so clients dropped together do not all knock at once. */
  delay = (guint) (delay * g_random_double_range (0.8, 1.2));
  self->reconnect_attempt++;
  set_state (self, SUDA_CONNECTION_RECONNECTING);
  g_debug ("reconnecting in %u ms", delay);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  self->reconnect_id = g_timeout_add (delay, on_reconnect, self);
}

static gboolean
is_server_full (const char *server_error)
{
  g_autofree char *lower = g_ascii_strdown (server_error, -1);

  return strstr (lower, "full") != NULL || strstr (lower, "too many") != NULL;
}

/* The socket is gone (or the attempt failed): decide between telling a
 * final error, going quiet after a deliberate quit, and reconnecting. */
static void
handle_loss (SudaConnection *self)
{
  g_autofree char *server_error = g_steal_pointer (&self->server_error);
  gboolean was_connected = self->state == SUDA_CONNECTION_CONNECTED;

  close_socket (self);

  if (self->quitting)
    {
      self->quitting = FALSE;
      return;
    }
  if (self->fatal_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&self->fatal_error);

      g_queue_clear_full (&self->held, g_free);
      set_state (self, SUDA_CONNECTION_DISCONNECTED);
      g_message ("%s:%u: %s", self->host, self->port, error->message);
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
      return;
    }
  if (server_error != NULL && is_server_full (server_error))
    {
      g_queue_clear_full (&self->held, g_free);
      set_state (self, SUDA_CONNECTION_DISCONNECTED);
      emit_error (self, SUDA_CONNECTION_ERROR_SERVER_FULL,
                  _("The server is full (%s). Try again later."), server_error);
      return;
    }

  if (was_connected || self->state == SUDA_CONNECTION_RECONNECTING ||
      (self->ever_registered && self->state == SUDA_CONNECTION_REGISTERING))
    {
      if (was_connected)
        {
          g_autofree char *lower = server_error ? g_ascii_strdown (server_error, -1) : NULL;

          if (lower == NULL)
            emit_error (self, SUDA_CONNECTION_ERROR_CLOSED,
                        _("Lost the connection to the server. Reconnecting…"));
          else if (strstr (lower, "too long") != NULL)
            emit_error (self, SUDA_CONNECTION_ERROR_LINE_TOO_LONG,
                        _("The server closed the connection because a line was too long: %s"),
                        server_error);
          else if (strstr (lower, "shut") || strstr (lower, "stop") || strstr (lower, "restart"))
            emit_error (self, SUDA_CONNECTION_ERROR_SHUTDOWN,
                        _("The server is shutting down (%s). Reconnecting when it is back…"),
                        server_error);
          else
            emit_error (self, SUDA_CONNECTION_ERROR_CLOSED,
                        _("The server closed the connection: %s. Reconnecting…"), server_error);
        }
      schedule_reconnect (self);
      return;
    }

  g_queue_clear_full (&self->held, g_free);
  set_state (self, SUDA_CONNECTION_DISCONNECTED);
  if (server_error != NULL)
    emit_error (self, SUDA_CONNECTION_ERROR_CLOSED,
                _("The server closed the connection: %s"), server_error);
  else
    emit_error (self, SUDA_CONNECTION_ERROR_CLOSED,
                _("The server closed the connection before you were registered."));
}

static void
report_connect_failure (SudaConnection *self,
                        const GError   *error)
{
  if (self->state == SUDA_CONNECTION_RECONNECTING)
    {
      g_debug ("reconnect attempt failed: %s", error->message);
      schedule_reconnect (self);
      return;
    }

  set_state (self, SUDA_CONNECTION_DISCONNECTED);
  g_queue_clear_full (&self->held, g_free);
  if (self->timed_out)
    emit_error (self, SUDA_CONNECTION_ERROR_TIMED_OUT,
                _("%s did not answer in time. Check the address and port, and that the server is running."),
                self->host);
  else if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND) ||
           g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    emit_error (self, SUDA_CONNECTION_ERROR_HOST_NOT_FOUND,
                _("The server “%s” was not found. Check the spelling of its address."), self->host);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    emit_error (self, SUDA_CONNECTION_ERROR_REFUSED,
                _("%s refused the connection on port %u. Is the server running, and is the port right?"),
                self->host, self->port);
  else
    emit_error (self, SUDA_CONNECTION_ERROR_FAILED,
                _("Could not connect to %s: %s"), self->host, error->message);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  SudaConnection *self = user_data;

  self->timeout_id = 0;
  self->timed_out = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else if (self->state == SUDA_CONNECTION_REGISTERING)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "");

      /* Connected, but the server never finished registering us. */
      close_socket (self);
      if (self->ever_registered)
        schedule_reconnect (self);
      else
        report_connect_failure (self, error);
    }
  return G_SOURCE_REMOVE;
}

/* The login name as an IRC user name: letters and digits only, since
 * servers reject or mangle the rest. */
static char *
dup_user_name (void)
{
  GString *user = g_string_new (NULL);

  for (const char *p = g_get_user_name (); *p && user->len < 10; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (user, *p);
  if (user->len == 0)
    g_string_append (user, "suda");
  return g_string_free (user, FALSE);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SudaConnection) self = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->timed_out)
    return;   /* disconnect() was called meanwhile */

  g_clear_object (&self->cancellable);
  if (connection == NULL)
    {
      g_clear_handle_id (&self->timeout_id, g_source_remove);
      report_connect_failure (self, error);
      return;
    }

  self->connection = g_steal_pointer (&connection);
  self->socket = g_socket_connection_get_socket (self->connection);
  g_socket_set_blocking (self->socket, FALSE);
  self->in_source = g_socket_create_source (self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->in_source, G_SOURCE_FUNC (on_socket_readable), self, NULL);
  g_source_attach (self->in_source, NULL);
  g_source_unref (self->in_source);
  _suda_connection_register (self);
}

void
_suda_connection_register (SudaConnection *self)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (self->wanted_nick != NULL);

  set_state (self, SUDA_CONNECTION_REGISTERING);

  /* The registration itself gets the same time again to finish. */
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_id = g_timeout_add (self->connect_timeout_ms * 2, on_connect_timeout, self);

  self->nick_attempt = 0;
  self->last_received = g_get_monotonic_time ();
  send_now (self, "CAP", "LS", "302", NULL);
  if (self->password != NULL && *self->password != '\0')
    send_now (self, "PASS", self->password, NULL);
  send_now (self, "NICK", self->wanted_nick, NULL);
  {
    g_autofree char *user = dup_user_name ();

    send_now (self, "USER", user, "0", "*", g_get_real_name (), NULL);
  }
}

static void
start_connect (SudaConnection *self)
{
  close_socket (self);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->timed_out = FALSE;
  g_clear_pointer (&self->server_error, g_free);
  g_clear_error (&self->fatal_error);

  if (self->state != SUDA_CONNECTION_RECONNECTING)
    set_state (self, SUDA_CONNECTION_CONNECTING);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_id = g_timeout_add (self->connect_timeout_ms, on_connect_timeout, self);
  g_socket_client_connect_to_host_async (self->client, self->host, self->port, self->cancellable,
                                         on_connected, g_object_ref (self));
}

void
suda_connection_connect (SudaConnection *self)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (self->host != NULL && self->wanted_nick != NULL);

  if (self->state != SUDA_CONNECTION_DISCONNECTED)
    return;
  self->quitting = FALSE;
  self->reconnect_attempt = 0;
  self->ever_registered = FALSE;
  g_ptr_array_set_size (self->channels, 0);
  g_ptr_array_add (self->channels, NULL);
  start_connect (self);
}

static gboolean
on_quit_grace_over (gpointer user_data)
{
  SudaConnection *self = user_data;

  self->quit_id = 0;
  close_socket (self);
  self->quitting = FALSE;
  return G_SOURCE_REMOVE;
}

void
suda_connection_disconnect (SudaConnection *self,
                            const char     *message)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->pace_id, g_source_remove);
  g_queue_clear_full (&self->held, g_free);
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  g_clear_error (&self->fatal_error);

  if (self->socket != NULL && self->state >= SUDA_CONNECTION_REGISTERING)
    {
      /* Let the server see QUIT and answer with ERROR before closing, so
       * the others read our message instead of a dropped connection. */
      self->quitting = TRUE;
      send_now (self, "QUIT", message ? message : _("Leaving"), NULL);
      g_clear_handle_id (&self->timeout_id, g_source_remove);
      g_clear_handle_id (&self->quit_id, g_source_remove);
      self->quit_id = g_timeout_add (QUIT_GRACE_MS, on_quit_grace_over, self);
    }
  else
    close_socket (self);

  set_state (self, SUDA_CONNECTION_DISCONNECTED);
}

/* GObject */

static void
suda_connection_dispose (GObject *object)
{
  SudaConnection *self = SUDA_CONNECTION (object);

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->pace_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  close_socket (self);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (suda_connection_parent_class)->dispose (object);
}

static void
suda_connection_finalize (GObject *object)
{
  SudaConnection *self = SUDA_CONNECTION (object);

  g_queue_clear_full (&self->held, g_free);
  if (self->outbuf != NULL)
    g_string_free (g_steal_pointer (&self->outbuf), TRUE);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->caps_offered, g_hash_table_unref);
  g_clear_pointer (&self->caps_enabled, g_hash_table_unref);
  g_clear_pointer (&self->batches, g_hash_table_unref);
  g_clear_pointer (&self->prefix_modes, g_free);
  g_clear_pointer (&self->prefix_chars, g_free);
  g_clear_pointer (&self->server_error, g_free);
  g_clear_error (&self->fatal_error);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->password, g_free);
  g_clear_pointer (&self->wanted_nick, g_free);
  g_clear_pointer (&self->nick, g_free);
  G_OBJECT_CLASS (suda_connection_parent_class)->finalize (object);
}

static void
suda_connection_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SudaConnection *self = SUDA_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_NICK: g_value_set_string (value, suda_connection_get_nick (self)); break;
    case PROP_HOST: g_value_set_string (value, self->host); break;
    case PROP_PORT: g_value_set_uint (value, self->port); break;
    case PROP_PASSWORD: g_value_set_string (value, self->password); break;
    case PROP_CONNECT_TIMEOUT: g_value_set_uint (value, self->connect_timeout_ms); break;
    case PROP_RECONNECT_DELAY: g_value_set_uint (value, self->reconnect_delay_ms); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_connection_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SudaConnection *self = SUDA_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_NICK: suda_connection_set_nick (self, g_value_get_string (value)); break;
    case PROP_HOST: suda_connection_set_server (self, g_value_get_string (value), self->port); break;
    case PROP_PORT: suda_connection_set_server (self, self->host, g_value_get_uint (value)); break;
    case PROP_PASSWORD: suda_connection_set_password (self, g_value_get_string (value)); break;
    case PROP_CONNECT_TIMEOUT: suda_connection_set_connect_timeout (self, g_value_get_uint (value)); break;
    case PROP_RECONNECT_DELAY: suda_connection_set_reconnect_delay (self, g_value_get_uint (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_connection_class_init (SudaConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = suda_connection_dispose;
  object_class->finalize = suda_connection_finalize;
  object_class->get_property = suda_connection_get_property;
  object_class->set_property = suda_connection_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SUDA_TYPE_CONNECTION_STATE,
                       SUDA_CONNECTION_DISCONNECTED, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NICK] = g_param_spec_string ("nick", NULL, NULL, NULL, rw);
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, rw);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 6667, rw);
  properties[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, NULL, rw);
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 1, G_MAXUINT, 15000, rw);
  properties[PROP_RECONNECT_DELAY] =
    g_param_spec_uint ("reconnect-delay", NULL, NULL, 1, MAX_RECONNECT_DELAY_MS, 1000, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SUDA_TYPE_IRC_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
suda_connection_init (SudaConnection *self)
{
  self->port = 6667;
  self->connect_timeout_ms = 15000;
  self->reconnect_delay_ms = 1000;
  self->client = g_socket_client_new ();
  self->outbuf = g_string_new (NULL);
  self->channels = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->channels, NULL);
  self->caps_offered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->caps_enabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->batches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, batch_free);
  self->tokens = SEND_BURST;
  /* RFC 1459's two, until ISUPPORT says otherwise. */
  self->prefix_modes = g_strdup ("ov");
  self->prefix_chars = g_strdup ("@+");
  suda_line_buffer_init (&self->lines, SUDA_CLIENT_MAX_LINE);
}

SudaConnection *
suda_connection_new (void)
{
  return g_object_new (SUDA_TYPE_CONNECTION, NULL);
}

void
suda_connection_set_server (SudaConnection *self,
                            const char     *host,
                            guint16         port)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));

  if (g_strcmp0 (self->host, host) != 0)
    {
      g_free (self->host);
      self->host = g_strdup (host);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
    }
  if (self->port != port)
    {
      self->port = port;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }
}

const char *
suda_connection_get_host (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->host;
}

guint16
suda_connection_get_port (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), 0);
  return self->port;
}

void
suda_connection_set_password (SudaConnection *self,
                              const char     *password)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  if (g_strcmp0 (self->password, password) == 0)
    return;
  g_free (self->password);
  self->password = g_strdup (password);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD]);
}

/* The nickname the server knows us by, or the one we will ask for. */
const char *
suda_connection_get_nick (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->nick ? self->nick : self->wanted_nick;
}

/* Before connecting this is the nickname to ask for; once connected it
 * sends NICK and the change shows when the server confirms it. */
void
suda_connection_set_nick (SudaConnection *self,
                          const char     *nick)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (nick != NULL);

  if (self->state == SUDA_CONNECTION_CONNECTED)
    {
      send_now (self, "NICK", nick, NULL);
      return;
    }
  g_free (self->wanted_nick);
  self->wanted_nick = g_strdup (nick);
  g_clear_pointer (&self->nick, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

SudaConnectionState
suda_connection_get_state (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), SUDA_CONNECTION_DISCONNECTED);
  return self->state;
}

gboolean
suda_connection_is_connected (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), FALSE);
  return self->state == SUDA_CONNECTION_CONNECTED;
}

gboolean
suda_connection_has_cap (SudaConnection *self,
                         const char     *cap)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), FALSE);
  return g_hash_table_contains (self->caps_enabled, cap);
}

void
suda_connection_set_connect_timeout (SudaConnection *self,
                                     guint           timeout_ms)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  if (self->connect_timeout_ms == timeout_ms)
    return;
  self->connect_timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECT_TIMEOUT]);
}

void
suda_connection_set_reconnect_delay (SudaConnection *self,
                                     guint           delay_ms)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  if (self->reconnect_delay_ms == delay_ms)
    return;
  self->reconnect_delay_ms = delay_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_DELAY]);
}
