/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-client-private.h"
#include "suda-irc-message.h"
#include "suda-slash-command.h"

/* Nick and channel limits used only to catch obvious typos before they go
 * out; the server has the final word through its own error numerics. */
#define NICK_MAX 30
#define CHANNEL_MAX 50

typedef enum {
  CHECK_NONE,
  CHECK_NICK,
  CHECK_CHANNEL,
  CHECK_SCHEDULE,
} ArgCheck;

typedef struct {
  SudaSlashKind     kind;
  const char       *names[4];     /* the first one is what /help shows */
  guint             min_args;
  guint             max_args;
  gboolean          rest;         /* the last argument takes the rest of the line */
  ArgCheck          check;        /* what the first argument must be */
  const char       *usage;
  const char       *summary;
  SudaSlashHandler  handler;
} CommandSpec;

/* Every command: /help is made from it, and tests/test-client-slash.c
 * checks the README's command table against it. */
static const CommandSpec commands[] = {
  { SUDA_SLASH_NICK, { "nick", "rename" }, 1, 1, FALSE, CHECK_NICK,
    N_("/nick NEW-NICKNAME"), N_("Change your nickname"),
    _suda_client_command_nick },
  { SUDA_SLASH_USERS, { "users", "user", "names" }, 0, 1, FALSE, CHECK_CHANNEL,
    N_("/users [#ROOM]"), N_("List who is in the room"),
    _suda_client_command_users },
  { SUDA_SLASH_WHISPER, { "whisper", "w", "msg" }, 2, 2, TRUE, CHECK_NICK,
    N_("/whisper NICKNAME TEXT"), N_("Send a private message"),
    _suda_client_command_whisper },
  { SUDA_SLASH_KICK, { "kick" }, 1, 2, TRUE, CHECK_NICK,
    N_("/kick NICKNAME [REASON]"), N_("Remove someone from the room (operators)"),
    _suda_client_command_kick },
  { SUDA_SLASH_SCHEDULE, { "schedule" }, 2, 2, TRUE, CHECK_SCHEDULE,
    N_("/schedule HH:MM[:SS]|+10m TEXT"), N_("Post a message later"),
    _suda_client_command_schedule },
  { SUDA_SLASH_SEARCH, { "search" }, 1, 1, TRUE, CHECK_NONE,
    N_("/search QUESTION"), N_("Ask the assistant; the answer goes to the room"),
    _suda_client_command_search },
  { SUDA_SLASH_ME, { "me" }, 1, 1, TRUE, CHECK_NONE,
    N_("/me ACTION"), N_("Describe what you do"),
    _suda_client_command_me },
  { SUDA_SLASH_TOPIC, { "topic" }, 0, 1, TRUE, CHECK_NONE,
    N_("/topic [NEW TOPIC]"), N_("Show or set the room's topic"),
    _suda_client_command_topic },
  { SUDA_SLASH_JOIN, { "join" }, 1, 1, FALSE, CHECK_CHANNEL,
    N_("/join #ROOM"), N_("Enter a room"),
    _suda_client_command_join },
  { SUDA_SLASH_PART, { "part" }, 0, 2, TRUE, CHECK_CHANNEL,
    N_("/part [#ROOM] [REASON]"), N_("Leave a room"),
    _suda_client_command_part },
  { SUDA_SLASH_HELP, { "help" }, 0, 1, FALSE, CHECK_NONE,
    N_("/help [COMMAND]"), N_("Show the commands"),
    _suda_client_command_help },
  { SUDA_SLASH_QUIT, { "quit", "exit" }, 0, 1, TRUE, CHECK_NONE,
    N_("/quit [MESSAGE]"), N_("Disconnect from the server"),
    _suda_client_command_quit },
  { SUDA_SLASH_AWAY, { "away" }, 0, 1, TRUE, CHECK_NONE,
    N_("/away [MESSAGE]"), N_("Tell others you are away"),
    _suda_client_command_away },
  { SUDA_SLASH_BACK, { "back" }, 0, 0, FALSE, CHECK_NONE,
    N_("/back"), N_("Tell others you are back"),
    _suda_client_command_back },
  { SUDA_SLASH_WHOIS, { "whois" }, 1, 1, FALSE, CHECK_NICK,
    N_("/whois NICKNAME"), N_("Show who someone is and where they are"),
    _suda_client_command_whois },
  { SUDA_SLASH_QUERY, { "query" }, 1, 2, TRUE, CHECK_NICK,
    N_("/query NICKNAME [TEXT]"), N_("Open a private conversation"),
    _suda_client_command_query },
  { SUDA_SLASH_MODE, { "mode" }, 0, 2, TRUE, CHECK_NONE,
    N_("/mode [#ROOM|NICKNAME] [MODES [ARGUMENTS]]"), N_("Show or change the modes of a room or yourself"),
    _suda_client_command_mode },
  { SUDA_SLASH_OP, { "op" }, 1, 1, FALSE, CHECK_NICK,
    N_("/op NICKNAME"), N_("Make someone an operator of the room"),
    _suda_client_command_op },
  { SUDA_SLASH_DEOP, { "deop" }, 1, 1, FALSE, CHECK_NICK,
    N_("/deop NICKNAME"), N_("Take someone’s operator status away"),
    _suda_client_command_op },
  { SUDA_SLASH_VOICE, { "voice" }, 1, 1, FALSE, CHECK_NICK,
    N_("/voice NICKNAME"), N_("Let someone speak in a moderated room"),
    _suda_client_command_op },
  { SUDA_SLASH_BAN, { "ban" }, 1, 1, FALSE, CHECK_NONE,
    N_("/ban NICKNAME|MASK"), N_("Keep someone out of the room"),
    _suda_client_command_ban },
  { SUDA_SLASH_UNBAN, { "unban" }, 1, 1, FALSE, CHECK_NONE,
    N_("/unban NICKNAME|MASK"), N_("Lift a ban"),
    _suda_client_command_ban },
  { SUDA_SLASH_INVITE, { "invite" }, 1, 2, FALSE, CHECK_NICK,
    N_("/invite NICKNAME [#ROOM]"), N_("Invite someone into a room"),
    _suda_client_command_invite },
  { SUDA_SLASH_LIST, { "list" }, 0, 1, FALSE, CHECK_NONE,
    N_("/list [#ROOM]"), N_("List the server’s rooms"),
    _suda_client_command_list },
  { SUDA_SLASH_QUOTE, { "quote", "raw" }, 1, 1, TRUE, CHECK_NONE,
    N_("/quote IRC-LINE"), N_("Send a line to the server as it is"),
    _suda_client_command_quote },
  { SUDA_SLASH_IGNORE, { "ignore" }, 0, 1, FALSE, CHECK_NICK,
    N_("/ignore [NICKNAME]"), N_("Hide someone’s messages, or show them again; alone, list whom you ignore"),
    _suda_client_command_ignore },
  { SUDA_SLASH_SUMMARY, { "summary" }, 0, 1, FALSE, CHECK_NONE,
    N_("/summary [N]"), N_("Ask the assistant to sum up the room’s last N messages"),
    _suda_client_command_service },
  { SUDA_SLASH_QUIZ, { "quiz" }, 1, 1, TRUE, CHECK_NONE,
    N_("/quiz TOPIC [SECONDS]"), N_("Have the assistant ask the room a multiple-choice question (operators)"),
    _suda_client_command_service },
  { SUDA_SLASH_ANSWER, { "answer" }, 1, 1, TRUE, CHECK_NONE,
    N_("/answer LETTER"), N_("Answer the room’s quiz, privately"),
    _suda_client_command_answer },
};

static const CommandSpec *
find_by_kind (SudaSlashKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (commands[i].kind == kind)
      return &commands[i];
  return NULL;
}

static const CommandSpec *
find_by_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    for (guint j = 0; j < G_N_ELEMENTS (commands[i].names) && commands[i].names[j]; j++)
      if (g_ascii_strcasecmp (commands[i].names[j], name) == 0)
        return &commands[i];
  return NULL;
}

const char *
suda_slash_command_get_usage (SudaSlashKind kind)
{
  const CommandSpec *spec = find_by_kind (kind);

  return spec ? _(spec->usage) : NULL;
}

const char *
suda_slash_command_get_summary (SudaSlashKind kind)
{
  const CommandSpec *spec = find_by_kind (kind);

  return spec ? _(spec->summary) : NULL;
}

SudaSlashHandler
suda_slash_command_get_handler (SudaSlashKind kind)
{
  const CommandSpec *spec = find_by_kind (kind);

  return spec ? spec->handler : NULL;
}

const char * const *
suda_slash_command_get_aliases (SudaSlashKind kind)
{
  const CommandSpec *spec = find_by_kind (kind);

  return spec ? spec->names : NULL;
}

char *
suda_slash_command_dup_help (void)
{
  GString *out = g_string_new (_("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_string_append_printf (out, "\n%s — %s", _(commands[i].usage), _(commands[i].summary));
      if (commands[i].names[1] != NULL)
        {
          g_string_append (out, " (");
          for (guint j = 1; j < G_N_ELEMENTS (commands[i].names) && commands[i].names[j]; j++)
            g_string_append_printf (out, "%s/%s", j > 1 ? ", " : "", commands[i].names[j]);
          g_string_append_c (out, ')');
        }
    }
  g_string_append_printf (out, "\n%s", _("Start a line with // to send a text that begins with /."));
  return g_string_free (out, FALSE);
}

/* "HH:MM", "HH:MM:SS" or "+N" with a unit s, m or h, as the service user's
 * !schedule accepts them. */
gboolean
suda_slash_parse_schedule_time (const char *spec)
{
  guint h, m, s;
  char tail;

  if (spec == NULL)
    return FALSE;
  if (spec[0] == '+')
    {
      const char *p = spec + 1;

      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
      return p[0] != '\0' && strchr ("smh", p[0]) != NULL && p[1] == '\0';
    }
  if (!g_ascii_isdigit (spec[0]))
    return FALSE;
  if (sscanf (spec, "%2u:%2u:%2u%c", &h, &m, &s, &tail) == 3)
    return h < 24 && m < 60 && s < 60;
  if (sscanf (spec, "%2u:%2u%c", &h, &m, &tail) == 2)
    return h < 24 && m < 60;
  return FALSE;
}

static gboolean
check_arg (ArgCheck    check,
           char      **arg)
{
  switch (check)
    {
    case CHECK_NICK:
      return suda_irc_is_valid_nick (*arg, NICK_MAX);
    case CHECK_CHANNEL:
      if (**arg != '#')
        {
          char *with_hash = g_strconcat ("#", *arg, NULL);

          g_free (*arg);
          *arg = with_hash;
        }
      return suda_irc_is_valid_channel (*arg, CHANNEL_MAX);
    case CHECK_SCHEDULE:
      return suda_slash_parse_schedule_time (*arg);
    case CHECK_NONE:
    default:
      return TRUE;
    }
}

/* Splits ARGS into at most MAX words; with REST the last one keeps the rest
 * of the line, spaces included. */
static GPtrArray *
split_args (const char *args,
            guint       max,
            gboolean    rest)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  const char *p = args;

  while (*p != '\0')
    {
      const char *end;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      if (rest && words->len + 1 == max)
        {
          g_autofree char *tail = g_strdup (p);

          g_ptr_array_add (words, g_strdup (g_strchomp (tail)));
          break;
        }
      end = strchr (p, ' ');
      if (end == NULL)
        end = p + strlen (p);
      g_ptr_array_add (words, g_strndup (p, end - p));
      p = end;
    }
  return words;
}

SudaSlashCommand *
suda_slash_command_parse (const char *input)
{
  g_autoptr(SudaSlashCommand) self = g_new0 (SudaSlashCommand, 1);
  g_autoptr(GPtrArray) words = NULL;
  const CommandSpec *spec;
  const char *word_end;
  const char *args;
  guint max_args;
  gboolean rest;

  g_return_val_if_fail (input != NULL, NULL);

  if (input[0] != '/' || input[1] == '/')
    {
      self->kind = SUDA_SLASH_TEXT;
      self->text = g_strdup (input[0] == '/' ? input + 1 : input);
      return g_steal_pointer (&self);
    }

  word_end = input + 1 + strcspn (input + 1, " ");
  self->name = g_strndup (input + 1, word_end - (input + 1));
  args = word_end;

  spec = find_by_name (self->name);
  if (spec == NULL)
    {
      self->kind = SUDA_SLASH_UNKNOWN;
      return g_steal_pointer (&self);
    }
  self->kind = self->command = spec->kind;

  max_args = spec->max_args;
  rest = spec->rest;
  /* /part's room is optional: a first word that is not a room starts the
   * reason, so "/part bye all" leaves the current room saying "bye all". */
  if (spec->kind == SUDA_SLASH_PART)
    {
      const char *p = args;

      while (*p == ' ')
        p++;
      if (*p != '#' && *p != '\0')
        {
          self->args[1] = g_strchomp (g_strdup (p));
          return g_steal_pointer (&self);
        }
    }

  /* Splitting one word further than allowed tells "too many" apart. */
  words = split_args (args, rest ? max_args : max_args + 1, rest);
  if (words->len < spec->min_args || words->len > max_args)
    {
      self->kind = SUDA_SLASH_MISUSE;
      return g_steal_pointer (&self);
    }
  for (guint i = 0; i < words->len; i++)
    self->args[i] = g_strdup (g_ptr_array_index (words, i));
  if (self->args[0] != NULL && !check_arg (spec->check, &self->args[0]))
    self->kind = SUDA_SLASH_MISUSE;
  return g_steal_pointer (&self);
}

void
suda_slash_command_free (SudaSlashCommand *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->args[0]);
  g_free (self->args[1]);
  g_free (self->text);
  g_free (self);
}
