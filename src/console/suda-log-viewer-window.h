/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "suda-log-model.h"

G_BEGIN_DECLS

#define SUDA_TYPE_LOG_VIEWER_WINDOW (suda_log_viewer_window_get_type ())

G_DECLARE_FINAL_TYPE (SudaLogViewerWindow, suda_log_viewer_window, SUDA, LOG_VIEWER_WINDOW, AdwApplicationWindow)

SudaLogViewerWindow *suda_log_viewer_window_new       (GtkApplication      *application);
gboolean             suda_log_viewer_window_open      (SudaLogViewerWindow *self,
                                                       GFile               *file);
SudaLogModel        *suda_log_viewer_window_get_model (SudaLogViewerWindow *self);

G_END_DECLS
