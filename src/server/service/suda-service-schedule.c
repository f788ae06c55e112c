/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "suda-irc-message.h"
#include "suda-scheduler.h"
#include "suda-service-private.h"

/* The service user's "schedule" command: "!schedule WHEN TEXT" in a room,
 * "schedule #room WHEN TEXT" in private, plus "list" and "cancel ID". */

/* Where every server kept its messages before each had its own file. */
#define OLD_STATE_FILE_NAME "scheduled.json"
/* A listing is sent as notices; past this many it would flood the asker. */
#define MAX_LIST_LINES 20
/* How much of each message a listing shows. */
#define LIST_TEXT_CHARS 60

static char *
format_local_time (GDateTime *when,
                   GDateTime *now)
{
  g_autoptr(GDateTime) local_when = g_date_time_to_local (when);
  g_autoptr(GDateTime) local_now = g_date_time_to_local (now);

  if (g_date_time_get_year (local_when) == g_date_time_get_year (local_now)
      && g_date_time_get_day_of_year (local_when) == g_date_time_get_day_of_year (local_now))
    return g_date_time_format (local_when, "%H:%M:%S");
  return g_date_time_format (local_when, "%Y-%m-%d %H:%M:%S");
}

static void
log_schedule_event (SudaService          *self,
                    SudaScheduledMessage *message,
                    const char           *action,
                    const char           *by,
                    gboolean              late)
{
  g_autoptr(SudaLogEntry) entry = NULL;
  g_autofree char *due = g_date_time_format_iso8601 (suda_scheduled_message_get_due (message));

  entry = suda_log_entry_new (0, "schedule",
                              suda_scheduled_message_get_channel (message),
                              suda_scheduled_message_get_author (message),
                              suda_scheduled_message_get_text (message));
  suda_log_entry_set_field (entry, "action", action);
  suda_log_entry_set_int_field (entry, "id", suda_scheduled_message_get_id (message));
  suda_log_entry_set_field (entry, "due", due);
  if (by != NULL)
    suda_log_entry_set_field (entry, "by", by);
  if (late)
    suda_log_entry_set_bool_field (entry, "late", TRUE);
  _suda_delivery_log (self->core->delivery, entry);
}

static void
on_due (SudaScheduler        *scheduler,
        SudaScheduledMessage *message,
        gboolean              late,
        SudaService          *self)
{
  const char *author = suda_scheduled_message_get_author (message);
  const char *text = suda_scheduled_message_get_text (message);
  g_autofree char *line = NULL;
  SudaChannel *room;

  if (late)
    {
      g_autoptr(GDateTime) now = suda_scheduler_dup_now (scheduler);
      g_autofree char *due = format_local_time (suda_scheduled_message_get_due (message), now);

      /* TRANSLATORS: a scheduled message posted after a server restart;
       * the first %s is a nick, the second a time, the third the text. */
      line = g_strdup_printf (_("[Scheduled by %s, late: it was due at %s] %s"),
                              author, due, text);
    }
  else
    {
      /* TRANSLATORS: the first %s is a nick, the second the message. */
      line = g_strdup_printf (_("[Scheduled by %s] %s"), author, text);
    }

  /* A room everyone has left (or one not yet rejoined after a restart)
   * still gets the message in its log and history, for whoever comes. */
  room = _suda_registry_ensure_channel (self->core->registry, suda_scheduled_message_get_channel (message));
  log_schedule_event (self, message, "posted", NULL, late);
  _suda_service_say (self, room->name, line);
  _suda_registry_drop_channel_if_empty (self->core->registry, room);
}

/* Each server has its own file, named after its log ("chat.jsonl" →
 * "chat.scheduled.json") or, without one, its port: two servers whose logs
 * share a folder must not post each other's messages. */
static char *
dup_state_path (const SudaServerConfig *config)
{
  g_autofree char *state_dir = suda_server_config_dup_state_dir (config);
  g_autofree char *log_path = suda_server_config_dup_log_path (config);
  g_autofree char *name = NULL;
  g_autofree char *old = NULL;
  char *path;

  if (*log_path == '\0')
    name = g_strdup_printf ("scheduled-%u.json", config->port);
  else
    {
      g_autofree char *base = g_path_get_basename (log_path);
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
      name = g_strconcat (base, ".scheduled.json", NULL);
    }
  path = g_build_filename (state_dir, name, NULL);
  /* The shared file of old goes to the first server that starts: a rename
   * is atomic, so no two take it. */
  old = g_build_filename (state_dir, OLD_STATE_FILE_NAME, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS) && g_file_test (old, G_FILE_TEST_IS_REGULAR))
    g_rename (old, path);
  return path;
}

static SudaScheduler *
open_scheduler (SudaService *self)
{
  const SudaServerConfig *config = self->core->config;
  g_autofree char *path = dup_state_path (config);
  g_autoptr(GError) error = NULL;
  SudaScheduler *scheduler = suda_scheduler_new (path);

  suda_scheduler_set_max_per_author (scheduler, config->schedule.max_pending);

  g_signal_connect_object (scheduler, "due", G_CALLBACK (on_due), self, 0);
  self->scheduler = scheduler;

  /* Loading posts, as late, what fell due while the server was down. */
  if (!suda_scheduler_load (scheduler, &error))
    {
      g_autofree char *text = g_strdup_printf ("cannot load scheduled messages: %s",
                                               error->message);

      g_message ("%s", text);
      _suda_delivery_log_event (self->core->delivery, "error", NULL, NULL, text);
    }
  return scheduler;
}

static SudaScheduler *
ensure_scheduler (SudaService *self)
{
  return self->scheduler != NULL ? self->scheduler : open_scheduler (self);
}

void
_suda_service_schedule_start (SudaService *self)
{
  g_return_if_fail (SUDA_IS_SERVICE (self));

  ensure_scheduler (self);
}

void
_suda_service_schedule_stop (SudaService *self)
{
  SudaScheduler *scheduler;

  g_return_if_fail (SUDA_IS_SERVICE (self));

  /* Every change is already on disk; dropping the scheduler ends its timer. */
  scheduler = self->scheduler;
  if (scheduler != NULL)
    g_signal_handlers_disconnect_by_data (scheduler, self);
  g_clear_object (&self->scheduler);
}

/* Splits off the first word of *TEXT and moves *TEXT past the blanks after
 * it, so what remains is the rest of the line exactly as typed. */
static char *
next_word (const char **text)
{
  const char *start = *text;
  const char *end;

  while (*start == ' ' || *start == '\t')
    start++;
  end = start;
  while (*end != '\0' && *end != ' ' && *end != '\t')
    end++;
  *text = end;
  while (**text == ' ' || **text == '\t')
    (*text)++;
  return end > start ? g_strndup (start, end - start) : NULL;
}

static void
send_usage (SudaService *self,
            SudaClient  *asker,
            gboolean     in_channel)
{
  /* People on a plain terminal type /schedule, which reaches here as
   * !schedule: tell them what they type. */
  if (asker->protocol->plain)
    _suda_service_notice (self, asker,
                         _("Usage: /schedule HH:MM[:SS] TEXT, /schedule +10m TEXT (s, m, h), "
                           "/schedule list, /schedule cancel ID"));
  else if (in_channel)
    _suda_service_notice (self, asker,
                         _("Usage: !schedule HH:MM[:SS] TEXT, !schedule +10m TEXT (s, m, h), "
                           "!schedule list, !schedule cancel ID"));
  else
    _suda_service_notice (self, asker,
                         _("Usage: schedule #room HH:MM[:SS] TEXT, schedule #room +10m TEXT (s, m, h), "
                           "schedule list, schedule cancel ID"));
}

static void
refuse (SudaService *self,
        SudaClient  *asker,
        gboolean     in_channel,
        const char  *reason)
{
  _suda_service_notice (self, asker, reason);
  send_usage (self, asker, in_channel);
}

static void
schedule_list (SudaService *self,
               SudaClient  *asker,
               const char  *args)
{
  SudaScheduler *scheduler = ensure_scheduler (self);
  gboolean all = g_strcmp0 (args, "all") == 0 && asker->oper;
  g_autoptr(GPtrArray) list = suda_scheduler_list (scheduler, all ? NULL : asker->nick);
  g_autoptr(GDateTime) now = suda_scheduler_dup_now (scheduler);
  g_autofree char *header = NULL;

  if (list->len == 0)
    {
      _suda_service_notice (self, asker,
                           all ? _("No messages are scheduled.")
                               : _("You have no scheduled messages."));
      return;
    }

  header = g_strdup_printf (all ? g_dngettext (GETTEXT_PACKAGE, "%u message is scheduled:",
                                            "%u messages are scheduled:", list->len)
                                : g_dngettext (GETTEXT_PACKAGE, "You have %u scheduled message:",
                                            "You have %u scheduled messages:", list->len),
                            list->len);
  _suda_service_notice (self, asker, header);

  for (guint i = 0; i < list->len && i < MAX_LIST_LINES; i++)
    {
      SudaScheduledMessage *message = g_ptr_array_index (list, i);
      const char *text = suda_scheduled_message_get_text (message);
      g_autofree char *when = format_local_time (suda_scheduled_message_get_due (message), now);
      g_autofree char *shown = NULL;
      g_autofree char *line = NULL;

      if (g_utf8_strlen (text, -1) > LIST_TEXT_CHARS)
        {
          g_autofree char *cut = g_utf8_substring (text, 0, LIST_TEXT_CHARS - 1);
          shown = g_strconcat (cut, "…", NULL);
        }
      else
        shown = g_strdup (text);

      if (all)
        line = g_strdup_printf ("%u · %s · %s · %s: %s",
                                suda_scheduled_message_get_id (message),
                                suda_scheduled_message_get_channel (message),
                                when, suda_scheduled_message_get_author (message), shown);
      else
        line = g_strdup_printf ("%u · %s · %s · %s",
                                suda_scheduled_message_get_id (message),
                                suda_scheduled_message_get_channel (message),
                                when, shown);
      _suda_service_notice (self, asker, line);
    }

  if (list->len > MAX_LIST_LINES)
    {
      guint more = list->len - MAX_LIST_LINES;
      g_autofree char *line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "…and %u more", "…and %u more", more), more);

      _suda_service_notice (self, asker, line);
    }
}

static void
schedule_cancel (SudaService *self,
                 SudaClient  *asker,
                 gboolean     in_channel,
                 const char  *args)
{
  SudaScheduler *scheduler = ensure_scheduler (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaScheduledMessage) message = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *when = NULL;
  g_autofree char *reply = NULL;
  SudaScheduledMessage *pending;
  const char *nick = asker->nick;
  gboolean is_operator;
  guint64 id;

  if (!g_ascii_string_to_unsigned (args, 10, 1, G_MAXUINT, &id, NULL))
    {
      refuse (self, asker, in_channel, _("Which message? Give the id that “schedule list” shows."));
      return;
    }

  /* A server operator, or an operator of the message's own room. */
  pending = suda_scheduler_lookup (scheduler, (guint) id);
  is_operator = asker->oper
                || (pending != NULL
                    && _suda_service_client_is_op (self, asker,
                                                   suda_scheduled_message_get_channel (pending)));

  message = suda_scheduler_cancel (scheduler, (guint) id, nick, is_operator, &error);
  if (message == NULL)
    {
      _suda_service_notice (self, asker, error->message);
      return;
    }

  log_schedule_event (self, message, "cancelled", nick, FALSE);
  now = suda_scheduler_dup_now (scheduler);
  when = format_local_time (suda_scheduled_message_get_due (message), now);
  reply = g_strdup_printf (_("Cancelled message %u (%s at %s)."),
                           suda_scheduled_message_get_id (message),
                           suda_scheduled_message_get_channel (message), when);
  _suda_service_notice (self, asker, reply);
}

static void
schedule_add (SudaService *self,
              SudaClient  *asker,
              gboolean     in_channel,
              const char  *channel,
              const char  *when_spec,
              const char  *text)
{
  SudaScheduler *scheduler = ensure_scheduler (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = suda_scheduler_dup_now (scheduler);
  g_autoptr(GDateTime) local_now = g_date_time_to_local (now);
  g_autoptr(GDateTime) due = NULL;
  g_autoptr(SudaScheduledMessage) message = NULL;
  g_autofree char *when = NULL;
  g_autofree char *reply = NULL;
  SudaChannel *room;
  const char *prefix = asker->protocol->plain ? "/" : in_channel ? "!" : "";

  if (!suda_irc_is_channel (channel) || !_suda_service_client_in_channel (self, asker, channel))
    {
      g_autofree char *reason = g_strdup_printf (_("You are not in %s."), channel);

      refuse (self, asker, in_channel, reason);
      return;
    }
  /* Post under the room's own spelling of its name. */
  room = _suda_registry_find_channel (self->core->registry, channel);
  if (room != NULL)
    channel = room->name;

  if (when_spec == NULL)
    {
      refuse (self, asker, in_channel, _("When? Give a time like 15:30 or +10m."));
      return;
    }
  due = suda_schedule_parse_when (when_spec, local_now, &error);
  if (due == NULL)
    {
      refuse (self, asker, in_channel, error->message);
      return;
    }

  message = suda_scheduler_add (scheduler, asker->nick, channel, due, text, &error);
  if (message == NULL)
    {
      refuse (self, asker, in_channel, error->message);
      return;
    }

  log_schedule_event (self, message, "scheduled", NULL, FALSE);
  when = format_local_time (suda_scheduled_message_get_due (message), now);
  /* TRANSLATORS: "Scheduled message 3 for #lobby at 15:30:00; cancel it
   * with !schedule cancel 3." */
  reply = g_strdup_printf (_("Scheduled message %u for %s at %s; cancel it with %sschedule cancel %u."),
                           suda_scheduled_message_get_id (message), channel, when,
                           prefix, suda_scheduled_message_get_id (message));
  _suda_service_notice (self, asker, reply);
}

void
_suda_service_schedule (SudaService *self,
                        SudaClient  *asker,
                        const char  *channel,
                        const char  *args)
{
  gboolean in_channel = channel != NULL;
  const char *rest = args != NULL ? args : "";
  g_autofree char *word = NULL;
  g_autofree char *room = NULL;

  g_return_if_fail (SUDA_IS_SERVICE (self));

  word = next_word (&rest);
  if (word == NULL)
    {
      send_usage (self, asker, in_channel);
      return;
    }

  if (g_ascii_strcasecmp (word, "list") == 0)
    {
      schedule_list (self, asker, rest);
      return;
    }
  if (g_ascii_strcasecmp (word, "cancel") == 0)
    {
      schedule_cancel (self, asker, in_channel, rest);
      return;
    }

  /* A room named first wins; in a room it defaults to that room, and a
   * private message must name one. */
  if (suda_irc_is_channel (word))
    {
      room = g_steal_pointer (&word);
      word = next_word (&rest);
    }
  else if (in_channel)
    room = g_strdup (channel);
  else
    {
      refuse (self, asker, in_channel, _("Which room? Name it first, like “schedule #lobby 15:30 text”."));
      return;
    }

  schedule_add (self, asker, in_channel, room, word, rest);
}
