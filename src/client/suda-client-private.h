/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-client.h"
#include "suda-slash-command.h"
#include "suda-transcript.h"

G_BEGIN_DECLS

struct _SudaClient
{
  GObject           parent_instance;

  /* Owned */
  SudaConnection   *connection;
  GListStore       *conversations;
  SudaConversation *server;
  SudaTranscript   *transcript;
  char             *transcript_host;  /* whose network the transcript is */
  guint16           transcript_port;
  GHashTable       *names_wanted;    /* rooms whose NAMES reply /users prints */
  GHashTable       *ignored;         /* casefolded nicks whose lines are hidden */
  GString          *whois;           /* the WHOIS reply being gathered, or NULL */
  GString          *room_list;       /* the LIST reply being gathered, or NULL */
  GListStore       *rooms;           /* SudaListedRoom: the room browser's LIST */
  GPtrArray        *rooms_pending;   /* listed rooms not yet in ROOMS */
  guint             rooms_flush_id;
  char             *open_on_join;    /* casefolded room the person asked to join */
  char             *autojoin;
  char             *network;         /* ISUPPORT NETWORK of the rooms kept, or NULL */
  char             *transcript_dir;

  /* Borrowed */
  SudaConversation *active;          /* owned by the list */

  gboolean          window_active;
  gboolean          keep_transcripts;
  gboolean          listing_rooms;   /* a LIST for the room browser is coming */
};

/* suda-client.c: the conversations and what goes into them */
SudaConversation *_suda_client_ensure_conversation (SudaClient           *self,
                                                    SudaConversationKind  kind,
                                                    const char           *name);
SudaConversation *_suda_client_current_or_server   (SudaClient           *self);
const char       *_suda_client_log_event_for       (SudaMessageKind       kind);
void              _suda_client_write_transcript    (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    SudaMessage          *message,
                                                    const char           *event);
SudaMessage      *_suda_client_add_message         (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    SudaMessageKind       kind,
                                                    gint64                time,
                                                    const char           *sender,
                                                    const char           *text,
                                                    const char           *event);
SudaMessage      *_suda_client_new_event_line      (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    SudaIrcEvent         *event,
                                                    const char           *log_event,
                                                    const char           *text);
void              _suda_client_add_event_line      (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    SudaIrcEvent         *event,
                                                    const char           *log_event,
                                                    const char           *text);
void              _suda_client_emit_opened         (SudaClient           *self,
                                                    SudaConversation     *conv);
void              _suda_client_emit_attention      (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    SudaMessage          *message);
void              _suda_client_emit_mentioned_elsewhere (SudaClient   *self,
                                                    SudaConversation     *conv,
                                                    SudaMessage          *message);
void              _suda_client_on_network_changed  (SudaConnection       *connection,
                                                    GParamSpec           *pspec,
                                                    gpointer              user_data);

/* suda-client-events.c: what the connection tells */
void              _suda_client_on_event            (SudaConnection       *connection,
                                                    SudaIrcEvent         *event,
                                                    gpointer              user_data);
void              _suda_client_on_error            (SudaConnection       *connection,
                                                    const GError         *error,
                                                    gpointer              user_data);
void              _suda_client_on_state_changed    (SudaConnection       *connection,
                                                    GParamSpec           *pspec,
                                                    gpointer              user_data);

/* suda-client-history.c: older pages (draft/chathistory) and the read
 * position (draft/read-marker) */
gboolean          _suda_client_is_older_line       (SudaConversation     *conv,
                                                    SudaIrcEvent         *event);
void              _suda_client_history_started     (SudaClient           *self,
                                                    SudaIrcEvent         *event);
void              _suda_client_history_ended       (SudaClient           *self,
                                                    SudaIrcEvent         *event);
void              _suda_client_read_marker         (SudaClient           *self,
                                                    SudaIrcEvent         *event);

/* suda-client-commands.c: what the person types; the handlers are the
 * last column of suda-slash-command.c's table */
void              _suda_client_run_command         (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    SudaSlashCommand     *cmd);
void              _suda_client_command_nick        (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_users       (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_whisper     (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_kick        (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_schedule    (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_search      (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
/* /summary and /quiz: "!summary ARGS" and "!quiz ARGS" in the room. */
void              _suda_client_command_service     (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_answer      (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_me          (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_topic       (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_join        (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_part        (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_help        (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_quit        (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);

/* suda-client-commands-irc.c: the IRC power-user commands, and the
 * replies (WHOIS, LIST) they gather into one readable block */
void              _suda_client_command_away         (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_back         (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_whois        (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_query        (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_mode         (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_op           (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_ban          (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_invite       (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_list         (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_quote        (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
void              _suda_client_command_ignore       (SudaClient           *self,
                                                    SudaConversation     *conv,
                                                    const SudaSlashCommand *cmd);
gboolean          _suda_client_is_ignored          (SudaClient           *self,
                                                    const char           *nick);
gboolean          _suda_client_take_reply          (SudaClient           *self,
                                                    SudaIrcEvent         *event);

G_END_DECLS
