/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Certificate fingerprints, the one form in which server and client name a
 * certificate: what a self-signed server prints at start, what a client pins,
 * what an account registers for SASL EXTERNAL. */
#include "config.h"

#include <string.h>

#include "suda-certificate.h"

/* The SHA-256 of the certificate's DER bytes, as 64 lowercase hex digits. */
char *
suda_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

/* "AB:CD:…", the way browsers and certtool show one, for people to compare. */
char *
suda_certificate_format_fingerprint (const char *fingerprint)
{
  GString *out;

  g_return_val_if_fail (fingerprint != NULL, NULL);

  out = g_string_sized_new (strlen (fingerprint) * 3 / 2);
  for (gsize i = 0; fingerprint[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (fingerprint[i]));
    }
  return g_string_free (out, FALSE);
}
