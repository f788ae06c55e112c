/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-format.h"
#include "suda-irc-message.h"
#include "suda-service-private.h"
#include "suda-text.h"

G_DEFINE_FINAL_TYPE (SudaService, suda_service, G_TYPE_OBJECT)

static void
suda_service_dispose (GObject *object)
{
  SudaService *self = SUDA_SERVICE (object);

  /* No answer arrives for a server that no longer exists. */
  if (self->searches)
    g_cancellable_cancel (self->searches);
  g_clear_object (&self->searches);
  g_clear_object (&self->assistant);
  g_clear_object (&self->scheduler);
  g_clear_pointer (&self->quizzes, g_hash_table_unref);

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
  self->searches = g_cancellable_new ();
}

SudaService *
_suda_service_new (SudaCore *core)
{
  SudaService *self = g_object_new (SUDA_TYPE_SERVICE, NULL);

  self->core = core;
  self->nick = g_strdup (core->config->service_nick);
  self->mask = g_strdup_printf ("%s!%s@%s", self->nick, self->nick, core->config->server_name);
  return self;
}

SudaAssistant *
_suda_service_get_assistant (SudaService *self)
{
  return self->assistant;
}

SudaScheduler *
_suda_service_get_scheduler (SudaService *self)
{
  return self->scheduler;
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
  _suda_service_quiz_stop (self);
}

gboolean
_suda_service_client_in_channel (SudaService *self,
                                 SudaClient  *client,
                                 const char  *channel)
{
  SudaChannel *room = _suda_registry_find_channel (self->core->registry, channel);

  return room != NULL && suda_channel_has_member (room, client);
}

gboolean
_suda_service_client_is_op (SudaService *self,
                            SudaClient  *client,
                            const char  *channel)
{
  SudaChannel *room = _suda_registry_find_channel (self->core->registry, channel);

  return client->oper || (room != NULL && suda_channel_is_op (room, client));
}

void
_suda_service_say (SudaService *self,
                   const char  *target,
                   const char  *text)
{
  SudaRegistry *registry = self->core->registry;
  gsize budget = _suda_delivery_text_budget (self->mask, "PRIVMSG", target);
  g_auto(GStrv) lines = suda_text_split_lines (text, budget, 0, NULL);

  for (guint i = 0; lines[i]; i++)
    {
      SudaOutLine line = { .time = g_get_real_time (), .source = self->mask, .nick = self->nick,
                           .command = "PRIVMSG", .target = target, .text = lines[i] };

      if (suda_irc_is_channel (target))
        {
          SudaChannel *channel = _suda_registry_find_channel (registry, target);

          if (channel == NULL)
            return;
          _suda_delivery_message (self->core->delivery, &line, channel, NULL);
        }
      else
        {
          SudaClient *to = _suda_registry_find_client (registry, target);

          if (to == NULL)
            return;
          _suda_delivery_whisper (self->core->delivery, &line, to, NULL);
        }
    }
}

void
_suda_service_notice (SudaService *self,
                      SudaClient  *to,
                      const char  *text)
{
  g_auto(GStrv) lines = NULL;

  if (_suda_client_is_closing (to) || to->nick == NULL)
    return;
  lines = suda_text_split_lines (text, _suda_delivery_text_budget (self->mask, "NOTICE", to->nick), 0, NULL);
  for (guint i = 0; lines[i]; i++)
    {
      SudaOutLine line = { .time = g_get_real_time (), .source = self->mask, .nick = self->nick,
                           .command = "NOTICE", .target = to->nick, .text = lines[i] };

      _suda_delivery_to_client (self->core->delivery, NULL, &line, to);
    }
}

static void
send_help (SudaService *self,
           SudaClient  *to,
           gboolean     in_channel)
{
  const char *lines[] = {
    in_channel ? _("!search QUESTION — ask the AI; the answer goes to this room")
               : _("search QUESTION — ask the AI; the answer comes to you privately"),
    in_channel ? _("!summary [N] — the AI sums up this room's last N messages (100 unless said)")
               : _("summary #ROOM [N] — the AI sums up a room's last N messages, privately"),
    in_channel ? _("!quiz TOPIC [SECONDS] — room operators: the AI asks the room a multiple-choice question")
               : _("answer LETTER — your answer to a quiz in your room (A to D; the last one counts)"),
    in_channel ? _("!schedule HH:MM TEXT, !schedule +10m TEXT — post TEXT later in this room")
               : _("schedule #ROOM HH:MM TEXT, schedule #ROOM +10m TEXT — post TEXT later in a room"),
    in_channel ? _("!schedule list, !schedule cancel ID — your pending messages")
               : _("schedule list, schedule cancel ID — your pending messages"),
    in_channel ? _("!help — this list") : _("help — this list"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    _suda_service_notice (self, to, lines[i]);
}

/* "!word args" in a channel, or "word args" in a private message.  An
 * unknown !word gets no reply, so the service never spams a room.  The
 * command is read from the plain text, so the AI's prompt gets words, not
 * formatting codes. */
gboolean
_suda_service_handle_message (SudaService *self,
                              SudaClient  *from,
                              const char  *channel,
                              const char  *text)
{
  g_autofree char *word = NULL;
  g_autofree char *args = NULL;
  g_autofree char *plain = suda_format_strip (text, SUDA_FORMAT_PLAIN_DEFAULT);
  const char *p = plain;
  gsize len;

  /* "!answer B" in private is as good as "answer B": people copy the
   * room's habit. */
  if (channel != NULL && *p != '!')
    return FALSE;
  if (*p == '!')
    p++;
  while (*p == ' ')
    p++;
  len = strcspn (p, " ");
  word = g_ascii_strdown (p, len);
  args = g_strstrip (g_strdup (p + len));

  if (g_str_equal (word, "search"))
    _suda_service_search (self, from, channel, args);
  else if (g_str_equal (word, "summary"))
    _suda_service_summary (self, from, channel, args);
  else if (g_str_equal (word, "quiz"))
    _suda_service_quiz (self, from, channel, args);
  else if (g_str_equal (word, "answer"))
    _suda_service_quiz_answer (self, from, channel, args);
  else if (g_str_equal (word, "schedule"))
    _suda_service_schedule (self, from, channel, args);
  else if (g_str_equal (word, "help"))
    send_help (self, from, channel != NULL);
  else if (channel == NULL)
    {
      g_autofree char *reply = g_strdup_printf (_("I don't know “%s”. Send “help” for what I can do."), word);

      _suda_service_notice (self, from, reply);
    }
  else
    return FALSE;
  return TRUE;
}
