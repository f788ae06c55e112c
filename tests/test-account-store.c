/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The account store: SQLite in WAL mode, yescrypt hashes made in threads. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "suda-account-store.h"
#include "suda-test-util.h"

typedef struct {
  char             *dir;
  char             *path;
  SudaAccountStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = suda_test_make_tmpdir ();
  f->path = g_build_filename (f->dir, "accounts.sqlite", NULL);
  f->store = suda_account_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  g_free (f->path);
  g_free (f->dir);
}

static gboolean
register_account (SudaAccountStore  *store,
                  const char        *name,
                  const char        *password,
                  GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  suda_account_store_register_async (store, name, password, NULL, suda_test_async_store, &result);
  return suda_account_store_register_finish (store, suda_test_async_wait (&result), error);
}

static char *
verify_account (SudaAccountStore  *store,
                const char        *name,
                const char        *password,
                GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  suda_account_store_verify_async (store, name, password, NULL, suda_test_async_store, &result);
  return suda_account_store_verify_finish (store, suda_test_async_wait (&result), error);
}

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  /* The storm's child may be writing: wait for it as the server would. */
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

static void
test_register_then_verify (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *none = NULL;
  g_autofree char *unknown = NULL;
  g_autoptr(SudaAccountInfo) info = NULL;

  g_assert_true (register_account (f->store, "Alice", "correct horse", &error));
  g_assert_no_error (error);

  /* IRC names are case-insensitive: the account keeps the case it was made with. */
  name = verify_account (f->store, "alice", "correct horse", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Alice");

  none = verify_account (f->store, "Alice", "wrong horse", &error);
  g_assert_null (none);
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_BAD_PASSWORD);
  g_clear_error (&error);

  /* An unknown name reads exactly like a wrong password. */
  unknown = verify_account (f->store, "mallory", "correct horse", &error);
  g_assert_null (unknown);
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_BAD_PASSWORD);

  info = suda_account_store_lookup (f->store, "ALICE");
  g_assert_nonnull (info);
  g_assert_cmpstr (info->name, ==, "Alice");
  g_assert_cmpint (info->created, >, 0);
  g_assert_cmpint (info->last_seen, >=, info->created);
  g_assert_false (info->is_operator);
}

static void
test_duplicate_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (register_account (f->store, "bob", "password one", &error));
  g_assert_false (register_account (f->store, "BOB", "password two", &error));
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "BOB"));
}

static void
test_bad_name_and_weak_password (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (register_account (f->store, "#room", "long enough", &error));
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_false (register_account (f->store, "carol", "short", &error));
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_WEAK_PASSWORD);
  g_assert_false (suda_account_store_exists (f->store, "carol"));
}

static void
test_stored_as_yescrypt_privately (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *version = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *bytes = NULL;
  gsize length;
  GStatBuf st;

  g_assert_true (register_account (f->store, "dave", "Secret-Pa55", &error));
  hash = query_text (f->path, "SELECT hash FROM accounts WHERE key = 'dave'");
  g_assert_true (g_str_has_prefix (hash, "$y$"));
  version = query_text (f->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "2");
  mode = query_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (f->path, &bytes, &length, NULL));
  g_assert_null (g_strstr_len (bytes, length, "Secret-Pa55"));
}

static void
test_survives_reopen (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  g_assert_true (register_account (f->store, "erin", "kept across restarts", &error));
  g_clear_object (&f->store);
  f->store = suda_account_store_open (f->path, &error);
  g_assert_no_error (error);
  name = verify_account (f->store, "erin", "kept across restarts", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "erin");
}

/* A store from the first version (no "untold" table) is brought up to
 * date on opening, its accounts kept; a change made then is untold until
 * set told. */
static void
test_version_1_upgraded (Fixture       *f,
                         gconstpointer  data)
{
  static const char v1[] =
    "CREATE TABLE accounts (key TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL,"
    " created INTEGER NOT NULL, last_seen INTEGER NOT NULL DEFAULT 0,"
    " operator INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    "CREATE TABLE certificates (fingerprint TEXT PRIMARY KEY,"
    " key TEXT NOT NULL REFERENCES accounts (key) ON DELETE CASCADE) WITHOUT ROWID;"
    "INSERT INTO accounts (key, name, hash, created) VALUES ('old', 'Old', '$y$x', 1);"
    "PRAGMA user_version = 1;";
  g_autofree char *path = g_build_filename (f->dir, "v1.sqlite", NULL);
  g_autoptr(SudaAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_auto(GStrv) untold = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, v1, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = suda_account_store_open (path, &error);
  g_assert_no_error (error);
  version = query_text (path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "2");
  g_assert_true (suda_account_store_exists (store, "old"));
  untold = suda_account_store_list_untold (store);
  g_assert_cmpuint (g_strv_length (untold), ==, 0);
  g_strfreev (untold);

  g_assert_true (suda_account_store_set_operator (store, "Old", TRUE, &error));
  untold = suda_account_store_list_untold (store);
  g_assert_cmpstrv (untold, ((const char * const[]) { "Old", NULL }));
  g_strfreev (untold);
  suda_account_store_set_told (store, "OLD");
  untold = suda_account_store_list_untold (store);
  g_assert_cmpuint (g_strv_length (untold), ==, 0);
}

static void
test_newer_schema_refused (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaAccountStore) again = NULL;
  sqlite3 *db = NULL;

  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  again = suda_account_store_open (f->path, &error);
  g_assert_null (again);
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "99"));
}

static void
test_list_operator_delete (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(SudaAccountInfo) kim = NULL;

  g_assert_true (register_account (f->store, "kim", "teacher's password", &error));
  g_assert_true (register_account (f->store, "Lee", "student password", &error));
  g_assert_true (suda_account_store_set_operator (f->store, "KIM", TRUE, &error));
  kim = suda_account_store_lookup (f->store, "kim");
  g_assert_true (kim->is_operator);

  accounts = suda_account_store_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);
  g_assert_cmpstr (((SudaAccountInfo *) accounts->pdata[0])->name, ==, "kim");
  g_assert_cmpstr (((SudaAccountInfo *) accounts->pdata[1])->name, ==, "Lee");

  g_assert_true (suda_account_store_delete (f->store, "lee", &error));
  g_assert_false (suda_account_store_exists (f->store, "Lee"));
  g_assert_false (suda_account_store_delete (f->store, "lee", &error));
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_NOT_FOUND);
}

static void
test_certificate_fingerprints (Fixture       *f,
                               gconstpointer  data)
{
  const char *fp = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *gone = NULL;

  g_assert_true (register_account (f->store, "mina", "certificate user", &error));
  g_assert_false (suda_account_store_add_certificate (f->store, "mina", "not-a-fingerprint", &error));
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_false (suda_account_store_add_certificate (f->store, "nobody", fp, &error));
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (suda_account_store_add_certificate (f->store, "MINA", fp, &error));
  owner = suda_account_store_lookup_certificate (f->store, g_ascii_strup (fp, -1));
  g_assert_cmpstr (owner, ==, "mina");

  /* A deleted account takes its certificates with it. */
  g_assert_true (suda_account_store_delete (f->store, "mina", &error));
  gone = suda_account_store_lookup_certificate (f->store, fp);
  g_assert_null (gone);
}

static void
test_set_password (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *old = NULL;
  g_autofree char *now = NULL;

  g_assert_true (register_account (f->store, "nari", "first password", &error));
  suda_account_store_set_password_async (f->store, "nari", "second password", NULL, suda_test_async_store, &result);
  g_assert_true (suda_account_store_set_password_finish (f->store, suda_test_async_wait (&result), &error));
  g_assert_no_error (error);

  old = verify_account (f->store, "nari", "first password", &error);
  g_assert_null (old);
  g_clear_error (&error);
  now = verify_account (f->store, "nari", "second password", &error);
  g_assert_cmpstr (now, ==, "nari");
}

static void
test_csv_import (Fixture       *f,
                 gconstpointer  data)
{
  const char *csv =
    "name,password\n"
    "student01,first-pass\r\n"
    "student02, spaced pass \n"
    "\n"
    "# a comment\n"
    "student01,again-pass\n"
    "bad name,valid-pass\n"
    "student03,short\n"
    "no comma here\n"
    "student04,pass,with,commas\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(GStrv) problems = NULL;
  g_autofree char *comma = NULL;
  guint imported;

  suda_account_store_import_csv_async (f->store, csv, NULL, suda_test_async_store, &result);
  imported = suda_account_store_import_csv_finish (f->store, suda_test_async_wait (&result), &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported, ==, 3);
  g_assert_cmpuint (g_strv_length (problems), ==, 4);
  g_assert_true (g_str_has_prefix (problems[0], "line 6:"));   /* student01 twice */
  g_assert_true (g_str_has_prefix (problems[1], "line 7:"));   /* a space in a name */
  g_assert_true (g_str_has_prefix (problems[2], "line 8:"));   /* too short */
  g_assert_true (g_str_has_prefix (problems[3], "line 9:"));   /* no comma */

  /* A password is everything after the first comma. */
  comma = verify_account (f->store, "student04", "pass,with,commas", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (comma, ==, "student04");
}

/* ---- kill -9 in the middle of a registration storm ----------------------- */

#define STORM_ENV "SUDA_TEST_STORM_STORE"

static void
on_storm_registered (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data);

static void
storm_next (SudaAccountStore *store)
{
  static guint n;
  g_autofree char *name = g_strdup_printf ("storm%04u", n++);
  g_autofree char *password = g_strdup_printf ("password of %s", name);

  suda_account_store_register_async (store, name, password, NULL, on_storm_registered, NULL);
}

static void
on_storm_registered (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_assert_true (suda_account_store_register_finish (SUDA_ACCOUNT_STORE (source), result, NULL));
  storm_next (SUDA_ACCOUNT_STORE (source));
}

/* The child: registers accounts four at a time until it is killed. */
static int
run_storm (const char *path)
{
  g_autoptr(GError) error = NULL;
  SudaAccountStore *store;

  /* Never outlive the test, whatever becomes of it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  store = suda_account_store_open (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    storm_next (store);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

static gboolean
enough_accounts (gpointer data)
{
  Fixture *f = data;
  g_autofree char *count = query_text (f->path, "SELECT count(*) FROM accounts");

  return count != NULL && atoi (count) >= 12;
}

static void
test_kill_during_storm (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *integrity = NULL;
  const char *argv[] = { g_test_get_filename (G_TEST_BUILT, "test-account-store", NULL), NULL };

  g_clear_object (&f->store);
  g_subprocess_launcher_setenv (launcher, STORM_ENV, f->path, TRUE);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_assert_true (suda_test_wait_until (enough_accounts, f, 60000));
  g_subprocess_force_exit (child);
  g_assert_true (g_subprocess_wait (child, NULL, NULL));
  g_assert_true (g_subprocess_get_if_signaled (child));

  integrity = query_text (f->path, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  f->store = suda_account_store_open (f->path, &error);
  g_assert_no_error (error);
  accounts = suda_account_store_list (f->store, &error);
  g_assert_cmpuint (accounts->len, >=, 12);

  /* Every account that is there is whole: its password works. */
  for (guint i = 0; i < accounts->len; i += accounts->len / 4)
    {
      const char *name = ((SudaAccountInfo *) accounts->pdata[i])->name;
      g_autofree char *password = g_strdup_printf ("password of %s", name);
      g_autofree char *verified = verify_account (f->store, name, password, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (verified, ==, name);
    }
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv (STORM_ENV) != NULL)
    return run_storm (g_getenv (STORM_ENV));

  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/accounts/store/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("version-1-upgraded", test_version_1_upgraded);
  ADD ("register-then-verify", test_register_then_verify);
  ADD ("duplicate-name-refused", test_duplicate_refused);
  ADD ("bad-name-and-weak-password-refused", test_bad_name_and_weak_password);
  ADD ("stored-as-yescrypt-privately", test_stored_as_yescrypt_privately);
  ADD ("survives-reopen", test_survives_reopen);
  ADD ("newer-schema-refused", test_newer_schema_refused);
  ADD ("list-operator-delete", test_list_operator_delete);
  ADD ("certificate-fingerprints", test_certificate_fingerprints);
  ADD ("set-password", test_set_password);
  ADD ("csv-import-whole-class", test_csv_import);
  ADD ("kill-9-during-registration-storm", test_kill_during_storm);
#undef ADD

  return g_test_run ();
}
