/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "suda-server-config.h"
#include "suda-transport.h"

G_BEGIN_DECLS

#define SUDA_TYPE_WEB_SERVER (suda_web_server_get_type ())

G_DECLARE_FINAL_TYPE (SudaWebServer, suda_web_server, SUDA, WEB_SERVER, GObject)

/* A WebSocket at /ws came through the Host and Origin checks and the
 * handshake: the listener makes it a session (it takes its own
 * reference). */
typedef void (*SudaWebAcceptFunc) (gpointer       data,
                                   SudaTransport *transport);

/* The page and /ws on [web] port= (listen=), HTTPS when CERTIFICATE is
 * given.  CONFIG is borrowed and must outlive the server. */
SudaWebServer *suda_web_server_new      (const SudaServerConfig *config,
                                         GTlsCertificate        *certificate,
                                         SudaWebAcceptFunc       accept,
                                         gpointer                accept_data);
gboolean       suda_web_server_start    (SudaWebServer          *self,
                                         GError                **error);
void           suda_web_server_stop     (SudaWebServer          *self);
guint16        suda_web_server_get_port (SudaWebServer          *self);
/* http(s)://ADDRESS:PORT/ as the server listens (0.0.0.0 for every
 * interface); NULL when it is not listening. */
char          *suda_web_server_dup_url  (SudaWebServer          *self);

G_END_DECLS
