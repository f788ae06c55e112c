/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The events every front end shares, each logged, then sent, then applied
 * to the registry: registering, a nick change, joining, leaving, a kick and
 * quitting.  The IRC handler, the plain-text handler, the service user and
 * the server console all come here. */
#include "config.h"

#include <string.h>

#include "suda-irc-message.h"
#include "suda-server-private.h"

#define KICKLEN 390

/* FALSE, logged, when the server's password was not given: the caller
 * tells the client and closes it. */
gboolean
_suda_delivery_register (SudaDelivery *self,
                         SudaClient   *client)
{
  const SudaServerConfig *config = client->core->config;
  SudaRegistry *registry = client->core->registry;
  g_autoptr(SudaLogEntry) entry = NULL;

  if (config->password && *config->password &&
      g_strcmp0 (client->pass, config->password) != 0)
    {
      _suda_delivery_log_event (self, "error", NULL, client->nick,
                                client->pass ? "wrong server password" : "missing server password");
      return FALSE;
    }

  _suda_registry_set_registered (registry, client);
  entry = suda_log_entry_new (0, "register", NULL, client->nick, NULL);
  suda_log_entry_set_field (entry, "address", client->host);
  suda_log_entry_set_field (entry, "client", client->protocol->plain ? "plain" : "irc");
  if (client->account)
    suda_log_entry_set_field (entry, "account", client->account);
  _suda_delivery_log (self, entry);
  _suda_delivery_relay_out (self, entry, NULL, NULL, FALSE);
  return TRUE;
}

/* The nick is checked already.  Before registration it only claims it. */
void
_suda_delivery_nick (SudaDelivery *self,
                     SudaClient   *client,
                     const char   *nick)
{
  g_autofree char *old_mask = g_strdup (client->mask);
  g_autofree char *old_nick = g_strdup (client->nick);
  g_autoptr(SudaLogEntry) entry = NULL;
  SudaOutLine line = { .time = g_get_real_time (), .command = "NICK" };

  _suda_registry_claim_nick (client->core->registry, client, nick);
  if (!client->registered)
    return;

  line.source = old_mask;
  line.nick = old_nick;
  line.text = client->nick;
  entry = suda_log_entry_new (0, "nick", NULL, old_nick, client->nick);
  _suda_delivery_to_peers (self, entry, &line, client, TRUE, 0);
}

/* IRCv3 away-notify: who comes in already away is said so to those who follow it. */
static void
announce_away (SudaClient  *client,
               SudaChannel *channel)
{
  SudaOutLine line = { .time = g_get_real_time (), .source = client->mask, .nick = client->nick,
                       .command = "AWAY", .text = client->away };

  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaClient *member = g_array_index (channel->members, SudaMember, i).client;

      if (member != client && (member->caps & SUDA_CAP_AWAY_NOTIFY))
        _suda_delivery_send_line (&line, member);
    }
  _suda_delivery_out_line_clear (&line);
}

/* The first person in a room is its admin, as in the seeds' chat room. */
void
_suda_delivery_join (SudaDelivery *self,
                     SudaClient   *client,
                     SudaChannel  *channel)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "join", channel->name, client->nick, NULL);
  /* extended-join: "JOIN #room account :realname", "*" when not logged in. */
  g_autofree char *extended_target = g_strdup_printf ("%s %s", channel->name,
                                                      client->account ? client->account : "*");
  SudaOutLine line = { .time = g_get_real_time (), .source = client->mask, .nick = client->nick,
                       .command = "JOIN", .target = channel->name, .account = client->account };
  SudaOutLine extended = line;

  extended.target = extended_target;
  extended.text = client->realname ? client->realname : "";
  gboolean first = channel->members->len == 0 &&
                   _suda_registry_get_remote_members (client->core->registry, channel->name) == NULL;

  /* [cluster]: a room that has members on other servers is no new room. */
  if (first)
    channel->made = line.time;
  _suda_registry_add_member (client->core->registry, channel, client, first ? SUDA_MEMBER_OP : 0);
  _suda_delivery_log (self, entry);
  /* Other servers get the extended form: each of their members picks. */
  _suda_delivery_relay_out (self, entry, &extended, channel->name, FALSE);
  _suda_delivery_keep_event (self, channel, &line);
  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaClient *member = g_array_index (channel->members, SudaMember, i).client;

      _suda_delivery_send_line ((member->caps & SUDA_CAP_EXTENDED_JOIN) ? &extended : &line, member);
    }
  _suda_delivery_out_line_clear (&line);
  _suda_delivery_out_line_clear (&extended);
  if (client->away)
    announce_away (client, channel);
}

/* CHANNEL may be gone afterwards. */
void
_suda_delivery_part (SudaDelivery *self,
                     SudaClient   *client,
                     SudaChannel  *channel,
                     const char   *reason)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "part", channel->name, client->nick, reason);
  SudaOutLine line = { .time = g_get_real_time (), .source = client->mask, .nick = client->nick,
                       .command = "PART", .target = channel->name, .text = reason };

  _suda_delivery_to_channel (self, entry, &line, channel, NULL, FALSE);
  _suda_registry_remove_member (client->core->registry, channel, client);
}

/* BY_MASK is a user's mask, or the server's name for the console's kicks.
 * CHANNEL may be gone afterwards. */
static void
kick_line (SudaDelivery *self,
           const char   *by_mask,
           SudaChannel  *channel,
           const char   *victim,
           const char   *reason)
{
  g_autofree char *by_nick = suda_irc_source_nick (by_mask);
  g_autofree char *cut = g_strndup (reason, suda_utf8_truncate (reason, strlen (reason), KICKLEN));
  /* KICK #room victim :reason: the victim rides along as a middle parameter. */
  g_autofree char *middle = g_strdup_printf ("%s %s", channel->name, victim);
  SudaOutLine line = { .time = g_get_real_time (), .source = by_mask, .nick = by_nick,
                       .command = "KICK", .target = middle, .text = cut };
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "kick", channel->name, by_nick, cut);

  suda_log_entry_set_field (entry, "target", victim);
  _suda_delivery_to_channel (self, entry, &line, channel, NULL, FALSE);
}

void
_suda_delivery_kick (SudaDelivery *self,
                     const char   *by_mask,
                     SudaChannel  *channel,
                     SudaClient   *victim,
                     const char   *reason)
{
  kick_line (self, by_mask, channel, victim->nick, reason);
  _suda_registry_remove_member (victim->core->registry, channel, victim);
}

/* [cluster]: VICTIM's own server removes them as the KICK reaches it. */
void
_suda_delivery_kick_remote (SudaDelivery   *self,
                            const char     *by_mask,
                            SudaChannel    *channel,
                            SudaRemoteUser *victim,
                            const char     *reason)
{
  kick_line (self, by_mask, channel, victim->nick, reason);
  _suda_registry_remote_part (_suda_delivery_get_registry (self), victim, channel->name);
}

/* Everyone who shared a room sees it go; its rooms and nick are freed. */
void
_suda_delivery_quit (SudaDelivery *self,
                     SudaClient   *client,
                     const char   *reason)
{
  SudaRegistry *registry = client->core->registry;

  if (client->registered)
    {
      g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "quit", NULL, client->nick, reason);
      SudaOutLine line = { .time = g_get_real_time (), .source = client->mask, .nick = client->nick,
                           .command = "QUIT", .text = reason };

      _suda_delivery_to_peers (self, entry, &line, client, FALSE, 0);
    }
  _suda_registry_leave_all (registry, client);
  _suda_registry_release_nick (registry, client);
}
