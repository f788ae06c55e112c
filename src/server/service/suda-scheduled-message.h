/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One pending message.  Immutable once made; reference counted so the
 * "due" signal can hand it out after the scheduler has dropped it. */
typedef struct _SudaScheduledMessage SudaScheduledMessage;

#define SUDA_TYPE_SCHEDULED_MESSAGE (suda_scheduled_message_get_type ())

GType                 suda_scheduled_message_get_type    (void) G_GNUC_CONST;
SudaScheduledMessage *suda_scheduled_message_ref         (SudaScheduledMessage *self);
void                  suda_scheduled_message_unref       (SudaScheduledMessage *self);
guint                 suda_scheduled_message_get_id      (SudaScheduledMessage *self);
const char           *suda_scheduled_message_get_author  (SudaScheduledMessage *self);
const char           *suda_scheduled_message_get_channel (SudaScheduledMessage *self);
const char           *suda_scheduled_message_get_text    (SudaScheduledMessage *self);
GDateTime            *suda_scheduled_message_get_due     (SudaScheduledMessage *self);
GDateTime            *suda_scheduled_message_get_created (SudaScheduledMessage *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaScheduledMessage, suda_scheduled_message_unref)

G_END_DECLS
