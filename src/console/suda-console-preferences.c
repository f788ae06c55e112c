/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-assistant.h"
#include "suda-console-a11y.h"
#include "suda-console-file-chooser.h"
#include "suda-console-preferences.h"
#include "suda-console-window.h"

/* The combo's items, in order; the protocol names, so not translated. */
static const char * const token_fields[] = { "max_completion_tokens", "max_tokens", NULL };

/* GSettings key → [ai] key of the server's configuration. */
static const struct {
  const char *setting;
  const char *config_key;
} ai_keys[] = {
  { "ai-base-url", "base-url" },
  { "ai-model", "model" },
  { "ai-key-file", "api-key-file" },
  { "ai-token-field", "token-field" },
};

struct _SudaConsolePreferences
{
  AdwPreferencesWindow  parent_instance;

  AdwEntryRow          *base_url_row;
  AdwEntryRow          *model_row;
  AdwActionRow         *key_file_row;
  AdwComboRow          *token_field_row;
  AdwActionRow         *status_row;
  GtkImage             *status_icon;
  GtkSpinButton        *tls_port_spin;
  AdwActionRow         *tls_certificate_row;
  AdwActionRow         *tls_key_row;
  GtkSwitch            *tls_only_switch;
  GtkSwitch            *share_files_switch;

  GSettings            *settings;
  GtkFileChooserNative *chooser;
  const char           *chooser_key;  /* the GSettings key the chosen file goes to */
};

G_DEFINE_FINAL_TYPE (SudaConsolePreferences, suda_console_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* Only what is set goes in, so an emptied field means the server's default.
 * Each value passes through the server's own config reader, so the window
 * and the server reject the same values with the same words. */
gboolean
_suda_console_ai_apply_config (GSettings         *settings,
                               SudaServerConfig  *config,
                               GError           **error)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (ai_keys); i++)
    {
      g_autofree char *value = g_settings_get_string (settings, ai_keys[i].setting);

      g_strstrip (value);
      if (*value != '\0' &&
          !suda_server_config_set_value (config, "ai", ai_keys[i].config_key, value, error))
        return FALSE;
    }
  return TRUE;
}

/* [tls] from the tls-* keys; an empty certificate means the server makes
 * a self-signed one in its state folder when the port is on. */
gboolean
_suda_console_tls_apply_config (GSettings         *settings,
                                SudaServerConfig  *config,
                                GError           **error)
{
  g_autofree char *port = g_strdup_printf ("%d", g_settings_get_int (settings, "tls-port"));
  g_autofree char *certificate = g_settings_get_string (settings, "tls-certificate");
  g_autofree char *key = g_settings_get_string (settings, "tls-key");

  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (!suda_server_config_set_value (config, "tls", "port", port, error))
    return FALSE;
  if (*certificate != '\0' &&
      !suda_server_config_set_value (config, "tls", "certificate", certificate, error))
    return FALSE;
  if (*key != '\0' && !suda_server_config_set_value (config, "tls", "key", key, error))
    return FALSE;
  /* never both ports off */
  return g_settings_get_int (settings, "tls-port") == 0 || !g_settings_get_boolean (settings, "tls-only") ||
         suda_server_config_set_value (config, "tls", "plain", "false", error);
}

/* What the console serves unless its --config file says otherwise: the
 * daemon keeps each of these off, the teacher's laptop wants them on. */
void
_suda_console_config_set_defaults (SudaServerConfig *config)
{
  g_return_if_fail (config != NULL);

  suda_server_config_set_value (config, "web", "port", SUDA_CONSOLE_WEB_PORT, NULL);
  /* a class finds the console's chat by name on the local network */
  suda_server_config_set_value (config, "server", "announce", "true", NULL);
  /* a free port, so sharing never stops the chat from starting */
  suda_server_config_set_value (config, "files", "port", "auto", NULL);
}

/* "Share files" off turns [files] off whatever the default or the file
 * says; on leaves the port to them. */
void
_suda_console_files_apply_config (GSettings        *settings,
                                  SudaServerConfig *config)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (config != NULL);

  if (!g_settings_get_boolean (settings, "share-files"))
    suda_server_config_set_value (config, "files", "port", "0", NULL);
}

/* Asks the server's own reading of [ai], so the window and the service
 * user never disagree about whether !search will work. */
char *
_suda_console_ai_dup_status (GSettings *settings,
                             gboolean  *out_ready)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaAssistant) assistant = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ready = FALSE;
  char *status;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  if (_suda_console_ai_apply_config (settings, config, &error))
    assistant = suda_assistant_new (&config->ai);
  if (assistant == NULL)
    status = g_strdup_printf (_("AI search will not work: %s"), error->message);
  else if (!suda_assistant_is_configured (assistant))
    status = g_strdup (_("AI search is not set up: choose an API key file, set OPENAI_API_KEY, "
                         "or use a server on this computer."));
  else
    {
      /* the host is what tells OpenAI from a server down the hall */
      g_autoptr(GUri) uri = g_uri_parse (suda_assistant_get_base_url (assistant), G_URI_FLAGS_NONE, NULL);
      g_autofree char *where = NULL;

      if (uri != NULL && g_uri_get_port (uri) > 0)
        where = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
      else
        where = g_strdup (uri != NULL ? g_uri_get_host (uri) : suda_assistant_get_base_url (assistant));
      ready = TRUE;
      status = g_strdup_printf (_("AI search is set up: %s at %s."),
                                suda_assistant_get_model (assistant), where);
    }

  if (out_ready != NULL)
    *out_ready = ready;
  return status;
}

static void
update_status (SudaConsolePreferences *self)
{
  gboolean ready;
  g_autofree char *status = _suda_console_ai_dup_status (self->settings, &ready);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), status);
  gtk_image_set_from_icon_name (self->status_icon,
                                ready ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  if (ready)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "success");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "warning");
    }
}

static void
settings_changed_cb (SudaConsolePreferences *self,
                     const char             *key)
{
  if (g_str_has_prefix (key, "ai-"))
    update_status (self);
  if (g_str_equal (key, "ai-key-file"))
    {
      g_autofree char *path = g_settings_get_string (self->settings, "ai-key-file");

      gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.clear-key-file", *path != '\0');
    }
}

static gboolean
key_file_to_subtitle (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  const char *path = g_variant_get_string (variant, NULL);

  if (*path == '\0')
    g_value_set_string (value, _("None: the key comes from OPENAI_API_KEY if it is set"));
  else
    g_value_take_string (value, g_filename_display_name (path));
  return TRUE;
}

static gboolean
tls_file_to_subtitle (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  const char *path = g_variant_get_string (variant, NULL);

  if (*path != '\0')
    g_value_take_string (value, g_filename_display_name (path));
  else
    g_value_set_string (value, g_str_equal (user_data, "tls-key")
                               ? _("None: the key is in the certificate file")
                               : _("None: a self-signed certificate made by the server"));
  return TRUE;
}

static gboolean
token_field_to_selected (GValue   *value,
                         GVariant *variant,
                         gpointer  user_data)
{
  const char *field = g_variant_get_string (variant, NULL);

  for (guint i = 0; token_fields[i] != NULL; i++)
    if (g_str_equal (field, token_fields[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
selected_to_token_field (const GValue       *value,
                         const GVariantType *expected_type,
                         gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) token_fields))
    return NULL;
  return g_variant_new_string (token_fields[selected]);
}

static void
chooser_response_cb (SudaConsolePreferences *self,
                     int                     response,
                     GtkFileChooserNative   *chooser)
{
  g_autoptr(GFile) chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  _suda_console_file_chooser_store_path (self->settings, self->chooser_key, response, chosen);
  g_clear_object (&self->chooser);
}

/* One chooser at a time, for the file named by the GSettings KEY */
static void
choose_file (SudaConsolePreferences *self,
             const char             *key,
             const char             *title)
{
  g_autofree char *path = g_settings_get_string (self->settings, key);

  if (self->chooser != NULL)
    return;
  self->chooser_key = key;
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (*path != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), file, NULL);
    }
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
choose_key_file_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  choose_file (SUDA_CONSOLE_PREFERENCES (widget), "ai-key-file", _("API Key File"));
}

static void
choose_tls_certificate_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  choose_file (SUDA_CONSOLE_PREFERENCES (widget), "tls-certificate", _("TLS Certificate"));
}

static void
choose_tls_key_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  choose_file (SUDA_CONSOLE_PREFERENCES (widget), "tls-key", _("TLS Private Key"));
}

/* The server makes the certificate itself when TLS is on without one: the
 * button only turns TLS on (6697 unless a port is chosen) with no files. */
static void
self_signed_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SudaConsolePreferences *self = SUDA_CONSOLE_PREFERENCES (widget);

  if (g_settings_get_int (self->settings, "tls-port") == 0)
    g_settings_set_int (self->settings, "tls-port", 6697);
  g_settings_reset (self->settings, "tls-certificate");
  g_settings_reset (self->settings, "tls-key");
}

static void
clear_key_file_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  g_settings_reset (SUDA_CONSOLE_PREFERENCES (widget)->settings, "ai-key-file");
}

static void
suda_console_preferences_dispose (GObject *object)
{
  SudaConsolePreferences *self = SUDA_CONSOLE_PREFERENCES (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_CONSOLE_PREFERENCES);

  G_OBJECT_CLASS (suda_console_preferences_parent_class)->dispose (object);
}

static void
suda_console_preferences_class_init (SudaConsolePreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_console_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Server/suda-console-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, base_url_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, model_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, key_file_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, token_field_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, status_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, status_icon);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, tls_port_spin);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, tls_certificate_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, tls_key_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, tls_only_switch);
  gtk_widget_class_bind_template_child (widget_class, SudaConsolePreferences, share_files_switch);
  /* not kept: only looked up by name, so tests can press it */
  gtk_widget_class_bind_template_child_full (widget_class, "key_file_clear_button", FALSE, 0);

  gtk_widget_class_install_action (widget_class, "prefs.choose-key-file", NULL, choose_key_file_action);
  gtk_widget_class_install_action (widget_class, "prefs.clear-key-file", NULL, clear_key_file_action);
  gtk_widget_class_install_action (widget_class, "prefs.choose-tls-certificate", NULL,
                                   choose_tls_certificate_action);
  gtk_widget_class_install_action (widget_class, "prefs.choose-tls-key", NULL, choose_tls_key_action);
  gtk_widget_class_install_action (widget_class, "prefs.self-signed", NULL, self_signed_action);
}

static void
suda_console_preferences_init (SudaConsolePreferences *self)
{
  g_autoptr(GtkStringList) fields = gtk_string_list_new ((const char * const *) token_fields);

  gtk_widget_init_template (GTK_WIDGET (self));
  suda_console_name_row_buttons (GTK_WIDGET (self));
  adw_combo_row_set_model (self->token_field_row, G_LIST_MODEL (fields));

  self->settings = g_settings_new ("chat.suda.Server");
  g_settings_bind (self->settings, "ai-base-url", self->base_url_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "ai-model", self->model_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "ai-key-file", self->key_file_row, "subtitle",
                                G_SETTINGS_BIND_GET, key_file_to_subtitle, NULL, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "ai-token-field", self->token_field_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, token_field_to_selected,
                                selected_to_token_field, NULL, NULL);
  g_settings_bind (self->settings, "tls-port", self->tls_port_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "tls-only", self->tls_only_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "share-files", self->share_files_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "tls-certificate", self->tls_certificate_row, "subtitle",
                                G_SETTINGS_BIND_GET, tls_file_to_subtitle, NULL, (gpointer) "tls-certificate", NULL);
  g_settings_bind_with_mapping (self->settings, "tls-key", self->tls_key_row, "subtitle",
                                G_SETTINGS_BIND_GET, tls_file_to_subtitle, NULL, (gpointer) "tls-key", NULL);
  g_signal_connect_swapped (self->settings, "changed", G_CALLBACK (settings_changed_cb), self);

  settings_changed_cb (self, "ai-key-file");
}

SudaConsolePreferences *
suda_console_preferences_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (SUDA_TYPE_CONSOLE_PREFERENCES,
                       "transient-for", parent,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       NULL);
}
