/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console's Accounts page in a cluster ([cluster], issue 15): while
 * the console's server runs, what the page changes is made by that server
 * and reaches another server of the cluster (here one in this process),
 * and a name the other server holds is refused. */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "cluster/suda-cluster-private.h"
#include "suda-account-store.h"
#include "suda-console-accounts.h"
#include "suda-console-window.h"
#include "suda-test-cluster.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"

#define LEASE_MS 3000

typedef struct {
  SudaTestRedis        redis;
  SudaConsoleWindow   *window;
  SudaConsoleAccounts *page;
  GSettings           *settings;
  SudaServer          *other;
} Fixture;

static GObject *
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), SUDA_TYPE_CONSOLE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static gboolean
host_running (gpointer host)
{
  return suda_server_host_get_running (host);
}

static gboolean
has_peers (gpointer server)
{
  return _suda_cluster_get_n_peers (_suda_server_get_cluster (server)) > 0;
}

/* The console's server ("console") and another ("other") in one cluster,
 * the page shown. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = NULL;
  g_autoptr(SudaServerConfig) other = NULL;
  g_autofree char *log_path = NULL;

  suda_test_redis_set_up (&f->redis);
  log_path = g_build_filename (f->redis.dir, "console.jsonl", NULL);
  f->settings = g_settings_new ("chat.suda.Server");
  g_settings_set_string (f->settings, "listen-address", "127.0.0.1");
  g_settings_set_int (f->settings, "port", 0);
  g_settings_set_string (f->settings, "log-file", log_path);
  f->window = g_object_ref_sink (suda_console_window_new (NULL));
  gtk_window_present (GTK_WINDOW (f->window));
  config = suda_test_cluster_accounts_config (&f->redis, "console", LEASE_MS);
  /* the web page on a free port, never the console's 8080 */
  g_assert_true (suda_server_config_set_value (config, "web", "port", "auto", NULL));
  suda_console_window_set_base_config (f->window, config);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start", NULL);
  g_assert_true (suda_test_wait_until (host_running, suda_console_window_get_host (f->window), 20000));

  other = suda_test_cluster_accounts_config (&f->redis, "other", LEASE_MS);
  f->other = suda_test_server_new (other);
  g_assert_true (suda_test_wait_until (has_peers, f->other, 10000));

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (child (f, "view_stack")), "accounts");
  f->page = SUDA_CONSOLE_ACCOUNTS (child (f, "accounts_page"));
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, f->page, 5000));
  g_assert_nonnull (suda_console_accounts_get_path (f->page));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  suda_test_iterate (10);
  g_clear_object (&f->other);
  for (const char * const *key = (const char * const[]) { "listen-address", "port", "log-file", NULL };
       *key; key++)
    g_settings_reset (f->settings, *key);
  g_clear_object (&f->settings);
  suda_test_redis_tear_down (&f->redis);
}

static gboolean
idle (gpointer page)
{
  return suda_console_accounts_get_busy (page) == 0;
}

static const char *
status (Fixture *f)
{
  GObject *label = gtk_widget_get_template_child (GTK_WIDGET (f->page), SUDA_TYPE_CONSOLE_ACCOUNTS,
                                                  "status_label");

  return gtk_label_get_text (GTK_LABEL (label));
}

/* Runs a page action and waits for its answer, which STATUS matches. */
static void
act (Fixture    *f,
     const char *action,
     GVariant   *parameter,
     const char *expected)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->page), action, parameter));
  g_assert_true (suda_test_wait_until (idle, f->page, 30000));
  if (!g_pattern_match_simple (expected, status (f)))
    g_error ("%s answered “%s”, not “%s”", action, status (f), expected);
}

typedef struct {
  SudaServer *server;
  const char *name;
  const char *hash;       /* NULL: absent; "": any */
  gboolean    is_operator;
} Record;

static gboolean
record_is (gpointer data)
{
  Record *want = data;
  g_autofree char *hash = NULL;
  gboolean is_operator = FALSE;

  if (!suda_account_store_dup_record (suda_server_get_accounts (want->server), want->name, &hash, NULL, &is_operator))
    return want->hash == NULL;
  return want->hash != NULL && (*want->hash == '\0' || g_str_equal (hash, want->hash)) &&
         is_operator == want->is_operator;
}

/* The console's own copy of NAME, as its store file has it. */
static char *
console_hash (Fixture    *f,
              const char *name)
{
  g_autofree char *path = suda_test_cluster_store_path (&f->redis, "console");
  g_autoptr(SudaAccountStore) store = suda_account_store_open (path, NULL);
  char *hash = NULL;

  g_assert_nonnull (store);
  suda_account_store_dup_record (store, name, &hash, NULL, NULL);
  return hash;
}

static void
wait_record (Fixture    *f,
             const char *name,
             const char *hash,
             gboolean    is_operator)
{
  Record want = { f->other, name, hash, is_operator };

  if (!suda_test_wait_until (record_is, &want, 10000))
    g_error ("the other server never had %s as the console made it", name);
}

/* Add, a new password, operator rights, delete and a CSV import, each
 * made on the console's page, reach the other server. */
static void
test_changes_reach_other_server (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *hash = NULL, *changed = NULL, *imported = NULL;

  act (f, "accounts.add", g_variant_new ("(ss)", "zoe", "first-password"), "Account added");
  hash = console_hash (f, "zoe");
  g_assert_nonnull (hash);
  wait_record (f, "zoe", hash, FALSE);

  act (f, "accounts.reset-password", g_variant_new ("(ss)", "zoe", "second-password"), "Password changed");
  changed = console_hash (f, "zoe");
  g_assert_cmpstr (changed, !=, hash);
  wait_record (f, "zoe", changed, FALSE);

  act (f, "accounts.set-operator", g_variant_new ("(sb)", "zoe", TRUE), "Operator rights given");
  wait_record (f, "zoe", changed, TRUE);

  act (f, "accounts.delete", g_variant_new_string ("zoe"), "Account deleted");
  wait_record (f, "zoe", NULL, FALSE);

  act (f, "accounts.import-csv", g_variant_new_string ("name,password\nkai,kai-password\n"),
       "1 account imported");
  imported = console_hash (f, "kai");
  g_assert_nonnull (imported);
  wait_record (f, "kai", imported, FALSE);
}

/* A name the other server made is refused on the page (as taken there,
 * or by its claim when the copy is still on the way), and that server's
 * account stays as it was. */
static void
test_name_held_elsewhere_refused (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SudaAccountStore *store = suda_server_get_accounts (f->other);
  g_autofree char *hash = NULL;

  suda_account_store_register_async (store, "yuki", "yuki-password", NULL, suda_test_async_store, &result);
  g_assert_true (suda_account_store_register_finish (store, suda_test_async_wait (&result), &error));
  g_assert_no_error (error);
  act (f, "accounts.add", g_variant_new ("(ss)", "yuki", "console-password"), "*“yuki” already exists*");
  g_assert_true (suda_account_store_dup_record (store, "yuki", &hash, NULL, NULL));
  wait_record (f, "yuki", hash, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  if (g_find_program_in_path ("redis-server") == NULL)
    {
      g_test_skip ("redis-server is not installed (tools/install-deps.sh)");
      return 0;
    }
  g_test_add ("/console/accounts-cluster/changes-reach-other-server", Fixture, NULL,
              fixture_set_up, test_changes_reach_other_server, fixture_tear_down);
  g_test_add ("/console/accounts-cluster/name-held-elsewhere-refused", Fixture, NULL,
              fixture_set_up, test_name_held_elsewhere_refused, fixture_tear_down);
  return g_test_run ();
}
