/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private messages between servers ([cluster], issue 15): PRIVMSG, NOTICE
 * and TAGMSG to a nick another server holds.  They travel on the cluster's
 * channel as "direct" rather than "event": a room event reaches every
 * member of its rooms, a direct one only the server holding its target,
 * which logs it there first and sends it with the time and msgid the
 * sender's server gave it. */
#include "config.h"

#include "suda-cluster-private.h"

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

/* The line as _suda_cluster_add_line() wrote it; its strings are OBJECT's. */
void
_suda_cluster_read_line (JsonObject  *object,
                         SudaOutLine *line)
{
  JsonNode *bot = json_object_get_member (object, "bot");

  line->time = json_object_get_int_member_with_default (object, "time", g_get_real_time ());
  line->source = get_string (object, "source");
  line->nick = get_string (object, "nick");
  line->command = get_string (object, "command");
  line->target = get_string (object, "target");
  line->text = get_string (object, "text");
  line->client_tags = get_string (object, "tags");
  line->msgid = get_string (object, "msgid");
  line->account = get_string (object, "account");
  line->bot = bot != NULL && JSON_NODE_HOLDS_VALUE (bot) && json_node_get_boolean (bot);
}

static gboolean
is_direct (const char *command)
{
  return g_str_equal (command, "PRIVMSG") || g_str_equal (command, "NOTICE") ||
         g_str_equal (command, "TAGMSG");
}

gboolean
_suda_cluster_direct_out (SudaCluster  *self,
                          SudaLogEntry *entry,
                          SudaOutLine  *line)
{
  JsonBuilder *builder;

  if (!is_direct (line->command) || line->target == NULL)
    return FALSE;
  builder = _suda_cluster_begin (self, "direct");
  _suda_cluster_add_line (builder, line, entry);
  _suda_cluster_publish (self, builder);
  g_object_unref (builder);
  return TRUE;
}

void
_suda_cluster_direct_in (SudaCluster *self,
                         const char  *server,
                         JsonObject  *object)
{
  SudaCore *core = _suda_cluster_get_core (self);
  g_autoptr(SudaLogEntry) entry = _suda_cluster_read_entry (object, server);
  SudaOutLine line = { 0 };
  SudaClient *to;

  _suda_cluster_read_line (object, &line);
  if (line.command == NULL || line.source == NULL || line.nick == NULL || line.target == NULL ||
      !is_direct (line.command))
    return;
  /* Not held here: the server that holds it hears the same message. */
  to = _suda_registry_find_client (core->registry, line.target);
  if (to == NULL || !to->registered)
    return;
  if (g_str_equal (line.command, "TAGMSG"))
    {
      if (to->caps & SUDA_CAP_MESSAGE_TAGS)
        _suda_delivery_send_line (&line, to);
      _suda_delivery_out_line_clear (&line);
      return;
    }
  _suda_delivery_whisper_in (core->delivery, entry, &line, to);
}
