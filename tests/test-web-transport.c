/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaWebTransport's output over a TCP connection on loopback: send() takes only what
 * the socket takes (the rest stays with the caller, so the session's
 * sendq counts it), and once the peer reads, every line arrives as one
 * unmasked frame, in order, none lost or cut, the held "\n" included. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "web/suda-web-transport.h"

#define N_LINES 20000

typedef struct {
  SudaTransport *transport;
  GSocket       *peer;
  GString       *queue;       /* the session's sendq: lines not taken yet */
  gsize          queue_off;
  GByteArray    *received;    /* bytes the peer read, not parsed yet */
  guint          next_line;   /* the line number the next frame must carry */
  gboolean       binary;
} Fixture;

static char *
make_line (guint number)
{
  /* Sizes vary so frames fall across the socket's boundaries every way. */
  static const char filler[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_printf (line, "PRIVMSG #room :%u 수다 ", number);
  for (guint i = 0; i < number * 37 % 300; i++)
    g_string_append_c (line, filler[i % (sizeof filler - 1)]);
  g_string_append (line, "\r\n");
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* Sends as the session does: until the transport takes nothing more. */
static gsize
send_some (Fixture *f)
{
  gsize taken = 0;

  while (f->queue_off < f->queue->len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = suda_transport_send (f->transport, f->queue->str + f->queue_off,
                                      f->queue->len - f->queue_off, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        break;
      f->queue_off += n;
      taken += n;
    }
  return taken;
}

/* The frames the peer has whole: each is one line, the next in order. */
static void
parse_frames (Fixture *f)
{
  gsize off = 0;

  while (f->received->len - off >= 2)
    {
      const guint8 *p = f->received->data + off;
      guint64 len = p[1] & 0x7f;
      gsize header = 2;
      g_autofree char *expected = NULL;

      g_assert_cmpint (p[0], ==, 0x80 | (f->binary ? 0x2 : 0x1));
      g_assert_cmpint (p[1] & 0x80, ==, 0);  /* a server's frames are not masked */
      if (len == 126)
        {
          if (f->received->len - off < 4)
            break;
          len = (p[2] << 8) | p[3];
          header = 4;
        }
      g_assert_cmpuint (len, <, 65536);
      if (f->received->len - off < header + len)
        break;
      expected = make_line (f->next_line++);
      g_assert_cmpuint (len, ==, strlen (expected) - 2);
      g_assert_true (memcmp (p + header, expected, len) == 0);
      off += header + len;
    }
  g_byte_array_remove_range (f->received, 0, off);
}

static void
read_peer (Fixture *f)
{
  guint8 buffer[65536];
  gssize n;

  while ((n = g_socket_receive (f->peer, (char *) buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (f->received, buffer, n);
  parse_frames (f);
}

static void
connect_pair (GSocket **ours,
              GSocket **peer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) address = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (listener, any, TRUE, &error));
  g_assert_true (g_socket_listen (listener, &error));
  address = g_socket_get_local_address (listener, &error);
  *peer = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_socket_set_option (*peer, SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  g_assert_true (g_socket_connect (*peer, address, NULL, &error));
  *ours = g_socket_accept (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_option (*ours, SOL_SOCKET, SO_SNDBUF, 16384, NULL);
  g_socket_set_blocking (*peer, FALSE);
}

static void
test_send_takes_what_the_socket_takes (gconstpointer data)
{
  Fixture f = { .queue = g_string_new (NULL), .received = g_byte_array_new (),
                .binary = GPOINTER_TO_INT (data) };
  g_autoptr(GSocket) ours = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gsize taken;

  /* TCP, as a browser's: its send() takes part of a frame at times. */
  connect_pair (&ours, &f.peer);
  connection = g_socket_connection_factory_create_connection (ours);
  f.transport = suda_web_transport_new (G_IO_STREAM (connection), ours, NULL, f.binary, 16384);
  for (guint i = 0; i < N_LINES; i++)
    {
      g_autofree char *line = make_line (i);

      g_string_append (f.queue, line);
    }

  /* Nobody reads: the socket's buffers fill and the rest stays queued. */
  taken = send_some (&f);
  g_assert_cmpuint (taken, >, 0);
  g_assert_cmpuint (f.queue->len - f.queue_off, >, f.queue->len / 2);
  g_assert_cmpuint (send_some (&f), ==, 0);

  /* The peer reads; the transport's own rest goes out as the socket
   * drains (its G_IO_OUT source), then the session's queue. */
  suda_transport_watch (f.transport, G_IO_OUT);
  while (f.next_line < N_LINES)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      read_peer (&f);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      send_some (&f);
    }
  g_assert_cmpuint (f.queue_off, ==, f.queue->len);
  g_assert_cmpuint (f.received->len, ==, 0);

  suda_transport_close (f.transport);
  g_clear_object (&f.transport);
  g_clear_object (&f.peer);
  g_string_free (f.queue, TRUE);
  g_byte_array_unref (f.received);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/web/transport/text/send-takes-only-what-the-socket-takes",
                        GINT_TO_POINTER (FALSE), test_send_takes_what_the_socket_takes);
  g_test_add_data_func ("/web/transport/binary/send-takes-only-what-the-socket-takes",
                        GINT_TO_POINTER (TRUE), test_send_takes_what_the_socket_takes);
  return g_test_run ();
}
