/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection: one IRC server's connection, its lifetime (connect,
 * registration timeout, loss, reconnection with backoff, quit) and its
 * properties.  Sending, receiving and registration are in their own
 * suda-connection-*.c files over suda-connection-private.h. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-connection-private.h"
#include "suda-limits.h"

enum {
  PROP_0,
  PROP_STATE,
  PROP_NICK,
  PROP_HOST,
  PROP_PORT,
  PROP_PASSWORD,
  PROP_CONNECT_TIMEOUT,
  PROP_RECONNECT_DELAY,
  PROP_NETWORK,
  PROP_PROBLEM,
  PROP_TLS,
  PROP_CERTIFICATE,
  PROP_ACCOUNT,
  PROP_ALLOW_CLEARTEXT,
  N_PROPS
};

enum {
  SIGNAL_EVENT,
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_QUARK (suda-connection-error-quark, suda_connection_error)

G_DEFINE_ENUM_TYPE (                      SudaConnectionState, suda_connection_state,
                    G_DEFINE_ENUM_VALUE ( SUDA_CONNECTION_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE ( SUDA_CONNECTION_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE ( SUDA_CONNECTION_REGISTERING, "registering"),
                    G_DEFINE_ENUM_VALUE ( SUDA_CONNECTION_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE ( SUDA_CONNECTION_RECONNECTING, "reconnecting"))

G_DEFINE_FINAL_TYPE (SudaConnection, suda_connection, G_TYPE_OBJECT)

/* An open IRCv3 batch. */
typedef struct {
  char    *type;
  guint    depth;    /* 1 for a batch outside any other */
  guint64  serial;   /* the order opened, to forget the oldest first */
} Batch;

static void
batch_free (gpointer data)
{
  SudaConnectionBatch *batch = data;

  g_free (batch->type);
  g_free (batch);
}

static void start_connect (SudaConnection *self);

/* The clock: the main loop's unless a test gave its own */

static gint64
loop_get_time (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static guint
loop_add_timeout (guint       interval_ms,
                  GSourceFunc func,
                  gpointer    data,
                  gpointer    user_data)
{
  return g_timeout_add (interval_ms, func, data);
}

static void
loop_remove (guint    id,
             gpointer user_data)
{
  g_source_remove (id);
}

static const SudaConnectionClock loop_clock = {
  loop_get_time, loop_add_timeout, loop_remove,
};

void
_suda_connection_set_clock (SudaConnection            *self,
                            const SudaConnectionClock *clock,
                            gpointer                   user_data)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (self->state == SUDA_CONNECTION_DISCONNECTED);

  self->clock = clock ? clock : &loop_clock;
  self->clock_data = clock ? user_data : NULL;
}

gint64
_suda_connection_now (SudaConnection *self)
{
  return self->clock->get_time (self->clock_data);
}

guint
_suda_connection_add_timeout (SudaConnection *self,
                              guint           interval_ms,
                              GSourceFunc     func)
{
  return self->clock->add_timeout (interval_ms, func, self, self->clock_data);
}

void
_suda_connection_clear_timeout (SudaConnection *self,
                                guint          *id)
{
  if (*id == 0)
    return;
  self->clock->remove (*id, self->clock_data);
  *id = 0;
}

/* The problem is what keeps the connection from working, for a banner:
 * an error told while it is not up.  Errors about one action of a working
 * connection (a kick, a nickname taken by /nick) are not problems. */
static void
set_problem (SudaConnection *self,
             const char     *message)
{
  if (g_strcmp0 (self->problem, message) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static void
emit_error (SudaConnection *self,
            const GError   *error)
{
  g_message ("%s:%u: %s", self->host, self->port, error->message);
  if (self->state != SUDA_CONNECTION_CONNECTED)
    set_problem (self, error->message);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

void
_suda_connection_set_state (SudaConnection      *self,
                            SudaConnectionState  state)
{
  if (self->state == state)
    return;
  g_debug ("connection %s:%u: state %d → %d", self->host, self->port, self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (state == SUDA_CONNECTION_CONNECTED)
    set_problem (self, NULL);
}

void
_suda_connection_set_network (SudaConnection *self,
                              const char     *network)
{
  if (network != NULL && *network == '\0')
    network = NULL;
  if (g_strcmp0 (self->network, network) == 0)
    return;
  g_free (self->network);
  self->network = g_strdup (network);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK]);
}

void
_suda_connection_set_current_nick (SudaConnection *self,
                                   const char     *nick)
{
  if (g_strcmp0 (self->nick, nick) == 0)
    return;
  g_free (self->nick);
  self->nick = g_strdup (nick);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

void
_suda_connection_emit_error (SudaConnection      *self,
                             SudaConnectionError  code,
                             const char          *format,
                             ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (SUDA_CONNECTION_ERROR, code, format, args);
  va_end (args);
  emit_error (self, error);
}

void
_suda_connection_emit_event (SudaConnection *self,
                             SudaIrcEvent   *event)
{
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);
}

/* Sets an error that ends the connection for good: it is told once the
 * socket is closed, and no reconnection follows. */
void
_suda_connection_set_fatal (SudaConnection      *self,
                            SudaConnectionError  code,
                            const char          *message)
{
  if (self->fatal_error == NULL)
    self->fatal_error = g_error_new_literal (SUDA_CONNECTION_ERROR, code, message);
}

const char * const *
suda_connection_get_channels (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return (const char * const *) self->channels->pdata;
}

/* The membership prefix ('@', '+', …) that a channel mode letter gives,
 * from ISUPPORT PREFIX, or 0 when the mode is not a membership mode. */
char
suda_connection_get_mode_prefix (SudaConnection *self,
                                 char            mode)
{
  const char *p;

  g_return_val_if_fail (SUDA_IS_CONNECTION (self), 0);
  p = strchr (self->prefix_modes, mode);
  if (mode == '\0' || p == NULL || (gsize) (p - self->prefix_modes) >= strlen (self->prefix_chars))
    return 0;
  return self->prefix_chars[p - self->prefix_modes];
}

const char *
suda_connection_get_prefix_chars (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->prefix_chars;
}

guint
_suda_connection_get_n_held (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), 0);
  return g_queue_get_length (&self->held);
}

/* Connecting and losing the connection */

void
_suda_connection_close_socket (SudaConnection *self)
{
  _suda_connection_clear_timeout (self, &self->timeout_id);
  _suda_connection_clear_timeout (self, &self->quit_id);
  _suda_connection_clear_timeout (self, &self->keepalive_id);
  if (self->in_source != NULL)
    {
      g_source_destroy (self->in_source);
      self->in_source = NULL;
    }
  g_clear_pointer (&self->out_source, g_source_destroy);
  /* Closing the TLS connection closes the one below it too. */
  if (self->stream != NULL)
    g_io_stream_close (self->stream, NULL, NULL);
  else if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_clear_object (&self->stream);
  g_clear_object (&self->connection);
  self->socket = NULL;
  self->sasl_running = FALSE;
  if (self->certificate != NULL)
    {
      g_clear_object (&self->certificate);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CERTIFICATE]);
    }
  self->write_failed = FALSE;
  suda_line_buffer_clear (&self->lines);
  self->discarding = FALSE;
  g_string_truncate (self->outbuf, 0);
  g_hash_table_remove_all (self->caps_offered);
  g_hash_table_remove_all (self->caps_enabled);
  g_hash_table_remove_all (self->batches);
}

static gboolean
on_reconnect (gpointer user_data)
{
  SudaConnection *self = user_data;

  self->reconnect_id = 0;
  start_connect (self);
  return G_SOURCE_REMOVE;
}

guint
suda_connection_get_next_reconnect_delay (SudaConnection *self)
{
  guint64 delay = self->reconnect_delay_ms;

  for (guint i = 0; i < self->reconnect_attempt && delay < MAX_RECONNECT_DELAY_MS; i++)
    delay *= 2;
  return MIN (delay, MAX_RECONNECT_DELAY_MS);
}

static void
schedule_reconnect (SudaConnection *self)
{
  guint delay = suda_connection_get_next_reconnect_delay (self);

  /* ±20 % jitter, so clients dropped together do not all knock at once. */
  delay = (guint) (delay * g_random_double_range (0.8, 1.2));
  self->reconnect_attempt++;
  _suda_connection_set_state (self, SUDA_CONNECTION_RECONNECTING);
  g_debug ("reconnecting in %u ms", delay);
  _suda_connection_clear_timeout (self, &self->reconnect_id);
  self->reconnect_id = _suda_connection_add_timeout (self, delay, on_reconnect);
}

static gboolean
is_server_full (const char *server_error)
{
  g_autofree char *lower = g_ascii_strdown (server_error, -1);

  return strstr (lower, "full") != NULL || strstr (lower, "too many") != NULL;
}

/* Tells why an established connection went away; the server's ERROR text
 * says whether it was a shutdown or our own fault. */
static void
tell_loss (SudaConnection *self,
           const char     *server_error)
{
  g_autofree char *lower = server_error ? g_ascii_strdown (server_error, -1) : NULL;

  if (lower == NULL)
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_CLOSED,
                                 _("Lost the connection to the server. Reconnecting…"));
  else if (strstr (lower, "too long") != NULL)
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_LINE_TOO_LONG,
                                 _("The server closed the connection because a line was too long: %s"),
                                 server_error);
  else if (strstr (lower, "shut") || strstr (lower, "stop") || strstr (lower, "restart"))
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_SHUTDOWN,
                                 _("The server is shutting down (%s). Reconnecting when it is back…"),
                                 server_error);
  else
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_CLOSED,
                                 _("The server closed the connection: %s. Reconnecting…"),
                                 server_error);
}

/* The socket is gone (or the attempt failed): decide between telling a
 * final error, going quiet after a deliberate quit, and reconnecting. */
void
_suda_connection_handle_loss (SudaConnection *self)
{
  g_autofree char *server_error = g_steal_pointer (&self->server_error);
  gboolean was_connected = self->state == SUDA_CONNECTION_CONNECTED;

  _suda_connection_close_socket (self);

  if (self->quitting)
    {
      self->quitting = FALSE;
      return;
    }
  if (self->fatal_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&self->fatal_error);

      g_queue_clear_full (&self->held, g_free);
      _suda_connection_set_state (self, SUDA_CONNECTION_DISCONNECTED);
      emit_error (self, error);
      return;
    }
  if (server_error != NULL && is_server_full (server_error))
    {
      g_queue_clear_full (&self->held, g_free);
      _suda_connection_set_state (self, SUDA_CONNECTION_DISCONNECTED);
      _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_SERVER_FULL,
                                   _("The server is full (%s). Try again later."), server_error);
      return;
    }

  if (was_connected || self->state == SUDA_CONNECTION_RECONNECTING ||
      (self->ever_registered && self->state == SUDA_CONNECTION_REGISTERING))
    {
      /* Failed attempts after that first loss stay quiet.  The state
       * changes first, so the loss is told as the problem it is. */
      schedule_reconnect (self);
      if (was_connected)
        tell_loss (self, server_error);
      return;
    }

  g_queue_clear_full (&self->held, g_free);
  _suda_connection_set_state (self, SUDA_CONNECTION_DISCONNECTED);
  if (server_error != NULL)
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_CLOSED,
                                 _("The server closed the connection: %s"), server_error);
  else
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_CLOSED,
                                 _("The server closed the connection before you were registered."));
}

void
_suda_connection_notify_certificate (SudaConnection *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CERTIFICATE]);
}

/* Ends the attempt for good, whatever the state: a certificate refused
 * is not something trying again would fix. */
void
_suda_connection_stop (SudaConnection      *self,
                       SudaConnectionError  code,
                       const char          *message)
{
  g_autoptr(GError) error = g_error_new_literal (SUDA_CONNECTION_ERROR, code, message);

  _suda_connection_clear_timeout (self, &self->reconnect_id);
  _suda_connection_close_socket (self);
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->held, g_free);
  _suda_connection_set_state (self, SUDA_CONNECTION_DISCONNECTED);
  emit_error (self, error);
}

void
_suda_connection_restart (SudaConnection *self)
{
  start_connect (self);
}

void
_suda_connection_connect_failed (SudaConnection *self,
                                 const GError   *error)
{
  if (self->state == SUDA_CONNECTION_RECONNECTING)
    {
      g_debug ("reconnect attempt failed: %s", error->message);
      schedule_reconnect (self);
      return;
    }

  _suda_connection_set_state (self, SUDA_CONNECTION_DISCONNECTED);
  g_queue_clear_full (&self->held, g_free);
  if (self->timed_out)
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_TIMED_OUT,
                                 _("%s did not answer in time. Check the address and port, and that the server is running."),
                                 self->host);
  else if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND) ||
           g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_HOST_NOT_FOUND,
                                 _("The server “%s” was not found. Check the spelling of its address."), self->host);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_REFUSED,
                                 _("%s refused the connection on port %u. Is the server running, and is the port right?"),
                                 self->host, self->port);
  else
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_FAILED,
                                 _("Could not connect to %s: %s"), self->host, error->message);
}

gboolean
_suda_connection_on_connect_timeout (gpointer user_data)
{
  SudaConnection *self = user_data;

  self->timeout_id = 0;
  self->timed_out = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else if (self->state == SUDA_CONNECTION_REGISTERING)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "");

      /* Connected, but the server never finished registering us. */
      _suda_connection_close_socket (self);
      if (self->ever_registered)
        schedule_reconnect (self);
      else
        _suda_connection_connect_failed (self, error);
    }
  return G_SOURCE_REMOVE;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SudaConnection) self = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->timed_out)
    return;   /* disconnect() was called meanwhile */

  if (connection == NULL)
    {
      g_clear_object (&self->cancellable);
      _suda_connection_clear_timeout (self, &self->timeout_id);
      _suda_connection_connect_failed (self, error);
      return;
    }

  g_socket_set_blocking (g_socket_connection_get_socket (connection), FALSE);
  if (self->tls)
    {
      /* The cancellable stays: the connect timeout covers the handshake. */
      _suda_connection_start_tls (self, connection);
      return;
    }
  g_clear_object (&self->cancellable);
  self->connection = g_steal_pointer (&connection);
  _suda_connection_attach_stream (self, G_IO_STREAM (self->connection));
}

/* STREAM (the connection itself, or TLS over it) is ready: read it and
 * register. */
void
_suda_connection_attach_stream (SudaConnection *self,
                                GIOStream      *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);

  g_set_object (&self->stream, stream);
  self->socket = g_socket_connection_get_socket (self->connection);
  self->in_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (input), NULL);
  g_source_set_callback (self->in_source, G_SOURCE_FUNC (_suda_connection_on_readable), self, NULL);
  g_source_attach (self->in_source, NULL);
  g_source_unref (self->in_source);
  _suda_connection_register (self);
}

static void
start_connect (SudaConnection *self)
{
  _suda_connection_close_socket (self);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->timed_out = FALSE;
  g_clear_pointer (&self->server_error, g_free);
  g_clear_error (&self->fatal_error);

  if (self->state != SUDA_CONNECTION_RECONNECTING)
    _suda_connection_set_state (self, SUDA_CONNECTION_CONNECTING);
  _suda_connection_apply_sts (self);

  _suda_connection_clear_timeout (self, &self->timeout_id);
  self->timeout_id = _suda_connection_add_timeout (self, self->connect_timeout_ms, _suda_connection_on_connect_timeout);
  g_socket_client_connect_to_host_async (self->client, self->host, self->port, self->cancellable,
                                         on_connected, g_object_ref (self));
}

void
suda_connection_connect (SudaConnection *self)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (self->host != NULL && self->wanted_nick != NULL);

  if (self->state != SUDA_CONNECTION_DISCONNECTED)
    return;
  self->quitting = FALSE;
  self->reconnect_attempt = 0;
  self->ever_registered = FALSE;
  set_problem (self, NULL);
  g_ptr_array_set_size (self->channels, 0);
  g_ptr_array_add (self->channels, NULL);
  start_connect (self);
}

static gboolean
on_quit_grace_over (gpointer user_data)
{
  SudaConnection *self = user_data;

  self->quit_id = 0;
  _suda_connection_close_socket (self);
  self->quitting = FALSE;
  return G_SOURCE_REMOVE;
}

void
suda_connection_disconnect (SudaConnection *self,
                            const char     *message)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));

  _suda_connection_clear_timeout (self, &self->reconnect_id);
  _suda_connection_clear_timeout (self, &self->pace_id);
  g_queue_clear_full (&self->held, g_free);
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  g_clear_error (&self->fatal_error);

  if (self->socket != NULL && self->state >= SUDA_CONNECTION_REGISTERING)
    {
      /* Let the server see QUIT and answer with ERROR before closing, so
       * the others read our message instead of a dropped connection. */
      self->quitting = TRUE;
      _suda_connection_send_now (self, "QUIT", message ? message : _("Leaving"), NULL);
      _suda_connection_clear_timeout (self, &self->timeout_id);
      _suda_connection_clear_timeout (self, &self->quit_id);
      self->quit_id = _suda_connection_add_timeout (self, QUIT_GRACE_MS, on_quit_grace_over);
    }
  else
    _suda_connection_close_socket (self);

  _suda_connection_set_state (self, SUDA_CONNECTION_DISCONNECTED);
  set_problem (self, NULL);
}

/* GObject */

static void
suda_connection_dispose (GObject *object)
{
  SudaConnection *self = SUDA_CONNECTION (object);

  _suda_connection_clear_timeout (self, &self->reconnect_id);
  _suda_connection_clear_timeout (self, &self->pace_id);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  _suda_connection_close_socket (self);
  g_clear_object (&self->client);
  g_clear_object (&self->rejected);
  g_clear_object (&self->trust_store);
  G_OBJECT_CLASS (suda_connection_parent_class)->dispose (object);
}

static void
suda_connection_finalize (GObject *object)
{
  SudaConnection *self = SUDA_CONNECTION (object);

  g_queue_clear_full (&self->held, g_free);
  if (self->outbuf != NULL)
    g_string_free (g_steal_pointer (&self->outbuf), TRUE);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->caps_offered, g_hash_table_unref);
  g_clear_pointer (&self->caps_enabled, g_hash_table_unref);
  g_clear_pointer (&self->batches, g_hash_table_unref);
  g_clear_pointer (&self->prefix_modes, g_free);
  g_clear_pointer (&self->prefix_chars, g_free);
  g_clear_pointer (&self->server_error, g_free);
  g_clear_pointer (&self->service_nick, g_free);
  g_clear_pointer (&self->filehost, g_free);
  g_clear_error (&self->fatal_error);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->password, g_free);
  g_clear_pointer (&self->account, g_free);
  g_clear_pointer (&self->account_password, g_free);
  g_clear_pointer (&self->registering_password, g_free);
  g_clear_pointer (&self->wanted_nick, g_free);
  g_clear_pointer (&self->nick, g_free);
  g_clear_pointer (&self->network, g_free);
  g_clear_pointer (&self->problem, g_free);
  G_OBJECT_CLASS (suda_connection_parent_class)->finalize (object);
}

static void
suda_connection_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SudaConnection *self = SUDA_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_NICK: g_value_set_string (value, suda_connection_get_nick (self)); break;
    case PROP_HOST: g_value_set_string (value, self->host); break;
    case PROP_PORT: g_value_set_uint (value, self->port); break;
    case PROP_PASSWORD: g_value_set_string (value, self->password); break;
    case PROP_CONNECT_TIMEOUT: g_value_set_uint (value, self->connect_timeout_ms); break;
    case PROP_RECONNECT_DELAY: g_value_set_uint (value, self->reconnect_delay_ms); break;
    case PROP_NETWORK: g_value_set_string (value, self->network); break;
    case PROP_PROBLEM: g_value_set_string (value, self->problem); break;
    case PROP_TLS: g_value_set_boolean (value, self->tls); break;
    case PROP_CERTIFICATE: g_value_set_object (value, self->certificate); break;
    case PROP_ACCOUNT: g_value_set_string (value, self->account); break;
    case PROP_ALLOW_CLEARTEXT: g_value_set_boolean (value, self->allow_cleartext); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_connection_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SudaConnection *self = SUDA_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_NICK: suda_connection_set_nick (self, g_value_get_string (value)); break;
    case PROP_HOST: suda_connection_set_server (self, g_value_get_string (value), self->port); break;
    case PROP_PORT: suda_connection_set_server (self, self->host, g_value_get_uint (value)); break;
    case PROP_PASSWORD: suda_connection_set_password (self, g_value_get_string (value)); break;
    case PROP_CONNECT_TIMEOUT: suda_connection_set_connect_timeout (self, g_value_get_uint (value)); break;
    case PROP_RECONNECT_DELAY: suda_connection_set_reconnect_delay (self, g_value_get_uint (value)); break;
    case PROP_TLS: suda_connection_set_tls (self, g_value_get_boolean (value)); break;
    case PROP_ACCOUNT: suda_connection_set_account (self, g_value_get_string (value), self->account_password); break;
    case PROP_ALLOW_CLEARTEXT: suda_connection_set_allow_cleartext (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_connection_class_init (SudaConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = suda_connection_dispose;
  object_class->finalize = suda_connection_finalize;
  object_class->get_property = suda_connection_get_property;
  object_class->set_property = suda_connection_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SUDA_TYPE_CONNECTION_STATE,
                       SUDA_CONNECTION_DISCONNECTED, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NICK] = g_param_spec_string ("nick", NULL, NULL, NULL, rw);
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, rw);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 6667, rw);
  properties[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, NULL, rw);
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 1, G_MAXUINT, 15000, rw);
  properties[PROP_RECONNECT_DELAY] =
    g_param_spec_uint ("reconnect-delay", NULL, NULL, 1, MAX_RECONNECT_DELAY_MS, 1000, rw);
  properties[PROP_NETWORK] =
    g_param_spec_string ("network", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TLS] = g_param_spec_boolean ("tls", NULL, NULL, FALSE, rw);
  properties[PROP_CERTIFICATE] =
    g_param_spec_object ("certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT] = g_param_spec_string ("account", NULL, NULL, NULL, rw);
  properties[PROP_ALLOW_CLEARTEXT] = g_param_spec_boolean ("allow-cleartext", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SUDA_TYPE_IRC_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
suda_connection_init (SudaConnection *self)
{
  self->port = 6667;
  self->connect_timeout_ms = 15000;
  self->reconnect_delay_ms = 1000;
  self->clock = &loop_clock;
  self->client = g_socket_client_new ();
  self->outbuf = g_string_new (NULL);
  self->channels = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->channels, NULL);
  self->caps_offered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->caps_enabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->batches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, batch_free);
  self->tokens = SEND_BURST;
  /* RFC 1459's two, until ISUPPORT says otherwise. */
  self->prefix_modes = g_strdup ("ov");
  self->prefix_chars = g_strdup ("@+");
  suda_line_buffer_init (&self->lines, SUDA_CLIENT_MAX_LINE);
}

SudaConnection *
suda_connection_new (void)
{
  return g_object_new (SUDA_TYPE_CONNECTION, NULL);
}

void
suda_connection_set_server (SudaConnection *self,
                            const char     *host,
                            guint16         port)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));

  if (g_strcmp0 (self->host, host) != 0 || self->port != port)
    _suda_connection_set_network (self, NULL);
  if (g_strcmp0 (self->host, host) != 0)
    {
      g_free (self->host);
      self->host = g_strdup (host);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
    }
  if (self->port != port)
    {
      self->port = port;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }
}

const char *
suda_connection_get_host (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->host;
}

guint16
suda_connection_get_port (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), 0);
  return self->port;
}

void
suda_connection_set_password (SudaConnection *self,
                              const char     *password)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  if (g_strcmp0 (self->password, password) == 0)
    return;
  g_free (self->password);
  self->password = g_strdup (password);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD]);
}

/* The network's name from ISUPPORT NETWORK, or NULL until the server
 * says it (or when it never does). */
const char *
suda_connection_get_network (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->network;
}

/* Why the connection is not working, for a banner: set by an error told
 * while it is down (lost, reconnecting, refused, nickname taken during
 * registration...), cleared once registered and by connect() and
 * disconnect().  NULL when there is nothing to show. */
const char *
suda_connection_get_problem (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->problem;
}

/* The nickname the server knows us by, or the one we will ask for. */
const char *
suda_connection_get_nick (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->nick ? self->nick : self->wanted_nick;
}

/* Before connecting this is the nickname to ask for; once connected it
 * sends NICK and the change shows when the server confirms it. */
void
suda_connection_set_nick (SudaConnection *self,
                          const char     *nick)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (nick != NULL);

  if (self->state == SUDA_CONNECTION_CONNECTED)
    {
      _suda_connection_send_now (self, "NICK", nick, NULL);
      return;
    }
  g_free (self->wanted_nick);
  self->wanted_nick = g_strdup (nick);
  g_clear_pointer (&self->nick, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

SudaConnectionState
suda_connection_get_state (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), SUDA_CONNECTION_DISCONNECTED);
  return self->state;
}

gboolean
suda_connection_is_connected (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), FALSE);
  return self->state == SUDA_CONNECTION_CONNECTED;
}

/* The nickname of the server's Suda service user (ISUPPORT
 * suda.chat/SERVICE), or NULL when the server has none. */
const char *
suda_connection_get_service_nick (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->service_nick;
}

/* Where files are uploaded (ISUPPORT soju.im/FILEHOST), or NULL. */
const char *
suda_connection_get_filehost (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->filehost;
}

gboolean
suda_connection_has_cap (SudaConnection *self,
                         const char     *cap)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), FALSE);
  return g_hash_table_contains (self->caps_enabled, cap);
}

void
suda_connection_set_connect_timeout (SudaConnection *self,
                                     guint           timeout_ms)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  if (self->connect_timeout_ms == timeout_ms)
    return;
  self->connect_timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECT_TIMEOUT]);
}

void
suda_connection_set_reconnect_delay (SudaConnection *self,
                                     guint           delay_ms)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  if (self->reconnect_delay_ms == delay_ms)
    return;
  self->reconnect_delay_ms = delay_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_DELAY]);
}

void
suda_connection_set_tls (SudaConnection *self,
                         gboolean        tls)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  tls = !!tls;
  if (self->tls == tls)
    return;
  self->tls = tls;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS]);
}

gboolean
suda_connection_get_tls (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), FALSE);
  return self->tls;
}

/* The account to log in with SASL PLAIN once connected (NULL: none).
 * The password is kept in memory only, for reconnections. */
void
suda_connection_set_account (SudaConnection *self,
                             const char     *account,
                             const char     *password)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));

  if (account != NULL && *account == '\0')
    account = NULL;
  if (password != self->account_password)
    {
      g_free (self->account_password);
      self->account_password = g_strdup (password);
    }
  if (g_strcmp0 (self->account, account) == 0)
    return;
  g_free (self->account);
  self->account = g_strdup (account);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

const char *
suda_connection_get_account (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->account;
}

/* Whether the account password may be sent over a connection without
 * TLS: only once the person said so (the window asks). */
void
suda_connection_set_allow_cleartext (SudaConnection *self,
                                     gboolean        allow)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  allow = !!allow;
  if (self->allow_cleartext == allow)
    return;
  self->allow_cleartext = allow;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_CLEARTEXT]);
}
