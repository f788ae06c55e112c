/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection, by concern: whether a line from the server is whole
 * enough to be handled.  A hostile server's line missing its parts is
 * dropped here rather than handed up half-filled. */
#include "config.h"

#include <string.h>

#include "suda-connection-private.h"
#include "suda-limits.h"

/* What a line needs before it becomes an event: a source naming someone,
 * and its parameters, those that name a channel or a person well formed.
 * Parameters past those listed may be missing or empty. */
typedef struct {
  const char *command;
  gboolean    needs_source;
  guint       min_params;
  guint       channels;   /* bit N: parameter N is a channel */
  guint       nicks;      /* bit N: parameter N is a nickname */
  guint       names;      /* bit N: parameter N is either */
} Requirement;

static const Requirement requirements[] = {
  { "001",     FALSE, 1, 0,      1 << 0, 0 },
  { "332",     FALSE, 3, 1 << 1, 0,      0 },
  { "353",     FALSE, 4, 1 << 2, 0,      0 },
  { "366",     FALSE, 2, 1 << 1, 0,      0 },
  { "JOIN",    TRUE,  1, 1 << 0, 0,      0 },
  { "KICK",    TRUE,  2, 1 << 0, 1 << 1, 0 },
  { "MODE",    FALSE, 2, 0,      0,      1 << 0 },
  { "NICK",    TRUE,  1, 0,      1 << 0, 0 },
  { "NOTICE",  FALSE, 2, 0,      0,      1 << 0 },
  { "PART",    TRUE,  1, 1 << 0, 0,      0 },
  { "PRIVMSG", FALSE, 2, 0,      0,      1 << 0 },
  { "QUIT",    TRUE,  0, 0,      0,      0 },
  { "TOPIC",   FALSE, 2, 1 << 0, 0,      0 },
};

/* Not empty, and not absurdly long (suda-limits.h). */
static gboolean
is_name (const char *name)
{
  return name != NULL && *name != '\0' && strlen (name) <= SUDA_CLIENT_MAX_NAME_BYTES;
}

/* A channel as the client keeps one: '#' first, nothing a list or a
 * line would split on. */
static gboolean
is_channel_name (const char *name)
{
  return is_name (name) && suda_irc_is_channel (name) && strpbrk (name, " ,\a") == NULL;
}

/* A person: no channel prefix, and nothing a prefix or list splits on. */
gboolean
_suda_connection_is_nickname (const char *name)
{
  return is_name (name) && !suda_irc_is_channel (name) && strpbrk (name, " ,!@") == NULL;
}

static gboolean
params_fit (const SudaIrcMessage *msg,
            const Requirement    *req)
{
  for (guint i = 0; i < msg->n_params; i++)
    {
      guint bit = 1u << i;

      if (((req->channels & bit) && !is_channel_name (msg->params[i])) ||
          ((req->nicks & bit) && !_suda_connection_is_nickname (msg->params[i])) ||
          ((req->names & bit) && !is_name (msg->params[i])))
        return FALSE;
    }
  return TRUE;
}

/* Whether MSG has what its handler uses; a line that does not is dropped
 * whole rather than handed up half-filled. */
gboolean
_suda_connection_line_is_complete (const SudaIrcMessage *msg)
{
  g_autofree char *nick = suda_irc_source_nick (msg->source);
  const Requirement *req = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (requirements) && req == NULL; i++)
    if (strcmp (msg->command, requirements[i].command) == 0)
      req = &requirements[i];
  if (req == NULL)
    /* Every other numeric starts with the nickname it is for. */
    return !g_ascii_isdigit (msg->command[0]) || msg->n_params >= 1;

  if (req->needs_source && nick == NULL)
    return FALSE;
  /* Who sent it is shown next to it and may open a conversation. */
  if (nick != NULL && !_suda_connection_is_nickname (nick))
    return FALSE;
  return msg->n_params >= req->min_params && params_fit (msg, req);
}

/* Tags past their limit are dropped with their line: the IRCv3 limit is
 * what a server may send, so more is not a server speaking. */
gboolean
_suda_connection_tags_fit (const SudaIrcMessage *msg)
{
  return msg->tags == NULL || strlen (msg->tags) + 2 <= SUDA_CLIENT_MAX_TAG_BYTES;
}
