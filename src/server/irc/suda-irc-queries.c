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

/* WHO asked by ASKER; FIELDS are WHOX's letters ("%cnf") or NULL for 352. */
typedef struct {
  SudaClient *asker;
  const char *fields;
  const char *token;
} WhoQuery;

typedef struct {
  const char *nick;
  const char *user;
  const char *host;
  const char *realname;
  const char *flags;
  gint64      idle;
  const char *account;   /* NULL: not logged in */
} WhoRow;

/* WHOX's 354: the asked fields, always in the order t c u i h s n f d l a o r. */
static void
whox_reply (WhoQuery     *q,
            const char   *channel_name,
            const WhoRow *row)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *server = _suda_irc_server_name (q->asker);

  for (const char *f = "tcuihsnfdlaor"; *f; f++)
    {
      const char *value = NULL;
      g_autofree char *number = NULL;

      if (!strchr (q->fields, *f))
        continue;
      switch (*f)
        {
        case 't': value = q->token; break;
        case 'c': value = channel_name; break;
        case 'u': value = row->user; break;
        case 'i': value = g_hostname_is_ip_address (row->host) ? row->host : "255.255.255.255"; break;
        case 'h': value = row->host; break;
        case 's': value = server; break;
        case 'n': value = row->nick; break;
        case 'f': value = row->flags; break;
        case 'd': value = "0"; break;
        case 'l': value = number = g_strdup_printf ("%" G_GINT64_FORMAT, row->idle); break;
        case 'a': value = row->account ? row->account : "0"; break;
        case 'o': value = "n/a"; break;
        case 'r': value = NULL; break;
        default: break;
        }
      if (value)
        g_string_append_printf (out, "%s%s", out->len ? " " : "", value);
    }
  if (strchr (q->fields, 'r'))
    g_string_append_printf (out, "%s:%s", out->len ? " " : "", row->realname);
  _suda_irc_replyf (q->asker, "354", "%s", out->str);
}

static void
who_reply (WhoQuery     *q,
           const char   *channel_name,
           const WhoRow *row)
{
  if (q->fields)
    whox_reply (q, channel_name, row);
  else
    _suda_irc_replyf (q->asker, "352", "%s %s %s %s %s %s :0 %s", channel_name, row->user, row->host,
                      _suda_irc_server_name (q->asker), row->nick, row->flags, row->realname);
}

static void
who_line (WhoQuery   *q,
          const char *channel_name,
          SudaClient *who,
          guint       flags)
{
  g_autoptr(GString) status = g_string_new (who->away ? "G" : "H");
  WhoRow row = { who->nick, who->user, who->host, who->realname, NULL, 0, who->account };

  if (who->oper)
    g_string_append_c (status, '*');
  if (who->bot)
    g_string_append_c (status, 'B');
  _suda_irc_append_prefixes (status, flags, q->asker);
  row.flags = status->str;
  row.idle = (g_get_monotonic_time () - _suda_session_get_last_active (who->session)) / G_USEC_PER_SEC;
  who_reply (q, channel_name, &row);
}

static void
who_service (WhoQuery   *q,
             const char *channel_name)
{
  const char *nick = _suda_registry_get_service_nick (q->asker->core->registry);
  const char *name = _suda_irc_server_name (q->asker);
  WhoRow row = { nick, nick, name, _("Suda service"), "H", 0, NULL };

  if (nick != NULL)
    who_reply (q, channel_name, &row);
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
  WhoQuery     *query;
  GPatternSpec *pattern;    /* on the casefolded nick */
} WhoMask;

/* WHO mask: invisible users only to themselves, operators and room-mates. */
static void
who_mask_one (gpointer data,
              gpointer user_data)
{
  SudaClient *who = data;
  WhoMask *mask = user_data;
  SudaClient *asker = mask->query->asker;
  g_autofree char *folded = suda_irc_casefold (who->nick);

  if (!who->registered)
    return;
  if (who->invisible && who != asker && !asker->oper && !shares_room (asker, who))
    return;
  if (g_pattern_spec_match_string (mask->pattern, folded))
    who_line (mask->query, "*", who, 0);
}

/* [cluster]: the room's members on other servers, as their masks say. */
static void
who_remote (WhoQuery    *q,
            SudaChannel *channel)
{
  GPtrArray *remote = _suda_registry_get_remote_members (q->asker->core->registry, channel->name);

  for (guint i = 0; remote != NULL && i < remote->len; i++)
    {
      SudaRemoteUser *user = g_ptr_array_index (remote, i);
      const char *bang = user->mask ? strchr (user->mask, '!') : NULL;
      const char *at = bang ? strchr (bang, '@') : NULL;
      g_autofree char *name = at ? g_strndup (bang + 1, at - bang - 1) : g_strdup (user->nick);
      g_autoptr(GString) status = g_string_new ("H");
      WhoRow row = { user->nick, name, at ? at + 1 : "*", user->nick, NULL, 0, NULL };

      _suda_irc_append_prefixes (status, _suda_registry_get_remote_flags (q->asker->core->registry, user,
                                                                          channel->name), q->asker);
      row.flags = status->str;
      who_reply (q, channel->name, &row);
    }
}

static void
who_channel (WhoQuery    *q,
             SudaChannel *channel)
{
  gboolean inside = suda_channel_has_member (channel, q->asker) || q->asker->oper;

  who_service (q, channel->name);
  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaMember *member = &g_array_index (channel->members, SudaMember, i);

      if (inside || !member->client->invisible)
        who_line (q, channel->name, member->client, member->flags);
    }
  who_remote (q, channel);
}

/* "%cnf,42": WHOX's fields, and the token that comes back in each 354. */
static void
parse_whox (WhoQuery   *q,
            const char *arg,
            char      **fields,
            char      **token)
{
  const char *comma;

  if (arg == NULL || arg[0] != '%')
    return;
  comma = strchr (arg, ',');
  *fields = g_strndup (arg + 1, comma ? (gsize) (comma - arg - 1) : strlen (arg + 1));
  /* A token is one to three digits; anything else is no token. */
  *token = g_strdup (comma && strlen (comma + 1) <= 3 && comma[1] &&
                     strspn (comma + 1, "0123456789") == strlen (comma + 1) ? comma + 1 : "0");
  q->fields = *fields;
  q->token = *token;
}

void
_suda_irc_cmd_who (SudaClient     *c,
                   SudaIrcMessage *m)
{
  SudaRegistry *registry = c->core->registry;
  const char *mask = m->n_params ? m->params[0] : "*";
  SudaChannel *channel = _suda_registry_find_channel (registry, mask);
  SudaClient *who = _suda_registry_find_client (registry, mask);
  WhoQuery q = { c, NULL, NULL };
  g_autofree char *fields = NULL;
  g_autofree char *token = NULL;

  parse_whox (&q, m->n_params > 1 ? m->params[1] : NULL, &fields, &token);
  if (channel)
    {
      if (_suda_irc_may_see (c, channel))
        who_channel (&q, channel);
    }
  else if (_suda_registry_is_service (registry, mask))
    who_service (&q, "*");
  else if (who && who->registered)
    who_line (&q, "*", who, 0);  /* an exact nick is found, invisible or not */
  else if (*mask && !suda_irc_is_channel (mask))
    {
      g_autofree char *folded = suda_irc_casefold (g_str_equal (mask, "0") ? "*" : mask);
      WhoMask data = { &q, g_pattern_spec_new (folded) };

      _suda_registry_foreach_client (registry, who_mask_one, &data);
      g_pattern_spec_free (data.pattern);
    }
  _suda_irc_reply (c, SUDA_RPL_ENDOFWHO, mask, NULL);
}

/* WHOWAS nick [count]: the newest first; a count of 0 or less is all. */
void
_suda_irc_cmd_whowas (SudaClient     *c,
                      SudaIrcMessage *m)
{
  g_auto(GStrv) nicks = g_strsplit (m->params[0], ",", 0);
  gint64 count = 0;

  if (m->n_params > 1)
    count = g_ascii_strtoll (m->params[1], NULL, 10);
  for (guint i = 0; nicks[i] && i < c->core->config->max_targets; i++)
    {
      guint found = 0;

      if (*nicks[i] == '\0')
        continue;
      for (GList *l = c->core->irc->whowas.head; l && (count <= 0 || found < count); l = l->next)
        {
          SudaIrcWhowas *was = l->data;
          g_autoptr(GDateTime) when = NULL;
          g_autofree char *text = NULL;

          if (suda_irc_casecmp (was->nick, nicks[i]) != 0)
            continue;
          when = g_date_time_new_from_unix_local (was->time);
          text = g_date_time_format (when, "%a %b %d %H:%M:%S %Y");
          _suda_irc_replyf (c, "314", "%s %s %s * :%s", was->nick, was->user, was->host, was->realname);
          _suda_irc_replyf (c, "312", "%s %s :%s", was->nick, _suda_irc_server_name (c), text);
          found++;
        }
      if (found == 0)
        _suda_irc_reply (c, SUDA_ERR_WASNOSUCHNICK, nicks[i], NULL);
      _suda_irc_reply (c, SUDA_RPL_ENDOFWHOWAS, nicks[i], NULL);
    }
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
  const char *certfp;
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
  if (who->account)
    _suda_irc_replyf (c, "330", "%s %s :is logged in as", who->nick, who->account);
  if (_suda_session_is_secure (who->session))
    _suda_irc_replyf (c, "671", "%s :is using a secure connection", who->nick);
  /* A fingerprint names a key: only its holder and operators see it. */
  certfp = _suda_session_get_certfp (who->session);
  if (certfp != NULL && (who == c || c->oper))
    _suda_irc_replyf (c, "276", "%s :has client certificate fingerprint %s", who->nick, certfp);
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
