/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A client window under Xvfb beside a real server on 127.0.0.1, for the
 * window's tests: opened painted, its template children, and connected. */
#pragma once

#include "suda-server.h"
#include "suda-window.h"

G_BEGIN_DECLS

typedef struct {
  SudaServer *server;
  GSettings  *settings;
  SudaWindow *window;
} SudaTestWindow;

void        suda_test_window_open    (SudaTestWindow *f,
                                      int             width);
void        suda_test_window_close   (SudaTestWindow *f);
void        suda_test_window_open_on (SudaTestWindow *f,
                                      int             width,
                                      SudaServer     *server);
gpointer    suda_test_window_child   (SudaTestWindow *f,
                                      const char     *name);
void        suda_test_window_connect (SudaTestWindow *f,
                                      const char     *nick);

G_END_DECLS
