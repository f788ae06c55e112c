/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "suda-assistant.h"
#include "suda-service-private.h"
#include "suda-test-fake-api.h"
#include "suda-test-util.h"

/* The AI over the room's discussion, end to end: !summary, !search with
 * the room's recent lines as context, and !quiz with private answers.
 * Real clients, a real server, and a SudaFakeApi for the AI. */

#define TEST_KEY "sk-test-0123456789abcdefSECRET"

typedef struct {
  SudaFakeApi   *api;
  SudaTestLobby  lobby;   /* entries: "search" and "error" events */
} Fixture;

typedef void (*ConfigureFunc) (SudaServerConfig *config);

static void
set_value (SudaServerConfig *config,
           const char       *group,
           const char       *key,
           const char       *value)
{
  g_autoptr(GError) error = NULL;

  suda_server_config_set_value (config, group, key, value, &error);
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
  set_value (config, "ai", "base-url", fixture->api->base_url);
  set_value (config, "ai", "model", "test-model");
  set_value (config, "ai", "rate-per-minute", "0");
  set_value (config, "log", "history-lines", "500");
  if (configure != NULL)
    configure (config);
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
            const char *event,
            const char *command)
{
  for (guint i = 0; i < fixture->lobby.entries->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (fixture->lobby.entries, i);

      if (g_strcmp0 (suda_log_entry_get_event (entry), event) == 0 &&
          (command == NULL || g_strcmp0 (suda_log_entry_get_field (entry, "command"), command) == 0))
        return entry;
    }
  return NULL;
}

/* The contents of the messages of request I, in order. */
static GStrv
request_messages (Fixture *fixture,
                  guint    i)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *messages;

  g_assert_cmpuint (fixture->api->bodies->len, >, i);
  g_assert_true (json_parser_load_from_data (parser, g_ptr_array_index (fixture->api->bodies, i), -1, NULL));
  messages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "messages");
  for (guint m = 0; m < json_array_get_length (messages); m++)
    g_strv_builder_add (builder, json_object_get_string_member (json_array_get_object_element (messages, m),
                                                                "content"));
  return g_strv_builder_end (builder);
}

/* Alice says each of TEXTS to the room; bob has them all when it returns. */
static void
alice_says (Fixture            *fixture,
            const char * const *texts)
{
  for (guint i = 0; texts[i] != NULL; i++)
    suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :%s", texts[i]);
  for (guint i = 0; texts[i] != NULL; i++)
    {
      g_autofree char *pattern = g_strdup_printf (":alice!* PRIVMSG #lobby :%s", texts[i]);

      suda_test_client_await (fixture->lobby.bob, pattern);
    }
}

static const char * const five[] = { "one", "two", "three", "four", "five", NULL };

/* !summary */

static void
test_summary_sends_last_messages_in_order (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_auto(GStrv) messages = NULL;
  const char *user, *four, *five_at, *waves;
  SudaLogEntry *entry;

  alice_says (fixture, five);
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :\001ACTION waves\001");
  suda_test_client_await (fixture->lobby.alice, ":bob!* PRIVMSG #lobby :\001ACTION waves\001");

  suda_fake_api_script_success (fixture->api, "Alice counted; bob waved.", 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!summary 3");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :alice: (summary of the last 3 messages) "
                          "Alice counted; bob waved.");

  messages = request_messages (fixture, 0);
  g_assert_cmpuint (g_strv_length (messages), ==, 3);
  g_assert_nonnull (strstr (messages[1], "language that most of the messages use"));
  user = messages[2];
  four = strstr (user, "] alice: four\n");
  five_at = strstr (user, "] alice: five\n");
  waves = strstr (user, "] * bob waves\n");
  g_assert_nonnull (four);
  g_assert_true (four < five_at && five_at < waves);
  /* Not older lines, not the command itself. */
  g_assert_null (strstr (user, "three"));
  g_assert_null (strstr (user, "!summary"));

  entry = find_entry (fixture, "search", "summary");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "alice");
  g_assert_cmpstr (suda_log_entry_get_field (entry, "query"), ==, "summary 3");
  g_assert_cmpstr (suda_log_entry_get_text (entry), ==, "Alice counted; bob waved.");
}

static void
configure_summary_max_two (SudaServerConfig *config)
{
  set_value (config, "ai", "summary-max", "2");
}

static void
test_summary_capped (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(GStrv) messages = NULL;

  alice_says (fixture, five);
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!summary 50");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :bob: (summary of the last 2 messages) "
                          "default answer");
  messages = request_messages (fixture, 0);
  g_assert_nonnull (strstr (messages[2], "] alice: four\n"));
  g_assert_nonnull (strstr (messages[2], "] alice: five\n"));
  g_assert_null (strstr (messages[2], "three"));
}

static void
test_summary_cached_until_something_is_said (Fixture       *fixture,
                                             gconstpointer  data)
{
  alice_says (fixture, five);
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!summary");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :bob: (summary of the last 5 messages) "
                          "default answer");
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!summary");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :alice: (cached answer) "
                          "(summary of the last 5 messages) default answer");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 1);

  alice_says (fixture, (const char *[]) { "six", NULL });
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!summary");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :alice: (summary of the last 6 messages) "
                          "default answer");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 2);
}

static void
test_summary_of_empty_room (Fixture       *fixture,
                            gconstpointer  data)
{
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!summary");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :There is nothing to summarize in #lobby yet.");
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!summary many");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Usage: !summary [NUMBER OF MESSAGES]");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 0);
}

static void
test_summary_in_private (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SudaTestClient) carol = suda_test_user (fixture->lobby.server, "carol", NULL);

  alice_says (fixture, five);
  suda_test_client_send (carol, "PRIVMSG suda :summary #lobby");
  suda_test_client_await (carol, ":suda!* NOTICE carol :You are not in #lobby.");
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG suda :summary #lobby 2");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG bob :(summary of the last 2 messages) default answer");
  suda_test_client_expect_nothing_before_sync (fixture->lobby.alice, "*default answer*");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 1);
}

/* !search with context */

static void
test_search_sends_context (Fixture       *fixture,
                           gconstpointer  data)
{
  g_auto(GStrv) messages = NULL;

  alice_says (fixture, five);
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!search what did alice count?");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :bob: default answer");
  messages = request_messages (fixture, 0);
  g_assert_cmpuint (g_strv_length (messages), ==, 2);
  g_assert_nonnull (strstr (messages[1], "Recent messages in the chat room #lobby"));
  g_assert_nonnull (strstr (messages[1], "] alice: one\n"));
  g_assert_true (g_str_has_suffix (messages[1], "] alice: five\n\nwhat did alice count?"));
}

static void
configure_no_context (SudaServerConfig *config)
{
  set_value (config, "ai", "context-lines", "0");
}

static void
test_search_without_context (Fixture       *fixture,
                             gconstpointer  data)
{
  g_auto(GStrv) messages = NULL;

  alice_says (fixture, five);
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!search what did alice count?");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :bob: default answer");
  messages = request_messages (fixture, 0);
  g_assert_cmpuint (g_strv_length (messages), ==, 2);
  g_assert_cmpstr (messages[1], ==, "what did alice count?");
}

/* !quiz */

#define QUIZ_JSON "{\"question\": \"Capital of France?\", " \
                  "\"choices\": [\"Berlin\", \"Paris\", \"Rome\", \"Madrid\"], \"answer\": \"B\"}"

static void
test_quiz_refused_to_non_operator (Fixture       *fixture,
                                   gconstpointer  data)
{
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!quiz capitals");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Only a room operator can start a quiz.");
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG suda :answer B");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :No quiz is running in your rooms.");
  g_assert_cmpuint (fixture->api->bodies->len, ==, 0);
}

static void
start_quiz (Fixture    *fixture,
            const char *command)
{
  suda_fake_api_script_success (fixture->api, "```json\n" QUIZ_JSON "\n```", 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :%s", command);
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Quiz from alice: Capital of France?");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :A) Berlin");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :B) Paris");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :C) Rome");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :D) Madrid");
}

static void
test_quiz_tally_at_deadline (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(SudaTestClient) carol = suda_test_member (fixture->lobby.server, "carol", NULL, "#lobby");
  g_autoptr(SudaTestClient) dave = suda_test_member (fixture->lobby.server, "dave", NULL, "#lobby");
  SudaService *service = _suda_server_get_service (fixture->lobby.server);
  g_auto(GStrv) messages = NULL;

  start_quiz (fixture, "!quiz capitals of Europe 120");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Answer privately within 120 seconds: "
                          "/msg suda answer LETTER");
  messages = request_messages (fixture, 0);
  g_assert_cmpstr (messages[g_strv_length (messages) - 1], ==, "capitals of Europe");
  g_assert_nonnull (strstr (messages[1], "JSON"));

  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!quiz again");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :A quiz is already running in #lobby.");

  suda_test_client_send (fixture->lobby.bob, "PRIVMSG suda :answer B");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Got your answer B for the quiz in #lobby;*");
  /* The last answer counts. */
  suda_test_client_send (carol, "PRIVMSG suda :!answer c");
  suda_test_client_await (carol, ":suda!* NOTICE carol :Got your answer C*");
  suda_test_client_send (carol, "PRIVMSG suda :answer #lobby   b");
  suda_test_client_await (carol, ":suda!* NOTICE carol :Changed your answer to B for the quiz in #lobby.");
  suda_test_client_send (dave, "PRIVMSG suda :answer C");
  suda_test_client_await (dave, ":suda!* NOTICE dave :Got your answer C*");
  suda_test_client_send (dave, "PRIVMSG suda :answer E");
  suda_test_client_await (dave, ":suda!* NOTICE dave :Answer with one letter from A to D, such as “answer B”.");

  g_assert_true (_suda_service_quiz_expire (service, "#lobby"));
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Time is up! The answer to “Capital of France?” "
                          "is B) Paris");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Answers: A 0, B 2, C 1, D 0");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Right: bob, carol");

  /* Too late. */
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG suda :answer B");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :The quiz in #lobby has ended; answers are closed.");
  g_assert_false (_suda_service_quiz_expire (service, "#lobby"));
  suda_test_client_expect_nothing_before_sync (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Right:*");
  g_assert_nonnull (find_entry (fixture, "search", "quiz"));
}

static void
test_quiz_deadline_passes (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *line = NULL;

  start_quiz (fixture, "!quiz capitals 1");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Answer privately within 1 second: *");
  /* The one-second deadline itself, waited for by its line. */
  line = suda_test_client_expect_within (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Time is up!*", 10000);
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Nobody answered.");
}

static void
test_quiz_malformed_answer (Fixture       *fixture,
                            gconstpointer  data)
{
  SudaLogEntry *entry;

  suda_fake_api_script_success (fixture->api, "Sure! What is the capital of France?", 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!quiz capitals");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :The AI did not make a usable quiz question; "
                          "please try again.");
  suda_fake_api_script_success (fixture->api, "{\"question\": \"Capital?\", \"choices\": [\"Paris\", \"Rome\", "
                                "\"Oslo\"], \"answer\": \"A\"}", 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!quiz capitals");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :The AI did not make a usable quiz question; "
                          "please try again.");
  suda_test_client_expect_nothing_before_sync (fixture->lobby.bob, ":suda!*");

  entry = find_entry (fixture, "error", NULL);
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_field (entry, "source"), ==, "quiz");
  g_assert_cmpstr (suda_log_entry_get_field (entry, "code"), ==, "bad-quiz");

  /* The room is free again. */
  start_quiz (fixture, "!quiz capitals");
}

/* The key */

static void
configure_key (SudaServerConfig *config)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "key", NULL);

  g_assert_true (g_file_set_contents (path, TEST_KEY "\n", -1, NULL));
  set_value (config, "ai", "api-key-file", path);
}

static void
assert_no_key (const char *text)
{
  for (gsize i = 0; i + 8 <= strlen (TEST_KEY); i++)
    {
      g_autofree char *piece = g_strndup (TEST_KEY + i, 8);

      if (text != NULL && strstr (text, piece) != NULL)
        g_error ("a piece of the key got out: %s", text);
    }
}

static void
test_key_never_posted (Fixture       *fixture,
                       gconstpointer  data)
{
  SudaService *service = _suda_server_get_service (fixture->lobby.server);
  g_autofree char *log = NULL;

  suda_test_client_set_line_check (fixture->lobby.alice, assert_no_key);
  suda_test_client_set_line_check (fixture->lobby.bob, assert_no_key);
  alice_says (fixture, five);

  suda_fake_api_script_success (fixture->api, "They said Bearer " TEST_KEY, 0);
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!summary");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :bob: (summary of the last 5 messages) "
                          "They said Bearer [key]");

  suda_fake_api_script_success (fixture->api, "{\"question\": \"Is " TEST_KEY " a key?\", \"choices\": "
                                "[\"" TEST_KEY "\", \"b\", \"c\", \"d\"], \"answer\": \"A\"}", 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!quiz keys");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Quiz from alice: Is [key] a key?");
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :A) [key]");
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG suda :answer A");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Got your answer A*");
  g_assert_true (_suda_service_quiz_expire (service, "#lobby"));
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :Right: bob");

  suda_fake_api_script_success (fixture->api, "not json " TEST_KEY, 0);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!quiz keys");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :The AI did not make a usable quiz question;*");

  g_assert_cmpstr (fixture->api->authorizations->pdata[0], ==, "Bearer " TEST_KEY);
  g_assert_true (g_file_get_contents (suda_server_get_log_path (fixture->lobby.server), &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "They said Bearer [key]"));
  g_assert_nonnull (strstr (log, "bad-quiz"));
  assert_no_key (log);
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

  ADD ("/service/summary/sends-last-messages-in-order-and-posts-answer", NULL,
       test_summary_sends_last_messages_in_order);
  ADD ("/service/summary/count-is-capped", configure_summary_max_two, test_summary_capped);
  ADD ("/service/summary/cached-until-something-is-said", NULL, test_summary_cached_until_something_is_said);
  ADD ("/service/summary/empty-room-asks-nothing", NULL, test_summary_of_empty_room);
  ADD ("/service/summary/in-private-for-members-only", NULL, test_summary_in_private);
  ADD ("/service/search/sends-room-context", NULL, test_search_sends_context);
  ADD ("/service/search/no-context-when-zero", configure_no_context, test_search_without_context);
  ADD ("/service/quiz/refused-to-non-operator", NULL, test_quiz_refused_to_non_operator);
  ADD ("/service/quiz/private-answers-tallied-at-deadline", NULL, test_quiz_tally_at_deadline);
  ADD ("/service/quiz/deadline-passes-by-itself", NULL, test_quiz_deadline_passes);
  ADD ("/service/quiz/malformed-question-is-an-error", NULL, test_quiz_malformed_answer);
  ADD ("/service/ai/key-never-in-summary-quiz-or-log", configure_key, test_key_never_posted);

#undef ADD

  return g_test_run ();
}
