/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SUDA_LINE_NONE,      /* no complete line yet */
  SUDA_LINE_OK,        /* *line holds one line, without CR LF, NUL-terminated */
  SUDA_LINE_TOO_LONG,  /* a line (complete or not) is over the limit */
} SudaLineStatus;

/* A bounded line splitter.  Unlike GDataInputStream it never holds more than
 * the limit of a partial line, and it holds no memory at all while empty, so
 * an idle connection costs nothing here. */
typedef struct {
  char  *data;
  gsize  start;
  gsize  len;
  gsize  cap;
  gsize  max_line;
} SudaLineBuffer;

void            suda_line_buffer_init         (SudaLineBuffer *self,
                                               gsize           max_line);
void            suda_line_buffer_clear        (SudaLineBuffer *self);
void            suda_line_buffer_append       (SudaLineBuffer *self,
                                               const char     *data,
                                               gsize           len);
SudaLineStatus  suda_line_buffer_pop          (SudaLineBuffer *self,
                                               char          **line,
                                               gsize          *len);
char           *suda_line_buffer_take_partial (SudaLineBuffer *self);
gsize           suda_line_buffer_get_pending  (const SudaLineBuffer *self);

G_END_DECLS
