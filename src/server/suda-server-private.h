/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-channel.h"
#include "suda-line-buffer.h"
#include "suda-server-log.h"
#include "suda-server.h"
#include "suda-service.h"

G_BEGIN_DECLS

typedef enum {
  SUDA_CAP_SERVER_TIME  = 1 << 0,
  SUDA_CAP_MESSAGE_TAGS = 1 << 1,
  SUDA_CAP_ECHO_MESSAGE = 1 << 2,
  SUDA_CAP_BATCH        = 1 << 3,
  SUDA_CAP_MULTI_PREFIX = 1 << 4,
  SUDA_CAP_AWAY_NOTIFY  = 1 << 5,
} SudaCap;

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
  GString    *variants[5];
} SudaOutLine;

enum {
  SUDA_VARIANT_BARE,
  SUDA_VARIANT_TIME,
  SUDA_VARIANT_TAGS,
  SUDA_VARIANT_TIME_TAGS,
  SUDA_VARIANT_PLAIN,
};

struct _SudaSession
{
  GObject            parent_instance;

  SudaServer        *server;        /* not owned: the server outlives its sessions */
  GSocketConnection *connection;
  GSocket           *socket;
  GSource           *read_source;
  GSource           *write_source;
  SudaLineBuffer     in;

  char              *out;           /* pending output, from out_off to out_len */
  gsize              out_off;
  gsize              out_len;
  gsize              out_cap;
  GList              dirty_link;    /* in server->dirty while output waits */

  char              *nick;
  char              *user;
  char              *realname;
  char              *host;
  char              *mask;          /* nick!user@host */
  char              *pass;
  char              *away;
  GPtrArray         *channels;      /* SudaChannel*, not owned */
  GDateTime         *connected_at;
  gint64             last_active;   /* monotonic usec of the last line read */
  gint64             ping_sent;     /* monotonic usec, 0 when none pending */
  double             tokens;
  gint64             tokens_at;
  guint              throttle_id;
  guint              plain_flush_id;
  guint              caps;
  guint              id;

  guint              cap_negotiating : 1;
  guint              registered : 1;
  guint              plain : 1;
  guint              oper : 1;
  guint              invisible : 1;
  guint              closing : 2;   /* 1: flushing its last words, 2: dead */
  guint              greeted : 1;
  guint              sendq_exceeded : 1;  /* to be closed at the next flush */
};

struct _SudaServer
{
  GObject            parent_instance;

  SudaServerConfig  *config;
  GSocketService    *listener;
  guint16            port;
  char              *address;
  GDateTime         *started_at;
  char              *created_text;
  gboolean           running;

  GListStore        *sessions;
  GHashTable        *nicks;         /* nick (casefolded) → SudaSession */
  GHashTable        *channels;      /* name (casefolded) → SudaChannel */
  GHashTable        *histories;     /* name (casefolded) → SudaHistory */
  GQueue             dirty;         /* sessions with output to flush */
  guint              flush_id;
  gint64             flush_ended;   /* monotonic usec */
  gint64             flush_took;    /* usec the last flush took */
  guint              ping_id;
  guint              n_connections;
  guint              n_registered;
  guint              max_registered;
  guint              next_session_id;
  guint              next_batch_id;

  SudaServerLog     *log;
  SudaService       *service;
};

/* Sessions (suda-session.c) */
SudaSession *_suda_session_new             (SudaServer        *server,
                                            GSocketConnection *connection);
void         _suda_session_close           (SudaSession *self,
                                            const char  *reason);
void         _suda_session_send            (SudaSession *self,
                                            const char  *data,
                                            gsize        len);
void         _suda_session_sendf           (SudaSession *self,
                                            const char  *format,
                                            ...) G_GNUC_PRINTF (2, 3);
void         _suda_session_numeric         (SudaSession *self,
                                            const char  *numeric,
                                            const char  *format,
                                            ...) G_GNUC_PRINTF (3, 4);
void         _suda_session_send_out_line   (SudaSession *self,
                                            SudaOutLine *line);
gboolean     _suda_session_flush           (SudaSession *self);
void         _suda_session_set_nick        (SudaSession *self,
                                            const char  *nick);
void         _suda_session_notify_channels (SudaSession *self);
void         _suda_session_check_ping      (SudaSession *self,
                                            gint64       now);
const char  *_suda_session_target_name     (SudaSession *self);

/* The out-line cache (suda-session.c) */
void         _suda_out_line_clear          (SudaOutLine *line);

/* The server (suda-server.c) */
void         _suda_server_mark_dirty       (SudaServer  *self,
                                            SudaSession *session);
void         _suda_server_remove_session   (SudaServer  *self,
                                            SudaSession *session);
void         _suda_server_session_registered (SudaServer  *self,
                                            SudaSession *session);
SudaChannel *_suda_server_find_channel     (SudaServer  *self,
                                            const char  *name);
SudaChannel *_suda_server_ensure_channel   (SudaServer  *self,
                                            const char  *name);
void         _suda_server_drop_channel_if_empty (SudaServer  *self,
                                            SudaChannel *channel);
SudaHistory *_suda_server_get_history      (SudaServer  *self,
                                            const char  *channel);
void         _suda_server_log_event        (SudaServer  *self,
                                            const char  *event,
                                            const char  *channel,
                                            const char  *nick,
                                            const char  *text);
gboolean     _suda_server_nick_in_use      (SudaServer  *self,
                                            const char  *nick);
char        *_suda_server_next_batch_id    (SudaServer  *self);

/* Commands (suda-commands.c) */
void         _suda_commands_dispatch       (SudaSession *session,
                                            char        *line,
                                            gsize        len);
void         _suda_commands_quit           (SudaSession *session,
                                            const char  *reason);
void         _suda_commands_deliver_message(SudaSession *from,
                                            const char  *command,
                                            const char  *target,
                                            const char  *text,
                                            const char  *client_tags);
void         _suda_commands_join           (SudaSession *session,
                                            const char  *name,
                                            const char  *key);
void         _suda_commands_send_names     (SudaSession *session,
                                            SudaChannel *channel);
void         _suda_commands_kick           (SudaSession *by,
                                            const char  *by_mask,
                                            SudaChannel *channel,
                                            SudaSession *victim,
                                            const char  *reason);

/* The service user (suda-service.c) */
SudaService *_suda_service_new             (SudaServer  *server);
void         _suda_service_server_started  (SudaService *self);
void         _suda_service_server_stopping (SudaService *self);
gboolean     _suda_service_handle_message  (SudaService *self,
                                            SudaSession *from,
                                            const char  *channel,
                                            const char  *text);

G_END_DECLS
