/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Memory that stays bounded: a room's history goes with the room, and the
 * histories kept in all are capped (issue 12 item 4). */
#include "config.h"

#include <string.h>

#include "suda-server-private.h"
#include "suda-test-util.h"

static guint
n_histories (SudaServer *server)
{
  return _suda_registry_get_n_histories (_suda_server_get_registry (server));
}

/* An emptied room is dropped with its history (it is in the log): whoever
 * opens it again hears nothing of it.  The default room always exists and
 * keeps its history. */
static void
test_history_goes_with_room (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) alice = suda_test_client_register_joined (port, "alice", NULL, "#gone");
  g_autoptr(SudaTestClient) bob = NULL;
  SudaRegistry *registry = _suda_server_get_registry (server);

  suda_test_client_join (alice, "alice", "#lobby");
  suda_test_client_send (alice, "PRIVMSG #gone :said in a room about to empty");
  suda_test_client_send (alice, "PRIVMSG #lobby :said in the lobby");
  g_ptr_array_unref (suda_test_client_sync (alice));
  g_assert_nonnull (_suda_registry_peek_history (registry, "#gone"));
  suda_test_client_send (alice, "PART #gone");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 PART #gone*");
  g_assert_null (_suda_registry_find_channel (registry, "#gone"));
  g_assert_null (_suda_registry_peek_history (registry, "#gone"));

  suda_test_client_send (alice, "PART #lobby");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 PART #lobby*");
  bob = suda_test_client_register_joined (port, "bob", NULL, "#lobby");
  suda_test_client_await (bob, "* #lobby :*said in the lobby");
  suda_test_client_join (bob, "bob", "#gone");
  suda_test_client_expect_nothing_before_sync (bob, "*about to empty*");
  g_assert_cmpuint (n_histories (server), ==, 1);
}

/* Rooms that stay open but are many: only the most recently used
 * histories are kept, within history-rooms; abandoning them all leaves none
 * but the default room's. */
static void
test_histories_capped (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  guint16 port;

  config->history_rooms = 5;
  config->max_channels = 50;
  config->flood_control = FALSE;
  server = suda_test_server_new (config);
  port = suda_server_get_port (server);
  alice = suda_test_client_register_joined (port, "alice", NULL, "#lobby");
  suda_test_client_send (alice, "PRIVMSG #lobby :lobby first");
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *room = g_strdup_printf ("#room%u", i);

      suda_test_client_join (alice, "alice", room);
      suda_test_client_send (alice, "PRIVMSG %s :hello %u", room, i);
      g_ptr_array_unref (suda_test_client_sync (alice));
      g_assert_cmpuint (n_histories (server), <=, 5);
    }
  g_assert_cmpuint (n_histories (server), ==, 5);
  /* the newest is kept, and so is the default room's */
  bob = suda_test_client_register_joined (port, "bob", NULL, "#lobby");
  suda_test_client_await (bob, "* #lobby :*lobby first");
  suda_test_client_send (bob, "JOIN #room29");
  suda_test_client_await (bob, "* #room29 :*hello 29");
  suda_test_client_send (bob, "PART #room29");
  suda_test_client_await (bob, "* PART #room29*");

  suda_test_client_send (alice, "JOIN 0");
  g_ptr_array_unref (suda_test_client_sync (alice));
  g_assert_cmpuint (_suda_registry_get_n_channels (_suda_server_get_registry (server)), ==, 1);
  g_assert_cmpuint (n_histories (server), ==, 1);
}

/* A room named with capitals keeps one history under its folded name:
 * each message adds to it rather than starting it again. */
static void
test_mixed_case_room_history (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) alice = suda_test_client_register_joined (port, "alice", NULL, "#Class");
  g_autoptr(SudaTestClient) bob = NULL;

  suda_test_client_send (alice, "PRIVMSG #Class :one");
  suda_test_client_send (alice, "PRIVMSG #class :two");
  g_ptr_array_unref (suda_test_client_sync (alice));
  bob = suda_test_client_register (port, "bob", NULL);
  suda_test_client_send (bob, "JOIN #CLASS");
  suda_test_client_await (bob, "* #Class :*> one");
  suda_test_client_await (bob, "* #Class :*> two");
}

static SudaHistory *
history_at (gint64 time)
{
  SudaHistory *history = suda_history_new (3);

  suda_history_add (history, time, "o!o@h", "PRIVMSG", "old", NULL);
  return history;
}

/* Histories read from the log at start are for rooms that may not exist
 * yet: they are kept (a room rejoined after a restart replays its
 * history) until the cap evicts them, the oldest last message first. */
static void
test_loaded_histories_capped (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GHashTable) older = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) suda_history_free);
  SudaRegistry *registry;

  config->history_rooms = 4;
  registry = _suda_registry_new (config);
  _suda_registry_reset (registry, g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) suda_history_free));
  suda_history_add (_suda_registry_get_history (registry, "#live"), 1, "n!n@h", "PRIVMSG", "new", NULL);
  g_hash_table_insert (older, g_strdup ("#lobby"), history_at (1));
  for (guint i = 0; i < 10; i++)
    g_hash_table_insert (older, g_strdup_printf ("#old%u", i), history_at (100 + i));

  _suda_registry_adopt_histories (registry, older);
  /* kept: the default room's, the one in use, the two newest read */
  g_assert_cmpuint (_suda_registry_get_n_histories (registry), ==, 4);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("#old%u", i);

      g_assert_null (_suda_registry_peek_history (registry, name));
    }

  /* a new room's history evicts the least recently used: unused #old8 */
  suda_history_add (_suda_registry_get_history (registry, "#new"), 200, "n!n@h", "PRIVMSG", "x", NULL);
  g_assert_cmpuint (_suda_registry_get_n_histories (registry), ==, 4);
  g_assert_null (_suda_registry_peek_history (registry, "#old8"));
  g_assert_nonnull (_suda_registry_peek_history (registry, "#old9"));
  g_assert_nonnull (_suda_registry_peek_history (registry, "#live"));
  g_assert_nonnull (_suda_registry_peek_history (registry, "#lobby"));
  _suda_registry_free (registry);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/memory/history-goes-with-room", test_history_goes_with_room);
  g_test_add_func ("/server/memory/histories-capped", test_histories_capped);
  g_test_add_func ("/server/memory/mixed-case-room-history", test_mixed_case_room_history);
  g_test_add_func ("/server/memory/loaded-histories-capped", test_loaded_histories_capped);
  return g_test_run ();
}
