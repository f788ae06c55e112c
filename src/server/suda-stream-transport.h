/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-transport.h"

G_BEGIN_DECLS

#define SUDA_TYPE_STREAM_TRANSPORT (suda_stream_transport_get_type ())

G_DECLARE_FINAL_TYPE (SudaStreamTransport, suda_stream_transport, SUDA, STREAM_TRANSPORT, SudaTransport)

/* STREAM's input and output streams must be pollable (a GTlsConnection's
 * are).  When STREAM is a GTlsConnection its handshake runs first, without
 * blocking: nothing is ready until it is done, then "handshake-done"
 * (boolean success, string error message or NULL) is emitted, and after a
 * failure the next receive() fails with the handshake's error. */
SudaTransport *suda_stream_transport_new            (GIOStream           *stream);
gboolean       suda_stream_transport_is_handshaking (SudaStreamTransport *self);

G_END_DECLS
