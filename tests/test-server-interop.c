/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Interoperability: Debian's python3-irc, an IRC client library written
 * with no knowledge of Suda, registers two clients with the suda-serverd
 * binary and has them chat (tests/test-server-interop.py). */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "suda-test-util.h"

#define PYTHON "/usr/bin/python3"  /* Debian's, which has python3-irc */

typedef struct {
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} Communication;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Communication *c = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, &c->err, &c->error);
  c->done = TRUE;
}

static gboolean
communication_done (gpointer data)
{
  return ((Communication *) data)->done;
}

/* Runs PROCESS to its end, for at most TIMEOUT_MS, collecting its output. */
static void
run_to_end (GSubprocess   *process,
            Communication *c,
            guint          timeout_ms)
{
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, c);
  if (!suda_test_wait_until (communication_done, c, timeout_ms))
    {
      g_subprocess_force_exit (process);
      suda_test_wait_until (communication_done, c, 5000);
      g_error ("%s did not finish within %u ms; it said:\n%s\n%s",
               g_subprocess_get_identifier (process), timeout_ms, c->out, c->err);
    }
  g_assert_no_error (c->error);
}

/* A failed assertion aborts this process: the daemon must not outlive it. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
test_python_irc_clients_chat (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *log_path = g_build_filename (dir, "server.jsonl", NULL);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "test-server-interop.py", NULL);
  const char *serverd = g_getenv ("SUDA_SERVERD");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GSubprocess) python = NULL;
  g_autoptr(GDataInputStream) daemon_out = NULL;
  g_autofree char *listening = NULL;
  g_autofree char *port = NULL;
  g_autofree char *log_text = NULL;
  Communication talk = { 0 };
  Communication rest = { 0 };

  g_assert_nonnull (serverd);
  if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("%s is missing: install Debian's python3 and python3-irc", PYTHON);
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  daemon = g_subprocess_launcher_spawn (launcher, &error, serverd, "--port", "0",
                                        "--listen", "127.0.0.1", "--log", log_path, NULL);
  g_assert_no_error (error);
  daemon_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  listening = g_data_input_stream_read_line_utf8 (daemon_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (listening);
  g_assert_true (g_str_has_prefix (listening, "listening on 127.0.0.1:"));
  port = g_strdup (strrchr (listening, ':') + 1);
  g_assert_cmpint (atoi (port), >, 0);

  python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             PYTHON, script, "127.0.0.1", port, NULL);
  g_assert_no_error (error);
  /* The script has a 20 s deadline of its own; this one is the backstop. */
  run_to_end (python, &talk, 40000);
  g_test_message ("python3-irc said:\n%s%s", talk.out, talk.err);
  if (talk.err && strstr (talk.err, "No module named 'irc'"))
    {
      g_test_fail_printf ("python3-irc is not installed for %s", PYTHON);
      goto out;
    }
  g_assert_true (g_subprocess_get_if_exited (python));
  g_assert_cmpint (g_subprocess_get_exit_status (python), ==, 0);
  g_assert_nonnull (strstr (talk.out, "ok: bob got alice's room message\n"));
  g_assert_nonnull (strstr (talk.out, "ok: alice got bob's private message\n"));
  g_assert_nonnull (strstr (talk.out, "steps: 12 of 12; failures: 0\n"));

  /* SIGTERM: a clean stop, and the log holds what the clients said. */
  g_subprocess_send_signal (daemon, SIGTERM);
  run_to_end (daemon, &rest, 10000);
  g_assert_true (g_subprocess_get_if_exited (daemon));
  g_assert_cmpint (g_subprocess_get_exit_status (daemon), ==, 0);

  g_file_get_contents (log_path, &log_text, NULL, &error);
  g_assert_no_error (error);
  {
    g_auto(GStrv) lines = g_strsplit (log_text, "\n", -1);
    gboolean room = FALSE, registered = FALSE, stop = FALSE;

    for (guint i = 0; lines[i] && *lines[i]; i++)
      {
        g_autoptr(SudaLogEntry) entry = suda_log_entry_new_from_line (lines[i], -1, &error);
        const char *event;

        g_assert_no_error (error);
        event = suda_log_entry_get_event (entry);
        registered |= g_str_equal (event, "register") &&
                      g_strcmp0 (suda_log_entry_get_nick (entry), "alice") == 0;
        room |= g_str_equal (event, "message") &&
                g_strcmp0 (suda_log_entry_get_channel (entry), "#interop") == 0 &&
                g_strcmp0 (suda_log_entry_get_nick (entry), "alice") == 0 &&
                g_strcmp0 (suda_log_entry_get_text (entry), "안녕하세요, bob! (room)") == 0;
        stop |= g_str_equal (event, "server-stop");
      }
    g_assert_true (registered);
    g_assert_true (room);
    g_assert_true (stop);
  }

out:
  if (!rest.done)
    {
      g_subprocess_force_exit (daemon);
      g_subprocess_wait (daemon, NULL, NULL);
    }
  g_free (talk.out);
  g_free (talk.err);
  g_free (rest.out);
  g_free (rest.err);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/interop/python3-irc-clients-chat", test_python_irc_clients_chat);
  return g_test_run ();
}
