/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "suda-assistant.h"
#include "suda-assistant-private.h"
#include "suda-test-fake-api.h"
#include "suda-test-util.h"
#include "suda-text.h"

#define TEST_KEY "sk-test-5ecret-never-shown"

/* The API is a SudaFakeApi on 127.0.0.1 (suda-test-fake-api.c). */

/* Helpers for the assistant side */

static GKeyFile *
key_file_for (SudaFakeApi *api)
{
  GKeyFile *kf = g_key_file_new ();

  g_key_file_set_string (kf, "ai", "base-url", api->base_url);
  g_key_file_set_string (kf, "ai", "model", "test-model");
  g_key_file_set_string (kf, "ai", "retry-backoff", "0.02");
  g_key_file_set_string (kf, "ai", "rate-per-minute", "0");
  return kf;
}

static SudaAssistant *
assistant_new (GKeyFile *kf)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GError) error = NULL;
  SudaAssistant *assistant;

  /* the [ai] group goes through the server's one config reader */
  suda_server_config_load_key_file (config, kf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (config->warnings->len, ==, 0);
  assistant = suda_assistant_new (&config->ai);
  g_assert_nonnull (assistant);
  return assistant;
}

static void
on_asked (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static gboolean
on_guard_timeout (gpointer user_data)
{
  g_error ("an ask took more than 10 seconds");
  return G_SOURCE_REMOVE;
}

static void
wait_for (GAsyncResult **result)
{
  guint guard = g_timeout_add_seconds (10, on_guard_timeout, NULL);

  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
}

/* Asks and waits; returns the answer or NULL with ERROR set. */
static SudaAssistantAnswer *
ask (SudaAssistant  *assistant,
     const char     *asker,
     const char     *query,
     GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  suda_assistant_ask_async (assistant, asker, query, NULL, on_asked, &result);
  wait_for (&result);
  return suda_assistant_ask_finish (assistant, result, error);
}

static void
assert_no_key (const char *text)
{
  g_assert_null (strstr (text, TEST_KEY));
  g_assert_null (strstr (text, "5ecret"));
}

/* The tests */

static void
test_success (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;

  suda_fake_api_script_success (api, "  Rust is a programming language.\n", 0);
  answer = ask (assistant, "alice", "what is rust?", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (answer->text, ==, "Rust is a programming language.");
  g_assert_cmpstr (answer->model, ==, "test-model");
  g_assert_false (answer->cached);
  g_assert_cmpuint (answer->attempts, ==, 1);
  g_assert_cmpuint (api->bodies->len, ==, 1);
  g_assert_cmpuint (suda_assistant_get_n_active (assistant), ==, 0);
}

static void
test_request_json_and_headers (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *tmpdir = g_dir_make_tmp ("suda-assistant-XXXXXX", NULL);
  g_autofree char *key_path = g_build_filename (tmpdir, "key", NULL);
  JsonObject *root, *message;
  JsonArray *messages;

  g_assert_true (g_file_set_contents (key_path, TEST_KEY "\n", -1, NULL));
  g_key_file_set_string (kf, "ai", "api-key-file", key_path);
  g_key_file_set_string (kf, "ai", "max-tokens", "321");
  g_key_file_set_string (kf, "ai", "system-prompt", "Be brief.");
  assistant = assistant_new (kf);

  answer = ask (assistant, "alice", "안녕?", &error);
  g_assert_no_error (error);

  g_assert_cmpstr (g_ptr_array_index (api->authorizations, 0), ==, "Bearer " TEST_KEY);
  g_assert_true (json_parser_load_from_data (parser, g_ptr_array_index (api->bodies, 0), -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "model"), ==, "test-model");
  g_assert_cmpint (json_object_get_int_member (root, "max_completion_tokens"), ==, 321);
  g_assert_false (json_object_has_member (root, "max_tokens"));
  messages = json_object_get_array_member (root, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  message = json_array_get_object_element (messages, 0);
  g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "Be brief.");
  message = json_array_get_object_element (messages, 1);
  g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "안녕?");

  g_unlink (key_path);
  g_rmdir (tmpdir);
}

static void
test_request_token_field_max_tokens_without_key (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  g_key_file_set_string (kf, "ai", "token-field", "max_tokens");
  assistant = assistant_new (kf);
  /* A local server works without a key, and then none is sent. */
  g_assert_true (suda_assistant_is_configured (assistant));

  answer = ask (assistant, "alice", "hello", &error);
  g_assert_no_error (error);

  g_assert_cmpstr (g_ptr_array_index (api->authorizations, 0), ==, "");
  g_assert_true (json_parser_load_from_data (parser, g_ptr_array_index (api->bodies, 0), -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, "max_tokens"));
  g_assert_false (json_object_has_member (root, "max_completion_tokens"));
}

static void
test_config_no_key_default_url_not_configured (void)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (suda_assistant_is_configured (assistant));
  g_assert_cmpstr (suda_assistant_get_base_url (assistant), ==, "https://api.openai.com/v1");

  answer = ask (assistant, "alice", "hello", &error);
  g_assert_null (answer);
  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_NOT_CONFIGURED);
  g_assert_cmpstr (error->message, ==, "AI search is not set up on this server.");
  g_assert_cmpstr (suda_assistant_error_get_name (error), ==, "not-configured");
}

static void
test_config_bad_values_rejected (void)
{
  static const char *bad[][2] = {
    { "token-field", "max_length" },
    { "base-url", "ftp://example.org" },
    { "base-url", "not a url" },
    { "timeout", "soon" },
    { "max-concurrent", "0" },
    { "rate-per-minute", "-1" },
    { "api-key-file", "/nonexistent/suda/key" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GKeyFile) kf = g_key_file_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(SudaServerConfig) config = suda_server_config_new ();

      g_key_file_set_string (kf, "ai", bad[i][0], bad[i][1]);
      g_assert_false (suda_server_config_load_key_file (config, kf, &error));
      g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, bad[i][0]));
    }
}

static void
test_error_401_key_rejected (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("OPENAI_API_KEY", TEST_KEY, TRUE);
  assistant = assistant_new (kf);
  g_unsetenv ("OPENAI_API_KEY");

  /* OpenAI's own 401 quotes part of the key: none of it may travel on. */
  suda_fake_api_script (api, 401,
                   "{\"error\":{\"message\":\"Incorrect API key provided: " TEST_KEY "\","
                   "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}",
                   NULL, 0);
  suda_assistant_ask_async (assistant, "alice", "hello", NULL, on_asked, &result);
  wait_for (&result);
  g_assert_null (suda_assistant_ask_finish (assistant, result, &error));

  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_KEY_REJECTED);
  assert_no_key (error->message);
  g_assert_nonnull (strstr (suda_assistant_ask_get_detail (result), "invalid_api_key"));
  assert_no_key (suda_assistant_ask_get_detail (result));
  g_assert_cmpuint (api->bodies->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (api->authorizations, 0), ==, "Bearer " TEST_KEY);
}

/* A base URL without /v1 reaches the server but names no API there. */
static void
test_error_404_says_check_base_url (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_strndup (api->base_url, strlen (api->base_url) - strlen ("/v1"));

  g_key_file_set_string (kf, "ai", "base-url", root);
  assistant = assistant_new (kf);
  suda_fake_api_script (api, 404, "404 page not found", NULL, 0);
  answer = ask (assistant, "alice", "hello", &error);

  g_assert_null (answer);
  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_REQUEST_REJECTED);
  g_assert_nonnull (strstr (error->message, "base URL"));
  g_assert_nonnull (strstr (error->message, "/v1"));
}

static void
test_error_429_quota_not_retried (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;

  suda_fake_api_script (api, 429,
                   "{\"error\":{\"message\":\"You exceeded your current quota\","
                   "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}",
                   "1", 0);
  answer = ask (assistant, "alice", "hello", &error);

  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_QUOTA);
  g_assert_cmpuint (api->bodies->len, ==, 1);
}

static void
test_retry_429_retry_after_then_success (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 waited;

  suda_fake_api_script (api, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"code\":\"rate_limit_exceeded\"}}",
                   "1", 0);
  suda_fake_api_script_success (api, "after the wait", 0);
  answer = ask (assistant, "alice", "hello", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (answer->text, ==, "after the wait");
  g_assert_cmpuint (answer->attempts, ==, 2);
  g_assert_cmpuint (api->bodies->len, ==, 2);
  /* Retry-After: 1 is one second, not the 20 ms backoff of this config. */
  waited = g_array_index (api->times, gint64, 1) - g_array_index (api->times, gint64, 0);
  g_assert_cmpint (waited, >=, 950 * 1000);
  g_assert_cmpint (waited, <, 3 * G_USEC_PER_SEC);
}

static void
test_retry_429_longer_than_deadline_fails_at_once (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  suda_fake_api_script (api, 429, "{}", "120", 0);
  answer = ask (assistant, "alice", "hello", &error);

  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_TOO_MANY_REQUESTS);
  g_assert_cmpuint (api->bodies->len, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

static void
test_retry_500_then_success (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;

  suda_fake_api_script (api, 500, "{\"error\":{\"message\":\"oops\",\"type\":\"server_error\"}}", NULL, 0);
  suda_fake_api_script_success (api, "second time lucky", 0);
  answer = ask (assistant, "alice", "hello", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (answer->text, ==, "second time lucky");
  g_assert_cmpuint (answer->attempts, ==, 2);
  g_assert_cmpuint (api->bodies->len, ==, 2);
}

static void
test_retry_500_three_times_fails (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 4; i++)
    suda_fake_api_script (api, 503, "Service Unavailable", NULL, 0);

  suda_assistant_ask_async (assistant, "alice", "hello", NULL, on_asked, &result);
  wait_for (&result);
  g_assert_null (suda_assistant_ask_finish (assistant, result, &error));

  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_SERVER_ERROR);
  g_assert_nonnull (strstr (error->message, "503"));
  g_assert_cmpstr (suda_assistant_ask_get_detail (result), ==, "HTTP 503 after 3 attempt(s)");
  /* Two retries, and the backoff grows: 20 ms, then 40 ms. */
  g_assert_cmpuint (api->bodies->len, ==, 3);
  g_assert_cmpint (g_array_index (api->times, gint64, 2) - g_array_index (api->times, gint64, 1),
                   >=, 38 * 1000);
}

static void
test_error_malformed_json (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaAssistantAnswer) answer2 = NULL;
  g_autoptr(GError) error2 = NULL;

  suda_fake_api_script (api, 200, "{\"choices\": [ {\"message\": ", NULL, 0);
  answer = ask (assistant, "alice", "hello", &error);
  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_BAD_RESPONSE);

  /* Valid JSON of the wrong shape is no better. */
  suda_fake_api_script (api, 200, "{\"choices\": [ {\"message\": {\"content\": [1, 2]}} ]}", NULL, 0);
  answer2 = ask (assistant, "alice", "hello again", &error2);
  g_assert_error (error2, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_BAD_RESPONSE);
  g_assert_cmpstr (error2->message, ==, "The AI service sent a reply that could not be read.");
}

static void
test_error_empty_choices (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaAssistantAnswer) answer2 = NULL;
  g_autoptr(GError) error2 = NULL;

  suda_fake_api_script (api, 200, "{\"choices\": []}", NULL, 0);
  answer = ask (assistant, "alice", "hello", &error);
  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_EMPTY_ANSWER);

  suda_fake_api_script_success (api, " \n ", 0);
  answer2 = ask (assistant, "alice", "hello again", &error2);
  g_assert_error (error2, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_EMPTY_ANSWER);
}

static void
test_error_timeout (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;

  g_key_file_set_string (kf, "ai", "timeout", "0.3");
  assistant = assistant_new (kf);
  suda_fake_api_script_success (api, "too late", 5000);

  start = g_get_monotonic_time ();
  answer = ask (assistant, "alice", "hello", &error);
  elapsed = g_get_monotonic_time () - start;

  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_TIMEOUT);
  g_assert_cmpint (elapsed, >=, 290 * 1000);
  g_assert_cmpint (elapsed, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (suda_assistant_get_n_active (assistant), ==, 0);
}

static void
test_error_unreachable (void)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(SudaAssistant) assistant = NULL;
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago and has nobody listening. */
  url = g_strdup_printf ("http://127.0.0.1:%u/v1", suda_test_free_port ());

  g_key_file_set_string (kf, "ai", "base-url", url);
  assistant = assistant_new (kf);
  answer = ask (assistant, "alice", "hello", &error);

  g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_UNREACHABLE);
  g_assert_cmpstr (error->message, ==, "The AI service cannot be reached right now.");
}

static void
test_long_korean_answer_split (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) long_answer = g_string_new (NULL);
  g_autoptr(GString) rejoined = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) all_lines = NULL;
  guint omitted = 0;
  /* What is left of 512 bytes after ":suda!suda@host PRIVMSG #lobby :"
   * and CR LF; 3-byte syllables never fill it exactly. */
  const gsize max_bytes = 512 - strlen (":suda!suda@suda.invalid PRIVMSG #lobby :") - 2;

  for (guint i = 0; i < 1500; i++)
    {
      /* Sentences of 40 syllables with no space inside. */
      g_string_append_unichar (long_answer, 0xAC00 + (i * 131) % 11172);
      if (i % 40 == 39)
        g_string_append (long_answer, ". ");
    }
  suda_fake_api_script_success (api, long_answer->str, 0);
  answer = ask (assistant, "alice", "긴 대답을 해 주세요", &error);
  g_assert_no_error (error);

  all_lines = suda_text_split_lines (answer->text, max_bytes, 0, NULL);
  lines = suda_text_split_lines (answer->text, max_bytes, suda_assistant_get_max_lines (assistant),
                                 &omitted);
  g_assert_cmpuint (g_strv_length (lines), ==, 8);
  g_assert_cmpuint (omitted, ==, g_strv_length (all_lines) - 8);
  g_assert_cmpuint (omitted, >, 0);

  for (guint i = 0; all_lines[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (all_lines[i]), <=, max_bytes);
      /* Cuts fill lines: only the last may be short. */
      if (all_lines[i + 1] != NULL)
        g_assert_cmpuint (strlen (all_lines[i]), >, max_bytes / 2);
      g_assert_true (g_utf8_validate (all_lines[i], -1, NULL));
      g_string_append (rejoined, all_lines[i]);
    }
  /* Nothing but the spaces at the cuts went missing. */
  {
    g_autoptr(GString) without_spaces = g_string_new (answer->text);

    g_string_replace (without_spaces, " ", "", 0);
    g_string_replace (rejoined, " ", "", 0);
    g_assert_cmpstr (rejoined->str, ==, without_spaces->str);
  }
}

static void
test_cache_second_identical_query (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = assistant_new (kf);
  g_autoptr(SudaAssistantAnswer) first = NULL;
  g_autoptr(SudaAssistantAnswer) second = NULL;
  g_autoptr(SudaAssistantAnswer) third = NULL;
  g_autoptr(GError) error = NULL;

  suda_fake_api_script_success (api, "Seoul.", 0);
  first = ask (assistant, "alice", "What is the capital of Korea?", &error);
  g_assert_no_error (error);
  g_assert_false (first->cached);

  /* The same question in other spacing and case, from someone else. */
  second = ask (assistant, "bob", "  what is the   CAPITAL of korea? ", &error);
  g_assert_no_error (error);
  g_assert_true (second->cached);
  g_assert_cmpstr (second->text, ==, "Seoul.");
  g_assert_cmpuint (second->attempts, ==, 0);
  g_assert_cmpuint (api->bodies->len, ==, 1);

  third = ask (assistant, "bob", "what is the capital of Japan?", &error);
  g_assert_no_error (error);
  g_assert_false (third->cached);
  g_assert_cmpuint (api->bodies->len, ==, 2);
}

static gint64 fake_now;

static gint64
fake_clock (gpointer user_data)
{
  return fake_now;
}

static void
test_cache_expires_after_ttl (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  g_autoptr(GError) error = NULL;

  g_key_file_set_string (kf, "ai", "cache-ttl", "60");
  assistant = assistant_new (kf);
  fake_now = (gint64) 1000 * G_USEC_PER_SEC;
  _suda_assistant_set_clock (assistant, fake_clock, NULL);

  {
    g_autoptr(SudaAssistantAnswer) answer = ask (assistant, "alice", "q", &error);

    g_assert_no_error (error);
    g_assert_false (answer->cached);
  }
  fake_now += 59 * G_USEC_PER_SEC;
  {
    g_autoptr(SudaAssistantAnswer) answer = ask (assistant, "alice", "q", &error);

    g_assert_no_error (error);
    g_assert_true (answer->cached);
  }
  fake_now += 2 * G_USEC_PER_SEC;
  {
    g_autoptr(SudaAssistantAnswer) answer = ask (assistant, "alice", "q", &error);

    g_assert_no_error (error);
    g_assert_false (answer->cached);
  }
  g_assert_cmpuint (api->bodies->len, ==, 2);
}

static void
test_cache_evicts_least_recently_used (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  static const char *sequence[] = { "a", "b", "a", "c", "a", "b" };
  static const gboolean expect_cached[] = { FALSE, FALSE, TRUE, FALSE, TRUE, FALSE };

  g_key_file_set_string (kf, "ai", "cache-size", "2");
  assistant = assistant_new (kf);

  /* "a" is used again before "c" comes in, so "b" is the one to go. */
  for (guint i = 0; i < G_N_ELEMENTS (sequence); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SudaAssistantAnswer) answer = ask (assistant, "alice", sequence[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (answer->cached, ==, expect_cached[i]);
    }
  g_assert_cmpuint (api->bodies->len, ==, 4);
}

static void
test_cache_normalized_query (void)
{
  static const char *same[] = {
    "What is Rust?", "  what   is rust? ", "WHAT\tIS\nRUST?", "ｗｈａｔ ｉｓ ｒｕｓｔ?",
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *normalized = _suda_assistant_normalize_query (same[i]);

      g_assert_cmpstr (normalized, ==, "what is rust?");
    }
}

static void
test_rate_limit_per_user (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  const char *queries[] = { "one", "two" };

  g_key_file_set_string (kf, "ai", "rate-per-minute", "2");
  assistant = assistant_new (kf);
  fake_now = (gint64) 5000 * G_USEC_PER_SEC;
  _suda_assistant_set_clock (assistant, fake_clock, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SudaAssistantAnswer) answer = ask (assistant, "alice", queries[i], &error);

      g_assert_no_error (error);
      fake_now += 10 * G_USEC_PER_SEC;
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SudaAssistantAnswer) answer = ask (assistant, "alice", "three", &error);

    g_assert_error (error, SUDA_ASSISTANT_ERROR, SUDA_ASSISTANT_ERROR_RATE_LIMITED);
    /* The first ask leaves the window 40 s from now. */
    g_assert_nonnull (strstr (error->message, "40 seconds"));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SudaAssistantAnswer) answer = ask (assistant, "bob", "three", &error);

    g_assert_no_error (error);
  }
  fake_now += 41 * G_USEC_PER_SEC;
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SudaAssistantAnswer) answer = ask (assistant, "alice", "four", &error);

    g_assert_no_error (error);
  }
  g_assert_cmpuint (api->bodies->len, ==, 4);
}

static void
test_concurrency_cap_queues_the_rest (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  GAsyncResult *results[4] = { NULL, };

  g_key_file_set_string (kf, "ai", "max-concurrent", "2");
  assistant = assistant_new (kf);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    suda_fake_api_script_success (api, "slow answer", 150);

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autofree char *query = g_strdup_printf ("question %u", i);

      suda_assistant_ask_async (assistant, "alice", query, NULL, on_asked, &results[i]);
    }
  g_assert_cmpuint (suda_assistant_get_n_active (assistant), ==, 2);
  g_assert_cmpuint (suda_assistant_get_n_queued (assistant), ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SudaAssistantAnswer) answer = NULL;

      wait_for (&results[i]);
      answer = suda_assistant_ask_finish (assistant, results[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (answer->text, ==, "slow answer");
      g_clear_object (&results[i]);
    }

  g_assert_cmpuint (api->bodies->len, ==, 4);
  g_assert_cmpuint (api->max_active, ==, 2);
  g_assert_cmpuint (suda_assistant_get_n_active (assistant), ==, 0);
}

static void
test_cancel_queued_ask (void)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(GKeyFile) kf = key_file_for (api);
  g_autoptr(SudaAssistant) assistant = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaAssistantAnswer) answer = NULL;

  g_key_file_set_string (kf, "ai", "max-concurrent", "1");
  assistant = assistant_new (kf);
  suda_fake_api_script_success (api, "first", 200);

  suda_assistant_ask_async (assistant, "alice", "first", NULL, on_asked, &first);
  suda_assistant_ask_async (assistant, "bob", "second", cancellable, on_asked, &second);
  g_cancellable_cancel (cancellable);

  /* The queued ask ends while the first one is still on the wire. */
  wait_for (&second);
  g_assert_null (first);
  g_assert_null (suda_assistant_ask_finish (assistant, second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (suda_assistant_get_n_queued (assistant), ==, 0);

  wait_for (&first);
  answer = suda_assistant_ask_finish (assistant, first, NULL);
  g_assert_cmpstr (answer->text, ==, "first");
  g_assert_cmpuint (api->bodies->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* A developer's real key must never reach a test server. */
  g_unsetenv ("OPENAI_API_KEY");

  g_test_add_func ("/assistant/answer/success", test_success);
  g_test_add_func ("/assistant/answer/long-korean-answer-splits-on-characters",
                   test_long_korean_answer_split);
  g_test_add_func ("/assistant/request/json-and-authorization", test_request_json_and_headers);
  g_test_add_func ("/assistant/request/max-tokens-field-and-no-key-for-local-server",
                   test_request_token_field_max_tokens_without_key);
  g_test_add_func ("/assistant/config/no-key-and-default-url-is-not-set-up",
                   test_config_no_key_default_url_not_configured);
  g_test_add_func ("/assistant/config/bad-values-are-rejected", test_config_bad_values_rejected);
  g_test_add_func ("/assistant/error/401-key-rejected-without-showing-key",
                   test_error_401_key_rejected);
  g_test_add_func ("/assistant/error/429-insufficient-quota-is-not-retried",
                   test_error_429_quota_not_retried);
  g_test_add_func ("/assistant/error/404-says-check-the-base-url", test_error_404_says_check_base_url);
  g_test_add_func ("/assistant/error/malformed-json", test_error_malformed_json);
  g_test_add_func ("/assistant/error/empty-choices", test_error_empty_choices);
  g_test_add_func ("/assistant/error/slower-than-timeout", test_error_timeout);
  g_test_add_func ("/assistant/error/unreachable", test_error_unreachable);
  g_test_add_func ("/assistant/retry/429-honours-retry-after-then-success",
                   test_retry_429_retry_after_then_success);
  g_test_add_func ("/assistant/retry/429-retry-after-past-deadline-fails-at-once",
                   test_retry_429_longer_than_deadline_fails_at_once);
  g_test_add_func ("/assistant/retry/500-then-success", test_retry_500_then_success);
  g_test_add_func ("/assistant/retry/500-three-times-fails", test_retry_500_three_times_fails);
  g_test_add_func ("/assistant/cache/second-identical-query-makes-no-request",
                   test_cache_second_identical_query);
  g_test_add_func ("/assistant/cache/normalizes-case-width-and-spaces", test_cache_normalized_query);
  g_test_add_func ("/assistant/cache/expires-after-ttl", test_cache_expires_after_ttl);
  g_test_add_func ("/assistant/cache/evicts-least-recently-used", test_cache_evicts_least_recently_used);
  g_test_add_func ("/assistant/rate/limit-is-per-user-and-slides", test_rate_limit_per_user);
  g_test_add_func ("/assistant/concurrency/cap-queues-the-rest", test_concurrency_cap_queues_the_rest);
  g_test_add_func ("/assistant/cancel/queued-ask-ends-at-once", test_cancel_queued_ask);

  return g_test_run ();
}
