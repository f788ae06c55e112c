/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection, by concern: whether a line from the server is whole
 * enough to be handled, by its row in the dispatch tables.  A hostile
 * server's line missing its parts is dropped here rather than handed up
 * half-filled. */
#include "config.h"

#include <string.h>

#include "suda-connection-private.h"
#include "suda-limits.h"

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
params_fit (const SudaIrcMessage        *msg,
            const SudaConnectionCommand *req)
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

/* Whether MSG has what ENTRY, its row in the dispatch tables (NULL for
 * a command without one), says its handler uses. */
gboolean
_suda_connection_line_is_complete (const SudaIrcMessage        *msg,
                                   const SudaConnectionCommand *entry)
{
  g_autofree char *nick = suda_irc_source_nick (msg->source);

  /* A row that asks for nothing is for lines whose handler checks them. */
  if (entry == NULL || (entry->min_params == 0 && !entry->needs_source))
    /* Every numeric starts with the nickname it is for. */
    return !g_ascii_isdigit (msg->command[0]) || msg->n_params >= 1;
  if (entry->needs_source && nick == NULL)
    return FALSE;
  /* Who sent it is shown next to it and may open a conversation. */
  if (nick != NULL && !_suda_connection_is_nickname (nick))
    return FALSE;
  return msg->n_params >= entry->min_params && params_fit (msg, entry);
}

/* Tags past their limit are dropped with their line: the IRCv3 limit is
 * what a server may send, so more is not a server speaking. */
gboolean
_suda_connection_tags_fit (const SudaIrcMessage *msg)
{
  return msg->tags == NULL || strlen (msg->tags) + 2 <= SUDA_CLIENT_MAX_TAG_BYTES;
}
