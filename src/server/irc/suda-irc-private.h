/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The IRC handler: one dispatch table (suda-irc.c), one numerics table
 * (suda-irc-reply.c), and the commands by concern, one file each. */
#pragma once

#include "suda-irc-message.h"
#include "suda-server-private.h"

G_BEGIN_DECLS

/* a labelled command answered in parts (suda-irc-label.c) */
typedef struct _SudaIrcLabelWait SudaIrcLabelWait;

#define SUDA_IRC_NICKLEN    30
#define SUDA_IRC_CHANNELLEN 50
#define SUDA_IRC_TOPICLEN   390
#define SUDA_IRC_KICKLEN    390
#define SUDA_IRC_AWAYLEN    200
#define SUDA_IRC_MAX_LIST   100   /* masks in each of +b +e +I */
/* IRCv3 message-tags: the client's share of the tags, without the '@' and the space. */
#define SUDA_IRC_MAX_CLIENT_TAGS 4094
/* draft/chathistory: the most messages one CHATHISTORY returns (ISUPPORT). */
#define SUDA_IRC_CHATHISTORY_MAX 100
/* How many of a room's messages CHATHISTORY reads back from the log at most. */
#define SUDA_IRC_HISTORY_LOG_LINES 10000
/* draft/multiline's limits (its CAP LS value). */
#define SUDA_IRC_MULTILINE_MAX_BYTES 4096
#define SUDA_IRC_MULTILINE_MAX_LINES 24
#define SUDA_IRC_MULTILINE_VALUE     "max-bytes=4096,max-lines=24"
/* IRCv3 sasl: the mechanisms (CAP LS value and 908). */
#define SUDA_IRC_SASL_MECHANISMS "PLAIN,EXTERNAL"
/* MONITOR: the most nicks on one client's list (ISUPPORT). */
#define SUDA_IRC_MONITOR_MAX 100

/* Every numeric the server sends with a text of its own; the text is in
 * the table in suda-irc-reply.c. */
typedef enum {
  SUDA_RPL_UNAWAY,
  SUDA_RPL_NOWAWAY,
  SUDA_RPL_ENDOFWHO,
  SUDA_RPL_ENDOFWHOIS,
  SUDA_RPL_LISTEND,
  SUDA_RPL_NOTOPIC,
  SUDA_RPL_ENDOFNAMES,
  SUDA_RPL_ENDOFBANLIST,
  SUDA_RPL_ENDOFMOTD,
  SUDA_RPL_YOUREOPER,
  SUDA_ERR_NOSUCHNICK,
  SUDA_ERR_NOSUCHCHANNEL,
  SUDA_ERR_CANNOTSENDTOCHAN,
  SUDA_ERR_TOOMANYCHANNELS,
  SUDA_ERR_TOOMANYTARGETS,
  SUDA_ERR_INVALIDCAPCMD,
  SUDA_ERR_NORECIPIENT,
  SUDA_ERR_NOTEXTTOSEND,
  SUDA_ERR_INPUTTOOLONG,
  SUDA_ERR_UNKNOWNCOMMAND,
  SUDA_ERR_MALFORMED,
  SUDA_ERR_NOMOTD,
  SUDA_ERR_NONICKNAMEGIVEN,
  SUDA_ERR_ERRONEUSNICKNAME,
  SUDA_ERR_NICKNAMEINUSE,
  SUDA_ERR_BANONCHAN,
  SUDA_ERR_USERNOTINCHANNEL,
  SUDA_ERR_NOTONCHANNEL,
  SUDA_ERR_USERONCHANNEL,
  SUDA_ERR_NOTREGISTERED,
  SUDA_ERR_NEEDMOREPARAMS,
  SUDA_ERR_ALREADYREGISTERED,
  SUDA_ERR_PASSWDMISMATCH,
  SUDA_ERR_CHANNELISFULL,
  SUDA_ERR_UNKNOWNMODE,
  SUDA_ERR_INVITEONLYCHAN,
  SUDA_ERR_BANNEDFROMCHAN,
  SUDA_ERR_BADCHANNELKEY,
  SUDA_ERR_BANLISTFULL,
  SUDA_ERR_NOPRIVILEGES,
  SUDA_ERR_CHANOPRIVSNEEDED,
  SUDA_ERR_UMODEUNKNOWNFLAG,
  SUDA_ERR_USERSDONTMATCH,
  SUDA_ERR_INVALIDKEY,
  SUDA_ERR_INVALIDMODEPARAM,
  SUDA_RPL_ENDOFSTATS,
  SUDA_RPL_ENDOFLINKS,
  SUDA_RPL_ENDOFINVITELIST,
  SUDA_RPL_ENDOFINVEXLIST,
  SUDA_RPL_ENDOFEXCEPTLIST,
  SUDA_RPL_ENDOFWHOWAS,
  SUDA_RPL_ENDOFINFO,
  SUDA_RPL_REHASHING,
  SUDA_ERR_NOSUCHSERVER,
  SUDA_ERR_WASNOSUCHNICK,
  SUDA_ERR_HELPNOTFOUND,
  SUDA_RPL_ENDOFHELP,
  SUDA_RPL_KNOCKDLVR,
  SUDA_ERR_TOOMANYKNOCK,
  SUDA_ERR_CHANOPEN,
  SUDA_ERR_KNOCKONCHAN,
  SUDA_N_NUMERICS
} SudaNumeric;

typedef void (*SudaIrcCommandFunc) (SudaClient *client, SudaIrcMessage *msg);

/* What the IRC handler keeps for a whole server (SudaCore.irc): the nicks
 * that were (WHOWAS), and how often each command came (STATS m). */
typedef struct {
  char   *nick;
  char   *user;
  char   *host;
  char   *realname;
  gint64  time;       /* unix seconds it was left */
} SudaIrcWhowas;

struct _SudaIrcState
{
  GQueue  whowas;     /* SudaIrcWhowas*, newest first */
  guint  *counts;     /* per row of the dispatch table */
  guint64 *bytes;     /* per row: bytes of the lines that ran it */
};

/* The handler (suda-irc.c) */
extern const SudaProtocol _suda_irc_protocol;
void        _suda_irc_accept            (SudaClient         *client,
                                         const SudaProtocol *fallback);
SudaIrcState *_suda_irc_state_new       (void);
void        _suda_irc_state_free        (SudaIrcState       *state);
/* The dispatch table's rows, for HELP and STATS m: NULL past the last. */
const char *_suda_irc_command_name      (guint               index,
                                         guint              *min_params);
void        _suda_irc_remember_nick     (SudaClient         *client);

/* Replies (suda-irc-reply.c) */
const char *_suda_irc_text              (SudaNumeric  numeric);
void        _suda_irc_reply             (SudaClient  *client,
                                         SudaNumeric  numeric,
                                         ...) G_GNUC_NULL_TERMINATED;
void        _suda_irc_replyf            (SudaClient  *client,
                                         const char  *number,
                                         const char  *format,
                                         ...) G_GNUC_PRINTF (3, 4);
void        _suda_irc_fail              (SudaClient  *client,
                                         const char  *command,
                                         const char  *code,
                                         const char  *text);
void        _suda_irc_sendf             (SudaClient  *client,
                                         const char  *format,
                                         ...) G_GNUC_PRINTF (2, 3);
void        _suda_irc_send_line         (SudaClient  *client,
                                         const char  *source,
                                         const char  *command,
                                         const char  *target,
                                         const char  *text);
void        _suda_irc_fit               (GString     *line);
const char *_suda_irc_server_name       (SudaClient  *client);

/* Registration and CAP (suda-irc-registration.c) */
void        _suda_irc_try_register      (SudaClient  *client);
void        _suda_irc_change_nick       (SudaClient  *client,
                                         const char  *nick);
void        _suda_irc_welcome           (SudaClient  *client);
void        _suda_irc_send_isupport     (SudaClient  *client);
void        _suda_irc_send_lusers       (SudaClient  *client);
void        _suda_irc_send_motd         (SudaClient  *client);
GPtrArray  *_suda_irc_split_caps        (const char  *list,
                                         gsize        budget);
void        _suda_irc_cmd_cap           (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_pass          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_nick          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_user          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_ping          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_pong          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_quit          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_setname       (SudaClient *c, SudaIrcMessage *m);

/* Channels (suda-irc-channel.c) */
void        _suda_irc_join              (SudaClient       *client,
                                         const char       *name,
                                         const char       *key,
                                         SudaIrcLabelWait *wait);
void        _suda_irc_joined            (SudaClient  *client,
                                         SudaChannel *channel);
SudaChannel *_suda_irc_channel_for_op   (SudaClient  *client,
                                         const char  *name,
                                         gboolean     need_op);
gboolean    _suda_irc_may_see           (SudaClient  *client,
                                         SudaChannel *channel);
gboolean    _suda_irc_is_banned         (SudaChannel *channel,
                                         SudaClient  *client);
char       *_suda_irc_dup_action        (const char  *text);
void        _suda_irc_append_prefixes   (GString     *out,
                                         guint        flags,
                                         SudaClient  *viewer);
void        _suda_irc_cmd_join          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_part          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_kick          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_topic         (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_names         (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_invite        (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_knock         (SudaClient *c, SudaIrcMessage *m);
gboolean    _suda_irc_is_muted          (SudaChannel *channel,
                                         SudaClient  *client);

/* LIST with the ELIST filters (suda-irc-list.c) */
void        _suda_irc_cmd_list          (SudaClient *c, SudaIrcMessage *m);

/* Modes (suda-irc-mode.c) */
void        _suda_irc_cmd_mode          (SudaClient *c, SudaIrcMessage *m);

/* Messages (suda-irc-messaging.c) */
void        _suda_irc_deliver_message   (SudaClient  *client,
                                         const char  *command,
                                         const char  *target,
                                         const char  *text,
                                         const char  *client_tags);
void        _suda_irc_cmd_privmsg       (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_notice        (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_tagmsg        (SudaClient *c, SudaIrcMessage *m);
gboolean    _suda_irc_may_send          (SudaClient  *client,
                                         SudaChannel *channel);

/* draft/multiline (suda-irc-multiline.c) */
void        _suda_irc_cmd_batch         (SudaClient *c, SudaIrcMessage *m);
gboolean    _suda_irc_multiline_take    (SudaClient     *client,
                                         SudaIrcMessage *m);
void        _suda_irc_multiline_free    (SudaIrcMultiline *self);

/* Queries (suda-irc-queries.c) */
void        _suda_irc_cmd_away          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_who           (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_whois         (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_lusers        (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_motd          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_version       (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_time          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_userhost      (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_ison          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_whowas        (SudaClient *c, SudaIrcMessage *m);

/* About the server: INFO, LINKS, ADMIN, STATS, HELP (suda-irc-info.c) */
void        _suda_irc_cmd_info          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_links         (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_admin         (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_stats         (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_help          (SudaClient *c, SudaIrcMessage *m);

/* labeled-response (suda-irc-label.c) */
char       *_suda_irc_label_begin       (SudaClient     *client,
                                         SudaIrcMessage *m);
void        _suda_irc_label_end         (SudaClient     *client,
                                         const char     *label);
void        _suda_irc_label_drop        (SudaClient  *client);
/* A labelled command answered partly now and partly later (a JOIN of
 * rooms that wait for their state, CHATHISTORY reading the log): one wait
 * for the command, one part for each late answer; the whole answer goes
 * out labelled after the last part. */
SudaIrcLabelWait *_suda_irc_label_wait_new        (SudaClient       *client);
SudaIrcLabelWait *_suda_irc_label_wait_add_part   (SudaIrcLabelWait *wait);
void              _suda_irc_label_wait_drop_part  (SudaIrcLabelWait *wait);
void              _suda_irc_label_wait_unref      (gpointer          wait);
void              _suda_irc_label_wait_defer      (SudaIrcLabelWait *wait,
                                                   SudaClient       *client);
void              _suda_irc_label_wait_part_begin (SudaIrcLabelWait *wait,
                                                   SudaClient       *client);
void              _suda_irc_label_wait_part_end   (SudaIrcLabelWait *wait,
                                                   SudaClient       *client);

/* Notifications IRCv3 caps ask for (suda-irc-notify.c) */
void        _suda_irc_notify_invite     (SudaClient  *inviter,
                                         SudaClient  *target,
                                         SudaChannel *channel);
void        _suda_irc_announce_realname (SudaClient  *client);
void        _suda_irc_append_names_entry (GString    *out,
                                         SudaClient  *viewer,
                                         SudaClient  *member);

/* History (suda-irc-history.c) */
void        _suda_irc_cmd_chathistory   (SudaClient *c, SudaIrcMessage *m);

/* draft/read-marker (suda-irc-read-marker.c) */
void        _suda_irc_cmd_markread      (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_send_read_marker  (SudaClient  *client,
                                         SudaChannel *channel);

/* REDACT (suda-irc-redact.c) */
void        _suda_irc_cmd_redact        (SudaClient *c, SudaIrcMessage *m);

/* MONITOR (suda-irc-monitor.c) */
void        _suda_irc_cmd_monitor       (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_monitor_presence  (SudaRegistry *registry,
                                         SudaClient   *client,
                                         const char   *nick,
                                         gboolean      online);

/* Operators (suda-irc-operator.c) */
void        _suda_irc_cmd_oper          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_kill          (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_wallops       (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_rehash        (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_become_oper       (SudaClient  *client,
                                         const char  *name);

/* SASL: AUTHENTICATE (suda-irc-sasl.c) */
void        _suda_irc_cmd_authenticate  (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_sasl_abort        (SudaClient  *client);
void        _suda_irc_sasl_free         (SudaIrcSasl *sasl);

/* Accounts: login, REGISTER, CERTFP, nick protection (suda-irc-account.c) */
void        _suda_irc_cmd_register      (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_cmd_certfp        (SudaClient *c, SudaIrcMessage *m);
void        _suda_irc_account_login     (SudaClient  *client,
                                         const char  *account);
void        _suda_irc_account_welcomed  (SudaClient  *client);
void        _suda_irc_account_check_nick (SudaClient *client);
gboolean    _suda_irc_account_reclaim   (SudaClient  *client,
                                         const char  *nick);
void        _suda_irc_account_closed    (SudaClient  *client);

/* Files: FILEHOST TOKEN and the soju.im/FILEHOST URL (suda-irc-files.c) */
void        _suda_irc_cmd_filehost      (SudaClient *c, SudaIrcMessage *m);
char       *_suda_irc_files_dup_url     (SudaClient  *client);
/* The SHA-256 fingerprint of the client's TLS certificate, or NULL. */
const char *_suda_irc_client_certfp     (SudaClient  *client);

G_END_DECLS
