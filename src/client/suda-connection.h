/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-irc-event.h"
#include "suda-trust-store.h"

G_BEGIN_DECLS

typedef enum {
  SUDA_CONNECTION_DISCONNECTED,
  SUDA_CONNECTION_CONNECTING,
  SUDA_CONNECTION_REGISTERING,
  SUDA_CONNECTION_CONNECTED,
  SUDA_CONNECTION_RECONNECTING,
} SudaConnectionState;

#define SUDA_CONNECTION_ERROR (suda_connection_error_quark ())

typedef enum {
  SUDA_CONNECTION_ERROR_HOST_NOT_FOUND,
  SUDA_CONNECTION_ERROR_REFUSED,
  SUDA_CONNECTION_ERROR_TIMED_OUT,
  SUDA_CONNECTION_ERROR_PASSWORD,
  SUDA_CONNECTION_ERROR_SERVER_FULL,
  SUDA_CONNECTION_ERROR_NICK_TAKEN,
  SUDA_CONNECTION_ERROR_NICK_INVALID,
  SUDA_CONNECTION_ERROR_KICKED,
  SUDA_CONNECTION_ERROR_SHUTDOWN,
  SUDA_CONNECTION_ERROR_CLOSED,
  SUDA_CONNECTION_ERROR_LINE_TOO_LONG,
  SUDA_CONNECTION_ERROR_BANNED,
  SUDA_CONNECTION_ERROR_FAILED,
  SUDA_CONNECTION_ERROR_CERTIFICATE_UNKNOWN,   /* see suda_connection_get_rejected_certificate() */
  SUDA_CONNECTION_ERROR_CERTIFICATE_CHANGED,
  SUDA_CONNECTION_ERROR_TLS,
  SUDA_CONNECTION_ERROR_LOGIN,
  SUDA_CONNECTION_ERROR_INSECURE,
  SUDA_CONNECTION_ERROR_REGISTER,
} SudaConnectionError;

#define SUDA_TYPE_CONNECTION_STATE (suda_connection_state_get_type ())
#define SUDA_TYPE_CONNECTION (suda_connection_get_type ())

GType suda_connection_state_get_type (void) G_GNUC_CONST;
GQuark suda_connection_error_quark (void);

G_DECLARE_FINAL_TYPE (SudaConnection, suda_connection, SUDA, CONNECTION, GObject)

/* Signals:
 *   "event" (SudaIrcEvent *event): every line from the server, classified;
 *       own messages too (echoed by the server, or made up here when the
 *       server lacks echo-message)
 *   "error" (GError *error): something the person should read; the state
 *       property tells whether the connection survived it
 * Properties: "state", "nick" (current), "host", "port", "password",
 *   "connect-timeout" (ms), "reconnect-delay" (ms, the first backoff step),
 *   "network" (ISUPPORT NETWORK), "problem" (what a banner shows, or NULL;
 *   see suda_connection_get_problem()), "tls" (connect with TLS),
 *   "certificate" (the server's, while a TLS connection is up, else NULL),
 *   "account" (SASL PLAIN login name, or NULL), "allow-cleartext" (a
 *   password may go out on a connection without TLS). */

SudaConnection      *suda_connection_new             (void);
void                 suda_connection_set_server      (SudaConnection  *self,
                                                      const char      *host,
                                                      guint16          port);
const char          *suda_connection_get_host        (SudaConnection  *self);
guint16              suda_connection_get_port        (SudaConnection  *self);
void                 suda_connection_set_password    (SudaConnection  *self,
                                                      const char      *password);
const char          *suda_connection_get_network     (SudaConnection  *self);
const char          *suda_connection_get_problem     (SudaConnection  *self);
const char          *suda_connection_get_nick        (SudaConnection  *self);
void                 suda_connection_set_nick        (SudaConnection  *self,
                                                      const char      *nick);
SudaConnectionState  suda_connection_get_state       (SudaConnection  *self);
gboolean             suda_connection_is_connected    (SudaConnection  *self);
const char          *suda_connection_get_filehost    (SudaConnection  *self);
const char          *suda_connection_get_service_nick
                                                     (SudaConnection  *self);
gboolean             suda_connection_has_cap         (SudaConnection  *self,
                                                      const char      *cap);
guint                suda_connection_get_chathistory_max
                                                     (SudaConnection  *self);
const char * const  *suda_connection_get_channels    (SudaConnection  *self);
char                 suda_connection_get_mode_prefix (SudaConnection  *self,
                                                      char             mode);
const char          *suda_connection_get_prefix_chars
                                                     (SudaConnection  *self);
void                 suda_connection_set_connect_timeout
                                                     (SudaConnection  *self,
                                                      guint            timeout_ms);
void                 suda_connection_set_reconnect_delay
                                                     (SudaConnection  *self,
                                                      guint            delay_ms);
guint                suda_connection_get_next_reconnect_delay
                                                     (SudaConnection  *self);

void                 suda_connection_set_tls         (SudaConnection  *self,
                                                      gboolean         tls);
gboolean             suda_connection_get_tls         (SudaConnection  *self);
void                 suda_connection_set_trust_store (SudaConnection  *self,
                                                      SudaTrustStore  *store);
SudaTrustStore      *suda_connection_get_trust_store (SudaConnection  *self);
GTlsCertificate     *suda_connection_get_certificate (SudaConnection  *self);
GTlsCertificate     *suda_connection_get_rejected_certificate
                                                     (SudaConnection  *self);
gboolean             suda_connection_trust_rejected_certificate
                                                     (SudaConnection  *self,
                                                      GError         **error);
void                 suda_connection_set_account     (SudaConnection  *self,
                                                      const char      *account,
                                                      const char      *password);
const char          *suda_connection_get_account     (SudaConnection  *self);
void                 suda_connection_set_allow_cleartext
                                                     (SudaConnection  *self,
                                                      gboolean         allow);
gboolean             suda_connection_register_account
                                                     (SudaConnection  *self,
                                                      const char      *password,
                                                      GError         **error);

void                 suda_connection_connect         (SudaConnection  *self);
void                 suda_connection_disconnect      (SudaConnection  *self,
                                                      const char      *message);
void                 suda_connection_send_command    (SudaConnection  *self,
                                                      const char      *command,
                                                      ...) G_GNUC_NULL_TERMINATED;
void                 suda_connection_send_message    (SudaConnection  *self,
                                                      const char      *target,
                                                      const char      *text);
void                 suda_connection_send_action     (SudaConnection  *self,
                                                      const char      *target,
                                                      const char      *text);

G_END_DECLS
