/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The slash-command parser, as a table: every command, alias and misuse. */
#include "config.h"

#include <string.h>

#include "suda-slash-command.h"

typedef struct {
  const char    *input;
  SudaSlashKind  kind;
  SudaSlashKind  command;   /* for misuse: which command */
  const char    *arg0;
  const char    *arg1;
  const char    *text;
} Case;

#define MISUSE(input, cmd) { input, SUDA_SLASH_MISUSE, cmd, NULL, NULL, NULL }

static const Case cases[] = {
  /* plain text */
  { "hello", SUDA_SLASH_TEXT, 0, NULL, NULL, "hello" },
  { "//not a command", SUDA_SLASH_TEXT, 0, NULL, NULL, "/not a command" },
  { "", SUDA_SLASH_TEXT, 0, NULL, NULL, "" },
  { "a /nick in the middle", SUDA_SLASH_TEXT, 0, NULL, NULL, "a /nick in the middle" },

  /* /nick and /rename */
  { "/nick bob", SUDA_SLASH_NICK, 0, "bob", NULL, NULL },
  { "/rename bob_2", SUDA_SLASH_NICK, 0, "bob_2", NULL, NULL },
  { "/NICK Bob", SUDA_SLASH_NICK, 0, "Bob", NULL, NULL },
  { "/nick   spaced  ", SUDA_SLASH_NICK, 0, "spaced", NULL, NULL },
  MISUSE ("/nick", SUDA_SLASH_NICK),
  MISUSE ("/nick two words", SUDA_SLASH_NICK),
  MISUSE ("/nick 9lives", SUDA_SLASH_NICK),
  MISUSE ("/rename #room", SUDA_SLASH_NICK),

  /* /users, /user, /names */
  { "/users", SUDA_SLASH_USERS, 0, NULL, NULL, NULL },
  { "/user #lobby", SUDA_SLASH_USERS, 0, "#lobby", NULL, NULL },
  { "/names lobby", SUDA_SLASH_USERS, 0, "#lobby", NULL, NULL },
  MISUSE ("/users #a #b", SUDA_SLASH_USERS),

  /* /whisper, /w, /msg */
  { "/whisper bob hi there", SUDA_SLASH_WHISPER, 0, "bob", "hi there", NULL },
  { "/w bob  spaced   out", SUDA_SLASH_WHISPER, 0, "bob", "spaced   out", NULL },
  { "/msg suda search weather", SUDA_SLASH_WHISPER, 0, "suda", "search weather", NULL },
  MISUSE ("/whisper", SUDA_SLASH_WHISPER),
  MISUSE ("/w bob", SUDA_SLASH_WHISPER),
  MISUSE ("/msg #room hello", SUDA_SLASH_WHISPER),

  /* /kick */
  { "/kick bob", SUDA_SLASH_KICK, 0, "bob", NULL, NULL },
  { "/kick bob stop the spam", SUDA_SLASH_KICK, 0, "bob", "stop the spam", NULL },
  MISUSE ("/kick", SUDA_SLASH_KICK),
  MISUSE ("/kick -bob", SUDA_SLASH_KICK),

  /* /schedule */
  { "/schedule 09:30 stand-up", SUDA_SLASH_SCHEDULE, 0, "09:30", "stand-up", NULL },
  { "/schedule 9:30 stand-up", SUDA_SLASH_SCHEDULE, 0, "9:30", "stand-up", NULL },
  { "/schedule 23:59:59 last call", SUDA_SLASH_SCHEDULE, 0, "23:59:59", "last call", NULL },
  { "/schedule +10m tea time", SUDA_SLASH_SCHEDULE, 0, "+10m", "tea time", NULL },
  { "/schedule +30s soon", SUDA_SLASH_SCHEDULE, 0, "+30s", "soon", NULL },
  { "/schedule +2h later", SUDA_SLASH_SCHEDULE, 0, "+2h", "later", NULL },
  MISUSE ("/schedule", SUDA_SLASH_SCHEDULE),
  MISUSE ("/schedule 10:00", SUDA_SLASH_SCHEDULE),
  MISUSE ("/schedule 25:00 never", SUDA_SLASH_SCHEDULE),
  MISUSE ("/schedule 12:60 never", SUDA_SLASH_SCHEDULE),
  MISUSE ("/schedule tomorrow party", SUDA_SLASH_SCHEDULE),
  MISUSE ("/schedule +10 minutes", SUDA_SLASH_SCHEDULE),
  MISUSE ("/schedule +m oops", SUDA_SLASH_SCHEDULE),

  /* /search */
  { "/search what is TCP", SUDA_SLASH_SEARCH, 0, "what is TCP", NULL, NULL },
  MISUSE ("/search", SUDA_SLASH_SEARCH),
  MISUSE ("/search    ", SUDA_SLASH_SEARCH),

  /* /summary, /quiz, /answer */
  { "/summary", SUDA_SLASH_SUMMARY, 0, NULL, NULL, NULL },
  { "/summary 30", SUDA_SLASH_SUMMARY, 0, "30", NULL, NULL },
  MISUSE ("/summary 30 40", SUDA_SLASH_SUMMARY),
  { "/quiz capitals of Europe 90", SUDA_SLASH_QUIZ, 0, "capitals of Europe 90", NULL, NULL },
  MISUSE ("/quiz", SUDA_SLASH_QUIZ),
  { "/answer b", SUDA_SLASH_ANSWER, 0, "b", NULL, NULL },
  MISUSE ("/answer", SUDA_SLASH_ANSWER),

  /* /me */
  { "/me waves", SUDA_SLASH_ME, 0, "waves", NULL, NULL },
  { "/me  waves at   everyone", SUDA_SLASH_ME, 0, "waves at   everyone", NULL, NULL },
  MISUSE ("/me", SUDA_SLASH_ME),

  /* /topic */
  { "/topic", SUDA_SLASH_TOPIC, 0, NULL, NULL, NULL },
  { "/topic Exam on Friday", SUDA_SLASH_TOPIC, 0, "Exam on Friday", NULL, NULL },

  /* /join */
  { "/join #lab", SUDA_SLASH_JOIN, 0, "#lab", NULL, NULL },
  { "/join lab", SUDA_SLASH_JOIN, 0, "#lab", NULL, NULL },
  { "/JOIN #수다", SUDA_SLASH_JOIN, 0, "#수다", NULL, NULL },
  MISUSE ("/join", SUDA_SLASH_JOIN),
  MISUSE ("/join #a #b", SUDA_SLASH_JOIN),
  MISUSE ("/join #a,b", SUDA_SLASH_JOIN),

  /* /part */
  { "/part", SUDA_SLASH_PART, 0, NULL, NULL, NULL },
  { "/part #lab", SUDA_SLASH_PART, 0, "#lab", NULL, NULL },
  { "/part #lab going home", SUDA_SLASH_PART, 0, "#lab", "going home", NULL },
  { "/part going home", SUDA_SLASH_PART, 0, NULL, "going home", NULL },

  /* /help */
  { "/help", SUDA_SLASH_HELP, 0, NULL, NULL, NULL },
  { "/help kick", SUDA_SLASH_HELP, 0, "kick", NULL, NULL },
  MISUSE ("/help kick nick", SUDA_SLASH_HELP),

  /* /quit and /exit */
  { "/quit", SUDA_SLASH_QUIT, 0, NULL, NULL, NULL },
  { "/exit", SUDA_SLASH_QUIT, 0, NULL, NULL, NULL },
  { "/quit off to lunch", SUDA_SLASH_QUIT, 0, "off to lunch", NULL, NULL },

  /* the IRC power user's commands */
  { "/away", SUDA_SLASH_AWAY, 0, NULL, NULL, NULL },
  { "/away gone for lunch", SUDA_SLASH_AWAY, 0, "gone for lunch", NULL, NULL },
  { "/back", SUDA_SLASH_BACK, 0, NULL, NULL, NULL },
  MISUSE ("/back now", SUDA_SLASH_BACK),
  { "/whois bob", SUDA_SLASH_WHOIS, 0, "bob", NULL, NULL },
  MISUSE ("/whois", SUDA_SLASH_WHOIS),
  MISUSE ("/whois #lab", SUDA_SLASH_WHOIS),
  { "/query bob", SUDA_SLASH_QUERY, 0, "bob", NULL, NULL },
  { "/query bob hi there", SUDA_SLASH_QUERY, 0, "bob", "hi there", NULL },
  { "/mode", SUDA_SLASH_MODE, 0, NULL, NULL, NULL },
  { "/mode +k secret", SUDA_SLASH_MODE, 0, "+k", "secret", NULL },
  { "/mode #lab +l 10", SUDA_SLASH_MODE, 0, "#lab", "+l 10", NULL },
  { "/op bob", SUDA_SLASH_OP, 0, "bob", NULL, NULL },
  MISUSE ("/op", SUDA_SLASH_OP),
  { "/deop bob", SUDA_SLASH_DEOP, 0, "bob", NULL, NULL },
  { "/voice bob", SUDA_SLASH_VOICE, 0, "bob", NULL, NULL },
  { "/ban bob", SUDA_SLASH_BAN, 0, "bob", NULL, NULL },
  { "/ban *!*@10.0.0.*", SUDA_SLASH_BAN, 0, "*!*@10.0.0.*", NULL, NULL },
  { "/unban bob", SUDA_SLASH_UNBAN, 0, "bob", NULL, NULL },
  { "/invite bob", SUDA_SLASH_INVITE, 0, "bob", NULL, NULL },
  { "/invite bob #lab", SUDA_SLASH_INVITE, 0, "bob", "#lab", NULL },
  { "/list", SUDA_SLASH_LIST, 0, NULL, NULL, NULL },
  { "/quote PRIVMSG bob :hi there", SUDA_SLASH_QUOTE, 0, "PRIVMSG bob :hi there", NULL, NULL },
  { "/raw VERSION", SUDA_SLASH_QUOTE, 0, "VERSION", NULL, NULL },
  MISUSE ("/quote", SUDA_SLASH_QUOTE),
  { "/ignore", SUDA_SLASH_IGNORE, 0, NULL, NULL, NULL },
  { "/ignore spammer", SUDA_SLASH_IGNORE, 0, "spammer", NULL, NULL },

  /* unknown */
  { "/frobnicate", SUDA_SLASH_UNKNOWN, 0, NULL, NULL, NULL },
  { "/", SUDA_SLASH_UNKNOWN, 0, NULL, NULL, NULL },
};

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(SudaSlashCommand) cmd = suda_slash_command_parse (c->input);

      g_test_message ("%s", c->input);
      g_assert_cmpint (cmd->kind, ==, c->kind);
      if (c->kind == SUDA_SLASH_MISUSE)
        {
          g_assert_cmpint (cmd->command, ==, c->command);
          g_assert_nonnull (suda_slash_command_get_usage (cmd->command));
          continue;
        }
      g_assert_cmpstr (cmd->args[0], ==, c->arg0);
      g_assert_cmpstr (cmd->args[1], ==, c->arg1);
      g_assert_cmpstr (cmd->text, ==, c->text);
    }
}

static void
test_every_command_has_usage_and_help (void)
{
  g_autofree char *help = suda_slash_command_dup_help ();

  for (SudaSlashKind kind = SUDA_SLASH_NICK; kind < SUDA_SLASH_UNKNOWN; kind++)
    {
      const char * const *names = suda_slash_command_get_aliases (kind);
      const char *usage = suda_slash_command_get_usage (kind);

      g_assert_nonnull (names);
      g_assert_nonnull (usage);
      g_assert_nonnull (suda_slash_command_get_summary (kind));
      g_assert_true (usage[0] == '/');
      g_assert_nonnull (strstr (help, usage));
      /* Every alias parses back to its command. */
      for (guint i = 0; names[i] != NULL && i < 4; i++)
        {
          g_autofree char *input = g_strconcat ("/", names[i], NULL);
          g_autoptr(SudaSlashCommand) cmd = suda_slash_command_parse (input);

          g_assert_true (cmd->kind == kind || cmd->command == kind);
        }
    }
  g_assert_null (suda_slash_command_get_usage (SUDA_SLASH_TEXT));
}

/* The README's table row for KIND, as the command table makes it. */
static char *
dup_readme_row (SudaSlashKind kind)
{
  const char * const *names = suda_slash_command_get_aliases (kind);
  g_autofree char *usage = g_strdup (suda_slash_command_get_usage (kind));
  g_autoptr(GString) row = g_string_new ("| `");

  g_string_append (row, usage);
  g_string_append_c (row, '`');
  for (guint i = 1; i < 4 && names[i] != NULL; i++)
    g_string_append_printf (row, "%s`/%s`", i == 1 ? " (" : ", ", names[i]);
  if (names[1] != NULL)
    g_string_append_c (row, ')');
  g_string_append_printf (row, " | %s |", suda_slash_command_get_summary (kind));
  return g_string_free (g_steal_pointer (&row), FALSE);
}

/* The README lists the client's commands in the table's order, row for
 * row, so the two cannot drift apart. */
static void
test_readme_lists_the_table (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "README.md", NULL);
  g_autofree char *readme = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint row = 0;

  g_file_get_contents (path, &readme, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (readme, "\n", -1);
  while (lines[row] != NULL && strcmp (lines[row], "| command | does |") != 0)
    row++;
  g_assert_nonnull (lines[row]);
  g_assert_cmpstr (lines[row + 1], ==, "|---|---|");
  row += 2;
  for (SudaSlashKind kind = SUDA_SLASH_NICK; kind < SUDA_SLASH_UNKNOWN; kind++, row++)
    {
      g_autofree char *expected = dup_readme_row (kind);
      g_autoptr(GString) line = g_string_new (lines[row]);

      /* A | inside a table cell is written \| in Markdown. */
      g_string_replace (line, "\\|", "|", 0);
      g_assert_cmpstr (line->str, ==, expected);
    }
  g_assert_false (g_str_has_prefix (lines[row], "|"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/slash/table", test_table);
  g_test_add_func ("/client/slash/every-command-has-usage-and-help", test_every_command_has_usage_and_help);
  g_test_add_func ("/client/slash/readme-lists-the-table", test_readme_lists_the_table);

  return g_test_run ();
}
