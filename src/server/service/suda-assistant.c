/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "suda-assistant"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "suda-assistant.h"
#include "suda-assistant-cache.h"
#include "suda-assistant-private.h"

/* The one host that surely wants a key; any other endpoint (Ollama,
 * llama.cpp's server, vLLM, a proxy) may run without one. */
#define OPENAI_HOST           "api.openai.com"

/* 5xx and 429 are retried at most twice, so a bad spell costs three
 * requests at most. */
#define MAX_ATTEMPTS          3
/* A chat answer is a few kilobytes; a larger body is a broken server, and
 * reading it whole would let that server fill our memory. */
#define MAX_BODY_BYTES        (1024 * 1024)
#define READ_CHUNK            16384
#define RATE_WINDOW_USEC      (60 * G_USEC_PER_SEC)

struct _SudaAssistant
{
  GObject             parent_instance;

  char               *base_url;
  char               *endpoint;
  char               *model;
  char               *api_key;
  char               *token_field;
  guint               max_tokens;
  char               *system_prompt;
  guint               timeout_ms;
  guint               retry_backoff_ms;
  guint               max_concurrent;
  guint               max_queued;
  guint               rate_per_minute;
  guint               max_lines;
  gboolean            configured;

  SoupSession        *session;
  SudaAnswerCache    *cache;

  /* asker → GQueue of the times (clock µs) of their asks in the window */
  GHashTable         *recent_asks;

  guint               n_active;
  GQueue              queue;   /* GTask, waiting for a free request slot */

  SudaAssistantClock  clock;
  gpointer            clock_data;
};

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

typedef enum {
  ASK_QUEUED,
  ASK_SENDING,
  ASK_WAITING_TO_RETRY,
} AskState;

/* The state of one ask, the data of its GTask.  The GTask's own reference
 * lives from suda_assistant_ask_async() to finish_ask(); every operation in
 * flight holds one more. */
typedef struct {
  char          *asker;
  char          *query;
  char          *cache_key;
  gint64         asked_at;     /* g_get_monotonic_time(), for the latency */
  AskState       state;
  gboolean       holds_slot;
  gboolean       timed_out;
  guint          attempts;
  guint          last_status;
  char          *detail;

  GCancellable  *request_cancellable;
  GSource       *user_cancel_source;
  GSource       *deadline_source;
  GSource       *retry_source;

  SoupMessage   *message;
  GInputStream  *stream;
  GByteArray    *body;
} Ask;

static void start_ask      (GTask *task);
static void send_attempt   (GTask *task);
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
  g_free (ask->detail);
  g_clear_object (&ask->request_cancellable);
  g_clear_object (&ask->message);
  g_clear_object (&ask->stream);
  g_clear_pointer (&ask->body, g_byte_array_unref);
  g_free (ask);
}

static gint64
assistant_now (SudaAssistant *self)
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

/* Never let the key reach a log line, even through a server that echoes
 * it back. */
static char *
scrub_key (SudaAssistant *self,
           char          *text)
{
  g_autoptr(GString) scrubbed = NULL;

  if (text == NULL || self->api_key == NULL || strstr (text, self->api_key) == NULL)
    return text;

  scrubbed = g_string_new (text);
  g_string_replace (scrubbed, self->api_key, "[key]", 0);
  g_free (text);
  return g_string_free (g_steal_pointer (&scrubbed), FALSE);
}

static void
ask_set_detail (GTask      *task,
                const char *format,
                ...) G_GNUC_PRINTF (2, 3);

static void
ask_set_detail (GTask      *task,
                const char *format,
                ...)
{
  SudaAssistant *self = g_task_get_source_object (task);
  Ask *ask = g_task_get_task_data (task);
  va_list args;

  va_start (args, format);
  g_free (ask->detail);
  ask->detail = scrub_key (self, g_strdup_vprintf (format, args));
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
static void
finish_ask (GTask               *task,
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

static void
finish_ask_error (GTask      *task,
                  int         code,
                  const char *message)
{
  finish_ask (task, NULL, g_error_new_literal (SUDA_ASSISTANT_ERROR, code, message));
}

static void
finish_timeout (GTask *task)
{
  SudaAssistant *self = g_task_get_source_object (task);
  guint seconds = MAX (1, (self->timeout_ms + 500) / 1000);
  g_autofree char *message = NULL;

  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "The AI service did not answer within %u second.",
                                          "The AI service did not answer within %u seconds.",
                                          seconds),
                             seconds);
  finish_ask_error (task, SUDA_ASSISTANT_ERROR_TIMEOUT, message);
}

static SudaAssistantAnswer *
make_answer (SudaAssistant *self,
             Ask           *ask,
             const char    *text,
             gboolean       cached)
{
  SudaAssistantAnswer *answer = g_new0 (SudaAssistantAnswer, 1);

  answer->text = g_strdup (text);
  answer->model = g_strdup (self->model);
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
      finish_timeout (task);
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
      finish_ask (task, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   _("The search was cancelled.")));
    }

  return G_SOURCE_REMOVE;
}

/* Errors of the transport (no HTTP status) */

/* Takes ERROR. */
static void
finish_transport_error (GTask  *task,
                        GError *error_in)
{
  g_autoptr(GError) error = error_in;
  GCancellable *user_cancellable = g_task_get_cancellable (task);
  Ask *ask = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (ask->timed_out)
        {
          ask_set_detail (task, "no answer before the deadline (attempt %u)", ask->attempts);
          finish_timeout (task);
        }
      else
        {
          g_assert (user_cancellable != NULL && g_cancellable_is_cancelled (user_cancellable));
          finish_ask (task, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                       _("The search was cancelled.")));
        }
      return;
    }

  ask_set_detail (task, "%s", error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    finish_timeout (task);
  else
    finish_ask_error (task, SUDA_ASSISTANT_ERROR_UNREACHABLE,
                      _("The AI service cannot be reached right now."));
}

/* Responses */

static char *
sanitize_answer (const char *content)
{
  g_autofree char *valid = g_utf8_make_valid (content, -1);

  /* Control characters other than line breaks and tabs would reach IRC
   * clients as CTCP or garbage. */
  for (char *p = valid; *p != '\0'; p++)
    if ((guchar) *p < 0x20 && *p != '\n' && *p != '\t')
      *p = (*p == '\r') ? '\n' : ' ';

  return g_strdup (g_strstrip (valid));
}

static JsonNode *
parse_body (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);

  if (size == 0 || !json_parser_load_from_data (parser, data, size, NULL))
    return NULL;

  return json_node_copy (json_parser_get_root (parser));
}

static const char *
object_get_string (JsonObject *object,
                   const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
object_get_object (JsonObject *object,
                   const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The "code" or "type" of an OpenAI-style error body, kept only if it is a
 * plain identifier: the body's free text may quote the key. */
static char *
dup_error_code (GBytes *body)
{
  g_autoptr(JsonNode) root = parse_body (body);
  JsonObject *error;
  const char *code;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  error = object_get_object (json_node_get_object (root), "error");
  code = object_get_string (error, "code");
  if (code == NULL)
    code = object_get_string (error, "type");
  if (code == NULL || strlen (code) > 64 ||
      strspn (code, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen (code))
    return NULL;

  return g_strdup (code);
}

static void
handle_success (GTask  *task,
                GBytes *body)
{
  SudaAssistant *self = g_task_get_source_object (task);
  Ask *ask = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = parse_body (body);
  g_autofree char *text = NULL;
  JsonObject *message;
  JsonNode *choices;
  JsonNode *content;
  JsonArray *array;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (choices = json_object_get_member (json_node_get_object (root), "choices")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (choices))
    {
      ask_set_detail (task, "HTTP %u with a body that is not a chat completion (%" G_GSIZE_FORMAT " bytes)",
                      ask->last_status, g_bytes_get_size (body));
      finish_ask_error (task, SUDA_ASSISTANT_ERROR_BAD_RESPONSE,
                        _("The AI service sent a reply that could not be read."));
      return;
    }

  array = json_node_get_array (choices);
  if (json_array_get_length (array) == 0)
    {
      ask_set_detail (task, "HTTP %u with no choices", ask->last_status);
      finish_ask_error (task, SUDA_ASSISTANT_ERROR_EMPTY_ANSWER,
                        _("The AI service returned an empty answer."));
      return;
    }

  message = object_get_object (json_array_get_object_element (array, 0), "message");
  content = message != NULL ? json_object_get_member (message, "content") : NULL;
  if (message == NULL || content == NULL ||
      (!JSON_NODE_HOLDS_NULL (content) && object_get_string (message, "content") == NULL))
    {
      ask_set_detail (task, "HTTP %u without choices[0].message.content", ask->last_status);
      finish_ask_error (task, SUDA_ASSISTANT_ERROR_BAD_RESPONSE,
                        _("The AI service sent a reply that could not be read."));
      return;
    }

  /* A null content is how a model says it declined or ran out of tokens. */
  text = sanitize_answer (JSON_NODE_HOLDS_NULL (content) ? "" : json_node_get_string (content));
  if (text[0] == '\0')
    {
      ask_set_detail (task, "HTTP %u with an empty message", ask->last_status);
      finish_ask_error (task, SUDA_ASSISTANT_ERROR_EMPTY_ANSWER,
                        _("The AI service returned an empty answer."));
      return;
    }

  ask_set_detail (task, "HTTP %u after %u attempt(s)", ask->last_status, ask->attempts);
  _suda_answer_cache_insert (self->cache, ask->cache_key, text, assistant_now (self));
  finish_ask (task, make_answer (self, ask, text, FALSE), NULL);
}

static gboolean
on_retry (gpointer user_data)
{
  GTask *task = user_data;
  Ask *ask = g_task_get_task_data (task);

  g_clear_pointer (&ask->retry_source, g_source_unref);
  send_attempt (task);

  return G_SOURCE_REMOVE;
}

/* The wait a Retry-After header asks for (delta-seconds or an HTTP date),
 * in milliseconds, or -1 when there is none that makes sense. */
static gint64
parse_retry_after_ms (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                    "Retry-After");
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint64 seconds;

  if (value == NULL)
    return -1;

  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &seconds, NULL))
    return (gint64) seconds * 1000;

  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  return MAX (0, g_date_time_difference (date, now) / 1000);
}

/* Retries after DELAY_MS if attempts and the deadline allow it; otherwise
 * ends the ask with CODE and MESSAGE. */
static void
retry_or_fail (GTask      *task,
               gint64      delay_ms,
               int         code,
               const char *message)
{
  Ask *ask = g_task_get_task_data (task);
  gint64 remaining_ms;

  remaining_ms = ask->deadline_source != NULL
    ? (g_source_get_ready_time (ask->deadline_source) - g_get_monotonic_time ()) / 1000
    : 0;

  if (ask->attempts >= MAX_ATTEMPTS || delay_ms >= remaining_ms)
    {
      finish_ask_error (task, code, message);
      return;
    }

  g_debug ("retrying in %" G_GINT64_FORMAT " ms (%s)", delay_ms, ask->detail);
  ask->state = ASK_WAITING_TO_RETRY;
  ask->retry_source = g_timeout_source_new (delay_ms);
  g_task_attach_source (task, ask->retry_source, on_retry);
}

static void
handle_response (GTask  *task,
                 GBytes *body)
{
  SudaAssistant *self = g_task_get_source_object (task);
  Ask *ask = g_task_get_task_data (task);
  guint status = ask->last_status;
  g_autofree char *code = NULL;
  gint64 retry_after_ms;

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      handle_success (task, body);
      return;
    }

  code = dup_error_code (body);
  ask_set_detail (task, "HTTP %u%s%s%s after %u attempt(s)", status,
                  code != NULL ? " (" : "", code != NULL ? code : "", code != NULL ? ")" : "",
                  ask->attempts);
  retry_after_ms = parse_retry_after_ms (ask->message);

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      if (self->api_key == NULL)
        finish_ask_error (task, SUDA_ASSISTANT_ERROR_NOT_CONFIGURED,
                          _("AI search is not set up on this server: the AI service wants an API key."));
      else
        finish_ask_error (task, SUDA_ASSISTANT_ERROR_KEY_REJECTED,
                          _("The AI service rejected this server’s API key; please tell the server’s operator."));
    }
  else if (status == 429 /* Too Many Requests; libsoup 3.2 has no name for it */)
    {
      /* Waiting does not bring back a quota that is used up. */
      if (g_strcmp0 (code, "insufficient_quota") == 0)
        finish_ask_error (task, SUDA_ASSISTANT_ERROR_QUOTA,
                          _("This server’s AI quota is used up; please tell the server’s operator."));
      else
        retry_or_fail (task,
                       retry_after_ms >= 0 ? retry_after_ms
                                           : (gint64) self->retry_backoff_ms << (ask->attempts - 1),
                       SUDA_ASSISTANT_ERROR_TOO_MANY_REQUESTS,
                       _("The AI service is busy; please try again in a minute."));
    }
  else if (status >= 500)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The AI service had an error (HTTP %u); please try again later."),
                                 status);
      retry_or_fail (task,
                     retry_after_ms >= 0 ? retry_after_ms
                                         : (gint64) self->retry_backoff_ms << (ask->attempts - 1),
                     SUDA_ASSISTANT_ERROR_SERVER_ERROR, message);
    }
  else
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The AI service refused the request (HTTP %u); please tell the server’s operator."),
                                 status);
      finish_ask_error (task, SUDA_ASSISTANT_ERROR_REQUEST_REJECTED, message);
    }
}

static void
on_body_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Ask *ask = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      finish_transport_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_bytes_get_size (chunk) > 0)
    {
      if (ask->body->len + g_bytes_get_size (chunk) > MAX_BODY_BYTES)
        {
          ask_set_detail (task, "HTTP %u with a body over %u bytes", ask->last_status, MAX_BODY_BYTES);
          g_cancellable_cancel (ask->request_cancellable);
          finish_ask_error (task, SUDA_ASSISTANT_ERROR_BAD_RESPONSE,
                            _("The AI service sent a reply that could not be read."));
          return;
        }

      g_byte_array_append (ask->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
      g_input_stream_read_bytes_async (ask->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                       ask->request_cancellable, on_body_read,
                                       g_object_ref (task));
      return;
    }

  {
    g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&ask->body));

    g_clear_object (&ask->stream);
    handle_response (task, body);
  }
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Ask *ask = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  ask->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (ask->stream == NULL)
    {
      finish_transport_error (task, g_steal_pointer (&error));
      return;
    }

  ask->last_status = soup_message_get_status (ask->message);
  ask->body = g_byte_array_new ();
  g_input_stream_read_bytes_async (ask->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   ask->request_cancellable, on_body_read,
                                   g_object_ref (task));
}

static GBytes *
build_request_body (SudaAssistant *self,
                    const char    *query)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize len = 0;
  char *data;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, self->model);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  if (self->system_prompt != NULL && self->system_prompt[0] != '\0')
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, "system");
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, self->system_prompt);
      json_builder_end_object (builder);
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "user");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, query);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  if (self->max_tokens > 0)
    {
      json_builder_set_member_name (builder, self->token_field);
      json_builder_add_int_value (builder, self->max_tokens);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);

  return g_bytes_new_take (data, len);
}

static void
send_attempt (GTask *task)
{
  SudaAssistant *self = g_task_get_source_object (task);
  Ask *ask = g_task_get_task_data (task);
  g_autoptr(GBytes) body = build_request_body (self, ask->query);
  SoupMessageHeaders *headers;

  ask->attempts++;
  ask->state = ASK_SENDING;
  g_clear_object (&ask->message);
  g_clear_object (&ask->stream);
  g_clear_pointer (&ask->body, g_byte_array_unref);

  ask->message = soup_message_new (SOUP_METHOD_POST, self->endpoint);
  g_assert (ask->message != NULL);
  soup_message_set_request_body_from_bytes (ask->message, "application/json", body);
  headers = soup_message_get_request_headers (ask->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (self->api_key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->api_key, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }

  soup_session_send_async (self->session, ask->message, G_PRIORITY_DEFAULT,
                           ask->request_cancellable, on_sent, g_object_ref (task));
}

static void
start_ask (GTask *task)
{
  SudaAssistant *self = g_task_get_source_object (task);
  Ask *ask = g_task_get_task_data (task);
  const char *cached;

  g_assert (!ask->holds_slot);

  /* While this ask waited, another one may have asked the same. */
  cached = _suda_answer_cache_lookup (self->cache, ask->cache_key, assistant_now (self));
  if (cached != NULL)
    {
      finish_ask (task, make_answer (self, ask, cached, TRUE), NULL);
      return;
    }

  ask->holds_slot = TRUE;
  self->n_active++;

  ask->request_cancellable = g_cancellable_new ();
  ask->deadline_source = g_timeout_source_new (self->timeout_ms);
  g_task_attach_source (task, ask->deadline_source, on_deadline);

  send_attempt (task);
}

static void
dispatch_queue (SudaAssistant *self)
{
  while (self->n_active < self->max_concurrent && self->queue.length > 0)
    start_ask (g_queue_pop_head (&self->queue));
}

/* Rate limit: a sliding window of the last minute's asks per asker. */

static void
prune_window (GQueue *times,
              gint64  now)
{
  while (times->length > 0 &&
         now - *(gint64 *) g_queue_peek_head (times) >= RATE_WINDOW_USEC)
    g_free (g_queue_pop_head (times));
}

static void
free_times (GQueue *times)
{
  g_queue_free_full (times, g_free);
}

/* Returns 0 when ASKER may ask now (and counts the ask), otherwise how
 * many seconds until they may. */
static guint
rate_limit_check (SudaAssistant *self,
                  const char    *asker)
{
  gint64 now = assistant_now (self);
  GQueue *times;
  GHashTableIter iter;
  gpointer value;

  if (self->rate_per_minute == 0)
    return 0;

  /* Forget askers who have been quiet for a minute, so the table stays as
   * small as the set of active users. */
  if (g_hash_table_size (self->recent_asks) > 64)
    {
      g_hash_table_iter_init (&iter, self->recent_asks);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          prune_window (value, now);
          if (((GQueue *) value)->length == 0)
            g_hash_table_iter_remove (&iter);
        }
    }

  times = g_hash_table_lookup (self->recent_asks, asker);
  if (times == NULL)
    {
      times = g_queue_new ();
      g_hash_table_insert (self->recent_asks, g_strdup (asker), times);
    }
  prune_window (times, now);

  if (times->length >= self->rate_per_minute)
    {
      gint64 oldest = *(gint64 *) g_queue_peek_head (times);
      gint64 wait = oldest + RATE_WINDOW_USEC - now;

      return MAX (1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    }

  g_queue_push_tail (times, g_memdup2 (&now, sizeof now));
  return 0;
}

void
suda_assistant_ask_async (SudaAssistant       *self,
                          const char          *asker,
                          const char          *query,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
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
  g_task_set_source_tag (task, suda_assistant_ask_async);

  ask = g_new0 (Ask, 1);
  ask->asker = g_strdup (asker);
  ask->query = g_utf8_make_valid (query, -1);
  ask->asked_at = g_get_monotonic_time ();
  ask->state = ASK_QUEUED;
  g_task_set_task_data (task, ask, (GDestroyNotify) ask_free);

  if (!self->configured)
    {
      finish_ask_error (task, SUDA_ASSISTANT_ERROR_NOT_CONFIGURED,
                        _("AI search is not set up on this server."));
      return;
    }

  wait_s = rate_limit_check (self, asker);
  if (wait_s > 0)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "You have searched often in the last minute; please wait %u second.",
                                              "You have searched often in the last minute; please wait %u seconds.",
                                              wait_s),
                                 wait_s);
      finish_ask_error (task, SUDA_ASSISTANT_ERROR_RATE_LIMITED, message);
      return;
    }

  {
    g_autofree char *normalized = _suda_assistant_normalize_query (ask->query);

    ask->cache_key = g_strconcat (self->model, "\n", normalized, NULL);
  }

  cached = _suda_answer_cache_lookup (self->cache, ask->cache_key, assistant_now (self));
  if (cached != NULL)
    {
      finish_ask (task, make_answer (self, ask, cached, TRUE), NULL);
      return;
    }

  if (self->n_active >= self->max_concurrent && self->queue.length >= self->max_queued)
    {
      finish_ask_error (task, SUDA_ASSISTANT_ERROR_TOO_MANY_REQUESTS,
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

static void
copy_config (SudaAssistant      *self,
             const SudaAiConfig *config)
{
  self->base_url = g_strdup (config->base_url);
  self->endpoint = g_strconcat (self->base_url, "/chat/completions", NULL);
  self->model = g_strdup (config->model);
  self->token_field = g_strdup (config->token_field);
  self->system_prompt = g_strdup (config->system_prompt);
  self->max_tokens = config->max_tokens;
  self->timeout_ms = config->timeout_ms;
  self->retry_backoff_ms = config->retry_backoff_ms;
  self->max_concurrent = config->max_concurrent;
  self->max_queued = config->max_queued;
  self->rate_per_minute = config->rate_per_minute;
  self->max_lines = config->max_lines;
  self->api_key = dup_api_key (config);
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
  copy_config (self, config);

  /* suda-server-config.c has checked it is an http(s) address with a host. */
  uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);
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
                                                 "max-conns-per-host", self->max_concurrent,
                                                 "max-conns", MAX (self->max_concurrent, 10u),
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

  return self->model;
}

const char *
suda_assistant_get_base_url (SudaAssistant *self)
{
  g_return_val_if_fail (SUDA_IS_ASSISTANT (self), NULL);

  return self->base_url;
}

guint
suda_assistant_get_max_lines (SudaAssistant *self)
{
  g_return_val_if_fail (SUDA_IS_ASSISTANT (self), 0);

  return self->max_lines;
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
      g_value_set_string (value, self->base_url);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_CONFIGURED:
      g_value_set_boolean (value, self->configured);
      break;

    case PROP_MAX_LINES:
      g_value_set_uint (value, self->max_lines);
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
  g_free (self->base_url);
  g_free (self->endpoint);
  g_free (self->model);
  g_free (self->token_field);
  g_free (self->system_prompt);
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
                                             (GDestroyNotify) free_times);
  self->max_lines = 8;
}
