/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The server announced on the local network with DNS-SD over mDNS
 * (Avahi): _irc._tcp on the clear-text port, _ircs._tcp on the TLS one,
 * under a name people read ("Kim's class chat"), with TXT records a
 * client shows before connecting:
 *   room=#lobby        the room to join (absent: none)
 *   password=yes|no    whether the server asks for PASS
 *   accounts=open|operators|closed  registration, when accounts exist
 *   tls-sha256=HEX     the self-signed certificate's fingerprint
 * Without an Avahi daemon it says so once through NOTE and waits for one;
 * a daemon that restarts gets the services again. */
typedef struct _SudaAnnounce SudaAnnounce;

typedef struct {
  const char *name;          /* the instance name; taken again after a collision */
  guint16     port;          /* 0: no _irc._tcp */
  guint16     tls_port;      /* 0: no _ircs._tcp */
  const char *room;          /* NULL or "": none */
  gboolean    password;
  const char *accounts;      /* NULL: no accounts */
  const char *fingerprint;   /* hex SHA-256 of a self-signed certificate, or NULL */
} SudaAnnounceInfo;

/* TEXT is one sentence for the server's log (not translated, as the
 * log's other texts). */
typedef void (*SudaAnnounceNote) (gpointer    data,
                                  const char *text);

SudaAnnounce *_suda_announce_new      (const SudaAnnounceInfo *info,
                                       SudaAnnounceNote        note,
                                       gpointer                data);
void          _suda_announce_free     (SudaAnnounce           *self);
/* The name in use (another after a collision), NULL until published. */
const char   *_suda_announce_get_name (SudaAnnounce           *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaAnnounce, _suda_announce_free)

G_END_DECLS
