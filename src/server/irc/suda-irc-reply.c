/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replies to one client: the numerics table and the helpers that build
 * lines within the 512-byte limit, however long the server's name or the
 * user's input echoed in them. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gprintf.h>

#include "suda-irc-private.h"

static const struct {
  const char *number;
  const char *text;      /* marked N_() where a person reads it */
} numerics[SUDA_N_NUMERICS] = {
  [SUDA_RPL_UNAWAY]             = { "305", N_("You are no longer marked as being away") },
  [SUDA_RPL_NOWAWAY]            = { "306", N_("You have been marked as being away") },
  [SUDA_RPL_ENDOFWHO]           = { "315", "End of /WHO list." },
  [SUDA_RPL_ENDOFWHOIS]         = { "318", "End of /WHOIS list." },
  [SUDA_RPL_LISTEND]            = { "323", "End of /LIST" },
  [SUDA_RPL_NOTOPIC]            = { "331", "No topic is set" },
  [SUDA_RPL_ENDOFNAMES]         = { "366", "End of /NAMES list." },
  [SUDA_RPL_ENDOFBANLIST]       = { "368", "End of channel ban list" },
  [SUDA_RPL_ENDOFMOTD]          = { "376", "End of /MOTD command." },
  [SUDA_RPL_YOUREOPER]          = { "381", N_("You are now an IRC operator") },
  [SUDA_ERR_NOSUCHNICK]         = { "401", N_("No such nick/channel") },
  [SUDA_ERR_NOSUCHCHANNEL]      = { "403", N_("No such channel") },
  [SUDA_ERR_CANNOTSENDTOCHAN]   = { "404", N_("Cannot send to channel") },
  [SUDA_ERR_TOOMANYCHANNELS]    = { "405", N_("You have joined too many channels") },
  [SUDA_ERR_TOOMANYTARGETS]     = { "407", N_("Too many targets. No message delivered") },
  [SUDA_ERR_INVALIDCAPCMD]      = { "410", N_("Invalid CAP command") },
  [SUDA_ERR_NORECIPIENT]        = { "411", N_("No recipient given") },
  [SUDA_ERR_NOTEXTTOSEND]       = { "412", N_("No text to send") },
  [SUDA_ERR_INPUTTOOLONG]       = { "417", N_("Input line was too long") },
  [SUDA_ERR_UNKNOWNCOMMAND]     = { "421", N_("Unknown command") },
  [SUDA_ERR_MALFORMED]          = { "421", N_("Malformed line") },
  [SUDA_ERR_NOMOTD]             = { "422", N_("MOTD File is missing") },
  [SUDA_ERR_NONICKNAMEGIVEN]    = { "431", N_("No nickname given") },
  [SUDA_ERR_ERRONEUSNICKNAME]   = { "432", N_("Erroneous nickname") },
  [SUDA_ERR_NICKNAMEINUSE]      = { "433", N_("Nickname is already in use") },
  [SUDA_ERR_BANONCHAN]         = { "435", N_("Cannot change nickname while banned on channel") },
  [SUDA_ERR_USERNOTINCHANNEL]   = { "441", N_("They aren't on that channel") },
  [SUDA_ERR_NOTONCHANNEL]       = { "442", N_("You're not on that channel") },
  [SUDA_ERR_USERONCHANNEL]      = { "443", N_("is already on channel") },
  [SUDA_ERR_NOTREGISTERED]      = { "451", N_("You have not registered") },
  [SUDA_ERR_NEEDMOREPARAMS]     = { "461", N_("Not enough parameters") },
  [SUDA_ERR_ALREADYREGISTERED]  = { "462", N_("You may not reregister") },
  [SUDA_ERR_PASSWDMISMATCH]     = { "464", N_("Password incorrect") },
  [SUDA_ERR_CHANNELISFULL]      = { "471", N_("Cannot join channel (+l)") },
  [SUDA_ERR_UNKNOWNMODE]        = { "472", N_("is unknown mode char to me") },
  [SUDA_ERR_INVITEONLYCHAN]     = { "473", N_("Cannot join channel (+i)") },
  [SUDA_ERR_BANNEDFROMCHAN]     = { "474", N_("Cannot join channel (+b)") },
  [SUDA_ERR_BADCHANNELKEY]      = { "475", N_("Cannot join channel (+k)") },
  [SUDA_ERR_BANLISTFULL]        = { "478", N_("Channel ban list is full") },
  [SUDA_ERR_NOPRIVILEGES]       = { "481", N_("Permission Denied- You're not an IRC operator") },
  [SUDA_ERR_CHANOPRIVSNEEDED]   = { "482", N_("You're not channel operator") },
  [SUDA_ERR_UMODEUNKNOWNFLAG]   = { "501", N_("Unknown MODE flag") },
  [SUDA_ERR_USERSDONTMATCH]     = { "502", N_("Can't change mode for other users") },
  [SUDA_ERR_INVALIDKEY]         = { "525", N_("Key is not well-formed") },
  [SUDA_ERR_INVALIDMODEPARAM]   = { "696", N_("The limit must be a number from 1 to 100000") },
  [SUDA_RPL_ENDOFSTATS]         = { "219", "End of /STATS report" },
  [SUDA_RPL_ENDOFLINKS]         = { "365", "End of /LINKS list." },
  [SUDA_RPL_ENDOFINVITELIST]    = { "337", "End of /INVITE list." },
  [SUDA_RPL_ENDOFINVEXLIST]     = { "347", "End of channel invite exception list" },
  [SUDA_RPL_ENDOFEXCEPTLIST]    = { "349", "End of channel exception list" },
  [SUDA_RPL_ENDOFWHOWAS]        = { "369", "End of WHOWAS" },
  [SUDA_RPL_ENDOFINFO]          = { "374", "End of /INFO list." },
  [SUDA_RPL_REHASHING]          = { "382", N_("Rehashing") },
  [SUDA_ERR_NOSUCHSERVER]       = { "402", N_("No such server") },
  [SUDA_ERR_WASNOSUCHNICK]      = { "406", N_("There was no such nickname") },
  [SUDA_ERR_HELPNOTFOUND]       = { "524", N_("No help available on this topic") },
  [SUDA_RPL_ENDOFHELP]          = { "706", "End of /HELP." },
  [SUDA_RPL_KNOCKDLVR]          = { "711", N_("Your KNOCK has been delivered") },
  [SUDA_ERR_TOOMANYKNOCK]       = { "712", N_("Too many KNOCKs (wait a minute)") },
  [SUDA_ERR_CHANOPEN]           = { "713", N_("Channel is open") },
  [SUDA_ERR_KNOCKONCHAN]        = { "714", N_("You are already on that channel") },
};

const char *
_suda_irc_server_name (SudaClient *client)
{
  return client->core->config->server_name;
}

const char *
_suda_irc_text (SudaNumeric numeric)
{
  return _(numerics[numeric].text);
}

/* Cuts a built line ending in CR LF so that, without its tags, it keeps
 * the 512-byte limit. */
void
_suda_irc_fit (GString *out)
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

void
_suda_irc_sendf (SudaClient *client,
                 const char *format,
                 ...)
{
  g_autoptr(GString) out = g_string_new (NULL);
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (out, format, args);
  va_end (args);
  _suda_irc_fit (out);
  _suda_client_send (client, out->str, out->len);
}

void
_suda_irc_send_line (SudaClient *client,
                     const char *source,
                     const char *command,
                     const char *target,
                     const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *params[] = { target, text };

  suda_irc_append_line (out, NULL, source, command, params, G_N_ELEMENTS (params));
  _suda_irc_fit (out);
  _suda_client_send (client, out->str, out->len);
}

/* When the echoed parameters are what is too long, they are cut rather
 * than the explanation after " :" (a middle parameter holds no " :"). */
static void
send_numeric (SudaClient *client,
              const char *number,
              const char *body)
{
  g_autofree char *line = NULL;
  gsize len;

  if (client->protocol->plain)
    {
      /* A person reads the sentence, not the numeric around it. */
      const char *text = strstr (body, " :");

      text = text ? text + 2 : body[0] == ':' ? body + 1 : body;
      _suda_client_sendf (client, "*** %s\r\n", text);
      return;
    }
  line = g_strdup_printf (":%s %s %s %s", _suda_irc_server_name (client), number,
                          _suda_client_target_name (client), body);
  len = strlen (line);
  if (len > SUDA_IRC_MAX_LINE - 2)
    {
      /* From the space before the body, which may itself start with ':'. */
      const char *trailing = strstr (line + len - strlen (body) - 1, " :");
      gsize trailing_len = trailing ? strlen (trailing) : 0;
      gsize head_len = trailing ? (gsize) (trailing - line) : 0;
      gsize room = SUDA_IRC_MAX_LINE - 2 - MIN (trailing_len, SUDA_IRC_MAX_LINE - 2);

      if (trailing && trailing_len <= 200 && head_len > room)
        {
          gsize keep = suda_utf8_truncate (line, head_len, room);

          memmove (line + keep, trailing, trailing_len + 1);
          len = keep + trailing_len;
        }
      else
        len = suda_utf8_truncate (line, len, SUDA_IRC_MAX_LINE - 2);
    }
  _suda_client_send (client, line, len);
  _suda_client_send (client, "\r\n", 2);
}

/* The numeric with its table text after the parameters given (a NULL-ended
 * list of strings, none with a space but the last). */
void
_suda_irc_reply (SudaClient  *client,
                 SudaNumeric  numeric,
                 ...)
{
  g_autoptr(GString) body = g_string_new (NULL);
  const char *param;
  va_list args;

  va_start (args, numeric);
  while ((param = va_arg (args, const char *)) != NULL)
    g_string_append_printf (body, "%s ", param);
  va_end (args);
  g_string_append_printf (body, ":%s", _suda_irc_text (numeric));
  send_numeric (client, numerics[numeric].number, body->str);
}

/* A numeric whose body is built by the caller. */
void
_suda_irc_replyf (SudaClient *client,
                  const char *number,
                  const char *format,
                  ...)
{
  g_autofree char *body = NULL;
  va_list args;

  va_start (args, format);
  body = g_strdup_vprintf (format, args);
  va_end (args);
  send_numeric (client, number, body);
}

void
_suda_irc_fail (SudaClient *client,
                const char *command,
                const char *code,
                const char *text)
{
  if (client->protocol->plain)
    _suda_client_sendf (client, "*** %s\r\n", text);
  else
    _suda_irc_sendf (client, ":%s FAIL %s %s :%s\r\n", _suda_irc_server_name (client), command, code, text);
}
