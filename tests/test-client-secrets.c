/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Account passwords in the keyring, through libsecret.  Run by
 * run-in-keyring.sh: a D-Bus session and gnome-keyring of the test's own. */
#include "config.h"

#include "suda-secrets.h"
#include "suda-test-util.h"

static char *
lookup (const char *server,
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

static void
test_store_lookup_clear (void)
{
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) cleared = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *other_account = NULL;
  g_autofree char *other_server = NULL;
  g_autofree char *gone = NULL;

  /* The wrapper's keyring, in a temporary folder: never the person's. */
  g_assert_true (g_str_has_prefix (g_getenv ("XDG_DATA_HOME"), g_get_tmp_dir ()));

  suda_secrets_store_async ("class.example:6697", "minji", "비밀 password", NULL, suda_test_async_store, &stored);
  g_assert_true (suda_secrets_store_finish (suda_test_async_wait (&stored), &error));
  g_assert_no_error (error);

  found = lookup ("class.example:6697", "minji");
  g_assert_cmpstr (found, ==, "비밀 password");
  other_account = lookup ("class.example:6697", "jisu");
  g_assert_null (other_account);
  other_server = lookup ("other.example:6697", "minji");
  g_assert_null (other_server);

  suda_secrets_clear_async ("class.example:6697", "minji", NULL, suda_test_async_store, &cleared);
  g_assert_true (suda_secrets_clear_finish (suda_test_async_wait (&cleared), &error));
  gone = lookup ("class.example:6697", "minji");
  g_assert_null (gone);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/secrets/store-lookup-clear", test_store_lookup_clear);
  return g_test_run ();
}
