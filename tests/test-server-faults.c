/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Faults that must not lose the log: a QUIT caused while output is sent, a
 * full disk (a real file-size limit on the log's own writes), a restart
 * over a line torn by a crash. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "suda-server-private.h"
#include "suda-test-util.h"

static char **
read_lines (const char *path)
{
  g_autofree char *contents = NULL;
  char **lines;
  guint n;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  g_clear_pointer (&lines[n - 1], g_free);  /* after the last newline */
  return lines;
}

static SudaLogEntry *
parse (const char *line)
{
  g_autoptr(GError) error = NULL;
  SudaLogEntry *entry = suda_log_entry_new_from_line (line, -1, &error);

  g_assert_no_error (error);
  return entry;
}

/* Item 1: write-before-deliver for QUITs the flush itself causes ----------- */

static const char *quit_log_path;
static gboolean quit_seen;

/* Runs the moment carl reads a line, before the main loop runs again. */
static void
check_quit_logged (const char *line)
{
  g_auto(GStrv) lines = NULL;
  gboolean logged = FALSE;

  if (!g_pattern_match_simple (":slow!* QUIT :SendQ exceeded", line))
    return;
  quit_seen = TRUE;
  lines = read_lines (quit_log_path);
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr(SudaLogEntry) entry = parse (lines[i]);

      logged |= g_str_equal (suda_log_entry_get_event (entry), "quit") &&
                g_strcmp0 (suda_log_entry_get_nick (entry), "slow") == 0;
    }
  if (!logged)
    g_error ("carl got slow's QUIT before the log had it");
}

static void
test_quit_in_send_pass_logged_first (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) amy = NULL;
  g_autoptr(SudaTestClient) slow = NULL;
  g_autoptr(SudaTestClient) carl = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  guint16 port;

  config->sendq_bytes = 32 * 1024;
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  quit_log_path = suda_server_get_log_path (server);
  quit_seen = FALSE;
  amy = suda_test_client_register_joined (port, "amy", NULL, "#lobby");
  slow = suda_test_client_register (port, "slow", NULL);
  g_socket_set_option (suda_test_client_get_socket (slow), SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  g_socket_set_option (_suda_session_get_socket (suda_server_find_session (server, "slow")),
                       SOL_SOCKET, SO_SNDBUF, 4096, NULL);
  suda_test_client_join (slow, "slow", "#lobby");
  /* carl stands after slow in the room, so slow is closed in the pass
   * that then sends carl the QUIT. */
  carl = suda_test_client_register_joined (port, "carl", NULL, "#lobby");
  suda_test_client_set_line_check (carl, check_quit_logged);

  while (text->len < 400)
    g_string_append (text, "busy ");
  for (guint sent = 0; sent < 5000 && !quit_seen; sent++)
    {
      suda_test_client_send (amy, "PRIVMSG #lobby :%u %s", sent, text->str);
      if (sent % 10 == 9)
        {
          g_ptr_array_unref (suda_test_client_sync (amy));
          g_ptr_array_unref (suda_test_client_sync (carl));
        }
    }
  g_assert_true (quit_seen);
}

/* Item 2: a full disk ------------------------------------------------------ */

static SudaLogEntry *
entry_with_text (const char *text)
{
  return suda_log_entry_new (0, "message", "#lobby", "amy", text);
}

static void
append_text (SudaServerLog *log,
             const char    *text)
{
  g_autoptr(SudaLogEntry) entry = entry_with_text (text);

  suda_server_log_append (log, entry);
}

/* The file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored) makes write()
 * stop in the middle of an entry and then fail with EFBIG, as a disk that
 * fills up does with ENOSPC. */
static void
fill_and_recover (const char *path)
{
  SudaServerLog *log = suda_server_log_new (path);
  g_autoptr(GString) filler = g_string_new (NULL);
  struct rlimit limit, full;
  GStatBuf st;
  gint64 deadline;

  append_text (log, "before");
  g_assert_true (suda_server_log_flush (log));
  suda_server_log_set_max_pending (log, 2048);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  full = limit;
  full.rlim_cur = st.st_size + 20;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &full), ==, 0);

  while (filler->len < 60)
    g_string_append (filler, "filler ");
  append_text (log, "torn");
  g_assert_false (suda_server_log_is_failing (log));
  g_assert_false (suda_server_log_flush (log));
  g_assert_true (suda_server_log_is_failing (log));
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *text = g_strdup_printf ("while full %d %s", i, filler->str);

      append_text (log, text);
      suda_server_log_flush (log);
    }

  /* Space returns. */
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!suda_server_log_flush (log))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
  g_assert_false (suda_server_log_is_failing (log));
  append_text (log, "after");
  suda_server_log_free (log);
}

static void
test_disk_full_gap_noted (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "server.jsonl", NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(SudaLogEntry) first = NULL;
  g_autoptr(SudaLogEntry) gap = NULL;
  guint64 lost;
  guint kept = 0;
  const char *text;
  char *end;

  if (g_test_subprocess ())
    {
      fill_and_recover (g_getenv ("SUDA_TEST_LOG"));
      return;
    }
  g_setenv ("SUDA_TEST_LOG", path, TRUE);
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDIN);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Cannot write the log *: File too large*"
                             "The log * is writable again*log entries were lost while it was not*");

  /* "before", the 20 bytes written of "torn" ended by a newline, the gap,
   * what was kept in memory, "after": every other line reads back. */
  lines = read_lines (path);
  first = parse (lines[0]);
  g_assert_cmpstr (suda_log_entry_get_text (first), ==, "before");
  g_assert_cmpuint (strlen (lines[1]), ==, 20);
  g_assert_true (g_str_has_prefix (lines[1], "{\"time\":\""));
  gap = parse (lines[2]);
  g_assert_cmpstr (suda_log_entry_get_event (gap), ==, "error");
  text = suda_log_entry_get_text (gap);
  lost = g_ascii_strtoull (text, &end, 10);
  g_assert_true (g_pattern_match_simple (" log entries between 20*Z and 20*Z were lost: File too large", end));
  for (guint i = 3; lines[i]; i++)
    {
      g_autoptr(SudaLogEntry) entry = parse (lines[i]);

      if (lines[i + 1] == NULL)
        g_assert_cmpstr (suda_log_entry_get_text (entry), ==, "after");
      else
        {
          g_assert_true (g_str_has_prefix (suda_log_entry_get_text (entry), "while full "));
          kept++;
        }
    }
  /* The torn entry and the forty written while full: each is either in
   * the file or counted. */
  g_assert_cmpuint (lost, >, 1);
  g_assert_cmpuint (lost + kept, ==, 41);
}

/* logrotate moves the log away while a line is torn: the new file does
 * not begin with the rest of it. */
static void
torn_then_reopened (const char *path)
{
  SudaServerLog *log = suda_server_log_new (path);
  g_autofree char *moved = g_strconcat (path, ".1", NULL);
  struct rlimit limit, full;
  GStatBuf st;

  append_text (log, "before");
  g_assert_true (suda_server_log_flush (log));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  full = limit;
  full.rlim_cur = st.st_size + 20;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &full), ==, 0);
  append_text (log, "torn");
  g_assert_false (suda_server_log_flush (log));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

  g_assert_cmpint (g_rename (path, moved), ==, 0);
  suda_server_log_reopen (log);
  append_text (log, "after");
  suda_server_log_free (log);
}

static void
test_reopen_after_torn_write (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "server.jsonl", NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(SudaLogEntry) gap = NULL;
  g_autoptr(SudaLogEntry) after = NULL;

  if (g_test_subprocess ())
    {
      torn_then_reopened (g_getenv ("SUDA_TEST_LOG"));
      return;
    }
  g_setenv ("SUDA_TEST_LOG", path, TRUE);
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDIN);
  g_test_trap_assert_passed ();

  lines = read_lines (path);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  gap = parse (lines[0]);
  g_assert_cmpstr (suda_log_entry_get_event (gap), ==, "error");
  g_assert_true (g_str_has_prefix (suda_log_entry_get_text (gap), "1 log entry of 20"));
  after = parse (lines[1]);
  g_assert_cmpstr (suda_log_entry_get_text (after), ==, "after");
}

/* The console shows a failing log while it lasts: the server says so. */
static gboolean
log_is_failing (gpointer server)
{
  return suda_server_get_log_failing (server);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_log_failing_property (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  guint notified = 0;

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_incomplete ("/dev/full is missing");
      return;
    }
  config->log_path = g_strdup ("/dev/full");
  /* Started, its first entry not written yet: that is for the main loop. */
  server = suda_test_server_new (config);
  g_signal_connect (server, "notify::log-failing", G_CALLBACK (count_notify), &notified);
  g_assert_false (suda_server_get_log_failing (server));
  alice = suda_test_client_register (suda_server_get_port (server), "alice", NULL);
  g_assert_true (suda_test_wait_until (log_is_failing, server, 5000));
  g_assert_cmpuint (notified, ==, 1);
  suda_server_stop (server, NULL);
}

/* Item 3: a restart over a torn last line ---------------------------------- */

static void
test_torn_last_line_ended_on_open (void)
{
  static const char old[] =
    "{\"time\":\"2026-11-21T10:00:00.000Z\",\"event\":\"message\",\"channel\":\"#class\",\"nick\":\"ana\",\"text\":\"whole\"}\n"
    "{\"time\":\"2026-11-21T10:00:01.000Z\",\"event\":\"message\",\"channel\":\"#cla";
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(SudaLogEntry) start = NULL;

  config->log_path = g_build_filename (dir, "server.jsonl", NULL);
  g_assert_true (g_file_set_contents (config->log_path, old, sizeof old - 1, NULL));
  server = suda_test_server_new (config);
  suda_server_stop (server, NULL);

  lines = read_lines (config->log_path);
  g_assert_true (g_str_has_suffix (lines[0], "\"text\":\"whole\"}"));
  g_assert_true (g_str_has_suffix (lines[1], "\"channel\":\"#cla"));
  start = parse (lines[2]);
  g_assert_cmpstr (suda_log_entry_get_event (start), ==, "server-start");
  for (guint i = 3; lines[i]; i++)
    g_object_unref (parse (lines[i]));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/faults/quit-in-send-pass-logged-first", test_quit_in_send_pass_logged_first);
  g_test_add_func ("/server/faults/disk-full-gap-noted", test_disk_full_gap_noted);
  g_test_add_func ("/server/faults/torn-last-line-ended-on-open", test_torn_last_line_ended_on_open);
  g_test_add_func ("/server/faults/reopen-after-torn-write", test_reopen_after_torn_write);
  g_test_add_func ("/server/faults/log-failing-shown", test_log_failing_property);
  return g_test_run ();
}
