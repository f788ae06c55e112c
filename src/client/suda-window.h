/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "suda-client.h"

G_BEGIN_DECLS

#define SUDA_TYPE_WINDOW (suda_window_get_type ())

G_DECLARE_FINAL_TYPE (SudaWindow, suda_window, SUDA, WINDOW, AdwApplicationWindow)

SudaWindow     *suda_window_new                  (GtkApplication   *application,
                                                  GSettings        *settings);
SudaClient     *suda_window_get_client           (SudaWindow       *self);
SudaClient     *suda_window_add_server           (SudaWindow       *self);
SudaConnection *suda_window_get_connection       (SudaWindow       *self);
void            suda_window_fill_form            (SudaWindow       *self,
                                                  const char       *host,
                                                  guint16           port,
                                                  const char       *nick,
                                                  const char       *room);
void            suda_window_connect              (SudaWindow       *self);
void            suda_window_set_tls              (SudaWindow       *self,
                                                  gboolean          tls);
void            suda_window_show_conversation    (SudaWindow       *self,
                                                  SudaConversation *conversation);
gboolean        suda_window_get_sticks_to_bottom (SudaWindow       *self);
void            suda_window_restore_servers      (SudaWindow       *self);
void            suda_window_open_address         (SudaWindow       *self,
                                                  const char       *host,
                                                  guint16           port,
                                                  gboolean          tls,
                                                  const char       *nick,
                                                  const char       *room);

G_END_DECLS
