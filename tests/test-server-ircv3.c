/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The IRCv3 capabilities the server offers, one group per capability, over
 * real sockets on 127.0.0.1. */
#include "config.h"

#include <string.h>

#include "irc/suda-irc-private.h"
#include "suda-test-util.h"

#define HISTORY_CAPS "batch draft/chathistory echo-message labeled-response message-tags server-time"
#define N_SAID 10

/* The value of tag NAME in LINE (which starts with its tags), or NULL. */
static char *
dup_tag (const char *line,
         const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s=", name);
  gsize end;
  const char *p;

  if (line[0] != '@')
    return NULL;
  end = strcspn (line, " ");
  for (p = line + 1; p < line + end; p += strcspn (p, "; ") + 1)
    if (g_str_has_prefix (p, key))
      return g_strndup (p + strlen (key), strcspn (p + strlen (key), "; "));
  return NULL;
}

/* draft/chathistory --------------------------------------------------------- */

typedef struct {
  SudaServer     *server;
  SudaTestClient *alice;
  char           *msgids[N_SAID];
  char           *times[N_SAID];
} History;

/* alice says "message 0" … "message 9" in #room, each in a millisecond of
 * its own (time tags have that precision), and keeps their ids and times.
 * DATA, when not NULL, is how many messages the room keeps in memory (the
 * rest is in the log only). */
static void
history_set_up (History       *self,
                gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autofree char *dir = NULL;

  if (data)
    {
      dir = suda_test_make_tmpdir ();
      config->log_path = g_build_filename (dir, "server.jsonl", NULL);
      config->history_lines = GPOINTER_TO_UINT (data);
    }
  self->server = suda_test_server_new_unthrottled (data ? config : NULL);
  self->alice = suda_test_member (self->server, "alice", HISTORY_CAPS, "#room");
  for (guint i = 0; i < N_SAID; i++)
    {
      g_autofree char *pattern = g_strdup_printf ("@* :alice!~alice@127.0.0.1 PRIVMSG #room :message %u", i);
      g_autofree char *echo = NULL;

      suda_test_client_send (self->alice, "PRIVMSG #room :message %u", i);
      echo = suda_test_client_expect (self->alice, pattern);
      self->msgids[i] = dup_tag (echo, "msgid");
      self->times[i] = dup_tag (echo, "time");
      g_assert_nonnull (self->msgids[i]);
      g_assert_nonnull (self->times[i]);
      g_usleep (2000);
    }
}

static void
history_tear_down (History       *self,
                   gconstpointer  data)
{
  for (guint i = 0; i < N_SAID; i++)
    {
      g_free (self->msgids[i]);
      g_free (self->times[i]);
    }
  suda_test_client_free (self->alice);
  g_object_unref (self->server);
}

/* Sends QUERY and checks that its batch holds exactly messages FROM to TO - 1. */
static void
expect_batch (History    *self,
              const char *query,
              guint       from,
              guint       to)
{
  g_autofree char *start = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *end = NULL;

  g_test_message ("%s", query);
  suda_test_client_send (self->alice, "%s", query);
  start = suda_test_client_expect (self->alice, ":suda.local BATCH +* chathistory #room");
  batch = g_strdup (strchr (start, '+') + 1);
  *strchr (batch, ' ') = '\0';
  for (guint i = from; i < to; i++)
    {
      g_autofree char *line = suda_test_client_read_line (self->alice, 5000);
      g_autofree char *pattern = g_strdup_printf ("@batch=%s;time=%s;msgid=%s :alice!~alice@127.0.0.1 PRIVMSG #room :message %u",
                                                  batch, self->times[i], self->msgids[i], i);

      g_assert_nonnull (line);
      if (!g_pattern_match_simple (pattern, line))
        g_error ("expected %s, got %s", pattern, line);
    }
  end = suda_test_client_read_line (self->alice, 5000);
  g_free (start);
  start = g_strdup_printf (":suda.local BATCH -%s", batch);
  g_assert_cmpstr (end, ==, start);
}

static void
test_history_latest (History       *self,
                     gconstpointer  data)
{
  g_autofree char *q = NULL;

  expect_batch (self, "CHATHISTORY LATEST #room * 50", 0, N_SAID);
  expect_batch (self, "CHATHISTORY LATEST #room * 5", 5, N_SAID);
  expect_batch (self, "CHATHISTORY LATEST #ROOM * 1", 9, N_SAID);
  q = g_strdup_printf ("CHATHISTORY LATEST #room msgid=%s 50", self->msgids[4]);
  expect_batch (self, q, 5, N_SAID);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY LATEST #room timestamp=%s 50", self->times[4]);
  expect_batch (self, q, 5, N_SAID);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY LATEST #room msgid=%s 2", self->msgids[4]);
  expect_batch (self, q, 8, N_SAID);
}

static void
test_history_before_after (History       *self,
                           gconstpointer  data)
{
  g_autofree char *q = NULL;

  q = g_strdup_printf ("CHATHISTORY BEFORE #room msgid=%s 50", self->msgids[6]);
  expect_batch (self, q, 0, 6);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY BEFORE #room timestamp=%s 2", self->times[6]);
  expect_batch (self, q, 4, 6);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY AFTER #room msgid=%s 50", self->msgids[3]);
  expect_batch (self, q, 4, N_SAID);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY AFTER #room timestamp=%s 3", self->times[3]);
  expect_batch (self, q, 4, 7);
  g_free (q);
  /* Before everything and after everything: empty batches. */
  q = g_strdup_printf ("CHATHISTORY BEFORE #room msgid=%s 50", self->msgids[0]);
  expect_batch (self, q, 0, 0);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY AFTER #room msgid=%s 50", self->msgids[9]);
  expect_batch (self, q, 0, 0);
}

static void
test_history_around_between (History       *self,
                             gconstpointer  data)
{
  g_autofree char *q = NULL;

  q = g_strdup_printf ("CHATHISTORY AROUND #room msgid=%s 1", self->msgids[7]);
  expect_batch (self, q, 7, 8);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY AROUND #room msgid=%s 3", self->msgids[7]);
  expect_batch (self, q, 6, 9);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY AROUND #room msgid=%s 4", self->msgids[1]);
  expect_batch (self, q, 0, 4);
  g_free (q);
  /* Between excludes both ends; forwards the limit counts from the first,
   * backwards from the first too. */
  q = g_strdup_printf ("CHATHISTORY BETWEEN #room msgid=%s msgid=%s 50", self->msgids[0], self->msgids[9]);
  expect_batch (self, q, 1, 9);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY BETWEEN #room msgid=%s msgid=%s 50", self->msgids[9], self->msgids[0]);
  expect_batch (self, q, 1, 9);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY BETWEEN #room msgid=%s msgid=%s 3", self->msgids[0], self->msgids[9]);
  expect_batch (self, q, 1, 4);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY BETWEEN #room timestamp=%s timestamp=%s 3", self->times[9], self->times[0]);
  expect_batch (self, q, 6, 9);
}

static void
test_history_errors (History       *self,
                     gconstpointer  data)
{
  SudaTestClient *alice = self->alice;
  g_autoptr(SudaTestClient) bob = suda_test_member (self->server, "bob", HISTORY_CAPS, "#other");

  suda_test_client_send (alice, "CHATHISTORY");
  suda_test_client_await (alice, ":suda.local FAIL CHATHISTORY NEED_MORE_PARAMS * :Missing parameters");
  suda_test_client_send (alice, "CHATHISTORY LATEST #room *");
  suda_test_client_await (alice, ":suda.local FAIL CHATHISTORY NEED_MORE_PARAMS LATEST :Missing parameters");
  suda_test_client_send (alice, "CHATHISTORY SIDEWAYS #room * 5");
  suda_test_client_await (alice, ":suda.local FAIL CHATHISTORY INVALID_PARAMS SIDEWAYS :Unknown subcommand");
  suda_test_client_send (alice, "CHATHISTORY BEFORE #room * 5");
  suda_test_client_await (alice, ":suda.local FAIL CHATHISTORY INVALID_PARAMS BEFORE :Invalid parameters");
  suda_test_client_send (alice, "CHATHISTORY LATEST #room timestamp=yesterday 5");
  suda_test_client_await (alice, ":suda.local FAIL CHATHISTORY INVALID_PARAMS LATEST :Invalid parameters");
  suda_test_client_send (alice, "CHATHISTORY LATEST #room * 0");
  suda_test_client_await (alice, ":suda.local FAIL CHATHISTORY INVALID_PARAMS LATEST :Invalid parameters");
  suda_test_client_send (alice, "CHATHISTORY LATEST #room * many");
  suda_test_client_await (alice, ":suda.local FAIL CHATHISTORY INVALID_PARAMS LATEST :Invalid parameters");
  /* A room one is not in, or that does not exist, is no target. */
  suda_test_client_send (alice, "CHATHISTORY LATEST #nowhere * 5");
  suda_test_client_await (alice, ":suda.local FAIL CHATHISTORY INVALID_TARGET LATEST #nowhere :Messages could not be retrieved");
  suda_test_client_send (bob, "CHATHISTORY LATEST #room * 5");
  suda_test_client_await (bob, ":suda.local FAIL CHATHISTORY INVALID_TARGET LATEST #room :Messages could not be retrieved");
  suda_test_client_expect_nothing_before_sync (bob, "*message*");

  /* A message no longer kept, and a person (private messages are kept
   * only where the log keeps their text, off by default): empty batches. */
  expect_batch (self, "CHATHISTORY BEFORE #room msgid=00000000-ffff 5", 0, 0);
  suda_test_client_send (alice, "CHATHISTORY LATEST bob * 5");
  suda_test_client_await (alice, ":suda.local BATCH +* chathistory bob");
  suda_test_client_await (alice, ":suda.local BATCH -*");
}

/* draft/event-playback: with the cap, CHATHISTORY also gives the room's
 * joins, parts, nick changes, topics, modes, kicks and quits, in order;
 * without it, only the messages. */
static void
test_history_event_playback (History       *self,
                             gconstpointer  data)
{
  SudaTestClient *alice = self->alice;
  g_autoptr(SudaTestClient) bob = suda_test_member (self->server, "bob", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (self->server, "carol", NULL, "#room");
  g_autoptr(SudaTestClient) events = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  static const char * const expected[] = {
    ":alice!~alice@127.0.0.1 PRIVMSG #room :message 9",
    ":bob!~bob@127.0.0.1 JOIN #room",
    ":carol!~carol@127.0.0.1 JOIN #room",
    ":bob!~bob@127.0.0.1 NICK :robert",
    ":alice!~alice@127.0.0.1 TOPIC #room :new topic",
    ":alice!~alice@127.0.0.1 MODE #room +v robert",
    ":alice!~alice@127.0.0.1 KICK #room robert :out",
    ":carol!~carol@127.0.0.1 QUIT :Quit: bye",
    ":alice!~alice@127.0.0.1 PRIVMSG #room last",
  };
  guint next = 0;

  suda_test_client_send (bob, "NICK robert");
  suda_test_client_await (alice, "@* :bob!* NICK *robert");
  suda_test_client_send (alice, "TOPIC #room :new topic");
  suda_test_client_await (alice, "@* :alice!* TOPIC #room :new topic");
  suda_test_client_send (alice, "MODE #room +v robert");
  suda_test_client_await (alice, "@* :alice!* MODE #room +v robert");
  suda_test_client_send (alice, "KICK #room robert :out");
  suda_test_client_await (alice, "@* :alice!* KICK #room robert :out");
  suda_test_client_send (carol, "QUIT :bye");
  suda_test_client_await (alice, "@* :carol!* QUIT :*bye");
  suda_test_client_send (alice, "PRIVMSG #room :last");
  suda_test_client_await (alice, "* PRIVMSG #room :last");

  events = suda_test_member (self->server, "dave", HISTORY_CAPS " draft/event-playback", "#room");
  /* Past the replay on JOIN (messages only, as ever). */
  g_ptr_array_unref (suda_test_client_sync (events));
  suda_test_client_send (events, "CHATHISTORY BEFORE #room timestamp=2100-01-01T00:00:00.000Z 10");
  lines = suda_test_client_sync (events);
  for (guint i = 0; i < lines->len && next < G_N_ELEMENTS (expected); i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      const char *body = line[0] == '@' ? strchr (line, ' ') + 1 : line;

      if (g_str_has_prefix (line, "@batch=") && g_str_equal (body, expected[next]))
        next++;
      else if (g_str_has_prefix (line, "@batch="))
        g_error ("expected %s, got %s (line %u)", expected[next], line, i);
    }
  g_assert_cmpuint (next, ==, G_N_ELEMENTS (expected));

  /* Without the cap: the last two messages, nothing between them. */
  g_ptr_array_unref (suda_test_client_sync (alice));
  suda_test_client_send (alice, "CHATHISTORY LATEST #room * 2");
  g_ptr_array_unref (lines);
  lines = suda_test_client_sync (alice);
  g_assert_nonnull (suda_test_lines_find (lines, "@batch=* :alice!* PRIVMSG #room :message 9"));
  g_assert_nonnull (suda_test_lines_find (lines, "@batch=* :alice!* PRIVMSG #room last"));
  g_assert_null (suda_test_lines_find (lines, "* JOIN *"));
  g_assert_null (suda_test_lines_find (lines, "* KICK *"));
}

/* With [log] whisper-text, a conversation between two nicks: both ways,
 * to each of them only, listed by TARGETS, and nothing said to a nick
 * before its present holder took it. */
static void
test_history_private (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) carol = NULL;
  SudaTestClient *bob;
  g_autoptr(GPtrArray) lines = NULL;

  config->log_whisper_text = TRUE;
  server = suda_test_server_new_unthrottled (config);
  alice = suda_test_user (server, "alice", HISTORY_CAPS);
  bob = suda_test_user (server, "bob", HISTORY_CAPS);
  carol = suda_test_user (server, "carol", HISTORY_CAPS);
  suda_test_client_send (alice, "PRIVMSG bob :hi bob");
  suda_test_client_await (bob, "@* :alice!* PRIVMSG bob :hi bob");
  suda_test_client_send (bob, "PRIVMSG alice :hi alice");
  suda_test_client_await (alice, "@* :bob!* PRIVMSG alice :hi alice");
  suda_test_client_send (carol, "PRIVMSG alice :not for bob");
  suda_test_client_await (alice, "@* :carol!* PRIVMSG alice :not for bob");
  g_ptr_array_unref (suda_test_client_sync (alice));

  suda_test_client_send (alice, "CHATHISTORY LATEST BOB * 10");
  suda_test_client_await (alice, ":suda.local BATCH +* chathistory BOB");
  suda_test_client_await (alice, "@batch=*;time=*;msgid=* :alice!~alice@127.0.0.1 PRIVMSG bob :hi bob");
  suda_test_client_await (alice, "@batch=*;time=*;msgid=* :bob!~bob@127.0.0.1 PRIVMSG alice :hi alice");
  suda_test_client_await (alice, ":suda.local BATCH -*");
  suda_test_client_send (alice, "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10");
  lines = suda_test_client_sync (alice);
  g_assert_nonnull (suda_test_lines_find (lines, "@batch=* :suda.local CHATHISTORY TARGETS bob *"));
  g_assert_nonnull (suda_test_lines_find (lines, "@batch=* :suda.local CHATHISTORY TARGETS carol *"));
  /* Carol's conversation with bob is empty. */
  suda_test_client_send (carol, "CHATHISTORY LATEST bob * 10");
  suda_test_client_await (carol, ":suda.local BATCH +* chathistory bob");
  suda_test_client_await (carol, ":suda.local BATCH -*");

  /* Whoever is bob next did not hear what the last bob did. */
  suda_test_client_send (bob, "QUIT");
  g_assert_true (suda_test_client_wait_closed (bob, 5000));
  suda_test_client_free (bob);
  bob = suda_test_user (server, "bob", HISTORY_CAPS);
  suda_test_client_send (bob, "CHATHISTORY LATEST alice * 10");
  suda_test_client_await (bob, ":suda.local BATCH +* chathistory alice");
  suda_test_client_await (bob, ":suda.local BATCH -*");
  suda_test_client_send (bob, "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10");
  suda_test_client_expect_nothing_before_sync (bob, "* CHATHISTORY TARGETS alice *");
  suda_test_client_free (bob);
}

/* The limit is capped at what ISUPPORT says. */
static void
test_history_isupport (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));
  g_autofree char *ls = NULL;

  suda_test_client_send (c, "CAP LS 302");
  ls = suda_test_client_expect (c, ":suda.local CAP * LS :*");
  g_assert_nonnull (strstr (ls, " draft/chathistory "));
  suda_test_client_send (c, "CAP REQ :" HISTORY_CAPS);
  suda_test_client_await (c, ":suda.local CAP * ACK :" HISTORY_CAPS);
  suda_test_client_send (c, "NICK carol");
  suda_test_client_send (c, "USER carol 0 * :Carol");
  suda_test_client_send (c, "CAP END");
  suda_test_client_await (c, ":suda.local 005 carol BOT=B CHATHISTORY=100 MONITOR=100 MSGREFTYPES=msgid,timestamp :are supported by this server");
}

static void
test_history_targets (History       *self,
                      gconstpointer  data)
{
  SudaTestClient *alice = self->alice;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *said = NULL;
  g_autofree char *said_time = NULL;

  suda_test_client_join (alice, "alice", "#second");
  suda_test_client_join (alice, "alice", "#quiet");
  g_usleep (2000);
  suda_test_client_send (alice, "PRIVMSG #second :later");
  said = suda_test_client_expect (alice, "@* PRIVMSG #second :later");
  said_time = dup_tag (said, "time");

  /* Both rooms, the one spoken in last at the end; the quiet one is not listed. */
  suda_test_client_send (alice, "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10");
  suda_test_client_await (alice, ":suda.local BATCH +* draft/chathistory-targets");
  {
    g_autofree char *first = g_strdup_printf ("@batch=* :suda.local CHATHISTORY TARGETS #room %s", self->times[9]);
    g_autofree char *second = g_strdup_printf ("@batch=* :suda.local CHATHISTORY TARGETS #second %s", said_time);

    suda_test_client_await (alice, first);
    suda_test_client_await (alice, second);
  }
  suda_test_client_await (alice, ":suda.local BATCH -*");

  /* The limit, and the time range (exclusive), apply. */
  suda_test_client_send (alice, "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 1");
  lines = suda_test_client_sync (alice);
  g_assert_nonnull (suda_test_lines_find (lines, "@batch=* :suda.local CHATHISTORY TARGETS #room *"));
  g_assert_null (suda_test_lines_find (lines, "*#second*"));
  g_clear_pointer (&lines, g_ptr_array_unref);
  suda_test_client_send (alice, "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=%s 10", self->times[0]);
  lines = suda_test_client_sync (alice);
  g_assert_null (suda_test_lines_find (lines, "*CHATHISTORY TARGETS #*"));
  g_clear_pointer (&lines, g_ptr_array_unref);
  suda_test_client_send (alice, "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z * 10");
  suda_test_client_await (alice, ":suda.local FAIL CHATHISTORY INVALID_PARAMS TARGETS :Invalid parameters");
}

/* labeled-response ---------------------------------------------------------- */

#define LABEL_CAPS "batch labeled-response message-tags server-time"

static void
test_label_one_none_error (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", LABEL_CAPS, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");

  suda_test_client_send (alice, "@label=p1 PING :token");
  suda_test_client_await (alice, "@label=p1 :suda.local PONG suda.local token");
  /* A message without echo-message has no reply: an ACK says it was done. */
  suda_test_client_send (alice, "@label=m1 PRIVMSG #room :hello");
  suda_test_client_await (alice, "@label=m1 :suda.local ACK");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 PRIVMSG #room :hello");
  suda_test_client_send (alice, "@label=e1;+other=1 FROB");
  suda_test_client_await (alice, "@label=e1 :suda.local 421 alice FROB :Unknown command");
  /* No label, no tag; a label is nothing to a client without the cap. */
  suda_test_client_send (alice, "PING :plain");
  suda_test_client_await (alice, ":suda.local PONG suda.local plain");
  suda_test_client_send (bob, "@label=b1 PING :plain");
  suda_test_client_await (bob, ":suda.local PONG suda.local plain");
}

static void
test_label_echo (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", LABEL_CAPS " echo-message", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "message-tags", "#room");
  g_autofree char *relayed = NULL;

  /* The echo is the reply, labelled beside its own tags; others' copies are not. */
  suda_test_client_send (alice, "@label=m2 PRIVMSG #room :echoed");
  suda_test_client_await (alice, "@label=m2;time=*;msgid=* :alice!~alice@127.0.0.1 PRIVMSG #room :echoed");
  relayed = suda_test_client_expect (bob, "@msgid=* :alice!~alice@127.0.0.1 PRIVMSG #room :echoed");
  g_assert_null (strstr (relayed, "label"));
}

static void
test_label_batch (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", LABEL_CAPS " draft/chathistory", "#room");
  g_autofree char *start = NULL;
  g_autofree char *inner = NULL;
  g_autofree char *id = NULL;
  g_autofree char *inner_id = NULL;
  g_autofree char *pattern = NULL;

  /* Several replies: one labeled-response batch holding them. */
  suda_test_client_send (alice, "@label=n1 NAMES #room");
  start = suda_test_client_expect (alice, "@label=n1 :suda.local BATCH +* labeled-response");
  id = g_strndup (strchr (start, '+') + 1, strcspn (strchr (start, '+') + 1, " "));
  pattern = g_strdup_printf ("@batch=%s :suda.local 353 alice = #room :suda @alice", id);
  suda_test_client_await (alice, pattern);
  g_free (pattern);
  pattern = g_strdup_printf ("@batch=%s :suda.local 366 alice #room :End of /NAMES list.", id);
  suda_test_client_await (alice, pattern);
  g_free (pattern);
  pattern = g_strdup_printf (":suda.local BATCH -%s", id);
  suda_test_client_await (alice, pattern);

  /* A batch of its own nests inside the labelled one. */
  suda_test_client_send (alice, "PRIVMSG #room :kept");
  suda_test_client_send (alice, "@label=h1 CHATHISTORY LATEST #room * 5");
  g_clear_pointer (&start, g_free);
  g_clear_pointer (&id, g_free);
  start = suda_test_client_expect (alice, "@label=h1 :suda.local BATCH +* labeled-response");
  id = g_strndup (strchr (start, '+') + 1, strcspn (strchr (start, '+') + 1, " "));
  g_free (pattern);
  pattern = g_strdup_printf ("@batch=%s :suda.local BATCH +* chathistory #room", id);
  inner = suda_test_client_expect (alice, pattern);
  inner_id = g_strndup (strchr (inner, '+') + 1, strcspn (strchr (inner, '+') + 1, " "));
  g_free (pattern);
  pattern = g_strdup_printf ("@batch=%s;time=* :alice!~alice@127.0.0.1 PRIVMSG #room *kept", inner_id);
  suda_test_client_await (alice, pattern);
  g_free (pattern);
  pattern = g_strdup_printf ("@batch=%s :suda.local BATCH -%s", id, inner_id);
  suda_test_client_await (alice, pattern);
  g_free (pattern);
  pattern = g_strdup_printf (":suda.local BATCH -%s", id);
  suda_test_client_await (alice, pattern);
}

/* MONITOR, extended-monitor ------------------------------------------------- */

static void
test_monitor_online_offline (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = NULL;

  suda_test_client_send (alice, "MONITOR + bob,carol,not/a/nick");
  suda_test_client_await (alice, ":suda.local 730 alice :bob!~bob@127.0.0.1");
  suda_test_client_await (alice, ":suda.local 731 alice :carol");
  /* Told as it happens, without asking. */
  carol = suda_test_user (server, "carol", NULL);
  suda_test_client_await (alice, ":suda.local 730 alice :carol!~carol@127.0.0.1");
  suda_test_client_send (carol, "NICK Carol");
  suda_test_client_await (carol, ":carol!~carol@127.0.0.1 NICK :Carol");
  suda_test_client_send (carol, "NICK carla");
  suda_test_client_await (alice, ":suda.local 731 alice :Carol");
  suda_test_client_send (bob, "QUIT :bye");
  suda_test_client_await (alice, ":suda.local 731 alice :bob");
  suda_test_client_expect_nothing_before_sync (alice, "*carla*");

  suda_test_client_send (alice, "MONITOR L");
  suda_test_client_await (alice, ":suda.local 732 alice :bob,carol");
  suda_test_client_await (alice, ":suda.local 733 alice :End of MONITOR list");
  suda_test_client_send (alice, "MONITOR - BOB");
  suda_test_client_send (alice, "MONITOR S");
  suda_test_client_await (alice, ":suda.local 731 alice :carol");
  suda_test_client_send (alice, "MONITOR + suda");
  suda_test_client_await (alice, ":suda.local 730 alice :suda!suda@suda.local");
  suda_test_client_send (alice, "MONITOR C");
  suda_test_client_send (alice, "MONITOR L");
  suda_test_client_expect_nothing_before_sync (alice, "* 732 *");
  suda_test_client_send (alice, "MONITOR +");
  suda_test_client_await (alice, ":suda.local 461 alice MONITOR :Not enough parameters");
}

static void
test_monitor_limit_and_gone_watcher (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", NULL);
  g_autoptr(SudaTestClient) carol = NULL;
  g_autoptr(GString) nicks = g_string_new (NULL);

  for (guint i = 0; i < 101; i++)
    g_string_append_printf (nicks, "%sn%u", i ? "," : "", i);
  suda_test_client_send (alice, "MONITOR + %s", nicks->str);
  suda_test_client_await (alice, ":suda.local 734 alice 100 n100 :Monitor list is full.");
  suda_test_client_send (alice, "MONITOR L");
  suda_test_client_await (alice, ":suda.local 732 alice :n0,n1,*,n98,n99");
  suda_test_client_await (alice, ":suda.local 733 alice :End of MONITOR list");

  /* A watcher that leaves is forgotten: the watched come and go unharmed. */
  suda_test_client_send (bob, "MONITOR + carol");
  suda_test_client_await (bob, ":suda.local 731 bob :carol");
  suda_test_client_send (bob, "QUIT");
  g_assert_true (suda_test_client_wait_closed (bob, 5000));
  carol = suda_test_user (server, "carol", NULL);
  suda_test_client_send (carol, "QUIT");
  g_assert_true (suda_test_client_wait_closed (carol, 5000));
}

static void
test_monitor_extended (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", "away-notify extended-monitor setname");
  g_autoptr(SudaTestClient) eve = suda_test_user (server, "eve", "away-notify");
  g_autoptr(SudaTestClient) dave = suda_test_user (server, "dave", NULL);

  suda_test_client_send (alice, "MONITOR + dave");
  suda_test_client_await (alice, ":suda.local 730 alice :dave!~dave@127.0.0.1");
  suda_test_client_send (eve, "MONITOR + dave");
  suda_test_client_await (eve, ":suda.local 730 eve :dave!~dave@127.0.0.1");
  /* No room in common: only extended-monitor carries dave's AWAY. */
  suda_test_client_send (dave, "AWAY :lunch");
  suda_test_client_await (alice, ":dave!~dave@127.0.0.1 AWAY :lunch");
  suda_test_client_expect_nothing_before_sync (eve, "*AWAY*");
  suda_test_client_send (dave, "SETNAME :Dave Bowman");
  suda_test_client_await (alice, ":dave!~dave@127.0.0.1 SETNAME :Dave Bowman");
}

/* userhost-in-names, invite-notify, setname, extended-join ------------------ */

static void
test_userhost_in_names (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", "userhost-in-names", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");

  suda_test_client_send (alice, "NAMES #room");
  suda_test_client_await (alice, ":suda.local 353 alice = #room :suda @alice!~alice@127.0.0.1 bob!~bob@127.0.0.1");
  suda_test_client_send (bob, "NAMES #room");
  suda_test_client_await (bob, ":suda.local 353 bob = #room :suda @alice bob");
}

static void
test_invite_notify (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", "invite-notify", "#room");
  g_autoptr(SudaTestClient) dave = suda_test_member (server, "dave", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", "invite-notify");

  suda_test_client_send (alice, "INVITE bob #room");
  suda_test_client_await (alice, ":suda.local 341 alice bob #room");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 INVITE bob #room");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 INVITE bob #room");
  suda_test_client_expect_nothing_before_sync (dave, "*INVITE*");
  suda_test_client_expect_nothing_before_sync (alice, "*INVITE*");
}

static void
test_setname (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", "setname", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "setname", "#room");
  g_autoptr(SudaTestClient) dave = suda_test_member (server, "dave", NULL, "#room");
  g_autoptr(SudaTestClient) eve = suda_test_user (server, "eve", "setname");

  suda_test_client_send (alice, "SETNAME :Alice Liddell");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 SETNAME :Alice Liddell");
  suda_test_client_await (bob, ":alice!~alice@127.0.0.1 SETNAME :Alice Liddell");
  suda_test_client_expect_nothing_before_sync (dave, "*SETNAME*");
  suda_test_client_expect_nothing_before_sync (eve, "*SETNAME*");
  suda_test_client_send (dave, "WHOIS alice");
  suda_test_client_await (dave, ":suda.local 311 dave alice ~alice 127.0.0.1 * :Alice Liddell");
  suda_test_client_send (alice, "SETNAME :");
  suda_test_client_await (alice, ":suda.local FAIL SETNAME INVALID_REALNAME :The real name is empty or too long");
}

static void
test_extended_join (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", "extended-join");
  g_autoptr(SudaTestClient) dave = suda_test_member (server, "dave", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_user (server, "bob", "extended-join");

  suda_test_client_send (alice, "JOIN #room");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 JOIN #room * :Test alice");

  /* No accounts exist: the account is "*". */
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_await (bob, ":bob!~bob@127.0.0.1 JOIN #room * :Test bob");
  suda_test_client_await (alice, ":bob!~bob@127.0.0.1 JOIN #room * :Test bob");
  suda_test_client_await (dave, ":bob!~bob@127.0.0.1 JOIN #room");
}

/* BOT mode ------------------------------------------------------------------ */

static void
test_bot_mode (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", NULL, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "message-tags", "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", NULL, "#room");
  g_autofree char *human = NULL;

  suda_test_client_send (alice, "MODE alice +B");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE alice :+B");
  suda_test_client_send (alice, "MODE alice");
  suda_test_client_await (alice, ":suda.local 221 alice +B");
  /* A bot's messages carry the bot tag to those who read tags. */
  suda_test_client_send (alice, "PRIVMSG #room :beep");
  suda_test_client_await (bob, "@msgid=*;bot :alice!~alice@127.0.0.1 PRIVMSG #room :beep");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 PRIVMSG #room :beep");
  suda_test_client_send (bob, "WHO #room");
  suda_test_client_await (bob, ":suda.local 352 bob #room ~alice 127.0.0.1 suda.local alice HB@ :0 Test alice");
  suda_test_client_send (bob, "WHOIS alice");
  suda_test_client_await (bob, ":suda.local 335 bob alice :is a bot");
  suda_test_client_await (bob, ":suda.local 318 bob alice :End of /WHOIS list.");

  suda_test_client_send (alice, "MODE alice -B");
  suda_test_client_await (alice, ":alice!~alice@127.0.0.1 MODE alice :-B");
  suda_test_client_send (bob, "WHOIS alice");
  suda_test_client_expect_nothing_before_sync (bob, "* 335 *");
  suda_test_client_send (alice, "PRIVMSG #room :human again");
  human = suda_test_client_expect (bob, "@msgid=* :alice!~alice@127.0.0.1 PRIVMSG #room :human again");
  g_assert_null (strstr (human, ";bot"));
}

/* draft/message-redaction --------------------------------------------------- */

#define REDACT_CAPS "batch draft/chathistory draft/message-redaction echo-message message-tags server-time"

static void
test_redact (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", REDACT_CAPS, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", "message-tags draft/message-redaction", "#room");
  g_autoptr(SudaTestClient) carol = suda_test_member (server, "carol", NULL, "#room");
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *said = NULL;
  g_autofree char *msgid = NULL;
  g_autofree char *pattern = NULL;

  /* The author takes a message back: those with the cap are told. */
  suda_test_client_send (bob, "PRIVMSG #room :oops");
  said = suda_test_client_expect (alice, "@* :bob!~bob@127.0.0.1 PRIVMSG #room :oops");
  msgid = dup_tag (said, "msgid");
  suda_test_client_send (bob, "REDACT #room %s :typo", msgid);
  pattern = g_strdup_printf ("@time=* :bob!~bob@127.0.0.1 REDACT #room %s :typo", msgid);
  suda_test_client_await (alice, pattern);
  suda_test_client_expect_nothing_before_sync (carol, "*REDACT*");
  suda_test_client_expect_nothing_before_sync (bob, "*REDACT*");
  /* The history forgets it. */
  suda_test_client_send (alice, "CHATHISTORY LATEST #room * 10");
  lines = suda_test_client_sync (alice);
  g_assert_null (suda_test_lines_find (lines, "*oops*"));
  g_assert_nonnull (suda_test_lines_find (lines, ":suda.local BATCH -*"));
  g_clear_pointer (&lines, g_ptr_array_unref);
  pattern = (g_free (pattern), g_strdup_printf (":suda.local FAIL REDACT UNKNOWN_MSGID #room %s :This message does not exist or is too old", msgid));
  suda_test_client_send (bob, "REDACT #room %s", msgid);
  suda_test_client_await (bob, pattern);

  /* Someone else's message: only the room's operator may. */
  g_clear_pointer (&said, g_free);
  g_clear_pointer (&msgid, g_free);
  suda_test_client_send (carol, "PRIVMSG #room :mine");
  said = suda_test_client_expect (alice, "@* :carol!~carol@127.0.0.1 PRIVMSG #room :mine");
  msgid = dup_tag (said, "msgid");
  suda_test_client_send (bob, "REDACT #room %s", msgid);
  pattern = (g_free (pattern), g_strdup_printf (":suda.local FAIL REDACT REDACT_FORBIDDEN #room %s :You are not allowed to redact this message", msgid));
  suda_test_client_await (bob, pattern);
  suda_test_client_send (alice, "REDACT #room %s", msgid);
  pattern = (g_free (pattern), g_strdup_printf ("*:alice!~alice@127.0.0.1 REDACT #room %s", msgid));
  suda_test_client_await (alice, pattern);
  suda_test_client_await (bob, pattern);

  suda_test_client_send (bob, "REDACT carol %s", msgid);
  suda_test_client_await (bob, ":suda.local FAIL REDACT INVALID_TARGET carol :You cannot redact messages here");
  suda_test_client_send (bob, "REDACT #room");
  suda_test_client_await (bob, ":suda.local 461 bob REDACT :Not enough parameters");
}

/* The log records the redaction, and a history read back from it leaves
 * the message out. */
static void
test_redact_logged (void)
{
  static const char log[] =
    "{\"time\":\"2026-11-21T10:00:00.000Z\",\"event\":\"message\",\"channel\":\"#room\",\"nick\":\"ana\",\"text\":\"kept\",\"msgid\":\"a-1\"}\n"
    "{\"time\":\"2026-11-21T10:00:01.000Z\",\"event\":\"message\",\"channel\":\"#room\",\"nick\":\"ana\",\"text\":\"gone\",\"msgid\":\"a-2\"}\n"
    "{\"time\":\"2026-11-21T10:00:02.000Z\",\"event\":\"redact\",\"channel\":\"#ROOM\",\"nick\":\"ana\",\"msgid\":\"a-2\"}\n";
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) ana = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *contents = NULL;

  config->log_path = g_build_filename (dir, "server.jsonl", NULL);
  g_assert_true (g_file_set_contents (config->log_path, log, sizeof log - 1, NULL));
  server = suda_test_server_new_unthrottled (config);
  ana = suda_test_user (server, "ana", "batch server-time message-tags");
  suda_test_client_send (ana, "JOIN #room");
  lines = suda_test_client_sync (ana);
  g_assert_nonnull (suda_test_lines_find (lines, "@batch=*;msgid=a-1 :ana!ana@history PRIVMSG #room *kept"));
  g_assert_null (suda_test_lines_find (lines, "*gone*"));

  /* ana is the author of a-1 by nick. */
  suda_test_client_send (ana, "REDACT #room a-1 :never mind");
  suda_test_client_send (ana, "PING done");
  g_free (suda_test_client_expect (ana, "* PONG * done"));
  suda_server_stop (server, NULL);
  g_assert_true (g_file_get_contents (config->log_path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"event\":\"redact\",\"channel\":\"#room\",\"nick\":\"ana\",\"text\":\"never mind\",\"msgid\":\"a-1\"}"));
}

/* draft/read-marker --------------------------------------------------------- */

static void
test_read_marker (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  SudaTestClient *alice = suda_test_member (server, "alice", "draft/read-marker", "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(GPtrArray) lines = NULL;
  guint joined = 0, marker = 0, end = 0;

  suda_test_client_send (alice, "MARKREAD #room");
  suda_test_client_await (alice, ":suda.local MARKREAD #room *");
  suda_test_client_send (alice, "MARKREAD #room timestamp=2026-05-01T10:00:00.000Z");
  suda_test_client_await (alice, ":suda.local MARKREAD #room timestamp=2026-05-01T10:00:00.000Z");
  /* Never backwards: an older marker gets the kept one back. */
  suda_test_client_send (alice, "MARKREAD #ROOM timestamp=2026-04-01T10:00:00.000Z");
  suda_test_client_await (alice, ":suda.local MARKREAD #ROOM timestamp=2026-05-01T10:00:00.000Z");
  suda_test_client_send (alice, "MARKREAD bob timestamp=2026-05-02T10:00:00.000Z");
  suda_test_client_await (alice, ":suda.local MARKREAD bob timestamp=2026-05-02T10:00:00.000Z");
  suda_test_client_send (alice, "MARKREAD");
  suda_test_client_await (alice, ":suda.local FAIL MARKREAD NEED_MORE_PARAMS :Missing parameters");
  suda_test_client_send (alice, "MARKREAD #room yesterday");
  suda_test_client_await (alice, ":suda.local FAIL MARKREAD INVALID_PARAMS #room :Invalid parameters");

  /* Kept by nick across a reconnect, and said on JOIN before the names end. */
  suda_test_client_send (alice, "QUIT");
  g_assert_true (suda_test_client_wait_closed (alice, 5000));
  suda_test_client_free (alice);
  alice = suda_test_user (server, "alice", "draft/read-marker");
  suda_test_client_send (alice, "JOIN #room");
  lines = suda_test_client_sync (alice);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);

      if (g_pattern_match_simple (":alice!* JOIN #room", line))
        joined = i + 1;
      else if (g_str_equal (line, ":suda.local MARKREAD #room timestamp=2026-05-01T10:00:00.000Z"))
        marker = i + 1;
      else if (g_pattern_match_simple ("* 366 alice #room *", line))
        end = i + 1;
    }
  g_assert_cmpuint (joined, >, 0);
  g_assert_cmpuint (marker, >, joined);
  g_assert_cmpuint (end, >, marker);
  suda_test_client_send (alice, "MARKREAD bob");
  suda_test_client_await (alice, ":suda.local MARKREAD bob timestamp=2026-05-02T10:00:00.000Z");
  suda_test_client_free (alice);

  /* A client without the cap hears nothing of markers. */
  suda_test_client_send (bob, "PART #room");
  suda_test_client_send (bob, "JOIN #room");
  suda_test_client_expect_nothing_before_sync (bob, "*MARKREAD*");
}

/* Kept across a restart, in a small file beside the log, not in the log. */
static void
test_read_marker_restart (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "chat.read-markers.json", NULL);
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  SudaServer *server;
  SudaTestClient *alice;

  config->log_path = g_build_filename (dir, "chat.jsonl", NULL);
  server = suda_test_server_new_unthrottled (config);
  alice = suda_test_member (server, "alice", "draft/read-marker", "#room");
  suda_test_client_send (alice, "MARKREAD #room timestamp=2026-05-01T10:00:00.000Z");
  suda_test_client_await (alice, ":suda.local MARKREAD #room timestamp=2026-05-01T10:00:00.000Z");
  /* Written rarely: not at each MARKREAD, but when the server stops. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  suda_test_client_free (alice);
  g_object_unref (server);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  server = suda_test_server_new_unthrottled (config);
  alice = suda_test_user (server, "ALICE", "draft/read-marker");
  suda_test_client_send (alice, "MARKREAD #ROOM");
  suda_test_client_await (alice, ":suda.local MARKREAD #ROOM timestamp=2026-05-01T10:00:00.000Z");
  suda_test_client_send (alice, "MARKREAD #other");
  suda_test_client_await (alice, ":suda.local MARKREAD #other *");
  suda_test_client_free (alice);
  g_object_unref (server);
}

/* Logged in, markers belong to the account: another nick logged in to it
 * (SASL PLAIN) finds them on JOIN and moves them for both; a guest using
 * that nick without logging in has none. */
static void
test_read_marker_account (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", "draft/read-marker draft/account-registration");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  SudaTestClient *ally;
  g_autofree char *plain = NULL;
  const char answer[] = "\0alice\0correct-horse";

  suda_test_client_send (alice, "REGISTER * * correct-horse");
  /* Hashing the password is slow by design. */
  g_free (suda_test_client_expect_within (alice, ":suda.local REGISTER SUCCESS alice *", 60000));
  suda_test_client_send (alice, "JOIN #room");
  suda_test_client_send (alice, "MARKREAD #room timestamp=2026-05-01T10:00:00.000Z");
  suda_test_client_await (alice, ":suda.local MARKREAD #room timestamp=2026-05-01T10:00:00.000Z");

  ally = suda_test_client_connect (suda_server_get_port (server));
  suda_test_client_send (ally, "CAP LS 302");
  suda_test_client_send (ally, "NICK ally");
  suda_test_client_send (ally, "USER ally 0 * :Ally");
  suda_test_client_send (ally, "CAP REQ :sasl draft/read-marker");
  suda_test_client_await (ally, "* CAP * ACK :sasl draft/read-marker");
  suda_test_client_send (ally, "AUTHENTICATE PLAIN");
  suda_test_client_await (ally, "AUTHENTICATE +");
  plain = g_base64_encode ((const guchar *) answer, sizeof answer - 1);
  suda_test_client_send (ally, "AUTHENTICATE %s", plain);
  g_free (suda_test_client_expect_within (ally, "* 903 * :*", 60000));
  suda_test_client_send (ally, "CAP END");
  g_free (suda_test_client_expect_within (ally, "* 001 *", 60000));
  suda_test_client_send (ally, "JOIN #room");
  suda_test_client_await (ally, ":suda.local MARKREAD #room timestamp=2026-05-01T10:00:00.000Z");

  /* Moved by one client of the person: the other hears of it. */
  suda_test_client_send (ally, "MARKREAD #room timestamp=2026-05-02T10:00:00.000Z");
  suda_test_client_await (ally, ":suda.local MARKREAD #room timestamp=2026-05-02T10:00:00.000Z");
  suda_test_client_await (alice, ":suda.local MARKREAD #room timestamp=2026-05-02T10:00:00.000Z");
  suda_test_client_send (ally, "QUIT");
  g_assert_true (suda_test_client_wait_closed (ally, 5000));
  suda_test_client_free (ally);

  /* Not by nick: "ally" without the account has no marker. */
  ally = suda_test_user (server, "ally", "draft/read-marker");
  suda_test_client_send (ally, "MARKREAD #room");
  suda_test_client_await (ally, ":suda.local MARKREAD #room *");
  suda_test_client_free (ally);
  /* Nor does someone else's move reach a client of another person. */
  suda_test_client_expect_nothing_before_sync (bob, "*MARKREAD*");
}

/* draft/multiline ----------------------------------------------------------- */

#define MULTILINE_CAPS "batch draft/multiline echo-message message-tags server-time"

static void
send_block (SudaTestClient *c,
            const char     *ref,
            const char     *target,
            guint           n_lines,
            gsize           line_len)
{
  g_autofree char *text = g_strnfill (line_len, 'x');

  suda_test_client_send (c, "BATCH +%s draft/multiline %s", ref, target);
  for (guint i = 0; i < n_lines; i++)
    suda_test_client_send (c, "@batch=%s PRIVMSG %s :%s", ref, target, text);
  suda_test_client_send (c, "BATCH -%s", ref);
}

static void
test_multiline (void)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autofree char *log_path = g_build_filename (dir, "server.jsonl", NULL);
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(SudaTestClient) carol = NULL;
  g_autofree char *start = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *id = NULL;
  g_autofree char *pattern = NULL;

  config->log_path = g_strdup (log_path);
  server = suda_test_server_new_unthrottled (config);
  alice = suda_test_member (server, "alice", MULTILINE_CAPS, "#room");
  bob = suda_test_member (server, "bob", "batch draft/multiline", "#room");
  carol = suda_test_member (server, "carol", NULL, "#room");

  suda_test_client_send (alice, "BATCH +m1 draft/multiline #room");
  suda_test_client_send (alice, "@batch=m1 PRIVMSG #room :first line");
  suda_test_client_send (alice, "@batch=m1 PRIVMSG #room :second");
  suda_test_client_send (alice, "@batch=m1;draft/multiline-concat PRIVMSG #room : half");
  suda_test_client_expect_nothing_before_sync (bob, "*PRIVMSG*");
  suda_test_client_send (alice, "BATCH -m1");

  /* One batch to those with the cap, its msgid and time on the start. */
  start = suda_test_client_expect (alice, "@time=*;msgid=* :alice!~alice@127.0.0.1 BATCH +* draft/multiline #room");
  g_free (start);
  start = suda_test_client_expect (bob, ":alice!~alice@127.0.0.1 BATCH +* draft/multiline #room");
  id = g_strndup (strchr (start, '+') + 1, strcspn (strchr (start, '+') + 1, " "));
  pattern = g_strdup_printf ("@batch=%s :alice!~alice@127.0.0.1 PRIVMSG #room :first line", id);
  suda_test_client_await (bob, pattern);
  g_free (pattern);
  pattern = g_strdup_printf ("@batch=%s :alice!~alice@127.0.0.1 PRIVMSG #room second", id);
  suda_test_client_await (bob, pattern);
  g_free (pattern);
  pattern = g_strdup_printf ("@batch=%s;draft/multiline-concat :alice!~alice@127.0.0.1 PRIVMSG #room : half", id);
  suda_test_client_await (bob, pattern);
  g_free (pattern);
  pattern = g_strdup_printf (":alice!~alice@127.0.0.1 BATCH -%s", id);
  suda_test_client_await (bob, pattern);
  /* The others get the lines one by one. */
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 PRIVMSG #room :first line");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 PRIVMSG #room :second");
  suda_test_client_await (carol, ":alice!~alice@127.0.0.1 PRIVMSG #room : half");

  /* Logged as one message. */
  suda_server_stop (server, NULL);
  g_assert_true (g_file_get_contents (log_path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"event\":\"message\",\"channel\":\"#room\",\"nick\":\"alice\",\"text\":\"first line\\nsecond half\",\"msgid\":\""));
  g_assert_nonnull (strstr (contents, "\"source\":\"alice!~alice@127.0.0.1\""));
  g_assert_nonnull (strstr (contents, "\"multiline\":true"));
}

static void
test_multiline_limits (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_member (server, "alice", MULTILINE_CAPS, "#room");
  g_autoptr(SudaTestClient) bob = suda_test_member (server, "bob", NULL, "#room");
  g_autoptr(GPtrArray) lines = NULL;

  send_block (alice, "a", "#room", 25, 10);
  suda_test_client_await (alice, ":suda.local FAIL BATCH MULTILINE_MAX_LINES 24 :The multiline batch has too many lines");
  send_block (alice, "b", "#room", 10, 450);
  suda_test_client_await (alice, ":suda.local FAIL BATCH MULTILINE_MAX_BYTES 4096 :The multiline batch is too long");
  suda_test_client_send (alice, "BATCH +c draft/multiline #room");
  suda_test_client_send (alice, "@batch=c PRIVMSG #elsewhere :hi");
  suda_test_client_send (alice, "BATCH -c");
  suda_test_client_await (alice, ":suda.local FAIL BATCH MULTILINE_INVALID_TARGET #room #elsewhere :A multiline batch goes to one target");
  suda_test_client_send (alice, "BATCH -zzz");
  suda_test_client_await (alice, ":suda.local FAIL BATCH MULTILINE_INVALID :No such batch is open");
  /* Nothing of the refused batches came through. */
  suda_test_client_expect_nothing_before_sync (bob, "*PRIVMSG*");
  /* A batch of 24 lines within 4096 bytes does. */
  send_block (alice, "d", "bob", 24, 100);
  g_ptr_array_unref (suda_test_client_sync (alice));
  lines = suda_test_client_sync (bob);
  g_assert_cmpuint (lines->len, ==, 24);
  g_assert_nonnull (suda_test_lines_find (lines, ":alice!~alice@127.0.0.1 PRIVMSG bob :x*"));
}

/* A multiline message read back from the log is replayed line by line. */
static void
test_multiline_reloaded (void)
{
  static const char log[] =
    "{\"time\":\"2026-11-21T10:00:00.000Z\",\"event\":\"message\",\"channel\":\"#room\",\"nick\":\"ana\",\"text\":\"one\\ntwo\",\"msgid\":\"a-1\",\"multiline\":true}\n";
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) ana = NULL;

  config->log_path = g_build_filename (dir, "server.jsonl", NULL);
  g_assert_true (g_file_set_contents (config->log_path, log, sizeof log - 1, NULL));
  server = suda_test_server_new_unthrottled (config);
  ana = suda_test_user (server, "ana", "batch server-time message-tags");
  suda_test_client_send (ana, "JOIN #room");
  suda_test_client_await (ana, "@batch=*;time=2026-11-21T10:00:00.000Z;msgid=a-1 :ana!ana@history PRIVMSG #room one");
  suda_test_client_await (ana, "@batch=*;time=2026-11-21T10:00:00.000Z :ana!ana@history PRIVMSG #room two");
}

/* Older than the room keeps in memory: read from the log. */
static void
test_history_from_log (History       *self,
                       gconstpointer  data)
{
  g_autofree char *q = NULL;
  g_autofree char *start = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  q = g_strdup_printf ("CHATHISTORY BEFORE #room msgid=%s 50", self->msgids[6]);
  expect_batch (self, q, 0, 6);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY BEFORE #room msgid=%s 2", self->msgids[6]);
  expect_batch (self, q, 4, 6);
  g_free (q);
  expect_batch (self, "CHATHISTORY LATEST #room * 50", 0, N_SAID);
  q = g_strdup_printf ("CHATHISTORY AFTER #room timestamp=%s 3", self->times[0]);
  expect_batch (self, q, 1, 4);
  g_free (q);
  q = g_strdup_printf ("CHATHISTORY BETWEEN #room msgid=%s msgid=%s 50", self->msgids[0], self->msgids[9]);
  expect_batch (self, q, 1, 9);
  /* What memory keeps is answered from memory. */
  expect_batch (self, "CHATHISTORY LATEST #room * 2", 8, N_SAID);

  /* A labelled query, read from the log too, comes in its labelled batch
   * once the log is read. */
  suda_test_client_send (self->alice, "@label=old CHATHISTORY LATEST #room * 50");
  start = suda_test_client_expect (self->alice, "@label=old :suda.local BATCH +* labeled-response");
  {
    g_autofree char *outer = g_strndup (strchr (start, '+') + 1, strcspn (strchr (start, '+') + 1, " "));
    g_autofree char *inner = g_strdup_printf ("@batch=%s :suda.local BATCH +* chathistory #room", outer);
    g_autofree char *end = g_strdup_printf (":suda.local BATCH -%s", outer);

    g_free (suda_test_client_expect (self->alice, inner));
    g_free (suda_test_client_expect (self->alice, "@batch=*;time=* :alice!~alice@127.0.0.1 PRIVMSG #room :message 0"));
    g_free (suda_test_client_expect (self->alice, "@batch=*;time=* :alice!~alice@127.0.0.1 PRIVMSG #room :message 9"));
    g_free (suda_test_client_expect (self->alice, end));
  }
  /* What memory keeps alone is answered at once, labelled as ever. */
  suda_test_client_send (self->alice, "@label=new CHATHISTORY LATEST #room * 2");
  lines = suda_test_client_sync (self->alice);
  g_assert_nonnull (suda_test_lines_find (lines, "@label=new :suda.local BATCH +* labeled-response"));
  g_assert_nonnull (suda_test_lines_find (lines, "@batch=*;time=* :alice!~alice@127.0.0.1 PRIVMSG #room :message 9"));
  g_assert_null (suda_test_lines_find (lines, "*message 6"));
}

/* CAP ----------------------------------------------------------------------- */

/* CAP LS 302 goes over several lines rather than past 512 bytes: the split
 * keeps whole caps, and every line but the last says "*". */
static void
test_cap_ls_split (void)
{
  static const char list[] = "aaaa bbbb cccc=1,2 dd eeeeeeeeeeeeeeeeeeeee f";
  g_autoptr(GPtrArray) pieces = _suda_irc_split_caps (list, 10);
  g_autoptr(GPtrArray) one = _suda_irc_split_caps (list, 1000);
  g_autoptr(GPtrArray) none = _suda_irc_split_caps ("", 10);
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_connect (suda_server_get_port (server));
  g_autoptr(GString) caps = g_string_new (NULL);
  g_autofree char *line = NULL;
  const char *expected[] = { "aaaa bbbb", "cccc=1,2", "dd", "eeeeeeeeeeeeeeeeeeeee", "f" };

  g_assert_cmpuint (pieces->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < pieces->len; i++)
    g_assert_cmpstr (g_ptr_array_index (pieces, i), ==, expected[i]);
  g_assert_cmpuint (one->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (one, 0), ==, list);
  g_assert_cmpuint (none->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (none, 0), ==, "");

  /* On the wire: lines within 512 bytes that add up to the whole list. */
  suda_test_client_send (c, "CAP LS 302");
  for (;;)
    {
      g_free (line);
      line = suda_test_client_read_line (c, 5000);
      g_assert_nonnull (line);
      g_assert_cmpuint (strlen (line) + 2, <=, 512);
      if (g_str_has_prefix (line, ":suda.local CAP * LS * :"))
        g_string_append_printf (caps, "%s ", line + strlen (":suda.local CAP * LS * :"));
      else
        break;
    }
  g_assert_true (g_str_has_prefix (line, ":suda.local CAP * LS :"));
  g_string_append (caps, line + strlen (":suda.local CAP * LS :"));
  g_assert_nonnull (strstr (caps->str, "draft/chathistory"));
  g_assert_nonnull (strstr (caps->str, "userhost-in-names"));
  /* Nothing changes a host here, so chghost is not offered. */
  g_assert_null (strstr (caps->str, "chghost"));
  suda_test_client_send (c, "CAP REQ chghost");
  suda_test_client_await (c, ":suda.local CAP * NAK :chghost");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ircv3/chathistory/latest", History, NULL, history_set_up, test_history_latest, history_tear_down);
  g_test_add ("/ircv3/chathistory/before-after", History, NULL, history_set_up, test_history_before_after, history_tear_down);
  g_test_add ("/ircv3/chathistory/around-between", History, NULL, history_set_up, test_history_around_between, history_tear_down);
  g_test_add ("/ircv3/chathistory/errors", History, NULL, history_set_up, test_history_errors, history_tear_down);
  g_test_add ("/ircv3/chathistory/targets", History, NULL, history_set_up, test_history_targets, history_tear_down);
  g_test_add ("/ircv3/chathistory/event-playback", History, NULL, history_set_up, test_history_event_playback, history_tear_down);
  g_test_add_func ("/ircv3/chathistory/isupport", test_history_isupport);
  g_test_add_func ("/ircv3/chathistory/private", test_history_private);
  g_test_add ("/ircv3/chathistory/from-log", History, GUINT_TO_POINTER (3), history_set_up, test_history_from_log, history_tear_down);
  g_test_add_func ("/ircv3/labeled-response/one-none-error", test_label_one_none_error);
  g_test_add_func ("/ircv3/labeled-response/echo", test_label_echo);
  g_test_add_func ("/ircv3/labeled-response/batch", test_label_batch);
  g_test_add_func ("/ircv3/monitor/online-offline", test_monitor_online_offline);
  g_test_add_func ("/ircv3/monitor/limit-and-gone-watcher", test_monitor_limit_and_gone_watcher);
  g_test_add_func ("/ircv3/monitor/extended", test_monitor_extended);
  g_test_add_func ("/ircv3/userhost-in-names", test_userhost_in_names);
  g_test_add_func ("/ircv3/invite-notify", test_invite_notify);
  g_test_add_func ("/ircv3/setname", test_setname);
  g_test_add_func ("/ircv3/extended-join", test_extended_join);
  g_test_add_func ("/ircv3/bot-mode", test_bot_mode);
  g_test_add_func ("/ircv3/message-redaction/redact", test_redact);
  g_test_add_func ("/ircv3/message-redaction/logged", test_redact_logged);
  g_test_add_func ("/ircv3/read-marker", test_read_marker);
  g_test_add_func ("/ircv3/read-marker/restart", test_read_marker_restart);
  g_test_add_func ("/ircv3/read-marker/account", test_read_marker_account);
  g_test_add_func ("/ircv3/cap/ls-302-split", test_cap_ls_split);
  g_test_add_func ("/ircv3/multiline/batch", test_multiline);
  g_test_add_func ("/ircv3/multiline/limits", test_multiline_limits);
  g_test_add_func ("/ircv3/multiline/reloaded", test_multiline_reloaded);

  return g_test_run ();
}
