/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SudaClient SudaClient;

typedef enum {
  SUDA_MEMBER_VOICE = 1 << 0,
  SUDA_MEMBER_OP    = 1 << 1,
} SudaMemberFlags;

typedef enum {
  SUDA_CHANNEL_INVITE_ONLY = 1 << 0,
  SUDA_CHANNEL_MODERATED   = 1 << 1,
  SUDA_CHANNEL_NO_EXTERNAL = 1 << 2,
  SUDA_CHANNEL_TOPIC_LOCK  = 1 << 3,
  SUDA_CHANNEL_SECRET      = 1 << 4,   /* +s: hidden from LIST, NAMES, WHO, WHOIS */
  SUDA_CHANNEL_PRIVATE     = 1 << 5,   /* +p: LIST shows it "Prv", WHOIS hides it */
} SudaChannelModes;

typedef struct {
  SudaClient  *client;
  guint        flags;
} SudaMember;

/* One room.  Members are an array, not a hash table: a broadcast walks
 * them in order, and that walk is the server's hottest loop. */
typedef struct {
  char       *name;
  char       *topic;
  char       *topic_setter;
  gint64      topic_time;     /* unix seconds */
  gint64      created;        /* unix seconds */
  gint64      made;           /* [cluster] unix usec: its first member here joined */
  GArray     *members;        /* SudaMember */
  guint       modes;
  char       *key;
  guint       limit;
  GHashTable *invited;        /* casefolded nicks */
  GPtrArray  *bans;           /* casefolded nick!user@host globs */
  GPtrArray  *excepts;        /* +e: masks a ban does not keep out */
  GPtrArray  *invex;          /* +I: masks +i lets in */
} SudaChannel;

/* One room's recent messages, replayed on JOIN. */
typedef struct {
  gint64  time;               /* unix usec */
  char   *source;
  char   *command;
  char   *text;
  char   *msgid;              /* or NULL (an older log's line) */
  char   *target;             /* an event's middle parameters ("#room nick" of a KICK) */
  gboolean event;             /* JOIN, PART, QUIT, NICK, KICK, TOPIC or MODE */
} SudaHistoryItem;

typedef struct {
  GQueue  items;              /* messages */
  GQueue  events;             /* the rest, for draft/event-playback; as many at most */
  guint   max;
  guint64 used;               /* the registry's clock at its last use (LRU) */
} SudaHistory;

SudaChannel *suda_channel_new           (const char  *name);
void         suda_channel_free          (SudaChannel *self);
SudaMember  *suda_channel_find_member   (SudaChannel *self,
                                         SudaClient  *client);
gboolean     suda_channel_has_member    (SudaChannel *self,
                                         SudaClient  *client);
gboolean     suda_channel_is_op         (SudaChannel *self,
                                         SudaClient  *client);
SudaMember  *suda_channel_add_member    (SudaChannel *self,
                                         SudaClient  *client,
                                         guint        flags);
void         suda_channel_remove_member (SudaChannel *self,
                                         SudaClient  *client);
char        *suda_channel_dup_modes     (SudaChannel *self,
                                         gboolean     with_key);
/* The setters return TRUE when something changed. */
void         suda_channel_set_topic     (SudaChannel *self,
                                         const char  *topic,
                                         const char  *setter);
gboolean     suda_channel_set_flag      (SudaChannel *self,
                                         guint        flag,
                                         gboolean     on);
gboolean     suda_channel_set_key       (SudaChannel *self,
                                         const char  *key);
gboolean     suda_channel_set_limit     (SudaChannel *self,
                                         guint        limit);
gboolean     suda_channel_set_member_flag (SudaChannel *self,
                                         SudaClient  *client,
                                         guint        flag,
                                         gboolean     on);
gboolean     suda_channel_set_ban       (SudaChannel *self,
                                         const char  *mask,
                                         gboolean     on);
gboolean     suda_channel_has_ban       (SudaChannel *self,
                                         const char  *mask);
guint        suda_channel_get_n_bans    (SudaChannel *self);
/* The same for any of the room's mask lists (&self->bans, &self->excepts,
 * &self->invex): TRUE when something changed. */
gboolean     suda_channel_set_mask      (GPtrArray  **list,
                                         const char  *mask,
                                         gboolean     on);
gboolean     suda_channel_list_matches  (GPtrArray   *list,
                                         const char  *folded_mask);
void         suda_channel_invite        (SudaChannel *self,
                                         const char  *nick);
gboolean     suda_channel_take_invitation (SudaChannel *self,
                                         const char  *nick);
gboolean     suda_channel_is_invited    (SudaChannel *self,
                                         const char  *nick);

SudaHistory *suda_history_new           (guint        max);
void         suda_history_free          (SudaHistory *self);
SudaHistoryItem *suda_history_add       (SudaHistory *self,
                                         gint64       time,
                                         const char  *source,
                                         const char  *command,
                                         const char  *text,
                                         const char  *msgid);
/* IRCv3 chathistory's references: a message's place by its id (-1 when it
 * is no longer kept), or how many kept messages came before a time. */
void         suda_history_add_event     (SudaHistory *self,
                                         gint64       time,
                                         const char  *source,
                                         const char  *command,
                                         const char  *target,
                                         const char  *text);
GPtrArray   *suda_history_dup_view      (SudaHistory *self,
                                         gboolean     with_events);
int          suda_history_find_msgid    (SudaHistory *self,
                                         const char  *msgid);
guint        suda_history_count_before  (SudaHistory *self,
                                         gint64       time,
                                         gboolean     inclusive);
/* draft/message-redaction: a redacted message leaves the history. */
gboolean     suda_history_remove_msgid  (SudaHistory *self,
                                         const char  *msgid);

G_END_DECLS
