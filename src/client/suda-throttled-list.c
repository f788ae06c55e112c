/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-throttled-list.h"

struct _SudaThrottledList
{
  GObject     parent_instance;

  GListModel *model;
  guint       interval_ms;
  guint       n_shown;      /* the items of model passed on so far */
  gint64      last_flush;   /* monotonic µs */
  guint       flush_id;
};

static GType
suda_throttled_list_get_item_type (GListModel *list)
{
  return g_list_model_get_item_type (SUDA_THROTTLED_LIST (list)->model);
}

static guint
suda_throttled_list_get_n_items (GListModel *list)
{
  return SUDA_THROTTLED_LIST (list)->n_shown;
}

static gpointer
suda_throttled_list_get_item (GListModel *list,
                              guint       position)
{
  SudaThrottledList *self = SUDA_THROTTLED_LIST (list);

  if (position >= self->n_shown)
    return NULL;
  return g_list_model_get_item (self->model, position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = suda_throttled_list_get_item_type;
  iface->get_n_items = suda_throttled_list_get_n_items;
  iface->get_item = suda_throttled_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (SudaThrottledList, suda_throttled_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* Passes on everything appended since the last time. */
static void
pass_on_appended (SudaThrottledList *self,
                  guint              n_items)
{
  guint before = self->n_shown;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  self->last_flush = g_get_monotonic_time ();
  if (n_items <= before)
    return;
  self->n_shown = n_items;
  g_list_model_items_changed (G_LIST_MODEL (self), before, 0, n_items - before);
}

static gboolean
on_flush_due (gpointer user_data)
{
  SudaThrottledList *self = user_data;

  self->flush_id = 0;
  pass_on_appended (self, g_list_model_get_n_items (self->model));
  return G_SOURCE_REMOVE;
}

void
suda_throttled_list_flush (SudaThrottledList *self)
{
  g_return_if_fail (SUDA_IS_THROTTLED_LIST (self));
  pass_on_appended (self, g_list_model_get_n_items (self->model));
}

static void
on_items_changed (GListModel        *model,
                  guint              position,
                  guint              removed,
                  guint              added,
                  SudaThrottledList *self)
{
  guint n_now = g_list_model_get_n_items (model);
  guint n_before = self->n_shown;
  gint64 now, due;

  if (position >= self->n_shown)
    {
      /* Only the part not shown yet changed, usually by an append: pass
       * it on now if the last time was long enough ago, else later. */
      now = g_get_monotonic_time ();
      due = self->last_flush + (gint64) self->interval_ms * 1000;
      if (now >= due)
        pass_on_appended (self, n_now);
      else if (self->flush_id == 0)
        self->flush_id = g_timeout_add ((guint) ((due - now) / 1000) + 1, on_flush_due, self);
      return;
    }

  /* The oldest items dropped (a conversation at its history limit), older
   * history put in front, a marker line moved: the same change here, so
   * the view keeps its rows and its place. */
  if (position + removed <= n_before)
    {
      self->n_shown = n_before - removed + added;
      g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
      return;
    }
  /* A change in the shown part (a clear, say) goes through at once, with
   * whatever was held back: the items before POSITION are the same on
   * both sides, everything after it is replaced. */
  g_clear_handle_id (&self->flush_id, g_source_remove);
  self->n_shown = n_now;
  self->last_flush = g_get_monotonic_time ();
  g_list_model_items_changed (G_LIST_MODEL (self), position, n_before - position, n_now - position);
}

static void
suda_throttled_list_dispose (GObject *object)
{
  SudaThrottledList *self = SUDA_THROTTLED_LIST (object);

  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (suda_throttled_list_parent_class)->dispose (object);
}

static void
suda_throttled_list_class_init (SudaThrottledListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = suda_throttled_list_dispose;
}

static void
suda_throttled_list_init (SudaThrottledList *self)
{
}

SudaThrottledList *
suda_throttled_list_new (GListModel *model,
                         guint       interval_ms)
{
  SudaThrottledList *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  self = g_object_new (SUDA_TYPE_THROTTLED_LIST, NULL);
  self->model = g_object_ref (model);
  self->interval_ms = interval_ms;
  self->n_shown = g_list_model_get_n_items (model);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), self);
  return self;
}

GListModel *
suda_throttled_list_get_model (SudaThrottledList *self)
{
  g_return_val_if_fail (SUDA_IS_THROTTLED_LIST (self), NULL);
  return self->model;
}
