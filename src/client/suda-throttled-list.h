/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SUDA_TYPE_THROTTLED_LIST (suda_throttled_list_get_type ())

G_DECLARE_FINAL_TYPE (SudaThrottledList, suda_throttled_list, SUDA, THROTTLED_LIST, GObject)

/* A GListModel that shows another one, but passes items appended at its
 * end on at most once per interval.  A flood of messages then costs the
 * view a few layouts a second instead of one per batch; any other change
 * goes through at once. */
SudaThrottledList *suda_throttled_list_new          (GListModel        *model,
                                                     guint              interval_ms);
GListModel        *suda_throttled_list_get_model    (SudaThrottledList *self);
void               suda_throttled_list_flush        (SudaThrottledList *self);

G_END_DECLS
