/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The README's screenshot of the console's Cluster page: a redis-server of
 * its own (a free port, no persistence, STATE_DIR), the console's server
 * and two more in the cluster, a few users on each; then COMMAND with %s
 * as "cluster" (connected) and "cluster-unreachable" (Redis stopped).
 *
 *   suda-cluster-shot STATE_DIR COMMAND
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "suda-console-window.h"

static void
wait_ms (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
shoot (const char *command,
       const char *name)
{
  g_auto(GStrv) parts = g_strsplit (command, "%s", -1);
  g_autofree char *line = g_strjoinv (name, parts);

  wait_ms (800);
  if (!g_spawn_command_line_sync (line, NULL, NULL, NULL, NULL))
    g_printerr ("could not run %s\n", line);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, any, FALSE, NULL))
    return 0;
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static SudaServerConfig *
cluster_config (const char *url,
                const char *id)
{
  SudaServerConfig *config = suda_server_config_new ();

  suda_server_config_set_value (config, "cluster", "redis", url, NULL);
  suda_server_config_set_value (config, "cluster", "server-id", id, NULL);
  return config;
}

static SudaServer *
start_peer (const char *url,
            const char *id,
            const char *dir)
{
  g_autoptr(SudaServerConfig) config = cluster_config (url, id);
  g_autoptr(GError) error = NULL;
  SudaServer *server;

  config->port = 0;
  g_free (config->listen_address);
  config->listen_address = g_strdup ("127.0.0.1");
  g_free (config->log_path);
  config->log_path = g_strdup_printf ("%s/%s.jsonl", dir, id);
  server = suda_server_new (config);
  if (!suda_server_start (server, &error))
    g_printerr ("%s: %s\n", id, error->message);
  return server;
}

/* A user registered on PORT, kept until the end. */
static GSocketConnection *
user (guint16     port,
      const char *nick)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autofree char *lines = g_strdup_printf ("NICK %s\r\nUSER %s 0 * :%s\r\nJOIN #lobby\r\n", nick, nick, nick);
  GSocketConnection *connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  if (connection != NULL)
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                               lines, strlen (lines), NULL, NULL, NULL);
  return connection;
}

/* Three users on the console's server, two and one on the others, all
 * in #lobby. */
static void
add_users (GPtrArray  *users,
           guint16     console_port,
           SudaServer *second,
           SudaServer *third)
{
  const char *names[] = { "minji", "jisoo", "hana" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_ptr_array_add (users, user (console_port, names[i]));
  g_ptr_array_add (users, user (suda_server_get_port (second), "seojun"));
  g_ptr_array_add (users, user (suda_server_get_port (second), "yuna"));
  g_ptr_array_add (users, user (suda_server_get_port (third), "teacher"));
}

static GSubprocess *
start_redis (const char *dir,
             guint16     port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  GSubprocess *redis = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL, "redis-server",
                                         "--bind", "127.0.0.1", "--port", port_text, "--save", "",
                                         "--appendonly", "no", "--dir", dir, NULL);

  wait_ms (500);
  return redis;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(SudaServerConfig) base = NULL;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SudaServer) second = NULL;
  g_autoptr(SudaServer) third = NULL;
  g_autoptr(GSubprocess) redis = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *url = NULL;
  SudaConsoleWindow *window;
  guint16 port;

  if (argc != 3)
    {
      g_printerr ("usage: %s STATE_DIR COMMAND\n", argv[0]);
      return 2;
    }
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", SUDA_BUILD_SCHEMA_DIR, FALSE);
  gtk_init ();
  adw_init ();

  port = free_port ();
  url = g_strdup_printf ("redis://127.0.0.1:%u/0", port);
  redis = start_redis (argv[1], port);
  if (redis == NULL)
    return 1;

  settings = g_settings_new ("chat.suda.Server");
  log_path = g_build_filename (argv[1], "server.jsonl", NULL);
  g_settings_set_string (settings, "log-file", log_path);
  g_settings_set_string (settings, "server-name", "class.example");
  g_settings_set_string (settings, "listen-address", "127.0.0.1");
  g_settings_set_int (settings, "port", 0);
  base = cluster_config (url, "room-101");
  suda_server_config_set_value (base, "web", "port", "0", NULL);

  window = suda_console_window_new (NULL);
  suda_console_window_set_base_config (window, base);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  wait_ms (500);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  second = start_peer (url, "room-102", argv[1]);
  third = start_peer (url, "room-103", argv[1]);
  wait_ms (1500);
  add_users (users, suda_server_host_get_port (suda_console_window_get_host (window)), second, third);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                                         SUDA_TYPE_CONSOLE_WINDOW,
                                                                                         "view_stack")),
                                         "cluster");
  wait_ms (3000);
  shoot (argv[2], "cluster");

  g_subprocess_force_exit (redis);
  g_subprocess_wait (redis, NULL, NULL);
  wait_ms (2000);
  shoot (argv[2], "cluster-unreachable");

  g_ptr_array_set_size (users, 0);
  suda_server_stop (second, NULL);
  suda_server_stop (third, NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  wait_ms (500);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
