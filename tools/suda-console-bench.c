/* SPDX-License-Identifier: GPL-3.0-or-later */
/* suda-console-bench: what the console's window costs its GTK thread.
 *
 *   suda-console-bench [--users N] [--rounds R] [--batches B] [--batch-size E]
 *
 * 1. The live log: B batches of E events (12, a class's second or so), each
 *    appended to a full live log and painted; prints the GTK thread's CPU
 *    per batch and per event.
 * 2. The Users page: starts a real console window's server on 127.0.0.1
 *    (a free port), registers N IRC clients (1,000 by default) over real
 *    sockets, then reports how long the Users page takes from being asked
 *    for to its first painted frame, and the same for a sort by each
 *    column, R times each (the median and the worst).
 * Run it under a display:
 *   GSK_RENDERER=cairo xvfb-run -a -s "-screen 0 1280x1024x24" suda-console-bench
 * Issue 18's target: under 100 ms to open or sort with 1,000 users. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "suda-console-window.h"
#include "suda-live-log.h"
#include "suda-server-host.h"

typedef struct {
  gboolean painted;
} Frame;

static guint n_frames;

static void
after_paint_cb (GdkFrameClock *clock,
                Frame         *frame)
{
  frame->painted = TRUE;
}

static void
count_frame_cb (GdkFrameClock *clock)
{
  n_frames++;
}

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data,
               gint64     timeout_usec)
{
  gint64 deadline = g_get_monotonic_time () + timeout_usec;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          fprintf (stderr, "suda-console-bench: timed out\n");
          exit (1);
        }
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
frame_painted (gpointer data)
{
  return ((Frame *) data)->painted;
}

static double
thread_cpu_ms (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

static double last_cpu_ms;   /* the GTK thread's CPU in the last time_to_paint */

/* Milliseconds from a change made now (CHANGE) to the end of the first
 * frame painted after it. */
static double
time_to_paint (GtkWidget *window,
               void     (*change) (gpointer),
               gpointer   data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  Frame frame = { FALSE };
  gulong handler;
  gint64 start;

  /* let anything pending settle first */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frame);
  start = g_get_monotonic_time ();
  last_cpu_ms = thread_cpu_ms ();
  change (data);
  iterate_until (frame_painted, &frame, 30 * G_USEC_PER_SEC);
  last_cpu_ms = thread_cpu_ms () - last_cpu_ms;
  g_signal_handler_disconnect (clock, handler);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static GtkWidget *
template_child (GtkWidget  *window,
                const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (window, SUDA_TYPE_CONSOLE_WINDOW, name));
}

static gboolean
host_running (gpointer host)
{
  return suda_server_host_get_running (host);
}

typedef struct {
  SudaServerHost *host;
  guint           n;
} UsersWanted;

static gboolean
host_has_users (gpointer data)
{
  UsersWanted *wanted = data;

  return suda_server_host_get_n_users (wanted->host) >= wanted->n;
}

/* Real clients: each registers and then only keeps its socket open. */
static GPtrArray *
connect_users (guint16 port,
               guint   n)
{
  GPtrArray *sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *hello = NULL;
      GSocketConnection *connection;
      GOutputStream *out;

      connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
      if (connection == NULL)
        {
          fprintf (stderr, "suda-console-bench: connect %u: %s\n", i, error->message);
          exit (1);
        }
      hello = g_strdup_printf ("NICK user%04u\r\nUSER u%u 0 * :User %u\r\nJOIN #room%u\r\n",
                               (i * 7919) % n, i, i, i % 20);
      out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
      if (!g_output_stream_write_all (out, hello, strlen (hello), NULL, NULL, &error))
        {
          fprintf (stderr, "suda-console-bench: write: %s\n", error->message);
          exit (1);
        }
      g_ptr_array_add (sockets, connection);
    }
  return sockets;
}

static void
show_users (gpointer stack)
{
  adw_view_stack_set_visible_child_name (stack, "users");
}

static void
show_log (gpointer stack)
{
  adw_view_stack_set_visible_child_name (stack, "log");
}

typedef struct {
  GtkColumnView *view;
  guint          column;
  GtkSortType    order;
} SortBy;

static void
sort_by (gpointer data)
{
  SortBy *sort = data;
  g_autoptr(GtkColumnViewColumn) column =
    g_list_model_get_item (gtk_column_view_get_columns (sort->view), sort->column);

  gtk_column_view_sort_by_column (sort->view, column, sort->order);
}

#define MAX_BATCH 256

typedef struct {
  SudaLiveLog  *log;
  guint         n;
  SudaLogEntry *entries[MAX_BATCH];
} Batch;

static void
append_batch (gpointer data)
{
  Batch *batch = data;

  suda_live_log_append (batch->log, batch->entries, batch->n, 0);
}

/* The server thread's work is not here: only what the window does with a
 * batch, from the model change to the painted frame. */
static void
bench_live_log (GtkWidget *window,
                int        n_batches,
                guint      batch_size)
{
  SudaLiveLog *log = SUDA_LIVE_LOG (suda_console_window_get_log (SUDA_CONSOLE_WINDOW (window)));
  guint max_rows = suda_live_log_get_max_rows (log);
  gint64 now = g_get_real_time ();
  double cpu, wall = 0;
  Batch batch = { log, batch_size, { NULL } };
  guint seq = 0;

  /* full (past its first trim), as after a few minutes of class */
  while (suda_live_log_get_n_total (log) < max_rows + max_rows / 2)
    {
      for (guint i = 0; i < batch.n; i++)
        batch.entries[i] = suda_log_entry_new (now, "message", "#lobby", "student",
                                               "warming up the live log");
      append_batch (&batch);
      for (guint i = 0; i < batch.n; i++)
        g_clear_object (&batch.entries[i]);
    }
  time_to_paint (window, (void (*) (gpointer)) gtk_widget_queue_resize, window);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (count_frame_cb), NULL);
  n_frames = 0;
  cpu = thread_cpu_ms ();
  for (int b = 0; b < n_batches; b++)
    {
      for (guint i = 0; i < batch.n; i++)
        {
          g_autofree char *nick = g_strdup_printf ("student%02u", seq % 50);
          g_autofree char *text = g_strdup_printf ("message %u: 오늘 숙제는 소켓 프로그래밍입니다", seq++);

          batch.entries[i] = suda_log_entry_new (now, "message", "#lobby", nick, text);
        }
      wall += time_to_paint (window, append_batch, &batch);
      for (guint i = 0; i < batch.n; i++)
        g_clear_object (&batch.entries[i]);
    }
  cpu = thread_cpu_ms () - cpu;
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (window), count_frame_cb, NULL);
  printf ("live log, a batch of %u events painted: %.2f ms CPU (%.0f µs an event), "
          "%.1f ms to the frame, %.1f frames a batch\n",
          batch.n, cpu / n_batches,
          cpu * 1000 / n_batches / batch.n, wall / n_batches,
          (double) n_frames / n_batches);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Wall time to the painted frame, and the GTK thread's CPU for it: on a
 * busy machine the second is the steadier figure. */
static void
report (const char *what,
        GArray     *ms,
        GArray     *cpu)
{
  g_array_sort (ms, compare_doubles);
  g_array_sort (cpu, compare_doubles);
  printf ("%-24s to the frame: median %6.1f ms, worst %6.1f ms;  CPU: median %6.1f ms, worst %6.1f ms\n",
          what, g_array_index (ms, double, ms->len / 2), g_array_index (ms, double, ms->len - 1),
          g_array_index (cpu, double, cpu->len / 2), g_array_index (cpu, double, cpu->len - 1));
}

int
main (int    argc,
      char **argv)
{
  int n_users = 1000, rounds = 5, n_batches = 200, batch_size = 12, width = 1100, height = 800;
  GOptionEntry entries[] = {
    { "users", 0, 0, G_OPTION_ARG_INT, &n_users, "Users to connect (1000)", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Times each measure is taken (5)", "R" },
    { "batches", 0, 0, G_OPTION_ARG_INT, &n_batches, "Live log batches (200)", "B" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch_size, "Events in a live log batch (12)", "E" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Window width (1100)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Window height (800)", "H" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *log_path = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GPtrArray) sockets = NULL;
  g_autoptr(GArray) open_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) open_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  static const char *column_names[] = { "nick", "address", "connected since", "rooms" };
  g_autoptr(SudaServerConfig) base = NULL;
  struct rlimit files;
  SudaConsoleWindow *window;
  SudaServerHost *host;
  GtkWidget *stack;
  UsersWanted wanted;

  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "suda-console-bench: %s\n", error->message);
      return 2;
    }
  /* both ends of every connection live in this process */
  if (getrlimit (RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max)
    {
      files.rlim_cur = files.rlim_max;
      setrlimit (RLIMIT_NOFILE, &files);
    }
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", SUDA_BUILD_SCHEMA_DIR, FALSE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_init ();
  adw_init ();

  tmpdir = g_dir_make_tmp ("suda-console-bench-XXXXXX", &error);
  g_assert_no_error (error);
  log_path = g_build_filename (tmpdir, "server.jsonl", NULL);
  settings = g_settings_new ("chat.suda.Server");
  g_settings_set_string (settings, "listen-address", "127.0.0.1");
  g_settings_set_int (settings, "port", 0);
  g_settings_set_int (settings, "max-clients", n_users + 10);
  g_settings_set_string (settings, "log-file", log_path);

  window = suda_console_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  /* every client comes from 127.0.0.1 and registers at once */
  base = suda_server_config_new ();
  if (!suda_server_config_set_value (base, "limits", "exempt-loopback", "true", &error) ||
      !suda_server_config_set_value (base, "limits", "flood-control", "false", &error))
    {
      fprintf (stderr, "suda-console-bench: %s\n", error->message);
      return 1;
    }
  suda_console_window_set_base_config (window, base);
  host = suda_console_window_get_host (window);
  bench_live_log (GTK_WIDGET (window), n_batches, CLAMP (batch_size, 1, MAX_BATCH));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  iterate_until (host_running, host, 20 * G_USEC_PER_SEC);

  sockets = connect_users (suda_server_host_get_port (host), n_users);
  wanted = (UsersWanted) { host, n_users };
  iterate_until (host_has_users, &wanted, 60 * G_USEC_PER_SEC);
  printf ("%u users connected (GSK_RENDERER=%s)\n", suda_server_host_get_n_users (host),
          g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");

  stack = template_child (GTK_WIDGET (window), "view_stack");
  for (int i = 0; i < rounds; i++)
    {
      double ms = time_to_paint (GTK_WIDGET (window), show_users, stack);

      g_array_append_val (open_ms, ms);
      g_array_append_val (open_cpu, last_cpu_ms);
      time_to_paint (GTK_WIDGET (window), show_log, stack);
    }
  report ("open the Users page", open_ms, open_cpu);

  time_to_paint (GTK_WIDGET (window), show_users, stack);
  for (guint column = 0; column < G_N_ELEMENTS (column_names); column++)
    {
      g_autoptr(GArray) sort_ms = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) sort_cpu = g_array_new (FALSE, FALSE, sizeof (double));
      g_autofree char *what = g_strdup_printf ("sort by %s", column_names[column]);

      for (int i = 0; i < rounds; i++)
        {
          SortBy sort = { GTK_COLUMN_VIEW (template_child (GTK_WIDGET (window), "users_view")),
                          column, i % 2 ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING };
          double ms = time_to_paint (GTK_WIDGET (window), sort_by, &sort);

          g_array_append_val (sort_ms, ms);
          g_array_append_val (sort_cpu, last_cpu_ms);
        }
      report (what, sort_ms, sort_cpu);
    }

  g_clear_pointer (&sockets, g_ptr_array_unref);
  gtk_window_destroy (GTK_WINDOW (window));
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_unlink (log_path);
  g_rmdir (tmpdir);
  return 0;
}
