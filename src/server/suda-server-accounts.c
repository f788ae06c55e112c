/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server's account store: opened at start from [accounts] file=, kept
 * across REHASH.  A store that cannot be opened is no reason to keep a
 * class from chatting: the server runs without accounts and says so. */
#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "suda-server-private.h"

SudaAccountStore *
_suda_server_open_accounts (const SudaServerConfig  *config,
                            SudaDelivery            *delivery,
                            char                   **problem)
{
  g_autofree char *path = suda_server_config_dup_accounts_path (config);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  SudaAccountStore *store;

  /* The state folder may not exist yet on a first start; 0700, since the
   * store holds password hashes. */
  if (g_mkdir_with_parents (folder, 0700) != 0)
    g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", folder, g_strerror (errno));
  store = error ? NULL : suda_account_store_open (path, &error);
  if (store == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The account store %s could not be opened (%s): "
                                                 "the server runs without accounts"),
                                               path, error->message);

      _suda_delivery_log_event (delivery, "error", NULL, NULL, text);
      if (problem)
        *problem = g_steal_pointer (&text);
      return NULL;
    }
  return store;
}
