/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaClient's slash commands: one handler per command, found through the
 * table in suda-slash-command.c, and what each needs first (a connection,
 * a room, the service user). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-client-private.h"
#include "suda-irc-message.h"

static void
tell (SudaClient       *self,
      SudaConversation *conv,
      SudaMessageKind   kind,
      const char       *text)
{
  suda_client_add_local (self, conv, kind, text);
}

static const char *
room_of (SudaConversation *conv)
{
  return suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM
         ? suda_conversation_get_name (conv) : NULL;
}

static gboolean
require_connection (SudaClient       *self,
                    SudaConversation *conv)
{
  if (suda_connection_is_connected (self->connection))
    return TRUE;
  tell (self, conv, SUDA_MESSAGE_KIND_ERROR, _("You are not connected. Connect to a server first."));
  return FALSE;
}

static gboolean
require_room (SudaClient             *self,
              SudaConversation       *conv,
              const SudaSlashCommand *cmd)
{
  g_autofree char *text = NULL;

  if (suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM)
    return TRUE;
  text = g_strdup_printf (_("Use %s in a room."), suda_slash_command_get_usage (cmd->kind));
  tell (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
  return FALSE;
}

/* The service user is there when the server names one and it sits in the
 * room, or, outside rooms, in any room we are in. */
gboolean
suda_client_has_service (SudaClient       *self,
                         SudaConversation *conversation)
{
  const char *service;
  GListModel *conversations;
  guint n;

  g_return_val_if_fail (SUDA_IS_CLIENT (self), FALSE);
  service = suda_connection_get_service_nick (self->connection);
  if (service == NULL)
    return FALSE;
  if (conversation != NULL && suda_conversation_get_kind (conversation) == SUDA_CONVERSATION_ROOM)
    return suda_conversation_find_member (conversation, service) != NULL;
  conversations = G_LIST_MODEL (self->conversations);
  n = g_list_model_get_n_items (conversations);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      if (suda_conversation_find_member (conv, service) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
require_service (SudaClient       *self,
                 SudaConversation *conv,
                 const char       *command)
{
  g_autofree char *text = NULL;

  if (suda_client_has_service (self, conv))
    return TRUE;
  text = g_strdup_printf (_("This server does not offer %s: it has no Suda service user."), command);
  tell (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
  return FALSE;
}

static void
send_text_to (SudaClient       *self,
              SudaConversation *conv,
              const char       *text)
{
  if (*text == '\0')
    return;
  if (conv == self->server)
    {
      tell (self, conv, SUDA_MESSAGE_KIND_ERROR,
            _("This is the server’s conversation. Join a room with /join #ROOM, or whisper someone with /whisper NICKNAME TEXT."));
      return;
    }
  if (!require_connection (self, conv))
    return;
  if (suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM &&
      !suda_conversation_get_joined (conv))
    {
      tell (self, conv, SUDA_MESSAGE_KIND_ERROR,
            _("You are not in this room. Use /join to enter it again."));
      return;
    }
  suda_connection_send_message (self->connection, suda_conversation_get_name (conv), text);
}

void
_suda_client_run_command (SudaClient       *self,
                          SudaConversation *conv,
                          SudaSlashCommand *cmd)
{
  g_autofree char *text = NULL;

  switch (cmd->kind)
    {
    case SUDA_SLASH_TEXT:
      send_text_to (self, conv, cmd->text);
      break;
    case SUDA_SLASH_UNKNOWN:
      text = g_strdup_printf (_("There is no command /%s. Type /help to see the commands."), cmd->name);
      tell (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
      break;
    case SUDA_SLASH_MISUSE:
      text = g_strdup_printf (_("Usage: %s"), suda_slash_command_get_usage (cmd->command));
      tell (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
      break;
    default:
      suda_slash_command_get_handler (cmd->kind) (self, conv, cmd);
      break;
    }
}

void
_suda_client_command_help (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  g_autofree char *text = NULL;

  if (cmd->args[0] != NULL)
    {
      g_autofree char *as_command = g_strconcat ("/", cmd->args[0][0] == '/' ? cmd->args[0] + 1 : cmd->args[0], NULL);
      g_autoptr(SudaSlashCommand) asked = suda_slash_command_parse (as_command);

      if (asked->command != SUDA_SLASH_TEXT && asked->kind != SUDA_SLASH_UNKNOWN)
        {
          SudaSlashKind kind = asked->kind == SUDA_SLASH_MISUSE ? asked->command : asked->kind;

          text = g_strdup_printf ("%s — %s", suda_slash_command_get_usage (kind),
                                  suda_slash_command_get_summary (kind));
          tell (self, conv, SUDA_MESSAGE_KIND_INFO, text);
          return;
        }
    }
  text = suda_slash_command_dup_help ();
  tell (self, conv, SUDA_MESSAGE_KIND_INFO, text);
}

void
_suda_client_command_nick (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  g_autofree char *text = NULL;

  suda_connection_set_nick (self->connection, cmd->args[0]);
  if (suda_connection_is_connected (self->connection))
    return;   /* the change shows when the server confirms it */
  text = g_strdup_printf (_("You will be %s when you connect."), cmd->args[0]);
  tell (self, conv, SUDA_MESSAGE_KIND_INFO, text);
}

void
_suda_client_command_users (SudaClient             *self,
                            SudaConversation       *conv,
                            const SudaSlashCommand *cmd)
{
  const char *which = cmd->args[0] ? cmd->args[0] : room_of (conv);

  if (which == NULL)
    {
      require_room (self, conv, cmd);
      return;
    }
  if (!require_connection (self, conv))
    return;
  /* The answer goes where the question was asked. */
  g_hash_table_insert (self->names_wanted, suda_irc_casefold (which),
                       g_strdup (suda_conversation_get_name (conv)));
  suda_connection_send_command (self->connection, "NAMES", which, NULL);
}

void
_suda_client_command_whisper (SudaClient             *self,
                              SudaConversation       *conv,
                              const SudaSlashCommand *cmd)
{
  SudaConversation *private;

  if (!require_connection (self, conv))
    return;
  private = _suda_client_ensure_conversation (self, SUDA_CONVERSATION_PRIVATE, cmd->args[0]);
  suda_connection_send_message (self->connection, cmd->args[0], cmd->args[1]);
  _suda_client_emit_opened (self, private);
}

void
_suda_client_command_kick (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  if (!require_room (self, conv, cmd) || !require_connection (self, conv))
    return;
  suda_connection_send_command (self->connection, "KICK", room_of (conv), cmd->args[0],
                                cmd->args[1], NULL);
}

/* /schedule and /search become the service user's !commands. */
void
_suda_client_command_schedule (SudaClient             *self,
                               SudaConversation       *conv,
                               const SudaSlashCommand *cmd)
{
  g_autofree char *text = NULL;

  if (!require_room (self, conv, cmd) || !require_connection (self, conv) ||
      !require_service (self, conv, "/schedule"))
    return;
  text = g_strdup_printf ("!schedule %s %s", cmd->args[0], cmd->args[1]);
  suda_connection_send_message (self->connection, room_of (conv), text);
}

void
_suda_client_command_search (SudaClient             *self,
                             SudaConversation       *conv,
                             const SudaSlashCommand *cmd)
{
  const char *room = room_of (conv);
  g_autofree char *text = NULL;

  if (!require_connection (self, conv) || !require_service (self, conv, "/search"))
    return;
  if (room != NULL)
    {
      text = g_strdup_printf ("!search %s", cmd->args[0]);
      suda_connection_send_message (self->connection, room, text);
      return;
    }
  /* Outside a room the answer comes back privately. */
  text = g_strdup_printf ("search %s", cmd->args[0]);
  suda_connection_send_message (self->connection,
                                suda_connection_get_service_nick (self->connection), text);
}

void
_suda_client_command_service (SudaClient             *self,
                              SudaConversation       *conv,
                              const SudaSlashCommand *cmd)
{
  const char *word = cmd->kind == SUDA_SLASH_QUIZ ? "quiz" : "summary";
  g_autofree char *slash = g_strconcat ("/", word, NULL);
  g_autofree char *text = NULL;

  if (!require_room (self, conv, cmd) || !require_connection (self, conv) ||
      !require_service (self, conv, slash))
    return;
  text = cmd->args[0] != NULL ? g_strdup_printf ("!%s %s", word, cmd->args[0]) : g_strconcat ("!", word, NULL);
  suda_connection_send_message (self->connection, room_of (conv), text);
}

/* A quiz's answer goes to the service user alone: in the room it would
 * tell everyone. */
void
_suda_client_command_answer (SudaClient             *self,
                             SudaConversation       *conv,
                             const SudaSlashCommand *cmd)
{
  g_autofree char *text = NULL;

  if (!require_connection (self, conv) || !require_service (self, conv, "/answer"))
    return;
  text = g_strdup_printf ("answer %s", cmd->args[0]);
  suda_connection_send_message (self->connection, suda_connection_get_service_nick (self->connection), text);
}

void
_suda_client_command_me (SudaClient             *self,
                         SudaConversation       *conv,
                         const SudaSlashCommand *cmd)
{
  if (conv == self->server)
    require_room (self, conv, cmd);
  else if (require_connection (self, conv))
    suda_connection_send_action (self->connection, suda_conversation_get_name (conv), cmd->args[0]);
}

void
_suda_client_command_topic (SudaClient             *self,
                            SudaConversation       *conv,
                            const SudaSlashCommand *cmd)
{
  const char *topic = suda_conversation_get_topic (conv);
  g_autofree char *text = NULL;

  if (!require_room (self, conv, cmd) || !require_connection (self, conv))
    return;
  if (cmd->args[0] != NULL)
    {
      suda_connection_send_command (self->connection, "TOPIC", room_of (conv), cmd->args[0], NULL);
      return;
    }
  text = topic && *topic ? g_strdup_printf (_("Topic: %s"), topic)
                         : g_strdup (_("This room has no topic."));
  tell (self, conv, SUDA_MESSAGE_KIND_INFO, text);
}

void
_suda_client_command_join (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  SudaConversation *existing = suda_client_find_conversation (self, cmd->args[0]);

  if (existing != NULL && suda_conversation_get_joined (existing))
    {
      _suda_client_emit_opened (self, existing);
      return;
    }
  if (!require_connection (self, conv))
    return;
  g_free (self->open_on_join);
  self->open_on_join = suda_irc_casefold (cmd->args[0]);
  suda_connection_send_command (self->connection, "JOIN", cmd->args[0], NULL);
}

void
_suda_client_command_part (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  const char *which = cmd->args[0] ? cmd->args[0] : room_of (conv);

  /* /part in a private conversation just closes it. */
  if (which == NULL)
    suda_client_close_conversation (self, conv);
  else if (require_connection (self, conv))
    suda_connection_send_command (self->connection, "PART", which, cmd->args[1], NULL);
}

void
_suda_client_command_quit (SudaClient             *self,
                           SudaConversation       *conv,
                           const SudaSlashCommand *cmd)
{
  if (suda_connection_get_state (self->connection) == SUDA_CONNECTION_DISCONNECTED)
    {
      tell (self, conv, SUDA_MESSAGE_KIND_INFO, _("You are not connected."));
      return;
    }
  suda_connection_disconnect (self->connection, cmd->args[0]);
  tell (self, self->server, SUDA_MESSAGE_KIND_INFO, _("Disconnected."));
}
