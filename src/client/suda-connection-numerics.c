/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection's numeric replies: the ones that change what the
 * connection does, and readable text for the rest. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-connection-private.h"

/* The Suda server names its service user in ISUPPORT (README, "ISUPPORT
 * tokens"); a server without the token has none. */
#define SERVICE_TOKEN "suda.chat/SERVICE"

static gboolean
is_error (const char *command)
{
  return command[0] == '4' || command[0] == '5';
}

/* The parameters between our nickname and the trailing text: what a
 * reply is about ("bob" in "401 me bob :No such nick/channel"), or NULL. */
static char *
dup_subject (const SudaIrcMessage *msg)
{
  g_autoptr(GString) subject = g_string_new (NULL);

  for (guint i = 1; i + 1 < msg->n_params; i++)
    g_string_append_printf (subject, "%s%s", subject->len ? " " : "", msg->params[i]);
  return subject->len ? g_string_free (g_steal_pointer (&subject), FALSE) : NULL;
}

/* Errors read as "SUBJECT: TEXT", the server's own sentence kept whole;
 * other replies as their parameters in order, as servers write them to
 * be read ("1 :operator(s) online"). */
gboolean
_suda_connection_numeric_default (SudaConnection       *self,
                                  const SudaIrcMessage *msg,
                                  SudaIrcEvent         *event)
{
  event->kind = is_error (msg->command) ? SUDA_IRC_EVENT_ERROR : SUDA_IRC_EVENT_INFO;
  g_clear_pointer (&event->nick, g_free);
  event->own = FALSE;
  if (event->kind == SUDA_IRC_EVENT_ERROR && msg->n_params >= 2)
    {
      g_autofree char *subject = dup_subject (msg);
      const char *text = msg->params[msg->n_params - 1];

      event->target = subject ? g_strdup (msg->params[1]) : NULL;
      event->text = subject ? g_strdup_printf ("%s: %s", subject, text) : g_strdup (text);
    }
  else
    event->text = _suda_connection_join_params (msg, 1);
  return TRUE;
}

/* Replies that say nothing a person needs: the server's version and mode
 * letters (004), the room's creation time (329), or that there is no
 * message of the day (422), which is not an error to anyone. */
static gboolean
handle_quiet (SudaConnection       *self,
              const SudaIrcMessage *msg,
              SudaIrcEvent         *event)
{
  return FALSE;
}

/* 333 RPL_TOPICWHOTIME: "#room nick!user@host 1796028855". */
static gboolean
handle_topic_who_time (SudaConnection       *self,
                       const SudaIrcMessage *msg,
                       SudaIrcEvent         *event)
{
  g_autofree char *setter = suda_irc_source_nick (msg->params[2]);
  const char *when = suda_irc_message_param (msg, 3);
  gint64 seconds = when ? g_ascii_strtoll (when, NULL, 10) : 0;
  g_autoptr(GDateTime) time = seconds > 0 ? g_date_time_new_from_unix_local (seconds) : NULL;
  g_autofree char *date = time ? g_date_time_format (time, "%Y-%m-%d %H:%M") : NULL;

  event->kind = SUDA_IRC_EVENT_INFO;
  g_clear_pointer (&event->nick, g_free);
  event->own = FALSE;
  event->target = g_strdup (msg->params[1]);
  if (date != NULL)
    event->text = g_strdup_printf (_("Topic set by %s on %s"), setter ? setter : msg->params[2], date);
  else
    event->text = g_strdup_printf (_("Topic set by %s"), setter ? setter : msg->params[2]);
  return TRUE;
}

static void
set_service_nick (SudaConnection *self,
                  const char     *nick)
{
  g_free (self->service_nick);
  self->service_nick = nick != NULL && _suda_connection_is_nickname (nick) ? g_strdup (nick) : NULL;
}

/* ISUPPORT CHATHISTORY=N: the most lines one CHATHISTORY request gets
 * (0 or a bad value: no limit said). */
static void
set_chathistory_max (SudaConnection *self,
                     const char     *value)
{
  guint64 max = 0;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &max, NULL))
    max = 0;
  self->chathistory_max = max;
}

guint
suda_connection_get_chathistory_max (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), 0);
  return self->chathistory_max;
}

/* 005 RPL_ISUPPORT: the network's name, the membership prefixes and the
 * service user's nick matter here; a list of tokens means nothing to a
 * person, so the line is not shown. */
static gboolean
handle_isupport (SudaConnection       *self,
                 const SudaIrcMessage *msg,
                 SudaIrcEvent         *event)
{
  for (guint i = 1; i + 1 < msg->n_params; i++)
    {
      const char *token = msg->params[i];
      const char *close;

      if (g_str_has_prefix (token, "NETWORK="))
        _suda_connection_set_network (self, token + strlen ("NETWORK="));
      if (g_str_has_prefix (token, "CHATHISTORY="))
        set_chathistory_max (self, token + strlen ("CHATHISTORY="));
      /* Only http(s): the link is opened and fetched as it is. */
      if (g_str_has_prefix (token, "soju.im/FILEHOST=http"))
        {
          g_free (self->filehost);
          self->filehost = g_strdup (token + strlen ("soju.im/FILEHOST="));
        }
      if (g_str_has_prefix (token, SERVICE_TOKEN "="))
        set_service_nick (self, token + strlen (SERVICE_TOKEN "="));
      else if (strcmp (token, "-" SERVICE_TOKEN) == 0)
        set_service_nick (self, NULL);
      if (!g_str_has_prefix (token, "PREFIX=(") || !(close = strchr (token, ')')))
        continue;
      g_free (self->prefix_modes);
      g_free (self->prefix_chars);
      self->prefix_modes = g_strndup (token + 8, close - (token + 8));
      self->prefix_chars = g_strdup (close + 1);
    }
  return FALSE;
}

/* 332 RPL_TOPIC, told on join: no one set it just now. */
static gboolean
handle_topic (SudaConnection       *self,
              const SudaIrcMessage *msg,
              SudaIrcEvent         *event)
{
  event->kind = SUDA_IRC_EVENT_TOPIC;
  g_clear_pointer (&event->nick, g_free);
  event->target = g_strdup (msg->params[1]);
  event->text = g_strdup (msg->params[2]);
  return TRUE;
}

static gboolean
handle_names (SudaConnection       *self,
              const SudaIrcMessage *msg,
              SudaIrcEvent         *event)
{
  event->kind = SUDA_IRC_EVENT_NAMES;
  event->target = g_strdup (msg->params[2]);
  event->text = g_strdup (msg->params[3]);
  return TRUE;
}

static gboolean
handle_end_of_names (SudaConnection       *self,
                     const SudaIrcMessage *msg,
                     SudaIrcEvent         *event)
{
  event->kind = SUDA_IRC_EVENT_END_OF_NAMES;
  event->target = g_strdup (msg->params[1]);
  return TRUE;
}

/* The nickname of a nick error, shown to the person: only a real one. */
static const char *
error_nick (SudaConnection       *self,
            const SudaIrcMessage *msg)
{
  const char *nick = suda_irc_message_param (msg, 1);

  if (!_suda_connection_is_nickname (nick))
    nick = self->wanted_nick ? self->wanted_nick : "";
  return nick;
}

static void
give_up (SudaConnection      *self,
         SudaConnectionError  code,
         const char          *message)
{
  _suda_connection_set_fatal (self, code, message);
  _suda_connection_close_socket (self);
  _suda_connection_handle_loss (self);
}

/* 433 and 436: during registration _ then __ are tried before giving up;
 * afterwards only /nick failed, and the person is told. */
static gboolean
handle_nick_taken (SudaConnection       *self,
                   const SudaIrcMessage *msg,
                   SudaIrcEvent         *event)
{
  const char *nick = error_nick (self, msg);
  g_autofree char *next = NULL;
  g_autofree char *message = NULL;

  if (self->state != SUDA_CONNECTION_REGISTERING)
    {
      _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_NICK_TAKEN,
                                   _("The nickname “%s” is already taken."), nick);
      return FALSE;
    }
  if (self->nick_attempt < 2)
    {
      self->nick_attempt++;
      next = g_strdup_printf ("%s%s", self->wanted_nick, self->nick_attempt == 1 ? "_" : "__");
      _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_NICK_TAKEN,
                                   _("The nickname “%s” is already taken; trying “%s” instead."),
                                   nick, next);
      _suda_connection_send_now (self, "NICK", next, NULL);
      return FALSE;
    }
  message = g_strdup_printf (_("The nicknames “%s”, “%s_” and “%s__” are all taken. Choose another nickname."),
                             self->wanted_nick, self->wanted_nick, self->wanted_nick);
  give_up (self, SUDA_CONNECTION_ERROR_NICK_TAKEN, message);
  return FALSE;
}

static gboolean
handle_nick_invalid (SudaConnection       *self,
                     const SudaIrcMessage *msg,
                     SudaIrcEvent         *event)
{
  g_autofree char *message = NULL;

  if (self->state != SUDA_CONNECTION_REGISTERING)
    return _suda_connection_numeric_default (self, msg, event);
  message = g_strdup_printf (_("The server does not accept “%s” as a nickname."),
                             error_nick (self, msg));
  give_up (self, SUDA_CONNECTION_ERROR_NICK_INVALID, message);
  return FALSE;
}

static gboolean
handle_password_wrong (SudaConnection       *self,
                       const SudaIrcMessage *msg,
                       SudaIrcEvent         *event)
{
  _suda_connection_set_fatal (self, SUDA_CONNECTION_ERROR_PASSWORD,
                              _("The server password is wrong."));
  return FALSE;
}

static gboolean
handle_banned (SudaConnection       *self,
               const SudaIrcMessage *msg,
               SudaIrcEvent         *event)
{
  _suda_connection_set_fatal (self, SUDA_CONNECTION_ERROR_BANNED,
                              _("This server does not let you in (banned)."));
  return FALSE;
}

static gboolean
handle_line_too_long (SudaConnection       *self,
                      const SudaIrcMessage *msg,
                      SudaIrcEvent         *event)
{
  _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_LINE_TOO_LONG,
                               _("The server refused a line as too long."));
  return FALSE;
}

/* A server from before IRCv3 does not know CAP; registration goes on
 * without it, and the person need not hear about it. */
static gboolean
handle_unknown_command (SudaConnection       *self,
                        const SudaIrcMessage *msg,
                        SudaIrcEvent         *event)
{
  if (g_strcmp0 (suda_irc_message_param (msg, 1), "CAP") == 0)
    return FALSE;
  return _suda_connection_numeric_default (self, msg, event);
}

/* Columns as in suda-connection-dispatch.c's table: handler, min params,
 * a source, then bit masks of the parameters that are channels, nicks,
 * or either. */
static const SudaConnectionCommand numerics[] = {
  { "001", _suda_connection_handle_welcome, 1, FALSE, 0,         PARAM (0), 0 },
  { "004", handle_quiet,                    0, FALSE, 0,         0,         0 },
  { "005", handle_isupport,                 0, FALSE, 0,         0,         0 },
  { "329", handle_quiet,                    0, FALSE, 0,         0,         0 },
  { "332", handle_topic,                    3, FALSE, PARAM (1), 0,         0 },
  { "333", handle_topic_who_time,           3, FALSE, PARAM (1), 0,         0 },
  { "353", handle_names,                    4, FALSE, PARAM (2), 0,         0 },
  { "366", handle_end_of_names,             2, FALSE, PARAM (1), 0,         0 },
  { "417", handle_line_too_long,            0, FALSE, 0,         0,         0 },
  { "421", handle_unknown_command,          0, FALSE, 0,         0,         0 },
  { "422", handle_quiet,                    0, FALSE, 0,         0,         0 },
  { "432", handle_nick_invalid,             0, FALSE, 0,         0,         0 },
  { "433", handle_nick_taken,               0, FALSE, 0,         0,         0 },
  { "436", handle_nick_taken,               0, FALSE, 0,         0,         0 },
  { "464", handle_password_wrong,           0, FALSE, 0,         0,         0 },
  { "465", handle_banned,                   0, FALSE, 0,         0,         0 },
  { "900", _suda_connection_handle_sasl_numeric, 0, FALSE, 0,    0,         0 },
  { "902", _suda_connection_handle_sasl_numeric, 0, FALSE, 0,    0,         0 },
  { "903", _suda_connection_handle_sasl_numeric, 0, FALSE, 0,    0,         0 },
  { "904", _suda_connection_handle_sasl_numeric, 0, FALSE, 0,    0,         0 },
  { "905", _suda_connection_handle_sasl_numeric, 0, FALSE, 0,    0,         0 },
  { "906", _suda_connection_handle_sasl_numeric, 0, FALSE, 0,    0,         0 },
  { "907", _suda_connection_handle_sasl_numeric, 0, FALSE, 0,    0,         0 },
  { "908", _suda_connection_handle_sasl_numeric, 0, FALSE, 0,    0,         0 },
};

const SudaConnectionCommand *
_suda_connection_find_numeric (const char *command)
{
  for (guint i = 0; i < G_N_ELEMENTS (numerics); i++)
    if (strcmp (numerics[i].command, command) == 0)
      return &numerics[i];
  return NULL;
}
