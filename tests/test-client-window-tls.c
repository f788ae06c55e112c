/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's TLS and accounts under a real display: the connect form's
 * switch, the certificate and clear-text questions, the lock, the
 * account password in the keyring, registering the nickname.  Run by
 * run-in-keyring.sh, so the keyring is the test's own. */
#include "config.h"

#include <string.h>

#include "suda-certificate.h"
#include "suda-secrets.h"
#include "suda-test-fake-irc.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-tls-self-signed.h"
#include "suda-window.h"

typedef struct {
  char            *dir;
  GTlsCertificate *certificate;
  SudaTrustStore  *store;
  SudaTestFakeIrc *fake;
  GSettings       *settings;
  SudaWindow      *window;
} Fixture;

static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), SUDA_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static SudaConnection *
connection (Fixture *f)
{
  return suda_window_get_connection (f->window);
}

static SudaWindow *
open_window (Fixture *f)
{
  SudaWindow *window = g_object_ref_sink (suda_window_new (NULL, f->settings));

  suda_connection_set_trust_store (suda_window_get_connection (window), f->store);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, window, 5000));
  return window;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = suda_test_make_tmpdir ();
  cert = g_build_filename (f->dir, "server.crt", NULL);
  key = g_build_filename (f->dir, "server.key", NULL);
  g_assert_true (suda_tls_create_self_signed (cert, key, "localhost", &error));
  f->certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "trust.ini", NULL);
  f->store = suda_trust_store_new (path);
  f->fake = suda_test_fake_irc_new_tls (f->certificate);
  f->settings = g_settings_new ("chat.suda.Suda");
  /* The memory backend keeps what the last test left. */
  {
    g_autoptr(GSettingsSchema) schema = NULL;
    g_auto(GStrv) keys = NULL;

    g_object_get (f->settings, "settings-schema", &schema, NULL);
    keys = g_settings_schema_list_keys (schema);
    for (guint i = 0; keys[i] != NULL; i++)
      g_settings_reset (f->settings, keys[i]);
  }
  g_settings_set_string (f->settings, "room", "");
  g_settings_set_boolean (f->settings, "keep-transcripts", FALSE);
  f->window = open_window (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  suda_test_gtk_drain ();
  g_clear_pointer (&f->fake, suda_test_fake_irc_free);
  g_clear_object (&f->settings);
  g_clear_object (&f->store);
  g_clear_object (&f->certificate);
  g_free (f->dir);
}

static void
fill_form (Fixture    *f,
           gboolean    tls,
           guint16     port,
           const char *nick)
{
  gtk_switch_set_active (child (f, "tls_switch"), tls);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "server_entry")), "127.0.0.1");
  gtk_spin_button_set_value (child (f, "port_spin"), port);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "nick_entry")), nick);
}

static void
connect_window (Fixture *f)
{
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
}

static gboolean
find_dialog_cb (gpointer data)
{
  gpointer *args = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          gtk_window_get_transient_for (window) == args[0])
        {
          args[1] = window;
          return TRUE;
        }
    }
  return FALSE;
}

/* The question the window asks, once it shows. */
static AdwMessageDialog *
wait_dialog (Fixture *f)
{
  gpointer args[] = { f->window, NULL };

  if (!suda_test_wait_until (find_dialog_cb, args, 10000))
    g_error ("no dialog came up");
  return args[1];
}

static void
answer (AdwMessageDialog *dialog,
        const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
is_connected (gpointer data)
{
  return suda_connection_is_connected (data);
}

static void
pin (Fixture *f)
{
  g_autofree char *fingerprint = suda_certificate_fingerprint (f->certificate);

  g_assert_true (suda_trust_store_pin (f->store, "127.0.0.1", f->fake->port, fingerprint, NULL));
}

static char *
lookup_secret (const char *server,
               const char *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *password;

  suda_secrets_lookup_async (server, account, NULL, suda_test_async_store, &result);
  password = suda_secrets_lookup_finish (suda_test_async_wait (&result), &error);
  g_assert_no_error (error);
  return password;
}

typedef struct {
  const char *server;
  const char *account;
  const char *password;
} Secret;

static gboolean
secret_is (gpointer data)
{
  Secret *s = data;
  g_autofree char *found = lookup_secret (s->server, s->account);

  return g_strcmp0 (found, s->password) == 0;
}

static gboolean
has_text (gpointer editable)
{
  return *gtk_editable_get_text (editable) != '\0';
}

static void
test_switch_moves_default_port (Fixture       *f,
                                gconstpointer  data)
{
  GtkSwitch *tls = child (f, "tls_switch");
  GtkSpinButton *port = child (f, "port_spin");

  /* On by default, with the TLS port. */
  g_assert_true (gtk_switch_get_active (tls));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (port), ==, 6697);
  gtk_switch_set_active (tls, FALSE);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (port), ==, 6667);
  gtk_switch_set_active (tls, TRUE);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (port), ==, 6697);

  /* A port the person typed stays. */
  gtk_spin_button_set_value (port, 7000);
  gtk_switch_set_active (tls, FALSE);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (port), ==, 7000);

  /* ircs:// addresses turn it on. */
  suda_window_set_tls (f->window, TRUE);
  g_assert_true (gtk_switch_get_active (tls));
}

static void
test_trust_dialog_then_lock (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *fingerprint = suda_certificate_fingerprint (f->certificate);
  g_autofree char *shown = suda_certificate_format_fingerprint (fingerprint);
  AdwMessageDialog *dialog;
  g_autofree char *trust_label = NULL;
  GtkMenuButton *lock = child (f, "tls_button");

  fill_form (f, TRUE, f->fake->port, "alice");
  connect_window (f);
  dialog = wait_dialog (f);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), shown));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "localhost"));
  trust_label = adw_message_dialog_get_response_label (dialog, "trust")
                ? g_strdup (adw_message_dialog_get_response_label (dialog, "trust")) : NULL;
  g_assert_nonnull (strstr (trust_label, "127.0.0.1:"));
  g_assert_cmpuint (f->fake->n_accepted, ==, 0);

  answer (dialog, "trust");
  suda_test_fake_irc_register (f->fake, "alice");
  g_assert_true (suda_test_wait_until (is_connected, connection (f), 5000));
  g_assert_cmpint (suda_trust_store_check (f->store, "127.0.0.1", f->fake->port, fingerprint), ==,
                   SUDA_TRUST_PINNED);

  /* The lock says TLS and tells the certificate. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (lock)));
  g_assert_cmpstr (gtk_menu_button_get_icon_name (lock), ==, "channel-secure-symbolic");
  g_assert_nonnull (strstr (gtk_label_get_text (child (f, "tls_details")), shown));
  g_assert_nonnull (strstr (gtk_label_get_text (child (f, "tls_details")), "Issuer"));
  g_assert_true (g_settings_get_boolean (f->settings, "tls"));
}

static void
test_changed_certificate_warning (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *pinned = g_strnfill (64, 'a');
  AdwMessageDialog *dialog;

  g_assert_true (suda_trust_store_pin (f->store, "127.0.0.1", f->fake->port, pinned, NULL));
  fill_form (f, TRUE, f->fake->port, "alice");
  connect_window (f);
  dialog = wait_dialog (f);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "Changed"));
  /* No way to trust it but the explicit replacement. */
  g_assert_false (adw_message_dialog_has_response (dialog, "trust"));
  g_assert_true (adw_message_dialog_has_response (dialog, "replace"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  answer (dialog, "cancel");
  suda_test_gtk_drain ();
  g_assert_cmpint (suda_connection_get_state (connection (f)), ==, SUDA_CONNECTION_DISCONNECTED);
  g_assert_cmpint (suda_trust_store_check (f->store, "127.0.0.1", f->fake->port, pinned), ==,
                   SUDA_TRUST_PINNED);
  g_assert_true (gtk_revealer_get_reveal_child (child (f, "error_revealer")));
  g_assert_nonnull (strstr (gtk_label_get_text (child (f, "error_label")), "not the one you trusted"));
}

static void
test_cleartext_warning (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SudaTestFakeIrc) clear = suda_test_fake_irc_new ();
  g_auto(GStrv) remembered = NULL;
  AdwMessageDialog *dialog;

  fill_form (f, FALSE, clear->port, "alice");
  gtk_editable_set_text (GTK_EDITABLE (child (f, "password_entry")), "classpass");
  connect_window (f);
  dialog = wait_dialog (f);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "Without Encryption"));
  /* Nothing went out while the person decides. */
  g_assert_cmpint (suda_connection_get_state (connection (f)), ==, SUDA_CONNECTION_DISCONNECTED);

  gtk_check_button_set_active (GTK_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog)), TRUE);
  answer (dialog, "send");
  suda_test_fake_irc_accept (clear, 1);
  suda_test_fake_irc_expect (clear, "PASS classpass");
  remembered = g_settings_get_strv (f->settings, "cleartext-servers");
  g_assert_true (g_strv_contains ((const char * const *) remembered, "127.0.0.1"));
  g_assert_cmpstr (gtk_menu_button_get_icon_name (child (f, "tls_button")), ==, "channel-insecure-symbolic");
}

static void
test_cleartext_cancel_sends_nothing (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(SudaTestFakeIrc) clear = suda_test_fake_irc_new ();
  AdwMessageDialog *dialog;

  fill_form (f, FALSE, clear->port, "alice");
  gtk_editable_set_text (GTK_EDITABLE (child (f, "account_entry")), "alice");
  gtk_editable_set_text (GTK_EDITABLE (child (f, "account_password_entry")), "s3cret");
  connect_window (f);
  dialog = wait_dialog (f);
  answer (dialog, "cancel");
  suda_test_gtk_drain ();
  g_assert_cmpint (suda_connection_get_state (connection (f)), ==, SUDA_CONNECTION_DISCONNECTED);
  g_assert_cmpuint (clear->n_accepted, ==, 0);
}

static void
assert_not_in_settings (GSettings  *settings,
                        const char *secret)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (text, secret));
    }
}

static void
test_account_login_and_keyring (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", f->fake->port);
  Secret secret = { server, "alice", "s3cret" };
  g_autoptr(SudaWindow) again = NULL;
  GtkEditable *again_password;

  g_assert_true (g_str_has_prefix (g_getenv ("XDG_DATA_HOME"), g_get_tmp_dir ()));
  pin (f);
  fill_form (f, TRUE, f->fake->port, "alice");
  gtk_check_button_set_active (child (f, "account_nick_check"), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "account_password_entry")), "s3cret");
  connect_window (f);
  suda_test_fake_irc_accept (f->fake, 1);
  suda_test_fake_irc_expect (f->fake, "CAP LS 302");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP * LS :sasl\r\n");
  suda_test_fake_irc_expect (f->fake, "CAP REQ *sasl");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP alice ACK :sasl\r\n");
  suda_test_fake_irc_expect (f->fake, "AUTHENTICATE PLAIN");

  /* Kept in the keyring, not in the settings. */
  g_assert_true (suda_test_wait_until (secret_is, &secret, 10000));
  g_assert_true (g_settings_get_boolean (f->settings, "account-is-nickname"));
  assert_not_in_settings (f->settings, "s3cret");
  g_settings_set_string (f->settings, "server", "127.0.0.1");
  g_settings_set_uint (f->settings, "port", f->fake->port);
  g_settings_set_string (f->settings, "nickname", "alice");

  /* A new window finds it there. */
  again = open_window (f);
  again_password = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (again), SUDA_TYPE_WINDOW,
                                                                "account_password_entry"));
  g_assert_true (suda_test_wait_until (has_text, again_password, 10000));
  g_assert_cmpstr (gtk_editable_get_text (again_password), ==, "s3cret");
  gtk_window_destroy (GTK_WINDOW (again));
}

static void
test_register_nickname (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", f->fake->port);
  Secret secret = { server, "alice", "n3w pass" };
  AdwMessageDialog *dialog;

  pin (f);
  fill_form (f, TRUE, f->fake->port, "alice");
  connect_window (f);
  suda_test_fake_irc_accept (f->fake, 1);
  suda_test_fake_irc_expect (f->fake, "CAP LS 302");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP * LS :draft/account-registration\r\n");
  suda_test_fake_irc_expect (f->fake, "CAP REQ *draft/account-registration");
  suda_test_fake_irc_send (f->fake, ":fake.local CAP alice ACK :draft/account-registration\r\n"
                                    ":fake.local 001 alice :Welcome\r\n");
  g_assert_true (suda_test_wait_until (is_connected, connection (f), 5000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.register-nick", NULL));
  dialog = wait_dialog (f);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "n3w pass");
  answer (dialog, "register");
  suda_test_fake_irc_expect (f->fake, "REGISTER alice * :n3w pass");
  suda_test_fake_irc_send (f->fake, ":fake.local REGISTER SUCCESS alice :Account created\r\n");
  g_assert_true (suda_test_wait_until (secret_is, &secret, 10000));
  g_assert_true (gtk_check_button_get_active (child (f, "account_nick_check")));
  g_assert_cmpstr (suda_connection_get_account (connection (f)), ==, "alice");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GTK_A11Y", "none", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("no display: run under xvfb-run\n");
      return 77;
    }
  adw_init ();

#define ADD(path, fn) g_test_add ("/client/window-tls/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("switch-moves-default-port", test_switch_moves_default_port);
  ADD ("trust-dialog-then-lock", test_trust_dialog_then_lock);
  ADD ("changed-certificate-warning", test_changed_certificate_warning);
  ADD ("cleartext-warning", test_cleartext_warning);
  ADD ("cleartext-cancel-sends-nothing", test_cleartext_cancel_sends_nothing);
  ADD ("account-login-and-keyring", test_account_login_and_keyring);
  ADD ("register-nickname", test_register_nickname);
#undef ADD
  return g_test_run ();
}
