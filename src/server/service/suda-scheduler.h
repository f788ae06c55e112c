/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "suda-scheduled-message.h"

G_BEGIN_DECLS

/* The most messages one author may have waiting, as the seed room allowed. */
#define SUDA_SCHEDULER_DEFAULT_MAX_PER_AUTHOR 20
/* A ceiling on everything pending, so nick changes cannot grow it freely. */
#define SUDA_SCHEDULER_DEFAULT_MAX_TOTAL      1000
/* How far ahead a message may be scheduled. */
#define SUDA_SCHEDULER_MAX_DELAY_SECONDS      (7 * 24 * 3600)

#define SUDA_SCHEDULER_ERROR (suda_scheduler_error_quark ())

typedef enum {
  SUDA_SCHEDULER_ERROR_BAD_TIME,
  SUDA_SCHEDULER_ERROR_TOO_FAR,
  SUDA_SCHEDULER_ERROR_NO_TEXT,
  SUDA_SCHEDULER_ERROR_TOO_MANY,
  SUDA_SCHEDULER_ERROR_FULL,
  SUDA_SCHEDULER_ERROR_NOT_FOUND,
  SUDA_SCHEDULER_ERROR_NOT_PERMITTED,
  SUDA_SCHEDULER_ERROR_BAD_STATE,
  SUDA_SCHEDULER_ERROR_IN_USE,
} SudaSchedulerError;

/* Returns a new reference to the current time.  Tests install their own to
 * move time forward without waiting. */
typedef GDateTime *(*SudaClockFunc) (gpointer user_data);

#define SUDA_TYPE_SCHEDULER (suda_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (SudaScheduler, suda_scheduler, SUDA, SCHEDULER, GObject)

/* Signals:
 *   "due" (SudaScheduledMessage *message, gboolean late): the message's time
 *     has come; it has already left the pending list.  LATE is TRUE when the
 *     time passed while the scheduler was not running (found by _load()).
 * Properties: "state-path" (string, construct-only, NULL keeps nothing on
 *   disk), "max-per-author" (uint), "n-pending" (uint). */

GQuark                suda_scheduler_error_quark         (void);

GDateTime            *suda_schedule_parse_when           (const char           *spec,
                                                          GDateTime            *now,
                                                          GError              **error);

SudaScheduler        *suda_scheduler_new                 (const char           *state_path);
void                  suda_scheduler_set_clock           (SudaScheduler        *self,
                                                          SudaClockFunc         clock,
                                                          gpointer              user_data,
                                                          GDestroyNotify        destroy);
GDateTime            *suda_scheduler_dup_now             (SudaScheduler        *self);
guint                 suda_scheduler_get_max_per_author  (SudaScheduler        *self);
void                  suda_scheduler_set_max_per_author  (SudaScheduler        *self,
                                                          guint                 max_per_author);
guint                 suda_scheduler_get_n_pending       (SudaScheduler        *self);

gboolean              suda_scheduler_load                (SudaScheduler        *self,
                                                          GError              **error);
SudaScheduledMessage *suda_scheduler_add                 (SudaScheduler        *self,
                                                          const char           *author,
                                                          const char           *channel,
                                                          GDateTime            *due,
                                                          const char           *text,
                                                          GError              **error);
GPtrArray            *suda_scheduler_list                (SudaScheduler        *self,
                                                          const char           *author);
SudaScheduledMessage *suda_scheduler_lookup              (SudaScheduler        *self,
                                                          guint                 id);
SudaScheduledMessage *suda_scheduler_cancel              (SudaScheduler        *self,
                                                          guint                 id,
                                                          const char           *requester,
                                                          gboolean              requester_is_operator,
                                                          GError              **error);
void                  suda_scheduler_check_due           (SudaScheduler        *self);
GDateTime            *suda_scheduler_get_next_due        (SudaScheduler        *self);

G_END_DECLS
