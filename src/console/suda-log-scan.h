/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A string member of a log line, still JSON-escaped, pointing into the line. */
typedef struct {
  const char *ptr;
  gsize       len;
  gboolean    escaped;  /* holds a backslash escape: unescape before use */
} SudaLogSlice;

typedef struct {
  SudaLogSlice time;
  SudaLogSlice event;
  SudaLogSlice channel;
  SudaLogSlice nick;
  SudaLogSlice text;
  SudaLogSlice target;   /* who a kick or whisper was aimed at */
  SudaLogSlice address;  /* where a connection came from */
} SudaLogFields;

/* Allocation-free scanners used to index and filter logs of millions of
 * lines, where building a JSON tree per line would cost too much. */
gboolean  _suda_log_scan_fields    (const char         *line,
                                    gsize               len,
                                    SudaLogFields      *fields);
char     *_suda_log_slice_dup      (const SudaLogSlice *slice);
void      _suda_log_slice_unescape (const SudaLogSlice *slice,
                                    GString            *out);
gboolean  _suda_log_slice_time     (const SudaLogSlice *slice,
                                    gint64             *unix_usec);

G_END_DECLS
