/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-lan-chat.h"

G_BEGIN_DECLS

#define SUDA_TYPE_LAN_BROWSER (suda_lan_browser_get_type ())

G_DECLARE_FINAL_TYPE (SudaLanBrowser, suda_lan_browser, SUDA, LAN_BROWSER, GObject)

/* The chats announced on the local network (_irc._tcp and _ircs._tcp over
 * mDNS, through Avahi), live: a GListModel of SudaLanChat, one per name,
 * sorted by name.  Without an Avahi daemon it is empty, "available" is
 * FALSE and "problem" says why; a daemon that starts later is used. */
SudaLanBrowser *suda_lan_browser_new           (void);
gboolean        suda_lan_browser_get_available (SudaLanBrowser *self);
const char     *suda_lan_browser_get_problem   (SudaLanBrowser *self);
/* TRUE once both browsers have said "all for now" and every service
 * found is resolved: what the network has is in the list. */
gboolean        suda_lan_browser_get_settled   (SudaLanBrowser *self);

G_END_DECLS
