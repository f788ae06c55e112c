/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One epoll set per main context for the clear-text sockets: GLib's poll()
 * walks every source's fd at every main-loop iteration (1000 members cost
 * the kernel 1000 sock_poll() calls, and GLib its prepare and check, each
 * time), where epoll_wait() costs only what is ready.  The set is one fd
 * among the context's own, and goes with its last watch. */
#include "config.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "suda-server-private.h"

/* Events taken per dispatch; more wait (level-triggered) for the next. */
#define MAX_EVENTS 256

typedef struct
{
  GSource       source;
  GMainContext *context;
  int           epfd;
  gpointer      tag;        /* the epoll fd's, in the context */
  guint         n_watches;
  guint64       next_serial;
  gboolean      dispatching;
  GPtrArray    *dropped;    /* watches let go of during a dispatch */
} SudaPoller;

struct _SudaPollWatch
{
  SudaPoller   *poller;
  SudaPollFunc  func;       /* NULL once let go of */
  gpointer      data;
  int           fd;
  GIOCondition  condition;  /* G_IO_IN and/or G_IO_OUT, as in the set */
  guint64       serial;     /* the order watches were made in */
};

/* The pollers of the main contexts that have one. */
static GMutex pollers_lock;
static GHashTable *pollers;

static int
compare_events (const void *a,
                const void *b)
{
  const SudaPollWatch *wa = ((const struct epoll_event *) a)->data.ptr;
  const SudaPollWatch *wb = ((const struct epoll_event *) b)->data.ptr;

  return wa->serial < wb->serial ? -1 : wa->serial > wb->serial;
}

static gboolean
poller_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  SudaPoller *self = (SudaPoller *) source;
  struct epoll_event events[MAX_EVENTS];
  int n;

  if (!(g_source_query_unix_fd (source, self->tag) & G_IO_IN))
    return G_SOURCE_CONTINUE;
  n = epoll_wait (self->epfd, events, MAX_EVENTS, 0);
  /* Oldest connection first, as GLib's sources were: epoll's order
   * follows when each became ready, and two peers that spoke at once
   * would be handled either way. */
  if (n > 1)
    qsort (events, (gsize) n, sizeof events[0], compare_events);
  self->dispatching = TRUE;
  for (int i = 0; i < n; i++)
    {
      SudaPollWatch *watch = events[i].data.ptr;
      guint32 got = events[i].events;

      /* A peer gone or in error wakes whatever is watched, as with
       * poll(): the read or write that follows says what happened. */
      if (watch->func != NULL && (watch->condition & G_IO_IN) &&
          (got & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        watch->func (watch->data, G_IO_IN);
      if (watch->func != NULL && (watch->condition & G_IO_OUT) &&
          (got & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
        {
          /* G_IO_OUT is one-shot, as the transports have it. */
          _suda_poll_watch_set (watch, watch->condition & ~G_IO_OUT);
          watch->func (watch->data, G_IO_OUT);
        }
    }
  self->dispatching = FALSE;
  g_ptr_array_set_size (self->dropped, 0);
  return G_SOURCE_CONTINUE;
}

static void
poller_finalize (GSource *source)
{
  SudaPoller *self = (SudaPoller *) source;

  g_ptr_array_unref (self->dropped);
  if (self->epfd >= 0)
    close (self->epfd);
}

static GSourceFuncs poller_funcs = {
  .dispatch = poller_dispatch,
  .finalize = poller_finalize,
};

static SudaPoller *
poller_get (void)
{
  GMainContext *context = g_main_context_get_thread_default ();
  SudaPoller *self;

  if (context == NULL)
    context = g_main_context_default ();
  g_mutex_lock (&pollers_lock);
  if (pollers == NULL)
    pollers = g_hash_table_new (NULL, NULL);
  self = g_hash_table_lookup (pollers, context);
  if (self == NULL)
    {
      self = (SudaPoller *) g_source_new (&poller_funcs, sizeof (SudaPoller));
      self->context = context;
      self->epfd = epoll_create1 (EPOLL_CLOEXEC);
      if (self->epfd < 0)
        g_error ("epoll_create1: %s", g_strerror (errno));
      self->dropped = g_ptr_array_new_with_free_func (g_free);
      self->tag = g_source_add_unix_fd (&self->source, self->epfd, G_IO_IN);
      g_source_set_static_name (&self->source, "suda-poller");
      g_source_attach (&self->source, context);
      g_hash_table_insert (pollers, context, self);
    }
  self->n_watches++;
  g_mutex_unlock (&pollers_lock);
  return self;
}

static void
poller_release (SudaPoller *self)
{
  g_mutex_lock (&pollers_lock);
  if (--self->n_watches == 0)
    {
      g_hash_table_remove (pollers, self->context);
      /* In its own dispatch, GLib holds it until that returns. */
      g_source_destroy (&self->source);
      g_source_unref (&self->source);
    }
  g_mutex_unlock (&pollers_lock);
}

/* FD in the thread-default main context's set, watching nothing yet. */
SudaPollWatch *
_suda_poll_watch_new (int           fd,
                      SudaPollFunc  func,
                      gpointer      data)
{
  SudaPollWatch *self = g_new0 (SudaPollWatch, 1);

  self->poller = poller_get ();
  self->serial = self->poller->next_serial++;
  self->fd = fd;
  self->func = func;
  self->data = data;
  return self;
}

/* Watches CONDITION (G_IO_IN, G_IO_OUT, both or 0) from now on. */
void
_suda_poll_watch_set (SudaPollWatch *self,
                      GIOCondition   condition)
{
  struct epoll_event event = { 0 };
  int op;

  condition &= G_IO_IN | G_IO_OUT;
  if (condition == self->condition)
    return;
  event.data.ptr = self;
  event.events = ((condition & G_IO_IN) ? EPOLLIN : 0) | ((condition & G_IO_OUT) ? EPOLLOUT : 0);
  /* Out of the set while nothing is watched: a peer's hang-up would
   * otherwise be reported again and again. */
  op = self->condition == 0 ? EPOLL_CTL_ADD : condition == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
  /* A closed fd has left the set by itself. */
  if (epoll_ctl (self->poller->epfd, op, self->fd, &event) < 0 &&
      !(op == EPOLL_CTL_DEL && (errno == EBADF || errno == ENOENT)))
    g_critical ("epoll_ctl (%d, fd %d): %s", op, self->fd, g_strerror (errno));
  self->condition = condition;
}

/* Out of the set; the fd is the caller's to close, after this. */
void
_suda_poll_watch_free (SudaPollWatch *self)
{
  SudaPoller *poller;

  if (self == NULL)
    return;
  poller = self->poller;
  _suda_poll_watch_set (self, 0);
  self->func = NULL;
  /* Events of this dispatch may still point at it. */
  if (poller->dispatching)
    g_ptr_array_add (poller->dropped, self);
  else
    g_free (self);
  poller_release (poller);
}
