/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The README's console screenshots: the window running with its web page
 * and TLS, the page's address as a QR code, then the preferences' TLS
 * page, each shot by the command given (e.g. "import -window root -crop
 * %g OUT-%s.png", %s being "main", "join" or "tls", %g the window's
 * geometry).
 *
 *   suda-console-shots STATE_DIR COMMAND
 */
#include "config.h"

#include <adwaita.h>

#include "suda-console-join-window.h"
#include "suda-console-preferences.h"
#include "suda-console-window.h"

static gboolean
wait_ms (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  return TRUE;
}

/* %s in COMMAND becomes NAME, %g WINDOW's place on the screen (the root's
 * corner: Xvfb has no window manager to move it), to crop the shot to. */
static void
shoot (const char *command,
       const char *name,
       GtkWidget  *window)
{
  g_autoptr(GString) line = g_string_new (command);
  g_autofree char *geometry = NULL;
  GdkSurface *surface;

  wait_ms (800);
  /* The surface, not the widget: its frame (the resize border) is part of it. */
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  geometry = g_strdup_printf ("%dx%d+0+0", gdk_surface_get_width (surface), gdk_surface_get_height (surface));
  g_string_replace (line, "%s", name, 0);
  g_string_replace (line, "%g", geometry, 0);
  if (!g_spawn_command_line_sync (line->str, NULL, NULL, NULL, NULL))
    g_printerr ("could not run %s\n", line->str);
}

static GtkWidget *
find_join_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (SUDA_IS_CONSOLE_JOIN_WINDOW (toplevel))
        return GTK_WIDGET (toplevel);
    }
  return NULL;
}

static void
close_join_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i - 1);

      if (SUDA_IS_CONSOLE_JOIN_WINDOW (toplevel))
        gtk_window_destroy (toplevel);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(SudaServerConfig) base = suda_server_config_new ();
  g_autofree char *log_path = NULL;
  SudaConsoleWindow *window;
  GtkWidget *prefs;

  if (argc != 3)
    {
      g_printerr ("usage: %s STATE_DIR COMMAND\n", argv[0]);
      return 2;
    }
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", SUDA_BUILD_SCHEMA_DIR, FALSE);
  gtk_init ();
  adw_init ();

  settings = g_settings_new ("chat.suda.Server");
  log_path = g_build_filename (argv[1], "server.jsonl", NULL);
  g_settings_set_string (settings, "log-file", log_path);
  g_settings_set_string (settings, "server-name", "class.example");
  g_settings_set_int (settings, "port", 6667);
  g_settings_set_int (settings, "tls-port", 6697);
  suda_server_config_set_value (base, "web", "port", SUDA_CONSOLE_WEB_PORT, NULL);
  suda_server_config_set_value (base, "web", "port-fallback", "true", NULL);

  window = suda_console_window_new (NULL);
  suda_console_window_set_base_config (window, base);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  wait_ms (500);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  wait_ms (3000);
  shoot (argv[2], "main", GTK_WIDGET (window));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-web-code", NULL);
  wait_ms (300);
  shoot (argv[2], "join", find_join_window ());
  close_join_windows ();

  prefs = GTK_WIDGET (suda_console_preferences_new (GTK_WINDOW (window)));
  gtk_window_present (GTK_WINDOW (prefs));
  wait_ms (300);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "tls");
  shoot (argv[2], "tls", prefs);

  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  wait_ms (500);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
