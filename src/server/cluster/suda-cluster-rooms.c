/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A room's state shared across servers ([cluster], issue 15): a MODE made
 * on another server changes the room here as it did there, so that +m, +t,
 * +k, +l, +i and bans hold whichever server a member is on, and +o/+v given
 * there to a member here makes them an operator (or voiced) here.  The
 * server that made the change checked who may make it; this one applies
 * it as announced, with no replies to anyone. */
#include "config.h"

#include <string.h>

#include "suda-cluster-private.h"

static guint
flag_for (char mode)
{
  switch (mode)
    {
    case 'i': return SUDA_CHANNEL_INVITE_ONLY;
    case 'm': return SUDA_CHANNEL_MODERATED;
    case 'n': return SUDA_CHANNEL_NO_EXTERNAL;
    case 'p': return SUDA_CHANNEL_PRIVATE;
    case 's': return SUDA_CHANNEL_SECRET;
    case 't': return SUDA_CHANNEL_TOPIC_LOCK;
    default:  return 0;
    }
}

static void
apply_member (SudaRegistry *registry,
              SudaChannel  *channel,
              char          mode,
              gboolean      add,
              const char   *nick)
{
  SudaClient *client = _suda_registry_find_client (registry, nick);

  if (client != NULL && suda_channel_has_member (channel, client))
    suda_channel_set_member_flag (channel, client, mode == 'o' ? SUDA_MEMBER_OP : SUDA_MEMBER_VOICE, add);
}

/* One letter; *NEXT moves past the parameter it takes (as announced: -k
 * shows "*", -l none). */
static void
apply_one (SudaRegistry  *registry,
           SudaChannel   *channel,
           char           mode,
           gboolean       add,
           char         **args,
           guint         *next)
{
  gboolean takes = strchr ("ovkbeI", mode) != NULL || (mode == 'l' && add);
  const char *arg = takes ? args[*next] : NULL;

  if (takes && arg == NULL)
    return;   /* a parameter missing: nothing to apply */
  if (takes)
    (*next)++;
  switch (mode)
    {
    case 'o':
    case 'v':
      apply_member (registry, channel, mode, add, arg);
      break;
    case 'k':
      suda_channel_set_key (channel, add ? arg : NULL);
      break;
    case 'l':
      suda_channel_set_limit (channel, add ? (guint) g_ascii_strtoull (arg, NULL, 10) : 0);
      break;
    case 'b':
      suda_channel_set_mask (&channel->bans, arg, add);
      break;
    case 'e':
      suda_channel_set_mask (&channel->excepts, arg, add);
      break;
    case 'I':
      suda_channel_set_mask (&channel->invex, arg, add);
      break;
    default:
      if (flag_for (mode))
        suda_channel_set_flag (channel, flag_for (mode), add);
      break;
    }
}

void
_suda_cluster_rooms_apply_mode (SudaCluster *self,
                                SudaOutLine *line,
                                const char  *room)
{
  SudaRegistry *registry = _suda_cluster_get_core (self)->registry;
  SudaChannel *channel = _suda_registry_find_channel (registry, room);
  g_auto(GStrv) words = NULL;
  gboolean add = TRUE;
  guint next = 2;

  /* "#room +mk-l key": the room, the letters, their parameters. */
  if (channel == NULL || line->target == NULL)
    return;
  words = g_strsplit (line->target, " ", 0);
  if (g_strv_length (words) < 2)
    return;
  for (const char *p = words[1]; *p; p++)
    {
      if (*p == '+' || *p == '-')
        add = *p == '+';
      else
        apply_one (registry, channel, *p, add, words, &next);
    }
}
