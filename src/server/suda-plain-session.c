/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Plain-text sessions: people on nc, telnet or the seeds' console clients.
 * They type lines and read "[HH:MM] nick: text"; no protocol shows. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-message.h"
#include "suda-server-private.h"

void _suda_commands_change_nick (SudaSession *s, const char *nick);
GString *_suda_commands_render_plain (SudaSession *session, SudaOutLine *line);
gboolean _suda_commands_plain_line (SudaSession *s, char *line, gsize len);

static char *
format_hhmm (gint64 unix_usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%H:%M");
}

static void
say (SudaSession *s,
     const char  *text)
{
  g_autofree char *hhmm = format_hhmm (g_get_real_time ());

  _suda_session_sendf (s, "[%s] *** %s\r\n", hhmm, text);
}

/* Renders one relayed line for a plain session, or returns NULL for the
 * lines a person need not see. */
GString *
_suda_commands_render_plain (SudaSession *s,
                             SudaOutLine *line)
{
  g_autofree char *hhmm = format_hhmm (line->time);
  const char *nick = line->nick ? line->nick : "*";
  const char *command = line->command;
  GString *out = g_string_new (NULL);

  if (g_str_equal (command, "PRIVMSG") || g_str_equal (command, "NOTICE"))
    {
      const char *text = line->text;
      gboolean action = g_str_has_prefix (text, "\001ACTION ");

      if (suda_irc_is_channel (line->target))
        {
          if (action)
            g_string_printf (out, "[%s] * %s %.*s", hhmm, nick, (int) strcspn (text + 8, "\001"), text + 8);
          else
            g_string_printf (out, "[%s] %s: %s", hhmm, nick, text);
        }
      else if (g_str_equal (command, "NOTICE"))
        g_string_printf (out, "[%s] -%s- %s", hhmm, nick, text);
      else
        /* TRANSLATORS: a private message in a plain-text session */
        g_string_printf (out, "[%s] %s %s: %s", hhmm, _("(whisper)"), nick, text);
    }
  else if (g_str_equal (command, "JOIN"))
    g_string_printf (out, _("[%s] * %s joined %s"), hhmm, nick, line->target);
  else if (g_str_equal (command, "PART"))
    g_string_printf (out, _("[%s] * %s left %s"), hhmm, nick, line->target);
  else if (g_str_equal (command, "QUIT"))
    g_string_printf (out, _("[%s] * %s left (%s)"), hhmm, nick, line->text ? line->text : "");
  else if (g_str_equal (command, "NICK"))
    g_string_printf (out, _("[%s] * %s is now known as %s"), hhmm, nick, line->text);
  else if (g_str_equal (command, "KICK"))
    g_string_printf (out, _("[%s] * %s kicked %s (%s)"), hhmm, nick,
                     strchr (line->target, ' ') + 1, line->text);
  else if (g_str_equal (command, "TOPIC"))
    g_string_printf (out, _("[%s] * %s set the topic: %s"), hhmm, nick, line->text);
  else
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  g_string_append (out, "\r\n");
  return out;
}

static void
list_users (SudaSession *s)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *room = s->server->config->default_channel;
  SudaChannel *channel = _suda_server_find_channel (s->server, room);

  if (channel == NULL)
    return;
  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaMember *member = &g_array_index (channel->members, SudaMember, i);

      g_string_append_printf (text, "%s%s%s", text->len ? ", " : "",
                              member->flags & SUDA_MEMBER_OP ? "@" : "", member->session->nick);
    }
  {
    g_autofree char *line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u person in %s: %s",
                                                          "%u people in %s: %s",
                                                          channel->members->len),
                                             channel->members->len, channel->name, text->str);
    say (s, line);
  }
}

static void
show_help (SudaSession *s)
{
  say (s, _("Type a line and press Enter to talk to everyone."));
  say (s, _("/nick NAME — change your nickname"));
  say (s, _("/users — who is here"));
  say (s, _("/whisper NICK TEXT — a private message"));
  say (s, _("/search QUESTION — ask the AI"));
  say (s, _("/schedule HH:MM TEXT or /schedule +10m TEXT — post later"));
  say (s, _("/quit — leave"));
}

static void
register_plain (SudaSession *s,
                const char  *first_line)
{
  SudaServer *server = s->server;
  g_autofree char *word = g_strstrip (g_strdup (first_line));
  gboolean is_nick = suda_irc_is_valid_nick (word, 30) && !_suda_server_nick_in_use (server, word);
  g_autofree char *nick = NULL;

  if (is_nick)
    nick = g_strdup (word);
  else
    for (guint tries = 0; nick == NULL || _suda_server_nick_in_use (server, nick); tries++)
      {
        g_free (nick);
        nick = g_strdup_printf ("guest-%04u", g_random_int_range (1000, tries < 50 ? 10000 : 1000000));
      }

  s->user = g_strdup_printf ("~%s", "plain");
  s->realname = g_strdup (_("Plain-text user"));
  _suda_commands_change_nick (s, nick);
  if (!s->registered)
    return;
  if (!is_nick && *word != '\0')
    _suda_commands_deliver_message (s, "PRIVMSG", server->config->default_channel, word, NULL);
}

gboolean
_suda_commands_plain_line (SudaSession *s,
                           char        *line,
                           gsize        len)
{
  const char *room = s->server->config->default_channel;
  g_autofree char *command = NULL;
  const char *args;

  if (strlen (line) != len || !g_utf8_validate (line, len, NULL))
    {
      say (s, _("That line was not text (UTF-8) and was not sent."));
      return TRUE;
    }
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
    line[--len] = '\0';
  if (len == 0)
    return TRUE;

  if (!s->registered)
    {
      register_plain (s, line);
      return TRUE;
    }

  if (line[0] != '/')
    {
      _suda_commands_deliver_message (s, "PRIVMSG", room, line, NULL);
      return TRUE;
    }

  command = g_ascii_strdown (line + 1, strcspn (line + 1, " "));
  args = line + 1 + strlen (command);
  while (*args == ' ')
    args++;

  if (g_str_equal (command, "nick") || g_str_equal (command, "rename"))
    {
      if (*args == '\0')
        say (s, _("Usage: /nick NAME"));
      else if (!suda_irc_is_valid_nick (args, 30))
        say (s, _("That nickname is not allowed: use letters, digits and - _ [ ] { } | ^ `, 30 at most, not starting with a digit."));
      else if (_suda_server_nick_in_use (s->server, args) && suda_irc_casecmp (args, s->nick) != 0)
        say (s, _("That nickname is taken."));
      else
        _suda_commands_change_nick (s, args);
    }
  else if (g_str_equal (command, "users") || g_str_equal (command, "user") || g_str_equal (command, "names"))
    list_users (s);
  else if (g_str_equal (command, "whisper") || g_str_equal (command, "w") || g_str_equal (command, "msg"))
    {
      g_autofree char *target = g_strndup (args, strcspn (args, " "));
      const char *text = args + strlen (target);

      while (*text == ' ')
        text++;
      if (*target == '\0' || *text == '\0')
        say (s, _("Usage: /whisper NICK TEXT"));
      else if (suda_server_find_session (s->server, target) == NULL &&
               suda_irc_casecmp (target, suda_service_get_nick (s->server->service)) != 0)
        {
          g_autofree char *msg = g_strdup_printf (_("Nobody called %s is here."), target);
          say (s, msg);
        }
      else
        _suda_commands_deliver_message (s, "PRIVMSG", target, text, NULL);
    }
  else if (g_str_equal (command, "me") && *args)
    {
      g_autofree char *action = g_strdup_printf ("\001ACTION %s\001", args);
      _suda_commands_deliver_message (s, "PRIVMSG", room, action, NULL);
    }
  else if (g_str_equal (command, "search") || g_str_equal (command, "schedule"))
    {
      g_autofree char *text = g_strdup_printf ("!%s %s", command, args);
      _suda_commands_deliver_message (s, "PRIVMSG", room, text, NULL);
    }
  else if (g_str_equal (command, "quit") || g_str_equal (command, "exit"))
    _suda_session_close (s, *args ? args : _("Quit"));
  else if (g_str_equal (command, "help"))
    show_help (s);
  else
    {
      g_autofree char *msg = g_strdup_printf (_("Unknown command /%s. /help lists the commands."), command);
      say (s, msg);
    }
  return TRUE;
}
