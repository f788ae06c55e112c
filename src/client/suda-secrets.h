/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void      suda_secrets_store_async   (const char           *server,
                                      const char           *account,
                                      const char           *password,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean  suda_secrets_store_finish  (GAsyncResult         *result,
                                      GError              **error);
void      suda_secrets_lookup_async  (const char           *server,
                                      const char           *account,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
char     *suda_secrets_lookup_finish (GAsyncResult         *result,
                                      GError              **error);
void      suda_secrets_clear_async   (const char           *server,
                                      const char           *account,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean  suda_secrets_clear_finish  (GAsyncResult         *result,
                                      GError              **error);

G_END_DECLS
