/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "suda-console-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SudaConsoleApplication) app = NULL;

  /* As the daemon does: TLS 1.2 and later only, read by glib-networking
   * once, so before any thread exists; an operator's own setting wins. */
  g_setenv ("G_TLS_GNUTLS_PRIORITY", "NORMAL:%COMPAT:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1", FALSE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SUDA_LOCALEDIR") ? g_getenv ("SUDA_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = suda_console_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
