/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include <glib/gi18n-lib.h>

#include "suda-console-a11y.h"
#include "suda-console-file-chooser.h"
#include "suda-console-join-window.h"
#include "suda-console-preferences.h"
#include "suda-console-window-private.h"
#include "suda-log-cells.h"
#include "suda-log-row.h"
#include "suda-log-viewer-window.h"

G_DEFINE_FINAL_TYPE (SudaConsoleWindow, suda_console_window, ADW_TYPE_APPLICATION_WINDOW)

char *
_suda_console_format_moment (GDateTime *moment)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (moment);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M:%S");
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* The first non-loopback IPv4 address of an interface that is up: what a
 * student on the classroom's network can reach.  The host name otherwise. */
static char *
dup_lan_address (void)
{
  struct ifaddrs *list = NULL;
  char *found = NULL;

  if (getifaddrs (&list) == 0)
    {
      for (struct ifaddrs *it = list; it != NULL && found == NULL; it = it->ifa_next)
        {
          g_autoptr(GInetAddress) inet = NULL;

          if (it->ifa_addr == NULL || it->ifa_addr->sa_family != AF_INET ||
              (it->ifa_flags & IFF_UP) == 0 || (it->ifa_flags & IFF_LOOPBACK) != 0)
            continue;
          inet = g_inet_address_new_from_bytes (
            (const guint8 *) &((struct sockaddr_in *) it->ifa_addr)->sin_addr, G_SOCKET_FAMILY_IPV4);
          if (!g_inet_address_get_is_loopback (inet))
            found = g_inet_address_to_string (inet);
        }
      freeifaddrs (list);
    }
  return found ? found : g_strdup (g_get_host_name ());
}

/* The server says 0.0.0.0 (or ::) when it listens on every interface, an
 * address no browser can open: the machine's LAN address stands in. */
char *
_suda_console_dup_page_url (const char *url)
{
  g_autoptr(GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host = uri ? g_uri_get_host (uri) : NULL;
  g_autofree char *lan = NULL;

  if (host == NULL || (strcmp (host, "0.0.0.0") != 0 && strcmp (host, "::") != 0))
    return g_strdup (url);
  lan = dup_lan_address ();
  return g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, lan, g_uri_get_port (uri),
                     g_uri_get_path (uri), NULL, NULL);
}

/* NULL when stopped or the page is off */
char *
_suda_console_window_dup_page_url (SudaConsoleWindow *self)
{
  return _suda_console_dup_page_url (suda_server_host_get_web_url (self->host));
}

static void
update_web_address (SudaConsoleWindow *self)
{
  g_autofree char *url = _suda_console_window_dup_page_url (self);
  g_autofree char *text = NULL;

  gtk_widget_set_visible (self->web_box, url != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-web-address", url != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-web-code", url != NULL);
  if (url == NULL)
    return;
  text = g_strdup_printf (_("Web page: %s"), url);
  gtk_label_set_text (self->web_label, text);
}

/* The address as a QR code, for a class to scan off the projector. */
static void
show_web_code_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (widget);
  g_autofree char *url = _suda_console_window_dup_page_url (self);
  g_autoptr(GError) error = NULL;
  SudaConsoleJoinWindow *join;

  if (url == NULL)
    return;
  join = suda_console_join_window_new (GTK_WINDOW (self), url, &error);
  if (join == NULL)
    {
      _suda_console_window_toast (self, error->message);
      return;
    }
  suda_console_join_window_add_invites (join, suda_server_host_get_config (self->host),
                                        suda_server_host_get_port (self->host),
                                        suda_server_host_get_config (self->host)->tls_port);
  gtk_window_present (GTK_WINDOW (join));
}

static void
update_tls_fingerprint (SudaConsoleWindow *self)
{
  const char *fingerprint = suda_server_host_get_tls_fingerprint (self->host);

  gtk_widget_set_visible (self->tls_box, fingerprint != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-tls-fingerprint", fingerprint != NULL);
  if (fingerprint != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("TLS on port %u, certificate SHA-256: %s"),
                                               (guint) suda_server_host_get_config (self->host)->tls_port, fingerprint);

      gtk_label_set_text (self->tls_label, text);
    }
}

static void
copy_tls_fingerprint_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (widget);
  const char *fingerprint = suda_server_host_get_tls_fingerprint (self->host);

  if (fingerprint == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), fingerprint);
  _suda_console_window_toast (self, _("Certificate fingerprint copied"));
}

static void
copy_web_address_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (widget);
  g_autofree char *url = _suda_console_window_dup_page_url (self);

  if (url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), url);
  _suda_console_window_toast (self, _("Web page address copied"));
}

gboolean
_suda_console_window_is_running (SudaConsoleWindow *self)
{
  return suda_server_host_get_running (self->host);
}

SudaUserRow *
_suda_console_window_selected_user (SudaConsoleWindow *self)
{
  return gtk_single_selection_get_selected_item (self->users_selection);
}

void
_suda_console_window_update_state (SudaConsoleWindow *self)
{
  gboolean running = _suda_console_window_is_running (self);
  gboolean starting = suda_server_host_get_starting (self->host);
  guint n_users = running ? suda_server_host_get_n_users (self->host) : 0;
  g_autofree char *users = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start", !running && !starting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.kick-selected",
                                 running && _suda_console_window_selected_user (self) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.disconnect-selected",
                                 running && _suda_console_window_selected_user (self) != NULL);
  /* what the server was started with cannot change under it */
  gtk_widget_set_sensitive (self->settings_group, !running && !starting);

  if (running)
    {
      g_autofree char *since = _suda_console_format_moment (suda_server_host_get_started_at (self->host));
      g_autofree char *status = NULL;
      g_autofree char *tls_only = NULL;
      const char *address = suda_server_host_get_address (self->host);

      /* no clear-text port ([tls] plain=false): the TLS port is the address */
      if (address == NULL)
        address = tls_only = g_strdup_printf (_("TLS port %u"),
                                              (guint) suda_server_host_get_config (self->host)->tls_port);
      status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Listening on %s since %s · %u user",
                                             "Listening on %s since %s · %u users", n_users),
                                address, since, n_users);
      gtk_label_set_text (self->status_label, status);
    }
  else
    gtk_label_set_text (self->status_label, starting ? _("Starting…") : _("Stopped"));
  update_web_address (self);
  update_tls_fingerprint (self);
  /* Shown while it lasts: the server retries and says when it recovers. */
  gtk_widget_set_visible (GTK_WIDGET (self->log_failing_label),
                          running && suda_server_host_get_log_failing (self->host));

  users = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u user connected",
                                        "%u users connected", n_users), n_users);
  gtk_label_set_text (self->users_label, users);
}

static void
show_error (SudaConsoleWindow *self,
            const char        *text)
{
  gtk_label_set_text (self->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

void
_suda_console_window_toast (SudaConsoleWindow *self,
       const char        *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* The live log ------------------------------------------------------------- */

static const char *
selected_event (GtkDropDown *dropdown)
{
  const char * const *events = _suda_log_cells_get_events ();
  guint selected = gtk_drop_down_get_selected (dropdown);

  /* item 0 is "every event" */
  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
      selected > g_strv_length ((char **) events))
    return NULL;
  return events[selected - 1];
}

static gboolean
folded_contains (const char *text,
                 const char *needle)
{
  g_autofree char *folded = NULL;

  if (text == NULL)
    return FALSE;
  folded = g_utf8_casefold (text, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
log_filter_func (gpointer item,
                 gpointer user_data)
{
  SudaConsoleWindow *self = user_data;
  SudaLogEntry *entry = suda_log_row_get_entry (item);
  const char *event = selected_event (self->log_event_dropdown);

  if (event != NULL && g_strcmp0 (suda_log_entry_get_event (entry), event) != 0)
    return FALSE;
  if (self->log_needle == NULL)
    return TRUE;
  return folded_contains (suda_log_entry_get_text (entry), self->log_needle) ||
         folded_contains (suda_log_entry_get_nick (entry), self->log_needle) ||
         folded_contains (suda_log_entry_get_channel (entry), self->log_needle) ||
         folded_contains (suda_log_entry_get_field (entry, "target"), self->log_needle);
}

/* With nothing to look for, the filter matches all, and the filter model
 * passes each batch through without looking at its rows. */
static void
log_filter_changed_cb (SudaConsoleWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->log_search));

  if (self->log_filter == NULL)
    return;
  g_clear_pointer (&self->log_needle, g_free);
  if (*text != '\0')
    self->log_needle = g_utf8_casefold (text, -1);
  if (self->log_needle == NULL && selected_event (self->log_event_dropdown) == NULL)
    gtk_custom_filter_set_filter_func (self->log_filter, NULL, NULL, NULL);
  else
    gtk_custom_filter_set_filter_func (self->log_filter, log_filter_func, self, NULL);
}

static void
update_older_bar (SudaConsoleWindow *self)
{
  guint64 total = suda_live_log_get_n_total (self->live_log);
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->live_log));
  g_autofree char *text = NULL;

  gtk_widget_set_visible (self->log_older_bar, total > shown);
  if (total <= shown)
    return;
  /* the bound, not the count: a text that changed with every batch would
   * lay this label out again each time */
  shown = suda_live_log_get_max_rows (self->live_log);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Only the newest events are shown here, %u at most. "
                                       "Older lines are in the log file.",
                                       "Only the newest events are shown here, %u at most. "
                                       "Older lines are in the log file.",
                                       shown), shown);
  gtk_label_set_text (self->log_older_label, text);
}

/* This thread's CPU time: what drawing costs the console, which a wall
 * clock would overstate on a busy machine (it counts the waits for the X
 * server and for a core). */
static gint64
thread_cpu_usec (void)
{
  struct timespec now;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now) != 0)
    return g_get_monotonic_time ();
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* One batch a frame from the server thread, however busy the server. */
static void
host_log_batch_cb (SudaServerHost    *host,
                   GPtrArray         *entries,
                   guint64            n_skipped,
                   SudaConsoleWindow *self)
{
  gint64 started = thread_cpu_usec ();

  /* the last batch's cost is known now: its model change and every frame
   * drawn since (a batch may take more than one) */
  if (self->batch_took > 0)
    {
      self->frame_cost = (3 * self->frame_cost + self->batch_took) / 4;
      suda_server_host_set_draw_cost (self->host, self->frame_cost);
    }
  suda_live_log_append (self->live_log, (SudaLogEntry **) entries->pdata, entries->len, n_skipped);
  update_older_bar (self);
  self->batch_took = thread_cpu_usec () - started;
  self->batch_frames = 0;
}

/* The live log's page hidden or the window not shown: nothing to draw, so
 * the host keeps the entries until the log shows again. */
static void
log_view_map_changed_cb (SudaConsoleWindow *self)
{
  if (self->host != NULL)
    suda_server_host_set_log_paused (self->host, !gtk_widget_get_mapped (GTK_WIDGET (self->log_view)));
}

/* The server --------------------------------------------------------------- */

static void
server_changed_cb (SudaConsoleWindow *self)
{
  _suda_console_window_update_state (self);
}

static void
connect_host (SudaConsoleWindow *self)
{
  self->host = suda_server_host_new (SUDA_CONSOLE_LIVE_LOG_ROWS);
  g_signal_connect (self->host, "log-batch", G_CALLBACK (host_log_batch_cb), self);
  g_signal_connect_swapped (self->host, "notify::running", G_CALLBACK (server_changed_cb), self);
  g_signal_connect_swapped (self->host, "notify::log-failing", G_CALLBACK (server_changed_cb), self);
  g_signal_connect_swapped (self->host, "notify::n-users", G_CALLBACK (server_changed_cb), self);
  g_signal_connect_swapped (self->host, "notify::tls-fingerprint", G_CALLBACK (server_changed_cb), self);
}

static char *
dup_default_log_path (void)
{
  g_autoptr(SudaServerConfig) defaults = suda_server_config_new ();

  return suda_server_config_dup_log_path (defaults);
}

static char *
dup_log_path (SudaConsoleWindow *self)
{
  g_autofree char *chosen = g_settings_get_string (self->settings, "log-file");

  return *chosen != '\0' ? g_steal_pointer (&chosen) : dup_default_log_path ();
}

/* The Accounts page -------------------------------------------------------- */

/* The store the server opens: `[accounts] file=` of the configuration,
 * else accounts.sqlite in the state folder (the log's folder unless the
 * configuration names another).  The server has its own connection on its
 * thread; SQLite's WAL lets the two share the file. */
static char *
dup_accounts_path (SudaConsoleWindow *self)
{
  g_autoptr(SudaServerConfig) config = self->base_config ? suda_server_config_copy (self->base_config)
                                                         : suda_server_config_new ();
  g_autofree char *path = NULL;
  g_autofree char *folder = NULL;

  g_free (config->log_path);
  config->log_path = dup_log_path (self);
  path = suda_server_config_dup_accounts_path (config);
  folder = g_path_get_dirname (path);
  g_mkdir_with_parents (folder, 0700);
  return g_steal_pointer (&path);
}

/* Opened when first shown: a console that never shows the page never
 * creates the file. */
static void
accounts_page_mapped_cb (SudaConsoleWindow *self)
{
  SudaConsoleAccounts *accounts = SUDA_CONSOLE_ACCOUNTS (self->accounts_page);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (suda_console_accounts_get_path (accounts) != NULL)
    return;
  path = dup_accounts_path (self);
  if (!suda_console_accounts_open (accounts, path, &error))
    g_debug ("Cannot open the account store %s: %s", path, error->message);
}

static char *
dup_field (AdwEntryRow *row)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  g_strstrip (text);
  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

static SudaServerConfig *
config_from_fields (SudaConsoleWindow  *self,
                    GError            **error)
{
  SudaServerConfig *config = self->base_config ? suda_server_config_copy (self->base_config)
                                               : suda_server_config_new ();
  g_autofree char *name = dup_field (self->name_row);

  /* a --config file has had its say on [web] already (see the application) */
  if (self->base_config == NULL)
    {
      _suda_console_config_set_defaults (config);
      /* 8080, or a free port when another program has it */
      suda_server_config_set_value (config, "web", "port-fallback", "true", NULL);
    }
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  /* a number typed but not yet confirmed with Enter still counts */
  gtk_spin_button_update (self->port_spin);
  gtk_spin_button_update (self->max_clients_spin);

  g_free (config->listen_address);
  config->listen_address = dup_field (self->address_row);
  config->port = gtk_spin_button_get_value_as_int (self->port_spin);
  config->max_clients = gtk_spin_button_get_value_as_int (self->max_clients_spin);
  if (name != NULL)
    {
      g_free (config->server_name);
      config->server_name = g_steal_pointer (&name);
    }
  g_free (config->password);
  config->password = *password != '\0' ? g_strdup (password) : NULL;
  g_free (config->log_path);
  config->log_path = dup_log_path (self);
  _suda_console_files_apply_config (self->settings, config);
  /* the service user reads its AI settings from the [ai] group */
  if (!_suda_console_ai_apply_config (self->settings, config, error) ||
      !_suda_console_tls_apply_config (self->settings, config, error))
    g_clear_pointer (&config, suda_server_config_free);
  return config;
}

/* Says in words why listening failed, since the person at the window can
 * act on "the port is taken" but not on an errno. */
static char *
describe_start_error (const SudaServerConfig *config,
                      const GError           *error)
{
  const char *address = config->listen_address;

  if (g_error_matches (error, SUDA_SERVER_ERROR, SUDA_SERVER_ERROR_WEB_PORT_IN_USE))
    return g_strdup_printf (_("Port %d, for the web page, is already in use by another program. "
                              "Stop that program or set another [web] port in the --config file."),
                            config->web.port);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    return g_strdup_printf (_("Port %u is already in use by another program. "
                              "Stop that program or choose another port."), config->port);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    {
      if (config->port != 0 && config->port < 1024)
        return g_strdup (_("Ports below 1024 need administrator rights. "
                           "Choose port 1024 or above, such as 6667."));
      return g_strdup_printf (_("The system does not allow listening on port %u."), config->port);
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) && address != NULL)
    return g_strdup_printf (_("“%s” is not an IP address. Enter one such as 192.168.0.10, "
                              "or leave the field empty."), address);
  if (address != NULL && strstr (error->message, g_strerror (EADDRNOTAVAIL)) != NULL)
    return g_strdup_printf (_("%s is not an address of this computer. Leave the field empty "
                              "to listen on every interface, or enter one of this computer’s "
                              "addresses."), address);
  return g_strdup_printf (_("The server could not start: %s"), error->message);
}

/* The window may be gone by the time the server thread answers. */
static void
started_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GWeakRef *weak = data;
  g_autoptr(SudaConsoleWindow) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  SudaServerConfig *config = g_task_get_task_data (G_TASK (result));

  g_weak_ref_clear (weak);
  g_free (weak);

  if (!suda_server_host_start_finish (SUDA_SERVER_HOST (source), result, &error) && self != NULL)
    {
      g_autofree char *why = describe_start_error (config, error);

      g_debug ("Could not start the server: %s", error->message);
      show_error (self, why);
    }
  else if (self != NULL)
    show_error (self, NULL);
  if (self != NULL)
    _suda_console_window_update_state (self);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (widget);
  g_autoptr(SudaServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  GWeakRef *weak;

  if (_suda_console_window_is_running (self) || suda_server_host_get_starting (self->host))
    return;
  config = config_from_fields (self, &error);
  if (config == NULL)
    {
      show_error (self, error->message);
      return;
    }
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  suda_server_host_start_async (self->host, config, NULL, started_cb, weak);
  _suda_console_window_update_state (self);
}

/* Returns at once: the server thread tells its clients and lets the port
 * go, and the window hears "running" turn FALSE when that is done. */
static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (widget);

  if (_suda_console_window_is_running (self))
    suda_server_host_stop (self->host, _("The server is shutting down"));
  _suda_console_window_update_state (self);
}

/* The log file ------------------------------------------------------------- */

static void
update_log_row (SudaConsoleWindow *self)
{
  g_autofree char *chosen = g_settings_get_string (self->settings, "log-file");
  g_autofree char *path = dup_log_path (self);
  g_autofree char *display = g_filename_display_name (path);

  if (*chosen == '\0')
    {
      g_autofree char *subtitle = g_strdup_printf (_("%s (default)"), display);

      adw_action_row_set_subtitle (self->log_row, subtitle);
    }
  else
    adw_action_row_set_subtitle (self->log_row, display);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reset-log-file", *chosen != '\0');
}

static void
chooser_response_cb (SudaConsoleWindow    *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  _suda_console_file_chooser_store_path (self->settings, "log-file", response, chosen);
  g_clear_object (&self->chooser);
}

static void
choose_log_file_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (widget);
  g_autofree char *path = dup_log_path (self);
  g_autofree char *folder_path = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(GFile) folder = g_file_new_for_path (folder_path);

  if (self->chooser != NULL)
    return;
  /* a save dialog, because the log may not exist yet; the server appends */
  self->chooser = gtk_file_chooser_native_new (_("Log File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Select"), _("_Cancel"));
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
reset_log_file_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  g_settings_reset (SUDA_CONSOLE_WINDOW (widget)->settings, "log-file");
}

static void
view_server_log_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (widget);
  const SudaServerConfig *running = suda_server_host_get_config (self->host);
  g_autofree char *path = running ? suda_server_config_dup_log_path (running) : NULL;
  g_autoptr(GFile) file = NULL;
  SudaLogViewerWindow *viewer;

  if (path == NULL || *path == '\0')
    {
      g_free (path);
      path = dup_log_path (self);
    }
  file = g_file_new_for_path (path);
  viewer = suda_log_viewer_window_new (gtk_window_get_application (GTK_WINDOW (self)));
  if (suda_log_viewer_window_open (viewer, file))
    g_object_set (viewer, "following", TRUE, NULL);
  gtk_window_present (GTK_WINDOW (viewer));
}

/* Preferences -------------------------------------------------------------- */

static void
update_ai_label (SudaConsoleWindow *self)
{
  g_autofree char *status = _suda_console_ai_dup_status (self->settings, NULL);

  gtk_label_set_text (self->ai_label, status);
}

static void
settings_changed_cb (SudaConsoleWindow *self,
                     const char        *key)
{
  if (g_str_has_prefix (key, "ai-"))
    update_ai_label (self);
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (widget);

  if (self->preferences == NULL)
    {
      self->preferences = GTK_WIDGET (suda_console_preferences_new (GTK_WINDOW (self)));
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
    }
  gtk_window_present (GTK_WINDOW (self->preferences));
}

/* Closing ------------------------------------------------------------------ */

static void
close_response_cb (AdwMessageDialog  *dialog,
                   const char        *response,
                   SudaConsoleWindow *self)
{
  if (!g_str_equal (response, "stop"))
    return;
  if (_suda_console_window_is_running (self))
    suda_server_host_stop (self->host, _("The server is shutting down"));
  self->close_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
suda_console_window_close_request (GtkWindow *window)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  if (_suda_console_window_is_running (self) && !self->close_confirmed)
    {
      guint n = suda_server_host_get_n_users (self->host);
      g_autofree char *body = NULL;
      GtkWidget *dialog;

      if (n == 0)
        body = g_strdup (_("Nobody is connected now. Closing this window stops the server."));
      else
        body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
          "%u user is connected. Closing this window stops the server and disconnects everyone.",
          "%u users are connected. Closing this window stops the server and disconnects everyone.",
          n), n);
      dialog = adw_message_dialog_new (window, _("Stop the Server?"), body);

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "cancel", _("_Keep Running"),
                                        "stop", _("_Stop and Close"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_signal_connect (dialog, "response", G_CALLBACK (close_response_cb), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }
  return GTK_WINDOW_CLASS (suda_console_window_parent_class)->close_request (window);
}

/* Drawing ------------------------------------------------------------------ */

static void
frame_before_paint_cb (GdkFrameClock     *clock,
                       SudaConsoleWindow *self)
{
  self->frame_started = thread_cpu_usec ();
}

/* The host spaces the live log's batches by what one costs here: taking
 * it into the model, then the frames that show it (the first few after
 * it: later ones are the person's own, scrolling or typing). */
static void
frame_after_paint_cb (GdkFrameClock     *clock,
                      SudaConsoleWindow *self)
{
  gint64 took;

  if (self->frame_started == 0)
    return;
  took = thread_cpu_usec () - self->frame_started;
  self->frame_started = 0;
  if (self->batch_took > 0 && self->batch_frames++ < 4)
    self->batch_took += took;
}

static void
suda_console_window_realize (GtkWidget *widget)
{
  GdkFrameClock *clock;

  GTK_WIDGET_CLASS (suda_console_window_parent_class)->realize (widget);
  clock = gtk_widget_get_frame_clock (widget);
  g_signal_connect (clock, "before-paint", G_CALLBACK (frame_before_paint_cb), widget);
  g_signal_connect (clock, "after-paint", G_CALLBACK (frame_after_paint_cb), widget);
}

static void
suda_console_window_unrealize (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  /* by function: GTK connects its own handlers with the window as data */
  g_signal_handlers_disconnect_by_func (clock, frame_before_paint_cb, widget);
  g_signal_handlers_disconnect_by_func (clock, frame_after_paint_cb, widget);
  GTK_WIDGET_CLASS (suda_console_window_parent_class)->unrealize (widget);
}

/* Setup -------------------------------------------------------------------- */

static void
stopped_cb (SudaServerHost *host,
            GParamSpec     *pspec,
            GApplication   *app)
{
  if (suda_server_host_get_running (host))
    return;
  g_signal_handlers_disconnect_by_data (host, app);
  g_application_release (app);
  g_object_unref (host);
}

/* The window goes at once; its server, stopping on its thread, keeps the
 * application alive until its clients have had their last words. */
static void
keep_until_stopped (SudaServerHost *host)
{
  GApplication *app = g_application_get_default ();

  if (app == NULL || !suda_server_host_get_running (host))
    {
      g_object_unref (host);
      return;
    }
  g_application_hold (app);
  g_signal_connect (host, "notify::running", G_CALLBACK (stopped_cb), app);
}

static void
suda_console_window_dispose (GObject *object)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->preferences != NULL)
    {
      GtkWidget *preferences = self->preferences;

      g_object_remove_weak_pointer (G_OBJECT (preferences), (gpointer *) &self->preferences);
      self->preferences = NULL;
      gtk_window_destroy (GTK_WINDOW (preferences));
    }
  if (self->host != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->host, self);
      suda_server_host_stop (self->host, _("The server is shutting down"));
      keep_until_stopped (g_steal_pointer (&self->host));
    }
  g_clear_pointer (&self->user_popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_CONSOLE_WINDOW);
  g_clear_object (&self->users_selection);
  g_clear_object (&self->log_filter);
  g_clear_object (&self->live_log);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (suda_console_window_parent_class)->dispose (object);
}

static void
suda_console_window_finalize (GObject *object)
{
  SudaConsoleWindow *self = SUDA_CONSOLE_WINDOW (object);

  g_clear_pointer (&self->log_needle, g_free);

  G_OBJECT_CLASS (suda_console_window_parent_class)->finalize (object);
}

static void
suda_console_window_class_init (SudaConsoleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = suda_console_window_dispose;
  object_class->finalize = suda_console_window_finalize;
  window_class->close_request = suda_console_window_close_request;
  widget_class->realize = suda_console_window_realize;
  widget_class->unrealize = suda_console_window_unrealize;

  g_type_ensure (SUDA_TYPE_USER_ROW);
  g_type_ensure (SUDA_TYPE_CONSOLE_ACCOUNTS);
  g_type_ensure (SUDA_TYPE_CONSOLE_CLUSTER);
  g_type_ensure (SUDA_TYPE_LIVE_LOG_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Server/suda-console-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, web_box);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, web_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, tls_box);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, tls_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, log_failing_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, ai_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, settings_group);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, address_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, max_clients_spin);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, log_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, log_search);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, log_event_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, log_older_bar);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, log_older_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, log_view);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, users_box);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, users_view);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, users_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, accounts_page);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, cluster_page);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleWindow, user_menu);
  gtk_widget_class_bind_template_callback (widget_class, log_filter_changed_cb);
  _suda_log_cells_bind_callbacks (widget_class);
  _suda_console_window_users_class_init (widget_class);

  gtk_widget_class_install_action (widget_class, "win.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.copy-web-address", NULL, copy_web_address_action);
  gtk_widget_class_install_action (widget_class, "win.show-web-code", NULL, show_web_code_action);
  gtk_widget_class_install_action (widget_class, "win.copy-tls-fingerprint", NULL,
                                   copy_tls_fingerprint_action);
  gtk_widget_class_install_action (widget_class, "win.choose-log-file", NULL, choose_log_file_action);
  gtk_widget_class_install_action (widget_class, "win.reset-log-file", NULL, reset_log_file_action);
  gtk_widget_class_install_action (widget_class, "win.view-server-log", NULL, view_server_log_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
}

static void
setup_live_log (SudaConsoleWindow *self)
{
  g_autoptr(GtkStringList) events = gtk_string_list_new (NULL);
  g_autoptr(GtkFilterListModel) filtered = NULL;

  gtk_string_list_append (events, _("Every event"));
  for (const char * const *event = _suda_log_cells_get_events (); *event; event++)
    gtk_string_list_append (events, *event);
  gtk_drop_down_set_model (self->log_event_dropdown, G_LIST_MODEL (events));

  self->live_log = suda_live_log_new (SUDA_CONSOLE_LIVE_LOG_ROWS);
  self->log_filter = gtk_custom_filter_new (NULL, NULL, NULL);
  filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->live_log)),
                                        g_object_ref (GTK_FILTER (self->log_filter)));
  suda_live_log_view_set_model (self->log_view, G_LIST_MODEL (filtered));
  g_signal_connect_swapped (self->log_view, "map", G_CALLBACK (log_view_map_changed_cb), self);
  g_signal_connect_swapped (self->log_view, "unmap", G_CALLBACK (log_view_map_changed_cb), self);
  log_view_map_changed_cb (self);
}

static void
bind_settings (SudaConsoleWindow *self)
{
  g_settings_bind (self->settings, "listen-address", self->address_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "port", gtk_spin_button_get_adjustment (self->port_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "max-clients", gtk_spin_button_get_adjustment (self->max_clients_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "server-name", self->name_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "password", self->password_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_swapped (self->settings, "changed::log-file", G_CALLBACK (update_log_row), self);
  g_signal_connect_swapped (self->settings, "changed", G_CALLBACK (settings_changed_cb), self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
suda_console_window_init (SudaConsoleWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  suda_console_name_row_buttons (GTK_WIDGET (self));

  self->settings = g_settings_new ("chat.suda.Server");
  connect_host (self);
  suda_console_accounts_set_host (SUDA_CONSOLE_ACCOUNTS (self->accounts_page), self->host);
  setup_live_log (self);
  _suda_console_window_setup_users (self);
  g_signal_connect_swapped (self->accounts_page, "map", G_CALLBACK (accounts_page_mapped_cb), self);
  suda_console_cluster_set_host (self->cluster_page, self->host);
  bind_settings (self);
  update_log_row (self);
  update_ai_label (self);
  _suda_console_window_update_state (self);
}

SudaConsoleWindow *
suda_console_window_new (GtkApplication *application)
{
  return g_object_new (SUDA_TYPE_CONSOLE_WINDOW, "application", application, NULL);
}

SudaServerHost *
suda_console_window_get_host (SudaConsoleWindow *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_WINDOW (self), NULL);
  return self->host;
}

/* The live log (a SudaLiveLog of SudaLogRow), unfiltered. */
GListModel *
suda_console_window_get_log (SudaConsoleWindow *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_WINDOW (self), NULL);
  return G_LIST_MODEL (self->live_log);
}

void
suda_console_window_set_port (SudaConsoleWindow *self,
                              guint              port)
{
  g_return_if_fail (SUDA_IS_CONSOLE_WINDOW (self));
  gtk_spin_button_set_value (self->port_spin, port);
}

void
suda_console_window_set_listen_address (SudaConsoleWindow *self,
                                        const char        *address)
{
  g_return_if_fail (SUDA_IS_CONSOLE_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), address ? address : "");
}

/* What the fields do not set (limits, flood control, history, the service
 * user...) comes from CONFIG at the next start: `suda-server --config FILE`. */
void
suda_console_window_set_base_config (SudaConsoleWindow      *self,
                                     const SudaServerConfig *config)
{
  g_return_if_fail (SUDA_IS_CONSOLE_WINDOW (self));
  g_clear_pointer (&self->base_config, suda_server_config_free);
  self->base_config = config ? suda_server_config_copy (config) : NULL;
  suda_console_cluster_set_base_config (self->cluster_page, config);
}
