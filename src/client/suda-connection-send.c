/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection's way out: the send buffer, pacing, and text cut into
 * lines that fit. */
#include "config.h"

#include <string.h>

#include "suda-connection-private.h"
#include "suda-limits.h"
#include "suda-text.h"

/* Room kept for ":nick!user@host " that the server puts in front of our
 * lines when it relays them: user up to 10 bytes, host up to 63. */
#define RELAY_PREFIX_SLACK (1 + 10 + 1 + 63 + 1)
/* "\001ACTION " and the closing "\001" around /me text. */
#define ACTION_FRAMING 9

static void flush_output (SudaConnection *self);

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
    self->pace_id = _suda_connection_add_timeout (self, SEND_INTERVAL_MS, on_pace);
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

void
_suda_connection_release_held (SudaConnection *self)
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
on_socket_writable (GObject  *stream,
                    gpointer  user_data)
{
  SudaConnection *self = user_data;

  g_clear_pointer (&self->out_source, g_source_destroy);
  flush_output (self);
  return G_SOURCE_REMOVE;
}

static void
wait_writable (SudaConnection *self)
{
  if (self->out_source != NULL)
    return;
  self->out_source = g_pollable_output_stream_create_source (
      G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->stream)), NULL);
  g_source_set_callback (self->out_source, G_SOURCE_FUNC (on_socket_writable), self, NULL);
  g_source_attach (self->out_source, NULL);
  g_source_unref (self->out_source);
}

static void
flush_output (SudaConnection *self)
{
  while (self->socket != NULL && self->outbuf->len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize sent;

      sent = g_pollable_output_stream_write_nonblocking (
          G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->stream)),
          self->outbuf->str, self->outbuf->len, NULL, &error);
      if (sent < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              wait_writable (self);
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

void
_suda_connection_send_params (SudaConnection     *self,
                              gboolean            immediately,
                              const char         *command,
                              const char * const *params,
                              guint               n_params)
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
send_valist (SudaConnection *self,
             gboolean        immediately,
             const char     *command,
             va_list         args)
{
  const char *params[SUDA_IRC_MAX_PARAMS];
  const char *param;
  guint n = 0;

  while ((param = va_arg (args, const char *)) != NULL && n < SUDA_IRC_MAX_PARAMS)
    params[n++] = param;
  _suda_connection_send_params (self, immediately, command, params, n);
}

void
_suda_connection_send_now (SudaConnection *self,
                           const char     *command,
                           ...)
{
  va_list args;

  va_start (args, command);
  send_valist (self, TRUE, command, args);
  va_end (args);
}

void
suda_connection_send_command (SudaConnection *self,
                              const char     *command,
                              ...)
{
  va_list args;

  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (command != NULL);

  va_start (args, command);
  send_valist (self, FALSE, command, args);
  va_end (args);
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
  _suda_connection_emit_event (self, event);
}

/* The bytes a piece of text may have so that its line, once the server
 * has put our prefix in front, stays within the IRC line limit. */
static gsize
max_text_bytes (SudaConnection *self,
                const char     *command,
                const char     *target,
                gsize           extra)
{
  const char *nick = self->nick ? self->nick : self->wanted_nick;
  gsize nick_len = nick ? strlen (nick) : 9;
  gsize overhead = RELAY_PREFIX_SLACK + nick_len + strlen (command) + 1 + strlen (target) +
                   2 + 2 + extra;

  return SUDA_IRC_MAX_LINE > overhead + 16 ? SUDA_IRC_MAX_LINE - overhead : 16;
}

static void
send_text (SudaConnection   *self,
           SudaIrcEventKind  kind,
           const char       *command,
           const char       *target,
           const char       *text)
{
  gboolean action = kind == SUDA_IRC_EVENT_ACTION;
  gsize max = max_text_bytes (self, command, target, action ? ACTION_FRAMING : 0);
  g_auto(GStrv) pieces = suda_text_split_lines (text, max, 0, NULL);

  for (guint i = 0; pieces[i] != NULL; i++)
    {
      g_autofree char *framed = action ? g_strdup_printf ("\001ACTION %s\001", pieces[i]) : NULL;
      const char *params[] = { target, framed ? framed : pieces[i] };

      _suda_connection_send_params (self, FALSE, command, params, 2);
      emit_own (self, kind, command, target, pieces[i]);
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
