/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-connection.h"

G_BEGIN_DECLS

#define SUDA_TYPE_UPLOAD (suda_upload_get_type ())

G_DECLARE_FINAL_TYPE (SudaUpload, suda_upload, SUDA, UPLOAD, GObject)

/* One file sent to CONNECTION's server (soju.im/FILEHOST): the token
 * asked for with FILEHOST TOKEN, then a POST; "progress" goes from 0 to 1
 * as the body goes out. */
SudaUpload *suda_upload_new          (SudaConnection       *connection,
                                      GBytes               *data,
                                      const char           *name);
double      suda_upload_get_progress (SudaUpload           *self);
void        suda_upload_send_async   (SudaUpload           *self,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
/* The link to the file, or NULL with ERROR set (a readable message). */
char       *suda_upload_send_finish  (SudaUpload           *self,
                                      GAsyncResult         *result,
                                      GError              **error);

G_END_DECLS
