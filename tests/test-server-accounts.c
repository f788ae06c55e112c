/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Accounts on a running server: SASL PLAIN, REGISTER, nick protection,
 * operators by account, and what a login shows others (account-tag,
 * account-notify, extended-join, WHOIS 330, WHOX). */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "suda-certificate.h"
#include "suda-test-util.h"
#include "suda-tls-self-signed.h"

#define PASSWORD "correct-horse"
/* The longest wait for a password check. */
#define SLOW_MS 60000

/* A server whose store lives in the test's own temporary folder; EXTRA is
 * "group/key=value" settings separated by spaces. */
static SudaServer *
accounts_server (const char *extra)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_auto(GStrv) settings = g_strsplit (extra ? extra : "", " ", -1);
  SudaServer *server;

  for (guint i = 0; settings[i]; i++)
    {
      g_autofree char *group = NULL;
      const char *slash = strchr (settings[i], '/');
      const char *equals = strchr (settings[i], '=');
      g_autofree char *key = NULL;

      if (*settings[i] == '\0')
        continue;
      g_assert_true (slash && equals && slash < equals);
      group = g_strndup (settings[i], slash - settings[i]);
      key = g_strndup (slash + 1, equals - slash - 1);
      g_assert_true (suda_server_config_set_value (config, group, key, equals + 1, NULL));
    }
  server = suda_test_server_new_unthrottled (config);
  g_assert_nonnull (suda_server_get_accounts (server));
  return server;
}

static void
make_account (SudaAccountStore *store,
              const char       *name)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  suda_account_store_register_async (store, name, PASSWORD, NULL, suda_test_async_store, &result);
  g_assert_true (suda_account_store_register_finish (store, suda_test_async_wait (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static char *
plain_answer (const char *account,
              const char *password)
{
  g_autofree char *raw = g_strdup_printf ("%c%s%c%s", '\0', account, '\0', password);
  gsize len = 2 + strlen (account) + strlen (password);

  return g_base64_encode ((const guchar *) raw, len);
}

static void
send_plain (SudaTestClient *c,
            const char     *account,
            const char     *password)
{
  g_autofree char *answer = plain_answer (account, password);

  suda_test_client_send (c, "AUTHENTICATE PLAIN");
  suda_test_client_await (c, "AUTHENTICATE +");
  suda_test_client_send (c, "AUTHENTICATE %s", answer);
}

/* A line that comes after a password check. */
static void
await_slow (SudaTestClient *c,
            const char     *pattern)
{
  g_free (suda_test_client_expect_within (c, pattern, SLOW_MS));
}

static void
await_end_of_welcome (SudaTestClient *c)
{
  for (;;)
    {
      g_autofree char *line = suda_test_client_read_line (c, 5000);

      g_assert_nonnull (line);
      if (strstr (line, " 376 ") || strstr (line, " 422 "))
        return;
    }
}

/* Registers NICK after logging into ACCOUNT with SASL PLAIN. */
static SudaTestClient *
sasl_user_at (guint16     port,
              const char *nick,
              const char *account,
              const char *caps)
{
  SudaTestClient *c = suda_test_client_connect (port);
  g_autofree char *ack = g_strdup_printf ("* CAP * ACK :sasl%s%s", caps ? " " : "", caps ? caps : "");

  suda_test_client_send (c, "CAP LS 302");
  suda_test_client_send (c, "NICK %s", nick);
  suda_test_client_send (c, "USER %s 0 * :Real %s", nick, nick);
  suda_test_client_send (c, "CAP REQ :sasl%s%s", caps ? " " : "", caps ? caps : "");
  suda_test_client_await (c, ack);
  send_plain (c, account, PASSWORD);
  /* Hashing is slow by design; a loaded machine makes it slower. */
  g_free (suda_test_client_expect_within (c, "* 903 * :*", SLOW_MS));
  suda_test_client_send (c, "CAP END");
  await_slow (c, "* 001 *");
  await_end_of_welcome (c);
  return c;
}

static SudaTestClient *
sasl_user (SudaServer *server,
           const char *nick,
           const char *account,
           const char *caps)
{
  return sasl_user_at (suda_server_get_port (server), nick, account, caps);
}

static void
test_sasl_plain (void)
{
  g_autoptr(SudaServer) server = accounts_server (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));
  g_autofree char *ls = NULL;
  g_autofree char *wrong = plain_answer ("kim", "wrong password");
  g_autofree char *right = plain_answer ("kim", PASSWORD);
  g_autofree char *log = NULL;

  make_account (suda_server_get_accounts (server), "kim");
  suda_test_client_send (c, "CAP LS 302");
  ls = suda_test_client_expect (c, "* CAP * LS :*");
  g_assert_nonnull (strstr (ls, " sasl=PLAIN,EXTERNAL"));
  g_assert_nonnull (strstr (ls, " draft/account-registration=before-connect"));
  suda_test_client_send (c, "CAP REQ :sasl");
  suda_test_client_await (c, "* CAP * ACK :sasl");
  suda_test_client_send (c, "NICK kim");
  suda_test_client_send (c, "USER kim 0 * :Kim");

  /* An unknown mechanism: the list, then a failure. */
  suda_test_client_send (c, "AUTHENTICATE SCRAM-SHA-256");
  suda_test_client_await (c, "* 908 kim PLAIN,EXTERNAL :*");
  await_slow (c, "* 904 kim :*");

  suda_test_client_send (c, "AUTHENTICATE PLAIN");
  suda_test_client_await (c, "AUTHENTICATE +");
  suda_test_client_send (c, "AUTHENTICATE %s", wrong);
  await_slow (c, "* 904 kim :SASL authentication failed");

  /* CAP END right after the answer: registration waits for the check. */
  suda_test_client_send (c, "AUTHENTICATE PLAIN");
  suda_test_client_await (c, "AUTHENTICATE +");
  suda_test_client_send (c, "AUTHENTICATE %s", right);
  suda_test_client_send (c, "CAP END");
  await_slow (c, "* 900 kim kim!*@* kim :*");
  await_slow (c, "* 903 kim :SASL authentication successful");
  await_slow (c, "* 001 kim *");
  await_end_of_welcome (c);
  suda_test_client_send (c, "AUTHENTICATE PLAIN");
  suda_test_client_await (c, "* 907 kim :*");
  g_ptr_array_unref (suda_test_client_sync (c));

  g_assert_true (g_file_get_contents (suda_server_get_log_path (server), &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "failed SASL login as kim"));
  g_assert_nonnull (strstr (log, "\"event\":\"login\""));
  g_assert_null (strstr (log, "wrong password"));
  g_assert_null (strstr (log, PASSWORD));
}

static void
test_sasl_chunks_and_abort (void)
{
  g_autoptr(SudaServer) server = accounts_server (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));
  g_autofree char *chunk = g_strnfill (400, 'A');

  suda_test_client_send (c, "NICK lee");
  suda_test_client_send (c, "AUTHENTICATE PLAIN");
  suda_test_client_await (c, "AUTHENTICATE +");
  suda_test_client_send (c, "AUTHENTICATE *");
  suda_test_client_await (c, "* 906 lee :*");
  /* Chunks of 400 add up; past the limit the exchange ends. */
  suda_test_client_send (c, "AUTHENTICATE PLAIN");
  suda_test_client_await (c, "AUTHENTICATE +");
  for (guint i = 0; i < 6; i++)
    suda_test_client_send (c, "AUTHENTICATE %s", chunk);
  suda_test_client_await (c, "* 905 lee :*");
  suda_test_client_assert_quiet (c);
}

static void
test_failures_disconnect (void)
{
  g_autoptr(SudaServer) server = accounts_server (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));

  make_account (suda_server_get_accounts (server), "kim");
  suda_test_client_send (c, "NICK guess");
  for (guint i = 0; i < 3; i++)
    {
      send_plain (c, "kim", "not the password");
      await_slow (c, "* 904 guess :*");
    }
  g_assert_true (suda_test_client_wait_closed (c, SLOW_MS));
}

static void
test_register_then_login (void)
{
  g_autoptr(SudaServer) server = accounts_server (NULL);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (port);
  g_autoptr(SudaTestClient) again = NULL;
  g_autoptr(SudaTestClient) other = NULL;

  /* Before connecting (before-connect): the account is the nick. */
  suda_test_client_send (c, "CAP LS 302");
  suda_test_client_send (c, "REGISTER * x@example.org " PASSWORD);
  suda_test_client_await (c, "* FAIL REGISTER NEED_NICK * :*");
  suda_test_client_send (c, "NICK mina");
  suda_test_client_send (c, "USER mina 0 * :Mina");
  suda_test_client_send (c, "REGISTER other * " PASSWORD);
  suda_test_client_await (c, "* FAIL REGISTER ACCOUNT_NAME_MUST_BE_NICK other :*");
  suda_test_client_send (c, "REGISTER * * short");
  suda_test_client_await (c, "* FAIL REGISTER WEAK_PASSWORD mina :*");
  /* One check at a time: a second REGISTER meanwhile is refused.  Both
   * in one write, so the second is read before the first's hash is done
   * however fast the machine. */
  suda_test_client_send (c, "REGISTER * x@example.org " PASSWORD "\r\n"
                            "REGISTER * x@example.org " PASSWORD);
  suda_test_client_await (c, "* FAIL REGISTER TEMPORARILY_UNAVAILABLE mina :*");
  suda_test_client_send (c, "CAP END");
  await_slow (c, ":* REGISTER SUCCESS mina :*");
  await_slow (c, "* 900 mina * mina :*");
  await_slow (c, "* 001 mina *");
  await_end_of_welcome (c);
  suda_test_client_send (c, "REGISTER * * " PASSWORD);
  suda_test_client_await (c, "* FAIL REGISTER ALREADY_AUTHENTICATED mina :*");
  suda_test_client_send (c, "QUIT");
  g_assert_true (suda_test_client_wait_closed (c, 5000));

  other = suda_test_client_register (port, "Mina", NULL);
  suda_test_client_send (other, "REGISTER * * " PASSWORD);
  suda_test_client_await (other, "* FAIL REGISTER ACCOUNT_EXISTS Mina :*");

  again = sasl_user (server, "mina2", "mina", NULL);
  suda_test_client_send (again, "WHOIS mina2");
  suda_test_client_await (again, "* 330 mina2 mina2 mina :is logged in as");
}

static void
test_registration_closed (void)
{
  g_autoptr(SudaServer) server = accounts_server ("accounts/registration=closed");
  g_autoptr(SudaTestClient) c = suda_test_client_register (suda_server_get_port (server), "kim", NULL);

  suda_test_client_send (c, "REGISTER * * " PASSWORD);
  suda_test_client_await (c, "* FAIL REGISTER DISALLOWED kim :*");
  g_assert_false (suda_account_store_exists (suda_server_get_accounts (server), "kim"));
}

/* registration=operators: a teacher, operator by account, makes the
 * class's accounts; a pupil cannot. */
static void
test_registration_by_operators (void)
{
  g_autoptr(SudaServer) server = accounts_server ("accounts/registration=operators "
                                                  "operators/teacher=account:kim");
  SudaAccountStore *store = suda_server_get_accounts (server);
  g_autoptr(SudaTestClient) pupil = NULL;
  g_autoptr(SudaTestClient) teacher = NULL;
  g_autoptr(SudaTestClient) logged = NULL;

  make_account (store, "kim");
  pupil = suda_test_client_register (suda_server_get_port (server), "pupil1", NULL);
  suda_test_client_send (pupil, "REGISTER * * " PASSWORD);
  suda_test_client_await (pupil, "* FAIL REGISTER DISALLOWED pupil1 :*");

  teacher = sasl_user (server, "kim", "kim", NULL);
  suda_test_client_send (teacher, "REGISTER pupil2 * " PASSWORD);
  await_slow (teacher, ":* REGISTER SUCCESS pupil2 :*");
  suda_test_client_send (teacher, "WHOIS kim");
  /* Still kim's own login: making an account for another is no login. */
  suda_test_client_await (teacher, "* 330 kim kim kim :*");
  logged = sasl_user (server, "pupil2", "pupil2", NULL);
}

static void
test_operator_by_account (void)
{
  g_autoptr(SudaServer) server = accounts_server ("operators/teacher=account:kim");
  SudaAccountStore *store = suda_server_get_accounts (server);
  g_autoptr(SudaTestClient) kim = NULL;
  g_autoptr(SudaTestClient) lee = NULL;
  g_autoptr(SudaTestClient) impostor = NULL;

  make_account (store, "kim");
  make_account (store, "lee");
  kim = suda_test_client_connect (suda_server_get_port (server));
  suda_test_client_send (kim, "NICK kim");
  suda_test_client_send (kim, "USER kim 0 * :Kim");
  await_end_of_welcome (kim);
  /* Logging in after registration makes the operator at once. */
  send_plain (kim, "kim", PASSWORD);
  await_slow (kim, "* 900 kim *");
  await_slow (kim, "* 381 kim :*");
  suda_test_client_await (kim, ":kim!* MODE kim :+o");

  /* No password is taken for an operator by account. */
  impostor = suda_test_client_register (suda_server_get_port (server), "imp", NULL);
  suda_test_client_send (impostor, "OPER teacher account:kim");
  suda_test_client_await (impostor, "* 464 imp :*");

  /* An account the console marked as an operator's. */
  g_assert_true (suda_account_store_set_operator (store, "lee", TRUE, NULL));
  lee = sasl_user (server, "lee", "lee", NULL);
  suda_test_client_send (lee, "KILL imp :out");
  g_assert_true (suda_test_client_wait_closed (impostor, 5000));
}

static void
test_login_shows (void)
{
  g_autoptr(SudaServer) server = accounts_server (NULL);
  SudaAccountStore *store = suda_server_get_accounts (server);
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaTestClient) carol = NULL;
  g_autoptr(GPtrArray) who = NULL;
  g_autofree char *log = NULL;

  make_account (store, "alice");
  make_account (store, "carol");
  bob = suda_test_user (server, "bob", "account-tag extended-join account-notify");
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_await (bob, ":bob!* JOIN #room * :Test bob");
  suda_test_client_await (bob, "* 366 bob #room :*");
  alice = sasl_user (server, "alice", "alice", NULL);
  suda_test_client_join (alice, "alice", "#room");
  suda_test_client_await (bob, "@account=alice :alice!* JOIN #room alice :Real alice");
  suda_test_client_send (alice, "PRIVMSG #room :hello");
  suda_test_client_await (bob, "@account=alice :alice!* PRIVMSG #room :hello");

  suda_test_client_send (bob, "WHOIS alice");
  suda_test_client_await (bob, "* 330 bob alice alice :is logged in as");
  suda_test_client_send (bob, "WHO #room %%na");
  who = suda_test_client_sync (bob);
  g_assert_nonnull (suda_test_lines_find (who, "* 354 bob alice alice"));
  g_assert_nonnull (suda_test_lines_find (who, "* 354 bob bob 0"));

  /* Logging in after registration: those who share a room are told. */
  carol = suda_test_member (server, "carol", NULL, "#room");
  send_plain (carol, "carol", PASSWORD);
  await_slow (carol, "* 903 carol :*");
  suda_test_client_await (bob, ":carol!* ACCOUNT carol");
  suda_test_client_send (carol, "PRIVMSG #room :hi");
  suda_test_client_await (bob, "@account=carol :carol!* PRIVMSG #room :hi");

  g_ptr_array_unref (suda_test_client_sync (alice));
  g_assert_true (g_file_get_contents (suda_server_get_log_path (server), &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "\"event\":\"register\",\"nick\":\"alice\""));
  g_assert_nonnull (strstr (log, "\"account\":\"alice\""));
}

/* A stranger on a registered nick is renamed after [accounts] nick-grace;
 * one who logs in within it keeps the nick. */
static void
test_nick_protection (void)
{
  /* Long enough for lee's AUTHENTICATE to arrive on a loaded machine; the
   * rename then waits for a password check under way. */
  g_autoptr(SudaServer) server = accounts_server ("accounts/nick-grace=2");
  SudaAccountStore *store = suda_server_get_accounts (server);
  g_autoptr(SudaTestClient) owner = NULL;
  g_autoptr(SudaTestClient) stranger = NULL;
  g_autoptr(SudaTestClient) watcher = NULL;
  g_autofree char *rename = NULL;

  make_account (store, "kim");
  make_account (store, "lee");
  watcher = suda_test_user (server, "watcher", NULL);

  /* lee logs in after the warning, within the grace. */
  owner = suda_test_user (server, "lee", NULL);
  suda_test_client_await (owner, ":* NOTICE lee :The nick lee belongs to a registered account*");
  send_plain (owner, "lee", PASSWORD);
  g_free (suda_test_client_expect_within (owner, "* 903 lee :*", SLOW_MS));

  /* kim's nick taken by a stranger: renamed once the grace is over. */
  stranger = suda_test_user (server, "kim", NULL);
  suda_test_client_await (stranger, ":* NOTICE kim :The nick kim belongs to a registered account*");
  rename = suda_test_client_expect_within (stranger, ":kim!* NICK :Guest*", SLOW_MS);
  g_assert_nonnull (rename);
  suda_test_client_send (watcher, "WHOIS kim");
  suda_test_client_await (watcher, "* 401 watcher kim :*");
  /* lee's grace, begun earlier, is over too: lee is still lee. */
  suda_test_client_send (watcher, "WHOIS lee");
  suda_test_client_await (watcher, "* 311 watcher lee *");

  /* Back as kim within the grace: the owner takes the nick back at once. */
  suda_test_client_send (stranger, "NICK kim");
  suda_test_client_await (stranger, ":Guest*!* NICK :kim");
  g_clear_pointer (&owner, suda_test_client_free);
  owner = sasl_user (server, "kim_", "kim", NULL);
  suda_test_client_send (owner, "NICK kim");
  suda_test_client_await (stranger, ":* NOTICE kim :The owner of this nick logged in*");
  suda_test_client_await (stranger, ":kim!* NICK :Guest*");
  suda_test_client_await (owner, ":kim_!* NICK :kim");
}

/* A plain-text session cannot log in: it gets another nick at once. */
static void
test_plain_session_on_registered_nick (void)
{
  g_autoptr(SudaServer) server = accounts_server (NULL);
  g_autoptr(SudaTestClient) plain = NULL;
  g_autoptr(SudaTestClient) watcher = NULL;

  make_account (suda_server_get_accounts (server), "kim");
  watcher = suda_test_user (server, "watcher", NULL);
  plain = suda_test_client_connect (suda_server_get_port (server));
  suda_test_client_send (plain, "kim");
  suda_test_client_await (plain, "*** That nickname belongs to a registered account*");
  suda_test_client_await (plain, "* kim is now known as Guest*");
  suda_test_client_send (watcher, "WHOIS kim");
  suda_test_client_await (watcher, "* 401 watcher kim :*");
}

/* REHASH keeps the open store and applies registration and nick-grace. */
static void
test_rehash_keeps_store (void)
{
  g_autoptr(SudaServer) server = accounts_server (NULL);
  SudaAccountStore *store = suda_server_get_accounts (server);
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "suda.conf", NULL);
  g_autoptr(SudaTestClient) c = NULL;
  g_autofree char *restart = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "[accounts]\nregistration=closed\nnick-grace=5\n"
                                            "file=elsewhere.sqlite\n", -1, NULL));
  suda_server_set_config_file (server, path, NULL);
  g_assert_true (suda_server_rehash (server, &restart, &error));
  g_assert_no_error (error);
  g_assert_true (suda_server_get_accounts (server) == store);
  g_assert_nonnull (strstr (restart, "[accounts] file"));
  g_assert_cmpuint (suda_server_get_config (server)->accounts.nick_grace_ms, ==, 5000);
  c = suda_test_user (server, "kim", NULL);
  suda_test_client_send (c, "REGISTER * * " PASSWORD);
  suda_test_client_await (c, "* FAIL REGISTER DISALLOWED kim :*");
}

static void
test_no_store (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *blocker = g_build_filename (dir, "file", NULL);
  g_autofree char *path = g_build_filename (blocker, "accounts.sqlite", NULL);
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) c = NULL;
  g_autofree char *ls = NULL;

  /* A file where the folder should be: the store cannot be opened. */
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
  g_assert_true (suda_server_config_set_value (config, "accounts", "file", path, NULL));
  server = suda_test_server_new_unthrottled (config);
  g_assert_null (suda_server_get_accounts (server));
  g_assert_nonnull (strstr (suda_server_get_accounts_problem (server), "without accounts"));
  c = suda_test_client_connect (suda_server_get_port (server));
  suda_test_client_send (c, "CAP LS 302");
  ls = suda_test_client_expect (c, "* CAP * LS :*");
  g_assert_null (strstr (ls, "sasl"));
  suda_test_client_send (c, "NICK kim");
  suda_test_client_send (c, "AUTHENTICATE PLAIN");
  await_slow (c, "* 904 kim :*");
  suda_test_client_send (c, "REGISTER * * " PASSWORD);
  suda_test_client_await (c, "* FAIL REGISTER TEMPORARILY_UNAVAILABLE kim :*");
}

static void
test_certfp_needs_login_and_certificate (void)
{
  g_autoptr(SudaServer) server = accounts_server (NULL);
  g_autoptr(SudaTestClient) kim = NULL;
  g_autoptr(SudaTestClient) lee = NULL;
  SudaAccountStore *store = suda_server_get_accounts (server);
  g_autofree char *fp = g_strnfill (64, 'a');
  g_autofree char *listed = g_strdup_printf ("* NOTE CERTFP LISTED %s :kim", fp);

  make_account (store, "kim");
  lee = suda_test_user (server, "lee", NULL);
  suda_test_client_send (lee, "CERTFP ADD");
  suda_test_client_await (lee, "* FAIL CERTFP NOT_LOGGED_IN :*");
  kim = sasl_user (server, "kim", "kim", NULL);
  suda_test_client_send (kim, "CERTFP ADD");
  suda_test_client_await (kim, "* FAIL CERTFP NO_CERTIFICATE :*");
  /* One the console added: listed and removed by its fingerprint. */
  g_assert_true (suda_account_store_add_certificate (store, "kim", fp, NULL));
  suda_test_client_send (kim, "CERTFP LIST");
  suda_test_client_await (kim, listed);
  suda_test_client_await (kim, "* NOTE CERTFP END kim :*");
  suda_test_client_send (kim, "CERTFP REMOVE %s", fp);
  suda_test_client_await (kim, "* NOTE CERTFP REMOVED * :kim");
  g_assert_null (suda_account_store_lookup_certificate (store, fp));
}

/* suda-serverd killed with SIGKILL in the middle of a registration storm ------ */

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
start_daemon (const char *dir,
              guint16    *port)
{
  g_autofree char *config = g_build_filename (dir, "suda.conf", NULL);
  g_autofree char *log = g_build_filename (dir, "server.jsonl", NULL);
  const char *argv[] = { g_getenv ("SUDA_SERVERD"), "--config", config, "--listen=127.0.0.1",
                         "--port=0", "--log", log, NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;

  g_assert_nonnull (argv[0]);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on 127.0.0.1:"));
  *port = atoi (strrchr (line, ':') + 1);
  return process;
}

#define STORM_CLIENTS 20
#define STORM_ROUNDS  10

/* Every account whose REGISTER SUCCESS a client saw is in the store after
 * a kill -9, and its password works: SQLite's WAL keeps what was committed. */
static void
test_store_survives_kill (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *store_path = g_build_filename (dir, "accounts.sqlite", NULL);
  g_autofree char *config_path = g_build_filename (dir, "suda.conf", NULL);
  g_autofree char *config = g_strdup_printf ("[server]\nservice-nick=\n"
                                             "[limits]\nflood-control=false\nmax-per-address=0\n"
                                             "connects-per-minute=0\n"
                                             "[accounts]\nfile=%s\nregistration=operators\n"
                                             "[operators]\nteacher=account:teacher\n", store_path);
  g_autoptr(GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_test_client_free);
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(SudaAccountStore) store = NULL;
  g_autoptr(SudaTestClient) check = NULL;
  GAsyncResult *results[STORM_CLIENTS * STORM_ROUNDS] = { NULL };
  guint16 port;

  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  store = suda_account_store_open (store_path, NULL);
  make_account (store, "teacher");
  g_clear_object (&store);

  daemon = start_daemon (dir, &port);
  for (guint i = 0; i < STORM_CLIENTS; i++)
    {
      g_autofree char *nick = g_strdup_printf ("t%u", i);
      SudaTestClient *c = sasl_user_at (port, nick, "teacher", NULL);

      g_free (suda_test_client_expect_within (c, "* 381 *", SLOW_MS));
      g_ptr_array_add (clients, c);
    }
  /* Each round has every connection's REGISTER in flight at once; in the
   * last, half the answers are read and the daemon is killed. */
  for (guint round = 0; round < STORM_ROUNDS; round++)
    {
      for (guint i = 0; i < STORM_CLIENTS; i++)
        suda_test_client_send (g_ptr_array_index (clients, i), "REGISTER s%u_%u * " PASSWORD, i, round);
      for (guint i = 0; i < (round + 1 < STORM_ROUNDS ? STORM_CLIENTS : STORM_CLIENTS / 2); i++)
        {
          g_autofree char *pattern = g_strdup_printf (":* REGISTER SUCCESS s%u_%u :*", i, round);

          g_free (suda_test_client_expect_within (g_ptr_array_index (clients, i), pattern, SLOW_MS));
          g_ptr_array_add (acked, g_strdup_printf ("s%u_%u", i, round));
        }
    }
  g_subprocess_send_signal (daemon, SIGKILL);
  g_assert_true (g_subprocess_wait (daemon, NULL, NULL));
  g_assert_true (g_subprocess_get_if_signaled (daemon));
  g_ptr_array_set_size (clients, 0);
  g_clear_object (&daemon);
  g_assert_cmpuint (acked->len, ==, STORM_CLIENTS * STORM_ROUNDS - STORM_CLIENTS / 2);

  /* A new daemon opens the store, and a pupil logs in through it. */
  daemon = start_daemon (dir, &port);
  check = sasl_user_at (port, "pupil", g_ptr_array_index (acked, acked->len - 1), NULL);
  g_clear_pointer (&check, suda_test_client_free);
  g_subprocess_send_signal (daemon, SIGTERM);
  g_assert_true (g_subprocess_wait (daemon, NULL, NULL));

  /* Every acknowledged account is there; the last of each connection,
   * written as the kill came, has its password (a row is all or nothing,
   * so the others have theirs). */
  store = suda_account_store_open (store_path, NULL);
  g_assert_nonnull (store);
  for (guint i = 0; i < acked->len; i++)
    g_assert_true (suda_account_store_exists (store, g_ptr_array_index (acked, i)));
  for (guint i = acked->len - STORM_CLIENTS; i < acked->len; i++)
    suda_account_store_verify_async (store, g_ptr_array_index (acked, i), PASSWORD, NULL,
                                     suda_test_async_store, &results[i]);
  for (guint i = acked->len - STORM_CLIENTS; i < acked->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = suda_account_store_verify_finish (store, suda_test_async_wait (&results[i]),
                                                                &error);

      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, g_ptr_array_index (acked, i));
      g_object_unref (results[i]);
    }
}

/* SASL EXTERNAL over TLS, against a daemon: the client here may block ----- */

typedef struct {
  GIOStream        *tls;
  GDataInputStream *in;
} TlsUser;

static gboolean
accept_any (GTlsConnection       *connection,
            GTlsCertificate      *peer,
            GTlsCertificateFlags  errors,
            gpointer              data)
{
  return TRUE;   /* the daemon's self-signed certificate */
}

static TlsUser *
tls_user_connect (guint16          port,
                  GTlsCertificate *certificate)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  TlsUser *self = g_new0 (TlsUser, 1);

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  /* No wait without an end: a silent daemon fails the read. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), SLOW_MS / 1000);
  self->tls = g_tls_client_connection_new (G_IO_STREAM (connection), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (self->tls, "accept-certificate", G_CALLBACK (accept_any), NULL);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (self->tls), certificate);
  g_tls_connection_handshake (G_TLS_CONNECTION (self->tls), NULL, &error);
  g_assert_no_error (error);
  self->in = g_data_input_stream_new (g_io_stream_get_input_stream (self->tls));
  g_data_input_stream_set_newline_type (self->in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  return self;
}

static void
tls_user_free (TlsUser *self)
{
  g_io_stream_close (self->tls, NULL, NULL);
  g_object_unref (self->in);
  g_object_unref (self->tls);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TlsUser, tls_user_free)

static void
tls_user_send (TlsUser    *self,
               const char *line)
{
  g_autofree char *data = g_strconcat (line, "\r\n", NULL);
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (self->tls), data, strlen (data), NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
tls_user_await (TlsUser    *self,
                const char *pattern)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (self->in, NULL, NULL, &error);

      if (line == NULL)
        g_error ("no line matching “%s” came: %s", pattern, error ? error->message : "closed");
      if (g_pattern_match_simple (pattern, line))
        return;
    }
}

/* Registers NICK, logging in with SASL EXTERNAL when EXTERNAL. */
static TlsUser *
tls_user_register (guint16          port,
                   const char      *nick,
                   GTlsCertificate *certificate,
                   gboolean         external)
{
  TlsUser *self = tls_user_connect (port, certificate);
  g_autofree char *nick_line = g_strdup_printf ("NICK %s", nick);

  tls_user_send (self, "CAP LS 302");
  tls_user_send (self, nick_line);
  tls_user_send (self, "USER u 0 * :TLS user");
  if (external)
    {
      tls_user_send (self, "CAP REQ :sasl");
      tls_user_await (self, "* CAP * ACK :sasl");
      tls_user_send (self, "AUTHENTICATE EXTERNAL");
      tls_user_await (self, "AUTHENTICATE +");
      tls_user_send (self, "AUTHENTICATE +");
    }
  /* Registration waits for a check under way. */
  tls_user_send (self, "CAP END");
  return self;
}

static GTlsCertificate *
make_certificate (const char *dir,
                  const char *name,
                  char      **fingerprint)
{
  g_autofree char *cert = g_strdup_printf ("%s/%s-cert.pem", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s-key.pem", dir, name);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  suda_tls_create_self_signed (cert, key, name, &error);
  g_assert_no_error (error);
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  if (fingerprint)
    *fingerprint = suda_certificate_fingerprint (certificate);
  return certificate;
}

/* A certificate the console registered logs in with EXTERNAL; CERTFP ADD
 * registers another over TLS; an unknown one is refused. */
static void
test_sasl_external (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *store_path = g_build_filename (dir, "accounts.sqlite", NULL);
  g_autofree char *config_path = g_build_filename (dir, "suda.conf", NULL);
  guint16 tls_port = suda_test_free_port ();
  g_autofree char *config = g_strdup_printf ("[server]\nservice-nick=\n[limits]\nflood-control=false\n"
                                             "[tls]\nport=%u\n[accounts]\nfile=%s\n",
                                             tls_port, store_path);
  g_autofree char *first_fp = NULL;
  g_autofree char *second_fp = NULL;
  g_autofree char *added = NULL;
  g_autoptr(GTlsCertificate) first = make_certificate (dir, "first", &first_fp);
  g_autoptr(GTlsCertificate) second = make_certificate (dir, "second", &second_fp);
  g_autoptr(GTlsCertificate) stranger = make_certificate (dir, "stranger", NULL);
  g_autoptr(SudaAccountStore) store = suda_account_store_open (store_path, NULL);
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(TlsUser) c = NULL;
  g_autofree char *answer = plain_answer ("kim", PASSWORD);
  g_autofree char *authenticate = g_strdup_printf ("AUTHENTICATE %s", answer);
  guint16 port;

  make_account (store, "kim");
  g_assert_true (suda_account_store_add_certificate (store, "kim", first_fp, NULL));
  g_clear_object (&store);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  daemon = start_daemon (dir, &port);

  c = tls_user_register (tls_port, "kim", first, TRUE);
  tls_user_await (c, "* 900 kim * kim :*");
  tls_user_await (c, "* 903 kim :*");
  tls_user_await (c, "* 001 kim *");
  g_clear_pointer (&c, tls_user_free);

  c = tls_user_register (tls_port, "lee", stranger, TRUE);
  tls_user_await (c, "* 904 lee :*");
  g_clear_pointer (&c, tls_user_free);

  /* PLAIN over TLS with the second certificate, which CERTFP ADD keeps. */
  c = tls_user_register (tls_port, "kimtls", second, FALSE);
  tls_user_await (c, "* 001 kimtls *");
  tls_user_send (c, "AUTHENTICATE PLAIN");
  tls_user_await (c, "AUTHENTICATE +");
  tls_user_send (c, authenticate);
  tls_user_await (c, "* 903 kimtls :*");
  tls_user_send (c, "CERTFP ADD");
  added = g_strdup_printf (":* NOTE CERTFP ADDED %s :kim", second_fp);
  tls_user_await (c, added);
  tls_user_send (c, "QUIT");
  g_clear_pointer (&c, tls_user_free);

  c = tls_user_register (tls_port, "kim2", second, TRUE);
  tls_user_await (c, "* 903 kim2 :*");
  g_clear_pointer (&c, tls_user_free);
  g_subprocess_send_signal (daemon, SIGTERM);
  g_assert_true (g_subprocess_wait (daemon, NULL, NULL));
}

static void
test_config_keys (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_assert_cmpstr (config->accounts.registration, ==, "open");
  g_assert_cmpuint (config->accounts.nick_grace_ms, ==, 30000);
  g_assert_true (suda_server_config_set_value (config, "server", "state-dir", "/var/lib/suda", NULL));
  path = suda_server_config_dup_accounts_path (config);
  g_assert_cmpstr (path, ==, "/var/lib/suda/accounts.sqlite");
  g_assert_false (suda_server_config_set_value (config, "accounts", "registration", "sometimes", &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_true (suda_server_config_set_value (config, "operators", "teacher", "account:Kim", NULL));
  g_assert_cmpstr (suda_server_config_get_account_operator (config, "kim"), ==, "teacher");
  g_assert_null (suda_server_config_get_account_operator (config, "lee"));
  g_assert_null (suda_server_config_get_operator_hash (config, "teacher"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server-accounts/config/keys", test_config_keys);
  g_test_add_func ("/server-accounts/sasl/plain-success-and-failure", test_sasl_plain);
  g_test_add_func ("/server-accounts/sasl/chunks-and-abort", test_sasl_chunks_and_abort);
  g_test_add_func ("/server-accounts/sasl/failures-disconnect", test_failures_disconnect);
  g_test_add_func ("/server-accounts/sasl/external-with-certfp", test_sasl_external);
  g_test_add_func ("/server-accounts/register/then-reconnect-and-login", test_register_then_login);
  g_test_add_func ("/server-accounts/register/closed", test_registration_closed);
  g_test_add_func ("/server-accounts/register/operators-only", test_registration_by_operators);
  g_test_add_func ("/server-accounts/operators/by-account", test_operator_by_account);
  g_test_add_func ("/server-accounts/login/tag-join-whois-notify", test_login_shows);
  g_test_add_func ("/server-accounts/nick/renamed-after-grace", test_nick_protection);
  g_test_add_func ("/server-accounts/nick/plain-session-renamed-at-once", test_plain_session_on_registered_nick);
  g_test_add_func ("/server-accounts/store/cannot-open", test_no_store);
  g_test_add_func ("/server-accounts/store/kept-by-rehash", test_rehash_keeps_store);
  g_test_add_func ("/server-accounts/store/survives-kill-9-in-registration-storm", test_store_survives_kill);
  g_test_add_func ("/server-accounts/certfp/needs-login-and-certificate", test_certfp_needs_login_and_certificate);
  return g_test_run ();
}
