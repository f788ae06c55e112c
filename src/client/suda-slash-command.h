/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SUDA_SLASH_TEXT,      /* not a command: text to send as it is */
  SUDA_SLASH_NICK,
  SUDA_SLASH_USERS,
  SUDA_SLASH_WHISPER,
  SUDA_SLASH_KICK,
  SUDA_SLASH_SCHEDULE,
  SUDA_SLASH_SEARCH,
  SUDA_SLASH_ME,
  SUDA_SLASH_TOPIC,
  SUDA_SLASH_JOIN,
  SUDA_SLASH_PART,
  SUDA_SLASH_HELP,
  SUDA_SLASH_QUIT,
  SUDA_SLASH_AWAY,
  SUDA_SLASH_BACK,
  SUDA_SLASH_WHOIS,
  SUDA_SLASH_QUERY,
  SUDA_SLASH_MODE,
  SUDA_SLASH_OP,
  SUDA_SLASH_DEOP,
  SUDA_SLASH_VOICE,
  SUDA_SLASH_BAN,
  SUDA_SLASH_UNBAN,
  SUDA_SLASH_INVITE,
  SUDA_SLASH_LIST,
  SUDA_SLASH_QUOTE,
  SUDA_SLASH_IGNORE,
  SUDA_SLASH_SUMMARY,
  SUDA_SLASH_QUIZ,
  SUDA_SLASH_ANSWER,
  SUDA_SLASH_UNKNOWN,   /* no such command */
  SUDA_SLASH_MISUSE,    /* a known command with wrong arguments */
} SudaSlashKind;

/* The result of parsing one line typed into the entry.  For a command,
 * args[] holds its arguments in the order of the usage line; an optional
 * argument that was left out is NULL. */
typedef struct {
  SudaSlashKind  kind;
  SudaSlashKind  command;    /* for SUDA_SLASH_MISUSE: the command misused */
  char          *name;       /* the command word as typed, without '/' */
  char          *args[2];
  char          *text;       /* SUDA_SLASH_TEXT: the text to send */
} SudaSlashCommand;

SudaSlashCommand   *suda_slash_command_parse       (const char       *input);
void                suda_slash_command_free        (SudaSlashCommand *self);
const char         *suda_slash_command_get_usage   (SudaSlashKind     kind);
const char         *suda_slash_command_get_summary (SudaSlashKind     kind);
const char * const *suda_slash_command_get_aliases (SudaSlashKind     kind);
char               *suda_slash_command_dup_help    (void);
gboolean            suda_slash_parse_schedule_time (const char       *spec);

/* What a command does, run by the client (suda-client-commands.c). */
typedef struct _SudaClient       SudaClient;
typedef struct _SudaConversation SudaConversation;
typedef void (*SudaSlashHandler) (SudaClient             *client,
                                  SudaConversation       *conversation,
                                  const SudaSlashCommand *cmd);

SudaSlashHandler    suda_slash_command_get_handler (SudaSlashKind     kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaSlashCommand, suda_slash_command_free)

G_END_DECLS
