/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "suda-console-application.h"
#include "suda-console-file-chooser.h"
#include "suda-console-join-window.h"
#include "suda-console-preferences.h"
#include "suda-console-window.h"
#include "suda-console-window-private.h"
#include "suda-log-viewer-window.h"
#include "suda-log-row.h"
#include "suda-qr-code.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"

typedef struct {
  SudaConsoleWindow *window;
  GSettings         *settings;
  char              *tmpdir;
  char              *log_path;
  char              *config_path;  /* [web] port=auto, for the program */
} Fixture;

static GtkWidget *
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                   SUDA_TYPE_CONSOLE_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static const char *
status_text (Fixture *fixture)
{
  return gtk_label_get_text (GTK_LABEL (child (fixture, "status_label")));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->tmpdir = suda_test_make_tmpdir ();
  fixture->log_path = g_build_filename (fixture->tmpdir, "server.jsonl", NULL);
  fixture->settings = g_settings_new ("chat.suda.Server");
  /* only this machine, a free port, a log of the test's own */
  g_settings_set_string (fixture->settings, "listen-address", "127.0.0.1");
  g_settings_set_int (fixture->settings, "port", 0);
  g_settings_set_string (fixture->settings, "log-file", fixture->log_path);

  fixture->window = g_object_ref_sink (suda_console_window_new (NULL));
  {
    /* the web page on a free port, never the console's 8080 */
    g_autoptr(SudaServerConfig) base = suda_server_config_new ();

    g_assert_true (suda_server_config_set_value (base, "web", "port", "auto", NULL));
    suda_console_window_set_base_config (fixture->window, base);
  }
  fixture->config_path = g_build_filename (fixture->tmpdir, "server.conf", NULL);
  g_assert_true (g_file_set_contents (fixture->config_path, "[web]\nport=auto\n", -1, NULL));
  gtk_window_present (GTK_WINDOW (fixture->window));
  suda_test_iterate (10);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  suda_test_iterate (10);
  for (const char * const *key = (const char * const[]) { "listen-address", "port", "log-file",
                                                          "max-clients", "server-name",
                                                          "password", NULL }; *key; key++)
    g_settings_reset (fixture->settings, *key);
  g_clear_object (&fixture->settings);
  g_unlink (fixture->log_path);
  g_unlink (fixture->config_path);
  g_rmdir (fixture->tmpdir);
  g_free (fixture->config_path);
  g_free (fixture->log_path);
  g_free (fixture->tmpdir);
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

/* The server starts on its own thread; the window hears of it shortly. */
static guint16
start_server (Fixture *fixture)
{
  SudaServerHost *host = suda_console_window_get_host (fixture->window);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start", NULL);
  g_assert_nonnull (host);
  g_assert_true (suda_test_wait_until (host_running, host, 20000));
  g_assert_cmpuint (suda_server_host_get_port (host), >, 0);
  return suda_server_host_get_port (host);
}

static gboolean
label_shows (gpointer data)
{
  GtkLabel *label = ((gpointer *) data)[0];
  const char *prefix = ((gpointer *) data)[1];

  return gtk_widget_get_visible (GTK_WIDGET (label)) &&
         g_str_has_prefix (gtk_label_get_text (label), prefix);
}

/* The answer to a start comes from the server thread. */
static void
assert_label_gets (GtkLabel   *label,
                   const char *prefix)
{
  gpointer data[] = { label, (gpointer) prefix };

  if (!suda_test_wait_until (label_shows, data, 5000))
    g_error ("“%s” never showed “%s”", gtk_label_get_text (label), prefix);
}

typedef struct {
  GListModel *log;
  const char *event;
  const char *nick;
  const char *text;
} LogWait;

static gboolean
log_has_entry (gpointer data)
{
  LogWait *wait = data;

  for (guint i = 0; i < g_list_model_get_n_items (wait->log); i++)
    {
      g_autoptr(SudaLogRow) row = g_list_model_get_item (wait->log, i);

      if (g_strcmp0 (suda_log_entry_get_event (suda_log_row_get_entry (row)), wait->event) == 0 &&
          (wait->nick == NULL || g_strcmp0 (suda_log_entry_get_nick (suda_log_row_get_entry (row)), wait->nick) == 0 ||
           g_strcmp0 (suda_log_entry_get_field (suda_log_row_get_entry (row), "target"), wait->nick) == 0) &&
          (wait->text == NULL || g_strcmp0 (suda_log_entry_get_text (suda_log_row_get_entry (row)), wait->text) == 0))
        return TRUE;
    }
  return FALSE;
}

static void
assert_log_gets (Fixture    *fixture,
                 const char *event,
                 const char *nick,
                 const char *text)
{
  LogWait wait = { suda_console_window_get_log (fixture->window), event, nick, text };

  if (!suda_test_wait_until (log_has_entry, &wait, 5000))
    g_error ("the live log never showed %s %s %s", event, nick ? nick : "", text ? text : "");
}

static gboolean
status_mentions (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];
  const char *words = ((gpointer *) data)[1];

  return strstr (status_text (fixture), words) != NULL;
}

static void
assert_status_gets (Fixture    *fixture,
                    const char *words)
{
  gpointer data[] = { fixture, (gpointer) words };

  if (!suda_test_wait_until (status_mentions, data, 5000))
    g_error ("status stayed “%s”, never mentioned “%s”", status_text (fixture), words);
}

static void
test_start_and_stop_with_a_client (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(SudaTestClient) client = NULL;
  g_autofree char *listening = NULL;
  g_autofree char *log = NULL;
  guint16 port;

  g_assert_cmpstr (status_text (fixture), ==, "Stopped");
  g_assert_true (gtk_widget_get_sensitive (child (fixture, "start_button")));
  g_assert_false (gtk_widget_get_sensitive (child (fixture, "stop_button")));

  port = start_server (fixture);
  listening = g_strdup_printf ("Listening on 127.0.0.1:%u since ", port);
  g_assert_true (g_str_has_prefix (status_text (fixture), listening));
  g_assert_false (gtk_widget_get_sensitive (child (fixture, "start_button")));
  g_assert_true (gtk_widget_get_sensitive (child (fixture, "stop_button")));
  /* the fields cannot change under a running server */
  g_assert_false (gtk_widget_is_sensitive (child (fixture, "address_row")));
  g_assert_false (gtk_widget_is_sensitive (child (fixture, "port_spin")));

  client = suda_test_client_register (port, "alice", NULL);
  assert_status_gets (fixture, "· 1 user");

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL);
  /* stopping is graceful: the client is told before the socket closes */
  g_free (suda_test_client_expect (client, "ERROR *"));
  g_assert_true (suda_test_client_wait_closed (client, 5000));
  assert_status_gets (fixture, "Stopped");
  g_assert_cmpstr (status_text (fixture), ==, "Stopped");
  g_assert_true (gtk_widget_get_sensitive (child (fixture, "start_button")));
  g_assert_true (gtk_widget_is_sensitive (child (fixture, "port_spin")));
  assert_log_gets (fixture, "server-stop", NULL, NULL);

  g_assert_true (g_file_get_contents (fixture->log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "\"event\":\"server-start\""));
  g_assert_nonnull (strstr (log, "\"event\":\"server-stop\""));

  /* and it starts again */
  start_server (fixture);
}

static void
test_port_in_use_says_why (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GSocketListener) squatter = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) taken = NULL;
  g_autoptr(GError) error = NULL;
  GtkLabel *error_label = GTK_LABEL (child (fixture, "error_label"));
  g_autofree char *expected = NULL;
  guint16 port;

  g_assert_true (g_socket_listener_add_address (squatter, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &taken, &error));
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (taken));

  suda_console_window_set_port (fixture->window, port);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start", NULL);

  expected = g_strdup_printf ("Port %u is already in use by another program.", port);
  assert_label_gets (error_label, expected);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (error_label), expected));
  g_assert_cmpstr (status_text (fixture), ==, "Stopped");
  g_assert_true (gtk_widget_is_sensitive (child (fixture, "port_spin")));
  g_assert_true (gtk_widget_get_sensitive (child (fixture, "start_button")));

  /* the window stays usable: another port starts and the error goes */
  suda_console_window_set_port (fixture->window, 0);
  start_server (fixture);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));
}

static void
test_bad_addresses_say_why (Fixture       *fixture,
                            gconstpointer  data)
{
  GtkLabel *error_label = GTK_LABEL (child (fixture, "error_label"));
  GtkEditable *address = GTK_EDITABLE (child (fixture, "address_row"));

  gtk_editable_set_text (address, "999.1.2.3");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start", NULL);
  assert_label_gets (error_label, "“999.1.2.3”");
  g_assert_cmpstr (gtk_label_get_text (error_label), ==,
                   "“999.1.2.3” is not an IP address. Enter one such as 192.168.0.10, "
                   "or leave the field empty.");

  /* TEST-NET-1 (RFC 5737) belongs to no machine */
  gtk_editable_set_text (address, "192.0.2.1");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start", NULL);
  assert_label_gets (error_label, "192.0.2.1");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (error_label),
                                   "192.0.2.1 is not an address of this computer."));
  g_assert_null (suda_server_host_get_config (suda_console_window_get_host (fixture->window)));
  g_assert_false (suda_server_host_get_running (suda_console_window_get_host (fixture->window)));
}

static void
test_live_log_follows_a_chat (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SudaTestClient) client = NULL;
  SudaLiveLogView *view = SUDA_LIVE_LOG_VIEW (child (fixture, "log_view"));
  GtkEditable *search = GTK_EDITABLE (child (fixture, "log_search"));
  GListModel *shown = suda_live_log_view_get_model (view);
  guint16 port = start_server (fixture);

  assert_log_gets (fixture, "server-start", NULL, NULL);
  client = suda_test_client_register (port, "alice", NULL);
  assert_log_gets (fixture, "connect", NULL, NULL);
  suda_test_client_send (client, "JOIN #lobby");
  g_free (suda_test_client_expect (client, ":alice!* JOIN #lobby*"));
  assert_log_gets (fixture, "join", "alice", NULL);
  suda_test_client_send (client, "PRIVMSG #lobby :안녕하세요, console");
  assert_log_gets (fixture, "message", "alice", "안녕하세요, console");

  /* the view shows them all, and the search narrows it to the message */
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==,
                    g_list_model_get_n_items (suda_console_window_get_log (fixture->window)));
  gtk_editable_set_text (search, "CONSOLE");
  g_signal_emit_by_name (search, "activate");
  {
    gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    while (g_list_model_get_n_items (shown) != 1 && g_get_monotonic_time () < deadline)
      suda_test_iterate (20);
  }
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);

  /* the event filter: item 4 is "join" */
  gtk_editable_set_text (search, "");
  g_signal_emit_by_name (search, "activate");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (fixture, "log_event_dropdown")), 4);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  {
    g_autoptr(SudaLogRow) row = g_list_model_get_item (shown, 0);

    g_assert_cmpstr (suda_log_entry_get_event (suda_log_row_get_entry (row)), ==, "join");
  }
}

/* A row in sight has TEXT in its text column */
static gboolean
view_shows (gpointer data)
{
  SudaLiveLogView *view = ((gpointer *) data)[0];
  guint first, n_visible;

  if (!suda_live_log_view_get_visible_range (view, &first, &n_visible))
    return FALSE;
  for (guint i = first; i < first + n_visible; i++)
    {
      g_autoptr(SudaLogRow) row = g_list_model_get_item (suda_live_log_view_get_model (view), i);
      g_autofree char *text = _suda_log_cells_dup_text (row, SUDA_LOG_COLUMN_TEXT);

      if (g_strcmp0 (text, ((gpointer *) data)[1]) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
file_has_codes (gpointer path)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) &&
         strstr (contents, "\\u0003" "04red text\\u0003 and \\u0002" "bold") != NULL;
}

/* The live log shows what was said, not the codes; the file keeps them. */
static void
test_live_log_strips_formatting (Fixture       *fixture,
                                 gconstpointer  data)
{
  static const char said[] = "\x03" "04red text\x03 and \x02" "bold\x02 \x07";
  g_autoptr(SudaTestClient) client = NULL;
  gpointer wait[] = { child (fixture, "log_view"), "red text and bold \u2407" };
  guint16 port = start_server (fixture);

  client = suda_test_client_register (port, "alice", NULL);
  suda_test_client_send (client, "JOIN #lobby");
  g_free (suda_test_client_expect (client, ":alice!* JOIN #lobby*"));
  suda_test_client_send (client, "PRIVMSG #lobby :%s", said);
  assert_log_gets (fixture, "message", "alice", said);
  if (!suda_test_wait_until (view_shows, wait, 5000))
    g_error ("the live log never showed the stripped text");

  if (!suda_test_wait_until (file_has_codes, fixture->log_path, 5000))
    g_error ("the log file never kept the formatting codes");
}

static void
test_fields_persist (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SudaConsoleWindow) second = NULL;

  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "name_row")), "class.example");
  suda_console_window_set_port (fixture->window, 7000);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "port"), ==, 7000);
  {
    g_autofree char *name = g_settings_get_string (fixture->settings, "server-name");

    g_assert_cmpstr (name, ==, "class.example");
  }

  /* the next window starts from them */
  second = g_object_ref_sink (suda_console_window_new (NULL));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gtk_widget_get_template_child (
                     GTK_WIDGET (second), SUDA_TYPE_CONSOLE_WINDOW, "name_row"))), ==, "class.example");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (gtk_widget_get_template_child (
                     GTK_WIDGET (second), SUDA_TYPE_CONSOLE_WINDOW, "port_spin"))), ==, 7000);
  gtk_window_destroy (GTK_WINDOW (second));
}

static void
show_page (Fixture    *fixture,
           const char *name)
{
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (child (fixture, "view_stack")), name);
}

static void
test_kick_disconnects_and_logs (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  GtkColumnView *users = GTK_COLUMN_VIEW (child (fixture, "users_view"));
  GListModel *shown = G_LIST_MODEL (gtk_column_view_get_model (users));
  guint16 port = start_server (fixture);

  alice = suda_test_client_register (port, "alice", NULL);
  bob = suda_test_client_register (port, "bob", NULL);
  suda_test_client_send (alice, "JOIN #lobby");
  g_free (suda_test_client_expect (alice, ":alice!* JOIN #lobby*"));
  suda_test_client_send (bob, "JOIN #lobby");
  g_free (suda_test_client_expect (bob, ":bob!* JOIN #lobby*"));
  assert_status_gets (fixture, "· 2 users");
  show_page (fixture, "users");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
  show_page (fixture, "log");

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.kick-user", "(ss)",
                              "alice", "too loud");
  /* the room hears why, and alice's connection ends */
  g_free (suda_test_client_expect (bob, "* KICK #lobby alice :too loud"));
  g_assert_true (suda_test_client_wait_closed (alice, 5000));
  assert_log_gets (fixture, "kick", "alice", "too loud");
  assert_log_gets (fixture, "disconnect", "alice", NULL);
  assert_status_gets (fixture, "· 1 user");
  show_page (fixture, "users");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  show_page (fixture, "log");

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.disconnect-user", "(ss)",
                              "bob", "");
  g_assert_true (suda_test_client_wait_closed (bob, 5000));
  assert_log_gets (fixture, "disconnect", "bob", NULL);
  assert_status_gets (fixture, "· 0 users");
}

static void
test_selected_user_actions_follow_selection (Fixture       *fixture,
                                             gconstpointer  data)
{
  g_autoptr(SudaTestClient) client = NULL;
  GtkColumnView *users = GTK_COLUMN_VIEW (child (fixture, "users_view"));
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (users));
  guint16 port = start_server (fixture);
  GtkWindow *dialog = NULL;

  client = suda_test_client_register (port, "carol", NULL);
  assert_status_gets (fixture, "· 1 user");
  /* the page lists users while it is shown */
  show_page (fixture, "users");
  gtk_single_selection_set_selected (selection, 0);

  /* Kick… asks for a reason before it does anything */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.kick-selected", NULL);
  suda_test_iterate (20);
  dialog = suda_test_gtk_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Kick carol?");
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog))),
                         "spam");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "confirm");
  g_assert_true (suda_test_client_wait_closed (client, 5000));
  show_page (fixture, "log");
  assert_log_gets (fixture, "disconnect", "carol", NULL);
}

static void
test_close_while_running_asks (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(SudaTestClient) client = NULL;
  g_autoptr(SudaServerHost) server = NULL;
  GtkWindow *dialog = NULL;
  guint16 port = start_server (fixture);

  client = suda_test_client_register (port, "dave", NULL);
  server = g_object_ref (suda_console_window_get_host (fixture->window));
  gtk_window_close (GTK_WINDOW (fixture->window));
  suda_test_iterate (20);
  g_assert_true (suda_server_host_get_running (server));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));

  dialog = suda_test_gtk_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "stop");
  g_free (suda_test_client_expect (client, "ERROR *"));
  g_assert_true (suda_test_client_wait_closed (client, 5000));
  g_assert_true (suda_test_wait_until (host_stopped, server, 5000));
  g_assert_false (suda_server_host_get_running (server));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
}

static guint16
find_free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, any_port, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
port_accepts (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

static void
test_command_line_starts_serving (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "..", "src", "console",
                                                    "suda-server", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(SudaTestClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *log = NULL;
  guint16 port = find_free_port ();
  gint64 deadline;

  /* the program logs to its default place, under this test's folder */
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", fixture->tmpdir, TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  port_text = g_strdup_printf ("%u", port);
  process = g_subprocess_launcher_spawn (launcher, &error, program, "--start",
                                         "--config", fixture->config_path,
                                         "--listen", "127.0.0.1", "--port", port_text, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!port_accepts (port) && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  client = suda_test_client_register (port, "erin", NULL);

  /* a TERM stops it the way the Stop button does */
  g_subprocess_send_signal (process, SIGTERM);
  g_free (suda_test_client_expect (client, "ERROR *"));
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  log_path = g_build_filename (fixture->tmpdir, "suda", "server.jsonl", NULL);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "\"event\":\"register\""));
  g_assert_nonnull (strstr (log, "\"event\":\"server-stop\""));
  g_unlink (log_path);
  log_path[strlen (log_path) - strlen ("/server.jsonl")] = '\0';
  g_rmdir (log_path);
}

/* The port the log's server-start entry names, or 0 while there is none. */
static guint16
logged_port (const char *log_path)
{
  g_autofree char *log = NULL;
  g_autofree char *digits = NULL;
  const char *start;
  guint64 port = 0;

  if (!g_file_get_contents (log_path, &log, NULL, NULL) ||
      (start = strstr (log, "\"event\":\"server-start\",\"text\":\"127.0.0.1:")) == NULL)
    return 0;
  start += strlen ("\"event\":\"server-start\",\"text\":\"127.0.0.1:");
  digits = g_strndup (start, strspn (start, "0123456789"));
  g_ascii_string_to_unsigned (digits, 10, 1, 65535, &port, NULL);
  return port;
}

/* GApplication drops an int option whose value is 0, so "--port 0" must
 * not fall back to the port of the settings. */
static void
test_command_line_port_zero (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "..", "src", "console",
                                                    "suda-server", NULL);
  g_autofree char *log_path = g_build_filename (fixture->tmpdir, "suda", "server.jsonl", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(SudaTestClient) client = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port = 0;
  gint64 deadline;

  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", fixture->tmpdir, TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, program, "--start",
                                         "--config", fixture->config_path,
                                         "--listen", "127.0.0.1", "--port", "0", NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((port = logged_port (log_path)) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  g_assert_cmpuint (port, !=, 0);
  g_assert_cmpuint (port, !=, 6667);
  client = suda_test_client_register (port, "frank", NULL);

  g_subprocess_send_signal (process, SIGTERM);
  g_free (suda_test_client_expect (client, "ERROR *"));
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);
  g_unlink (log_path);
  log_path[strlen (log_path) - strlen ("/server.jsonl")] = '\0';
  g_rmdir (log_path);
}

/* Accessible names and the app icon */


static void
test_icon_buttons_have_accessible_names (Fixture       *fixture,
                                         gconstpointer  data)
{
  GtkWidget *preferences, *viewer;
  guint checked = 0;

  /* menu, log file reset and choose, window controls */
  suda_test_check_icon_buttons (GTK_WIDGET (fixture->window), &checked);
  g_assert_cmpuint (checked, >=, 4);

  /* key file choose and clear */
  preferences = GTK_WIDGET (suda_console_preferences_new (GTK_WINDOW (fixture->window)));
  gtk_window_present (GTK_WINDOW (preferences));
  suda_test_iterate (10);
  checked = 0;
  suda_test_check_icon_buttons (preferences, &checked);
  g_assert_cmpuint (checked, >=, 2);
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* open and follow */
  viewer = GTK_WIDGET (suda_log_viewer_window_new (NULL));
  gtk_window_present (GTK_WINDOW (viewer));
  suda_test_iterate (10);
  checked = 0;
  suda_test_check_icon_buttons (viewer, &checked);
  g_assert_cmpuint (checked, >=, 2);
  gtk_window_destroy (GTK_WINDOW (viewer));
  suda_test_iterate (10);
}

/* Run from the build tree, the About window still finds the app icon:
 * GtkApplication adds <resource-base-path>/icons to the display's icon
 * theme, and the icons are compiled into the resources there. (The
 * application is not started here: its startup traps SIGINT and SIGTERM
 * for good.) */
static void
test_app_icon_in_resources (void)
{
  g_autoptr(SudaConsoleApplication) app = suda_console_application_new ();
  g_autoptr(GtkIconTheme) theme = gtk_icon_theme_new ();
  g_autofree char *icons = NULL;

  icons = g_strconcat (g_application_get_resource_base_path (G_APPLICATION (app)), "/icons", NULL);
  g_assert_cmpstr (icons, ==, "/chat/suda/Server/icons");
  /* only the resources: an installed copy must not make this pass */
  gtk_icon_theme_set_search_path (theme, (const char * const[]) { NULL });
  gtk_icon_theme_set_resource_path (theme, (const char * const[]) { icons, NULL });
  g_assert_true (gtk_icon_theme_has_icon (theme, "chat.suda.Server"));
  g_assert_true (gtk_icon_theme_has_icon (theme, "chat.suda.Server-symbolic"));
}

/* What a file chooser answers becomes the log-file setting; a cancelled
 * chooser, or a file with no local path, leaves it alone. */
static void
test_chosen_file_is_stored (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *chosen = g_build_filename (fixture->tmpdir, "chosen.jsonl", NULL);
  g_autofree char *other = g_build_filename (fixture->tmpdir, "other.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (chosen);
  g_autoptr(GFile) other_file = g_file_new_for_path (other);
  g_autoptr(GFile) remote = g_file_new_for_uri ("sftp://example.invalid/log.jsonl");
  g_autofree char *stored = NULL;

  _suda_console_file_chooser_store_path (fixture->settings, "log-file", GTK_RESPONSE_ACCEPT, file);
  stored = g_settings_get_string (fixture->settings, "log-file");
  g_assert_cmpstr (stored, ==, chosen);

  _suda_console_file_chooser_store_path (fixture->settings, "log-file", GTK_RESPONSE_CANCEL, other_file);
  _suda_console_file_chooser_store_path (fixture->settings, "log-file", GTK_RESPONSE_ACCEPT, NULL);
  _suda_console_file_chooser_store_path (fixture->settings, "log-file", GTK_RESPONSE_ACCEPT, remote);
  g_clear_pointer (&stored, g_free);
  stored = g_settings_get_string (fixture->settings, "log-file");
  g_assert_cmpstr (stored, ==, chosen);
}

static gboolean
widget_visible (gpointer data)
{
  return gtk_widget_get_visible (data);
}

/* A log that cannot be written (a full disk: /dev/full) shows a warning
 * while the server runs on. */
static void
test_failing_log_shows_warning (Fixture       *fixture,
                                gconstpointer  data)
{
  GtkWidget *warning = child (fixture, "log_failing_label");
  SudaServerHost *server;

  g_settings_set_string (fixture->settings, "log-file", "/dev/full");
  g_assert_false (gtk_widget_get_visible (warning));
  start_server (fixture);
  server = suda_console_window_get_host (fixture->window);
  g_assert_true (suda_test_wait_until (widget_visible, warning, 5000));
  g_assert_true (suda_server_host_get_log_failing (server));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL);
  g_assert_true (suda_test_wait_until (host_stopped, server, 5000));
  g_assert_false (gtk_widget_get_visible (warning));
}

static gboolean
web_box_shown (gpointer fixture)
{
  return gtk_widget_get_visible (child (fixture, "web_box"));
}

static void
clipboard_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  *(char **) data = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* The page's address is shown while running, never as 0.0.0.0, copied by
 * its button, and a browser gets the page from its port. */
static void
test_web_address_shown_and_copied (Fixture       *fixture,
                                   gconstpointer  data)
{
  GtkLabel *label = GTK_LABEL (child (fixture, "web_label"));
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *copied = NULL;
  const char *text;
  char reply[64] = "";
  gsize got = 0;

  g_assert_false (gtk_widget_get_visible (child (fixture, "web_box")));
  start_server (fixture);
  g_assert_true (suda_test_wait_until (web_box_shown, fixture, 5000));
  text = gtk_label_get_text (label);
  g_assert_true (g_str_has_prefix (text, "Web page: http://"));
  g_assert_null (strstr (text, "0.0.0.0"));
  uri = g_uri_parse (strstr (text, "http://"), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  g_assert_cmpint (g_uri_get_port (uri), !=, 8080);

  /* listening on every interface: this machine's loopback serves it too */
  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1", g_uri_get_port (uri),
                                                NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             "GET / HTTP/1.0\r\n\r\n", 18, NULL, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                           reply, sizeof reply - 1, &got, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.") && strstr (reply, " 200 ") != NULL);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.copy-web-address", NULL);
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (fixture->window)), NULL,
                                 clipboard_read_cb, &copied);
  g_assert_true (suda_test_wait_until (pointer_set, &copied, 5000));
  g_assert_cmpstr (copied, ==, strstr (text, "http://"));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL);
  g_assert_true (suda_test_wait_until (host_stopped, suda_console_window_get_host (fixture->window),
                                       20000));
  g_assert_false (gtk_widget_get_visible (child (fixture, "web_box")));
}

/* What a phone's camera reads off TEXTURE: zbarimg decodes it. */
static char *
scan_code (GdkTexture *texture,
           const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "code.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status;

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_assert_true (g_spawn_sync (NULL, (char *[]) { "zbarimg", "--quiet", "--raw", path, NULL }, NULL,
                               G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (path);
  return g_strchomp (g_steal_pointer (&out));
}

/* The page's address as a QR code a phone reads back as that address,
 * in a window of its own; the button goes with the page. */
static void
test_web_address_as_qr_code (Fixture       *fixture,
                             gconstpointer  data)
{
  GtkWindow *join;
  g_autofree char *url = NULL;
  g_autofree char *scanned = NULL;

  g_assert_false (gtk_widget_get_visible (child (fixture, "web_box")));
  start_server (fixture);
  g_assert_true (suda_test_wait_until (web_box_shown, fixture, 5000));
  url = _suda_console_window_dup_page_url (fixture->window);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-web-code", NULL);
  join = suda_test_gtk_find_window (SUDA_TYPE_CONSOLE_JOIN_WINDOW);
  g_assert_nonnull (join);
  g_assert_true (gtk_window_get_transient_for (join) == GTK_WINDOW (fixture->window));
  g_assert_nonnull (suda_test_find_label (GTK_WIDGET (join), url));
  scanned = scan_code (suda_console_join_window_get_code (SUDA_CONSOLE_JOIN_WINDOW (join)), fixture->tmpdir);
  g_assert_cmpstr (scanned, ==, url);
  gtk_window_destroy (join);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL);
  g_assert_true (suda_test_wait_until (host_stopped, suda_console_window_get_host (fixture->window),
                                       20000));
  /* no page, no code */
  g_assert_false (gtk_widget_get_visible (child (fixture, "web_box")));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-web-code", NULL);
  g_assert_null (suda_test_gtk_find_window (SUDA_TYPE_CONSOLE_JOIN_WINDOW));
}

/* Korean and a long address read back whole; nothing is no code. */
static void
test_qr_code_texture (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(GString) long_url = g_string_new ("https://수다.example/");
  g_autoptr(GdkTexture) korean = NULL;
  g_autoptr(GdkTexture) longer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *scanned = NULL;
  g_autofree char *scanned_long = NULL;

  korean = suda_qr_code_new_texture ("http://192.0.2.7:8080/?room=수다방", 4, &error);
  g_assert_no_error (error);
  /* square, with a quiet zone: the corner pixel is white */
  g_assert_cmpint (gdk_texture_get_width (korean), ==, gdk_texture_get_height (korean));
  scanned = scan_code (korean, dir);
  g_assert_cmpstr (scanned, ==, "http://192.0.2.7:8080/?room=수다방");
  for (guint i = 0; i < 40; i++)
    g_string_append (long_url, "abcdefghij");
  longer = suda_qr_code_new_texture (long_url->str, 3, &error);
  g_assert_no_error (error);
  scanned_long = scan_code (longer, dir);
  g_assert_cmpstr (scanned_long, ==, long_url->str);
  g_assert_null (suda_qr_code_new_texture ("", 4, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_rmdir (dir);
}

/* Another program on the console's web port: the chat starts anyway and
 * the page goes to a free port, which the window shows. */
static void
test_web_port_taken_moves (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GSocketListener) squatter = g_socket_listener_new ();
  g_autoptr(SudaServerConfig) base = suda_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *taken = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (squatter, NULL, &error);
  g_assert_no_error (error);
  taken = g_strdup_printf ("%u", port);
  g_assert_true (suda_server_config_set_value (base, "web", "port", taken, NULL));
  g_assert_true (suda_server_config_set_value (base, "web", "port-fallback", "true", NULL));
  suda_console_window_set_base_config (fixture->window, base);
  start_server (fixture);
  g_assert_true (suda_test_wait_until (web_box_shown, fixture, 5000));
  url = _suda_console_window_dup_page_url (fixture->window);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  g_assert_cmpint (g_uri_get_port (uri), !=, port);

  /* without the fallback, a taken port is a start that fails */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL);
  g_assert_true (suda_test_wait_until (host_stopped, suda_console_window_get_host (fixture->window),
                                       20000));
  g_assert_true (suda_server_config_set_value (base, "web", "port-fallback", "false", NULL));
  suda_console_window_set_base_config (fixture->window, base);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start", NULL);
  g_free (url);
  url = g_strdup_printf ("Port %u, for the web page, is already in use by another program.", port);
  assert_label_gets (GTK_LABEL (child (fixture, "error_label")), url);
  g_assert_false (suda_server_host_get_running (suda_console_window_get_host (fixture->window)));
}

/* Only the every-interface addresses are replaced. */
static void
test_page_url_for_every_interface (void)
{
  g_autofree char *any = _suda_console_dup_page_url ("http://0.0.0.0:8080/");
  g_autofree char *any6 = _suda_console_dup_page_url ("https://[::]:8443/");
  g_autofree char *own = _suda_console_dup_page_url ("http://192.0.2.7:8080/");
  g_autoptr(GUri) uri = g_uri_parse (any, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) uri6 = g_uri_parse (any6, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "http");
  g_assert_cmpint (g_uri_get_port (uri), ==, 8080);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/");
  g_assert_cmpstr (g_uri_get_host (uri), !=, "0.0.0.0");
  g_assert_cmpstr (g_uri_get_host (uri), !=, "");
  g_assert_nonnull (uri6);
  g_assert_cmpstr (g_uri_get_scheme (uri6), ==, "https");
  g_assert_cmpint (g_uri_get_port (uri6), ==, 8443);
  g_assert_cmpstr (g_uri_get_host (uri6), !=, "::");
  g_assert_cmpstr (own, ==, "http://192.0.2.7:8080/");
  g_assert_null (_suda_console_dup_page_url (NULL));
}

int
main (int   argc,
      char *argv[])
{
  /* No accessibility bus under Xvfb; its warning would abort the test.
   * The "test" backend needs no bus and, unlike "none", keeps the
   * accessible properties the accessible-name test reads. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/console/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("start/and-stop-with-a-client-between", test_start_and_stop_with_a_client);
  ADD ("start/port-in-use-says-why-and-window-stays-usable", test_port_in_use_says_why);
  ADD ("start/bad-addresses-say-why", test_bad_addresses_say_why);
  ADD ("web/address-shown-and-copied", test_web_address_shown_and_copied);
  ADD ("web/address-as-qr-code", test_web_address_as_qr_code);
  ADD ("web/port-taken-moves", test_web_port_taken_moves);
  ADD ("live-log/shows-connect-join-and-message", test_live_log_follows_a_chat);
  ADD ("live-log/strips-formatting", test_live_log_strips_formatting);
  ADD ("settings/fields-persist", test_fields_persist);
  ADD ("users/kick-disconnects-and-logs", test_kick_disconnects_and_logs);
  ADD ("users/kick-selected-asks-for-a-reason", test_selected_user_actions_follow_selection);
  ADD ("close/while-running-asks-then-stops", test_close_while_running_asks);
  ADD ("command-line/start-listen-and-port", test_command_line_starts_serving);
  ADD ("command-line/port-zero-picks-a-free-port", test_command_line_port_zero);
  ADD ("a11y/icon-buttons-have-accessible-names", test_icon_buttons_have_accessible_names);
  ADD ("settings/chosen-file-is-stored", test_chosen_file_is_stored);
  ADD ("log/failing-log-shows-a-warning", test_failing_log_shows_warning);
#undef ADD
  g_test_add_func ("/console/about/app-icon-in-resources", test_app_icon_in_resources);
  g_test_add_func ("/console/web/page-url-for-every-interface", test_page_url_for_every_interface);
  g_test_add_func ("/console/web/qr-code-texture", test_qr_code_texture);

  return g_test_run ();
}
