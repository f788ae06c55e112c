/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Browsing for chats with Avahi on the GLib main loop.  A service is seen
 * once per interface and protocol; a chat stays listed while any of its
 * instances is there, and appears only once one is resolved. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-glib/glib-watch.h>

#include "suda-lan-browser.h"

static const char * const service_types[] = { "_irc._tcp", "_ircs._tcp" };

struct _SudaLanBrowser
{
  GObject              parent_instance;

  AvahiGLibPoll       *poll;
  AvahiClient         *client;
  AvahiServiceBrowser *browsers[G_N_ELEMENTS (service_types)];
  gboolean             all_for_now[G_N_ELEMENTS (service_types)];
  guint                restart_id;

  GPtrArray           *chats;       /* SudaLanChat, sorted by name */
  GHashTable          *instances;   /* "iface/proto/type/name" → resolver, or NULL once resolved */
  gboolean             available;
  char                *problem;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SudaLanBrowser, suda_lan_browser, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_AVAILABLE,
  PROP_PROBLEM,
  PROP_SETTLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_client (SudaLanBrowser *self);

/* The list --------------------------------------------------------------- */

static GType
get_item_type (GListModel *model)
{
  return SUDA_TYPE_LAN_CHAT;
}

static guint
get_n_items (GListModel *model)
{
  return SUDA_LAN_BROWSER (model)->chats->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SudaLanBrowser *self = SUDA_LAN_BROWSER (model);

  return position < self->chats->len ? g_object_ref (g_ptr_array_index (self->chats, position)) : NULL;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Where NAME is, or where it would go (*FOUND FALSE). */
static guint
find_chat (SudaLanBrowser *self,
           const char     *name,
           gboolean       *found)
{
  guint i;

  *found = FALSE;
  for (i = 0; i < self->chats->len; i++)
    {
      const char *other = suda_lan_chat_get_name (g_ptr_array_index (self->chats, i));

      if (g_str_equal (other, name))
        {
          *found = TRUE;
          break;
        }
      if (g_utf8_collate (other, name) > 0)
        break;
    }
  return i;
}

static gboolean
name_has_instances (SudaLanBrowser *self,
                    const char     *name)
{
  GHashTableIter iter;
  const char *key;

  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    if (g_str_equal (strrchr (key, '/') + 1, name))
      return TRUE;
  return FALSE;
}

static void
notify_settled (SudaLanBrowser *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTLED]);
}

/* Resolving and browsing ----------------------------------------------- */

static char *
instance_key (AvahiIfIndex     interface,
              AvahiProtocol    protocol,
              const char      *type,
              const char      *name)
{
  /* The name last: it may hold a '/', the other parts do not. */
  return g_strdup_printf ("%d/%d/%s/%s", interface, protocol, type, name);
}

/* TXT records come back in any order: look keys up. */
static char *
txt_lookup (AvahiStringList *txt,
            const char      *key)
{
  AvahiStringList *pair = avahi_string_list_find (txt, key);
  char *name = NULL, *value = NULL, *copy;

  if (pair == NULL || avahi_string_list_get_pair (pair, &name, &value, NULL) < 0)
    return NULL;
  copy = g_strdup (value);
  avahi_free (name);
  avahi_free (value);
  return copy;
}

static void
add_resolved (SudaLanBrowser         *self,
              const char             *name,
              const char             *type,
              const AvahiAddress     *address,
              guint16                 port,
              AvahiStringList        *txt)
{
  char host[AVAHI_ADDRESS_STR_MAX];
  g_autofree char *room = txt_lookup (txt, "room");
  g_autofree char *password = txt_lookup (txt, "password");
  g_autofree char *fingerprint = txt_lookup (txt, "tls-sha256");
  g_autoptr(SudaLanChat) chat = NULL;
  gboolean found;
  guint position = find_chat (self, name, &found);

  avahi_address_snprint (host, sizeof host, address);
  chat = found ? g_object_ref (g_ptr_array_index (self->chats, position)) : suda_lan_chat_new (name);
  _suda_lan_chat_update (chat, host, port, g_str_equal (type, "_ircs._tcp"), room,
                         g_strcmp0 (password, "yes") == 0, fingerprint);
  if (found)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
      return;
    }
  g_ptr_array_insert (self->chats, position, g_steal_pointer (&chat));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

static void
resolve_cb (AvahiServiceResolver   *resolver,
            AvahiIfIndex            interface,
            AvahiProtocol           protocol,
            AvahiResolverEvent      event,
            const char             *name,
            const char             *type,
            const char             *domain,
            const char             *host_name,
            const AvahiAddress     *address,
            uint16_t                port,
            AvahiStringList        *txt,
            AvahiLookupResultFlags  flags,
            void                   *data)
{
  SudaLanBrowser *self = data;
  g_autofree char *key = instance_key (interface, protocol, type, name);

  /* Resolved or not, the resolver's work is done; the instance stays
   * until the browser says it is gone. */
  if (g_hash_table_contains (self->instances, key))
    g_hash_table_insert (self->instances, g_steal_pointer (&key), NULL);
  avahi_service_resolver_free (resolver);
  if (event == AVAHI_RESOLVER_FOUND)
    add_resolved (self, name, type, address, port, txt);
  notify_settled (self);
}

static void
remove_instance (SudaLanBrowser *self,
                 const char     *key,
                 const char     *name)
{
  AvahiServiceResolver *resolver = g_hash_table_lookup (self->instances, key);
  gboolean found;
  guint position;

  if (resolver != NULL)
    avahi_service_resolver_free (resolver);
  g_hash_table_remove (self->instances, key);
  if (name_has_instances (self, name))
    return;
  position = find_chat (self, name, &found);
  if (!found)
    return;
  g_ptr_array_remove_index (self->chats, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

static void
browse_cb (AvahiServiceBrowser    *browser,
           AvahiIfIndex            interface,
           AvahiProtocol           protocol,
           AvahiBrowserEvent       event,
           const char             *name,
           const char             *type,
           const char             *domain,
           AvahiLookupResultFlags  flags,
           void                   *data)
{
  SudaLanBrowser *self = data;
  g_autofree char *key = NULL;
  AvahiServiceResolver *resolver;

  switch (event)
    {
    case AVAHI_BROWSER_NEW:
      key = instance_key (interface, protocol, type, name);
      if (g_hash_table_contains (self->instances, key))
        break;
      /* IPv4 addresses: a link-local IPv6 one needs its interface to be
       * of any use, which an address typed in a form does not carry. */
      resolver = avahi_service_resolver_new (avahi_service_browser_get_client (browser), interface,
                                             protocol, name, type, domain, AVAHI_PROTO_INET, 0,
                                             resolve_cb, self);
      if (resolver != NULL)
        g_hash_table_insert (self->instances, g_steal_pointer (&key), resolver);
      break;
    case AVAHI_BROWSER_REMOVE:
      key = instance_key (interface, protocol, type, name);
      remove_instance (self, key, name);
      break;
    case AVAHI_BROWSER_ALL_FOR_NOW:
      for (guint i = 0; i < G_N_ELEMENTS (service_types); i++)
        if (self->browsers[i] == browser)
          self->all_for_now[i] = TRUE;
      notify_settled (self);
      break;
    case AVAHI_BROWSER_CACHE_EXHAUSTED:
    case AVAHI_BROWSER_FAILURE:
    default:
      break;
    }
}

/* The client ------------------------------------------------------------ */

static void
set_available (SudaLanBrowser *self,
               gboolean        available,
               const char     *problem)
{
  if (g_strcmp0 (self->problem, problem) != 0)
    {
      g_free (self->problem);
      self->problem = g_strdup (problem);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
    }
  if (self->available != available)
    {
      self->available = available;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
    }
}

/* What was found goes with the daemon that found it. */
static void
forget_all (SudaLanBrowser *self)
{
  guint n = self->chats->len;
  GHashTableIter iter;
  AvahiServiceResolver *resolver;

  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &resolver))
    if (resolver != NULL)
      avahi_service_resolver_free (resolver);
  g_hash_table_remove_all (self->instances);
  for (guint i = 0; i < G_N_ELEMENTS (service_types); i++)
    {
      g_clear_pointer (&self->browsers[i], avahi_service_browser_free);
      self->all_for_now[i] = FALSE;
    }
  g_ptr_array_set_size (self->chats, 0);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

static void
start_browsing (SudaLanBrowser *self,
                AvahiClient    *client)
{
  for (guint i = 0; i < G_N_ELEMENTS (service_types); i++)
    if (self->browsers[i] == NULL)
      self->browsers[i] = avahi_service_browser_new (client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                     service_types[i], NULL, 0, browse_cb, self);
}

static gboolean
restart_cb (gpointer data)
{
  SudaLanBrowser *self = data;

  self->restart_id = 0;
  forget_all (self);
  g_clear_pointer (&self->client, avahi_client_free);
  start_client (self);
  return G_SOURCE_REMOVE;
}

static void
client_cb (AvahiClient      *client,
           AvahiClientState  state,
           void             *data)
{
  SudaLanBrowser *self = data;

  switch (state)
    {
    case AVAHI_CLIENT_S_RUNNING:
      start_browsing (self, client);
      set_available (self, TRUE, NULL);
      break;
    case AVAHI_CLIENT_S_REGISTERING:
    case AVAHI_CLIENT_S_COLLISION:
      break;
    case AVAHI_CLIENT_CONNECTING:
      forget_all (self);
      set_available (self, FALSE, _("Chats on this network cannot be found: "
                                    "the Avahi service is not running on this computer."));
      break;
    case AVAHI_CLIENT_FAILURE:
    default:
      forget_all (self);
      set_available (self, FALSE, _("Chats on this network cannot be found: "
                                    "the Avahi service stopped."));
      /* Not from inside the old client's own callback. */
      if (self->restart_id == 0)
        self->restart_id = g_idle_add (restart_cb, self);
      break;
    }
}

static void
start_client (SudaLanBrowser *self)
{
  int error = 0;

  self->client = avahi_client_new (avahi_glib_poll_get (self->poll), AVAHI_CLIENT_NO_FAIL,
                                   client_cb, self, &error);
  if (self->client == NULL)
    {
      g_autofree char *problem = g_strdup_printf (_("Chats on this network cannot be found: %s"),
                                                  avahi_strerror (error));

      set_available (self, FALSE, problem);
    }
}

/* The object ------------------------------------------------------------ */

static void
suda_lan_browser_dispose (GObject *object)
{
  SudaLanBrowser *self = SUDA_LAN_BROWSER (object);

  g_clear_handle_id (&self->restart_id, g_source_remove);
  if (self->instances != NULL)
    forget_all (self);
  g_clear_pointer (&self->client, avahi_client_free);
  g_clear_pointer (&self->poll, avahi_glib_poll_free);
  G_OBJECT_CLASS (suda_lan_browser_parent_class)->dispose (object);
}

static void
suda_lan_browser_finalize (GObject *object)
{
  SudaLanBrowser *self = SUDA_LAN_BROWSER (object);

  g_clear_pointer (&self->chats, g_ptr_array_unref);
  g_clear_pointer (&self->instances, g_hash_table_unref);
  g_clear_pointer (&self->problem, g_free);
  G_OBJECT_CLASS (suda_lan_browser_parent_class)->finalize (object);
}

static void
suda_lan_browser_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SudaLanBrowser *self = SUDA_LAN_BROWSER (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    case PROP_SETTLED:
      g_value_set_boolean (value, suda_lan_browser_get_settled (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_lan_browser_class_init (SudaLanBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = suda_lan_browser_dispose;
  object_class->finalize = suda_lan_browser_finalize;
  object_class->get_property = suda_lan_browser_get_property;

  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Notified whenever it may have changed; read the value. */
  properties[PROP_SETTLED] =
    g_param_spec_boolean ("settled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_lan_browser_init (SudaLanBrowser *self)
{
  self->chats = g_ptr_array_new_with_free_func (g_object_unref);
  self->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->poll = avahi_glib_poll_new (NULL, G_PRIORITY_DEFAULT);
  start_client (self);
}

SudaLanBrowser *
suda_lan_browser_new (void)
{
  return g_object_new (SUDA_TYPE_LAN_BROWSER, NULL);
}

gboolean
suda_lan_browser_get_available (SudaLanBrowser *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_BROWSER (self), FALSE);
  return self->available;
}

const char *
suda_lan_browser_get_problem (SudaLanBrowser *self)
{
  g_return_val_if_fail (SUDA_IS_LAN_BROWSER (self), NULL);
  return self->problem;
}

gboolean
suda_lan_browser_get_settled (SudaLanBrowser *self)
{
  GHashTableIter iter;
  gpointer resolver;

  g_return_val_if_fail (SUDA_IS_LAN_BROWSER (self), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (service_types); i++)
    if (!self->all_for_now[i])
      return FALSE;
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, NULL, &resolver))
    if (resolver != NULL)
      return FALSE;
  return TRUE;
}
