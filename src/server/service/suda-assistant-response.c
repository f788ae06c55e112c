/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* What an HTTP answer means: a chat completion, an error to report, or
 * one to retry after a while. */

#define G_LOG_DOMAIN "suda-assistant"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "suda-assistant-private.h"

/* 5xx and 429 are retried at most twice, so a bad spell costs three
 * requests at most. */
#define MAX_ATTEMPTS          3

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
      _suda_assistant_ask_set_detail (task, "HTTP %u with a body that is not a chat completion "
                                      "(%" G_GSIZE_FORMAT " bytes)",
                                      ask->last_status, g_bytes_get_size (body));
      _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_BAD_RESPONSE,
                                        _("The AI service sent a reply that could not be read."));
      return;
    }

  array = json_node_get_array (choices);
  if (json_array_get_length (array) == 0)
    {
      _suda_assistant_ask_set_detail (task, "HTTP %u with no choices", ask->last_status);
      _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_EMPTY_ANSWER,
                                        _("The AI service returned an empty answer."));
      return;
    }

  message = object_get_object (json_array_get_object_element (array, 0), "message");
  content = message != NULL ? json_object_get_member (message, "content") : NULL;
  if (message == NULL || content == NULL ||
      (!JSON_NODE_HOLDS_NULL (content) && object_get_string (message, "content") == NULL))
    {
      _suda_assistant_ask_set_detail (task, "HTTP %u without choices[0].message.content", ask->last_status);
      _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_BAD_RESPONSE,
                                        _("The AI service sent a reply that could not be read."));
      return;
    }

  /* A null content is how a model says it declined or ran out of tokens. */
  text = sanitize_answer (JSON_NODE_HOLDS_NULL (content) ? "" : json_node_get_string (content));
  /* Before the cache, the room and the log see it. */
  text = _suda_assistant_scrub_key (self, text);
  if (text[0] == '\0')
    {
      _suda_assistant_ask_set_detail (task, "HTTP %u with an empty message", ask->last_status);
      _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_EMPTY_ANSWER,
                                        _("The AI service returned an empty answer."));
      return;
    }

  _suda_assistant_ask_set_detail (task, "HTTP %u after %u attempt(s)", ask->last_status, ask->attempts);
  if (ask->cache_key != NULL)
    _suda_answer_cache_insert (self->cache, ask->cache_key, text, _suda_assistant_now (self));
  _suda_assistant_finish_ask (task, _suda_assistant_make_answer (self, ask, text, FALSE), NULL);
}

static gboolean
on_retry (gpointer user_data)
{
  GTask *task = user_data;
  Ask *ask = g_task_get_task_data (task);

  g_clear_pointer (&ask->retry_source, g_source_unref);
  _suda_assistant_send_attempt (task);

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
      _suda_assistant_finish_ask_error (task, code, message);
      return;
    }

  g_debug ("retrying in %" G_GINT64_FORMAT " ms (%s)", delay_ms, ask->detail);
  ask->state = ASK_WAITING_TO_RETRY;
  ask->retry_source = g_timeout_source_new (delay_ms);
  g_task_attach_source (task, ask->retry_source, on_retry);
}

void
_suda_assistant_handle_response (GTask  *task,
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
  _suda_assistant_ask_set_detail (task, "HTTP %u%s%s%s after %u attempt(s)", status,
                                  code != NULL ? " (" : "", code != NULL ? code : "", code != NULL ? ")" : "",
                                  ask->attempts);
  retry_after_ms = parse_retry_after_ms (ask->message);

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      if (self->api_key == NULL)
        _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_NOT_CONFIGURED,
                                          _("AI search is not set up on this server: "
                                            "the AI service wants an API key."));
      else
        _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_KEY_REJECTED,
                                          _("The AI service rejected this server’s API key; "
                                            "please tell the server’s operator."));
    }
  else if (status == 429 /* Too Many Requests; libsoup 3.2 has no name for it */)
    {
      /* Waiting does not bring back a quota that is used up. */
      if (g_strcmp0 (code, "insufficient_quota") == 0)
        _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_QUOTA,
                                          _("This server’s AI quota is used up; "
                                            "please tell the server’s operator."));
      else
        retry_or_fail (task,
                       retry_after_ms >= 0 ? retry_after_ms
                                           : (gint64) self->config.retry_backoff_ms << (ask->attempts - 1),
                       SUDA_ASSISTANT_ERROR_TOO_MANY_REQUESTS,
                       _("The AI service is busy; please try again in a minute."));
    }
  else if (status == SOUP_STATUS_NOT_FOUND)
    {
      /* Most often a base URL without its /v1: the path names no API. */
      if (g_str_has_suffix (self->config.base_url, "/v1") || g_str_has_suffix (self->config.base_url, "/v1/"))
        _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_REQUEST_REJECTED,
                                          _("The AI service found nothing at this server’s AI base URL (HTTP 404). "
                                            "Check the base URL and the model name."));
      else
        _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_REQUEST_REJECTED,
                                          _("The AI service found nothing at this server’s AI base URL (HTTP 404). "
                                            "Check the base URL: OpenAI-compatible services usually want it to end in /v1."));
    }
  else if (status >= 500)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The AI service had an error (HTTP %u); please try again later."),
                                 status);
      retry_or_fail (task,
                     retry_after_ms >= 0 ? retry_after_ms
                                         : (gint64) self->config.retry_backoff_ms << (ask->attempts - 1),
                     SUDA_ASSISTANT_ERROR_SERVER_ERROR, message);
    }
  else
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The AI service refused the request (HTTP %u); please tell the server’s operator."),
                                 status);
      _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_REQUEST_REJECTED, message);
    }
}
