/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <crypt.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-message.h"
#include "suda-server-private.h"

#define NICKLEN 30
#define CHANNELLEN 50
#define TOPICLEN 390
#define KICKLEN 390
#define AWAYLEN 200

typedef void (*CommandFunc) (SudaSession *session, SudaIrcMessage *msg);

typedef struct {
  const char  *name;
  CommandFunc  func;
  guint        min_params;
  gboolean     before_registration;
} Command;

static const char *
server_name (SudaSession *s)
{
  return s->server->config->server_name;
}

static void
need_more_params (SudaSession *s,
                  const char  *command)
{
  _suda_session_numeric (s, "461", "%s :%s", command, _("Not enough parameters"));
}

static void
fail (SudaSession *s,
      const char  *command,
      const char  *code,
      const char  *text)
{
  if (s->plain)
    _suda_session_sendf (s, "*** %s\r\n", text);
  else
    _suda_session_sendf (s, ":%s FAIL %s %s :%s\r\n", server_name (s), command, code, text);
}

/* Sends LINE to every member of CHANNEL, skipping EXCEPT. */
static void
broadcast (SudaChannel *channel,
           SudaOutLine *line,
           SudaSession *except)
{
  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaSession *member = g_array_index (channel->members, SudaMember, i).session;

      if (member != except)
        _suda_session_send_out_line (member, line);
    }
}

/* Sends LINE once to everyone who shares a room with S (and to S itself
 * when INCLUDE_SELF), for NICK, QUIT and AWAY. */
static void
broadcast_to_peers (SudaSession *s,
                    SudaOutLine *line,
                    gboolean     include_self,
                    guint        required_caps)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  if (include_self)
    {
      g_hash_table_add (seen, s);
      _suda_session_send_out_line (s, line);
    }
  else
    g_hash_table_add (seen, s);

  for (guint c = 0; c < s->channels->len; c++)
    {
      SudaChannel *channel = g_ptr_array_index (s->channels, c);

      for (guint i = 0; i < channel->members->len; i++)
        {
          SudaSession *member = g_array_index (channel->members, SudaMember, i).session;

          if ((member->caps & required_caps) != required_caps)
            continue;
          if (g_hash_table_add (seen, member))
            _suda_session_send_out_line (member, line);
        }
    }
}

static char
member_prefix (guint flags)
{
  return (flags & SUDA_MEMBER_OP) ? '@' : (flags & SUDA_MEMBER_VOICE) ? '+' : 0;
}

static void
append_prefixes (GString     *out,
                 guint        flags,
                 SudaSession *viewer)
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

static void
log_entry (SudaSession *s,
           const char  *event,
           const char  *channel,
           const char  *text)
{
  _suda_server_log_event (s->server, event, channel, s->nick, text);
}

/* Registration ------------------------------------------------------------ */

static const struct {
  const char *name;
  SudaCap     cap;
} capabilities[] = {
  { "away-notify", SUDA_CAP_AWAY_NOTIFY },
  { "batch", SUDA_CAP_BATCH },
  { "echo-message", SUDA_CAP_ECHO_MESSAGE },
  { "message-tags", SUDA_CAP_MESSAGE_TAGS },
  { "multi-prefix", SUDA_CAP_MULTI_PREFIX },
  { "server-time", SUDA_CAP_SERVER_TIME },
};

static void send_welcome (SudaSession *s);

static void
try_finish_registration (SudaSession *s)
{
  const SudaServerConfig *config = s->server->config;
  g_autoptr(SudaLogEntry) entry = NULL;

  if (s->registered || s->nick == NULL || s->user == NULL || s->cap_negotiating)
    return;

  if (config->password && *config->password &&
      g_strcmp0 (s->pass, config->password) != 0)
    {
      _suda_session_numeric (s, "464", ":%s", _("Password incorrect"));
      log_entry (s, "error", NULL, s->pass ? "wrong server password" : "missing server password");
      _suda_session_close (s, _("Bad password"));
      return;
    }

  s->registered = TRUE;
  _suda_session_set_nick (s, s->nick);
  _suda_server_session_registered (s->server, s);

  entry = suda_log_entry_new (0, "register", NULL, s->nick, NULL);
  suda_log_entry_set_field (entry, "address", s->host);
  suda_log_entry_set_field (entry, "client", s->plain ? "plain" : "irc");
  suda_server_log (s->server, entry);

  g_object_notify (G_OBJECT (s), "nick");
  g_object_notify (G_OBJECT (s), "registered");
  send_welcome (s);
}

static void
send_isupport (SudaSession *s)
{
  const SudaServerConfig *config = s->server->config;

  _suda_session_numeric (s, "005",
                         "AWAYLEN=%d CASEMAPPING=rfc1459 CHANLIMIT=#:%u CHANMODES=b,k,l,imnt "
                         "CHANNELLEN=%d CHANTYPES=# KICKLEN=%d MAXTARGETS=%u MODES=4 "
                         "NETWORK=%s NICKLEN=%d PREFIX=(ov)@+ :are supported by this server",
                         AWAYLEN, config->max_channels, CHANNELLEN, KICKLEN,
                         config->max_targets, config->network_name, NICKLEN);
  _suda_session_numeric (s, "005",
                         "TARGMAX=PRIVMSG:%u,NOTICE:%u,JOIN:,PART:,KICK:1,NAMES:1,WHOIS:1 "
                         "TOPICLEN=%d UTF8ONLY :are supported by this server",
                         config->max_targets, config->max_targets, TOPICLEN);
}

static void
send_lusers (SudaSession *s)
{
  SudaServer *server = s->server;
  guint opers = 0, unknown = server->n_connections - server->n_registered;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (server->sessions)); i++)
    {
      g_autoptr(SudaSession) other = g_list_model_get_item (G_LIST_MODEL (server->sessions), i);
      opers += other->oper;
    }
  _suda_session_numeric (s, "251", ":There are %u users and 1 service on 1 server",
                         server->n_registered);
  if (opers)
    _suda_session_numeric (s, "252", "%u :operator(s) online", opers);
  if (unknown)
    _suda_session_numeric (s, "253", "%u :unknown connection(s)", unknown);
  _suda_session_numeric (s, "254", "%u :channels formed", g_hash_table_size (server->channels));
  _suda_session_numeric (s, "255", ":I have %u clients and 0 servers", server->n_registered);
  _suda_session_numeric (s, "265", "%u %u :Current local users %u, max %u",
                         server->n_registered, server->max_registered,
                         server->n_registered, server->max_registered);
  _suda_session_numeric (s, "266", "%u %u :Current global users %u, max %u",
                         server->n_registered, server->max_registered,
                         server->n_registered, server->max_registered);
}

static void
send_motd (SudaSession *s)
{
  const char *motd = s->server->config->motd;
  g_auto(GStrv) lines = NULL;

  if (motd == NULL || *motd == '\0')
    {
      _suda_session_numeric (s, "422", ":%s", _("MOTD File is missing"));
      return;
    }
  /* GKeyFile has already turned the file's "\n" into a real newline: each
   * line is a 372 of its own, and no CR or LF may reach the wire. */
  lines = g_strsplit (motd, "\n", -1);
  _suda_session_numeric (s, "375", ":- %s Message of the day - ", server_name (s));
  for (guint i = 0; lines[i]; i++)
    _suda_session_numeric (s, "372", ":- %s", g_strdelimit (lines[i], "\r", ' '));
  _suda_session_numeric (s, "376", ":End of /MOTD command.");
}

static void
send_welcome (SudaSession *s)
{
  SudaServer *server = s->server;

  if (s->plain)
    {
      _suda_session_sendf (s, "*** %s\r\n", _("Welcome to Suda! Type a message and press Enter. /help lists the commands."));
      _suda_commands_join (s, server->config->default_channel, NULL);
      return;
    }

  _suda_session_numeric (s, "001", ":Welcome to the %s IRC Network, %s", server->config->network_name, s->mask);
  _suda_session_numeric (s, "002", ":Your host is %s, running version suda-%s", server_name (s), PACKAGE_VERSION);
  _suda_session_numeric (s, "003", ":This server was created %s", server->created_text);
  _suda_session_numeric (s, "004", "%s suda-%s i bklimnotv bkl", server_name (s), PACKAGE_VERSION);
  send_isupport (s);
  send_lusers (s);
  send_motd (s);
}

static void
cmd_cap (SudaSession    *s,
         SudaIrcMessage *m)
{
  const char *sub = m->params[0];
  const char *nick = _suda_session_target_name (s);

  if (g_ascii_strcasecmp (sub, "LS") == 0 || g_ascii_strcasecmp (sub, "LIST") == 0)
    {
      GString *list = g_string_new (NULL);
      gboolean ls = g_ascii_strcasecmp (sub, "LS") == 0;

      if (ls && !s->registered)
        s->cap_negotiating = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (capabilities); i++)
        if (ls || (s->caps & capabilities[i].cap))
          {
            if (list->len)
              g_string_append_c (list, ' ');
            g_string_append (list, capabilities[i].name);
          }
      _suda_session_sendf (s, ":%s CAP %s %s :%s\r\n", server_name (s), nick,
                           ls ? "LS" : "LIST", list->str);
      g_string_free (list, TRUE);
    }
  else if (g_ascii_strcasecmp (sub, "REQ") == 0)
    {
      const char *wanted = m->n_params > 1 ? m->params[1] : "";
      g_auto(GStrv) names = g_strsplit (wanted, " ", -1);
      guint add = 0, remove = 0;
      gboolean ok = TRUE;

      if (!s->registered)
        s->cap_negotiating = TRUE;
      for (guint i = 0; names[i] && ok; i++)
        {
          const char *name = names[i];
          gboolean minus = name[0] == '-';
          guint j;

          if (*name == '\0')
            continue;
          if (minus)
            name++;
          for (j = 0; j < G_N_ELEMENTS (capabilities); j++)
            if (g_str_equal (name, capabilities[j].name))
              break;
          if (j == G_N_ELEMENTS (capabilities))
            ok = FALSE;
          else if (minus)
            remove |= capabilities[j].cap;
          else
            add |= capabilities[j].cap;
        }
      if (ok)
        s->caps = (s->caps | add) & ~remove;
      /* A NAK echoes whatever was asked for: cut it to keep within 512 bytes. */
      _suda_session_sendf (s, ":%s CAP %s %s :%.*s\r\n", server_name (s), nick,
                           ok ? "ACK" : "NAK",
                           (int) suda_utf8_truncate (wanted, strlen (wanted),
                                                     SUDA_IRC_MAX_LINE - 16 - strlen (server_name (s)) - strlen (nick)),
                           wanted);
    }
  else if (g_ascii_strcasecmp (sub, "END") == 0)
    {
      s->cap_negotiating = FALSE;
      try_finish_registration (s);
    }
  else
    _suda_session_numeric (s, "410", "%s :%s", sub, _("Invalid CAP command"));
}

static void
cmd_pass (SudaSession    *s,
          SudaIrcMessage *m)
{
  if (s->registered)
    {
      _suda_session_numeric (s, "462", ":%s", _("You may not reregister"));
      return;
    }
  g_free (s->pass);
  s->pass = g_strdup (m->params[0]);
}

/* The nick table holds registered users and those registering, so two
 * connections can never register the same name. */
static gboolean
check_nick (SudaSession *s,
            const char  *nick)
{
  if (!suda_irc_is_valid_nick (nick, NICKLEN))
    {
      _suda_session_numeric (s, "432", "%s :%s", nick, _("Erroneous nickname"));
      return FALSE;
    }
  if (_suda_server_nick_in_use (s->server, nick) &&
      !(s->nick && suda_irc_casecmp (s->nick, nick) == 0))
    {
      _suda_session_numeric (s, "433", "%s :%s", nick, _("Nickname is already in use"));
      return FALSE;
    }
  return TRUE;
}

void
_suda_commands_change_nick (SudaSession *s,
                            const char  *nick)
{
  SudaServer *server = s->server;
  g_autofree char *old_mask = g_strdup (s->mask);
  g_autofree char *old_nick = g_strdup (s->nick);

  if (!check_nick (s, nick))
    return;
  if (g_strcmp0 (s->nick, nick) == 0)
    return;

  if (s->nick)
    g_hash_table_remove (server->nicks, s->nick);
  g_hash_table_insert (server->nicks, g_strdup (nick), s);

  if (!s->registered)
    {
      g_free (s->nick);
      s->nick = g_strdup (nick);
      try_finish_registration (s);
      return;
    }

  _suda_session_set_nick (s, nick);
  {
    SudaOutLine line = { .time = g_get_real_time (), .source = old_mask, .nick = old_nick,
                         .command = "NICK", .text = nick };

    {
      g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "nick", NULL, old_nick, nick);
      suda_server_log (server, entry);
    }
    broadcast_to_peers (s, &line, TRUE, 0);
    _suda_out_line_clear (&line);
  }
}

static void
cmd_nick (SudaSession    *s,
          SudaIrcMessage *m)
{
  if (m->n_params == 0 || *m->params[0] == '\0')
    {
      _suda_session_numeric (s, "431", ":%s", _("No nickname given"));
      return;
    }
  _suda_commands_change_nick (s, m->params[0]);
}

static void
cmd_user (SudaSession    *s,
          SudaIrcMessage *m)
{
  char user[16];

  if (s->registered || s->user)
    {
      _suda_session_numeric (s, "462", ":%s", _("You may not reregister"));
      return;
    }
  /* Ident is not checked: a '~' marks the user name as unverified. */
  g_snprintf (user, sizeof user, "~%s", m->params[0]);
  for (char *p = user; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("~-_.", *p))
      *p = '_';
  s->user = g_strdup (user);
  s->realname = g_strdup (m->params[3]);
  try_finish_registration (s);
}

static void
cmd_ping (SudaSession    *s,
          SudaIrcMessage *m)
{
  /* ":server PONG server :token" stays within 512 bytes, however long the token. */
  gsize room = SUDA_IRC_MAX_LINE - MIN (2 * strlen (server_name (s)) + strlen (":  PONG  :\r\n"),
                                        (gsize) SUDA_IRC_MAX_LINE);
  g_autofree char *token = g_strndup (m->params[0], suda_utf8_truncate (m->params[0], strlen (m->params[0]), room));
  const char *params[] = { server_name (s), token };
  g_autoptr(GString) out = g_string_new (NULL);

  suda_irc_append_line (out, NULL, server_name (s), "PONG", params, 2);
  _suda_session_send (s, out->str, out->len);
}

static void
cmd_pong (SudaSession    *s,
          SudaIrcMessage *m)
{
  s->ping_sent = 0;
}

void
_suda_commands_quit (SudaSession *s,
                     const char  *reason)
{
  SudaServer *server = s->server;

  if (s->registered)
    {
      SudaOutLine line = { .time = g_get_real_time (), .source = s->mask, .nick = s->nick,
                           .command = "QUIT", .text = reason };

      log_entry (s, "quit", NULL, reason);
      broadcast_to_peers (s, &line, FALSE, 0);
      _suda_out_line_clear (&line);
    }
  while (s->channels->len > 0)
    {
      SudaChannel *channel = g_ptr_array_steal_index (s->channels, s->channels->len - 1);

      suda_channel_remove_member (channel, s);
      _suda_server_drop_channel_if_empty (server, channel);
    }
  if (s->nick && g_hash_table_lookup (server->nicks, s->nick) == s)
    g_hash_table_remove (server->nicks, s->nick);
}

static void
cmd_quit (SudaSession    *s,
          SudaIrcMessage *m)
{
  g_autofree char *reason = g_strdup_printf ("Quit: %s", m->n_params ? m->params[0] : "");

  _suda_session_close (s, reason);
}

/* Channels ------------------------------------------------------------------ */

void
_suda_commands_send_names (SudaSession *s,
                           SudaChannel *channel)
{
  const char *service_nick = suda_service_get_nick (s->server->service);
  g_autoptr(GString) names = g_string_new (service_nick);
  gsize head_len = strlen (server_name (s)) + strlen (channel->name) + NICKLEN + 16;

  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaMember *member = &g_array_index (channel->members, SudaMember, i);

      if (head_len + names->len + NICKLEN + 3 > SUDA_IRC_MAX_LINE - 2)
        {
          _suda_session_numeric (s, "353", "= %s :%s", channel->name, names->str);
          g_string_truncate (names, 0);
        }
      if (names->len)
        g_string_append_c (names, ' ');
      append_prefixes (names, member->flags, s);
      g_string_append (names, member->session->nick);
    }
  if (names->len)
    _suda_session_numeric (s, "353", "= %s :%s", channel->name, names->str);
  _suda_session_numeric (s, "366", "%s :End of /NAMES list.", channel->name);
}

static void
send_topic (SudaSession *s,
            SudaChannel *channel)
{
  if (channel->topic == NULL || *channel->topic == '\0')
    {
      _suda_session_numeric (s, "331", "%s :No topic is set", channel->name);
      return;
    }
  _suda_session_numeric (s, "332", "%s :%s", channel->name, channel->topic);
  _suda_session_numeric (s, "333", "%s %s %" G_GINT64_FORMAT, channel->name,
                         channel->topic_setter, channel->topic_time);
}

/* Cuts the trailing text of a built line ending in CR LF so that the line
 * without its tags keeps the 512-byte limit: a message its sender kept
 * within the limit gains a mask or a date in front when replayed. */
static void
fit_line (GString *out)
{
  gsize body = 0;
  gsize text_len;

  if (out->str[0] == '@')
    body = strcspn (out->str, " ") + 1;
  if (out->len - body <= SUDA_IRC_MAX_LINE || out->len < 2)
    return;
  text_len = suda_utf8_truncate (out->str, out->len - 2, body + SUDA_IRC_MAX_LINE - 2);
  g_string_truncate (out, text_len);
  g_string_append (out, "\r\n");
}

static void
replay_history (SudaSession *s,
                SudaChannel *channel)
{
  SudaHistory *history = g_hash_table_lookup (s->server->histories, channel->name);
  g_autofree char *batch = NULL;
  gboolean tagged;

  if (history == NULL || history->items.length == 0)
    return;

  tagged = (s->caps & SUDA_CAP_BATCH) && (s->caps & SUDA_CAP_SERVER_TIME) && !s->plain;
  if (tagged)
    {
      batch = _suda_server_next_batch_id (s->server);
      _suda_session_sendf (s, ":%s BATCH +%s chathistory %s\r\n", server_name (s), batch, channel->name);
    }
  for (GList *l = history->items.head; l; l = l->next)
    {
      SudaHistoryItem *item = l->data;
      g_autofree char *time = suda_irc_format_time_tag (item->time);
      g_autoptr(GString) out = g_string_new (NULL);

      if (s->plain)
        {
          g_autofree char *nick = suda_irc_source_nick (item->source);
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (item->time / G_USEC_PER_SEC);
          g_autoptr(GDateTime) local = g_date_time_to_local (utc);
          g_autofree char *hhmm = g_date_time_format (local, "%m-%d %H:%M");

          g_string_printf (out, "[%s] %s: %s\r\n", hhmm, nick, item->text);
        }
      else if (tagged)
        {
          g_autofree char *tags = g_strdup_printf ("batch=%s;time=%s", batch, time);
          const char *params[] = { channel->name, item->text };

          suda_irc_append_line (out, tags, item->source, item->command, params, 2);
        }
      else if (s->caps & SUDA_CAP_SERVER_TIME)
        {
          g_autofree char *tags = g_strdup_printf ("time=%s", time);
          const char *params[] = { channel->name, item->text };

          suda_irc_append_line (out, tags, item->source, item->command, params, 2);
        }
      else
        {
          /* Without server-time a replayed line would look new: say when. */
          g_autofree char *nick = suda_irc_source_nick (item->source);
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (item->time / G_USEC_PER_SEC);
          g_autoptr(GDateTime) local = g_date_time_to_local (utc);
          g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");
          g_autofree char *text = g_strdup_printf ("[%s] <%s> %s", when, nick, item->text);
          const char *params[] = { channel->name, text };

          suda_irc_append_line (out, NULL, server_name (s), "NOTICE", params, 2);
        }
      if (!s->plain)
        fit_line (out);
      _suda_session_send (s, out->str, out->len);
    }
  if (tagged)
    _suda_session_sendf (s, ":%s BATCH -%s\r\n", server_name (s), batch);
}

static gboolean
ban_matches (SudaChannel *channel,
             SudaSession *s)
{
  g_autofree char *mask = NULL;

  if (channel->bans == NULL)
    return FALSE;
  mask = suda_irc_casefold (s->mask);
  for (guint i = 0; i < channel->bans->len; i++)
    if (g_pattern_match_simple (g_ptr_array_index (channel->bans, i), mask))
      return TRUE;
  return FALSE;
}

void
_suda_commands_join (SudaSession *s,
                     const char  *name,
                     const char  *key)
{
  SudaServer *server = s->server;
  SudaChannel *channel;
  gboolean created = FALSE;
  guint flags = 0;

  if (!suda_irc_is_valid_channel (name, CHANNELLEN))
    {
      _suda_session_numeric (s, "403", "%s :%s", name, _("No such channel"));
      return;
    }
  channel = _suda_server_find_channel (server, name);
  if (channel && suda_channel_has_member (channel, s))
    return;
  if (s->channels->len >= server->config->max_channels)
    {
      _suda_session_numeric (s, "405", "%s :%s", name, _("You have joined too many channels"));
      return;
    }
  if (channel)
    {
      gboolean invited = channel->invited && s->nick &&
                         g_hash_table_contains (channel->invited, s->nick);

      if ((channel->modes & SUDA_CHANNEL_INVITE_ONLY) && !invited && !s->oper)
        {
          _suda_session_numeric (s, "473", "%s :%s", channel->name, _("Cannot join channel (+i)"));
          return;
        }
      if (ban_matches (channel, s) && !invited)
        {
          _suda_session_numeric (s, "474", "%s :%s", channel->name, _("Cannot join channel (+b)"));
          return;
        }
      if (channel->key && g_strcmp0 (key, channel->key) != 0 && !invited)
        {
          _suda_session_numeric (s, "475", "%s :%s", channel->name, _("Cannot join channel (+k)"));
          return;
        }
      if (channel->limit && channel->members->len >= channel->limit && !invited)
        {
          _suda_session_numeric (s, "471", "%s :%s", channel->name, _("Cannot join channel (+l)"));
          return;
        }
      if (invited)
        g_hash_table_remove (channel->invited, s->nick);
    }
  else
    {
      channel = _suda_server_ensure_channel (server, name);
      created = TRUE;
    }

  /* The first person in a room is its admin, as in the seeds' chat room. */
  if (channel->members->len == 0)
    flags = SUDA_MEMBER_OP;
  suda_channel_add_member (channel, s, flags);
  g_ptr_array_add (s->channels, channel);
  _suda_session_notify_channels (s);

  log_entry (s, "join", channel->name, NULL);
  {
    SudaOutLine line = { .time = g_get_real_time (), .source = s->mask, .nick = s->nick,
                         .command = "JOIN", .target = channel->name };

    broadcast (channel, &line, NULL);
    _suda_out_line_clear (&line);
  }
  (void) created;

  if (s->plain)
    {
      replay_history (s, channel);
      return;
    }
  if (channel->topic)
    send_topic (s, channel);
  _suda_commands_send_names (s, channel);
  replay_history (s, channel);
}

static void
part_all (SudaSession *s)
{
  while (s->channels->len > 0)
    {
      SudaChannel *channel = g_ptr_array_index (s->channels, s->channels->len - 1);
      SudaOutLine line = { .time = g_get_real_time (), .source = s->mask, .nick = s->nick,
                           .command = "PART", .target = channel->name };

      log_entry (s, "part", channel->name, NULL);
      broadcast (channel, &line, NULL);
      _suda_out_line_clear (&line);
      suda_channel_remove_member (channel, s);
      g_ptr_array_remove_index (s->channels, s->channels->len - 1);
      _suda_server_drop_channel_if_empty (s->server, channel);
    }
  _suda_session_notify_channels (s);
}

static void
cmd_join (SudaSession    *s,
          SudaIrcMessage *m)
{
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) keys = NULL;
  guint n_keys;

  if (g_str_equal (m->params[0], "0"))
    {
      part_all (s);
      return;
    }
  names = g_strsplit (m->params[0], ",", 0);
  keys = g_strsplit (m->n_params > 1 ? m->params[1] : "", ",", 0);
  n_keys = g_strv_length (keys);
  for (guint i = 0; names[i] && !s->closing; i++)
    if (*names[i])
      _suda_commands_join (s, names[i], i < n_keys ? keys[i] : NULL);
}

static void
part_one (SudaSession *s,
          const char  *name,
          const char  *reason)
{
  SudaChannel *channel = _suda_server_find_channel (s->server, name);

  if (channel == NULL)
    {
      _suda_session_numeric (s, "403", "%s :%s", name, _("No such channel"));
      return;
    }
  if (!suda_channel_has_member (channel, s))
    {
      _suda_session_numeric (s, "442", "%s :%s", channel->name, _("You're not on that channel"));
      return;
    }
  {
    SudaOutLine line = { .time = g_get_real_time (), .source = s->mask, .nick = s->nick,
                         .command = "PART", .target = channel->name, .text = reason };

    log_entry (s, "part", channel->name, reason);
    broadcast (channel, &line, NULL);
    _suda_out_line_clear (&line);
  }
  suda_channel_remove_member (channel, s);
  g_ptr_array_remove (s->channels, channel);
  _suda_session_notify_channels (s);
  _suda_server_drop_channel_if_empty (s->server, channel);
}

static void
cmd_part (SudaSession    *s,
          SudaIrcMessage *m)
{
  g_auto(GStrv) names = g_strsplit (m->params[0], ",", 0);

  for (guint i = 0; names[i]; i++)
    if (*names[i])
      part_one (s, names[i], m->n_params > 1 ? m->params[1] : NULL);
}

void
_suda_commands_kick (SudaSession *by,
                     const char  *by_mask,
                     SudaChannel *channel,
                     SudaSession *victim,
                     const char  *reason)
{
  SudaServer *server = victim->server;
  g_autofree char *by_nick = suda_irc_source_nick (by_mask);
  g_autofree char *cut = g_strndup (reason, suda_utf8_truncate (reason, strlen (reason), KICKLEN));
  /* KICK #room victim :reason: the victim rides along as a middle parameter. */
  g_autofree char *middle = g_strdup_printf ("%s %s", channel->name, victim->nick);
  SudaOutLine line = { .time = g_get_real_time (), .source = by_mask, .nick = by_nick,
                       .command = "KICK", .target = middle, .text = cut };
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "kick", channel->name, by_nick, cut);

  suda_log_entry_set_field (entry, "target", victim->nick);
  suda_server_log (server, entry);

  broadcast (channel, &line, NULL);
  _suda_out_line_clear (&line);
  suda_channel_remove_member (channel, victim);
  g_ptr_array_remove (victim->channels, channel);
  _suda_session_notify_channels (victim);
  _suda_server_drop_channel_if_empty (server, channel);
}

static SudaChannel *
channel_for_op (SudaSession *s,
                const char  *name,
                gboolean     need_op)
{
  SudaChannel *channel = _suda_server_find_channel (s->server, name);

  if (channel == NULL)
    {
      _suda_session_numeric (s, "403", "%s :%s", name, _("No such channel"));
      return NULL;
    }
  if (!suda_channel_has_member (channel, s) && !s->oper)
    {
      _suda_session_numeric (s, "442", "%s :%s", channel->name, _("You're not on that channel"));
      return NULL;
    }
  if (need_op && !suda_channel_is_op (channel, s) && !s->oper)
    {
      _suda_session_numeric (s, "482", "%s :%s", channel->name, _("You're not channel operator"));
      return NULL;
    }
  return channel;
}

static void
cmd_kick (SudaSession    *s,
          SudaIrcMessage *m)
{
  SudaChannel *channel = channel_for_op (s, m->params[0], TRUE);
  g_auto(GStrv) victims = NULL;

  if (channel == NULL)
    return;
  victims = g_strsplit (m->params[1], ",", 0);
  for (guint i = 0; victims[i] && channel; i++)
    {
      SudaSession *victim = suda_server_find_session (s->server, victims[i]);

      if (victim == NULL || !victim->registered)
        {
          _suda_session_numeric (s, "401", "%s :%s", victims[i], _("No such nick/channel"));
          continue;
        }
      if (!suda_channel_has_member (channel, victim))
        {
          _suda_session_numeric (s, "441", "%s %s :%s", victim->nick, channel->name,
                                 _("They aren't on that channel"));
          continue;
        }
      {
        gboolean last = channel->members->len == 1;

        _suda_commands_kick (s, s->mask, channel, victim,
                             m->n_params > 2 && *m->params[2] ? m->params[2] : s->nick);
        if (last)
          break;  /* the room is gone */
      }
    }
}

static void
cmd_topic (SudaSession    *s,
           SudaIrcMessage *m)
{
  SudaChannel *channel = _suda_server_find_channel (s->server, m->params[0]);
  const char *topic;

  if (channel == NULL)
    {
      _suda_session_numeric (s, "403", "%s :%s", m->params[0], _("No such channel"));
      return;
    }
  if (m->n_params < 2)
    {
      send_topic (s, channel);
      return;
    }
  if (!(channel = channel_for_op (s, m->params[0], channel->modes & SUDA_CHANNEL_TOPIC_LOCK)))
    return;

  topic = m->params[1];
  g_free (channel->topic);
  channel->topic = g_strndup (topic, suda_utf8_truncate (topic, strlen (topic), TOPICLEN));
  g_free (channel->topic_setter);
  channel->topic_setter = g_strdup (s->nick);
  channel->topic_time = g_get_real_time () / G_USEC_PER_SEC;

  log_entry (s, "topic", channel->name, channel->topic);
  {
    SudaOutLine line = { .time = g_get_real_time (), .source = s->mask, .nick = s->nick,
                         .command = "TOPIC", .target = channel->name, .text = channel->topic };

    broadcast (channel, &line, NULL);
    _suda_out_line_clear (&line);
  }
}

static void
cmd_names (SudaSession    *s,
           SudaIrcMessage *m)
{
  g_auto(GStrv) names = NULL;

  if (m->n_params == 0)
    {
      for (guint i = 0; i < s->channels->len; i++)
        _suda_commands_send_names (s, g_ptr_array_index (s->channels, i));
      _suda_session_numeric (s, "366", "* :End of /NAMES list.");
      return;
    }
  names = g_strsplit (m->params[0], ",", 0);
  for (guint i = 0; names[i] && i < s->server->config->max_targets; i++)
    {
      SudaChannel *channel = _suda_server_find_channel (s->server, names[i]);

      if (channel)
        _suda_commands_send_names (s, channel);
      else
        _suda_session_numeric (s, "366", "%s :End of /NAMES list.", names[i]);
    }
}

static void
who_line (SudaSession *s,
          const char  *channel_name,
          SudaSession *who,
          guint        flags)
{
  g_autoptr(GString) status = g_string_new (who->away ? "G" : "H");

  if (who->oper)
    g_string_append_c (status, '*');
  append_prefixes (status, flags, s);
  _suda_session_numeric (s, "352", "%s %s %s %s %s %s :0 %s", channel_name, who->user, who->host,
                         server_name (s), who->nick, status->str, who->realname);
}

static void
who_service (SudaSession *s,
             const char  *channel_name)
{
  const char *nick = suda_service_get_nick (s->server->service);

  _suda_session_numeric (s, "352", "%s %s %s %s %s H :0 %s", channel_name, nick,
                         server_name (s), server_name (s), nick, _("Suda service"));
}

static void
cmd_who (SudaSession    *s,
         SudaIrcMessage *m)
{
  const char *mask = m->n_params ? m->params[0] : "*";
  SudaChannel *channel = _suda_server_find_channel (s->server, mask);

  if (channel)
    {
      who_service (s, channel->name);
      for (guint i = 0; i < channel->members->len; i++)
        {
          SudaMember *member = &g_array_index (channel->members, SudaMember, i);

          who_line (s, channel->name, member->session, member->flags);
        }
    }
  else if (suda_irc_casecmp (mask, suda_service_get_nick (s->server->service)) == 0)
    who_service (s, "*");
  else
    {
      SudaSession *who = suda_server_find_session (s->server, mask);

      if (who && who->registered)
        who_line (s, "*", who, 0);
    }
  _suda_session_numeric (s, "315", "%s :End of /WHO list.", mask);
}

static void
cmd_whois (SudaSession    *s,
           SudaIrcMessage *m)
{
  const char *nick = m->params[m->n_params > 1 ? 1 : 0];
  SudaSession *who = suda_server_find_session (s->server, nick);
  SudaService *service = s->server->service;

  if (suda_irc_casecmp (nick, suda_service_get_nick (service)) == 0)
    {
      const char *snick = suda_service_get_nick (service);

      _suda_session_numeric (s, "311", "%s %s %s * :%s", snick, snick, server_name (s), _("Suda service"));
      _suda_session_numeric (s, "312", "%s %s :Suda", snick, server_name (s));
      _suda_session_numeric (s, "318", "%s :End of /WHOIS list.", snick);
      return;
    }
  if (who == NULL || !who->registered)
    {
      _suda_session_numeric (s, "401", "%s :%s", nick, _("No such nick/channel"));
      _suda_session_numeric (s, "318", "%s :End of /WHOIS list.", nick);
      return;
    }
  _suda_session_numeric (s, "311", "%s %s %s * :%s", who->nick, who->user, who->host, who->realname);
  if (who->channels->len)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < who->channels->len; i++)
        {
          SudaChannel *channel = g_ptr_array_index (who->channels, i);
          SudaMember *member = suda_channel_find_member (channel, who);

          if (list->len)
            g_string_append_c (list, ' ');
          append_prefixes (list, member ? member->flags : 0, s);
          g_string_append (list, channel->name);
        }
      _suda_session_numeric (s, "319", "%s :%s", who->nick, list->str);
    }
  _suda_session_numeric (s, "312", "%s %s :Suda", who->nick, server_name (s));
  if (who->away)
    _suda_session_numeric (s, "301", "%s :%s", who->nick, who->away);
  if (who->oper)
    _suda_session_numeric (s, "313", "%s :is an IRC operator", who->nick);
  _suda_session_numeric (s, "317", "%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " :seconds idle, signon time",
                         who->nick, (g_get_monotonic_time () - who->last_active) / G_USEC_PER_SEC,
                         g_date_time_to_unix (who->connected_at));
  _suda_session_numeric (s, "318", "%s :End of /WHOIS list.", who->nick);
}

/* MODE ---------------------------------------------------------------------- */

static void
user_mode (SudaSession    *s,
           SudaIrcMessage *m)
{
  const char *changes;
  gboolean add = TRUE;
  g_autoptr(GString) applied = g_string_new (NULL);
  char last_sign = 0;

  if (suda_irc_casecmp (m->params[0], s->nick) != 0)
    {
      if (suda_server_find_session (s->server, m->params[0]))
        _suda_session_numeric (s, "502", ":%s", _("Can't change mode for other users"));
      else
        _suda_session_numeric (s, "401", "%s :%s", m->params[0], _("No such nick/channel"));
      return;
    }
  if (m->n_params < 2)
    {
      _suda_session_numeric (s, "221", "+%s%s", s->invisible ? "i" : "", s->oper ? "o" : "");
      return;
    }
  for (changes = m->params[1]; *changes; changes++)
    {
      switch (*changes)
        {
        case '+': add = TRUE; break;
        case '-': add = FALSE; break;
        case 'i':
          if (s->invisible != add)
            {
              s->invisible = add;
              if (last_sign != (add ? '+' : '-'))
                g_string_append_c (applied, last_sign = add ? '+' : '-');
              g_string_append_c (applied, 'i');
            }
          break;
        case 'o':
          if (!add && s->oper)
            {
              s->oper = FALSE;
              if (last_sign != '-')
                g_string_append_c (applied, last_sign = '-');
              g_string_append_c (applied, 'o');
            }
          break;
        default:
          _suda_session_numeric (s, "501", ":%s", _("Unknown MODE flag"));
          break;
        }
    }
  if (applied->len)
    _suda_session_sendf (s, ":%s MODE %s :%s\r\n", s->mask, s->nick, applied->str);
}

static void
channel_mode (SudaSession    *s,
              SudaIrcMessage *m)
{
  SudaChannel *channel = _suda_server_find_channel (s->server, m->params[0]);
  g_autoptr(GString) applied = g_string_new (NULL);
  g_autoptr(GString) args = g_string_new (NULL);
  guint next_arg = 2, n_changes = 0;
  gboolean add = TRUE;
  char last_sign = 0;

  if (channel == NULL)
    {
      _suda_session_numeric (s, "403", "%s :%s", m->params[0], _("No such channel"));
      return;
    }
  if (m->n_params < 2)
    {
      g_autofree char *modes = suda_channel_dup_modes (channel, suda_channel_has_member (channel, s));

      _suda_session_numeric (s, "324", "%s %s", channel->name, modes);
      _suda_session_numeric (s, "329", "%s %" G_GINT64_FORMAT, channel->name, channel->created);
      return;
    }
  if ((g_str_equal (m->params[1], "b") || g_str_equal (m->params[1], "+b")) && m->n_params == 2)
    {
      for (guint i = 0; channel->bans && i < channel->bans->len; i++)
        _suda_session_numeric (s, "367", "%s %s", channel->name,
                               (char *) g_ptr_array_index (channel->bans, i));
      _suda_session_numeric (s, "368", "%s :End of channel ban list", channel->name);
      return;
    }
  if (!channel_for_op (s, m->params[0], TRUE))
    return;

  for (const char *p = m->params[1]; *p && n_changes < 4; p++)
    {
      char mode = *p;
      const char *arg = NULL;
      guint flag = 0;

      if (mode == '+' || mode == '-')
        {
          add = mode == '+';
          continue;
        }
      switch (mode)
        {
        case 'o':
        case 'v':
          {
            SudaSession *target;
            SudaMember *member;
            guint bit = mode == 'o' ? SUDA_MEMBER_OP : SUDA_MEMBER_VOICE;

            if (next_arg >= m->n_params)
              {
                need_more_params (s, "MODE");
                continue;
              }
            arg = m->params[next_arg++];
            target = suda_server_find_session (s->server, arg);
            member = target ? suda_channel_find_member (channel, target) : NULL;
            if (member == NULL)
              {
                _suda_session_numeric (s, "441", "%s %s :%s", arg, channel->name,
                                       _("They aren't on that channel"));
                continue;
              }
            if (((member->flags & bit) != 0) == add)
              continue;
            member->flags = add ? member->flags | bit : member->flags & ~bit;
            arg = target->nick;
          }
          break;
        case 'k':
          if (add)
            {
              if (next_arg >= m->n_params)
                {
                  need_more_params (s, "MODE");
                  continue;
                }
              arg = m->params[next_arg++];
              if (*arg == '\0' || strchr (arg, ','))
                {
                  _suda_session_numeric (s, "525", "%s :%s", channel->name, _("Key is not well-formed"));
                  continue;
                }
              g_free (channel->key);
              channel->key = g_strdup (arg);
            }
          else
            {
              if (next_arg < m->n_params)
                next_arg++;
              if (channel->key == NULL)
                continue;
              g_clear_pointer (&channel->key, g_free);
              arg = "*";
            }
          break;
        case 'l':
          if (add)
            {
              guint64 limit;

              if (next_arg >= m->n_params)
                {
                  need_more_params (s, "MODE");
                  continue;
                }
              arg = m->params[next_arg++];
              if (!g_ascii_string_to_unsigned (arg, 10, 1, 100000, &limit, NULL))
                {
                  _suda_session_numeric (s, "696", "%s l %s :%s", channel->name, arg,
                                         _("The limit must be a number from 1 to 100000"));
                  continue;
                }
              channel->limit = limit;
            }
          else
            {
              if (!channel->limit)
                continue;
              channel->limit = 0;
            }
          break;
        case 'b':
          {
            g_autofree char *folded = NULL;
            guint index;

            if (next_arg >= m->n_params)
              continue;
            arg = m->params[next_arg++];
            folded = suda_irc_casefold (arg);
            if (channel->bans == NULL)
              channel->bans = g_ptr_array_new_with_free_func (g_free);
            if (g_ptr_array_find_with_equal_func (channel->bans, folded, g_str_equal, &index) == add)
              continue;
            if (add && channel->bans->len >= 100)
              {
                _suda_session_numeric (s, "478", "%s %s :%s", channel->name, arg, _("Channel ban list is full"));
                continue;
              }
            if (add)
              g_ptr_array_add (channel->bans, g_steal_pointer (&folded));
            else
              g_ptr_array_remove_index (channel->bans, index);
          }
          break;
        case 'i': flag = SUDA_CHANNEL_INVITE_ONLY; break;
        case 'm': flag = SUDA_CHANNEL_MODERATED; break;
        case 'n': flag = SUDA_CHANNEL_NO_EXTERNAL; break;
        case 't': flag = SUDA_CHANNEL_TOPIC_LOCK; break;
        default:
          _suda_session_numeric (s, "472", "%c :%s", mode, _("is unknown mode char to me"));
          continue;
        }
      if (flag)
        {
          if (((channel->modes & flag) != 0) == add)
            continue;
          channel->modes = add ? channel->modes | flag : channel->modes & ~flag;
        }
      if (last_sign != (add ? '+' : '-'))
        g_string_append_c (applied, last_sign = add ? '+' : '-');
      g_string_append_c (applied, mode);
      if (arg)
        g_string_append_printf (args, " %s", arg);
      n_changes++;
    }

  if (applied->len)
    {
      g_autofree char *target = g_strdup_printf ("%s %s%s", channel->name, applied->str, args->str);
      SudaOutLine line = { .time = g_get_real_time (), .source = s->mask, .nick = s->nick,
                           .command = "MODE", .target = target };

      log_entry (s, "mode", channel->name, target + strlen (channel->name) + 1);
      broadcast (channel, &line, NULL);
      _suda_out_line_clear (&line);
    }
}

static void
cmd_mode (SudaSession    *s,
          SudaIrcMessage *m)
{
  if (suda_irc_is_channel (m->params[0]))
    channel_mode (s, m);
  else
    user_mode (s, m);
}

static void
cmd_invite (SudaSession    *s,
            SudaIrcMessage *m)
{
  SudaSession *target = suda_server_find_session (s->server, m->params[0]);
  SudaChannel *channel;

  if (target == NULL || !target->registered)
    {
      _suda_session_numeric (s, "401", "%s :%s", m->params[0], _("No such nick/channel"));
      return;
    }
  channel = _suda_server_find_channel (s->server, m->params[1]);
  if (channel == NULL)
    {
      _suda_session_numeric (s, "403", "%s :%s", m->params[1], _("No such channel"));
      return;
    }
  if (!channel_for_op (s, channel->name, channel->modes & SUDA_CHANNEL_INVITE_ONLY))
    return;
  if (suda_channel_has_member (channel, target))
    {
      _suda_session_numeric (s, "443", "%s %s :%s", target->nick, channel->name, _("is already on channel"));
      return;
    }
  if (channel->invited == NULL)
    channel->invited = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal, g_free, NULL);
  g_hash_table_add (channel->invited, g_strdup (target->nick));
  _suda_session_numeric (s, "341", "%s %s", target->nick, channel->name);
  _suda_session_sendf (target, ":%s INVITE %s %s\r\n", s->mask, target->nick, channel->name);
}

/* Messages ------------------------------------------------------------------ */

static void
add_history (SudaServer  *server,
             SudaChannel *channel,
             SudaOutLine *line)
{
  SudaHistory *history = _suda_server_get_history (server, channel->name);

  if (history)
    suda_history_add (history, line->time, line->source, line->command, line->text);
}

void
_suda_commands_deliver_message (SudaSession *s,
                                const char  *command,
                                const char  *target,
                                const char  *text,
                                const char  *client_tags)
{
  SudaServer *server = s->server;
  gboolean notice = g_str_equal (command, "NOTICE");
  SudaOutLine line = { .time = g_get_real_time (), .source = s->mask, .nick = s->nick,
                       .command = command, .target = target, .text = text,
                       .client_tags = client_tags };

  if (suda_irc_is_channel (target))
    {
      SudaChannel *channel = _suda_server_find_channel (server, target);
      SudaMember *member;

      if (channel == NULL)
        {
          if (!notice)
            _suda_session_numeric (s, "403", "%s :%s", target, _("No such channel"));
          return;
        }
      member = suda_channel_find_member (channel, s);
      if ((member == NULL && (channel->modes & SUDA_CHANNEL_NO_EXTERNAL)) ||
          ((channel->modes & SUDA_CHANNEL_MODERATED) && (member == NULL || member->flags == 0)))
        {
          if (!notice)
            _suda_session_numeric (s, "404", "%s :%s", channel->name, _("Cannot send to channel"));
          return;
        }
      line.target = channel->name;
      /* Logged before it is delivered: the log is written first at flush. */
      log_entry (s, notice ? "notice" : "message", channel->name, text);
      add_history (server, channel, &line);
      broadcast (channel, &line, (s->caps & SUDA_CAP_ECHO_MESSAGE) ? NULL : s);
      _suda_out_line_clear (&line);

      if (!notice && text[0] == '!')
        _suda_service_handle_message (server->service, s, channel->name, text);
      return;
    }

  if (suda_irc_casecmp (target, suda_service_get_nick (server->service)) == 0)
    {
      if (s->caps & SUDA_CAP_ECHO_MESSAGE)
        _suda_session_send_out_line (s, &line);
      _suda_out_line_clear (&line);
      if (!notice)
        _suda_service_handle_message (server->service, s, NULL, text);
      return;
    }

  {
    SudaSession *to = suda_server_find_session (server, target);
    g_autoptr(SudaLogEntry) entry = NULL;

    if (to == NULL || !to->registered)
      {
        if (!notice)
          _suda_session_numeric (s, "401", "%s :%s", target, _("No such nick/channel"));
        return;
      }
    line.target = to->nick;
    entry = suda_log_entry_new (line.time, "whisper", NULL, s->nick,
                                server->config->log_whisper_text ? text : NULL);
    suda_log_entry_set_field (entry, "target", to->nick);
    suda_server_log (server, entry);

    _suda_session_send_out_line (to, &line);
    /* A note to oneself arrives once, echo-message or not. */
    if ((s->caps & SUDA_CAP_ECHO_MESSAGE) && to != s)
      _suda_session_send_out_line (s, &line);
    _suda_out_line_clear (&line);
    if (!notice && to->away)
      _suda_session_numeric (s, "301", "%s :%s", to->nick, to->away);
  }
}

/* Client-only tags (+name=value) are relayed to message-tags clients;
 * anything else a client puts in tags is dropped. */
static char *
filter_client_tags (const char *tags)
{
  g_auto(GStrv) parts = NULL;
  GString *out;

  if (tags == NULL)
    return NULL;
  out = g_string_new (NULL);
  parts = g_strsplit (tags, ";", 64);
  for (guint i = 0; parts[i]; i++)
    {
      const char *tag = parts[i];
      const char *p;

      if (tag[0] != '+' || tag[1] == '\0')
        continue;
      for (p = tag + 1; *p && *p != '='; p++)
        if (!g_ascii_isalnum (*p) && !strchr ("-./", *p))
          break;
      if (*p != '\0' && *p != '=')
        continue;
      if (out->len + strlen (tag) + 1 > 4094)
        break;
      if (out->len)
        g_string_append_c (out, ';');
      g_string_append (out, tag);
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static void
message_command (SudaSession    *s,
                 SudaIrcMessage *m,
                 const char     *command)
{
  gboolean notice = g_str_equal (command, "NOTICE");
  g_auto(GStrv) targets = NULL;
  g_autofree char *client_tags = NULL;
  guint n;

  if (m->n_params < 1 || *m->params[0] == '\0')
    {
      if (!notice)
        _suda_session_numeric (s, "411", ":%s (%s)", _("No recipient given"), command);
      return;
    }
  if (m->n_params < 2 || *m->params[1] == '\0')
    {
      if (!notice)
        _suda_session_numeric (s, "412", ":%s", _("No text to send"));
      return;
    }
  targets = g_strsplit (m->params[0], ",", 0);
  n = g_strv_length (targets);
  if (n > s->server->config->max_targets)
    {
      const char *over = targets[s->server->config->max_targets];

      /* Name the first target over the limit, not the whole list: echoing
       * a long list would push the explanation past the line limit. */
      _suda_session_numeric (s, "407", "%s :%s", *over ? over : "*",
                             _("Too many targets. No message delivered"));
      return;
    }
  client_tags = filter_client_tags (m->tags);
  for (guint i = 0; i < n && !s->closing; i++)
    {
      gboolean dup = FALSE;

      for (guint j = 0; j < i; j++)
        dup |= suda_irc_casecmp (targets[i], targets[j]) == 0;
      if (!dup && *targets[i])
        _suda_commands_deliver_message (s, command, targets[i], m->params[1], client_tags);
    }
}

static void
cmd_privmsg (SudaSession    *s,
             SudaIrcMessage *m)
{
  message_command (s, m, "PRIVMSG");
}

static void
cmd_notice (SudaSession    *s,
            SudaIrcMessage *m)
{
  message_command (s, m, "NOTICE");
}

static void
cmd_tagmsg (SudaSession    *s,
            SudaIrcMessage *m)
{
  /* Accepted and dropped: typing notifications are not relayed yet. */
}

/* Information ---------------------------------------------------------------- */

static void
cmd_away (SudaSession    *s,
          SudaIrcMessage *m)
{
  const char *text = m->n_params ? m->params[0] : NULL;
  g_autofree char *cut = NULL;

  g_clear_pointer (&s->away, g_free);
  if (text && *text)
    {
      cut = g_strndup (text, suda_utf8_truncate (text, strlen (text), AWAYLEN));
      s->away = g_strdup (cut);
      _suda_session_numeric (s, "306", ":%s", _("You have been marked as being away"));
    }
  else
    _suda_session_numeric (s, "305", ":%s", _("You are no longer marked as being away"));

  {
    SudaOutLine line = { .time = g_get_real_time (), .source = s->mask, .nick = s->nick,
                         .command = "AWAY", .text = s->away };

    broadcast_to_peers (s, &line, FALSE, SUDA_CAP_AWAY_NOTIFY);
    _suda_out_line_clear (&line);
  }
}

static void
cmd_list (SudaSession    *s,
          SudaIrcMessage *m)
{
  GHashTableIter iter;
  SudaChannel *channel;

  _suda_session_numeric (s, "321", "Channel :Users  Name");
  g_hash_table_iter_init (&iter, s->server->channels);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &channel))
    _suda_session_numeric (s, "322", "%s %u :%s", channel->name,
                           channel->members->len + 1, channel->topic ? channel->topic : "");
  _suda_session_numeric (s, "323", ":End of /LIST");
}

static void
cmd_motd (SudaSession    *s,
          SudaIrcMessage *m)
{
  send_motd (s);
}

static void
cmd_lusers (SudaSession    *s,
            SudaIrcMessage *m)
{
  send_lusers (s);
}

static void
cmd_version (SudaSession    *s,
             SudaIrcMessage *m)
{
  _suda_session_numeric (s, "351", "suda-%s %s :Suda chat server", PACKAGE_VERSION, server_name (s));
  send_isupport (s);
}

static void
cmd_time (SudaSession    *s,
          SudaIrcMessage *m)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = g_date_time_format (now, "%A %B %d %Y -- %H:%M:%S %z");

  _suda_session_numeric (s, "391", "%s :%s", server_name (s), text);
}

static void
cmd_userhost (SudaSession    *s,
              SudaIrcMessage *m)
{
  g_autoptr(GString) reply = g_string_new (NULL);

  for (guint i = 0; i < m->n_params && i < 5; i++)
    {
      SudaSession *who = suda_server_find_session (s->server, m->params[i]);

      if (who == NULL || !who->registered)
        continue;
      if (reply->len)
        g_string_append_c (reply, ' ');
      g_string_append_printf (reply, "%s%s=%c%s@%s", who->nick, who->oper ? "*" : "",
                              who->away ? '-' : '+', who->user, who->host);
    }
  _suda_session_numeric (s, "302", ":%s", reply->str);
}

static void
cmd_ison (SudaSession    *s,
          SudaIrcMessage *m)
{
  g_autoptr(GString) reply = g_string_new (NULL);

  for (guint i = 0; i < m->n_params; i++)
    {
      g_auto(GStrv) nicks = g_strsplit (m->params[i], " ", 0);

      for (guint j = 0; nicks[j]; j++)
        {
          SudaSession *who = suda_server_find_session (s->server, nicks[j]);
          const char *nick = who && who->registered ? who->nick : NULL;

          if (suda_irc_casecmp (nicks[j], suda_service_get_nick (s->server->service)) == 0)
            nick = suda_service_get_nick (s->server->service);
          if (nick && reply->len + strlen (nick) < 400)
            g_string_append_printf (reply, "%s%s", reply->len ? " " : "", nick);
        }
    }
  _suda_session_numeric (s, "303", ":%s", reply->str);
}

/* Operators ------------------------------------------------------------------ */

static void
cmd_oper (SudaSession    *s,
          SudaIrcMessage *m)
{
  const char *hash = suda_server_config_get_operator_hash (s->server->config, m->params[0]);
  struct crypt_data data = { 0 };
  const char *computed;

  if (hash == NULL ||
      !(computed = crypt_r (m->params[1], hash, &data)) || computed[0] == '*' ||
      strcmp (computed, hash) != 0)
    {
      g_autofree char *text = g_strdup_printf ("failed OPER as %s", m->params[0]);

      _suda_session_numeric (s, "464", ":%s", _("Password incorrect"));
      log_entry (s, "error", NULL, text);
      return;
    }
  s->oper = TRUE;
  _suda_session_numeric (s, "381", ":%s", _("You are now an IRC operator"));
  _suda_session_sendf (s, ":%s MODE %s :+o\r\n", s->mask, s->nick);
  {
    g_autofree char *text = g_strdup_printf ("OPER as %s", m->params[0]);
    log_entry (s, "mode", NULL, text);
  }
}

static void
cmd_kill (SudaSession    *s,
          SudaIrcMessage *m)
{
  SudaSession *victim;
  g_autofree char *reason = NULL;

  if (!s->oper)
    {
      _suda_session_numeric (s, "481", ":%s", _("Permission Denied- You're not an IRC operator"));
      return;
    }
  victim = suda_server_find_session (s->server, m->params[0]);
  if (victim == NULL || !victim->registered)
    {
      _suda_session_numeric (s, "401", "%s :%s", m->params[0], _("No such nick/channel"));
      return;
    }
  reason = g_strdup_printf ("Killed (%s (%s))", s->nick, m->n_params > 1 ? m->params[1] : s->nick);
  {
    g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "kick", NULL, s->nick, reason);

    suda_log_entry_set_field (entry, "target", victim->nick);
    suda_server_log (s->server, entry);
  }
  _suda_session_close (victim, reason);
}

/* Dispatch ------------------------------------------------------------------- */

static const Command commands[] = {
  { "AWAY", cmd_away, 0, FALSE },
  { "CAP", cmd_cap, 1, TRUE },
  { "INVITE", cmd_invite, 2, FALSE },
  { "ISON", cmd_ison, 1, FALSE },
  { "JOIN", cmd_join, 1, FALSE },
  { "KICK", cmd_kick, 2, FALSE },
  { "KILL", cmd_kill, 1, FALSE },
  { "LIST", cmd_list, 0, FALSE },
  { "LUSERS", cmd_lusers, 0, FALSE },
  { "MODE", cmd_mode, 1, FALSE },
  { "MOTD", cmd_motd, 0, FALSE },
  { "NAMES", cmd_names, 0, FALSE },
  { "NICK", cmd_nick, 0, TRUE },
  { "NOTICE", cmd_notice, 0, FALSE },
  { "OPER", cmd_oper, 2, FALSE },
  { "PART", cmd_part, 1, FALSE },
  { "PASS", cmd_pass, 1, TRUE },
  { "PING", cmd_ping, 1, TRUE },
  { "PONG", cmd_pong, 0, TRUE },
  { "PRIVMSG", cmd_privmsg, 0, FALSE },
  { "QUIT", cmd_quit, 0, TRUE },
  { "TAGMSG", cmd_tagmsg, 1, FALSE },
  { "TIME", cmd_time, 0, FALSE },
  { "TOPIC", cmd_topic, 1, FALSE },
  { "USER", cmd_user, 4, TRUE },
  { "USERHOST", cmd_userhost, 1, FALSE },
  { "VERSION", cmd_version, 0, FALSE },
  { "WHO", cmd_who, 0, FALSE },
  { "WHOIS", cmd_whois, 1, FALSE },
};

static int
compare_command (const void *key,
                 const void *element)
{
  return strcmp (key, ((const Command *) element)->name);
}

gboolean _suda_commands_plain_line (SudaSession *s, char *line, gsize len);

static gboolean
looks_like_irc (const char *line)
{
  static const char * const first[] = { "CAP", "PASS", "NICK", "USER", "PING", "QUIT" };
  gsize word = strcspn (line, " ");

  if (line[0] == '@' || line[0] == ':')
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (first); i++)
    if (word == strlen (first[i]) && g_ascii_strncasecmp (line, first[i], word) == 0)
      return TRUE;
  return FALSE;
}

void
_suda_commands_dispatch (SudaSession *s,
                         char        *line,
                         gsize        len)
{
  g_autoptr(GError) error = NULL;
  SudaIrcMessage m;
  const Command *command;
  const char *body = line;
  gsize body_len = len;

  if (len == 0 || strspn (line, " ") == len)
    return;  /* RFC 1459: empty lines are ignored silently */

  if (strlen (line) != len)
    {
      fail (s, "*", "INVALID_CHARACTER", _("Line rejected: it contains a NUL byte"));
      return;
    }
  if (strchr (line, '\r'))
    {
      fail (s, "*", "INVALID_CHARACTER", _("Line rejected: it contains a bare carriage return"));
      return;
    }
  if (!g_utf8_validate (line, len, NULL))
    {
      fail (s, "*", "INVALID_UTF8", _("Line rejected: it is not valid UTF-8"));
      return;
    }
  if (line[0] == '@')
    {
      const char *space = strchr (line, ' ');

      /* IRCv3 caps the tags at 8191 bytes with the '@' and the space. */
      if ((space ? (gsize) (space - line) + 1 : len) > SUDA_IRC_MAX_TAGS)
        {
          _suda_session_numeric (s, "417", ":%s", _("Input line was too long"));
          _suda_session_close (s, "Line too long");
          return;
        }
      /* Tags and no command: malformed, which the parser reports below. */
      body = space ? space + 1 : line + len;
      body_len = len - (body - line);
    }
  /* The limit counts the line's CR LF, which the buffer has stripped. */
  if (body_len + 2 > s->server->config->max_line)
    {
      _suda_session_numeric (s, "417", ":%s", _("Input line was too long"));
      _suda_session_close (s, "Line too long");
      return;
    }

  /* A first line that is no IRC registration makes a plain-text session,
   * so nc, telnet and the seeds' console clients can chat. */
  if (!s->registered && !s->greeted && !looks_like_irc (line))
    {
      s->plain = TRUE;
      s->greeted = TRUE;
      _suda_commands_plain_line (s, line, len);
      return;
    }

  if (!suda_irc_message_parse (&m, line, &error))
    {
      if (!g_error_matches (error, SUDA_IRC_ERROR, SUDA_IRC_ERROR_EMPTY))
        _suda_session_numeric (s, "421", "* :%s", _("Malformed line"));
      return;
    }

  s->greeted = TRUE;

  command = bsearch (m.command, commands, G_N_ELEMENTS (commands), sizeof (Command), compare_command);
  if (command == NULL)
    {
      if (s->registered)
        _suda_session_numeric (s, "421", "%s :%s", m.command, _("Unknown command"));
      else
        _suda_session_numeric (s, "451", ":%s", _("You have not registered"));
      return;
    }
  if (!s->registered && !command->before_registration)
    {
      _suda_session_numeric (s, "451", ":%s", _("You have not registered"));
      return;
    }
  if (m.n_params < command->min_params)
    {
      need_more_params (s, command->name);
      return;
    }
  command->func (s, &m);
}
