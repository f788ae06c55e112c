/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-message.h"
#include "suda-server-private.h"

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_PORT,
  PROP_N_USERS,
  N_PROPS
};

enum {
  SIGNAL_LOG_ENTRY,
  SIGNAL_STARTED,
  SIGNAL_STOPPED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SudaServer, suda_server, G_TYPE_OBJECT)

static void
suda_server_dispose (GObject *object)
{
  SudaServer *self = SUDA_SERVER (object);

  if (self->running)
    suda_server_stop (self, NULL);
  g_clear_object (&self->service);
  g_clear_object (&self->sessions);

  G_OBJECT_CLASS (suda_server_parent_class)->dispose (object);
}

static void
suda_server_finalize (GObject *object)
{
  SudaServer *self = SUDA_SERVER (object);

  g_clear_pointer (&self->config, suda_server_config_free);
  g_clear_pointer (&self->nicks, g_hash_table_unref);
  g_clear_pointer (&self->channels, g_hash_table_unref);
  g_clear_pointer (&self->histories, g_hash_table_unref);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->created_text, g_free);

  G_OBJECT_CLASS (suda_server_parent_class)->finalize (object);
}

static void
suda_server_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SudaServer *self = SUDA_SERVER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_N_USERS:
      g_value_set_uint (value, self->n_registered);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_server_class_init (SudaServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = suda_server_dispose;
  object_class->finalize = suda_server_finalize;
  object_class->get_property = suda_server_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_USERS] =
    g_param_spec_uint ("n-users", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_LOG_ENTRY] =
    g_signal_new ("log-entry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SUDA_TYPE_LOG_ENTRY);
  signals[SIGNAL_STARTED] =
    g_signal_new ("started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
suda_server_init (SudaServer *self)
{
  self->sessions = g_list_store_new (SUDA_TYPE_SESSION);
  self->nicks = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                       g_free, NULL);
  self->channels = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                          NULL, (GDestroyNotify) suda_channel_free);
  g_queue_init (&self->dirty);
}

SudaServer *
suda_server_new (const SudaServerConfig *config)
{
  SudaServer *self = g_object_new (SUDA_TYPE_SERVER, NULL);

  self->config = config ? suda_server_config_copy (config) : suda_server_config_new ();
  self->service = _suda_service_new (self);
  return self;
}

const SudaServerConfig *
suda_server_get_config (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->config;
}

/* The flush ---------------------------------------------------------------- */

/* Runs once per main-loop iteration in which anything was queued: the log
 * is written first, then every session with output sends it at once. */
/* The longest a flush waits for more output to coalesce. */
#define MAX_FLUSH_DELAY_USEC 5000

static gboolean
on_flush (gpointer data)
{
  SudaServer *self = data;
  gint64 started = g_get_monotonic_time ();

  self->flush_id = 0;
  if (self->log)
    suda_server_log_flush (self->log);

  while (self->dirty.length > 0)
    {
      GList *link = g_queue_pop_head_link (&self->dirty);
      g_autoptr(SudaSession) session = g_object_ref (link->data);

      link->next = link->prev = NULL;
      _suda_session_flush (session);
    }
  self->flush_ended = g_get_monotonic_time ();
  self->flush_took = self->flush_ended - started;
  return G_SOURCE_REMOVE;
}

/* Each send() costs the server several microseconds, and a busy room would
 * otherwise cost one per message per member.  So after a flush that took a
 * while, the next waits about as long: lines pile up per session and leave
 * in one send, and flushing never takes more than half the time.  A quiet
 * server flushes at once, at the end of the main-loop iteration. */
static void
schedule_flush (SudaServer *self)
{
  gint64 earliest, now;

  if (self->flush_id != 0)
    return;

  earliest = self->flush_ended + MIN (self->flush_took / 2, MAX_FLUSH_DELAY_USEC);
  now = g_get_monotonic_time ();
  if (self->flush_took < 1000 || now >= earliest)
    {
      /* Default priority: an idle one would starve under load. */
      self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT, on_flush, self, NULL);
      return;
    }
  self->flush_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                       (guint) ((earliest - now + 999) / 1000),
                                       on_flush, self, NULL);
}

void
_suda_server_mark_dirty (SudaServer  *self,
                         SudaSession *session)
{
  if (session->dirty_link.next == NULL && session->dirty_link.prev == NULL &&
      self->dirty.head != &session->dirty_link)
    g_queue_push_tail_link (&self->dirty, &session->dirty_link);
  schedule_flush (self);
}

/* Logging ------------------------------------------------------------------ */

void
suda_server_log (SudaServer   *self,
                 SudaLogEntry *entry)
{
  g_return_if_fail (SUDA_IS_SERVER (self));
  g_return_if_fail (SUDA_IS_LOG_ENTRY (entry));

  if (self->log)
    {
      suda_server_log_append (self->log, entry);
      schedule_flush (self);
    }
  g_signal_emit (self, signals[SIGNAL_LOG_ENTRY], 0, entry);
}

void
_suda_server_log_event (SudaServer *self,
                        const char *event,
                        const char *channel,
                        const char *nick,
                        const char *text)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, event, channel, nick, text);

  suda_server_log (self, entry);
}

const char *
suda_server_get_log_path (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->log ? suda_server_log_get_path (self->log) : NULL;
}

void
suda_server_reopen_log (SudaServer *self)
{
  g_return_if_fail (SUDA_IS_SERVER (self));
  if (self->log)
    suda_server_log_reopen (self->log);
}

/* Sessions ------------------------------------------------------------------ */

static gboolean
on_incoming (GSocketService    *listener,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           data)
{
  SudaServer *self = data;
  g_autoptr(SudaSession) session = NULL;

  if (self->n_connections >= self->config->max_clients)
    {
      g_autofree char *line = g_strdup_printf ("ERROR :Server is full (%u clients)\r\n",
                                               self->config->max_clients);
      GSocket *socket = g_socket_connection_get_socket (connection);
      g_autofree char *peer = NULL;

      /* A new connection's send buffer is empty, so this cannot block. */
      g_socket_send (socket, line, strlen (line), NULL, NULL);
      g_socket_shutdown (socket, FALSE, TRUE, NULL);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      _suda_server_log_event (self, "error", NULL, NULL, "server full: connection refused");
      return TRUE;
    }

  session = _suda_session_new (self, connection);
  session->id = ++self->next_session_id;
  self->n_connections++;
  g_list_store_append (self->sessions, session);
  {
    g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "connect", NULL, NULL, NULL);

    suda_log_entry_set_field (entry, "address", session->host);
    suda_server_log (self, entry);
  }
  /* One line that a person on nc reads and IRC clients ignore. */
  _suda_session_sendf (session, ":%s NOTICE * :%s\r\n", self->config->server_name,
                       _("*** Welcome to Suda. IRC clients register as usual; "
                         "on a plain terminal, type your nickname and press Enter."));
  return TRUE;
}

void
_suda_server_remove_session (SudaServer  *self,
                             SudaSession *session)
{
  guint position;

  if (session->dirty_link.next || session->dirty_link.prev || self->dirty.head == &session->dirty_link)
    g_queue_unlink (&self->dirty, &session->dirty_link);
  if (session->socket != NULL)
    g_io_stream_close (G_IO_STREAM (session->connection), NULL, NULL);
  session->socket = NULL;
  session->closing = 2;

  if (g_list_store_find (self->sessions, session, &position))
    {
      g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "disconnect", NULL,
                                                          session->registered ? session->nick : NULL,
                                                          NULL);
      suda_log_entry_set_field (entry, "address", session->host);
      suda_server_log (self, entry);

      self->n_connections--;
      if (session->registered)
        {
          self->n_registered--;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_USERS]);
        }
      g_list_store_remove (self->sessions, position);
    }
}

void
_suda_server_session_registered (SudaServer  *self,
                                 SudaSession *session)
{
  self->n_registered++;
  self->max_registered = MAX (self->max_registered, self->n_registered);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_USERS]);
}

gboolean
_suda_server_nick_in_use (SudaServer *self,
                          const char *nick)
{
  return g_hash_table_contains (self->nicks, nick) ||
         suda_irc_casecmp (nick, suda_service_get_nick (self->service)) == 0;
}

SudaSession *
suda_server_find_session (SudaServer *self,
                          const char *nick)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return nick ? g_hash_table_lookup (self->nicks, nick) : NULL;
}

GListModel *
suda_server_get_sessions (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return G_LIST_MODEL (self->sessions);
}

guint
suda_server_get_n_users (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), 0);
  return self->n_registered;
}

/* Channels and history ----------------------------------------------------- */

SudaChannel *
_suda_server_find_channel (SudaServer *self,
                           const char *name)
{
  return name ? g_hash_table_lookup (self->channels, name) : NULL;
}

SudaChannel *
_suda_server_ensure_channel (SudaServer *self,
                             const char *name)
{
  SudaChannel *channel = g_hash_table_lookup (self->channels, name);

  if (channel == NULL)
    {
      channel = suda_channel_new (name);
      g_hash_table_insert (self->channels, channel->name, channel);
    }
  return channel;
}

void
_suda_server_drop_channel_if_empty (SudaServer  *self,
                                    SudaChannel *channel)
{
  /* The default room stays, with its topic and modes, when everyone left. */
  if (channel->members->len == 0 &&
      suda_irc_casecmp (channel->name, self->config->default_channel) != 0)
    g_hash_table_remove (self->channels, channel->name);
}

SudaHistory *
_suda_server_get_history (SudaServer *self,
                          const char *channel)
{
  SudaHistory *history = g_hash_table_lookup (self->histories, channel);

  if (history == NULL && self->config->history_lines > 0)
    {
      history = suda_history_new (self->config->history_lines);
      g_hash_table_insert (self->histories, suda_irc_casefold (channel), history);
    }
  return history;
}

char *
_suda_server_next_batch_id (SudaServer *self)
{
  return g_strdup_printf ("h%u", ++self->next_batch_id);
}

/* Start and stop ----------------------------------------------------------- */

static gboolean
on_ping_timer (gpointer data)
{
  SudaServer *self = data;
  gint64 now = g_get_monotonic_time ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));

  /* Walk backwards: a session that times out leaves the list. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(SudaSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i - 1);

      if (session != NULL)
        _suda_session_check_ping (session, now);
    }
  return G_SOURCE_CONTINUE;
}

static GSocketAddress *
make_listen_address (SudaServer  *self,
                     GError     **error)
{
  const char *text = self->config->listen_address;
  g_autoptr(GInetAddress) inet = NULL;

  if (text == NULL || *text == '\0' || g_str_equal (text, "*"))
    return NULL;
  inet = g_inet_address_new_from_string (text);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address"), text);
      return NULL;
    }
  return g_inet_socket_address_new (inet, self->config->port);
}

static gboolean
listen_on (SudaServer  *self,
           GError     **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) local_error = NULL;

  address = make_listen_address (self, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (address == NULL)
    {
      guint16 port = self->config->port;

      if (port == 0)
        port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (self->listener), NULL, error);
      else if (!g_socket_listener_add_inet_port (G_SOCKET_LISTENER (self->listener), port, NULL, error))
        port = 0;
      if (port == 0)
        return FALSE;
      self->port = port;
      self->address = g_strdup ("0.0.0.0");
      return TRUE;
    }

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->listener), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->address = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (effective)));
  return TRUE;
}

gboolean
suda_server_start (SudaServer  *self,
                   GError     **error)
{
  g_autofree char *log_path = NULL;
  guint ping_every;

  g_return_val_if_fail (SUDA_IS_SERVER (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);

  self->listener = g_socket_service_new ();
  /* GSocketListener's default backlog is 10: a class logging in at once
   * would see dropped SYNs and one-second retransmit stalls. */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->listener), 4096);
  if (!listen_on (self, error))
    {
      g_socket_listener_close (G_SOCKET_LISTENER (self->listener));
      g_clear_object (&self->listener);
      return FALSE;
    }
  g_signal_connect (self->listener, "incoming", G_CALLBACK (on_incoming), self);

  log_path = suda_server_config_dup_log_path (self->config);
  if (*log_path != '\0')
    self->log = suda_server_log_new (log_path);
  g_clear_pointer (&self->histories, g_hash_table_unref);
  self->histories = suda_server_log_load_history (log_path, self->config->history_lines);

  _suda_server_ensure_channel (self, self->config->default_channel);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  self->started_at = g_date_time_new_now_local ();
  g_free (self->created_text);
  self->created_text = g_date_time_format (self->started_at, "%Y-%m-%d %H:%M:%S %Z");

  ping_every = CLAMP (MIN (self->config->ping_interval_ms, self->config->ping_timeout_ms) / 4, 50, 15000);
  self->ping_id = g_timeout_add (ping_every, on_ping_timer, self);

  self->running = TRUE;
  g_socket_service_start (self->listener);
  {
    g_autofree char *where = g_strdup_printf ("%s:%u", self->address, self->port);
    g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "server-start", NULL, NULL, where);

    suda_log_entry_set_field (entry, "version", PACKAGE_VERSION);
    suda_server_log (self, entry);
  }
  _suda_service_server_started (self->service);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_signal_emit (self, signals[SIGNAL_STARTED], 0);
  return TRUE;
}

/* Every client is told, the log gets server-stop, and what was queued is
 * written out before the sockets close. */
void
suda_server_stop (SudaServer *self,
                  const char *reason)
{
  guint n;

  g_return_if_fail (SUDA_IS_SERVER (self));
  if (!self->running)
    return;

  if (reason == NULL)
    reason = _("Server shutting down");
  _suda_service_server_stopping (self->service);
  g_socket_service_stop (self->listener);
  g_socket_listener_close (G_SOCKET_LISTENER (self->listener));
  g_clear_object (&self->listener);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);

      _suda_session_close (session, reason);
    }
  _suda_server_log_event (self, "server-stop", NULL, NULL, reason);

  /* Last words go out with blocking sends: the loop may not run again. */
  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->log)
    suda_server_log_flush (self->log);
  while (g_list_model_get_n_items (G_LIST_MODEL (self->sessions)) > 0)
    {
      g_autoptr(SudaSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), 0);

      if (session->socket)
        {
          g_socket_set_blocking (session->socket, TRUE);
          g_socket_set_timeout (session->socket, 1);
        }
      if (_suda_session_flush (session) && !session->closing)
        _suda_server_remove_session (self, session);
      else if (g_list_store_find (self->sessions, session, NULL))
        _suda_server_remove_session (self, session);
    }
  g_queue_init (&self->dirty);

  g_clear_handle_id (&self->ping_id, g_source_remove);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_hash_table_remove_all (self->nicks);
  g_hash_table_remove_all (self->channels);
  g_clear_pointer (&self->histories, g_hash_table_unref);
  g_clear_pointer (&self->log, suda_server_log_free);
  g_clear_pointer (&self->address, g_free);
  self->n_connections = self->n_registered = 0;
  self->running = FALSE;
  self->port = 0;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_USERS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_signal_emit (self, signals[SIGNAL_STOPPED], 0);
}

gboolean
suda_server_get_running (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), FALSE);
  return self->running;
}

guint16
suda_server_get_port (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), 0);
  return self->port;
}

char *
suda_server_dup_address (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->address ? g_strdup_printf ("%s:%u", self->address, self->port) : NULL;
}

GDateTime *
suda_server_get_started_at (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->running ? self->started_at : NULL;
}

/* The console's actions ---------------------------------------------------- */

static SudaSession *
lookup_or_fail (SudaServer  *self,
                const char  *nick,
                GError     **error)
{
  SudaSession *session = suda_server_find_session (self, nick);

  if (session == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("No user called “%s” is connected"), nick);
  return session;
}

/* Kicks NICK out of every room it is in, as the server. */
gboolean
suda_server_kick (SudaServer  *self,
                  const char  *nick,
                  const char  *reason,
                  GError     **error)
{
  SudaSession *session;
  g_autofree char *by = NULL;

  g_return_val_if_fail (SUDA_IS_SERVER (self), FALSE);
  if (!(session = lookup_or_fail (self, nick, error)))
    return FALSE;

  by = g_strdup (self->config->server_name);
  while (session->channels->len > 0)
    _suda_commands_kick (NULL, by, g_ptr_array_index (session->channels, 0), session,
                         reason && *reason ? reason : _("Kicked by the server console"));
  _suda_session_close (session, reason && *reason ? reason : _("Kicked by the server console"));
  return TRUE;
}

gboolean
suda_server_disconnect (SudaServer  *self,
                        const char  *nick,
                        const char  *reason,
                        GError     **error)
{
  SudaSession *session;

  g_return_val_if_fail (SUDA_IS_SERVER (self), FALSE);
  if (!(session = lookup_or_fail (self, nick, error)))
    return FALSE;
  _suda_session_close (session, reason && *reason ? reason : _("Disconnected by the server console"));
  return TRUE;
}
