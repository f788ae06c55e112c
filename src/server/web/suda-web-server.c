/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The web side of a server: a SoupServer on [web] port= that serves the
 * page (suda-web-page.c) and answers the WebSocket handshake at /ws after
 * the Host and Origin checks; then it lets go of the connection, which
 * becomes a SudaWebTransport for the listener. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-web-private.h"
#include "suda-web-server.h"
#include "suda-web-transport.h"

struct _SudaWebServer
{
  GObject                 parent_instance;

  const SudaServerConfig *config;       /* borrowed: the server's */
  GTlsCertificate        *certificate;  /* NULL: plain HTTP */
  SudaWebAcceptFunc       accept;
  gpointer                accept_data;

  SoupServer             *soup;
  guint16                 port;
  char                   *address;
};

G_DEFINE_FINAL_TYPE (SudaWebServer, suda_web_server, G_TYPE_OBJECT)

/* IRCv3 WebSocket: text frames (UTF-8) or binary ones, one line each. */
static const char *subprotocols[] = { "text.ircv3.net", "binary.ircv3.net", NULL };

static void
suda_web_server_dispose (GObject *object)
{
  SudaWebServer *self = SUDA_WEB_SERVER (object);

  suda_web_server_stop (self);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (suda_web_server_parent_class)->dispose (object);
}

static void
suda_web_server_class_init (SudaWebServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = suda_web_server_dispose;
}

static void
suda_web_server_init (SudaWebServer *self)
{
}

SudaWebServer *
suda_web_server_new (const SudaServerConfig *config,
                     GTlsCertificate        *certificate,
                     SudaWebAcceptFunc       accept,
                     gpointer                accept_data)
{
  SudaWebServer *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), NULL);

  self = g_object_new (SUDA_TYPE_WEB_SERVER, NULL);
  self->config = config;
  self->certificate = certificate ? g_object_ref (certificate) : NULL;
  self->accept = accept;
  self->accept_data = accept_data;
  return self;
}

/* Requests ------------------------------------------------------------------ */

/* Another site's name pointed at this machine (DNS rebinding) is its own
 * origin: without this its pages would pass the Origin check. */
static gboolean
refuse_foreign_host (SudaWebServer     *self,
                     SoupServerMessage *msg)
{
  if (_suda_web_host_allowed (msg, self->config))
    return FALSE;
  soup_server_message_set_status (msg, SOUP_STATUS_MISDIRECTED_REQUEST, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
  return TRUE;
}

static void
on_request (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  SudaWebServer *self = data;

  _suda_web_add_security_headers (msg);
  if (!refuse_foreign_host (self, msg))
    _suda_web_serve (msg, path, self->config);
}

/* The 101 is written: the connection is ours from here on. */
static void
on_upgraded (SoupServerMessage *msg,
             gpointer           data)
{
  SudaWebServer *self = data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *protocol = soup_message_headers_get_one (headers, "Sec-WebSocket-Protocol");
  g_autoptr(GSocket) socket = g_object_ref (soup_server_message_get_socket (msg));
  g_autoptr(GSocketAddress) peer = g_object_ref (soup_server_message_get_remote_address (msg));
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(SudaTransport) transport = NULL;

  if (soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;
  stream = soup_server_message_steal_connection (msg);
  transport = suda_web_transport_new (stream, socket, peer,
                                      g_strcmp0 (protocol, "binary.ircv3.net") == 0,
                                      self->config->recvq_bytes);
  if (self->accept != NULL)
    self->accept (self->accept_data, transport);
  else
    suda_transport_close (transport);
}

static void
on_socket_request (SoupServer        *soup,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           data)
{
  SudaWebServer *self = data;

  _suda_web_add_security_headers (msg);
  if (refuse_foreign_host (self, msg))
    return;
  if (!g_str_equal (path, "/ws"))
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  /* Another site's script would open sessions in its visitor's name. */
  else if (!_suda_web_origin_allowed (msg, self->config))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      /* A WebSocket client waits for the close, not for a next request. */
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
    }
  /* No extension is offered: permessage-deflate would make a frame's size
   * on the wire say nothing of what it holds. */
  else if (soup_websocket_server_process_handshake (msg, NULL, (char **) subprotocols, NULL, NULL))
    g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (on_upgraded), self, 0);
}

/* Start and stop ------------------------------------------------------------ */

static gboolean
listen_on (SudaWebServer  *self,
           guint           port,
           GError        **error)
{
  const char *text = self->config->web.listen_address;
  SoupServerListenOptions options = self->certificate ? SOUP_SERVER_LISTEN_HTTPS : 0;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  if (text == NULL || *text == '\0' || g_str_equal (text, "*"))
    {
      self->address = g_strdup ("0.0.0.0");
      return soup_server_listen_all (self->soup, port, options, error);
    }
  inet = g_inet_address_new_from_string (text);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("[web] listen: “%s” is not an IP address"), text);
      return FALSE;
    }
  self->address = g_inet_address_to_string (inet);
  address = g_inet_socket_address_new (inet, port);
  return soup_server_listen (self->soup, address, options, error);
}

/* Serves on PORT (0: any free one). */
static gboolean
start_on (SudaWebServer  *self,
          guint           port,
          GError        **error)
{
  GSList *listeners;

  self->soup = soup_server_new ("server-header", NULL, "tls-certificate", self->certificate, NULL);
  soup_server_add_handler (self->soup, NULL, on_request, self, NULL);
  soup_server_add_handler (self->soup, "/ws", on_socket_request, self, NULL);
  if (!listen_on (self, port, error))
    {
      suda_web_server_stop (self);
      return FALSE;
    }
  listeners = soup_server_get_listeners (self->soup);
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (listeners->data, NULL);

      if (local != NULL)
        self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  g_slist_free (listeners);
  return TRUE;
}

/* With [web] port-fallback (the console's default 8080), a port another
 * program holds is no reason to refuse the chat: the page goes to a free
 * port, and the window shows where. */
gboolean
suda_web_server_start (SudaWebServer  *self,
                       GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  int port;

  g_return_val_if_fail (SUDA_IS_WEB_SERVER (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  port = self->config->web.port;
  if (start_on (self, port == SUDA_WEB_PORT_ANY ? 0 : (guint) port, &local_error))
    return TRUE;
  if (port == SUDA_WEB_PORT_ANY || !self->config->web.port_fallback ||
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return start_on (self, 0, error);
}

void
suda_web_server_stop (SudaWebServer *self)
{
  g_return_if_fail (SUDA_IS_WEB_SERVER (self));

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->address, g_free);
  self->port = 0;
}

guint16
suda_web_server_get_port (SudaWebServer *self)
{
  g_return_val_if_fail (SUDA_IS_WEB_SERVER (self), 0);
  return self->port;
}

char *
suda_web_server_dup_url (SudaWebServer *self)
{
  g_autoptr(GInetAddress) inet = NULL;
  gboolean v6;

  g_return_val_if_fail (SUDA_IS_WEB_SERVER (self), NULL);

  if (self->soup == NULL || self->port == 0)
    return NULL;
  inet = g_inet_address_new_from_string (self->address);
  v6 = inet != NULL && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6;
  return g_strdup_printf ("%s://%s%s%s:%u/", self->certificate ? "https" : "http",
                          v6 ? "[" : "", self->address, v6 ? "]" : "", self->port);
}
