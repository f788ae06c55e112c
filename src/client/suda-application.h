/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SUDA_TYPE_APPLICATION (suda_application_get_type ())

G_DECLARE_FINAL_TYPE (SudaApplication, suda_application, SUDA, APPLICATION, AdwApplication)

SudaApplication *suda_application_new         (void);
GListModel      *suda_application_get_servers (SudaApplication  *self);
gboolean         suda_parse_irc_uri           (const char       *uri,
                                               char            **host,
                                               guint16          *port,
                                               char            **room,
                                               GError          **error);
gboolean         suda_irc_uri_is_tls          (const char       *uri);

G_END_DECLS
