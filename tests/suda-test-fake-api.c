/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "suda-test-fake-api.h"

typedef struct {
  guint  status;
  char  *body;
  char  *retry_after;
  guint  delay_ms;
} Reply;

typedef struct {
  SudaFakeApi       *api;
  SoupServerMessage *msg;
  Reply             *reply;
  guint              timeout_id;
  gboolean           gone;
  gboolean           answered;
} DelayedReply;

char *
suda_fake_api_success_body (const char *content)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "chat.completion");
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "assistant");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "finish_reason");
  json_builder_add_string_value (builder, "stop");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

void
suda_fake_api_script (SudaFakeApi *self,
                      guint        status,
                      const char  *body,
                      const char  *retry_after,
                      guint        delay_ms)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = status;
  reply->body = g_strdup (body);
  reply->retry_after = g_strdup (retry_after);
  reply->delay_ms = delay_ms;
  g_queue_push_tail (&self->replies, reply);
}

void
suda_fake_api_script_success (SudaFakeApi *self,
                              const char  *content,
                              guint        delay_ms)
{
  g_autofree char *body = suda_fake_api_success_body (content);

  suda_fake_api_script (self, 200, body, NULL, delay_ms);
}

static void
reply_free (Reply *reply)
{
  g_free (reply->body);
  g_free (reply->retry_after);
  g_free (reply);
}

static void
respond (SudaFakeApi       *self,
         SoupServerMessage *msg,
         const Reply       *reply)
{
  soup_server_message_set_status (msg, reply->status, NULL);
  if (reply->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Retry-After", reply->retry_after);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    reply->body, strlen (reply->body));
  self->n_active--;
}

/* The client gave up (a timeout): nothing to answer any more. */
static void
on_delayed_gone (SoupServerMessage *msg,
                 DelayedReply      *delayed)
{
  if (!delayed->gone && !delayed->answered)
    delayed->api->n_active--;
  delayed->gone = TRUE;
}

static void
answer_delayed (DelayedReply *delayed)
{
  if (delayed->gone || delayed->answered)
    return;

  delayed->answered = TRUE;
  respond (delayed->api, delayed->msg, delayed->reply);
  soup_server_message_unpause (delayed->msg);
}

static gboolean
on_delay_over (gpointer user_data)
{
  DelayedReply *delayed = user_data;

  delayed->timeout_id = 0;
  answer_delayed (delayed);
  return G_SOURCE_REMOVE;
}

static void
delayed_reply_free (DelayedReply *delayed)
{
  g_clear_handle_id (&delayed->timeout_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (delayed->msg, delayed);
  g_object_unref (delayed->msg);
  reply_free (delayed->reply);
  g_free (delayed);
}

void
suda_fake_api_release (SudaFakeApi *self)
{
  for (guint i = 0; i < self->delayed->len; i++)
    {
      DelayedReply *delayed = g_ptr_array_index (self->delayed, i);

      if (delayed->reply->delay_ms == SUDA_FAKE_API_HOLD)
        answer_delayed (delayed);
    }
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  SudaFakeApi *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *authorization;
  DelayedReply *delayed;
  Reply *reply;
  gint64 now = g_get_monotonic_time ();

  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "Authorization");
  g_ptr_array_add (self->bodies, g_strndup (body->data, body->length));
  g_ptr_array_add (self->authorizations, g_strdup (authorization != NULL ? authorization : ""));
  g_array_append_val (self->times, now);
  self->n_active++;
  self->max_active = MAX (self->max_active, self->n_active);

  if (strcmp (soup_server_message_get_method (msg), "POST") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      self->n_active--;
      return;
    }

  reply = g_queue_pop_head (&self->replies);
  if (reply == NULL)
    {
      g_autofree char *default_body = suda_fake_api_success_body ("default answer");
      Reply fallback = { 200, default_body, NULL, 0 };

      respond (self, msg, &fallback);
      return;
    }

  if (reply->delay_ms == 0)
    {
      respond (self, msg, reply);
      reply_free (reply);
      return;
    }

  delayed = g_new0 (DelayedReply, 1);
  delayed->api = self;
  delayed->msg = g_object_ref (msg);
  delayed->reply = reply;
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_delayed_gone), delayed);
  soup_server_message_pause (msg);
  if (reply->delay_ms != SUDA_FAKE_API_HOLD)
    delayed->timeout_id = g_timeout_add (reply->delay_ms, on_delay_over, delayed);
  g_ptr_array_add (self->delayed, delayed);
}

SudaFakeApi *
suda_fake_api_new (void)
{
  SudaFakeApi *self = g_new0 (SudaFakeApi, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  self->server = soup_server_new (NULL, NULL);
  self->bodies = g_ptr_array_new_with_free_func (g_free);
  self->authorizations = g_ptr_array_new_with_free_func (g_free);
  self->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) delayed_reply_free);
  g_queue_init (&self->replies);

  soup_server_add_handler (self->server, "/v1/chat/completions", handle_request, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->base_url = g_strdup_printf ("http://127.0.0.1:%d/v1", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return self;
}

void
suda_fake_api_free (SudaFakeApi *self)
{
  if (self == NULL)
    return;

  soup_server_disconnect (self->server);
  g_ptr_array_unref (self->delayed);
  g_clear_object (&self->server);
  g_queue_clear_full (&self->replies, (GDestroyNotify) reply_free);
  g_ptr_array_unref (self->bodies);
  g_ptr_array_unref (self->authorizations);
  g_array_unref (self->times);
  g_free (self->base_url);
  g_free (self);
}
