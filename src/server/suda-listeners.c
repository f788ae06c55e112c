/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server's ports: the clear-text one, the TLS one beside it (the same
 * GSocketService, its sockets marked) and the web page's; and the paths a
 * connection takes in, from accept (a burst at a time) to its session. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "announce/suda-announce.h"
#include "suda-certificate.h"
#include "suda-server-private.h"
#include "suda-socket-transport.h"
#include "suda-stream-transport.h"
#include "tls/suda-tls-private.h"
#include "web/suda-web-server.h"
#include "files/suda-file-host.h"

/* Accepting ---------------------------------------------------------------- */

static void
accept_connection (SudaServer        *self,
                   GSocketConnection *connection)
{
  g_autoptr(SudaTransport) transport = NULL;
  g_autoptr(SudaSession) session = NULL;

  if (!_suda_admission_admit (self->admission, connection, TRUE))
    return;
  transport = suda_socket_transport_new (connection);
  session = _suda_server_add_session (self, transport);
  _suda_server_announce (self, session, NULL);
}

/* The handshake is over: a session that made it is announced like a
 * clear-text one; a failed one is one error entry and closes. */
static void
on_handshake_done (SudaStreamTransport *transport,
                   gboolean             success,
                   const char          *message,
                   SudaSession         *session)
{
  SudaCore *core = _suda_client_from_session (session)->core;
  SudaServer *self = (SudaServer *) ((guint8 *) core - G_STRUCT_OFFSET (SudaServer, core));

  if (success)
    _suda_server_announce (self, session, NULL);
  else
    _suda_tls_note_failure (self->tls, suda_session_get_address (session), message);
}

/* Admitted as a clear-text connection is, before the handshake: a peer
 * stalling in it holds an unregistered slot until the registration
 * deadline. */
static void
accept_tls_connection (SudaServer        *self,
                       GSocketConnection *connection)
{
  g_autoptr(SudaTransport) transport = NULL;
  g_autoptr(SudaSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (!_suda_admission_admit (self->admission, connection, FALSE))
    return;
  transport = _suda_tls_wrap (self->tls, connection, &error);
  if (transport == NULL)
    {
      g_autofree char *host = _suda_session_describe_peer (connection, NULL);

      _suda_tls_note_failure (self->tls, host, error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    }
  session = _suda_server_add_session (self, transport);
  _suda_session_set_secure (session, TRUE);
  /* Only while the session lives: a closed one cancels its handshake. */
  g_signal_connect_object (transport, "handshake-done", G_CALLBACK (on_handshake_done), session, 0);
}

static gboolean
is_tls_socket (GObject *source)
{
  return source != NULL && g_object_get_data (source, "suda-tls") != NULL;
}

/* How many waiting connections one wake-up of the port takes. */
#define ACCEPT_BURST 64

static gboolean
on_incoming (GSocketService    *listener,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           data)
{
  SudaServer *self = data;
  gboolean tls = is_tls_socket (source);

  if (tls)
    accept_tls_connection (self, connection);
  else
    accept_connection (self, connection);
  /* The rest of a burst, without a main-loop iteration each. */
  for (guint i = 1; i < ACCEPT_BURST && G_IS_SOCKET (source) && self->running && !self->stopping; i++)
    {
      g_autoptr(GSocket) socket = g_socket_accept (G_SOCKET (source), NULL, NULL);
      g_autoptr(GSocketConnection) more = NULL;

      if (socket == NULL)
        break;
      more = g_socket_connection_factory_create_connection (socket);
      if (tls)
        accept_tls_connection (self, more);
      else
        accept_connection (self, more);
    }
  return TRUE;
}

/* Listening ---------------------------------------------------------------- */

static GSocketAddress *
make_listen_address (const char  *text,
                     guint16      port,
                     GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;

  if (text == NULL || *text == '\0' || g_str_equal (text, "*"))
    return NULL;
  inet = g_inet_address_new_from_string (text);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address"), text);
      return NULL;
    }
  return g_inet_socket_address_new (inet, port);
}

/* Binds and listens itself, and gives the socket to the service as its own
 * source object, so that on_incoming() can take a whole burst of waiting
 * connections at once: GSocketService accepts one per main-loop
 * iteration, and an iteration over thousands of sockets is slow. */
static GSocket *
listen_socket (SudaServer      *self,
               GSocketAddress  *address,
               gboolean         tls,
               GError         **error)
{
  g_autoptr(GSocket) socket = g_socket_new (g_socket_address_get_family (address),
                                            G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);

  if (socket == NULL)
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  /* The default backlog is 10: a class logging in at once would see
   * dropped SYNs and one-second retransmit stalls. */
  g_socket_set_listen_backlog (socket, 4096);
  if (tls)
    g_object_set_data (G_OBJECT (socket), "suda-tls", GINT_TO_POINTER (TRUE));
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error) ||
      !g_socket_listener_add_socket (G_SOCKET_LISTENER (self->listener), socket,
                                     G_OBJECT (socket), error))
    return NULL;
  return g_steal_pointer (&socket);
}

static GSocket *
listen_any (SudaServer       *self,
            GSocketFamily     family,
            guint16           port,
            gboolean          tls,
            GError          **error)
{
  g_autoptr(GInetAddress) any = g_inet_address_new_any (family);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, port);

  return listen_socket (self, address, tls, error);
}

static guint16
get_local_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);

  return local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
}

/* Listens on TEXT (an address, or every interface) and PORT, and says
 * where in *OUT_ADDRESS and *OUT_PORT. */
static gboolean
listen_on (SudaServer  *self,
           const char  *text,
           guint16      port,
           gboolean     tls,
           char       **out_address,
           guint16     *out_port,
           GError     **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSocket) socket = NULL;

  address = make_listen_address (text, port, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (address == NULL)
    {
      /* Every interface: IPv6, which takes IPv4 too where the system
       * allows; otherwise IPv4 beside it, or alone. */
      socket = listen_any (self, G_SOCKET_FAMILY_IPV6, port, tls, NULL);
      if (socket == NULL || !g_socket_speaks_ipv4 (socket))
        {
          g_autoptr(GSocket) socket4 = listen_any (self, G_SOCKET_FAMILY_IPV4,
                                                   socket ? get_local_port (socket) : port,
                                                   tls, error);

          if (socket4 == NULL)
            return FALSE;
          if (socket == NULL)
            socket = g_steal_pointer (&socket4);
        }
      *out_port = get_local_port (socket);
      *out_address = g_strdup ("0.0.0.0");
      return *out_port != 0;
    }

  socket = listen_socket (self, address, tls, error);
  if (socket == NULL)
    return FALSE;
  effective = g_socket_get_local_address (socket, error);
  if (effective == NULL)
    return FALSE;
  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  *out_address = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (effective)));
  return TRUE;
}

static gboolean
tls_wanted (SudaServer *self)
{
  return self->config->tls_port != 0 || self->tls_any_port;
}

/* The clear-text port unless [tls] plain=false, the TLS one when [tls]
 * port= is set, its certificate loaded (or made) first. */
static gboolean
listen_all (SudaServer  *self,
            GError     **error)
{
  const SudaServerConfig *config = self->config;
  const char *tls_listen = config->tls_listen;

  if (!tls_wanted (self) || config->plain)
    if (!listen_on (self, config->listen_address, config->port, FALSE,
                    &self->address, &self->port, error))
      return FALSE;
  if (!tls_wanted (self))
    return TRUE;
  if (!_suda_tls_load (self->tls, config, error))
    return FALSE;
  if (tls_listen == NULL || *tls_listen == '\0')
    tls_listen = config->listen_address;
  return listen_on (self, tls_listen, config->tls_port, TRUE,
                    &self->tls_address, &self->tls_port, error);
}

/* The certificate in use, said once at start: an operator tells clients
 * this fingerprint when it is self-signed. */
void
_suda_listeners_log_tls (SudaServer *self)
{
  g_autofree char *pretty = NULL;
  g_autofree char *text = NULL;
  g_autoptr(SudaLogEntry) entry = NULL;

  if (self->tls_port == 0)
    return;
  pretty = suda_certificate_format_fingerprint (_suda_tls_get_fingerprint (self->tls));
  text = g_strdup_printf ("TLS on %s:%u, certificate SHA-256 fingerprint %s%s",
                          self->tls_address, self->tls_port, pretty,
                          _suda_tls_is_self_signed (self->tls) ? " (self-signed)" : "");
  entry = suda_log_entry_new (0, "info", NULL, NULL, text);
  suda_log_entry_set_field (entry, "fingerprint", _suda_tls_get_fingerprint (self->tls));
  suda_server_log (self, entry);
}

/* The web page ------------------------------------------------------------- */

static void accept_web_transport (SudaServer    *self,
                                  SudaTransport *transport);

static void
on_web_accept (gpointer       data,
               SudaTransport *transport)
{
  SudaServer *self = data;

  if (!self->running || self->stopping)
    {
      suda_transport_close (transport);
      return;
    }
  /* As on the IRC port, whose connections wait in the backlog until the
   * history is read: no JOIN sees part of it. */
  if (self->loading != NULL)
    {
      g_ptr_array_add (self->web_waiting, g_object_ref (transport));
      return;
    }
  accept_web_transport (self, transport);
}

static void
accept_web_transport (SudaServer    *self,
                      SudaTransport *transport)
{
  g_autoptr(SudaSession) session = NULL;

  if (!_suda_admission_admit_transport (self->admission, transport))
    return;
  session = _suda_server_add_session (self, transport);
  _suda_server_announce (self, session, "websocket");
}

/* [web] port= other than 0: the page and /ws beside the IRC port. */
static gboolean
start_web (SudaServer  *self,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  const SudaServerConfig *config = self->config;
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (config->web.port == 0)
    return TRUE;
  /* Browsers warn about a self-signed certificate: the page goes over
   * HTTPS only with the certificate [tls] names. */
  if (config->tls_certificate != NULL)
    {
      certificate = g_tls_certificate_new_from_files (config->tls_certificate,
                                                      config->tls_key ? config->tls_key : config->tls_certificate,
                                                      error);
      if (certificate == NULL)
        {
          g_prefix_error (error, _("the web page's port: "));
          return FALSE;
        }
    }
  self->web = suda_web_server_new (config, certificate, on_web_accept, self);
  if (suda_web_server_start (self->web, &local_error))
    return TRUE;
  g_clear_object (&self->web);
  /* Told apart from the IRC port's, which a window names otherwise. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    g_set_error (error, SUDA_SERVER_ERROR, SUDA_SERVER_ERROR_WEB_PORT_IN_USE,
                 _("Port %d, for the web page, is already in use by another program"), config->web.port);
  else
    g_propagate_prefixed_error (error, g_steal_pointer (&local_error), _("the web page's port: "));
  return FALSE;
}

guint16
suda_server_get_web_port (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), 0);
  return self->web ? suda_web_server_get_port (self->web) : 0;
}

char *
suda_server_dup_web_url (SudaServer *self)
{
  g_return_val_if_fail (SUDA_IS_SERVER (self), NULL);
  return self->web ? suda_web_server_dup_url (self->web) : NULL;
}

/* The files ------------------------------------------------------------------ */

/* [files] port= other than 0: uploads on a port of their own, over HTTPS
 * with the chat's own certificate when it has TLS. */
static gboolean
start_files (SudaServer  *self,
             GError     **error)
{
  GTlsCertificate *certificate = NULL;
  g_autoptr(SudaFileHost) files = NULL;

  if (self->config->files.port == 0)
    return TRUE;
  if (tls_wanted (self))
    certificate = _suda_tls_get_certificate (self->tls);
  files = suda_file_host_new (&self->core, certificate);
  if (!suda_file_host_start (files, error))
    {
      g_prefix_error (error, _("the files' port: "));
      return FALSE;
    }
  self->core.files = g_steal_pointer (&files);
  return TRUE;
}

/* Opening and closing ------------------------------------------------------ */

static void
forget_ports (SudaServer *self)
{
  g_socket_listener_close (G_SOCKET_LISTENER (self->listener));
  g_clear_object (&self->listener);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->tls_address, g_free);
  self->port = self->tls_port = 0;
}

gboolean
_suda_listeners_open (SudaServer  *self,
                      GError     **error)
{
  self->listener = g_socket_service_new ();
  /* A new service is active: it accepts once the history is read. */
  g_socket_service_stop (self->listener);
  if (!listen_all (self, error))
    {
      forget_ports (self);
      return FALSE;
    }
  g_signal_connect (self->listener, "incoming", G_CALLBACK (on_incoming), self);
  if (!start_web (self, error) || !start_files (self, error))
    {
      g_clear_object (&self->web);
      forget_ports (self);
      return FALSE;
    }
  return TRUE;
}

/* Announcing on the local network ----------------------------------------- */

static void
on_announce_note (gpointer    data,
                  const char *text)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "info", NULL, NULL, text);

  suda_server_log (data, entry);
}

static char *
dup_announce_name (const SudaServerConfig *config)
{
  if (config->announce_name != NULL && *config->announce_name != '\0')
    return g_strdup (config->announce_name);
  return g_strdup_printf ("%s on %s", config->network_name, g_get_host_name ());
}

/* Once connections are let in: a student who sees the chat can join. */
static void
start_announcing (SudaServer *self)
{
  const SudaServerConfig *config = self->config;
  g_autofree char *name = NULL;
  SudaAnnounceInfo info = { 0 };

  if (!config->announce || self->announce != NULL)
    return;
  name = dup_announce_name (config);
  info.name = name;
  info.port = self->port;
  info.tls_port = self->tls_port;
  info.room = config->default_channel;
  info.password = config->password != NULL && *config->password != '\0';
  info.accounts = self->core.accounts ? config->accounts.registration : NULL;
  if (self->tls_port != 0 && _suda_tls_is_self_signed (self->tls))
    info.fingerprint = _suda_tls_get_fingerprint (self->tls);
  self->announce = _suda_announce_new (&info, on_announce_note, self);
}

const char *
_suda_listeners_get_announced_name (SudaServer *self)
{
  return self->announce ? _suda_announce_get_name (self->announce) : NULL;
}

/* The history is read: who waits in the backlog, or opened a WebSocket
 * meanwhile, comes in (unless the server is stopping already). */
void
_suda_listeners_let_in (SudaServer *self)
{
  if (!self->stopping)
    {
      g_socket_service_start (self->listener);
      start_announcing (self);
    }
  for (guint i = 0; !self->stopping && i < self->web_waiting->len; i++)
    accept_web_transport (self, g_ptr_array_index (self->web_waiting, i));
  g_ptr_array_set_size (self->web_waiting, 0);
}

void
_suda_listeners_close (SudaServer *self)
{
  g_clear_pointer (&self->announce, _suda_announce_free);
  g_socket_listener_close (G_SOCKET_LISTENER (self->listener));
  g_clear_object (&self->listener);
  g_clear_object (&self->web);
  g_clear_object (&self->core.files);
  for (guint i = 0; i < self->web_waiting->len; i++)
    suda_transport_close (g_ptr_array_index (self->web_waiting, i));
  g_ptr_array_set_size (self->web_waiting, 0);
}
