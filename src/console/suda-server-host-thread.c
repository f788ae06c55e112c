/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server thread's side of SudaServerHost.  Everything in this file but
 * the shared queue's upkeep runs on the server thread, inside its own
 * GMainContext (pushed as thread-default, so the core's timers and sockets
 * attach there): it owns the SudaServer and hears its signals, and it
 * touches nothing of GTK.  What the window should know goes into the
 * shared queue; a drain is scheduled on the GTK context at most once per
 * frame. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-server-host-private.h"

static GQuark user_id_quark;

SudaHostShared *
_suda_host_shared_new (guint ring_size)
{
  SudaHostShared *shared = g_new0 (SudaHostShared, 1);

  g_atomic_ref_count_init (&shared->ref);
  g_mutex_init (&shared->lock);
  g_queue_init (&shared->events);
  g_weak_ref_init (&shared->host, NULL);
  shared->owner_context = g_main_context_ref_thread_default ();
  shared->context = g_main_context_new ();
  shared->loop = g_main_loop_new (shared->context, FALSE);
  shared->ring_size = MAX (ring_size, 1);
  shared->ring = g_new0 (SudaLogEntry *, shared->ring_size);
  shared->watched = g_ptr_array_new_with_free_func (g_object_unref);
  shared->interval = shared->min_interval = SUDA_HOST_MIN_INTERVAL;
  shared->quiet = SUDA_HOST_QUIET;
  return shared;
}

SudaHostShared *
_suda_host_shared_ref (SudaHostShared *shared)
{
  g_atomic_ref_count_inc (&shared->ref);
  return shared;
}

void
_suda_host_shared_unref (SudaHostShared *shared)
{
  SUDA_TSAN_RELEASE (shared);
  if (!g_atomic_ref_count_dec (&shared->ref))
    return;
  SUDA_TSAN_ACQUIRE (shared);
  g_assert (shared->server == NULL);
  for (guint i = 0; i < shared->ring_len; i++)
    g_object_unref (shared->ring[(shared->ring_start + i) % shared->ring_size]);
  g_free (shared->ring);
  g_queue_clear_full (&shared->events, (GDestroyNotify) _suda_host_event_free);
  g_ptr_array_unref (shared->watched);
  g_main_loop_unref (shared->loop);
  g_main_context_unref (shared->context);
  g_main_context_unref (shared->owner_context);
  g_weak_ref_clear (&shared->host);
  g_mutex_clear (&shared->lock);
  g_free (shared);
}

void
_suda_host_event_free (SudaHostEvent *event)
{
  g_free (event->address);
  g_free (event->web_url);
  g_free (event->tls_fingerprint);
  g_free (event->nick);
  g_free (event->channels);
  g_clear_pointer (&event->started_at, g_date_time_unref);
  g_clear_pointer (&event->connected_at, g_date_time_unref);
  g_clear_pointer (&event->cluster, suda_cluster_status_free);
  /* an answer nobody drained still ends its task */
  if (event->task != NULL)
    g_task_return_new_error (event->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("The server console went away"));
  g_clear_object (&event->task);
  g_clear_error (&event->error);
  g_clear_pointer (&event->value, g_variant_unref);
  g_free (event);
}

void
_suda_host_command_free (SudaHostCommand *command)
{
  if (command->task != NULL)
    g_task_return_new_error (command->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("The server console went away"));
  g_clear_object (&command->task);
  g_clear_pointer (&command->config, suda_server_config_free);
  g_free (command->nick);
  g_free (command->reason);
  if (command->destroy != NULL)
    command->destroy (command->data);
  _suda_host_shared_unref (command->shared);
  g_free (command);
}

/* The queue, on either side of the boundary ---------------------------------- */

static gboolean
drain_cb (gpointer data)
{
  _suda_host_drain (data);
  return G_SOURCE_REMOVE;
}

/* Under a stream of events the window takes them in batches, never one
 * by one: state changes, users and answers at most once a frame, log
 * entries at most once an interval (what drawing a batch costs).  A drain
 * due sooner than the one pending is scheduled too; the later one then
 * finds little or nothing.  Above GTK's redraw (120) but below I/O: a
 * window slow to draw must not starve the drain, and spaced as they are,
 * drains cannot starve drawing either.  Below the live log's scroll to
 * its end (an idle at 100, queued as the list lays itself out), so a new
 * batch never lands between the layout and that scroll. */
void
_suda_host_wake_locked (SudaHostShared *shared,
                        gint64          interval)
{
  gint64 now = g_get_monotonic_time ();
  gint64 due = MAX (now, shared->last_drain + interval);
  GSource *source;

  if (shared->wake_due != 0 && shared->wake_due <= due)
    return;
  /* one drain pending at most: a sooner one replaces a later one */
  _suda_host_unwake_locked (shared);
  shared->wake_due = due;
  source = due > now ? g_timeout_source_new ((guint) ((due - now + 999) / 1000)) : g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH_IDLE + 10);
  g_source_set_callback (source, drain_cb, _suda_host_shared_ref (shared),
                         (GDestroyNotify) _suda_host_shared_unref);
  g_source_set_static_name (source, "[suda] console drain");
  g_source_attach (source, shared->owner_context);
  shared->wake_source = source;
}

/* With the lock held: no drain pending any more. */
void
_suda_host_unwake_locked (SudaHostShared *shared)
{
  if (shared->wake_source != NULL)
    {
      g_source_destroy (shared->wake_source);
      g_clear_pointer (&shared->wake_source, g_source_unref);
    }
  shared->wake_due = 0;
}

void
_suda_host_push_event (SudaHostShared *shared,
                       SudaHostEvent  *event)
{
  _suda_host_lock (shared);
  g_queue_push_tail (&shared->events, event);
  _suda_host_wake_locked (shared, SUDA_HOST_FRAME);
  _suda_host_unlock (shared);
}

/* The ring keeps the newest entries only: if the window falls a ring
 * behind, the oldest go (they are in the log file) and memory stays put. */
static void
push_log_entry (SudaHostShared *shared,
                SudaLogEntry   *entry)
{
  gint64 now = g_get_monotonic_time ();
  gboolean after_quiet;

  _suda_host_lock (shared);
  /* a lone entry (the first after a silence) shows at once: waiting out
   * the interval only pays when more are coming */
  after_quiet = shared->last_logged == 0 || now - shared->last_logged >= shared->quiet;
  shared->last_logged = now;
  if (shared->ring_len == shared->ring_size)
    {
      g_object_unref (shared->ring[shared->ring_start]);
      shared->ring_start = (shared->ring_start + 1) % shared->ring_size;
      shared->ring_len--;
    }
  shared->ring[(shared->ring_start + shared->ring_len++) % shared->ring_size] = g_object_ref (entry);
  shared->n_logged++;
  /* a hidden live log costs the GTK thread nothing: the ring waits */
  if (!shared->log_paused)
    _suda_host_wake_locked (shared, after_quiet ? 0 : shared->interval);
  _suda_host_unlock (shared);
}

/* The server, on its thread ------------------------------------------------ */

static void
push_state (SudaHostShared *shared)
{
  SudaHostEvent *event = g_new0 (SudaHostEvent, 1);
  SudaServer *server = shared->server;
  GDateTime *started_at = server ? suda_server_get_started_at (server) : NULL;

  event->kind = SUDA_HOST_EVENT_STATE;
  if (server != NULL)
    {
      event->running = suda_server_get_running (server);
      event->log_failing = suda_server_get_log_failing (server);
      event->port = suda_server_get_port (server);
      event->address = suda_server_dup_address (server);
      event->web_url = suda_server_dup_web_url (server);
      event->tls_fingerprint = g_strdup (suda_server_get_tls_fingerprint (server));
    }
  event->started_at = started_at ? g_date_time_ref (started_at) : NULL;
  _suda_host_push_event (shared, event);
}

static void
push_reply (SudaHostShared  *shared,
            SudaHostCommand *command,
            GError          *error)
{
  SudaHostEvent *event = g_new0 (SudaHostEvent, 1);

  event->kind = SUDA_HOST_EVENT_REPLY;
  event->task = g_steal_pointer (&command->task);
  event->error = error;
  _suda_host_push_event (shared, event);
}

/* [cluster]: the window keeps the last one, NULL (none) when stopped. */
static void
push_cluster (SudaHostShared *shared)
{
  SudaHostEvent *event = g_new0 (SudaHostEvent, 1);

  event->kind = SUDA_HOST_EVENT_CLUSTER;
  event->cluster = shared->server ? suda_server_dup_cluster_status (shared->server) : NULL;
  _suda_host_push_event (shared, event);
}

static gboolean
cluster_tick_cb (gpointer data)
{
  push_cluster (data);
  return G_SOURCE_CONTINUE;
}

/* The timer is the server context's, not the default one. */
static void
watch_cluster (SudaHostShared *shared,
               gboolean        on)
{
  if (shared->cluster_tick != NULL)
    {
      g_source_destroy (shared->cluster_tick);
      g_clear_pointer (&shared->cluster_tick, g_source_unref);
    }
  if (!on)
    return;
  push_cluster (shared);
  shared->cluster_tick = g_timeout_source_new (SUDA_HOST_CLUSTER_EVERY);
  g_source_set_callback (shared->cluster_tick, cluster_tick_cb, shared, NULL);
  g_source_set_static_name (shared->cluster_tick, "[suda] console cluster");
  g_source_attach (shared->cluster_tick, shared->context);
}

/* A session shows on the Users page from its registration on. */
static void
push_user (SudaHostShared *shared,
           SudaSession    *session)
{
  SudaHostEvent *event;

  if (!suda_session_get_registered (session))
    return;
  event = g_new0 (SudaHostEvent, 1);
  event->kind = SUDA_HOST_EVENT_USER;
  event->user_id = GPOINTER_TO_SIZE (g_object_get_qdata (G_OBJECT (session), user_id_quark));
  event->nick = g_strdup (suda_session_get_nick (session));
  event->address = g_strdup (suda_session_get_address (session));
  event->channels = suda_session_dup_channels (session);
  event->connected_at = g_date_time_ref (suda_session_get_connected_at (session));
  _suda_host_push_event (shared, event);
}

static void
on_session_notify (SudaSession    *session,
                   GParamSpec     *pspec,
                   SudaHostShared *shared)
{
  push_user (shared, session);
}

static void
watch_session (SudaHostShared *shared,
               SudaSession    *session)
{
  g_object_set_qdata (G_OBJECT (session), user_id_quark, GSIZE_TO_POINTER (++shared->next_user_id));
  g_signal_connect (session, "notify::registered", G_CALLBACK (on_session_notify), shared);
  g_signal_connect (session, "notify::nick", G_CALLBACK (on_session_notify), shared);
  g_signal_connect (session, "notify::channels", G_CALLBACK (on_session_notify), shared);
  push_user (shared, session);
}

static void
unwatch_session (SudaHostShared *shared,
                 SudaSession    *session)
{
  SudaHostEvent *event = g_new0 (SudaHostEvent, 1);

  g_signal_handlers_disconnect_by_data (session, shared);
  event->kind = SUDA_HOST_EVENT_USER_GONE;
  event->user_id = GPOINTER_TO_SIZE (g_object_get_qdata (G_OBJECT (session), user_id_quark));
  _suda_host_push_event (shared, event);
}

/* WATCHED mirrors the server's list, so a removal names its sessions. */
static void
on_sessions_changed (GListModel     *sessions,
                     guint           position,
                     guint           removed,
                     guint           added,
                     SudaHostShared *shared)
{
  for (guint i = 0; i < removed; i++)
    unwatch_session (shared, g_ptr_array_index (shared->watched, position + i));
  g_ptr_array_remove_range (shared->watched, position, removed);
  for (guint i = 0; i < added; i++)
    {
      SudaSession *session = g_list_model_get_item (sessions, position + i);

      g_ptr_array_insert (shared->watched, (gint) (position + i), session);
      watch_session (shared, session);
    }
}

static void
on_log_entry (SudaServer     *server,
              SudaLogEntry   *entry,
              SudaHostShared *shared)
{
  push_log_entry (shared, entry);
}

static void
on_running_changed (SudaServer     *server,
                    GParamSpec     *pspec,
                    SudaHostShared *shared)
{
  push_state (shared);
  push_cluster (shared);
  if (!suda_server_get_running (server) && shared->quit_when_stopped)
    g_main_loop_quit (shared->loop);
}

static void
on_state_notify (SudaHostShared *shared)
{
  push_state (shared);
}

static void
on_cluster_changed (SudaHostShared *shared)
{
  push_cluster (shared);
}

static void
forget_server (SudaHostShared *shared)
{
  SudaServer *server = g_steal_pointer (&shared->server);

  if (server == NULL)
    return;
  g_signal_handlers_disconnect_by_data (suda_server_get_sessions (server), shared);
  while (shared->watched->len > 0)
    {
      unwatch_session (shared, g_ptr_array_index (shared->watched, shared->watched->len - 1));
      g_ptr_array_remove_index (shared->watched, shared->watched->len - 1);
    }
  g_signal_handlers_disconnect_by_data (server, shared);
  /* a server still running finishes its stop at once as it goes */
  g_object_unref (server);
}

static void
start_server (SudaHostShared  *shared,
              SudaHostCommand *command)
{
  GError *error = NULL;

  forget_server (shared);
  shared->server = suda_server_new (command->config);
  g_signal_connect (shared->server, "log-entry", G_CALLBACK (on_log_entry), shared);
  g_signal_connect (shared->server, "notify::running", G_CALLBACK (on_running_changed), shared);
  g_signal_connect_swapped (shared->server, "notify::log-failing",
                            G_CALLBACK (on_state_notify), shared);
  g_signal_connect_swapped (shared->server, "notify::tls-fingerprint",
                            G_CALLBACK (on_state_notify), shared);
  g_signal_connect_swapped (shared->server, "cluster-changed",
                            G_CALLBACK (on_cluster_changed), shared);
  g_signal_connect (suda_server_get_sessions (shared->server), "items-changed",
                    G_CALLBACK (on_sessions_changed), shared);
  if (!suda_server_start (shared->server, &error))
    forget_server (shared);
  push_state (shared);
  push_cluster (shared);
  push_reply (shared, command, error);
}

static void
act_on_user (SudaHostShared  *shared,
             SudaHostCommand *command)
{
  GError *error = NULL;

  if (shared->server == NULL || !suda_server_get_running (shared->server))
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("The server is not running"));
  else if (command->kind == SUDA_HOST_KICK)
    suda_server_kick (shared->server, command->nick, command->reason, &error);
  else
    suda_server_disconnect (shared->server, command->nick, command->reason, &error);
  push_reply (shared, command, error);
}

struct _SudaServerHostReply
{
  SudaHostShared *shared;
  GTask          *task;
};

/* The task waits on this thread until FUNC's work answers. */
static void
call_server (SudaHostShared  *shared,
             SudaHostCommand *command)
{
  SudaServerHostReply *reply;

  if (shared->server == NULL || !suda_server_get_running (shared->server))
    {
      push_reply (shared, command, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                                        _("The server is not running")));
      return;
    }
  reply = g_new0 (SudaServerHostReply, 1);
  reply->shared = _suda_host_shared_ref (shared);
  reply->task = g_steal_pointer (&command->task);
  command->call (shared->server, command->data, reply);
}

/* On the server thread: a call with no VALUE answers "()". */
void
suda_server_host_reply (SudaServerHostReply *reply,
                        GVariant            *value,
                        GError              *error)
{
  SudaHostEvent *event = g_new0 (SudaHostEvent, 1);

  event->kind = SUDA_HOST_EVENT_REPLY;
  event->task = g_steal_pointer (&reply->task);
  event->error = error;
  if (error == NULL)
    event->value = g_variant_ref_sink (value ? value : g_variant_new ("()"));
  else if (value != NULL)
    g_variant_unref (g_variant_ref_sink (value));
  _suda_host_push_event (reply->shared, event);
  _suda_host_shared_unref (reply->shared);
  g_free (reply);
}

static void
shut_down (SudaHostShared  *shared,
           SudaHostCommand *command)
{
  shared->quit_when_stopped = TRUE;
  if (shared->server != NULL && suda_server_get_running (shared->server))
    suda_server_stop (shared->server, command->reason);
  else
    g_main_loop_quit (shared->loop);
}

static gboolean
run_command (gpointer data)
{
  SudaHostCommand *command = data;
  SudaHostShared *shared;

  SUDA_TSAN_ACQUIRE (command);
  shared = command->shared;
  switch (command->kind)
    {
    case SUDA_HOST_START:
      start_server (shared, command);
      break;
    case SUDA_HOST_STOP:
      if (shared->server != NULL && suda_server_get_running (shared->server))
        suda_server_stop (shared->server, command->reason);
      break;
    case SUDA_HOST_KICK:
    case SUDA_HOST_DISCONNECT:
      act_on_user (shared, command);
      break;
    case SUDA_HOST_INVOKE:
      command->func (shared->server, command->data);
      break;
    case SUDA_HOST_SHUT_DOWN:
      shut_down (shared, command);
      break;
    case SUDA_HOST_WATCH_CLUSTER:
      watch_cluster (shared, command->on);
      break;
    case SUDA_HOST_CALL:
      call_server (shared, command);
      break;
    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_REMOVE;
}

/* From the GTK thread: the command runs in the server's context. */
void
_suda_host_send (SudaHostShared  *shared,
                 SudaHostCommand *command)
{
  command->shared = _suda_host_shared_ref (shared);
  SUDA_TSAN_RELEASE (command);
  g_main_context_invoke_full (shared->context, G_PRIORITY_DEFAULT, run_command,
                              command, (GDestroyNotify) _suda_host_command_free);
}

static gpointer
thread_main (gpointer data)
{
  SudaHostShared *shared = data;

  g_main_context_push_thread_default (shared->context);
  g_main_loop_run (shared->loop);
  watch_cluster (shared, FALSE);
  forget_server (shared);
  g_main_context_pop_thread_default (shared->context);
  _suda_host_shared_unref (shared);
  return NULL;
}

GThread *
_suda_host_thread_spawn (SudaHostShared *shared)
{
  if (user_id_quark == 0)
    user_id_quark = g_quark_from_static_string ("suda-console-user-id");
  return g_thread_new ("suda-server", thread_main, _suda_host_shared_ref (shared));
}
