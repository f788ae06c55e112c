/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SUDA_TYPE_LISTED_ROOM (suda_listed_room_get_type ())

G_DECLARE_FINAL_TYPE (SudaListedRoom, suda_listed_room, SUDA, LISTED_ROOM, GObject)

/* One room of a server's LIST reply (322): its name, how many are in it
 * and its topic, formatting codes taken out.  Properties (read-only):
 * "name", "users", "topic". */

SudaListedRoom *suda_listed_room_new       (const char     *name,
                                            guint           users,
                                            const char     *topic);
const char     *suda_listed_room_get_name  (SudaListedRoom *self);
guint           suda_listed_room_get_users (SudaListedRoom *self);
const char     *suda_listed_room_get_topic (SudaListedRoom *self);

G_END_DECLS
