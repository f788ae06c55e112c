/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server's TLS (suda-tls.c): its certificate, loaded from [tls] or made
 * self-signed in the state folder, connections wrapped in a
 * GTlsServerConnection, failed handshakes logged and summed up. */
#pragma once

#include "suda-server-private.h"

G_BEGIN_DECLS

typedef struct _SudaTls SudaTls;

SudaTls       *_suda_tls_new             (SudaCore           *core);
void           _suda_tls_free            (SudaTls            *self);
/* Reads CONFIG's certificate and key, or the self-signed pair in the state
 * folder (made first when missing).  On failure the one in use stays. */
gboolean       _suda_tls_load            (SudaTls            *self,
                                          const SudaServerConfig *config,
                                          GError            **error);
gboolean       _suda_tls_is_self_signed  (SudaTls            *self);
/* SHA-256 of the certificate in use, 64 lowercase hex digits, or NULL. */
const char    *_suda_tls_get_fingerprint (SudaTls            *self);
/* The certificate in use (for the file host's HTTPS), or NULL. */
GTlsCertificate *_suda_tls_get_certificate (SudaTls          *self);
/* A transport over CONNECTION (a SudaStreamTransport) whose handshake
 * starts now. */
SudaTransport *_suda_tls_wrap            (SudaTls            *self,
                                          GSocketConnection  *connection,
                                          GError            **error);
/* A handshake from HOST failed: logged at once the first time a minute,
 * summed up after. */
void           _suda_tls_note_failure    (SudaTls            *self,
                                          const char         *host,
                                          const char         *reason);
void           _suda_tls_log_failures    (SudaTls            *self);

G_END_DECLS
