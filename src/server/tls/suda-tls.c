/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server's side of TLS: GIO's GTlsServerConnection (glib-networking's
 * GnuTLS backend) over each accepted connection, with the certificate
 * from [tls] or a self-signed one made on first start. */
#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>

#include "suda-certificate.h"
#include "suda-stream-transport.h"
#include "suda-tls-private.h"
#include "suda-tls-self-signed.h"

struct _SudaTls
{
  SudaCore        *core;
  GTlsCertificate *certificate;
  char            *fingerprint;
  gboolean         self_signed;
  GHashTable      *failures;     /* host → failures not logged yet (GUINT_TO_POINTER) */
  guint            failures_id;
};

SudaTls *
_suda_tls_new (SudaCore *core)
{
  SudaTls *self = g_new0 (SudaTls, 1);

  self->core = core;
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
_suda_tls_free (SudaTls *self)
{
  g_clear_handle_id (&self->failures_id, _suda_source_remove);
  g_hash_table_unref (self->failures);
  g_clear_object (&self->certificate);
  g_free (self->fingerprint);
  g_free (self);
}

/* The pair made on first start, kept in the state folder so that the
 * fingerprint clients pinned stays the same across restarts. */
static GTlsCertificate *
load_self_signed (const SudaServerConfig  *config,
                  GError                 **error)
{
  g_autofree char *dir = suda_server_config_dup_state_dir (config);
  g_autofree char *cert_path = g_build_filename (dir, "tls-certificate.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "tls-key.pem", NULL);

  if (!g_file_test (cert_path, G_FILE_TEST_EXISTS) || !g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
          return NULL;
        }
      if (!suda_tls_create_self_signed (cert_path, key_path, config->server_name, error))
        return NULL;
    }
  return g_tls_certificate_new_from_files (cert_path, key_path, error);
}

gboolean
_suda_tls_load (SudaTls                *self,
                const SudaServerConfig *config,
                GError                **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *cert_path = config->tls_certificate;
  gboolean self_signed = cert_path == NULL || *cert_path == '\0';

  if (self_signed)
    certificate = load_self_signed (config, &local_error);
  else
    certificate = g_tls_certificate_new_from_files (cert_path,
                                                    config->tls_key && *config->tls_key
                                                      ? config->tls_key : cert_path,
                                                    &local_error);
  if (certificate == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("The TLS certificate could not be loaded: %s"), local_error->message);
      return FALSE;
    }
  g_set_object (&self->certificate, certificate);
  g_free (self->fingerprint);
  self->fingerprint = suda_certificate_fingerprint (certificate);
  self->self_signed = self_signed;
  return TRUE;
}

gboolean
_suda_tls_is_self_signed (SudaTls *self)
{
  return self->self_signed;
}

const char *
_suda_tls_get_fingerprint (SudaTls *self)
{
  return self->fingerprint;
}

/* Client certificates are asked for, never required, and any is taken:
 * what it proves is only that the same key comes back (CERTFP, SASL
 * EXTERNAL), not who signed it. */
static gboolean
on_accept_certificate (GTlsConnection       *connection,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              data)
{
  return TRUE;
}

SudaTransport *
_suda_tls_wrap (SudaTls            *self,
                GSocketConnection  *connection,
                GError            **error)
{
  g_autoptr(GIOStream) tls = NULL;

  tls = g_tls_server_connection_new (G_IO_STREAM (connection), self->certificate, error);
  if (tls == NULL)
    return NULL;
  g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
  return suda_stream_transport_new (tls);
}

void
_suda_tls_log_failures (SudaTls *self)
{
  GHashTableIter iter;
  gpointer host, value;

  g_clear_handle_id (&self->failures_id, _suda_source_remove);
  g_hash_table_iter_init (&iter, self->failures);
  while (g_hash_table_iter_next (&iter, &host, &value))
    {
      g_autofree char *text = NULL;

      if (GPOINTER_TO_UINT (value) == 0)
        continue;
      text = g_strdup_printf ("%u more TLS handshakes from %s failed in the last minute",
                              GPOINTER_TO_UINT (value), (const char *) host);
      _suda_delivery_log_event (self->core->delivery, "error", NULL, NULL, text);
    }
  g_hash_table_remove_all (self->failures);
}

static gboolean
on_failures_due (gpointer data)
{
  SudaTls *self = data;

  self->failures_id = 0;
  _suda_tls_log_failures (self);
  return G_SOURCE_REMOVE;
}

void
_suda_tls_note_failure (SudaTls    *self,
                        const char *host,
                        const char *reason)
{
  gpointer n;
  g_autofree char *text = NULL;

  if (g_hash_table_lookup_extended (self->failures, host, NULL, &n))
    {
      g_hash_table_replace (self->failures, g_strdup (host), GUINT_TO_POINTER (GPOINTER_TO_UINT (n) + 1));
      return;
    }
  g_hash_table_insert (self->failures, g_strdup (host), GUINT_TO_POINTER (0));
  if (self->failures_id == 0)
    self->failures_id = _suda_timeout_add_seconds (60, on_failures_due, self);
  text = g_strdup_printf ("TLS handshake with %s failed: %s", host, reason);
  _suda_delivery_log_event (self->core->delivery, "error", NULL, NULL, text);
}

GTlsCertificate *
_suda_tls_get_certificate (SudaTls *self)
{
  return self->certificate;
}
