/* SPDX-License-Identifier: GPL-3.0-or-later */
/* suda_server_dup_cluster_status(): what the console shows of a cluster
 * ([cluster], issue 15): Redis (never its password), the link and since
 * when, this server and the others with their users. */
#include "config.h"

#include <string.h>

#include "suda-server.h"
#include "suda-test-cluster.h"
#include "suda-test-util.h"

#define LEASE_MS 3000

typedef struct {
  SudaServer *server;
  const char *peer;
  guint       n_users;
} Expected;

static gboolean
peer_has_users (gpointer data)
{
  Expected *expected = data;
  g_autoptr(SudaClusterStatus) status = suda_server_dup_cluster_status (expected->server);
  const SudaClusterPeer *peer = status ? suda_cluster_status_find (status, expected->peer) : NULL;

  return peer != NULL && peer->n_users == expected->n_users;
}

static void
test_none_without_cluster (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  g_assert_null (suda_server_dup_cluster_status (server));

  /* configured, but not started: nothing to say yet */
  config->cluster.redis = g_strdup ("redis://127.0.0.1:1/0");
  g_clear_object (&server);
  server = suda_server_new (config);
  g_assert_null (suda_server_dup_cluster_status (server));
}

static void
test_servers_and_users (void)
{
  SudaTestRedis redis = { 0 };
  g_autoptr(SudaServer) a = NULL;
  g_autoptr(SudaServer) b = NULL;
  g_autoptr(SudaTestClient) ann = NULL;
  g_autoptr(SudaTestClient) amy = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaClusterStatus) status = NULL;
  g_autoptr(SudaClusterStatus) copy = NULL;
  SudaServer *servers[3];
  const SudaClusterPeer *self, *peer;
  g_autofree char *url = NULL;
  Expected on_b = { NULL, "a", 2 };
  Expected on_a = { NULL, "b", 1 };

  suda_test_redis_set_up (&redis);
  a = suda_test_cluster_server (&redis, "a", LEASE_MS);
  b = suda_test_cluster_server (&redis, "b", LEASE_MS);
  servers[0] = a, servers[1] = b, servers[2] = NULL;
  suda_test_cluster_wait (servers);
  ann = suda_test_member (a, "ann", NULL, "#lobby");
  amy = suda_test_member (a, "amy", NULL, "#lobby");
  bob = suda_test_member (b, "bob", NULL, "#lobby");
  on_b.server = b;
  on_a.server = a;
  g_assert_true (suda_test_wait_until (peer_has_users, &on_b, 5000));
  g_assert_true (suda_test_wait_until (peer_has_users, &on_a, 5000));

  status = suda_server_dup_cluster_status (a);
  url = g_strdup_printf ("redis://127.0.0.1:%u/0", redis.redis_port);
  g_assert_cmpstr (status->redis, ==, url);
  g_assert_cmpint (status->link, ==, SUDA_CLUSTER_LINK_CONNECTED);
  g_assert_nonnull (status->since);
  g_assert_cmpstr (status->id, ==, "a");
  g_assert_cmpuint (status->n_users, ==, 2);
  g_assert_cmpuint (status->servers->len, ==, 2);
  /* this server first */
  self = g_ptr_array_index (status->servers, 0);
  g_assert_cmpstr (self->id, ==, "a");
  g_assert_true (self->is_self);
  g_assert_cmpuint (self->n_users, ==, 2);
  peer = g_ptr_array_index (status->servers, 1);
  g_assert_cmpstr (peer->id, ==, "b");
  g_assert_false (peer->is_self);
  g_assert_cmpuint (peer->n_users, ==, 1);
  /* heard within a lease, by the wall clock */
  g_assert_cmpint (g_get_real_time () - peer->last_heard, <, (gint64) LEASE_MS * 1000);
  g_assert_cmpint (g_get_real_time () - peer->last_heard, >=, 0);

  /* the copy the console keeps stands alone */
  copy = suda_cluster_status_copy (status);
  g_clear_pointer (&status, suda_cluster_status_free);
  g_assert_cmpstr (copy->redis, ==, url);
  g_assert_cmpuint (suda_cluster_status_find (copy, "b")->n_users, ==, 1);
  g_assert_true (suda_cluster_status_find (copy, "a")->is_self);
  g_assert_null (suda_cluster_status_find (copy, "c"));

  /* a user leaving is counted at once on its own server */
  g_clear_pointer (&amy, suda_test_client_free);
  on_a.peer = "a";
  on_a.n_users = 1;
  g_assert_true (suda_test_wait_until (peer_has_users, &on_a, 5000));
  on_b.n_users = 1;
  g_assert_true (suda_test_wait_until (peer_has_users, &on_b, 5000));

  g_clear_pointer (&ann, suda_test_client_free);
  g_clear_pointer (&bob, suda_test_client_free);
  g_clear_object (&a);
  g_clear_object (&b);
  suda_test_redis_tear_down (&redis);
}

/* required=false without Redis: the server runs alone, unreachable since
 * its start; the password in the URL never shows. */
static void
test_alone_hides_password (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaClusterStatus) status = NULL;
  guint16 port = suda_test_free_port ();

  config->cluster.redis = g_strdup_printf ("redis://:hunter2@127.0.0.1:%u/3", port);
  config->cluster.server_id = g_strdup ("lonely");
  config->cluster.required = FALSE;
  server = suda_test_server_new (config);
  status = suda_server_dup_cluster_status (server);

  g_assert_nonnull (status);
  g_assert_cmpint (status->link, ==, SUDA_CLUSTER_LINK_UNREACHABLE);
  g_assert_nonnull (status->since);
  g_assert_null (strstr (status->redis, "hunter2"));
  g_assert_nonnull (strstr (status->redis, "127.0.0.1"));
  g_assert_cmpstr (status->id, ==, "lonely");
  g_assert_cmpuint (status->servers->len, ==, 1);
}

static void
count_change (SudaServer *server,
              guint      *n)
{
  (*n)++;
}

static gboolean
has_link (gpointer data)
{
  gpointer *args = data;
  g_autoptr(SudaClusterStatus) status = suda_server_dup_cluster_status (args[0]);

  return status != NULL && status->link == (SudaClusterLink) GPOINTER_TO_INT (args[1]);
}

/* Losing Redis and finding it again: "cluster-changed" each time, and
 * the link's time moves on. */
static void
test_link_changes (void)
{
  SudaTestRedis redis = { 0 };
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaClusterStatus) before = NULL;
  g_autoptr(SudaClusterStatus) lost = NULL;
  gpointer args[2];
  guint n_changes = 0;

  suda_test_redis_set_up (&redis);
  server = suda_test_cluster_server (&redis, "a", LEASE_MS);
  g_signal_connect (server, "cluster-changed", G_CALLBACK (count_change), &n_changes);
  args[0] = server;
  args[1] = GINT_TO_POINTER (SUDA_CLUSTER_LINK_CONNECTED);
  g_assert_true (suda_test_wait_until (has_link, args, 5000));
  g_assert_cmpuint (n_changes, ==, 1);
  before = suda_server_dup_cluster_status (server);

  suda_test_redis_stop (&redis);
  args[1] = GINT_TO_POINTER (SUDA_CLUSTER_LINK_UNREACHABLE);
  g_assert_true (suda_test_wait_until (has_link, args, 5000));
  g_assert_cmpuint (n_changes, ==, 2);
  lost = suda_server_dup_cluster_status (server);
  g_assert_cmpint (g_date_time_compare (lost->since, before->since), >=, 0);

  suda_test_redis_start (&redis);
  args[1] = GINT_TO_POINTER (SUDA_CLUSTER_LINK_CONNECTED);
  g_assert_true (suda_test_wait_until (has_link, args, 5000));
  g_assert_cmpuint (n_changes, ==, 3);

  g_clear_object (&server);
  suda_test_redis_tear_down (&redis);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cluster/status/none-without-cluster", test_none_without_cluster);
  g_test_add_func ("/cluster/status/servers-and-users", test_servers_and_users);
  g_test_add_func ("/cluster/status/alone-hides-password", test_alone_hides_password);
  g_test_add_func ("/cluster/status/link-changes", test_link_changes);
  return g_test_run ();
}
