/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "suda-session.h"

G_BEGIN_DECLS

#define SUDA_TYPE_SERVICE (suda_service_get_type ())

G_DECLARE_FINAL_TYPE (SudaService, suda_service, SUDA, SERVICE, GObject)

typedef struct _SudaServer SudaServer;

/* The built-in service user (nick "suda" by default).  It sits in every
 * channel; "!word ..." lines in a channel and private messages to it reach
 * it here.  Features plug in as handlers of a command word. */

const char  *suda_service_get_nick   (SudaService *self);
SudaServer  *suda_service_get_server (SudaService *self);

/* Posts TEXT from the service user: to a channel (delivered to its members
 * and logged as a message) or to a nick (a private message).  Long text is
 * split into lines that fit the IRC limit. */
void         suda_service_say        (SudaService *self,
                                      const char  *target,
                                      const char  *text);
/* A private NOTICE from the service user to one session. */
void         suda_service_notice     (SudaService *self,
                                      SudaSession *to,
                                      const char  *text);

G_END_DECLS
