/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A self-signed certificate for a server that asks for TLS and has no
 * certificate: made with GnuTLS because GIO can load certificates but not
 * make them.  Clients trust it on first use by its fingerprint, so its
 * lifetime can be long; ECDSA P-256 keeps handshakes cheap. */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "suda-tls-self-signed.h"

static gboolean
failed (int          rc,
        const char  *what,
        GError     **error)
{
  if (rc >= 0)
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("The self-signed certificate could not be made (%s: %s)"),
               what, gnutls_strerror (rc));
  return TRUE;
}

static gboolean
describe (gnutls_x509_crt_t   crt,
          const char         *host_name,
          GError            **error)
{
  time_t now = time (NULL);
  guchar serial[16];

  if (failed (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), "serial", error))
    return FALSE;
  serial[0] &= 0x7f;   /* a positive number, as RFC 5280 asks */
  return !failed (gnutls_x509_crt_set_version (crt, 3), "version", error) &&
         !failed (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "serial", error) &&
         !failed (gnutls_x509_crt_set_activation_time (crt, now - 60), "activation", error) &&
         !failed (gnutls_x509_crt_set_expiration_time (crt, now + (time_t) SUDA_TLS_SELF_SIGNED_DAYS * 86400),
                  "expiration", error) &&
         !failed (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                 host_name, strlen (host_name)), "name", error) &&
         !failed (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, host_name,
                                                        strlen (host_name), GNUTLS_FSAN_APPEND),
                  "alternative name", error) &&
         !failed (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), "constraints", error) &&
         !failed (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "key usage", error) &&
         !failed (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0), "purpose", error);
}

static gboolean
save (const char      *path,
      gnutls_datum_t  *pem,
      GError         **error)
{
  /* The key is a secret: 0600 from the first byte, written whole or not at all. */
  gboolean saved = g_file_set_contents_full (path, (const char *) pem->data, pem->size,
                                             G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);

  gnutls_memset (pem->data, 0, pem->size);
  gnutls_free (pem->data);
  pem->data = NULL;
  return saved;
}

gboolean
suda_tls_create_self_signed (const char  *certificate_path,
                             const char  *key_path,
                             const char  *host_name,
                             GError     **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t key_pem = { NULL, 0 }, crt_pem = { NULL, 0 };
  gboolean made;

  g_return_val_if_fail (certificate_path != NULL && key_path != NULL, FALSE);
  g_return_val_if_fail (host_name != NULL && host_name[0] != '\0', FALSE);

  made = !failed (gnutls_x509_privkey_init (&key), "key", error) &&
         !failed (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
                  "key", error) &&
         !failed (gnutls_x509_crt_init (&crt), "certificate", error) &&
         describe (crt, host_name, error) &&
         !failed (gnutls_x509_crt_set_key (crt, key), "key", error) &&
         !failed (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), "signature", error) &&
         !failed (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                     &key_pem), "key export", error) &&
         !failed (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem), "export", error) &&
         save (key_path, &key_pem, error) &&
         save (certificate_path, &crt_pem, error);

  if (key_pem.data != NULL)
    {
      gnutls_memset (key_pem.data, 0, key_pem.size);
      gnutls_free (key_pem.data);
    }
  gnutls_free (crt_pem.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return made;
}
