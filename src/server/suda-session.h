/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SUDA_TYPE_SESSION (suda_session_get_type ())

G_DECLARE_FINAL_TYPE (SudaSession, suda_session, SUDA, SESSION, GObject)

/* One client connection.  Properties: "nick" (string, NULL until
 * registered), "address" (string), "connected-at" (GDateTime),
 * "channels" (string: the rooms, space-separated), "registered" (boolean). */

const char  *suda_session_get_nick          (SudaSession *self);
const char  *suda_session_get_address       (SudaSession *self);
GDateTime   *suda_session_get_connected_at  (SudaSession *self);
char        *suda_session_dup_channels      (SudaSession *self);
gboolean     suda_session_get_registered    (SudaSession *self);

G_END_DECLS
