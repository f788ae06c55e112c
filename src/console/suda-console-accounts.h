/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "suda-server-host.h"

G_BEGIN_DECLS

#define SUDA_TYPE_CONSOLE_ACCOUNTS (suda_console_accounts_get_type ())

G_DECLARE_FINAL_TYPE (SudaConsoleAccounts, suda_console_accounts, SUDA, CONSOLE_ACCOUNTS, GtkBox)

/* The console's Accounts page: the server's account store (SQLite, the
 * same file the server uses; WAL lets both have it open), listed with
 * name, created, last seen and operator, and the teacher's ways to change
 * it: add, reset a password, delete, import a class from CSV
 * (name,password a line).  Password hashing runs off the GTK thread
 * (the store's async calls).  Actions, for buttons and tests alike:
 *   accounts.add (ss) NAME PASSWORD        accounts.reset-password (ss)
 *   accounts.delete (s) NAME               accounts.import-csv (s) TEXT
 * and accounts.add-dialog, accounts.reset-selected, accounts.delete-selected,
 * accounts.import-file, which ask first.  "busy" counts jobs under way. */
GtkWidget  *suda_console_accounts_new       (void);
gboolean    suda_console_accounts_open      (SudaConsoleAccounts *self,
                                             const char          *path,
                                             GError             **error);
const char *suda_console_accounts_get_path  (SudaConsoleAccounts *self);
GListModel *suda_console_accounts_get_names (SudaConsoleAccounts *self);
guint       suda_console_accounts_get_busy  (SudaConsoleAccounts *self);
/* While HOST's server runs, changes are made by it, in its store, so that
 * [cluster] claims new names and tells the other servers; stopped, they
 * are made in the file directly. */
void        suda_console_accounts_set_host  (SudaConsoleAccounts *self,
                                             SudaServerHost      *host);

G_END_DECLS
