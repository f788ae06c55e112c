/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-live-log.h"
#include "suda-log-row.h"

struct _SudaLiveLog
{
  GObject      parent_instance;

  SudaLogRow **ring;       /* max_rows slots; rows [start, start + len) mod max */
  guint        max_rows;
  guint        start;
  guint        len;
  guint64      n_total;
};

enum {
  PROP_0,
  PROP_MAX_ROWS,
  PROP_N_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
suda_live_log_get_item_type (GListModel *model)
{
  return SUDA_TYPE_LOG_ROW;
}

static guint
suda_live_log_get_n_items (GListModel *model)
{
  return SUDA_LIVE_LOG (model)->len;
}

static gpointer
suda_live_log_get_item (GListModel *model,
                        guint       position)
{
  SudaLiveLog *self = SUDA_LIVE_LOG (model);

  if (position >= self->len)
    return NULL;
  return g_object_ref (self->ring[(self->start + position) % self->max_rows]);
}

static void
suda_live_log_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = suda_live_log_get_item_type;
  iface->get_n_items = suda_live_log_get_n_items;
  iface->get_item = suda_live_log_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (SudaLiveLog, suda_live_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, suda_live_log_list_model_init))

/* Drops the N oldest rows without telling anyone. */
static void
drop_oldest (SudaLiveLog *self,
             guint        n)
{
  for (guint i = 0; i < n; i++)
    g_clear_object (&self->ring[(self->start + i) % self->max_rows]);
  self->start = self->len == n ? 0 : (self->start + n) % self->max_rows;
  self->len -= n;
}

static void
suda_live_log_finalize (GObject *object)
{
  SudaLiveLog *self = SUDA_LIVE_LOG (object);

  drop_oldest (self, self->len);
  g_free (self->ring);

  G_OBJECT_CLASS (suda_live_log_parent_class)->finalize (object);
}

static void
suda_live_log_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SudaLiveLog *self = SUDA_LIVE_LOG (object);

  switch (prop_id)
    {
    case PROP_MAX_ROWS:
      g_value_set_uint (value, self->max_rows);
      break;
    case PROP_N_TOTAL:
      g_value_set_uint64 (value, self->n_total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_live_log_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SudaLiveLog *self = SUDA_LIVE_LOG (object);

  switch (prop_id)
    {
    case PROP_MAX_ROWS:
      self->max_rows = g_value_get_uint (value);
      self->ring = g_new0 (SudaLogRow *, self->max_rows);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_live_log_class_init (SudaLiveLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = suda_live_log_finalize;
  object_class->get_property = suda_live_log_get_property;
  object_class->set_property = suda_live_log_set_property;

  properties[PROP_MAX_ROWS] =
    g_param_spec_uint ("max-rows", NULL, NULL, 1, G_MAXUINT / 2, 5000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_TOTAL] =
    g_param_spec_uint64 ("n-total", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_live_log_init (SudaLiveLog *self)
{
}

SudaLiveLog *
suda_live_log_new (guint max_rows)
{
  return g_object_new (SUDA_TYPE_LIVE_LOG, "max-rows", max_rows, NULL);
}

/* N_SKIPPED events came before ENTRIES but were dropped on the way (more
 * than a ring's worth arrived in one frame): they only count.  Rows are
 * made for the newest max-rows entries only, so a burst costs no more
 * than one full ring. */
void
suda_live_log_append (SudaLiveLog   *self,
                      SudaLogEntry **entries,
                      guint          n_entries,
                      guint64        n_skipped)
{
  guint first, added, removed, old_len;

  g_return_if_fail (SUDA_IS_LIVE_LOG (self));
  if (n_entries == 0 && n_skipped == 0)
    return;

  first = n_entries > self->max_rows ? n_entries - self->max_rows : 0;
  added = n_entries - first;
  old_len = self->len;
  removed = 0;
  /* Rows leaving the top of a list view cost it far more than rows
   * coming at the end (it rebuilds the rows it shows), so a full log
   * drops a fifth of itself at once rather than a few rows a batch. */
  if (old_len + added > self->max_rows)
    removed = MIN (old_len, old_len + added - self->max_rows + self->max_rows / 5);
  self->n_total += n_skipped + n_entries;

  /* The model must match each signal as it is emitted: the oldest go
   * first, then the newest come, unless they replace everything. */
  drop_oldest (self, removed);
  if (removed > 0 && removed < old_len)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  for (guint i = first; i < n_entries; i++)
    self->ring[(self->start + self->len++) % self->max_rows] = suda_log_row_new_from_entry (entries[i]);
  if (removed > 0 && removed == old_len)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, added);
  else if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), self->len - added, 0, added);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
}

guint
suda_live_log_get_max_rows (SudaLiveLog *self)
{
  g_return_val_if_fail (SUDA_IS_LIVE_LOG (self), 0);
  return self->max_rows;
}

guint64
suda_live_log_get_n_total (SudaLiveLog *self)
{
  g_return_val_if_fail (SUDA_IS_LIVE_LOG (self), 0);
  return self->n_total;
}
