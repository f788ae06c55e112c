/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server: gives each connection a session and a client (its ports and
 * accept paths are in suda-listeners.c), puts the layers together
 * (registry, delivery, the service user, the IRC handler), flushes every
 * session's output once per main-loop iteration, and answers the console. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cluster/suda-cluster-private.h"
#include "irc/suda-irc-private.h"
#include "plain/suda-plain-private.h"
#include "service/suda-service-private.h"
#include "suda-irc-message.h"
#include "suda-server-private.h"
#include "tls/suda-tls-private.h"
#include "web/suda-web-server.h"

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_PORT,
  PROP_N_USERS,
  PROP_LOG_FAILING,
  PROP_TLS_FINGERPRINT,
  N_PROPS
};

enum {
  SIGNAL_LOG_ENTRY,
  SIGNAL_CLUSTER_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void     finish_stop      (SudaServer *self);
static gboolean on_stop_deadline (gpointer    data);

G_DEFINE_FINAL_TYPE (SudaServer, suda_server, G_TYPE_OBJECT)
G_DEFINE_QUARK (suda-server-error-quark, suda_server_error)

static void
suda_server_dispose (GObject *object)
{
  SudaServer *self = SUDA_SERVER (object);

  /* Nobody waits for a disposed server's last words. */
  if (self->running)
    {
      suda_server_stop (self, NULL);
      if (self->running)
        finish_stop (self);
    }
  g_clear_object (&self->core.service);
  g_clear_object (&self->core.accounts);
  g_clear_object (&self->sessions);

  G_OBJECT_CLASS (suda_server_parent_class)->dispose (object);
}

static void
suda_server_finalize (GObject *object)
{
  SudaServer *self = SUDA_SERVER (object);

  g_clear_pointer (&self->admission, _suda_admission_free);
  g_clear_pointer (&self->tls, _suda_tls_free);
  g_clear_pointer (&self->pushback, _suda_pushback_free);
  g_clear_pointer (&self->core.delivery, _suda_delivery_free);
  g_clear_pointer (&self->core.registry, _suda_registry_free);
  g_clear_pointer (&self->core.irc, _suda_irc_state_free);
  g_clear_pointer (&self->config, suda_server_config_free);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->tls_address, g_free);
  g_clear_pointer (&self->created_text, g_free);
  g_clear_pointer (&self->accounts_problem, g_free);
  g_clear_pointer (&self->web_waiting, g_ptr_array_unref);

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
      g_value_set_uint (value, suda_server_get_n_users (self));
      break;
    case PROP_LOG_FAILING:
      g_value_set_boolean (value, self->log_failing);
      break;
    case PROP_TLS_FINGERPRINT:
      g_value_set_string (value, suda_server_get_tls_fingerprint (self));
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
  properties[PROP_LOG_FAILING] =
    g_param_spec_boolean ("log-failing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TLS_FINGERPRINT] =
    g_param_spec_string ("tls-fingerprint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_LOG_ENTRY] =
    g_signal_new ("log-entry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SUDA_TYPE_LOG_ENTRY);
  signals[SIGNAL_CLUSTER_CHANGED] =
    g_signal_new ("cluster-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
suda_server_init (SudaServer *self)
{
  self->sessions = g_list_store_new (SUDA_TYPE_SESSION);
  self->web_waiting = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->dirty);
  self->flush_slice = -1;
}

static void
on_counts_changed (gpointer data)
{
  g_object_notify_by_pspec (G_OBJECT (data), properties[PROP_N_USERS]);
}

static void
log_to_server (gpointer      data,
               SudaLogEntry *entry)
{
  suda_server_log (data, entry);
}

SudaServer *
suda_server_new (const SudaServerConfig *config)
{
  SudaServer *self = g_object_new (SUDA_TYPE_SERVER, NULL);

  self->config = config ? suda_server_config_copy (config) : suda_server_config_new ();
  self->core.config = self->config;
  self->core.registry = _suda_registry_new (self->config);
  _suda_registry_set_counts_notify (self->core.registry, G_CALLBACK (on_counts_changed), self);
  _suda_registry_set_presence_notify (self->core.registry, _suda_irc_monitor_presence);
  self->core.delivery = _suda_delivery_new (self->core.registry, self->config, log_to_server, self);
  self->core.irc = _suda_irc_state_new ();
  self->admission = _suda_admission_new (&self->core);
  self->tls = _suda_tls_new (&self->core);
  self->pushback = _suda_pushback_new (self->config);
  _suda_delivery_set_pushback (self->core.delivery, self->pushback);
  /* An empty service-nick= means no service user at all. */
  if (_suda_registry_get_service_nick (self->core.registry) != NULL)
    self->core.service = _suda_service_new (&self->core);
  return self;
}

const SudaServerConfig *
suda_server_get_config (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->config;
}

SudaService *
_suda_server_get_service (SudaServer *self)
{
  return self->core.service;
}

SudaRegistry *
_suda_server_get_registry (SudaServer *self)
{
  return self->core.registry;
}

SudaPushback *
_suda_server_get_pushback (SudaServer *self)
{
  return self->pushback;
}

SudaDelivery *
_suda_server_get_delivery (SudaServer *self)
{
  return self->core.delivery;
}

/* The flush ---------------------------------------------------------------- */

/* The longest a line waits in a busy server for others to join it in the
 * same send(): each session is flushed once its oldest line is this old,
 * so the sessions' flushes spread out over time instead of all coming at
 * once, and a line's wait is about this, not this plus a whole flush of
 * every member.  Issue 12 asks p99 <= 20 ms of the whole trip, the
 * bench's wake-ups included. */
#define FLUSH_BUDGET_USEC 12000
/* Lines are "coming in quickly" at more than one per this (250 a second):
 * a classroom's 100 a second are flushed at once, as a quiet room's. */
#define FLUSH_PACE_USEC   4000
/* A flush stops after this long and goes on in the next main-loop
 * iteration, so that reading is never held up for a 1000-member flush. */
#define FLUSH_SLICE_USEC  2000
/* The clock is read once per this many sessions flushed. */
#define FLUSH_CLOCK_EVERY 32

/* Writes what the log holds; the console hears when that starts or stops
 * failing. */
static void
flush_log (SudaServer *self)
{
  gboolean failing;

  if (self->log == NULL)
    return;
  failing = !suda_server_log_flush (self->log) && suda_server_log_is_failing (self->log);
  if (failing != self->log_failing)
    {
      self->log_failing = failing;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_FAILING]);
    }
}

gboolean
suda_server_get_log_failing (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), FALSE);
  return self->log_failing;
}

static void schedule_flush (SudaServer *self,
                            gint64      since);

/* When the line being handled was read: the clock is read once per line,
 * not once per session it fans out to.  Anything queued outside a read (a
 * timer, the service) gets an older time, and so leaves no later. */
static gint64
stamp_now (SudaServer *self)
{
  guint64 lines = _suda_pushback_get_lines_read (self->pushback);

  if (self->stamp == 0 || lines != self->stamp_lines)
    {
      self->stamp = g_get_monotonic_time ();
      self->stamp_lines = lines;
    }
  return self->stamp;
}

/* How long a queued line may wait now: the budget while lines come in
 * quickly (the pushback knows the input rate), else nothing. */
static gint64
current_wait (SudaServer *self,
              gint64      now)
{
  if (self->flush_budget > 0)
    return self->flush_budget;
  if (_suda_pushback_flush_wait (self->pushback, FLUSH_PACE_USEC, now) == 0)
    return 0;
  return FLUSH_BUDGET_USEC;
}

/* Sends the output of every session whose oldest line has waited WAIT,
 * oldest first (the queue is in the order they turned dirty), for at
 * most FLUSH_SLICE_USEC; the log is written first.  Returns what remains
 * to be flushed later (0 when all of it was). */
static guint
flush_due (SudaServer *self,
           gint64      wait,
           gint64      now)
{
  gint64 end = now + (self->flush_slice >= 0 ? self->flush_slice : FLUSH_SLICE_USEC);
  guint n = 0;

  self->n_flushes++;
  flush_log (self);
  while (self->dirty.length > 0)
    {
      GList *link = self->dirty.head;

      if (wait > 0 && _suda_session_get_dirty_at (link->data) + wait > now)
        break;
      g_queue_pop_head_link (&self->dirty);
      link->next = link->prev = NULL;
      /* Sending may close a session whose QUIT then goes to the ones
       * after it in this pass: it is written first, like any event.  No
       * reference is taken: a session leaves (gone) only as the last
       * thing its flush does. */
      flush_log (self);
      _suda_session_flush (link->data);
      if (++n % FLUSH_CLOCK_EVERY == 0 && (now = g_get_monotonic_time ()) >= end)
        {
          self->n_sliced++;
          break;
        }
    }
  return self->dirty.length;
}

static gboolean
on_flush (gpointer data)
{
  SudaServer *self = data;
  gint64 now = g_get_monotonic_time ();

  self->flush_id = 0;
  self->stamp = 0;
  if (flush_due (self, current_wait (self, now), now) > 0)
    schedule_flush (self, _suda_session_get_dirty_at (self->dirty.head->data));
  return G_SOURCE_REMOVE;
}

/* Stopping: everything goes now. */
static void
flush_all (SudaServer *self)
{
  g_clear_handle_id (&self->flush_id, _suda_source_remove);
  while (flush_due (self, 0, g_get_monotonic_time ()) > 0)
    ;
}

void
_suda_server_set_flush_budget (SudaServer *self,
                               gint64      budget)
{
  self->flush_budget = budget;
}

void
_suda_server_get_flush_counts (SudaServer *self,
                               guint      *n_flushes,
                               guint      *n_waited)
{
  *n_flushes = self->n_flushes;
  *n_waited = self->n_waited;
}

void
_suda_server_set_flush_slice (SudaServer *self,
                              gint64      slice)
{
  self->flush_slice = slice;
}

guint
_suda_server_get_flush_slices (SudaServer *self)
{
  return self->n_sliced;
}

/* Something was queued at SINCE and no flush is due yet: the flush goes
 * at the end of this main-loop iteration, or, while lines come in
 * quickly, once the line has waited the budget, so that its session gets
 * the lines of that time in one send().  Whatever is queued later is due
 * later, so one pending flush is enough. */
static void
schedule_flush (SudaServer *self,
                gint64      since)
{
  gint64 now, due;

  if (self->flush_id != 0)
    return;

  now = g_get_monotonic_time ();
  due = since + current_wait (self, now);
  if (due <= now)
    {
      /* Default priority: an idle one would starve under load. */
      self->flush_id = _suda_idle_add_full (G_PRIORITY_DEFAULT, on_flush, self, NULL);
      return;
    }
  self->n_waited++;
  self->flush_id = _suda_timeout_add_full (G_PRIORITY_DEFAULT, (guint) ((due - now + 999) / 1000),
                                           on_flush, self, NULL);
}

static gboolean
is_queued (SudaServer *self,
           GList      *link)
{
  return link->next != NULL || link->prev != NULL || self->dirty.head == link;
}

static void
on_session_dirty (gpointer     data,
                  SudaSession *session)
{
  SudaServer *self = data;
  GList *link = _suda_session_get_dirty_link (session);

  if (!is_queued (self, link))
    {
      _suda_session_set_dirty_at (session, stamp_now (self));
      g_queue_push_tail_link (&self->dirty, link);
    }
  schedule_flush (self, _suda_session_get_dirty_at (self->dirty.head->data));
}

static void
on_session_gone (gpointer     data,
                 SudaSession *session)
{
  SudaServer *self = data;
  GList *link = _suda_session_get_dirty_link (session);
  SudaClient *client = _suda_client_from_session (session);
  guint position;

  if (is_queued (self, link))
    g_queue_unlink (&self->dirty, link);
  _suda_session_detach (session);

  if (g_list_store_find (self->sessions, session, &position))
    {
      /* A TLS peer whose handshake never finished was never announced. */
      if (_suda_session_get_announced (session))
        {
          g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "disconnect", NULL,
                                                              client->registered ? client->nick : NULL,
                                                              NULL);
          suda_log_entry_set_field (entry, "address", client->host);
          suda_server_log (self, entry);
        }
      _suda_registry_remove_client (self->core.registry, client);
      g_list_store_remove (self->sessions, position);
    }
  /* The last one out ends the stop, once this flush is over. */
  if (self->stopping && g_list_model_get_n_items (G_LIST_MODEL (self->sessions)) == 0)
    {
      g_clear_handle_id (&self->stop_id, _suda_source_remove);
      self->stop_id = _suda_idle_add_full (G_PRIORITY_DEFAULT, on_stop_deadline, self, NULL);
    }
}

static const SudaSessionListener session_listener = {
  .dirty = on_session_dirty,
  .gone = on_session_gone,
};

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
      schedule_flush (self, stamp_now (self));
    }
  g_signal_emit (self, signals[SIGNAL_LOG_ENTRY], 0, entry);
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

static void
on_client_line (gpointer  owner,
                char     *line,
                gsize     len)
{
  SudaClient *client = owner;

  client->protocol->line (client, line, len);
}

static void
on_client_overlong (gpointer owner)
{
  SudaClient *client = owner;

  client->protocol->overlong (client);
}

/* Everyone it shared a room with sees it quit; then its last words. */
static void
on_client_closed (gpointer    owner,
                  const char *reason)
{
  SudaClient *client = owner;

  _suda_delivery_quit (client->core->delivery, client, reason);
  client->protocol->closed (client, reason);
}

static const SudaSessionHandler client_handler = {
  .line = on_client_line,
  .overlong = on_client_overlong,
  .closed = on_client_closed,
};

/* The connect entry; VIA, when not NULL, is logged with it ("websocket"). */
void
_suda_server_announce (SudaServer  *self,
                       SudaSession *session,
                       const char  *via)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "connect", NULL, NULL, NULL);

  _suda_session_set_announced (session);
  suda_log_entry_set_field (entry, "address", suda_session_get_address (session));
  if (_suda_session_is_secure (session))
    suda_log_entry_set_field (entry, "tls", "true");
  if (via != NULL)
    suda_log_entry_set_field (entry, "via", via);
  suda_server_log (self, entry);
}

/* A session and a client for TRANSPORT, in the sessions list; the IRC
 * handler reads its first line. */
SudaSession *
_suda_server_add_session (SudaServer    *self,
                          SudaTransport *transport)
{
  g_autoptr(SudaSession) session = NULL;
  SudaClient *client;

  session = _suda_session_new (transport, self->config, self->pushback,
                               &session_listener, self);
  _suda_session_set_id (session, ++self->next_session_id);
  client = _suda_registry_add_client (self->core.registry, &self->core, session,
                                      suda_session_get_address (session));
  _suda_session_set_owner (session, &client_handler, client, _suda_client_free);
  /* The first line decides between IRC and plain text. */
  _suda_irc_accept (client, &_suda_plain_protocol);
  g_list_store_append (self->sessions, session);
  return g_steal_pointer (&session);
}

SudaSession *
suda_server_find_session (SudaServer *self,
                          const char *nick)
{
  SudaClient *client;

  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  client = _suda_registry_find_client (self->core.registry, nick);
  return client ? client->session : NULL;
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
  return _suda_registry_get_n_registered (self->core.registry);
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

/* History loading ----------------------------------------------------------- */

/* Back on the main loop.  SELF is not touched after a stop: the stop
 * cancelled the load, and the server may be gone. */
static void
on_history_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  SudaServer *self = data;
  g_autoptr(GHashTable) histories = suda_server_log_load_history_finish (result, NULL);

  if (histories == NULL)
    return;
  g_clear_object (&self->loading);
  _suda_registry_adopt_histories (self->core.registry, histories);
  /* Clients waiting in the kernel's backlog are let in: each JOIN replays
   * the whole history. */
  _suda_listeners_let_in (self);
}

/* Reading up to 32 MiB of log could stop the main loop for a second: a
 * worker reads it while the port already listens, and connections wait
 * in the backlog until it is done, so no JOIN sees part of the history. */
static void
load_history (SudaServer *self,
              const char *log_path)
{
  GStatBuf st;

  _suda_registry_reset (self->core.registry, suda_server_log_load_history (NULL, 0));
  if (*log_path == '\0' || self->config->history_lines == 0 || g_stat (log_path, &st) != 0)
    {
      _suda_listeners_let_in (self);
      return;
    }
  self->loading = g_cancellable_new ();
  suda_server_log_load_history_async (log_path, self->config->history_lines, (gsize) st.st_size,
                                      self->loading, on_history_loaded, self);
}

gboolean
_suda_server_is_loading_history (SudaServer *self)
{
  return self->loading != NULL;
}

/* [cluster] redis= with required=true: no start without Redis.  With
 * required=false *ALONE says why this server runs on its own. */
static gboolean
check_cluster (SudaServer  *self,
               char       **alone,
               GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (self->config->cluster.redis == NULL || *self->config->cluster.redis == '\0')
    return TRUE;
  if (_suda_cluster_check (self->config, &local))
    return TRUE;
  if (self->config->cluster.required)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  *alone = g_strdup_printf ("%s; running alone until Redis answers ([cluster] required=false)", local->message);
  return TRUE;
}

static char *
dup_cluster_id (SudaServer *self)
{
  const SudaServerConfig *config = self->config;

  return config->cluster.server_id && *config->cluster.server_id
           ? g_strdup (config->cluster.server_id)
           : g_strdup_printf ("%s:%u", config->server_name, self->port ? self->port : self->tls_port);
}

static void
on_cluster_changed (gpointer data)
{
  g_signal_emit (data, signals[SIGNAL_CLUSTER_CHANGED], 0);
}

static void
start_cluster (SudaServer *self,
               const char *alone)
{
  const SudaServerConfig *config = self->config;
  g_autofree char *id = NULL;

  if (config->cluster.redis == NULL || *config->cluster.redis == '\0')
    return;
  id = dup_cluster_id (self);
  self->cluster = _suda_cluster_new (&self->core, id);
  /* Alone, it keeps trying, as after losing Redis, and joins when it can. */
  if (alone != NULL)
    {
      _suda_delivery_log_event (self->core.delivery, "error", NULL, NULL, alone);
      _suda_cluster_set_unreachable (self->cluster);
    }
  _suda_cluster_set_changed (self->cluster, on_cluster_changed, self);
}

/* A snapshot of the cluster for the console, on the server's thread; NULL
 * when stopped or without [cluster]. */
SudaClusterStatus *
suda_server_dup_cluster_status (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  if (!self->running || self->cluster == NULL)
    return NULL;
  return _suda_cluster_dup_status (self->cluster);
}

SudaCluster *
_suda_server_get_cluster (SudaServer *self)
{
  return self->cluster;
}

gboolean
suda_server_start (SudaServer  *self,
                   GError     **error)
{
  g_autofree char *alone = NULL;
  g_autofree char *log_path = NULL;
  guint ping_every;

  g_return_val_if_fail (SUDA_IS_SERVER (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);

  if (!check_cluster (self, &alone, error))
    return FALSE;
  if (!_suda_listeners_open (self, error))
    return FALSE;

  log_path = suda_server_config_dup_log_path (self->config);
  if (*log_path != '\0')
    self->log = suda_server_log_new (log_path);
  load_history (self, log_path);
  /* Opened once and kept over stops, starts and REHASH. */
  if (self->core.accounts == NULL)
    {
      g_clear_pointer (&self->accounts_problem, g_free);
      self->core.accounts = _suda_server_open_accounts (self->config, self->core.delivery,
                                                        &self->accounts_problem);
    }
  /* An empty default-channel= means no room until someone makes one. */
  if (self->config->default_channel != NULL && *self->config->default_channel != '\0')
    _suda_registry_ensure_channel (self->core.registry, self->config->default_channel);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  self->started_at = g_date_time_new_now_local ();
  g_free (self->created_text);
  self->created_text = g_date_time_format (self->started_at, "%Y-%m-%d %H:%M:%S %Z");
  self->core.created_text = self->created_text;
  self->core.started_at = self->started_at;

  ping_every = CLAMP (MIN (MIN (self->config->ping_interval_ms, self->config->ping_timeout_ms),
                           self->config->registration_timeout_ms) / 4, 50, 15000);
  self->ping_id = _suda_timeout_add (ping_every, on_ping_timer, self);

  self->running = TRUE;
  {
    g_autofree char *where = self->address ? g_strdup_printf ("%s:%u", self->address, self->port)
                                           : g_strdup_printf ("%s:%u", self->tls_address, self->tls_port);
    g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "server-start", NULL, NULL, where);

    suda_log_entry_set_field (entry, "version", PACKAGE_VERSION);
    suda_server_log (self, entry);
  }
  self->core.tls_port = self->tls_port;
  _suda_listeners_log_tls (self);
  start_cluster (self, alone);
  if (self->core.service)
    _suda_service_server_started (self->core.service);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  if (self->tls_port != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_FINGERPRINT]);
  return TRUE;
}

/* How long stopping waits for peers that do not read their last words. */
#define STOP_GRACE_MS 1000

static gboolean
on_stop_deadline (gpointer data)
{
  SudaServer *self = data;

  self->stop_id = 0;
  finish_stop (self);
  return G_SOURCE_REMOVE;
}

/* The last session gone, or the deadline passed: whoever is left is cut
 * off, the log is written out and the port is let go. */
static void
finish_stop (SudaServer *self)
{
  self->stopping = FALSE;
  g_clear_handle_id (&self->stop_id, _suda_source_remove);
  while (g_list_model_get_n_items (G_LIST_MODEL (self->sessions)) > 0)
    {
      g_autoptr(SudaSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), 0);

      on_session_gone (self, session);
    }
  g_queue_init (&self->dirty);
  g_clear_pointer (&self->cluster, _suda_cluster_free);
  flush_log (self);

  g_clear_handle_id (&self->ping_id, _suda_source_remove);
  g_clear_handle_id (&self->flush_id, _suda_source_remove);
  g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  _suda_listeners_close (self);
  _suda_registry_reset (self->core.registry, NULL);
  g_clear_pointer (&self->log, suda_server_log_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->tls_address, g_free);
  self->running = FALSE;
  self->port = 0;
  self->tls_port = self->core.tls_port = 0;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_USERS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

/* Every client is told, the log gets server-stop, and what was queued is
 * written out before the sockets close (none while the history loads).
 * Returns at once: the last words
 * leave as the peers read them, and "running" turns FALSE when the last
 * session is gone (or after STOP_GRACE_MS for those that read nothing). */
void
suda_server_stop (SudaServer *self,
                  const char *reason)
{
  guint n;

  g_return_if_fail (SUDA_IS_SERVER (self));
  if (!self->running || self->stopping)
    return;

  self->stopping = TRUE;
  if (reason == NULL)
    reason = _("Server shutting down");
  if (self->core.service)
    _suda_service_server_stopping (self->core.service);
  /* No one new is let in; the port itself is held until the end, so a
   * start cannot race the last words. */
  g_socket_service_stop (self->listener);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaSession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);

      _suda_session_close (session, reason);
    }
  _suda_admission_log_refusals (self->admission);
  _suda_tls_log_failures (self->tls);
  _suda_delivery_log_event (self->core.delivery, "server-stop", NULL, NULL, reason);

  /* Who reads gets its last words now; a session leaves as it is done. */
  flush_all (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->sessions)) == 0)
    finish_stop (self);
  else
    self->stop_id = _suda_timeout_add (STOP_GRACE_MS, on_stop_deadline, self);
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

guint16
suda_server_get_tls_port (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), 0);
  return self->tls_port;
}

char *
suda_server_dup_tls_address (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->tls_address ? g_strdup_printf ("%s:%u", self->tls_address, self->tls_port) : NULL;
}

const char *
suda_server_get_tls_fingerprint (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->tls_port != 0 ? _suda_tls_get_fingerprint (self->tls) : NULL;
}

gboolean
suda_server_get_tls_self_signed (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), FALSE);
  return self->tls_port != 0 && _suda_tls_is_self_signed (self->tls);
}

void
_suda_server_set_tls_any_port (SudaServer *self)
{
  self->tls_any_port = TRUE;
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
  SudaClient *client;

  g_return_val_if_fail (SUDA_IS_SERVER (self), FALSE);
  if (!(session = lookup_or_fail (self, nick, error)))
    return FALSE;

  if (reason == NULL || *reason == '\0')
    reason = _("Kicked by the server console");
  client = _suda_client_from_session (session);
  while (client->channels->len > 0)
    _suda_delivery_kick (self->core.delivery, self->config->server_name,
                         g_ptr_array_index (client->channels, 0), client, reason);
  _suda_session_close (session, reason);
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

/* The account store, or NULL when there is none (see
 * suda_server_get_accounts_problem()); opened by the first start. */
SudaAccountStore *
suda_server_get_accounts (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->core.accounts;
}

/* Why the store could not be opened, translated, or NULL. */
const char *
suda_server_get_accounts_problem (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->accounts_problem;
}

/* Reading the config file again (REHASH, SIGHUP) ----------------------------- */

static gboolean
is_pinned (SudaServer *self,
           const char *key)
{
  const char * const *pinned = g_object_get_data (G_OBJECT (self), "suda-pinned-keys");

  return pinned != NULL && g_strv_contains (pinned, key);
}

/* A key that only a restart applies: named in RESTART when it changed. */
static void
note_restart (SudaServer *self,
              GString    *restart,
              const char *key,
              gboolean    changed)
{
  if (changed && !is_pinned (self, key))
    g_string_append_printf (restart, "%s%s", restart->len ? ", " : "", key);
}

static void
swap_string (char **live,
             char **fresh)
{
  char *old = *live;

  *live = *fresh;
  *fresh = old;
}

static gboolean
ai_changed (const SudaAiConfig *a,
            const SudaAiConfig *b)
{
  return g_strcmp0 (a->base_url, b->base_url) || g_strcmp0 (a->model, b->model) ||
         g_strcmp0 (a->api_key, b->api_key) || g_strcmp0 (a->token_field, b->token_field) ||
         g_strcmp0 (a->system_prompt, b->system_prompt) || a->max_tokens != b->max_tokens ||
         a->timeout_ms != b->timeout_ms || a->retry_backoff_ms != b->retry_backoff_ms ||
         a->max_concurrent != b->max_concurrent || a->max_queued != b->max_queued ||
         a->rate_per_minute != b->rate_per_minute || a->cache_size != b->cache_size ||
         a->cache_ttl_s != b->cache_ttl_s || a->max_lines != b->max_lines;
}

/* [ai]: the assistant is made again on the next !search, with the new
 * settings; one busy with searches keeps them until a later rehash. */
static void
apply_ai (SudaServer       *self,
          SudaServerConfig *fresh,
          GString          *restart)
{
  SudaService *service = self->core.service;
  SudaAssistant *assistant = service ? _suda_service_get_assistant (service) : NULL;

  if (!ai_changed (&self->config->ai, &fresh->ai))
    return;
  if (assistant && (suda_assistant_get_n_active (assistant) || suda_assistant_get_n_queued (assistant)))
    {
      note_restart (self, restart, "[ai] (searches in progress: REHASH again)", TRUE);
      return;
    }
  suda_ai_config_clear (&self->config->ai);
  suda_ai_config_copy (&fresh->ai, &self->config->ai);
  if (service)
    g_clear_object (&service->assistant);
}

/* The certificate and key are read again (a renewed Let's Encrypt
 * certificate keeps its path): new handshakes use them, connections made
 * keep theirs.  A file that does not load leaves the one in use. */
static void
reload_tls (SudaServer       *self,
            SudaServerConfig *fresh)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;

  self->config->sts_duration_s = fresh->sts_duration_s;
  if (self->tls_port == 0)
    return;
  before = g_strdup (_suda_tls_get_fingerprint (self->tls));
  if (!_suda_tls_load (self->tls, fresh, &error))
    {
      g_autofree char *text = g_strdup_printf ("%s (the certificate in use stays)", error->message);

      _suda_delivery_log_event (self->core.delivery, "error", NULL, NULL, text);
      return;
    }
  swap_string (&self->config->tls_certificate, &fresh->tls_certificate);
  swap_string (&self->config->tls_key, &fresh->tls_key);
  if (g_strcmp0 (before, _suda_tls_get_fingerprint (self->tls)) != 0)
    {
      _suda_listeners_log_tls (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_FINGERPRINT]);
    }
}

/* Applies FRESH's settings to the running server without dropping anyone:
 * limits, MOTD, password, operators, [ai], [schedule], [files] limits; the keys that need
 * a restart (listening address and port, names, rooms, files) are named in
 * *RESTART (NULL when none changed).  Keys pinned by the command line stay. */
void
suda_server_apply_config (SudaServer             *self,
                          const SudaServerConfig *config,
                          char                  **restart)
{
  g_autoptr(SudaServerConfig) fresh = NULL;
  g_autoptr(GString) later = NULL;
  SudaServerConfig *live;
  guint16 port;

  g_return_if_fail (SUDA_IS_SERVER (self));
  g_return_if_fail (config != NULL);
  fresh = suda_server_config_copy (config);
  later = g_string_new (NULL);
  live = self->config;
  port = live->port;
  note_restart (self, later, "[server] listen", g_strcmp0 (live->listen_address, fresh->listen_address) != 0);
  note_restart (self, later, "[server] port", port != fresh->port && !(port == 0 && self->port == fresh->port));
  note_restart (self, later, "[server] name", g_strcmp0 (live->server_name, fresh->server_name) != 0);
  note_restart (self, later, "[server] network", g_strcmp0 (live->network_name, fresh->network_name) != 0);
  note_restart (self, later, "[server] default-channel", g_strcmp0 (live->default_channel, fresh->default_channel) != 0);
  note_restart (self, later, "[server] service-nick", g_strcmp0 (live->service_nick, fresh->service_nick) != 0);
  note_restart (self, later, "[server] state-dir", g_strcmp0 (live->state_dir, fresh->state_dir) != 0);
  note_restart (self, later, "[log] file", g_strcmp0 (live->log_path, fresh->log_path) != 0);
  note_restart (self, later, "[accounts] file", g_strcmp0 (live->accounts.file, fresh->accounts.file) != 0);
  note_restart (self, later, "[tls] port", live->tls_port != fresh->tls_port);
  note_restart (self, later, "[tls] listen", g_strcmp0 (live->tls_listen, fresh->tls_listen) != 0);
  note_restart (self, later, "[tls] plain", live->plain != fresh->plain);
  reload_tls (self, fresh);
  note_restart (self, later, "[web] port", live->web.port != fresh->web.port);
  note_restart (self, later, "[cluster] redis", g_strcmp0 (live->cluster.redis, fresh->cluster.redis) != 0);
  note_restart (self, later, "[cluster] server-id",
                g_strcmp0 (live->cluster.server_id, fresh->cluster.server_id) != 0);
  note_restart (self, later, "[web] listen",
                g_strcmp0 (live->web.listen_address, fresh->web.listen_address) != 0);
  /* the file port and folder are taken at start; the limits and the link
   * are read at each upload, so they apply now */
  note_restart (self, later, "[files] port", live->files.port != fresh->files.port);
  note_restart (self, later, "[files] listen",
                g_strcmp0 (live->files.listen_address, fresh->files.listen_address) != 0);
  note_restart (self, later, "[files] folder", g_strcmp0 (live->files.folder, fresh->files.folder) != 0);

  if (!is_pinned (self, "[server] max-clients"))
    live->max_clients = fresh->max_clients;
  if (!is_pinned (self, "[server] password"))
    swap_string (&live->password, &fresh->password);
  swap_string (&live->motd, &fresh->motd);
  swap_string (&live->admin_location, &fresh->admin_location);
  swap_string (&live->admin_email, &fresh->admin_email);
  live->history_lines = fresh->history_lines;
  live->log_whisper_text = fresh->log_whisper_text;
  live->max_line = fresh->max_line;
  live->sendq_bytes = fresh->sendq_bytes;
  live->recvq_bytes = fresh->recvq_bytes;
  live->flood_control = fresh->flood_control;
  live->flood_burst = fresh->flood_burst;
  live->flood_rate = fresh->flood_rate;
  live->ping_interval_ms = fresh->ping_interval_ms;
  live->ping_timeout_ms = fresh->ping_timeout_ms;
  live->max_channels = fresh->max_channels;
  live->max_targets = fresh->max_targets;
  live->max_per_address = fresh->max_per_address;
  live->exempt_loopback = fresh->exempt_loopback;
  live->registration_timeout_ms = fresh->registration_timeout_ms;
  live->history_rooms = fresh->history_rooms;
  live->connects_per_minute = fresh->connects_per_minute;
  /* The web server reads the live config at each upgrade. */
  swap_string (&live->web.origins, &fresh->web.origins);
  live->schedule = fresh->schedule;
  swap_string (&live->files.url, &fresh->files.url);
  swap_string (&live->files.types, &fresh->files.types);
  live->files.max_size = fresh->files.max_size;
  live->files.retention_days = fresh->files.retention_days;
  swap_string (&live->accounts.registration, &fresh->accounts.registration);
  live->accounts.nick_grace_ms = fresh->accounts.nick_grace_ms;
  {
    GHashTable *operators = live->operators;

    live->operators = fresh->operators;
    fresh->operators = operators;
  }
  apply_ai (self, fresh, later);
  if (restart)
    *restart = later->len ? g_strdup (later->str) : NULL;
}

/* Reads the config file again and applies it; a file that does not load
 * changes nothing.  Logged either way, with what waits for a restart. */
gboolean
suda_server_rehash (SudaServer  *self,
                    char       **restart,
                    GError     **error)
{
  const char *path = self->core.config_file;
  g_autoptr(SudaServerConfig) fresh = suda_server_config_new ();
  g_autofree char *later = NULL;
  g_autoptr(SudaLogEntry) entry = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (SUDA_IS_SERVER (self), FALSE);
  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The server has no config file"));
      return FALSE;
    }
  if (!suda_server_config_load_file (fresh, path, &local))
    {
      g_autofree char *text = g_strdup_printf ("rehash failed: %s", local->message);

      _suda_delivery_log_event (self->core.delivery, "error", NULL, NULL, text);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  suda_server_apply_config (self, fresh, &later);
  entry = suda_log_entry_new (0, "rehash", NULL, NULL, path);
  if (later)
    suda_log_entry_set_field (entry, "restart", later);
  suda_server_log (self, entry);
  if (restart)
    *restart = g_steal_pointer (&later);
  return TRUE;
}

static gboolean
rehash_core (SudaCore  *core,
             char     **restart,
             GError   **error)
{
  SudaServer *self = (SudaServer *) ((guint8 *) core - G_STRUCT_OFFSET (SudaServer, core));

  return suda_server_rehash (self, restart, error);
}

/* The file REHASH and SIGHUP read again; PINNED names the keys the command
 * line set ("[server] port"), which the file does not change. */
void
suda_server_set_config_file (SudaServer         *self,
                             const char         *path,
                             const char * const *pinned)
{
  char *copy = g_strdup (path);

  g_return_if_fail (SUDA_IS_SERVER (self));
  g_object_set_data_full (G_OBJECT (self), "suda-pinned-keys", g_strdupv ((char **) pinned),
                          (GDestroyNotify) g_strfreev);
  g_object_set_data_full (G_OBJECT (self), "suda-config-file", copy, g_free);
  self->core.config_file = copy;
  self->core.rehash = path ? rehash_core : NULL;
}
