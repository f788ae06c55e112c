/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-server-private.h"
#include "suda-service.h"

G_BEGIN_DECLS

struct _SudaService
{
  GObject     parent_instance;

  SudaServer *server;       /* not owned: the server owns the service */
  char       *nick;
  char       *mask;         /* nick!nick@server-name */

  GObject    *assistant;    /* SudaAssistant, made on first use (suda-service-search.c) */
  GObject    *scheduler;    /* SudaScheduler (suda-service-schedule.c) */
};

/* Features of the service user, one file each.  CHANNEL is the room the
 * command was said in, or NULL for a private message to the service user;
 * ARGS is the text after the command word, stripped. */
void  _suda_service_search             (SudaService *self,
                                        SudaSession *asker,
                                        const char  *channel,
                                        const char  *args);
void  _suda_service_schedule           (SudaService *self,
                                        SudaSession *asker,
                                        const char  *channel,
                                        const char  *args);
/* Called when the server starts listening and when it stops (load state,
 * post what fell due while the server was down; save and cancel timers). */
void  _suda_service_schedule_start     (SudaService *self);
void  _suda_service_schedule_stop      (SudaService *self);

/* Queries for the features. */
gboolean _suda_service_session_in_channel (SudaService *self,
                                           SudaSession *session,
                                           const char  *channel);
gboolean _suda_service_session_is_op      (SudaService *self,
                                           SudaSession *session,
                                           const char  *channel);

G_END_DECLS
