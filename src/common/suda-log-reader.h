/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  SUDA_LOG_VALUE_NONE,     /* the member is absent */
  SUDA_LOG_VALUE_STRING,
  SUDA_LOG_VALUE_NUMBER,
  SUDA_LOG_VALUE_TRUE,
  SUDA_LOG_VALUE_FALSE,
  SUDA_LOG_VALUE_NULL,
  SUDA_LOG_VALUE_OBJECT,
  SUDA_LOG_VALUE_ARRAY,
} SudaLogValueKind;

/* A JSON value as it is written in a line: a string's bytes between its
 * quotes (still escaped), any other value's whole text. */
typedef struct {
  const char       *ptr;
  gsize             len;
  SudaLogValueKind  kind;
  gboolean          escaped;  /* a string holding a backslash escape */
} SudaLogValue;

typedef enum {
  SUDA_LOG_READ_OK,
  SUDA_LOG_READ_NOT_JSON,     /* not one well-formed JSON object */
  SUDA_LOG_READ_NO_TIME,      /* no string "time" that is an ISO 8601 date */
  SUDA_LOG_READ_NO_EVENT,     /* no string "event" */
} SudaLogReadResult;

/* The members the log's readers look at: the entry's columns and the
 * extras the viewer and the history use.  Each is a string or absent. */
typedef struct {
  gint64       time;          /* unix usec, parsed from time_text */
  SudaLogValue time_text;
  SudaLogValue event;
  SudaLogValue channel;
  SudaLogValue nick;
  SudaLogValue text;
  SudaLogValue target;        /* who a kick or whisper was aimed at */
  SudaLogValue address;       /* where a connection came from */
  SudaLogValue source;        /* a message's full nick!user@host */
} SudaLogFields;

typedef void (*SudaLogMemberFunc) (const SudaLogValue *key,
                                   const SudaLogValue *value,
                                   gpointer            user_data);

/* The one reader of Suda's JSON Lines log (DESIGN.md, "On-disk log"): the
 * server's history, the console's views and SudaLogEntry all read lines
 * with it.  It allocates nothing, so a viewer can filter a million lines. */
SudaLogReadResult suda_log_read_line       (const char         *line,
                                            gsize               len,
                                            SudaLogFields      *fields,
                                            SudaLogMemberFunc   member_func,
                                            gpointer            user_data);
void              suda_log_value_unescape  (const SudaLogValue *value,
                                            GString            *out);
char             *suda_log_value_dup       (const SudaLogValue *value);
gboolean          suda_log_value_equal     (const SudaLogValue *value,
                                            const char         *text);
JsonNode         *suda_log_value_to_node   (const SudaLogValue *value);
gboolean          suda_log_parse_time      (const char         *text,
                                            gint64             *unix_usec);

G_END_DECLS
