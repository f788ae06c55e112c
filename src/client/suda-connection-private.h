/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-connection.h"
#include "suda-irc-message.h"
#include "suda-line-buffer.h"

G_BEGIN_DECLS

#define MAX_RECONNECT_DELAY_MS 60000
#define QUIT_GRACE_MS 1000
/* A connection that has been silent this long gets a PING of ours; no
 * answer within KEEPALIVE_TIMEOUT_S means the network is gone, even when
 * the kernel has not noticed yet. */
#define KEEPALIVE_IDLE_S 120
#define KEEPALIVE_TIMEOUT_S 60
#define KEEPALIVE_CHECK_S 15
/* Lines beyond a short burst are paced, so a long paste does not trip the
 * server's flood control and get us disconnected. */
#define SEND_BURST 8
#define SEND_INTERVAL_MS 600

/* Where the connection reads the time and sets its timers: the main loop
 * by default, a test's fake clock otherwise, so reconnect backoff and
 * keepalive can be checked step by step without waiting.  A timeout's
 * FUNC returning G_SOURCE_CONTINUE runs again INTERVAL_MS later, as
 * g_timeout_add() does. */
typedef struct {
  gint64 (*get_time)    (gpointer     user_data);   /* monotonic µs */
  guint  (*add_timeout) (guint        interval_ms,
                         GSourceFunc  func,
                         gpointer     data,
                         gpointer     user_data);
  void   (*remove)      (guint        id,
                         gpointer     user_data);
} SudaConnectionClock;

/* An open IRCv3 batch. */
typedef struct {
  char    *type;
  guint    depth;    /* 1 for a batch outside any other */
  guint64  serial;   /* the order opened, to forget the oldest first */
} SudaConnectionBatch;

struct _SudaConnection
{
  GObject                    parent_instance;

  /* What the person chose */
  char                      *host;
  guint16                    port;
  char                      *password;
  char                      *wanted_nick;
  guint                      connect_timeout_ms;
  guint                      reconnect_delay_ms;
  const SudaConnectionClock *clock;
  gpointer                   clock_data;
  gboolean                   tls;
  gboolean                   allow_cleartext;
  char                      *account;         /* SASL PLAIN, or NULL */
  char                      *account_password;
  SudaTrustStore            *trust_store;     /* NULL: the default one */

  /* The socket */
  GSocketClient             *client;
  GCancellable              *cancellable;
  GSocketConnection         *connection;
  GIOStream                 *stream;          /* read and written: the TLS connection or CONNECTION */
  GSocket                   *socket;          /* set once the stream is ready */
  GTlsCertificate           *certificate;     /* the server's, over TLS */
  GTlsCertificate           *rejected;        /* the one that stopped the last handshake */
  SudaTrustVerdict           rejected_verdict;
  GSource                   *in_source;
  GSource                   *out_source;
  SudaLineBuffer             lines;
  gboolean                   discarding;      /* skipping the rest of an overlong line */
  gboolean                   write_failed;
  GString                   *outbuf;

  /* Sending */
  GQueue                     held;            /* lines waiting for registration or pacing */
  guint                      tokens;
  guint                      pace_id;

  /* What the server told */
  char                      *nick;
  SudaConnectionState        state;
  GPtrArray                 *channels;        /* joined rooms, to join again after a loss */
  GHashTable                *caps_offered;
  GHashTable                *caps_enabled;
  GHashTable                *batches;         /* id → SudaConnectionBatch */
  guint64                    batch_serial;
  char                      *prefix_modes;    /* ISUPPORT PREFIX, e.g. "ov" */
  char                      *prefix_chars;    /* e.g. "@+" */
  char                      *service_nick;    /* ISUPPORT suda.chat/SERVICE, or NULL */
  char                      *filehost;        /* ISUPPORT soju.im/FILEHOST, or NULL */
  char                      *network;         /* ISUPPORT NETWORK, or NULL */
  guint                      chathistory_max; /* ISUPPORT CHATHISTORY, 0: no limit said */
  char                      *problem;         /* see suda_connection_get_problem() */

  /* Registration, keepalive, reconnection */
  guint                      nick_attempt;
  guint                      reconnect_attempt;
  guint                      reconnect_id;
  guint                      timeout_id;
  guint                      quit_id;
  guint                      keepalive_id;
  gint64                     last_received;   /* clock µs */
  gint64                     ping_sent;       /* clock µs, 0 when none is out */
  gboolean                   timed_out;
  gboolean                   quitting;
  gboolean                   ever_registered;
  gboolean                   sasl_running;    /* AUTHENTICATE sent, 90x not yet */
  char                      *registering_password; /* REGISTER sent, no answer yet */
  char                      *server_error;    /* text of the last ERROR line */
  GError                    *fatal_error;     /* reported when the socket closes */
};

/* A handler of one IRC command or numeric: fills EVENT (already carrying
 * the time, source, nick and params) and says whether to emit it. */
typedef gboolean (*SudaConnectionHandler) (SudaConnection       *self,
                                           const SudaIrcMessage *msg,
                                           SudaIrcEvent         *event);

/* One row of the dispatch tables, with what a line needs before its
 * handler sees it: a source naming someone, at least MIN_PARAMS
 * parameters, those that name a channel or a person well formed (bit N
 * of CHANNELS, NICKS or NAMES: parameter N is a channel, a nickname, or
 * either).  A line that falls short is dropped whole rather than handed
 * up half-filled (suda-connection-check.c). */
#define PARAM(n) (1u << (n))

typedef struct {
  const char            *command;
  SudaConnectionHandler  handler;
  guint                  min_params;
  gboolean               needs_source;
  guint                  channels;
  guint                  nicks;
  guint                  names;
} SudaConnectionCommand;

/* For tests and the fuzz target */

/* The bytes the socket gave, as if read from it: split into lines and
 * handled.  The fuzz target and tests feed server lines through this
 * without a socket. */
void  _suda_connection_receive     (SudaConnection            *self,
                                    const char                *data,
                                    gsize                      len);
/* What a new socket starts with: the state goes to registering and CAP,
 * NICK and USER go out (nowhere, without a socket). */
void  _suda_connection_register    (SudaConnection            *self);
/* Lines waiting for registration or for the pacing. */
guint _suda_connection_get_n_held  (SudaConnection            *self);
/* CLOCK (static, not copied) replaces the main loop's time and timers;
 * set it before connecting. */
void  _suda_connection_set_clock   (SudaConnection            *self,
                                    const SudaConnectionClock *clock,
                                    gpointer                   user_data);

/* suda-connection.c */
void     _suda_connection_set_state        (SudaConnection       *self,
                                            SudaConnectionState   state);
void     _suda_connection_set_current_nick (SudaConnection       *self,
                                            const char           *nick);
void     _suda_connection_set_network      (SudaConnection       *self,
                                            const char           *network);
void     _suda_connection_emit_error       (SudaConnection       *self,
                                            SudaConnectionError   code,
                                            const char           *format,
                                            ...) G_GNUC_PRINTF (3, 4);
void     _suda_connection_emit_event       (SudaConnection       *self,
                                            SudaIrcEvent         *event);
void     _suda_connection_set_fatal        (SudaConnection       *self,
                                            SudaConnectionError   code,
                                            const char           *message);
void     _suda_connection_close_socket     (SudaConnection       *self);
void     _suda_connection_handle_loss      (SudaConnection       *self);
gboolean _suda_connection_on_connect_timeout (gpointer          user_data);
void     _suda_connection_attach_stream    (SudaConnection       *self,
                                            GIOStream            *stream);
void     _suda_connection_connect_failed   (SudaConnection       *self,
                                            const GError         *error);
void     _suda_connection_stop            (SudaConnection       *self,
                                            SudaConnectionError   code,
                                            const char           *message);
void     _suda_connection_restart          (SudaConnection       *self);
void     _suda_connection_notify_certificate (SudaConnection     *self);
gint64   _suda_connection_now              (SudaConnection       *self);
guint    _suda_connection_add_timeout      (SudaConnection       *self,
                                            guint                 interval_ms,
                                            GSourceFunc           func);
void     _suda_connection_clear_timeout    (SudaConnection       *self,
                                            guint                *id);

/* suda-connection-tls.c */
void     _suda_connection_start_tls        (SudaConnection       *self,
                                            GSocketConnection    *connection);
SudaTrustStore *_suda_connection_get_trust_store (SudaConnection *self);
/* Before a clear connection: a stored STS policy turns it into TLS. */
void     _suda_connection_apply_sts        (SudaConnection       *self);
/* CAP LS's "sts" value; TRUE when the connection is being upgraded. */
gboolean _suda_connection_handle_sts       (SudaConnection       *self,
                                            const char           *value);

/* suda-connection-sasl.c */
gboolean _suda_connection_wants_sasl       (SudaConnection       *self);
/* After CAP ACK: TRUE when SASL began and CAP END must wait for it. */
gboolean _suda_connection_start_sasl       (SudaConnection       *self);
gboolean _suda_connection_handle_authenticate (SudaConnection    *self,
                                            const SudaIrcMessage *msg,
                                            SudaIrcEvent         *event);
gboolean _suda_connection_handle_sasl_numeric (SudaConnection    *self,
                                            const SudaIrcMessage *msg,
                                            SudaIrcEvent         *event);
gboolean _suda_connection_handle_register  (SudaConnection       *self,
                                            const SudaIrcMessage *msg,
                                            SudaIrcEvent         *event);
gboolean _suda_connection_handle_fail      (SudaConnection       *self,
                                            const SudaIrcMessage *msg,
                                            SudaIrcEvent         *event);

/* suda-connection-send.c */
void     _suda_connection_send_params      (SudaConnection       *self,
                                            gboolean              immediately,
                                            const char           *command,
                                            const char * const   *params,
                                            guint                 n_params);
void     _suda_connection_send_now         (SudaConnection       *self,
                                            const char           *command,
                                            ...) G_GNUC_NULL_TERMINATED;
void     _suda_connection_release_held     (SudaConnection       *self);

/* suda-connection-dispatch.c */
gboolean _suda_connection_on_readable      (GObject              *stream,
                                            gpointer              user_data);
gboolean _suda_connection_is_own           (SudaConnection       *self,
                                            const char           *nick);
char    *_suda_connection_join_params      (const SudaIrcMessage *msg,
                                            guint                 from);

/* suda-connection-numerics.c */
const SudaConnectionCommand *_suda_connection_find_numeric (const char *command);
gboolean _suda_connection_numeric_default  (SudaConnection       *self,
                                            const SudaIrcMessage *msg,
                                            SudaIrcEvent         *event);

/* suda-connection-register.c */
gboolean _suda_connection_handle_cap       (SudaConnection       *self,
                                            const SudaIrcMessage *msg,
                                            SudaIrcEvent         *event);
gboolean _suda_connection_handle_welcome   (SudaConnection       *self,
                                            const SudaIrcMessage *msg,
                                            SudaIrcEvent         *event);

/* suda-connection-check.c */
gboolean _suda_connection_line_is_complete (const SudaIrcMessage        *msg,
                                            const SudaConnectionCommand *entry);
gboolean _suda_connection_is_nickname      (const char           *name);
gboolean _suda_connection_tags_fit         (const SudaIrcMessage *msg);

G_END_DECLS
