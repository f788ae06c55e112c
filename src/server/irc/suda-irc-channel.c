/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rooms: JOIN (with the history replay), PART, KICK, TOPIC, NAMES, LIST
 * and INVITE. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

static char
member_prefix (guint flags)
{
  return (flags & SUDA_MEMBER_OP) ? '@' : (flags & SUDA_MEMBER_VOICE) ? '+' : 0;
}

void
_suda_irc_append_prefixes (GString    *out,
                           guint       flags,
                           SudaClient *viewer)
{
  if (viewer->caps & SUDA_CAP_MULTI_PREFIX)
    {
      if (flags & SUDA_MEMBER_OP)
        g_string_append_c (out, '@');
      if (flags & SUDA_MEMBER_VOICE)
        g_string_append_c (out, '+');
    }
  else if (member_prefix (flags))
    g_string_append_c (out, member_prefix (flags));
}

/* The room, when C may act on it (as a member, or an operator of it when
 * NEED_OP); otherwise NULL, and C is told why.  Server operators may. */
SudaChannel *
_suda_irc_channel_for_op (SudaClient *c,
                          const char *name,
                          gboolean    need_op)
{
  SudaChannel *channel = _suda_registry_find_channel (c->core->registry, name);

  if (channel == NULL)
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, name, NULL);
      return NULL;
    }
  if (!suda_channel_has_member (channel, c) && !c->oper)
    {
      _suda_irc_reply (c, SUDA_ERR_NOTONCHANNEL, channel->name, NULL);
      return NULL;
    }
  if (need_op && !suda_channel_is_op (channel, c) && !c->oper)
    {
      _suda_irc_reply (c, SUDA_ERR_CHANOPRIVSNEEDED, channel->name, NULL);
      return NULL;
    }
  return channel;
}

/* Who is in a secret or private room, and its topic, are for its members
 * and the server's operators; a private one still shows in LIST. */
gboolean
_suda_irc_may_see (SudaClient  *c,
                   SudaChannel *channel)
{
  return !(channel->modes & (SUDA_CHANNEL_SECRET | SUDA_CHANNEL_PRIVATE)) || c->oper ||
         suda_channel_has_member (channel, c);
}

/* [cluster]: the room's members on other servers, after the ones here. */
static void
append_remote_names (SudaClient  *c,
                     SudaChannel *channel,
                     GString     *names,
                     gsize        head_len,
                     char         symbol)
{
  GPtrArray *remote = _suda_registry_get_remote_members (c->core->registry, channel->name);

  for (guint i = 0; remote != NULL && i < remote->len; i++)
    {
      SudaRemoteUser *user = g_ptr_array_index (remote, i);
      const char *entry = (c->caps & SUDA_CAP_USERHOST_IN_NAMES) && user->mask ? user->mask : user->nick;

      if (names->len && head_len + names->len + strlen (entry) + 3 > SUDA_IRC_MAX_LINE - 2)
        {
          _suda_irc_replyf (c, "353", "%c %s :%s", symbol, channel->name, names->str);
          g_string_truncate (names, 0);
        }
      if (names->len)
        g_string_append_c (names, ' ');
      _suda_irc_append_prefixes (names, _suda_registry_get_remote_flags (c->core->registry, user, channel->name), c);
      g_string_append (names, entry);
    }
}

static void
send_names (SudaClient  *c,
            SudaChannel *channel)
{
  const char *service_nick = _suda_registry_get_service_nick (c->core->registry);
  g_autoptr(GString) names = g_string_new (service_nick);
  gsize head_len = strlen (_suda_irc_server_name (c)) + strlen (channel->name) + SUDA_IRC_NICKLEN + 16;
  char symbol = (channel->modes & SUDA_CHANNEL_SECRET) ? '@'
                : (channel->modes & SUDA_CHANNEL_PRIVATE) ? '*' : '=';

  if (!_suda_irc_may_see (c, channel))
    {
      _suda_irc_reply (c, SUDA_RPL_ENDOFNAMES, channel->name, NULL);
      return;
    }

  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaMember *member = &g_array_index (channel->members, SudaMember, i);

      gsize entry_len = strlen ((c->caps & SUDA_CAP_USERHOST_IN_NAMES) ? member->client->mask
                                                                        : member->client->nick);

      if (names->len && head_len + names->len + entry_len + 3 > SUDA_IRC_MAX_LINE - 2)
        {
          _suda_irc_replyf (c, "353", "%c %s :%s", symbol, channel->name, names->str);
          g_string_truncate (names, 0);
        }
      if (names->len)
        g_string_append_c (names, ' ');
      _suda_irc_append_prefixes (names, member->flags, c);
      _suda_irc_append_names_entry (names, c, member->client);
    }
  append_remote_names (c, channel, names, head_len, symbol);
  if (names->len)
    _suda_irc_replyf (c, "353", "%c %s :%s", symbol, channel->name, names->str);
  _suda_irc_reply (c, SUDA_RPL_ENDOFNAMES, channel->name, NULL);
}

static void
send_topic (SudaClient  *c,
            SudaChannel *channel)
{
  if (channel->topic == NULL || *channel->topic == '\0')
    {
      _suda_irc_reply (c, SUDA_RPL_NOTOPIC, channel->name, NULL);
      return;
    }
  _suda_irc_replyf (c, "332", "%s :%s", channel->name, channel->topic);
  _suda_irc_replyf (c, "333", "%s %s %" G_GINT64_FORMAT, channel->name,
                    channel->topic_setter, channel->topic_time);
}

static void
replay_item (SudaClient      *c,
             SudaChannel     *channel,
             SudaHistoryItem *item,
             const char      *batch)
{
  g_autofree char *time = suda_irc_format_time_tag (item->time);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *params[] = { channel->name, item->text };

  if (batch != NULL || (c->caps & SUDA_CAP_SERVER_TIME))
    {
      g_autofree char *id = item->msgid && (c->caps & SUDA_CAP_MESSAGE_TAGS)
                            ? g_strdup_printf (";msgid=%s", item->msgid) : g_strdup ("");
      g_autofree char *tags = batch ? g_strdup_printf ("batch=%s;time=%s%s", batch, time, id)
                                    : g_strdup_printf ("time=%s%s", time, id);

      suda_irc_append_line (out, tags, item->source, item->command, params, 2);
    }
  else
    {
      /* Without server-time a replayed line would look new: say when. */
      g_autofree char *nick = suda_irc_source_nick (item->source);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (item->time / G_USEC_PER_SEC);
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);
      g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");
      g_autofree char *action = _suda_irc_dup_action (item->text);
      /* A /me inside a NOTICE would show as a broken CTCP: it reads "* nick waves". */
      g_autofree char *text = action ? g_strdup_printf ("[%s] * %s %s", when, nick, action)
                                     : g_strdup_printf ("[%s] <%s> %s", when, nick, item->text);

      params[1] = text;
      suda_irc_append_line (out, NULL, _suda_irc_server_name (c), "NOTICE", params, 2);
    }
  /* A message its sender kept within the limit gains a mask or a date in
   * front when replayed. */
  _suda_irc_fit (out);
  _suda_client_send (c, out->str, out->len);
}

static void
replay_history (SudaClient  *c,
                SudaChannel *channel)
{
  SudaHistory *history = _suda_registry_peek_history (c->core->registry, channel->name);
  g_autofree char *batch = NULL;

  if (history == NULL || history->items.length == 0)
    return;

  if ((c->caps & SUDA_CAP_BATCH) && (c->caps & SUDA_CAP_SERVER_TIME))
    {
      batch = _suda_registry_next_batch_id (c->core->registry);
      _suda_irc_sendf (c, ":%s BATCH +%s chathistory %s\r\n", _suda_irc_server_name (c), batch, channel->name);
    }
  for (GList *l = history->items.head; l; l = l->next)
    replay_item (c, channel, l->data, batch);
  if (batch)
    _suda_irc_sendf (c, ":%s BATCH -%s\r\n", _suda_irc_server_name (c), batch);
}

/* The text of a CTCP ACTION (/me), or NULL when TEXT is none. */
char *
_suda_irc_dup_action (const char *text)
{
  if (!g_str_has_prefix (text, "\001ACTION "))
    return NULL;
  text += strlen ("\001ACTION ");
  return g_strndup (text, strcspn (text, "\001"));
}

/* What an IRC client gets after its JOIN: the topic, the names, the history. */
void
_suda_irc_joined (SudaClient  *c,
                  SudaChannel *channel)
{
  _suda_irc_send_read_marker (c, channel);
  /* A room without a topic says nothing of it on JOIN (331 answers TOPIC only). */
  if (channel->topic && *channel->topic)
    send_topic (c, channel);
  send_names (c, channel);
  replay_history (c, channel);
}

/* TRUE when C's mask matches one of CHANNEL's masks that start with
 * PREFIX ("" for bans, "m:" for the mute extban), and no exception (+e). */
static gboolean
matches_ban (SudaChannel *channel,
             SudaClient  *c,
             const char  *prefix)
{
  g_autofree char *mask = NULL;
  gsize skip = strlen (prefix);
  gboolean hit = FALSE;

  if (channel->bans == NULL)
    return FALSE;
  mask = suda_irc_casefold (c->mask);
  for (guint i = 0; i < channel->bans->len && !hit; i++)
    {
      const char *ban = g_ptr_array_index (channel->bans, i);

      if (g_str_has_prefix (ban, prefix) && g_pattern_match_simple (ban + skip, mask))
        hit = TRUE;
    }
  return hit && !suda_channel_list_matches (channel->excepts, mask);
}

/* TRUE when a ban keeps C out of CHANNEL (m: bans only mute). */
gboolean
_suda_irc_is_banned (SudaChannel *channel,
                     SudaClient  *c)
{
  return matches_ban (channel, c, "");
}

/* The m: extban: may join, may not speak. */
gboolean
_suda_irc_is_muted (SudaChannel *channel,
                    SudaClient  *c)
{
  return matches_ban (channel, c, "m:");
}

static gboolean
is_invite_excepted (SudaChannel *channel,
                    SudaClient  *c)
{
  g_autofree char *mask = NULL;

  if (channel->invex == NULL)
    return FALSE;
  mask = suda_irc_casefold (c->mask);
  return suda_channel_list_matches (channel->invex, mask);
}

/* Everyone in CHANNEL, here and ([cluster]) on the other servers: +l
 * counts them all (two JOINs on two servers in the same few milliseconds
 * can still both pass, as on any network of servers). */
static guint
n_members (SudaClient  *c,
           SudaChannel *channel)
{
  GPtrArray *remote = _suda_registry_get_remote_members (c->core->registry, channel->name);

  return channel->members->len + (remote ? remote->len : 0);
}

/* The numeric that keeps C out of CHANNEL, or -1. */
static int
refusal (SudaClient  *c,
         SudaChannel *channel,
         const char  *key)
{
  gboolean invited = suda_channel_is_invited (channel, c->nick);

  if ((channel->modes & SUDA_CHANNEL_INVITE_ONLY) && !invited && !c->oper &&
      !is_invite_excepted (channel, c))
    return SUDA_ERR_INVITEONLYCHAN;
  if (invited)
    return -1;
  if (_suda_irc_is_banned (channel, c))
    return SUDA_ERR_BANNEDFROMCHAN;
  if (channel->key && g_strcmp0 (key, channel->key) != 0)
    return SUDA_ERR_BADCHANNELKEY;
  if (channel->limit && n_members (c, channel) >= channel->limit)
    return SUDA_ERR_CHANNELISFULL;
  return -1;
}

static void
join_now (SudaClient *c,
          const char *name,
          const char *key)
{
  SudaRegistry *registry = c->core->registry;
  SudaChannel *channel;
  int refused;

  if (!suda_irc_is_valid_channel (name, SUDA_IRC_CHANNELLEN))
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, name, NULL);
      return;
    }
  channel = _suda_registry_find_channel (registry, name);
  if (channel && suda_channel_has_member (channel, c))
    return;
  if (c->channels->len >= c->core->config->max_channels)
    {
      _suda_irc_reply (c, SUDA_ERR_TOOMANYCHANNELS, name, NULL);
      return;
    }
  if (channel)
    {
      if ((refused = refusal (c, channel, key)) >= 0)
        {
          _suda_irc_reply (c, refused, channel->name, NULL);
          return;
        }
      suda_channel_take_invitation (channel, c->nick);
    }
  else
    channel = _suda_registry_ensure_channel (registry, name);

  _suda_delivery_join (c->core->delivery, c, channel);
  c->protocol->joined (c, channel);
}

/* A JOIN that waited: its lines are part of its command's labelled answer */
static void
join_resumed (SudaClient *c,
              const char *name,
              const char *key,
              gpointer    data)
{
  _suda_irc_label_wait_part_begin (data, c);
  join_now (c, name, key);
  _suda_irc_label_wait_part_end (data, c);
}

/* JOIN for IRC and plain-text clients alike; the protocol's joined() then
 * shows the room to the one who came in.  [cluster]: a room only other
 * servers have waits for its state, to be checked against its bans and key,
 * and WAIT (the labelled command's, or NULL) waits for it too. */
void
_suda_irc_join (SudaClient       *c,
                const char       *name,
                const char       *key,
                SudaIrcLabelWait *wait)
{
  SudaIrcLabelWait *part;

  if (_suda_registry_find_channel (c->core->registry, name) == NULL &&
      suda_irc_is_valid_channel (name, SUDA_IRC_CHANNELLEN))
    {
      part = _suda_irc_label_wait_add_part (wait);
      if (_suda_delivery_hold_join (c->core->delivery, c, name, key, join_resumed, part,
                                    _suda_irc_label_wait_unref))
        return;
      _suda_irc_label_wait_drop_part (part);
    }
  join_now (c, name, key);
}

static void
part_all (SudaClient *c)
{
  while (c->channels->len > 0)
    _suda_delivery_part (c->core->delivery, c, g_ptr_array_index (c->channels, c->channels->len - 1), NULL);
}

void
_suda_irc_cmd_join (SudaClient     *c,
                    SudaIrcMessage *m)
{
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) keys = NULL;
  SudaIrcLabelWait *wait;
  guint n_keys;

  if (g_str_equal (m->params[0], "0"))
    {
      part_all (c);
      return;
    }
  names = g_strsplit (m->params[0], ",", 0);
  keys = g_strsplit (m->n_params > 1 ? m->params[1] : "", ",", 0);
  n_keys = g_strv_length (keys);
  wait = _suda_irc_label_wait_new (c);
  for (guint i = 0; names[i] && !_suda_client_is_closing (c); i++)
    if (*names[i])
      _suda_irc_join (c, names[i], i < n_keys ? keys[i] : NULL, wait);
  /* a labelled JOIN answers when its last room is in (IRCv3 labeled-response) */
  _suda_irc_label_wait_defer (wait, c);
  _suda_irc_label_wait_unref (wait);
}

void
_suda_irc_cmd_part (SudaClient     *c,
                    SudaIrcMessage *m)
{
  g_auto(GStrv) names = g_strsplit (m->params[0], ",", 0);

  for (guint i = 0; names[i]; i++)
    {
      SudaChannel *channel;

      if (*names[i] == '\0')
        continue;
      channel = _suda_registry_find_channel (c->core->registry, names[i]);
      if (channel == NULL)
        _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, names[i], NULL);
      else if (!suda_channel_has_member (channel, c))
        _suda_irc_reply (c, SUDA_ERR_NOTONCHANNEL, channel->name, NULL);
      else
        _suda_delivery_part (c->core->delivery, c, channel, m->n_params > 1 ? m->params[1] : NULL);
    }
}

/* [cluster]: a member on another server, whose server removes them. */
static void
kick_remote (SudaClient     *c,
             SudaChannel    *channel,
             SudaRemoteUser *victim,
             const char     *reason)
{
  if (!_suda_registry_remote_is_in (c->core->registry, victim, channel->name))
    _suda_irc_reply (c, SUDA_ERR_USERNOTINCHANNEL, victim->nick, channel->name, NULL);
  else
    _suda_delivery_kick_remote (c->core->delivery, c->mask, channel, victim, reason);
}

void
_suda_irc_cmd_kick (SudaClient     *c,
                    SudaIrcMessage *m)
{
  SudaChannel *channel = _suda_irc_channel_for_op (c, m->params[0], TRUE);
  const char *reason = m->n_params > 2 && *m->params[2] ? m->params[2] : c->nick;
  g_auto(GStrv) victims = NULL;

  if (channel == NULL)
    return;
  victims = g_strsplit (m->params[1], ",", 0);
  for (guint i = 0; victims[i] && i < c->core->config->max_targets; i++)
    {
      SudaClient *victim = _suda_registry_find_client (c->core->registry, victims[i]);
      SudaRemoteUser *remote = victim ? NULL : _suda_registry_find_remote (c->core->registry, victims[i]);
      gboolean last;

      if (remote != NULL)
        {
          kick_remote (c, channel, remote, reason);
          continue;
        }
      if (victim == NULL || !victim->registered)
        {
          _suda_irc_reply (c, SUDA_ERR_NOSUCHNICK, victims[i], NULL);
          continue;
        }
      if (!suda_channel_has_member (channel, victim))
        {
          _suda_irc_reply (c, SUDA_ERR_USERNOTINCHANNEL, victim->nick, channel->name, NULL);
          continue;
        }
      last = channel->members->len == 1;
      _suda_delivery_kick (c->core->delivery, c->mask, channel, victim, reason);
      if (last)
        break;  /* the room is gone */
    }
}

void
_suda_irc_cmd_topic (SudaClient     *c,
                     SudaIrcMessage *m)
{
  SudaChannel *channel = _suda_registry_find_channel (c->core->registry, m->params[0]);
  g_autoptr(SudaLogEntry) entry = NULL;
  SudaOutLine line = { .time = g_get_real_time (), .command = "TOPIC" };
  g_autofree char *topic = NULL;

  if (channel == NULL)
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, m->params[0], NULL);
      return;
    }
  if (m->n_params < 2)
    {
      /* A secret room's topic is its members' business. */
      if (_suda_irc_may_see (c, channel))
        send_topic (c, channel);
      else
        _suda_irc_reply (c, SUDA_ERR_NOTONCHANNEL, channel->name, NULL);
      return;
    }
  if (!(channel = _suda_irc_channel_for_op (c, m->params[0], channel->modes & SUDA_CHANNEL_TOPIC_LOCK)))
    return;

  topic = g_strndup (m->params[1], suda_utf8_truncate (m->params[1], strlen (m->params[1]), SUDA_IRC_TOPICLEN));
  suda_channel_set_topic (channel, topic, c->nick);

  entry = suda_log_entry_new (0, "topic", channel->name, c->nick, channel->topic);
  line.source = c->mask;
  line.nick = c->nick;
  line.target = channel->name;
  line.text = channel->topic;
  _suda_delivery_to_channel (c->core->delivery, entry, &line, channel, NULL, FALSE);
}

void
_suda_irc_cmd_names (SudaClient     *c,
                     SudaIrcMessage *m)
{
  g_auto(GStrv) names = NULL;

  if (m->n_params == 0)
    {
      for (guint i = 0; i < c->channels->len; i++)
        send_names (c, g_ptr_array_index (c->channels, i));
      _suda_irc_reply (c, SUDA_RPL_ENDOFNAMES, "*", NULL);
      return;
    }
  names = g_strsplit (m->params[0], ",", 0);
  for (guint i = 0; names[i] && i < c->core->config->max_targets; i++)
    {
      SudaChannel *channel = _suda_registry_find_channel (c->core->registry, names[i]);

      if (channel)
        send_names (c, channel);
      else
        _suda_irc_reply (c, SUDA_RPL_ENDOFNAMES, names[i], NULL);
    }
}

/* INVITE with no parameter: the rooms C is invited to and has not joined. */
static void
list_invitations (gpointer data,
                  gpointer user_data)
{
  SudaChannel *channel = data;
  SudaClient *c = user_data;

  if (suda_channel_is_invited (channel, c->nick))
    _suda_irc_replyf (c, "336", "%s", channel->name);
}

static void
send_invite (SudaClient  *c,
             SudaClient  *target,
             SudaChannel *channel)
{
  if (target->protocol->plain)
    {
      /* TRANSLATORS: to a plain-text session: "alice invites you to #room" */
      g_autofree char *text = g_strdup_printf (_("%s invites you to %s"), c->nick, channel->name);

      _suda_client_sendf (target, "*** %s\r\n", text);
    }
  else
    _suda_irc_sendf (target, ":%s INVITE %s %s\r\n", c->mask, target->nick, channel->name);
}

void
_suda_irc_cmd_invite (SudaClient     *c,
                      SudaIrcMessage *m)
{
  SudaClient *target;
  SudaChannel *channel;

  if (m->n_params == 0)
    {
      _suda_registry_foreach_channel (c->core->registry, list_invitations, c);
      _suda_irc_reply (c, SUDA_RPL_ENDOFINVITELIST, NULL);
      return;
    }
  if (m->n_params < 2)
    {
      _suda_irc_reply (c, SUDA_ERR_NEEDMOREPARAMS, "INVITE", NULL);
      return;
    }
  target = _suda_registry_find_client (c->core->registry, m->params[0]);
  if (target == NULL || !target->registered)
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHNICK, m->params[0], NULL);
      return;
    }
  channel = _suda_registry_find_channel (c->core->registry, m->params[1]);
  if (channel == NULL)
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, m->params[1], NULL);
      return;
    }
  if (!_suda_irc_channel_for_op (c, channel->name, channel->modes & SUDA_CHANNEL_INVITE_ONLY))
    return;
  if (suda_channel_has_member (channel, target))
    {
      _suda_irc_reply (c, SUDA_ERR_USERONCHANNEL, target->nick, channel->name, NULL);
      return;
    }
  suda_channel_invite (channel, target->nick);
  _suda_irc_replyf (c, "341", "%s %s", target->nick, channel->name);
  send_invite (c, target, channel);
  _suda_irc_notify_invite (c, target, channel);
}

/* One KNOCK a minute per person: it reaches every operator of the room. */
#define KNOCK_INTERVAL_USEC (60 * G_USEC_PER_SEC)

void
_suda_irc_cmd_knock (SudaClient     *c,
                     SudaIrcMessage *m)
{
  SudaChannel *channel = _suda_registry_find_channel (c->core->registry, m->params[0]);
  gint64 now = g_get_monotonic_time ();

  if (channel == NULL || ((channel->modes & SUDA_CHANNEL_SECRET) && !_suda_irc_may_see (c, channel)))
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, m->params[0], NULL);
      return;
    }
  if (suda_channel_has_member (channel, c))
    _suda_irc_reply (c, SUDA_ERR_KNOCKONCHAN, channel->name, NULL);
  else if (!(channel->modes & SUDA_CHANNEL_INVITE_ONLY))
    _suda_irc_reply (c, SUDA_ERR_CHANOPEN, channel->name, NULL);
  else if (_suda_irc_is_banned (channel, c))
    _suda_irc_reply (c, SUDA_ERR_BANNEDFROMCHAN, channel->name, NULL);
  else if (c->last_knock != 0 && now - c->last_knock < KNOCK_INTERVAL_USEC)
    _suda_irc_reply (c, SUDA_ERR_TOOMANYKNOCK, channel->name, NULL);
  else
    {
      c->last_knock = now;
      for (guint i = 0; i < channel->members->len; i++)
        {
          SudaMember *member = &g_array_index (channel->members, SudaMember, i);

          if ((member->flags & SUDA_MEMBER_OP) && !member->client->protocol->plain)
            _suda_irc_replyf (member->client, "710", "%s %s :has asked for an invite",
                              channel->name, c->mask);
        }
      _suda_irc_reply (c, SUDA_RPL_KNOCKDLVR, channel->name, NULL);
    }
}
