/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "suda-line-buffer.h"
#include "suda-test-util.h"

struct _SudaTestClient
{
  GSocket           *socket;
  SudaLineBuffer     in;
  gboolean           closed;
  SudaTestLineCheck  check;   /* run on every line read, or NULL */
};

char *
suda_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("suda-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

SudaServer *
suda_test_server_new (const SudaServerConfig *config)
{
  g_autoptr(SudaServerConfig) copy = config ? suda_server_config_copy (config)
                                            : suda_server_config_new ();
  g_autoptr(GError) error = NULL;
  SudaServer *server;

  g_free (copy->listen_address);
  copy->listen_address = g_strdup ("127.0.0.1");
  /* Tests run in parallel: the default port becomes "any free port"; a
   * test that restarts a server on its old port passes that port. */
  if (copy->port == 6667)
    copy->port = 0;
  /* Every test client comes from 127.0.0.1; test-server-abuse.c tests
   * max-per-address with servers of its own. */
  copy->exempt_loopback = TRUE;
  if (config == NULL || config->log_path == NULL)
    {
      g_autofree char *dir = suda_test_make_tmpdir ();

      g_free (copy->log_path);
      copy->log_path = g_build_filename (dir, "server.jsonl", NULL);
    }
  server = suda_server_new (copy);
  suda_server_start (server, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (suda_server_get_port (server), >, 0);
  return server;
}

SudaServer *
suda_test_server_new_unthrottled (const SudaServerConfig *config)
{
  g_autoptr(SudaServerConfig) copy = config ? suda_server_config_copy (config)
                                            : suda_server_config_new ();

  copy->flood_control = FALSE;
  return suda_test_server_new (copy);
}

static void
lobby_on_log_entry (SudaServer    *server,
                    SudaLogEntry  *entry,
                    SudaTestLobby *self)
{
  if (g_strv_contains ((const char * const *) self->events, suda_log_entry_get_event (entry)))
    g_ptr_array_add (self->entries, g_object_ref (entry));
}

void
suda_test_lobby_set_up (SudaTestLobby          *self,
                        const SudaServerConfig *config,
                        const char * const     *events)
{
  self->server = suda_test_server_new_unthrottled (config);
  self->port = suda_server_get_port (self->server);
  self->events = g_strdupv ((char **) events);
  self->entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (self->server, "log-entry", G_CALLBACK (lobby_on_log_entry), self);
  self->alice = suda_test_client_register_joined (self->port, "alice", NULL, "#lobby");
  self->bob = suda_test_client_register_joined (self->port, "bob", NULL, "#lobby");
}

void
suda_test_lobby_stop_server (SudaTestLobby *self)
{
  if (self->server == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->server, self);
  suda_server_stop (self->server, NULL);
  g_clear_object (&self->server);
}

void
suda_test_lobby_tear_down (SudaTestLobby *self)
{
  g_clear_pointer (&self->alice, suda_test_client_free);
  g_clear_pointer (&self->bob, suda_test_client_free);
  suda_test_lobby_stop_server (self);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->events, g_strfreev);
}

GDateTime *
suda_test_clock_now (gpointer clock)
{
  return g_date_time_ref (((SudaTestClock *) clock)->now);
}

void
suda_test_clock_advance (SudaTestClock *clock,
                         double         seconds)
{
  GDateTime *later = g_date_time_add_seconds (clock->now, seconds);

  g_date_time_unref (clock->now);
  clock->now = later;
}

/* A port nothing listens on: bound once on 127.0.0.1, then closed. */
guint16
suda_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Whether something (a server started as another process) accepts
 * connections on 127.0.0.1:PORT yet. */
gboolean
suda_test_port_accepts (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

void
suda_test_iterate (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

gboolean
suda_test_wait_until (gboolean (*cond) (gpointer),
                      gpointer   data,
                      guint      timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (500);
    }
  return TRUE;
}

SudaTestClient *
suda_test_client_connect (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  SudaTestClient *self = g_new0 (SudaTestClient, 1);

  self->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (self->socket, FALSE);
  if (!g_socket_connect (self->socket, address, NULL, &error))
    {
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING));
      g_clear_error (&error);
    }
  /* Let the server accept while the connection completes. */
  for (int i = 0; i < 5000; i++)
    {
      if (g_socket_condition_check (self->socket, G_IO_OUT))
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
  g_socket_check_connect_result (self->socket, &error);
  g_assert_no_error (error);
  suda_line_buffer_init (&self->in, 1024 * 1024);
  return self;
}

void
suda_test_client_send_raw (SudaTestClient *self,
                           const void     *data,
                           gsize           len)
{
  gsize sent = 0;
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (sent < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (self->socket, (const char *) data + sent, len - sent, NULL, &error);

      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) &&
              !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) &&
              !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
            g_assert_no_error (error);
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return;  /* the server hung up: what it said is still readable */
          g_assert_cmpint (g_get_monotonic_time (), <, end);
          g_main_context_iteration (NULL, FALSE);
          continue;
        }
      sent += n;
    }
}

void
suda_test_client_send (SudaTestClient *self,
                       const char     *format,
                       ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strconcat (text, "\r\n", NULL);
  suda_test_client_send_raw (self, line, strlen (line));
}

/* Returns the next line, or NULL after TIMEOUT_MS or when the server closed. */
char *
suda_test_client_read_line (SudaTestClient *self,
                            guint           timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  for (;;)
    {
      char *line;
      gsize len;
      char buffer[16384];
      gssize n;

      if (suda_line_buffer_pop (&self->in, &line, &len) == SUDA_LINE_OK)
        {
          char *copy = g_strndup (line, len);

          if (self->check != NULL)
            self->check (copy);
          return copy;
        }
      if (self->closed || g_get_monotonic_time () > end)
        return NULL;

      {
        g_autoptr(GError) error = NULL;

        n = g_socket_receive (self->socket, buffer, sizeof buffer, NULL, &error);
        if (n > 0)
          {
            suda_line_buffer_append (&self->in, buffer, n);
            continue;
          }
        if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
          self->closed = TRUE;
      }
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }
}

/* Waits for a line matching PATTERN; the lines skipped on the way go into
 * SKIPPED (the first 20, shortened) so a failure can say what came instead. */
static char *
expect_within (SudaTestClient *self,
               const char     *pattern,
               guint           timeout_ms,
               GString        *skipped,
               guint          *n_skipped)
{
  g_autoptr(GPatternSpec) spec = g_pattern_spec_new (pattern);
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  for (;;)
    {
      gint64 left = (end - g_get_monotonic_time ()) / 1000;
      char *line = suda_test_client_read_line (self, MAX (left, 0));

      if (line == NULL)
        return NULL;
      if (g_pattern_spec_match_string (spec, line))
        return line;
      if ((*n_skipped)++ < 20)
        g_string_append_printf (skipped, "  %.300s\n", line);
      g_free (line);
    }
}

char *
suda_test_client_expect_within (SudaTestClient *self,
                                const char     *pattern,
                                guint           timeout_ms)
{
  g_autoptr(GString) skipped = g_string_new (NULL);
  guint n_skipped = 0;
  char *line = expect_within (self, pattern, timeout_ms, skipped, &n_skipped);

  if (line == NULL)
    g_test_message ("no line matching “%.200s” within %u ms; skipped %u lines:\n%s",
                    pattern, timeout_ms, n_skipped, skipped->str);
  return line;
}

char *
suda_test_client_expect (SudaTestClient *self,
                         const char     *pattern)
{
  g_autoptr(GString) skipped = g_string_new (NULL);
  guint n_skipped = 0;
  char *line = expect_within (self, pattern, 5000, skipped, &n_skipped);

  if (line == NULL)
    g_error ("expected a line matching “%.200s”; skipped %u lines:\n%s",
             pattern, n_skipped, skipped->str);
  return line;
}

void
suda_test_client_await (SudaTestClient *self,
                        const char     *pattern)
{
  g_free (suda_test_client_expect (self, pattern));
}

/* Sends a PING with a fresh token and returns every line that arrived before
 * its PONG, so a test can assert what was said, and that nothing else was. */
GPtrArray *
suda_test_client_sync (SudaTestClient *self)
{
  static guint counter;
  g_autofree char *token = g_strdup_printf ("sync%u", ++counter);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  suda_test_client_send (self, "PING %s", token);
  for (;;)
    {
      char *line = suda_test_client_read_line (self, 5000);

      if (line == NULL)
        g_error ("no PONG %s after %u lines, the last: %.200s", token, lines->len,
                 lines->len ? (char *) g_ptr_array_index (lines, lines->len - 1) : "");
      if (g_str_has_prefix (line, "PING :"))
        {
          /* The server's own keepalive is answered, not collected. */
          suda_test_client_send (self, "PONG :%s", line + 6);
          g_free (line);
          continue;
        }
      if (strstr (line, " PONG ") && g_str_has_suffix (line, token))
        {
          g_free (line);
          return lines;
        }
      g_ptr_array_add (lines, line);
    }
}

void
suda_test_client_assert_quiet (SudaTestClient *self)
{
  g_autoptr(GPtrArray) lines = suda_test_client_sync (self);

  for (guint i = 0; i < lines->len; i++)
    g_test_message ("unexpected line: %.300s", (char *) g_ptr_array_index (lines, i));
  g_assert_cmpuint (lines->len, ==, 0);
}

void
suda_test_client_expect_nothing_before_sync (SudaTestClient *self,
                                             const char     *forbidden)
{
  g_autoptr(GPtrArray) lines = suda_test_client_sync (self);
  const char *found = suda_test_lines_find (lines, forbidden);

  if (found != NULL)
    g_test_message ("unexpected line matching “%s”: %.300s", forbidden, found);
  g_assert_null (found);
}

const char *
suda_test_lines_find (GPtrArray  *lines,
                      const char *pattern)
{
  g_autoptr(GPatternSpec) spec = g_pattern_spec_new (pattern);

  for (guint i = 0; i < lines->len; i++)
    if (g_pattern_spec_match_string (spec, g_ptr_array_index (lines, i)))
      return g_ptr_array_index (lines, i);
  return NULL;
}

void
suda_test_client_join (SudaTestClient *self,
                       const char     *nick,
                       const char     *channel)
{
  g_autofree char *joined = g_strdup_printf ("*:%s!~%s@127.0.0.1 JOIN %s", nick, nick, channel);
  g_autofree char *end = g_strdup_printf (":suda.local 366 %s %s :End of /NAMES list.", nick, channel);

  suda_test_client_send (self, "JOIN %s", channel);
  suda_test_client_await (self, joined);
  suda_test_client_await (self, end);
}

SudaTestClient *
suda_test_client_register_joined (guint16     port,
                                  const char *nick,
                                  const char *caps,
                                  const char *channel)
{
  SudaTestClient *self = suda_test_client_register (port, nick, caps);

  suda_test_client_join (self, nick, channel);
  return self;
}

SudaTestClient *
suda_test_user (SudaServer *server,
                const char *nick,
                const char *caps)
{
  return suda_test_client_register (suda_server_get_port (server), nick, caps);
}

SudaTestClient *
suda_test_member (SudaServer *server,
                  const char *nick,
                  const char *caps,
                  const char *channel)
{
  return suda_test_client_register_joined (suda_server_get_port (server), nick, caps, channel);
}

void
suda_test_client_set_line_check (SudaTestClient    *self,
                                 SudaTestLineCheck  check)
{
  self->check = check;
}

SudaTestClient *
suda_test_client_register (guint16     port,
                           const char *nick,
                           const char *caps)
{
  SudaTestClient *self = suda_test_client_connect (port);
  g_autofree char *welcome = NULL;

  if (caps && *caps)
    {
      g_autofree char *ack_pattern = g_strdup_printf ("* CAP * ACK :%s", caps);
      g_autofree char *ack = NULL;

      suda_test_client_send (self, "CAP LS 302");
      suda_test_client_send (self, "NICK %s", nick);
      suda_test_client_send (self, "USER %s 0 * :Test %s", nick, nick);
      g_free (suda_test_client_expect (self, "* CAP * LS *"));
      suda_test_client_send (self, "CAP REQ :%s", caps);
      ack = suda_test_client_expect (self, ack_pattern);
      suda_test_client_send (self, "CAP END");
    }
  else
    {
      suda_test_client_send (self, "NICK %s", nick);
      suda_test_client_send (self, "USER %s 0 * :Test %s", nick, nick);
    }
  welcome = suda_test_client_expect (self, "* 001 *");
  /* The end of the MOTD, or 422 when there is none, ends registration. */
  for (;;)
    {
      g_autofree char *line = suda_test_client_read_line (self, 5000);

      if (line == NULL)
        g_error ("registration of %s did not finish", nick);
      if (strstr (line, " 376 ") || strstr (line, " 422 "))
        break;
    }
  return self;
}

gboolean
suda_test_client_wait_closed (SudaTestClient *self,
                              guint           timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  while (!self->closed)
    {
      g_autofree char *line = suda_test_client_read_line (self, 50);

      if (g_get_monotonic_time () > end)
        return FALSE;
    }
  return TRUE;
}

GSocket *
suda_test_client_get_socket (SudaTestClient *self)
{
  return self->socket;
}

void
suda_test_client_free (SudaTestClient *self)
{
  if (self == NULL)
    return;
  g_socket_close (self->socket, NULL);
  g_object_unref (self->socket);
  suda_line_buffer_clear (&self->in);
  g_free (self);
}

/* A GAsyncReadyCallback that keeps the result in SLOT (a GAsyncResult **),
 * for suda_test_async_wait. */
void
suda_test_async_store (GObject      *source,
                       GAsyncResult *result,
                       gpointer      slot)
{
  *(GAsyncResult **) slot = g_object_ref (result);
}

/* Runs the main loop until the call that was given SLOT has finished. */
GAsyncResult *
suda_test_async_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}
