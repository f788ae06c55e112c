/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gprintf.h>

#include "suda-irc-message.h"
#include "suda-server-private.h"

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

static gboolean on_readable (GSocket *socket, GIOCondition condition, gpointer data);

static void
suda_session_dispose (GObject *object)
{
  SudaSession *self = SUDA_SESSION (object);

  if (self->read_source)
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }
  if (self->write_source)
    {
      g_source_destroy (self->write_source);
      g_clear_pointer (&self->write_source, g_source_unref);
    }
  g_clear_handle_id (&self->throttle_id, g_source_remove);
  g_clear_handle_id (&self->plain_flush_id, g_source_remove);
  g_clear_object (&self->connection);
  self->socket = NULL;

  G_OBJECT_CLASS (suda_session_parent_class)->dispose (object);
}

static void
suda_session_finalize (GObject *object)
{
  SudaSession *self = SUDA_SESSION (object);

  suda_line_buffer_clear (&self->in);
  g_free (self->out);
  g_free (self->nick);
  g_free (self->user);
  g_free (self->realname);
  g_free (self->host);
  g_free (self->mask);
  g_free (self->pass);
  g_free (self->away);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
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
      g_value_set_string (value, self->registered ? self->nick : NULL);
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
  self->channels = g_ptr_array_new ();
}

static char *
describe_peer (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);
  GInetAddress *inet;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  /* An IPv6 address may contain ':' which IRC masks cannot carry first. */
  {
    g_autofree char *text = g_inet_address_to_string (inet);

    if (text[0] == ':')
      return g_strconcat ("0", text, NULL);
    return g_steal_pointer (&text);
  }
}

SudaSession *
_suda_session_new (SudaServer        *server,
                   GSocketConnection *connection)
{
  SudaSession *self = g_object_new (SUDA_TYPE_SESSION, NULL);
  const SudaServerConfig *config = suda_server_get_config (server);

  self->server = server;
  self->connection = g_object_ref (connection);
  self->socket = g_socket_connection_get_socket (connection);
  self->host = describe_peer (connection);
  self->connected_at = g_date_time_new_now_utc ();
  self->last_active = g_get_monotonic_time ();
  self->tokens = config->flood_burst;
  self->tokens_at = self->last_active;
  suda_line_buffer_init (&self->in, config->max_line + SUDA_MAX_TAGS_BYTES);

  g_socket_set_blocking (self->socket, FALSE);
  /* Chat lines are small and latency matters more than packet count. */
  g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  self->read_source = g_socket_create_source (self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  g_source_attach (self->read_source, NULL);
  return self;
}

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

gboolean
suda_session_is_plain (SudaSession *self)
{
  g_return_val_if_fail (SUDA_IS_SESSION (self), FALSE);
  return self->plain;
}

gboolean
suda_session_is_oper (SudaSession *self)
{
  g_return_val_if_fail (SUDA_IS_SESSION (self), FALSE);
  return self->oper;
}

char *
suda_session_dup_channels (SudaSession *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (SUDA_IS_SESSION (self), NULL);
  for (guint i = 0; i < self->channels->len; i++)
    {
      SudaChannel *channel = g_ptr_array_index (self->channels, i);

      if (text->len)
        g_string_append_c (text, ' ');
      g_string_append (text, channel->name);
    }
  return g_string_free (text, FALSE);
}

void
_suda_session_notify_channels (SudaSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNELS]);
}

const char *
_suda_session_target_name (SudaSession *self)
{
  return self->nick ? self->nick : "*";
}

void
_suda_session_set_nick (SudaSession *self,
                        const char  *nick)
{
  char *copy = g_strdup (nick);  /* NICK may be self->nick itself */

  g_free (self->nick);
  self->nick = copy;
  g_free (self->mask);
  self->mask = g_strdup_printf ("%s!%s@%s", copy, self->user ? self->user : copy, self->host);
  if (self->registered)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

/* Output ------------------------------------------------------------------ */

void
_suda_session_send (SudaSession *self,
                    const char  *data,
                    gsize        len)
{
  gsize pending = self->out_len - self->out_off;
  gsize sendq = suda_server_get_config (self->server)->sendq_bytes;

  if (self->socket == NULL || self->closing == 2 || len == 0 || self->sendq_exceeded)
    return;
  if (pending + len > sendq && !self->closing)
    {
      /* A client that does not read must not grow the server's memory.
       * It is closed at the flush, not here: this may run inside a
       * broadcast walking the very member list that closing changes. */
      self->sendq_exceeded = TRUE;
      _suda_server_mark_dirty (self->server, self);
      return;
    }

  if (self->out_off > 0 && self->out_off == self->out_len)
    self->out_off = self->out_len = 0;
  if (self->out_len + len > self->out_cap)
    {
      if (self->out_off > 0)
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
  _suda_server_mark_dirty (self->server, self);
}

void
_suda_session_sendf (SudaSession *self,
                     const char  *format,
                     ...)
{
  g_autofree char *text = NULL;
  va_list args;
  int len;

  va_start (args, format);
  len = g_vasprintf (&text, format, args);
  va_end (args);
  if (len > 0)
    _suda_session_send (self, text, len);
}

void
_suda_session_numeric (SudaSession *self,
                       const char  *numeric,
                       const char  *format,
                       ...)
{
  g_autofree char *body = NULL;
  g_autofree char *line = NULL;
  va_list args;
  gsize len;

  va_start (args, format);
  body = g_strdup_vprintf (format, args);
  va_end (args);

  if (self->plain)
    {
      /* A person reads the sentence, not the numeric around it. */
      const char *text = strstr (body, " :");

      text = text ? text + 2 : body[0] == ':' ? body + 1 : body;
      _suda_session_sendf (self, "*** %s\r\n", text);
      return;
    }
  line = g_strdup_printf (":%s %s %s %s", suda_server_get_config (self->server)->server_name,
                          numeric, _suda_session_target_name (self), body);
  /* Replies never exceed the line limit, even with long user input echoed.
   * When the echoed parameters are what is too long, they are cut rather
   * than the explanation after " :" (a middle parameter holds no " :"). */
  len = strlen (line);
  if (len > SUDA_IRC_MAX_LINE - 2)
    {
      /* From the space before the body, which may itself start with ':'. */
      const char *trailing = strstr (line + strlen (line) - strlen (body) - 1, " :");
      gsize trailing_len = trailing ? strlen (trailing) : 0;
      gsize head_len = trailing ? (gsize) (trailing - line) : 0;
      gsize room = SUDA_IRC_MAX_LINE - 2 - MIN (trailing_len, SUDA_IRC_MAX_LINE - 2);

      if (trailing && trailing_len <= 200 && head_len > room)
        {
          gsize keep = suda_utf8_truncate (line, head_len, room);

          memmove (line + keep, trailing, trailing_len + 1);
          len = keep + trailing_len;
        }
      else
        len = suda_utf8_truncate (line, len, SUDA_IRC_MAX_LINE - 2);
    }
  _suda_session_send (self, line, len);
  _suda_session_send (self, "\r\n", 2);
}

static GString *
build_variant (SudaOutLine *line,
               int          variant)
{
  GString *out = g_string_sized_new (128);
  gsize body_start;

  if (variant == SUDA_VARIANT_TIME || variant == SUDA_VARIANT_TIME_TAGS)
    {
      g_autofree char *time = suda_irc_format_time_tag (line->time);

      g_string_append_printf (out, "@time=%s", time);
      if (variant == SUDA_VARIANT_TIME_TAGS && line->client_tags)
        g_string_append_printf (out, ";%s", line->client_tags);
      g_string_append_c (out, ' ');
    }
  else if (variant == SUDA_VARIANT_TAGS && line->client_tags)
    g_string_append_printf (out, "@%s ", line->client_tags);

  body_start = out->len;
  g_string_append_printf (out, ":%s %s", line->source, line->command);
  if (line->target)
    g_string_append_printf (out, " %s", line->target);
  /* Relayed text always goes as a trailing parameter, as most servers
   * send it, so simple clients need not handle the other form.  The
   * sender's mask in front may push a line its client kept within 512
   * bytes over the limit: the text is cut (on a UTF-8 boundary) to fit. */
  if (line->text)
    {
      gsize used = out->len - body_start + strlen (" :") + strlen ("\r\n");
      gsize room = used < SUDA_IRC_MAX_LINE ? SUDA_IRC_MAX_LINE - used : 0;

      g_string_append (out, " :");
      g_string_append_len (out, line->text, suda_utf8_truncate (line->text, strlen (line->text), room));
    }
  g_string_append (out, "\r\n");
  return out;
}

GString *_suda_commands_render_plain (SudaSession *session, SudaOutLine *line);

void
_suda_session_send_out_line (SudaSession *self,
                             SudaOutLine *line)
{
  int variant;

  if (self->plain)
    {
      g_autoptr(GString) text = _suda_commands_render_plain (self, line);

      if (text != NULL)
        _suda_session_send (self, text->str, text->len);
      return;
    }

  variant = SUDA_VARIANT_BARE;
  if (self->caps & SUDA_CAP_SERVER_TIME)
    variant = SUDA_VARIANT_TIME;
  if ((self->caps & SUDA_CAP_MESSAGE_TAGS) && line->client_tags)
    variant = variant == SUDA_VARIANT_TIME ? SUDA_VARIANT_TIME_TAGS : SUDA_VARIANT_TAGS;

  if (line->variants[variant] == NULL)
    line->variants[variant] = build_variant (line, variant);
  _suda_session_send (self, line->variants[variant]->str, line->variants[variant]->len);
}

void
_suda_out_line_clear (SudaOutLine *line)
{
  for (guint i = 0; i < G_N_ELEMENTS (line->variants); i++)
    if (line->variants[i])
      g_string_free (g_steal_pointer (&line->variants[i]), TRUE);
}

static gboolean
on_writable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  SudaSession *self = data;

  g_clear_pointer (&self->write_source, g_source_unref);
  _suda_server_mark_dirty (self->server, self);
  return G_SOURCE_REMOVE;
}

/* Sends what is pending without blocking.  Returns FALSE once the session
 * is gone (the caller must not touch it again). */
gboolean
_suda_session_flush (SudaSession *self)
{
  if (self->sendq_exceeded && !self->closing)
    {
      /* What it did not read is dropped; it gets only the ERROR line. */
      self->out_off = self->out_len = 0;
      self->sendq_exceeded = FALSE;
      _suda_session_close (self, "SendQ exceeded");
    }
  while (self->out_off < self->out_len && self->socket != NULL)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (self->socket, self->out + self->out_off,
                                self->out_len - self->out_off, NULL, &error);

      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              /* The kernel's buffer is full: wait for it to drain. */
              if (self->write_source == NULL)
                {
                  self->write_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
                  g_source_set_callback (self->write_source, G_SOURCE_FUNC (on_writable), self, NULL);
                  g_source_attach (self->write_source, NULL);
                }
              return TRUE;
            }
          self->out_off = self->out_len = 0;
          if (!self->closing)
            _suda_session_close (self, error->message);
          self->closing = 2;
          break;
        }
      self->out_off += n;
    }

  if (self->out_off == self->out_len)
    {
      self->out_off = self->out_len = 0;
      /* An idle session keeps no output buffer. */
      if (self->out_cap > 4096 || self->closing)
        {
          g_clear_pointer (&self->out, g_free);
          self->out_cap = 0;
        }
    }

  if (self->closing && self->out_len == 0)
    {
      if (self->socket != NULL)
        g_socket_shutdown (self->socket, FALSE, TRUE, NULL);
      _suda_server_remove_session (self->server, self);
      return FALSE;
    }
  return TRUE;
}

/* Closing: the reason is sent as ERROR, the output is flushed, then the
 * session leaves the server.  Channel members see a QUIT. */
void
_suda_session_close (SudaSession *self,
                     const char  *reason)
{
  if (self->closing)
    return;

  _suda_commands_quit (self, reason);
  /* Closing from here on: the last words below go out even past the sendq
   * (a full sendq is a reason to close, and must not recurse into here),
   * and last_active now dates the close for _suda_session_check_ping(). */
  self->closing = 1;
  self->last_active = g_get_monotonic_time ();
  if (!self->plain)
    {
      /* The reason may be a client's long QUIT text: the line stays within 512 bytes. */
      int room = SUDA_IRC_MAX_LINE - (int) strlen ("ERROR :Closing link:  ()\r\n") - (int) strlen (self->host);

      _suda_session_sendf (self, "ERROR :Closing link: %s (%.*s)\r\n", self->host,
                           (int) suda_utf8_truncate (reason, strlen (reason), MAX (room, 0)), reason);
    }
  else
    _suda_session_sendf (self, "*** %s\r\n", reason);

  if (self->read_source)
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }
  g_clear_handle_id (&self->throttle_id, g_source_remove);
  g_clear_handle_id (&self->plain_flush_id, g_source_remove);
  _suda_server_mark_dirty (self->server, self);
}

/* Input ------------------------------------------------------------------- */

static gboolean process_input (SudaSession *self);

static gboolean
on_throttle_done (gpointer data)
{
  SudaSession *self = data;

  self->throttle_id = 0;
  process_input (self);
  return G_SOURCE_REMOVE;
}

/* Token bucket: FLOOD_BURST lines at once, then FLOOD_RATE lines a second. */
static gboolean
take_token (SudaSession *self)
{
  const SudaServerConfig *config = suda_server_get_config (self->server);
  gint64 now;

  if (!config->flood_control || !self->registered)
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
    self->throttle_id = g_timeout_add ((guint) (1000 / config->flood_rate) + 1,
                                       on_throttle_done, self);
  return FALSE;
}

gboolean _suda_commands_plain_line (SudaSession *self, char *line, gsize len);

/* Returns FALSE when the session is closing. */
static gboolean
process_input (SudaSession *self)
{
  const SudaServerConfig *config = suda_server_get_config (self->server);
  char *line;
  gsize len;

  while (!self->closing)
    {
      SudaLineStatus status;

      if (self->throttle_id != 0 || !take_token (self))
        {
          /* Unprocessed lines wait in the buffer; a client that keeps
           * sending faster than it may is cut off once it is full. */
          if (suda_line_buffer_get_pending (&self->in) > config->recvq_bytes)
            {
              _suda_session_close (self, "Excess Flood");
              return FALSE;
            }
          return TRUE;
        }

      status = suda_line_buffer_pop (&self->in, &line, &len);
      if (status == SUDA_LINE_NONE)
        {
          if (self->tokens < config->flood_burst)
            self->tokens += 1;  /* give back the token no line used */
          return TRUE;
        }
      if (status == SUDA_LINE_TOO_LONG)
        {
          _suda_session_numeric (self, "417", ":Input line was too long");
          _suda_session_close (self, "Line too long");
          return FALSE;
        }
      self->last_active = g_get_monotonic_time ();
      self->ping_sent = 0;
      if (self->plain)
        _suda_commands_plain_line (self, line, len);
      else
        _suda_commands_dispatch (self, line, len);
    }
  return FALSE;
}

static gboolean on_plain_pause (gpointer data);

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

  /* The seeds' console clients send a message as one write with no newline:
   * a plain session ends such a line after a short pause. */
  if ((self->plain || !self->greeted) && suda_line_buffer_get_pending (&self->in) > 0)
    {
      g_clear_handle_id (&self->plain_flush_id, g_source_remove);
      self->plain_flush_id = g_timeout_add (300, on_plain_pause, self);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_plain_pause (gpointer data)
{
  SudaSession *self = data;
  g_autofree char *partial = NULL;

  self->plain_flush_id = 0;
  partial = suda_line_buffer_take_partial (&self->in);
  if (partial != NULL)
    {
      gsize len = strlen (partial);

      if (len > 0 && partial[len - 1] == '\r')
        partial[--len] = '\0';
      /* A first line may also come without a newline: it decides. */
      if (self->plain)
        _suda_commands_plain_line (self, partial, len);
      else
        _suda_commands_dispatch (self, partial, len);
    }
  return G_SOURCE_REMOVE;
}

void
_suda_session_check_ping (SudaSession *self,
                          gint64       now)
{
  const SudaServerConfig *config = suda_server_get_config (self->server);
  gint64 idle = now - self->last_active;

  if (self->closing)
    {
      /* A peer that never reads its last words does not keep its socket
       * and buffer here for ever. */
      if (self->closing == 1 && idle > (gint64) config->ping_timeout_ms * 1000)
        {
          if (self->write_source)
            {
              g_source_destroy (self->write_source);
              g_clear_pointer (&self->write_source, g_source_unref);
            }
          _suda_server_remove_session (self->server, self);
        }
      return;
    }
  if (!self->registered && idle > (gint64) config->ping_timeout_ms * 1000)
    {
      _suda_session_close (self, "Registration timeout");
      return;
    }
  /* People on nc or telnet cannot answer PING; TCP tells when they leave. */
  if (self->plain)
    return;
  if (self->ping_sent && now - self->ping_sent > (gint64) config->ping_timeout_ms * 1000)
    {
      _suda_session_close (self, "Ping timeout");
      return;
    }
  if (self->registered && !self->ping_sent &&
      idle > (gint64) config->ping_interval_ms * 1000)
    {
      self->ping_sent = now;
      if (!self->plain)
        _suda_session_sendf (self, "PING :%s\r\n", config->server_name);
    }
}
