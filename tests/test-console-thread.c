/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console runs its server on a thread of its own: events cross to the
 * window in order and in batches, the live log stays within its bound,
 * stopping or closing returns at once with clients that read nothing, and
 * the Users page takes users in batches and sorts them. */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "suda-console-window.h"
#include "suda-live-log.h"
#include "suda-log-row.h"
#include "suda-server-host-private.h"
#include "suda-server-private.h"
#include "suda-test-util.h"
#include "suda-user-row.h"

#define BURST 100000

typedef struct {
  SudaConsoleWindow *window;
  SudaServerHost    *host;      /* a reference of the test's own */
  GSettings         *settings;
  char              *tmpdir;
  char              *log_path;
} Fixture;

static gpointer
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                   SUDA_TYPE_CONSOLE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->tmpdir = suda_test_make_tmpdir ();
  fixture->log_path = g_build_filename (fixture->tmpdir, "server.jsonl", NULL);
  fixture->settings = g_settings_new ("chat.suda.Server");
  g_settings_set_string (fixture->settings, "listen-address", "127.0.0.1");
  g_settings_set_int (fixture->settings, "port", 0);
  g_settings_set_int (fixture->settings, "max-clients", 4000);
  g_settings_set_string (fixture->settings, "log-file", fixture->log_path);

  fixture->window = g_object_ref_sink (suda_console_window_new (NULL));
  fixture->host = g_object_ref (suda_console_window_get_host (fixture->window));
  {
    /* a class from one machine, sending back to back, with room to queue */
    g_autoptr(SudaServerConfig) base = suda_server_config_new ();

    base->flood_control = FALSE;
    base->exempt_loopback = TRUE;
    base->sendq_bytes = 64 * 1024 * 1024;
    suda_console_window_set_base_config (fixture->window, base);
  }
  gtk_window_present (GTK_WINDOW (fixture->window));
  suda_test_iterate (10);
}

static gboolean
host_running (gpointer host)
{
  return suda_server_host_get_running (host);
}

static gboolean
host_stopped (gpointer host)
{
  return !suda_server_host_get_running (host);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  g_assert_true (suda_test_wait_until (host_stopped, fixture->host, 10000));
  g_clear_object (&fixture->host);
  suda_test_iterate (10);
  for (const char * const *key = (const char * const[]) { "listen-address", "port", "log-file",
                                                          "max-clients", NULL }; *key; key++)
    g_settings_reset (fixture->settings, *key);
  g_clear_object (&fixture->settings);
  g_unlink (fixture->log_path);
  g_rmdir (fixture->tmpdir);
  g_free (fixture->log_path);
  g_free (fixture->tmpdir);
}

static guint16
start_server (Fixture *fixture)
{
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start", NULL);
  g_assert_true (suda_test_wait_until (host_running, fixture->host, 20000));
  return suda_server_host_get_port (fixture->host);
}

/* Runs FUNC on the server thread and waits until it has. */
typedef struct {
  SudaServerHostFunc func;
  gpointer           data;
  gint               done;
} OnServer;

static void
run_on_server_cb (SudaServer *server,
                  gpointer    data)
{
  OnServer *call = data;

  call->func (server, call->data);
  g_atomic_int_set (&call->done, 1);
}

static gboolean
call_done (gpointer data)
{
  return g_atomic_int_get (&((OnServer *) data)->done);
}

static void
run_on_server (Fixture            *fixture,
               SudaServerHostFunc  func,
               gpointer            data)
{
  OnServer call = { func, data, 0 };

  suda_server_host_invoke (fixture->host, run_on_server_cb, &call, NULL);
  g_assert_true (suda_test_wait_until (call_done, &call, 30000));
}

/* Events from the server thread ------------------------------------------- */

#define CHUNK 1000

typedef struct {
  SudaServer *server;
  guint       next;
} Burst;

/* A thousand events an iteration, as many clients' lines read at once
 * might make; the server writes its log between. */
static gboolean
log_chunk (gpointer data)
{
  Burst *burst = data;

  for (guint end = burst->next + CHUNK; burst->next < end; burst->next++)
    {
      g_autofree char *text = g_strdup_printf ("burst %u", burst->next);
      g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "notice", "#burst", "tester", text);

      suda_server_log (burst->server, entry);
    }
  return burst->next < BURST ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* On the server thread: the idle goes to its context, after the server's
 * own flush each time. */
static void
start_burst (SudaServer *server,
             gpointer    data)
{
  Burst *burst = g_new0 (Burst, 1);
  GSource *source = g_idle_source_new ();

  burst->server = server;
  g_source_set_priority (source, G_PRIORITY_LOW);
  g_source_set_callback (source, log_chunk, burst, g_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

/* What the window was given, batch by batch: the index of the next burst
 * event it expects, counting those skipped on the way. */
typedef struct {
  guint64 next;
  guint64 skipped;
  guint   batches;
  gboolean started;
} BatchCheck;

static void
check_batch_cb (SudaServerHost *host,
                GPtrArray      *entries,
                guint64         n_skipped,
                BatchCheck     *check)
{
  check->batches++;
  for (guint i = 0; i < entries->len; i++)
    {
      const char *text = suda_log_entry_get_text (g_ptr_array_index (entries, i));
      guint64 index;

      if (text == NULL || !g_str_has_prefix (text, "burst "))
        continue;
      index = g_ascii_strtoull (text + strlen ("burst "), NULL, 10);
      if (!check->started)
        {
          /* the first burst entry: any skipped before it were burst ones */
          check->started = TRUE;
          check->next = n_skipped;
        }
      else if (i == 0)
        check->next += n_skipped;
      check->skipped += n_skipped;
      n_skipped = 0;
      g_assert_cmpuint (index, ==, check->next);
      check->next++;
    }
}

static gboolean
burst_seen (gpointer data)
{
  return ((BatchCheck *) data)->next == BURST;
}

static gboolean
file_has_burst (gpointer path)
{
  g_autofree char *contents = NULL;
  g_autofree char *last = g_strdup_printf ("\"burst %u\"", BURST - 1);
  const char *end;
  gsize length;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL) || strstr (contents, last) == NULL)
    return FALSE;
  /* with a length: a sanitizer's strstr() measures the rest of 15 MB each time */
  end = contents + length;
  for (const char *p = contents; (p = g_strstr_len (p, end - p, "\"text\":\"burst ")) != NULL; p++)
    n++;
  g_assert_cmpuint (n, ==, BURST);
  return TRUE;
}

static void
test_burst_reaches_the_live_log_in_order (Fixture       *fixture,
                                          gconstpointer  data)
{
  GListModel *log = suda_console_window_get_log (fixture->window);
  guint max = suda_live_log_get_max_rows (SUDA_LIVE_LOG (log));
  BatchCheck check = { 0 };
  guint64 before;
  guint n;

  start_server (fixture);
  g_signal_connect (fixture->host, "log-batch", G_CALLBACK (check_batch_cb), &check);
  suda_test_iterate (50);
  before = suda_live_log_get_n_total (SUDA_LIVE_LOG (log));

  suda_server_host_invoke (fixture->host, start_burst, NULL, NULL);
  /* a sanitizer build on a busy machine takes tens of seconds to log it
   * all, and a slow window spaces its batches up to four seconds apart */
  g_assert_true (suda_test_wait_until (burst_seen, &check, 90000));
  /* Skipped ones were older than a ring's worth of newer events: they
   * would have scrolled out of the live log anyway, and the file has them. */
  g_test_message ("%u batches, %" G_GUINT64_FORMAT " events skipped on the way",
                  check.batches, check.skipped);
  /* in batches, not one by one */
  g_assert_cmpuint (check.batches, <, BURST / 10);

  /* every event counted, the newest shown in order, the row count bounded */
  g_assert_cmpuint (suda_live_log_get_n_total (SUDA_LIVE_LOG (log)) - before, ==, BURST);
  /* past the bound a batch drops a fifth more than it must (one trim per
   * fifth, not per row), so the count is within that fifth of the bound */
  n = g_list_model_get_n_items (log);
  g_assert_cmpuint (n, <=, max);
  g_assert_cmpuint (n, >=, max - max / 5);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaLogRow) row = g_list_model_get_item (log, i);
      g_autofree char *expected = g_strdup_printf ("burst %u", BURST - n + i);

      g_assert_cmpstr (suda_log_entry_get_text (suda_log_row_get_entry (row)), ==, expected);
    }
  /* and the window says where the older lines are: all of them */
  g_assert_true (gtk_widget_get_visible (child (fixture, "log_older_bar")));
  g_assert_true (suda_test_wait_until (file_has_burst, fixture->log_path, 10000));
  g_signal_handlers_disconnect_by_data (fixture->host, &check);
}

/* The model itself: never more rows than its bound, two signals a batch,
 * and no removal at all in most batches once full. */
static void
count_changes_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

static void
test_live_log_stays_under_its_bound (void)
{
  g_autoptr(SudaLiveLog) log = suda_live_log_new (100);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  guint changes = 0;

  g_signal_connect (log, "items-changed", G_CALLBACK (count_changes_cb), &changes);
  for (guint i = 0; i < 250; i++)
    g_ptr_array_add (entries, suda_log_entry_new (0, "message", "#a", "n", "x"));
  for (guint batch = 0; batch < 7; batch++)
    {
      guint before = changes;

      suda_live_log_append (log, (SudaLogEntry **) entries->pdata, 30 + batch * 10, 0);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), <=, 100);
      g_assert_cmpuint (changes - before, <=, 2);
    }
  /* full, it drops its oldest fifth at once: between 80 and 100 rows */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), >=, 80);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), <=, 100);
  g_assert_cmpuint (suda_live_log_get_n_total (log), ==, 7 * 30 + 10 * 21);

  /* a batch bigger than the ring, with some skipped before it */
  suda_live_log_append (log, (SudaLogEntry **) entries->pdata, 250, 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 100);
  g_assert_cmpuint (suda_live_log_get_n_total (log), ==, 7 * 30 + 10 * 21 + 1250);
  {
    g_autoptr(SudaLogRow) last = g_list_model_get_item (G_LIST_MODEL (log), 99);

    g_assert_true (suda_log_row_get_entry (last) == g_ptr_array_index (entries, 249));
  }
}

/* A hidden live log costs nothing: entries wait, then come at once --------- */

static void
log_quiet_entry (SudaServer *server,
                 gpointer    data)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "notice", "#quiet", "tester", data);

  suda_server_log (server, entry);
}

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  suda_server_host_user_action_finish (SUDA_SERVER_HOST (source), result, &error);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
live_log_has (GListModel *log,
              const char *text)
{
  guint n = g_list_model_get_n_items (log);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaLogRow) row = g_list_model_get_item (log, i);

      if (g_strcmp0 (suda_log_entry_get_text (suda_log_row_get_entry (row)), text) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
live_log_has_quiet_entry (gpointer data)
{
  return live_log_has (data, "while hidden");
}

static void
test_hidden_live_log_waits (Fixture       *fixture,
                            gconstpointer  data)
{
  GListModel *log = suda_console_window_get_log (fixture->window);
  gboolean answered = FALSE;
  guint64 n_total;

  start_server (fixture);
  g_assert_false (suda_server_host_get_log_paused (fixture->host));
  adw_view_stack_set_visible_child_name (child (fixture, "view_stack"), "users");
  g_assert_true (suda_server_host_get_log_paused (fixture->host));
  n_total = suda_live_log_get_n_total (SUDA_LIVE_LOG (log));

  run_on_server (fixture, log_quiet_entry, (gpointer) "while hidden");
  /* a command's answer crosses after the entry: a drain came and went */
  suda_server_host_kick_async (fixture->host, "nobody", NULL, NULL, answered_cb, &answered);
  g_assert_true (suda_test_wait_until (flag_set, &answered, 10000));
  g_assert_cmpuint (suda_live_log_get_n_total (SUDA_LIVE_LOG (log)), ==, n_total);
  g_assert_false (live_log_has_quiet_entry (log));

  adw_view_stack_set_visible_child_name (child (fixture, "view_stack"), "log");
  g_assert_false (suda_server_host_get_log_paused (fixture->host));
  g_assert_true (suda_test_wait_until (live_log_has_quiet_entry, log, 10000));
}

/* A lone entry shows at once; one among many waits for the batch ---------- */

static gboolean
live_log_has_lone_entry (gpointer data)
{
  return live_log_has (data, "lone");
}

static gboolean
live_log_has_quiet_entry_after (gpointer data)
{
  return live_log_has (data, "after");
}

/* Whatever is ready on the GTK thread runs, and nothing waits for time. */
static void
iterate_until_idle (void)
{
  for (guint i = 0; i < 10000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static void
test_lone_entry_shows_at_once (Fixture       *fixture,
                               gconstpointer  data)
{
  GListModel *log = suda_console_window_get_log (fixture->window);
  guint64 n_total;

  start_server (fixture);
  /* batches an hour apart, and an hour of silence makes an entry lone:
   * the host counts itself silent now, so only the first entry is */
  _suda_server_host_set_batch_timing (fixture->host, (gint64) 3600 * G_USEC_PER_SEC,
                                      (gint64) 3600 * G_USEC_PER_SEC);
  run_on_server (fixture, log_quiet_entry, (gpointer) "lone");
  g_assert_true (suda_test_wait_until (live_log_has_lone_entry, log, 10000));
  n_total = suda_live_log_get_n_total (SUDA_LIVE_LOG (log));

  /* the next comes within the silence: it waits for its batch, and the
   * GTK thread has nothing to do meanwhile */
  run_on_server (fixture, log_quiet_entry, (gpointer) "busy");
  iterate_until_idle ();
  g_assert_false (live_log_has (log, "busy"));
  g_assert_cmpuint (suda_live_log_get_n_total (SUDA_LIVE_LOG (log)), ==, n_total);

  /* back to the window's own spacing, it comes with the next entry */
  _suda_server_host_set_batch_timing (fixture->host, SUDA_HOST_MIN_INTERVAL, SUDA_HOST_QUIET);
  run_on_server (fixture, log_quiet_entry, (gpointer) "after");
  g_assert_true (suda_test_wait_until (live_log_has_quiet_entry_after, log, 10000));
  g_assert_true (live_log_has (log, "busy"));
}

/* Stopping with clients that read nothing ----------------------------------- */

#define N_STUCK 10

typedef struct {
  const char *nick;
  GSocket    *socket;
} Shrink;

static void
shrink_on_server (SudaServer *server,
                  gpointer    data)
{
  Shrink *shrink = data;
  SudaSession *session = suda_server_find_session (server, shrink->nick);

  g_assert_nonnull (session);
  g_socket_set_option (_suda_session_get_socket (session), SOL_SOCKET, SO_SNDBUF, 4096, NULL);
}

typedef struct {
  gsize min_unsent;
} Stuck;

static void
measure_stuck (SudaServer *server,
               gpointer    data)
{
  Stuck *stuck = data;
  GListModel *sessions = suda_server_get_sessions (server);

  stuck->min_unsent = G_MAXSIZE;
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(SudaSession) session = g_list_model_get_item (sessions, i);

      if (g_strcmp0 (suda_session_get_nick (session), "watcher") != 0)
        stuck->min_unsent = MIN (stuck->min_unsent, _suda_session_get_unsent (session));
    }
}

/* Ten members whose buffers are full, and a watcher who reads. */
static void
fill_stuck_clients (Fixture         *fixture,
                    guint16          port,
                    SudaTestClient **stuck,
                    SudaTestClient **watcher)
{
  g_autofree char *text = g_strnfill (400, 'x');
  Stuck measured = { 0 };
  guint rounds = 0;

  for (guint i = 0; i < N_STUCK; i++)
    {
      g_autofree char *nick = g_strdup_printf ("stuck%u", i);
      Shrink shrink = { nick, NULL };

      stuck[i] = suda_test_client_register_joined (port, nick, NULL, "#lobby");
      g_socket_set_option (suda_test_client_get_socket (stuck[i]), SOL_SOCKET, SO_RCVBUF, 4096, NULL);
      run_on_server (fixture, shrink_on_server, &shrink);
    }
  *watcher = suda_test_client_register_joined (port, "watcher", NULL, "#lobby");
  while (run_on_server (fixture, measure_stuck, &measured), measured.min_unsent < 16 * 1024)
    {
      g_assert_cmpuint (++rounds, <, 5000);
      for (guint i = 0; i < 50; i++)
        suda_test_client_send (*watcher, "PRIVMSG #lobby :%u %s", i, text);
      g_ptr_array_unref (suda_test_client_sync (*watcher));
    }
}

/* Stop (or closing the window) returns to the main loop at once; everyone
 * is told, the stuck ones as they read, and only then does the port close. */
static void
test_stop_with_stuck_clients (Fixture       *fixture,
                              gconstpointer  data)
{
  gboolean close_window = GPOINTER_TO_INT (data);
  SudaTestClient *stuck[N_STUCK];
  g_autoptr(SudaTestClient) watcher = NULL;
  guint16 port;
  gint64 started, took;

  port = start_server (fixture);
  fill_stuck_clients (fixture, port, stuck, &watcher);

  started = g_get_monotonic_time ();
  if (close_window)
    {
      gtk_window_destroy (GTK_WINDOW (fixture->window));
      g_clear_object (&fixture->window);
    }
  else
    gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL);
  took = g_get_monotonic_time () - started;
  g_test_message ("%s returned in %.3f ms", close_window ? "closing" : "stop", took / 1000.0);
  /* Closing also tears the window down, which is GTK's own cost; neither
   * waits for the stuck clients' grace (a second), as "running" shows. */
  g_assert_cmpint (took, <, (close_window ? 500 : 100) * 1000);

  /* the port is held while the last words go out: the one who reads is
   * told, the stuck ones are given their grace, then cut off (what their
   * kernels already hold they may still read) */
  g_assert_true (suda_server_host_get_running (fixture->host));
  g_assert_true (suda_test_port_accepts (port));
  suda_test_client_await (watcher, "ERROR :*shutting down*");
  g_assert_true (suda_test_client_wait_closed (watcher, 5000));
  g_assert_true (suda_test_wait_until (host_stopped, fixture->host, 10000));
  g_assert_false (suda_test_port_accepts (port));
  for (guint i = 0; i < N_STUCK; i++)
    suda_test_client_free (stuck[i]);
}

/* The Users page ------------------------------------------------------------- */

static gboolean
n_users_is (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];
  guint n = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return suda_server_host_get_n_users (fixture->host) == n;
}

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 frame = gdk_frame_clock_get_frame_counter (clock);

  gtk_widget_queue_draw (widget);
  while (gdk_frame_clock_get_frame_counter (clock) < frame + 2)
    g_main_context_iteration (NULL, TRUE);
}

/* With g_test_perf() (-m perf) a thousand users, and the time it takes to
 * open the page and sort it printed as a figure; otherwise a few. */
static void
test_users_arrive_in_batches_and_sort (Fixture       *fixture,
                                       gconstpointer  data)
{
  guint n_users = g_test_perf () ? 1000 : 12;
  GPtrArray *clients = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_test_client_free);
  GtkColumnView *view = child (fixture, "users_view");
  GListModel *shown = G_LIST_MODEL (gtk_column_view_get_model (view));
  GListModel *columns = gtk_column_view_get_columns (view);
  g_autoptr(GtkColumnViewColumn) nick_column = g_list_model_get_item (columns, 0);
  gpointer wait[] = { fixture, GUINT_TO_POINTER (n_users) };
  guint16 port;
  gint64 started;
  double open_ms, sort_ms, sorted_ms;

  raise_fd_limit ();
  port = start_server (fixture);
  for (guint i = 0; i < n_users; i++)
    {
      g_autofree char *nick = g_strdup_printf ("user%04u", (i * 7919) % 10000);

      g_ptr_array_add (clients, suda_test_client_register (port, nick, NULL));
    }
  g_assert_true (suda_test_wait_until (n_users_is, wait, 60000));

  started = g_get_monotonic_time ();
  adw_view_stack_set_visible_child_name (child (fixture, "view_stack"), "users");
  wait_for_frame (GTK_WIDGET (view));
  open_ms = (g_get_monotonic_time () - started) / 1000.0;
  /* the page takes the users when it shows (see below) */
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, n_users);

  started = g_get_monotonic_time ();
  gtk_column_view_sort_by_column (view, nick_column, GTK_SORT_DESCENDING);
  sorted_ms = (g_get_monotonic_time () - started) / 1000.0;
  wait_for_frame (GTK_WIDGET (view));
  sort_ms = (g_get_monotonic_time () - started) / 1000.0;
  if (g_test_perf ())
    g_test_minimized_result (open_ms + sort_ms, "%u users: opening %.1f ms (to the second frame "
                             "drawn), sorting %.1f ms (the sort itself %.1f ms)",
                             n_users, open_ms, sort_ms, sorted_ms);

  /* sorted by nick, newest first */
  for (guint i = 1; i < n_users; i++)
    {
      g_autoptr(GObject) above = g_list_model_get_item (shown, i - 1);
      g_autoptr(GObject) below = g_list_model_get_item (shown, i);

      g_assert_cmpint (g_strcmp0 (suda_user_row_get_nick (SUDA_USER_ROW (above)),
                                  suda_user_row_get_nick (SUDA_USER_ROW (below))), >, 0);
    }

  /* and they leave in batches too */
  g_ptr_array_unref (clients);
  wait[1] = GUINT_TO_POINTER (0);
  g_assert_true (suda_test_wait_until (n_users_is, wait, 60000));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);
}

/* Hidden, the page's list takes no batch at all (no sort, no rows);
 * shown, it takes every user in one change. */
static void
test_hidden_users_page_takes_no_batches (Fixture       *fixture,
                                         gconstpointer  data)
{
  GtkColumnView *view = child (fixture, "users_view");
  GListModel *shown = G_LIST_MODEL (gtk_column_view_get_model (view));
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  gpointer wait[] = { fixture, GUINT_TO_POINTER (2) };
  guint changes = 0;
  guint16 port;

  port = start_server (fixture);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_signal_connect (shown, "items-changed", G_CALLBACK (count_changes_cb), &changes);
  alice = suda_test_client_register_joined (port, "alice", NULL, "#lobby");
  bob = suda_test_client_register (port, "bob", NULL);
  g_assert_true (suda_test_wait_until (n_users_is, wait, 10000));
  suda_test_client_send (bob, "JOIN #lobby");
  g_free (suda_test_client_expect (bob, ":bob!* JOIN #lobby*"));
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);

  adw_view_stack_set_visible_child_name (child (fixture, "view_stack"), "users");
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);

  /* hidden again, it lets them go */
  adw_view_stack_set_visible_child_name (child (fixture, "view_stack"), "log");
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);
  g_signal_handlers_disconnect_by_data (shown, &changes);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func, data) \
  g_test_add ("/console/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("thread/burst-reaches-the-live-log-in-order", test_burst_reaches_the_live_log_in_order, NULL);
  ADD ("stop/ten-stuck-clients-returns-at-once", test_stop_with_stuck_clients, GINT_TO_POINTER (FALSE));
  ADD ("close/ten-stuck-clients-returns-at-once", test_stop_with_stuck_clients, GINT_TO_POINTER (TRUE));
  ADD ("users/arrive-in-batches-and-sort", test_users_arrive_in_batches_and_sort, NULL);
  ADD ("live-log/hidden-waits-then-catches-up", test_hidden_live_log_waits, NULL);
  ADD ("live-log/lone-entry-shows-at-once", test_lone_entry_shows_at_once, NULL);
  ADD ("users/hidden-page-takes-no-batches", test_hidden_users_page_takes_no_batches, NULL);
#undef ADD
  g_test_add_func ("/console/live-log/stays-under-its-bound", test_live_log_stays_under_its_bound);

  return g_test_run ();
}
