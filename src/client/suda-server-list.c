/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-server-list.h"

struct _SudaServerList
{
  GObject     parent_instance;

  GListStore *clients;   /* SudaClient */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SudaServerList, suda_server_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return SUDA_TYPE_CLIENT;
}

static guint
get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (SUDA_SERVER_LIST (model)->clients));
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (SUDA_SERVER_LIST (model)->clients), position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
on_items_changed (GListModel     *store,
                  guint           position,
                  guint           removed,
                  guint           added,
                  SudaServerList *self)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
suda_server_list_dispose (GObject *object)
{
  SudaServerList *self = SUDA_SERVER_LIST (object);

  if (self->clients != NULL)
    g_signal_handlers_disconnect_by_data (self->clients, self);
  g_clear_object (&self->clients);
  G_OBJECT_CLASS (suda_server_list_parent_class)->dispose (object);
}

static void
suda_server_list_class_init (SudaServerListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = suda_server_list_dispose;
}

static void
suda_server_list_init (SudaServerList *self)
{
  self->clients = g_list_store_new (SUDA_TYPE_CLIENT);
  g_signal_connect (self->clients, "items-changed", G_CALLBACK (on_items_changed), self);
}

SudaServerList *
suda_server_list_new (void)
{
  return g_object_new (SUDA_TYPE_SERVER_LIST, NULL);
}

void
suda_server_list_add (SudaServerList *self,
                      SudaClient     *client)
{
  g_return_if_fail (SUDA_IS_SERVER_LIST (self));
  g_return_if_fail (SUDA_IS_CLIENT (client));

  if (!g_list_store_find (self->clients, client, NULL))
    g_list_store_append (self->clients, client);
}

void
suda_server_list_remove (SudaServerList *self,
                         SudaClient     *client)
{
  guint pos;

  g_return_if_fail (SUDA_IS_SERVER_LIST (self));
  if (g_list_store_find (self->clients, client, &pos))
    g_list_store_remove (self->clients, pos);
}

/* Host names compare without case, as DNS does. */
SudaClient *
suda_server_list_find (SudaServerList *self,
                       const char     *host,
                       guint16         port)
{
  guint n;

  g_return_val_if_fail (SUDA_IS_SERVER_LIST (self), NULL);
  g_return_val_if_fail (host != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->clients));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaClient) client = g_list_model_get_item (G_LIST_MODEL (self->clients), i);
      SudaConnection *connection = suda_client_get_connection (client);
      const char *other = suda_connection_get_host (connection);

      if (other != NULL && g_ascii_strcasecmp (other, host) == 0 &&
          suda_connection_get_port (connection) == port)
        return client;   /* the list keeps its reference */
    }
  return NULL;
}

/* The session for HOST:PORT, made (not connected) when there is none. */
SudaClient *
suda_server_list_ensure (SudaServerList *self,
                         const char     *host,
                         guint16         port)
{
  g_autoptr(SudaClient) client = NULL;
  SudaClient *found;

  g_return_val_if_fail (SUDA_IS_SERVER_LIST (self), NULL);
  g_return_val_if_fail (host != NULL && *host != '\0', NULL);

  if ((found = suda_server_list_find (self, host, port)) != NULL)
    return found;
  client = suda_client_new ();
  suda_connection_set_server (suda_client_get_connection (client), host, port);
  g_list_store_append (self->clients, client);
  return client;
}
