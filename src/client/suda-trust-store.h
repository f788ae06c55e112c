/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  SUDA_TRUST_UNKNOWN,         /* never seen: ask the person */
  SUDA_TRUST_PINNED,          /* the certificate trusted before */
  SUDA_TRUST_CHANGED,         /* another certificate than the one trusted: refuse */
} SudaTrustVerdict;

typedef struct {
  guint16  port;              /* 0: none given */
  gint64   duration;          /* seconds; -1: none given */
} SudaStsPolicy;

gboolean suda_sts_parse (const char    *value,
                         SudaStsPolicy *policy);

#define SUDA_TYPE_TRUST_STORE (suda_trust_store_get_type ())
G_DECLARE_FINAL_TYPE (SudaTrustStore, suda_trust_store, SUDA, TRUST_STORE, GObject)

SudaTrustStore   *suda_trust_store_new          (const char      *path);
SudaTrustStore   *suda_trust_store_get_default  (void);
SudaTrustVerdict  suda_trust_store_check        (SudaTrustStore  *self,
                                                 const char      *host,
                                                 guint16          port,
                                                 const char      *fingerprint);
gboolean          suda_trust_store_pin          (SudaTrustStore  *self,
                                                 const char      *host,
                                                 guint16          port,
                                                 const char      *fingerprint,
                                                 GError         **error);
gboolean          suda_trust_store_forget       (SudaTrustStore  *self,
                                                 const char      *host,
                                                 guint16          port,
                                                 GError         **error);
gboolean          suda_trust_store_set_sts      (SudaTrustStore  *self,
                                                 const char      *host,
                                                 const SudaStsPolicy *policy,
                                                 gint64           now,
                                                 GError         **error);
guint16           suda_trust_store_lookup_sts   (SudaTrustStore  *self,
                                                 const char      *host,
                                                 gint64           now);

G_END_DECLS
