/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-server.h"

G_BEGIN_DECLS

typedef struct _SudaTestClient SudaTestClient;

/* A server on 127.0.0.1, logging to a fresh temporary folder unless CONFIG
 * names a log.  CONFIG may be NULL; it is copied; its default port (6667)
 * becomes 0, any free port. */
SudaServer     *suda_test_server_new          (const SudaServerConfig *config);
char           *suda_test_make_tmpdir         (void);

/* A raw client over a real socket.  Every wait iterates the default main
 * context, so an in-process server keeps running meanwhile; it fails the
 * test after the timeout (5 s unless said). */
SudaTestClient *suda_test_client_connect      (guint16         port);
SudaTestClient *suda_test_client_register     (guint16         port,
                                               const char     *nick,
                                               const char     *caps);
void            suda_test_client_send         (SudaTestClient *self,
                                               const char     *format,
                                               ...) G_GNUC_PRINTF (2, 3);
void            suda_test_client_send_raw     (SudaTestClient *self,
                                               const void     *data,
                                               gsize           len);
char           *suda_test_client_expect       (SudaTestClient *self,
                                               const char     *pattern);
char           *suda_test_client_expect_within(SudaTestClient *self,
                                               const char     *pattern,
                                               guint           timeout_ms);
char           *suda_test_client_read_line    (SudaTestClient *self,
                                               guint           timeout_ms);
gboolean        suda_test_client_wait_closed  (SudaTestClient *self,
                                               guint           timeout_ms);
GSocket        *suda_test_client_get_socket   (SudaTestClient *self);
void            suda_test_client_free         (SudaTestClient *self);
void            suda_test_iterate             (guint           ms);
gboolean        suda_test_wait_until          (gboolean      (*cond) (gpointer),
                                               gpointer        data,
                                               guint           timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaTestClient, suda_test_client_free)

G_END_DECLS
