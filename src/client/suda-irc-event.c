/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-irc-event.h"

G_DEFINE_BOXED_TYPE (SudaIrcEvent, suda_irc_event, suda_irc_event_ref, suda_irc_event_unref)

SudaIrcEvent *
suda_irc_event_new (SudaIrcEventKind  kind,
                    const char       *command)
{
  SudaIrcEvent *self = g_atomic_rc_box_new0 (SudaIrcEvent);

  self->kind = kind;
  self->command = g_strdup (command);
  return self;
}

SudaIrcEvent *
suda_irc_event_ref (SudaIrcEvent *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
clear_event (gpointer data)
{
  SudaIrcEvent *self = data;

  g_free (self->command);
  g_free (self->source);
  g_free (self->nick);
  g_free (self->target);
  g_free (self->argument);
  g_free (self->text);
  g_free (self->msgid);
  g_free (self->batch);
  g_strfreev (self->params);
}

void
suda_irc_event_unref (SudaIrcEvent *self)
{
  g_atomic_rc_box_release_full (self, clear_event);
}
