/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The service user sits on top of delivery, like any other user of it:
 * what it says is logged, kept and fanned out there. */
#pragma once

#include "suda-assistant.h"
#include "suda-scheduler.h"
#include "suda-server-private.h"
#include "suda-service.h"

G_BEGIN_DECLS

struct _SudaService
{
  GObject        parent_instance;

  SudaCore      *core;              /* borrowed: the server's, which owns the service */
  char          *nick;
  char          *mask;              /* nick!nick@server-name */

  SudaAssistant *assistant;         /* made on first use (suda-service-search.c) */
  GCancellable  *searches;          /* cancels pending searches when the service goes */
  SudaScheduler *scheduler;         /* suda-service-schedule.c */
  GHashTable    *quizzes;           /* casefolded room → Quiz (suda-service-quiz.c) */
};

/* One question to the AI whose answer is posted and logged as a search's
 * is (suda-service-search.c). */
typedef struct {
  const char          *command;    /* the log's: "search", "summary" */
  const char          *channel;    /* where it was asked, or NULL: in private */
  const char          *reply_to;   /* the room the answer goes to, or NULL: the asker */
  const char          *query;      /* the question, as the log keeps it */
  const char          *question;   /* what the AI is asked, or NULL: QUERY */
  const char          *lead;       /* put before the answer, or NULL */
  SudaAssistantPrompt  prompt;
} SudaServiceAsk;

SudaService   *_suda_service_new             (SudaCore    *core);
void           _suda_service_server_started  (SudaService *self);
void           _suda_service_server_stopping (SudaService *self);
/* "!word args" in CHANNEL, or "word args" in a private message (CHANNEL
 * NULL).  FALSE when it was not a word for the service. */
gboolean       _suda_service_handle_message  (SudaService *self,
                                              SudaClient  *from,
                                              const char  *channel,
                                              const char  *text);
/* Posts TEXT from the service user to a room (logged as a message, kept
 * in its history) or a nick, split into lines that fit the IRC limit. */
void           _suda_service_say             (SudaService *self,
                                              const char  *target,
                                              const char  *text);
/* A private NOTICE from the service user to one client. */
void           _suda_service_notice          (SudaService *self,
                                              SudaClient  *to,
                                              const char  *text);

/* Features of the service user, one file each.  CHANNEL is the room the
 * command was said in, or NULL for a private message to the service user;
 * ARGS is the text after the command word, stripped. */
void           _suda_service_search          (SudaService *self,
                                              SudaClient  *asker,
                                              const char  *channel,
                                              const char  *args);
void           _suda_service_summary         (SudaService *self,
                                              SudaClient  *asker,
                                              const char  *channel,
                                              const char  *args);
void           _suda_service_quiz            (SudaService *self,
                                              SudaClient  *asker,
                                              const char  *channel,
                                              const char  *args);
void           _suda_service_quiz_answer     (SudaService *self,
                                              SudaClient  *asker,
                                              const char  *channel,
                                              const char  *args);
/* Ends every quiz without posting results (the server stops). */
void           _suda_service_quiz_stop       (SudaService *self);
void           _suda_service_schedule        (SudaService *self,
                                              SudaClient  *asker,
                                              const char  *channel,
                                              const char  *args);
/* Called when the server starts listening and when it stops (load state,
 * post what fell due while the server was down; save and cancel timers). */
void           _suda_service_schedule_start  (SudaService *self);
void           _suda_service_schedule_stop   (SudaService *self);

gboolean       _suda_service_client_in_channel (SudaService *self,
                                              SudaClient  *client,
                                              const char  *channel);
gboolean       _suda_service_client_is_op    (SudaService *self,
                                              SudaClient  *client,
                                              const char  *channel);

/* The shared path of the AI commands (suda-service-search.c). */
SudaAssistant *_suda_service_ensure_assistant (SudaService *self);
void           _suda_service_ask             (SudaService          *self,
                                              SudaClient           *asker,
                                              const SudaServiceAsk *args);
/* An "error" log entry; SOURCE names the command ("search", "quiz"). */
void           _suda_service_log_error       (SudaService *self,
                                              const char  *source,
                                              const char  *channel,
                                              const char  *nick,
                                              const char  *message,
                                              const char  *code,
                                              const char  *detail);
/* The room's last MAX messages and actions of people (not the service's,
 * not commands to it) as "[HH:MM] nick: text" lines, oldest first, or NULL
 * when there is none; N_LINES gets how many, LAST_ID the newest one's msgid
 * (or its time).  suda-service-summary.c */
char          *_suda_service_dup_room_lines  (SudaService *self,
                                              const char  *channel,
                                              guint        max,
                                              guint       *n_lines,
                                              char       **last_id);

/* For tests. */
SudaAssistant *_suda_service_get_assistant   (SudaService *self);
SudaScheduler *_suda_service_get_scheduler   (SudaService *self);
/* Ends CHANNEL's quiz now, as its deadline would; FALSE if none runs. */
gboolean       _suda_service_quiz_expire     (SudaService *self,
                                              const char  *channel);

G_END_DECLS
