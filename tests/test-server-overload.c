/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Overload (issue 12, item 5): readers that fall behind slow the senders
 * down instead of being dropped, the output queued for everyone together
 * stays under [limits] total-sendq, and only a reader that reads nothing
 * while the others keep up is dropped. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "suda-server-private.h"
#include "suda-test-util.h"

#define TEXT_BYTES 400

typedef struct {
  SudaServer     *server;
  GPtrArray      *senders;   /* SudaTestClient, nicks s0, s1, ... */
  GPtrArray      *readers;   /* SudaTestClient, nicks r0, r1, ... */
  guint          *next;      /* per reader and sender: the next number due */
  char           *text;
} Room;

/* Small kernel buffers on both ends, so the server's own queue for the
 * reader grows after some kilobytes rather than megabytes. */
static void
shrink_buffers (Room           *room,
                SudaTestClient *client,
                const char     *nick)
{
  SudaSession *session = suda_server_find_session (room->server, nick);

  g_socket_set_option (suda_test_client_get_socket (client), SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  g_socket_set_option (_suda_session_get_socket (session), SOL_SOCKET, SO_SNDBUF, 4096, NULL);
}

/* N_SENDERS senders and N_READERS readers in #lobby; the first N_SLOW
 * readers have small buffers. */
static void
room_set_up (Room             *room,
             SudaServerConfig *config,
             guint             n_senders,
             guint             n_readers,
             guint             n_slow)
{
  room->server = suda_test_server_new_unthrottled (config);
  room->senders = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_test_client_free);
  room->readers = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_test_client_free);
  room->next = g_new0 (guint, n_readers * n_senders);
  room->text = g_strnfill (TEXT_BYTES, 'x');
  for (guint i = 0; i < n_readers; i++)
    {
      g_autofree char *nick = g_strdup_printf ("r%u", i);
      SudaTestClient *reader = suda_test_user (room->server, nick, NULL);

      if (i < n_slow)
        shrink_buffers (room, reader, nick);
      suda_test_client_join (reader, nick, "#lobby");
      g_ptr_array_add (room->readers, reader);
    }
  for (guint i = 0; i < n_senders; i++)
    {
      g_autofree char *nick = g_strdup_printf ("s%u", i);

      g_ptr_array_add (room->senders, suda_test_member (room->server, nick, NULL, "#lobby"));
    }
  /* The JOINs are read, so what comes next is the messages. */
  for (guint i = 0; i < n_readers; i++)
    g_ptr_array_unref (suda_test_client_sync (g_ptr_array_index (room->readers, i)));
}

static void
room_tear_down (Room *room)
{
  g_ptr_array_unref (room->senders);
  g_ptr_array_unref (room->readers);
  g_clear_object (&room->server);
  g_free (room->next);
  g_free (room->text);
}

static void
send_messages (Room  *room,
               guint  first,
               guint  count)
{
  for (guint i = first; i < first + count; i++)
    for (guint s = 0; s < room->senders->len; s++)
      suda_test_client_send (g_ptr_array_index (room->senders, s), "PRIVMSG #lobby :%u %s",
                             i, room->text);
}

/* A message from sender s, checked to be the next one due from it; any
 * QUIT fails the test unless the nick is ALLOWED_QUIT, which returns TRUE. */
static gboolean
check_line (Room       *room,
            guint       reader,
            const char *line,
            const char *allowed_quit)
{
  const char *body = strstr (line, " PRIVMSG #lobby :");
  guint sender, number;

  if (strstr (line, " QUIT ") != NULL)
    {
      g_autofree char *expected = g_strdup_printf (":%s!* QUIT :SendQ exceeded", allowed_quit);

      if (allowed_quit == NULL || !g_pattern_match_simple (expected, line))
        g_error ("r%u saw %s", reader, line);
      return TRUE;
    }
  if (body == NULL || line[0] != ':' || line[1] != 's')
    return FALSE;
  sender = (guint) g_ascii_strtoull (line + 2, NULL, 10);
  number = (guint) g_ascii_strtoull (body + strlen (" PRIVMSG #lobby :"), NULL, 10);
  g_assert_cmpuint (sender, <, room->senders->len);
  if (number != room->next[reader * room->senders->len + sender])
    g_error ("r%u got message %u from s%u where %u was due", reader, number, sender,
             room->next[reader * room->senders->len + sender]);
  room->next[reader * room->senders->len + sender]++;
  return FALSE;
}

static gboolean
reader_has_all (Room  *room,
                guint  reader,
                guint  count)
{
  for (guint s = 0; s < room->senders->len; s++)
    if (room->next[reader * room->senders->len + s] < count)
      return FALSE;
  return TRUE;
}

/* Every reader reads until it has COUNT messages from every sender, a
 * line from each in turn: they all keep up, as readers of a busy room do. */
static void
read_all (Room  *room,
          guint  count)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  gboolean done = FALSE;

  while (!done)
    {
      done = TRUE;
      for (guint r = 0; r < room->readers->len; r++)
        {
          g_autofree char *line = NULL;

          if (reader_has_all (room, r, count))
            continue;
          done = FALSE;
          line = suda_test_client_read_line (g_ptr_array_index (room->readers, r), 0);
          if (line != NULL)
            check_line (room, r, line, NULL);
        }
      if (g_get_monotonic_time () > end)
        g_error ("the readers wait for messages that do not come");
    }
}

/* The senders' own copies of each other's messages are read and dropped. */
static void
drain_senders (Room *room)
{
  for (guint s = 0; s < room->senders->len; s++)
    g_ptr_array_unref (suda_test_client_sync (g_ptr_array_index (room->senders, s)));
}

static gboolean
someone_paused (gpointer data)
{
  return _suda_pushback_get_n_paused (_suda_server_get_pushback (data)) > 0;
}

static gboolean
nothing_queued (gpointer data)
{
  SudaPushback *pushback = _suda_server_get_pushback (data);

  return _suda_pushback_get_total (pushback) == 0 && _suda_pushback_get_n_paused (pushback) == 0;
}

#define N_MESSAGES 150

/* Two readers that read nothing for a while: the senders are paused rather
 * than the readers dropped, and once the readers read, every message
 * arrives, in order, and nobody was disconnected. */
static void
test_slow_readers_hold_senders_back (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  Room room = { 0 };

  /* 150 messages of 400 bytes from each of two senders are 120 kB for
   * every reader, far past a sendq of 32 KiB. */
  config->sendq_bytes = 32 * 1024;
  room_set_up (&room, config, 2, 4, 2);

  send_messages (&room, 0, N_MESSAGES);
  g_assert_true (suda_test_wait_until (someone_paused, room.server, 5000));
  read_all (&room, N_MESSAGES);
  drain_senders (&room);

  g_assert_cmpuint (suda_server_get_n_users (room.server), ==, 6);
  g_assert_true (suda_test_wait_until (nothing_queued, room.server, 5000));
  g_assert_cmpuint (_suda_pushback_get_peak (_suda_server_get_pushback (room.server)), <=,
                    config->total_sendq_bytes);
  room_tear_down (&room);
}

/* A reader that never reads while the others keep up is dropped with
 * "SendQ exceeded", and only it; the others miss nothing. */
static void
test_stuck_reader_dropped (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  Room room = { 0 };
  SudaTestClient *stuck;
  gboolean dropped = FALSE;
  guint sent = 0;

  config->sendq_bytes = 32 * 1024;
  config->ping_timeout_ms = 500;  /* how long its last words may wait */
  room_set_up (&room, config, 1, 2, 0);
  stuck = suda_test_user (room.server, "stuck", NULL);
  shrink_buffers (&room, stuck, "stuck");
  suda_test_client_join (stuck, "stuck", "#lobby");
  for (guint r = 0; r < room.readers->len; r++)
    suda_test_client_await (g_ptr_array_index (room.readers, r), ":stuck!* JOIN #lobby");
  drain_senders (&room);

  while (!dropped)
    {
      g_assert_cmpuint (sent, <, 3000);
      send_messages (&room, sent, 10);
      sent += 10;
      drain_senders (&room);
      for (guint r = 0; r < room.readers->len; r++)
        {
          g_autoptr(GPtrArray) lines = suda_test_client_sync (g_ptr_array_index (room.readers, r));

          for (guint i = 0; i < lines->len; i++)
            dropped |= check_line (&room, r, g_ptr_array_index (lines, i), "stuck");
        }
    }
  g_test_message ("stuck was dropped after %u messages", sent);
  for (guint r = 0; r < room.readers->len; r++)
    g_assert_true (reader_has_all (&room, r, sent));
  g_assert_null (suda_server_find_session (room.server, "stuck"));
  g_assert_true (suda_test_client_wait_closed (stuck, 5000));
  g_assert_cmpuint (suda_server_get_n_users (room.server), ==, 3);
  suda_test_client_free (stuck);
  room_tear_down (&room);
}

static gboolean
total_past_half (gpointer data)
{
  SudaServer *server = data;

  return _suda_pushback_get_total (_suda_server_get_pushback (server)) >
         suda_server_get_config (server)->total_sendq_bytes / 2;
}

/* Six readers, none congested on its own (sendq 1 MiB), hold more than
 * total-sendq between them: past half of it the server reads from no one,
 * the total never passes total-sendq, and every message arrives once the
 * readers read. */
static void
test_total_sendq_bounds_all_output (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  SudaPushback *pushback;
  Room room = { 0 };

  config->total_sendq_bytes = 64 * 1024;
  room_set_up (&room, config, 1, 6, 6);
  pushback = _suda_server_get_pushback (room.server);

  send_messages (&room, 0, N_MESSAGES);
  g_assert_true (suda_test_wait_until (total_past_half, room.server, 5000));
  g_assert_true (suda_test_wait_until (someone_paused, room.server, 5000));
  g_assert_cmpuint (_suda_pushback_get_total (pushback), <=, config->total_sendq_bytes);
  read_all (&room, N_MESSAGES);
  drain_senders (&room);

  g_assert_cmpuint (suda_server_get_n_users (room.server), ==, 7);
  g_assert_true (suda_test_wait_until (nothing_queued, room.server, 5000));
  g_assert_cmpuint (_suda_pushback_get_peak (pushback), <=, config->total_sendq_bytes);
  room_tear_down (&room);
}

#define N_STORM 20

/* A join storm: connections waiting in the port's backlog are taken many
 * at a time, not one per main-loop iteration (with thousands of sockets,
 * each iteration is slow, and the last of a storm waited a minute for its
 * welcome). */
static void
test_burst_accepted_at_once (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new_unthrottled (NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, suda_server_get_port (server));
  GListModel *sessions = suda_server_get_sessions (server);
  GSocket *sockets[N_STORM];
  guint iterations = 0;

  /* Connected by the kernel, none accepted yet: the main loop has not run. */
  for (guint i = 0; i < N_STORM; i++)
    {
      g_autoptr(GError) error = NULL;

      sockets[i] = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
      g_assert_no_error (error);
      g_assert_true (g_socket_connect (sockets[i], address, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (g_list_model_get_n_items (sessions), ==, 0);
  while (g_list_model_get_n_items (sessions) == 0)
    {
      g_assert_cmpuint (++iterations, <, 100000);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpuint (g_list_model_get_n_items (sessions), ==, N_STORM);
  for (guint i = 0; i < N_STORM; i++)
    g_object_unref (sockets[i]);
}

/* A person on nc pastes more lines than flood control lets through at
 * once: the ones that wait their turn arrive one by one, not glued into
 * one message when the terminal's pause timer fires. */
static void
test_plain_lines_waiting_stay_lines (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) alice = NULL;
  g_autoptr(SudaTestClient) pat = NULL;
  g_autoptr(GString) paste = g_string_new (NULL);

  config->flood_burst = 4;
  config->flood_rate = 2;
  server = suda_test_server_new (config);
  alice = suda_test_member (server, "alice", NULL, "#lobby");
  pat = suda_test_client_connect (suda_server_get_port (server));
  suda_test_client_await (pat, "*** Welcome to Suda. Type your nickname*");
  suda_test_client_send (pat, "pat");
  suda_test_client_await (pat, "*** Welcome to Suda!*");
  suda_test_client_await (alice, ":pat!* JOIN #lobby");

  for (guint i = 0; i < 6; i++)
    g_string_append_printf (paste, "line %u\r\n", i);
  suda_test_client_send_raw (pat, paste->str, paste->len);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *expected = g_strdup_printf (":pat!* PRIVMSG #lobby :line %u", i);
      g_autofree char *line = suda_test_client_expect_within (alice, ":pat!* *", 10000);

      if (line == NULL || !g_pattern_match_simple (expected, line))
        g_error ("alice got %s where “line %u” was due", line ? line : "nothing", i);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/overload/slow-readers-hold-senders-back",
                   test_slow_readers_hold_senders_back);
  g_test_add_func ("/server/overload/stuck-reader-dropped-others-miss-nothing",
                   test_stuck_reader_dropped);
  g_test_add_func ("/server/overload/total-sendq-bounds-all-output",
                   test_total_sendq_bounds_all_output);
  g_test_add_func ("/server/overload/join-storm-accepted-in-bursts",
                   test_burst_accepted_at_once);
  g_test_add_func ("/server/overload/plain-lines-waiting-their-turn-stay-lines",
                   test_plain_lines_waiting_stay_lines);
  return g_test_run ();
}
