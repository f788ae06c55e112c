/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  SUDA_IRC_EVENT_REGISTERED,    /* 001: target is the nickname the server gave */
  SUDA_IRC_EVENT_MESSAGE,       /* PRIVMSG */
  SUDA_IRC_EVENT_ACTION,        /* PRIVMSG with CTCP ACTION (/me) */
  SUDA_IRC_EVENT_NOTICE,
  SUDA_IRC_EVENT_JOIN,
  SUDA_IRC_EVENT_PART,          /* text: the reason */
  SUDA_IRC_EVENT_QUIT,          /* text: the reason */
  SUDA_IRC_EVENT_NICK,          /* argument: the new nickname */
  SUDA_IRC_EVENT_KICK,          /* argument: who was kicked; text: why */
  SUDA_IRC_EVENT_TOPIC,         /* nick is NULL for the topic told on join (332) */
  SUDA_IRC_EVENT_MODE,          /* params as received */
  SUDA_IRC_EVENT_NAMES,         /* 353: text holds the names */
  SUDA_IRC_EVENT_END_OF_NAMES,  /* 366 */
  SUDA_IRC_EVENT_INFO,          /* any other numeric reply: text is readable */
  SUDA_IRC_EVENT_ERROR,         /* 400-599: text is readable */
  SUDA_IRC_EVENT_HISTORY_START, /* a chathistory batch opens: argument its reference, target its target */
  SUDA_IRC_EVENT_HISTORY_END,   /* it closes: argument its reference */
  SUDA_IRC_EVENT_READ_MARKER,   /* MARKREAD: target; time 0 for "*" (none kept) */
  SUDA_IRC_EVENT_OTHER,
} SudaIrcEventKind;

/* One line from the server, classified.  Immutable and shared by
 * reference once emitted. */
typedef struct {
  SudaIrcEventKind  kind;
  gint64            time;       /* server-time when given, else arrival, in µs */
  char             *command;
  char             *source;     /* the whole prefix, or NULL */
  char             *nick;       /* the source's nickname, or NULL */
  char             *target;     /* channel or nickname the line is about */
  char             *argument;
  char             *text;
  char            **params;
  gboolean          own;        /* sent by this connection's nickname */
  gboolean          replayed;   /* part of a chathistory batch */
  char             *msgid;      /* the IRCv3 msgid tag, or NULL */
  char             *batch;      /* the chathistory batch the line is in, or NULL */
} SudaIrcEvent;

#define SUDA_TYPE_IRC_EVENT (suda_irc_event_get_type ())

GType         suda_irc_event_get_type (void) G_GNUC_CONST;
SudaIrcEvent *suda_irc_event_new      (SudaIrcEventKind  kind,
                                       const char       *command);
SudaIrcEvent *suda_irc_event_ref      (SudaIrcEvent     *self);
void          suda_irc_event_unref    (SudaIrcEvent     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaIrcEvent, suda_irc_event_unref)

G_END_DECLS
