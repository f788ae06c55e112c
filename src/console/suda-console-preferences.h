/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "suda-server-config.h"

G_BEGIN_DECLS

#define SUDA_TYPE_CONSOLE_PREFERENCES (suda_console_preferences_get_type ())

G_DECLARE_FINAL_TYPE (SudaConsolePreferences, suda_console_preferences, SUDA, CONSOLE_PREFERENCES, AdwPreferencesWindow)

/* The console's preferences: the AI search settings (the ai-* keys of
 * chat.suda.Server), TLS (tls-*) and whether the chat takes files
 * (share-files).  Actions: prefs.choose-key-file, prefs.clear-key-file,
 * prefs.choose-tls-certificate, prefs.choose-tls-key, prefs.self-signed. */

SudaConsolePreferences *suda_console_preferences_new (GtkWindow *parent);

/* Shared with the console window, which starts the server. */
gboolean  _suda_console_ai_apply_config (GSettings         *settings,
                                         SudaServerConfig  *config,
                                         GError           **error);
gboolean  _suda_console_tls_apply_config (GSettings        *settings,
                                         SudaServerConfig *config,
                                         GError          **error);
char     *_suda_console_ai_dup_status   (GSettings         *settings,
                                         gboolean          *out_ready);
void      _suda_console_config_set_defaults (SudaServerConfig *config);
void      _suda_console_files_apply_config  (GSettings        *settings,
                                             SudaServerConfig *config);

G_END_DECLS
