/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SUDA_TLS_SELF_SIGNED_DAYS 3650

gboolean suda_tls_create_self_signed (const char  *certificate_path,
                                      const char  *key_path,
                                      const char  *host_name,
                                      GError     **error);

G_END_DECLS
