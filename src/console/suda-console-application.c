/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "suda-console-application.h"
#include "suda-console-preferences.h"
#include "suda-console-window.h"
#include "suda-log-viewer-window.h"

struct _SudaConsoleApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (SudaConsoleApplication, suda_console_application, ADW_TYPE_APPLICATION)

static SudaConsoleWindow *
ensure_console_window (SudaConsoleApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (SUDA_IS_CONSOLE_WINDOW (l->data))
      return l->data;
  return suda_console_window_new (GTK_APPLICATION (self));
}

static void
suda_console_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (ensure_console_window (SUDA_CONSOLE_APPLICATION (app))));
}

/* Options are handled here rather than locally, so a second
 * `suda-server --view-log FILE` opens its viewer in the running instance. */
static int
suda_console_application_command_line (GApplication            *app,
                                       GApplicationCommandLine *command_line)
{
  SudaConsoleApplication *self = SUDA_CONSOLE_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *view_log = NULL;
  g_autofree char *config_path = NULL;
  g_autoptr(SudaServerConfig) config = NULL;
  const char *listen = NULL;
  const char *port_text = NULL;
  SudaConsoleWindow *window;
  gboolean start = FALSE;
  guint64 port = 0;

  if (g_variant_dict_lookup (options, "view-log", "^ay", &view_log))
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, view_log);
      SudaLogViewerWindow *viewer = suda_log_viewer_window_new (GTK_APPLICATION (app));

      suda_log_viewer_window_open (viewer, file);
      gtk_window_present (GTK_WINDOW (viewer));
      return 0;
    }

  g_variant_dict_lookup (options, "start", "b", &start);
  g_variant_dict_lookup (options, "port", "&s", &port_text);
  g_variant_dict_lookup (options, "listen", "&s", &listen);
  if (port_text != NULL && !g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    {
      g_application_command_line_printerr (command_line, _("%s is not a port number (0–65535)\n"), port_text);
      return 1;
    }

  if (g_variant_dict_lookup (options, "config", "^ay", &config_path))
    {
      g_autoptr(GError) error = NULL;

      config = suda_server_config_new ();
      /* the console's own defaults, which the file may override */
      _suda_console_config_set_defaults (config);
      if (!suda_server_config_load_file (config, config_path, &error))
        {
          g_application_command_line_printerr (command_line, "%s\n", error->message);
          return 1;
        }
      /* a port the file names is meant: only the default moves if taken */
      if (g_strcmp0 (config->web.port_text, SUDA_CONSOLE_WEB_PORT) == 0)
        suda_server_config_set_value (config, "web", "port-fallback", "true", NULL);
    }

  window = ensure_console_window (self);
  if (config != NULL)
    suda_console_window_set_base_config (window, config);
  if (port_text != NULL)
    suda_console_window_set_port (window, port);
  if (listen != NULL)
    suda_console_window_set_listen_address (window, listen);
  gtk_window_present (GTK_WINDOW (window));
  if (start)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  return 0;
}

static void
open_log_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  SudaLogViewerWindow *viewer = suda_log_viewer_window_new (GTK_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (viewer));
  gtk_widget_activate_action (GTK_WIDGET (viewer), "win.open", NULL);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *developers[] = { "The Suda authors", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (parent,
                         "application-name", _("Suda Server"),
                         "application-icon", "chat.suda.Server",
                         "version", PACKAGE_VERSION,
                         "comments", _("Run a chat server for a class, a lab or a team"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

/* Closing each window lets a running server's window ask first. */
static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));

  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

/* Ctrl+C or a TERM from the session ends the server as Stop does, without
 * asking: a console window stops its server when it is destroyed, and the
 * application is held until the server thread has told every client.  A
 * second signal, with no window left, quits at once. */
static gboolean
quit_on_signal_cb (gpointer user_data)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));

  for (GList *l = windows; l; l = l->next)
    gtk_window_destroy (l->data);
  if (windows == NULL)
    g_application_quit (G_APPLICATION (user_data));
  g_list_free (windows);
  return G_SOURCE_CONTINUE;
}

static const GActionEntry app_actions[] = {
  { "open-log", open_log_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
suda_console_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *start_accels[] = { "<Control>Return", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (suda_console_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.open-log", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.start", start_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.preferences", preferences_accels);

  g_unix_signal_add (SIGINT, quit_on_signal_cb, app);
  g_unix_signal_add (SIGTERM, quit_on_signal_cb, app);
}

static void
suda_console_application_class_init (SudaConsoleApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = suda_console_application_activate;
  app_class->command_line = suda_console_application_command_line;
  app_class->startup = suda_console_application_startup;
}

static void
suda_console_application_init (SudaConsoleApplication *self)
{
  static const GOptionEntry entries[] = {
    { "start", 's', 0, G_OPTION_ARG_NONE, NULL,
      N_("Start serving at once"), NULL },
    /* a string, because GApplication drops an int option given as 0 */
    { "port", 'p', 0, G_OPTION_ARG_STRING, NULL,
      N_("Listen on port N (0 picks a free port)"), N_("N") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, NULL,
      N_("Listen on the IP address ADDR only"), N_("ADDR") },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Read what the window does not set (limits, flood control…) from the server configuration FILE"), N_("FILE") },
    { "view-log", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Open the log viewer on FILE"), N_("FILE") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("The Suda chat server with its console window."));
}

SudaConsoleApplication *
suda_console_application_new (void)
{
  return g_object_new (SUDA_TYPE_CONSOLE_APPLICATION,
                       "application-id", "chat.suda.Server",
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/chat/suda/Server",
                       NULL);
}
