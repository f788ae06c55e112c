/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void _suda_console_file_chooser_store_path (GSettings  *settings,
                                            const char *key,
                                            int         response,
                                            GFile      *chosen);

G_END_DECLS
