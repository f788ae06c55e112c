/* SPDX-License-Identifier: GPL-3.0-or-later */
/* suda-serverd as a person or systemd runs it: a real process. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "suda-test-util.h"

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  guint16           port;
  char             *dir;
  char             *log;
  gboolean          exited;
} Daemon;

static const char *
daemon_path (void)
{
  const char *path = g_getenv ("SUDA_SERVERD");

  g_assert_nonnull (path);
  return path;
}

static char *
read_stdout_line (Daemon *d)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (d->out, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

/* A daemon left behind by a failed assertion would hold its port. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* A file-size limit (ulimit -f) of 2 KiB, with SIGXFSZ as it is by
 * default: deadly. */
static void
small_file_limit (gpointer data)
{
  struct rlimit limit = { 2048, 2048 };

  die_with_parent (data);
  signal (SIGXFSZ, SIG_DFL);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static GSpawnChildSetupFunc child_setup = die_with_parent;

static void
daemon_start (Daemon     *d,
              const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) extra_args = g_strsplit (extra ? extra : "", " ", -1);
  g_autofree char *line = NULL;

  if (d->dir == NULL)
    d->dir = suda_test_make_tmpdir ();
  if (d->log == NULL)
    d->log = g_build_filename (d->dir, "server.jsonl", NULL);
  g_ptr_array_add (argv, (char *) daemon_path ());
  g_ptr_array_add (argv, "--listen=127.0.0.1");
  g_ptr_array_add (argv, "--port=0");
  g_ptr_array_add (argv, "--log");
  g_ptr_array_add (argv, d->log);
  for (guint i = 0; extra_args[i]; i++)
    if (*extra_args[i])
      g_ptr_array_add (argv, extra_args[i]);
  g_ptr_array_add (argv, NULL);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
    d->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  }
  g_assert_no_error (error);
  d->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (d->process));
  line = read_stdout_line (d);
  g_assert_true (g_str_has_prefix (line, "listening on 127.0.0.1:"));
  d->port = atoi (strrchr (line, ':') + 1);
  g_assert_cmpuint (d->port, >, 0);
}

static void
daemon_clear (Daemon *d)
{
  if (d->process && !d->exited)
    {
      g_subprocess_force_exit (d->process);
      g_subprocess_wait (d->process, NULL, NULL);
    }
  g_clear_object (&d->out);
  g_clear_object (&d->process);
  g_clear_pointer (&d->dir, g_free);
  g_clear_pointer (&d->log, g_free);
}

static void
wait_exit (Daemon *d)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait (d->process, NULL, &error);
  g_assert_no_error (error);
  d->exited = TRUE;
}

static void
test_sigterm_is_clean (void)
{
  Daemon d = { 0 };
  g_autoptr(SudaTestClient) alice = NULL;
  g_autofree char *log = NULL;
  g_autofree char *line = NULL;

  daemon_start (&d, NULL);
  alice = suda_test_client_register (d.port, "alice", NULL);
  g_subprocess_send_signal (d.process, SIGTERM);
  /* The client is told before the socket closes. */
  line = suda_test_client_expect (alice, "ERROR :*Server shutting down*");
  g_assert_true (suda_test_client_wait_closed (alice, 5000));
  wait_exit (&d);
  g_assert_true (g_subprocess_get_if_exited (d.process));
  g_assert_cmpint (g_subprocess_get_exit_status (d.process), ==, 0);

  g_assert_true (g_file_get_contents (d.log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "\"event\":\"server-stop\""));
  daemon_clear (&d);
}

/* Past a file-size limit the log fails like a full disk: the daemon is
 * not killed (SIGXFSZ), it keeps serving and still stops cleanly. */
static void
test_file_size_limit_is_a_failing_log (void)
{
  Daemon d = { 0 };
  g_autoptr(SudaTestClient) alice = NULL;
  g_autofree char *text = g_strnfill (400, 'x');

  child_setup = small_file_limit;
  daemon_start (&d, NULL);
  child_setup = die_with_parent;
  alice = suda_test_client_register_joined (d.port, "alice", NULL, "#lobby");
  for (guint i = 0; i < 6; i++)
    suda_test_client_send (alice, "PRIVMSG #lobby :%u %s", i, text);
  g_ptr_array_unref (suda_test_client_sync (alice));
  g_ptr_array_unref (suda_test_client_sync (alice));

  g_subprocess_send_signal (d.process, SIGTERM);
  suda_test_client_await (alice, "ERROR :*Server shutting down*");
  wait_exit (&d);
  g_assert_true (g_subprocess_get_if_exited (d.process));
  g_assert_cmpint (g_subprocess_get_exit_status (d.process), ==, 0);
  daemon_clear (&d);
}

static void
test_sighup_reopens_log (void)
{
  Daemon d = { 0 };
  g_autoptr(SudaTestClient) alice = NULL;
  g_autofree char *rotated = NULL;
  g_autofree char *old_log = NULL;
  g_autofree char *new_log = NULL;

  daemon_start (&d, NULL);
  alice = suda_test_client_register (d.port, "alice", NULL);
  suda_test_client_join (alice, "alice", "#lobby");

  /* What logrotate does: move the file, then SIGHUP. */
  rotated = g_strconcat (d.log, ".1", NULL);
  g_assert_cmpint (g_rename (d.log, rotated), ==, 0);
  g_subprocess_send_signal (d.process, SIGHUP);
  /* The signal is handled by the daemon's main loop: wait for the file it
   * opens anew before saying anything that must land in it. */
  for (int i = 0; i < 500 && !g_file_test (d.log, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  g_assert_true (g_file_test (d.log, G_FILE_TEST_EXISTS));
  g_ptr_array_unref (suda_test_client_sync (alice));
  suda_test_client_send (alice, "TOPIC #lobby :after rotation");
  suda_test_client_await (alice, "* TOPIC #lobby :after rotation");

  g_assert_true (g_file_get_contents (rotated, &old_log, NULL, NULL));
  g_assert_true (g_file_get_contents (d.log, &new_log, NULL, NULL));
  g_assert_nonnull (strstr (old_log, "\"event\":\"join\""));
  g_assert_null (strstr (old_log, "after rotation"));
  g_assert_nonnull (strstr (new_log, "after rotation"));

  g_subprocess_send_signal (d.process, SIGINT);
  wait_exit (&d);
  g_assert_cmpint (g_subprocess_get_exit_status (d.process), ==, 0);
  daemon_clear (&d);
}

static void
run_and_capture (const char * const *argv,
                 int                *status,
                 char              **out,
                 char              **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = g_subprocess_newv (argv,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);
}

static void
test_bind_failure (void)
{
  g_autoptr(GSocketService) taken = g_socket_service_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *port_arg = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint16 port;
  int status;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (taken), NULL, &error);
  g_assert_no_error (error);
  port_arg = g_strdup_printf ("--port=%u", port);
  {
    const char *argv[] = { daemon_path (), port_arg, "--log", "", NULL };

    run_and_capture (argv, &status, &out, &err);
  }
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "cannot listen on port"));
  g_assert_nonnull (strstr (err, "in use"));
}

static void
test_bad_arguments (void)
{
  struct {
    const char *args[4];
    const char *stderr_part;
  } cases[] = {
    { { "--port=70000", NULL }, "70000 is not a port" },
    { { "--max-clients=0", NULL }, "--max-clients must be at least 1" },
    { { "--config=/nonexistent/suda.conf", NULL }, "cannot read /nonexistent/suda.conf" },
    { { "--listen=not-an-address", "--port=0", NULL }, "is not an IP address" },
    { { "--bogus", NULL }, "Unknown option" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *argv[8] = { daemon_path (), "--log", "" };
      guint n = 3;
      int status;

      for (guint j = 0; cases[i].args[j]; j++)
        argv[n++] = cases[i].args[j];
      run_and_capture (argv, &status, &out, &err);
      g_assert_cmpint (status, !=, 0);
      if (strstr (err, cases[i].stderr_part) == NULL)
        g_error ("case %u: “%s” not in “%s”", i, cases[i].stderr_part, err);
    }
}

static void
test_bad_config_value (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *conf = g_build_filename (dir, "suda.conf", NULL);
  g_autofree char *arg = g_strdup_printf ("--config=%s", conf);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { daemon_path (), arg, NULL };
  int status;

  g_assert_true (g_file_set_contents (conf, "[server]\nport=sixty\n", -1, NULL));
  run_and_capture (argv, &status, &out, &err);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "[server] port: “sixty” is not a whole number"));
}

static void
test_config_file_applies (void)
{
  Daemon d = { 0 };
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *conf = g_build_filename (dir, "suda.conf", NULL);
  g_autofree char *arg = g_strdup_printf ("--config=%s", conf);
  g_autoptr(SudaTestClient) c = NULL;

  g_assert_true (g_file_set_contents (conf,
                                      "[server]\nname=class.example\nmotd=Be kind\\nNo spam\n"
                                      "[limits]\nflood-control=false\n", -1, NULL));
  daemon_start (&d, arg);
  c = suda_test_client_connect (d.port);
  suda_test_client_send (c, "NICK alice");
  suda_test_client_send (c, "USER alice 0 * :A");
  suda_test_client_await (c, ":class.example 001 alice *");
  suda_test_client_await (c, ":class.example 372 alice :- Be kind");
  suda_test_client_await (c, ":class.example 372 alice :- No spam");
  suda_test_client_await (c, ":class.example 376 alice *");
  daemon_clear (&d);
}

static void
test_help_and_version (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  {
    const char *argv[] = { daemon_path (), "--version", NULL };
    run_and_capture (argv, &status, &out, &err);
  }
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "suda-serverd " PACKAGE_VERSION "\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *argv[] = { daemon_path (), "--help", NULL };
    run_and_capture (argv, &status, &out, &err);
  }
  g_assert_cmpint (status, ==, 0);
  for (const char *const *flag = (const char *[]) { "--config", "--listen", "--port", "--log",
                                                    "--max-clients", "--password", "--name", NULL };
       *flag; flag++)
    g_assert_nonnull (strstr (out, *flag));
}

static void
test_hash_password (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                                     &error, daemon_path (), "--hash-password", NULL);
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, "s3cret\n", NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  /* a modern crypt(3) hash: $id$...; never the password itself */
  g_assert_true (out[0] == '$');
  g_assert_null (strstr (out, "s3cret"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/serverd/sigterm/clients-told-log-closed-exit-0", test_sigterm_is_clean);
  g_test_add_func ("/serverd/sighup/reopens-log", test_sighup_reopens_log);
  g_test_add_func ("/serverd/file-size-limit/is-a-failing-log", test_file_size_limit_is_a_failing_log);
  g_test_add_func ("/serverd/bind-failure/says-why-exits-non-zero", test_bind_failure);
  g_test_add_func ("/serverd/arguments/bad-ones-say-why", test_bad_arguments);
  g_test_add_func ("/serverd/config/bad-value-names-key", test_bad_config_value);
  g_test_add_func ("/serverd/config/file-applies", test_config_file_applies);
  g_test_add_func ("/serverd/help-and-version", test_help_and_version);
  g_test_add_func ("/serverd/hash-password", test_hash_password);
  return g_test_run ();
}
