/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-server.h"

G_BEGIN_DECLS

typedef struct _SudaTestClient SudaTestClient;

/* Called on every line a client reads, skipped ones included. */
typedef void (*SudaTestLineCheck) (const char *line);

/* A clock the test moves by hand (suda_scheduler_set_clock() takes
 * suda_test_clock_now with the clock as data), so nothing waits for minutes
 * to pass. */
typedef struct {
  GDateTime *now;
} SudaTestClock;

/* A server with flood control off and two users in #lobby: alice, who joined
 * first and so is its operator, then bob.  ENTRIES collects the server's log
 * entries (SudaLogEntry) whose event is one of the set-up's EVENTS. */
typedef struct {
  SudaServer     *server;
  guint16         port;
  SudaTestClient *alice;
  SudaTestClient *bob;
  GPtrArray      *entries;
  /*< private >*/
  GStrv           events;
} SudaTestLobby;

/* A server on 127.0.0.1, logging to a fresh temporary folder unless CONFIG
 * names a log.  CONFIG may be NULL; it is copied; its default port (6667)
 * becomes 0, any free port. */
SudaServer     *suda_test_server_new                        (const SudaServerConfig *config);
/* The same with flood control off, for tests that send commands back to
 * back (flooding itself is tested in test-server-hostile.c). */
SudaServer     *suda_test_server_new_unthrottled            (const SudaServerConfig *config);
void            suda_test_lobby_set_up                      (SudaTestLobby     *self,
                                                             const SudaServerConfig *config,
                                                             const char * const *events);
/* Stops and drops the server before the test ends; tear-down allows it. */
void            suda_test_lobby_stop_server                 (SudaTestLobby     *self);
void            suda_test_lobby_tear_down                   (SudaTestLobby     *self);
char           *suda_test_make_tmpdir                       (void);
guint16         suda_test_free_port                         (void);
gboolean        suda_test_port_accepts                      (guint16            port);
GDateTime      *suda_test_clock_now                         (gpointer           clock);
void            suda_test_clock_advance                     (SudaTestClock     *clock,
                                                             double             seconds);

/* A raw client over a real socket.  Every wait iterates the default main
 * context, so an in-process server keeps running meanwhile; it fails the
 * test after the timeout (5 s unless said). */
SudaTestClient *suda_test_client_connect                    (guint16            port);
SudaTestClient *suda_test_client_register                   (guint16            port,
                                                             const char        *nick,
                                                             const char        *caps);
/* Registers, then joins CHANNEL as suda_test_client_join() does. */
SudaTestClient *suda_test_client_register_joined            (guint16            port,
                                                             const char        *nick,
                                                             const char        *caps,
                                                             const char        *channel);
/* The same against an in-process SERVER's port. */
SudaTestClient *suda_test_user                              (SudaServer        *server,
                                                             const char        *nick,
                                                             const char        *caps);
SudaTestClient *suda_test_member                            (SudaServer        *server,
                                                             const char        *nick,
                                                             const char        *caps,
                                                             const char        *channel);
void            suda_test_client_send                       (SudaTestClient    *self,
                                                             const char        *format,
                                                             ...) G_GNUC_PRINTF (2, 3);
void            suda_test_client_send_raw                   (SudaTestClient    *self,
                                                             const void        *data,
                                                             gsize              len);
/* expect() returns the next line matching the whole-line glob PATTERN and
 * fails the test, listing the lines it skipped, when none comes; await()
 * does the same and drops the line. */
char           *suda_test_client_expect                     (SudaTestClient    *self,
                                                             const char        *pattern);
void            suda_test_client_await                      (SudaTestClient    *self,
                                                             const char        *pattern);
char           *suda_test_client_expect_within              (SudaTestClient    *self,
                                                             const char        *pattern,
                                                             guint              timeout_ms);
char           *suda_test_client_read_line                  (SudaTestClient    *self,
                                                             guint              timeout_ms);
gboolean        suda_test_client_wait_closed                (SudaTestClient    *self,
                                                             guint              timeout_ms);
/* sync() sends a PING and returns the lines (char *) that came before its
 * PONG, answering the server's own PINGs; the two after it assert on them. */
GPtrArray      *suda_test_client_sync                       (SudaTestClient    *self);
void            suda_test_client_assert_quiet               (SudaTestClient    *self);
void            suda_test_client_expect_nothing_before_sync (SudaTestClient    *self,
                                                             const char        *forbidden);
/* The first of LINES (char *) matching the glob PATTERN, or NULL. */
const char     *suda_test_lines_find                        (GPtrArray         *lines,
                                                             const char        *pattern);
/* Joins CHANNEL and waits for the JOIN echo and the end of its NAMES. */
void            suda_test_client_join                       (SudaTestClient    *self,
                                                             const char        *nick,
                                                             const char        *channel);
void            suda_test_client_set_line_check             (SudaTestClient    *self,
                                                             SudaTestLineCheck  check);
GSocket        *suda_test_client_get_socket                 (SudaTestClient    *self);
void            suda_test_client_free                       (SudaTestClient    *self);
void            suda_test_iterate                           (guint              ms);
void            suda_test_async_store                       (GObject           *source,
                                                             GAsyncResult      *result,
                                                             gpointer           slot);
GAsyncResult   *suda_test_async_wait                        (GAsyncResult     **slot);
gboolean        suda_test_wait_until                        (gboolean          (*cond) (gpointer),
                                                             gpointer           data,
                                                             guint              timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaTestClient, suda_test_client_free)

G_END_DECLS
