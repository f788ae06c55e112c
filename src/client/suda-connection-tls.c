/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection over TLS: the handshake, certificates checked against
 * the system's authorities or else the person's pins (trust on first
 * use), and IRCv3 Strict Transport Security. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-certificate.h"
#include "suda-connection-private.h"

SudaTrustStore *
_suda_connection_get_trust_store (SudaConnection *self)
{
  return self->trust_store ? self->trust_store : suda_trust_store_get_default ();
}

SudaTrustStore *
suda_connection_get_trust_store (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return _suda_connection_get_trust_store (self);
}

/* Where pins and STS policies are kept; NULL for the person's own file. */
void
suda_connection_set_trust_store (SudaConnection *self,
                                 SudaTrustStore *store)
{
  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (store == NULL || SUDA_IS_TRUST_STORE (store));
  g_set_object (&self->trust_store, store);
}

/* The server's certificate while a TLS connection is up, else NULL. */
GTlsCertificate *
suda_connection_get_certificate (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->certificate;
}

/* The certificate that the last attempt stopped at (an error
 * SUDA_CONNECTION_ERROR_CERTIFICATE_UNKNOWN or _CHANGED), for the person
 * to look at; NULL when none was refused. */
GTlsCertificate *
suda_connection_get_rejected_certificate (SudaConnection *self)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), NULL);
  return self->rejected;
}

/* The person looked at the refused certificate and trusts it for this
 * host and port: pinned (replacing an older pin), so connecting again
 * goes through. */
gboolean
suda_connection_trust_rejected_certificate (SudaConnection  *self,
                                            GError         **error)
{
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (SUDA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (self->rejected != NULL, FALSE);

  fingerprint = suda_certificate_fingerprint (self->rejected);
  if (!suda_trust_store_pin (_suda_connection_get_trust_store (self),
                             self->host, self->port, fingerprint, error))
    return FALSE;
  g_clear_object (&self->rejected);
  return TRUE;
}

/* Called only when the system's authorities do not vouch for the
 * certificate (or the name does not match): a pin decides. */
static gboolean
on_accept_certificate (GTlsConnection       *tls,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  SudaConnection *self = user_data;
  g_autofree char *fingerprint = suda_certificate_fingerprint (certificate);
  SudaTrustVerdict verdict;

  verdict = suda_trust_store_check (_suda_connection_get_trust_store (self),
                                    self->host, self->port, fingerprint);
  g_debug ("certificate %s for %s:%u: errors 0x%x, verdict %d",
           fingerprint, self->host, self->port, errors, verdict);
  if (verdict == SUDA_TRUST_PINNED)
    return TRUE;
  g_set_object (&self->rejected, certificate);
  self->rejected_verdict = verdict;
  return FALSE;
}

static void
tell_rejected (SudaConnection *self)
{
  g_autofree char *message = NULL;

  if (self->rejected_verdict == SUDA_TRUST_CHANGED)
    {
      message = g_strdup_printf (_("The certificate of %s:%u is not the one you trusted before. "
                                   "Someone may be pretending to be this server; the connection was refused."),
                                 self->host, self->port);
      _suda_connection_stop (self, SUDA_CONNECTION_ERROR_CERTIFICATE_CHANGED, message);
    }
  else
    {
      message = g_strdup_printf (_("No authority this computer trusts vouches for the certificate of %s:%u."),
                                 self->host, self->port);
      _suda_connection_stop (self, SUDA_CONNECTION_ERROR_CERTIFICATE_UNKNOWN, message);
    }
}

static void
on_handshake_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SudaConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  GIOStream *tls = G_IO_STREAM (source);

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (tls), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->timed_out)
    return;   /* disconnect() was called meanwhile */
  if (self->stream != tls)
    return;   /* an older attempt's */

  g_clear_object (&self->cancellable);
  if (error != NULL)
    {
      g_autofree char *message = NULL;

      _suda_connection_clear_timeout (self, &self->timeout_id);
      if (self->rejected != NULL)
        {
          tell_rejected (self);
          return;
        }
      if (self->timed_out)
        {
          _suda_connection_close_socket (self);
          _suda_connection_connect_failed (self, error);
          return;
        }
      message = g_strdup_printf (_("Could not set up a secure connection to %s:%u (%s). "
                                   "Is it a TLS port?"), self->host, self->port, error->message);
      _suda_connection_stop (self, SUDA_CONNECTION_ERROR_TLS, message);
      return;
    }

  self->certificate = g_object_ref (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (tls)));
  _suda_connection_notify_certificate (self);
  _suda_connection_attach_stream (self, tls);
}

/* CONNECTION is up; the TLS handshake over it comes before anything else. */
void
_suda_connection_start_tls (SudaConnection    *self,
                            GSocketConnection *connection)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new (self->host, self->port);
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  g_clear_object (&self->rejected);
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  if (tls == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Secure connections are not available: %s"),
                                                  error->message);

      _suda_connection_clear_timeout (self, &self->timeout_id);
      _suda_connection_stop (self, SUDA_CONNECTION_ERROR_TLS, message);
      return;
    }
  self->connection = g_object_ref (connection);
  self->stream = tls;
  g_signal_connect_object (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), self, 0);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->cancellable,
                                    on_handshake_done, g_object_ref (self));
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
_suda_connection_apply_sts (SudaConnection *self)
{
  guint16 port;

  if (self->tls)
    return;
  port = suda_trust_store_lookup_sts (_suda_connection_get_trust_store (self), self->host, now_seconds ());
  if (port == 0)
    return;
  g_debug ("STS policy for %s: TLS on port %u", self->host, port);
  suda_connection_set_server (self, self->host, port);
  suda_connection_set_tls (self, TRUE);
}

/* IRCv3 STS: in clear, "port=" means go to TLS on that port now (the
 * policy is kept only once read over TLS, where nobody could forge it);
 * over TLS, "duration=" is how long to keep coming back that way. */
gboolean
_suda_connection_handle_sts (SudaConnection *self,
                             const char     *value)
{
  SudaStsPolicy policy;
  g_autoptr(GError) error = NULL;

  if (!suda_sts_parse (value, &policy))
    return FALSE;
  if (self->tls)
    {
      if (policy.duration >= 0)
        {
          policy.port = self->port;
          if (!suda_trust_store_set_sts (_suda_connection_get_trust_store (self), self->host,
                                         &policy, now_seconds (), &error))
            g_debug ("could not keep the STS policy: %s", error->message);
        }
      return FALSE;
    }
  if (policy.port == 0)
    return FALSE;
  g_debug ("STS: %s asks for TLS on port %u", self->host, policy.port);
  suda_connection_set_server (self, self->host, policy.port);
  suda_connection_set_tls (self, TRUE);
  _suda_connection_restart (self);
  return TRUE;
}
