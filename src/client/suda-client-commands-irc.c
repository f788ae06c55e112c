/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The commands IRC power users expect (/away, /whois, /mode, /op, /ban,
 * /list, /quote, /ignore…), and the multi-line replies of WHOIS and LIST
 * gathered into one readable block instead of a line per numeric. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-client-private.h"
#include "suda-format.h"
#include "suda-irc-message.h"
#include "suda-listed-room.h"

/* How long listed rooms wait to reach the room browser's model together. */
#define ROOMS_FLUSH_MS 100

static gboolean
connected (SudaClient       *self,
           SudaConversation *conv)
{
  if (suda_connection_is_connected (self->connection))
    return TRUE;
  suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR,
                         _("You are not connected. Connect to a server first."));
  return FALSE;
}

/* The room a command is about: the one shown, or an error said there. */
static const char *
room_for (SudaClient             *self,
          SudaConversation       *conv,
          const SudaSlashCommand *cmd)
{
  g_autofree char *text = NULL;

  if (suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM)
    return suda_conversation_get_name (conv);
  text = g_strdup_printf (_("Use %s in a room."), suda_slash_command_get_usage (cmd->kind));
  suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
  return NULL;
}

void
_suda_client_command_away (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  /* An empty AWAY means back: away needs some text. */
  if (connected (self, conv))
    suda_connection_send_command (self->connection, "AWAY", cmd->args[0] ? cmd->args[0] : _("Away"), NULL);
}

void
_suda_client_command_back (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  if (connected (self, conv))
    suda_connection_send_command (self->connection, "AWAY", NULL);
}

void
_suda_client_command_whois (SudaClient             *self,
                            SudaConversation       *conv,
                            const SudaSlashCommand *cmd)
{
  if (connected (self, conv))
    suda_connection_send_command (self->connection, "WHOIS", cmd->args[0], NULL);
}

void
_suda_client_command_query (SudaClient             *self,
                            SudaConversation       *conv,
                            const SudaSlashCommand *cmd)
{
  SudaConversation *private = _suda_client_ensure_conversation (self, SUDA_CONVERSATION_PRIVATE,
                                                                cmd->args[0]);

  if (cmd->args[1] != NULL && connected (self, conv))
    suda_connection_send_message (self->connection, cmd->args[0], cmd->args[1]);
  _suda_client_emit_opened (self, private);
}

/* COMMAND TARGET, then each word of WORDS (may be NULL) as a parameter. */
static void
send_words (SudaClient *self,
            const char *command,
            const char *target,
            const char *words)
{
  g_auto(GStrv) split = g_strsplit (words ? words : "", " ", -1);
  const char *p[8] = { NULL };
  guint n = 0;

  p[n++] = target;
  for (guint i = 0; split[i] != NULL && n < G_N_ELEMENTS (p) - 1; i++)
    if (*split[i] != '\0')
      p[n++] = split[i];
  suda_connection_send_command (self->connection, command, p[0], p[1], p[2], p[3], p[4], p[5], p[6], NULL);
}

/* "/mode" asks the shown room's modes, "/mode +m" changes them, and a
 * first word naming a room or a nick makes it the target. */
void
_suda_client_command_mode (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  const char *first = cmd->args[0];
  g_autofree char *modes = NULL;
  const char *target;

  if (!connected (self, conv))
    return;
  if (first != NULL && first[0] != '+' && first[0] != '-')
    {
      target = first;
      modes = g_strdup (cmd->args[1]);
    }
  else
    {
      if ((target = room_for (self, conv, cmd)) == NULL)
        return;
      modes = cmd->args[1] ? g_strdup_printf ("%s %s", first, cmd->args[1]) : g_strdup (first);
    }
  send_words (self, "MODE", target, modes);
}

/* /op, /deop and /voice: one mode letter each. */
void
_suda_client_command_op (SudaClient             *self,
                         SudaConversation       *conv,
                         const SudaSlashCommand *cmd)
{
  const char *change = cmd->kind == SUDA_SLASH_DEOP ? "-o" : cmd->kind == SUDA_SLASH_VOICE ? "+v" : "+o";
  const char *room = room_for (self, conv, cmd);

  if (room != NULL && connected (self, conv))
    suda_connection_send_command (self->connection, "MODE", room, change, cmd->args[0], NULL);
}

/* A nick alone bans that nick from any address; a mask is taken as is. */
void
_suda_client_command_ban (SudaClient             *self,
                          SudaConversation       *conv,
                          const SudaSlashCommand *cmd)
{
  const char *room = room_for (self, conv, cmd);
  g_autofree char *mask = NULL;

  if (room == NULL || !connected (self, conv))
    return;
  mask = strpbrk (cmd->args[0], "!@*") ? g_strdup (cmd->args[0]) : g_strconcat (cmd->args[0], "!*@*", NULL);
  suda_connection_send_command (self->connection, "MODE", room,
                                cmd->kind == SUDA_SLASH_UNBAN ? "-b" : "+b", mask, NULL);
}

void
_suda_client_command_invite (SudaClient             *self,
                             SudaConversation       *conv,
                             const SudaSlashCommand *cmd)
{
  const char *room = cmd->args[1] ? cmd->args[1] : room_for (self, conv, cmd);

  if (room != NULL && connected (self, conv))
    suda_connection_send_command (self->connection, "INVITE", cmd->args[0], room, NULL);
}

void
_suda_client_command_list (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  if (!connected (self, conv))
    return;
  /* A pattern asks a question answered in the conversation; the whole
   * list is for browsing. */
  if (cmd->args[0] == NULL)
    {
      suda_client_browse_rooms (self);
      return;
    }
  suda_connection_send_command (self->connection, "LIST", cmd->args[0], NULL);
}

static void
set_listing_rooms (SudaClient *self,
                   gboolean    listing)
{
  if (self->listing_rooms == listing)
    return;
  self->listing_rooms = listing;
  g_object_notify (G_OBJECT (self), "listing-rooms");
}

/* The rooms of a big network (tens of thousands) reach the model a
 * batch at a time: each change costs the views a filter and a sort. */
static void
flush_rooms (SudaClient *self)
{
  g_clear_handle_id (&self->rooms_flush_id, g_source_remove);
  if (self->rooms_pending->len == 0)
    return;
  g_list_store_splice (self->rooms, g_list_model_get_n_items (G_LIST_MODEL (self->rooms)), 0,
                       self->rooms_pending->pdata, self->rooms_pending->len);
  g_ptr_array_set_size (self->rooms_pending, 0);
}

static gboolean
flush_rooms_cb (gpointer user_data)
{
  SudaClient *self = user_data;

  self->rooms_flush_id = 0;
  flush_rooms (self);
  return G_SOURCE_REMOVE;
}

/* Asks the server for its rooms afresh; they fill suda_client_get_rooms()
 * as they come, and the window opens its room browser. */
void
suda_client_browse_rooms (SudaClient *self)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));

  if (!connected (self, self->server))
    return;
  g_clear_handle_id (&self->rooms_flush_id, g_source_remove);
  g_ptr_array_set_size (self->rooms_pending, 0);
  g_list_store_remove_all (self->rooms);
  set_listing_rooms (self, TRUE);
  suda_connection_send_command (self->connection, "LIST", NULL);
  g_signal_emit_by_name (self, "browse-rooms");
}

GListModel *
suda_client_get_rooms (SudaClient *self)
{
  g_return_val_if_fail (SUDA_IS_CLIENT (self), NULL);
  return G_LIST_MODEL (self->rooms);
}

gboolean
suda_client_get_listing_rooms (SudaClient *self)
{
  g_return_val_if_fail (SUDA_IS_CLIENT (self), FALSE);
  return self->listing_rooms;
}

/* The line is parsed as the server would, so what goes out is one
 * well-formed IRC line whatever was typed. */
void
_suda_client_command_quote (SudaClient             *self,
                            SudaConversation       *conv,
                            const SudaSlashCommand *cmd)
{
  g_autofree char *line = g_strdup (cmd->args[0]);
  g_autoptr(GError) error = NULL;
  SudaIrcMessage msg;
  const char *p[SUDA_IRC_MAX_PARAMS + 1] = { NULL };

  if (!connected (self, conv))
    return;
  if (!suda_irc_message_parse (&msg, line, &error) || msg.source != NULL || msg.tags != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Usage: %s"), suda_slash_command_get_usage (cmd->kind));

      suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
      return;
    }
  for (guint i = 0; i < msg.n_params && i < 8; i++)
    p[i] = msg.params[i];
  suda_connection_send_command (self->connection, msg.command, p[0], p[1], p[2], p[3],
                                p[4], p[5], p[6], p[7], NULL);
}

gboolean
_suda_client_is_ignored (SudaClient *self,
                         const char *nick)
{
  g_autofree char *folded = suda_irc_casefold (nick);

  return g_hash_table_contains (self->ignored, folded);
}

static void
list_ignored (SudaClient       *self,
              SudaConversation *conv)
{
  g_autofree const char **nicks = (const char **) g_hash_table_get_keys_as_array (self->ignored, NULL);
  g_autofree char *joined = NULL;
  g_autofree char *text = NULL;

  if (nicks[0] == NULL)
    {
      suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_INFO, _("You ignore nobody."));
      return;
    }
  joined = g_strjoinv (", ", (char **) nicks);
  text = g_strdup_printf (_("You ignore: %s"), joined);
  suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_INFO, text);
}

/* Ignoring is the client's alone: the server still sends the lines. */
void
_suda_client_command_ignore (SudaClient             *self,
                             SudaConversation       *conv,
                             const SudaSlashCommand *cmd)
{
  g_autofree char *folded = NULL;
  g_autofree char *text = NULL;

  if (cmd->args[0] == NULL)
    {
      list_ignored (self, conv);
      return;
    }
  folded = suda_irc_casefold (cmd->args[0]);
  if (g_hash_table_remove (self->ignored, folded))
    text = g_strdup_printf (_("You no longer ignore %s."), cmd->args[0]);
  else
    {
      text = g_strdup_printf (_("You ignore %s: their messages are hidden."), cmd->args[0]);
      g_hash_table_add (self->ignored, g_steal_pointer (&folded));
    }
  suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_INFO, text);
}

/* Replies */

static const char *
param (SudaIrcEvent *event,
       guint         i)
{
  for (guint j = 0; j <= i; j++)
    if (event->params[j] == NULL)
      return "";
  return event->params[i];
}

/* One WHOIS numeric as a line of the block; NULL for the end. */
static char *
whois_line (SudaIrcEvent *event)
{
  const char *c = event->command;

  if (g_str_equal (c, "311"))
    return g_strdup_printf (_("%s is %s@%s (%s)"), param (event, 1), param (event, 2),
                            param (event, 3), param (event, 5));
  if (g_str_equal (c, "312"))
    return g_strdup_printf (_("Server: %s (%s)"), param (event, 2), param (event, 3));
  if (g_str_equal (c, "319"))
    return g_strdup_printf (_("Rooms: %s"), param (event, 2));
  if (g_str_equal (c, "317"))
    return g_strdup_printf (_("Idle: %s s"), param (event, 2));
  if (g_str_equal (c, "301"))
    return g_strdup_printf (_("Away: %s"), param (event, 2));
  if (g_str_equal (c, "313"))
    return g_strdup (_("A server operator"));
  if (g_str_equal (c, "330"))
    return g_strdup_printf (_("Signed in as %s"), param (event, 2));
  return g_strdup (event->text);
}

static gboolean
is_whois_numeric (const char *command)
{
  static const char * const numerics[] = { "311", "312", "313", "317", "319", "330", "338", "378", "671" };

  for (guint i = 0; i < G_N_ELEMENTS (numerics); i++)
    if (g_str_equal (command, numerics[i]))
      return TRUE;
  return FALSE;
}

static void
finish_block (SudaClient  *self,
              GString    **block)
{
  g_autofree char *text = g_string_free (g_steal_pointer (block), FALSE);

  suda_client_add_local (self, _suda_client_current_or_server (self), SUDA_MESSAGE_KIND_INFO, text);
}

static gboolean
take_whois (SudaClient   *self,
            SudaIrcEvent *event)
{
  g_autofree char *line = NULL;

  if (g_str_equal (event->command, "318"))
    {
      if (self->whois != NULL)
        finish_block (self, &self->whois);
      return TRUE;
    }
  /* 301 also answers a message to someone away: only inside a WHOIS. */
  if (!is_whois_numeric (event->command) && !(self->whois && g_str_equal (event->command, "301")))
    return FALSE;
  if (self->whois == NULL)
    self->whois = g_string_new (NULL);
  line = whois_line (event);
  g_string_append_printf (self->whois, "%s%s", self->whois->len ? "\n" : "", line);
  return TRUE;
}

/* 321 starts, 322 is a room, 323 ends: one block, rooms by size. */
static gboolean
take_list (SudaClient   *self,
           SudaIrcEvent *event)
{
  if (g_str_equal (event->command, "321"))
    return TRUE;
  if (g_str_equal (event->command, "322") && self->listing_rooms)
    {
      g_autofree char *topic = suda_format_strip (param (event, 3), SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
      guint64 users = g_ascii_strtoull (param (event, 2), NULL, 10);

      g_ptr_array_add (self->rooms_pending,
                       suda_listed_room_new (param (event, 1), (guint) MIN (users, G_MAXUINT), topic));
      if (self->rooms_flush_id == 0)
        self->rooms_flush_id = g_timeout_add (ROOMS_FLUSH_MS, flush_rooms_cb, self);
      return TRUE;
    }
  if (g_str_equal (event->command, "323") && self->listing_rooms)
    {
      flush_rooms (self);
      set_listing_rooms (self, FALSE);
      return TRUE;
    }
  if (g_str_equal (event->command, "322"))
    {
      const char *topic = param (event, 3);

      if (self->room_list == NULL)
        self->room_list = g_string_new (_("Rooms on this server:"));
      g_string_append_printf (self->room_list, "\n%s (%s)%s%s", param (event, 1), param (event, 2),
                              *topic ? " — " : "", topic);
      return TRUE;
    }
  if (g_str_equal (event->command, "323"))
    {
      if (self->room_list == NULL)
        self->room_list = g_string_new (_("This server has no rooms to list."));
      finish_block (self, &self->room_list);
      return TRUE;
    }
  return FALSE;
}

/* TRUE when EVENT was part of a reply gathered here. */
gboolean
_suda_client_take_reply (SudaClient   *self,
                         SudaIrcEvent *event)
{
  if (event->command == NULL || event->params == NULL)
    return FALSE;
  return take_whois (self, event) || take_list (self, event);
}
