/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "suda-connection.h"

G_BEGIN_DECLS

#define SUDA_TYPE_ROOM_SETTINGS (suda_room_settings_get_type ())

G_DECLARE_FINAL_TYPE (SudaRoomSettings, suda_room_settings, SUDA, ROOM_SETTINGS, AdwWindow)

/* A room's settings for its operators: the topic and the modes +i +k +l
 * +m +n +t.  It asks the server for the room's modes (MODE #room, 324)
 * when it opens, and Apply sends only what changed. */

SudaRoomSettings *suda_room_settings_new   (GtkWindow        *parent,
                                            SudaConnection   *connection,
                                            const char       *room,
                                            const char       *topic);
void              suda_room_settings_apply (SudaRoomSettings *self);

G_END_DECLS
