/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-transport.h"

G_BEGIN_DECLS

#define SUDA_TYPE_SOCKET_TRANSPORT (suda_socket_transport_get_type ())

G_DECLARE_FINAL_TYPE (SudaSocketTransport, suda_socket_transport, SUDA, SOCKET_TRANSPORT, SudaTransport)

/* A clear-text TCP connection: send(2) and the socket's own sources. */
SudaTransport *suda_socket_transport_new (GSocketConnection *connection);

G_END_DECLS
