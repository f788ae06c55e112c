/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection against the in-process Suda server and small fake servers. */
#include "config.h"

#include <string.h>

#include "suda-connection-private.h"
#include "suda-test-util.h"

/* A clock that moves only when the test says, for the connection's
 * timers: reconnect backoff, registration timeout, keepalive, quit grace. */

typedef struct {
  guint       id;
  gint64      due;          /* µs on the fake clock */
  guint       interval_ms;
  GSourceFunc func;
  gpointer    data;
} FakeTimer;

typedef struct {
  gint64     now;
  guint      last_id;
  GPtrArray *timers;        /* FakeTimer, pending */
  FakeTimer *firing;        /* the one running, out of the list */
  gboolean   firing_removed;
} FakeClock;

static gint64
fake_clock_get_time (gpointer user_data)
{
  return ((FakeClock *) user_data)->now;
}

static guint
fake_clock_add_timeout (guint       interval_ms,
                        GSourceFunc func,
                        gpointer    data,
                        gpointer    user_data)
{
  FakeClock *clock = user_data;
  FakeTimer *timer = g_new0 (FakeTimer, 1);

  timer->id = ++clock->last_id;
  timer->due = clock->now + (gint64) interval_ms * 1000;
  timer->interval_ms = interval_ms;
  timer->func = func;
  timer->data = data;
  g_ptr_array_add (clock->timers, timer);
  return timer->id;
}

static void
fake_clock_remove (guint    id,
                   gpointer user_data)
{
  FakeClock *clock = user_data;

  for (guint i = 0; i < clock->timers->len; i++)
    if (((FakeTimer *) g_ptr_array_index (clock->timers, i))->id == id)
      {
        g_ptr_array_remove_index (clock->timers, i);
        return;
      }
  /* A source may be removed from its own callback, as in the main loop. */
  if (clock->firing != NULL && clock->firing->id == id)
    {
      clock->firing_removed = TRUE;
      return;
    }
  g_error ("removing timer %u, which is not pending", id);
}

static const SudaConnectionClock fake_clock_funcs = {
  fake_clock_get_time, fake_clock_add_timeout, fake_clock_remove,
};

static FakeClock *
fake_clock_new (void)
{
  FakeClock *clock = g_new0 (FakeClock, 1);

  clock->now = 1000 * G_USEC_PER_SEC;
  clock->timers = g_ptr_array_new_with_free_func (g_free);
  return clock;
}

static void
fake_clock_free (FakeClock *clock)
{
  g_ptr_array_unref (clock->timers);
  g_free (clock);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeClock, fake_clock_free)

/* Moves the clock on by MS, running each timer that falls due on the way
 * in the order due, as the main loop would. */
static void
fake_clock_advance (FakeClock *clock,
                    guint      ms)
{
  gint64 end = clock->now + (gint64) ms * 1000;

  for (;;)
    {
      FakeTimer *next = NULL;
      g_autofree FakeTimer *timer = NULL;
      guint pos = 0;

      for (guint i = 0; i < clock->timers->len; i++)
        {
          FakeTimer *t = g_ptr_array_index (clock->timers, i);

          if (t->due <= end && (next == NULL || t->due < next->due))
            next = t, pos = i;
        }
      if (next == NULL)
        break;
      timer = g_ptr_array_steal_index (clock->timers, pos);
      clock->now = MAX (clock->now, timer->due);
      clock->firing = timer;
      clock->firing_removed = FALSE;
      if (timer->func (timer->data) == G_SOURCE_CONTINUE && !clock->firing_removed)
        {
          timer->due += (gint64) timer->interval_ms * 1000;
          g_ptr_array_add (clock->timers, g_steal_pointer (&timer));
        }
      clock->firing = NULL;
    }
  clock->now = end;
}

typedef struct {
  SudaConnection *connection;
  GPtrArray      *events;   /* SudaIrcEvent */
  GPtrArray      *errors;   /* GError */
} Recorder;

static void
on_event (SudaConnection *connection,
          SudaIrcEvent   *event,
          Recorder       *rec)
{
  g_ptr_array_add (rec->events, suda_irc_event_ref (event));
}

static void
on_error (SudaConnection *connection,
          const GError   *error,
          Recorder       *rec)
{
  g_ptr_array_add (rec->errors, g_error_copy (error));
}

static Recorder *
recorder_new (guint16     port,
              const char *nick)
{
  Recorder *rec = g_new0 (Recorder, 1);

  rec->connection = suda_connection_new ();
  rec->events = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_irc_event_unref);
  rec->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  suda_connection_set_server (rec->connection, "127.0.0.1", port);
  suda_connection_set_nick (rec->connection, nick);
  g_signal_connect (rec->connection, "event", G_CALLBACK (on_event), rec);
  g_signal_connect (rec->connection, "error", G_CALLBACK (on_error), rec);
  return rec;
}

static void
recorder_free (Recorder *rec)
{
  g_signal_handlers_disconnect_by_data (rec->connection, rec);
  suda_connection_disconnect (rec->connection, NULL);
  g_object_unref (rec->connection);
  g_ptr_array_unref (rec->events);
  g_ptr_array_unref (rec->errors);
  g_free (rec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

typedef struct {
  Recorder            *rec;
  SudaConnectionState  state;
  SudaIrcEventKind     kind;
  const char          *target;
  const char          *text;
  gint                 code;
  guint                from;
  SudaIrcEvent        *found;
} Wait;

static gboolean
state_reached (gpointer data)
{
  Wait *w = data;

  return suda_connection_get_state (w->rec->connection) == w->state;
}

static void
wait_state (Recorder            *rec,
            SudaConnectionState  state,
            guint                timeout_ms)
{
  Wait w = { .rec = rec, .state = state };

  if (!suda_test_wait_until (state_reached, &w, timeout_ms))
    g_error ("state %d not reached, still %d", state, suda_connection_get_state (rec->connection));
}

static gboolean
event_seen (gpointer data)
{
  Wait *w = data;

  for (guint i = w->from; i < w->rec->events->len; i++)
    {
      SudaIrcEvent *e = g_ptr_array_index (w->rec->events, i);

      if (e->kind == w->kind &&
          (w->target == NULL || g_strcmp0 (e->target, w->target) == 0) &&
          (w->text == NULL || g_strcmp0 (e->text, w->text) == 0))
        {
          w->found = e;
          return TRUE;
        }
    }
  return FALSE;
}

static SudaIrcEvent *
wait_event_from (Recorder         *rec,
                 guint             from,
                 SudaIrcEventKind  kind,
                 const char       *target,
                 const char       *text)
{
  Wait w = { .rec = rec, .kind = kind, .target = target, .text = text, .from = from };

  if (!suda_test_wait_until (event_seen, &w, 5000))
    g_error ("no event %d for %s (%s)", kind, target, text);
  return w.found;
}

static SudaIrcEvent *
wait_event (Recorder         *rec,
            SudaIrcEventKind  kind,
            const char       *target,
            const char       *text)
{
  return wait_event_from (rec, 0, kind, target, text);
}

static gboolean
error_seen (gpointer data)
{
  Wait *w = data;

  for (guint i = 0; i < w->rec->errors->len; i++)
    if (g_error_matches (g_ptr_array_index (w->rec->errors, i), SUDA_CONNECTION_ERROR, w->code))
      return TRUE;
  return FALSE;
}

static const GError *
wait_error (Recorder *rec,
            gint      code)
{
  Wait w = { .rec = rec, .code = code };

  if (!suda_test_wait_until (error_seen, &w, 6000))
    g_error ("no connection error %d", code);
  for (guint i = 0; i < rec->errors->len; i++)
    if (g_error_matches (g_ptr_array_index (rec->errors, i), SUDA_CONNECTION_ERROR, code))
      return g_ptr_array_index (rec->errors, i);
  g_assert_not_reached ();
}

/* Port 0 spelled out: a free port whatever the config's default. */
static SudaServerConfig *
new_config (void)
{
  SudaServerConfig *config = suda_server_config_new ();

  config->port = 0;
  return config;
}

static SudaServer *
new_server (void)
{
  g_autoptr(SudaServerConfig) config = new_config ();

  return suda_test_server_new (config);
}

static Recorder *
connect_registered (SudaServer *server,
                    const char *nick)
{
  Recorder *rec = recorder_new (suda_server_get_port (server), nick);

  suda_connection_connect (rec->connection);
  wait_state (rec, SUDA_CONNECTION_CONNECTED, 5000);
  return rec;
}

static void
test_registers_with_caps (void)
{
  g_autoptr(SudaServer) server = new_server ();
  g_autoptr(Recorder) rec = recorder_new (suda_server_get_port (server), "alice");
  SudaIrcEvent *welcome;

  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_DISCONNECTED);
  suda_connection_connect (rec->connection);
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_CONNECTING);
  wait_state (rec, SUDA_CONNECTION_CONNECTED, 5000);

  welcome = wait_event (rec, SUDA_IRC_EVENT_REGISTERED, "alice", NULL);
  g_assert_nonnull (welcome);
  g_assert_cmpstr (suda_connection_get_nick (rec->connection), ==, "alice");
  for (guint i = 0; i < 5; i++)
    {
      static const char * const caps[] = { "server-time", "echo-message", "batch",
                                           "message-tags", "multi-prefix" };
      g_assert_true (suda_connection_has_cap (rec->connection, caps[i]));
    }
  g_assert_cmpuint (rec->errors->len, ==, 0);
}

static void
test_join_send_receive_with_time (void)
{
  g_autoptr(SudaServer) server = new_server ();
  g_autoptr(Recorder) rec = connect_registered (server, "alice");
  g_autoptr(SudaTestClient) bob = NULL;
  g_autofree char *line = NULL;
  SudaIrcEvent *event;
  gint64 before = g_get_real_time ();

  suda_connection_send_command (rec->connection, "JOIN", "#room", NULL);
  event = wait_event (rec, SUDA_IRC_EVENT_JOIN, "#room", NULL);
  g_assert_true (event->own);
  wait_event (rec, SUDA_IRC_EVENT_END_OF_NAMES, "#room", NULL);
  g_assert_cmpstr (suda_connection_get_channels (rec->connection)[0], ==, "#room");

  bob = suda_test_client_register (suda_server_get_port (server), "bob", NULL);
  suda_test_client_join (bob, "bob", "#room");
  suda_test_client_send (bob, "PRIVMSG #room :hello alice");

  event = wait_event (rec, SUDA_IRC_EVENT_MESSAGE, "#room", "hello alice");
  g_assert_cmpstr (event->nick, ==, "bob");
  g_assert_false (event->own);
  g_assert_false (event->replayed);
  /* server-time: the time tag says when the server saw it, within a second. */
  g_assert_cmpint (event->time, >=, before - G_USEC_PER_SEC);
  g_assert_cmpint (event->time, <=, g_get_real_time () + G_USEC_PER_SEC);

  suda_connection_send_message (rec->connection, "#room", "hi bob");
  line = suda_test_client_expect (bob, ":alice!* PRIVMSG #room :hi bob");
  g_assert_nonnull (line);
  /* echo-message: our own line comes back from the server, marked own. */
  event = wait_event (rec, SUDA_IRC_EVENT_MESSAGE, "#room", "hi bob");
  g_assert_true (event->own);

  suda_connection_send_action (rec->connection, "#room", "waves");
  suda_test_client_await (bob, ":alice!* PRIVMSG #room :\001ACTION waves\001");
  event = wait_event (rec, SUDA_IRC_EVENT_ACTION, "#room", "waves");
  g_assert_true (event->own);
}

static void
test_replayed_history_is_marked (void)
{
  g_autoptr(SudaServer) server = new_server ();
  g_autoptr(SudaTestClient) bob = suda_test_client_register (suda_server_get_port (server), "bob", NULL);
  g_autoptr(Recorder) rec = NULL;
  SudaIrcEvent *event;

  suda_test_client_join (bob, "bob", "#history");
  suda_test_client_send (bob, "PRIVMSG #history :said before you came");
  g_ptr_array_unref (suda_test_client_sync (bob));

  rec = connect_registered (server, "alice");
  suda_connection_send_command (rec->connection, "JOIN", "#history", NULL);
  event = wait_event (rec, SUDA_IRC_EVENT_MESSAGE, "#history", "said before you came");
  g_assert_true (event->replayed);
  g_assert_cmpstr (event->nick, ==, "bob");
}

static void
test_nick_taken_retries (void)
{
  g_autoptr(SudaServer) server = new_server ();
  g_autoptr(SudaTestClient) first = suda_test_client_register (suda_server_get_port (server), "carol", NULL);
  g_autoptr(SudaTestClient) second = suda_test_client_register (suda_server_get_port (server), "carol_", NULL);
  g_autoptr(Recorder) rec = recorder_new (suda_server_get_port (server), "carol");
  const GError *error;

  suda_connection_connect (rec->connection);
  wait_state (rec, SUDA_CONNECTION_CONNECTED, 5000);
  g_assert_cmpstr (suda_connection_get_nick (rec->connection), ==, "carol__");
  error = wait_error (rec, SUDA_CONNECTION_ERROR_NICK_TAKEN);
  g_assert_nonnull (strstr (error->message, "carol"));
  g_assert_cmpuint (rec->errors->len, ==, 2);   /* carol, then carol_ */
}

static void
test_all_nicks_taken_gives_up (void)
{
  g_autoptr(SudaServer) server = new_server ();
  guint16 port = suda_server_get_port (server);
  g_autoptr(SudaTestClient) a = suda_test_client_register (port, "dave", NULL);
  g_autoptr(SudaTestClient) b = suda_test_client_register (port, "dave_", NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_register (port, "dave__", NULL);
  g_autoptr(Recorder) rec = recorder_new (port, "dave");

  suda_connection_connect (rec->connection);
  wait_state (rec, SUDA_CONNECTION_REGISTERING, 5000);
  wait_state (rec, SUDA_CONNECTION_DISCONNECTED, 5000);
  wait_error (rec, SUDA_CONNECTION_ERROR_NICK_TAKEN);
  g_assert_nonnull (strstr (((GError *) g_ptr_array_index (rec->errors, rec->errors->len - 1))->message,
                            "Choose another"));
}

static void
test_kicked_tells_who_and_why (void)
{
  g_autoptr(SudaServer) server = new_server ();
  g_autoptr(Recorder) rec = connect_registered (server, "erin");
  g_autoptr(SudaTestClient) op = suda_test_client_register (suda_server_get_port (server), "oscar", NULL);
  g_autoptr(GError) error = NULL;
  const GError *kicked;
  guint from;

  /* oscar is first in the room, so oscar is its operator. */
  suda_test_client_join (op, "oscar", "#kick");
  suda_connection_send_command (rec->connection, "JOIN", "#kick", NULL);
  wait_event (rec, SUDA_IRC_EVENT_END_OF_NAMES, "#kick", NULL);

  suda_test_client_send (op, "KICK #kick erin :too loud");
  kicked = wait_error (rec, SUDA_CONNECTION_ERROR_KICKED);
  g_assert_nonnull (strstr (kicked->message, "oscar"));
  g_assert_nonnull (strstr (kicked->message, "#kick"));
  g_assert_nonnull (strstr (kicked->message, "too loud"));
  g_assert_null (suda_connection_get_channels (rec->connection)[0]);
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_CONNECTED);

  /* The server console's kick removes from every room with a reason. */
  from = rec->events->len;
  suda_connection_send_command (rec->connection, "JOIN", "#kick", NULL);
  wait_event_from (rec, from, SUDA_IRC_EVENT_JOIN, "#kick", NULL);
  g_ptr_array_set_size (rec->errors, 0);
  g_assert_true (suda_server_kick (server, "erin", "console says bye", &error));
  g_assert_no_error (error);
  kicked = wait_error (rec, SUDA_CONNECTION_ERROR_KICKED);
  g_assert_nonnull (strstr (kicked->message, "console says bye"));
}

/* A failed attempt doubles the next delay from its 200 ms. */
static gboolean
backed_off (gpointer data)
{
  return suda_connection_get_next_reconnect_delay (data) >= 800;
}

static void
test_reconnects_and_rejoins (void)
{
  g_autoptr(SudaServer) server = new_server ();
  g_autoptr(SudaServer) again = NULL;
  g_autoptr(SudaServerConfig) config = new_config ();
  g_autoptr(Recorder) rec = connect_registered (server, "frank");
  guint from;
  SudaIrcEvent *event;
  const GError *error;

  suda_connection_set_reconnect_delay (rec->connection, 200);
  suda_connection_send_command (rec->connection, "JOIN", "#back", NULL);
  wait_event (rec, SUDA_IRC_EVENT_JOIN, "#back", NULL);

  config->port = suda_server_get_port (server);
  suda_server_stop (server, NULL);
  error = wait_error (rec, SUDA_CONNECTION_ERROR_SHUTDOWN);
  g_assert_nonnull (strstr (error->message, "shutting down"));
  wait_state (rec, SUDA_CONNECTION_RECONNECTING, 2000);
  g_clear_object (&server);

  /* While nobody listens the attempts fail quietly and back off. */
  if (!suda_test_wait_until (backed_off, rec->connection, 5000))
    g_error ("no attempt failed while the server was down");
  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_RECONNECTING);
  g_assert_cmpuint (suda_connection_get_next_reconnect_delay (rec->connection), >=, 400);

  from = rec->events->len;
  again = suda_test_server_new (config);
  g_assert_cmpuint (suda_server_get_port (again), ==, config->port);
  wait_state (rec, SUDA_CONNECTION_CONNECTED, 8000);
  event = wait_event_from (rec, from, SUDA_IRC_EVENT_JOIN, "#back", NULL);
  g_assert_true (event->own);
}

static gboolean
no_timer_pending (gpointer data)
{
  return ((FakeClock *) data)->timers->len == 0;
}

static void
test_deliberate_disconnect_stays_down (void)
{
  g_autoptr(SudaServer) server = new_server ();
  g_autoptr(FakeClock) clock = fake_clock_new ();
  g_autoptr(Recorder) rec = recorder_new (suda_server_get_port (server), "gina");
  g_autoptr(SudaTestClient) watcher = suda_test_client_register (suda_server_get_port (server), "hank", NULL);

  _suda_connection_set_clock (rec->connection, &fake_clock_funcs, clock);
  suda_connection_connect (rec->connection);
  wait_state (rec, SUDA_CONNECTION_CONNECTED, 5000);

  suda_connection_send_command (rec->connection, "JOIN", "#bye", NULL);
  wait_event (rec, SUDA_IRC_EVENT_END_OF_NAMES, "#bye", NULL);
  suda_test_client_join (watcher, "hank", "#bye");

  suda_connection_disconnect (rec->connection, "see you");
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_DISCONNECTED);
  suda_test_client_await (watcher, ":gina!* QUIT :*see you*");
  /* The server closes after QUIT, which ends the grace timer: from then
   * on nothing is left to wake the connection, however long one waits. */
  g_assert_true (suda_test_wait_until (no_timer_pending, clock, 5000));
  fake_clock_advance (clock, 10 * MAX_RECONNECT_DELAY_MS);
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_DISCONNECTED);
  g_assert_cmpuint (clock->timers->len, ==, 0);
  g_assert_cmpuint (rec->errors->len, ==, 0);
}

static void
test_refused_port (void)
{
  g_autoptr(Recorder) rec = recorder_new (suda_test_free_port (), "ivy");
  const GError *error;

  suda_connection_connect (rec->connection);
  error = wait_error (rec, SUDA_CONNECTION_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "refused"));
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_DISCONNECTED);
}

static void
test_host_not_found (void)
{
  g_autoptr(Recorder) rec = recorder_new (6667, "ivy");
  const GError *error;

  /* .invalid never resolves (RFC 2606). */
  suda_connection_set_server (rec->connection, "no-such-host.invalid", 6667);
  suda_connection_connect (rec->connection);
  error = wait_error (rec, SUDA_CONNECTION_ERROR_HOST_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-host.invalid"));
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_DISCONNECTED);
}

static void
test_wrong_password (void)
{
  g_autoptr(SudaServerConfig) config = new_config ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(FakeClock) clock = fake_clock_new ();
  g_autoptr(Recorder) rec = NULL;
  const GError *error;

  config->password = g_strdup ("sesame");
  server = suda_test_server_new (config);
  rec = recorder_new (suda_server_get_port (server), "jack");
  _suda_connection_set_clock (rec->connection, &fake_clock_funcs, clock);
  suda_connection_set_password (rec->connection, "wrong");
  suda_connection_connect (rec->connection);
  error = wait_error (rec, SUDA_CONNECTION_ERROR_PASSWORD);
  g_assert_nonnull (strstr (error->message, "password"));
  wait_state (rec, SUDA_CONNECTION_DISCONNECTED, 2000);
  /* No reconnection is waiting to happen. */
  g_assert_cmpuint (clock->timers->len, ==, 0);
  fake_clock_advance (clock, 10 * MAX_RECONNECT_DELAY_MS);
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_DISCONNECTED);

  /* The right one gets in. */
  g_ptr_array_set_size (rec->errors, 0);
  suda_connection_set_password (rec->connection, "sesame");
  suda_connection_connect (rec->connection);
  wait_state (rec, SUDA_CONNECTION_CONNECTED, 5000);
}

static void
test_server_full (void)
{
  g_autoptr(SudaServerConfig) config = new_config ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) first = NULL;
  g_autoptr(Recorder) rec = NULL;
  const GError *error;

  config->max_clients = 1;
  server = suda_test_server_new (config);
  first = suda_test_client_register (suda_server_get_port (server), "kate", NULL);
  rec = recorder_new (suda_server_get_port (server), "liam");
  suda_connection_connect (rec->connection);
  error = wait_error (rec, SUDA_CONNECTION_ERROR_SERVER_FULL);
  g_assert_nonnull (strstr (error->message, "full"));
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_DISCONNECTED);
}

/* mona sends TEXT to ned; what ned receives, its pieces joined with
 * JOINER, each line checked against the IRC limit and for UTF-8. */
static char *
send_and_collect (const char *text,
                  const char *joiner,
                  guint      *n_pieces)
{
  g_autoptr(SudaServer) server = new_server ();
  g_autoptr(Recorder) rec = connect_registered (server, "mona");
  g_autoptr(SudaTestClient) ned = suda_test_client_register (suda_server_get_port (server), "ned", NULL);
  g_autoptr(GString) received = g_string_new (NULL);

  *n_pieces = 0;
  suda_connection_send_message (rec->connection, "ned", text);
  while (received->len < strlen (text))
    {
      g_autofree char *line = suda_test_client_expect (ned, ":mona!* PRIVMSG ned :*");
      const char *body = strstr (line, " :") + 2;

      g_assert_cmpuint (strlen (line) + 2, <=, 512);
      g_assert_true (g_utf8_validate (body, -1, NULL));
      /* A cut never parts an accent from its letter. */
      g_assert_false (g_unichar_ismark (g_utf8_get_char (body)));
      if (received->len > 0)
        g_string_append (received, joiner);
      g_string_append (received, body);
      (*n_pieces)++;
    }
  return g_string_free (g_steal_pointer (&received), FALSE);
}

static void
test_long_message_is_split (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *received = NULL;
  guint pieces;

  for (guint i = 0; i < 200; i++)
    g_string_append (text, "word수다 ");   /* multibyte, so cuts must respect UTF-8 */
  g_string_truncate (text, text->len - 1);
  /* Cuts fall on spaces, which go with the cut. */
  received = send_and_collect (text->str, " ", &pieces);
  g_assert_cmpuint (pieces, >, 1);
  g_assert_cmpstr (received, ==, text->str);
}

/* e + U+0301 with no space to cut at: the pieces, put back together, are
 * the text. */
static void
test_split_keeps_combining_marks (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *received = NULL;
  guint pieces;

  for (guint i = 0; i < 400; i++)
    g_string_append (text, "e\xcc\x81");
  received = send_and_collect (text->str, "", &pieces);
  g_assert_cmpuint (pieces, >, 1);
  g_assert_cmpstr (received, ==, text->str);
}

static void
test_multiline_text_becomes_several_messages (void)
{
  g_autoptr(SudaServer) server = new_server ();
  g_autoptr(Recorder) rec = connect_registered (server, "olga");
  g_autoptr(SudaTestClient) bob = suda_test_client_register (suda_server_get_port (server), "pete", NULL);

  suda_connection_send_message (rec->connection, "pete", "one\ntwo\r\n\nthree");
  suda_test_client_await (bob, ":olga!* PRIVMSG pete :one");
  suda_test_client_await (bob, ":olga!* PRIVMSG pete :two");
  suda_test_client_await (bob, ":olga!* PRIVMSG pete :three");
}

/* A fake server over a real socket, for what a real one will not do. */

typedef struct {
  GSocketService    *service;
  guint16            port;
  GSocketConnection *peer;
} FakeServer;

static gboolean
on_fake_incoming (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source,
                  FakeServer        *fake)
{
  g_set_object (&fake->peer, connection);
  return TRUE;
}

static FakeServer *
fake_server_new (void)
{
  FakeServer *fake = g_new0 (FakeServer, 1);
  g_autoptr(GError) error = NULL;

  fake->service = g_socket_service_new ();
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) effective = NULL;

    g_socket_listener_add_address (G_SOCKET_LISTENER (fake->service), address,
                                   G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                   &effective, &error);
    g_assert_no_error (error);
    fake->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  }
  g_signal_connect (fake->service, "incoming", G_CALLBACK (on_fake_incoming), fake);
  g_socket_service_start (fake->service);
  return fake;
}

static gboolean
fake_has_peer (gpointer data)
{
  return ((FakeServer *) data)->peer != NULL;
}

static void
fake_send (FakeServer *fake,
           const char *text)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (fake->peer));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (out, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads what the client sent until PATTERN shows up as a whole line. */
static void
fake_expect (FakeServer *fake,
             const char *pattern)
{
  GSocket *socket = g_socket_connection_get_socket (fake->peer);
  g_autoptr(GString) seen = g_string_new (NULL);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_socket_set_blocking (socket, FALSE);
  while (g_get_monotonic_time () < end)
    {
      char buf[1024];
      gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);
      g_auto(GStrv) lines = NULL;

      if (n > 0)
        g_string_append_len (seen, buf, n);
      lines = g_strsplit (seen->str, "\r\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (g_pattern_match_simple (pattern, lines[i]))
          return;
      suda_test_iterate (5);
    }
  g_error ("client never sent %s; sent:\n%s", pattern, seen->str);
}

static void
fake_server_free (FakeServer *fake)
{
  g_socket_service_stop (fake->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fake->service));
  g_clear_object (&fake->peer);
  g_clear_object (&fake->service);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

static void
test_registration_timeout (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(Recorder) rec = recorder_new (fake->port, "quinn");

  suda_connection_set_connect_timeout (rec->connection, 200);
  suda_connection_connect (rec->connection);
  wait_error (rec, SUDA_CONNECTION_ERROR_TIMED_OUT);
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_DISCONNECTED);
}

static void
register_with_fake (FakeServer *fake,
                    Recorder   *rec)
{
  suda_connection_connect (rec->connection);
  g_assert_true (suda_test_wait_until (fake_has_peer, fake, 5000));
  fake_expect (fake, "NICK *");
  fake_send (fake, ":fake.local 001 rose :Welcome\r\n");
  wait_state (rec, SUDA_CONNECTION_CONNECTED, 5000);
}

static void
test_answers_ping (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(Recorder) rec = recorder_new (fake->port, "rose");

  register_with_fake (fake, rec);
  fake_send (fake, "PING :are-you-there\r\n");
  fake_expect (fake, "PONG are-you-there");
}

static void
test_overlong_line_is_dropped (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(Recorder) rec = recorder_new (fake->port, "rose");
  g_autofree char *huge = NULL;
  g_autofree char *line = NULL;

  register_with_fake (fake, rec);
  huge = g_strnfill (20000, 'x');
  line = g_strdup_printf (":bob!b@h PRIVMSG rose :%s\r\n:bob!b@h PRIVMSG rose :still here\r\n", huge);
  fake_send (fake, line);
  wait_error (rec, SUDA_CONNECTION_ERROR_LINE_TOO_LONG);
  wait_event (rec, SUDA_IRC_EVENT_MESSAGE, "rose", "still here");
  g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_CONNECTED);
  for (guint i = 0; i < rec->events->len; i++)
    {
      SudaIrcEvent *e = g_ptr_array_index (rec->events, i);

      g_assert_true (e->text == NULL || strchr (e->text, 'x') == NULL);
    }
}

typedef struct {
  SudaConnection *connection;
  guint           attempts;
} Backoff;

/* The last attempt failed and the next is scheduled. */
static gboolean
attempt_scheduled (gpointer data)
{
  Backoff *b = data;

  return b->connection->reconnect_attempt == b->attempts;
}

static void
test_backoff_doubles_to_a_minute (void)
{
  static const guint steps[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000 };
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(FakeClock) clock = fake_clock_new ();
  g_autoptr(Recorder) rec = recorder_new (fake->port, "rose");
  Backoff b = { rec->connection, 0 };

  _suda_connection_set_clock (rec->connection, &fake_clock_funcs, clock);
  g_assert_cmpuint (suda_connection_get_next_reconnect_delay (rec->connection), ==, 1000);
  register_with_fake (fake, rec);
  /* The server goes away for good: every attempt is refused. */
  g_clear_pointer (&fake, fake_server_free);
  wait_error (rec, SUDA_CONNECTION_ERROR_CLOSED);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      FakeTimer *timer;
      gint64 delay_ms;

      g_test_message ("attempt %u: %u ms", i + 1, steps[i]);
      b.attempts = i + 1;
      if (!suda_test_wait_until (attempt_scheduled, &b, 5000))
        g_error ("attempt %u was not scheduled", i + 1);
      g_assert_cmpint (suda_connection_get_state (rec->connection), ==, SUDA_CONNECTION_RECONNECTING);
      /* The connect timeout went with the failed attempt. */
      g_assert_cmpuint (clock->timers->len, ==, 1);
      timer = g_ptr_array_index (clock->timers, 0);
      delay_ms = (timer->due - clock->now) / 1000;
      /* ±20 % jitter around 1 s, 2 s, 4 s … capped at a minute. */
      g_assert_cmpint (delay_ms, >=, steps[i] * 8 / 10);
      g_assert_cmpint (delay_ms, <=, steps[i] * 12 / 10);
      g_assert_cmpuint (suda_connection_get_next_reconnect_delay (rec->connection), ==,
                        MIN (steps[i] * 2, MAX_RECONNECT_DELAY_MS));
      /* Just before the delay nothing happens; at it, the next attempt. */
      fake_clock_advance (clock, delay_ms - 1);
      g_assert_cmpuint (rec->connection->reconnect_attempt, ==, i + 1);
      g_assert_null (rec->connection->cancellable);
      fake_clock_advance (clock, 1);
      g_assert_nonnull (rec->connection->cancellable);
    }
  /* Only the first loss is told; the failed attempts are quiet. */
  g_assert_cmpuint (rec->errors->len, ==, 1);
}

static void
test_without_echo_own_lines_are_made_up (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ();
  g_autoptr(Recorder) rec = recorder_new (fake->port, "rose");
  SudaIrcEvent *event;

  register_with_fake (fake, rec);
  g_assert_false (suda_connection_has_cap (rec->connection, "echo-message"));
  suda_connection_send_message (rec->connection, "#x", "hello");
  event = wait_event (rec, SUDA_IRC_EVENT_MESSAGE, "#x", "hello");
  g_assert_true (event->own);
  g_assert_cmpstr (event->nick, ==, "rose");
  fake_expect (fake, "PRIVMSG #x hello");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/connection/registers-with-caps", test_registers_with_caps);
  g_test_add_func ("/client/connection/join-send-receive-with-time", test_join_send_receive_with_time);
  g_test_add_func ("/client/connection/replayed-history-is-marked", test_replayed_history_is_marked);
  g_test_add_func ("/client/connection/nick-taken-retries", test_nick_taken_retries);
  g_test_add_func ("/client/connection/all-nicks-taken-gives-up", test_all_nicks_taken_gives_up);
  g_test_add_func ("/client/connection/kicked-tells-who-and-why", test_kicked_tells_who_and_why);
  g_test_add_func ("/client/connection/server-stop-reconnects-and-rejoins", test_reconnects_and_rejoins);
  g_test_add_func ("/client/connection/backoff-doubles-to-a-minute", test_backoff_doubles_to_a_minute);
  g_test_add_func ("/client/connection/deliberate-disconnect-stays-down", test_deliberate_disconnect_stays_down);
  g_test_add_func ("/client/connection/error/refused-port", test_refused_port);
  g_test_add_func ("/client/connection/error/host-not-found", test_host_not_found);
  g_test_add_func ("/client/connection/error/wrong-password", test_wrong_password);
  g_test_add_func ("/client/connection/error/server-full", test_server_full);
  g_test_add_func ("/client/connection/error/registration-timeout", test_registration_timeout);
  g_test_add_func ("/client/connection/error/overlong-line-dropped", test_overlong_line_is_dropped);
  g_test_add_func ("/client/connection/long-message-is-split", test_long_message_is_split);
  g_test_add_func ("/client/connection/split-keeps-combining-marks", test_split_keeps_combining_marks);
  g_test_add_func ("/client/connection/multiline-text-becomes-several-messages", test_multiline_text_becomes_several_messages);
  g_test_add_func ("/client/connection/answers-ping", test_answers_ping);
  g_test_add_func ("/client/connection/without-echo-own-lines-are-made-up", test_without_echo_own_lines_are_made_up);

  return g_test_run ();
}
