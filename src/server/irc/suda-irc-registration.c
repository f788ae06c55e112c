/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Registration: CAP, PASS, NICK, USER, then the welcome burst (001–005,
 * LUSERS, MOTD); PING, PONG and QUIT, which work before it too. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

static const struct {
  const char *name;
  SudaCap     cap;
} capabilities[] = {
  { "account-notify", SUDA_CAP_ACCOUNT_NOTIFY },
  { "account-tag", SUDA_CAP_ACCOUNT_TAG },
  { "away-notify", SUDA_CAP_AWAY_NOTIFY },
  { "batch", SUDA_CAP_BATCH },
  /* The caps never change while the server runs: there is nothing to
   * notify yet, which cap-notify allows. */
  { "cap-notify", SUDA_CAP_CAP_NOTIFY },
  /* REGISTER works before CAP END (with a nick): the account is the nick. */
  { "draft/account-registration", SUDA_CAP_ACCOUNT_REGISTRATION },
  { "draft/chathistory", SUDA_CAP_CHATHISTORY },
  /* CHATHISTORY also gives joins, parts, quits, nicks, kicks, topics and modes. */
  { "draft/event-playback", SUDA_CAP_EVENT_PLAYBACK },
  { "draft/message-redaction", SUDA_CAP_MESSAGE_REDACTION },
  { "draft/multiline", SUDA_CAP_MULTILINE },
  { "draft/read-marker", SUDA_CAP_READ_MARKER },
  { "echo-message", SUDA_CAP_ECHO_MESSAGE },
  { "extended-join", SUDA_CAP_EXTENDED_JOIN },
  { "extended-monitor", SUDA_CAP_EXTENDED_MONITOR },
  { "invite-notify", SUDA_CAP_INVITE_NOTIFY },
  { "labeled-response", SUDA_CAP_LABELED_RESPONSE },
  { "message-tags", SUDA_CAP_MESSAGE_TAGS },
  { "multi-prefix", SUDA_CAP_MULTI_PREFIX },
  { "sasl", SUDA_CAP_SASL },
  { "server-time", SUDA_CAP_SERVER_TIME },
  { "setname", SUDA_CAP_SETNAME },
  /* FAIL replies are sent where the specs ask (CHATHISTORY, REDACT, MARKREAD,
   * BATCH, SETNAME, bad bytes); taking the cap says a client reads any. */
  { "standard-replies", SUDA_CAP_STANDARD_REPLIES },
  { "userhost-in-names", SUDA_CAP_USERHOST_IN_NAMES },
};

/* IRCv3 Strict Transport Security, when TLS is on: on the clear port the
 * policy says where to go (port=), on the TLS port how long to remember
 * it (duration=).  It is no cap to request: it is only listed. */
static void
append_sts (SudaClient *c,
            GString    *list)
{
  const SudaServerConfig *config = c->core->config;

  if (c->core->tls_port == 0)
    return;
  if (list->len)
    g_string_append_c (list, ' ');
  if (_suda_session_is_secure (c->session))
    g_string_append_printf (list, "sts=duration=%u", config->sts_duration_s);
  else
    g_string_append_printf (list, "sts=port=%u,duration=%u", c->core->tls_port,
                            config->sts_duration_s);
}

void
_suda_irc_try_register (SudaClient *c)
{
  /* A password being checked (SASL, REGISTER) is waited for. */
  if (c->registered || c->nick == NULL || c->user == NULL || c->cap_negotiating || c->auth_checking)
    return;
  if (!_suda_delivery_register (c->core->delivery, c))
    {
      _suda_irc_reply (c, SUDA_ERR_PASSWDMISMATCH, NULL);
      _suda_client_close (c, _("Bad password"));
      return;
    }
  c->protocol->welcome (c);
  /* The IRC welcome checks the nick itself; a plain-text one does not. */
  if (c->protocol->plain)
    _suda_irc_account_check_nick (c);
}

void
_suda_irc_send_isupport (SudaClient *c)
{
  const SudaServerConfig *config = c->core->config;
  const char *service = _suda_registry_get_service_nick (c->core->registry);
  /* Clients find the service user by this vendor token, not by a fixed nick. */
  g_autofree char *service_token = service ? g_strdup_printf (" suda.chat/SERVICE=%s", service) : NULL;
  /* Uploads (soju.im/FILEHOST): the address this client can reach. */
  g_autofree char *files_url = _suda_irc_files_dup_url (c);

  /* At most 13 tokens a line: the line keeps IRC's 15 parameters. */
  _suda_irc_replyf (c, "005",
                    "AWAYLEN=%d CASEMAPPING=rfc1459 CHANLIMIT=#:%u CHANMODES=beI,k,l,imnpst "
                    "CHANNELLEN=%d CHANTYPES=# ELIST=CMNTU EXCEPTS=e EXTBAN=,m INVEX=I "
                    ":are supported by this server",
                    SUDA_IRC_AWAYLEN, config->max_channels, SUDA_IRC_CHANNELLEN);
  _suda_irc_replyf (c, "005",
                    "KICKLEN=%d KNOCK MAXLIST=beI:%d MAXTARGETS=%u MODES=4 NETWORK=%s NICKLEN=%d "
                    "PREFIX=(ov)@+ STATUSMSG=@+ :are supported by this server",
                    SUDA_IRC_KICKLEN, SUDA_IRC_MAX_LIST, config->max_targets, config->network_name,
                    SUDA_IRC_NICKLEN);
  _suda_irc_replyf (c, "005",
                    "TARGMAX=PRIVMSG:%u,NOTICE:%u,JOIN:,PART:,KICK:%u,NAMES:%u,LIST:%u,WHOIS:1,WHOWAS:%u "
                    "TOPICLEN=%d UTF8ONLY WHOX%s :are supported by this server",
                    config->max_targets, config->max_targets, config->max_targets, config->max_targets,
                    config->max_targets, config->max_targets, SUDA_IRC_TOPICLEN,
                    service_token ? service_token : "");
  _suda_irc_replyf (c, "005", "BOT=B CHATHISTORY=%d MONITOR=%d MSGREFTYPES=msgid,timestamp%s%s "
                    ":are supported by this server",
                    SUDA_IRC_CHATHISTORY_MAX, SUDA_IRC_MONITOR_MAX,
                    files_url ? " soju.im/FILEHOST=" : "", files_url ? files_url : "");
}

void
_suda_irc_send_lusers (SudaClient *c)
{
  SudaRegistry *registry = c->core->registry;
  guint users = _suda_registry_get_n_registered (registry);
  guint max = _suda_registry_get_max_registered (registry);
  guint opers = _suda_registry_count_opers (registry);
  guint invisible = _suda_registry_count_invisible (registry);
  guint unknown = _suda_registry_get_n_connections (registry) - users;

  /* Visible plus invisible is the 266 count, as clients check; the service
   * user is no connection and is counted in none. */
  _suda_irc_replyf (c, "251", ":There are %u users and %u invisible on 1 servers",
                    users - invisible, invisible);
  if (opers)
    _suda_irc_replyf (c, "252", "%u :operator(s) online", opers);
  if (unknown)
    _suda_irc_replyf (c, "253", "%u :unknown connection(s)", unknown);
  _suda_irc_replyf (c, "254", "%u :channels formed", _suda_registry_get_n_channels (registry));
  _suda_irc_replyf (c, "255", ":I have %u clients and 0 servers", users);
  _suda_irc_replyf (c, "265", "%u %u :Current local users %u, max %u", users, max, users, max);
  _suda_irc_replyf (c, "266", "%u %u :Current global users %u, max %u", users, max, users, max);
}

void
_suda_irc_send_motd (SudaClient *c)
{
  const char *motd = c->core->config->motd;
  g_auto(GStrv) lines = NULL;

  if (motd == NULL || *motd == '\0')
    {
      _suda_irc_reply (c, SUDA_ERR_NOMOTD, NULL);
      return;
    }
  /* GKeyFile has already turned the file's "\n" into a real newline: each
   * line is a 372 of its own, and no CR or LF may reach the wire. */
  lines = g_strsplit (motd, "\n", -1);
  _suda_irc_replyf (c, "375", ":- %s Message of the day - ", _suda_irc_server_name (c));
  for (guint i = 0; lines[i]; i++)
    _suda_irc_replyf (c, "372", ":- %s", g_strdelimit (lines[i], "\r", ' '));
  _suda_irc_reply (c, SUDA_RPL_ENDOFMOTD, NULL);
}

void
_suda_irc_welcome (SudaClient *c)
{
  const SudaServerConfig *config = c->core->config;
  const char *name = config->server_name;
  g_autofree char *ping = g_strdup_printf ("PING :%s\r\n", name);

  /* Registered IRC clients answer PING, so an idle one is asked. */
  _suda_session_set_keepalive (c->session, ping);
  _suda_irc_replyf (c, "001", ":Welcome to the %s IRC Network, %s", config->network_name, c->mask);
  _suda_irc_replyf (c, "002", ":Your host is %s, running version suda-%s", name, PACKAGE_VERSION);
  _suda_irc_replyf (c, "003", ":This server was created %s", c->core->created_text);
  _suda_irc_replyf (c, "004", "%s suda-%s Biow beIiklmnopstv beIklov", name, PACKAGE_VERSION);
  _suda_irc_send_isupport (c);
  _suda_irc_send_lusers (c);
  _suda_irc_send_motd (c);
  _suda_irc_account_welcomed (c);
}

/* The caps of accounts are offered only when there is a store. */
static gboolean
is_offered (SudaClient *c,
            guint       cap)
{
  if (cap == SUDA_CAP_SASL || cap == SUDA_CAP_ACCOUNT_REGISTRATION)
    return c->core->accounts != NULL;
  return TRUE;
}

static const char *
cap_value (guint cap)
{
  switch (cap)
    {
    case SUDA_CAP_MULTILINE: return "=" SUDA_IRC_MULTILINE_VALUE;
    case SUDA_CAP_SASL: return "=" SUDA_IRC_SASL_MECHANISMS;
    case SUDA_CAP_ACCOUNT_REGISTRATION: return "=before-connect";
    default: return "";
    }
}

/* LIST (space-separated caps) in pieces of at most BUDGET bytes, each a
 * whole number of caps; one piece, maybe empty, at least. */
GPtrArray *
_suda_irc_split_caps (const char *list,
                      gsize       budget)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) piece = g_string_new (NULL);

  for (const char *p = list; *p != '\0'; p += *p == ' ')
    {
      gsize n = strcspn (p, " ");

      if (n > 0 && piece->len > 0 && piece->len + 1 + n > budget)
        {
          g_ptr_array_add (pieces, g_strdup (piece->str));
          g_string_truncate (piece, 0);
        }
      if (n > 0 && piece->len > 0)
        g_string_append_c (piece, ' ');
      g_string_append_len (piece, p, n);
      p += n;
    }
  g_ptr_array_add (pieces, g_strdup (piece->str));
  return pieces;
}

/* A CAP LS or LIST reply.  A client that said CAP LS 302 reads it over
 * several lines, all but the last marked "*", so that no line passes 512
 * bytes; an older client gets one line, as it expects. */
static void
send_cap_lines (SudaClient *c,
                const char *sub,
                const char *list)
{
  g_autofree char *head = g_strdup_printf (":%s CAP %s %s ", _suda_irc_server_name (c),
                                           _suda_client_target_name (c), sub);
  gsize used = strlen (head) + strlen ("* :\r\n");
  gsize budget = c->cap_302 && used < SUDA_IRC_MAX_LINE ? SUDA_IRC_MAX_LINE - used : G_MAXSIZE;
  g_autoptr(GPtrArray) pieces = _suda_irc_split_caps (list, budget);

  for (guint i = 0; i < pieces->len; i++)
    _suda_irc_sendf (c, "%s%s:%s\r\n", head, i + 1 < pieces->len ? "* " : "",
                     (const char *) g_ptr_array_index (pieces, i));
}

static void
cap_list (SudaClient *c,
          gboolean    ls,
          const char *version)
{
  g_autoptr(GString) list = g_string_new (NULL);

  if (ls && !c->registered)
    c->cap_negotiating = TRUE;
  /* CAP LS 302 turns cap-notify on for good (IRCv3 capability negotiation). */
  if (ls && version && g_ascii_strtoull (version, NULL, 10) >= 302)
    {
      c->cap_302 = TRUE;
      c->caps |= SUDA_CAP_CAP_NOTIFY;
    }
  for (guint i = 0; i < G_N_ELEMENTS (capabilities); i++)
    if ((ls && is_offered (c, capabilities[i].cap)) || (c->caps & capabilities[i].cap))
      {
        if (list->len)
          g_string_append_c (list, ' ');
        g_string_append (list, capabilities[i].name);
        /* CAP LS 302 carries values. */
        if (ls && c->cap_302)
          g_string_append (list, cap_value (capabilities[i].cap));
      }
  if (ls)
    append_sts (c, list);
  send_cap_lines (c, ls ? "LS" : "LIST", list->str);
}

static void
cap_req (SudaClient *c,
         const char *wanted)
{
  g_auto(GStrv) names = g_strsplit (wanted, " ", -1);
  guint add = 0, remove = 0;
  gboolean ok = TRUE;

  if (!c->registered)
    c->cap_negotiating = TRUE;
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
      if (j == G_N_ELEMENTS (capabilities) || !is_offered (c, capabilities[j].cap))
        ok = FALSE;
      else if (minus && capabilities[j].cap == SUDA_CAP_CAP_NOTIFY && c->cap_302)
        ok = FALSE;
      else if (minus)
        remove |= capabilities[j].cap;
      else
        add |= capabilities[j].cap;
    }
  if (ok)
    c->caps = (c->caps | add) & ~remove;
  /* A NAK echoes whatever was asked for: the line is cut to 512 bytes. */
  _suda_irc_sendf (c, ":%s CAP %s %s :%s\r\n", _suda_irc_server_name (c),
                   _suda_client_target_name (c), ok ? "ACK" : "NAK", wanted);
}

void
_suda_irc_cmd_cap (SudaClient     *c,
                   SudaIrcMessage *m)
{
  const char *sub = m->params[0];

  if (g_ascii_strcasecmp (sub, "LS") == 0 || g_ascii_strcasecmp (sub, "LIST") == 0)
    cap_list (c, g_ascii_strcasecmp (sub, "LS") == 0, m->n_params > 1 ? m->params[1] : NULL);
  else if (g_ascii_strcasecmp (sub, "REQ") == 0)
    cap_req (c, m->n_params > 1 ? m->params[1] : "");
  else if (g_ascii_strcasecmp (sub, "END") == 0)
    {
      /* IRCv3 sasl: an exchange the client left halfway is aborted. */
      _suda_irc_sasl_abort (c);
      c->cap_negotiating = FALSE;
      _suda_irc_try_register (c);
    }
  else
    _suda_irc_reply (c, SUDA_ERR_INVALIDCAPCMD, sub, NULL);
}

void
_suda_irc_cmd_pass (SudaClient     *c,
                    SudaIrcMessage *m)
{
  if (c->registered)
    {
      _suda_irc_reply (c, SUDA_ERR_ALREADYREGISTERED, NULL);
      return;
    }
  g_free (c->pass);
  c->pass = g_strdup (m->params[0]);
}

/* A room where C is banned without op or voice keeps its nick: else a
 * new nick would slip past the ban. */
static gboolean
banned_somewhere (SudaClient *c,
                  const char *nick)
{
  for (guint i = 0; i < c->channels->len; i++)
    {
      SudaChannel *channel = g_ptr_array_index (c->channels, i);
      SudaMember *member = suda_channel_find_member (channel, c);

      if (channel->bans && member && member->flags == 0 && _suda_irc_is_banned (channel, c))
        {
          _suda_irc_reply (c, SUDA_ERR_BANONCHAN, nick, channel->name, NULL);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
check_nick (SudaClient *c,
            const char *nick)
{
  if (!suda_irc_is_valid_nick (nick, SUDA_IRC_NICKLEN))
    {
      _suda_irc_reply (c, SUDA_ERR_ERRONEUSNICKNAME, nick, NULL);
      return FALSE;
    }
  if (_suda_registry_nick_in_use (c->core->registry, nick) &&
      !(c->nick && suda_irc_casecmp (c->nick, nick) == 0) &&
      !_suda_irc_account_reclaim (c, nick))
    {
      _suda_irc_reply (c, SUDA_ERR_NICKNAMEINUSE, nick, NULL);
      return FALSE;
    }
  if (c->registered && c->nick && g_strcmp0 (c->nick, nick) != 0 && banned_somewhere (c, nick))
    return FALSE;
  return TRUE;
}

void
_suda_irc_change_nick (SudaClient *c,
                       const char *nick)
{
  if (!check_nick (c, nick) || g_strcmp0 (c->nick, nick) == 0)
    return;
  if (suda_irc_casecmp (c->nick ? c->nick : "", nick) != 0)
    _suda_irc_remember_nick (c);
  _suda_delivery_nick (c->core->delivery, c, nick);
  if (!c->registered)
    _suda_irc_try_register (c);
  else
    _suda_irc_account_check_nick (c);
}

void
_suda_irc_cmd_nick (SudaClient     *c,
                    SudaIrcMessage *m)
{
  if (m->n_params == 0 || *m->params[0] == '\0')
    {
      _suda_irc_reply (c, SUDA_ERR_NONICKNAMEGIVEN, NULL);
      return;
    }
  _suda_irc_change_nick (c, m->params[0]);
}

void
_suda_irc_cmd_user (SudaClient     *c,
                    SudaIrcMessage *m)
{
  char user[16];

  if (c->registered || c->user)
    {
      _suda_irc_reply (c, SUDA_ERR_ALREADYREGISTERED, NULL);
      return;
    }
  if (*m->params[0] == '\0' || *m->params[3] == '\0')
    {
      _suda_irc_reply (c, SUDA_ERR_NEEDMOREPARAMS, "USER", NULL);
      return;
    }
  /* Ident is not checked: a '~' marks the user name as unverified. */
  g_snprintf (user, sizeof user, "~%s", m->params[0]);
  for (char *p = user; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("~-_.", *p))
      *p = '_';
  c->user = g_strdup (user);
  c->realname = g_strdup (m->params[3]);
  _suda_irc_try_register (c);
}

/* The token a PONG always has room for, however long the server's name. */
#define MIN_PONG_TOKEN 64

void
_suda_irc_cmd_ping (SudaClient     *c,
                    SudaIrcMessage *m)
{
  const char *name = _suda_irc_server_name (c);
  gsize head = 2 * strlen (name) + strlen (":  PONG  :\r\n");
  g_autofree char *token = NULL;

  /* ":server PONG server :token", cut to 512 bytes; but the client matches
   * the token, so when a long server name leaves it too little room, the
   * middle parameter goes instead. */
  if (head + MIN_PONG_TOKEN > SUDA_IRC_MAX_LINE)
    {
      _suda_irc_sendf (c, ":%s PONG :%s\r\n", name, m->params[0]);
      return;
    }
  token = g_strndup (m->params[0], suda_utf8_truncate (m->params[0], strlen (m->params[0]),
                                                       SUDA_IRC_MAX_LINE - head));
  _suda_irc_send_line (c, name, "PONG", name, token);
}

void
_suda_irc_cmd_pong (SudaClient     *c,
                    SudaIrcMessage *m)
{
  /* Any line read answers the keepalive: the session saw this one. */
}

#define SUDA_IRC_REALNAMELEN 100

/* SETNAME (IRCv3 setname): a new real name, told to its owner and to
 * those who follow the cap. */
void
_suda_irc_cmd_setname (SudaClient     *c,
                       SudaIrcMessage *m)
{
  const char *name = m->params[0];

  if (*name == '\0' || strlen (name) > SUDA_IRC_REALNAMELEN)
    {
      _suda_irc_fail (c, "SETNAME", "INVALID_REALNAME", _("The real name is empty or too long"));
      return;
    }
  g_free (c->realname);
  c->realname = g_strdup (name);
  _suda_irc_announce_realname (c);
}

void
_suda_irc_cmd_quit (SudaClient     *c,
                    SudaIrcMessage *m)
{
  g_autofree char *reason = g_strdup_printf ("Quit: %s", m->n_params ? m->params[0] : "");

  _suda_client_close (c, reason);
}
