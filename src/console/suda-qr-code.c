/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A QR code as a texture, for the console's "Join from a phone" window. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <qrencode.h>

#include "suda-qr-code.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QRcode, QRcode_free)

#define QUIET_ZONE 4   /* modules of white around the code (ISO/IEC 18004) */

GdkTexture *
suda_qr_code_new_texture (const char  *text,
                          guint        module_px,
                          GError     **error)
{
  g_autoptr(QRcode) code = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  gsize side, stride;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (module_px > 0, NULL);

  code = *text != '\0' ? QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M) : NULL;
  if (code == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” cannot be shown as a QR code"), text);
      return NULL;
    }
  side = ((gsize) code->width + 2 * QUIET_ZONE) * module_px;
  stride = side * 3;
  pixels = g_malloc (stride * side);
  memset (pixels, 0xff, stride * side);
  /* Bit 0 of each of libqrencode's bytes says whether the module is dark. */
  for (int y = 0; y < code->width; y++)
    for (int x = 0; x < code->width; x++)
      if (code->data[y * code->width + x] & 1)
        for (guint dy = 0; dy < module_px; dy++)
          memset (pixels + ((QUIET_ZONE + y) * module_px + dy) * stride + (QUIET_ZONE + x) * module_px * 3,
                  0, module_px * 3);
  bytes = g_bytes_new_take (pixels, stride * side);
  return gdk_memory_texture_new ((int) side, (int) side, GDK_MEMORY_R8G8B8, bytes, stride);
}
