/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "suda-lan-chat.h"

G_BEGIN_DECLS

#define SUDA_TYPE_LAN_LIST (suda_lan_list_get_type ())

G_DECLARE_FINAL_TYPE (SudaLanList, suda_lan_list, SUDA, LAN_LIST, GtkWidget)

/* "Chats on this network" in the connect view: a row per chat of MODEL
 * (a GListModel of SudaLanChat, SudaLanBrowser's or a test's); a click
 * emits "chat-activated".  With "available" FALSE the list is hidden and
 * a line says why ("problem"). */
SudaLanList *suda_lan_list_new           (GListModel  *model);
GListModel  *suda_lan_list_get_model     (SudaLanList *self);
GtkListBox  *suda_lan_list_get_list_box  (SudaLanList *self);
void         suda_lan_list_set_available (SudaLanList *self,
                                          gboolean     available,
                                          const char  *problem);

G_END_DECLS
