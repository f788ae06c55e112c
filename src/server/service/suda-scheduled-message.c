/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-scheduler-private.h"

G_DEFINE_BOXED_TYPE (SudaScheduledMessage, suda_scheduled_message,
                     suda_scheduled_message_ref, suda_scheduled_message_unref)

SudaScheduledMessage *
_suda_scheduled_message_new (guint       id,
                             const char *author,
                             const char *channel,
                             const char *text,
                             GDateTime  *due,
                             GDateTime  *created)
{
  SudaScheduledMessage *self = g_new0 (SudaScheduledMessage, 1);

  g_ref_count_init (&self->ref_count);
  self->id = id;
  self->author = g_strdup (author);
  self->channel = g_strdup (channel);
  self->text = g_strdup (text);
  self->due = g_date_time_to_utc (due);
  self->created = g_date_time_to_utc (created);
  return self;
}

SudaScheduledMessage *
suda_scheduled_message_ref (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

void
suda_scheduled_message_unref (SudaScheduledMessage *self)
{
  g_return_if_fail (self != NULL);

  if (!g_ref_count_dec (&self->ref_count))
    return;
  g_free (self->author);
  g_free (self->channel);
  g_free (self->text);
  g_date_time_unref (self->due);
  g_date_time_unref (self->created);
  g_free (self);
}

guint
suda_scheduled_message_get_id (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->id;
}

const char *
suda_scheduled_message_get_author (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->author;
}

const char *
suda_scheduled_message_get_channel (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->channel;
}

const char *
suda_scheduled_message_get_text (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->text;
}

GDateTime *
suda_scheduled_message_get_due (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->due;
}

GDateTime *
suda_scheduled_message_get_created (SudaScheduledMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->created;
}

int
_suda_scheduled_message_compare (gconstpointer a,
                                 gconstpointer b)
{
  const SudaScheduledMessage *ma = *(SudaScheduledMessage * const *) a;
  const SudaScheduledMessage *mb = *(SudaScheduledMessage * const *) b;
  int cmp = g_date_time_compare (ma->due, mb->due);

  if (cmp != 0)
    return cmp;
  return (ma->id > mb->id) - (ma->id < mb->id);
}
