/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Plain-text sessions: they type lines and read "[HH:MM] nick: text"; no
 * protocol shows.  A line is a message to the default room, "/word" a
 * command; the first line is the nickname. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "irc/suda-irc-private.h"
#include "suda-plain-private.h"

static char *
format_local (gint64      unix_usec,
              const char *format)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, format);
}

static void
say (SudaClient *c,
     const char *text)
{
  g_autofree char *hhmm = format_local (g_get_real_time (), "%H:%M");

  _suda_client_sendf (c, "[%s] *** %s\r\n", hhmm, text);
}

static const char *
room (SudaClient *c)
{
  return c->core->config->default_channel;
}

/* Without a default room (default-channel= empty) there is nowhere to talk. */
static void
say_in_room (SudaClient *c,
             const char *text)
{
  SudaChannel *channel;

  if (*room (c) == '\0')
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, "*", NULL);
      return;
    }
  channel = _suda_registry_find_channel (c->core->registry, room (c));
  if (channel == NULL || !suda_channel_has_member (channel, c))
    {
      /* Kicked, or left: the way back is /join. */
      g_autofree char *msg = g_strdup_printf (_("You are not in %s: type /join to come back."), room (c));

      say (c, msg);
      return;
    }
  _suda_irc_deliver_message (c, "PRIVMSG", room (c), text, NULL);
}

static void
list_users (SudaClient *c)
{
  g_autoptr(GString) text = g_string_new (NULL);
  SudaChannel *channel = _suda_registry_find_channel (c->core->registry, room (c));
  g_autofree char *line = NULL;

  if (channel == NULL)
    return;
  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaMember *member = &g_array_index (channel->members, SudaMember, i);

      g_string_append_printf (text, "%s%s%s", text->len ? ", " : "",
                              member->flags & SUDA_MEMBER_OP ? "@" : "", member->client->nick);
    }
  line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u person in %s: %s", "%u people in %s: %s",
                                       channel->members->len),
                          channel->members->len, channel->name, text->str);
  say (c, line);
}

static void
show_help (SudaClient *c)
{
  say (c, _("Type a line and press Enter to talk to everyone."));
  say (c, _("/nick NAME — change your nickname"));
  say (c, _("/users — who is here"));
  say (c, _("/join — come back into the room after a kick"));
  say (c, _("/whisper NICK TEXT — a private message"));
  say (c, _("/search QUESTION — ask the AI"));
  say (c, _("/schedule HH:MM TEXT or /schedule +10m TEXT — post later"));
  say (c, _("/quit — leave"));
}

static void
register_plain (SudaClient *c,
                const char *first_line)
{
  SudaRegistry *registry = c->core->registry;
  g_autofree char *word = g_strstrip (g_strdup (first_line));
  gboolean is_nick = suda_irc_is_valid_nick (word, SUDA_IRC_NICKLEN) && !_suda_registry_nick_in_use (registry, word);
  g_autofree char *nick = NULL;

  if (is_nick)
    nick = g_strdup (word);
  else
    for (guint tries = 0; nick == NULL || _suda_registry_nick_in_use (registry, nick); tries++)
      {
        g_free (nick);
        nick = g_strdup_printf ("guest-%04u", g_random_int_range (1000, tries < 50 ? 10000 : 1000000));
      }

  c->user = g_strdup_printf ("~%s", "plain");
  c->realname = g_strdup (_("Plain-text user"));
  _suda_irc_change_nick (c, nick);
  if (c->registered && !is_nick && *word != '\0')
    say_in_room (c, word);
}

static void
change_nick (SudaClient *c,
             const char *args)
{
  if (*args == '\0')
    say (c, _("Usage: /nick NAME"));
  else if (!suda_irc_is_valid_nick (args, SUDA_IRC_NICKLEN))
    say (c, _("That nickname is not allowed: use letters, digits and - _ [ ] { } | ^ `, 30 at most, not starting with a digit."));
  else if (_suda_registry_nick_in_use (c->core->registry, args) && suda_irc_casecmp (args, c->nick) != 0)
    say (c, _("That nickname is taken."));
  else
    _suda_irc_change_nick (c, args);
}

static void
whisper (SudaClient *c,
         const char *args)
{
  g_autofree char *target = g_strndup (args, strcspn (args, " "));
  const char *text = args + strlen (target);

  while (*text == ' ')
    text++;
  if (*target == '\0' || *text == '\0')
    say (c, _("Usage: /whisper NICK TEXT"));
  else if (_suda_registry_find_client (c->core->registry, target) == NULL &&
           !_suda_registry_is_service (c->core->registry, target))
    {
      g_autofree char *msg = g_strdup_printf (_("Nobody called %s is here."), target);
      say (c, msg);
    }
  else
    _suda_irc_deliver_message (c, "PRIVMSG", target, text, NULL);
}

/* Plain-text sessions talk in the default room only: /join brings them
 * back into it (after a kick, say). */
static void
join_room (SudaClient *c,
           const char *args)
{
  SudaChannel *channel;

  if (*room (c) == '\0')
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, "*", NULL);
      return;
    }
  if (*args && suda_irc_casecmp (args, room (c)) != 0)
    {
      g_autofree char *msg = g_strdup_printf (_("Here you talk in %s only; an IRC client can join other rooms."), room (c));

      say (c, msg);
      return;
    }
  channel = _suda_registry_find_channel (c->core->registry, room (c));
  if (channel && suda_channel_has_member (channel, c))
    {
      g_autofree char *msg = g_strdup_printf (_("You are already in %s."), room (c));

      say (c, msg);
      return;
    }
  _suda_irc_join (c, room (c), NULL, NULL);
}

static void
command (SudaClient *c,
         const char *line)
{
  g_autofree char *word = g_ascii_strdown (line + 1, strcspn (line + 1, " "));
  const char *args = line + 1 + strlen (word);

  while (*args == ' ')
    args++;

  if (g_str_equal (word, "nick") || g_str_equal (word, "rename"))
    change_nick (c, args);
  else if (g_str_equal (word, "users") || g_str_equal (word, "user") || g_str_equal (word, "names"))
    list_users (c);
  else if (g_str_equal (word, "whisper") || g_str_equal (word, "w") || g_str_equal (word, "msg"))
    whisper (c, args);
  else if (g_str_equal (word, "me") && *args)
    {
      g_autofree char *action = g_strdup_printf ("\001ACTION %s\001", args);
      say_in_room (c, action);
    }
  else if (g_str_equal (word, "search") || g_str_equal (word, "schedule"))
    {
      /* The service user's words, said in the room. */
      g_autofree char *text = g_strdup_printf ("!%s %s", word, args);
      say_in_room (c, text);
    }
  else if (g_str_equal (word, "join"))
    join_room (c, args);
  else if (g_str_equal (word, "quit") || g_str_equal (word, "exit"))
    _suda_client_close (c, *args ? args : _("Quit"));
  else if (g_str_equal (word, "help"))
    show_help (c);
  else
    {
      g_autofree char *msg = g_strdup_printf (_("Unknown command /%s. /help lists the commands."), word);
      say (c, msg);
    }
}

static void
say_too_long (SudaClient *c)
{
  g_autofree char *text = g_strdup_printf (_("That line was too long (at most %u bytes) and was not sent."),
                                           c->core->config->max_line - 2);
  say (c, text);
}

/* The same checks as an IRC line's: a CR inside a line would end it early
 * for IRC clients that read it, and could forge a second line. */
static void
plain_line (SudaClient *c,
            char       *line,
            gsize       len)
{
  if (strlen (line) != len || !g_utf8_validate (line, len, NULL))
    {
      say (c, _("That line was not text (UTF-8) and was not sent."));
      return;
    }
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
    line[--len] = '\0';
  if (len == 0)
    return;
  if (memchr (line, '\r', len) != NULL)
    {
      say (c, _("That line contained a carriage return and was not sent."));
      return;
    }
  /* max-line counts an IRC line's CR LF. */
  if (len + 2 > c->core->config->max_line)
    {
      say_too_long (c);
      return;
    }

  if (!c->registered)
    register_plain (c, line);
  else if (line[0] != '/')
    say_in_room (c, line);
  else
    command (c, line);
}

static void
plain_overlong (SudaClient *c)
{
  say_too_long (c);
}

static void
plain_closed (SudaClient *c,
              const char *reason)
{
  _suda_irc_remember_nick (c);
  _suda_client_sendf (c, "*** %s\r\n", reason);
}

static void
plain_welcome (SudaClient *c)
{
  _suda_client_sendf (c, "*** %s\r\n", _("Welcome to Suda! Type a message and press Enter. /help lists the commands."));
  if (*room (c) != '\0')
    _suda_irc_join (c, room (c), NULL, NULL);
}

/* What a person sees on coming into the room: its recent lines. */
static void
plain_joined (SudaClient  *c,
              SudaChannel *channel)
{
  SudaHistory *history = _suda_registry_peek_history (c->core->registry, channel->name);

  if (history == NULL)
    return;
  for (GList *l = history->items.head; l; l = l->next)
    {
      SudaHistoryItem *item = l->data;
      g_autofree char *nick = suda_irc_source_nick (item->source);
      g_autofree char *when = format_local (item->time, "%m-%d %H:%M");
      g_autofree char *action = _suda_irc_dup_action (item->text);

      if (action)
        _suda_client_sendf (c, "[%s] * %s %s\r\n", when, nick, action);
      else
        _suda_client_sendf (c, "[%s] %s: %s\r\n", when, nick, item->text);
    }
}

const SudaProtocol _suda_plain_protocol = {
  .line = plain_line,
  .overlong = plain_overlong,
  .closed = plain_closed,
  .welcome = plain_welcome,
  .joined = plain_joined,
  .plain = TRUE,
};
