/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Questions about people and the server: WHO, WHOIS, USERHOST, ISON,
 * LUSERS, MOTD, VERSION, TIME; and AWAY, which the answers show. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

void
_suda_irc_cmd_away (SudaClient     *c,
                    SudaIrcMessage *m)
{
  const char *text = m->n_params ? m->params[0] : NULL;
  SudaOutLine line = { .time = g_get_real_time (), .source = c->mask, .nick = c->nick,
                       .command = "AWAY" };

  g_clear_pointer (&c->away, g_free);
  if (text && *text)
    {
      c->away = g_strndup (text, suda_utf8_truncate (text, strlen (text), SUDA_IRC_AWAYLEN));
      _suda_irc_reply (c, SUDA_RPL_NOWAWAY, NULL);
    }
  else
    _suda_irc_reply (c, SUDA_RPL_UNAWAY, NULL);

  line.text = c->away;
  _suda_delivery_to_peers (c->core->delivery, NULL, &line, c, FALSE, SUDA_CAP_AWAY_NOTIFY);
}

static void
who_line (SudaClient *c,
          const char *channel_name,
          SudaClient *who,
          guint       flags)
{
  g_autoptr(GString) status = g_string_new (who->away ? "G" : "H");

  if (who->oper)
    g_string_append_c (status, '*');
  if (who->bot)
    g_string_append_c (status, 'B');
  _suda_irc_append_prefixes (status, flags, c);
  _suda_irc_replyf (c, "352", "%s %s %s %s %s %s :0 %s", channel_name, who->user, who->host,
                    _suda_irc_server_name (c), who->nick, status->str, who->realname);
}

static void
who_service (SudaClient *c,
             const char *channel_name)
{
  const char *nick = _suda_registry_get_service_nick (c->core->registry);
  const char *name = _suda_irc_server_name (c);

  if (nick != NULL)
    _suda_irc_replyf (c, "352", "%s %s %s %s %s H :0 %s", channel_name, nick,
                      name, name, nick, _("Suda service"));
}

static gboolean
shares_room (SudaClient *a,
             SudaClient *b)
{
  for (guint i = 0; i < a->channels->len; i++)
    if (suda_channel_has_member (g_ptr_array_index (a->channels, i), b))
      return TRUE;
  return FALSE;
}

typedef struct {
  SudaClient   *asker;
  GPatternSpec *pattern;    /* on the casefolded nick */
} WhoMask;

/* WHO mask: invisible users only to themselves, operators and room-mates. */
static void
who_mask_one (gpointer data,
              gpointer user_data)
{
  SudaClient *who = data;
  WhoMask *mask = user_data;
  g_autofree char *folded = suda_irc_casefold (who->nick);

  if (who->invisible && who != mask->asker && !mask->asker->oper && !shares_room (mask->asker, who))
    return;
  if (g_pattern_spec_match_string (mask->pattern, folded))
    who_line (mask->asker, "*", who, 0);
}

static void
who_channel (SudaClient  *c,
             SudaChannel *channel)
{
  gboolean inside = suda_channel_has_member (channel, c) || c->oper;

  who_service (c, channel->name);
  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaMember *member = &g_array_index (channel->members, SudaMember, i);

      if (inside || !member->client->invisible)
        who_line (c, channel->name, member->client, member->flags);
    }
}

void
_suda_irc_cmd_who (SudaClient     *c,
                   SudaIrcMessage *m)
{
  SudaRegistry *registry = c->core->registry;
  const char *mask = m->n_params ? m->params[0] : "*";
  SudaChannel *channel = _suda_registry_find_channel (registry, mask);
  SudaClient *who = _suda_registry_find_client (registry, mask);

  if (channel)
    {
      if (_suda_irc_may_see (c, channel))
        who_channel (c, channel);
    }
  else if (_suda_registry_is_service (registry, mask))
    who_service (c, "*");
  else if (who && who->registered)
    who_line (c, "*", who, 0);  /* an exact nick is found, invisible or not */
  else if (*mask && !suda_irc_is_channel (mask))
    {
      g_autofree char *folded = suda_irc_casefold (g_str_equal (mask, "0") ? "*" : mask);
      WhoMask data = { c, g_pattern_spec_new (folded) };

      _suda_registry_foreach_client (registry, who_mask_one, &data);
      g_pattern_spec_free (data.pattern);
    }
  _suda_irc_reply (c, SUDA_RPL_ENDOFWHO, mask, NULL);
}

static void
whois_channels (SudaClient *c,
                SudaClient *who)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < who->channels->len; i++)
    {
      SudaChannel *channel = g_ptr_array_index (who->channels, i);
      SudaMember *member = suda_channel_find_member (channel, who);

      if (!_suda_irc_may_see (c, channel))
        continue;
      if (list->len)
        g_string_append_c (list, ' ');
      _suda_irc_append_prefixes (list, member ? member->flags : 0, c);
      g_string_append (list, channel->name);
    }
  if (list->len)
    _suda_irc_replyf (c, "319", "%s :%s", who->nick, list->str);
}

void
_suda_irc_cmd_whois (SudaClient     *c,
                     SudaIrcMessage *m)
{
  SudaRegistry *registry = c->core->registry;
  const char *nick = m->params[m->n_params > 1 ? 1 : 0];
  const char *name = _suda_irc_server_name (c);
  SudaClient *who = _suda_registry_find_client (registry, nick);
  gint64 idle;

  if (_suda_registry_is_service (registry, nick))
    {
      const char *snick = _suda_registry_get_service_nick (registry);

      _suda_irc_replyf (c, "311", "%s %s %s * :%s", snick, snick, name, _("Suda service"));
      _suda_irc_replyf (c, "312", "%s %s :Suda", snick, name);
      _suda_irc_reply (c, SUDA_RPL_ENDOFWHOIS, snick, NULL);
      return;
    }
  if (who == NULL || !who->registered)
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHNICK, nick, NULL);
      _suda_irc_reply (c, SUDA_RPL_ENDOFWHOIS, nick, NULL);
      return;
    }
  _suda_irc_replyf (c, "311", "%s %s %s * :%s", who->nick, who->user, who->host, who->realname);
  whois_channels (c, who);
  _suda_irc_replyf (c, "312", "%s %s :Suda", who->nick, name);
  if (who->away)
    _suda_irc_replyf (c, "301", "%s :%s", who->nick, who->away);
  if (who->oper)
    _suda_irc_replyf (c, "313", "%s :is an IRC operator", who->nick);
  if (who->bot)
    _suda_irc_replyf (c, "335", "%s :is a bot", who->nick);
  idle = (g_get_monotonic_time () - _suda_session_get_last_active (who->session)) / G_USEC_PER_SEC;
  _suda_irc_replyf (c, "317", "%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " :seconds idle, signon time",
                    who->nick, idle, g_date_time_to_unix (suda_session_get_connected_at (who->session)));
  _suda_irc_reply (c, SUDA_RPL_ENDOFWHOIS, who->nick, NULL);
}

void
_suda_irc_cmd_lusers (SudaClient     *c,
                      SudaIrcMessage *m)
{
  _suda_irc_send_lusers (c);
}

void
_suda_irc_cmd_motd (SudaClient     *c,
                    SudaIrcMessage *m)
{
  _suda_irc_send_motd (c);
}

void
_suda_irc_cmd_version (SudaClient     *c,
                       SudaIrcMessage *m)
{
  _suda_irc_replyf (c, "351", "suda-%s %s :Suda chat server", PACKAGE_VERSION, _suda_irc_server_name (c));
  _suda_irc_send_isupport (c);
}

void
_suda_irc_cmd_time (SudaClient     *c,
                    SudaIrcMessage *m)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = g_date_time_format (now, "%A %B %d %Y -- %H:%M:%S %z");

  _suda_irc_replyf (c, "391", "%s :%s", _suda_irc_server_name (c), text);
}

void
_suda_irc_cmd_userhost (SudaClient     *c,
                        SudaIrcMessage *m)
{
  g_autoptr(GString) reply = g_string_new (NULL);

  for (guint i = 0; i < m->n_params && i < 5; i++)
    {
      SudaClient *who = _suda_registry_find_client (c->core->registry, m->params[i]);

      if (who == NULL || !who->registered)
        continue;
      if (reply->len)
        g_string_append_c (reply, ' ');
      g_string_append_printf (reply, "%s%s=%c%s@%s", who->nick, who->oper ? "*" : "",
                              who->away ? '-' : '+', who->user, who->host);
    }
  _suda_irc_replyf (c, "302", ":%s", reply->str);
}

void
_suda_irc_cmd_ison (SudaClient     *c,
                    SudaIrcMessage *m)
{
  SudaRegistry *registry = c->core->registry;
  g_autoptr(GString) reply = g_string_new (NULL);

  for (guint i = 0; i < m->n_params; i++)
    {
      g_auto(GStrv) nicks = g_strsplit (m->params[i], " ", 0);

      for (guint j = 0; nicks[j]; j++)
        {
          SudaClient *who = _suda_registry_find_client (registry, nicks[j]);
          const char *nick = who && who->registered ? who->nick : NULL;

          if (_suda_registry_is_service (registry, nicks[j]))
            nick = _suda_registry_get_service_nick (registry);
          if (nick && reply->len + strlen (nick) < 400)
            g_string_append_printf (reply, "%s%s", reply->len ? " " : "", nick);
        }
    }
  _suda_irc_replyf (c, "303", ":%s", reply->str);
}
