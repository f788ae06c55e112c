/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* One HTTP request of an ask: the body we send, the body we read back
 * (bounded), and what a transport failure means to the asker. */

#define G_LOG_DOMAIN "suda-assistant"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "suda-assistant-private.h"

/* A chat answer is a few kilobytes; a larger body is a broken server, and
 * reading it whole would let that server fill our memory. */
#define MAX_BODY_BYTES        (1024 * 1024)
#define READ_CHUNK            16384

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
          _suda_assistant_ask_set_detail (task, "no answer before the deadline (attempt %u)", ask->attempts);
          _suda_assistant_finish_timeout (task);
        }
      else
        {
          g_assert (user_cancellable != NULL && g_cancellable_is_cancelled (user_cancellable));
          _suda_assistant_finish_cancelled (task);
        }
      return;
    }

  _suda_assistant_ask_set_detail (task, "%s", error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    _suda_assistant_finish_timeout (task);
  else
    _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_UNREACHABLE,
                                      _("The AI service cannot be reached right now."));
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
          _suda_assistant_ask_set_detail (task, "HTTP %u with a body over %u bytes",
                                          ask->last_status, MAX_BODY_BYTES);
          g_cancellable_cancel (ask->request_cancellable);
          _suda_assistant_finish_ask_error (task, SUDA_ASSISTANT_ERROR_BAD_RESPONSE,
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
    _suda_assistant_handle_response (task, body);
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

static void
add_message (JsonBuilder *builder,
             const char  *role,
             const char  *content)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content);
  json_builder_end_object (builder);
}

/* The configured system prompt, then the ask's own instructions, then the
 * context and the question as the user's message. */
static GBytes *
build_request_body (SudaAssistant *self,
                    Ask           *ask)
{
  g_autofree char *user = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize len = 0;
  char *data;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, self->config.model);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  if (self->config.system_prompt != NULL && self->config.system_prompt[0] != '\0')
    add_message (builder, "system", self->config.system_prompt);
  if (ask->instructions != NULL)
    add_message (builder, "system", ask->instructions);
  user = ask->context != NULL ? g_strconcat (ask->context, "\n\n", ask->query, NULL)
                              : g_strdup (ask->query);
  add_message (builder, "user", user);
  json_builder_end_array (builder);
  if (self->config.max_tokens > 0)
    {
      json_builder_set_member_name (builder, self->config.token_field);
      json_builder_add_int_value (builder, self->config.max_tokens);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);

  return g_bytes_new_take (data, len);
}

void
_suda_assistant_send_attempt (GTask *task)
{
  SudaAssistant *self = g_task_get_source_object (task);
  Ask *ask = g_task_get_task_data (task);
  g_autoptr(GBytes) body = build_request_body (self, ask);
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
