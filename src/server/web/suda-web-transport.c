/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IRC over a WebSocket (https://ircv3.net/specs/extensions/websocket):
 * each message in is one line, given to the session with a "\n" after it;
 * each line out (CR LF taken off) is one message, a text message under
 * text.ircv3.net (made valid UTF-8 first) and a binary one under
 * binary.ircv3.net.
 *
 * The frames (RFC 6455) are read and written here, over a stream
 * transport that moves the bytes: send() takes only what the socket
 * takes, so the session's sendq (and the server's total) counts all that
 * a browser has not read, as on TCP.  No keepalive ping of our own: the
 * session's PING timeout finds dead peers on every transport. */
#include "config.h"

#include <string.h>

#include "suda-server-private.h"
#include "suda-stream-transport.h"
#include "suda-web-transport.h"

/* RFC 6455, 5.2 and 7.4. */
enum {
  OP_CONTINUATION = 0x0,
  OP_TEXT         = 0x1,
  OP_BINARY       = 0x2,
  OP_CLOSE        = 0x8,
  OP_PING         = 0x9,
  OP_PONG         = 0xa,
};

enum {
  CLOSE_NORMAL         = 1000,
  CLOSE_PROTOCOL_ERROR = 1002,
  CLOSE_BAD_DATA       = 1007,
  CLOSE_TOO_BIG        = 1009,
};

#define MAX_CONTROL     125
#define MAX_HEADER      14
#define READ_CHUNK      16384
/* Frames made per send(): a flush of a long backlog goes in bounded steps. */
#define MAX_SEND_LINES  64
#define MAX_SEND_BYTES  65536

struct _SudaWebTransport
{
  SudaTransport   parent_instance;

  SudaTransport  *io;             /* the bytes on the wire */
  GSocket        *socket;         /* below: libsoup's stream does not close it */
  GSocketAddress *peer;
  gboolean        binary;         /* binary.ircv3.net */
  gsize           max_message;

  /* In */
  GByteArray     *in;             /* read, not parsed yet */
  gboolean        need_more;      /* IN holds no whole frame */
  GByteArray     *message;        /* a message being assembled */
  guint8          message_op;     /* its opcode, 0 when none is under way */
  GByteArray     *lines;          /* whole messages as lines, for receive() */
  gsize           lines_off;
  gboolean        peer_closed;    /* a close frame or the end: receive() says 0 */
  GError         *failure;        /* a protocol error: receive() says it */

  /* Out */
  GByteArray     *out;            /* frames taken, not on the wire yet */
  gsize           out_off;
  GByteArray     *frames;         /* scratch for send() */
  gboolean        held;           /* the session kept a line's "\n" whose frame is in OUT */
  guint8          pong[MAX_CONTROL];
  gsize           pong_len;
  gboolean        pong_due;
  guint16         close_code;     /* 0: none in the close frame */
  gboolean        close_due;
  gboolean        closing;        /* a close frame is queued: no data after it */
  GError         *write_error;

  guint           pump_id;        /* input waits in our buffers */
};

G_DEFINE_FINAL_TYPE (SudaWebTransport, suda_web_transport, SUDA_TYPE_TRANSPORT)

static void update_watches (SudaWebTransport *self);

/* Output ------------------------------------------------------------------ */

static gsize
write_header (guint8 *header,
              guint8  opcode,
              guint64 len)
{
  header[0] = 0x80 | opcode;  /* FIN: our messages are never fragmented */
  if (len < 126)
    {
      header[1] = len;
      return 2;
    }
  if (len <= G_MAXUINT16)
    {
      header[1] = 126;
      header[2] = len >> 8;
      header[3] = len & 0xff;
      return 4;
    }
  header[1] = 127;
  for (int i = 0; i < 8; i++)
    header[2 + i] = (len >> (56 - 8 * i)) & 0xff;
  return 10;
}

static void
append_frame (GByteArray   *array,
              guint8        opcode,
              const guint8 *payload,
              gsize         len)
{
  guint8 header[MAX_HEADER];

  g_byte_array_append (array, header, write_header (header, opcode, len));
  g_byte_array_append (array, payload, len);
}

static gboolean
has_output (SudaWebTransport *self)
{
  return self->out_off < self->out->len || self->pong_due || self->close_due;
}

/* Writes OUT, then the control frames due; FALSE while something waits. */
static gboolean
flush_out (SudaWebTransport *self)
{
  while (self->write_error == NULL)
    {
      if (self->out_off < self->out->len)
        {
          gssize n = suda_transport_send (self->io, (const char *) self->out->data + self->out_off,
                                          self->out->len - self->out_off, &self->write_error);

          if (n < 0)
            break;
          self->out_off += n;
          if (self->out_off < self->out->len)
            return FALSE;
        }
      g_byte_array_set_size (self->out, 0);
      self->out_off = 0;
      if (self->pong_due && !self->closing)
        append_frame (self->out, OP_PONG, self->pong, self->pong_len);
      else if (self->close_due)
        {
          guint8 code[2] = { self->close_code >> 8, self->close_code & 0xff };

          append_frame (self->out, OP_CLOSE, code, self->close_code != 0 ? 2 : 0);
          self->close_due = FALSE;
        }
      self->pong_due = FALSE;
      if (self->out->len == 0)
        return TRUE;
    }
  /* The connection failed: whatever waits is lost. */
  g_byte_array_set_size (self->out, 0);
  self->out_off = 0;
  self->pong_due = self->close_due = FALSE;
  return FALSE;
}

/* The last frame: nothing is sent after it (RFC 6455, 5.5.1). */
static void
queue_close (SudaWebTransport *self,
             guint16           code)
{
  if (self->closing)
    return;
  self->closing = TRUE;
  self->close_code = code;
  self->close_due = TRUE;
  flush_out (self);
}

typedef struct {
  gsize in_end;     /* in DATA, after the line's "\n" */
  gsize frame_end;  /* in FRAMES */
} Span;

static void
frame_line (SudaWebTransport *self,
            const char       *line,
            gsize             len)
{
  g_autofree char *text = NULL;

  if (self->binary)
    {
      append_frame (self->frames, OP_BINARY, (const guint8 *) line, len);
      return;
    }
  /* text.ircv3.net: a line that is not UTF-8 has its bad bytes replaced. */
  if (!g_utf8_validate_len (line, len, NULL))
    {
      text = g_utf8_make_valid (line, len);
      line = text;
      len = strlen (text);
    }
  append_frame (self->frames, OP_TEXT, (const guint8 *) line, len);
}

/* Frames whole lines of DATA, up to the bounds; returns how many. */
static guint
frame_lines (SudaWebTransport *self,
             const char       *data,
             gsize             len,
             Span             *spans)
{
  const char *end = data + len;
  guint n = 0;

  g_byte_array_set_size (self->frames, 0);
  for (const char *line = data; line < end && n < MAX_SEND_LINES &&
                                self->frames->len < MAX_SEND_BYTES;)
    {
      const char *newline = memchr (line, '\n', end - line);
      const char *next = newline != NULL ? newline + 1 : end;
      const char *stop = newline != NULL ? newline : end;

      if (stop > line && stop[-1] == '\r')
        stop--;
      frame_line (self, line, stop - line);
      spans[n].in_end = next - data;
      spans[n].frame_end = self->frames->len;
      n++;
      line = next;
    }
  return n;
}

/* DATA is whole lines, each ended by CR LF.  What the socket takes of the
 * frames is taken of the lines; a line whose frame went out in part is
 * taken but for its "\n", kept by the session until the rest is out, so
 * the session neither closes early nor forgets it counts. */
static gssize
suda_web_transport_send (SudaTransport *transport,
                         const char    *data,
                         gsize          len,
                         GError       **error)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (transport);
  Span spans[MAX_SEND_LINES];
  gsize taken = 0;
  gssize written;
  guint n, i;

  if (self->write_error == NULL && self->closing)
    return len;
  if (self->write_error == NULL && !flush_out (self) && self->write_error == NULL)
    return 0;
  if (self->write_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->write_error));
      return -1;
    }
  /* The held "\n" (a session that dropped its queue sends other lines). */
  if (self->held && len > 0 && data[0] == '\n')
    taken = 1;
  self->held = FALSE;
  n = frame_lines (self, data + taken, len - taken, spans);
  if (n == 0)
    return taken;
  written = suda_transport_send (self->io, (const char *) self->frames->data, self->frames->len, error);
  if (written < 0)
    return -1;
  for (i = 0; i < n && spans[i].frame_end <= (gsize) written; i++)
    ;
  if (i == 0 && written == 0)
    return taken;
  if (i < n && (gsize) written > (i > 0 ? spans[i - 1].frame_end : 0))
    {
      /* A frame in part: the rest goes before anything else. */
      g_byte_array_append (self->out, self->frames->data + written, spans[i].frame_end - written);
      self->held = data[taken + spans[i].in_end - 1] == '\n';
      update_watches (self);
      return taken + spans[i].in_end - self->held;
    }
  return taken + (i > 0 ? spans[i - 1].in_end : 0);
}

/* Input ------------------------------------------------------------------- */

static void
fail (SudaWebTransport *self,
      guint16           code,
      const char       *why)
{
  if (self->failure != NULL || self->peer_closed)
    return;
  g_set_error (&self->failure, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "WebSocket: %s", why);
  queue_close (self, code);
}

static void
append_unmasked (GByteArray   *array,
                 const guint8 *payload,
                 gsize         len,
                 const guint8 *mask)
{
  gsize start = array->len;

  g_byte_array_set_size (array, start + len);
  for (gsize i = 0; i < len; i++)
    array->data[start + i] = payload[i] ^ mask[i & 3];
}

/* A whole message becomes a line for the session. */
static void
finish_message (SudaWebTransport *self)
{
  GByteArray *done = self->message;

  /* RFC 6455, 8.1: a text message is UTF-8. */
  if (self->message_op == OP_TEXT && !g_utf8_validate_len ((const char *) done->data, done->len, NULL))
    {
      fail (self, CLOSE_BAD_DATA, "invalid UTF-8 in a text message");
      return;
    }
  self->message_op = 0;
  /* The spec's messages carry no CR LF; a peer that adds one anyway
   * ends its line only once. */
  if (done->len == 0 || done->data[done->len - 1] != '\n')
    g_byte_array_append (done, (const guint8 *) "\n", 1);
  /* LINES is empty (input is parsed only then): the buffers swap. */
  self->message = self->lines;
  g_byte_array_set_size (self->message, 0);
  self->lines = done;
  self->lines_off = 0;
}

static void
on_control (SudaWebTransport *self,
            guint8            opcode,
            const guint8     *payload,
            gsize             len,
            const guint8     *mask)
{
  guint8 data[MAX_CONTROL];

  for (gsize i = 0; i < len; i++)
    data[i] = payload[i] ^ mask[i & 3];
  if (opcode == OP_PING)
    {
      /* Only the latest ping needs its pong (RFC 6455, 5.5.3). */
      memcpy (self->pong, data, len);
      self->pong_len = len;
      self->pong_due = TRUE;
      flush_out (self);
    }
  else if (opcode == OP_CLOSE)
    {
      if (len == 1)
        {
          fail (self, CLOSE_PROTOCOL_ERROR, "bad close frame");
          return;
        }
      /* The answer echoes the code (RFC 6455, 5.5.1). */
      queue_close (self, len >= 2 ? (data[0] << 8) | data[1] : 0);
      self->peer_closed = TRUE;
    }
}

static void
on_data (SudaWebTransport *self,
         guint8            opcode,
         gboolean          fin,
         const guint8     *payload,
         gsize             len,
         const guint8     *mask)
{
  if (opcode == OP_CONTINUATION && self->message_op == 0)
    {
      fail (self, CLOSE_PROTOCOL_ERROR, "continuation of no message");
      return;
    }
  if (opcode != OP_CONTINUATION && self->message_op != 0)
    {
      fail (self, CLOSE_PROTOCOL_ERROR, "a message inside a fragmented one");
      return;
    }
  if (opcode != OP_CONTINUATION)
    self->message_op = opcode;
  append_unmasked (self->message, payload, len, mask);
  if (fin)
    finish_message (self);
}

static gsize
refuse (SudaWebTransport *self,
        guint16           code,
        const char       *why)
{
  fail (self, code, why);
  return 0;
}

/* The frame at the start of P: its size once it is whole and handled, 0
 * while more bytes are needed (or after a failure). */
static gsize
parse_frame (SudaWebTransport *self,
             const guint8     *p,
             gsize             avail)
{
  guint8 opcode = p[0] & 0x0f;
  gboolean fin = (p[0] & 0x80) != 0;
  guint64 len = p[1] & 0x7f;
  gsize header = 2;

  if (p[0] & 0x70)
    return refuse (self, CLOSE_PROTOCOL_ERROR, "reserved bits set");
  /* Every frame from a client is masked (RFC 6455, 5.1). */
  if (!(p[1] & 0x80))
    return refuse (self, CLOSE_PROTOCOL_ERROR, "unmasked frame");
  if (len == 126)
    {
      if (avail < 4)
        return 0;
      len = (p[2] << 8) | p[3];
      header = 4;
    }
  else if (len == 127)
    {
      if (avail < 10)
        return 0;
      len = 0;
      for (int i = 0; i < 8; i++)
        len = (len << 8) | p[2 + i];
      header = 10;
    }
  if (opcode >= OP_CLOSE && (len > MAX_CONTROL || !fin))
    return refuse (self, CLOSE_PROTOCOL_ERROR, "control frame too long or fragmented");
  if (opcode != OP_CONTINUATION && opcode != OP_TEXT && opcode != OP_BINARY &&
      opcode != OP_CLOSE && opcode != OP_PING && opcode != OP_PONG)
    return refuse (self, CLOSE_PROTOCOL_ERROR, "unknown opcode");
  /* Refused on its declared length, before any of it is stored. */
  if (opcode < OP_CLOSE && len > self->max_message - MIN (self->message->len, self->max_message))
    return refuse (self, CLOSE_TOO_BIG, "message too big");
  header += 4;
  if (avail < header + len)
    return 0;
  if (opcode >= OP_CLOSE)
    on_control (self, opcode, p + header, len, p + header - 4);
  else
    on_data (self, opcode, fin, p + header, len, p + header - 4);
  return header + len;
}

/* Frames in IN, until a whole message waits for the session. */
static void
parse_input (SudaWebTransport *self)
{
  gsize off = 0;

  while (self->lines_off == self->lines->len && self->failure == NULL && !self->peer_closed)
    {
      gsize n = self->in->len - off >= 2 ? parse_frame (self, self->in->data + off, self->in->len - off) : 0;

      if (n == 0)
        {
          self->need_more = self->failure == NULL;
          break;
        }
      off += n;
    }
  g_byte_array_remove_range (self->in, 0, off);
}

static gboolean
take_line (SudaWebTransport *self,
           char             *buffer,
           gsize             size,
           gssize           *n)
{
  if (self->lines_off == self->lines->len)
    return FALSE;
  *n = MIN (size, self->lines->len - self->lines_off);
  memcpy (buffer, self->lines->data + self->lines_off, *n);
  self->lines_off += *n;
  if (self->lines_off == self->lines->len)
    {
      g_byte_array_set_size (self->lines, 0);
      self->lines_off = 0;
    }
  return TRUE;
}

/* Reads once from the socket at most; one message at a time waits here,
 * the rest stays in the kernel (pushback works as on TCP). */
static gssize
suda_web_transport_receive (SudaTransport *transport,
                            char          *buffer,
                            gsize          size,
                            GError       **error)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (transport);
  gboolean have_read = FALSE;
  gssize n;

  while (!take_line (self, buffer, size, &n))
    {
      if (self->failure != NULL)
        {
          g_propagate_error (error, g_error_copy (self->failure));
          return -1;
        }
      if (self->peer_closed)
        return 0;
      if (self->in->len > 0 && !self->need_more)
        {
          parse_input (self);
          continue;
        }
      if (have_read)
        {
          update_watches (self);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "no whole message yet");
          return -1;
        }
      have_read = TRUE;
      g_byte_array_set_size (self->in, self->in->len + READ_CHUNK);
      n = suda_transport_receive (self->io, (char *) self->in->data + self->in->len - READ_CHUNK,
                                  READ_CHUNK, error);
      g_byte_array_set_size (self->in, self->in->len - READ_CHUNK + MAX (n, 0));
      if (n < 0)
        return -1;
      if (n == 0)
        self->peer_closed = TRUE;
      self->need_more = FALSE;
    }
  update_watches (self);
  return n;
}

/* Readiness --------------------------------------------------------------- */

/* Input the session can have without a read from the socket. */
static gboolean
has_buffered_input (SudaWebTransport *self)
{
  return self->lines_off < self->lines->len || self->failure != NULL || self->peer_closed ||
         (self->in->len > 0 && !self->need_more);
}

static gboolean
on_pump (gpointer data)
{
  g_autoptr(SudaWebTransport) self = g_object_ref (data);

  self->pump_id = 0;
  if ((suda_transport_get_watched (SUDA_TRANSPORT (self)) & G_IO_IN) && has_buffered_input (self))
    suda_transport_ready (SUDA_TRANSPORT (self), G_IO_IN);
  update_watches (self);
  return G_SOURCE_REMOVE;
}

/* What the stream below waits for, and the pump that tells the session of
 * buffered input once per main-loop iteration, as a socket source would. */
static void
update_watches (SudaWebTransport *self)
{
  GIOCondition watched = suda_transport_get_watched (SUDA_TRANSPORT (self));
  GIOCondition below = 0;
  gboolean pump;

  if (suda_transport_is_closed (SUDA_TRANSPORT (self)))
    return;
  if ((watched & G_IO_IN) && self->failure == NULL && !self->peer_closed)
    below |= G_IO_IN;
  if (((watched & G_IO_OUT) || has_output (self)) && self->write_error == NULL)
    below |= G_IO_OUT;
  suda_transport_watch (self->io, below);
  pump = ((watched & G_IO_IN) && has_buffered_input (self)) ||
         ((watched & G_IO_OUT) && self->write_error != NULL);
  if (pump && self->pump_id == 0)
    self->pump_id = _suda_idle_add_full (G_PRIORITY_DEFAULT, on_pump, self, NULL);
  else if (!pump)
    g_clear_handle_id (&self->pump_id, _suda_source_remove);
}

static void
on_io_ready (gpointer     data,
             GIOCondition condition)
{
  g_autoptr(SudaWebTransport) self = g_object_ref (data);
  SudaTransport *transport = SUDA_TRANSPORT (self);

  if ((condition & G_IO_OUT) && flush_out (self) &&
      (suda_transport_get_watched (transport) & G_IO_OUT))
    suda_transport_ready (transport, G_IO_OUT);
  if ((condition & G_IO_IN) && (suda_transport_get_watched (transport) & G_IO_IN))
    suda_transport_ready (transport, G_IO_IN);
  update_watches (self);
}

static void
suda_web_transport_watch (SudaTransport *transport,
                          GIOCondition   condition)
{
  update_watches (SUDA_WEB_TRANSPORT (transport));
}

/* The session's last words are out (it kept a "\n" until they were): the
 * close frame follows them, if the socket takes it now. */
static void
suda_web_transport_shutdown (SudaTransport *transport)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (transport);

  queue_close (self, CLOSE_NORMAL);
  flush_out (self);
  g_socket_shutdown (self->socket, FALSE, TRUE, NULL);
}

static void
suda_web_transport_close (SudaTransport *transport)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (transport);

  g_clear_handle_id (&self->pump_id, _suda_source_remove);
  suda_transport_close (self->io);
  g_socket_close (self->socket, NULL);
}

static GSocketAddress *
suda_web_transport_dup_remote_address (SudaTransport *transport)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (transport);

  return self->peer ? g_object_ref (self->peer) : NULL;
}

static GSocket *
suda_web_transport_get_socket (SudaTransport *transport)
{
  return SUDA_WEB_TRANSPORT (transport)->socket;
}

static void
suda_web_transport_dispose (GObject *object)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (object);

  g_clear_handle_id (&self->pump_id, _suda_source_remove);
  if (self->io != NULL)
    suda_transport_close (self->io);
  g_clear_object (&self->io);
  g_clear_object (&self->socket);
  g_clear_object (&self->peer);

  G_OBJECT_CLASS (suda_web_transport_parent_class)->dispose (object);
}

static void
suda_web_transport_finalize (GObject *object)
{
  SudaWebTransport *self = SUDA_WEB_TRANSPORT (object);

  g_clear_pointer (&self->in, g_byte_array_unref);
  g_clear_pointer (&self->message, g_byte_array_unref);
  g_clear_pointer (&self->lines, g_byte_array_unref);
  g_clear_pointer (&self->out, g_byte_array_unref);
  g_clear_pointer (&self->frames, g_byte_array_unref);
  g_clear_error (&self->failure);
  g_clear_error (&self->write_error);

  G_OBJECT_CLASS (suda_web_transport_parent_class)->finalize (object);
}

static void
suda_web_transport_class_init (SudaWebTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SudaTransportClass *transport_class = SUDA_TRANSPORT_CLASS (klass);

  object_class->dispose = suda_web_transport_dispose;
  object_class->finalize = suda_web_transport_finalize;
  transport_class->receive = suda_web_transport_receive;
  transport_class->send = suda_web_transport_send;
  transport_class->watch = suda_web_transport_watch;
  transport_class->shutdown = suda_web_transport_shutdown;
  transport_class->close = suda_web_transport_close;
  transport_class->dup_remote_address = suda_web_transport_dup_remote_address;
  transport_class->get_socket = suda_web_transport_get_socket;
}

static void
suda_web_transport_init (SudaWebTransport *self)
{
  self->in = g_byte_array_new ();
  self->message = g_byte_array_new ();
  self->lines = g_byte_array_new ();
  self->out = g_byte_array_new ();
  self->frames = g_byte_array_new ();
}

SudaTransport *
suda_web_transport_new (GIOStream      *stream,
                        GSocket        *socket,
                        GSocketAddress *peer,
                        gboolean        binary,
                        gsize           max_message)
{
  SudaWebTransport *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);

  self = g_object_new (SUDA_TYPE_WEB_TRANSPORT, NULL);
  self->io = suda_stream_transport_new (stream);
  self->socket = g_object_ref (socket);
  self->peer = peer ? g_object_ref (peer) : NULL;
  self->binary = binary;
  self->max_message = max_message;
  suda_transport_set_ready_func (self->io, on_io_ready, self);
  return SUDA_TRANSPORT (self);
}
