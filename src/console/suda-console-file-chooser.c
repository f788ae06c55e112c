/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-console-file-chooser.h"

/* The console's file settings (log file, API key file) are paths in
 * GSettings: a chooser's answer becomes the key's new value; a cancelled
 * chooser, or a file with no local path, changes nothing. */
void
_suda_console_file_chooser_store_path (GSettings  *settings,
                                       const char *key,
                                       int         response,
                                       GFile      *chosen)
{
  g_autofree char *path = NULL;

  if (response != GTK_RESPONSE_ACCEPT || chosen == NULL)
    return;
  path = g_file_get_path (chosen);
  if (path != NULL)
    g_settings_set_string (settings, key, path);
}
