/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the server core's layers share, bottom to top (src/server/README.md):
 *   session   bytes in and out of one socket (suda-session.c)
 *   registry  who: clients, nicks, rooms, histories, counts (suda-registry.c)
 *   delivery  an event into log entry, history and fan-out (suda-delivery.c)
 * The protocol handlers (irc/, plain/) and the service user (service/) sit
 * above and have private headers of their own; the server (suda-server.c)
 * puts the layers together.  A layer calls only the layers below it, and
 * hears from them through the callbacks it gave them. */
#pragma once

#include "suda-account-store.h"
#include "suda-channel.h"
#include "suda-line-buffer.h"
#include "suda-server-log.h"
#include "suda-server.h"
#include "suda-transport.h"

G_BEGIN_DECLS

typedef struct _SudaRegistry SudaRegistry;
typedef struct _SudaDelivery SudaDelivery;
typedef struct _SudaService  SudaService;
typedef struct _SudaCore     SudaCore;
typedef struct _SudaIrcState SudaIrcState;
typedef struct _SudaCluster  SudaCluster;   /* cluster/suda-cluster-private.h */

/* Timers, idles and socket sources of the core go to the thread-default
 * main context of the thread running the server, never the global default
 * (suda-sources.c): remove their ids with _suda_source_remove(). */
guint        _suda_source_attach            (GSource        *source);
guint        _suda_timeout_add              (guint           interval_ms,
                                             GSourceFunc     func,
                                             gpointer        data);
guint        _suda_timeout_add_full         (gint            priority,
                                             guint           interval_ms,
                                             GSourceFunc     func,
                                             gpointer        data,
                                             GDestroyNotify  notify);
guint        _suda_timeout_add_seconds      (guint           interval_s,
                                             GSourceFunc     func,
                                             gpointer        data);
guint        _suda_idle_add_full            (gint            priority,
                                             GSourceFunc     func,
                                             gpointer        data,
                                             GDestroyNotify  notify);
void         _suda_source_remove            (guint           id);
void         _suda_source_set_name          (guint           id,
                                             const char     *name);

/* Session: transport only (suda-session.c) -------------------------------- */

/* What a session tells the one who reads its lines. */
typedef struct {
  void (*line)     (gpointer owner, char *line, gsize len);
  /* A line over the limit arrived; the session closes after this. */
  void (*overlong) (gpointer owner);
  /* The session is closing: the owner says its last words (they go out
   * past the sendq) and forgets the session's place in the world. */
  void (*closed)   (gpointer owner, const char *reason);
} SudaSessionHandler;

/* What a session tells the listener that made it. */
typedef struct {
  void (*dirty) (gpointer listener, SudaSession *session);  /* output waits */
  void (*gone)  (gpointer listener, SudaSession *session);  /* done: drop it */
} SudaSessionListener;

/* The peer's address as IRC masks carry it; LOOPBACK says whether it is
 * this machine. */
char        *_suda_session_describe_peer    (GSocketConnection         *connection,
                                             gboolean                  *loopback);
char        *_suda_session_describe_address (GSocketAddress            *address,
                                             gboolean                  *loopback);
/* What the sessions of one server share: the output queued for all of
 * them, bounded by [limits] total-sendq, and the pushback on senders. */
typedef struct _SudaPushback SudaPushback;

SudaPushback *_suda_pushback_new            (const SudaServerConfig    *config);
void         _suda_pushback_free            (SudaPushback              *self);
/* For tests: bytes queued now and at most, and the sessions not read from. */
gsize        _suda_pushback_get_total       (SudaPushback              *self);
gsize        _suda_pushback_get_peak        (SudaPushback              *self);
guint        _suda_pushback_get_n_paused    (SudaPushback              *self);
/* How long the flush of lines queued NOW may wait for more to join them:
 * BUDGET while lines are read quickly (more than one per BUDGET lately),
 * else 0.  count_line() is, for tests, a line handled. */
gint64       _suda_pushback_flush_wait      (SudaPushback              *self,
                                             gint64                     budget,
                                             gint64                     now);
void         _suda_pushback_count_line      (SudaPushback              *self);
/* Lines handled so far, every session together: changes with each line. */
guint64      _suda_pushback_get_lines_read  (SudaPushback              *self);

/* The session takes a reference on TRANSPORT and reads and writes
 * through it alone (suda-transport.h). */
SudaSession *_suda_session_new              (SudaTransport             *transport,
                                             const SudaServerConfig    *config,
                                             SudaPushback              *pushback,
                                             const SudaSessionListener *listener,
                                             gpointer                   listener_data);
void         _suda_session_set_owner        (SudaSession              *self,
                                             const SudaSessionHandler *handler,
                                             gpointer                  owner,
                                             GDestroyNotify            destroy);
gpointer     _suda_session_get_owner        (SudaSession *self);
void         _suda_session_set_pause_ends_line (SudaSession *self,
                                             gboolean     pause_ends_line);
void         _suda_session_set_keepalive    (SudaSession *self,
                                             const char  *line);
void         _suda_session_set_public_nick  (SudaSession *self,
                                             const char  *nick);
void         _suda_session_set_registered   (SudaSession *self);
void         _suda_session_set_channels     (SudaSession *self,
                                             const char  *text);
void         _suda_session_send             (SudaSession *self,
                                             const char  *data,
                                             gsize        len);
gboolean     _suda_session_flush            (SudaSession *self);
gsize        _suda_session_get_unsent       (SudaSession *self);
void         _suda_session_close            (SudaSession *self,
                                             const char  *reason);
void         _suda_session_detach           (SudaSession *self);
gboolean     _suda_session_is_closing       (SudaSession *self);
void         _suda_session_check_ping       (SudaSession *self,
                                             gint64       now);
gint64       _suda_session_get_last_active  (SudaSession *self);
guint        _suda_session_get_id           (SudaSession *self);
void         _suda_session_set_id           (SudaSession *self,
                                             guint        id);
GList       *_suda_session_get_dirty_link   (SudaSession *self);
/* When its oldest unsent line was queued (monotonic usec), set by the
 * listener as the session turns dirty. */
gint64       _suda_session_get_dirty_at     (SudaSession *self);
void         _suda_session_set_dirty_at     (SudaSession *self,
                                             gint64       when);
/* For tests that shrink kernel buffers. */
GSocket     *_suda_session_get_socket       (SudaSession *self);
SudaTransport *_suda_session_get_transport  (SudaSession *self);
/* The SHA-256 fingerprint of the peer's TLS client certificate (64
 * lowercase hex digits), or NULL when it showed none. */
const char  *_suda_session_get_certfp       (SudaSession *self);
/* Over TLS (or another transport its listener calls secure). */
void         _suda_session_set_secure       (SudaSession *self,
                                             gboolean     secure);
gboolean     _suda_session_is_secure        (SudaSession *self);
/* Its "connect" entry is logged (a TLS peer's once its handshake is
 * done), so its "disconnect" is too. */
void         _suda_session_set_announced    (SudaSession *self);
gboolean     _suda_session_get_announced    (SudaSession *self);

/* Registry: clients, nicks, rooms, histories, counts (suda-registry.c) ----- */

typedef enum {
  SUDA_CAP_SERVER_TIME  = 1 << 0,
  SUDA_CAP_MESSAGE_TAGS = 1 << 1,
  SUDA_CAP_ECHO_MESSAGE = 1 << 2,
  SUDA_CAP_BATCH        = 1 << 3,
  SUDA_CAP_MULTI_PREFIX = 1 << 4,
  SUDA_CAP_AWAY_NOTIFY  = 1 << 5,
  SUDA_CAP_CAP_NOTIFY   = 1 << 6,
  SUDA_CAP_CHATHISTORY  = 1 << 7,   /* draft/chathistory */
  SUDA_CAP_LABELED_RESPONSE = 1 << 8,
  SUDA_CAP_EXTENDED_MONITOR = 1 << 9,
  SUDA_CAP_USERHOST_IN_NAMES = 1 << 10,
  SUDA_CAP_INVITE_NOTIFY    = 1 << 11,
  SUDA_CAP_SETNAME          = 1 << 12,
  SUDA_CAP_EXTENDED_JOIN    = 1 << 13,
  SUDA_CAP_ACCOUNT_NOTIFY   = 1 << 14,
  SUDA_CAP_ACCOUNT_TAG      = 1 << 15,
  SUDA_CAP_MESSAGE_REDACTION = 1 << 16,  /* draft/message-redaction */
  SUDA_CAP_READ_MARKER      = 1 << 17,   /* draft/read-marker */
  SUDA_CAP_MULTILINE        = 1 << 18,   /* draft/multiline */
  SUDA_CAP_STANDARD_REPLIES = 1 << 19,
  SUDA_CAP_SASL             = 1 << 20,
  SUDA_CAP_ACCOUNT_REGISTRATION = 1 << 21,   /* draft/account-registration */
  SUDA_CAP_EVENT_PLAYBACK   = 1 << 23,   /* draft/event-playback */
} SudaCap;

typedef struct _SudaClient SudaClient;
typedef struct _SudaIrcMultiline SudaIrcMultiline;   /* irc/suda-irc-multiline.c */
typedef struct _SudaIrcSasl SudaIrcSasl;             /* irc/suda-irc-sasl.c */

/* How a client's lines are read and how replies reach it: the IRC handler
 * (irc/) and the plain-text one (plain/) each give one. */
typedef struct {
  void (*line)     (SudaClient *client, char *line, gsize len);
  void (*overlong) (SudaClient *client);
  void (*closed)   (SudaClient *client, const char *reason);  /* last words */
  void (*welcome)  (SudaClient *client);
  void (*joined)   (SudaClient *client, SudaChannel *channel);
  gboolean plain;   /* delivery renders "[HH:MM] nick: text" lines for it */
} SudaProtocol;

/* A person on one session.  The registry writes the identity (nick, mask,
 * registered, channels); the protocol handler writes the rest. */
struct _SudaClient
{
  SudaCore           *core;         /* not owned */
  SudaSession        *session;      /* not owned: the session owns its client */
  const SudaProtocol *protocol;
  const SudaProtocol *fallback;     /* taken instead when the first line is no IRC */

  char               *nick;
  char               *user;
  char               *realname;
  char               *host;
  char               *mask;         /* nick!user@host */
  char               *pass;
  char               *away;
  GPtrArray          *channels;     /* SudaChannel*, not owned */
  guint               caps;
  guint               oper_failures;
  GString            *capture;      /* what is sent is held here meanwhile (labeled-response) */
  const char         *label;        /* the label of the command being handled, or NULL */
  GPtrArray          *monitoring;   /* nicks on its MONITOR list, or NULL */
  SudaIrcMultiline   *multiline;    /* a draft/multiline batch being received (irc/ frees it) */
  gint64              last_knock;   /* monotonic usec of its last KNOCK */
  guint               greeting_id;  /* the greeting for a silent newcomer */
  char               *account;      /* the account logged into, or NULL */
  SudaIrcSasl        *sasl;         /* an AUTHENTICATE exchange under way (irc/ frees it) */
  guint               auth_failures;  /* failed SASL logins on this connection */
  guint               nick_grace_id;  /* renames a stranger on a registered nick */
  gint64              nick_since;   /* unix usec it took this nick: what it may read of the nick's past */

  guint               registered : 1;
  guint               oper_checking : 1;  /* an OPER is being checked or its failure delayed */
  guint               cap_negotiating : 1;
  guint               greeted : 1;
  guint               oper : 1;
  guint               invisible : 1;
  guint               cap_302 : 1;        /* CAP LS 302: cap-notify stays on */
  guint               bot : 1;            /* user mode +B */
  guint               wallops : 1;        /* user mode +w: hears WALLOPS */
  guint               auth_checking : 1;  /* a password is in a worker: registration waits */
  guint               label_deferred : 1; /* the command answers later, labelled then */
};

/* A nick came online (registered, or renamed to) or went offline. */
typedef void (*SudaPresenceFunc) (SudaRegistry *registry,
                                  SudaClient   *client,
                                  const char   *nick,
                                  gboolean      online);

SudaRegistry *_suda_registry_new            (const SudaServerConfig *config);
void          _suda_registry_free           (SudaRegistry *self);
void          _suda_registry_reset          (SudaRegistry *self,
                                             GHashTable   *histories);
const char   *_suda_registry_get_service_nick (SudaRegistry *self);
SudaClient   *_suda_registry_add_client     (SudaRegistry *self,
                                             SudaCore     *core,
                                             SudaSession  *session,
                                             const char   *host);
void          _suda_registry_remove_client  (SudaRegistry *self,
                                             SudaClient   *client);
guint         _suda_registry_count_address  (SudaRegistry *self,
                                             const char   *host);
/* Failed OPERs from HOST in the last ten minutes. */
void          _suda_registry_note_oper_failure (SudaRegistry *self,
                                             const char   *host);
guint         _suda_registry_count_oper_failures (SudaRegistry *self,
                                             const char   *host);
SudaClient   *_suda_registry_find_client    (SudaRegistry *self,
                                             const char   *nick);
gboolean      _suda_registry_nick_in_use    (SudaRegistry *self,
                                             const char   *nick);
gboolean      _suda_registry_is_service     (SudaRegistry *self,
                                             const char   *nick);
void          _suda_registry_claim_nick     (SudaRegistry *self,
                                             SudaClient   *client,
                                             const char   *nick);
void          _suda_registry_release_nick   (SudaRegistry *self,
                                             SudaClient   *client);
void          _suda_registry_set_registered (SudaRegistry *self,
                                             SudaClient   *client);
void          _suda_registry_set_counts_notify (SudaRegistry *self,
                                             GCallback     notify,
                                             gpointer      data);
guint         _suda_registry_get_n_connections (SudaRegistry *self);
guint         _suda_registry_get_n_registered  (SudaRegistry *self);
guint         _suda_registry_get_max_registered (SudaRegistry *self);
guint         _suda_registry_count_opers    (SudaRegistry *self);
guint         _suda_registry_count_invisible (SudaRegistry *self);
void          _suda_registry_foreach_client (SudaRegistry *self,
                                             GFunc         func,
                                             gpointer      data);
SudaChannel  *_suda_registry_find_channel   (SudaRegistry *self,
                                             const char   *name);
SudaChannel  *_suda_registry_ensure_channel (SudaRegistry *self,
                                             const char   *name);
void          _suda_registry_drop_channel_if_empty (SudaRegistry *self,
                                             SudaChannel  *channel);
guint         _suda_registry_get_n_channels (SudaRegistry *self);
void          _suda_registry_foreach_channel (SudaRegistry *self,
                                             GFunc         func,
                                             gpointer      data);
void          _suda_registry_add_member     (SudaRegistry *self,
                                             SudaChannel  *channel,
                                             SudaClient   *client,
                                             guint         flags);
void          _suda_registry_remove_member  (SudaRegistry *self,
                                             SudaChannel  *channel,
                                             SudaClient   *client);
void          _suda_registry_leave_all      (SudaRegistry *self,
                                             SudaClient   *client);
void          _suda_registry_adopt_histories (SudaRegistry *self,
                                            GHashTable   *older);
SudaHistory  *_suda_registry_get_history    (SudaRegistry *self,
                                             const char   *channel);
SudaHistory  *_suda_registry_peek_history   (SudaRegistry *self,
                                             const char   *channel);
guint         _suda_registry_get_n_histories (SudaRegistry *self);
char         *_suda_registry_next_batch_id  (SudaRegistry *self);
char         *_suda_registry_next_msgid     (SudaRegistry *self);
void          _suda_registry_set_presence_notify (SudaRegistry *self,
                                             SudaPresenceFunc presence);
gboolean      _suda_registry_watch          (SudaRegistry *self,
                                             SudaClient   *client,
                                             const char   *nick);
void          _suda_registry_unwatch        (SudaRegistry *self,
                                             SudaClient   *client,
                                             const char   *nick);
void          _suda_registry_unwatch_all    (SudaRegistry *self,
                                             SudaClient   *client);
GPtrArray    *_suda_registry_get_watchers   (SudaRegistry *self,
                                             const char   *nick);
SudaHistory  *_suda_registry_get_conversation (SudaRegistry *self,
                                             const char   *nick,
                                             const char   *other,
                                             gboolean      create);
GPtrArray    *_suda_registry_list_conversations (SudaRegistry *self,
                                             const char   *nick);
gint64        _suda_registry_get_read_marker (SudaRegistry *self,
                                             const char   *owner,
                                             const char   *target);
gboolean      _suda_registry_set_read_marker (SudaRegistry *self,
                                             const char   *owner,
                                             const char   *target,
                                             gint64        time);

/* Users of other servers ([cluster]): the cluster (cluster/) writes them as
 * their events arrive; NICK refuses their nicks, NAMES and LIST count them. */
typedef struct {
  char       *nick;
  char       *mask;
  char       *server;         /* its server's id */
  GPtrArray  *channels;       /* room names */
  GArray     *flags;          /* guint SudaMemberFlags, one per room above */
} SudaRemoteUser;

SudaRemoteUser *_suda_registry_find_remote  (SudaRegistry   *self,
                                             const char     *nick);
SudaRemoteUser *_suda_registry_add_remote   (SudaRegistry   *self,
                                             const char     *server,
                                             const char     *nick,
                                             const char     *mask);
void          _suda_registry_remove_remote  (SudaRegistry   *self,
                                             SudaRemoteUser *user);
void          _suda_registry_rename_remote  (SudaRegistry   *self,
                                             SudaRemoteUser *user,
                                             const char     *nick,
                                             const char     *mask);
void          _suda_registry_remote_join    (SudaRegistry   *self,
                                             SudaRemoteUser *user,
                                             const char     *channel);
void          _suda_registry_remote_part    (SudaRegistry   *self,
                                             SudaRemoteUser *user,
                                             const char     *channel);
GPtrArray    *_suda_registry_get_remote_members (SudaRegistry *self,
                                             const char     *channel);
gboolean      _suda_registry_remote_is_in   (SudaRegistry   *self,
                                             SudaRemoteUser *user,
                                             const char     *channel);
/* Its @/+ in a room it is in (SudaMemberFlags), as its server said. */
guint         _suda_registry_get_remote_flags (SudaRegistry *self,
                                             SudaRemoteUser *user,
                                             const char     *channel);
void          _suda_registry_set_remote_flag (SudaRegistry  *self,
                                             SudaRemoteUser *user,
                                             const char     *channel,
                                             guint           flag,
                                             gboolean        add);
void          _suda_registry_foreach_remote_room (SudaRegistry *self,
                                             GHFunc          func,
                                             gpointer        data);
GPtrArray    *_suda_registry_list_remote    (SudaRegistry   *self,
                                             const char     *server);

/* draft/read-marker's table and file (suda-read-markers.c) */
char         *_suda_read_markers_dup_path   (const SudaServerConfig *config);
const char   *_suda_read_markers_owner      (const char   *account,
                                             const char   *nick);
GHashTable   *_suda_read_markers_new_table  (void);
void          _suda_read_markers_load       (GHashTable   *markers,
                                             const char   *path);
gboolean      _suda_read_markers_save       (GHashTable   *markers,
                                             const char   *path,
                                             GError      **error);
gint64        _suda_read_markers_get        (GHashTable   *markers,
                                             const char   *owner,
                                             const char   *target);
gboolean      _suda_read_markers_set        (GHashTable   *markers,
                                             const char   *owner,
                                             const char   *target,
                                             gint64        time);

void          _suda_client_free             (gpointer      client);
void          _suda_client_set_nick         (SudaClient   *client,
                                             const char   *nick);
const char   *_suda_client_target_name      (SudaClient   *client);
void          _suda_client_send             (SudaClient   *client,
                                             const char   *data,
                                             gsize         len);
void          _suda_client_sendf            (SudaClient   *client,
                                             const char   *format,
                                             ...) G_GNUC_PRINTF (2, 3);
gboolean      _suda_client_is_closing       (SudaClient   *client);
void          _suda_client_close            (SudaClient   *client,
                                             const char   *reason);
SudaClient   *_suda_client_from_session     (SudaSession  *session);

/* Delivery: log entry, then history, then fan-out (suda-delivery.c) -------- */

/* A line to several recipients.  It is serialized once per kind of
 * recipient (with or without tags, IRC or plain text), never per recipient. */
typedef struct {
  gint64      time;
  const char *source;       /* nick!user@host */
  const char *nick;         /* for plain-text rendering */
  const char *command;
  const char *target;       /* first parameter, or NULL */
  const char *text;         /* trailing parameter, or NULL */
  const char *client_tags;  /* "+a=b;+c" to relay to message-tags clients */
  const char *msgid;        /* for message-tags clients, or NULL */
  const char *account;      /* the sender's account for account-tag clients, or NULL */
  gboolean    bot;          /* from a +B user: a "bot" tag for message-tags clients */
  GString    *variants[9];
} SudaOutLine;

typedef void (*SudaLogFunc) (gpointer data, SudaLogEntry *entry);

SudaDelivery *_suda_delivery_new            (SudaRegistry *registry,
                                             const SudaServerConfig *config,
                                             SudaLogFunc   log,
                                             gpointer      log_data);
void          _suda_delivery_free           (SudaDelivery *self);
void          _suda_delivery_log            (SudaDelivery *self,
                                             SudaLogEntry *entry);
void          _suda_delivery_log_event      (SudaDelivery *self,
                                             const char   *event,
                                             const char   *channel,
                                             const char   *nick,
                                             const char   *text);
gsize         _suda_delivery_text_budget    (const char   *source,
                                             const char   *command,
                                             const char   *target);
void          _suda_delivery_out_line_clear (SudaOutLine  *line);
void          _suda_delivery_send_line      (SudaOutLine  *line,
                                             SudaClient   *to);
void          _suda_delivery_keep_event     (SudaDelivery *self,
                                             SudaChannel  *channel,
                                             SudaOutLine  *line);
void          _suda_delivery_to_channel     (SudaDelivery *self,
                                             SudaLogEntry *entry,
                                             SudaOutLine  *line,
                                             SudaChannel  *channel,
                                             SudaClient   *except,
                                             gboolean      keep);
void          _suda_delivery_to_client      (SudaDelivery *self,
                                             SudaLogEntry *entry,
                                             SudaOutLine  *line,
                                             SudaClient   *to);
void          _suda_delivery_to_peers       (SudaDelivery *self,
                                             SudaLogEntry *entry,
                                             SudaOutLine  *line,
                                             SudaClient   *of,
                                             gboolean      include_self,
                                             guint         required_caps);
/* [cluster] (cluster/): every event of this server's own users, once, as
 * delivered here: LINE is NULL for a registration (ENTRY says who); CHANNEL
 * is NULL for NICK and QUIT; a JOIN comes in its extended-join form. */
typedef void (*SudaRelayFunc) (gpointer      data,
                               SudaLogEntry *entry,
                               SudaOutLine  *line,
                               const char   *channel,
                               gboolean      keep);

void          _suda_delivery_set_relay      (SudaDelivery *self,
                                             SudaRelayFunc relay,
                                             gpointer      data);
/* [cluster]: a JOIN of a room that only other servers have waits for the
 * room's state (bans, key, limit, +i), so that it is checked here as there:
 * HOLD takes it and returns TRUE, and runs RESUME (with RESUME_DATA) once
 * the state is in, or after a moment without it, then frees RESUME_DATA
 * with DESTROY, as it does when the JOIN is dropped (its client left);
 * FALSE lets the JOIN go on at once, and RESUME_DATA stays the caller's. */
typedef void     (*SudaJoinFunc)     (SudaClient    *client,
                                      const char    *room,
                                      const char    *key,
                                      gpointer       resume_data);
typedef gboolean (*SudaHoldJoinFunc) (gpointer       data,
                                      SudaClient    *client,
                                      const char    *room,
                                      const char    *key,
                                      SudaJoinFunc   resume,
                                      gpointer       resume_data,
                                      GDestroyNotify destroy);

void          _suda_delivery_set_hold_join  (SudaDelivery *self,
                                             SudaHoldJoinFunc hold,
                                             gpointer      data);
gboolean      _suda_delivery_hold_join      (SudaDelivery  *self,
                                             SudaClient    *client,
                                             const char    *room,
                                             const char    *key,
                                             SudaJoinFunc   resume,
                                             gpointer       resume_data,
                                             GDestroyNotify destroy);
/* Events from other servers count as lines read in PUSHBACK (its input
 * rate, and the flush's clock): they fan out as this server's own do. */
void          _suda_delivery_set_pushback   (SudaDelivery *self,
                                             SudaPushback *pushback);
void          _suda_delivery_relay_out      (SudaDelivery *self,
                                             SudaLogEntry *entry,
                                             SudaOutLine  *line,
                                             const char   *channel,
                                             gboolean      keep);
SudaRegistry *_suda_delivery_get_registry   (SudaDelivery *self);
void          _suda_delivery_count_in       (SudaDelivery *self);
/* Events from another server (suda-delivery-relay.c): logged here first,
 * kept in the room's history, then sent to this server's members. */
void          _suda_delivery_relay_in       (SudaDelivery *self,
                                             SudaLogEntry *entry,
                                             SudaOutLine  *line,
                                             const char   *channel,
                                             gboolean      keep);
/* NICK and QUIT of a user of another server in ROOMS (names). */
void          _suda_delivery_relay_in_rooms (SudaDelivery *self,
                                             SudaLogEntry *entry,
                                             SudaOutLine  *line,
                                             GPtrArray    *rooms);

/* The events every front end shares (suda-delivery-events.c). */
gboolean      _suda_delivery_register       (SudaDelivery *self,
                                             SudaClient   *client);
void          _suda_delivery_nick           (SudaDelivery *self,
                                             SudaClient   *client,
                                             const char   *nick);
void          _suda_delivery_join           (SudaDelivery *self,
                                             SudaClient   *client,
                                             SudaChannel  *channel);
void          _suda_delivery_part           (SudaDelivery *self,
                                             SudaClient   *client,
                                             SudaChannel  *channel,
                                             const char   *reason);
void          _suda_delivery_kick           (SudaDelivery *self,
                                             const char   *by_mask,
                                             SudaChannel  *channel,
                                             SudaClient   *victim,
                                             const char   *reason);
/* [cluster] (suda-delivery-events.c, suda-delivery.c): a kick of a user
 * of another server; a whisper to one, and one from one to TO. */
void          _suda_delivery_kick_remote    (SudaDelivery   *self,
                                             const char     *by_mask,
                                             SudaChannel    *channel,
                                             SudaRemoteUser *victim,
                                             const char     *reason);
void          _suda_delivery_whisper_remote (SudaDelivery *self,
                                             SudaOutLine  *line,
                                             const char   *nick,
                                             SudaClient   *echo);
void          _suda_delivery_whisper_in     (SudaDelivery *self,
                                             SudaLogEntry *entry,
                                             SudaOutLine  *line,
                                             SudaClient   *to);
void          _suda_delivery_quit           (SudaDelivery *self,
                                             SudaClient   *client,
                                             const char   *reason);
/* A PRIVMSG or NOTICE to a room (logged as "message" or "notice", kept in
 * its history) or to one person (logged as "whisper"; ECHO, when not NULL,
 * gets a copy).  The line's target is set to the name as registered. */
void          _suda_delivery_message        (SudaDelivery *self,
                                             SudaOutLine  *line,
                                             SudaChannel  *channel,
                                             SudaClient   *except);
void          _suda_delivery_whisper        (SudaDelivery *self,
                                             SudaOutLine  *line,
                                             SudaClient   *to,
                                             SudaClient   *echo);

/* The layers of one running server, as the handlers see them. */
struct _SudaCore
{
  const SudaServerConfig *config;
  SudaRegistry           *registry;
  SudaDelivery           *delivery;
  SudaService            *service;   /* NULL when service-nick= is empty */
  const char             *created_text;
  GDateTime              *started_at;  /* for STATS u; NULL until started */
  SudaIrcState           *irc;       /* the IRC handler's own (irc/) */
  SudaAccountStore       *accounts;  /* NULL when the store could not be opened */
  /* REHASH: reads the config file again and applies what it can
   * (suda_server_set_config_file()); NULL when there is no file.  *RESTART
   * names the changed keys that wait for a restart, or is NULL. */
  gboolean              (*rehash) (SudaCore *core, char **restart, GError **error);
  const char             *config_file;
  guint16                 tls_port;  /* the TLS port listened on, 0 when none */
  struct _SudaFileHost   *files;     /* [files] port=: uploads (files/), or NULL */
};

/* Admission: who may connect (suda-admission.c) --------------------------- */

typedef struct _SudaAdmission SudaAdmission;

SudaAdmission *_suda_admission_new          (const SudaCore    *core);
void           _suda_admission_free         (SudaAdmission     *self);
/* FALSE when the connection was refused (and told why, and logged). */
gboolean       _suda_admission_admit        (SudaAdmission     *self,
                                             GSocketConnection *connection,
                                             gboolean           clear_text);
gboolean       _suda_admission_admit_transport (SudaAdmission  *self,
                                             SudaTransport     *transport);
/* Logs the refusals summed up since the last time, now. */
void           _suda_admission_log_refusals (SudaAdmission     *self);

/* Accounts: the store the server opens at start (suda-server-accounts.c). */
SudaAccountStore *_suda_server_open_accounts (const SudaServerConfig *config,
                                             SudaDelivery           *delivery,
                                             char                  **problem);

/* suda-poller.c: one epoll set per main context for the clear-text
 * sockets.  FUNC gets G_IO_IN or G_IO_OUT (one-shot, as in SudaTransport);
 * a hang-up or error wakes whatever is watched. */
typedef struct _SudaPollWatch SudaPollWatch;
typedef void (*SudaPollFunc) (gpointer     data,
                              GIOCondition condition);
SudaPollWatch *_suda_poll_watch_new         (int            fd,
                                             SudaPollFunc   func,
                                             gpointer       data);
void          _suda_poll_watch_set          (SudaPollWatch *self,
                                             GIOCondition   condition);
void          _suda_poll_watch_free         (SudaPollWatch *self);

/* The server's own (suda-server.c), for tests. */
SudaService  *_suda_server_get_service      (SudaServer *self);
SudaRegistry *_suda_server_get_registry     (SudaServer *self);
/* For tests: the flush's latency budget (usec; one set here applies
 * whatever the input rate), its slice (usec, -1 for FLUSH_SLICE_USEC), and
 * how many flushes there were, waited for the budget, or were sliced. */
void          _suda_server_set_flush_budget (SudaServer *self,
                                             gint64      budget);
void          _suda_server_set_flush_slice  (SudaServer *self,
                                             gint64      slice);
void          _suda_server_get_flush_counts (SudaServer *self,
                                             guint      *n_flushes,
                                             guint      *n_waited);
guint         _suda_server_get_flush_slices (SudaServer *self);
SudaPushback *_suda_server_get_pushback     (SudaServer *self);
SudaDelivery *_suda_server_get_delivery     (SudaServer *self);
/* For tests: [tls] port=0 picks a free port instead of turning TLS off. */
void          _suda_server_set_tls_any_port (SudaServer *self);
/* For tests: the cluster this server is in, or NULL. */
SudaCluster  *_suda_server_get_cluster      (SudaServer *self);
/* TRUE from a start until the history is read (connections wait). */
gboolean      _suda_server_is_loading_history (SudaServer *self);

/* The server itself (suda-server.c, which owns its lifecycle, and
 * suda-listeners.c, its ports and the accept paths).  Only these two
 * reach into it: the layers above see SudaCore. */
typedef struct _SudaTls       SudaTls;        /* tls/suda-tls-private.h */
typedef struct _SudaWebServer SudaWebServer;  /* web/suda-web-server.h */
typedef struct _SudaAnnounce  SudaAnnounce;   /* announce/suda-announce.h */

struct _SudaServer
{
  GObject            parent_instance;

  SudaServerConfig  *config;
  SudaCore           core;          /* the layers handlers see */
  GSocketService    *listener;      /* the clear-text port and the TLS port */
  guint16            port;          /* the clear-text one; 0 with [tls] plain=false */
  char              *address;
  guint16            tls_port;      /* 0 without TLS */
  char              *tls_address;
  gboolean           tls_any_port;  /* for tests: [tls] port=0 picks one */
  SudaTls           *tls;
  GDateTime         *started_at;
  char              *created_text;
  gboolean           running;
  gboolean           stopping;      /* last words going out, port still held */
  guint              stop_id;       /* the stop's deadline */
  GCancellable      *loading;       /* the history being read, or NULL */

  GListStore        *sessions;
  GQueue             dirty;         /* sessions with output to flush */
  guint              flush_id;
  gint64             flush_budget;  /* usec; 0 for FLUSH_BUDGET_USEC */
  guint              n_flushes;
  guint              n_waited;      /* flushes that waited for more lines */
  gint64             flush_slice;   /* usec; -1 for FLUSH_SLICE_USEC */
  guint              n_sliced;      /* flushes that stopped at their slice */
  gint64             stamp;         /* monotonic usec of the line being handled, or 0 */
  guint64            stamp_lines;   /* the pushback's lines_read when it was taken */
  guint              ping_id;
  guint              next_session_id;
  SudaAdmission     *admission;     /* who may connect */
  SudaPushback      *pushback;      /* output queued, senders held back */

  SudaServerLog     *log;
  gboolean           log_failing;
  char              *accounts_problem;  /* why there are no accounts, or NULL */

  SudaWebServer     *web;           /* [web] port=: the page and /ws, or NULL */
  GPtrArray         *web_waiting;   /* WebSockets opened while the history loads */
  SudaCluster       *cluster;       /* [cluster] redis=, while running; or NULL */
  SudaAnnounce      *announce;      /* [server] announce=, while letting in; or NULL */
};

/* suda-server.c: a session and a client for TRANSPORT (a new reference),
 * and its "connect" entry (VIA: "websocket", or NULL). */
SudaSession  *_suda_server_add_session      (SudaServer    *self,
                                             SudaTransport *transport);
void          _suda_server_announce         (SudaServer    *self,
                                             SudaSession   *session,
                                             const char    *via);

/* suda-listeners.c: the clear-text, TLS and web ports.  Open binds them
 * (nothing is accepted until let-in, once the history is read); close lets
 * them go. */
gboolean      _suda_listeners_open          (SudaServer    *self,
                                             GError       **error);
void          _suda_listeners_let_in        (SudaServer    *self);
void          _suda_listeners_close         (SudaServer    *self);
void          _suda_listeners_log_tls       (SudaServer    *self);
/* The name the server is announced under on the local network, or NULL. */
const char   *_suda_listeners_get_announced_name (SudaServer *self);

G_END_DECLS
