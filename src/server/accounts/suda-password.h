/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Both cost tens of milliseconds by design (yescrypt): call them from a
 * worker thread, never from a main loop that serves chat. */
char     *suda_password_hash   (const char  *password,
                                GError     **error);
gboolean  suda_password_verify (const char  *password,
                                const char  *hash);
void      suda_password_clear  (char        *password);

G_END_DECLS
