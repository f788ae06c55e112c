/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "suda-test-util.h"

/* Reads the log and returns its entries, each parsed. */
static GPtrArray *
read_log (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      SudaLogEntry *entry;

      if (*lines[i] == '\0')
        continue;
      entry = suda_log_entry_new_from_line (lines[i], -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (entries, entry);
    }
  return entries;
}

static SudaLogEntry *
find_entry (GPtrArray  *entries,
            const char *event,
            const char *text)
{
  for (guint i = 0; i < entries->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (suda_log_entry_get_event (entry), event) &&
          (text == NULL || g_strcmp0 (suda_log_entry_get_text (entry), text) == 0))
        return entry;
    }
  return NULL;
}

static SudaServerConfig *
config_with_log (const char *dir)
{
  SudaServerConfig *config = suda_server_config_new ();

  config->log_path = g_build_filename (dir, "server.jsonl", NULL);
  return config;
}

static void
test_session_entries (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(SudaServerConfig) config = config_with_log (dir);
  g_autoptr(SudaServer) server = suda_test_server_new (config);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) alice = suda_test_client_register (port, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_client_register (port, "bob", NULL);
  g_autoptr(GPtrArray) entries = NULL;
  SudaLogEntry *entry;
  g_autofree char *line = NULL;

  suda_test_client_join (alice, "alice", "#lobby");
  suda_test_client_join (bob, "bob", "#lobby");
  /* A text that tries to forge a second entry stays one field. */
  suda_test_client_send (alice, "PRIVMSG #lobby :안녕하세요 \"},{\"event\":\"forged\"");
  line = suda_test_client_expect (bob, ":alice!*PRIVMSG #lobby :안녕*");
  suda_test_client_send (bob, "PRIVMSG alice :psst");
  suda_test_client_await (alice, ":bob!* PRIVMSG alice :psst");
  suda_test_client_send (alice, "TOPIC #lobby :Homework");
  suda_test_client_await (bob, "* TOPIC #lobby :Homework");
  suda_test_client_send (bob, "QUIT :bye");
  g_assert_true (suda_test_client_wait_closed (bob, 5000));
  suda_server_stop (server, NULL);

  entries = read_log (config->log_path);
  g_assert_nonnull (find_entry (entries, "server-start", NULL));
  g_assert_nonnull (find_entry (entries, "connect", NULL));
  g_assert_nonnull (find_entry (entries, "register", NULL));
  g_assert_nonnull (find_entry (entries, "join", NULL));
  entry = find_entry (entries, "message", "안녕하세요 \"},{\"event\":\"forged\"");
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "alice");
  g_assert_cmpstr (suda_log_entry_get_channel (entry), ==, "#lobby");
  g_assert_null (find_entry (entries, "forged", NULL));
  entry = find_entry (entries, "whisper", NULL);
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_field (entry, "target"), ==, "alice");
  g_assert_null (suda_log_entry_get_text (entry));  /* whisper-text is off */
  g_assert_nonnull (find_entry (entries, "topic", "Homework"));
  g_assert_nonnull (find_entry (entries, "quit", "Quit: bye"));
  g_assert_nonnull (find_entry (entries, "disconnect", NULL));
  g_assert_nonnull (find_entry (entries, "server-stop", NULL));
}

/* Whatever a client received is in the log already. */
static void
test_logged_before_delivered (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) alice = suda_test_client_register (port, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_client_register (port, "bob", NULL);

  suda_test_client_join (alice, "alice", "#lobby");
  suda_test_client_join (bob, "bob", "#lobby");
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *pattern = g_strdup_printf ("* PRIVMSG #lobby :line %d", i);
      g_autofree char *needle = g_strdup_printf ("\"text\":\"line %d\"", i);
      g_autofree char *contents = NULL;

      suda_test_client_send (alice, "PRIVMSG #lobby :line %d", i);
      suda_test_client_await (bob, pattern);
      /* Read the file the moment the line arrived, without iterating. */
      g_assert_true (g_file_get_contents (suda_server_get_log_path (server), &contents, NULL, NULL));
      g_assert_nonnull (strstr (contents, needle));
    }
}

static void
test_history_after_restart (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(SudaServerConfig) config = config_with_log (dir);
  g_autoptr(SudaTestClient) carol = NULL;
  g_autoptr(SudaTestClient) dave = NULL;
  g_autofree char *line = NULL;

  config->flood_control = FALSE;
  {
    g_autoptr(SudaServer) server = suda_test_server_new (config);
    g_autoptr(SudaTestClient) alice = suda_test_client_register (suda_server_get_port (server), "alice", NULL);

    suda_test_client_join (alice, "alice", "#class");
    for (int i = 0; i < 60; i++)
      suda_test_client_send (alice, "PRIVMSG #class :message %d", i);
    suda_test_client_send (alice, "PING done");
    g_free (suda_test_client_expect_within (alice, "* PONG * done", 60000));
    suda_server_stop (server, NULL);
  }

  {
    g_autoptr(SudaServer) server = suda_test_server_new (config);
    guint16 port = suda_server_get_port (server);

    /* A client with batch + server-time gets a chathistory batch. */
    carol = suda_test_client_register (port, "carol", "server-time batch");
    suda_test_client_send (carol, "JOIN #class");
    line = suda_test_client_expect (carol, "* BATCH +* chathistory #class");
    g_free (line);
    /* history-lines is 50: the first ten of the sixty are gone */
    line = suda_test_client_expect (carol, "@batch=*;time=20*Z :alice!* PRIVMSG #class :message *");
    g_assert_nonnull (strstr (line, "message 10"));
    g_free (line);
    line = suda_test_client_expect (carol, "* PRIVMSG #class :message 59");
    g_free (line);
    line = suda_test_client_expect (carol, "* BATCH -*");
    g_clear_pointer (&line, g_free);

    /* Without server-time, old lines say when they were said. */
    dave = suda_test_client_register (port, "dave", NULL);
    suda_test_client_send (dave, "JOIN #class");
    line = suda_test_client_expect (dave, "* NOTICE #class :[20*] <alice> message 59");
    suda_server_stop (server, NULL);
  }
}

/* The history loader reads the log with the common reader: escapes,
 * escaped keys, a full source, notices and repaired bytes come back; what
 * is not a room's message (a whisper, a join, a broken or unfinished line)
 * does not. */
static void
test_history_reads_every_form (void)
{
  static const char log[] =
    "{\"time\":\"2026-11-21T10:00:00.000Z\",\"event\":\"message\",\"channel\":\"#class\",\"nick\":\"ana\",\"text\":\"say \\\"hi\\\" \\u00e9\\ud83d\\ude00\"}\n"
    "{\"time\":\"2026-11-21T10:00:01.000Z\",\"event\":\"whisper\",\"nick\":\"ana\",\"target\":\"bo\",\"text\":\"secret\"}\n"
    "{\"time\":\"2026-11-21T10:00:02.000Z\",\"event\":\"join\",\"channel\":\"#class\",\"nick\":\"bo\"}\n"
    "{\"time\":\"2026-11-21T10:00:03.000Z\",\"event\":\"notice\",\"channel\":\"#CLASS\",\"nick\":\"bo\",\"text\":\"a notice\",\"source\":\"bo!b@host\"}\n"
    "this line is not JSON\n"
    "{\"time\":\"2026-11-21T10:00:04.000Z\",\"event\":\"message\",\"channel\":\"#class\",\"text\":\"broken\"\n"
    "{\"\\u0074ime\":\"2026-11-21T10:00:05.000Z\",\"event\":\"mess\\u0061ge\",\"channel\":\"#class\",\"nick\":\"cy\",\"text\":\"caf\xe9\"}\r\n"
    "{\"time\":\"2026-11-21T10:00:06.000Z\",\"event\":\"message\",\"channel\":\"lobby\",\"nick\":\"cy\",\"text\":\"no room\"}\n"
    "{\"time\":\"2026-11-21T10:00:07.000Z\",\"event\":\"message\",\"channel\":\"#class\",\"nick\":\"cy\",\"text\":\"unfini";
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(SudaServerConfig) config = config_with_log (dir);
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) dee = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  guint replayed = 0;

  g_assert_true (g_file_set_contents (config->log_path, log, sizeof log - 1, NULL));
  server = suda_test_server_new (config);
  dee = suda_test_client_register (suda_server_get_port (server), "dee", "server-time batch");
  suda_test_client_send (dee, "JOIN #class");
  suda_test_client_await (dee, "* BATCH +* chathistory #class");
  suda_test_client_await (dee, "@batch=*;time=2026-11-21T10:00:00.000Z :ana!ana@history PRIVMSG #class :say \"hi\" é😀");
  suda_test_client_await (dee, "@batch=*;time=2026-11-21T10:00:03.000Z :bo!b@host NOTICE #class :a notice");
  suda_test_client_await (dee, "@batch=*;time=2026-11-21T10:00:05.000Z :cy!cy@history PRIVMSG #class *caf\xef\xbf\xbd");
  suda_test_client_await (dee, "* BATCH -*");
  lines = suda_test_client_sync (dee);
  for (guint i = 0; i < lines->len; i++)
    replayed += strstr (g_ptr_array_index (lines, i), "@history") != NULL;
  g_assert_cmpuint (replayed, ==, 0);
  suda_server_stop (server, NULL);
}

static void
test_unwritable_log (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_incomplete ("/dev/full is missing");
      return;
    }
  /* /dev/full: every write fails with ENOSPC, like a full disk. */
  config->log_path = g_strdup ("/dev/full");
  if (g_test_subprocess ())
    {
      server = suda_test_server_new (config);
      alice = suda_test_client_register (suda_server_get_port (server), "alice", NULL);
      bob = suda_test_client_register (suda_server_get_port (server), "bob", NULL);
      suda_test_client_join (alice, "alice", "#lobby");
      suda_test_client_join (bob, "bob", "#lobby");
      suda_test_client_send (alice, "PRIVMSG #lobby :still chatting");
      suda_test_client_await (bob, "* PRIVMSG #lobby :still chatting");
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Cannot write the log /dev/full:*No space left on device*");
}

/* The console stops and starts the same server object: the second run
 * serves as the first did, with the first run's history. */
static void
test_restart_same_object (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  g_autoptr(GError) error = NULL;

  for (int run = 0; run < 3; run++)
    {
      g_autoptr(SudaTestClient) alice = NULL;
      g_autoptr(SudaTestClient) bob = NULL;
      g_autofree char *said = g_strdup_printf ("PRIVMSG #lobby :run %d", run);
      g_autofree char *heard = g_strdup_printf ("@time=* :alice!* PRIVMSG #lobby :run %d", run);

      if (run > 0)
        {
          g_assert_true (suda_server_start (server, &error));
          g_assert_no_error (error);
        }
      alice = suda_test_client_register (suda_server_get_port (server), "alice", NULL);
      bob = suda_test_client_register (suda_server_get_port (server), "bob", "server-time batch");
      suda_test_client_send (alice, "JOIN #lobby");
      suda_test_client_await (alice, "* 366 *");
      suda_test_client_send (bob, "JOIN #lobby");
      if (run > 0)
        {
          g_autofree char *earlier = g_strdup_printf ("@batch=*;time=* :alice!* PRIVMSG #lobby :run %d", run - 1);
          suda_test_client_await (bob, earlier);
          suda_test_client_await (bob, "* BATCH -*");
        }
      else
        suda_test_client_await (bob, "* 366 *");
      suda_test_client_send (alice, "%s", said);
      suda_test_client_await (bob, heard);
      g_assert_cmpuint (suda_server_get_n_users (server), ==, 2);

      suda_server_stop (server, NULL);
      g_assert_false (suda_server_get_running (server));
      g_assert_cmpuint (suda_server_get_n_users (server), ==, 0);
      g_assert_true (suda_test_client_wait_closed (alice, 5000));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/log/entries-of-a-session", test_session_entries);
  g_test_add_func ("/server/log/written-before-delivered", test_logged_before_delivered);
  g_test_add_func ("/server/log/history-replayed-after-restart", test_history_after_restart);
  g_test_add_func ("/server/log/history-reads-every-form", test_history_reads_every_form);
  g_test_add_func ("/server/log/full-disk-keeps-serving", test_unwritable_log);
  g_test_add_func ("/server/lifecycle/stop-and-start-same-object", test_restart_same_object);
  return g_test_run ();
}
