/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "suda-transport.h"

G_BEGIN_DECLS

#define SUDA_TYPE_WEB_TRANSPORT (suda_web_transport_get_type ())

G_DECLARE_FINAL_TYPE (SudaWebTransport, suda_web_transport, SUDA, WEB_TRANSPORT, SudaTransport)

/* A session over an open WebSocket (IRCv3 WebSocket: one line per
 * message).  PEER is the address the connection came from; MAX_MESSAGE
 * is the longest message taken ([limits] recvq): a longer line than the
 * session allows is the session's to refuse, as on TCP. */
SudaTransport *suda_web_transport_new (SoupWebsocketConnection *connection,
                                       GSocketAddress          *peer,
                                       gsize                    max_message);

G_END_DECLS
