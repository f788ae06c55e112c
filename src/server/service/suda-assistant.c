/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "suda-assistant"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "suda-assistant-cache.h"
#include "suda-assistant-private.h"

/* The one host that surely wants a key; any other endpoint (Ollama,
 * llama.cpp's server, vLLM, a proxy) may run without one. */
#define OPENAI_HOST           "api.openai.com"

G_DEFINE_FINAL_TYPE (SudaAssistant, suda_assistant, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_MODEL,
  PROP_CONFIGURED,
  PROP_MAX_LINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_ask      (GTask *task);
static void dispatch_queue (SudaAssistant *self);

G_DEFINE_QUARK (suda-assistant-error-quark, suda_assistant_error)

static const char *error_names[] = {
  [SUDA_ASSISTANT_ERROR_NOT_CONFIGURED] = "not-configured",
  [SUDA_ASSISTANT_ERROR_RATE_LIMITED] = "rate-limited",
  [SUDA_ASSISTANT_ERROR_KEY_REJECTED] = "key-rejected",
  [SUDA_ASSISTANT_ERROR_QUOTA] = "quota",
  [SUDA_ASSISTANT_ERROR_TOO_MANY_REQUESTS] = "too-many-requests",
  [SUDA_ASSISTANT_ERROR_SERVER_ERROR] = "server-error",
  [SUDA_ASSISTANT_ERROR_TIMEOUT] = "timeout",
  [SUDA_ASSISTANT_ERROR_UNREACHABLE] = "unreachable",
  [SUDA_ASSISTANT_ERROR_BAD_RESPONSE] = "bad-response",
  [SUDA_ASSISTANT_ERROR_EMPTY_ANSWER] = "empty-answer",
  [SUDA_ASSISTANT_ERROR_REQUEST_REJECTED] = "request-rejected",
};

const char *
suda_assistant_error_get_name (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == SUDA_ASSISTANT_ERROR &&
      error->code >= 0 && (gsize) error->code < G_N_ELEMENTS (error_names))
    return error_names[error->code];
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  return "error";
}

SudaAssistantAnswer *
suda_assistant_answer_copy (const SudaAssistantAnswer *answer)
{
  SudaAssistantAnswer *copy;

  g_return_val_if_fail (answer != NULL, NULL);

  copy = g_memdup2 (answer, sizeof *answer);
  copy->text = g_strdup (answer->text);
  copy->model = g_strdup (answer->model);
  return copy;
}

void
suda_assistant_answer_free (SudaAssistantAnswer *answer)
{
  if (answer == NULL)
    return;

  g_free (answer->text);
  g_free (answer->model);
  g_free (answer);
}

G_DEFINE_BOXED_TYPE (SudaAssistantAnswer, suda_assistant_answer,

                     suda_assistant_answer_copy, suda_assistant_answer_free)

static void
ask_free (Ask *ask)
{
  g_assert (ask->deadline_source == NULL);
  g_assert (ask->retry_source == NULL);
  g_assert (ask->user_cancel_source == NULL);

  g_free (ask->asker);
  g_free (ask->query);
  g_free (ask->cache_key);
  g_free (ask->instructions);
  g_free (ask->context);
  g_free (ask->detail);
  g_clear_object (&ask->request_cancellable);
  g_clear_object (&ask->message);
  g_clear_object (&ask->stream);
  g_clear_pointer (&ask->body, g_byte_array_unref);
  g_free (ask);
}

gint64
_suda_assistant_now (SudaAssistant *self)
{
  return self->clock != NULL ? self->clock (self->clock_data) : g_get_monotonic_time ();
}

void
_suda_assistant_set_clock (SudaAssistant      *self,
                           SudaAssistantClock  clock,
                           gpointer            user_data)
{
  g_return_if_fail (SUDA_IS_ASSISTANT (self));

  self->clock = clock;
  self->clock_data = user_data;
}

char *
_suda_assistant_normalize_query (const char *query)
{
  g_autofree char *valid = g_utf8_make_valid (query != NULL ? query : "", -1);
  g_autofree char *composed = g_utf8_normalize (valid, -1, G_NORMALIZE_ALL_COMPOSE);
  g_autofree char *folded = g_utf8_casefold (composed != NULL ? composed : valid, -1);
  GString *out = g_string_new (NULL);
  gboolean pending_space = FALSE;

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          pending_space = out->len > 0;
          continue;
        }
      if (pending_space)
        g_string_append_c (out, ' ');
      pending_space = FALSE;
      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

/* The longest piece of KEY that TEXT starts with. */
static gsize
longest_key_piece (const char *text,
                   const char *key,
                   gsize       key_len,
                   gsize       min)
{
  gsize best = 0;

  for (gsize j = 0; j + MAX (min, best + 1) <= key_len; j++)
    {
      gsize n = 0;

      while (j + n < key_len && text[n] == key[j + n])
        n++;
      best = MAX (best, n);
    }
  return best;
}

/* Never let the key leave the server, even through an endpoint that
 * echoes it back: any piece of it of 8 bytes or more becomes "[key]".
 * Takes TEXT and returns it or a scrubbed copy. */
char *
_suda_assistant_scrub_key (SudaAssistant *self,
                           char          *text)
{
  const char *key = self->api_key;
  GString *out = NULL;
  gsize key_len, min;

  if (text == NULL || key == NULL || *key == '\0')
    return text;
  key_len = strlen (key);
  min = MIN (8, key_len);
  for (const char *p = text; *p != '\0';)
    {
      gsize piece = longest_key_piece (p, key, key_len, min);

      if (piece >= min)
        {
          if (out == NULL)
            out = g_string_new_len (text, p - text);
          g_string_append (out, "[key]");
          p += piece;
          continue;
        }
      if (out != NULL)
        g_string_append_c (out, *p);
      p++;
    }
  if (out == NULL)
    return text;
  g_free (text);
  return g_string_free (out, FALSE);
}

void
_suda_assistant_ask_set_detail (GTask      *task,
                                const char *format,
                                ...)
{
  SudaAssistant *self = g_task_get_source_object (task);
  Ask *ask = g_task_get_task_data (task);
  va_list args;

  va_start (args, format);
  g_free (ask->detail);
  ask->detail = _suda_assistant_scrub_key (self, g_strdup_vprintf (format, args));
  va_end (args);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Every way an ask ends comes through here: exactly once, with an answer
 * or an error, and the request slot goes to the next in the queue. */
void
_suda_assistant_finish_ask (GTask               *task,
                            SudaAssistantAnswer *answer,
                            GError              *error)
{
  SudaAssistant *self = g_task_get_source_object (task);
  Ask *ask = g_task_get_task_data (task);
  gboolean freed_slot = ask->holds_slot;

  g_assert ((answer == NULL) != (error == NULL));

  clear_source (&ask->deadline_source);
  clear_source (&ask->retry_source);
  clear_source (&ask->user_cancel_source);
  g_queue_remove (&self->queue, task);

  if (ask->holds_slot)
    {
      g_assert (self->n_active > 0);
      self->n_active--;
      ask->holds_slot = FALSE;
    }

  if (error != NULL)
    {
      g_debug ("ask by %s failed (%s): %s", ask->asker,
               ask->detail != NULL ? ask->detail : "nothing sent", error->message);
      g_task_return_error (task, error);
    }
  else
    {
      g_task_return_pointer (task, answer, (GDestroyNotify) suda_assistant_answer_free);
    }

  if (freed_slot)
    dispatch_queue (self);

  g_object_unref (task);
}

void
_suda_assistant_finish_ask_error (GTask      *task,
                                  int         code,
                                  const char *message)
{
  _suda_assistant_finish_ask (task, NULL, g_error_new_literal (SUDA_ASSISTANT_ERROR, code, message));
}

void
_suda_assistant_finish_cancelled (GTask *task)
{
  _suda_assistant_finish_ask (task, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                               _("The search was cancelled.")));
}

void
_suda_assistant_finish_timeout (GTask *task)
{
  SudaAssistant *self = g_task_get_source_object (task);
  guint seconds = MAX (1, (self->config.timeout_ms + 500) / 1000);
  g_autofree char *message = NULL;

  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "The AI service did not answer within %u second.",
                                          "The AI service did not answer within %u seconds.",
                                          seconds),
                             seconds);
  _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_TIMEOUT, message);
}

SudaAssistantAnswer *
_suda_assistant_make_answer (SudaAssistant *self,
                             Ask           *ask,
                             const char    *text,
                             gboolean       cached)
{
  SudaAssistantAnswer *answer = g_new0 (SudaAssistantAnswer, 1);

  answer->text = g_strdup (text);
  answer->model = g_strdup (self->config.model);
  answer->cached = cached;
  answer->latency_ms = (g_get_monotonic_time () - ask->asked_at) / 1000;
  answer->attempts = ask->attempts;
  return answer;
}

/* Deadline and cancellation */

static gboolean
on_deadline (gpointer user_data)
{
  GTask *task = user_data;
  Ask *ask = g_task_get_task_data (task);

  g_clear_pointer (&ask->deadline_source, g_source_unref);
  ask->timed_out = TRUE;

  if (ask->state == ASK_SENDING)
    {
      /* The operation in flight ends with G_IO_ERROR_CANCELLED, and its
       * callback turns that into the timeout. */
      g_cancellable_cancel (ask->request_cancellable);
    }
  else
    {
      _suda_assistant_finish_timeout (task);
    }

  return G_SOURCE_REMOVE;
}

static gboolean
on_user_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Ask *ask = g_task_get_task_data (task);

  g_clear_pointer (&ask->user_cancel_source, g_source_unref);

  if (ask->state == ASK_SENDING)
    {
      g_cancellable_cancel (ask->request_cancellable);
    }
  else
    {
      _suda_assistant_finish_cancelled (task);
    }

  return G_SOURCE_REMOVE;
}

static void
start_ask (GTask *task)
{
  SudaAssistant *self = g_task_get_source_object (task);
  Ask *ask = g_task_get_task_data (task);
  const char *cached;

  g_assert (!ask->holds_slot);

  /* While this ask waited, another one may have asked the same. */
  cached = ask->cache_key != NULL ? _suda_answer_cache_lookup (self->cache, ask->cache_key,
                                                               _suda_assistant_now (self))
                                  : NULL;
  if (cached != NULL)
    {
      _suda_assistant_finish_ask (task, _suda_assistant_make_answer (self, ask, cached, TRUE), NULL);
      return;
    }

  ask->holds_slot = TRUE;
  self->n_active++;

  ask->request_cancellable = g_cancellable_new ();
  ask->deadline_source = g_timeout_source_new (self->config.timeout_ms);
  g_task_attach_source (task, ask->deadline_source, on_deadline);

  _suda_assistant_send_attempt (task);
}

static void
dispatch_queue (SudaAssistant *self)
{
  while (self->n_active < self->config.max_concurrent && self->queue.length > 0)
    start_ask (g_queue_pop_head (&self->queue));
}

void
suda_assistant_ask_async (SudaAssistant       *self,
                          const char          *asker,
                          const char          *query,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  suda_assistant_ask_prompt_async (self, asker, query, NULL, cancellable, callback, user_data);
}

static char *
make_cache_key (SudaAssistant             *self,
                const char                *query,
                const SudaAssistantPrompt *prompt)
{
  g_autofree char *normalized = NULL;

  if (prompt != NULL && prompt->cache_key != NULL)
    return prompt->cache_key[0] != '\0' ? g_strconcat (self->config.model, "\n", prompt->cache_key, NULL)
                                        : NULL;
  normalized = _suda_assistant_normalize_query (query);
  return g_strconcat (self->config.model, "\n", normalized, NULL);
}

void
suda_assistant_ask_prompt_async (SudaAssistant             *self,
                                 const char                *asker,
                                 const char                *query,
                                 const SudaAssistantPrompt *prompt,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  GTask *task;
  Ask *ask;
  const char *cached;
  guint wait_s;

  g_return_if_fail (SUDA_IS_ASSISTANT (self));
  g_return_if_fail (asker != NULL);
  g_return_if_fail (query != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  /* One tag for both ways in: suda_assistant_ask_finish() reads either. */
  g_task_set_source_tag (task, suda_assistant_ask_async);

  ask = g_new0 (Ask, 1);
  ask->asker = g_strdup (asker);
  ask->query = g_utf8_make_valid (query, -1);
  if (prompt != NULL && prompt->instructions != NULL)
    ask->instructions = g_utf8_make_valid (prompt->instructions, -1);
  if (prompt != NULL && prompt->context != NULL)
    ask->context = g_utf8_make_valid (prompt->context, -1);
  ask->asked_at = g_get_monotonic_time ();
  ask->state = ASK_QUEUED;
  g_task_set_task_data (task, ask, (GDestroyNotify) ask_free);

  if (!self->configured)
    {
      _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_NOT_CONFIGURED,
                                        _("AI search is not set up on this server."));
      return;
    }

  wait_s = _suda_assistant_rate_limit_check (self, asker);
  if (wait_s > 0)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "You have searched often in the last minute; please wait %u second.",
                                              "You have searched often in the last minute; please wait %u seconds.",
                                              wait_s),
                                 wait_s);
      _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_RATE_LIMITED, message);
      return;
    }

  ask->cache_key = make_cache_key (self, ask->query, prompt);
  cached = ask->cache_key != NULL ? _suda_answer_cache_lookup (self->cache, ask->cache_key,
                                                               _suda_assistant_now (self))
                                  : NULL;
  if (cached != NULL)
    {
      _suda_assistant_finish_ask (task, _suda_assistant_make_answer (self, ask, cached, TRUE), NULL);
      return;
    }

  if (self->n_active >= self->config.max_concurrent && self->queue.length >= self->config.max_queued)
    {
      _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_TOO_MANY_REQUESTS,
                                        _("Too many searches are waiting; please try again in a minute."));
      return;
    }

  if (cancellable != NULL)
    {
      ask->user_cancel_source = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, ask->user_cancel_source, G_SOURCE_FUNC (on_user_cancelled));
    }

  g_queue_push_tail (&self->queue, task);
  dispatch_queue (self);
}

SudaAssistantAnswer *
suda_assistant_ask_finish (SudaAssistant  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (SUDA_IS_ASSISTANT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == suda_assistant_ask_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
suda_assistant_ask_get_detail (GAsyncResult *result)
{
  Ask *ask;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == suda_assistant_ask_async, NULL);

  ask = g_task_get_task_data (G_TASK (result));
  return ask->detail;
}

/* Construction */

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      g_str_has_suffix (host, ".localhost"))
    return TRUE;

  /* GUri keeps the brackets of an IPv6 literal. */
  bare = (host[0] == '[') ? g_strndup (host + 1, strlen (host) - 2) : g_strdup (host);
  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static char *
dup_api_key (const SudaAiConfig *config)
{
  const char *env_key = g_getenv ("OPENAI_API_KEY");

  /* A key file, even an empty one, is the whole answer. */
  if (config->api_key_file != NULL)
    return g_strdup (config->api_key);
  if (env_key != NULL && env_key[0] != '\0')
    return g_strstrip (g_strdup (env_key));
  return NULL;
}

SudaAssistant *
suda_assistant_new (const SudaAiConfig *config)
{
  g_autoptr(SudaAssistant) self = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *host;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->base_url != NULL, NULL);

  self = g_object_new (SUDA_TYPE_ASSISTANT, NULL);
  suda_ai_config_copy (config, &self->config);
  self->endpoint = g_strconcat (self->config.base_url, "/chat/completions", NULL);
  self->api_key = dup_api_key (config);

  /* suda-server-config.c has checked it is an http(s) address with a host. */
  uri = g_uri_parse (self->config.base_url, G_URI_FLAGS_NONE, NULL);
  g_return_val_if_fail (uri != NULL && g_uri_get_host (uri) != NULL, NULL);
  host = g_uri_get_host (uri);

  self->configured = self->api_key != NULL || g_ascii_strcasecmp (host, OPENAI_HOST) != 0;

  if (self->api_key != NULL && g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 &&
      !host_is_loopback (host))
    g_message ("[ai] base-url is plain http to another machine: the API key travels unencrypted");

  self->cache = _suda_answer_cache_new (config->cache_size,
                                        (gint64) config->cache_ttl_s * G_USEC_PER_SEC);

  self->session = soup_session_new_with_options ("user-agent", "suda/" PACKAGE_VERSION " ",
                                                 /* Soup's default of 2 would
                                                  * queue below our own cap. */
                                                 "max-conns-per-host", self->config.max_concurrent,
                                                 "max-conns", MAX (self->config.max_concurrent, 10u),
                                                 NULL);
  /* A proxy from the environment must not catch requests to this machine. */
  if (host_is_loopback (host))
    soup_session_set_proxy_resolver (self->session, NULL);

  return g_steal_pointer (&self);
}

gboolean
suda_assistant_is_configured (SudaAssistant *self)
{
  g_return_val_if_fail (SUDA_IS_ASSISTANT (self), FALSE);

  return self->configured;
}

const char *
suda_assistant_get_model (SudaAssistant *self)
{
  g_return_val_if_fail (SUDA_IS_ASSISTANT (self), NULL);

  return self->config.model;
}

const char *
suda_assistant_get_base_url (SudaAssistant *self)
{
  g_return_val_if_fail (SUDA_IS_ASSISTANT (self), NULL);

  return self->config.base_url;
}

guint
suda_assistant_get_max_lines (SudaAssistant *self)
{
  g_return_val_if_fail (SUDA_IS_ASSISTANT (self), 0);

  return self->config.max_lines;
}

guint
suda_assistant_get_n_active (SudaAssistant *self)
{
  g_return_val_if_fail (SUDA_IS_ASSISTANT (self), 0);

  return self->n_active;
}

guint
suda_assistant_get_n_queued (SudaAssistant *self)
{
  g_return_val_if_fail (SUDA_IS_ASSISTANT (self), 0);

  return self->queue.length;
}

static void
suda_assistant_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SudaAssistant *self = SUDA_ASSISTANT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->config.base_url);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->config.model);
      break;

    case PROP_CONFIGURED:
      g_value_set_boolean (value, self->configured);
      break;

    case PROP_MAX_LINES:
      g_value_set_uint (value, self->config.max_lines);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_assistant_dispose (GObject *object)
{
  SudaAssistant *self = SUDA_ASSISTANT (object);

  /* Every pending ask holds a reference, so normally none is left here. */
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (suda_assistant_parent_class)->dispose (object);
}

static void
suda_assistant_finalize (GObject *object)
{
  SudaAssistant *self = SUDA_ASSISTANT (object);

  g_clear_pointer (&self->cache, _suda_answer_cache_free);
  g_clear_pointer (&self->recent_asks, g_hash_table_unref);
  suda_ai_config_clear (&self->config);
  g_free (self->endpoint);
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);

  G_OBJECT_CLASS (suda_assistant_parent_class)->finalize (object);
}

static void
suda_assistant_class_init (SudaAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = suda_assistant_get_property;
  object_class->dispose = suda_assistant_dispose;
  object_class->finalize = suda_assistant_finalize;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CONFIGURED] =
    g_param_spec_boolean ("configured", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_LINES] =
    g_param_spec_uint ("max-lines", NULL, NULL, 1, 100, 8,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_assistant_init (SudaAssistant *self)
{
  g_queue_init (&self->queue);
  self->recent_asks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) _suda_assistant_free_times);
}
