/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-scheduler.h"

G_BEGIN_DECLS

/* SudaScheduler is split over suda-scheduler.c (the object, adding,
 * cancelling, the timer), suda-scheduler-state.c (the state file),
 * suda-scheduler-when.c (parsing WHEN) and suda-scheduled-message.c;
 * this header is what they share. */

struct _SudaScheduledMessage
{
  grefcount  ref_count;
  guint      id;
  char      *author;
  char      *channel;
  char      *text;
  GDateTime *due;       /* UTC */
  GDateTime *created;   /* UTC */
};

struct _SudaScheduler
{
  GObject         parent_instance;

  char           *state_path;
  guint           max_per_author;
  guint           max_total;
  guint           next_id;
  gboolean        loaded;
  int             state_fd;     /* the state file, locked, for appending */
  gboolean        locked_out;   /* another server holds the state file */
  guint           n_records;    /* appended since the last snapshot */

  /* Sorted by due time, then id: the head is what the timer waits for. */
  GPtrArray      *pending;
  guint           timer_id;

  SudaClockFunc   clock;
  gpointer        clock_data;
  GDestroyNotify  clock_destroy;
};

SudaScheduledMessage *_suda_scheduled_message_new     (guint          id,
                                                       const char    *author,
                                                       const char    *channel,
                                                       const char    *text,
                                                       GDateTime     *due,
                                                       GDateTime     *created);
/* Sorts by due time, then id: the order of SudaScheduler's pending list. */
int                   _suda_scheduled_message_compare (gconstpointer  a,
                                                       gconstpointer  b);

/* suda-scheduler-state.c: the state file is a snapshot line followed by
 * one record per change, appended; it is compacted into a new snapshot
 * now and then. */
void                  _suda_scheduler_record_added    (SudaScheduler        *self,
                                                       SudaScheduledMessage *message);
void                  _suda_scheduler_record_removed  (SudaScheduler *self,
                                                       GPtrArray     *messages);
void                  _suda_scheduler_close_state     (SudaScheduler *self);
/* suda-scheduler.c: posts (and drops) what is due by now. */
void                  _suda_scheduler_deliver_due     (SudaScheduler *self,
                                                       gboolean       late);

G_END_DECLS
