/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a room means across the servers of a cluster ([cluster], issue 15):
 * private messages to a nick another server holds, KICK of a member there,
 * topic, modes and bans shared, LIST of rooms that exist only elsewhere. */
#include "config.h"

#include <string.h>

#include "cluster/suda-cluster-private.h"
#include "suda-server-private.h"
#include "suda-test-cluster.h"
#include "suda-test-fake-api.h"
#include "suda-test-util.h"

#define LEASE_MS 3000

typedef struct {
  SudaTestRedis  redis;
  SudaServer    *a;
  SudaServer    *b;
  GPtrArray     *b_entries;   /* SudaLogEntry B logged */
} Fixture;

static void
on_b_entry (SudaServer   *server,
            SudaLogEntry *entry,
            Fixture      *f)
{
  g_ptr_array_add (f->b_entries, g_object_ref (entry));
}

/* B joins A's cluster, and both have heard from each other. */
static void
start_b (Fixture *f)
{
  SudaServer *servers[3];

  f->b = suda_test_cluster_server (&f->redis, "b", LEASE_MS);
  g_signal_connect (f->b, "log-entry", G_CALLBACK (on_b_entry), f);
  servers[0] = f->a;
  servers[1] = f->b;
  servers[2] = NULL;
  suda_test_cluster_wait (servers);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  suda_test_redis_set_up (&f->redis);
  f->b_entries = g_ptr_array_new_with_free_func (g_object_unref);
  f->a = suda_test_cluster_server (&f->redis, "a", LEASE_MS);
  if (data == NULL)
    start_b (f);   /* else B starts later, in the test */
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

typedef struct {
  SudaServer *server;
  const char *nick;
} Known;

static gboolean
knows_remote (gpointer data)
{
  Known *known = data;

  return _suda_registry_find_remote (_suda_server_get_registry (known->server), known->nick) != NULL;
}

/* SERVER has heard that NICK is on another server. */
static void
wait_for_remote (SudaServer *server,
                 const char *nick)
{
  Known known = { server, nick };

  g_assert_true (suda_test_wait_until (knows_remote, &known, 5000));
}

/* The lines CLIENT reads up to one matching MARKER: one server's events
 * reach the others in the order it made them, so a marker sent after an
 * event shows whether the event arrived more than once. */
static GPtrArray *
lines_until (SudaTestClient *client,
             const char     *marker)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      char *line = suda_test_client_read_line (client, 5000);

      g_assert_nonnull (line);
      if (g_pattern_match_simple (marker, line))
        {
          g_free (line);
          return lines;
        }
      g_ptr_array_add (lines, line);
    }
}

static guint
count_matching (GPtrArray  *lines,
                const char *pattern)
{
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    n += g_pattern_match_simple (pattern, g_ptr_array_index (lines, i));
  return n;
}

static void
test_privmsg_to_other_server (Fixture       *f,
                              gconstpointer  data)
{
  const char *caps = "server-time message-tags echo-message";
  g_autoptr(SudaTestClient) alice = suda_test_user (f->a, "alice", caps);
  g_autoptr(SudaTestClient) bob = suda_test_user (f->b, "bob", caps);
  g_autofree char *echo = NULL, *got = NULL;
  g_autofree char *echo_time = NULL, *echo_msgid = NULL, *time = NULL, *msgid = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  SudaLogEntry *entry;

  wait_for_remote (f->a, "bob");
  wait_for_remote (f->b, "alice");
  suda_test_client_send (alice, "PRIVMSG bob :psst, from A");
  echo = suda_test_client_expect (alice, "@* :alice!* PRIVMSG bob :psst, from A");
  got = suda_test_client_expect (bob, "@* :alice!* PRIVMSG bob :psst, from A");
  echo_time = suda_test_tag_of (echo, "time");
  echo_msgid = suda_test_tag_of (echo, "msgid");
  time = suda_test_tag_of (got, "time");
  msgid = suda_test_tag_of (got, "msgid");
  g_assert_cmpstr (time, ==, echo_time);
  g_assert_cmpstr (msgid, ==, echo_msgid);
  /* B logged it, as a whisper from server a, before sending it. */
  entry = suda_test_find_logged (f->b_entries, "whisper", msgid);
  g_assert_nonnull (entry);
  g_assert_cmpstr (suda_log_entry_get_field (entry, "server"), ==, "a");
  g_assert_cmpstr (suda_log_entry_get_field (entry, "target"), ==, "bob");

  /* NOTICE and TAGMSG go the same way, back from B. */
  suda_test_client_send (bob, "NOTICE alice :noted");
  suda_test_client_await (alice, "@* :bob!* NOTICE alice :noted");
  suda_test_client_send (bob, "@+typing=active TAGMSG alice");
  suda_test_client_await (alice, "@*+typing=active* :bob!* TAGMSG alice");

  /* Once each: a marker after them comes next. */
  suda_test_client_send (alice, "PRIVMSG bob :marker");
  lines = lines_until (bob, "@* :alice!* PRIVMSG bob :marker");
  g_assert_cmpuint (count_matching (lines, "*PRIVMSG bob :psst*"), ==, 0);

  /* A nick on no server is still 401. */
  suda_test_client_send (alice, "PRIVMSG nobody :hello?");
  suda_test_client_await (alice, "* 401 alice nobody :*");
}

static void
test_kick_member_of_other_server (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#lobby");
  g_autoptr(SudaTestClient) dave = suda_test_member (f->a, "dave", NULL, "#lobby");
  g_autoptr(SudaTestClient) bob = suda_test_member (f->b, "bob", NULL, "#lobby");
  g_autoptr(SudaTestClient) carol = suda_test_member (f->b, "carol", NULL, "#lobby");
  g_autoptr(SudaTestClient) erin = suda_test_user (f->b, "erin", NULL);
  g_autoptr(GPtrArray) seen = NULL;
  g_autofree char *names = NULL;

  suda_test_client_await (alice, ":carol!* JOIN #lobby*");
  wait_for_remote (f->a, "erin");
  /* 482 for a member who is no operator; 441 for one not in the room. */
  suda_test_client_send (dave, "KICK #lobby carol :no");
  suda_test_client_await (dave, "* 482 dave #lobby :*");
  suda_test_client_send (alice, "KICK #lobby erin :no");
  suda_test_client_await (alice, "* 441 alice erin #lobby :*");

  suda_test_client_send (alice, "KICK #lobby carol :out you go");
  suda_test_client_await (alice, ":alice!* KICK #lobby carol :out you go");
  suda_test_client_await (dave, ":alice!* KICK #lobby carol :out you go");
  suda_test_client_await (carol, ":alice!* KICK #lobby carol :out you go");
  suda_test_client_send (alice, "PRIVMSG #lobby :marker");
  seen = lines_until (bob, ":alice!* PRIVMSG #lobby :marker");
  g_assert_cmpuint (count_matching (seen, ":alice!* KICK #lobby carol :out you go"), ==, 1);
  suda_test_client_expect_nothing_before_sync (carol, "*PRIVMSG #lobby :marker");

  /* Gone from the room on both servers. */
  names = suda_test_names_of (bob, "bob", "#lobby");
  g_assert_null (strstr (names, "carol"));
  g_free (names);
  names = suda_test_names_of (dave, "dave", "#lobby");
  g_assert_null (strstr (names, "carol"));
  g_assert_nonnull (strstr (names, "bob"));
}

static void
test_topic_modes_bans_shared (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#lobby");
  g_autoptr(SudaTestClient) bob = suda_test_member (f->b, "bob", NULL, "#lobby");
  g_autoptr(SudaTestClient) carol = suda_test_member (f->b, "carol", NULL, "#lobby");
  g_autoptr(SudaTestClient) dave = suda_test_user (f->b, "dave", NULL);

  suda_test_client_await (alice, ":carol!* JOIN #lobby*");
  suda_test_client_send (alice, "TOPIC #lobby :shared topic");
  suda_test_client_await (carol, ":alice!* TOPIC #lobby :shared topic");
  suda_test_client_send (carol, "TOPIC #lobby");
  suda_test_client_await (carol, "* 332 carol #lobby :shared topic");
  suda_test_client_await (carol, "* 333 carol #lobby alice* *");

  /* +m set on A keeps carol, on B with no voice, quiet there. */
  suda_test_client_send (alice, "MODE #lobby +m");
  suda_test_client_await (carol, ":alice!* MODE #lobby +m");
  suda_test_client_send (carol, "PRIVMSG #lobby :may I?");
  suda_test_client_await (carol, "* 404 carol #lobby :*");
  suda_test_client_send (carol, "MODE #lobby");
  suda_test_client_await (carol, "* 324 carol #lobby +*m*");

  /* +v given on A to a member on B lets her speak there. */
  suda_test_client_send (alice, "MODE #lobby +v carol");
  suda_test_client_await (alice, ":alice!* MODE #lobby +v carol");
  suda_test_client_await (carol, ":alice!* MODE #lobby +v carol");
  suda_test_client_send (carol, "PRIVMSG #lobby :thanks");
  suda_test_client_await (alice, ":carol!* PRIVMSG #lobby :thanks");

  /* A ban set on A stops a JOIN on B, and a banned member's speech there. */
  suda_test_client_send (alice, "MODE #lobby -mv+bb carol dave!*@* carol!*@*");
  suda_test_client_await (carol, ":alice!* MODE #lobby -mv+bb carol dave!*@* carol!*@*");
  suda_test_client_send (dave, "JOIN #lobby");
  suda_test_client_await (dave, "* 474 dave #lobby :*");
  suda_test_client_send (carol, "PRIVMSG #lobby :still here?");
  suda_test_client_await (carol, "* 404 carol #lobby :*");

  /* A key set on A is asked for on B. */
  suda_test_client_send (alice, "MODE #lobby -b+k dave!*@* sesame");
  suda_test_client_await (bob, ":alice!* MODE #lobby -b+k dave!*@* sesame");
  suda_test_client_send (dave, "JOIN #lobby");
  suda_test_client_await (dave, "* 475 dave #lobby :*");
  suda_test_client_send (dave, "JOIN #lobby sesame");
  suda_test_client_await (dave, ":dave!* JOIN #lobby*");
}

/* The key and the topic: the whole state, not only a MODE read from the
 * stream. */
static gboolean
b_knows_state (gpointer data)
{
  Fixture *f = data;
  SudaChannel *channel = _suda_registry_find_channel (_suda_server_get_registry (f->b), "#study");

  return channel != NULL && g_strcmp0 (channel->key, "sesame") == 0 &&
         g_strcmp0 (channel->topic, "older than B's room") == 0;
}

/* A server that makes a room others have learns its topic, modes and bans
 * (#study, not the default room every server keeps). */
static void
test_new_room_learns_state (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#study");
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaTestClient) dave = suda_test_user (f->b, "dave", NULL);

  suda_test_client_send (alice, "TOPIC #study :older than B's room");
  suda_test_client_await (alice, ":alice!* TOPIC #study :*");
  suda_test_client_send (alice, "MODE #study +kb sesame dave!*@*");
  suda_test_client_await (alice, ":alice!* MODE #study +kb sesame dave!*@*");
  wait_for_remote (f->b, "alice");

  /* bob's JOIN waits for the state: without the key it would be refused. */
  bob = suda_test_user (f->b, "bob", NULL);
  suda_test_client_send (bob, "JOIN #study sesame");
  suda_test_client_await (bob, ":bob!* JOIN #study*");
  g_assert_true (suda_test_wait_until (b_knows_state, f, 5000));
  suda_test_client_send (bob, "TOPIC #study");
  suda_test_client_await (bob, "* 332 bob #study :older than B's room");
  suda_test_client_send (dave, "JOIN #study sesame");
  suda_test_client_await (dave, "* 474 dave #study :*");
}

static gboolean
b_has_both_rooms (gpointer data)
{
  Fixture *f = data;
  SudaRegistry *registry = _suda_server_get_registry (f->b);

  return _suda_registry_get_remote_members (registry, "#both") != NULL &&
         _suda_registry_get_remote_members (registry, "#only-a") != NULL;
}

static void
test_list_rooms_of_other_servers (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#only-a");
  g_autoptr(SudaTestClient) carol = suda_test_member (f->a, "carol", NULL, "#both");
  g_autoptr(SudaTestClient) bob = suda_test_member (f->b, "bob", NULL, "#both");
  g_autoptr(GPtrArray) lines = NULL;

  g_assert_true (suda_test_wait_until (b_has_both_rooms, f, 5000));
  suda_test_client_send (bob, "LIST");
  suda_test_client_await (bob, "* 321 bob *");
  lines = lines_until (bob, "* 323 bob :*");
  /* The service user, and alice on A. */
  g_assert_nonnull (suda_test_lines_find (lines, "* 322 bob #only-a 2 :*"));
  /* The service user, carol on A and bob on B, once. */
  g_assert_cmpuint (count_matching (lines, "* 322 bob #both 3 :*"), ==, 1);
  suda_test_client_send (bob, "LIST #only-a");
  suda_test_client_await (bob, "* 322 bob #only-a 2 :*");
  suda_test_client_await (bob, "* 323 bob :*");
  suda_test_client_send (bob, "LIST >2");
  g_ptr_array_unref (lines);
  lines = lines_until (bob, "* 323 bob :*");
  g_assert_null (suda_test_lines_find (lines, "* 322 bob #only-a *"));
  g_assert_nonnull (suda_test_lines_find (lines, "* 322 bob #both 3 :*"));
}

/* !search runs once, on the asker's server; the question and the answer
 * reach the other server's members as room messages, once each. */
static void
test_search_runs_once (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SudaFakeApi) api = suda_fake_api_new ();
  g_autoptr(SudaServerConfig) config_a = suda_test_cluster_config (&f->redis, "a2", LEASE_MS);
  g_autoptr(SudaServerConfig) config_b = suda_test_cluster_config (&f->redis, "b2", LEASE_MS);
  g_autoptr(SudaServer) a = NULL;
  g_autoptr(SudaServer) b = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  SudaServer *servers[3];

  /* Both could answer: only the asker's does. */
  for (guint i = 0; i < 2; i++)
    {
      SudaServerConfig *config = i == 0 ? config_a : config_b;

      g_assert_true (suda_server_config_set_value (config, "ai", "base-url", api->base_url, NULL));
      g_assert_true (suda_server_config_set_value (config, "ai", "model", "test-model", NULL));
    }
  a = suda_test_server_new (config_a);
  b = suda_test_server_new (config_b);
  servers[0] = a;
  servers[1] = b;
  servers[2] = NULL;
  suda_test_cluster_wait (servers);
  bob = suda_test_member (b, "bob", NULL, "#lobby");
  alice = suda_test_member (a, "alice", NULL, "#lobby");
  suda_test_client_await (bob, ":alice!* JOIN #lobby*");

  suda_fake_api_script_success (api, "Seoul.", 0);
  suda_test_client_send (alice, "PRIVMSG #lobby :!search capital of Korea?");
  suda_test_client_await (alice, ":suda!* PRIVMSG #lobby :alice: Seoul.");
  suda_test_client_send (alice, "PRIVMSG #lobby :marker");
  seen = lines_until (bob, ":alice!* PRIVMSG #lobby :marker");
  g_assert_cmpuint (count_matching (seen, ":alice!* PRIVMSG #lobby :!search capital of Korea?"), ==, 1);
  g_assert_cmpuint (count_matching (seen, ":suda!* PRIVMSG #lobby :alice: Seoul."), ==, 1);
  g_assert_cmpuint (count_matching (seen, "*PRIVMSG #lobby :*"), ==, 2);
}

typedef struct {
  SudaServer *server;
  const char *name;
  gboolean    present;
} AccountWait;

static SudaServer *
accounts_server (Fixture    *f,
                 const char *id)
{
  g_autoptr(SudaServerConfig) config = suda_test_cluster_accounts_config (&f->redis, id, LEASE_MS);

  return suda_test_server_new (config);
}

/* An account registered on A logs in with SASL PLAIN on B; dropped on A,
 * it is gone from B. */
static void
test_account_shared (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SudaServer) a = accounts_server (f, "a3");
  g_autoptr(SudaServer) b = accounts_server (f, "b3");
  g_autoptr(SudaTestClient) c = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  SudaServer *servers[] = { a, b, NULL };
  const char *raw = "\0alice\0correct horse";

  suda_test_cluster_wait (servers);
  suda_account_store_register_async (suda_server_get_accounts (a), "alice", "correct horse", NULL,
                                     suda_test_async_store, &result);
  g_assert_true (suda_account_store_register_finish (suda_server_get_accounts (a),
                                                     suda_test_async_wait (&result), &error));
  g_assert_no_error (error);
  suda_test_cluster_wait_for_account (b, "alice", TRUE);

  c = suda_test_client_connect (suda_server_get_port (b));
  suda_test_client_send (c, "CAP LS 302");
  suda_test_client_send (c, "NICK alice");
  suda_test_client_send (c, "USER alice 0 * :Alice");
  suda_test_client_send (c, "CAP REQ :sasl");
  suda_test_client_await (c, "* CAP * ACK :sasl");
  suda_test_client_send (c, "AUTHENTICATE PLAIN");
  suda_test_client_await (c, "AUTHENTICATE +");
  answer = g_base64_encode ((const guchar *) raw, strlen ("alice") + strlen ("correct horse") + 2);
  suda_test_client_send (c, "AUTHENTICATE %s", answer);
  g_free (suda_test_client_expect_within (c, "* 903 * :*", 20000));

  g_assert_true (suda_account_store_delete (suda_server_get_accounts (a), "alice", &error));
  suda_test_cluster_wait_for_account (b, "alice", FALSE);
}

/* In #r, CLIENT (NICK) sees OP as an operator and is none: NAMES says so,
 * and MODE is refused.  Returns the NAMES line. */
static char *
assert_operator_is (SudaTestClient *client,
                    const char     *nick,
                    const char     *op)
{
  char *names = suda_test_names_of (client, nick, "#r");
  g_autofree char *op_prefixed = g_strconcat ("@", op, NULL);
  g_autofree char *nick_prefixed = g_strconcat ("@", nick, NULL);
  g_autofree char *refused = g_strdup_printf ("* 482 %s #r :*", nick);

  g_assert_nonnull (strstr (names, op_prefixed));
  g_assert_null (strstr (names, nick_prefixed));
  suda_test_client_send (client, "MODE #r +m");
  suda_test_client_await (client, refused);
  return names;
}

/* A room's operators are one set across servers: bob, who makes #r on B
 * after alice made it on A, is no operator there; NAMES and WHO on each
 * server show the other's @ and +; an operator made on A acts on B. */
static void
test_operators_across_servers (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#r");
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaTestClient) carol = NULL;
  g_autofree char *names = NULL;

  wait_for_remote (f->b, "alice");
  bob = suda_test_member (f->b, "bob", NULL, "#r");
  carol = suda_test_member (f->b, "carol", NULL, "#r");
  suda_test_client_await (alice, ":carol!* JOIN #r*");
  names = assert_operator_is (bob, "bob", "alice");
  g_assert_nonnull (strstr (names, " bob"));

  /* +v and +o given on A to members on B show in NAMES and WHO on A. */
  suda_test_client_send (alice, "MODE #r +vo bob carol");
  suda_test_client_await (bob, ":alice!* MODE #r +vo bob carol");
  g_free (names);
  names = suda_test_names_of (alice, "alice", "#r");
  g_assert_nonnull (strstr (names, " +bob"));
  g_assert_nonnull (strstr (names, " @carol"));
  suda_test_client_send (alice, "WHO #r");
  suda_test_client_await (alice, "* 352 alice #r * * * carol H@ :*");
  g_free (names);
  names = suda_test_names_of (bob, "bob", "#r");
  g_assert_nonnull (strstr (names, " +bob"));

  /* carol, an operator through A, sets modes and kicks from B. */
  suda_test_client_send (carol, "MODE #r +l 50");
  suda_test_client_await (alice, ":carol!* MODE #r +l 50");
  suda_test_client_send (carol, "MODE #r -v bob");
  suda_test_client_await (alice, ":carol!* MODE #r -v bob");
  g_free (names);
  names = suda_test_names_of (alice, "alice", "#r");
  g_assert_null (strstr (names, "+bob"));
  suda_test_client_send (carol, "KICK #r bob :out");
  suda_test_client_await (alice, ":carol!* KICK #r bob :out");
  suda_test_client_send (carol, "KICK #r alice :you too");
  suda_test_client_await (alice, ":carol!* KICK #r alice :you too");
}

static guint
flags_of (SudaServer *server,
          const char *nick)
{
  SudaRegistry *registry = _suda_server_get_registry (server);
  SudaChannel *channel = _suda_registry_find_channel (registry, "#race");
  SudaClient *client = _suda_registry_find_client (registry, nick);
  SudaRemoteUser *user = _suda_registry_find_remote (registry, nick);
  SudaMember *member = channel && client ? suda_channel_find_member (channel, client) : NULL;

  if (member != NULL)
    return member->flags;
  return user ? _suda_registry_get_remote_flags (registry, user, "#race") : 0;
}

/* One operator, and both servers agree who. */
static gboolean
one_op_in_race (gpointer data)
{
  Fixture *f = data;
  guint alice = flags_of (f->a, "alice");
  guint bob = flags_of (f->b, "bob");

  return alice == flags_of (f->b, "alice") && bob == flags_of (f->a, "bob") &&
         (alice | bob) == SUDA_MEMBER_OP && alice != bob;
}

/* Both servers make #race at once, maybe before either hears of the
 * other: the older room wins (the same second: the lower server id). */
static void
test_operators_race (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_user (f->a, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (f->b, "bob", NULL);

  wait_for_remote (f->a, "bob");
  wait_for_remote (f->b, "alice");
  suda_test_client_send (alice, "JOIN #race");
  suda_test_client_send (bob, "JOIN #race");
  suda_test_client_await (alice, ":bob!* JOIN #race*");
  suda_test_client_await (bob, ":alice!* JOIN #race*");
  g_assert_true (suda_test_wait_until (one_op_in_race, f, 5000));
}

/* B, started after A's room has its @ and +, learns them from A's users'
 * announcements: NAMES and WHO on B show them before any MODE. */
static void
test_late_server_learns_prefixes (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#r");
  g_autoptr(SudaTestClient) bob = suda_test_member (f->a, "bob", NULL, "#r");
  g_autoptr(SudaTestClient) dave = NULL;
  g_autofree char *names = NULL;

  suda_test_client_send (alice, "MODE #r +v bob");
  suda_test_client_await (bob, ":alice!* MODE #r +v bob");
  start_b (f);
  wait_for_remote (f->b, "alice");
  wait_for_remote (f->b, "bob");

  dave = suda_test_member (f->b, "dave", NULL, "#r");
  /* dave is no operator: alice's room is older than B's copy of it. */
  names = assert_operator_is (dave, "dave", "alice");
  g_assert_nonnull (strstr (names, "+bob"));
  suda_test_client_send (dave, "WHO #r");
  suda_test_client_await (dave, "* 352 dave #r * * * alice H@ :*");
}

static gboolean
held_has_joins (gpointer data)
{
  return _suda_cluster_held_get_n_joins (data) > 0;
}

static gboolean
held_is_empty (gpointer data)
{
  return _suda_cluster_held_get_n_joins (data) == 0;
}

/* DATA: { SudaServer *, room }: the server knows of members of the room
 * on other servers */
static gboolean
knows_remote_members (gpointer data)
{
  SudaServer *server = ((gpointer *) data)[0];

  return _suda_registry_get_remote_members (_suda_server_get_registry (server), ((gpointer *) data)[1]) != NULL;
}

/* B has never had #vault, made on A with a key and a ban: a JOIN on B waits
 * for the room's state and is checked against it as on A. */
static void
test_join_waits_for_state (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#vault");
  g_autoptr(SudaTestClient) dave = suda_test_user (f->b, "dave", NULL);
  g_autoptr(SudaTestClient) erin = suda_test_user (f->b, "erin", NULL);
  SudaRegistry *registry = _suda_server_get_registry (f->b);
  SudaCluster *cluster = _suda_server_get_cluster (f->b);

  suda_test_client_send (alice, "MODE #vault +kb sesame dave!*@*");
  suda_test_client_await (alice, ":alice!* MODE #vault +kb sesame dave!*@*");
  suda_test_client_send (alice, "PRIVMSG #vault :said before anyone on B came");
  g_assert_true (suda_test_wait_until (knows_remote_members, (gpointer[]) { f->b, "#vault" }, 5000));
  g_assert_null (_suda_registry_find_channel (registry, "#vault"));

  suda_test_client_send (dave, "JOIN #vault sesame");
  suda_test_client_await (dave, "* 474 dave #vault :*");
  /* The room made for the state goes with the refusal. */
  g_assert_null (_suda_registry_find_channel (registry, "#vault"));
  suda_test_client_send (erin, "JOIN #vault");
  suda_test_client_await (erin, "* 475 erin #vault :*");
  suda_test_client_send (erin, "JOIN #vault sesame");
  suda_test_client_await (erin, ":erin!* JOIN #vault*");
  /* The room's history on B outlived the refusal's room. */
  suda_test_client_await (erin, "* NOTICE #vault :*<alice> said before anyone on B came");
  suda_test_client_await (alice, ":erin!* JOIN #vault*");
  g_assert_cmpuint (_suda_cluster_held_get_n_joins (_suda_cluster_get_held (cluster)), ==, 0);
}

/* +l counts the room's members on every server, not only the joiner's. */
static void
test_limit_counts_every_server (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#full");
  g_autoptr(SudaTestClient) bob = suda_test_user (f->b, "bob", NULL);
  g_autoptr(SudaTestClient) carol = suda_test_user (f->b, "carol", NULL);
  g_autoptr(SudaTestClient) dan = suda_test_user (f->a, "dan", NULL);

  suda_test_client_send (alice, "MODE #full +l 2");
  suda_test_client_await (alice, ":alice!* MODE #full +l 2");
  g_assert_true (suda_test_wait_until (knows_remote_members, (gpointer[]) { f->b, "#full" }, 5000));
  suda_test_client_send (bob, "JOIN #full");
  suda_test_client_await (bob, ":bob!* JOIN #full*");
  suda_test_client_await (alice, ":bob!* JOIN #full*");
  g_assert_true (suda_test_wait_until (knows_remote_members, (gpointer[]) { f->a, "#full" }, 5000));

  /* one here and one there: full on both servers */
  suda_test_client_send (carol, "JOIN #full");
  suda_test_client_await (carol, "* 471 carol #full :*");
  suda_test_client_send (dan, "JOIN #full");
  suda_test_client_await (dan, "* 471 dan #full :*");
}

/* A labelled JOIN (IRCv3 labeled-response) with a room that waits for its
 * state answers once, when that room is in: no ACK first, and the lines of
 * every room it names in one labelled batch; a refusal is the one line. */
static void
test_labelled_join_answers_when_its_room_is_in (Fixture       *f,
                                                gconstpointer  data)
{
  g_autoptr(SudaTestClient) alice = suda_test_member (f->a, "alice", NULL, "#vault");
  g_autoptr(SudaTestClient) frank = suda_test_user (f->b, "frank", "labeled-response batch");
  g_autoptr(SudaTestClient) dave = suda_test_user (f->b, "dave", "labeled-response");
  g_autofree char *opened = NULL;
  g_autofree char *refused = NULL;
  gboolean fresh = FALSE, vault = FALSE;

  suda_test_client_send (alice, "MODE #vault +b dave!*@*");
  suda_test_client_await (alice, ":alice!* MODE #vault +b dave!*@*");
  g_assert_true (suda_test_wait_until (knows_remote_members, (gpointer[]) { f->b, "#vault" }, 5000));

  suda_test_client_send (frank, "@label=j1 JOIN #fresh,#vault");
  opened = suda_test_client_expect (frank, "@label=j1 *");
  g_assert_true (g_str_has_prefix (opened, "@label=j1 :"));
  g_assert_nonnull (strstr (opened, " BATCH +"));
  g_assert_true (g_str_has_suffix (opened, " labeled-response"));
  for (;;)
    {
      g_autofree char *line = suda_test_client_read_line (frank, 5000);

      g_assert_nonnull (line);
      g_assert_null (strstr (line, " ACK"));
      if (strstr (line, " BATCH -") != NULL)
        break;
      g_assert_true (g_str_has_prefix (line, "@batch="));
      fresh |= strstr (line, ":frank!") != NULL && g_str_has_suffix (line, " JOIN #fresh");
      vault |= strstr (line, ":frank!") != NULL && g_str_has_suffix (line, " JOIN #vault");
    }
  g_assert_true (fresh);
  g_assert_true (vault);

  suda_test_client_send (dave, "@label=d1 JOIN #vault");
  refused = suda_test_client_expect (dave, "@label=d1 *");
  g_assert_true (g_str_has_prefix (refused, "@label=d1 :"));
  g_assert_nonnull (strstr (refused, " 474 dave #vault :"));
}

/* A room whose members are on a server that does not answer (it has just
 * gone): the JOIN waits a moment, then goes on as if the room were new. */
static void
test_held_join_goes_on_alone (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SudaTestClient) dave = suda_test_user (f->b, "dave", NULL);
  g_autoptr(SudaTestClient) erin = suda_test_user (f->b, "erin", NULL);
  SudaRegistry *registry = _suda_server_get_registry (f->b);
  SudaClusterHeld *held = _suda_cluster_get_held (_suda_server_get_cluster (f->b));
  SudaRemoteUser *ghost = _suda_registry_add_remote (registry, "gone", "ghost", "ghost!g@gone.example");
  gint64 start;

  _suda_registry_remote_join (registry, ghost, "#quiet");
  /* One who leaves while held: the JOIN goes with them. */
  suda_test_client_send (erin, "JOIN #quiet");
  g_assert_true (suda_test_wait_until (held_has_joins, held, 5000));
  suda_test_client_send (erin, "QUIT :never mind");
  suda_test_client_await (erin, "ERROR *");
  g_assert_true (suda_test_wait_until (held_is_empty, held, 5000));

  start = g_get_monotonic_time ();
  suda_test_client_send (dave, "JOIN #quiet");
  suda_test_client_await (dave, ":dave!* JOIN #quiet");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1000 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (_suda_cluster_held_get_n_joins (held), ==, 0);
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
  g_test_add ("/cluster/direct/privmsg-notice-tagmsg-reach-other-server", Fixture, NULL,
              fixture_set_up, test_privmsg_to_other_server, fixture_tear_down);
  g_test_add ("/cluster/kick/operator-kicks-member-of-other-server", Fixture, NULL,
              fixture_set_up, test_kick_member_of_other_server, fixture_tear_down);
  g_test_add ("/cluster/rooms/topic-modes-and-bans-shared", Fixture, NULL,
              fixture_set_up, test_topic_modes_bans_shared, fixture_tear_down);
  g_test_add ("/cluster/rooms/operators-across-servers", Fixture, NULL,
              fixture_set_up, test_operators_across_servers, fixture_tear_down);
  g_test_add ("/cluster/rooms/operators-race-older-room-wins", Fixture, NULL,
              fixture_set_up, test_operators_race, fixture_tear_down);
  g_test_add ("/cluster/rooms/late-server-learns-prefixes", Fixture, "late",
              fixture_set_up, test_late_server_learns_prefixes, fixture_tear_down);
  g_test_add ("/cluster/rooms/join-waits-for-state", Fixture, NULL,
              fixture_set_up, test_join_waits_for_state, fixture_tear_down);
  g_test_add ("/cluster/rooms/limit-counts-every-server", Fixture, NULL,
              fixture_set_up, test_limit_counts_every_server, fixture_tear_down);
  g_test_add ("/cluster/rooms/labelled-join-answers-when-its-room-is-in", Fixture, NULL,
              fixture_set_up, test_labelled_join_answers_when_its_room_is_in, fixture_tear_down);
  g_test_add ("/cluster/rooms/held-join-goes-on-alone", Fixture, NULL,
              fixture_set_up, test_held_join_goes_on_alone, fixture_tear_down);
  g_test_add ("/cluster/rooms/new-room-learns-state", Fixture, NULL,
              fixture_set_up, test_new_room_learns_state, fixture_tear_down);
  g_test_add ("/cluster/list/rooms-of-other-servers", Fixture, NULL,
              fixture_set_up, test_list_rooms_of_other_servers, fixture_tear_down);
  g_test_add ("/cluster/service/search-runs-once-on-askers-server", Fixture, NULL,
              fixture_set_up, test_search_runs_once, fixture_tear_down);
  g_test_add ("/cluster/accounts/registered-on-a-logs-in-on-b", Fixture, NULL,
              fixture_set_up, test_account_shared, fixture_tear_down);
  return g_test_run ();
}
