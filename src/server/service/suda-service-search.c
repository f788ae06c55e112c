/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-assistant.h"
#include "suda-irc-message.h"
#include "suda-service-private.h"
#include "suda-text.h"

/* The service user's "search" command: "!search QUERY" in a room answers
 * the room, "search QUERY" in private answers privately.  The way an
 * answer is posted and logged is shared with "summary" (_suda_service_ask). */

typedef struct {
  GWeakRef     service;
  SudaSession *session;     /* owned: keeps the asker's client while it waits */
  char        *asker_nick;  /* the nick when asking, in case they leave */
  char        *channel;     /* NULL: a private message */
  char        *reply_to;    /* the room the answer goes to, or NULL: the asker */
  char        *command;     /* the log's "command": search, summary */
  char        *query;
  char        *lead;        /* put before the answer, or NULL */
  gint64       asked_at;    /* monotonic µs: the log's latency, failures included */
} Search;

static void
search_free (Search *search)
{
  g_weak_ref_clear (&search->service);
  g_clear_object (&search->session);
  g_free (search->asker_nick);
  g_free (search->channel);
  g_free (search->reply_to);
  g_free (search->command);
  g_free (search->query);
  g_free (search->lead);
  g_free (search);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Search, search_free)

void
_suda_service_log_error (SudaService *self,
                         const char  *source,
                         const char  *channel,
                         const char  *nick,
                         const char  *message,
                         const char  *code,
                         const char  *detail)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "error", channel, nick, message);

  suda_log_entry_set_field (entry, "source", source);
  if (code != NULL)
    suda_log_entry_set_field (entry, "code", code);
  if (detail != NULL)
    suda_log_entry_set_field (entry, "detail", detail);
  _suda_delivery_log (self->core->delivery, entry);
}

/* Made on first use, so a server without [ai] pays nothing for it; the
 * config reader has already checked every [ai] value at start. */
SudaAssistant *
_suda_service_ensure_assistant (SudaService *self)
{
  if (self->assistant == NULL)
    self->assistant = suda_assistant_new (&self->core->config->ai);
  return self->assistant;
}

static void
log_search (SudaService               *self,
            Search                    *search,
            const char                *nick,
            const SudaAssistantAnswer *answer,
            const char                *outcome,
            guint                      n_lines,
            guint                      n_omitted)
{
  g_autoptr(SudaLogEntry) entry = NULL;
  SudaAssistant *assistant = self->assistant;
  gint64 latency_ms = (g_get_monotonic_time () - search->asked_at) / 1000;

  entry = suda_log_entry_new (0, "search", search->channel, nick,
                              answer != NULL ? answer->text : NULL);
  suda_log_entry_set_field (entry, "query", search->query);
  if (!g_str_equal (search->command, "search"))
    suda_log_entry_set_field (entry, "command", search->command);
  suda_log_entry_set_field (entry, "model", answer != NULL ? answer->model
                                                           : suda_assistant_get_model (assistant));
  suda_log_entry_set_bool_field (entry, "cached", answer != NULL && answer->cached);
  suda_log_entry_set_int_field (entry, "latency_ms", latency_ms);
  suda_log_entry_set_field (entry, "outcome", outcome);
  if (answer != NULL)
    {
      suda_log_entry_set_int_field (entry, "lines", n_lines);
      suda_log_entry_set_int_field (entry, "omitted", n_omitted);
    }
  _suda_delivery_log (self->core->delivery, entry);
}

static void
post_answer (SudaService               *self,
             Search                    *search,
             const char                *nick,
             const char                *target,
             const SudaAssistantAnswer *answer)
{
  SudaAssistant *assistant = self->assistant;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_omitted = 0;

  /* In a room the answer names whom it answers, as people do; in private
   * that is plain, and only a cached answer says more. */
  g_autofree char *body = search->lead != NULL ? g_strdup_printf ("%s %s", search->lead, answer->text)
                                                : g_strdup (answer->text);

  if (search->reply_to != NULL && answer->cached)
    /* TRANSLATORS: the start of an answer in a room; %s is the asker's nick */
    text = g_strdup_printf (_("%s: (cached answer) %s"), nick, body);
  else if (search->reply_to != NULL)
    text = g_strdup_printf ("%s: %s", nick, body);
  else if (answer->cached)
    text = g_strdup_printf (_("(cached answer) %s"), body);
  else
    text = g_steal_pointer (&body);

  /* The same budget as _suda_service_say(), so each line stays one line. */
  lines = suda_text_split_lines (text, _suda_delivery_text_budget (self->mask, "PRIVMSG", target),
                                 suda_assistant_get_max_lines (assistant), &n_omitted);

  /* The log comes first: whatever a client saw is in it. */
  log_search (self, search, nick, answer, answer->cached ? "cached" : "answered",
              g_strv_length (lines), n_omitted);

  for (guint i = 0; lines[i] != NULL; i++)
    _suda_service_say (self, target, lines[i]);

  if (n_omitted > 0)
    {
      g_autofree char *cut = NULL;

      cut = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "(%u more line of the answer was cut)",
                                          "(%u more lines of the answer were cut)",
                                          n_omitted),
                             n_omitted);
      _suda_service_say (self, target, cut);
    }
}

static void
on_answered (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Search) search = user_data;
  g_autoptr(SudaService) self = g_weak_ref_get (&search->service);
  SudaAssistant *assistant = SUDA_ASSISTANT (object);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  SudaClient *asker = _suda_client_from_session (search->session);
  gboolean asker_here;
  const char *nick;

  answer = suda_assistant_ask_finish (assistant, result, &error);

  /* The service (and its server) went away meanwhile, or is a new one. */
  if (self == NULL || G_OBJECT (self->assistant) != object)
    return;

  asker_here = !_suda_client_is_closing (asker) && asker->nick != NULL;
  nick = asker_here ? asker->nick : search->asker_nick;

  if (answer != NULL)
    {
      /* A room still gets the answer everyone saw asked for; a private
       * answer has nobody to go to. */
      if (search->reply_to != NULL)
        post_answer (self, search, nick, search->reply_to, answer);
      else if (asker_here)
        post_answer (self, search, nick, nick, answer);
      else
        log_search (self, search, nick, answer, "asker-left", 0, 0);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  log_search (self, search, nick, NULL, suda_assistant_error_get_name (error), 0, 0);
  /* Asking too often is the asker's doing, not a fault of the server. */
  if (!g_error_matches (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_RATE_LIMITED))
    _suda_service_log_error (self, search->command, search->channel, nick, error->message,
               suda_assistant_error_get_name (error), suda_assistant_ask_get_detail (result));

  if (asker_here)
    _suda_service_notice (self, asker, error->message);
}

void
_suda_service_ask (SudaService                *self,
                   SudaClient                 *asker,
                   const SudaServiceAsk       *args)
{
  SudaAssistant *assistant = _suda_service_ensure_assistant (self);
  Search *search = g_new0 (Search, 1);
  g_autofree char *rate_key = NULL;

  g_weak_ref_init (&search->service, self);
  search->session = g_object_ref (asker->session);
  search->asker_nick = g_strdup (asker->nick);
  search->channel = g_strdup (args->channel);
  search->reply_to = g_strdup (args->reply_to);
  search->command = g_strdup (args->command);
  search->query = g_strdup (args->query);
  search->lead = g_strdup (args->lead);
  search->asked_at = g_get_monotonic_time ();

  /* The session, not the nick, is who asks: a /nick does not reset the
   * rate limit. */
  rate_key = g_strdup_printf ("session-%u", _suda_session_get_id (asker->session));
  suda_assistant_ask_prompt_async (assistant, rate_key,
                                   args->question != NULL ? args->question : args->query, &args->prompt, self->searches,
                                   on_answered, search);
}

void
_suda_service_search (SudaService *self,
                      SudaClient  *asker,
                      const char  *channel,
                      const char  *args)
{
  guint n_context = self->core->config->ai.context_lines;
  g_autofree char *lines = NULL;
  g_autofree char *context = NULL;
  SudaServiceAsk ask = { .command = "search", .channel = channel, .reply_to = channel,
                         .query = args };

  g_return_if_fail (SUDA_IS_SERVICE (self));

  if (args == NULL || args[0] == '\0')
    {
      _suda_service_notice (self, asker,
                            channel != NULL ? _("Usage: !search QUESTION")
                                            : _("Usage: search QUESTION"));
      return;
    }

  /* The question may be about what was just said ("what does he mean?").
   * The cache keeps the question's key: the same question a minute later
   * gets the same answer. */
  if (channel != NULL && n_context > 0)
    lines = _suda_service_dup_room_lines (self, channel, n_context, NULL, NULL);
  if (lines != NULL)
    {
      context = g_strconcat ("Recent messages in the chat room ", channel,
                             ", oldest first, in case the question is about them:\n", lines, NULL);
      ask.prompt.context = context;
    }
  _suda_service_ask (self, asker, &ask);
}
