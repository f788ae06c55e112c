/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A room's state shared across servers ([cluster], issue 15): a MODE made
 * on another server changes the room here as it did there, so that +m, +t,
 * +k, +l, +i and bans hold whichever server a member is on, and +o/+v given
 * there to a member here makes them an operator (or voiced) here.  The
 * server that made the change checked who may make it; this one applies
 * it as announced, with no replies to anyone. */
#include "config.h"

#include <string.h>

#include "suda-cluster-private.h"

static guint
flag_for (char mode)
{
  switch (mode)
    {
    case 'i': return SUDA_CHANNEL_INVITE_ONLY;
    case 'm': return SUDA_CHANNEL_MODERATED;
    case 'n': return SUDA_CHANNEL_NO_EXTERNAL;
    case 'p': return SUDA_CHANNEL_PRIVATE;
    case 's': return SUDA_CHANNEL_SECRET;
    case 't': return SUDA_CHANNEL_TOPIC_LOCK;
    default:  return 0;
    }
}

static void
apply_member (SudaRegistry *registry,
              SudaChannel  *channel,
              char          mode,
              gboolean      add,
              const char   *nick)
{
  SudaClient *client = _suda_registry_find_client (registry, nick);
  SudaRemoteUser *user = client ? NULL : _suda_registry_find_remote (registry, nick);
  guint flag = mode == 'o' ? SUDA_MEMBER_OP : SUDA_MEMBER_VOICE;

  if (client != NULL && suda_channel_has_member (channel, client))
    suda_channel_set_member_flag (channel, client, flag, add);
  else if (user != NULL)
    _suda_registry_set_remote_flag (registry, user, channel->name, flag, add);
}

/* One letter; *NEXT moves past the parameter it takes (as announced: -k
 * shows "*", -l none). */
static void
apply_one (SudaRegistry  *registry,
           SudaChannel   *channel,
           char           mode,
           gboolean       add,
           char         **args,
           guint         *next)
{
  gboolean takes = strchr ("ovkbeI", mode) != NULL || (mode == 'l' && add);
  const char *arg = takes ? args[*next] : NULL;

  if (takes && arg == NULL)
    return;   /* a parameter missing: nothing to apply */
  if (takes)
    (*next)++;
  switch (mode)
    {
    case 'o':
    case 'v':
      apply_member (registry, channel, mode, add, arg);
      break;
    case 'k':
      suda_channel_set_key (channel, add ? arg : NULL);
      break;
    case 'l':
      suda_channel_set_limit (channel, add ? (guint) g_ascii_strtoull (arg, NULL, 10) : 0);
      break;
    case 'b':
      suda_channel_set_mask (&channel->bans, arg, add);
      break;
    case 'e':
      suda_channel_set_mask (&channel->excepts, arg, add);
      break;
    case 'I':
      suda_channel_set_mask (&channel->invex, arg, add);
      break;
    default:
      if (flag_for (mode))
        suda_channel_set_flag (channel, flag_for (mode), add);
      break;
    }
}

void
_suda_cluster_rooms_apply_mode (SudaCluster *self,
                                SudaOutLine *line,
                                const char  *room)
{
  SudaRegistry *registry = _suda_cluster_get_core (self)->registry;
  SudaChannel *channel = _suda_registry_find_channel (registry, room);
  g_auto(GStrv) words = NULL;
  gboolean add = TRUE;
  guint next = 2;

  /* "#room +mk-l key": the room, the letters, their parameters. */
  if (channel == NULL || line->target == NULL)
    return;
  words = g_strsplit (line->target, " ", 0);
  if (g_strv_length (words) < 2)
    return;
  for (const char *p = words[1]; *p; p++)
    {
      if (*p == '+' || *p == '-')
        add = *p == '+';
      else
        apply_one (registry, channel, *p, add, words, &next);
    }
}

/* Operators: one room, whichever server made it first ----------------------- */

/* A JOIN that made its member an operator says so, with when the room was
 * made: a server that made the same room at nearly the same time, before
 * either heard of the other, then knows whose room is older. */
void
_suda_cluster_rooms_add_join (SudaCluster *self,
                              JsonBuilder *builder,
                              const char  *room,
                              const char  *nick)
{
  SudaRegistry *registry = _suda_cluster_get_core (self)->registry;
  SudaChannel *channel = _suda_registry_find_channel (registry, room);
  SudaClient *client = _suda_registry_find_client (registry, nick);

  if (channel == NULL || client == NULL || !suda_channel_is_op (channel, client))
    return;
  json_builder_set_member_name (builder, "op");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "made");
  json_builder_add_int_value (builder, channel->made);
}

/* The older room wins, as IRC servers settle it after a netsplit; made in
 * the same microsecond, the lower server id. */
static gboolean
ours_is_newer (SudaCluster *self,
               SudaChannel *channel,
               gint64       made,
               const char  *server)
{
  if (channel->made != made)
    return channel->made > made;
  return g_strcmp0 (_suda_cluster_get_id (self), server) > 0;
}

/* Our operators of a room that turned out to be theirs lose it, told to our
 * members from the server itself and published, so all servers agree. */
static void
deop_ours (SudaCluster *self,
           SudaChannel *channel)
{
  SudaCore *core = _suda_cluster_get_core (self);
  const char *name = core->config->server_name;

  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaMember *member = &g_array_index (channel->members, SudaMember, i);
      g_autofree char *target = NULL;
      g_autoptr(SudaLogEntry) entry = NULL;
      SudaOutLine line = { .time = g_get_real_time (), .source = name, .nick = name, .command = "MODE" };

      if (!(member->flags & SUDA_MEMBER_OP))
        continue;
      member->flags &= ~SUDA_MEMBER_OP;
      target = g_strdup_printf ("%s -o %s", channel->name, member->client->nick);
      entry = suda_log_entry_new (0, "mode", channel->name, name, target + strlen (channel->name) + 1);
      line.target = target;
      _suda_delivery_to_channel (core->delivery, entry, &line, channel, NULL, FALSE);
    }
}

void
_suda_cluster_rooms_join_in (SudaCluster *self,
                             const char  *server,
                             JsonObject  *object,
                             const char  *room,
                             const char  *nick)
{
  SudaRegistry *registry = _suda_cluster_get_core (self)->registry;
  SudaChannel *channel = _suda_registry_find_channel (registry, room);
  SudaRemoteUser *user = _suda_registry_find_remote (registry, nick);
  JsonNode *op = json_object_get_member (object, "op");
  gint64 made;

  if (user == NULL || op == NULL || !JSON_NODE_HOLDS_VALUE (op) || !json_node_get_boolean (op))
    return;
  made = json_object_get_int_member_with_default (object, "made", G_MAXINT64);
  /* Both servers decide alike from the same two times: the loser's server
   * takes its operators back, and the winner's never counts them. */
  if (channel != NULL && channel->members->len > 0 && !ours_is_newer (self, channel, made, server))
    return;
  _suda_registry_set_remote_flag (registry, user, room, SUDA_MEMBER_OP, TRUE);
  if (channel == NULL || channel->members->len == 0)
    return;
  channel->made = made;
  deop_ours (self, channel);
}

/* Who a server learns from announcements ------------------------------------ */

/* A user's @ and + in each of its rooms, with when its server made the room
 * (0: joined, not made): a server that learns the user from this alone
 * (started later, or back from an outage) shows them at once. */
void
_suda_cluster_rooms_add_user (SudaCluster *self,
                              JsonBuilder *builder,
                              SudaClient  *client)
{
  json_builder_set_member_name (builder, "prefixes");
  json_builder_begin_object (builder);
  for (guint i = 0; i < client->channels->len; i++)
    {
      SudaChannel *channel = g_ptr_array_index (client->channels, i);
      SudaMember *member = suda_channel_find_member (channel, client);

      if (member == NULL || !(member->flags & (SUDA_MEMBER_OP | SUDA_MEMBER_VOICE)))
        continue;
      json_builder_set_member_name (builder, channel->name);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "op");
      json_builder_add_boolean_value (builder, (member->flags & SUDA_MEMBER_OP) != 0);
      json_builder_set_member_name (builder, "voice");
      json_builder_add_boolean_value (builder, (member->flags & SUDA_MEMBER_VOICE) != 0);
      json_builder_set_member_name (builder, "made");
      json_builder_add_int_value (builder, channel->made);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

/* Two rooms of one name made apart (each server made it while cut off from
 * the other) are settled as two JOINs are; a room either joined is one. */
static gboolean
keeps_op (SudaCluster *self,
          const char  *server,
          const char  *room,
          gint64       made)
{
  SudaChannel *channel = _suda_registry_find_channel (_suda_cluster_get_core (self)->registry, room);

  if (channel == NULL || channel->members->len == 0 || made == 0 ||
      channel->made == 0 || channel->made == made)
    return TRUE;
  if (!ours_is_newer (self, channel, made, server))
    return FALSE;
  channel->made = made;
  deop_ours (self, channel);
  return TRUE;
}

static gboolean
get_flag (JsonObject *object,
          const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_boolean (node);
}

/* The announcement says the user's whole state: a flag it leaves out is off. */
void
_suda_cluster_rooms_user_in (SudaCluster    *self,
                             const char     *server,
                             JsonObject     *object,
                             SudaRemoteUser *user)
{
  SudaRegistry *registry = _suda_cluster_get_core (self)->registry;
  JsonNode *node = json_object_get_member (object, "prefixes");
  JsonObject *prefixes = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  for (guint i = 0; i < user->channels->len; i++)
    {
      const char *room = g_ptr_array_index (user->channels, i);
      JsonNode *member = prefixes ? json_object_get_member (prefixes, room) : NULL;
      JsonObject *flags = member != NULL && JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
      gboolean op = flags != NULL && get_flag (flags, "op");
      gboolean voice = flags != NULL && get_flag (flags, "voice");

      if (op)
        op = keeps_op (self, server, room, json_object_get_int_member_with_default (flags, "made", 0));
      _suda_registry_set_remote_flag (registry, user, room, SUDA_MEMBER_OP, op);
      _suda_registry_set_remote_flag (registry, user, room, SUDA_MEMBER_VOICE, voice);
    }
}

/* A room's state for a server that has just made it ------------------------ */

/* Asked rather than kept in Redis: the servers with members in the room
 * hold its state already, and a copy in Redis would be a second truth to
 * keep in step, and to clear when the room's last member leaves. */
void
_suda_cluster_rooms_joined (SudaCluster *self,
                            const char  *room)
{
  SudaRegistry *registry = _suda_cluster_get_core (self)->registry;
  SudaChannel *channel = _suda_registry_find_channel (registry, room);

  /* Only a room this server has just made, that others have, and whose
   * state its JOIN did not wait for. */
  if (channel == NULL || channel->members->len != 1 ||
      _suda_registry_get_remote_members (registry, room) == NULL ||
      _suda_cluster_held_is_releasing (_suda_cluster_get_held (self)))
    return;
  _suda_cluster_rooms_ask (self, channel->name);
}

void
_suda_cluster_rooms_ask (SudaCluster *self,
                         const char  *room)
{
  JsonBuilder *builder = _suda_cluster_begin (self, "room-ask");

  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, room);
  _suda_cluster_publish (self, builder);
  g_object_unref (builder);
}

static void
add_list (JsonBuilder *builder,
          const char  *name,
          GPtrArray   *masks)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; masks != NULL && i < masks->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (masks, i));
  json_builder_end_array (builder);
}

static void
add_member (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value ? value : "");
}

/* The nicks of this server's members with FLAG. */
static void
add_flagged (JsonBuilder *builder,
             const char  *name,
             SudaChannel *channel,
             guint        flag)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaMember *member = &g_array_index (channel->members, SudaMember, i);

      if (member->flags & flag)
        json_builder_add_string_value (builder, member->client->nick);
    }
  json_builder_end_array (builder);
}

void
_suda_cluster_rooms_answer (SudaCluster *self,
                            JsonObject  *object)
{
  SudaRegistry *registry = _suda_cluster_get_core (self)->registry;
  const char *room = json_object_get_string_member_with_default (object, "channel", NULL);
  SudaChannel *channel = room ? _suda_registry_find_channel (registry, room) : NULL;
  JsonBuilder *builder;

  /* A room kept here with no one in it (the default room) may be behind. */
  if (channel == NULL || channel->members->len == 0)
    return;
  builder = _suda_cluster_begin (self, "room-state");
  add_member (builder, "channel", channel->name);
  add_member (builder, "topic", channel->topic);
  add_member (builder, "topic-setter", channel->topic_setter);
  json_builder_set_member_name (builder, "topic-time");
  json_builder_add_int_value (builder, channel->topic_time);
  json_builder_set_member_name (builder, "modes");
  json_builder_add_int_value (builder, channel->modes);
  add_member (builder, "key", channel->key);
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, channel->limit);
  add_list (builder, "bans", channel->bans);
  add_list (builder, "excepts", channel->excepts);
  add_list (builder, "invex", channel->invex);
  add_flagged (builder, "ops", channel, SUDA_MEMBER_OP);
  add_flagged (builder, "voices", channel, SUDA_MEMBER_VOICE);
  _suda_cluster_publish (self, builder);
  g_object_unref (builder);
}

static void
learn_list (GPtrArray  **list,
            JsonObject  *object,
            const char  *name)
{
  JsonArray *masks = json_object_get_array_member (object, name);

  for (guint i = 0; masks != NULL && i < json_array_get_length (masks); i++)
    suda_channel_set_mask (list, json_array_get_string_element (masks, i), TRUE);
}

static void
learn_flagged (SudaRegistry *registry,
               SudaChannel  *channel,
               JsonObject   *object,
               const char   *name,
               guint         flag)
{
  JsonArray *nicks = json_object_get_array_member (object, name);

  for (guint i = 0; nicks != NULL && i < json_array_get_length (nicks); i++)
    {
      SudaRemoteUser *user = _suda_registry_find_remote (registry, json_array_get_string_element (nicks, i));

      if (user != NULL)
        _suda_registry_set_remote_flag (registry, user, channel->name, flag, TRUE);
    }
}

/* Every server with members answers; their answers agree, and applying one
 * twice changes nothing. */
void
_suda_cluster_rooms_learn (SudaCluster *self,
                           JsonObject  *object)
{
  SudaRegistry *registry = _suda_cluster_get_core (self)->registry;
  const char *room = json_object_get_string_member_with_default (object, "channel", NULL);
  SudaChannel *channel = room ? _suda_registry_find_channel (registry, room) : NULL;
  const char *topic = json_object_get_string_member_with_default (object, "topic", "");
  const char *key = json_object_get_string_member_with_default (object, "key", "");
  SudaClusterHeld *held = _suda_cluster_get_held (self);

  /* A JOIN waits for this room: it gets one, with no one in it yet. */
  if (channel == NULL && room != NULL && _suda_cluster_held_waits_for (held, room))
    channel = _suda_registry_ensure_channel (registry, room);
  if (channel == NULL)
    return;
  if (*topic != '\0')
    {
      suda_channel_set_topic (channel, topic, json_object_get_string_member_with_default (object, "topic-setter", ""));
      channel->topic_time = json_object_get_int_member_with_default (object, "topic-time", channel->topic_time);
    }
  channel->modes = (guint) json_object_get_int_member_with_default (object, "modes", channel->modes);
  suda_channel_set_key (channel, *key ? key : NULL);
  suda_channel_set_limit (channel, (guint) json_object_get_int_member_with_default (object, "limit", 0));
  learn_list (&channel->bans, object, "bans");
  learn_list (&channel->excepts, object, "excepts");
  learn_list (&channel->invex, object, "invex");
  learn_flagged (registry, channel, object, "ops", SUDA_MEMBER_OP);
  learn_flagged (registry, channel, object, "voices", SUDA_MEMBER_VOICE);
  _suda_cluster_held_release (held, channel->name);
}
