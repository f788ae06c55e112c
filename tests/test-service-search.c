/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-assistant.h"
#include "suda-service-private.h"
#include "suda-test-fake-api.h"
#include "suda-test-util.h"

/* The service user's "search" command, end to end: real clients over real
 * sockets, a real server, and a SudaFakeApi standing in for the AI. */

typedef struct {
  SudaFakeApi   *api;
  SudaTestLobby  lobby;   /* entries: SudaLogEntry, "search" and "error" events */
} Fixture;

typedef void (*ConfigureFunc) (SudaServerConfig *config,
                               SudaFakeApi      *api);

static void
set_ai (SudaServerConfig *config,
        const char       *key,
        const char       *value)
{
  g_autoptr(GError) error = NULL;

  suda_server_config_set_value (config, "ai", key, value, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static const char * const events[] = { "search", "error", NULL };
  ConfigureFunc configure = (ConfigureFunc) data;
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  fixture->api = suda_fake_api_new ();
  set_ai (config, "base-url", fixture->api->base_url);
  set_ai (config, "model", "test-model");
  set_ai (config, "retry-backoff", "0.01");
  if (configure != NULL)
    configure (config, fixture->api);

  /* The round-trip test sends more lines than a flood burst allows: the
   * lobby's server has no flood control. */
  suda_test_lobby_set_up (&fixture->lobby, config, events);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  suda_test_lobby_tear_down (&fixture->lobby);
  g_clear_pointer (&fixture->api, suda_fake_api_free);
}

static SudaLogEntry *
find_entry (Fixture    *fixture,
            const char *event)
{
  for (guint i = 0; i < fixture->lobby.entries->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (fixture->lobby.entries, i);

      if (g_strcmp0 (suda_log_entry_get_event (entry), event) == 0)
        return entry;
    }
  return NULL;
}

static void
test_channel_answer_goes_to_everyone (Fixture       *fixture,
                                      gconstpointer  data)
{
  SudaLogEntry *entry;

  suda_fake_api_script_success (fixture->api, "Rust is a systems programming language.", 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search what is rust?");

  /* Everyone sees the question, then the answer naming whom it answers. */
  suda_test_client_await (fixture->lobby.bob, ":alice!* PRIVMSG #lobby :!search what is rust?");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :alice: Rust is a systems programming language.");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :alice: Rust is a systems programming language.");

  entry = find_entry (fixture, "search");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_channel (entry), ==, "#lobby");
  g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "alice");
  g_assert_cmpstr (suda_log_entry_get_text (entry), ==, "Rust is a systems programming language.");
  g_assert_cmpstr (suda_log_entry_get_field (entry, "query"), ==, "what is rust?");
  g_assert_cmpstr (suda_log_entry_get_field (entry, "model"), ==, "test-model");
  g_assert_cmpstr (suda_log_entry_get_field (entry, "outcome"), ==, "answered");
  g_assert_true (json_object_has_member (suda_log_entry_get_extra (entry), "latency_ms"));
  g_assert_false (json_object_get_boolean_member (suda_log_entry_get_extra (entry), "cached"));
  g_assert_null (find_entry (fixture, "error"));
}

/* A question written in colour and bold is still a question: the prompt
 * and the log's query get the words without the formatting codes. */
static void
test_prompt_gets_plain_text (Fixture       *fixture,
                             gconstpointer  data)
{
  SudaLogEntry *entry;

  suda_fake_api_script_success (fixture->api, "Blue.", 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search \002what\002 \003" "04,01colour\003 is the \035sky\035?");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :alice: Blue.");

  g_assert_cmpuint (fixture->api->bodies->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->api->bodies, 0), "\"what colour is the sky?\""));
  entry = find_entry (fixture, "search");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_field (entry, "query"), ==, "what colour is the sky?");
}

static void
test_private_answer_goes_to_asker_only (Fixture       *fixture,
                                        gconstpointer  data)
{
  SudaLogEntry *entry;

  suda_fake_api_script_success (fixture->api, "A private answer.", 0);
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG suda :search something private");

  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG bob :A private answer.");
  suda_test_client_expect_nothing_before_sync (fixture->lobby.alice, "*private answer*");

  entry = find_entry (fixture, "search");
  g_assert_nonnull (entry);
  g_assert_null (suda_log_entry_get_channel (entry));
  g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "bob");
}

static void
test_cached_answer_says_so (Fixture       *fixture,
                            gconstpointer  data)
{
  suda_fake_api_script_success (fixture->api, "Seoul.", 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search capital of Korea?");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :alice: Seoul.");

  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!search Capital of  KOREA?");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :bob: (cached answer) Seoul.");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 1);
}

static gboolean
log_file_has_error (gpointer data)
{
  Fixture *fixture = data;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (suda_server_get_log_path (fixture->lobby.server), &contents, NULL, NULL))
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(SudaLogEntry) entry = NULL;

      if (lines[i][0] == '\0')
        continue;
      entry = suda_log_entry_new_from_line (lines[i], -1, NULL);
      g_assert_nonnull (entry);
      if (g_strcmp0 (suda_log_entry_get_event (entry), "error") == 0 &&
          g_strcmp0 (suda_log_entry_get_field (entry, "code"), "server-error") == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_server_errors_tell_the_asker (Fixture       *fixture,
                                   gconstpointer  data)
{
  SudaLogEntry *entry;

  for (guint i = 0; i < 3; i++)
    suda_fake_api_script (fixture->api, 500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}",
                          NULL, 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search will this work?");

  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :The AI service had an error (HTTP 500); "
                          "please try again later.");
  /* The room is not told about one person's failure. */
  suda_test_client_expect_nothing_before_sync (fixture->lobby.bob, ":suda!*");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 3);

  entry = find_entry (fixture, "error");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_field (entry, "code"), ==, "server-error");
  g_assert_cmpstr (suda_log_entry_get_field (entry, "detail"), ==,
                   "HTTP 500 (server_error) after 3 attempt(s)");
  entry = find_entry (fixture, "search");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_field (entry, "outcome"), ==, "server-error");

  g_assert_true (suda_test_wait_until (log_file_has_error, fixture, 5000));
}

static gboolean
request_is_pending (gpointer data)
{
  Fixture *fixture = data;

  return fixture->api->n_active == 1;
}

static gint64
privmsg_round_trip (Fixture    *fixture,
                    const char *text)
{
  /* A trailing parameter without spaces may come without its colon. */
  g_autofree char *pattern = g_strdup_printf (":bob!* PRIVMSG alice *%s", text);
  gint64 start = g_get_monotonic_time ();

  suda_test_client_send (fixture->lobby.bob, "PRIVMSG alice :%s", text);
  suda_test_client_await (fixture->lobby.alice, pattern);
  return g_get_monotonic_time () - start;
}

static void
test_chat_flows_while_answer_pending (Fixture       *fixture,
                                      gconstpointer  data)
{
  gint64 before = G_MAXINT64, during = G_MAXINT64;

  /* The best of a few, so a busy machine does not decide the figures. */
  for (guint i = 0; i < 5; i++)
    before = MIN (before, privmsg_round_trip (fixture, "warm-up"));

  suda_fake_api_script_success (fixture->api, "Worth the wait.", SUDA_FAKE_API_HOLD);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search a slow question");
  g_assert_true (suda_test_wait_until (request_is_pending, fixture, 5000));

  for (guint i = 0; i < 5; i++)
    during = MIN (during, privmsg_round_trip (fixture, "still there?"));
  g_test_message ("PRIVMSG round trip: %" G_GINT64_FORMAT " µs idle, %" G_GINT64_FORMAT
                  " µs with an AI request pending", before, during);
  /* Blocking on the API would hold the message for as long as the API
   * holds its answer, which is until the release below. */
  g_assert_cmpint (during, <, MAX (20 * before, 100 * 1000));
  g_assert_cmpuint (fixture->api->n_active, ==, 1);

  suda_fake_api_release (fixture->api);
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :alice: Worth the wait.");
}

static void
configure_three_lines (SudaServerConfig *config,
                       SudaFakeApi      *api)
{
  set_ai (config, "max-lines", "3");
}

static void
test_long_answer_cut_to_max_lines (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GString) answer = g_string_new (NULL);
  SudaLogEntry *entry;

  /* About 4.5 kB of Korean without spaces: ten lines' worth. */
  for (guint i = 0; i < 1500; i++)
    g_string_append_unichar (answer, 0xAC00 + (i * 97) % 11172);
  suda_fake_api_script_success (fixture->api, answer->str, 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search 길게 말해 주세요");

  for (guint i = 0; i < 3; i++)
    {
      /* Lines without a space may come without the trailing colon. */
      g_autofree char *line = suda_test_client_expect (fixture->lobby.bob, ":suda!* PRIVMSG #lobby *");

      /* 512 bytes with CR LF, which the reader strips. */
      g_assert_cmpuint (strlen (line), <=, 510);
      g_assert_cmpuint (strlen (line), >, 400);
      g_assert_true (g_utf8_validate (line, -1, NULL));
      if (i == 0)
        g_assert_true (g_str_has_prefix (strstr (line, " :") + 2, "alice: 가"));
    }
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :(* more lines of the answer were cut)");

  entry = find_entry (fixture, "search");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_text (entry), ==, answer->str);
  g_assert_cmpint (json_object_get_int_member (suda_log_entry_get_extra (entry), "lines"), ==, 3);
}

static void
configure_no_key (SudaServerConfig *config,
                  SudaFakeApi      *api)
{
  set_ai (config, "base-url", NULL);
}

static void
test_not_configured_says_so (Fixture       *fixture,
                             gconstpointer  data)
{
  SudaLogEntry *entry;

  suda_test_client_send (fixture->lobby.alice, "PRIVMSG suda :search anything");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :AI search is not set up on this server.");

  entry = find_entry (fixture, "error");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_field (entry, "code"), ==, "not-configured");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 0);
}

static void
configure_one_per_minute (SudaServerConfig *config,
                          SudaFakeApi      *api)
{
  set_ai (config, "rate-per-minute", "1");
}

static void
test_rate_limit_survives_nick_change (Fixture       *fixture,
                                      gconstpointer  data)
{
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search first");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :alice: default answer");

  suda_test_client_send (fixture->lobby.alice, "NICK alicia");
  suda_test_client_await (fixture->lobby.alice, ":alice!* NICK *alicia");
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search second");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alicia :You have searched often in the last minute;*");

  /* Someone else may still ask. */
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!search third");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :bob: default answer");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 2);
  /* Asking too often is no fault of the server's. */
  g_assert_null (find_entry (fixture, "error"));
}

static void
test_usage_without_question (Fixture       *fixture,
                             gconstpointer  data)
{
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search   ");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Usage: !search QUESTION");
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG suda :search");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Usage: search QUESTION");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 0);
}

static gboolean
has_search_entry (gpointer data)
{
  return find_entry (data, "search") != NULL;
}

static void
test_asker_leaving_before_answer (Fixture       *fixture,
                                  gconstpointer  data)
{
  SudaLogEntry *entry;

  suda_fake_api_script_success (fixture->api, "Too late for alice.", SUDA_FAKE_API_HOLD);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG suda :search quickly");
  g_assert_true (suda_test_wait_until (request_is_pending, fixture, 5000));
  suda_test_client_send (fixture->lobby.alice, "QUIT :bye");
  suda_test_client_await (fixture->lobby.bob, ":alice!* QUIT *");

  suda_fake_api_release (fixture->api);
  suda_test_client_expect_nothing_before_sync (fixture->lobby.bob, "*Too late*");
  g_assert_true (suda_test_wait_until (has_search_entry, fixture, 5000));
  entry = find_entry (fixture, "search");
  g_assert_cmpstr (suda_log_entry_get_field (entry, "outcome"), ==, "asker-left");
}

static gboolean
assistant_is_idle (gpointer data)
{
  return suda_assistant_get_n_active (data) == 0;
}

static void
test_server_freed_while_pending (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(SudaAssistant) assistant = NULL;

  suda_fake_api_script_success (fixture->api, "Nobody is left to read this.", SUDA_FAKE_API_HOLD);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search are you there?");
  g_assert_true (suda_test_wait_until (request_is_pending, fixture, 5000));
  assistant = g_object_ref (_suda_service_get_assistant (_suda_server_get_service (fixture->lobby.server)));
  g_assert_cmpuint (suda_assistant_get_n_active (assistant), ==, 1);

  suda_test_lobby_stop_server (&fixture->lobby);

  /* The service took its pending search with it: the request is cancelled
   * rather than answered into a server that is gone (the API would hold it
   * for the whole 30 s timeout). */
  g_assert_true (suda_test_wait_until (assistant_is_idle, assistant, 2000));
  g_assert_cmpuint (fixture->lobby.entries->len, ==, 0);
}

#define TEST_KEY "sk-test-0123456789abcdefSECRET"

static void
configure_key (SudaServerConfig *config,
               SudaFakeApi      *api)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "key", NULL);

  g_assert_true (g_file_set_contents (path, TEST_KEY "\n", -1, NULL));
  set_ai (config, "api-key-file", path);
}

static void
assert_no_key (const char *text)
{
  /* No piece of 8 bytes of the key, anywhere. */
  for (gsize i = 0; i + 8 <= strlen (TEST_KEY); i++)
    {
      g_autofree char *piece = g_strndup (TEST_KEY + i, 8);

      if (text != NULL && strstr (text, piece) != NULL)
        g_error ("a piece of the key got out: %s", text);
    }
}

/* An endpoint that echoes the Authorization header: the key, whole or in
 * pieces, reaches neither the room, the asker in private, nor the log. */
static void
test_answer_scrubbed_of_key (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *log = NULL;

  suda_test_client_set_line_check (fixture->lobby.bob, assert_no_key);
  suda_test_client_set_line_check (fixture->lobby.alice, assert_no_key);
  suda_fake_api_script_success (fixture->api, "Your header was: Bearer " TEST_KEY, 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!search echo my header");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :alice: Your header was: Bearer [key]");

  suda_fake_api_script_success (fixture->api, "part 0123456789abcd and SECRET-free " "st-0123", 0);
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG suda :search a piece");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG bob :part [key] and SECRET-free st-0123");
  g_assert_cmpstr (fixture->api->authorizations->pdata[0], ==, "Bearer " TEST_KEY);

  g_assert_cmpuint (fixture->lobby.entries->len, >=, 2);
  /* The whole log: the search entries and the service's messages. */
  g_assert_true (g_file_get_contents (suda_server_get_log_path (fixture->lobby.server), &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "Your header was: Bearer [key]"));
  assert_no_key (log);
  lines = suda_test_client_sync (fixture->lobby.alice);
  g_assert_nonnull (suda_test_lines_find (lines, ":suda!* PRIVMSG #lobby :alice: Your header was: Bearer [key]"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* A developer's real key must never reach a test server. */
  g_unsetenv ("OPENAI_API_KEY");

#define ADD(path, configure, func) \
  g_test_add (path, Fixture, (gconstpointer) (configure), fixture_set_up, func, fixture_tear_down)

  ADD ("/service/search/channel-answer-goes-to-everyone", NULL, test_channel_answer_goes_to_everyone);
  ADD ("/service/search/private-answer-goes-to-asker-only", NULL,
       test_private_answer_goes_to_asker_only);
  ADD ("/service/search/cached-answer-says-so", NULL, test_cached_answer_says_so);
  ADD ("/service/search/prompt-gets-plain-text", NULL, test_prompt_gets_plain_text);
  ADD ("/service/search/server-errors-tell-the-asker-and-the-log", NULL,
       test_server_errors_tell_the_asker);
  ADD ("/service/search/chat-flows-while-answer-pending", NULL, test_chat_flows_while_answer_pending);
  ADD ("/service/search/long-answer-cut-to-max-lines", configure_three_lines,
       test_long_answer_cut_to_max_lines);
  ADD ("/service/search/not-configured-says-so", configure_no_key, test_not_configured_says_so);
  ADD ("/service/search/rate-limit-survives-nick-change", configure_one_per_minute,
       test_rate_limit_survives_nick_change);
  ADD ("/service/search/usage-without-question", NULL, test_usage_without_question);
  ADD ("/service/search/answer-scrubbed-of-the-key", configure_key, test_answer_scrubbed_of_key);
  ADD ("/service/search/asker-leaving-before-answer", NULL, test_asker_leaving_before_answer);
  ADD ("/service/search/server-freed-while-pending", NULL, test_server_freed_while_pending);

#undef ADD

  return g_test_run ();
}
