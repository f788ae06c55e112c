/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Nothing slow runs on the main loop: stopping with clients that read
 * nothing, loading a long history at start; the flush batches a busy
 * room's lines within each session's latency budget, a quiet room's not
 * at all, in slices; and the clear-text sockets' epoll set. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "suda-server-private.h"
#include "suda-test-util.h"

#define N_STUCK 3

static gboolean
is_stopped (gpointer data)
{
  return !suda_server_get_running (data);
}

/* Small kernel buffers on both ends of NICK's connection, so little
 * output fills them. */
static void
shrink_buffers (SudaServer     *server,
                SudaTestClient *client,
                const char     *nick)
{
  SudaSession *session = suda_server_find_session (server, nick);

  g_assert_nonnull (session);
  g_socket_set_option (suda_test_client_get_socket (client), SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  g_socket_set_option (_suda_session_get_socket (session), SOL_SOCKET, SO_SNDBUF, 4096, NULL);
}

/* TRUE once every registered session but WATCHER has output the kernel
 * would not take. */
static gboolean
all_stuck (SudaServer *server,
           const char *watcher)
{
  GListModel *sessions = suda_server_get_sessions (server);
  guint n = g_list_model_get_n_items (sessions);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaSession) session = g_list_model_get_item (sessions, i);

      if (g_strcmp0 (suda_session_get_nick (session), watcher) != 0 &&
          _suda_session_get_unsent (session) < 16 * 1024)
        return FALSE;
    }
  return TRUE;
}

/* Stop returns at once with N_STUCK clients that read nothing; the one who
 * reads is told, and "running" turns FALSE later, when the stop is done. */
static void
test_stop_returns_at_once (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) watcher = NULL;
  SudaTestClient *stuck[N_STUCK];
  g_autofree char *text = g_strnfill (400, 'x');
  guint16 port;
  guint rounds = 0;

  config->sendq_bytes = 64 * 1024 * 1024;
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  for (guint i = 0; i < N_STUCK; i++)
    {
      g_autofree char *nick = g_strdup_printf ("stuck%u", i);

      stuck[i] = suda_test_client_register_joined (port, nick, NULL, "#lobby");
      shrink_buffers (server, stuck[i], nick);
    }
  watcher = suda_test_client_register_joined (port, "watcher", NULL, "#lobby");

  /* The stuck ones' kernel buffers fill, then their sendqs grow. */
  while (!all_stuck (server, "watcher"))
    {
      g_assert_cmpuint (++rounds, <, 5000);
      for (guint i = 0; i < 50; i++)
        suda_test_client_send (watcher, "PRIVMSG #lobby :%u %s", i, text);
      g_ptr_array_unref (suda_test_client_sync (watcher));
    }

  suda_server_stop (server, "closing time");
  /* Returned with the last words still queued: not done, port still held. */
  g_assert_true (suda_server_get_running (server));
  suda_test_client_await (watcher, "ERROR :*closing time*");
  g_assert_true (suda_test_client_wait_closed (watcher, 5000));

  g_assert_true (suda_test_wait_until (is_stopped, server, 10000));
  g_assert_cmpuint (suda_server_get_n_users (server), ==, 0);
  g_assert_false (suda_test_port_accepts (port));
  for (guint i = 0; i < N_STUCK; i++)
    suda_test_client_free (stuck[i]);

  /* And it starts again. */
  g_assert_true (suda_server_start (server, NULL));
  g_assert_true (suda_test_port_accepts (suda_server_get_port (server)));
}

/* A server disposed of while stopping finishes at once. */
static void
test_dispose_while_stopping (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  SudaServer *server;
  g_autoptr(SudaTestClient) watcher = NULL;
  SudaTestClient *stuck;
  g_autofree char *text = g_strnfill (400, 'x');
  guint16 port;
  guint rounds = 0;

  config->sendq_bytes = 64 * 1024 * 1024;
  server = suda_test_server_new_unthrottled (config);
  port = suda_server_get_port (server);
  stuck = suda_test_client_register_joined (port, "stuck", NULL, "#lobby");
  shrink_buffers (server, stuck, "stuck");
  watcher = suda_test_client_register_joined (port, "watcher", NULL, "#lobby");
  while (!all_stuck (server, "watcher"))
    {
      g_assert_cmpuint (++rounds, <, 5000);
      for (guint i = 0; i < 50; i++)
        suda_test_client_send (watcher, "PRIVMSG #lobby :%u %s", i, text);
      g_ptr_array_unref (suda_test_client_sync (watcher));
    }
  suda_server_stop (server, NULL);
  g_assert_true (suda_server_get_running (server));
  g_object_unref (server);
  g_assert_false (suda_test_port_accepts (port));
  suda_test_client_free (stuck);
}

/* History: read by a worker while the port listens ----------------------- */

#define N_OLD 20000
#define N_KEPT 50

static char *
write_long_log (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  char *path = g_build_filename (dir, "server.jsonl", NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < N_OLD; i++)
    g_string_append_printf (text, "{\"time\":\"2026-01-01T00:00:00.000Z\",\"event\":\"message\","
                            "\"channel\":\"#lobby\",\"nick\":\"old\",\"text\":\"old %u\"}\n", i);
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  return path;
}

static gboolean
is_loaded (gpointer data)
{
  return !_suda_server_is_loading_history (data);
}

/* A server started over a log of N_OLD messages, still reading it. */
static SudaServer *
start_over_long_log (char **log_path)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  *log_path = write_long_log ();
  config->log_path = g_strdup (*log_path);
  config->history_lines = N_KEPT;
  return suda_test_server_new (config);
}

/* Start returns before the log is read, with the port already listening;
 * a client that connects meanwhile waits, and its JOIN replays the whole
 * recent history in order. */
static void
test_start_listens_before_history (void)
{
  g_autofree char *log_path = NULL;
  g_autoptr(SudaServer) server = start_over_long_log (&log_path);
  g_autoptr(SudaTestClient) alice = NULL;
  g_assert_true (suda_server_get_running (server));
  g_assert_true (_suda_server_is_loading_history (server));
  g_assert_true (suda_test_port_accepts (suda_server_get_port (server)));

  alice = suda_test_client_register (suda_server_get_port (server), "alice", "server-time batch");
  g_assert_false (_suda_server_is_loading_history (server));
  suda_test_client_send (alice, "JOIN #lobby");
  for (guint i = N_OLD - N_KEPT; i < N_OLD; i++)
    {
      g_autofree char *line = suda_test_client_read_line (alice, 5000);
      g_autofree char *pattern = g_strdup_printf ("@batch=*;time=* :old!* PRIVMSG #lobby :old %u", i);

      while (line != NULL && !g_str_has_prefix (line, "@batch="))
        {
          g_free (line);
          line = suda_test_client_read_line (alice, 5000);
        }
      g_assert_nonnull (line);
      g_assert_true (g_pattern_match_simple (pattern, line));
    }
  suda_test_client_await (alice, "* BATCH -*");
}

/* A stop while the log is read drops the load; the next start reads it. */
static void
test_stop_while_loading (void)
{
  g_autofree char *log_path = NULL;
  g_autoptr(SudaServer) server = start_over_long_log (&log_path);
  g_autoptr(SudaTestClient) alice = NULL;
  g_assert_true (_suda_server_is_loading_history (server));
  suda_server_stop (server, NULL);
  g_assert_false (suda_server_get_running (server));
  g_assert_false (_suda_server_is_loading_history (server));

  g_assert_true (suda_server_start (server, NULL));
  g_assert_true (suda_test_wait_until (is_loaded, server, 10000));
  alice = suda_test_client_register_joined (suda_server_get_port (server), "alice", NULL, "#lobby");
  suda_test_client_await (alice, "* NOTICE #lobby :*<old> old 19999");
}

/* What rooms heard while the log was read comes after the log's lines. */
static void
test_adopt_keeps_order (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  SudaRegistry *registry;
  g_autoptr(GHashTable) older = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) suda_history_free);
  SudaHistory *history;
  const char *expected[] = { "old 2", "old 3", "new 1" };
  guint i = 0;

  config->history_lines = 3;
  registry = _suda_registry_new (config);
  _suda_registry_reset (registry, g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) suda_history_free));
  suda_history_add (_suda_registry_get_history (registry, "#lobby"), 3, "n!n@h", "PRIVMSG", "new 1", "m1");
  history = suda_history_new (3);
  for (guint n = 1; n <= 3; n++)
    {
      g_autofree char *text = g_strdup_printf ("old %u", n);

      suda_history_add (history, n, "o!o@h", "PRIVMSG", text, NULL);
    }
  g_hash_table_insert (older, g_strdup ("#lobby"), history);

  _suda_registry_adopt_histories (registry, older);
  history = _suda_registry_peek_history (registry, "#lobby");
  g_assert_cmpuint (history->items.length, ==, 3);
  for (GList *l = history->items.head; l; l = l->next, i++)
    g_assert_cmpstr (((SudaHistoryItem *) l->data)->text, ==, expected[i]);
  /* what was said meanwhile keeps its msgid, so clients can tell it again */
  g_assert_cmpstr (((SudaHistoryItem *) history->items.tail->data)->msgid, ==, "m1");
  _suda_registry_free (registry);
}

/* The flush waits its budget only while lines come in faster than one a
 * budget; in a classroom's pace it goes at once.  A made-up clock. */
static void
test_flush_wait (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  SudaPushback *pushback = _suda_pushback_new (config);
  gint64 now = G_USEC_PER_SEC;
  gint64 wait = -1;

  /* Nothing read yet, then a classroom: a line every 10 ms, or every 5. */
  g_assert_cmpint (_suda_pushback_flush_wait (pushback, 4000, now), ==, 0);
  for (guint i = 0; i < 200; i++, now += i < 100 ? 10000 : 5000)
    {
      _suda_pushback_count_line (pushback);
      g_assert_cmpint (_suda_pushback_flush_wait (pushback, 4000, now), ==, 0);
    }
  /* A busy room: a line every 3 ms; once that rate shows, the budget. */
  for (guint i = 0; i < 100; i++, now += 3000)
    {
      _suda_pushback_count_line (pushback);
      wait = _suda_pushback_flush_wait (pushback, 4000, now);
    }
  g_assert_cmpint (wait, ==, 4000);
  /* A burst read at once counts as much. */
  now += G_USEC_PER_SEC;
  for (guint i = 0; i < 40; i++)
    _suda_pushback_count_line (pushback);
  g_assert_cmpint (_suda_pushback_flush_wait (pushback, 4000, now), ==, 4000);
  /* Quiet again: a lone line a second later goes at once. */
  now += G_USEC_PER_SEC;
  _suda_pushback_count_line (pushback);
  g_assert_cmpint (_suda_pushback_flush_wait (pushback, 4000, now), ==, 0);
  /* A longer budget waits for slower lines: one every 100 ms, 1 s budget. */
  for (guint i = 0; i < 10; i++, now += 100000)
    {
      _suda_pushback_count_line (pushback);
      wait = _suda_pushback_flush_wait (pushback, G_USEC_PER_SEC, now);
    }
  g_assert_cmpint (wait, ==, G_USEC_PER_SEC);
  _suda_pushback_free (pushback);
}

/* Two members of #lobby, alice and bob, with alice's JOIN output read. */
static SudaServer *
set_up_pair (SudaTestClient **alice,
             SudaTestClient **bob)
{
  SudaServer *server = suda_test_server_new_unthrottled (NULL);

  *alice = suda_test_member (server, "alice", NULL, "#lobby");
  *bob = suda_test_member (server, "bob", NULL, "#lobby");
  g_ptr_array_unref (suda_test_client_sync (*alice));
  return server;
}

/* A line in a quiet room is sent at the end of the main-loop iteration
 * that queued it, not after the budget. */
static void
test_flush_lone_line (void)
{
  SudaTestClient *alice, *bob;
  g_autoptr(SudaServer) server = set_up_pair (&alice, &bob);
  guint flushes, waited, flushes_after, waited_after;

  _suda_server_get_flush_counts (server, &flushes, &waited);
  suda_test_client_send (bob, "PRIVMSG #lobby :alone");
  suda_test_client_await (alice, ":bob!* PRIVMSG #lobby :alone");
  _suda_server_get_flush_counts (server, &flushes_after, &waited_after);
  g_assert_cmpuint (flushes_after, >, flushes);
  g_assert_cmpuint (waited_after, ==, waited);
  suda_test_client_free (alice);
  suda_test_client_free (bob);
}

static void
send_numbered (SudaTestClient *client,
               guint           n)
{
  g_autoptr(GString) burst = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (burst, "PRIVMSG #lobby :line %u\r\n", i);
  suda_test_client_send_raw (client, burst->str, burst->len);
}

/* A burst makes the flush wait for more (the default budget); every line
 * arrives, in order. */
static void
test_flush_burst_waits (void)
{
  SudaTestClient *alice, *bob;
  g_autoptr(SudaServer) server = set_up_pair (&alice, &bob);
  guint flushes, waited, waited_after;

  _suda_server_get_flush_counts (server, &flushes, &waited);
  send_numbered (bob, 300);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *pattern = g_strdup_printf (":bob!* PRIVMSG #lobby :line %u", i);
      g_autofree char *line = suda_test_client_read_line (alice, 5000);

      g_assert_nonnull (line);
      g_assert_true (g_pattern_match_simple (pattern, line));
    }
  _suda_server_get_flush_counts (server, &flushes, &waited_after);
  g_assert_cmpuint (waited_after, >, waited);
  suda_test_client_free (alice);
  suda_test_client_free (bob);
}

/* Lines queued within the budget leave together: alice gets bob's 40
 * lines (read in turns of 16) in order, in one read. */
static void
test_flush_budget_one_read (void)
{
  SudaTestClient *alice, *bob;
  g_autoptr(SudaServer) server = set_up_pair (&alice, &bob);
  GSocket *socket = suda_test_client_get_socket (alice);
  char buffer[65536];
  gssize n = -1;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_auto(GStrv) lines = NULL;

  _suda_server_set_flush_budget (server, G_USEC_PER_SEC);
  send_numbered (bob, 40);
  while (n < 0 && g_get_monotonic_time () < end)
    {
      n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, NULL);
      if (n < 0 && !g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_cmpint (n, >, 0);
  buffer[n] = '\0';
  lines = g_strsplit (buffer, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 41);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *pattern = g_strdup_printf (":bob!* PRIVMSG #lobby :line %u", i);

      g_assert_true (g_pattern_match_simple (pattern, lines[i]));
    }
  g_assert_cmpstr (lines[40], ==, "");
  suda_test_client_free (alice);
  suda_test_client_free (bob);
}

/* Each session waits the budget from its own oldest line, not from the
 * first line queued anywhere: dave's line, queued 150 ms after alice's,
 * leaves a whole budget after it was queued, and after alice's. */
static void
test_flush_own_deadline (void)
{
  SudaTestClient *alice, *bob, *dave;
  g_autoptr(SudaServer) server = set_up_pair (&alice, &bob);
  const gint64 budget = 400 * 1000;
  gint64 sent_a, sent_d, got_a, got_d;

  dave = suda_test_member (server, "dave", NULL, "#other");
  suda_test_client_join (bob, "bob", "#other");
  g_ptr_array_unref (suda_test_client_sync (dave));
  g_ptr_array_unref (suda_test_client_sync (alice));
  _suda_server_set_flush_budget (server, budget);

  sent_a = g_get_monotonic_time ();
  suda_test_client_send (bob, "PRIVMSG #lobby :first");
  suda_test_iterate (150);
  sent_d = g_get_monotonic_time ();
  suda_test_client_send (bob, "PRIVMSG #other :second");
  suda_test_client_await (alice, ":bob!* PRIVMSG #lobby :first");
  got_a = g_get_monotonic_time ();
  suda_test_client_await (dave, ":bob!* PRIVMSG #other :second");
  got_d = g_get_monotonic_time ();
  g_assert_cmpint (got_a - sent_a, >=, budget);
  g_assert_cmpint (got_d - sent_d, >=, budget);
  g_assert_cmpint (got_d, >, got_a);
  suda_test_client_free (alice);
  suda_test_client_free (bob);
  suda_test_client_free (dave);
}

/* A line from another server (issue 15) waits the budget from when it
 * came, not from the last line read here: stamped with the older time, its
 * members were flushed early, one send() for fewer lines. */
static void
test_flush_relayed_line (void)
{
  SudaTestClient *alice, *bob, *carol;
  g_autoptr(SudaServer) server = set_up_pair (&alice, &bob);
  const gint64 budget = 400 * 1000;
  SudaOutLine line = { .source = "dave!~dave@b.example", .nick = "dave", .command = "PRIVMSG",
                       .target = "#other", .text = "from B" };
  gint64 relayed, got;

  carol = suda_test_member (server, "carol", NULL, "#other");
  g_ptr_array_unref (suda_test_client_sync (carol));
  g_ptr_array_unref (suda_test_client_sync (alice));
  _suda_server_set_flush_budget (server, budget);
  suda_test_client_send (bob, "PRIVMSG #lobby :first");
  suda_test_iterate (250);
  line.time = g_get_real_time ();
  relayed = g_get_monotonic_time ();
  _suda_delivery_relay_in (_suda_server_get_delivery (server), NULL, &line, "#other", FALSE);
  suda_test_client_await (carol, ":dave!~dave@b.example PRIVMSG #other :from B");
  got = g_get_monotonic_time ();
  g_assert_cmpint (got - relayed, >=, budget);
  suda_test_client_await (alice, ":bob!* PRIVMSG #lobby :first");
  suda_test_client_free (alice);
  suda_test_client_free (bob);
  suda_test_client_free (carol);
}

#define N_SLICED 40

/* A flush stopped at its slice goes on later: with a slice of nothing
 * (the clock is looked at every 32 sessions), every member of a
 * 40-member room still gets each line, in order. */
static void
test_flush_sliced (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  SudaTestClient *members[N_SLICED];
  guint slices;

  for (guint i = 0; i < N_SLICED; i++)
    {
      g_autofree char *nick = g_strdup_printf ("m%u", i);

      members[i] = suda_test_member (server, nick, NULL, "#lobby");
    }
  for (guint i = 0; i < N_SLICED; i++)
    g_ptr_array_unref (suda_test_client_sync (members[i]));
  _suda_server_set_flush_slice (server, 0);
  slices = _suda_server_get_flush_slices (server);
  send_numbered (members[0], 3);
  for (guint i = 1; i < N_SLICED; i++)
    for (guint j = 0; j < 3; j++)
      {
        g_autofree char *pattern = g_strdup_printf (":m0!* PRIVMSG #lobby :line %u", j);
        g_autofree char *line = suda_test_client_read_line (members[i], 5000);

        g_assert_nonnull (line);
        g_assert_true (g_pattern_match_simple (pattern, line));
      }
  g_assert_cmpuint (_suda_server_get_flush_slices (server), >, slices);
  for (guint i = 0; i < N_SLICED; i++)
    suda_test_client_free (members[i]);
}

/* The epoll set (suda-poller.c) ----------------------------------------- */

typedef struct
{
  SudaPollWatch *watch;
  SudaPollWatch **other;
  guint          n_in;
  guint          n_out;
} PollProbe;

static void
on_poll (gpointer     data,
         GIOCondition condition)
{
  PollProbe *probe = data;

  if (condition & G_IO_IN)
    probe->n_in++;
  if (condition & G_IO_OUT)
    probe->n_out++;
}

static gboolean
probe_woken (gpointer data)
{
  PollProbe *probe = data;

  return probe->n_in + probe->n_out > 0;
}

static void
drain_fd (int fd)
{
  char buffer[64];

  while (recv (fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0)
    ;
}

/* Readable wakes G_IO_IN; G_IO_OUT comes once, then only when asked for
 * again; a hang-up wakes the reader. */
static void
test_poller_conditions (void)
{
  int fds[2];
  PollProbe probe = { 0 };

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM, 0, fds));
  probe.watch = _suda_poll_watch_new (fds[0], on_poll, &probe);
  _suda_poll_watch_set (probe.watch, G_IO_IN);
  g_assert_cmpint (send (fds[1], "x", 1, 0), ==, 1);
  g_assert_true (suda_test_wait_until (probe_woken, &probe, 5000));
  g_assert_cmpuint (probe.n_out, ==, 0);
  drain_fd (fds[0]);

  /* Writable at once, and told once: the next wake-up, for a byte read,
   * comes without it. */
  probe.n_in = 0;
  _suda_poll_watch_set (probe.watch, G_IO_IN | G_IO_OUT);
  g_assert_true (suda_test_wait_until (probe_woken, &probe, 5000));
  g_assert_cmpuint (probe.n_out, ==, 1);
  g_assert_cmpuint (probe.n_in, ==, 0);
  g_assert_cmpint (send (fds[1], "y", 1, 0), ==, 1);
  probe.n_out = 0;
  g_assert_true (suda_test_wait_until (probe_woken, &probe, 5000));
  g_assert_cmpuint (probe.n_in, ==, 1);
  g_assert_cmpuint (probe.n_out, ==, 0);
  drain_fd (fds[0]);

  probe.n_in = 0;
  close (fds[1]);
  g_assert_true (suda_test_wait_until (probe_woken, &probe, 5000));
  g_assert_cmpuint (probe.n_in, ==, 1);
  _suda_poll_watch_free (probe.watch);
  close (fds[0]);
}

static void
on_poll_drop_both (gpointer     data,
                   GIOCondition condition)
{
  PollProbe *probe = data;

  probe->n_in++;
  g_clear_pointer (probe->other, _suda_poll_watch_free);
  g_clear_pointer (&probe->watch, _suda_poll_watch_free);
}

/* Two sockets ready in one dispatch: the first woken lets go of both
 * watches (the set itself goes with the last), and the second, whose
 * event is already taken, is not called (the sanitizer build checks that
 * nothing freed is touched). */
static void
test_poller_drop_in_dispatch (void)
{
  int a[2], b[2];
  PollProbe pa = { 0 }, pb = { 0 };

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM, 0, a));
  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM, 0, b));
  pa.watch = _suda_poll_watch_new (a[0], on_poll_drop_both, &pa);
  pb.watch = _suda_poll_watch_new (b[0], on_poll_drop_both, &pb);
  pa.other = &pb.watch;
  pb.other = &pa.watch;
  _suda_poll_watch_set (pa.watch, G_IO_IN);
  _suda_poll_watch_set (pb.watch, G_IO_IN);
  g_assert_cmpint (send (a[1], "x", 1, 0), ==, 1);
  g_assert_cmpint (send (b[1], "x", 1, 0), ==, 1);
  while (pa.n_in + pb.n_in == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (pa.n_in + pb.n_in, ==, 1);
  g_assert_null (pa.watch);
  g_assert_null (pb.watch);
  /* A new watch makes a new set. */
  pa.n_in = 0;
  pa.other = &pb.watch;
  pa.watch = _suda_poll_watch_new (a[0], on_poll_drop_both, &pa);
  _suda_poll_watch_set (pa.watch, G_IO_IN);
  while (pa.n_in == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (pa.watch);
  for (guint i = 0; i < 2; i++)
    {
      close (a[i]);
      close (b[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/mainloop/stop-returns-at-once", test_stop_returns_at_once);
  g_test_add_func ("/server/mainloop/dispose-while-stopping", test_dispose_while_stopping);
  g_test_add_func ("/server/mainloop/start-listens-before-history", test_start_listens_before_history);
  g_test_add_func ("/server/mainloop/stop-while-loading-history", test_stop_while_loading);
  g_test_add_func ("/server/mainloop/history-read-goes-before-live", test_adopt_keeps_order);
  g_test_add_func ("/server/mainloop/flush-wait", test_flush_wait);
  g_test_add_func ("/server/mainloop/flush-lone-line-at-once", test_flush_lone_line);
  g_test_add_func ("/server/mainloop/flush-burst-waits", test_flush_burst_waits);
  g_test_add_func ("/server/mainloop/flush-budget-one-read", test_flush_budget_one_read);
  g_test_add_func ("/server/mainloop/flush-own-deadline", test_flush_own_deadline);
  g_test_add_func ("/server/mainloop/flush-relayed-line", test_flush_relayed_line);
  g_test_add_func ("/server/mainloop/flush-sliced", test_flush_sliced);
  g_test_add_func ("/server/mainloop/poller-conditions", test_poller_conditions);
  g_test_add_func ("/server/mainloop/poller-drop-in-dispatch", test_poller_drop_in_dispatch);
  return g_test_run ();
}
