/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plain-text handler: people on nc, telnet or the seeds' console
 * clients.  It speaks to them in sentences and acts through the IRC
 * handler's rules (joining, nick changes, messages). */
#pragma once

#include "suda-server-private.h"

G_BEGIN_DECLS

extern const SudaProtocol _suda_plain_protocol;

G_END_DECLS
