/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "suda-server-config.h"
#include "suda-test-util.h"

/* The configuration file: one reader for every group, one error policy
 * (a bad value stops the start naming group and key; an unknown group or
 * key is a warning), the example file that documents every key, and
 * suda-serverd --config on real files. */

static SudaServerConfig *
load_text (const char  *text,
           GError     **error)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL));
  if (!suda_server_config_load_key_file (config, kf, error))
    return NULL;
  return g_steal_pointer (&config);
}

static void
assert_warnings (SudaServerConfig   *config,
                 const char * const *expected)
{
  guint n = g_strv_length ((GStrv) expected);

  for (guint i = 0; i < MIN (n, config->warnings->len); i++)
    g_assert_cmpstr (g_ptr_array_index (config->warnings, i), ==, expected[i]);
  g_assert_cmpuint (config->warnings->len, ==, n);
}

/* Unknown names -------------------------------------------------------------- */

static void
test_unknown_key_suggests_nearest (void)
{
  g_autoptr(SudaServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = load_text ("[limits]\nflood_control=false\nmax-line=600\n"
                      "[server]\nPort=7000\nbananas=yes\nflood-burst=3\n"
                      "[ai]\nbase_url=http://127.0.0.1:1/v1\n", &error);
  g_assert_no_error (error);
  assert_warnings (config, (const char *[]) {
    "[limits] flood_control: unknown key; did you mean flood-control?",
    "[server] Port: unknown key; did you mean port?",
    "[server] bananas: unknown key",
    "[server] flood-burst: unknown key; it belongs in [limits]",
    "[ai] base_url: unknown key; did you mean base-url?",
    NULL });
  /* unknown keys change nothing; known ones beside them still apply */
  g_assert_true (config->flood_control);
  g_assert_cmpuint (config->port, ==, 6667);
  g_assert_cmpuint (config->max_line, ==, 600);
  g_assert_cmpfloat (config->flood_burst, ==, 10);
  g_assert_cmpstr (config->ai.base_url, ==, "https://api.openai.com/v1");
}

static void
test_unknown_group_warns (void)
{
  g_autoptr(SudaServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = load_text ("[bogus]\nx=1\n[limit]\nmax-line=600\n[AI]\nmodel=m\n", &error);
  g_assert_no_error (error);
  assert_warnings (config, (const char *[]) {
    "[bogus]: unknown group",
    "[limit]: unknown group; did you mean [limits]?",
    "[AI]: unknown group; did you mean [ai]?",
    NULL });
  g_assert_cmpuint (config->max_line, ==, 512);
  g_assert_cmpstr (config->ai.model, ==, "gpt-4o-mini");
}

static void
test_copy_keeps_everything (void)
{
  g_autoptr(SudaServerConfig) config = NULL;
  g_autoptr(SudaServerConfig) copy = NULL;
  g_autoptr(GError) error = NULL;

  config = load_text ("[server]\nname=class.example\nsurprise=1\n"
                      "[operators]\nteacher=$y$hash\n"
                      "[ai]\nmodel=llama3.2\ntimeout=0.25\n"
                      "[schedule]\nmax-pending=3\n", &error);
  g_assert_no_error (error);
  copy = suda_server_config_copy (config);
  suda_server_config_free (g_steal_pointer (&config));

  g_assert_cmpstr (copy->server_name, ==, "class.example");
  g_assert_cmpstr (suda_server_config_get_operator_hash (copy, "teacher"), ==, "$y$hash");
  g_assert_cmpstr (copy->ai.model, ==, "llama3.2");
  g_assert_cmpuint (copy->ai.timeout_ms, ==, 250);
  g_assert_cmpuint (copy->schedule.max_pending, ==, 3);
  g_assert_cmpuint (copy->warnings->len, ==, 1);

  /* the [ai] group alone, as SudaAssistant keeps it */
  {
    SudaAiConfig ai = { 0 };

    suda_ai_config_copy (&copy->ai, &ai);
    g_assert_cmpstr (ai.model, ==, "llama3.2");
    g_assert_true (ai.model != copy->ai.model);
    g_assert_cmpstr (ai.base_url, ==, copy->ai.base_url);
    g_assert_cmpuint (ai.timeout_ms, ==, 250);
    suda_ai_config_clear (&ai);
    g_assert_null (ai.model);
    g_assert_null (ai.system_prompt);
  }
}

/* Bad values ----------------------------------------------------------------- */

static void
test_bad_values_name_group_and_key (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "[server]\nport=sixty\n", "[server] port: “sixty” is not a whole number from 0 to 65535" },
    { "[server]\nmax-clients=0\n", "[server] max-clients: “0” is not a whole number from 1 to 1000000" },
    { "[log]\nwhisper-text=maybe\n", "[log] whisper-text: “maybe” is not true or false" },
    { "[limits]\nmax-line=32\n", "[limits] max-line: “32” is not a whole number from 64 to 8192" },
    { "[limits]\nflood-rate=-1\n", "[limits] flood-rate: “-1” is not a number from 0 to 1000000" },
    { "[limits]\nping-timeout=nan\n", "[limits] ping-timeout: “nan” is not a number of seconds from 0 to 604800" },
    { "[schedule]\nmax-pending=0\n", "[schedule] max-pending: “0” is not a whole number from 1 to 1000" },
    { "[schedule]\nmax-pending=lots\n", "[schedule] max-pending: “lots” is not a whole number from 1 to 1000" },
    { "[ai]\ntimeout=soon\n", "[ai] timeout: “soon” is not a number of seconds from 0.001 to 3600" },
    { "[ai]\nbase-url=ftp://example.org\n", "[ai] base-url: must be an http:// or https:// address" },
    { "[ai]\ntoken-field=max_length\n", "[ai] token-field: must be max_completion_tokens or max_tokens" },
    { "[ai]\nmax-concurrent=65\n", "[ai] max-concurrent: “65” is not a whole number from 1 to 64" },
    { "[server]\nname=a very long name\n", "[server] name: must be one word of 1 to 63 bytes" },
    { "[server]\nnetwork=\n", "[server] network: must be one word of 1 to 63 bytes" },
    { "[server]\nname=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n",
      "[server] name: must be one word of 1 to 63 bytes" },
    { "[server]\nmotd=bad \\q escape\n", "[server] motd: not valid text; check its \\ escapes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SudaServerConfig) config = load_text (cases[i].text, &error);

      g_assert_null (config);
      g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_bad_value_leaves_config_as_it_was (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (g_key_file_load_from_data (kf, "[server]\nport=7000\nname=x\n"
                                                "[ai]\nrate-per-minute=-1\n", -1, 0, NULL));
  g_assert_false (suda_server_config_load_key_file (config, kf, &error));
  g_assert_nonnull (strstr (error->message, "[ai] rate-per-minute"));
  g_assert_cmpuint (config->port, ==, 6667);
  g_assert_cmpstr (config->server_name, ==, "suda.local");
}

static void
test_api_key_file_read_at_load (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "openai.key", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.key", NULL);
  g_autofree char *text = g_strdup_printf ("[ai]\napi-key-file=%s\n", path);
  g_autofree char *bad_text = g_strdup_printf ("[ai]\napi-key-file=%s\n", missing);
  g_autoptr(SudaServerConfig) config = NULL;
  g_autoptr(SudaServerConfig) bad = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "  sk-test-123 \nsecond line\n", -1, NULL));
  config = load_text (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->ai.api_key_file, ==, path);
  g_assert_cmpstr (config->ai.api_key, ==, "sk-test-123");

  bad = load_text (bad_text, &error);
  g_assert_null (bad);
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "[ai] api-key-file: cannot be read: "));
  g_unlink (path);
  g_rmdir (dir);
}

/* Values -------------------------------------------------------------------- */

static void
test_empty_service_nick_and_channel_accepted (void)
{
  g_autoptr(SudaServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = load_text ("[server]\nservice-nick=\ndefault-channel=\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (config->warnings->len, ==, 0);
  g_assert_cmpstr (config->service_nick, ==, "");
  g_assert_cmpstr (config->default_channel, ==, "");
}

static void
test_blank_ai_values_mean_default (void)
{
  g_autoptr(SudaServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = load_text ("[ai]\nbase-url=http://127.0.0.1:11434/v1//\nmodel= \ntoken-field=\n"
                      "retry-backoff=0.02\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->ai.base_url, ==, "http://127.0.0.1:11434/v1");
  g_assert_cmpstr (config->ai.model, ==, "gpt-4o-mini");
  g_assert_cmpstr (config->ai.token_field, ==, "max_completion_tokens");
  g_assert_cmpuint (config->ai.retry_backoff_ms, ==, 20);
}

static void
test_operators (void)
{
  g_autoptr(SudaServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = load_text ("[operators]\nteacher=$y$abc\nnobody=\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (config->warnings->len, ==, 0);
  g_assert_cmpstr (suda_server_config_get_operator_hash (config, "teacher"), ==, "$y$abc");
  /* an empty hash can never match: nobody logs in with it */
  g_assert_null (suda_server_config_get_operator_hash (config, "nobody"));
  g_assert_null (suda_server_config_get_operator_hash (config, "stranger"));

  g_assert_true (suda_server_config_set_value (config, "operators", "teacher", NULL, NULL));
  g_assert_null (suda_server_config_get_operator_hash (config, "teacher"));
}

static void
test_set_value (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (suda_server_config_set_value (config, "limits", "max-line", "1024", NULL));
  g_assert_cmpuint (config->max_line, ==, 1024);
  /* the receive queue always holds one whole line with its tags */
  g_assert_cmpuint (config->recvq_bytes, >=, 1024 + SUDA_MAX_TAGS_BYTES);
  g_assert_true (suda_server_config_set_value (config, "limits", "max-line", NULL, NULL));
  g_assert_cmpuint (config->max_line, ==, 512);

  g_assert_false (suda_server_config_set_value (config, "ai", "max-lines", "0", &error));
  g_assert_cmpstr (error->message, ==, "[ai] max-lines: “0” is not a whole number from 1 to 100");
  g_assert_cmpuint (config->ai.max_lines, ==, 8);
  g_clear_error (&error);

  g_assert_false (suda_server_config_set_value (config, "ai", "colour", "blue", &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND);
}

/* The example file ---------------------------------------------------------- */

typedef struct {
  char *group;
  char *key;
  char *value;
} ExampleLine;

static void
example_line_free (ExampleLine *line)
{
  g_free (line->group);
  g_free (line->key);
  g_free (line->value);
  g_free (line);
}

static char *
dup_example_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", "suda-server.conf.example", NULL);
}

/* Every "#key=value" line of the example, with its group. */
static GPtrArray *
read_example_lines (char **out_contents)
{
  g_autofree char *path = dup_example_path ();
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *group = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) example_line_free);
  g_autoptr(GRegex) key_line = g_regex_new ("^#([a-z][a-z-]*)=(.*)$", 0, 0, NULL);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;

      if (lines[i][0] == '[')
        {
          g_free (group);
          group = g_strndup (lines[i] + 1, strcspn (lines[i] + 1, "]"));
        }
      else if (g_regex_match (key_line, lines[i], 0, &match))
        {
          ExampleLine *line = g_new0 (ExampleLine, 1);

          g_assert_nonnull (group);
          line->group = g_strdup (group);
          line->key = g_match_info_fetch (match, 1);
          line->value = g_match_info_fetch (match, 2);
          g_ptr_array_add (found, line);
        }
    }
  if (out_contents != NULL)
    *out_contents = g_steal_pointer (&contents);
  return found;
}

static void
test_example_documents_every_key (void)
{
  g_autoptr(GPtrArray) lines = read_example_lines (NULL);
  const char * const *groups = suda_server_config_get_groups ();

  for (guint g = 0; groups[g] != NULL; g++)
    {
      g_auto(GStrv) keys = suda_server_config_dup_keys (groups[g]);

      for (guint k = 0; keys[k] != NULL; k++)
        {
          const char *expected = suda_server_config_get_default (groups[g], keys[k]);
          guint n_found = 0;

          for (guint i = 0; i < lines->len; i++)
            {
              ExampleLine *line = g_ptr_array_index (lines, i);

              if (g_str_equal (line->group, groups[g]) && g_str_equal (line->key, keys[k]))
                {
                  n_found++;
                  /* the example shows the default, or nothing for none */
                  g_assert_cmpstr (line->value, ==, expected != NULL ? expected : "");
                }
            }
          if (n_found != 1)
            g_error ("[%s] %s is in the example %u times", groups[g], keys[k], n_found);
        }
    }

  /* and the example names no key the table does not know */
  for (guint i = 0; i < lines->len; i++)
    {
      ExampleLine *line = g_ptr_array_index (lines, i);
      g_auto(GStrv) keys = suda_server_config_dup_keys (line->group);

      if (!g_strv_contains (suda_server_config_get_groups (), line->group))
        g_error ("the example has an unknown group [%s]", line->group);
      if (!g_strv_contains ((const char * const *) keys, line->key))
        g_error ("the example has an unknown key [%s] %s", line->group, line->key);
    }
}

static void
test_example_loads_without_warnings (void)
{
  g_autofree char *path = dup_example_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) lines = read_example_lines (&contents);
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServerConfig) uncommented = suda_server_config_new ();
  g_autoptr(GRegex) comment = g_regex_new ("^#([a-z][a-z-]*=)", G_REGEX_MULTILINE, 0, NULL);
  g_autofree char *active = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  /* as shipped: every key commented out */
  g_assert_true (suda_server_config_load_file (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->warnings->len, ==, 0);

  /* with every "#key=value" line made active: still no error or warning */
  g_assert_cmpuint (lines->len, >, 30);
  active = g_regex_replace (comment, contents, -1, 0, "\\1", 0, NULL);
  g_assert_true (g_key_file_load_from_data (kf, active, -1, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  g_assert_true (suda_server_config_load_key_file (uncommented, kf, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (uncommented->warnings->len, ==, 0);
  g_assert_cmpuint (uncommented->port, ==, config->port);
  g_assert_cmpstr (uncommented->ai.system_prompt, ==, config->ai.system_prompt);
}

/* suda-serverd --config ------------------------------------------------------ */

static const char *
daemon_path (void)
{
  const char *path = g_getenv ("SUDA_SERVERD");

  g_assert_nonnull (path);
  return path;
}

static char *
write_config (const char *dir,
              const char *text)
{
  char *path = g_build_filename (dir, "suda.conf", NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
assert_daemon_refuses (const char *text,
                       const char *message)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *conf = write_config (dir, text);
  g_autofree char *arg = g_strdup_printf ("--config=%s", conf);
  const char *argv[] = { daemon_path (), arg, "--port=0", "--log=", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  if (strstr (err, message) == NULL)
    g_error ("“%s” not in “%s”", message, err);
  g_assert_null (strstr (out, "listening on"));
  g_unlink (conf);
  g_rmdir (dir);
}

static void
test_daemon_bad_ai_value_stops_start (void)
{
  assert_daemon_refuses ("[server]\nname=class.example\n[ai]\nmax-concurrent=lots\n",
                         "[ai] max-concurrent: “lots” is not a whole number from 1 to 64");
}

static void
test_daemon_bad_schedule_value_stops_start (void)
{
  assert_daemon_refuses ("[schedule]\nmax-pending=0\n",
                         "[schedule] max-pending: “0” is not a whole number from 1 to 1000");
}

static void
test_daemon_unknown_key_warns_and_starts (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *conf = write_config (dir, "[limits]\nflood_control=false\n[bogus]\nx=1\n");
  g_autofree char *arg = g_strdup_printf ("--config=%s", conf);
  g_autofree char *log_path = g_build_filename (dir, "server.jsonl", NULL);
  g_autofree char *log_arg = g_strdup_printf ("--log=%s", log_path);
  g_autofree char *log = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(SudaTestClient) client = NULL;
  g_autofree char *first = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, daemon_path (), arg, "--port=0", "--listen=127.0.0.1",
                             log_arg, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  /* blocking: the daemon prints this line once it listens, or exits */
  first = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_true (g_str_has_prefix (first, "listening on 127.0.0.1:"));
  /* a registered client means the main loop, and its SIGTERM handler, runs */
  client = suda_test_client_register (atoi (strrchr (first, ':') + 1), "alice", NULL);

  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_communicate_utf8 (daemon, NULL, NULL, &rest, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (daemon));
  g_assert_cmpint (g_subprocess_get_exit_status (daemon), ==, 0);
  g_assert_nonnull (strstr (err, "[limits] flood_control: unknown key; did you mean flood-control?"));
  g_assert_nonnull (strstr (err, "[bogus]: unknown group"));
  g_assert_nonnull (strstr (err, conf));

  /* and the log keeps them, as errors from the config */
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "\"event\":\"error\""));
  g_assert_nonnull (strstr (log, "\"text\":\"[limits] flood_control: unknown key; did you mean flood-control?\""));
  g_assert_nonnull (strstr (log, "\"source\":\"config\""));
  g_unlink (log_path);
  g_unlink (conf);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-config/unknown/key-warns-with-nearest-key", test_unknown_key_suggests_nearest);
  g_test_add_func ("/server-config/unknown/group-warns", test_unknown_group_warns);
  g_test_add_func ("/server-config/copy/keeps-every-group", test_copy_keeps_everything);
  g_test_add_func ("/server-config/bad-value/names-group-and-key", test_bad_values_name_group_and_key);
  g_test_add_func ("/server-config/bad-value/leaves-config-as-it-was", test_bad_value_leaves_config_as_it_was);
  g_test_add_func ("/server-config/ai/api-key-file-read-at-load", test_api_key_file_read_at_load);
  g_test_add_func ("/server-config/ai/blank-means-default", test_blank_ai_values_mean_default);
  g_test_add_func ("/server-config/server/empty-service-nick-and-channel-accepted",
                   test_empty_service_nick_and_channel_accepted);
  g_test_add_func ("/server-config/operators/hash-looked-up-by-name", test_operators);
  g_test_add_func ("/server-config/set-value/checked-like-the-file", test_set_value);
  g_test_add_func ("/server-config/example/documents-every-key", test_example_documents_every_key);
  g_test_add_func ("/server-config/example/loads-without-warnings", test_example_loads_without_warnings);
  g_test_add_func ("/serverd/config/bad-ai-value-stops-start", test_daemon_bad_ai_value_stops_start);
  g_test_add_func ("/serverd/config/bad-schedule-value-stops-start",
                   test_daemon_bad_schedule_value_stops_start);
  g_test_add_func ("/serverd/config/unknown-key-warns-and-starts", test_daemon_unknown_key_warns_and_starts);

  return g_test_run ();
}
