/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "suda-server-config.h"

G_BEGIN_DECLS

#define SUDA_TYPE_CONSOLE_JOIN_WINDOW (suda_console_join_window_get_type ())

G_DECLARE_FINAL_TYPE (SudaConsoleJoinWindow, suda_console_join_window, SUDA, CONSOLE_JOIN_WINDOW, AdwWindow)

/* The web page's URL large and as a QR code, to put on a projector: a
 * class joins by pointing phones at it.  NULL with ERROR set when URL
 * cannot be made a QR code. */
SudaConsoleJoinWindow *suda_console_join_window_new          (GtkWindow              *parent,
                                                              const char             *url,
                                                              GError                **error);
/* Below it, the invite links for IRC apps (the Suda client opens them):
 * irc://HOST:PORT/#room (ircs:// with TLS) for each address of the
 * machine CONFIG's server listens on, and for its NAME.local; each with a
 * copy button, and shown large as a QR code when clicked.  PORT and
 * TLS_PORT: the running server's (0: none). */
void                   suda_console_join_window_add_invites  (SudaConsoleJoinWindow  *self,
                                                              const SudaServerConfig *config,
                                                              guint16                 port,
                                                              guint16                 tls_port);
/* The code shown and the text it holds. */
GdkTexture            *suda_console_join_window_get_code     (SudaConsoleJoinWindow *self);
const char            *suda_console_join_window_get_shown    (SudaConsoleJoinWindow *self);
/* Full screen, for the projector (join.toggle-fullscreen, F11; Escape
 * leaves it): as asked, until the window manager says otherwise. */
gboolean               suda_console_join_window_get_full_screen (SudaConsoleJoinWindow *self);
/* Every address the window offers, the web page's first. */
GStrv                  suda_console_join_window_dup_links    (SudaConsoleJoinWindow *self);

G_END_DECLS
