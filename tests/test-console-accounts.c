/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console's Accounts page over a real SQLite account store: add,
 * reset a password, delete, import a class from CSV; the window opens the
 * store in its state folder when the page is first shown. */
#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>

#include "suda-account-store.h"
#include "suda-console-accounts.h"
#include "suda-console-window.h"
#include "suda-test-util.h"

typedef struct {
  GtkWidget           *window;
  SudaConsoleAccounts *page;
  char                *tmpdir;
  char                *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = suda_test_make_tmpdir ();
  fixture->path = g_build_filename (fixture->tmpdir, "accounts.sqlite", NULL);
  fixture->window = gtk_window_new ();
  fixture->page = SUDA_CONSOLE_ACCOUNTS (suda_console_accounts_new ());
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->page));
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (suda_console_accounts_open (fixture->page, fixture->path, &error));
  g_assert_no_error (error);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing && (name = g_dir_read_name (listing)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  suda_test_iterate (10);
  remove_tree (fixture->tmpdir);
  g_free (fixture->path);
  g_free (fixture->tmpdir);
}

static gboolean
idle (gpointer page)
{
  return suda_console_accounts_get_busy (page) == 0;
}

static void
act (Fixture    *fixture,
     const char *action,
     GVariant   *parameter)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->page), action, parameter));
  g_assert_true (suda_test_wait_until (idle, fixture->page, 30000));
}

static GStrv
listed (Fixture *fixture)
{
  GListModel *names = suda_console_accounts_get_names (fixture->page);
  GStrvBuilder *builder = g_strv_builder_new ();

  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    {
      g_autoptr(GtkStringObject) name = g_list_model_get_item (names, i);

      g_strv_builder_add (builder, gtk_string_object_get_string (name));
    }
  return g_strv_builder_end (builder);
}

/* Another connection to the same file, as the server would have. */
static char *
verify (Fixture    *fixture,
        const char *name,
        const char *password)
{
  g_autoptr(SudaAccountStore) store = suda_account_store_open (fixture->path, NULL);
  GAsyncResult *result = NULL;

  g_assert_nonnull (store);
  suda_account_store_verify_async (store, name, password, NULL, suda_test_async_store, &result);
  return suda_account_store_verify_finish (store, suda_test_async_wait (&result), NULL);
}

static const char *
status (Fixture *fixture)
{
  GObject *label = gtk_widget_get_template_child (GTK_WIDGET (fixture->page),
                                                  SUDA_TYPE_CONSOLE_ACCOUNTS, "status_label");

  return gtk_label_get_text (GTK_LABEL (label));
}

static void
test_add_reset_delete (Fixture       *fixture,
                       gconstpointer  data)
{
  g_auto(GStrv) after_add = NULL;
  g_auto(GStrv) after_delete = NULL;
  g_autofree char *old_login = NULL;
  g_autofree char *new_login = NULL;

  act (fixture, "accounts.add", g_variant_new ("(ss)", "minjun", "first-password"));
  act (fixture, "accounts.add", g_variant_new ("(ss)", "seoyeon", "another-password"));
  /* too short: said, and not listed */
  act (fixture, "accounts.add", g_variant_new ("(ss)", "short", "abc"));
  g_assert_cmpstr (status (fixture), !=, "");
  after_add = listed (fixture);
  g_assert_cmpstrv (after_add, ((const char * const[]) { "minjun", "seoyeon", NULL }));

  act (fixture, "accounts.reset-password", g_variant_new ("(ss)", "minjun", "second-password"));
  old_login = verify (fixture, "minjun", "first-password");
  new_login = verify (fixture, "minjun", "second-password");
  g_assert_null (old_login);
  g_assert_cmpstr (new_login, ==, "minjun");

  act (fixture, "accounts.delete", g_variant_new_string ("seoyeon"));
  after_delete = listed (fixture);
  g_assert_cmpstrv (after_delete, ((const char * const[]) { "minjun", NULL }));
}

static void
test_import_csv (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(GStrv) names = NULL;
  g_autofree char *login = NULL;

  act (fixture, "accounts.import-csv",
       g_variant_new_string ("student01,password01\nstudent02,password02\nno comma here\n"));
  names = listed (fixture);
  g_assert_cmpstrv (names, ((const char * const[]) { "student01", "student02", NULL }));
  /* the count, then the line that was not taken */
  g_assert_true (g_str_has_prefix (status (fixture), "2 accounts imported\n"));
  g_assert_nonnull (g_strstr_len (status (fixture), -1, "line 3"));
  login = verify (fixture, "student02", "password02");
  g_assert_cmpstr (login, ==, "student02");
}

/* The window's page opens the store beside the log when first shown. */
static void
test_window_opens_store_in_state_folder (void)
{
  g_autofree char *tmpdir = suda_test_make_tmpdir ();
  g_autofree char *log_path = g_build_filename (tmpdir, "server.jsonl", NULL);
  g_autofree char *expected = g_build_filename (tmpdir, "accounts.sqlite", NULL);
  g_autoptr(GSettings) settings = g_settings_new ("chat.suda.Server");
  SudaConsoleWindow *window;
  GObject *stack, *page;

  g_settings_set_string (settings, "log-file", log_path);
  window = suda_console_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  page = gtk_widget_get_template_child (GTK_WIDGET (window), SUDA_TYPE_CONSOLE_WINDOW, "accounts_page");
  g_assert_null (suda_console_accounts_get_path (SUDA_CONSOLE_ACCOUNTS (page)));
  g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));

  stack = gtk_widget_get_template_child (GTK_WIDGET (window), SUDA_TYPE_CONSOLE_WINDOW, "view_stack");
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "accounts");
  g_assert_cmpstr (suda_console_accounts_get_path (SUDA_CONSOLE_ACCOUNTS (page)), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_EXISTS));

  gtk_window_destroy (GTK_WINDOW (window));
  suda_test_iterate (10);
  g_settings_reset (settings, "log-file");
  remove_tree (tmpdir);
}

/* With `[accounts] file=` in the configuration the page opens that file,
 * the one the server uses, and lists what is already in it. */
static void
test_window_opens_configured_store (void)
{
  g_autofree char *tmpdir = suda_test_make_tmpdir ();
  g_autofree char *log_path = g_build_filename (tmpdir, "server.jsonl", NULL);
  g_autofree char *path = g_build_filename (tmpdir, "class", "accounts.db", NULL);
  g_autofree char *beside_log = g_build_filename (tmpdir, "accounts.sqlite", NULL);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(GSettings) settings = g_settings_new ("chat.suda.Server");
  g_autoptr(SudaServerConfig) base = suda_server_config_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SudaConsoleWindow *window;
  GObject *stack, *page;

  g_mkdir_with_parents (folder, 0700);
  {
    g_autoptr(SudaAccountStore) store = suda_account_store_open (path, &error);

    g_assert_no_error (error);
    suda_account_store_register_async (store, "kim", "pass-word-1", NULL, suda_test_async_store, &result);
    g_assert_true (suda_account_store_register_finish (store, suda_test_async_wait (&result), &error));
    g_assert_no_error (error);
  }
  g_assert_true (suda_server_config_set_value (base, "accounts", "file", path, &error));
  g_assert_no_error (error);
  g_settings_set_string (settings, "log-file", log_path);
  window = suda_console_window_new (NULL);
  suda_console_window_set_base_config (window, base);
  gtk_window_present (GTK_WINDOW (window));
  page = gtk_widget_get_template_child (GTK_WIDGET (window), SUDA_TYPE_CONSOLE_WINDOW, "accounts_page");
  stack = gtk_widget_get_template_child (GTK_WIDGET (window), SUDA_TYPE_CONSOLE_WINDOW, "view_stack");
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "accounts");
  g_assert_cmpstr (suda_console_accounts_get_path (SUDA_CONSOLE_ACCOUNTS (page)), ==, path);
  g_assert_cmpuint (g_list_model_get_n_items (suda_console_accounts_get_names (SUDA_CONSOLE_ACCOUNTS (page))), ==, 1);
  g_assert_false (g_file_test (beside_log, G_FILE_TEST_EXISTS));

  gtk_window_destroy (GTK_WINDOW (window));
  suda_test_iterate (10);
  g_settings_reset (settings, "log-file");
  remove_tree (tmpdir);
}

static gboolean
is_operator (Fixture    *fixture,
             const char *name)
{
  g_autoptr(SudaAccountStore) store = suda_account_store_open (fixture->path, NULL);
  SudaAccountInfo *info = suda_account_store_lookup (store, name);
  gboolean result;

  g_assert_nonnull (info);
  result = info->is_operator;
  suda_account_info_free (info);
  return result;
}

/* The Operator button flips the selected account, as the server sees it. */
static void
test_operator_toggle (Fixture       *fixture,
                      gconstpointer  data)
{
  GObject *selection;

  act (fixture, "accounts.add", g_variant_new ("(ss)", "teacher", "first-password"));
  act (fixture, "accounts.add", g_variant_new ("(ss)", "student", "other-password"));
  g_assert_false (is_operator (fixture, "teacher"));
  act (fixture, "accounts.set-operator", g_variant_new ("(sb)", "teacher", TRUE));
  g_assert_true (is_operator (fixture, "teacher"));
  g_assert_false (is_operator (fixture, "student"));

  selection = G_OBJECT (gtk_column_view_get_model (GTK_COLUMN_VIEW (gtk_widget_get_template_child (
                GTK_WIDGET (fixture->page), SUDA_TYPE_CONSOLE_ACCOUNTS, "column_view"))));
  {
    g_auto(GStrv) names = listed (fixture);

    gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (selection),
                                       g_strv_contains ((const char * const *) names, "teacher") &&
                                       g_str_equal (names[0], "teacher") ? 0 : 1);
  }
  act (fixture, "accounts.toggle-operator-selected", NULL);
  g_assert_false (is_operator (fixture, "teacher"));
  act (fixture, "accounts.toggle-operator-selected", NULL);
  g_assert_true (is_operator (fixture, "teacher"));
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/console/accounts/add-reset-delete", Fixture, NULL,
              fixture_set_up, test_add_reset_delete, fixture_tear_down);
  g_test_add ("/console/accounts/operator-toggle", Fixture, NULL,
              fixture_set_up, test_operator_toggle, fixture_tear_down);
  g_test_add ("/console/accounts/import-csv", Fixture, NULL,
              fixture_set_up, test_import_csv, fixture_tear_down);
  g_test_add_func ("/console/accounts/window-opens-store-in-state-folder",
                   test_window_opens_store_in_state_folder);
  g_test_add_func ("/console/accounts/window-opens-configured-store",
                   test_window_opens_configured_store);
  return g_test_run ();
}
