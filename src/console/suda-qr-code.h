/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* TEXT as a QR code (libqrencode, error correction level M): dark
 * modules on white with the four-module quiet zone scanners need, each
 * module MODULE_PX pixels square.  Always dark on light, whatever the
 * style: phone cameras read nothing else.  NULL with ERROR set when TEXT
 * cannot be encoded (empty, or too long for a QR code). */
GdkTexture *suda_qr_code_new_texture (const char  *text,
                                      guint        module_px,
                                      GError     **error);

G_END_DECLS
