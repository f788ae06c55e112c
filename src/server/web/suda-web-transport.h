/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-transport.h"

G_BEGIN_DECLS

#define SUDA_TYPE_WEB_TRANSPORT (suda_web_transport_get_type ())

G_DECLARE_FINAL_TYPE (SudaWebTransport, suda_web_transport, SUDA, WEB_TRANSPORT, SudaTransport)

/* A session over a WebSocket whose handshake is done (IRCv3 WebSocket:
 * one line per message).  STREAM is the connection taken from the HTTP
 * server after its 101 answer (pollable, plain or TLS), SOCKET the socket
 * below it and PEER its address.  BINARY: binary.ircv3.net, else
 * text.ircv3.net.  MAX_MESSAGE is the longest message taken ([limits]
 * recvq): a line longer than the session allows is the session's to
 * refuse, as on TCP; a longer message closes with 1009. */
SudaTransport *suda_web_transport_new (GIOStream      *stream,
                                       GSocket        *socket,
                                       GSocketAddress *peer,
                                       gboolean        binary,
                                       gsize           max_message);

G_END_DECLS
