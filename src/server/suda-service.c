/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-message.h"
#include "suda-service-private.h"
#include "suda-text.h"

G_DEFINE_FINAL_TYPE (SudaService, suda_service, G_TYPE_OBJECT)

static void
suda_service_dispose (GObject *object)
{
  SudaService *self = SUDA_SERVICE (object);

  g_clear_object (&self->assistant);
  g_clear_object (&self->scheduler);

  G_OBJECT_CLASS (suda_service_parent_class)->dispose (object);
}

static void
suda_service_finalize (GObject *object)
{
  SudaService *self = SUDA_SERVICE (object);

  g_free (self->nick);
  g_free (self->mask);

  G_OBJECT_CLASS (suda_service_parent_class)->finalize (object);
}

static void
suda_service_class_init (SudaServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = suda_service_dispose;
  object_class->finalize = suda_service_finalize;
}

static void
suda_service_init (SudaService *self)
{
}

SudaService *
_suda_service_new (SudaServer *server)
{
  SudaService *self = g_object_new (SUDA_TYPE_SERVICE, NULL);
  const SudaServerConfig *config = suda_server_get_config (server);

  self->server = server;
  self->nick = g_strdup (config->service_nick);
  self->mask = g_strdup_printf ("%s!%s@%s", self->nick, self->nick, config->server_name);
  return self;
}

const char *
suda_service_get_nick (SudaService *self)
{
  g_return_val_if_fail (SUDA_IS_SERVICE (self), NULL);
  return self->nick;
}

SudaServer *
suda_service_get_server (SudaService *self)
{
  g_return_val_if_fail (SUDA_IS_SERVICE (self), NULL);
  return self->server;
}

void
_suda_service_server_started (SudaService *self)
{
  _suda_service_schedule_start (self);
}

void
_suda_service_server_stopping (SudaService *self)
{
  _suda_service_schedule_stop (self);
}

gboolean
_suda_service_session_in_channel (SudaService *self,
                                  SudaSession *session,
                                  const char  *channel)
{
  SudaChannel *room = _suda_server_find_channel (self->server, channel);

  return room != NULL && suda_channel_has_member (room, session);
}

gboolean
_suda_service_session_is_op (SudaService *self,
                             SudaSession *session,
                             const char  *channel)
{
  SudaChannel *room = _suda_server_find_channel (self->server, channel);

  return session->oper || (room != NULL && suda_channel_is_op (room, session));
}

/* What fits after ":MASK PRIVMSG TARGET :" and before CR LF. */
static gsize
text_budget (SudaService *self,
             const char  *target)
{
  gsize head = strlen (self->mask) + strlen (target) + strlen (":  PRIVMSG  :") + 2;

  return SUDA_IRC_MAX_LINE - head;
}

void
suda_service_say (SudaService *self,
                  const char  *target,
                  const char  *text)
{
  SudaServer *server;
  g_auto(GStrv) lines = NULL;
  guint n_omitted = 0;

  g_return_if_fail (SUDA_IS_SERVICE (self));
  g_return_if_fail (target != NULL && text != NULL);

  server = self->server;
  lines = suda_text_split_lines (text, text_budget (self, target), 0, &n_omitted);
  for (guint i = 0; lines[i]; i++)
    {
      SudaOutLine line = { .time = g_get_real_time (), .source = self->mask, .nick = self->nick,
                           .command = "PRIVMSG", .target = target, .text = lines[i] };

      if (suda_irc_is_channel (target))
        {
          SudaChannel *channel = _suda_server_find_channel (server, target);

          if (channel == NULL)
            return;
          line.target = channel->name;
          _suda_server_log_event (server, "message", channel->name, self->nick, lines[i]);
          {
            SudaHistory *history = _suda_server_get_history (server, channel->name);

            if (history)
              suda_history_add (history, line.time, line.source, line.command, line.text);
          }
          for (guint m = 0; m < channel->members->len; m++)
            _suda_session_send_out_line (g_array_index (channel->members, SudaMember, m).session, &line);
        }
      else
        {
          SudaSession *to = suda_server_find_session (server, target);
          g_autoptr(SudaLogEntry) entry = NULL;

          if (to == NULL)
            return;
          entry = suda_log_entry_new (line.time, "whisper", NULL, self->nick,
                                      server->config->log_whisper_text ? lines[i] : NULL);
          suda_log_entry_set_field (entry, "target", to->nick);
          suda_server_log (server, entry);
          _suda_session_send_out_line (to, &line);
        }
      _suda_out_line_clear (&line);
    }
}

void
suda_service_notice (SudaService *self,
                     SudaSession *to,
                     const char  *text)
{
  g_auto(GStrv) lines = NULL;

  g_return_if_fail (SUDA_IS_SERVICE (self));
  g_return_if_fail (SUDA_IS_SESSION (to));

  if (to->closing || to->nick == NULL)
    return;
  lines = suda_text_split_lines (text, text_budget (self, to->nick), 0, NULL);
  for (guint i = 0; lines[i]; i++)
    {
      SudaOutLine line = { .time = g_get_real_time (), .source = self->mask, .nick = self->nick,
                           .command = "NOTICE", .target = to->nick, .text = lines[i] };

      _suda_session_send_out_line (to, &line);
      _suda_out_line_clear (&line);
    }
}

static void
send_help (SudaService *self,
           SudaSession *to,
           gboolean     in_channel)
{
  const char *lines[] = {
    in_channel ? _("!search QUESTION — ask the AI; the answer goes to this room")
               : _("search QUESTION — ask the AI; the answer comes to you privately"),
    in_channel ? _("!schedule HH:MM TEXT, !schedule +10m TEXT — post TEXT later in this room")
               : _("schedule #ROOM HH:MM TEXT, schedule #ROOM +10m TEXT — post TEXT later in a room"),
    in_channel ? _("!schedule list, !schedule cancel ID — your pending messages")
               : _("schedule list, schedule cancel ID — your pending messages"),
    in_channel ? _("!help — this list") : _("help — this list"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    suda_service_notice (self, to, lines[i]);
}

/* "!word args" in a channel, or "word args" in a private message.  An
 * unknown !word gets no reply, so the service never spams a room. */
gboolean
_suda_service_handle_message (SudaService *self,
                              SudaSession *from,
                              const char  *channel,
                              const char  *text)
{
  g_autofree char *word = NULL;
  g_autofree char *args = NULL;
  const char *p = text;
  gsize len;

  if (channel != NULL)
    {
      if (*p != '!')
        return FALSE;
      p++;
    }
  while (*p == ' ')
    p++;
  len = strcspn (p, " ");
  word = g_ascii_strdown (p, len);
  args = g_strstrip (g_strdup (p + len));

  if (g_str_equal (word, "search"))
    _suda_service_search (self, from, channel, args);
  else if (g_str_equal (word, "schedule"))
    _suda_service_schedule (self, from, channel, args);
  else if (g_str_equal (word, "help"))
    send_help (self, from, channel != NULL);
  else if (channel == NULL)
    {
      g_autofree char *reply = g_strdup_printf (_("I don't know “%s”. Send “help” for what I can do."), word);

      suda_service_notice (self, from, reply);
    }
  else
    return FALSE;
  return TRUE;
}
