/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Several servers, one chat, through Redis.  Every room event this server's
 * users make is added once to one stream for the whole cluster
 * (suda-cluster-stream.c), and each server delivers the others' events to
 * its own members (suda-delivery-relay.c).  One stream rather than one per
 * room: a server must follow every room anyway (LIST counts, NAMES of rooms
 * it has no one in, whose nicks are taken), and one stream keeps one
 * server's events in the order it made them, across rooms.  A server back
 * from an outage reads on from the last entry it saw.
 *
 * Nicks are leases in Redis (suda:nick:NICK → server id, refreshed every
 * third of [cluster] lease); each server says it is alive on the channel
 * as often, and one silent for a whole lease is gone: its users quit here
 * with "Server went away". */
#include "config.h"

#include <string.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "suda-cluster-private.h"
#include "suda-irc-message.h"
#include "suda-redis.h"

#define STREAM "suda:events"
/* Entries the events' stream keeps (about): at a busy school's 400
 * events a second, 25 s of outage a server can still catch up on. */
#define STREAM_LENGTH 10000
#define NICK_KEY "suda:nick:"

/* Deletes a nick's key only while this server holds it. */
#define RELEASE_SCRIPT \
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

struct _SudaCluster
{
  SudaCore      *core;         /* not owned */
  char          *id;
  char          *url;
  char          *where;        /* the address as logs show it */
  guint          lease_ms;
  GTlsDatabase  *trust;        /* [cluster] tls-ca, or NULL: the system's */
  SudaRedis     *cmd;          /* commands and XADD */
  SudaRedis     *listener;     /* blocked in XREAD: hears the others */
  SudaClusterReader *reader;
  char          *last_id;      /* the last entry read, kept across outages */
  GCancellable  *connecting;
  GCancellable  *loading;      /* the shared histories being read */
  gboolean       connected;
  gboolean       heard_self;   /* our hello came back: we hear the stream */
  gboolean       history_read;
  gboolean       outage_logged;
  gboolean       dead;         /* freed: replies still on the way find this */
  guint          retry_id;
  guint          beat_id;
  GHashTable    *peers;        /* server id → gint64 monotonic usec last heard */
  SudaClusterAccounts *accounts;  /* suda-cluster-accounts.c */
  SudaClusterHeld *held;       /* suda-cluster-held.c */
  SudaClusterLink link;        /* as the console shows it */
  GDateTime     *link_since;
  SudaClusterChangedFunc changed;  /* on a change of LINK */
  gpointer       changed_data;
};

static void connect_now (SudaCluster *self);

static SudaCluster *
cluster_ref (SudaCluster *self)
{
  return g_rc_box_acquire (self);
}

static void
cluster_clear (gpointer data)
{
  SudaCluster *self = data;

  g_free (self->id);
  g_free (self->url);
  g_free (self->where);
  g_free (self->last_id);
  g_clear_object (&self->trust);
  g_hash_table_unref (self->peers);
  g_clear_pointer (&self->link_since, g_date_time_unref);
}

static void
cluster_unref (gpointer self)
{
  g_rc_box_release_full (self, cluster_clear);
}

static void
log_info (SudaCluster *self,
          const char  *event,
          const char  *text)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, event, NULL, NULL, text);

  suda_log_entry_set_field (entry, "cluster", self->id);
  _suda_delivery_log (self->core->delivery, entry);
}

/* The link to Redis as the console shows it: "unreachable" only once a
 * connection failed, so a start is not an outage. */
static void
set_link (SudaCluster     *self,
          SudaClusterLink  link)
{
  if (self->link == link && self->link_since != NULL)
    return;
  self->link = link;
  g_clear_pointer (&self->link_since, g_date_time_unref);
  self->link_since = g_date_time_new_now_local ();
  if (self->changed != NULL && !self->dead)
    self->changed (self->changed_data);
}

void
_suda_cluster_set_unreachable (SudaCluster *self)
{
  self->outage_logged = TRUE;
  set_link (self, SUDA_CLUSTER_LINK_UNREACHABLE);
}

/* Reachability ------------------------------------------------------------- */

gboolean
_suda_cluster_check (const SudaServerConfig  *config,
                     GError                 **error)
{
  SudaRedisAddress address;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnectable) target = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *where = NULL;
  g_autoptr(GError) local = NULL;

  if (!suda_redis_address_parse (config->cluster.redis, &address, error))
    return FALSE;
  where = suda_redis_address_describe (&address);
  if (address.socket_path != NULL)
    target = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (address.socket_path));
  else
    target = g_network_address_new (address.host, address.port);
  suda_redis_address_clear (&address);
  /* Only whether something listens, blocking once at start as binding
   * does; a wrong password shows in the log once connected. */
  g_socket_client_set_timeout (client, 5);
  connection = g_socket_client_connect (client, target, NULL, &local);
  if (connection == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                   _("Redis at %s cannot be reached: %s"), where, local->message);
      return FALSE;
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* Publishing --------------------------------------------------------------- */

static void
on_answered (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(redisReply) reply = suda_redis_command_finish (SUDA_REDIS (source), result, NULL);
}

static void
command (SudaCluster        *self,
         const char * const *argv)
{
  if (self->connected)
    suda_redis_command_async (self->cmd, argv, NULL, NULL, on_answered, NULL);
}

static JsonBuilder *
begin (SudaCluster *self,
       const char  *kind)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "server");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  return builder;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static char *
end_payload (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* While Redis is away nothing is queued: the others may have counted this
 * server gone and its users quit, and lines said to a room they had left
 * would come out of nowhere.  What reached the stream is never lost. */
/* FALSE: Redis is away, and the message is lost */
static gboolean
publish (SudaCluster *self,
         JsonBuilder *builder)
{
  g_autofree char *payload = end_payload (builder);

  if (self->connected)
    _suda_cluster_stream_add (self->cmd, STREAM, STREAM_LENGTH, payload);
  return self->connected;
}

/* Nicks ---------------------------------------------------------------------- */

typedef struct {
  SudaCluster *cluster;
  char        *nick;
} Claim;

static void
claim_free (Claim *claim)
{
  cluster_unref (claim->cluster);
  g_free (claim->nick);
  g_free (claim);
}

static char *
nick_key (const char *nick)
{
  g_autofree char *folded = suda_irc_casefold (nick);

  return g_strconcat (NICK_KEY, folded, NULL);
}

/* Another server holds the nick (both took it at once): the one here goes,
 * as IRC servers have always settled a nick collision. */
static void
on_claimed (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Claim *claim = data;
  SudaCluster *self = claim->cluster;
  g_autoptr(redisReply) reply = suda_redis_command_finish (SUDA_REDIS (source), result, NULL);
  SudaClient *client;

  if (!self->dead && reply != NULL && reply->type == REDIS_REPLY_STRING &&
      g_strcmp0 (reply->str, self->id) != 0 &&
      (client = _suda_registry_find_client (self->core->registry, claim->nick)) != NULL &&
      client->registered)
    {
      g_autofree char *text = g_strdup_printf ("nick %s is held by server %s", claim->nick, reply->str);

      log_info (self, "error", text);
      _suda_client_close (client, _("Nick collision"));
    }
  claim_free (claim);
}

static void
claim_nick (SudaCluster *self,
            const char  *nick)
{
  g_autofree char *key = nick_key (nick);
  g_autofree char *lease = g_strdup_printf ("%u", self->lease_ms);
  /* Redis 7: GET with NX says who holds it when it is taken. */
  const char *argv[] = { "SET", key, self->id, "NX", "GET", "PX", lease, NULL };
  Claim *claim;

  if (!self->connected)
    return;
  claim = g_new0 (Claim, 1);
  claim->cluster = cluster_ref (self);
  claim->nick = g_strdup (nick);
  suda_redis_command_async (self->cmd, argv, NULL, NULL, on_claimed, claim);
}

/* HOLDER: this server, or a dead one whose nicks are let go at once. */
static void
release_nick (SudaCluster *self,
              const char  *nick,
              const char  *holder)
{
  g_autofree char *key = nick_key (nick);
  const char *argv[] = { "EVAL", RELEASE_SCRIPT, "1", key, holder, NULL };

  command (self, argv);
}

/* What this server knows of one of its users, for a server that joins. */
static void
publish_user (SudaCluster *self,
              SudaClient  *client)
{
  JsonBuilder *builder = begin (self, "user");

  add_string (builder, "nick", client->nick);
  add_string (builder, "mask", client->mask);
  json_builder_set_member_name (builder, "channels");
  json_builder_begin_array (builder);
  for (guint i = 0; i < client->channels->len; i++)
    json_builder_add_string_value (builder, ((SudaChannel *) g_ptr_array_index (client->channels, i))->name);
  json_builder_end_array (builder);
  _suda_cluster_rooms_add_user (self, builder, client);
  publish (self, builder);
  g_object_unref (builder);
}

static void
announce_user (gpointer data,
               gpointer user_data)
{
  SudaClient *client = data;
  SudaCluster *self = user_data;

  if (!client->registered || client->nick == NULL)
    return;
  claim_nick (self, client->nick);
  publish_user (self, client);
}

static void
refresh_nick (gpointer data,
              gpointer user_data)
{
  SudaClient *client = data;
  SudaCluster *self = user_data;
  g_autofree char *key = NULL;
  g_autofree char *lease = NULL;

  if (!client->registered || client->nick == NULL)
    return;
  key = nick_key (client->nick);
  lease = g_strdup_printf ("%u", self->lease_ms);
  {
    const char *argv[] = { "PEXPIRE", key, lease, NULL };

    command (self, argv);
  }
}

/* Out: this server's events ------------------------------------------------- */

static gboolean
is_room_event (const char *command)
{
  static const char * const shared[] = {
    "PRIVMSG", "NOTICE", "JOIN", "PART", "QUIT", "NICK", "KICK", "TOPIC", "MODE",
  };

  for (guint i = 0; i < G_N_ELEMENTS (shared); i++)
    if (g_str_equal (command, shared[i]))
      return TRUE;
  return FALSE;
}

static void
add_line (JsonBuilder  *builder,
          SudaOutLine  *line,
          SudaLogEntry *entry)
{
  add_string (builder, "command", line->command);
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, line->time);
  add_string (builder, "source", line->source);
  add_string (builder, "nick", line->nick);
  add_string (builder, "target", line->target);
  add_string (builder, "text", line->text);
  add_string (builder, "tags", line->client_tags);
  add_string (builder, "msgid", line->msgid);
  add_string (builder, "account", line->account);
  if (line->bot)
    {
      json_builder_set_member_name (builder, "bot");
      json_builder_add_boolean_value (builder, TRUE);
    }
  if (entry != NULL)
    {
      g_autofree char *text = suda_log_entry_to_line (entry);

      add_string (builder, "log", text);
    }
}

static void
on_relay (gpointer      data,
          SudaLogEntry *entry,
          SudaOutLine  *line,
          const char   *channel,
          gboolean      keep)
{
  SudaCluster *self = data;
  JsonBuilder *builder;
  g_autofree char *payload = NULL;

  /* Connected or not: a JOIN held for its room's state dies with its user. */
  if (line != NULL && g_str_equal (line->command, "QUIT"))
    _suda_cluster_held_forget (self->held, _suda_registry_find_client (self->core->registry, line->nick));
  if (!self->connected)
    return;
  if (line == NULL)
    {
      SudaClient *client = _suda_registry_find_client (self->core->registry,
                                                       suda_log_entry_get_nick (entry));

      if (client != NULL)
        announce_user (client, self);
      return;
    }
  if (channel == NULL && _suda_cluster_direct_out (self, entry, line))
    return;
  if (!is_room_event (line->command))
    return;
  builder = begin (self, "event");
  add_string (builder, "channel", channel);
  json_builder_set_member_name (builder, "keep");
  json_builder_add_boolean_value (builder, keep);
  add_line (builder, line, entry);
  if (channel != NULL && g_str_equal (line->command, "JOIN"))
    _suda_cluster_rooms_add_join (self, builder, channel, line->nick);
  payload = end_payload (builder);
  g_object_unref (builder);
  _suda_cluster_stream_add (self->cmd, STREAM, STREAM_LENGTH, payload);
  /* The room's shared history: written once, by the server it was said on. */
  if (keep && channel != NULL && line->msgid != NULL && self->core->config->history_lines > 0)
    _suda_cluster_history_add (self->cmd, channel, self->core->config->history_lines, payload);
  if (g_str_equal (line->command, "JOIN"))
    _suda_cluster_rooms_joined (self, channel);
  if (g_str_equal (line->command, "NICK"))
    {
      claim_nick (self, line->text);
      release_nick (self, line->nick, self->id);
    }
  else if (g_str_equal (line->command, "QUIT"))
    release_nick (self, line->nick, self->id);
}

/* In: the others' events ----------------------------------------------------- */

const char *
_suda_cluster_get_string (JsonObject *object,
                          const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static SudaLogEntry *
read_entry (JsonObject *object,
            const char *server)
{
  const char *text = _suda_cluster_get_string (object, "log");
  SudaLogEntry *entry = text ? suda_log_entry_new_from_line (text, -1, NULL) : NULL;

  /* The log says which server the event came from. */
  if (entry != NULL)
    suda_log_entry_set_field (entry, "server", server);
  return entry;
}

static char *
kick_victim (const char *target)
{
  const char *space = target ? strchr (target, ' ') : NULL;

  return space ? g_strdup (space + 1) : NULL;
}

static SudaRemoteUser *
remote_user (SudaCluster *self,
             const char  *server,
             SudaOutLine *line)
{
  SudaRemoteUser *user = _suda_registry_find_remote (self->core->registry, line->nick);

  return user ? user : _suda_registry_add_remote (self->core->registry, server, line->nick, line->source);
}

/* What a room event changes here: who is in it, its topic. */
static void
apply_room_event (SudaCluster *self,
                  const char  *server,
                  SudaOutLine *line,
                  const char  *room)
{
  SudaRegistry *registry = self->core->registry;

  if (g_str_equal (line->command, "JOIN"))
    _suda_registry_remote_join (registry, remote_user (self, server, line), room);
  else if (g_str_equal (line->command, "PART"))
    _suda_registry_remote_part (registry, remote_user (self, server, line), room);
  else if (g_str_equal (line->command, "KICK"))
    {
      g_autofree char *victim = kick_victim (line->target);
      SudaRemoteUser *user = _suda_registry_find_remote (registry, victim);
      SudaClient *client = _suda_registry_find_client (registry, victim);
      SudaChannel *channel = _suda_registry_find_channel (registry, room);

      if (user != NULL)
        _suda_registry_remote_part (registry, user, room);
      else if (client != NULL && channel != NULL && suda_channel_has_member (channel, client))
        _suda_registry_remove_member (registry, channel, client);
    }
  else if (g_str_equal (line->command, "MODE"))
    _suda_cluster_rooms_apply_mode (self, line, room);
  else if (g_str_equal (line->command, "TOPIC"))
    {
      SudaChannel *channel = _suda_registry_find_channel (registry, room);

      if (channel != NULL)
        suda_channel_set_topic (channel, line->text, line->source);
    }
}

static void
receive_event (SudaCluster *self,
               const char  *server,
               JsonObject  *object)
{
  g_autoptr(SudaLogEntry) entry = read_entry (object, server);
  const char *room = _suda_cluster_get_string (object, "channel");
  JsonNode *keep = json_object_get_member (object, "keep");
  JsonNode *bot = json_object_get_member (object, "bot");
  SudaOutLine line = {
    .time = json_object_get_int_member_with_default (object, "time", g_get_real_time ()),
    .source = _suda_cluster_get_string (object, "source"), .nick = _suda_cluster_get_string (object, "nick"),
    .command = _suda_cluster_get_string (object, "command"), .target = _suda_cluster_get_string (object, "target"),
    .text = _suda_cluster_get_string (object, "text"), .client_tags = _suda_cluster_get_string (object, "tags"),
    .msgid = _suda_cluster_get_string (object, "msgid"), .account = _suda_cluster_get_string (object, "account"),
    .bot = bot != NULL && json_node_get_boolean (bot),
  };
  SudaRemoteUser *user;

  if (line.command == NULL || line.source == NULL || line.nick == NULL)
    return;
  if (room != NULL)
    {
      /* A KICK's room is gone for the kicked only after the kick is seen. */
      gboolean leaving = g_str_equal (line.command, "PART") || g_str_equal (line.command, "KICK");

      if (!leaving)
        apply_room_event (self, server, &line, room);
      _suda_delivery_relay_in (self->core->delivery, entry, &line, room,
                               keep != NULL && json_node_get_boolean (keep));
      if (leaving)
        apply_room_event (self, server, &line, room);
      else if (g_str_equal (line.command, "JOIN"))
        _suda_cluster_rooms_join_in (self, server, object, room, line.nick);
      return;
    }
  user = remote_user (self, server, &line);
  _suda_delivery_relay_in_rooms (self->core->delivery, entry, &line, user->channels);
  if (g_str_equal (line.command, "QUIT"))
    _suda_registry_remove_remote (self->core->registry, user);
  else if (g_str_equal (line.command, "NICK") && line.text != NULL)
    {
      g_autofree char *mask = g_strconcat (line.text, strchr (line.source, '!') ? strchr (line.source, '!') : "", NULL);

      _suda_registry_rename_remote (self->core->registry, user, line.text, mask);
    }
}

static void
receive_user (SudaCluster *self,
              const char  *server,
              JsonObject  *object)
{
  const char *nick = _suda_cluster_get_string (object, "nick");
  JsonArray *channels = json_object_get_array_member (object, "channels");
  SudaRemoteUser *user;

  /* Two servers claiming one nick: Redis settles it (on_claimed). */
  if (nick == NULL || _suda_registry_find_client (self->core->registry, nick) != NULL)
    return;
  user = _suda_registry_add_remote (self->core->registry, server, nick, _suda_cluster_get_string (object, "mask"));
  for (guint i = 0; channels != NULL && i < json_array_get_length (channels); i++)
    _suda_registry_remote_join (self->core->registry, user, json_array_get_string_element (channels, i));
  _suda_cluster_rooms_user_in (self, server, object, user);
}

static void
on_entry (const char *id,
          const char *bytes,
          gsize       size,
          gpointer    data)
{
  SudaCluster *self = data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *server;
  const char *kind;

  if (!json_parser_load_from_data (parser, bytes, (gssize) size, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  object = json_node_get_object (json_parser_get_root (parser));
  server = _suda_cluster_get_string (object, "server");
  kind = _suda_cluster_get_string (object, "kind");
  if (server == NULL || kind == NULL)
    return;
  if (g_str_equal (server, self->id))
    {
      /* No echo of our own events; our hello says we hear the channel. */
      self->heard_self = self->heard_self || g_str_equal (kind, "hello");
      return;
    }
  g_hash_table_insert (self->peers, g_strdup (server), g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)));
  if (g_str_equal (kind, "event"))
    receive_event (self, server, object);
  else if (g_str_equal (kind, "user"))
    receive_user (self, server, object);
  else if (g_str_equal (kind, "direct"))
    _suda_cluster_direct_in (self, server, object);
  else if (g_str_equal (kind, "account"))
    _suda_cluster_accounts_in (self->accounts, object);
  else if (g_str_equal (kind, "room-ask"))
    _suda_cluster_rooms_answer (self, object);
  else if (g_str_equal (kind, "room-state"))
    _suda_cluster_rooms_learn (self, object);
  else if (g_str_equal (kind, "hello"))
    /* A server (re)joined: it learns who is here. */
    _suda_registry_foreach_client (self->core->registry, announce_user, self);
}

/* Heartbeat -------------------------------------------------------------------- */

/* Its users quit from every room here; Redis lets their nicks go as the
 * leases end. */
static void
server_gone (SudaCluster *self,
             const char  *server)
{
  g_autoptr(GPtrArray) users = _suda_registry_list_remote (self->core->registry, server);
  g_autofree char *text = g_strdup_printf ("server %s went away", server);
  const char *reason = _("Server went away");

  log_info (self, "info", text);
  for (guint i = 0; i < users->len; i++)
    {
      SudaRemoteUser *user = g_ptr_array_index (users, i);
      g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "quit", NULL, user->nick, reason);
      SudaOutLine line = { .time = g_get_real_time (), .source = user->mask ? user->mask : user->nick,
                           .nick = user->nick, .command = "QUIT", .text = reason };

      suda_log_entry_set_field (entry, "server", server);
      /* Its lease would end soon anyway; whoever comes back takes it now. */
      release_nick (self, user->nick, server);
      _suda_delivery_relay_in_rooms (self->core->delivery, entry, &line, user->channels);
      _suda_registry_remove_remote (self->core->registry, user);
    }
}

static void
publish_hello (SudaCluster *self)
{
  JsonBuilder *builder = begin (self, "hello");

  publish (self, builder);
  g_object_unref (builder);
}

static gboolean
on_beat (gpointer data)
{
  SudaCluster *self = data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer server, heard;
  JsonBuilder *builder;

  /* Until our hello comes back we may have missed the others' answers. */
  if (!self->heard_self)
    publish_hello (self);
  builder = begin (self, "beat");
  publish (self, builder);
  g_object_unref (builder);
  _suda_registry_foreach_client (self->core->registry, refresh_nick, self);

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, &server, &heard))
    if (now - *(gint64 *) heard > (gint64) self->lease_ms * 1000)
      g_ptr_array_add (gone, g_strdup (server));
  for (guint i = 0; i < gone->len; i++)
    {
      g_hash_table_remove (self->peers, g_ptr_array_index (gone, i));
      server_gone (self, g_ptr_array_index (gone, i));
    }
  return G_SOURCE_CONTINUE;
}

/* Connecting and losing Redis ---------------------------------------------------- */

static guint
retry_ms (SudaCluster *self)
{
  return MAX (MIN (self->lease_ms / 3, 1000), 50);
}

static gboolean
on_retry (gpointer data)
{
  SudaCluster *self = data;

  self->retry_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
drop_connections (SudaCluster *self)
{
  SudaRedis *cmd = g_steal_pointer (&self->cmd);
  SudaRedis *listener = g_steal_pointer (&self->listener);

  self->connected = FALSE;
  self->history_read = FALSE;
  g_clear_handle_id (&self->beat_id, _suda_source_remove);
  g_cancellable_cancel (self->connecting);
  g_clear_object (&self->connecting);
  g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  if (self->reader != NULL && _suda_cluster_reader_get_last_id (self->reader) != NULL)
    {
      g_free (self->last_id);
      self->last_id = g_strdup (_suda_cluster_reader_get_last_id (self->reader));
    }
  g_clear_pointer (&self->reader, _suda_cluster_reader_free);
  for (guint i = 0; i < 2; i++)
    {
      SudaRedis *redis = i == 0 ? cmd : listener;

      if (redis == NULL)
        continue;
      g_signal_handlers_disconnect_by_data (redis, self);
      suda_redis_close (redis);
      g_object_unref (redis);
    }
}

static void
on_lost (SudaRedis   *redis,
         const char  *reason,
         SudaCluster *self)
{
  g_autofree char *text = g_strdup_printf ("lost Redis at %s (%s): local chat goes on, "
                                           "the other servers are out of reach until it is back",
                                           self->where, reason);

  drop_connections (self);
  log_info (self, "error", text);
  self->outage_logged = TRUE;
  self->retry_id = _suda_timeout_add (retry_ms (self), on_retry, self);
  set_link (self, SUDA_CLUSTER_LINK_UNREACHABLE);
}

static void
on_history_read (gpointer data)
{
  SudaCluster *self = data;

  self->history_read = TRUE;
}

/* Reading from LAST_ID: what was added while this server was away comes
 * first, then what is added from now on. */
static void
start_listening (SudaCluster *self)
{
  g_autofree char *text = g_strdup_printf ("joined the cluster at %s as %s", self->where, self->id);
  GHashTableIter iter;
  gpointer heard;

  self->connected = TRUE;
  self->heard_self = FALSE;
  self->outage_logged = FALSE;
  self->reader = _suda_cluster_reader_new (self->listener, STREAM, self->last_id, on_entry, self);
  /* Whoever we heard from before an outage gets a whole lease again. */
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &heard))
    *(gint64 *) heard = g_get_monotonic_time ();
  log_info (self, "info", text);
  publish_hello (self);
  _suda_registry_foreach_client (self->core->registry, announce_user, self);
  _suda_cluster_accounts_joined (self->accounts);
  self->beat_id = _suda_timeout_add (MAX (self->lease_ms / 3, 20), on_beat, self);
  self->loading = g_cancellable_new ();
  _suda_cluster_history_load (self->cmd, self->core, self->loading, on_history_read, self);
  set_link (self, SUDA_CLUSTER_LINK_CONNECTED);
}

static void
on_last_entry (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  SudaCluster *self = data;
  g_autoptr(redisReply) reply = suda_redis_command_finish (SUDA_REDIS (source), result, NULL);

  /* Lost meanwhile: on_lost has seen to it. */
  if (!self->dead && self->cmd == SUDA_REDIS (source) && reply != NULL && !self->connected)
    {
      const redisReply *entry = reply->type == REDIS_REPLY_ARRAY && reply->elements == 1
                                  ? reply->element[0] : NULL;

      g_free (self->last_id);
      self->last_id = g_strdup (entry != NULL && entry->type == REDIS_REPLY_ARRAY && entry->elements == 2 &&
                                entry->element[0]->type == REDIS_REPLY_STRING
                                  ? entry->element[0]->str : "0-0");
      start_listening (self);
    }
  cluster_unref (self);
}

/* The first time, reading starts at the stream's last entry, asked for
 * rather than "$": our own hello, added next, is then sure to be heard. */
static void
on_ready (SudaCluster *self)
{
  const char *argv[] = { "XREVRANGE", STREAM, "+", "-", "COUNT", "1", NULL };

  g_clear_object (&self->connecting);
  g_signal_connect (self->cmd, "closed", G_CALLBACK (on_lost), self);
  g_signal_connect (self->listener, "closed", G_CALLBACK (on_lost), self);
  if (self->last_id != NULL)
    start_listening (self);
  else
    suda_redis_command_async (self->cmd, argv, NULL, NULL, on_last_entry, cluster_ref (self));
}

/* Named, so that an operator's CLIENT LIST tells which server is which. */
static void
name_connection (SudaCluster *self,
                 SudaRedis   *redis)
{
  g_autofree char *name = g_strdup_printf ("suda:%s", self->id);
  const char *argv[] = { "CLIENT", "SETNAME", name, NULL };

  suda_redis_command_async (redis, argv, NULL, NULL, on_answered, NULL);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  SudaCluster *self = data;
  g_autoptr(GError) error = NULL;
  SudaRedis *redis = suda_redis_connect_finish (result, &error);

  if (self->dead || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_object (&redis);
      cluster_unref (self);
      return;
    }
  if (redis == NULL)
    {
      if (!self->outage_logged)
        log_info (self, "error", error->message);
      self->outage_logged = TRUE;
      drop_connections (self);
      if (self->retry_id == 0)
        self->retry_id = _suda_timeout_add (retry_ms (self), on_retry, self);
      set_link (self, SUDA_CLUSTER_LINK_UNREACHABLE);
    }
  else
    {
      name_connection (self, redis);
      if (self->cmd == NULL)
        self->cmd = redis;
      else
        self->listener = redis;
    }
  if (self->cmd != NULL && self->listener != NULL && self->connecting != NULL)
    on_ready (self);
  cluster_unref (self);
}

static void
connect_now (SudaCluster *self)
{
  self->connecting = g_cancellable_new ();
  for (guint i = 0; i < 2; i++)
    suda_redis_connect_async (self->url, self->trust, self->connecting, on_connected, cluster_ref (self));
}

/* The object ---------------------------------------------------------------------- */

/* rediss:// checks Redis's certificate against [cluster] tls-ca when set
 * (a private CA, as Redis's own docs set up), else the system's CAs. */
static void
load_trust (SudaCluster *self)
{
  const char *path = self->core->config->cluster.tls_ca;
  g_autoptr(GError) error = NULL;

  if (path == NULL || *path == '\0')
    return;
  self->trust = g_tls_file_database_new (path, &error);
  if (self->trust == NULL)
    {
      g_autofree char *text = g_strdup_printf ("[cluster] tls-ca: %s", error->message);

      log_info (self, "error", text);
    }
}

SudaCluster *
_suda_cluster_new (SudaCore   *core,
                   const char *id)
{
  SudaCluster *self = g_rc_box_new0 (SudaCluster);
  SudaRedisAddress address;

  self->core = core;
  self->id = g_strdup (id);
  self->url = g_strdup (core->config->cluster.redis);
  self->lease_ms = core->config->cluster.lease_ms;
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (suda_redis_address_parse (self->url, &address, NULL))
    {
      self->where = suda_redis_address_describe (&address);
      suda_redis_address_clear (&address);
    }
  set_link (self, SUDA_CLUSTER_LINK_CONNECTING);
  load_trust (self);
  _suda_delivery_set_relay (core->delivery, on_relay, self);
  self->accounts = _suda_cluster_accounts_new (self);
  self->held = _suda_cluster_held_new (self);
  connect_now (self);
  return self;
}

void
_suda_cluster_free (SudaCluster *self)
{
  if (self == NULL)
    return;
  _suda_delivery_set_relay (self->core->delivery, NULL, NULL);
  g_clear_pointer (&self->accounts, _suda_cluster_accounts_free);
  g_clear_pointer (&self->held, _suda_cluster_held_free);
  self->dead = TRUE;
  g_clear_handle_id (&self->retry_id, _suda_source_remove);
  drop_connections (self);
  cluster_unref (self);
}

/* Connected and hearing the stream (our own hello came back), with the
 * rooms' shared histories read. */
gboolean
_suda_cluster_is_connected (SudaCluster *self)
{
  return self != NULL && self->connected && self->heard_self && self->history_read;
}

SudaClusterHeld *
_suda_cluster_get_held (SudaCluster *self)
{
  return self->held;
}

const char *
_suda_cluster_get_id (SudaCluster *self)
{
  return self->id;
}

guint
_suda_cluster_get_n_peers (SudaCluster *self)
{
  return self ? g_hash_table_size (self->peers) : 0;
}

void
_suda_cluster_set_changed (SudaCluster            *self,
                           SudaClusterChangedFunc  func,
                           gpointer                data)
{
  self->changed = func;
  self->changed_data = data;
}

static void
count_by_server (GHashTable *counts,
                 GPtrArray  *users)
{
  for (guint i = 0; i < users->len; i++)
    {
      const char *server = ((SudaRemoteUser *) g_ptr_array_index (users, i))->server;
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, server));

      if (server != NULL)
        g_hash_table_insert (counts, (gpointer) server, GUINT_TO_POINTER (n + 1));
    }
}

/* One pass over the other servers' users, however many servers: cheap
 * enough for the console's once a second. */
SudaClusterStatus *
_suda_cluster_dup_status (SudaCluster *self)
{
  SudaRegistry *registry = self->core->registry;
  SudaClusterStatus *status = suda_cluster_status_new (self->where ? self->where : "", self->link,
                                                       self->link_since, self->id,
                                                       _suda_registry_get_n_registered (registry));
  g_autoptr(GPtrArray) remote = _suda_registry_list_remote (registry, NULL);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 monotonic = g_get_monotonic_time ();
  gint64 real = g_get_real_time ();
  GHashTableIter iter;
  gpointer server, value;

  count_by_server (counts, remote);
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, &server, &value))
    suda_cluster_status_add_peer (status, server, real - (monotonic - *(gint64 *) value),
                                  GPOINTER_TO_UINT (g_hash_table_lookup (counts, server)));
  /* users known of a server not heard from itself yet (last heard: never) */
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &server, &value))
    if (!g_hash_table_contains (self->peers, server) && g_strcmp0 (server, self->id) != 0)
      suda_cluster_status_add_peer (status, server, 0, GPOINTER_TO_UINT (value));
  return status;
}

/* For the suda-cluster-*.c files ------------------------------------------------ */

SudaCore *
_suda_cluster_get_core (SudaCluster *self)
{
  return self->core;
}

JsonBuilder *
_suda_cluster_begin (SudaCluster *self,
                     const char  *kind)
{
  return begin (self, kind);
}

gboolean
_suda_cluster_publish (SudaCluster *self,
                       JsonBuilder *builder)
{
  return publish (self, builder);
}

gboolean
_suda_cluster_call (SudaCluster         *self,
                    const char * const  *argv,
                    GAsyncReadyCallback  callback,
                    gpointer             data)
{
  if (!self->connected)
    return FALSE;
  suda_redis_command_async (self->cmd, argv, NULL, NULL, callback, data);
  return TRUE;
}

void
_suda_cluster_add_line (JsonBuilder  *builder,
                        SudaOutLine  *line,
                        SudaLogEntry *entry)
{
  add_line (builder, line, entry);
}

SudaLogEntry *
_suda_cluster_read_entry (JsonObject *object,
                          const char *server)
{
  return read_entry (object, server);
}
