/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "suda-client.h"

G_BEGIN_DECLS

#define SUDA_TYPE_ROOM_LIST (suda_room_list_get_type ())

G_DECLARE_FINAL_TYPE (SudaRoomList, suda_room_list, SUDA, ROOM_LIST, AdwWindow)

/* The room browser of one server, as /list opens it: its rooms as the
 * LIST reply brings them (suda_client_get_rooms()), searched by name and
 * topic, sorted by any column; Join, double-click or Enter joins one. */

SudaRoomList *suda_room_list_new        (GtkWindow    *parent,
                                         SudaClient   *client);
SudaClient   *suda_room_list_get_client (SudaRoomList *self);

G_END_DECLS
