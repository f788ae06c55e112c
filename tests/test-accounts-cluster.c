/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An account name is one account across the servers of a cluster: a new
 * account claims its name in Redis (suda:account:NAME) before it is
 * written, a drop lets it go, a server claims the names it holds as it
 * joins, and without Redis no account is made. */
#include "config.h"

#include <string.h>

#include "cluster/suda-cluster-private.h"
#include "suda-server-private.h"
#include "suda-test-cluster.h"
#include "suda-test-util.h"

#define LEASE_MS 3000
#define PASSWORD "correct-horse-battery"

typedef struct {
  SudaTestRedis  redis;
  GPtrArray     *entries;   /* SudaLogEntry of event "error", from every server */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  suda_test_redis_set_up (&f->redis);
  f->entries = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  suda_test_redis_tear_down (&f->redis);
  g_ptr_array_unref (f->entries);
}

static void
on_entry (SudaServer   *server,
          SudaLogEntry *entry,
          Fixture      *f)
{
  if (g_str_equal (suda_log_entry_get_event (entry), "error"))
    g_ptr_array_add (f->entries, g_object_ref (entry));
}

static SudaServer *
accounts_server (Fixture    *f,
                 const char *id)
{
  g_autoptr(SudaServerConfig) config = suda_test_cluster_accounts_config (&f->redis, id, LEASE_MS);
  SudaServer *server = suda_test_server_new (config);

  g_signal_connect (server, "log-entry", G_CALLBACK (on_entry), f);
  return server;
}

/* A command to the test's own Redis, waited for. */
static redisReply *
redis_run (Fixture            *f,
           const char * const *argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SudaRedis) redis = NULL;
  g_autoptr(GError) error = NULL;
  redisReply *reply;

  suda_redis_connect_async (f->redis.url, NULL, NULL, suda_test_async_store, &result);
  redis = suda_redis_connect_finish (suda_test_async_wait (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  suda_redis_command_async (redis, argv, NULL, NULL, suda_test_async_store, &result);
  reply = suda_redis_command_finish (redis, suda_test_async_wait (&result), &error);
  g_assert_no_error (error);
  suda_redis_close (redis);
  return reply;
}

/* The claim on NAME ("SERVER CREATED"), or NULL. */
static char *
claim_of (Fixture    *f,
          const char *name)
{
  g_autofree char *key = g_strconcat ("suda:account:", name, NULL);
  const char *argv[] = { "GET", key, NULL };
  g_autoptr(redisReply) reply = redis_run (f, argv);

  return reply->type == REDIS_REPLY_STRING ? g_strdup (reply->str) : NULL;
}

static void
set_claim (Fixture    *f,
           const char *name,
           const char *value)
{
  g_autofree char *key = g_strconcat ("suda:account:", name, NULL);
  const char *argv[] = { "SET", key, value, NULL };
  g_autoptr(redisReply) reply = redis_run (f, argv);
}

static gboolean
register_account (SudaServer  *server,
                  const char  *name,
                  GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SudaAccountStore *store = suda_server_get_accounts (server);

  suda_account_store_register_async (store, name, PASSWORD, NULL, suda_test_async_store, &result);
  return suda_account_store_register_finish (store, suda_test_async_wait (&result), error);
}

typedef struct {
  SudaServer *server;
  const char *name;
  gboolean    present;
} AccountWait;

static gboolean
is_connected (gpointer data)
{
  return _suda_cluster_is_connected (_suda_server_get_cluster (data));
}

static gboolean
is_disconnected (gpointer data)
{
  return !is_connected (data);
}

typedef struct {
  Fixture    *f;
  const char *name;
} ClaimWait;

static gboolean
is_unclaimed (gpointer data)
{
  ClaimWait *wait = data;
  g_autofree char *value = claim_of (wait->f, wait->name);

  return value == NULL;
}

/* The first error logged about account NAME whose text has PART, or NULL. */
static SudaLogEntry *
find_error (Fixture    *f,
            const char *name,
            const char *part)
{
  for (guint i = 0; i < f->entries->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (f->entries, i);

      if (g_strcmp0 (suda_log_entry_get_field (entry, "account"), name) == 0 &&
          strstr (suda_log_entry_get_text (entry), part) != NULL)
        return entry;
    }
  return NULL;
}

typedef struct {
  GAsyncResult *a;
  GAsyncResult *b;
} Race;

static gboolean
both_answered (gpointer data)
{
  Race *race = data;

  return race->a != NULL && race->b != NULL;
}

/* A and B register "alice" in the same main-loop turn: exactly one wins,
 * the other is told the name exists (and logs who holds it), and both end
 * with the winner's account, which the claim names. */
static void
test_race_one_winner (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SudaServer) a = accounts_server (f, "a");
  g_autoptr(SudaServer) b = accounts_server (f, "b");
  SudaServer *servers[] = { a, b, NULL };
  Race race = { NULL, NULL };
  g_autoptr(GError) error_a = NULL;
  g_autoptr(GError) error_b = NULL;
  g_autofree char *hash_a = NULL, *hash_b = NULL, *claim = NULL, *expected = NULL;
  gint64 created_a = 0, created_b = 0;
  gboolean won_a, won_b;
  GError *lost;
  SudaServer *winner, *loser;

  suda_test_cluster_wait (servers);
  suda_account_store_register_async (suda_server_get_accounts (a), "alice", PASSWORD, NULL,
                                     suda_test_async_store, &race.a);
  suda_account_store_register_async (suda_server_get_accounts (b), "alice", "another password", NULL,
                                     suda_test_async_store, &race.b);
  g_assert_true (suda_test_wait_until (both_answered, &race, 10000));
  won_a = suda_account_store_register_finish (suda_server_get_accounts (a), race.a, &error_a);
  won_b = suda_account_store_register_finish (suda_server_get_accounts (b), race.b, &error_b);
  g_clear_object (&race.a);
  g_clear_object (&race.b);
  g_assert_true (won_a != won_b);
  lost = won_a ? error_b : error_a;
  g_assert_error (lost, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS);
  winner = won_a ? a : b;
  loser = won_a ? b : a;
  g_assert_nonnull (find_error (f, "alice", won_a ? "server a holds the name" : "server b holds the name"));

  /* The loser gets the winner's account, and both agree on it. */
  suda_test_cluster_wait_for_account (loser, "alice", TRUE);
  g_assert_true (suda_account_store_dup_record (suda_server_get_accounts (winner), "alice", &hash_a, &created_a, NULL));
  g_assert_true (suda_account_store_dup_record (suda_server_get_accounts (loser), "alice", &hash_b, &created_b, NULL));
  g_assert_cmpstr (hash_a, ==, hash_b);
  g_assert_cmpint (created_a, ==, created_b);
  claim = claim_of (f, "alice");
  expected = g_strdup_printf ("%s %" G_GINT64_FORMAT, won_a ? "a" : "b", created_a);
  g_assert_cmpstr (claim, ==, expected);
}

/* Dropped on A, the name is free: B makes it again and holds it. */
static void
test_drop_then_register_elsewhere (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(SudaServer) a = accounts_server (f, "a");
  g_autoptr(SudaServer) b = accounts_server (f, "b");
  SudaServer *servers[] = { a, b, NULL };
  ClaimWait released = { f, "mina" };
  g_autoptr(GError) error = NULL;
  g_autofree char *claim = NULL;

  suda_test_cluster_wait (servers);
  g_assert_true (register_account (a, "mina", &error));
  g_assert_no_error (error);
  suda_test_cluster_wait_for_account (b, "mina", TRUE);
  /* Held by A: B refuses it as its own. */
  g_assert_false (register_account (b, "Mina", &error));
  g_assert_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_true (suda_account_store_delete (suda_server_get_accounts (a), "mina", &error));
  suda_test_cluster_wait_for_account (b, "mina", FALSE);
  g_assert_true (suda_test_wait_until (is_unclaimed, &released, 5000));
  g_assert_true (register_account (b, "mina", &error));
  g_assert_no_error (error);
  suda_test_cluster_wait_for_account (a, "mina", TRUE);
  claim = claim_of (f, "mina");
  g_assert_nonnull (claim);
  g_assert_true (g_str_has_prefix (claim, "b "));
}

/* A REGISTER whose name another server claimed (its record not here yet)
 * is answered as a taken name is, and logged. */
static void
test_register_claimed_name_fails (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SudaServer) a = accounts_server (f, "a");
  g_autoptr(SudaTestClient) c = NULL;

  g_assert_true (suda_test_wait_until (is_connected, a, 5000));
  set_claim (f, "carol", "elsewhere 1700000000");
  c = suda_test_user (a, "carol", NULL);
  suda_test_client_send (c, "REGISTER * carol@example.org " PASSWORD);
  g_free (suda_test_client_expect_within (c, "* FAIL REGISTER ACCOUNT_EXISTS carol :*", 10000));
  g_assert_false (suda_account_store_exists (suda_server_get_accounts (a), "carol"));
  g_assert_nonnull (find_error (f, "carol", "server elsewhere holds the name"));
  g_autofree char *claim = claim_of (f, "carol");
  g_assert_cmpstr (claim, ==, "elsewhere 1700000000");
}

/* With Redis away (required=false) no name can be claimed: REGISTER is
 * refused as TEMPORARILY_UNAVAILABLE, logged, nothing written; with Redis
 * back it goes through. */
static void
test_redis_down_refuses (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_test_cluster_accounts_config (&f->redis, "a", LEASE_MS);
  g_autoptr(SudaServer) a = NULL;
  g_autoptr(SudaTestClient) c = NULL;
  g_autoptr(GError) error = NULL;

  suda_test_redis_stop (&f->redis);
  config->cluster.required = FALSE;
  a = suda_test_server_new (config);
  g_signal_connect (a, "log-entry", G_CALLBACK (on_entry), f);
  c = suda_test_user (a, "dana", NULL);
  suda_test_client_send (c, "REGISTER * dana@example.org " PASSWORD);
  g_free (suda_test_client_expect_within (c, "* FAIL REGISTER TEMPORARILY_UNAVAILABLE dana :*", 10000));
  g_assert_false (suda_account_store_exists (suda_server_get_accounts (a), "dana"));
  g_assert_nonnull (find_error (f, "dana", "Redis is unreachable"));

  suda_test_redis_start (&f->redis);
  g_assert_true (suda_test_wait_until (is_connected, a, 10000));
  suda_test_client_send (c, "REGISTER * dana@example.org " PASSWORD);
  g_free (suda_test_client_expect_within (c, ":* REGISTER SUCCESS dana :*", 20000));
  g_autofree char *claim = claim_of (f, "dana");
  g_assert_nonnull (claim);
  g_assert_true (g_str_has_prefix (claim, "a "));
}

static gboolean
is_operator_on (gpointer data)
{
  AccountWait *wait = data;
  g_autoptr(SudaAccountInfo) info = suda_account_store_lookup (suda_server_get_accounts (wait->server), wait->name);

  return info != NULL && info->is_operator == wait->present;
}

/* KEPT and DROPPED registered on A, and copied to B */
static void
share_two (SudaServer *a,
           SudaServer *b,
           const char *kept,
           const char *dropped)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (register_account (a, kept, &error));
  g_assert_true (register_account (a, dropped, &error));
  g_assert_no_error (error);
  suda_test_cluster_wait_for_account (b, kept, TRUE);
  suda_test_cluster_wait_for_account (b, dropped, TRUE);
}

/* In STORE: KEPT made operator, DROPPED dropped */
static void
change_two (SudaAccountStore *store,
            const char       *kept,
            const char       *dropped)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (suda_account_store_set_operator (store, kept, TRUE, &error));
  g_assert_true (suda_account_store_delete (store, dropped, &error));
  g_assert_no_error (error);
}

/* B has heard of change_two() */
static void
wait_for_two (SudaServer *b,
              const char *kept,
              const char *dropped)
{
  AccountWait made_operator = { b, kept, TRUE };

  g_assert_true (suda_test_wait_until (is_operator_on, &made_operator, 10000));
  suda_test_cluster_wait_for_account (b, dropped, FALSE);
}

/* Changed on A while Redis is away (made operator, dropped): the other
 * servers hear of it once Redis is back. */
static void
test_change_while_away_goes_out_later (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(SudaServer) a = accounts_server (f, "a");
  g_autoptr(SudaServer) b = accounts_server (f, "b");
  SudaServer *servers[] = { a, b, NULL };
  ClaimWait omar_released = { f, "omar" };
  g_autoptr(GError) error = NULL;

  suda_test_cluster_wait (servers);
  share_two (a, b, "nora", "omar");

  suda_test_redis_stop (&f->redis);
  g_assert_true (suda_test_wait_until (is_disconnected, a, 10000));
  change_two (suda_server_get_accounts (a), "nora", "omar");

  suda_test_redis_start (&f->redis);
  suda_test_cluster_wait (servers);
  wait_for_two (b, "nora", "omar");
  /* and the dropped name is free everywhere, whoever claimed it on joining */
  g_assert_true (suda_test_wait_until (is_unclaimed, &omar_released, 5000));
  g_assert_true (register_account (b, "omar", &error));
  g_assert_no_error (error);
}

/* Changed in A's file while A was stopped (the console's Accounts page
 * does that): the others hear of it when A is back, and only once. */
static void
test_change_while_stopped_goes_out_on_start (Fixture       *f,
                                             gconstpointer  data)
{
  SudaServer *a = accounts_server (f, "a");
  g_autoptr(SudaServer) b = accounts_server (f, "b");
  g_autoptr(SudaServer) again = NULL;
  SudaServer *servers[] = { a, b, NULL };
  g_autofree char *path = suda_test_cluster_store_path (&f->redis, "a");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) untold = NULL;

  suda_test_cluster_wait (servers);
  share_two (a, b, "pia", "quin");
  g_object_unref (a);

  {
    g_autoptr(SudaAccountStore) file = suda_account_store_open (path, &error);

    g_assert_no_error (error);
    untold = suda_account_store_list_untold (file);
    g_assert_cmpuint (g_strv_length (untold), ==, 0);
    change_two (file, "pia", "quin");
  }

  again = accounts_server (f, "a");
  servers[0] = again;
  suda_test_cluster_wait (servers);
  wait_for_two (b, "pia", "quin");
  g_strfreev (untold);
  untold = suda_account_store_list_untold (suda_server_get_accounts (again));
  g_assert_cmpuint (g_strv_length (untold), ==, 0);
}

/* A CSV import claims each name first: a line whose name another server
 * holds is a problem of its own, and the others are written and claimed. */
static void
test_import_claims_names (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SudaServer) a = accounts_server (f, "a");
  SudaAccountStore *store = suda_server_get_accounts (a);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) problems = NULL;
  g_autoptr(SudaAccountInfo) info = NULL;
  g_autofree char *claim = NULL, *expected = NULL;
  guint imported;

  g_assert_true (suda_test_wait_until (is_connected, a, 5000));
  set_claim (f, "gus", "elsewhere 1700000000");
  suda_account_store_import_csv_async (store, "name,password\ngus,gus-password\nhana,hana-password\n", NULL,
                                       suda_test_async_store, &result);
  imported = suda_account_store_import_csv_finish (store, suda_test_async_wait (&result), &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported, ==, 1);
  g_assert_cmpuint (g_strv_length (problems), ==, 1);
  g_assert_cmpstr (problems[0], ==, "line 2: The account “gus” already exists");
  g_assert_false (suda_account_store_exists (store, "gus"));
  info = suda_account_store_lookup (store, "hana");
  g_assert_nonnull (info);
  expected = g_strdup_printf ("a %" G_GINT64_FORMAT, info->created);
  claim = claim_of (f, "hana");
  g_assert_cmpstr (claim, ==, expected);
}

static gboolean
conflict_logged (gpointer data)
{
  return find_error (data, "finn", "server b claimed a different account") != NULL;
}

/* Accounts in the store before the start are claimed as the server joins;
 * a name another server claimed for a different account is a conflict,
 * logged and left to that server. */
static void
test_start_claims_held_names (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *path = suda_test_cluster_store_path (&f->redis, "a");
  g_autoptr(SudaAccountStore) store = suda_account_store_open (path, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SudaServer) a = NULL;
  g_autoptr(SudaAccountInfo) info = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *claim = NULL, *other = NULL;

  g_assert_nonnull (store);
  for (guint i = 0; i < 2; i++)
    {
      suda_account_store_register_async (store, i == 0 ? "erin" : "finn", PASSWORD, NULL,
                                         suda_test_async_store, &result);
      g_assert_true (suda_account_store_register_finish (store, suda_test_async_wait (&result), NULL));
      g_clear_object (&result);
    }
  g_clear_object (&store);
  set_claim (f, "finn", "b 1");

  a = accounts_server (f, "a");
  info = suda_account_store_lookup (suda_server_get_accounts (a), "erin");
  expected = g_strdup_printf ("a %" G_GINT64_FORMAT, info->created);
  g_assert_true (suda_test_wait_until (conflict_logged, f, 5000));
  claim = claim_of (f, "erin");
  g_assert_cmpstr (claim, ==, expected);
  other = claim_of (f, "finn");
  g_assert_cmpstr (other, ==, "b 1");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_find_program_in_path ("redis-server") == NULL)
    {
      g_test_skip ("redis-server is not installed (tools/install-deps.sh)");
      return 0;
    }
#define ADD(path, func) \
  g_test_add ("/cluster/accounts/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("race-exactly-one-wins", test_race_one_winner);
  ADD ("drop-frees-name-for-other-server", test_drop_then_register_elsewhere);
  ADD ("register-claimed-name-is-taken", test_register_claimed_name_fails);
  ADD ("redis-down-refuses-registration", test_redis_down_refuses);
  ADD ("start-claims-held-names", test_start_claims_held_names);
  ADD ("import-claims-each-name", test_import_claims_names);
  ADD ("change-while-away-goes-out-later", test_change_while_away_goes_out_later);
  ADD ("change-while-stopped-goes-out-on-start", test_change_while_stopped_goes_out_on_start);
  return g_test_run ();
}
