/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SUDA_TYPE_USER_ROW (suda_user_row_get_type ())

G_DECLARE_FINAL_TYPE (SudaUserRow, suda_user_row, SUDA, USER_ROW, GObject)

/* One registered user as the console's Users page shows it: a copy made
 * on the GTK thread from what the server thread reported, so the page
 * never touches a session.  Properties: "nick", "address", "channels"
 * (strings), "connected-at" (GDateTime), "connected-usec" (gint64, for
 * sorting). */
SudaUserRow *suda_user_row_new              (guint64      id,
                                             const char  *address,
                                             GDateTime   *connected_at);
guint64      suda_user_row_get_id           (SudaUserRow *self);
const char  *suda_user_row_get_nick         (SudaUserRow *self);
const char  *suda_user_row_get_address      (SudaUserRow *self);
const char  *suda_user_row_get_channels     (SudaUserRow *self);
GDateTime   *suda_user_row_get_connected_at (SudaUserRow *self);
void         suda_user_row_update           (SudaUserRow *self,
                                             const char  *nick,
                                             const char  *channels);

G_END_DECLS
