/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection's way in: bytes into lines, lines into messages, and
 * each message to its handler by a table of commands (numerics are in
 * suda-connection-numerics.c). */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-connection-private.h"
#include "suda-limits.h"
#include "suda-log-entry.h"

gboolean
_suda_connection_is_own (SudaConnection *self,
                         const char     *nick)
{
  return nick != NULL && self->nick != NULL && suda_irc_casecmp (nick, self->nick) == 0;
}

char *
_suda_connection_join_params (const SudaIrcMessage *msg,
                              guint                 from)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = from; i < msg->n_params; i++)
    g_string_append_printf (text, "%s%s", text->len ? " " : "", msg->params[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
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

/* Batches (IRCv3 batch) */

static void
forget_oldest_batch (SudaConnection *self)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *oldest = NULL;
  guint64 oldest_serial = G_MAXUINT64;

  g_hash_table_iter_init (&iter, self->batches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((SudaConnectionBatch *) value)->serial < oldest_serial)
      {
        oldest = key;
        oldest_serial = ((SudaConnectionBatch *) value)->serial;
      }
  g_debug ("too many open batches: forgetting %s", oldest);
  g_hash_table_remove (self->batches, oldest);
}

static void
open_batch (SudaConnection       *self,
            const SudaIrcMessage *msg,
            const char           *ref,
            const char           *type)
{
  g_autofree char *outer_ref = suda_irc_message_dup_tag (msg, "batch");
  SudaConnectionBatch *outer = outer_ref ? g_hash_table_lookup (self->batches, outer_ref) : NULL;
  guint depth = outer ? outer->depth + 1 : 1;
  SudaConnectionBatch *batch;

  if (depth > SUDA_CLIENT_MAX_BATCH_DEPTH)
    {
      g_debug ("ignoring BATCH %s nested deeper than %u", ref, SUDA_CLIENT_MAX_BATCH_DEPTH);
      return;
    }
  /* This may forget the outer batch itself: its depth was read before. */
  if (!g_hash_table_contains (self->batches, ref) &&
      g_hash_table_size (self->batches) >= SUDA_CLIENT_MAX_OPEN_BATCHES)
    forget_oldest_batch (self);
  batch = g_new0 (SudaConnectionBatch, 1);
  batch->type = g_strdup (type);
  batch->depth = depth;
  batch->serial = ++self->batch_serial;
  g_hash_table_insert (self->batches, g_strdup (ref), batch);
}

static gboolean
is_history_batch (SudaConnectionBatch *batch)
{
  return batch != NULL && (strcmp (batch->type, "chathistory") == 0 ||
                           strcmp (batch->type, "znc.in/playback") == 0);
}

/* BATCH +REF TYPE [...] opens, BATCH -REF closes; a batch inside another
 * carries the outer one's batch tag.  History batches go up as events:
 * a page of older history is one of them, and ends with it. */
static gboolean
handle_batch (SudaConnection       *self,
              const SudaIrcMessage *msg,
              SudaIrcEvent         *event)
{
  const char *ref = suda_irc_message_param (msg, 0);
  const char *type = suda_irc_message_param (msg, 1);
  gboolean history;

  if (ref == NULL || (ref[0] != '+' && ref[0] != '-') || ref[1] == '\0')
    {
      g_debug ("ignoring a BATCH without a reference");
      return FALSE;
    }
  event->argument = g_strdup (ref + 1);
  if (ref[0] == '-')
    {
      history = is_history_batch (g_hash_table_lookup (self->batches, ref + 1));
      g_hash_table_remove (self->batches, ref + 1);
      event->kind = SUDA_IRC_EVENT_HISTORY_END;
      return history;
    }
  if (type == NULL || *type == '\0')
    {
      g_debug ("ignoring BATCH %s without a type", ref);
      return FALSE;
    }
  open_batch (self, msg, ref + 1, type);
  event->kind = SUDA_IRC_EVENT_HISTORY_START;
  event->target = g_strdup (suda_irc_message_param (msg, 2));
  return event->target != NULL && is_history_batch (g_hash_table_lookup (self->batches, ref + 1));
}

/* The history batch MSG is in, or NULL. */
static char *
dup_history_batch (SudaConnection       *self,
                   const SudaIrcMessage *msg)
{
  g_autofree char *ref = suda_irc_message_dup_tag (msg, "batch");

  if (ref == NULL || !is_history_batch (g_hash_table_lookup (self->batches, ref)))
    return NULL;
  return g_steal_pointer (&ref);
}

/* draft/read-marker: "MARKREAD target timestamp=…" or "MARKREAD target *". */
static gboolean
handle_markread (SudaConnection       *self,
                 const SudaIrcMessage *msg,
                 SudaIrcEvent         *event)
{
  const char *stamp = suda_irc_message_param (msg, 1);

  event->kind = SUDA_IRC_EVENT_READ_MARKER;
  event->target = g_strdup (msg->params[0]);
  event->time = 0;
  if (stamp != NULL && g_str_has_prefix (stamp, "timestamp=") &&
      !suda_log_parse_time (stamp + strlen ("timestamp="), &event->time))
    event->time = 0;
  return TRUE;
}

/* Commands */

static gboolean
handle_ping (SudaConnection       *self,
             const SudaIrcMessage *msg,
             SudaIrcEvent         *event)
{
  _suda_connection_send_now (self, "PONG", msg->n_params > 0 ? msg->params[0] : "", NULL);
  return FALSE;
}

/* The server's last words before it closes: what the loss is told as. */
static gboolean
handle_error (SudaConnection       *self,
              const SudaIrcMessage *msg,
              SudaIrcEvent         *event)
{
  g_free (self->server_error);
  self->server_error = g_strdup (suda_irc_message_param (msg, 0));
  return FALSE;
}

/* CTCP requests other than ACTION are answered (VERSION) or dropped. */
static gboolean
handle_ctcp (SudaConnection *self,
             SudaIrcEvent   *event,
             gboolean        notice,
             const char     *text)
{
  g_autofree char *ctcp = g_strdup (text + 1);
  char *end = strchr (ctcp, '\001');

  if (end != NULL)
    *end = '\0';
  if (g_str_has_prefix (ctcp, "ACTION ") && !notice)
    {
      event->kind = SUDA_IRC_EVENT_ACTION;
      event->text = g_strdup (ctcp + 7);
      return TRUE;
    }
  if (!notice && g_ascii_strcasecmp (ctcp, "VERSION") == 0 && event->nick && !event->own &&
      g_queue_get_length (&self->held) < SUDA_CLIENT_MAX_HELD_REPLIES)
    {
      g_autofree char *reply = g_strdup_printf ("\001VERSION Suda %s\001", PACKAGE_VERSION);

      _suda_connection_send_params (self, FALSE, "NOTICE", (const char *[]) { event->nick, reply }, 2);
    }
  return FALSE;
}

/* PRIVMSG and NOTICE.  The text keeps its formatting codes: the history
 * draws them (suda-format.h), and every plain view strips them there. */
static gboolean
handle_text (SudaConnection       *self,
             const SudaIrcMessage *msg,
             SudaIrcEvent         *event)
{
  gboolean notice = msg->command[0] == 'N';

  event->kind = notice ? SUDA_IRC_EVENT_NOTICE : SUDA_IRC_EVENT_MESSAGE;
  event->target = g_strdup (msg->params[0]);
  if (msg->params[1][0] == '\001')
    return handle_ctcp (self, event, notice, msg->params[1]);
  event->text = g_strdup (msg->params[1]);
  return TRUE;
}

static gboolean
handle_join (SudaConnection       *self,
             const SudaIrcMessage *msg,
             SudaIrcEvent         *event)
{
  event->kind = SUDA_IRC_EVENT_JOIN;
  event->target = g_strdup (msg->params[0]);
  if (event->own)
    remember_channel (self, msg->params[0], TRUE);
  return TRUE;
}

static gboolean
handle_part (SudaConnection       *self,
             const SudaIrcMessage *msg,
             SudaIrcEvent         *event)
{
  event->kind = SUDA_IRC_EVENT_PART;
  event->target = g_strdup (msg->params[0]);
  event->text = g_strdup (suda_irc_message_param (msg, 1));
  if (event->own)
    remember_channel (self, msg->params[0], FALSE);
  return TRUE;
}

static gboolean
handle_quit (SudaConnection       *self,
             const SudaIrcMessage *msg,
             SudaIrcEvent         *event)
{
  event->kind = SUDA_IRC_EVENT_QUIT;
  event->text = g_strdup (suda_irc_message_param (msg, 0));
  return TRUE;
}

static gboolean
handle_nick (SudaConnection       *self,
             const SudaIrcMessage *msg,
             SudaIrcEvent         *event)
{
  event->kind = SUDA_IRC_EVENT_NICK;
  event->argument = g_strdup (msg->params[0]);
  if (!event->own)
    return TRUE;
  /* A nickname taken with /nick is the one to come back with after a loss. */
  g_free (self->wanted_nick);
  self->wanted_nick = g_strdup (msg->params[0]);
  _suda_connection_set_current_nick (self, msg->params[0]);
  return TRUE;
}

/* Being kicked is told as an error too: the person is out of a room. */
static gboolean
handle_kick (SudaConnection       *self,
             const SudaIrcMessage *msg,
             SudaIrcEvent         *event)
{
  const char *by = event->nick ? event->nick : _("The server");

  event->kind = SUDA_IRC_EVENT_KICK;
  event->target = g_strdup (msg->params[0]);
  event->argument = g_strdup (msg->params[1]);
  event->text = g_strdup (suda_irc_message_param (msg, 2));
  if (!_suda_connection_is_own (self, msg->params[1]))
    return TRUE;
  remember_channel (self, msg->params[0], FALSE);
  if (event->text != NULL && *event->text != '\0' && g_strcmp0 (event->text, event->nick) != 0)
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_KICKED, _("%s removed you from %s: %s"),
                                 by, msg->params[0], event->text);
  else
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_KICKED, _("%s removed you from %s."),
                                 by, msg->params[0]);
  return TRUE;
}

static gboolean
handle_topic (SudaConnection       *self,
              const SudaIrcMessage *msg,
              SudaIrcEvent         *event)
{
  event->kind = SUDA_IRC_EVENT_TOPIC;
  event->target = g_strdup (msg->params[0]);
  event->text = g_strdup (suda_irc_message_param (msg, 1));
  return TRUE;
}

static gboolean
handle_mode (SudaConnection       *self,
             const SudaIrcMessage *msg,
             SudaIrcEvent         *event)
{
  event->kind = SUDA_IRC_EVENT_MODE;
  event->target = g_strdup (msg->params[0]);
  event->text = _suda_connection_join_params (msg, 1);
  return TRUE;
}

/* Sorted by command.  Columns: handler, then what the line needs (see
 * SudaConnectionCommand): min params, a source, channels, nicks, names. */
static const SudaConnectionCommand commands[] = {
  { "AUTHENTICATE", _suda_connection_handle_authenticate, 1, FALSE, 0, 0,   0 },
  { "BATCH",   handle_batch,                0, FALSE, 0,         0,         0 },
  { "CAP",     _suda_connection_handle_cap, 0, FALSE, 0,         0,         0 },
  { "ERROR",   handle_error,                0, FALSE, 0,         0,         0 },
  { "FAIL",    _suda_connection_handle_fail, 2, FALSE, 0,        0,         0 },
  { "JOIN",    handle_join,                 1, TRUE,  PARAM (0), 0,         0 },
  { "KICK",    handle_kick,                 2, TRUE,  PARAM (0), PARAM (1), 0 },
  { "MARKREAD", handle_markread,            1, FALSE, 0,         0,         PARAM (0) },
  { "MODE",    handle_mode,                 2, FALSE, 0,         0,         PARAM (0) },
  { "NICK",    handle_nick,                 1, TRUE,  0,         PARAM (0), 0 },
  { "NOTICE",  handle_text,                 2, FALSE, 0,         0,         PARAM (0) },
  { "PART",    handle_part,                 1, TRUE,  PARAM (0), 0,         0 },
  { "PING",    handle_ping,                 0, FALSE, 0,         0,         0 },
  { "PRIVMSG", handle_text,                 2, FALSE, 0,         0,         PARAM (0) },
  { "QUIT",    handle_quit,                 0, TRUE,  0,         0,         0 },
  { "REGISTER", _suda_connection_handle_register, 2, FALSE, 0,     0,         0 },
  { "TOPIC",   handle_topic,                2, FALSE, PARAM (0), 0,         0 },
};

static const SudaConnectionCommand *
find_command (const char *command)
{
  if (g_ascii_isdigit (command[0]))
    return _suda_connection_find_numeric (command);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].command, command) == 0)
      return &commands[i];
  return NULL;
}

/* What every event starts with, whatever its command. */
static SudaIrcEvent *
new_event (SudaConnection       *self,
           const SudaIrcMessage *msg)
{
  SudaIrcEvent *event = suda_irc_event_new (SUDA_IRC_EVENT_OTHER, msg->command);
  g_autofree char *time_tag = suda_irc_message_dup_tag (msg, "time");

  if (time_tag == NULL || !suda_log_parse_time (time_tag, &event->time))
    event->time = g_get_real_time ();
  event->source = g_strdup (msg->source);
  event->nick = suda_irc_source_nick (msg->source);
  event->own = _suda_connection_is_own (self, event->nick);
  event->params = g_new0 (char *, msg->n_params + 1);
  for (guint i = 0; i < msg->n_params; i++)
    event->params[i] = g_strdup (msg->params[i]);
  event->batch = dup_history_batch (self, msg);
  event->replayed = event->batch != NULL;
  event->msgid = suda_irc_message_dup_tag (msg, "msgid");
  return event;
}

static void
handle_message (SudaConnection              *self,
                const SudaIrcMessage        *msg,
                const SudaConnectionCommand *entry)
{
  g_autoptr(SudaIrcEvent) event = new_event (self, msg);
  gboolean emit;

  if (entry != NULL)
    emit = entry->handler (self, msg, event);
  else if (g_ascii_isdigit (msg->command[0]))
    emit = _suda_connection_numeric_default (self, msg, event);
  else
    emit = TRUE;   /* goes up as SUDA_IRC_EVENT_OTHER */
  if (emit)
    _suda_connection_emit_event (self, event);
}

/* Lines */

static void
handle_one_line (SudaConnection *self,
                 char           *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fixed = NULL;
  const SudaConnectionCommand *entry;
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
  entry = find_command (msg.command);
  if (!_suda_connection_line_is_complete (&msg, entry))
    {
      g_debug ("ignoring a %s line with parts missing", msg.command);
      return;
    }
  handle_message (self, &msg, entry);
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

/* An overlong line: nothing taken (the line buffer's pending bytes did not
 * change) means the line goes on past what arrived, so what came of it is
 * dropped, and its rest up to the next newline too, so no tail is read as
 * a line of its own.  A whole overlong line is gone already, and the lines
 * after it are kept. */
static void
skip_overlong (SudaConnection *self,
               gsize           pending_before)
{
  gboolean cut = suda_line_buffer_get_pending (&self->lines) == pending_before;

  if (cut)
    g_free (suda_line_buffer_take_partial (&self->lines));
  if (!self->discarding)
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_LINE_TOO_LONG,
                                 _("The server sent a line that is too long; it was left out."));
  self->discarding = cut;
}

/* Splits what arrived into lines and handles each, as long as SOCKET is
 * still the one being read (NULL when fed without a socket). */
static void
receive_bytes (SudaConnection *self,
               GSocket        *socket,
               const char     *data,
               gsize           n)
{
  self->last_received = _suda_connection_now (self);
  self->ping_sent = 0;
  suda_line_buffer_append (&self->lines, data, n);
  while (self->socket == socket)
    {
      gsize pending = suda_line_buffer_get_pending (&self->lines);
      SudaLineStatus status;
      char *line;
      gsize len;

      status = suda_line_buffer_pop (&self->lines, &line, &len);
      if (status == SUDA_LINE_NONE)
        break;
      if (status == SUDA_LINE_TOO_LONG)
        skip_overlong (self, pending);
      else if (self->discarding)
        self->discarding = FALSE;
      else
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

gboolean
_suda_connection_on_readable (GObject  *stream,
                              gpointer  user_data)
{
  SudaConnection *self = user_data;
  /* Handlers may drop the last other reference to the connection. */
  g_autoptr(GObject) guard G_GNUC_UNUSED = g_object_ref (G_OBJECT (self));
  GSocket *socket = self->socket;
  char buf[4096];

  /* Read through the stream, not the socket: over TLS the bytes on the
   * socket are not the text. */
  while (self->socket == socket && socket != NULL)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream),
                                                           buf, sizeof buf, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (n <= 0)
        {
          g_debug ("connection closed: %s", error ? error->message : "end of stream");
          self->in_source = NULL;
          _suda_connection_close_socket (self);
          _suda_connection_handle_loss (self);
          return G_SOURCE_REMOVE;
        }
      receive_bytes (self, socket, buf, n);
    }
  /* A handler may have closed this connection and opened another. */
  if (self->in_source == g_main_current_source ())
    self->in_source = NULL;
  return G_SOURCE_REMOVE;
}
