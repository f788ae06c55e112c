/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What IRCv3 caps tell others about a person: invite-notify (an INVITE
 * seen by the room), setname (a new real name) and userhost-in-names. */
#include "config.h"

#include "suda-irc-private.h"

/* invite-notify: the room's members who follow it see who was asked in. */
void
_suda_irc_notify_invite (SudaClient  *inviter,
                         SudaClient  *target,
                         SudaChannel *channel)
{
  g_autofree char *middle = g_strdup_printf ("%s %s", target->nick, channel->name);
  SudaOutLine line = { .time = g_get_real_time (), .source = inviter->mask, .nick = inviter->nick,
                       .command = "INVITE", .target = middle };

  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaClient *member = g_array_index (channel->members, SudaMember, i).client;

      if (member != inviter && member != target && (member->caps & SUDA_CAP_INVITE_NOTIFY))
        _suda_delivery_send_line (&line, member);
    }
  _suda_delivery_out_line_clear (&line);
}

/* setname: the owner hears its new real name back; those who share a room
 * (or MONITOR it with extended-monitor) and follow setname hear it too. */
void
_suda_irc_announce_realname (SudaClient *c)
{
  SudaOutLine line = { .time = g_get_real_time (), .source = c->mask, .nick = c->nick,
                       .command = "SETNAME", .text = c->realname };

  /* Its owner hears of it only with the cap, as its room-mates do. */
  _suda_delivery_to_peers (c->core->delivery, NULL, &line, c,
                           (c->caps & SUDA_CAP_SETNAME) != 0, SUDA_CAP_SETNAME);
}

/* A NAMES entry: the nick, or nick!user@host for userhost-in-names. */
void
_suda_irc_append_names_entry (GString    *out,
                              SudaClient *viewer,
                              SudaClient *member)
{
  if (viewer->caps & SUDA_CAP_USERHOST_IN_NAMES)
    g_string_append (out, member->mask);
  else
    g_string_append (out, member->nick);
}
