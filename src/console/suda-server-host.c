/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GTK thread's side of SudaServerHost: the commands it sends and the
 * state it keeps from what the server thread reports.  Nothing here runs
 * on the server thread or touches a SudaServer (see
 * suda-server-host-private.h for the two paths between them). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-server-host-private.h"
#include "suda-user-row.h"

/* Past this many leaving at once, the Users list is rebuilt in one change
 * instead of searched once per user. */
#define REBUILD_AT 32

struct _SudaServerHost
{
  GObject           parent_instance;

  SudaHostShared   *shared;
  GThread          *thread;          /* NULL until the first start */
  SudaServerConfig *config;          /* what the running server was started with */
  SudaServerConfig *starting_with;   /* the start on its way, or NULL */
  gboolean          running;
  gboolean          starting;
  gboolean          log_failing;
  guint16           port;
  char             *address;
  char             *web_url;
  char             *tls_fingerprint;
  GDateTime        *started_at;
  GListStore       *users;           /* SudaUserRow */
  GHashTable       *users_by_id;     /* id (as a pointer) → SudaUserRow, borrowed */
  guint64           n_drained;       /* log entries taken from the queue or skipped */
  SudaClusterStatus *cluster;        /* the newest snapshot, or NULL */
  gboolean          cluster_watched;
};

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_PORT,
  PROP_LOG_FAILING,
  PROP_N_USERS,
  PROP_TLS_FINGERPRINT,
  PROP_CLUSTER,
  N_PROPS
};

enum {
  SIGNAL_LOG_BATCH,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SudaServerHost, suda_server_host, G_TYPE_OBJECT)

static void
send_command (SudaServerHost      *self,
              SudaHostCommandKind  kind,
              GTask               *task,
              const char          *nick,
              const char          *reason)
{
  SudaHostCommand *command = g_new0 (SudaHostCommand, 1);

  command->kind = kind;
  command->task = task ? g_object_ref (task) : NULL;
  command->nick = g_strdup (nick);
  command->reason = g_strdup (reason);
  _suda_host_send (self->shared, command);
}

static void
send_cluster_watch (SudaServerHost *self)
{
  SudaHostCommand *command = g_new0 (SudaHostCommand, 1);

  command->kind = SUDA_HOST_WATCH_CLUSTER;
  command->on = self->cluster_watched;
  _suda_host_send (self->shared, command);
}

/* A page shown before the first start is watched from the thread's start. */
static void
ensure_thread (SudaServerHost *self)
{
  if (self->thread != NULL)
    return;
  self->thread = _suda_host_thread_spawn (self->shared);
  if (self->cluster_watched)
    send_cluster_watch (self);
}

/* A window closed while its server stops does not wait for the stop: the
 * thread finishes it alone (the application is held meanwhile) and ends. */
static void
suda_server_host_dispose (GObject *object)
{
  SudaServerHost *self = SUDA_SERVER_HOST (object);

  if (self->thread != NULL)
    {
      gboolean busy = self->running || self->starting;

      send_command (self, SUDA_HOST_SHUT_DOWN, NULL, NULL, _("The server is shutting down"));
      if (busy)
        g_thread_unref (g_steal_pointer (&self->thread));
      else
        g_thread_join (g_steal_pointer (&self->thread));
    }
  g_clear_object (&self->users);
  g_clear_pointer (&self->users_by_id, g_hash_table_unref);
  /* nothing left to drain into */
  if (self->shared != NULL)
    {
      _suda_host_lock (self->shared);
      _suda_host_unwake_locked (self->shared);
      _suda_host_unlock (self->shared);
    }

  G_OBJECT_CLASS (suda_server_host_parent_class)->dispose (object);
}

static void
suda_server_host_finalize (GObject *object)
{
  SudaServerHost *self = SUDA_SERVER_HOST (object);

  g_clear_pointer (&self->shared, _suda_host_shared_unref);
  g_clear_pointer (&self->config, suda_server_config_free);
  g_clear_pointer (&self->starting_with, suda_server_config_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->web_url, g_free);
  g_clear_pointer (&self->tls_fingerprint, g_free);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->cluster, suda_cluster_status_free);

  G_OBJECT_CLASS (suda_server_host_parent_class)->finalize (object);
}

static void
suda_server_host_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SudaServerHost *self = SUDA_SERVER_HOST (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_LOG_FAILING:
      g_value_set_boolean (value, self->log_failing);
      break;
    case PROP_N_USERS:
      g_value_set_uint (value, suda_server_host_get_n_users (self));
      break;
    case PROP_TLS_FINGERPRINT:
      g_value_set_string (value, suda_server_host_get_tls_fingerprint (self));
      break;
    case PROP_CLUSTER:
      g_value_set_boxed (value, self->cluster);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_server_host_class_init (SudaServerHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = suda_server_host_dispose;
  object_class->finalize = suda_server_host_finalize;
  object_class->get_property = suda_server_host_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOG_FAILING] =
    g_param_spec_boolean ("log-failing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_USERS] =
    g_param_spec_uint ("n-users", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* a REHASH may load another certificate while running */
  properties[PROP_TLS_FINGERPRINT] =
    g_param_spec_string ("tls-fingerprint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* notified with each snapshot: every second while watched */
  properties[PROP_CLUSTER] =
    g_param_spec_boxed ("cluster", NULL, NULL, SUDA_TYPE_CLUSTER_STATUS,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_LOG_BATCH] =
    g_signal_new ("log-batch", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_PTR_ARRAY, G_TYPE_UINT64);
}

static void
suda_server_host_init (SudaServerHost *self)
{
  self->users = g_list_store_new (SUDA_TYPE_USER_ROW);
  self->users_by_id = g_hash_table_new (NULL, NULL);
}

SudaServerHost *
suda_server_host_new (guint max_log_rows)
{
  SudaServerHost *self = g_object_new (SUDA_TYPE_SERVER_HOST, NULL);

  self->shared = _suda_host_shared_new (max_log_rows);
  g_weak_ref_set (&self->shared->host, self);
  return self;
}

/* The drain: the server thread's events, applied on the GTK thread -------- */

static void
apply_state (SudaServerHost *self,
             SudaHostEvent  *event)
{
  gboolean was_running = self->running;
  guint16 old_port = self->port;
  gboolean was_failing = self->log_failing;
  g_autofree char *old_fingerprint = g_strdup (suda_server_host_get_tls_fingerprint (self));

  self->running = event->running;
  self->port = event->port;
  self->log_failing = event->log_failing;
  g_free (self->address);
  self->address = g_steal_pointer (&event->address);
  g_free (self->web_url);
  self->web_url = g_steal_pointer (&event->web_url);
  g_free (self->tls_fingerprint);
  self->tls_fingerprint = g_steal_pointer (&event->tls_fingerprint);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  self->started_at = g_steal_pointer (&event->started_at);
  /* the configuration shows with "running", whichever comes first */
  if (self->running && self->starting_with != NULL)
    {
      g_clear_pointer (&self->config, suda_server_config_free);
      self->config = g_steal_pointer (&self->starting_with);
    }
  else if (!self->running)
    g_clear_pointer (&self->config, suda_server_config_free);

  if (was_running != self->running)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  if (old_port != self->port)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  if (was_failing != self->log_failing)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_FAILING]);
  if (g_strcmp0 (old_fingerprint, suda_server_host_get_tls_fingerprint (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_FINGERPRINT]);
}

static void
apply_reply (SudaServerHost *self,
             SudaHostEvent  *event)
{
  g_autoptr(GTask) task = g_steal_pointer (&event->task);

  if (g_task_get_source_tag (task) == suda_server_host_start_async)
    {
      self->starting = FALSE;
      g_clear_pointer (&self->starting_with, suda_server_config_free);
    }
  if (event->error != NULL)
    g_task_return_error (task, g_steal_pointer (&event->error));
  else if (event->value != NULL)
    g_task_return_pointer (task, g_steal_pointer (&event->value), (GDestroyNotify) g_variant_unref);
  else
    g_task_return_boolean (task, TRUE);
}

static void
apply_user (SudaServerHost *self,
            SudaHostEvent  *event,
            GPtrArray      *added)
{
  gpointer key = GSIZE_TO_POINTER ((gsize) event->user_id);
  SudaUserRow *row = g_hash_table_lookup (self->users_by_id, key);

  if (row == NULL)
    {
      row = suda_user_row_new (event->user_id, event->address, event->connected_at);
      g_ptr_array_add (added, row);
      g_hash_table_insert (self->users_by_id, key, row);
    }
  suda_user_row_update (row, event->nick, event->channels);
}

static void
apply_cluster (SudaServerHost *self,
               SudaHostEvent  *event)
{
  if (self->cluster == NULL && event->cluster == NULL)
    return;
  g_clear_pointer (&self->cluster, suda_cluster_status_free);
  self->cluster = g_steal_pointer (&event->cluster);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLUSTER]);
}

/* A user who came and went within one batch never reaches the list. */
static void
apply_user_gone (SudaServerHost *self,
                 SudaHostEvent  *event,
                 GPtrArray      *added,
                 GHashTable     *gone)
{
  gpointer key = GSIZE_TO_POINTER ((gsize) event->user_id);
  SudaUserRow *row = g_hash_table_lookup (self->users_by_id, key);

  if (row == NULL)
    return;
  g_hash_table_remove (self->users_by_id, key);
  if (!g_ptr_array_remove (added, row))
    g_hash_table_add (gone, row);
}

static void
remove_gone_users (SudaServerHost *self,
                   GHashTable     *gone)
{
  GListModel *users = G_LIST_MODEL (self->users);
  guint n = g_list_model_get_n_items (users);
  g_autoptr(GPtrArray) kept = NULL;

  if (g_hash_table_size (gone) <= REBUILD_AT)
    {
      GHashTableIter iter;
      gpointer row;
      guint position;

      g_hash_table_iter_init (&iter, gone);
      while (g_hash_table_iter_next (&iter, &row, NULL))
        if (g_list_store_find (self->users, row, &position))
          g_list_store_remove (self->users, position);
      return;
    }
  kept = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      SudaUserRow *row = g_list_model_get_item (users, i);

      if (g_hash_table_contains (gone, row))
        g_object_unref (row);
      else
        g_ptr_array_add (kept, row);
    }
  g_list_store_splice (self->users, 0, n, kept->pdata, kept->len);
}

static void
apply_events (SudaServerHost *self,
              GQueue         *events)
{
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) gone = g_hash_table_new (NULL, NULL);
  guint n_users = suda_server_host_get_n_users (self);
  SudaHostEvent *event;

  while ((event = g_queue_pop_head (events)) != NULL)
    {
      switch (event->kind)
        {
        case SUDA_HOST_EVENT_STATE:
          apply_state (self, event);
          break;
        case SUDA_HOST_EVENT_USER:
          apply_user (self, event, added);
          break;
        case SUDA_HOST_EVENT_USER_GONE:
          apply_user_gone (self, event, added, gone);
          break;
        case SUDA_HOST_EVENT_REPLY:
          apply_reply (self, event);
          break;
        case SUDA_HOST_EVENT_CLUSTER:
          apply_cluster (self, event);
          break;
        default:
          g_assert_not_reached ();
        }
      _suda_host_event_free (event);
    }
  if (g_hash_table_size (gone) > 0)
    remove_gone_users (self, gone);
  if (added->len > 0)
    g_list_store_splice (self->users, g_list_model_get_n_items (G_LIST_MODEL (self->users)), 0,
                         added->pdata, added->len);
  if (n_users != suda_server_host_get_n_users (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_USERS]);
}

/* On the GTK thread, at most once a frame: takes everything queued under
 * the lock, then applies it outside. */
void
_suda_host_drain (SudaHostShared *shared)
{
  g_autoptr(SudaServerHost) self = g_weak_ref_get (&shared->host);
  g_autoptr(GPtrArray) entries = NULL;
  GQueue events = G_QUEUE_INIT;
  guint64 n_logged = 0;
  gboolean paused;

  _suda_host_lock (shared);
  events = shared->events;
  g_queue_init (&shared->events);
  paused = shared->log_paused;
  entries = g_ptr_array_new_full (paused ? 0 : shared->ring_len, g_object_unref);
  if (!paused)
    {
      for (guint i = 0; i < shared->ring_len; i++)
        g_ptr_array_add (entries, shared->ring[(shared->ring_start + i) % shared->ring_size]);
      shared->ring_start = shared->ring_len = 0;
      n_logged = shared->n_logged;
    }
  _suda_host_unwake_locked (shared);
  shared->last_drain = g_get_monotonic_time ();
  _suda_host_unlock (shared);

  if (self == NULL)
    {
      g_queue_clear_full (&events, (GDestroyNotify) _suda_host_event_free);
      return;
    }
  apply_events (self, &events);
  if (!paused && n_logged > self->n_drained)
    {
      guint64 skipped = n_logged - self->n_drained - entries->len;

      self->n_drained = n_logged;
      g_signal_emit (self, signals[SIGNAL_LOG_BATCH], 0, entries, skipped);
    }
}

/* Commands ------------------------------------------------------------------ */

void
suda_server_host_start_async (SudaServerHost         *self,
                              const SudaServerConfig *config,
                              GCancellable           *cancellable,
                              GAsyncReadyCallback     callback,
                              gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  SudaHostCommand *command;

  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  g_return_if_fail (config != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, suda_server_host_start_async);
  g_task_set_task_data (task, suda_server_config_copy (config), (GDestroyNotify) suda_server_config_free);
  if (self->running || self->starting)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s", _("The server is already running"));
      return;
    }
  ensure_thread (self);
  self->starting = TRUE;
  self->starting_with = suda_server_config_copy (config);
  command = g_new0 (SudaHostCommand, 1);
  command->kind = SUDA_HOST_START;
  command->config = suda_server_config_copy (config);
  command->task = g_steal_pointer (&task);
  _suda_host_send (self->shared, command);
}

gboolean
suda_server_host_start_finish (SudaServerHost  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Returns at once; "running" turns FALSE when every client has had its
 * last words (or the server gave up on those that read nothing). */
void
suda_server_host_stop (SudaServerHost *self,
                       const char     *reason)
{
  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  if (self->thread != NULL)
    send_command (self, SUDA_HOST_STOP, NULL, NULL, reason);
}

static void
act_on_user (SudaServerHost      *self,
             SudaHostCommandKind  kind,
             const char          *nick,
             const char          *reason,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, act_on_user);
  if (self->thread == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                               _("The server is not running"));
      return;
    }
  send_command (self, kind, task, nick, reason);
}

void
suda_server_host_kick_async (SudaServerHost      *self,
                             const char          *nick,
                             const char          *reason,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  g_return_if_fail (nick != NULL);
  act_on_user (self, SUDA_HOST_KICK, nick, reason, cancellable, callback, user_data);
}

void
suda_server_host_disconnect_async (SudaServerHost      *self,
                                   const char          *nick,
                                   const char          *reason,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  g_return_if_fail (nick != NULL);
  act_on_user (self, SUDA_HOST_DISCONNECT, nick, reason, cancellable, callback, user_data);
}

gboolean
suda_server_host_user_action_finish (SudaServerHost  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* FUNC runs on the server thread, in order with the other commands: the
 * tests use it to make the server do things from its own side. */
void
suda_server_host_invoke (SudaServerHost     *self,
                         SudaServerHostFunc  func,
                         gpointer            data,
                         GDestroyNotify      destroy)
{
  SudaHostCommand *command;

  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  g_return_if_fail (func != NULL);
  ensure_thread (self);
  command = g_new0 (SudaHostCommand, 1);
  command->kind = SUDA_HOST_INVOKE;
  command->func = func;
  command->data = data;
  command->destroy = destroy;
  _suda_host_send (self->shared, command);
}

void
suda_server_host_call_async (SudaServerHost         *self,
                             SudaServerHostCallFunc  func,
                             gpointer                data,
                             GDestroyNotify          destroy,
                             GCancellable           *cancellable,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  SudaHostCommand *command;

  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  g_return_if_fail (func != NULL);
  g_task_set_source_tag (task, suda_server_host_call_async);
  ensure_thread (self);
  command = g_new0 (SudaHostCommand, 1);
  command->kind = SUDA_HOST_CALL;
  command->call = func;
  command->data = data;
  command->destroy = destroy;
  command->task = g_steal_pointer (&task);
  _suda_host_send (self->shared, command);
}

GVariant *
suda_server_host_call_finish (SudaServerHost  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* While the cluster page is shown the server thread sends a snapshot of
 * [cluster] every second; hidden, only when the link to Redis changes. */
void
suda_server_host_set_cluster_watched (SudaServerHost *self,
                                      gboolean        watched)
{
  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  if (self->cluster_watched == !!watched)
    return;
  self->cluster_watched = !!watched;
  if (self->thread != NULL)
    send_cluster_watch (self);
}

/* What the GTK thread knows ------------------------------------------------- */

gboolean
suda_server_host_get_running (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), FALSE);
  return self->running;
}

gboolean
suda_server_host_get_starting (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), FALSE);
  return self->starting;
}

guint16
suda_server_host_get_port (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), 0);
  return self->port;
}

const char *
suda_server_host_get_address (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), NULL);
  return self->address;
}

/* NULL when stopped or when the server serves no page */
const char *
suda_server_host_get_web_url (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), NULL);
  return self->running ? self->web_url : NULL;
}

/* NULL when stopped or without a TLS port */
const char *
suda_server_host_get_tls_fingerprint (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), NULL);
  return self->running ? self->tls_fingerprint : NULL;
}

GDateTime *
suda_server_host_get_started_at (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), NULL);
  return self->running ? self->started_at : NULL;
}

gboolean
suda_server_host_get_log_failing (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), FALSE);
  return self->log_failing;
}

const SudaServerConfig *
suda_server_host_get_config (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), NULL);
  return self->config;
}

/* The newest snapshot of [cluster]: NULL when stopped or without it. */
const SudaClusterStatus *
suda_server_host_get_cluster (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), NULL);
  return self->running ? self->cluster : NULL;
}

GListModel *
suda_server_host_get_users (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), NULL);
  return G_LIST_MODEL (self->users);
}

guint
suda_server_host_get_n_users (SudaServerHost *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), 0);
  return self->users ? g_list_model_get_n_items (G_LIST_MODEL (self->users)) : 0;
}

/* What a batch costs the window, in microseconds of the GTK thread's CPU,
 * from taking it to drawing it: the next batches are spaced so that showing them takes
 * about 1/SUDA_HOST_DRAW_SHARE of a core however slow the renderer (cairo
 * on a remote display takes milliseconds a frame, a GPU a fraction of
 * one), a quarter of a second apart at the least, four seconds at the
 * most.  A server's log is read by people, who read no faster. */
void
suda_server_host_set_draw_cost (SudaServerHost *self,
                                gint64          usec)
{
  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  _suda_host_lock (self->shared);
  self->shared->interval = MAX (self->shared->min_interval, MIN (usec * SUDA_HOST_DRAW_SHARE, SUDA_HOST_MAX_INTERVAL));
  _suda_host_unlock (self->shared);
}

/* While nobody can see the live log (its page hidden, the window not
 * shown), log entries wait in the host's bounded ring and wake nothing:
 * no batch, no model change, no layout.  Resuming takes what waited in
 * one batch (the oldest beyond the ring only counted, as in a burst). */
void
suda_server_host_set_log_paused (SudaServerHost *self,
                                 gboolean        paused)
{
  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  _suda_host_lock (self->shared);
  self->shared->log_paused = !!paused;
  if (!paused && self->shared->n_logged > self->n_drained)
    _suda_host_wake_locked (self->shared, 0);
  _suda_host_unlock (self->shared);
}

gboolean
suda_server_host_get_log_paused (SudaServerHost *self)
{
  gboolean paused;

  g_return_val_if_fail (SUDA_IS_SERVER_HOST (self), FALSE);
  _suda_host_lock (self->shared);
  paused = self->shared->log_paused;
  _suda_host_unlock (self->shared);
  return paused;
}

void
_suda_server_host_set_batch_timing (SudaServerHost *self,
                                    gint64          min_interval,
                                    gint64          quiet)
{
  g_return_if_fail (SUDA_IS_SERVER_HOST (self));
  _suda_host_lock (self->shared);
  self->shared->interval = self->shared->min_interval = MAX (min_interval, 0);
  self->shared->quiet = MAX (quiet, 0);
  self->shared->last_logged = 0;
  _suda_host_unlock (self->shared);
}
