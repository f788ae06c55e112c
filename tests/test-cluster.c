/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Several servers sharing rooms through Redis ([cluster], issue 15): a
 * redis-server of the test's own (a free port, no persistence, its own
 * folder) and two servers, in this process or as suda-serverd. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/suda-cluster-private.h"
#include "suda-server-private.h"
#include "suda-test-cluster.h"
#include "suda-test-util.h"

#define LEASE_MS 600

typedef struct {
  SudaTestRedis  redis;
  SudaServer    *a;
  SudaServer    *b;
  GPtrArray     *b_entries;   /* SudaLogEntry B logged */
} Fixture;

/* Both hear the channel and have heard from another server. */
static void
wait_for_cluster (SudaServer *a,
                  SudaServer *b)
{
  SudaServer *servers[] = { a, b, NULL };

  suda_test_cluster_wait (servers);
}

static void
on_b_entry (SudaServer   *server,
            SudaLogEntry *entry,
            Fixture      *f)
{
  g_ptr_array_add (f->b_entries, g_object_ref (entry));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  suda_test_redis_set_up (&f->redis);
  f->b_entries = g_ptr_array_new_with_free_func (g_object_unref);
  if (data != NULL)
    return;   /* the test starts its own servers */
  f->a = suda_test_cluster_server (&f->redis, "a", LEASE_MS);
  f->b = suda_test_cluster_server (&f->redis, "b", LEASE_MS);
  g_signal_connect (f->b, "log-entry", G_CALLBACK (on_b_entry), f);
  wait_for_cluster (f->a, f->b);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  suda_test_redis_tear_down (&f->redis);
  g_ptr_array_unref (f->b_entries);
}

static void
test_message_same_time_and_msgid (Fixture       *f,
                                  gconstpointer  data)
{
  const char *caps = "server-time message-tags echo-message";
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", caps, "#lobby");
  g_autoptr(SudaTestClient) bob = suda_test_member (f->b, "bob", caps, "#lobby");
  g_autofree char *echo = NULL;
  g_autofree char *relayed = NULL;
  g_autofree char *echo_time = NULL, *echo_msgid = NULL;
  g_autofree char *time = NULL, *msgid = NULL;
  SudaLogEntry *entry;

  suda_test_client_send (alice, "PRIVMSG #lobby :hello from A");
  echo = suda_test_client_expect (alice, "@* :alice!* PRIVMSG #lobby :hello from A");
  relayed = suda_test_client_expect (bob, "@* :alice!* PRIVMSG #lobby :hello from A");
  echo_time = suda_test_tag_of (echo, "time");
  echo_msgid = suda_test_tag_of (echo, "msgid");
  time = suda_test_tag_of (relayed, "time");
  msgid = suda_test_tag_of (relayed, "msgid");
  g_assert_cmpstr (time, ==, echo_time);
  g_assert_cmpstr (msgid, ==, echo_msgid);

  /* B wrote it to its own log, with the same id, before sending it. */
  entry = suda_test_find_logged (f->b_entries, "message", msgid);
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_field (entry, "server"), ==, "a");
  g_assert_cmpstr (suda_log_entry_get_text (entry), ==, "hello from A");
  /* No echo of one's own event back from Redis. */
  suda_test_client_expect_nothing_before_sync (alice, "*PRIVMSG*");
  suda_test_client_expect_nothing_before_sync (bob, "*PRIVMSG*");
}

static void
test_names_lists_other_server (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = suda_test_member (f->b, "bob", NULL, "#lobby");
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#lobby");
  g_autofree char *names = NULL;

  suda_test_client_await (bob, ":alice!* JOIN #lobby*");
  names = suda_test_names_of (bob, "bob", "#lobby");
  g_assert_nonnull (strstr (names, " alice"));
  g_assert_nonnull (strstr (names, "bob"));
  suda_test_client_await (bob, "* 366 bob #lobby *");
  suda_test_client_send (bob, "WHO #lobby");
  suda_test_client_await (bob, "* 352 bob #lobby * alice H :0 alice");
  suda_test_client_await (bob, "* 315 bob #lobby *");
  suda_test_client_send (bob, "LIST #lobby");
  suda_test_client_await (bob, "* 322 bob #lobby 3 :*");   /* suda, bob and alice */

  /* A part on A leaves B's list too. */
  suda_test_client_send (alice, "PART #lobby :bye");
  suda_test_client_await (bob, ":alice!* PART #lobby :bye");
  g_free (names);
  names = suda_test_names_of (bob, "bob", "#lobby");
  g_assert_null (strstr (names, "alice"));
}

static void
test_nick_taken_elsewhere (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = suda_test_member (f->b, "bob", NULL, "#lobby");
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#lobby");
  g_autoptr(SudaTestClient) other = NULL;

  suda_test_client_await (bob, ":alice!* JOIN #lobby*");
  other = suda_test_client_connect (suda_server_get_port (f->b));
  suda_test_client_send (other, "NICK ALICE");
  suda_test_client_send (other, "USER x 0 * :x");
  suda_test_client_await (other, "* 433 * ALICE :*");
  /* A rename on B is refused the same way. */
  suda_test_client_send (bob, "NICK alice");
  suda_test_client_await (bob, "* 433 bob alice :*");
}

static gboolean
is_connected (gpointer data)
{
  return _suda_cluster_is_connected (_suda_server_get_cluster (data));
}

static void
test_redis_unreachable (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_test_cluster_config (&f->redis, "a", LEASE_MS);
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaServer) alone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaTestClient) alice = NULL;

  suda_test_redis_stop (&f->redis);
  g_free (config->listen_address);
  config->listen_address = g_strdup ("127.0.0.1");
  config->port = 0;
  g_free (config->log_path);
  config->log_path = g_strdup ("");
  server = suda_server_new (config);
  g_assert_false (suda_server_start (server, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "Redis"));
  g_assert_false (suda_server_get_running (server));

  /* required=false: it runs alone, chat and all, and joins the cluster
   * once Redis answers. */
  config->cluster.required = FALSE;
  alone = suda_test_server_new (config);
  g_assert_false (_suda_cluster_is_connected (_suda_server_get_cluster (alone)));
  alice = suda_test_member (alone, "alice", NULL, "#lobby");
  suda_test_client_send (alice, "NAMES #lobby");
  suda_test_client_await (alice, "* 366 alice #lobby *");
  suda_test_redis_start (&f->redis);
  g_assert_true (suda_test_wait_until (is_connected, alone, 10000));
}

static gboolean
is_disconnected (gpointer data)
{
  return !_suda_cluster_is_connected (_suda_server_get_cluster (data));
}

/* Redis stops and comes back while people chat: chat on each server goes on,
 * the servers hear each other again, and nothing arrives twice. */
static void
test_redis_restart (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#lobby");
  g_autoptr(SudaTestClient) carol = suda_test_member (f->a, "carol", NULL, "#lobby");
  g_autoptr(SudaTestClient) bob = suda_test_member (f->b, "bob", NULL, "#lobby");
  g_autoptr(GPtrArray) seen = NULL;
  guint copies = 0;

  suda_test_client_send (alice, "PRIVMSG #lobby :before");
  suda_test_client_await (bob, ":alice!* PRIVMSG #lobby :before");
  suda_test_client_await (carol, ":alice!* PRIVMSG #lobby :before");

  suda_test_redis_stop (&f->redis);
  g_assert_true (suda_test_wait_until (is_disconnected, f->a, 5000));
  suda_test_client_send (alice, "PRIVMSG #lobby :during");
  suda_test_client_await (carol, ":alice!* PRIVMSG #lobby :during");

  suda_test_redis_start (&f->redis);
  wait_for_cluster (f->a, f->b);
  suda_test_client_send (alice, "PRIVMSG #lobby :after");
  suda_test_client_await (carol, ":alice!* PRIVMSG #lobby :after");
  suda_test_client_send (bob, "PRIVMSG #lobby :bob is back");
  suda_test_client_await (alice, ":bob!* PRIVMSG #lobby :bob is back");
  seen = suda_test_client_sync (bob);
  for (guint i = 0; i < seen->len; i++)
    {
      const char *line = g_ptr_array_index (seen, i);

      g_assert_null (strstr (line, "during"));
      copies += strstr (line, "PRIVMSG #lobby :after") != NULL;
    }
  g_assert_cmpuint (copies, ==, 1);
}

/* A suda-serverd in the cluster, killed with SIGKILL: no QUIT ever leaves it. */
static GSubprocess *
spawn_daemon (Fixture  *f,
              guint16  *port)
{
  g_autofree char *conf = g_build_filename (f->redis.dir, "a.conf", NULL);
  g_autofree char *log = g_build_filename (f->redis.dir, "a.jsonl", NULL);
  g_autofree char *text = g_strdup_printf ("[server]\nlisten=127.0.0.1\nport=0\n"
                                           "[limits]\nflood-control=false\n"
                                           "[cluster]\nredis=%s\nserver-id=a\nlease=%g\n",
                                           f->redis.url, LEASE_MS / 1000.0);
  const char *daemon = g_getenv ("SUDA_SERVERD");
  const char *argv[] = { daemon, "--config", conf, "--log", log, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;

  g_assert_nonnull (daemon);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on 127.0.0.1:"));
  *port = (guint16) atoi (strrchr (line, ':') + 1);
  return process;
}

static void
test_server_dies (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaTestClient) again = NULL;
  guint16 port = 0;
  gint64 killed;

  f->b = suda_test_cluster_server (&f->redis, "b", LEASE_MS);
  bob = suda_test_member (f->b, "bob", NULL, "#lobby");
  daemon = spawn_daemon (f, &port);
  /* B heard the daemon: it is in the cluster before alice joins. */
  wait_for_cluster (f->b, NULL);
  alice = suda_test_client_register_joined (port, "alice", NULL, "#lobby");
  suda_test_client_await (bob, ":alice!* JOIN #lobby*");

  g_subprocess_send_signal (daemon, SIGKILL);
  g_subprocess_wait (daemon, NULL, NULL);
  killed = g_get_monotonic_time ();
  suda_test_client_await (bob, ":alice!* QUIT :Server went away");
  /* Within the lease and a beat or two, not at once. */
  g_assert_cmpint (g_get_monotonic_time () - killed, <, 4 * LEASE_MS * 1000);

  /* The nick is free on B now. */
  again = suda_test_user (f->b, "alice", NULL);
  suda_test_client_send (again, "NAMES #lobby");
  suda_test_client_await (again, "* 366 alice #lobby *");
  g_assert_true (_suda_cluster_is_connected (_suda_server_get_cluster (f->b)));
  suda_test_client_expect_nothing_before_sync (again, "ERROR *");
}

/* A command to the test's own Redis, waited for. */
static redisReply *
redis_run (const char         *url,
           const char * const *argv)
{
  GAsyncResult *result = NULL;
  g_autoptr(SudaRedis) redis = NULL;
  g_autoptr(GError) error = NULL;
  redisReply *reply;

  suda_redis_connect_async (url, NULL, NULL, suda_test_async_store, &result);
  redis = suda_redis_connect_finish (suda_test_async_wait (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  suda_redis_command_async (redis, argv, NULL, NULL, suda_test_async_store, &result);
  reply = suda_redis_command_finish (redis, suda_test_async_wait (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  suda_redis_close (redis);
  return reply;
}

/* Ends the connections of server ID alone (they are named suda:ID). */
static void
kill_connections_of (Fixture    *f,
                     const char *id)
{
  const char *list[] = { "CLIENT", "LIST", NULL };
  g_autoptr(redisReply) clients = redis_run (f->redis.url, list);
  g_auto(GStrv) lines = g_strsplit (clients->str, "\n", 0);
  g_autofree char *name = g_strdup_printf (" name=suda:%s ", id);
  guint killed = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], name) != NULL)
      {
        g_autofree char *client_id = g_strndup (lines[i] + 3, strcspn (lines[i] + 3, " "));
        const char *kill[] = { "CLIENT", "KILL", "ID", client_id, NULL };
        g_autoptr(redisReply) reply = redis_run (f->redis.url, kill);

        killed++;
      }
  g_assert_cmpuint (killed, ==, 2);
}

/* B is cut off from Redis while A's users talk: back, B reads on from the
 * last entry it saw, so its members get every line A sent meanwhile, in
 * order, once, and B's log has each before it was sent. */
static void
test_cut_off_server_catches_up (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#lobby");
  g_autoptr(SudaTestClient) carol = suda_test_member (f->a, "carol", NULL, "#lobby");
  g_autoptr(SudaTestClient) bob = suda_test_member (f->b, "bob", NULL, "#lobby");
  g_autoptr(SudaTestClient) dave = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  guint logged = 0;
  guint replayed = 0;

  suda_test_client_await (alice, ":bob!* JOIN #lobby*");
  kill_connections_of (f, "b");
  g_assert_true (suda_test_wait_until (is_disconnected, f->b, 5000));
  for (guint i = 1; i <= 5; i++)
    suda_test_client_send (alice, "PRIVMSG #lobby :while B was away %u", i);
  suda_test_client_await (carol, ":alice!* PRIVMSG #lobby :while B was away 5");

  wait_for_cluster (f->a, f->b);
  suda_test_client_send (alice, "PRIVMSG #lobby :after");
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *pattern = g_strdup_printf (":alice!* PRIVMSG #lobby :while B was away %u", i);

      suda_test_client_await (bob, pattern);
    }
  suda_test_client_await (bob, ":alice!* PRIVMSG #lobby :after");
  seen = suda_test_client_sync (bob);
  g_assert_null (suda_test_lines_find (seen, "*PRIVMSG*"));
  for (guint i = 0; i < f->b_entries->len; i++)
    {
      SudaLogEntry *entry = g_ptr_array_index (f->b_entries, i);

      logged += g_str_equal (suda_log_entry_get_event (entry), "message") &&
                g_str_has_prefix (suda_log_entry_get_text (entry), "while B was away");
    }
  g_assert_cmpuint (logged, ==, 5);

  /* B's history holds each once, though its shared history was read too. */
  dave = suda_test_user (f->b, "dave", "batch server-time");
  suda_test_client_send (dave, "JOIN #lobby");
  suda_test_client_await (dave, "* 366 dave #lobby *");
  g_ptr_array_unref (seen);
  seen = suda_test_client_sync (dave);
  for (guint i = 0; i < seen->len; i++)
    replayed += strstr (g_ptr_array_index (seen, i), "while B was away") != NULL;
  g_assert_cmpuint (replayed, ==, 5);
}

/* A server started after the chat replays the room's earlier lines to a
 * joiner, with the time and msgid they had where they were said. */
static void
test_later_server_replays_history (Fixture       *f,
                                   gconstpointer  data)
{
  const char *caps = "server-time message-tags echo-message batch";
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) dave = NULL;
  g_autofree char *echo = NULL;
  g_autofree char *replayed = NULL;
  g_autofree char *echo_time = NULL, *echo_msgid = NULL;
  g_autofree char *time = NULL, *msgid = NULL;

  f->a = suda_test_cluster_server (&f->redis, "a", LEASE_MS);
  g_assert_true (suda_test_wait_until (is_connected, f->a, 5000));
  alice = suda_test_member (f->a, "alice", caps, "#lobby");
  suda_test_client_send (alice, "PRIVMSG #lobby :first");
  suda_test_client_await (alice, "@* :alice!* PRIVMSG #lobby *first");
  suda_test_client_send (alice, "PRIVMSG #lobby :second");
  echo = suda_test_client_expect (alice, "@* :alice!* PRIVMSG #lobby *second");

  f->b = suda_test_cluster_server (&f->redis, "b", LEASE_MS);
  g_assert_true (suda_test_wait_until (is_connected, f->b, 5000));
  dave = suda_test_user (f->b, "dave", caps);
  suda_test_client_send (dave, "JOIN #lobby");
  suda_test_client_await (dave, "@* :alice!* PRIVMSG #lobby *first");
  replayed = suda_test_client_expect (dave, "@* :alice!* PRIVMSG #lobby *second");
  echo_time = suda_test_tag_of (echo, "time");
  echo_msgid = suda_test_tag_of (echo, "msgid");
  time = suda_test_tag_of (replayed, "time");
  msgid = suda_test_tag_of (replayed, "msgid");
  g_assert_cmpstr (time, ==, echo_time);
  g_assert_cmpstr (msgid, ==, echo_msgid);
}

static char *
make_certificate (Fixture *f)
{
  g_autofree char *cert = g_build_filename (f->redis.dir, "redis.crt", NULL);
  g_autofree char *key = g_build_filename (f->redis.dir, "redis.key", NULL);
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                         "-days", "2", "-subj", "/CN=127.0.0.1",
                         "-addext", "subjectAltName=IP:127.0.0.1", NULL };
  g_autoptr(GSubprocess) openssl = NULL;
  g_autoptr(GError) error = NULL;

  openssl = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));
  return g_steal_pointer (&cert);
}

typedef struct {
  const char *pattern;
  gboolean    found;
} Wanted;

static void
on_entry_wanted (SudaServer   *server,
                 SudaLogEntry *entry,
                 Wanted       *wanted)
{
  const char *text = suda_log_entry_get_text (entry);

  if (g_str_equal (suda_log_entry_get_event (entry), "error") && text != NULL &&
      g_pattern_match_simple (wanted->pattern, text))
    wanted->found = TRUE;
}

static gboolean
is_found (gpointer data)
{
  return ((Wanted *) data)->found;
}

/* URL's server logs an error matching PATTERN and stays out of the cluster. */
static void
assert_refused (Fixture    *f,
                const char *url,
                const char *pattern)
{
  g_autoptr(SudaServerConfig) config = suda_test_cluster_config (&f->redis, "c", LEASE_MS);
  g_autoptr(SudaServer) server = NULL;
  Wanted wanted = { pattern, FALSE };

  g_free (config->cluster.redis);
  config->cluster.redis = g_strdup (url);
  config->cluster.tls_ca = g_build_filename (f->redis.dir, "redis.crt", NULL);
  /* Redis is reached later, on the main loop: the error comes after this. */
  server = suda_test_server_new (config);
  g_signal_connect (server, "log-entry", G_CALLBACK (on_entry_wanted), &wanted);
  g_assert_true (suda_test_wait_until (is_found, &wanted, 5000));
  g_assert_false (_suda_cluster_is_connected (_suda_server_get_cluster (server)));
}

/* rediss:// with requirepass: the cluster works over TLS, trusting the
 * [cluster] tls-ca certificate; a wrong or missing password says so. */
static void
test_tls_and_password (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *cert = make_certificate (f);
  g_autofree char *key = g_build_filename (f->redis.dir, "redis.key", NULL);
  g_autofree char *port = g_strdup_printf ("%u", f->redis.redis_port);
  const char *tls[] = { "--port", "0", "--tls-port", port, "--tls-cert-file", cert,
                        "--tls-key-file", key, "--tls-ca-cert-file", cert,
                        "--tls-auth-clients", "no", "--requirepass", "s3cret", NULL };
  g_autofree char *wrong = g_strdup_printf ("rediss://:wrong@127.0.0.1:%u/0", f->redis.redis_port);
  g_autofree char *none = g_strdup_printf ("rediss://127.0.0.1:%u/0", f->redis.redis_port);
  g_autoptr(SudaServerConfig) config_a = NULL;
  g_autoptr(SudaServerConfig) config_b = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;

  suda_test_redis_stop (&f->redis);
  suda_test_redis_start_with (&f->redis, tls);
  g_free (f->redis.url);
  f->redis.url = g_strdup_printf ("rediss://:s3cret@127.0.0.1:%u/0", f->redis.redis_port);
  config_a = suda_test_cluster_config (&f->redis, "a", LEASE_MS);
  config_b = suda_test_cluster_config (&f->redis, "b", LEASE_MS);
  config_a->cluster.tls_ca = g_strdup (cert);
  config_b->cluster.tls_ca = g_strdup (cert);
  f->a = suda_test_server_new (config_a);
  f->b = suda_test_server_new (config_b);
  wait_for_cluster (f->a, f->b);
  alice = suda_test_member (f->a, "alice", NULL, "#lobby");
  bob = suda_test_member (f->b, "bob", NULL, "#lobby");
  suda_test_client_await (alice, ":bob!* JOIN #lobby*");
  suda_test_client_send (alice, "PRIVMSG #lobby :over TLS");
  suda_test_client_await (bob, ":alice!* PRIVMSG #lobby :over TLS");

  assert_refused (f, wrong, "*refused the password*WRONGPASS*");
  assert_refused (f, none, "*asks for a password*");
}

static void
test_config_keys (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServerConfig) bad = suda_server_config_new ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GKeyFile) wrong = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  /* Without [cluster], nothing: no Redis is asked for. */
  g_assert_null (config->cluster.redis);
  g_assert_true (config->cluster.required);
  g_assert_cmpuint (config->cluster.lease_ms, ==, 15000);

  g_assert_true (g_key_file_load_from_data (file, "[cluster]\nredis=unix:/run/redis.sock\n"
                                            "server-id=north\nrequired=false\nlease=2.5\n", -1, 0, NULL));
  g_assert_true (suda_server_config_load_key_file (config, file, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->cluster.redis, ==, "unix:/run/redis.sock");
  g_assert_cmpstr (config->cluster.server_id, ==, "north");
  g_assert_false (config->cluster.required);
  g_assert_cmpuint (config->cluster.lease_ms, ==, 2500);

  g_assert_true (g_key_file_load_from_data (wrong, "[cluster]\nredis=http://example.org\n", -1, 0, NULL));
  g_assert_false (suda_server_config_load_key_file (bad, wrong, &error));
  g_assert_nonnull (strstr (error->message, "redis://"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (!g_find_program_in_path ("redis-server"))
    {
      g_test_skip ("redis-server is not installed (tools/install-deps.sh)");
      return 0;
    }
  g_test_add_func ("/cluster/config/keys", test_config_keys);
  g_test_add ("/cluster/message/same-time-and-msgid", Fixture, NULL,
              fixture_set_up, test_message_same_time_and_msgid, fixture_tear_down);
  g_test_add ("/cluster/names/lists-other-servers-members", Fixture, NULL,
              fixture_set_up, test_names_lists_other_server, fixture_tear_down);
  g_test_add ("/cluster/nick/taken-elsewhere-is-refused", Fixture, NULL,
              fixture_set_up, test_nick_taken_elsewhere, fixture_tear_down);
  g_test_add ("/cluster/start/redis-unreachable", Fixture, "own",
              fixture_set_up, test_redis_unreachable, fixture_tear_down);
  g_test_add ("/cluster/faults/redis-restart-loses-and-doubles-nothing", Fixture, NULL,
              fixture_set_up, test_redis_restart, fixture_tear_down);
  g_test_add ("/cluster/faults/dead-server-users-quit", Fixture, "own",
              fixture_set_up, test_server_dies, fixture_tear_down);
  g_test_add ("/cluster/resync/cut-off-server-catches-up-once", Fixture, NULL,
              fixture_set_up, test_cut_off_server_catches_up, fixture_tear_down);
  g_test_add ("/cluster/history/later-server-replays-earlier-chat", Fixture, "own",
              fixture_set_up, test_later_server_replays_history, fixture_tear_down);
  g_test_add ("/cluster/tls/rediss-with-password", Fixture, "own",
              fixture_set_up, test_tls_and_password, fixture_tear_down);
  return g_test_run ();
}
