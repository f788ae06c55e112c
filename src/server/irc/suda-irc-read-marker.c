/* SPDX-License-Identifier: GPL-3.0-or-later */
/* draft/read-marker: MARKREAD <target> [timestamp=…] keeps how far a
 * person (an account when logged in, else a nick) has read a room or a
 * conversation, so their next connection and their other clients start
 * there.  Markers only move forward. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"
#include "suda-log-reader.h"

static const char *
owner_of (SudaClient *c)
{
  return _suda_read_markers_owner (c->account, c->nick);
}

static void
send_marker (SudaClient *c,
             const char *target)
{
  gint64 time = _suda_registry_get_read_marker (c->core->registry, owner_of (c), target);
  g_autofree char *tag = time ? suda_irc_format_time_tag (time) : NULL;

  _suda_irc_sendf (c, ":%s MARKREAD %s %s%s\r\n", _suda_irc_server_name (c), target,
                   tag ? "timestamp=" : "*", tag ? tag : "");
}

/* After a JOIN, before the names end: where the client left off. */
void
_suda_irc_send_read_marker (SudaClient  *c,
                            SudaChannel *channel)
{
  if (c->caps & SUDA_CAP_READ_MARKER)
    send_marker (c, channel->name);
}

typedef struct {
  SudaClient *from;
  const char *target;
} MarkerMoved;

static void
tell_if_same_person (gpointer data,
                     gpointer user_data)
{
  SudaClient *other = data;
  MarkerMoved *moved = user_data;

  if (other != moved->from && other->registered && (other->caps & SUDA_CAP_READ_MARKER) &&
      suda_irc_casecmp (owner_of (other), owner_of (moved->from)) == 0)
    send_marker (other, moved->target);
}

/* The person's other clients (logged in to the same account) hear where
 * the marker went, as the spec asks. */
static void
tell_others (SudaClient *c,
             const char *target)
{
  MarkerMoved moved = { c, target };

  if (c->account != NULL)
    _suda_registry_foreach_client (c->core->registry, tell_if_same_person, &moved);
}

void
_suda_irc_cmd_markread (SudaClient     *c,
                        SudaIrcMessage *m)
{
  const char *target = m->n_params ? m->params[0] : NULL;
  gint64 time;

  if (target == NULL || *target == '\0')
    {
      _suda_irc_fail (c, "MARKREAD", "NEED_MORE_PARAMS", _("Missing parameters"));
      return;
    }
  if (!suda_irc_is_channel (target) && !suda_irc_is_valid_nick (target, SUDA_IRC_NICKLEN))
    {
      g_autofree char *what = g_strdup_printf ("INVALID_PARAMS %s", target);

      _suda_irc_fail (c, "MARKREAD", what, _("Invalid parameters"));
      return;
    }
  if (m->n_params > 1)
    {
      if (!g_str_has_prefix (m->params[1], "timestamp=") ||
          !suda_log_parse_time (m->params[1] + strlen ("timestamp="), &time))
        {
          g_autofree char *what = g_strdup_printf ("INVALID_PARAMS %s", target);

          _suda_irc_fail (c, "MARKREAD", what, _("Invalid parameters"));
          return;
        }
      if (_suda_registry_set_read_marker (c->core->registry, owner_of (c), target, time))
        tell_others (c, target);
    }
  /* The marker kept: the new one, or a later one the client did not know. */
  send_marker (c, target);
}
