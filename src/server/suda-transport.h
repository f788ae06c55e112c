/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a session reads from and writes to: a plain socket
 * (suda-socket-transport.c), a GIOStream with pollable streams such as a
 * GTlsServerConnection (suda-stream-transport.c), or a message-based
 * transport such as a WebSocket (src/server/web/).  The session's limits,
 * flood control, pushback and logs are the same over every one of them.
 *
 * A transport is a subclass of SudaTransport that fills in the class's
 * virtual functions:
 *
 *   receive (self, buffer, size, error)
 *     Reads at most SIZE bytes without blocking.  Returns the number read
 *     (> 0), 0 at the end of the stream, or -1 with ERROR set; nothing to
 *     read now is -1 with G_IO_ERROR_WOULD_BLOCK.  A message-based
 *     transport returns one message per line: the message's text followed
 *     by "\n" (a message longer than SIZE may be returned in pieces; the
 *     session's line reader bounds the line).
 *   send (self, data, len, error)
 *     Takes what it can of DATA without blocking and returns how many
 *     bytes it took (0: none now, wait for G_IO_OUT), or -1 with ERROR set
 *     when the connection failed.  DATA is always whole lines, each ended
 *     by CR LF; a message-based transport sends one message per line,
 *     without the CR LF, and may take fewer bytes than whole lines only if
 *     it keeps the rest of a line itself.
 *   watch (self, condition)
 *     Which of G_IO_IN and G_IO_OUT the session waits for now (replaces
 *     what it waited for before; 0 is nothing).  When one is ready the
 *     transport calls suda_transport_ready() from the main loop: G_IO_IN
 *     again and again for as long as input waits (level-triggered, like a
 *     socket source), G_IO_OUT once, after which it is no longer watched.
 *     A peer gone or an error is reported as G_IO_IN: the next receive()
 *     says what happened.  Sources go to the thread-default main context
 *     of the thread that calls watch().
 *   shutdown (self)   optional: no more output (after the last words)
 *   close (self)      the connection closes now; nothing is called after
 *   dup_remote_address (self)       the peer's address, or NULL
 *   get_certificate_fingerprint (self)
 *     optional: the SHA-256 fingerprint of the peer's certificate as
 *     suda_certificate_dup_fingerprint() writes it, or NULL
 *   get_socket (self) optional: the socket below, for tests
 *
 * The session owns its transport and is its only caller.  It sets the
 * ready callback once, before the first watch(). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SUDA_TYPE_TRANSPORT (suda_transport_get_type ())

G_DECLARE_DERIVABLE_TYPE (SudaTransport, suda_transport, SUDA, TRANSPORT, GObject)

typedef void (*SudaTransportReadyFunc) (gpointer     data,
                                        GIOCondition condition);

struct _SudaTransportClass
{
  GObjectClass parent_class;

  gssize          (*receive)                     (SudaTransport *self,
                                                  char          *buffer,
                                                  gsize          size,
                                                  GError       **error);
  gssize          (*send)                        (SudaTransport *self,
                                                  const char    *data,
                                                  gsize          len,
                                                  GError       **error);
  void            (*watch)                       (SudaTransport *self,
                                                  GIOCondition   condition);
  void            (*shutdown)                    (SudaTransport *self);
  void            (*close)                       (SudaTransport *self);
  GSocketAddress *(*dup_remote_address)          (SudaTransport *self);
  const char     *(*get_certificate_fingerprint) (SudaTransport *self);
  GSocket        *(*get_socket)                  (SudaTransport *self);
};

/* For the session. */
void            suda_transport_set_ready_func  (SudaTransport          *self,
                                                SudaTransportReadyFunc  func,
                                                gpointer                data);
gssize          suda_transport_receive         (SudaTransport *self,
                                                char          *buffer,
                                                gsize          size,
                                                GError       **error);
gssize          suda_transport_send            (SudaTransport *self,
                                                const char    *data,
                                                gsize          len,
                                                GError       **error);
void            suda_transport_watch           (SudaTransport *self,
                                                GIOCondition   condition);
GIOCondition    suda_transport_get_watched     (SudaTransport *self);
void            suda_transport_shutdown        (SudaTransport *self);
void            suda_transport_close           (SudaTransport *self);
gboolean        suda_transport_is_closed       (SudaTransport *self);
GSocketAddress *suda_transport_dup_remote_address (SudaTransport *self);
const char     *suda_transport_get_certificate_fingerprint (SudaTransport *self);
GSocket        *suda_transport_get_socket      (SudaTransport *self);

/* For transports not established yet (a TLS handshake under way): what is
 * sent meanwhile waits (send() takes nothing), and a session closing then
 * does not wait for its last words to leave. */
void            suda_transport_set_pending     (SudaTransport *self,
                                                gboolean       pending);
gboolean        suda_transport_is_pending      (SudaTransport *self);

/* For transports: tells the session CONDITION is ready (see watch above).
 * The transport may be closed and the session gone when it returns. */
void            suda_transport_ready           (SudaTransport *self,
                                                GIOCondition   condition);

G_END_DECLS
