/* SPDX-License-Identifier: GPL-3.0-or-later */
/* About the server itself: INFO, LINKS, ADMIN, STATS and HELP (HELPOP). */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

/* One server, no links: a target that is not this server is none. */
static gboolean
is_this_server (SudaClient *c,
                const char *target)
{
  g_autofree char *pattern = suda_irc_casefold (target);
  g_autofree char *name = suda_irc_casefold (_suda_irc_server_name (c));

  return g_pattern_match_simple (pattern, name);
}

static gboolean
check_target (SudaClient     *c,
              SudaIrcMessage *m,
              guint           index)
{
  if (m->n_params > index && *m->params[index] && !is_this_server (c, m->params[index]))
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHSERVER, m->params[index], NULL);
      return FALSE;
    }
  return TRUE;
}

void
_suda_irc_cmd_info (SudaClient     *c,
                    SudaIrcMessage *m)
{
  if (!check_target (c, m, 0))
    return;
  _suda_irc_replyf (c, "371", ":Suda %s", PACKAGE_VERSION);
  _suda_irc_replyf (c, "371", ":%s", _("A self-hostable chat server for a class, a lab or a team."));
  _suda_irc_replyf (c, "371", ":%s", _("Free software under the GNU General Public License, version 3 or later."));
  if (c->core->started_at)
    {
      g_autofree char *when = g_date_time_format (c->core->started_at, "%Y-%m-%d %H:%M:%S %Z");

      _suda_irc_replyf (c, "371", ":%s %s", _("Running since"), when);
    }
  _suda_irc_reply (c, SUDA_RPL_ENDOFINFO, NULL);
}

void
_suda_irc_cmd_links (SudaClient     *c,
                     SudaIrcMessage *m)
{
  const char *mask = m->n_params ? m->params[m->n_params - 1] : "*";
  const char *name = _suda_irc_server_name (c);

  if (is_this_server (c, mask))
    _suda_irc_replyf (c, "364", "%s %s :0 %s", name, name, _("Suda chat server"));
  _suda_irc_reply (c, SUDA_RPL_ENDOFLINKS, mask, NULL);
}

/* ADMIN: [server] admin-location and admin-email, when the config has them. */
void
_suda_irc_cmd_admin (SudaClient     *c,
                     SudaIrcMessage *m)
{
  const SudaServerConfig *config = c->core->config;
  const char *location = config->admin_location && *config->admin_location
                         ? config->admin_location : _("No administrative location is configured");
  const char *email = config->admin_email && *config->admin_email
                      ? config->admin_email : _("No administrative contact is configured");

  if (!check_target (c, m, 0))
    return;
  _suda_irc_replyf (c, "256", "%s :%s", _suda_irc_server_name (c), _("Administrative info"));
  _suda_irc_replyf (c, "257", ":%s", location);
  _suda_irc_replyf (c, "258", ":%s %s", config->network_name, _("chat network"));
  _suda_irc_replyf (c, "259", ":%s", email);
}

static void
stats_uptime (SudaClient *c)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  gint64 up = c->core->started_at ? g_date_time_difference (now, c->core->started_at) / G_USEC_PER_SEC : 0;

  _suda_irc_replyf (c, "242", ":Server Up %" G_GINT64_FORMAT " days %" G_GINT64_FORMAT ":%02d:%02d",
                    up / 86400, (up / 3600) % 24, (int) (up / 60) % 60, (int) (up % 60));
}

static void
stats_commands (SudaClient *c)
{
  const char *name;

  for (guint i = 0; (name = _suda_irc_command_name (i, NULL)) != NULL; i++)
    if (c->core->irc->counts[i])
      _suda_irc_replyf (c, "212", "%s %u %" G_GUINT64_FORMAT " 0", name, c->core->irc->counts[i],
                        c->core->irc->bytes[i]);
}

void
_suda_irc_cmd_stats (SudaClient     *c,
                     SudaIrcMessage *m)
{
  char letter = m->n_params && *m->params[0] ? m->params[0][0] : '*';
  char query[2] = { letter, '\0' };

  if (!check_target (c, m, 1))
    return;
  if (letter == 'u')
    stats_uptime (c);
  else if (letter == 'm')
    stats_commands (c);
  _suda_irc_reply (c, SUDA_RPL_ENDOFSTATS, query, NULL);
}

/* HELP --------------------------------------------------------------------- */

static const struct {
  const char *name;
  const char *usage;
  const char *text;       /* N_() */
} help[] = {
  { "ADMIN", "ADMIN [<server>]", N_("Who runs this server and how to reach them.") },
  { "AUTHENTICATE", "AUTHENTICATE PLAIN|EXTERNAL, then AUTHENTICATE <base64>", N_("Logs into an account with SASL, before registering or after.") },
  { "AWAY", "AWAY [:<message>]", N_("Marks you away with a message; without one, back.") },
  { "CAP", "CAP LS [302] | REQ :<caps> | LIST | END", N_("Negotiates IRCv3 capabilities.") },
  { "CERTFP", "CERTFP ADD | REMOVE [<fingerprint>] | LIST", N_("Adds this connection's TLS client certificate to your account (for SASL EXTERNAL), removes one, or lists them.") },
  { "HELP", "HELP [<command>]", N_("Lists the commands, or explains one.") },
  { "INFO", "INFO", N_("About this server's software.") },
  { "INVITE", "INVITE [<nick> <#room>]", N_("Invites someone into a room; alone, lists your invitations.") },
  { "ISON", "ISON <nick> [<nick>...]", N_("Which of these nicks are online.") },
  { "JOIN", "JOIN <#room>[,<#room>...] [<key>[,<key>...]]", N_("Joins rooms (a new room makes you its operator); JOIN 0 leaves them all.") },
  { "KICK", "KICK <#room> <nick>[,<nick>...] [:<reason>]", N_("Puts people out of a room (room operators).") },
  { "KILL", "KILL <nick> [:<reason>]", N_("Disconnects someone (server operators).") },
  { "KNOCK", "KNOCK <#room> [:<message>]", N_("Asks the operators of an invite-only room to invite you.") },
  { "LINKS", "LINKS [<mask>]", N_("The servers of this network: this one.") },
  { "LIST", "LIST [<#room>,...|<filters>]", N_("Lists rooms; filters: >n <n users, C<n C>n created and T<n T>n topic minutes ago, masks, !masks.") },
  { "LUSERS", "LUSERS", N_("How many people, operators and rooms there are.") },
  { "MODE", "MODE <#room|nick> [<changes> [<parameters>]]", N_("Shows or changes modes: rooms +beIiklmnopstv, yourself +iw.") },
  { "MOTD", "MOTD", N_("The message of the day.") },
  { "NAMES", "NAMES [<#room>[,<#room>...]]", N_("Who is in these rooms.") },
  { "NICK", "NICK <nick>", N_("Changes your nickname.") },
  { "NOTICE", "NOTICE <target>[,<target>...] :<text>", N_("A message that is never answered automatically.") },
  { "OPER", "OPER <name> <password>", N_("Logs in as a server operator.") },
  { "PART", "PART <#room>[,<#room>...] [:<reason>]", N_("Leaves rooms.") },
  { "PASS", "PASS <password>", N_("The server's password, before registering.") },
  { "PING", "PING <token>", N_("Asks the server to answer PONG.") },
  { "PRIVMSG", "PRIVMSG <target>[,<target>...] :<text>", N_("Talks to a room or a person; @#room reaches its operators, +#room its voiced people too.") },
  { "QUIT", "QUIT [:<reason>]", N_("Leaves the server.") },
  { "REHASH", "REHASH", N_("Reads the config file again (server operators).") },
  { "REGISTER", "REGISTER <*|account> <email|*> <password>", N_("Creates an account named after your nick and logs you in; the e-mail is not kept.") },
  { "SETNAME", "SETNAME :<realname>", N_("Changes your real name.") },
  { "STATS", "STATS <u|m>", N_("Server statistics: u uptime, m commands used.") },
  { "TAGMSG", "TAGMSG <target>", N_("Sends only message tags (typing, reactions).") },
  { "TIME", "TIME", N_("The server's local time.") },
  { "TOPIC", "TOPIC <#room> [:<topic>]", N_("Shows or sets a room's topic.") },
  { "USER", "USER <user> 0 * :<realname>", N_("Registers, with NICK.") },
  { "USERHOST", "USERHOST <nick> [<nick>...]", N_("The user@host of these nicks.") },
  { "VERSION", "VERSION", N_("The server's version and features.") },
  { "WALLOPS", "WALLOPS :<text>", N_("A message to everyone with user mode +w (server operators).") },
  { "WHO", "WHO <mask|#room> [%<fields>[,<token>]]", N_("Who matches, with WHOX fields tcuihsnfdlaor.") },
  { "WHOIS", "WHOIS <nick>", N_("About one person.") },
  { "WHOWAS", "WHOWAS <nick> [<count>]", N_("Who had a nickname lately.") },
};

static void
help_index (SudaClient *c)
{
  g_autoptr(GString) line = g_string_new (NULL);
  const char *name;

  _suda_irc_replyf (c, "704", "* :%s", _("Commands (HELP <command> explains one):"));
  for (guint i = 0; (name = _suda_irc_command_name (i, NULL)) != NULL; i++)
    {
      if (line->len + strlen (name) > 60)
        {
          _suda_irc_replyf (c, "705", "* :%s", line->str);
          g_string_truncate (line, 0);
        }
      g_string_append_printf (line, "%s%s", line->len ? " " : "", name);
    }
  if (line->len)
    _suda_irc_replyf (c, "705", "* :%s", line->str);
  _suda_irc_reply (c, SUDA_RPL_ENDOFHELP, "*", NULL);
}

void
_suda_irc_cmd_help (SudaClient     *c,
                    SudaIrcMessage *m)
{
  g_autofree char *subject = NULL;
  const char *name;

  if (m->n_params == 0 || *m->params[0] == '\0')
    {
      help_index (c);
      return;
    }
  subject = g_ascii_strup (m->params[0], -1);
  for (guint i = 0; i < G_N_ELEMENTS (help); i++)
    if (g_str_equal (subject, help[i].name))
      {
        _suda_irc_replyf (c, "704", "%s :%s", help[i].name, help[i].usage);
        _suda_irc_replyf (c, "705", "%s :%s", help[i].name, _(help[i].text));
        _suda_irc_reply (c, SUDA_RPL_ENDOFHELP, help[i].name, NULL);
        return;
      }
  /* A command of the table with no text of its own still gets an answer. */
  for (guint i = 0; (name = _suda_irc_command_name (i, NULL)) != NULL; i++)
    if (g_str_equal (subject, name))
      {
        _suda_irc_replyf (c, "704", "%s :%s", name, name);
        _suda_irc_reply (c, SUDA_RPL_ENDOFHELP, name, NULL);
        return;
      }
  _suda_irc_reply (c, SUDA_ERR_HELPNOTFOUND, strchr (subject, ' ') ? "*" : subject, NULL);
}
