/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char *suda_certificate_fingerprint        (GTlsCertificate *certificate);
char *suda_certificate_format_fingerprint (const char      *fingerprint);

G_END_DECLS
