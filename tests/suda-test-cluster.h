/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A cluster for tests ([cluster], issue 15): a redis-server of the test's
 * own (a free port, no persistence, its own folder) and servers in it. */
#pragma once

#include "suda-server-private.h"
#include "suda-test-util.h"

G_BEGIN_DECLS

typedef struct {
  char        *dir;
  GSubprocess *redis;
  guint16      redis_port;
  char        *url;           /* redis://127.0.0.1:PORT/0 */
} SudaTestRedis;

void              suda_test_redis_start         (SudaTestRedis *self);
/* ARGS instead of "--port PORT": TLS on that port, a password. */
void              suda_test_redis_start_with    (SudaTestRedis *self,
                                                 const char * const *args);
void              suda_test_redis_stop          (SudaTestRedis *self);
/* start() after a first set_up() restarts it on the same port. */
void              suda_test_redis_set_up        (SudaTestRedis *self);
void              suda_test_redis_tear_down     (SudaTestRedis *self);
SudaServerConfig *suda_test_cluster_config      (SudaTestRedis *self,
                                                 const char    *id,
                                                 guint          lease_ms);
SudaServer       *suda_test_cluster_server      (SudaTestRedis *self,
                                                 const char    *id,
                                                 guint          lease_ms);
/* The same with an account store of its own, FOLDER/ID.sqlite, whose path
 * suda_test_cluster_store_path() gives. */
SudaServerConfig *suda_test_cluster_accounts_config (SudaTestRedis *self,
                                                     const char    *id,
                                                     guint          lease_ms);
char             *suda_test_cluster_store_path  (SudaTestRedis *self,
                                                 const char    *id);
/* Waits (5 s at most) until SERVER's store has NAME, or has it no more. */
void              suda_test_cluster_wait_for_account (SudaServer *server,
                                                      const char *name,
                                                      gboolean    present);
/* Each of the NULL-terminated SERVERS hears the channel and has heard
 * from another server. */
void              suda_test_cluster_wait        (SudaServer   **servers);

/* The value of TAG in an IRC line's tags (asserted to be there). */
char             *suda_test_tag_of              (const char    *line,
                                                 const char    *tag);
/* The first of ENTRIES (SudaLogEntry) of kind EVENT with that msgid, or NULL. */
SudaLogEntry     *suda_test_find_logged         (GPtrArray     *entries,
                                                 const char    *event,
                                                 const char    *msgid);
/* CLIENT's (NICK's) NAMES reply for ROOM: its one 353 line. */
char             *suda_test_names_of            (SudaTestClient *client,
                                                 const char    *nick,
                                                 const char    *room);

G_END_DECLS
