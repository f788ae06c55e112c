/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A chat found on the local network. */
#include "config.h"

#include "suda-lan-chat.h"

struct _SudaLanChat
{
  GObject   parent_instance;

  char     *name;
  char     *host;
  guint16   port;
  guint16   tls_port;
  char     *room;
  gboolean  password;
  char     *fingerprint;
};

G_DEFINE_FINAL_TYPE (SudaLanChat, suda_lan_chat, G_TYPE_OBJECT)

static void
suda_lan_chat_finalize (GObject *object)
{
  SudaLanChat *self = SUDA_LAN_CHAT (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->room, g_free);
  g_clear_pointer (&self->fingerprint, g_free);
  G_OBJECT_CLASS (suda_lan_chat_parent_class)->finalize (object);
}

static void
suda_lan_chat_class_init (SudaLanChatClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = suda_lan_chat_finalize;
}

static void
suda_lan_chat_init (SudaLanChat *self)
{
}

SudaLanChat *
suda_lan_chat_new (const char *name)
{
  SudaLanChat *self;

  g_return_val_if_fail (name != NULL, NULL);
  self = g_object_new (SUDA_TYPE_LAN_CHAT, NULL);
  self->name = g_strdup (name);
  return self;
}

static void
set_str (char       **field,
         const char  *value)
{
  char *old = *field;

  *field = g_strdup (value);
  g_free (old);
}

/* The _irc._tcp and _ircs._tcp services of one server come in one after
 * the other: each adds its port. */
void
_suda_lan_chat_update (SudaLanChat *self,
                       const char  *host,
                       guint16      port,
                       gboolean     tls,
                       const char  *room,
                       gboolean     password,
                       const char  *fingerprint)
{
  g_return_if_fail (SUDA_IS_LAN_CHAT (self));

  set_str (&self->host, host);
  if (tls)
    self->tls_port = port;
  else
    self->port = port;
  set_str (&self->room, room);
  self->password = password;
  if (fingerprint != NULL)
    set_str (&self->fingerprint, fingerprint);
}

const char *
suda_lan_chat_get_name (SudaLanChat *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_CHAT (self), NULL);
  return self->name;
}

const char *
suda_lan_chat_get_host (SudaLanChat *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_CHAT (self), NULL);
  return self->host;
}

guint16
suda_lan_chat_get_port (SudaLanChat *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_CHAT (self), 0);
  return self->port;
}

guint16
suda_lan_chat_get_tls_port (SudaLanChat *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_CHAT (self), 0);
  return self->tls_port;
}

const char *
suda_lan_chat_get_room (SudaLanChat *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_CHAT (self), NULL);
  return self->room;
}

gboolean
suda_lan_chat_get_password (SudaLanChat *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_CHAT (self), FALSE);
  return self->password;
}

const char *
suda_lan_chat_get_fingerprint (SudaLanChat *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_CHAT (self), NULL);
  return self->fingerprint;
}

char *
suda_lan_chat_dup_uri (SudaLanChat *self)
{
  gboolean tls;

  g_return_val_if_fail (SUDA_IS_LAN_CHAT (self), NULL);
  tls = self->tls_port != 0;
  return g_strdup_printf ("%s://%s:%u/%s", tls ? "ircs" : "irc",
                          self->host ? self->host : "", tls ? self->tls_port : self->port,
                          self->room ? self->room : "");
}
