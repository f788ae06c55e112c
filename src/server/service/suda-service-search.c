/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-assistant.h"
#include "suda-irc-message.h"
#include "suda-service-private.h"
#include "suda-text.h"

/* The service user's "search" command: "!search QUERY" in a room answers
 * the room, "search QUERY" in private answers privately. */

typedef struct {
  GWeakRef     service;
  SudaSession *session;     /* owned: keeps the asker's client while it waits */
  char        *asker_nick;  /* the nick when asking, in case they leave */
  char        *channel;     /* NULL: a private message */
  char        *query;
  gint64       asked_at;    /* monotonic µs: the log's latency, failures included */
} Search;

static void
search_free (Search *search)
{
  g_weak_ref_clear (&search->service);
  g_clear_object (&search->session);
  g_free (search->asker_nick);
  g_free (search->channel);
  g_free (search->query);
  g_free (search);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Search, search_free)

static void
log_error (SudaService *self,
           const char  *channel,
           const char  *nick,
           const char  *message,
           const char  *code,
           const char  *detail)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "error", channel, nick, message);

  suda_log_entry_set_field (entry, "source", "search");
  if (code != NULL)
    suda_log_entry_set_field (entry, "code", code);
  if (detail != NULL)
    suda_log_entry_set_field (entry, "detail", detail);
  _suda_delivery_log (self->core->delivery, entry);
}

/* Made on first use, so a server without [ai] pays nothing for it; the
 * config reader has already checked every [ai] value at start. */
static SudaAssistant *
ensure_assistant (SudaService *self)
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
  if (search->channel != NULL && answer->cached)
    /* TRANSLATORS: the start of an answer in a room; %s is the asker's nick */
    text = g_strdup_printf (_("%s: (cached answer) %s"), nick, answer->text);
  else if (search->channel != NULL)
    text = g_strdup_printf ("%s: %s", nick, answer->text);
  else if (answer->cached)
    text = g_strdup_printf (_("(cached answer) %s"), answer->text);
  else
    text = g_strdup (answer->text);

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
      if (search->channel != NULL)
        post_answer (self, search, nick, search->channel, answer);
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
    log_error (self, search->channel, nick, error->message,
               suda_assistant_error_get_name (error), suda_assistant_ask_get_detail (result));

  if (asker_here)
    _suda_service_notice (self, asker, error->message);
}

void
_suda_service_search (SudaService *self,
                      SudaClient  *asker,
                      const char  *channel,
                      const char  *args)
{
  SudaAssistant *assistant;
  Search *search;
  g_autofree char *rate_key = NULL;

  g_return_if_fail (SUDA_IS_SERVICE (self));

  if (args == NULL || args[0] == '\0')
    {
      _suda_service_notice (self, asker,
                            channel != NULL ? _("Usage: !search QUESTION")
                                            : _("Usage: search QUESTION"));
      return;
    }

  assistant = ensure_assistant (self);

  search = g_new0 (Search, 1);
  g_weak_ref_init (&search->service, self);
  search->session = g_object_ref (asker->session);
  search->asker_nick = g_strdup (asker->nick);
  search->channel = g_strdup (channel);
  search->query = g_strdup (args);
  search->asked_at = g_get_monotonic_time ();

  /* The session, not the nick, is who asks: a /nick does not reset the
   * rate limit. */
  rate_key = g_strdup_printf ("session-%u", _suda_session_get_id (asker->session));
  suda_assistant_ask_async (assistant, rate_key, args, self->searches,
                            on_answered, search);
}
