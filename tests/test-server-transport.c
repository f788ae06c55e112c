/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The transport contract (suda-transport.h) as a message-based transport
 * such as a WebSocket sees it: one message is one line in, whole lines
 * are handed over for sending, and the session's limits hold over it as
 * over a socket.  The transport here is a fake one in memory. */
#include "config.h"

#include <string.h>

#include "suda-server-private.h"
#include "suda-transport.h"

/* A fake message transport -------------------------------------------------- */

#define TEST_TYPE_MESSAGE_TRANSPORT (test_message_transport_get_type ())
G_DECLARE_FINAL_TYPE (TestMessageTransport, test_message_transport, TEST, MESSAGE_TRANSPORT, SudaTransport)

struct _TestMessageTransport
{
  SudaTransport  parent_instance;
  GQueue         incoming;   /* char*, one message each */
  GPtrArray     *sent;       /* char*, one message each, no CR LF */
  guint          ready_id;
  gboolean       closed;
};

G_DEFINE_FINAL_TYPE (TestMessageTransport, test_message_transport, SUDA_TYPE_TRANSPORT)

static gboolean
on_ready (gpointer data)
{
  TestMessageTransport *self = data;

  /* Level-triggered: again and again while messages wait and input is watched. */
  if (self->incoming.length == 0 || !(suda_transport_get_watched (data) & G_IO_IN))
    {
      self->ready_id = 0;
      return G_SOURCE_REMOVE;
    }
  suda_transport_ready (data, G_IO_IN);
  return G_SOURCE_CONTINUE;
}

static void
schedule_ready (TestMessageTransport *self)
{
  if (self->ready_id == 0 && !self->closed)
    self->ready_id = g_idle_add (on_ready, self);
}

static gssize
message_receive (SudaTransport *transport,
                 char          *buffer,
                 gsize          size,
                 GError       **error)
{
  TestMessageTransport *self = TEST_MESSAGE_TRANSPORT (transport);
  g_autofree char *message = g_queue_pop_head (&self->incoming);
  gsize len;

  if (message == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "nothing");
      return -1;
    }
  len = MIN (strlen (message), size - 1);
  memcpy (buffer, message, len);
  buffer[len] = '\n';
  return len + 1;
}

static gssize
message_send (SudaTransport *transport,
              const char    *data,
              gsize          len,
              GError       **error)
{
  TestMessageTransport *self = TEST_MESSAGE_TRANSPORT (transport);
  gsize taken = 0;

  while (taken < len)
    {
      const char *end = memchr (data + taken, '\n', len - taken);

      /* The contract: only whole lines, each ended by CR LF. */
      g_assert_nonnull (end);
      g_assert_true (end > data + taken && end[-1] == '\r');
      g_ptr_array_add (self->sent, g_strndup (data + taken, end - 1 - (data + taken)));
      taken = end + 1 - data;
    }
  return taken;
}

static void
message_watch (SudaTransport *transport,
               GIOCondition   condition)
{
  TestMessageTransport *self = TEST_MESSAGE_TRANSPORT (transport);

  if (condition & G_IO_IN)
    schedule_ready (self);
  /* Sending never waits here: G_IO_OUT is never asked for. */
  g_assert_false (condition & G_IO_OUT);
}

static void
message_close (SudaTransport *transport)
{
  TestMessageTransport *self = TEST_MESSAGE_TRANSPORT (transport);

  self->closed = TRUE;
  g_clear_handle_id (&self->ready_id, g_source_remove);
}

static GSocketAddress *
message_dup_remote_address (SudaTransport *transport)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);

  return g_inet_socket_address_new (loopback, 443);
}

static void
test_message_transport_finalize (GObject *object)
{
  TestMessageTransport *self = TEST_MESSAGE_TRANSPORT (object);

  g_clear_handle_id (&self->ready_id, g_source_remove);
  g_queue_clear_full (&self->incoming, g_free);
  g_ptr_array_unref (self->sent);

  G_OBJECT_CLASS (test_message_transport_parent_class)->finalize (object);
}

static void
test_message_transport_class_init (TestMessageTransportClass *klass)
{
  SudaTransportClass *transport_class = SUDA_TRANSPORT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_message_transport_finalize;
  transport_class->receive = message_receive;
  transport_class->send = message_send;
  transport_class->watch = message_watch;
  transport_class->close = message_close;
  transport_class->dup_remote_address = message_dup_remote_address;
}

static void
test_message_transport_init (TestMessageTransport *self)
{
  g_queue_init (&self->incoming);
  self->sent = g_ptr_array_new_with_free_func (g_free);
}

static void
deliver (TestMessageTransport *self,
         const char           *message)
{
  g_queue_push_tail (&self->incoming, g_strdup (message));
  if (suda_transport_get_watched (SUDA_TRANSPORT (self)) & G_IO_IN)
    schedule_ready (self);
}

/* A session over it, with an owner that keeps what it hears ------------------ */

typedef struct {
  SudaServerConfig     *config;
  SudaPushback         *pushback;
  TestMessageTransport *transport;
  SudaSession          *session;
  GPtrArray            *lines;
  char                 *closed;
  gboolean              overlong;
  gboolean              gone;
} Fixture;

static void
on_line (gpointer  owner,
         char     *line,
         gsize     len)
{
  Fixture *f = owner;

  g_ptr_array_add (f->lines, g_strndup (line, len));
}

static void
on_overlong (gpointer owner)
{
  ((Fixture *) owner)->overlong = TRUE;
}

static void
on_closed (gpointer    owner,
           const char *reason)
{
  Fixture *f = owner;

  f->closed = g_strdup (reason);
  _suda_session_send (f->session, "ERROR :bye\r\n", 12);
}

static const SudaSessionHandler handler = { on_line, on_overlong, on_closed };

static gboolean
flush_now (gpointer data)
{
  Fixture *f = data;

  if (!f->gone)
    _suda_session_flush (f->session);
  return G_SOURCE_REMOVE;
}

static void
on_dirty (gpointer     data,
          SudaSession *session)
{
  g_idle_add (flush_now, data);
}

static void
on_gone (gpointer     data,
         SudaSession *session)
{
  Fixture *f = data;

  f->gone = TRUE;
  _suda_session_detach (session);
}

static const SudaSessionListener listener = { on_dirty, on_gone };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->config = suda_server_config_new ();
  f->config->flood_control = FALSE;
  f->pushback = _suda_pushback_new (f->config);
  f->transport = g_object_new (TEST_TYPE_MESSAGE_TRANSPORT, NULL);
  f->session = _suda_session_new (SUDA_TRANSPORT (f->transport), f->config, f->pushback, &listener, f);
  _suda_session_set_owner (f->session, &handler, f, NULL);
  f->lines = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (!f->gone)
    _suda_session_detach (f->session);
  g_clear_object (&f->session);
  g_clear_object (&f->transport);
  g_clear_pointer (&f->pushback, _suda_pushback_free);
  g_clear_pointer (&f->config, suda_server_config_free);
  g_ptr_array_unref (f->lines);
  g_free (f->closed);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
iterate_until (gboolean *flag)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!*flag && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (*flag);
}

/* Tests -------------------------------------------------------------------- */

static void
test_message_is_a_line (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *address = NULL;

  deliver (f->transport, "NICK alice");
  deliver (f->transport, "PRIVMSG #lobby :안녕하세요");
  while (f->lines->len < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_ptr_array_index (f->lines, 0), ==, "NICK alice");
  g_assert_cmpstr (g_ptr_array_index (f->lines, 1), ==, "PRIVMSG #lobby :안녕하세요");
  /* The peer's address comes from the transport, as IRC masks carry it. */
  g_assert_cmpstr (suda_session_get_address (f->session), ==, "0::1");
  g_assert_null (_suda_session_get_certfp (f->session));
}

static void
test_output_is_whole_lines (Fixture       *f,
                            gconstpointer  data)
{
  TestMessageTransport *t = f->transport;

  /* Two sends before a flush leave as two messages, CR LF taken off. */
  _suda_session_send (f->session, ":suda.local 001 alice :Welcome\r\n", 32);
  _suda_session_send (f->session, ":suda.local 002 alice :Your host\r\n", 34);
  while (_suda_session_get_unsent (f->session) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (t->sent->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (t->sent, 0), ==, ":suda.local 001 alice :Welcome");
  g_assert_cmpstr (g_ptr_array_index (t->sent, 1), ==, ":suda.local 002 alice :Your host");
  g_assert_cmpuint (_suda_pushback_get_total (f->pushback), ==, 0);
}

/* The limits are the session's, not the transport's. */
static void
test_overlong_message_closes (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *huge = g_strnfill (f->config->max_line + SUDA_MAX_TAGS_BYTES + 10, 'x');

  deliver (f->transport, huge);
  iterate_until (&f->gone);
  g_assert_true (f->overlong);
  g_assert_cmpstr (f->closed, ==, "Line too long");
  /* Its last words went out before it closed. */
  g_assert_cmpuint (f->transport->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->transport->sent, 0), ==, "ERROR :bye");
  g_assert_true (f->transport->closed);
  g_assert_cmpuint (f->lines->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/transport/message/one-message-one-line", Fixture, NULL,
              fixture_set_up, test_message_is_a_line, fixture_tear_down);
  g_test_add ("/server/transport/message/output-as-whole-lines", Fixture, NULL,
              fixture_set_up, test_output_is_whole_lines, fixture_tear_down);
  g_test_add ("/server/transport/message/overlong-message-closes", Fixture, NULL,
              fixture_set_up, test_overlong_message_closes, fixture_tear_down);
  return g_test_run ();
}
