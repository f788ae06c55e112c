/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "suda-server-host.h"

G_BEGIN_DECLS

/* The console serves the web page on this port unless its configuration
 * file says otherwise (the daemon keeps the page off). */
#define SUDA_CONSOLE_WEB_PORT "8080"

#define SUDA_TYPE_CONSOLE_WINDOW (suda_console_window_get_type ())

G_DECLARE_FINAL_TYPE (SudaConsoleWindow, suda_console_window, SUDA, CONSOLE_WINDOW, AdwApplicationWindow)

/* The live log keeps this many rows; older ones are in the log file. */
#define SUDA_CONSOLE_LIVE_LOG_ROWS 5000

/* Actions: win.start, win.stop, win.kick-user and win.disconnect-user
 * ("(ss)": nick, reason), win.kick-selected and win.disconnect-selected
 * (ask for a reason first), win.choose-log-file, win.reset-log-file,
 * win.view-server-log, win.preferences. */

SudaConsoleWindow *suda_console_window_new                (GtkApplication    *application);
SudaServerHost    *suda_console_window_get_host           (SudaConsoleWindow *self);
GListModel        *suda_console_window_get_log            (SudaConsoleWindow *self);
void               suda_console_window_set_port           (SudaConsoleWindow *self,
                                                           guint              port);
void               suda_console_window_set_listen_address (SudaConsoleWindow *self,
                                                           const char        *address);
void               suda_console_window_set_base_config    (SudaConsoleWindow *self,
                                                           const SudaServerConfig *config);

G_END_DECLS
