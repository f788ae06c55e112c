/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <adwaita.h>

#include "suda-account-store.h"
#include "suda-console-accounts.h"
#include "suda-password.h"

struct _SudaConsoleAccounts
{
  GtkBox                parent_instance;

  /* Template widgets */
  GtkColumnView        *column_view;
  GtkLabel             *status_label;

  /* Owned */
  SudaServerHost       *host;        /* changes go through its server while it runs */
  SudaAccountStore     *store;
  GtkStringList        *names;       /* the list's rows: account names */
  GHashTable           *infos;       /* name → SudaAccountInfo */
  GtkSingleSelection   *selection;
  GtkFileChooserNative *chooser;
  guint                 busy;
};

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SudaConsoleAccounts, suda_console_accounts, GTK_TYPE_BOX)

static void
set_status (SudaConsoleAccounts *self,
            const char          *text)
{
  gtk_label_set_text (self->status_label, text ? text : "");
}

static const char *
selected_name (SudaConsoleAccounts *self)
{
  GtkStringObject *item = gtk_single_selection_get_selected_item (self->selection);

  return item ? gtk_string_object_get_string (item) : NULL;
}

/* A list read is one indexed SELECT: quick enough for the GTK thread,
 * unlike hashing a password, which the store does on its own threads. */
static void
refresh (SudaConsoleAccounts *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->names));
  g_autofree char *selected = NULL;

  if (self->store == NULL)
    return;
  accounts = suda_account_store_list (self->store, &error);
  if (accounts == NULL)
    {
      set_status (self, error->message);
      return;
    }
  g_hash_table_remove_all (self->infos);
  for (guint i = 0; i < accounts->len; i++)
    {
      SudaAccountInfo *info = g_ptr_array_index (accounts, i);

      g_ptr_array_add (names, info->name);
      g_hash_table_insert (self->infos, info->name, info);
    }
  /* the table owns the infos now */
  g_ptr_array_set_free_func (accounts, NULL);
  g_ptr_array_add (names, NULL);
  selected = g_strdup (selected_name (self));
  gtk_string_list_splice (self->names, 0, n_old, (const char * const *) names->pdata);
  /* the rows are new: the same account stays selected */
  for (guint i = 0; selected != NULL && names->pdata[i] != NULL; i++)
    if (g_str_equal (names->pdata[i], selected))
      gtk_single_selection_set_selected (self->selection, i);
}

static void
job_started (SudaConsoleAccounts *self)
{
  self->busy++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Takes the reference the job held. */
static void
job_done (SudaConsoleAccounts *self,
          const char          *status)
{
  set_status (self, status);
  refresh (self);
  self->busy--;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_object_unref (self);
}

static gboolean
have_store (SudaConsoleAccounts *self)
{
  if (self->store == NULL)
    set_status (self, _("The account store is not open."));
  return self->store != NULL;
}

/* Through the running server ----------------------------------------------- */

/* The server makes the change in its own store, on its thread, as it does
 * a REGISTER: [cluster] claims a new name first and tells the others. */
typedef enum {
  CHANGE_ADD,
  CHANGE_PASSWORD,
  CHANGE_DELETE,
  CHANGE_OPERATOR,
  CHANGE_IMPORT,
} ChangeKind;

typedef struct {
  ChangeKind  kind;
  char       *name;
  char       *secret;     /* a password or a CSV text */
  gboolean    flag;       /* operator or not */
} Change;

static void
change_free (gpointer data)
{
  Change *change = data;

  g_free (change->name);
  suda_password_clear (change->secret);
  g_free (change->secret);
  g_free (change);
}

static char *
import_status (guint               n,
               const char * const *problems)
{
  g_autofree char *status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u account imported",
                                                          "%u accounts imported", n), n);
  g_autofree char *why = NULL;

  if (problems == NULL || problems[0] == NULL)
    return g_steal_pointer (&status);
  why = g_strjoinv ("\n", (char **) problems);
  return g_strdup_printf ("%s\n%s", status, why);
}

/* On the server thread. */
static void
on_server_store_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  SudaAccountStore *store = SUDA_ACCOUNT_STORE (source);
  SudaServerHostReply *reply = data;
  g_auto(GStrv) problems = NULL;
  GError *error = NULL;
  guint n;

  if (g_async_result_is_tagged (result, suda_account_store_import_csv_async))
    {
      n = suda_account_store_import_csv_finish (store, result, &problems, &error);
      suda_server_host_reply (reply, error ? NULL : g_variant_new ("(u^as)", n, problems), error);
      return;
    }
  if (g_async_result_is_tagged (result, suda_account_store_register_async))
    suda_account_store_register_finish (store, result, &error);
  else
    suda_account_store_set_password_finish (store, result, &error);
  suda_server_host_reply (reply, NULL, error);
}

/* On the server thread. */
static void
change_on_server (SudaServer          *server,
                  gpointer             data,
                  SudaServerHostReply *reply)
{
  Change *change = data;
  SudaAccountStore *store = suda_server_get_accounts (server);
  GError *error = NULL;

  if (store == NULL)
    error = g_error_new_literal (SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_STORE,
                                 _("The server has no account store"));
  else
    switch (change->kind)
      {
      case CHANGE_ADD:
        suda_account_store_register_async (store, change->name, change->secret, NULL,
                                           on_server_store_done, reply);
        return;
      case CHANGE_PASSWORD:
        suda_account_store_set_password_async (store, change->name, change->secret, NULL,
                                               on_server_store_done, reply);
        return;
      case CHANGE_IMPORT:
        suda_account_store_import_csv_async (store, change->secret, NULL, on_server_store_done, reply);
        return;
      case CHANGE_DELETE:
        suda_account_store_delete (store, change->name, &error);
        break;
      default:
        suda_account_store_set_operator (store, change->name, change->flag, &error);
      }
  suda_server_host_reply (reply, NULL, error);
}

static char *
change_status (const Change *change,
               GVariant     *value)
{
  g_autofree const char **problems = NULL;
  guint n;

  switch (change->kind)
    {
    case CHANGE_ADD:
      return g_strdup (_("Account added"));
    case CHANGE_PASSWORD:
      return g_strdup (_("Password changed"));
    case CHANGE_DELETE:
      return g_strdup (_("Account deleted"));
    case CHANGE_OPERATOR:
      return g_strdup (change->flag ? _("Operator rights given") : _("Operator rights taken away"));
    default:
      g_variant_get (value, "(u^a&s)", &n, &problems);
      return import_status (n, problems);
    }
}

typedef struct {
  SudaConsoleAccounts *self;   /* the job's reference */
  Change               change; /* its kind and flag, for the status */
} Sent;

static void
changed_by_server_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  Sent *sent = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = suda_server_host_call_finish (SUDA_SERVER_HOST (source), result, &error);
  g_autofree char *status = value ? change_status (&sent->change, value) : NULL;

  job_done (sent->self, value ? status : error->message);
  g_free (sent);
}

/* TRUE when the running server took the change. */
static gboolean
send_change (SudaConsoleAccounts *self,
             ChangeKind           kind,
             const char          *name,
             const char          *secret,
             gboolean             flag)
{
  Change *change;
  Sent *sent;

  if (self->host == NULL || !suda_server_host_get_running (self->host))
    return FALSE;
  change = g_new0 (Change, 1);
  change->kind = kind;
  change->name = g_strdup (name);
  change->secret = g_strdup (secret);
  change->flag = flag;
  sent = g_new0 (Sent, 1);
  sent->change.kind = kind;
  sent->change.flag = flag;
  job_started (self);
  sent->self = g_object_ref (self);
  suda_server_host_call_async (self->host, change_on_server, change, change_free, NULL,
                               changed_by_server_cb, sent);
  return TRUE;
}

/* Adding ----------------------------------------------------------------- */

static void
registered_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  SudaConsoleAccounts *self = data;
  g_autoptr(GError) error = NULL;

  if (!suda_account_store_register_finish (SUDA_ACCOUNT_STORE (source), result, &error))
    job_done (self, error->message);
  else
    job_done (self, _("Account added"));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);
  const char *name, *password;

  g_variant_get (parameter, "(&s&s)", &name, &password);
  if (!have_store (self) || send_change (self, CHANGE_ADD, name, password, FALSE))
    return;
  job_started (self);
  suda_account_store_register_async (self->store, name, password, NULL, registered_cb,
                                     g_object_ref (self));
}

static void
password_set_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  SudaConsoleAccounts *self = data;
  g_autoptr(GError) error = NULL;

  if (!suda_account_store_set_password_finish (SUDA_ACCOUNT_STORE (source), result, &error))
    job_done (self, error->message);
  else
    job_done (self, _("Password changed"));
}

static void
reset_password_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);
  const char *name, *password;

  g_variant_get (parameter, "(&s&s)", &name, &password);
  if (!have_store (self) || send_change (self, CHANGE_PASSWORD, name, password, FALSE))
    return;
  job_started (self);
  suda_account_store_set_password_async (self->store, name, password, NULL, password_set_cb,
                                         g_object_ref (self));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);
  g_autoptr(GError) error = NULL;

  if (!have_store (self) ||
      send_change (self, CHANGE_DELETE, g_variant_get_string (parameter, NULL), NULL, FALSE))
    return;
  if (!suda_account_store_delete (self->store, g_variant_get_string (parameter, NULL), &error))
    set_status (self, error->message);
  else
    set_status (self, _("Account deleted"));
  refresh (self);
}

static void
imported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  SudaConsoleAccounts *self = data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) problems = NULL;
  g_autofree char *status = NULL;
  guint n;

  n = suda_account_store_import_csv_finish (SUDA_ACCOUNT_STORE (source), result, &problems, &error);
  if (error != NULL)
    {
      job_done (self, error->message);
      return;
    }
  status = import_status (n, (const char * const *) problems);
  job_done (self, status);
}

static void
import_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);

  if (!have_store (self) ||
      send_change (self, CHANGE_IMPORT, NULL, g_variant_get_string (parameter, NULL), FALSE))
    return;
  job_started (self);
  suda_account_store_import_csv_async (self->store, g_variant_get_string (parameter, NULL), NULL,
                                       imported_cb, g_object_ref (self));
}

/* Operator rights come with logging in to an account marked here. */
static void
set_operator_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);
  g_autoptr(GError) error = NULL;
  const char *name;
  gboolean is_operator;

  g_variant_get (parameter, "(&sb)", &name, &is_operator);
  if (!have_store (self) || send_change (self, CHANGE_OPERATOR, name, NULL, is_operator))
    return;
  if (!suda_account_store_set_operator (self->store, name, is_operator, &error))
    set_status (self, error->message);
  else
    set_status (self, is_operator ? _("Operator rights given") : _("Operator rights taken away"));
  refresh (self);
}

/* Asking first ------------------------------------------------------------ */


static GtkWidget *
password_entry (const char *placeholder)
{
  GtkWidget *entry = gtk_password_entry_new ();

  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  g_object_set (entry, "placeholder-text", placeholder, "activates-default", TRUE, NULL);
  return entry;
}

static GtkWidget *
ask (SudaConsoleAccounts *self,
     const char          *heading,
     const char          *body,
     const char          *confirm,
     GtkWidget           *extra)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              heading, body);

  if (extra != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "confirm", confirm, NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "confirm");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  return dialog;
}

static void
add_response_cb (AdwMessageDialog    *dialog,
                 const char          *response,
                 SudaConsoleAccounts *self)
{
  GtkEditable *name = g_object_get_data (G_OBJECT (dialog), "suda-name");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "suda-password");

  if (g_str_equal (response, "confirm"))
    gtk_widget_activate_action (GTK_WIDGET (self), "accounts.add", "(ss)",
                                gtk_editable_get_text (name), gtk_editable_get_text (password));
}

static void
add_dialog_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *name = gtk_entry_new ();
  GtkWidget *password = password_entry (_("Password"));
  GtkWidget *dialog;

  gtk_entry_set_placeholder_text (GTK_ENTRY (name), _("Name (the nickname)"));
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), password);
  dialog = ask (self, _("Add an Account"),
                _("The name is the nickname it protects; the password is at least 8 characters."),
                _("_Add"), box);
  g_object_set_data (G_OBJECT (dialog), "suda-name", name);
  g_object_set_data (G_OBJECT (dialog), "suda-password", password);
  g_signal_connect (dialog, "response", G_CALLBACK (add_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reset_response_cb (AdwMessageDialog    *dialog,
                   const char          *response,
                   SudaConsoleAccounts *self)
{
  GtkEditable *password = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_str_equal (response, "confirm"))
    gtk_widget_activate_action (GTK_WIDGET (self), "accounts.reset-password", "(ss)",
                                g_object_get_data (G_OBJECT (dialog), "suda-name"),
                                gtk_editable_get_text (password));
}

static void
reset_selected_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);
  const char *name = selected_name (self);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (name == NULL)
    return;
  heading = g_strdup_printf (_("New Password for %s"), name);
  dialog = ask (self, heading, _("Tell the student the new password; the old one stops working."),
                _("_Change Password"), password_entry (_("New password")));
  g_object_set_data_full (G_OBJECT (dialog), "suda-name", g_strdup (name), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (reset_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_response_cb (AdwMessageDialog    *dialog,
                    const char          *response,
                    SudaConsoleAccounts *self)
{
  if (g_str_equal (response, "confirm"))
    gtk_widget_activate_action (GTK_WIDGET (self), "accounts.delete", "s",
                                g_object_get_data (G_OBJECT (dialog), "suda-name"));
}

static void
delete_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);
  const char *name = selected_name (self);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (name == NULL)
    return;
  heading = g_strdup_printf (_("Delete %s?"), name);
  dialog = ask (self, heading, _("The nickname is free for anyone again."), _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "confirm",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "suda-name", g_strdup (name), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (delete_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
csv_loaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(SudaConsoleAccounts) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    set_status (self, error->message);
  else if (!g_utf8_validate (contents, length, NULL))
    set_status (self, _("The file is not UTF-8 text."));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "accounts.import-csv", "s", contents);
}

static void
chooser_response_cb (SudaConsoleAccounts  *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        g_file_load_contents_async (file, NULL, csv_loaded_cb, g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

static void
import_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Import Accounts"),
                                               GTK_WINDOW (gtk_widget_get_root (widget)),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_file_filter_set_name (csv, _("CSV files (name,password)"));
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), csv);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Cells -------------------------------------------------------------------- */

static void
cell_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item)
{
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_list_item_set_child (item, cell);
}

static SudaAccountInfo *
item_info (GtkListItem *item)
{
  GtkWidget *cell = gtk_list_item_get_child (item);
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (gtk_widget_get_ancestor (cell, SUDA_TYPE_CONSOLE_ACCOUNTS));
  const char *name = gtk_string_object_get_string (gtk_list_item_get_item (item));

  return self ? g_hash_table_lookup (self->infos, name) : NULL;
}

static char *
format_day (gint64 unix_seconds)
{
  g_autoptr(GDateTime) moment = NULL;

  if (unix_seconds <= 0)
    return g_strdup (_("Never"));
  moment = g_date_time_new_from_unix_local (unix_seconds);
  return moment ? g_date_time_format (moment, "%Y-%m-%d %H:%M") : g_strdup ("");
}

static void
cell_bind_name (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)),
                            gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static void
cell_bind_created (GtkSignalListItemFactory *factory,
                   GtkListItem              *item)
{
  SudaAccountInfo *info = item_info (item);
  g_autofree char *text = info ? format_day (info->created) : NULL;

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)), text);
}

static void
cell_bind_last_seen (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  SudaAccountInfo *info = item_info (item);
  g_autofree char *text = info ? format_day (info->last_seen) : NULL;

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)), text);
}

static void
cell_bind_operator (GtkSignalListItemFactory *factory,
                    GtkListItem              *item)
{
  SudaAccountInfo *info = item_info (item);

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)),
                            info && info->is_operator ? _("Operator") : "");
}

static void
toggle_operator_selected_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (widget);
  g_autofree char *name = g_strdup (selected_name (self));
  SudaAccountInfo *info = name ? g_hash_table_lookup (self->infos, name) : NULL;

  if (info == NULL)
    return;
  gtk_widget_activate_action (widget, "accounts.set-operator", "(sb)", name, !info->is_operator);
}

/* The class ---------------------------------------------------------------- */

static void
suda_console_accounts_dispose (GObject *object)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_CONSOLE_ACCOUNTS);
  g_clear_object (&self->selection);
  g_clear_object (&self->names);
  g_clear_object (&self->store);
  g_clear_object (&self->host);
  g_clear_pointer (&self->infos, g_hash_table_unref);

  G_OBJECT_CLASS (suda_console_accounts_parent_class)->dispose (object);
}

static void
suda_console_accounts_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  SudaConsoleAccounts *self = SUDA_CONSOLE_ACCOUNTS (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_uint (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_console_accounts_class_init (SudaConsoleAccountsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_console_accounts_dispose;
  object_class->get_property = suda_console_accounts_get_property;

  properties[PROP_BUSY] =
    g_param_spec_uint ("busy", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Server/suda-console-accounts.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleAccounts, column_view);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleAccounts, status_label);
  gtk_widget_class_bind_template_callback (widget_class, cell_setup);
  gtk_widget_class_bind_template_callback (widget_class, cell_bind_name);
  gtk_widget_class_bind_template_callback (widget_class, cell_bind_created);
  gtk_widget_class_bind_template_callback (widget_class, cell_bind_last_seen);
  gtk_widget_class_bind_template_callback (widget_class, cell_bind_operator);

  gtk_widget_class_install_action (widget_class, "accounts.add", "(ss)", add_action);
  gtk_widget_class_install_action (widget_class, "accounts.reset-password", "(ss)", reset_password_action);
  gtk_widget_class_install_action (widget_class, "accounts.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "accounts.import-csv", "s", import_csv_action);
  gtk_widget_class_install_action (widget_class, "accounts.add-dialog", NULL, add_dialog_action);
  gtk_widget_class_install_action (widget_class, "accounts.reset-selected", NULL, reset_selected_action);
  gtk_widget_class_install_action (widget_class, "accounts.delete-selected", NULL, delete_selected_action);
  gtk_widget_class_install_action (widget_class, "accounts.import-file", NULL, import_file_action);
  gtk_widget_class_install_action (widget_class, "accounts.set-operator", "(sb)", set_operator_action);
  gtk_widget_class_install_action (widget_class, "accounts.toggle-operator-selected", NULL,
                                   toggle_operator_selected_action);
}

static void
suda_console_accounts_init (SudaConsoleAccounts *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->names = gtk_string_list_new (NULL);
  self->infos = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) suda_account_info_free);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->names)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
}

GtkWidget *
suda_console_accounts_new (void)
{
  return g_object_new (SUDA_TYPE_CONSOLE_ACCOUNTS, NULL);
}

/* Opens (or creates) the store at PATH and lists it. */
gboolean
suda_console_accounts_open (SudaConsoleAccounts  *self,
                            const char           *path,
                            GError              **error)
{
  g_autoptr(SudaAccountStore) store = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SUDA_IS_CONSOLE_ACCOUNTS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  store = suda_account_store_open (path, &local_error);
  if (store == NULL)
    {
      set_status (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_set_object (&self->store, store);
  set_status (self, NULL);
  refresh (self);
  return TRUE;
}

const char *
suda_console_accounts_get_path (SudaConsoleAccounts *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_ACCOUNTS (self), NULL);
  return self->store ? suda_account_store_get_path (self->store) : NULL;
}

/* The listed names (GtkStringObject), in the store's order. */
GListModel *
suda_console_accounts_get_names (SudaConsoleAccounts *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_ACCOUNTS (self), NULL);
  return G_LIST_MODEL (self->names);
}

guint
suda_console_accounts_get_busy (SudaConsoleAccounts *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_ACCOUNTS (self), 0);
  return self->busy;
}

void
suda_console_accounts_set_host (SudaConsoleAccounts *self,
                                SudaServerHost      *host)
{
  g_return_if_fail (SUDA_IS_CONSOLE_ACCOUNTS (self));
  g_return_if_fail (host == NULL || SUDA_IS_SERVER_HOST (host));
  g_set_object (&self->host, host);
}
