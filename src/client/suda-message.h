/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  SUDA_MESSAGE_KIND_MESSAGE,
  SUDA_MESSAGE_KIND_ACTION,
  SUDA_MESSAGE_KIND_NOTICE,
  SUDA_MESSAGE_KIND_EVENT,
  SUDA_MESSAGE_KIND_DATE_SEPARATOR,
  SUDA_MESSAGE_KIND_ERROR,
  SUDA_MESSAGE_KIND_INFO,
  SUDA_MESSAGE_KIND_UNREAD_MARKER,   /* "New messages": above the first line not seen */
} SudaMessageKind;

#define SUDA_TYPE_MESSAGE_KIND (suda_message_kind_get_type ())
#define SUDA_TYPE_MESSAGE (suda_message_get_type ())

GType suda_message_kind_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (SudaMessage, suda_message, SUDA, MESSAGE, GObject)

SudaMessage     *suda_message_new          (SudaMessageKind  kind,
                                            gint64           unix_usec,
                                            const char      *sender,
                                            const char      *text);
SudaMessageKind  suda_message_get_kind     (SudaMessage     *self);
gint64           suda_message_get_time     (SudaMessage     *self);
GDateTime       *suda_message_dup_datetime (SudaMessage     *self);
const char      *suda_message_get_sender   (SudaMessage     *self);
const char      *suda_message_get_text     (SudaMessage     *self);
gboolean         suda_message_get_own      (SudaMessage     *self);
void             suda_message_set_own      (SudaMessage     *self,
                                            gboolean         own);
gboolean         suda_message_get_mention  (SudaMessage     *self);
void             suda_message_set_mention  (SudaMessage     *self,
                                            gboolean         mention);
gboolean         suda_message_get_replayed (SudaMessage     *self);
void             suda_message_set_replayed (SudaMessage     *self,
                                            gboolean         replayed);
const char      *suda_message_get_msgid    (SudaMessage     *self);
void             suda_message_set_msgid    (SudaMessage     *self,
                                            const char      *msgid);
gboolean         suda_message_matches      (SudaMessage     *self,
                                            const char      *needle_casefolded);
guint32          suda_day_number           (gint64           unix_usec);

G_END_DECLS
