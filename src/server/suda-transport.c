/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The base of every transport (suda-transport.h says what one does): it
 * keeps what the session watches and whom to tell, and forwards the rest
 * to the subclass. */
#include "config.h"

#include "suda-transport.h"

typedef struct
{
  SudaTransportReadyFunc ready;
  gpointer               ready_data;
  GIOCondition           watched;
  gboolean               closed;
  gboolean               pending;
} SudaTransportPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SudaTransport, suda_transport, G_TYPE_OBJECT)

static void
suda_transport_class_init (SudaTransportClass *klass)
{
}

static void
suda_transport_init (SudaTransport *self)
{
}

void
suda_transport_set_ready_func (SudaTransport          *self,
                               SudaTransportReadyFunc  func,
                               gpointer                data)
{
  SudaTransportPrivate *priv = suda_transport_get_instance_private (self);

  g_return_if_fail (SUDA_IS_TRANSPORT (self));
  priv->ready = func;
  priv->ready_data = data;
}

gssize
suda_transport_receive (SudaTransport *self,
                        char          *buffer,
                        gsize          size,
                        GError       **error)
{
  return SUDA_TRANSPORT_GET_CLASS (self)->receive (self, buffer, size, error);
}

gssize
suda_transport_send (SudaTransport *self,
                     const char    *data,
                     gsize          len,
                     GError       **error)
{
  return SUDA_TRANSPORT_GET_CLASS (self)->send (self, data, len, error);
}

void
suda_transport_watch (SudaTransport *self,
                      GIOCondition   condition)
{
  SudaTransportPrivate *priv = suda_transport_get_instance_private (self);

  condition &= G_IO_IN | G_IO_OUT;
  if (priv->closed || condition == priv->watched)
    return;
  priv->watched = condition;
  SUDA_TRANSPORT_GET_CLASS (self)->watch (self, condition);
}

GIOCondition
suda_transport_get_watched (SudaTransport *self)
{
  SudaTransportPrivate *priv = suda_transport_get_instance_private (self);

  return priv->watched;
}

void
suda_transport_ready (SudaTransport *self,
                      GIOCondition   condition)
{
  SudaTransportPrivate *priv = suda_transport_get_instance_private (self);

  g_return_if_fail (SUDA_IS_TRANSPORT (self));
  /* G_IO_OUT is one-shot: whoever wants it again asks again. */
  if (condition & G_IO_OUT)
    priv->watched &= ~G_IO_OUT;
  if (!priv->closed && priv->ready != NULL)
    priv->ready (priv->ready_data, condition);
}

void
suda_transport_shutdown (SudaTransport *self)
{
  SudaTransportPrivate *priv = suda_transport_get_instance_private (self);

  if (!priv->closed && SUDA_TRANSPORT_GET_CLASS (self)->shutdown != NULL)
    SUDA_TRANSPORT_GET_CLASS (self)->shutdown (self);
}

void
suda_transport_close (SudaTransport *self)
{
  SudaTransportPrivate *priv = suda_transport_get_instance_private (self);

  if (priv->closed)
    return;
  suda_transport_watch (self, 0);
  priv->closed = TRUE;
  priv->ready = NULL;
  SUDA_TRANSPORT_GET_CLASS (self)->close (self);
}

gboolean
suda_transport_is_closed (SudaTransport *self)
{
  SudaTransportPrivate *priv = suda_transport_get_instance_private (self);

  return priv->closed;
}

GSocketAddress *
suda_transport_dup_remote_address (SudaTransport *self)
{
  g_return_val_if_fail (SUDA_IS_TRANSPORT (self), NULL);
  return SUDA_TRANSPORT_GET_CLASS (self)->dup_remote_address (self);
}

const char *
suda_transport_get_certificate_fingerprint (SudaTransport *self)
{
  SudaTransportClass *klass = SUDA_TRANSPORT_GET_CLASS (self);

  return klass->get_certificate_fingerprint ? klass->get_certificate_fingerprint (self) : NULL;
}

GSocket *
suda_transport_get_socket (SudaTransport *self)
{
  SudaTransportClass *klass = SUDA_TRANSPORT_GET_CLASS (self);

  return klass->get_socket ? klass->get_socket (self) : NULL;
}

void
suda_transport_set_pending (SudaTransport *self,
                            gboolean       pending)
{
  SudaTransportPrivate *priv = suda_transport_get_instance_private (self);

  priv->pending = pending;
}

gboolean
suda_transport_is_pending (SudaTransport *self)
{
  SudaTransportPrivate *priv = suda_transport_get_instance_private (self);

  return priv->pending;
}
