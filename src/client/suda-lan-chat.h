/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SUDA_TYPE_LAN_CHAT (suda_lan_chat_get_type ())

G_DECLARE_FINAL_TYPE (SudaLanChat, suda_lan_chat, SUDA, LAN_CHAT, GObject)

/* One chat announced on the local network (SudaLanBrowser's items): its
 * name, where it listens, and what its TXT records say. */
SudaLanChat *suda_lan_chat_new               (const char  *name);
const char  *suda_lan_chat_get_name          (SudaLanChat *self);
const char  *suda_lan_chat_get_host          (SudaLanChat *self);
/* The clear-text port, or 0 when only TLS is announced. */
guint16      suda_lan_chat_get_port          (SudaLanChat *self);
/* The TLS port, or 0. */
guint16      suda_lan_chat_get_tls_port      (SudaLanChat *self);
const char  *suda_lan_chat_get_room          (SudaLanChat *self);
gboolean     suda_lan_chat_get_password      (SudaLanChat *self);
/* The self-signed certificate's SHA-256 fingerprint (hex), or NULL. */
const char  *suda_lan_chat_get_fingerprint   (SudaLanChat *self);
/* "irc://HOST:PORT/#room", ircs:// when TLS is announced. */
char        *suda_lan_chat_dup_uri           (SudaLanChat *self);

/* The browser's side: what one resolved service says. */
void         _suda_lan_chat_update           (SudaLanChat *self,
                                              const char  *host,
                                              guint16      port,
                                              gboolean     tls,
                                              const char  *room,
                                              gboolean     password,
                                              const char  *fingerprint);

G_END_DECLS
