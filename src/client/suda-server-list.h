/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-client.h"

G_BEGIN_DECLS

#define SUDA_TYPE_SERVER_LIST (suda_server_list_get_type ())

G_DECLARE_FINAL_TYPE (SudaServerList, suda_server_list, SUDA, SERVER_LIST, GObject)

/* The servers the person is on, in the order added: a GListModel of
 * SudaClient, one session per server, told apart by host and port (two
 * servers on one host are two networks).  The application keeps one;
 * windows show it. */

SudaServerList *suda_server_list_new     (void);
void            suda_server_list_add     (SudaServerList *self,
                                          SudaClient     *client);
void            suda_server_list_remove  (SudaServerList *self,
                                          SudaClient     *client);
SudaClient     *suda_server_list_find    (SudaServerList *self,
                                          const char     *host,
                                          guint16         port);
SudaClient     *suda_server_list_ensure  (SudaServerList *self,
                                          const char     *host,
                                          guint16         port);

G_END_DECLS
