/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-connection.h"
#include "suda-irc-message.h"

G_BEGIN_DECLS

/* The bytes the socket gave, as if read from it: split into lines and
 * handled.  The fuzz target and tests feed server lines through this
 * without a socket. */
void  _suda_connection_receive     (SudaConnection *self,
                                   const char     *data,
                                   gsize           len);
/* What a new socket starts with: the state goes to registering and CAP,
 * NICK and USER go out (nowhere, without a socket). */
void  _suda_connection_register    (SudaConnection *self);
/* Lines waiting for registration or for the pacing. */
guint _suda_connection_get_n_held  (SudaConnection *self);


/* suda-connection-check.c */
gboolean _suda_connection_line_is_complete (const SudaIrcMessage *msg);
gboolean _suda_connection_is_nickname      (const char           *name);
gboolean _suda_connection_tags_fit         (const SudaIrcMessage *msg);

G_END_DECLS
