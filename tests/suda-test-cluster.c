/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "cluster/suda-cluster-private.h"
#include "suda-test-cluster.h"
#include "suda-test-util.h"

/* A test that fails aborts without its tear-down: its Redis goes with it
 * rather than living on, holding the test's output pipe open. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

void
suda_test_redis_start_with (SudaTestRedis      *self,
                            const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", self->redis_port);
  const char *plain[] = { "--port", port, NULL };
  const char *base[] = { "redis-server", "--bind", "127.0.0.1", "--save", "",
                         "--appendonly", "no", "--dir", self->dir, NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  g_strv_builder_addv (builder, base);
  g_strv_builder_addv (builder, args != NULL ? (const char **) args : plain);
  argv = g_strv_builder_end (builder);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  self->redis = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 500 && !suda_test_port_accepts (self->redis_port); i++)
    g_usleep (10000);
  g_assert_true (suda_test_port_accepts (self->redis_port));
}

void
suda_test_redis_start (SudaTestRedis *self)
{
  suda_test_redis_start_with (self, NULL);
}

void
suda_test_redis_stop (SudaTestRedis *self)
{
  if (self->redis == NULL)
    return;
  g_subprocess_force_exit (self->redis);
  g_subprocess_wait (self->redis, NULL, NULL);
  g_clear_object (&self->redis);
}

void
suda_test_redis_set_up (SudaTestRedis *self)
{
  self->dir = suda_test_make_tmpdir ();
  self->redis_port = suda_test_free_port ();
  self->url = g_strdup_printf ("redis://127.0.0.1:%u/0", self->redis_port);
  suda_test_redis_start (self);
}

void
suda_test_redis_tear_down (SudaTestRedis *self)
{
  suda_test_redis_stop (self);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->dir, g_free);
}

SudaServerConfig *
suda_test_cluster_config (SudaTestRedis *self,
                          const char    *id,
                          guint          lease_ms)
{
  SudaServerConfig *config = suda_server_config_new ();

  config->flood_control = FALSE;
  config->cluster.redis = g_strdup (self->url);
  config->cluster.server_id = g_strdup (id);
  config->cluster.lease_ms = lease_ms;
  return config;
}

SudaServer *
suda_test_cluster_server (SudaTestRedis *self,
                          const char    *id,
                          guint          lease_ms)
{
  g_autoptr(SudaServerConfig) config = suda_test_cluster_config (self, id, lease_ms);

  return suda_test_server_new (config);
}

char *
suda_test_cluster_store_path (SudaTestRedis *self,
                              const char    *id)
{
  g_autofree char *file = g_strdup_printf ("%s.sqlite", id);

  return g_build_filename (self->dir, file, NULL);
}

SudaServerConfig *
suda_test_cluster_accounts_config (SudaTestRedis *self,
                                   const char    *id,
                                   guint          lease_ms)
{
  SudaServerConfig *config = suda_test_cluster_config (self, id, lease_ms);
  g_autofree char *path = suda_test_cluster_store_path (self, id);

  g_assert_true (suda_server_config_set_value (config, "accounts", "file", path, NULL));
  return config;
}

typedef struct {
  SudaServer *server;
  const char *name;
  gboolean    present;
} AccountWait;

static gboolean
has_account (gpointer data)
{
  AccountWait *wait = data;

  return suda_account_store_exists (suda_server_get_accounts (wait->server), wait->name) == wait->present;
}

void
suda_test_cluster_wait_for_account (SudaServer *server,
                                    const char *name,
                                    gboolean    present)
{
  AccountWait wait = { server, name, present };

  g_assert_true (suda_test_wait_until (has_account, &wait, 5000));
}

static gboolean
knows_peers (gpointer data)
{
  SudaServer **servers = data;

  for (guint i = 0; servers[i] != NULL; i++)
    {
      SudaCluster *cluster = _suda_server_get_cluster (servers[i]);

      if (!_suda_cluster_is_connected (cluster) || _suda_cluster_get_n_peers (cluster) == 0)
        return FALSE;
    }
  return TRUE;
}

void
suda_test_cluster_wait (SudaServer **servers)
{
  /* TLS handshakes in a sanitizer build on a loaded machine take seconds. */
  g_assert_true (suda_test_wait_until (knows_peers, servers, 15000));
}

char *
suda_test_tag_of (const char *line,
                  const char *tag)
{
  g_autofree char *key = g_strconcat (tag, "=", NULL);
  const char *start = strstr (line, key);

  g_assert_nonnull (start);
  start += strlen (key);
  return g_strndup (start, strcspn (start, "; "));
}

SudaLogEntry *
suda_test_find_logged (GPtrArray  *entries,
                       const char *event,
                       const char *msgid)
{
  for (guint i = 0; i < entries->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (suda_log_entry_get_event (entry), event) &&
          g_strcmp0 (suda_log_entry_get_field (entry, "msgid"), msgid) == 0)
        return entry;
    }
  return NULL;
}

char *
suda_test_names_of (SudaTestClient *client,
                    const char     *nick,
                    const char     *room)
{
  g_autofree char *pattern = g_strdup_printf ("* 353 %s = %s :*", nick, room);

  suda_test_client_send (client, "NAMES %s", room);
  return suda_test_client_expect (client, pattern);
}
