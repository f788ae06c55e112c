/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server core's timers and idles.  GLib's g_timeout_add() and friends
 * attach to the global default context, which in the console belongs to
 * GTK; the core instead attaches everything to the thread-default context
 * of the thread running it: the console's server thread pushes its own,
 * and the daemon, pushing none, gets the global default as before.  Ids
 * from here are only found in that context, so they are removed here too
 * (g_source_remove() would look in the global one). */
#include "config.h"

#include "suda-server-private.h"

guint
_suda_source_attach (GSource *source)
{
  return g_source_attach (source, g_main_context_get_thread_default ());
}

static guint
attach_and_drop (GSource        *source,
                 gint            priority,
                 GSourceFunc     func,
                 gpointer        data,
                 GDestroyNotify  notify)
{
  guint id;

  g_source_set_priority (source, priority);
  g_source_set_callback (source, func, data, notify);
  id = _suda_source_attach (source);
  g_source_unref (source);
  return id;
}

guint
_suda_timeout_add_full (gint            priority,
                        guint           interval_ms,
                        GSourceFunc     func,
                        gpointer        data,
                        GDestroyNotify  notify)
{
  return attach_and_drop (g_timeout_source_new (interval_ms), priority, func, data, notify);
}

guint
_suda_timeout_add (guint       interval_ms,
                   GSourceFunc func,
                   gpointer    data)
{
  return _suda_timeout_add_full (G_PRIORITY_DEFAULT, interval_ms, func, data, NULL);
}

guint
_suda_timeout_add_seconds (guint       interval_s,
                           GSourceFunc func,
                           gpointer    data)
{
  return attach_and_drop (g_timeout_source_new_seconds (interval_s), G_PRIORITY_DEFAULT,
                          func, data, NULL);
}

guint
_suda_idle_add_full (gint            priority,
                     GSourceFunc     func,
                     gpointer        data,
                     GDestroyNotify  notify)
{
  return attach_and_drop (g_idle_source_new (), priority, func, data, notify);
}

static GSource *
find_source (guint id)
{
  GMainContext *context = g_main_context_get_thread_default ();

  return g_main_context_find_source_by_id (context ? context : g_main_context_default (), id);
}

void
_suda_source_remove (guint id)
{
  GSource *source = find_source (id);

  g_return_if_fail (source != NULL);
  g_source_destroy (source);
}

void
_suda_source_set_name (guint       id,
                       const char *name)
{
  GSource *source = find_source (id);

  if (source != NULL)
    g_source_set_name (source, name);
}
