/* SPDX-License-Identifier: GPL-3.0-or-later */
/* suda-history-bench: appends a million messages, in batches, to the
 * conversation shown in a real client window, then scrolls to the top and
 * back, and reports the time taken and the memory used.
 *
 *   xvfb-run -a tools/suda-history-bench [--messages N] [--batch N] [--live]
 *
 * By default the batches go in back to back and the window then shows the
 * result, as when a long history is loaded.  With --live the main loop runs
 * after every batch, so the window lays out and paints as the messages
 * arrive, as in a flood.  Not a test: it measures, it does not judge. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "suda-window.h"

static gint64
rss_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      !(line = strstr (status, field)))
    return -1;
  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

/* Lets the window lay out and paint what changed: runs the loop until a
 * frame has been drawn and nothing is left to do. */
static void
settle (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 frame = clock ? gdk_frame_clock_get_frame_counter (clock) : 0;
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  /* Ask for a frame, or an idle window would make this wait for nothing. */
  gtk_widget_queue_draw (widget);
  while (g_get_monotonic_time () < deadline &&
         (clock == NULL || gdk_frame_clock_get_frame_counter (clock) <= frame + 1))
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* CPU time is steadier than wall time on a shared machine. */
static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec * 1000.0 + usage.ru_utime.tv_usec / 1000.0 +
         usage.ru_stime.tv_sec * 1000.0 + usage.ru_stime.tv_usec / 1000.0;
}

static guint n_frames;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  n_frames++;
}

/* Appends N_MESSAGES to CONV in batches of BATCH, 0.1 s apart and over
 * days, so that date separators come in too. */
static void
append_messages (SudaConversation *conv,
                 int               n_messages,
                 int               batch,
                 gboolean          live)
{
  static const char * const nicks[] = {
    "alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivy", "jack",
    "minji", "jae", "soo", "prof_kim", "dora", "eve", "olga", "pete", "quinn", "rose",
  };
  g_autoptr(GPtrArray) pending = g_ptr_array_new_full (batch, g_object_unref);
  gint64 base_time = g_get_real_time () - (gint64) n_messages * 100000;

  for (int i = 0; i < n_messages; )
    {
      int end = MIN (i + batch, n_messages);

      for (; i < end; i++)
        {
          char text[96];

          g_snprintf (text, sizeof text, "message %d: the quick brown fox jumps over the lazy dog", i);
          g_ptr_array_add (pending, suda_message_new (SUDA_MESSAGE_KIND_MESSAGE,
                                                      base_time + (gint64) i * 100000,
                                                      nicks[i % G_N_ELEMENTS (nicks)], text));
        }
      suda_conversation_append_many (conv, (SudaMessage **) pending->pdata, pending->len, FALSE);
      g_ptr_array_set_size (pending, 0);
      /* Live: the window keeps up batch by batch, as in a busy room. */
      while (live && g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static gboolean
init_gtk (void)
{
  /* The window reads its schema; the build's compiled copy will do. */
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
    g_setenv ("GSETTINGS_SCHEMA_DIR", SUDA_BUILD_SCHEMA_DIR, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("suda-history-bench: no display; run it under xvfb-run -a\n");
      return FALSE;
    }
  adw_init ();
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  int n_messages = 1000000, batch = 1000;
  gboolean live = FALSE;
  GOptionEntry entries[] = {
    { "messages", 'n', 0, G_OPTION_ARG_INT, &n_messages, "Messages to append (1000000)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Messages per batch (1000)", "N" },
    { "live", 'l', 0, G_OPTION_ARG_NONE, &live, "Run the main loop after every batch", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(SudaConversation) conv = NULL;
  GtkAdjustment *adj;
  SudaWindow *window;
  gint64 rss_before, start, t0;
  double append_ms, append_cpu, top_ms, bottom_ms, cpu_start;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  batch = MAX (batch, 1);

  if (!init_gtk ())
    return 2;

  settings = g_settings_new ("chat.suda.Suda");
  window = suda_window_new (NULL, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#bench");
  /* Every message stays, so the figures measure N, not the history limit. */
  suda_conversation_set_max_messages (conv, MAX (n_messages, 1));
  suda_window_show_conversation (window, conv);
  settle (GTK_WIDGET (window));

  adj = gtk_scrolled_window_get_vadjustment (
          GTK_SCROLLED_WINDOW (gtk_widget_get_template_child (GTK_WIDGET (window), SUDA_TYPE_WINDOW,
                                                              "history_scroller")));
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (on_after_paint), NULL);
  rss_before = rss_kib ("VmRSS:");

  n_frames = 0;
  cpu_start = cpu_ms ();
  start = g_get_monotonic_time ();
  append_messages (conv, n_messages, batch, live);
  settle (GTK_WIDGET (window));
  append_ms = ms_since (start);
  append_cpu = cpu_ms () - cpu_start;

  t0 = g_get_monotonic_time ();
  gtk_adjustment_set_value (adj, 0);
  settle (GTK_WIDGET (window));
  top_ms = ms_since (t0);

  t0 = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.jump-to-latest", NULL);
  settle (GTK_WIDGET (window));
  bottom_ms = ms_since (t0);

  printf ("messages:            %d (%u rows with date separators), batches of %d, %s\n",
          n_messages, g_list_model_get_n_items (G_LIST_MODEL (conv)), batch,
          live ? "live (main loop after each batch)" : "back to back");
  printf ("renderer:            %s\n", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");
  printf ("append + show:       %.0f ms wall, %.0f ms CPU, %u frames\n",
          append_ms, append_cpu, n_frames);
  printf ("scroll to top:       %.1f ms (one frame)\n", top_ms);
  printf ("jump to latest:      %.1f ms (one frame)\n", bottom_ms);
  printf ("RSS before:          %.1f MiB\n", rss_before / 1024.0);
  printf ("RSS after:           %.1f MiB (peak %.1f MiB)\n",
          rss_kib ("VmRSS:") / 1024.0, rss_kib ("VmHWM:") / 1024.0);

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
