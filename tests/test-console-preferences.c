/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <adwaita.h>
#include <libsoup/soup.h>

#include "suda-console-preferences.h"
#include "suda-console-window.h"
#include "suda-log-row.h"
#include "suda-test-fake-api.h"
#include "suda-test-util.h"

/* The console's AI search preferences: the window and its GSettings keys,
 * and what a server started from the console makes of them. */

#define DEFAULT_BASE_URL "https://api.openai.com/v1"
#define TEST_KEY         "sk-test-preferences-0123456789"

typedef struct {
  SudaConsoleWindow *window;
  GSettings         *settings;
  char              *tmpdir;
  char              *log_path;
  char              *key_path;
} Fixture;

static const char * const reset_keys[] = {
  "listen-address", "port", "log-file",
  "ai-base-url", "ai-model", "ai-key-file", "ai-token-field",
  "tls-port", "tls-certificate", "tls-key", "tls-only", "share-files",
  NULL
};

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = suda_test_make_tmpdir ();
  fixture->log_path = g_build_filename (fixture->tmpdir, "server.jsonl", NULL);
  fixture->key_path = g_build_filename (fixture->tmpdir, "openai.key", NULL);
  g_file_set_contents (fixture->key_path, TEST_KEY "\n", -1, &error);
  g_assert_no_error (error);

  fixture->settings = g_settings_new ("chat.suda.Server");
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
  for (guint i = 0; reset_keys[i] != NULL; i++)
    g_settings_reset (fixture->settings, reset_keys[i]);
  g_clear_object (&fixture->settings);
  g_unlink (fixture->log_path);
  g_unlink (fixture->key_path);
  g_rmdir (fixture->tmpdir);
  g_free (fixture->log_path);
  g_free (fixture->key_path);
  g_free (fixture->tmpdir);
}

static GObject *
prefs_child (SudaConsolePreferences *prefs,
             const char             *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (prefs),
                                                   SUDA_TYPE_CONSOLE_PREFERENCES, name);

  g_assert_nonnull (object);
  return object;
}

static const char *
prefs_status (SudaConsolePreferences *prefs)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (prefs_child (prefs, "status_row")));
}

static const char *
window_status (Fixture *fixture)
{
  GObject *label = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                  SUDA_TYPE_CONSOLE_WINDOW, "ai_label");

  g_assert_nonnull (label);
  return gtk_label_get_text (GTK_LABEL (label));
}

/* Every SudaConsolePreferences open now; borrowed. */
static GPtrArray *
list_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (SUDA_IS_CONSOLE_PREFERENCES (window))
        g_ptr_array_add (found, window);
    }
  return found;
}

static SudaConsolePreferences *
open_preferences (Fixture *fixture)
{
  g_autoptr(GPtrArray) found = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.preferences", NULL));
  suda_test_iterate (10);
  found = list_preferences ();
  g_assert_cmpuint (found->len, ==, 1);
  return g_ptr_array_index (found, 0);
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
static SudaServerHost *
start_server (Fixture *fixture)
{
  SudaServerHost *host = suda_console_window_get_host (fixture->window);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start", NULL);
  g_assert_true (suda_test_wait_until (host_running, host, 20000));
  g_assert_nonnull (suda_server_host_get_config (host));
  return host;
}

static char *
dup_ai_value (SudaServerHost *server,
              const char     *key)
{
  const SudaAiConfig *ai = &suda_server_host_get_config (server)->ai;

  if (g_str_equal (key, "base-url"))
    return g_strdup (ai->base_url);
  if (g_str_equal (key, "model"))
    return g_strdup (ai->model);
  if (g_str_equal (key, "api-key-file"))
    return g_strdup (ai->api_key_file);
  g_assert_cmpstr (key, ==, "token-field");
  return g_strdup (ai->token_field);
}

static void
test_action_opens_one_window (Fixture       *fixture,
                              gconstpointer  data)
{
  SudaConsolePreferences *prefs = open_preferences (fixture);
  g_autoptr(GPtrArray) again = NULL;

  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (prefs)) == GTK_WINDOW (fixture->window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (prefs)));
  /* the server's defaults are what the fields show at first */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (prefs_child (prefs, "base_url_row"))),
                   ==, DEFAULT_BASE_URL);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (prefs_child (prefs, "token_field_row"))),
                    ==, 0);

  /* a second activation brings the same window forward */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.preferences", NULL));
  suda_test_iterate (10);
  again = list_preferences ();
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_true (g_ptr_array_index (again, 0) == (gpointer) prefs);

  gtk_window_destroy (GTK_WINDOW (prefs));
  suda_test_iterate (10);
  g_clear_pointer (&again, g_ptr_array_unref);
  again = list_preferences ();
  g_assert_cmpuint (again->len, ==, 0);
}

static void
test_fields_follow_settings (Fixture       *fixture,
                             gconstpointer  data)
{
  SudaConsolePreferences *prefs = open_preferences (fixture);
  GtkEditable *base_url = GTK_EDITABLE (prefs_child (prefs, "base_url_row"));
  GtkEditable *model = GTK_EDITABLE (prefs_child (prefs, "model_row"));
  AdwComboRow *token_field = ADW_COMBO_ROW (prefs_child (prefs, "token_field_row"));
  AdwActionRow *key_file = ADW_ACTION_ROW (prefs_child (prefs, "key_file_row"));
  g_autofree char *value = NULL;

  /* settings → fields */
  g_settings_set_string (fixture->settings, "ai-base-url", "http://127.0.0.1:11434/v1");
  g_settings_set_string (fixture->settings, "ai-model", "llama3.2");
  g_settings_set_string (fixture->settings, "ai-token-field", "max_tokens");
  g_settings_set_string (fixture->settings, "ai-key-file", fixture->key_path);
  g_assert_cmpstr (gtk_editable_get_text (base_url), ==, "http://127.0.0.1:11434/v1");
  g_assert_cmpstr (gtk_editable_get_text (model), ==, "llama3.2");
  g_assert_cmpuint (adw_combo_row_get_selected (token_field), ==, 1);
  g_assert_cmpstr (adw_action_row_get_subtitle (key_file), ==, fixture->key_path);

  /* fields → settings */
  gtk_editable_set_text (base_url, "http://localhost:8080/v1");
  gtk_editable_set_text (model, "qwen2.5");
  adw_combo_row_set_selected (token_field, 0);
  value = g_settings_get_string (fixture->settings, "ai-base-url");
  g_assert_cmpstr (value, ==, "http://localhost:8080/v1");
  g_free (value);
  value = g_settings_get_string (fixture->settings, "ai-model");
  g_assert_cmpstr (value, ==, "qwen2.5");
  g_free (value);
  value = g_settings_get_string (fixture->settings, "ai-token-field");
  g_assert_cmpstr (value, ==, "max_completion_tokens");
}

static void
test_clear_key_file (Fixture       *fixture,
                     gconstpointer  data)
{
  SudaConsolePreferences *prefs = open_preferences (fixture);
  GtkWidget *clear = GTK_WIDGET (prefs_child (prefs, "key_file_clear_button"));
  AdwActionRow *key_file = ADW_ACTION_ROW (prefs_child (prefs, "key_file_row"));
  g_autofree char *value = NULL;

  /* nothing to clear yet */
  g_assert_false (gtk_widget_is_sensitive (clear));
  g_assert_null (strstr (adw_action_row_get_subtitle (key_file), "/"));

  g_settings_set_string (fixture->settings, "ai-key-file", fixture->key_path);
  suda_test_iterate (10);
  g_assert_true (gtk_widget_is_sensitive (clear));

  g_signal_emit_by_name (clear, "clicked");
  suda_test_iterate (10);
  value = g_settings_get_string (fixture->settings, "ai-key-file");
  g_assert_cmpstr (value, ==, "");
  g_assert_false (gtk_widget_is_sensitive (clear));
  g_assert_null (strstr (adw_action_row_get_subtitle (key_file), fixture->key_path));
}

static void
test_status_says_whether_set_up (Fixture       *fixture,
                                 gconstpointer  data)
{
  SudaConsolePreferences *prefs = open_preferences (fixture);
  g_autofree char *missing = g_build_filename (fixture->tmpdir, "no-such.key", NULL);

  /* no key and OpenAI's endpoint: !search cannot work */
  g_assert_nonnull (strstr (prefs_status (prefs), "not set up"));
  g_assert_nonnull (strstr (window_status (fixture), "not set up"));

  /* a server on this machine needs no key */
  g_settings_set_string (fixture->settings, "ai-base-url", "http://127.0.0.1:11434/v1");
  g_settings_set_string (fixture->settings, "ai-model", "llama3.2");
  g_assert_nonnull (strstr (prefs_status (prefs), "is set up"));
  g_assert_nonnull (strstr (prefs_status (prefs), "llama3.2 at 127.0.0.1:11434"));
  g_assert_nonnull (strstr (window_status (fixture), "is set up"));

  /* OpenAI with a key file */
  g_settings_reset (fixture->settings, "ai-base-url");
  g_assert_nonnull (strstr (prefs_status (prefs), "not set up"));
  g_settings_set_string (fixture->settings, "ai-key-file", fixture->key_path);
  g_assert_nonnull (strstr (prefs_status (prefs), "is set up"));
  g_assert_nonnull (strstr (prefs_status (prefs), "api.openai.com"));
  g_assert_null (strstr (prefs_status (prefs), TEST_KEY));

  /* a key file that cannot be read says so, without any key in it */
  g_settings_set_string (fixture->settings, "ai-key-file", missing);
  g_assert_nonnull (strstr (prefs_status (prefs), "will not work"));
  g_assert_nonnull (strstr (window_status (fixture), "will not work"));

  /* and so does an endpoint that is not a URL */
  g_settings_reset (fixture->settings, "ai-key-file");
  g_settings_set_string (fixture->settings, "ai-base-url", "ollama");
  g_assert_nonnull (strstr (prefs_status (prefs), "will not work"));
}

static void
test_start_writes_ai_group (Fixture       *fixture,
                            gconstpointer  data)
{
  SudaServerHost *server;
  g_autofree char *base_url = NULL;
  g_autofree char *model = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *token_field = NULL;

  g_settings_set_string (fixture->settings, "ai-base-url", "http://127.0.0.1:11434/v1");
  g_settings_set_string (fixture->settings, "ai-model", "llama3.2");
  g_settings_set_string (fixture->settings, "ai-key-file", fixture->key_path);
  g_settings_set_string (fixture->settings, "ai-token-field", "max_tokens");

  server = start_server (fixture);
  base_url = dup_ai_value (server, "base-url");
  model = dup_ai_value (server, "model");
  key_file = dup_ai_value (server, "api-key-file");
  token_field = dup_ai_value (server, "token-field");
  g_assert_cmpstr (base_url, ==, "http://127.0.0.1:11434/v1");
  g_assert_cmpstr (model, ==, "llama3.2");
  g_assert_cmpstr (key_file, ==, fixture->key_path);
  g_assert_cmpstr (token_field, ==, "max_tokens");
}

static void
test_start_leaves_out_empty_values (Fixture       *fixture,
                                    gconstpointer  data)
{
  const SudaAiConfig *ai;

  /* emptied fields mean the server's own defaults, not empty values */
  g_settings_set_string (fixture->settings, "ai-base-url", "  ");
  g_settings_set_string (fixture->settings, "ai-model", "");

  ai = &suda_server_host_get_config (start_server (fixture))->ai;
  g_assert_cmpstr (ai->base_url, ==, suda_server_config_get_default ("ai", "base-url"));
  g_assert_cmpstr (ai->model, ==, suda_server_config_get_default ("ai", "model"));
  g_assert_null (ai->api_key_file);
  g_assert_cmpstr (ai->token_field, ==, "max_completion_tokens");
}

static void
test_search_answered_through_console (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  const char *request;
  guint16 port;

  g_settings_set_string (fixture->settings, "ai-base-url", api->base_url);
  g_settings_set_string (fixture->settings, "ai-model", "test-model");
  g_settings_set_string (fixture->settings, "ai-key-file", fixture->key_path);
  g_settings_set_string (fixture->settings, "ai-token-field", "max_tokens");
  suda_fake_api_script_success (api, "Suda is a chat server for classes.", 0);

  port = suda_server_host_get_port (start_server (fixture));
  alice = suda_test_client_register (port, "alice", NULL);
  bob = suda_test_client_register (port, "bob", NULL);
  suda_test_client_join (alice, "alice", "#lobby");
  suda_test_client_join (bob, "bob", "#lobby");

  suda_test_client_send (alice, "PRIVMSG #lobby :!search what is suda?");
  suda_test_client_await (bob, ":alice!* PRIVMSG #lobby :!search what is suda?");
  suda_test_client_await (bob, ":suda!* PRIVMSG #lobby :alice: Suda is a chat server for classes.");
  suda_test_client_await (alice, ":suda!* PRIVMSG #lobby :alice: Suda is a chat server for classes.");

  /* the API was asked as the preferences say */
  g_assert_cmpuint (api->bodies->len, ==, 1);
  request = g_ptr_array_index (api->bodies, 0);
  g_assert_nonnull (strstr (request, "\"model\":\"test-model\""));
  g_assert_nonnull (strstr (request, "\"max_tokens\""));
  g_assert_null (strstr (request, "max_completion_tokens"));
  g_assert_cmpstr (g_ptr_array_index (api->authorizations, 0), ==, "Bearer " TEST_KEY);
}

/* The preferences and the start button give the person the server's own
 * words for a bad [ai] value, and the server does not start with it. */
static void
test_bad_value_shows_config_error (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GError) expected = NULL;
  SudaConsolePreferences *prefs = open_preferences (fixture);
  GObject *error_label;

  g_assert_false (suda_server_config_set_value (config, "ai", "base-url", "ftp://example.org",
                                                &expected));
  g_assert_nonnull (strstr (expected->message, "[ai] base-url"));

  g_settings_set_string (fixture->settings, "ai-base-url", "ftp://example.org");
  g_assert_nonnull (strstr (prefs_status (prefs), expected->message));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start", NULL);
  g_assert_null (suda_server_host_get_config (suda_console_window_get_host (fixture->window)));
  g_assert_false (suda_server_host_get_running (suda_console_window_get_host (fixture->window)));
  error_label = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                               SUDA_TYPE_CONSOLE_WINDOW, "error_label");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, expected->message);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
}

/* The button turns TLS on with no files: the server makes the certificate. */
static void
test_self_signed_turns_tls_on (Fixture       *fixture,
                               gconstpointer  data)
{
  SudaConsolePreferences *prefs = open_preferences (fixture);
  AdwActionRow *certificate = ADW_ACTION_ROW (prefs_child (prefs, "tls_certificate_row"));

  g_settings_set_string (fixture->settings, "tls-certificate", "/nowhere/cert.pem");
  g_settings_set_string (fixture->settings, "tls-key", "/nowhere/key.pem");
  g_assert_cmpstr (adw_action_row_get_subtitle (certificate), ==, "/nowhere/cert.pem");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.self-signed", NULL));
  g_assert_cmpint (g_settings_get_int (fixture->settings, "tls-port"), ==, 6697);
  g_assert_false (g_settings_get_user_value (fixture->settings, "tls-certificate") != NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (certificate), ==,
                   "None: a self-signed certificate made by the server");
  /* TLS only, but TLS off: the clear port stays, so something listens */
  {
    g_autoptr(SudaServerConfig) config = suda_server_config_new ();

    g_settings_set_boolean (fixture->settings, "tls-only", TRUE);
    g_settings_set_int (fixture->settings, "tls-port", 0);
    g_assert_true (_suda_console_tls_apply_config (fixture->settings, config, NULL));
    g_assert_true (config->plain);
    g_settings_set_int (fixture->settings, "tls-port", 6697);
    g_assert_true (_suda_console_tls_apply_config (fixture->settings, config, NULL));
    g_assert_false (config->plain);
  }
  /* a port already chosen stays */
  g_settings_set_int (fixture->settings, "tls-port", 7443);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.self-signed", NULL));
  g_assert_cmpint (g_settings_get_int (fixture->settings, "tls-port"), ==, 7443);
  gtk_window_destroy (GTK_WINDOW (prefs));
}

static gboolean
tls_box_shown (gpointer window)
{
  return gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (
                                   window, SUDA_TYPE_CONSOLE_WINDOW, "tls_box")));
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

/* A bad certificate path is the server's own words, and nothing starts. */
static void
test_tls_missing_certificate_says_why (Fixture       *fixture,
                                       gconstpointer  data)
{
  SudaServerHost *host = suda_console_window_get_host (fixture->window);
  GObject *error_label = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                        SUDA_TYPE_CONSOLE_WINDOW, "error_label");

  g_settings_set_int (fixture->settings, "tls-port", suda_test_free_port ());
  g_settings_set_string (fixture->settings, "tls-certificate", "/nowhere/cert.pem");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start", NULL);
  suda_test_iterate (10);
  g_assert_true (suda_test_wait_until ((gboolean (*) (gpointer)) gtk_widget_get_visible, error_label, 20000));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "cert.pem"));
  g_assert_false (suda_server_host_get_running (host));
}

static gboolean
tls_box_hidden (gpointer window)
{
  return !tls_box_shown (window);
}

/* the self-signed certificate and whatever else the server left */
static void
remove_files (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing && (name = g_dir_read_name (listing)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
}

/* TLS on with no certificate: the server makes one, and the window shows
 * its fingerprint, copied by the button. */
static void
test_tls_fingerprint_shown_and_copied (Fixture       *fixture,
                                       gconstpointer  data)
{
  guint16 tls_port = suda_test_free_port ();
  SudaServerHost *host;
  GObject *label;
  const char *fingerprint;
  g_autofree char *copied = NULL;

  g_settings_set_int (fixture->settings, "tls-port", tls_port);
  g_settings_set_boolean (fixture->settings, "tls-only", TRUE);
  host = start_server (fixture);
  g_assert_cmpuint (suda_server_host_get_config (host)->tls_port, ==, tls_port);
  g_assert_false (suda_server_host_get_config (host)->plain);
  {
    GObject *status = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                     SUDA_TYPE_CONSOLE_WINDOW, "status_label");
    g_autofree char *expected = g_strdup_printf ("TLS port %u", tls_port);

    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (status)), expected));
  }
  g_assert_true (suda_test_wait_until (tls_box_shown, fixture->window, 5000));
  fingerprint = suda_server_host_get_tls_fingerprint (host);
  g_assert_nonnull (fingerprint);
  /* SHA-256 as 32 hex pairs */
  g_assert_cmpuint (strlen (fingerprint), >=, 64);
  label = gtk_widget_get_template_child (GTK_WIDGET (fixture->window), SUDA_TYPE_CONSOLE_WINDOW, "tls_label");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), fingerprint));
  g_assert_true (suda_test_port_accepts (tls_port));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.copy-tls-fingerprint", NULL);
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (fixture->window)), NULL,
                                 clipboard_read_cb, &copied);
  g_assert_true (suda_test_wait_until (pointer_set, &copied, 5000));
  g_assert_cmpstr (copied, ==, fingerprint);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL);
  g_assert_true (suda_test_wait_until (tls_box_hidden, fixture->window, 20000));
  remove_files (fixture->tmpdir);
}

/* Files ------------------------------------------------------------------- */

/* The console shares files unless told not to, as it announces itself;
 * the daemon does neither unless its file says so. */
static void
test_files_on_in_the_console (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SudaServerConfig) daemon = suda_server_config_new ();
  g_autoptr(SudaServerConfig) console = suda_server_config_new ();
  SudaConsolePreferences *prefs;
  GtkSwitch *share;

  g_assert_cmpint (daemon->files.port, ==, 0);
  g_assert_false (daemon->announce);
  _suda_console_config_set_defaults (console);
  g_assert_cmpint (console->files.port, ==, SUDA_WEB_PORT_ANY);
  g_assert_true (console->announce);
  _suda_console_files_apply_config (fixture->settings, console);
  g_assert_cmpint (console->files.port, ==, SUDA_WEB_PORT_ANY);

  /* the switch is the setting, and off turns [files] off */
  prefs = open_preferences (fixture);
  share = GTK_SWITCH (prefs_child (prefs, "share_files_switch"));
  g_assert_true (gtk_switch_get_active (share));
  gtk_switch_set_active (share, FALSE);
  g_assert_false (g_settings_get_boolean (fixture->settings, "share-files"));
  _suda_console_files_apply_config (fixture->settings, console);
  g_assert_cmpint (console->files.port, ==, 0);
  g_settings_set_boolean (fixture->settings, "share-files", TRUE);
  g_assert_true (gtk_switch_get_active (share));
  gtk_window_destroy (GTK_WINDOW (prefs));
}

typedef struct {
  GListModel *log;
  const char *summary;
} UploadWait;

static gboolean
live_log_shows (gpointer data)
{
  UploadWait *wait = data;

  for (guint i = 0; i < g_list_model_get_n_items (wait->log); i++)
    {
      g_autoptr(SudaLogRow) row = g_list_model_get_item (wait->log, i);
      g_autofree char *summary = suda_log_row_dup_summary (row);

      if (g_strcmp0 (suda_log_entry_get_event (suda_log_row_get_entry (row)), "upload") == 0 &&
          g_strcmp0 (suda_log_entry_get_nick (suda_log_row_get_entry (row)), "kim") == 0 &&
          g_str_equal (summary, wait->summary))
        return TRUE;
    }
  return FALSE;
}

/* Posts TEXT as notes.txt in kim's name; the link it was given. */
static char *
upload_notes (SudaTestClient *kim,
              const char     *upload_url,
              const char     *text)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, upload_url);
  g_autoptr(GBytes) body = g_bytes_new_static (text, strlen (text));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *bearer = NULL;
  g_auto(GStrv) words = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  suda_test_client_send (kim, "FILEHOST TOKEN");
  line = suda_test_client_expect (kim, ":* NOTE FILEHOST TOKEN * :*");
  words = g_strsplit (line, " ", 6);
  bearer = g_strdup_printf ("Bearer %s", words[4]);
  soup_message_headers_replace (headers, "Authorization", bearer);
  soup_message_headers_replace (headers, "Content-Disposition", "attachment; filename=\"notes.txt\"");
  soup_message_set_request_body_from_bytes (msg, "text/plain", body);
  /* the server answers from its own thread, so waiting here is fine */
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_CREATED);
  return g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location"));
}

static void
stop_server (Fixture *fixture)
{
  SudaServerHost *host = suda_console_window_get_host (fixture->window);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop", NULL);
  g_assert_true (suda_test_wait_until (host_stopped, host, 20000));
}

/* A server started with the console's defaults takes files: the live log
 * reads "notes.txt (12 bytes, text/plain) → LINK".  "Share files" off: no
 * FILEHOST token, and the server says it takes none. */
static void
test_files_served_and_switched_off (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(SudaServerConfig) base = suda_server_config_new ();
  g_autofree char *folder = g_build_filename (fixture->tmpdir, "files", NULL);
  g_autoptr(SudaTestClient) kim = NULL;
  g_autoptr(SudaTestClient) lee = NULL;
  g_autofree char *line = NULL;
  g_autofree char *upload_url = NULL;
  g_autofree char *location = NULL;
  g_autofree char *size = g_format_size (strlen ("hello, class"));
  g_autofree char *summary = NULL;
  UploadWait wait;
  SudaServerHost *host;
  const char *url;

  /* as the application makes it, but no Avahi here and no 8080 */
  _suda_console_config_set_defaults (base);
  g_assert_true (suda_server_config_set_value (base, "web", "port", "auto", NULL));
  g_assert_true (suda_server_config_set_value (base, "server", "announce", "false", NULL));
  g_assert_true (suda_server_config_set_value (base, "files", "folder", folder, NULL));
  suda_console_window_set_base_config (fixture->window, base);
  host = start_server (fixture);
  kim = suda_test_client_register (suda_server_host_get_port (host), "kim", NULL);
  /* VERSION sends ISUPPORT again */
  suda_test_client_send (kim, "VERSION");
  line = suda_test_client_expect (kim, "* 005 kim *soju.im/FILEHOST=http://127.0.0.1:*/upload *");
  url = strstr (line, "FILEHOST=") + strlen ("FILEHOST=");
  upload_url = g_strndup (url, strcspn (url, " "));
  location = upload_notes (kim, upload_url, "hello, class");
  summary = g_strdup_printf ("notes.txt (%s, text/plain) → %s", size, location);
  wait = (UploadWait) { suda_console_window_get_log (fixture->window), summary };
  if (!suda_test_wait_until (live_log_shows, &wait, 5000))
    g_error ("the live log never showed “%s”", summary);
  g_clear_pointer (&kim, suda_test_client_free);
  stop_server (fixture);

  g_settings_set_boolean (fixture->settings, "share-files", FALSE);
  host = start_server (fixture);
  lee = suda_test_client_register (suda_server_host_get_port (host), "lee", NULL);
  suda_test_client_send (lee, "VERSION");
  g_free (line);
  line = suda_test_client_expect (lee, "* 005 lee *MONITOR=* :are supported by this server");
  g_assert_null (strstr (line, "FILEHOST"));
  suda_test_client_send (lee, "FILEHOST TOKEN");
  suda_test_client_await (lee, ":* FAIL FILEHOST DISABLED :*");
  g_clear_pointer (&lee, suda_test_client_free);
  stop_server (fixture);
  remove_files (folder);
  g_rmdir (folder);
}

int
main (int   argc,
      char *argv[])
{
  /* no accessibility bus under Xvfb; its warning would abort the test */
  g_setenv ("GTK_A11Y", "none", TRUE);
  /* "set up or not" must depend on the preferences alone */
  g_unsetenv ("OPENAI_API_KEY");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/console-preferences/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("window/opens-once-from-the-action", test_action_opens_one_window);
  ADD ("fields/follow-settings-both-ways", test_fields_follow_settings);
  ADD ("key-file/clear-button-resets-it", test_clear_key_file);
  ADD ("status/says-whether-ai-search-is-set-up", test_status_says_whether_set_up);
  ADD ("start/writes-the-ai-group", test_start_writes_ai_group);
  ADD ("files/on-in-the-console-off-in-the-daemon", test_files_on_in_the_console);
  ADD ("files/served-logged-and-switched-off", test_files_served_and_switched_off);
  ADD ("start/leaves-out-empty-values", test_start_leaves_out_empty_values);
  ADD ("start/search-answered-through-the-fake-api", test_search_answered_through_console);
  ADD ("start/bad-ai-value-shows-the-config-error", test_bad_value_shows_config_error);
  ADD ("tls/self-signed-turns-tls-on", test_self_signed_turns_tls_on);
  ADD ("tls/missing-certificate-says-why", test_tls_missing_certificate_says_why);
  ADD ("tls/fingerprint-shown-and-copied", test_tls_fingerprint_shown_and_copied);
#undef ADD

  return g_test_run ();
}
