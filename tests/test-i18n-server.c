/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server speaks its locale's language: an in-process server and the
 * real suda-serverd, both reading the build's compiled Korean catalogue
 * (po/ko/LC_MESSAGES/suda.mo in the build folder). */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "suda-test-util.h"

/* Translations are looked up at run time, so the expected Korean comes from
 * the same catalogue; the tests also pin a few words so an empty or
 * English-only catalogue cannot pass. */
static char *locale_dir;

static const char *ko (const char *msgid) G_GNUC_FORMAT (1);

static const char *
ko (const char *msgid)
{
  const char *text = g_dgettext (GETTEXT_PACKAGE, msgid);

  g_assert_cmpstr (text, !=, msgid);
  return text;
}

static void
test_catalogue_is_korean (void)
{
  g_assert_cmpstr (ko ("Unknown command"), ==, "알 수 없는 명령이에요");
  g_assert_cmpstr (ko ("Nickname is already in use"), ==, "닉네임이 이미 사용 중이에요");
  g_assert_cmpstr (ko ("No such channel"), ==, "그런 대화방이 없어요");
}

static void
test_unknown_command_in_korean (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_client_register (suda_server_get_port (server), "alice", NULL);
  g_autofree char *pattern = g_strdup_printf (":* 421 alice FROBNICATE :%s", ko ("Unknown command"));
  g_autofree char *line = NULL;

  suda_test_client_send (alice, "FROBNICATE now");
  line = suda_test_client_expect (alice, pattern);
  g_assert_nonnull (strstr (line, "알 수 없는 명령"));
  g_assert_null (strstr (line, "Unknown command"));
}

static void
test_missing_parameters_and_nick_in_use_in_korean (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) alice = suda_test_client_register (port, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_client_register (port, "bob", NULL);
  g_autofree char *missing = g_strdup_printf (":* 461 alice JOIN :%s", ko ("Not enough parameters"));
  g_autofree char *in_use = g_strdup_printf (":* 433 bob alice :%s", ko ("Nickname is already in use"));
  g_autofree char *no_channel = g_strdup_printf (":* 403 alice #nowhere :%s", ko ("No such channel"));

  suda_test_client_send (alice, "JOIN");
  g_free (suda_test_client_expect (alice, missing));
  suda_test_client_send (bob, "NICK alice");
  g_free (suda_test_client_expect (bob, in_use));
  suda_test_client_send (alice, "PART #nowhere");
  g_free (suda_test_client_expect (alice, no_channel));
}

static void
test_service_user_answers_in_korean (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_client_register (suda_server_get_port (server), "alice", NULL);
  g_autofree char *help = g_strdup_printf (":suda!* NOTICE alice :%s", ko ("help — this list"));
  g_autofree char *unknown = g_strdup_printf (ko ("I don't know “%s”. Send “help” for what I can do."), "dance");
  g_autofree char *unknown_pattern = g_strdup_printf (":suda!* NOTICE alice :%s", unknown);

  suda_test_client_send (alice, "PRIVMSG suda :help");
  g_free (suda_test_client_expect (alice, help));
  suda_test_client_send (alice, "PRIVMSG suda :dance");
  g_free (suda_test_client_expect (alice, unknown_pattern));
}

static void
test_scheduled_messages_in_korean (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_client_register (suda_server_get_port (server), "alice", NULL);
  g_autofree char *header = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "You have %u scheduled message:",
                                                          "You have %u scheduled messages:", 1), 1u);
  g_autofree char *header_pattern = g_strdup_printf (":suda!* NOTICE alice :%s", header);

  g_assert_cmpstr (header, ==, "내 예약 메시지 1개:");
  ko ("Scheduled message %u for %s at %s; cancel it with %sschedule cancel %u.");
  suda_test_client_send (alice, "JOIN #lab");
  g_free (suda_test_client_expect (alice, ":* 366 alice #lab *"));
  suda_test_client_send (alice, "PRIVMSG #lab :!schedule +10m 회의 시작해요");
  g_free (suda_test_client_expect (alice, ":suda!* NOTICE alice :1번 메시지를 예약했어요 (#lab, *). 취소하려면: !schedule cancel 1"));
  suda_test_client_send (alice, "PRIVMSG suda :schedule list");
  g_free (suda_test_client_expect (alice, header_pattern));
}

static void
test_plain_session_in_korean (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  g_autoptr(SudaTestClient) nc = suda_test_client_connect (suda_server_get_port (server));
  g_autofree char *unknown = g_strdup_printf (ko ("Unknown command /%s. /help lists the commands."), "frob");
  g_autofree char *unknown_pattern = g_strdup_printf ("*%s*", unknown);
  g_autofree char *usage_pattern = g_strdup_printf ("*%s*", ko ("Usage: /whisper NICK TEXT"));

  suda_test_client_send (nc, "bob");
  suda_test_client_send (nc, "/frob");
  g_free (suda_test_client_expect (nc, unknown_pattern));
  suda_test_client_send (nc, "/whisper");
  g_free (suda_test_client_expect (nc, usage_pattern));
}

/* ---- the real daemon */

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  char             *dir;
  guint16           port;
} Daemon;

static GSubprocessLauncher *
korean_launcher (gboolean by_lang)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  g_subprocess_launcher_setenv (launcher, "SUDA_LOCALEDIR", locale_dir, TRUE);
  if (by_lang)
    {
      /* As a person would: only LANG, nothing that overrides it. */
      g_subprocess_launcher_unsetenv (launcher, "LC_ALL");
      g_subprocess_launcher_unsetenv (launcher, "LC_MESSAGES");
      g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
      g_subprocess_launcher_setenv (launcher, "LANG", "ko_KR.UTF-8", TRUE);
    }
  else
    {
      /* glibc honours LANGUAGE under any locale but plain C/POSIX. */
      g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
      g_subprocess_launcher_setenv (launcher, "LANGUAGE", "ko", TRUE);
    }
  return launcher;
}

static char *
read_line (Daemon *d)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (d->out, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static void
daemon_start (Daemon   *d,
              gboolean  by_lang)
{
  g_autoptr(GSubprocessLauncher) launcher = korean_launcher (by_lang);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *listening = NULL;
  g_autofree char *log_line = NULL;
  g_autofree char *expected_log_line = NULL;
  const char *serverd = g_getenv ("SUDA_SERVERD");

  g_assert_nonnull (serverd);
  d->dir = suda_test_make_tmpdir ();
  log = g_build_filename (d->dir, "server.jsonl", NULL);
  d->process = g_subprocess_launcher_spawn (launcher, &error, serverd,
                                            "--listen=127.0.0.1", "--port=0",
                                            "--log", log, NULL);
  g_assert_no_error (error);
  d->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (d->process));

  /* Scripts read the first line, so it stays English on purpose. */
  listening = read_line (d);
  g_assert_true (g_str_has_prefix (listening, "listening on 127.0.0.1:"));
  d->port = atoi (strrchr (listening, ':') + 1);
  g_assert_cmpuint (d->port, >, 0);

  log_line = read_line (d);
  expected_log_line = g_strdup_printf (ko ("log: %s\n"), log);
  g_strchomp (expected_log_line);
  g_assert_cmpstr (log_line, ==, expected_log_line);
  g_assert_true (g_str_has_prefix (log_line, "로그: "));
}

static void
daemon_stop (Daemon *d)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *log = g_build_filename (d->dir, "server.jsonl", NULL);

  g_subprocess_send_signal (d->process, SIGTERM);
  stopped = read_line (d);
  g_assert_cmpstr (stopped, ==, ko ("stopped"));
  g_subprocess_wait_check (d->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&d->out);
  g_clear_object (&d->process);
  g_unlink (log);
  g_rmdir (d->dir);
  g_clear_pointer (&d->dir, g_free);
}

static void
check_daemon_answers_in_korean (gboolean by_lang)
{
  Daemon d = { 0 };
  g_autoptr(SudaTestClient) alice = NULL;
  g_autofree char *pattern = g_strdup_printf (":* 421 alice FROBNICATE :%s", ko ("Unknown command"));
  g_autofree char *line = NULL;

  daemon_start (&d, by_lang);
  alice = suda_test_client_register (d.port, "alice", NULL);
  suda_test_client_send (alice, "FROBNICATE");
  line = suda_test_client_expect (alice, pattern);
  g_assert_nonnull (strstr (line, "알 수 없는 명령"));
  daemon_stop (&d);
}

static void
test_daemon_with_language_ko (void)
{
  check_daemon_answers_in_korean (FALSE);
}

static void
test_daemon_with_lang_ko_kr (void)
{
  locale_t ko_kr = newlocale (LC_ALL_MASK, "ko_KR.UTF-8", (locale_t) 0);

  if (ko_kr == (locale_t) 0)
    {
      g_test_skip ("the ko_KR.UTF-8 locale is not generated; tools/install-deps.sh generates it");
      return;
    }
  freelocale (ko_kr);
  check_daemon_answers_in_korean (TRUE);
}

static void
test_daemon_help_in_korean (void)
{
  g_autoptr(GSubprocessLauncher) launcher = korean_launcher (FALSE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SUDA_SERVERD"), "--help", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  g_assert_nonnull (strstr (out, ko ("Read settings from FILE")));
  g_assert_nonnull (strstr (out, ko ("Suda chat server (IRC protocol), without a window.")));
  g_assert_null (strstr (out, "Read settings from FILE"));
}

int
main (int   argc,
      char *argv[])
{
  const char *set;

  /* LANGUAGE must be set before the first lookup; gettext caches. */
  g_setenv ("LANGUAGE", "ko", TRUE);
  set = setlocale (LC_ALL, "");
  if (set == NULL || g_str_equal (set, "C") || g_str_equal (set, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  locale_dir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  /* As suda-serverd's main() does: the server core still has a few plain
   * ngettext() calls, which use the default domain. */
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/i18n/server/catalogue-is-korean", test_catalogue_is_korean);
  g_test_add_func ("/i18n/server/unknown-command-answered-in-korean", test_unknown_command_in_korean);
  g_test_add_func ("/i18n/server/errors-answered-in-korean", test_missing_parameters_and_nick_in_use_in_korean);
  g_test_add_func ("/i18n/server/service-user-answers-in-korean", test_service_user_answers_in_korean);
  g_test_add_func ("/i18n/server/scheduled-messages-in-korean", test_scheduled_messages_in_korean);
  g_test_add_func ("/i18n/server/plain-text-session-in-korean", test_plain_session_in_korean);
  g_test_add_func ("/i18n/serverd/language-ko-answers-in-korean", test_daemon_with_language_ko);
  g_test_add_func ("/i18n/serverd/lang-ko-kr-answers-in-korean", test_daemon_with_lang_ko_kr);
  g_test_add_func ("/i18n/serverd/help-in-korean", test_daemon_help_in_korean);

  return g_test_run ();
}
