/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the files of web/ share: the page and its headers
 * (suda-web-page.c), the server (suda-web-server.c). */
#pragma once

#include <libsoup/soup.h>

#include "suda-server-config.h"

G_BEGIN_DECLS

/* The headers every answer carries (CSP, nosniff, no referrer, no frames). */
void      _suda_web_add_security_headers (SoupServerMessage      *msg);
/* GET or HEAD of PATH: a file of the page, config.json, or 404. */
void      _suda_web_serve                (SoupServerMessage      *msg,
                                          const char             *path,
                                          const SudaServerConfig *config);
/* Whether the request's Origin may open a session: none (not a browser),
 * the page's own, or one of [web] origins=. */
gboolean  _suda_web_origin_allowed       (SoupServerMessage      *msg,
                                          const SudaServerConfig *config);
/* Whether the request's Host names this server: none (not a browser), an
 * IP address, localhost, this machine's name (and NAME.local), [server]
 * name, or a host of [web] origins=. */
gboolean  _suda_web_host_allowed         (SoupServerMessage      *msg,
                                          const SudaServerConfig *config);

G_END_DECLS
