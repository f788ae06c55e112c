/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's side of TLS and accounts: the connect form's switch and
 * account fields, the questions asked before trusting a certificate or
 * sending a password in clear, the lock in the header bar, and
 * registering the nickname.  Passwords go to the keyring, never to
 * GSettings. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-certificate.h"
#include "suda-secrets.h"
#include "suda-window-private.h"

#define TLS_PORT   6697
#define CLEAR_PORT 6667

/* Only the other mode's usual port follows the switch: a port the person
 * typed stays as typed. */
static void
tls_switch_cb (GtkSwitch  *tls_switch,
               GParamSpec *pspec,
               SudaWindow *self)
{
  int port = gtk_spin_button_get_value_as_int (self->port_spin);

  if (gtk_switch_get_active (tls_switch) && port == CLEAR_PORT)
    gtk_spin_button_set_value (self->port_spin, TLS_PORT);
  else if (!gtk_switch_get_active (tls_switch) && port == TLS_PORT)
    gtk_spin_button_set_value (self->port_spin, CLEAR_PORT);
}

static gboolean
account_name_sensitive (gpointer this,
                        gboolean nick_login)
{
  return !nick_login;
}

/* The account the form names, or NULL for none. */
static char *
dup_account (SudaWindow *self,
             const char *nick)
{
  g_autofree char *name = NULL;

  if (gtk_check_button_get_active (self->account_nick_check))
    return g_strdup (nick);
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->account_entry))));
  return *name ? g_steal_pointer (&name) : NULL;
}

/* "Fingerprint (SHA-256): …", subject, issuer and expiry, one a line. */
static char *
describe_certificate (GTlsCertificate *certificate)
{
  g_autofree char *fingerprint = suda_certificate_fingerprint (certificate);
  g_autofree char *shown = fingerprint ? suda_certificate_format_fingerprint (fingerprint) : g_strdup ("?");
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autoptr(GDateTime) expiry = NULL;
  g_autofree char *expires = NULL;

  g_object_get (certificate, "subject-name", &subject, "issuer-name", &issuer,
                "not-valid-after", &expiry, NULL);
  expires = expiry ? g_date_time_format (expiry, "%Y-%m-%d") : g_strdup ("?");
  return g_strdup_printf (_("Fingerprint (SHA-256): %s\nSubject: %s\nIssuer: %s\nExpires: %s"),
                          shown, subject ? subject : "?", issuer ? issuer : "?", expires);
}

/* The lock: shown while connected, closed over TLS.  It takes the
 * status dot's place rather than sitting beside it, so a phone-wide
 * header bar keeps room for the title and the window's buttons. */
static void
update_lock (SudaWindow *self)
{
  SudaConnection *connection = suda_window_get_connection (self);
  GTlsCertificate *certificate = suda_connection_get_certificate (connection);
  gboolean connected = suda_connection_is_connected (connection);
  g_autofree char *details = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->tls_button), connected);
  gtk_widget_set_visible (self->status_dot, !connected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.register-nick",
                                 suda_connection_is_connected (connection));
  gtk_menu_button_set_icon_name (self->tls_button, certificate ? "channel-secure-symbolic"
                                                               : "channel-insecure-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->tls_button),
                               certificate ? _("Encrypted (TLS)") : _("Not encrypted"));
  if (certificate != NULL)
    {
      g_autofree char *about = describe_certificate (certificate);

      details = g_strdup_printf (_("The connection is encrypted.\n\n%s"), about);
    }
  else
    details = g_strdup (_("The connection is not encrypted: anyone on the network between you "
                          "and the server can read what you send."));
  gtk_label_set_text (self->tls_details, details);
}

static void
connection_changed_cb (SudaConnection *connection,
                       GParamSpec     *pspec,
                       SudaWindow     *self)
{
  update_lock (self);
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!suda_secrets_store_finish (result, &error))
    g_message ("the keyring did not keep the account password: %s", error->message);
}

/* Connecting again once a question is answered. */
static void
connect_again (SudaWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.connect", NULL);
}

/* The certificate the connection stopped at: trusting it pins it and
 * connects again.  A changed one is replaced only by its own button. */
static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   SudaWindow       *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "trust") != 0 && g_strcmp0 (response, "replace") != 0)
    return;
  if (!suda_connection_trust_rejected_certificate (suda_window_get_connection (self), &error))
    {
      _suda_window_show_error (self, error->message);
      return;
    }
  connect_again (self);
}

static void
ask_trust (SudaWindow *self,
           gboolean    changed)
{
  SudaConnection *connection = suda_window_get_connection (self);
  g_autofree char *about = describe_certificate (suda_connection_get_rejected_certificate (connection));
  g_autofree char *body = NULL;
  g_autofree char *trust = NULL;
  const char *host = suda_connection_get_host (connection);
  guint port = suda_connection_get_port (connection);
  AdwMessageDialog *dialog;

  if (changed)
    body = g_strdup_printf (_("The certificate of %s:%u is not the one you trusted before. Someone may be "
                              "pretending to be this server. Replace the trusted certificate only if the "
                              "server’s operator told you it changed.\n\n%s"), host, port, about);
  else
    body = g_strdup_printf (_("No authority this computer trusts vouches for the certificate of %s:%u. "
                              "If the server’s operator gave you its fingerprint, compare them before "
                              "trusting it.\n\n%s"), host, port, about);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       changed ? _("The Server’s Certificate Changed")
                                                               : _("Trust This Certificate?"),
                                                       body));
  adw_message_dialog_set_body_use_markup (dialog, FALSE);
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  if (changed)
    {
      adw_message_dialog_add_response (dialog, "replace", _("_Replace the Trusted Certificate"));
      adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
    }
  else
    {
      trust = g_strdup_printf (_("_Trust This Certificate for %s:%u"), host, port);
      adw_message_dialog_add_response (dialog, "trust", trust);
      adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_SUGGESTED);
    }
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
connection_error_cb (SudaConnection *connection,
                     const GError   *error,
                     SudaWindow     *self)
{
  if (connection != suda_window_get_connection (self) ||
      suda_connection_get_rejected_certificate (connection) == NULL)
    return;
  if (g_error_matches (error, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_CERTIFICATE_UNKNOWN))
    ask_trust (self, FALSE);
  else if (g_error_matches (error, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_CERTIFICATE_CHANGED))
    ask_trust (self, TRUE);
}

static void
cleartext_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       SudaWindow       *self)
{
  GtkCheckButton *remember = GTK_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog));
  const char *host = g_object_get_data (G_OBJECT (dialog), "host");

  if (g_strcmp0 (response, "send") != 0)
    return;
  if (gtk_check_button_get_active (remember))
    {
      g_auto(GStrv) hosts = g_settings_get_strv (self->settings, "cleartext-servers");
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) updated = NULL;

      g_strv_builder_addv (builder, (const char **) hosts);
      g_strv_builder_add (builder, host);
      updated = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, "cleartext-servers", (const char * const *) updated);
    }
  self->cleartext_confirmed = TRUE;
  connect_again (self);
}

static void
ask_cleartext (SudaWindow *self,
               const char *host)
{
  g_autofree char *body = g_strdup_printf (_("The connection to %s is not encrypted: anyone on the network "
                                             "between you and the server can read the password. Turn on "
                                             "“Secure connection (TLS)” if the server offers it."), host);
  AdwMessageDialog *dialog;
  GtkWidget *remember;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Send the Password Without Encryption?"), body));
  remember = gtk_check_button_new_with_mnemonic (_("_Remember for this server"));
  adw_message_dialog_set_extra_child (dialog, remember);
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, "send", _("_Send Without Encryption"));
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "host", g_strdup (host), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (cleartext_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Whether a password may go to HOST without TLS: the person said so
 * (now or before), or an STS policy will make the connection TLS anyway. */
static gboolean
cleartext_allowed (SudaWindow *self,
                   const char *host)
{
  g_auto(GStrv) hosts = g_settings_get_strv (self->settings, "cleartext-servers");
  SudaTrustStore *store = suda_connection_get_trust_store (suda_window_get_connection (self));

  if (self->cleartext_confirmed || g_strv_contains ((const char * const *) hosts, host))
    return TRUE;
  return suda_trust_store_lookup_sts (store, host, g_get_real_time () / G_USEC_PER_SEC) != 0;
}

gboolean
_suda_window_prepare_connect (SudaWindow *self,
                              const char *host,
                              const char *nick,
                              const char *password)
{
  SudaConnection *connection = suda_window_get_connection (self);
  gboolean tls = gtk_switch_get_active (self->tls_switch);
  g_autofree char *account = dup_account (self, nick);
  const char *account_password = gtk_editable_get_text (GTK_EDITABLE (self->account_password_entry));
  gboolean login = account != NULL && *account_password != '\0';
  gboolean allowed;

  g_settings_set_boolean (self->settings, "tls", tls);
  g_settings_set_string (self->settings, "account", gtk_editable_get_text (GTK_EDITABLE (self->account_entry)));
  g_settings_set_boolean (self->settings, "account-is-nickname",
                          gtk_check_button_get_active (self->account_nick_check));

  allowed = tls || cleartext_allowed (self, host);
  self->cleartext_confirmed = FALSE;
  if (!allowed && (*password != '\0' || login))
    {
      ask_cleartext (self, host);
      return FALSE;
    }
  suda_connection_set_tls (connection, tls);
  suda_connection_set_allow_cleartext (connection, allowed);
  suda_connection_set_account (connection, login ? account : NULL, login ? account_password : NULL);
  if (login)
    {
      g_autofree char *server = g_strdup_printf ("%s:%d", host, gtk_spin_button_get_value_as_int (self->port_spin));

      suda_secrets_store_async (server, account, account_password, NULL, stored_cb, NULL);
    }
  return TRUE;
}

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SudaWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = suda_secrets_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the window is gone */
  if (error != NULL)
    g_message ("the keyring did not answer: %s", error->message);
  /* What the person typed meanwhile wins. */
  if (password != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->account_password_entry)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->account_password_entry), password);
}

static void
lookup_password (SudaWindow *self)
{
  g_autofree char *host = g_settings_get_string (self->settings, "server");
  g_autofree char *nick = g_settings_get_string (self->settings, "nickname");
  g_autofree char *account = NULL;
  g_autofree char *server = NULL;

  account = g_settings_get_boolean (self->settings, "account-is-nickname")
            ? g_strdup (nick) : g_settings_get_string (self->settings, "account");
  if (*host == '\0' || account == NULL || *account == '\0')
    return;
  server = g_strdup_printf ("%s:%u", host, g_settings_get_uint (self->settings, "port"));
  suda_secrets_lookup_async (server, account, self->secrets_cancellable, looked_up_cb, self);
}

/* Once REGISTER succeeded the connection logs in to the new account: the
 * form and the keyring learn it too. */
static void
account_changed_cb (SudaConnection *connection,
                    GParamSpec     *pspec,
                    SudaWindow     *self)
{
  const char *account = suda_connection_get_account (connection);
  g_autofree char *password = g_steal_pointer (&self->registering_password);
  g_autofree char *server = NULL;

  if (password == NULL || account == NULL)
    return;
  server = g_strdup_printf ("%s:%u", suda_connection_get_host (connection), suda_connection_get_port (connection));
  gtk_check_button_set_active (self->account_nick_check, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->account_password_entry), password);
  g_settings_set_boolean (self->settings, "account-is-nickname", TRUE);
  suda_secrets_store_async (server, account, password, NULL, stored_cb, NULL);
}

static void
register_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      SudaWindow       *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  const char *password = gtk_editable_get_text (entry);
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "register") != 0)
    return;
  if (!suda_connection_register_account (suda_window_get_connection (self), password, &error))
    {
      _suda_window_show_error (self, error->message);
      return;
    }
  g_free (self->registering_password);
  self->registering_password = g_strdup (password);
}

static void
register_nick (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SudaWindow *self = SUDA_WINDOW (widget);
  SudaConnection *connection = suda_window_get_connection (self);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  body = g_strdup_printf (_("Create an account named “%s” on %s. From then on, this nickname is yours "
                            "once you log in with the password."),
                          suda_connection_get_nick (connection), suda_connection_get_host (connection));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Register This Nickname"), body));
  /* A plain entry: GTK 4.8's password entry warns when its window goes
   * while it has the focus. */
  entry = gtk_entry_new ();
  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("New password"));
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, "register", _("_Register"));
  adw_message_dialog_set_response_appearance (dialog, "register", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "register");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (register_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ircs:// turns the switch on, irc:// off; the address's port, filled in
 * after, wins over the switch's. */
void
suda_window_set_tls (SudaWindow *self,
                     gboolean    tls)
{
  g_return_if_fail (SUDA_IS_WINDOW (self));
  gtk_switch_set_active (self->tls_switch, tls);
}

void
_suda_window_tls_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.register-nick", NULL, register_nick);
  gtk_widget_class_bind_template_callback (widget_class, tls_switch_cb);
  gtk_widget_class_bind_template_callback (widget_class, account_name_sensitive);
}

/* The form starts from the settings (before the port is filled in, so
 * the switch does not move it) and the password from the keyring. */
void
_suda_window_tls_bind (SudaWindow *self)
{
  g_autofree char *account = g_settings_get_string (self->settings, "account");

  gtk_switch_set_active (self->tls_switch, g_settings_get_boolean (self->settings, "tls"));
  gtk_editable_set_text (GTK_EDITABLE (self->account_entry), account);
  gtk_check_button_set_active (self->account_nick_check,
                               g_settings_get_boolean (self->settings, "account-is-nickname"));
  update_lock (self);
  self->secrets_cancellable = g_cancellable_new ();
  lookup_password (self);
}

/* Each server of the window: the lock and the questions follow the shown
 * one, which the callbacks check. */
void
_suda_window_tls_watch (SudaWindow     *self,
                        SudaConnection *connection)
{
  g_signal_connect (connection, "error", G_CALLBACK (connection_error_cb), self);
  g_signal_connect (connection, "notify::certificate", G_CALLBACK (connection_changed_cb), self);
  g_signal_connect (connection, "notify::state", G_CALLBACK (connection_changed_cb), self);
  g_signal_connect (connection, "notify::account", G_CALLBACK (account_changed_cb), self);
}

/* Another server shown. */
void
_suda_window_tls_update (SudaWindow *self)
{
  update_lock (self);
}

void
_suda_window_tls_dispose (SudaWindow *self)
{
  if (self->secrets_cancellable != NULL)
    g_cancellable_cancel (self->secrets_cancellable);
  g_clear_object (&self->secrets_cancellable);
  g_clear_pointer (&self->registering_password, g_free);
}
