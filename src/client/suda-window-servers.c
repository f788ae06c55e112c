/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's servers kept in GSettings ("servers"): saved as they change
 * (added, connected, disconnected, closed, a room joined or left) and made
 * again at start, where those that were connected connect again and
 * rejoin their rooms.  Passwords stay in the keyring. */
#include "config.h"

#include "suda-secrets.h"
#include "suda-window-private.h"

#define SERVERS_TYPE "a(sqsbsbas)"

/* The rooms to come back to: those joined, or while the connection is
 * not up, those it is in (a room the person was kicked from is not). */
static void
add_rooms (GVariantBuilder *rooms,
           SudaClient      *client)
{
  GListModel *conversations = suda_client_get_conversations (client);
  gboolean up = suda_connection_is_connected (suda_client_get_connection (client));
  guint n = g_list_model_get_n_items (conversations);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      if (suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM &&
          (!up || suda_conversation_get_joined (conv)))
        g_variant_builder_add (rooms, "s", suda_conversation_get_name (conv));
    }
}

static void
add_server (GVariantBuilder *servers,
            SudaClient      *client)
{
  SudaConnection *connection = suda_client_get_connection (client);
  const char *nick = suda_connection_get_nick (connection);
  const char *account = suda_connection_get_account (connection);
  GVariantBuilder rooms;

  g_variant_builder_init (&rooms, G_VARIANT_TYPE_STRING_ARRAY);
  add_rooms (&rooms, client);
  g_variant_builder_add (servers, "(sqsbsbas)",
                         suda_connection_get_host (connection),
                         suda_connection_get_port (connection),
                         nick ? nick : "",
                         suda_connection_get_tls (connection),
                         account ? account : "",
                         suda_connection_get_state (connection) != SUDA_CONNECTION_DISCONNECTED,
                         &rooms);
}

/* A server group still waiting for an address is not one to keep. */
void
_suda_window_servers_save (SudaWindow *self)
{
  GVariantBuilder servers;
  guint n;

  g_clear_handle_id (&self->servers_save_id, g_source_remove);
  if (self->servers_frozen || self->settings == NULL || self->clients == NULL)
    return;
  g_variant_builder_init (&servers, G_VARIANT_TYPE (SERVERS_TYPE));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->clients));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaClient) client = g_list_model_get_item (G_LIST_MODEL (self->clients), i);

      if (suda_connection_get_host (suda_client_get_connection (client)) != NULL)
        add_server (&servers, client);
    }
  g_settings_set_value (self->settings, "servers", g_variant_builder_end (&servers));
}

static gboolean
save_cb (gpointer user_data)
{
  SudaWindow *self = user_data;

  self->servers_save_id = 0;
  _suda_window_servers_save (self);
  return G_SOURCE_REMOVE;
}

/* A burst of changes (a reconnection rejoining ten rooms) is one write. */
static void
schedule_save (SudaWindow *self)
{
  if (self->servers_save_id == 0 && !self->servers_frozen && self->settings != NULL)
    self->servers_save_id = g_idle_add (save_cb, self);
}

static void
conversations_changed_cb (GListModel *conversations,
                          guint       position,
                          guint       removed,
                          guint       added,
                          SudaWindow *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      g_signal_connect_object (conv, "notify::joined", G_CALLBACK (schedule_save), self, G_CONNECT_SWAPPED);
    }
  schedule_save (self);
}

void
_suda_window_servers_watch (SudaWindow *self,
                            SudaClient *client)
{
  static const char * const changes[] = {
    "notify::state", "notify::nick", "notify::host", "notify::port", "notify::tls", "notify::account",
  };
  GListModel *conversations = suda_client_get_conversations (client);
  SudaConnection *connection = suda_client_get_connection (client);

  g_signal_connect_object (conversations, "items-changed", G_CALLBACK (conversations_changed_cb), self, 0);
  conversations_changed_cb (conversations, 0, 0, g_list_model_get_n_items (conversations), self);
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    g_signal_connect_object (connection, changes[i], G_CALLBACK (schedule_save), self, G_CONNECT_SWAPPED);
}

void
_suda_window_servers_init (SudaWindow *self)
{
  g_signal_connect_object (self->clients, "items-changed", G_CALLBACK (schedule_save), self, G_CONNECT_SWAPPED);
  _suda_window_lan_init (self);
}

/* From here on (the window closing, going) what happens to the servers
 * is not the person's doing and is not kept. */
void
_suda_window_servers_freeze (SudaWindow *self)
{
  g_clear_handle_id (&self->servers_save_id, g_source_remove);
  self->servers_frozen = TRUE;
}

/* Restoring */

typedef struct {
  SudaClient *client;
  char       *account;
} Login;

static void
login_free (Login *login)
{
  g_object_unref (login->client);
  g_free (login->account);
  g_free (login);
}

static void
connect_client (SudaClient *client)
{
  SudaConnection *connection = suda_client_get_connection (client);
  /* Copies: connecting sets the connection's own strings again. */
  g_autofree char *host = g_strdup (suda_connection_get_host (connection));
  g_autofree char *nick = g_strdup (suda_connection_get_nick (connection));

  suda_client_connect (client, host, suda_connection_get_port (connection), nick, NULL);
}

/* The account's password from the keyring, then the connection; without
 * one the server is connected to all the same, without logging in. */
static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Login *login = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = suda_secrets_lookup_finish (result, &error);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (error != NULL)
        g_message ("the keyring did not answer: %s", error->message);
      if (password != NULL)
        suda_connection_set_account (suda_client_get_connection (login->client), login->account, password);
      connect_client (login->client);
    }
  login_free (login);
}

static gboolean
cleartext_allowed (SudaWindow *self,
                   const char *host)
{
  g_auto(GStrv) hosts = g_settings_get_strv (self->settings, "cleartext-servers");

  return g_strv_contains ((const char * const *) hosts, host);
}

/* The window's first, empty server group takes the first saved server. */
static SudaClient *
client_for (SudaWindow *self,
            const char *host,
            guint16     port)
{
  SudaClient *client = _suda_window_find_server (self, host, port);

  if (client == NULL && self->client != NULL &&
      suda_connection_get_host (suda_client_get_connection (self->client)) == NULL)
    client = self->client;
  return client ? client : suda_window_add_server (self);
}

static void
restore_server (SudaWindow         *self,
                const char         *host,
                guint16             port,
                const char         *nick,
                gboolean            tls,
                const char         *account,
                gboolean            connected,
                const char * const *rooms)
{
  SudaClient *client = client_for (self, host, port);
  SudaConnection *connection = suda_client_get_connection (client);
  g_autofree char *autojoin = g_strjoinv (",", (GStrv) rooms);
  g_autofree char *server = NULL;
  Login *login;

  suda_connection_set_server (connection, host, port);
  suda_connection_set_nick (connection, *nick ? nick : g_get_user_name ());
  suda_connection_set_tls (connection, tls);
  suda_connection_set_allow_cleartext (connection, tls || cleartext_allowed (self, host));
  suda_conversation_set_name (suda_client_get_server_conversation (client), host);
  /* One JOIN with the rooms comma-separated, as IRC allows. */
  suda_client_set_autojoin (client, autojoin);
  if (!connected)
    return;
  if (*account == '\0')
    {
      connect_client (client);
      return;
    }
  login = g_new0 (Login, 1);
  login->client = g_object_ref (client);
  login->account = g_strdup (account);
  server = g_strdup_printf ("%s:%u", host, port);
  suda_secrets_lookup_async (server, account, self->secrets_cancellable, looked_up_cb, login);
}

/* The servers of the last session come back, in their order, the first
 * one shown; those the person had disconnected stay disconnected. */
void
suda_window_restore_servers (SudaWindow *self)
{
  g_autoptr(GVariant) servers = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  SudaClient *first = NULL;
  const char *host, *nick, *account;
  const char **rooms;
  gboolean tls, connected;
  guint16 port;

  g_return_if_fail (SUDA_IS_WINDOW (self));

  servers = g_settings_get_value (self->settings, "servers");
  iter = g_variant_iter_new (servers);
  while (g_variant_iter_next (iter, "(&sq&sb&sb^a&s)", &host, &port, &nick, &tls, &account, &connected, &rooms))
    {
      if (*host != '\0' && port != 0)
        {
          restore_server (self, host, port, nick, tls, account, connected, rooms);
          if (first == NULL)
            first = _suda_window_find_server (self, host, port);
        }
      g_free (rooms);
    }
  if (first != NULL)
    suda_window_show_conversation (self, suda_client_get_server_conversation (first));
}

/* What an irc:// address on the command line asks for: that server's
 * group (a new one unless the window has it, or an unused one),
 * connected as NICK, with ROOM open.  NICK and ROOM may be NULL. */
void
suda_window_open_address (SudaWindow *self,
                          const char *host,
                          guint16     port,
                          gboolean    tls,
                          const char *nick,
                          const char *room)
{
  SudaClient *client;
  SudaConnection *connection;

  g_return_if_fail (SUDA_IS_WINDOW (self));
  g_return_if_fail (host != NULL && *host != '\0');

  client = _suda_window_find_server (self, host, port);
  /* Only a group never given an address is free to take this one: a
   * server restored but disconnected stays what it is. */
  if (client == NULL)
    client = suda_connection_get_host (suda_window_get_connection (self)) == NULL
             ? self->client : suda_window_add_server (self);
  suda_window_show_conversation (self, suda_client_get_server_conversation (client));
  connection = suda_client_get_connection (client);
  if (suda_connection_get_state (connection) != SUDA_CONNECTION_DISCONNECTED)
    {
      suda_client_open_address (client, host, port, nick, room);
      return;
    }
  if (nick == NULL && g_strcmp0 (suda_connection_get_host (connection), host) == 0)
    nick = suda_connection_get_nick (connection);
  suda_window_set_tls (self, tls);
  suda_window_fill_form (self, host, port, nick, room);
  suda_window_connect (self);
}
