/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "suda-log-reader.h"

G_BEGIN_DECLS

#define SUDA_TYPE_LOG_ENTRY (suda_log_entry_get_type ())

G_DECLARE_FINAL_TYPE (SudaLogEntry, suda_log_entry, SUDA, LOG_ENTRY, GObject)

/* One event of a Suda JSON Lines log: the server's log and the client's
 * transcripts use the same format (see DESIGN.md, "On-disk log"). */
SudaLogEntry *suda_log_entry_new           (gint64        unix_usec,
                                            const char   *event,
                                            const char   *channel,
                                            const char   *nick,
                                            const char   *text);
SudaLogEntry *suda_log_entry_new_from_line (const char   *line,
                                            gssize        len,
                                            GError      **error);
gint64        suda_log_entry_get_time      (SudaLogEntry *self);
const char   *suda_log_entry_get_event     (SudaLogEntry *self);
const char   *suda_log_entry_get_channel   (SudaLogEntry *self);
const char   *suda_log_entry_get_nick      (SudaLogEntry *self);
const char   *suda_log_entry_get_text      (SudaLogEntry *self);
void          suda_log_entry_set_field     (SudaLogEntry *self,
                                            const char   *name,
                                            const char   *value);
void          suda_log_entry_set_int_field (SudaLogEntry *self,
                                            const char   *name,
                                            gint64        value);
void          suda_log_entry_set_bool_field(SudaLogEntry *self,
                                            const char   *name,
                                            gboolean      value);
const char   *suda_log_entry_get_field     (SudaLogEntry *self,
                                            const char   *name);
JsonObject   *suda_log_entry_get_extra     (SudaLogEntry *self);
char         *suda_log_entry_to_line       (SudaLogEntry *self);
char         *suda_log_format_time         (gint64        unix_usec);

G_END_DECLS
