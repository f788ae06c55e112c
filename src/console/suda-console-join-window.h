/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SUDA_TYPE_CONSOLE_JOIN_WINDOW (suda_console_join_window_get_type ())

G_DECLARE_FINAL_TYPE (SudaConsoleJoinWindow, suda_console_join_window, SUDA, CONSOLE_JOIN_WINDOW, AdwWindow)

/* The web page's URL large and as a QR code, to put on a projector: a
 * class joins by pointing phones at it.  NULL with ERROR set when URL
 * cannot be made a QR code. */
SudaConsoleJoinWindow *suda_console_join_window_new     (GtkWindow              *parent,
                                                         const char             *url,
                                                         GError                **error);
GdkTexture            *suda_console_join_window_get_code (SudaConsoleJoinWindow *self);

G_END_DECLS
