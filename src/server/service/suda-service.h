/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SUDA_TYPE_SERVICE (suda_service_get_type ())

G_DECLARE_FINAL_TYPE (SudaService, suda_service, SUDA, SERVICE, GObject)

/* The built-in service user (nick "suda" by default).  It sits in every
 * channel; "!word ..." lines in a channel and private messages to it reach
 * it.  Features plug in as handlers of a command word; its fields and
 * functions are in suda-service-private.h. */

G_END_DECLS
