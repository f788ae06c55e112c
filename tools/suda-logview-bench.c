/* SPDX-License-Identifier: GPL-3.0-or-later */
/* suda-logview-bench: times the log viewer on a generated log.
 *
 *   suda-logview-bench [--lines N] [--file PATH] [--keep]
 *
 * Writes a JSON Lines log of N lines (1,000,000 by default, about 150 MB),
 * opens it in a real log viewer window and reports how long it takes until
 * rows are painted, until a scroll to the middle and to the end is painted,
 * how long each kind of filter takes, and the resident memory.  Run it
 * under a display (xvfb-run -a suda-logview-bench). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "suda-log-viewer-window.h"

static const char *nicks[] = { "alice", "bob", "carol", "dave", "eve", "민준", "서연", "mallory" };
static const char *rooms[] = { "#lobby", "#class-101", "#lab", "#random" };
static const char *words[] = { "hello", "server", "안녕하세요", "homework", "deadline", "socket",
                               "thread", "수다", "question", "answer", "lunch", "merge", "build" };

static gint64
now_usec (void)
{
  return g_get_monotonic_time ();
}

static double
ms_since (gint64 start)
{
  return (now_usec () - start) / 1000.0;
}

static long
status_kb (const char *status,
           const char *key)
{
  const char *p = strstr (status, key);

  return p ? atol (p + strlen (key)) : -1;
}

static void
print_memory (const char *when)
{
  g_autofree char *status = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  printf ("rss %s: %.1f MB (anonymous %.1f MB, file %.1f MB), peak %.1f MB\n", when,
          status_kb (status, "VmRSS:") / 1024.0, status_kb (status, "RssAnon:") / 1024.0,
          status_kb (status, "RssFile:") / 1024.0, status_kb (status, "VmHWM:") / 1024.0);
}

static void
generate (const char *path,
          guint       n_lines)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);
  gint64 t = G_GINT64_CONSTANT (1795165200000);  /* 2026-11-20, in ms */
  FILE *out = fopen (path, "w");
  char buf[64];

  if (out == NULL)
    g_error ("cannot write %s", path);
  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr(GDateTime) dt = NULL;
      const char *nick = nicks[g_rand_int_range (rand, 0, G_N_ELEMENTS (nicks))];
      const char *room = rooms[g_rand_int_range (rand, 0, G_N_ELEMENTS (rooms))];
      guint kind = g_rand_int_range (rand, 0, 20);

      t += g_rand_int_range (rand, 1, 400);
      dt = g_date_time_new_from_unix_utc (t / 1000);
      strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &(struct tm) {
        .tm_year = g_date_time_get_year (dt) - 1900, .tm_mon = g_date_time_get_month (dt) - 1,
        .tm_mday = g_date_time_get_day_of_month (dt), .tm_hour = g_date_time_get_hour (dt),
        .tm_min = g_date_time_get_minute (dt), .tm_sec = g_date_time_get_second (dt) });
      fprintf (out, "{\"time\":\"%s.%03dZ\",", buf, (int) (t % 1000));
      if (kind == 0)
        fprintf (out, "\"event\":\"join\",\"channel\":\"%s\",\"nick\":\"%s\"}\n", room, nick);
      else if (kind == 1)
        fprintf (out, "\"event\":\"part\",\"channel\":\"%s\",\"nick\":\"%s\",\"text\":\"see you\"}\n", room, nick);
      else
        {
          fprintf (out, "\"event\":\"message\",\"channel\":\"%s\",\"nick\":\"%s\",\"text\":\"", room, nick);
          for (guint w = 0, n = g_rand_int_range (rand, 4, 10); w < n; w++)
            fprintf (out, "%s%s", w ? " " : "", words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
          fprintf (out, " #%u\"}\n", i);
        }
    }
  fclose (out);
}

static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  painted = TRUE;
}

static void
wait_for_paint (GtkWidget *widget)
{
  painted = FALSE;
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
}

static void
wait_idle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *path = NULL;
  int lines = 1000000;
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "lines", 'n', 0, G_OPTION_ARG_INT, &lines, "Lines to generate", "N" },
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &path, "Log file to write and open", "PATH" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the generated file", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time the Suda log viewer");
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  SudaLogViewerWindow *window;
  GtkScrolledWindow *scrolled;
  GtkAdjustment *adj;
  SudaLogModel *model;
  struct stat st;
  gint64 start;

  g_setenv ("GTK_A11Y", "none", FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (path == NULL)
    path = g_build_filename (g_get_tmp_dir (), "suda-logview-bench.jsonl", NULL);

  start = now_usec ();
  generate (path, lines);
  if (g_stat (path, &st) != 0)
    g_error ("cannot stat %s", path);
  printf ("generated %d lines, %.1f MB in %.0f ms\n", lines, st.st_size / 1e6, ms_since (start));

  gtk_init ();
  adw_init ();
  print_memory ("before opening");

  start = now_usec ();
  window = suda_log_viewer_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  file = g_file_new_for_path (path);
  if (!suda_log_viewer_window_open (window, file))
    return 1;
  printf ("open (map and index): %.0f ms\n", ms_since (start));
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint_cb), NULL);
  wait_for_paint (GTK_WIDGET (window));
  printf ("open until first rows painted: %.0f ms\n", ms_since (start));

  model = suda_log_viewer_window_get_model (window);
  scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                 SUDA_TYPE_LOG_VIEWER_WINDOW,
                                                                 "scrolled"));
  adj = gtk_scrolled_window_get_vadjustment (scrolled);

  start = now_usec ();
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) / 2);
  wait_for_paint (GTK_WIDGET (window));
  printf ("scroll to the middle painted: %.0f ms\n", ms_since (start));
  start = now_usec ();
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  wait_for_paint (GTK_WIDGET (window));
  printf ("scroll to the end painted: %.0f ms\n", ms_since (start));
  start = now_usec ();
  for (int i = 0; i < 50; i++)
    {
      gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) - gtk_adjustment_get_page_size (adj));
      wait_for_paint (GTK_WIDGET (window));
    }
  printf ("50 page-ups, each painted: %.0f ms (%.1f ms a page)\n", ms_since (start), ms_since (start) / 50);

  print_memory ("after opening and scrolling");

#define TIME_FILTER(label, stmt) G_STMT_START {                                     \
    gint64 t0 = now_usec ();                                                       \
    stmt;                                                                          \
    printf ("filter %-28s %7u rows in %4.0f ms", label,                            \
            g_list_model_get_n_items (G_LIST_MODEL (model)), ms_since (t0));       \
    wait_for_paint (GTK_WIDGET (window));                                          \
    printf (", painted after %4.0f ms\n", ms_since (t0));                          \
  } G_STMT_END
  TIME_FILTER ("nick = bob", suda_log_model_set_nick (model, "bob"));
  TIME_FILTER ("none", suda_log_model_set_nick (model, NULL));
  TIME_FILTER ("text \"homework\"", suda_log_model_set_search_text (model, "homework"));
  TIME_FILTER ("text \"HOMEWORK DEADLINE\"", suda_log_model_set_search_text (model, "HOMEWORK DEADLINE"));
  TIME_FILTER ("text \"안녕하세요\"", suda_log_model_set_search_text (model, "안녕하세요"));
  TIME_FILTER ("text \"Ünïcode fold\"", suda_log_model_set_search_text (model, "Ünïcode"));
  TIME_FILTER ("none", suda_log_model_set_search_text (model, NULL));
  TIME_FILTER ("event = join", suda_log_model_set_event (model, "join"));
  TIME_FILTER ("none", suda_log_model_set_event (model, NULL));
  TIME_FILTER ("date range (one hour)",
               suda_log_model_set_time_range (model, G_GINT64_CONSTANT (1795168800) * G_USEC_PER_SEC,
                                              G_GINT64_CONSTANT (1795172400) * G_USEC_PER_SEC));
  TIME_FILTER ("none", suda_log_model_set_time_range (model, 0, 0));
#undef TIME_FILTER

  wait_idle ();
  print_memory ("after filtering");

  gtk_window_destroy (GTK_WINDOW (window));
  wait_idle ();
  if (!keep)
    g_unlink (path);
  return 0;
}
