/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A scripted IRC server on 127.0.0.1: a GSocketService that accepts one
 * client, sends whatever the test says (hostile lines included) and keeps
 * what the client sent, for the test to look for. */
typedef struct {
  GSocketService    *service;
  guint16            port;
  GSocketConnection *peer;
  GString           *received;   /* everything the client sent */
  guint              n_accepted;
  GTlsCertificate   *certificate; /* set: clients speak TLS, with this one */
  GIOStream         *stream;      /* PEER, or TLS over it */
  guint              n_handshakes_failed;
  GCancellable      *cancellable; /* handshakes still running when freed */
} SudaTestFakeIrc;

SudaTestFakeIrc *suda_test_fake_irc_new         (void);
/* The same over TLS: a client counts as accepted once its handshake is
 * done; CERTIFICATE (with its key) may be replaced between clients. */
SudaTestFakeIrc *suda_test_fake_irc_new_tls     (GTlsCertificate *certificate);
void             suda_test_fake_irc_free        (SudaTestFakeIrc *self);
/* Waits for a client (a new one when one was there before). */
void             suda_test_fake_irc_accept      (SudaTestFakeIrc *self,
                                                 guint            n_accepted);
void             suda_test_fake_irc_send        (SudaTestFakeIrc *self,
                                                 const char      *text);
void             suda_test_fake_irc_send_len    (SudaTestFakeIrc *self,
                                                 const char      *data,
                                                 gsize            len);
/* Fails the test unless a whole line matching the glob PATTERN arrives
 * within 5 s; lines seen before are skipped. */
void             suda_test_fake_irc_expect      (SudaTestFakeIrc *self,
                                                 const char      *pattern);
/* Sends PING with a fresh token and waits for its PONG: every line sent
 * before it has been read and handled by then. */
void             suda_test_fake_irc_sync        (SudaTestFakeIrc *self);
/* Accepts the first client if none came yet, reads its NICK and welcomes it as NICK. */
void             suda_test_fake_irc_register    (SudaTestFakeIrc *self,
                                                 const char      *nick);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaTestFakeIrc, suda_test_fake_irc_free)

G_END_DECLS
