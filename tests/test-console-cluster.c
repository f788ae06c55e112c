/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console's Cluster page ([cluster], issue 15): a console window under
 * Xvfb whose server is in a cluster with a suda-serverd, both on the
 * test's own redis-server. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "suda-console-cluster.h"
#include "suda-console-window.h"
#include "suda-test-cluster.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"

#define LEASE_MS 3000

typedef struct {
  SudaTestRedis       redis;
  SudaConsoleWindow  *window;
  GSettings          *settings;
  char               *log_path;
  GSubprocess        *daemon;
  guint16             daemon_port;
} Fixture;

static GtkWidget *
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), SUDA_TYPE_CONSOLE_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static SudaConsoleCluster *
cluster_page (Fixture *f)
{
  return SUDA_CONSOLE_CLUSTER (child (f, "cluster_page"));
}

static gboolean
page_visible (Fixture *f)
{
  AdwViewStack *stack = ADW_VIEW_STACK (child (f, "view_stack"));

  return adw_view_stack_page_get_visible (adw_view_stack_get_page (stack, GTK_WIDGET (cluster_page (f))));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  suda_test_redis_set_up (&f->redis);
  f->log_path = g_build_filename (f->redis.dir, "console.jsonl", NULL);
  f->settings = g_settings_new ("chat.suda.Server");
  g_settings_set_string (f->settings, "listen-address", "127.0.0.1");
  g_settings_set_int (f->settings, "port", 0);
  g_settings_set_string (f->settings, "log-file", f->log_path);
  f->window = g_object_ref_sink (suda_console_window_new (NULL));
  gtk_window_present (GTK_WINDOW (f->window));
  suda_test_iterate (10);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  suda_test_iterate (10);
  if (f->daemon != NULL)
    {
      g_subprocess_send_signal (f->daemon, SIGTERM);
      g_subprocess_wait (f->daemon, NULL, NULL);
      g_clear_object (&f->daemon);
    }
  for (const char * const *key = (const char * const[]) { "listen-address", "port", "log-file", NULL };
       *key; key++)
    g_settings_reset (f->settings, *key);
  g_clear_object (&f->settings);
  g_free (f->log_path);
  suda_test_redis_tear_down (&f->redis);
}

/* What the console starts with: this test's Redis, as server "console". */
static void
configure_cluster (Fixture *f)
{
  g_autoptr(SudaServerConfig) config = suda_test_cluster_config (&f->redis, "console", LEASE_MS);

  /* the web page on a free port, never the console's 8080 */
  g_assert_true (suda_server_config_set_value (config, "web", "port", "auto", NULL));
  suda_console_window_set_base_config (f->window, config);
}

/* A suda-serverd in the cluster as server "daemon". */
static void
spawn_daemon (Fixture *f)
{
  g_autofree char *conf = g_build_filename (f->redis.dir, "daemon.conf", NULL);
  g_autofree char *log = g_build_filename (f->redis.dir, "daemon.jsonl", NULL);
  g_autofree char *text = g_strdup_printf ("[server]\nlisten=127.0.0.1\nport=0\n"
                                           "[limits]\nflood-control=false\n"
                                           "[cluster]\nredis=%s\nserver-id=daemon\nlease=%g\n",
                                           f->redis.url, LEASE_MS / 1000.0);
  const char *argv[] = { g_getenv ("SUDA_SERVERD"), "--config", conf, "--log", log, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  g_assert_nonnull (argv[0]);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  f->daemon = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->daemon));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on 127.0.0.1:"));
  f->daemon_port = (guint16) atoi (strrchr (line, ':') + 1);
}

static gboolean
host_running (gpointer host)
{
  return suda_server_host_get_running (host);
}

static guint16
start_server (Fixture *f)
{
  SudaServerHost *host = suda_console_window_get_host (f->window);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start", NULL);
  g_assert_true (suda_test_wait_until (host_running, host, 20000));
  return suda_server_host_get_port (host);
}

/* The rows the page shows, as "TITLE|SUBTITLE" lines. */
static char *
dup_servers_text (Fixture *f)
{
  GtkListBox *list = suda_console_cluster_get_servers (cluster_page (f));
  g_autoptr(GString) text = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row; row = gtk_widget_get_next_sibling (row))
    g_string_append_printf (text, "%s|%s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                            adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

typedef struct {
  Fixture    *f;
  const char *pattern;
} Shows;

static gboolean
servers_show (gpointer data)
{
  Shows *shows = data;
  g_autofree char *text = dup_servers_text (shows->f);

  return g_pattern_match_simple (shows->pattern, text);
}

static gboolean
redis_shows (gpointer data)
{
  Shows *shows = data;
  AdwActionRow *row = suda_console_cluster_get_redis_row (cluster_page (shows->f));

  return g_pattern_match_simple (shows->pattern, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
}

static void
assert_servers_show (Fixture    *f,
                     const char *pattern)
{
  Shows shows = { f, pattern };

  if (!suda_test_wait_until (servers_show, &shows, 10000))
    {
      g_autofree char *text = dup_servers_text (f);

      g_error ("the servers never showed “%s” but:\n%s", pattern, text);
    }
}

static void
assert_redis_shows (Fixture    *f,
                    const char *pattern)
{
  Shows shows = { f, pattern };
  AdwActionRow *row = suda_console_cluster_get_redis_row (cluster_page (f));

  if (!suda_test_wait_until (redis_shows, &shows, 10000))
    g_error ("Redis never showed “%s” but “%s”", pattern,
             adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
}

/* A console without [cluster] has no Cluster page; one with it has. */
static void
test_hidden_without_cluster (Fixture       *f,
                             gconstpointer  data)
{
  g_assert_false (suda_console_cluster_get_configured (cluster_page (f)));
  g_assert_false (page_visible (f));
  configure_cluster (f);
  g_assert_true (page_visible (f));
  suda_console_window_set_base_config (f->window, NULL);
  g_assert_false (page_visible (f));
}

/* Both servers with their users, this one marked; Redis stopped shows
 * unreachable, restarted connected again. */
static void
test_servers_and_redis (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SudaTestClient) ann = NULL;
  g_autoptr(SudaTestClient) amy = NULL;
  g_autoptr(SudaTestClient) dan = NULL;
  g_autofree char *connected = g_strdup_printf ("Connected to redis://127.0.0.1:%u/0", f->redis.redis_port);
  guint16 port;

  configure_cluster (f);
  port = start_server (f);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (child (f, "view_stack")), "cluster");
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, cluster_page (f), 5000));
  assert_redis_shows (f, connected);

  spawn_daemon (f);
  ann = suda_test_client_register_joined (port, "ann", NULL, "#lobby");
  amy = suda_test_client_register_joined (port, "amy", NULL, "#lobby");
  dan = suda_test_client_register_joined (f->daemon_port, "dan", NULL, "#lobby");
  assert_servers_show (f, "console (this server)|2 users\ndaemon|1 user · last heard at *\n");

  suda_test_redis_stop (&f->redis);
  assert_redis_shows (f, "Redis unreachable since *:*:* — local chat goes on");
  /* the console's own users are still counted */
  assert_servers_show (f, "console (this server)|2 users\n*");

  suda_test_redis_start (&f->redis);
  assert_redis_shows (f, connected);
  assert_servers_show (f, "console (this server)|2 users\ndaemon|1 user · *\n");

  /* stopped, the page says so and lists nobody */
  suda_server_host_stop (suda_console_window_get_host (f->window), NULL);
  assert_redis_shows (f, "The server is stopped*");
  assert_servers_show (f, "");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/console/cluster/hidden-without-cluster", Fixture, NULL,
              fixture_set_up, test_hidden_without_cluster, fixture_tear_down);
  g_test_add ("/console/cluster/servers-and-redis", Fixture, NULL,
              fixture_set_up, test_servers_and_redis, fixture_tear_down);
  return g_test_run ();
}
