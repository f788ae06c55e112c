/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <crypt.h>

#include <glib/gstdio.h>

#include "suda-scheduler.h"
#include "suda-service-private.h"
#include "suda-test-util.h"

/* The service user's "schedule" command, end to end: real clients over
 * real sockets, the scheduler's clock driven by the test. */

typedef struct {
  SudaTestLobby lobby;   /* entries: SudaLogEntry with event "schedule" */
  SudaTestClock clock;
} Fixture;

static SudaScheduler *
get_scheduler (SudaServer *server)
{
  SudaService *service = _suda_server_get_service (server);

  g_assert_nonnull (service);
  g_assert_nonnull (_suda_service_get_scheduler (service));
  return _suda_service_get_scheduler (service);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static const char * const events[] = { "schedule", NULL };

  /* Bad-input tests send lines in bursts: the lobby's server has no flood
   * control to pace them. */
  suda_test_lobby_set_up (&fixture->lobby, NULL, events);

  /* A fixed local morning, so absolute times are predictable. */
  fixture->clock.now = g_date_time_new_local (2026, 11, 21, 10, 0, 0);
  suda_scheduler_set_clock (get_scheduler (fixture->lobby.server), suda_test_clock_now, &fixture->clock, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  suda_test_lobby_tear_down (&fixture->lobby);
  g_date_time_unref (fixture->clock.now);
}

static void
advance_and_check (Fixture *fixture,
                   double   seconds)
{
  suda_test_clock_advance (&fixture->clock, seconds);
  suda_scheduler_check_due (get_scheduler (fixture->lobby.server));
}

static SudaLogEntry *
find_entry (Fixture    *fixture,
            const char *action,
            const char *text)
{
  for (guint i = 0; i < fixture->lobby.entries->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (fixture->lobby.entries, i);

      if (g_strcmp0 (suda_log_entry_get_field (entry, "action"), action) == 0
          && g_strcmp0 (suda_log_entry_get_text (entry), text) == 0)
        return entry;
    }
  return NULL;
}

/* Scheduling and posting */

static void
test_relative_posts_when_due (Fixture       *fixture,
                              gconstpointer  data)
{
  SudaLogEntry *entry;

  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule +10m meeting in five");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Scheduled message 1 for #lobby at 10:10:00;*");

  advance_and_check (fixture, 599);
  suda_test_client_expect_nothing_before_sync (fixture->lobby.bob, "*Scheduled by*");

  advance_and_check (fixture, 1);
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :[Scheduled by alice] meeting in five");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :[Scheduled by alice] meeting in five");

  entry = find_entry (fixture, "scheduled", "meeting in five");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "alice");
  g_assert_cmpstr (suda_log_entry_get_channel (entry), ==, "#lobby");
  entry = find_entry (fixture, "posted", "meeting in five");
  g_assert_nonnull (entry);
  g_assert_null (suda_log_entry_get_field (entry, "late"));
}

static void
test_absolute_posts_at_time_of_day (Fixture       *fixture,
                                    gconstpointer  data)
{
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule 10:30 standup");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Scheduled message 1 for #lobby at 10:30:00;*");
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule 10:45:30 coffee");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Scheduled message 2 for #lobby at 10:45:30;*");
  /* Nine o'clock has passed: it means tomorrow's, and the date says so. */
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule 09:00 tomorrow");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Scheduled message 3 for #lobby at 2026-11-22 09:00:00;*");

  advance_and_check (fixture, 29 * 60 + 59);
  suda_test_client_expect_nothing_before_sync (fixture->lobby.bob, "*Scheduled by*");
  advance_and_check (fixture, 1);
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :[Scheduled by alice] standup");
  advance_and_check (fixture, 15 * 60 + 30);
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :[Scheduled by alice] coffee");
  g_assert_cmpuint (suda_scheduler_get_n_pending (get_scheduler (fixture->lobby.server)), ==, 1);
}

static void
test_private_message_names_the_room (Fixture       *fixture,
                                     gconstpointer  data)
{
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG suda :schedule #LOBBY +90s from a private message");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Scheduled message 1 for #lobby at 10:01:30;"
                        " cancel it with schedule cancel 1.");
  advance_and_check (fixture, 90);
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :[Scheduled by bob] from a private message");
}

static void
test_real_timer_posts (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *line = NULL;

  /* The real clock and the real main-loop timer, once. */
  suda_scheduler_set_clock (get_scheduler (fixture->lobby.server), NULL, NULL, NULL);
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule +1s right now");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Scheduled message 1 for #lobby at *");
  line = suda_test_client_expect_within (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :[Scheduled by alice] right now", 3000);
  g_assert_nonnull (line);
}

static void
test_plain_text_session (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SudaTestClient) carol = suda_test_client_connect (fixture->lobby.port);

  /* nc and the seed's console clients: a nickname, then slash commands. */
  suda_test_client_send (carol, "carol");
  suda_test_client_await (carol, "*carol joined*");
  suda_test_client_send (carol, "/schedule +10m from the console");
  /* They type /schedule, so that is what they are told. */
  suda_test_client_await (carol, "*Scheduled message 1 for #lobby at 10:10:00; cancel it with /schedule cancel 1.");
  suda_test_client_send (carol, "/schedule 99:00 oops");
  suda_test_client_await (carol, "*Usage: /schedule*");

  advance_and_check (fixture, 600);
  suda_test_client_await (carol, "*[Scheduled by carol] from the console");
  suda_test_client_await (fixture->lobby.alice, ":suda!* PRIVMSG #lobby :[Scheduled by carol] from the console");
}

/* Listing and cancelling */

static void
test_list_shows_own_messages (Fixture       *fixture,
                              gconstpointer  data)
{
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule list");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :You have no scheduled messages.");

  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule +20m second");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Scheduled message 1 *");
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!schedule +5m bob's");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Scheduled message 2 *");
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule 10:10 first");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Scheduled message 3 *");

  suda_test_client_send (fixture->lobby.alice, "PRIVMSG suda :schedule list");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :You have 2 scheduled messages:");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :3 · #lobby · 10:10:00 · first");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :1 · #lobby · 10:20:00 · second");
  suda_test_client_expect_nothing_before_sync (fixture->lobby.alice, "*bob's*");
}

static void
test_cancel_by_author (Fixture       *fixture,
                       gconstpointer  data)
{
  SudaLogEntry *entry;

  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!schedule +10m never mind");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Scheduled message 1 *");
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!schedule cancel 1");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Cancelled message 1 (#lobby at 10:10:00).");

  advance_and_check (fixture, 3600);
  suda_test_client_expect_nothing_before_sync (fixture->lobby.alice, "*Scheduled by*");
  entry = find_entry (fixture, "cancelled", "never mind");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_field (entry, "by"), ==, "bob");
}

static void
test_cancel_by_someone_else_refused (Fixture       *fixture,
                                     gconstpointer  data)
{
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule +10m mine");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Scheduled message 1 *");
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!schedule cancel 1");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Message 1 was scheduled by alice;*");

  advance_and_check (fixture, 600);
  suda_test_client_await (fixture->lobby.bob, ":suda!* PRIVMSG #lobby :[Scheduled by alice] mine");
}

static void
test_cancel_by_channel_operator_allowed (Fixture       *fixture,
                                         gconstpointer  data)
{
  /* Alice joined #lobby first, so she is its operator. */
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!schedule +10m spam");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Scheduled message 1 *");
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG suda :schedule cancel 1");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :Cancelled message 1 (#lobby at 10:10:00).");
  g_assert_cmpuint (suda_scheduler_get_n_pending (get_scheduler (fixture->lobby.server)), ==, 0);
}

static void
test_cancel_unknown_id (Fixture       *fixture,
                        gconstpointer  data)
{
  suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule cancel 99");
  suda_test_client_await (fixture->lobby.alice, ":suda!* NOTICE alice :No scheduled message has the id 99");
}

static void
test_cancel_by_server_operator_allowed (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autofree char *salt = crypt_gensalt_ra (NULL, 0, NULL, 0);
  struct crypt_data data = { 0 };
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  guint16 port;

  g_assert_true (suda_server_config_set_value (config, "operators", "teacher",
                                              crypt_r ("letmein", salt, &data), NULL));
  server = suda_test_server_new (config);
  port = suda_server_get_port (server);
  alice = suda_test_client_register_joined (port, "alice", NULL, "#lobby");
  bob = suda_test_client_register_joined (port, "bob", NULL, "#lobby");

  suda_test_client_send (alice, "PRIVMSG #lobby :!schedule +10m from alice");
  suda_test_client_await (alice, ":suda!* NOTICE alice :Scheduled message 1 *");

  /* Bob is no operator of #lobby, but a server operator may cancel, and
   * may list everyone's messages. */
  suda_test_client_send (bob, "OPER teacher letmein");
  suda_test_client_await (bob, "* 381 bob *");
  suda_test_client_send (bob, "PRIVMSG suda :schedule list all");
  suda_test_client_await (bob, ":suda!* NOTICE bob :1 message is scheduled:");
  suda_test_client_await (bob, ":suda!* NOTICE bob :1 · #lobby · * · alice: from alice");
  suda_test_client_send (bob, "PRIVMSG suda :schedule cancel 1");
  suda_test_client_await (bob, ":suda!* NOTICE bob :Cancelled message 1 (#lobby at *).");
  g_assert_cmpuint (suda_scheduler_get_n_pending (get_scheduler (server)), ==, 0);

  g_clear_pointer (&alice, suda_test_client_free);
  g_clear_pointer (&bob, suda_test_client_free);
  suda_server_stop (server, NULL);
}

/* Bad input gets a reason and the usage line */

static void
expect_refusal (SudaTestClient *client,
                const char     *nick,
                const char     *command,
                const char     *reason,
                gboolean        in_channel)
{
  g_autofree char *reason_pattern = g_strdup_printf (":suda!* NOTICE %s :%s", nick, reason);
  g_autofree char *usage_pattern = g_strdup_printf (":suda!* NOTICE %s :Usage: %s*", nick,
                                                    in_channel ? "!schedule HH:MM" : "schedule #room");

  g_test_message ("%s", command);
  suda_test_client_send (client, "%s", command);
  if (reason != NULL)
    suda_test_client_await (client, reason_pattern);
  suda_test_client_await (client, usage_pattern);
}

static void
test_bad_input_gets_usage (Fixture       *fixture,
                           gconstpointer  data)
{
  SudaTestClient *alice = fixture->lobby.alice;

  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule", NULL, TRUE);
  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule +10m", "There is no text to post", TRUE);
  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule 15:30   ", "There is no text to post", TRUE);
  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule 25:00 hello", "“25:00” is not a time of day*", TRUE);
  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule 12:60 hello", "“12:60” is not a time of day*", TRUE);
  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule +0s hello", "“+0s” is no time from now*", TRUE);
  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule soon hello", "“soon” is not a time*", TRUE);
  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule +8d hello", "“+8d” is too far ahead*", TRUE);
  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule cancel x", "Which message?*", TRUE);
  expect_refusal (alice, "alice", "PRIVMSG #lobby :!schedule #elsewhere +1m hi", "You are not in #elsewhere.", TRUE);
  expect_refusal (alice, "alice", "PRIVMSG suda :schedule", NULL, FALSE);
  expect_refusal (alice, "alice", "PRIVMSG suda :schedule +1m hi", "Which room?*", FALSE);
  expect_refusal (alice, "alice", "PRIVMSG suda :schedule #elsewhere +1m hi", "You are not in #elsewhere.", FALSE);
  expect_refusal (alice, "alice", "PRIVMSG suda :schedule #lobby", "When?*", FALSE);
  expect_refusal (alice, "alice", "PRIVMSG suda :schedule #lobby 7:7 hi", "“7:7” is not a time*", FALSE);

  g_assert_cmpuint (suda_scheduler_get_n_pending (get_scheduler (fixture->lobby.server)), ==, 0);
  g_assert_cmpuint (fixture->lobby.entries->len, ==, 0);
}

static void
test_21st_pending_refused (Fixture       *fixture,
                           gconstpointer  data)
{
  for (guint i = 1; i <= 20; i++)
    {
      g_autofree char *pattern = g_strdup_printf (":suda!* NOTICE alice :Scheduled message %u *", i);

      suda_test_client_send (fixture->lobby.alice, "PRIVMSG #lobby :!schedule +%um number %u", i, i);
      suda_test_client_await (fixture->lobby.alice, pattern);
    }
  expect_refusal (fixture->lobby.alice, "alice", "PRIVMSG #lobby :!schedule +30m one too many",
                  "You already have 20 messages waiting*", TRUE);

  /* The limit is per author. */
  suda_test_client_send (fixture->lobby.bob, "PRIVMSG #lobby :!schedule +30m mine");
  suda_test_client_await (fixture->lobby.bob, ":suda!* NOTICE bob :Scheduled message 21 *");
}

/* Restart */

static GDateTime *
clock_two_hours_ago (gpointer user_data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_add_hours (now, -2);
}

static GPtrArray *
read_log (SudaServer *server)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_true (g_file_get_contents (suda_server_get_log_path (server), &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (entries, suda_log_entry_new_from_line (lines[i], -1, NULL));
  return entries;
}

static void
test_restart_keeps_pending_and_posts_late (void)
{
  g_autofree char *state_dir = suda_test_make_tmpdir ();
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) first = NULL;
  g_autoptr(SudaServer) second = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autofree char *state_path = g_build_filename (state_dir, "server.scheduled.json", NULL);
  gboolean saw_late_message = FALSE, saw_late_entry = FALSE;

  config->state_dir = g_strdup (state_dir);

  /* The first server's clock runs two hours behind: "+1h" there is an
   * hour ago by the real clock the second server uses. */
  first = suda_test_server_new (config);
  suda_scheduler_set_clock (get_scheduler (first), clock_two_hours_ago, NULL, NULL);
  alice = suda_test_client_register_joined (suda_server_get_port (first), "alice", NULL, "#lobby");
  suda_test_client_send (alice, "PRIVMSG #lobby :!schedule +1h missed while down");
  suda_test_client_await (alice, ":suda!* NOTICE alice :Scheduled message 1 *");
  suda_test_client_send (alice, "PRIVMSG #lobby :!schedule +3h still ahead");
  suda_test_client_await (alice, ":suda!* NOTICE alice :Scheduled message 2 *");
  g_clear_pointer (&alice, suda_test_client_free);
  suda_server_stop (first, NULL);
  g_clear_object (&first);
  g_assert_true (g_file_test (state_path, G_FILE_TEST_IS_REGULAR));

  second = suda_test_server_new (config);

  /* It was posted at start: whoever joins finds it in the room's history. */
  alice = suda_test_client_register (suda_server_get_port (second), "alice", NULL);
  suda_test_client_join (alice, "alice", "#lobby");
  suda_test_client_await (alice, "* #lobby :*<suda> [Scheduled by alice, late: it was due at *] missed while down");

  log = read_log (second);
  for (guint i = 0; i < log->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (log, i);
      const char *event = suda_log_entry_get_event (entry);
      const char *text = suda_log_entry_get_text (entry);

      if (g_strcmp0 (event, "message") == 0
          && g_pattern_match_simple ("[Scheduled by alice, late: it was due at *] missed while down", text))
        saw_late_message = TRUE;
      if (g_strcmp0 (event, "schedule") == 0
          && g_strcmp0 (suda_log_entry_get_field (entry, "action"), "posted") == 0)
        {
          JsonObject *extra = suda_log_entry_get_extra (entry);

          g_assert_cmpstr (text, ==, "missed while down");
          g_assert_true (json_object_get_boolean_member_with_default (extra, "late", FALSE));
          saw_late_entry = TRUE;
        }
    }
  g_assert_true (saw_late_message);
  g_assert_true (saw_late_entry);

  /* The other one is still waiting, under its old id. */
  suda_test_client_send (alice, "PRIVMSG #lobby :!schedule list");
  suda_test_client_await (alice, ":suda!* NOTICE alice :You have 1 scheduled message:");
  suda_test_client_await (alice, ":suda!* NOTICE alice :2 · #lobby · * · still ahead");
  suda_test_client_send (alice, "PRIVMSG #lobby :!schedule +1m new");
  suda_test_client_await (alice, ":suda!* NOTICE alice :Scheduled message 3 *");

  g_clear_pointer (&alice, suda_test_client_free);
  suda_server_stop (second, NULL);
}

static gboolean
log_has_posted (SudaServer *server,
                const char *text)
{
  g_autoptr(GPtrArray) log = read_log (server);

  for (guint i = 0; i < log->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (log, i);

      if (g_strcmp0 (suda_log_entry_get_event (entry), "schedule") == 0 &&
          g_strcmp0 (suda_log_entry_get_field (entry, "action"), "posted") == 0 &&
          g_strcmp0 (suda_log_entry_get_text (entry), text) == 0)
        return TRUE;
    }
  return FALSE;
}

static SudaServer *
server_logging_to (const char *dir,
                   const char *name)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  config->log_path = g_build_filename (dir, name, NULL);
  return suda_test_server_new (config);
}

/* Two servers whose logs share a folder each keep their own scheduled
 * messages: after a restart only the one it was scheduled on posts it. */
static void
test_servers_sharing_a_folder (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(SudaServer) first = server_logging_to (dir, "a.jsonl");
  g_autoptr(SudaServer) other = server_logging_to (dir, "b.jsonl");
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;

  suda_scheduler_set_clock (get_scheduler (first), clock_two_hours_ago, NULL, NULL);
  alice = suda_test_client_register_joined (suda_server_get_port (first), "alice", NULL, "#lobby");
  suda_test_client_send (alice, "PRIVMSG #lobby :!schedule +1h only on a");
  suda_test_client_await (alice, ":suda!* NOTICE alice :Scheduled message 1 *");
  g_clear_pointer (&alice, suda_test_client_free);
  g_clear_object (&first);
  g_clear_object (&other);

  first = server_logging_to (dir, "a.jsonl");
  other = server_logging_to (dir, "b.jsonl");
  alice = suda_test_client_register (suda_server_get_port (first), "alice", NULL);
  suda_test_client_join (alice, "alice", "#lobby");
  suda_test_client_await (alice, "* #lobby :*<suda> [Scheduled by alice, late: *] only on a");
  bob = suda_test_client_register (suda_server_get_port (other), "bob", NULL);
  suda_test_client_join (bob, "bob", "#lobby");
  g_ptr_array_unref (suda_test_client_sync (bob));

  g_assert_true (log_has_posted (first, "only on a"));
  g_assert_false (log_has_posted (other, "only on a"));
  g_assert_cmpuint (suda_scheduler_get_n_pending (get_scheduler (other)), ==, 0);
}

/* Before, every server in a folder used scheduled.json: the first server
 * to start takes it over under its own name. */
static void
test_old_shared_file_taken_over (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *old = g_build_filename (dir, "scheduled.json", NULL);
  g_autofree char *mine = g_build_filename (dir, "a.scheduled.json", NULL);
  g_autoptr(SudaServer) first = NULL;
  static const char contents[] =
    "{\n  \"version\" : 1,\n  \"next-id\" : 2,\n  \"messages\" : [\n    {\n"
    "      \"id\" : 1,\n      \"author\" : \"alice\",\n      \"channel\" : \"#lobby\",\n"
    "      \"due\" : \"2999-01-01T00:00:00Z\",\n      \"text\" : \"far ahead\"\n    }\n  ]\n}\n";

  g_assert_true (g_file_set_contents (old, contents, -1, NULL));
  first = server_logging_to (dir, "a.jsonl");
  g_assert_cmpuint (suda_scheduler_get_n_pending (get_scheduler (first)), ==, 1);
  g_assert_false (g_file_test (old, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (mine, G_FILE_TEST_IS_REGULAR));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_FIXTURE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_FIXTURE_TEST ("/service/schedule/relative-posts-when-due", test_relative_posts_when_due);
  ADD_FIXTURE_TEST ("/service/schedule/absolute-posts-at-time-of-day", test_absolute_posts_at_time_of_day);
  ADD_FIXTURE_TEST ("/service/schedule/private-message-names-the-room", test_private_message_names_the_room);
  ADD_FIXTURE_TEST ("/service/schedule/real-timer-posts", test_real_timer_posts);
  ADD_FIXTURE_TEST ("/service/schedule/plain-text-session", test_plain_text_session);
  ADD_FIXTURE_TEST ("/service/schedule/list-shows-own-messages", test_list_shows_own_messages);
  ADD_FIXTURE_TEST ("/service/schedule/cancel/by-author", test_cancel_by_author);
  ADD_FIXTURE_TEST ("/service/schedule/cancel/by-someone-else-refused", test_cancel_by_someone_else_refused);
  ADD_FIXTURE_TEST ("/service/schedule/cancel/by-channel-operator-allowed", test_cancel_by_channel_operator_allowed);
  ADD_FIXTURE_TEST ("/service/schedule/cancel/unknown-id", test_cancel_unknown_id);
  g_test_add_func ("/service/schedule/cancel/by-server-operator-allowed", test_cancel_by_server_operator_allowed);
  ADD_FIXTURE_TEST ("/service/schedule/bad-input-gets-usage", test_bad_input_gets_usage);
  ADD_FIXTURE_TEST ("/service/schedule/21st-pending-refused", test_21st_pending_refused);
  g_test_add_func ("/service/schedule/restart-keeps-pending-and-posts-late", test_restart_keeps_pending_and_posts_late);
  g_test_add_func ("/service/schedule/servers-sharing-a-folder", test_servers_sharing_a_folder);
  g_test_add_func ("/service/schedule/old-shared-file-taken-over", test_old_shared_file_taken_over);

  return g_test_run ();
}
