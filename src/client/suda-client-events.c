/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaClient's reading of what the connection tells: one handler per kind
 * of event, found by the table at the end, each putting the event into
 * the conversations it concerns. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-client-private.h"
#include "suda-irc-message.h"
#include "suda-limits.h"

/* Whether EVENT was shown in CONV already: history replayed on a rejoin
 * repeats the lines seen before the loss.  The msgid tells a line when
 * the server gives one; otherwise its time, sender and text do. */
static gboolean
shown_before (SudaConversation *conv,
              SudaIrcEvent     *event)
{
  g_autofree char *key = NULL;

  if (event->msgid != NULL)
    key = g_strconcat ("id ", event->msgid, NULL);
  else
    key = g_strdup_printf ("%" G_GINT64_FORMAT " %s %s", event->time,
                           event->nick ? event->nick : "", event->text);
  return !suda_conversation_note_seen (conv, key) && event->replayed;
}

static void
handle_text_event (SudaClient   *self,
                   SudaIrcEvent *event)
{
  const char *own_nick = suda_connection_get_nick (self->connection);
  SudaMessageKind kind = event->kind == SUDA_IRC_EVENT_ACTION ? SUDA_MESSAGE_KIND_ACTION :
                         event->kind == SUDA_IRC_EVENT_NOTICE ? SUDA_MESSAGE_KIND_NOTICE :
                         SUDA_MESSAGE_KIND_MESSAGE;
  SudaConversation *conv;
  SudaMessage *message;
  gboolean private = FALSE;
  gboolean mention;

  if (!event->own && event->nick != NULL && _suda_client_is_ignored (self, event->nick))
    return;
  if (suda_irc_is_channel (event->target))
    {
      if ((conv = _suda_client_ensure_conversation (self, SUDA_CONVERSATION_ROOM, event->target)) == NULL)
        return;
    }
  else if (event->own)
    conv = _suda_client_ensure_conversation (self, SUDA_CONVERSATION_PRIVATE, event->target);
  else if (event->nick == NULL || strchr (event->nick, '.') != NULL ||
           (kind == SUDA_MESSAGE_KIND_NOTICE && suda_connection_get_state (self->connection) != SUDA_CONNECTION_CONNECTED))
    conv = self->server;   /* the server itself, or notices during registration */
  else if (kind == SUDA_MESSAGE_KIND_NOTICE && !suda_client_find_conversation (self, event->nick))
    conv = _suda_client_current_or_server (self);   /* e.g. the service user answering us */
  else
    {
      conv = _suda_client_ensure_conversation (self, SUDA_CONVERSATION_PRIVATE, event->nick);
      private = kind != SUDA_MESSAGE_KIND_NOTICE;
    }
  if (conv == NULL)
    conv = self->server;   /* past the limit of private conversations */
  if (shown_before (conv, event))
    return;

  mention = !event->own && suda_text_mentions (event->text, own_nick);
  message = suda_message_new (kind, event->time, event->nick, event->text);
  suda_message_set_own (message, event->own);
  suda_message_set_mention (message, mention);
  suda_message_set_replayed (message, event->replayed);
  suda_message_set_msgid (message, event->msgid);
  /* A page of older history goes in front, all at once when it ends. */
  if (_suda_client_is_older_line (conv, event))
    {
      suda_conversation_add_older (conv, message);
      g_object_unref (message);
      return;
    }
  suda_conversation_append (conv, message, conv != self->active || !self->window_active);
  /* A private conversation is a whisper in the log format of DESIGN.md. */
  _suda_client_write_transcript (self, conv, message,
                    suda_conversation_get_kind (conv) == SUDA_CONVERSATION_PRIVATE &&
                    kind == SUDA_MESSAGE_KIND_MESSAGE ? "whisper" : _suda_client_log_event_for (kind));

  if ((mention || private) && !event->own && !event->replayed && !self->window_active)
    _suda_client_emit_attention (self, conv, message);
  else if ((mention || private) && !event->own && !event->replayed && conv != self->active)
    _suda_client_emit_mentioned_elsewhere (self, conv, message);
  g_object_unref (message);
}

/* Calls FUNC for each room that NICK is in. */
static void
foreach_room_with (SudaClient *self,
                   const char *nick,
                   void      (*func) (SudaClient *, SudaConversation *, SudaIrcEvent *),
                   SudaIrcEvent *event)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);
      gboolean in_room = suda_conversation_find_member (conv, nick) != NULL;
      gboolean is_private = suda_conversation_get_kind (conv) == SUDA_CONVERSATION_PRIVATE &&
                            suda_irc_casecmp (suda_conversation_get_name (conv), nick) == 0;

      if (in_room || is_private)
        func (self, conv, event);
    }
}

static void
quit_in (SudaClient       *self,
         SudaConversation *conv,
         SudaIrcEvent     *event)
{
  g_autofree char *text = event->text && *event->text
    ? g_strdup_printf (_("%s left the chat (%s)"), event->nick, event->text)
    : g_strdup_printf (_("%s left the chat"), event->nick);

  suda_conversation_remove_member (conv, event->nick);
  _suda_client_add_event_line (self, conv, event, "quit", text);
}

static void
nick_in (SudaClient       *self,
         SudaConversation *conv,
         SudaIrcEvent     *event)
{
  g_autofree char *text = event->own
    ? g_strdup_printf (_("You are now known as %s"), event->argument)
    : g_strdup_printf (_("%s is now known as %s"), event->nick, event->argument);

  if (suda_conversation_get_kind (conv) == SUDA_CONVERSATION_PRIVATE)
    {
      SudaConversation *other = suda_client_find_conversation (self, event->argument);

      /* Two conversations of one name could not be told apart (a server
       * renaming someone onto a nickname we talk to): the old name stays. */
      if (other == NULL || other == conv)
        suda_conversation_set_name (conv, event->argument);
    }
  else
    suda_conversation_rename_member (conv, event->nick, event->argument);
  _suda_client_add_event_line (self, conv, event, "nick", text);
}

static void
handle_names (SudaClient   *self,
              SudaIrcEvent *event)
{
  SudaConversation *conv = suda_client_find_conversation (self, event->target);
  const char *prefix_chars = suda_connection_get_prefix_chars (self->connection);
  g_auto(GStrv) names = NULL;

  if (conv == NULL)
    conv = self->server;
  names = g_strsplit (event->text ? event->text : "", " ", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = names[i];
      g_autofree char *prefixes = NULL;
      char *bang;

      if (*name == '\0')
        continue;
      while (*name != '\0' && strchr (prefix_chars, *name) != NULL)
        name++;
      prefixes = g_strndup (names[i], name - names[i]);
      if ((bang = strchr (name, '!')) != NULL)   /* userhost-in-names */
        *bang = '\0';
      /* "@" or "!u@h" alone names nobody. */
      if (*name == '\0' || strlen (name) > SUDA_CLIENT_MAX_NAME_BYTES)
        continue;
      suda_conversation_add_pending_name (conv, name, prefixes);
    }
}

static void
handle_end_of_names (SudaClient   *self,
                     SudaIrcEvent *event)
{
  SudaConversation *conv = suda_client_find_conversation (self, event->target);
  g_autofree char *folded = suda_irc_casefold (event->target);
  const char *asked_in = NULL;

  if (conv == NULL)
    conv = self->server;
  suda_conversation_commit_names (conv);
  suda_conversation_release_join_line (conv);

  if (g_hash_table_lookup_extended (self->names_wanted, folded, NULL, (gpointer *) &asked_in))
    {
      SudaConversation *reply_to = suda_client_find_conversation (self, asked_in);
      GListModel *members = suda_conversation_get_members (conv);
      guint n = g_list_model_get_n_items (members);
      g_autoptr(GString) list = g_string_new (NULL);
      g_autofree char *text = NULL;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(SudaMember) member = g_list_model_get_item (members, i);

          g_string_append_printf (list, "%s%s%s", i ? ", " : "",
                                  suda_member_get_prefixes (member),
                                  suda_member_get_nick (member));
        }
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u person in %s: %s",
                                           "%u people in %s: %s", n),
                              n, event->target, list->str);
      suda_client_add_local (self, reply_to ? reply_to : self->server, SUDA_MESSAGE_KIND_INFO, text);
      g_hash_table_remove (self->names_wanted, folded);
    }
}

static void
handle_mode (SudaClient   *self,
             SudaIrcEvent *event)
{
  SudaConversation *conv = suda_client_find_conversation (self, event->target);
  g_autofree char *text = NULL;
  guint arg = 2;
  gboolean add = TRUE;

  if (conv == NULL || event->params == NULL || event->params[1] == NULL)
    {
      /* User modes on ourselves go to the server conversation. */
      text = g_strdup_printf (_("Mode %s %s"), event->target, event->text ? event->text : "");
      _suda_client_add_event_line (self, self->server, event, "mode", text);
      return;
    }

  for (const char *m = event->params[1]; *m; m++)
    {
      char prefix;

      if (*m == '+' || *m == '-')
        {
          add = *m == '+';
          continue;
        }
      prefix = suda_connection_get_mode_prefix (self->connection, *m);
      if (prefix != 0 && event->params[arg] != NULL)
        suda_conversation_set_member_mode (conv, event->params[arg], prefix, add);
      /* Modes with an argument: membership, bans and friends, key, and limit when set. */
      if (prefix != 0 || strchr ("beIk", *m) != NULL || (*m == 'l' && add))
        if (event->params[arg] != NULL)
          arg++;
    }
  text = g_strdup_printf (_("%s sets mode %s"), event->nick ? event->nick : _("The server"),
                          event->text);
  _suda_client_add_event_line (self, conv, event, "mode", text);
}

/* The parts of an event each kind's handler uses.  The connection hands
 * up only whole events; this is the handlers' own check of that. */
static gboolean
has_parts (const SudaIrcEvent *event)
{
  switch (event->kind)
    {
    case SUDA_IRC_EVENT_REGISTERED:
    case SUDA_IRC_EVENT_TOPIC:
    case SUDA_IRC_EVENT_END_OF_NAMES:
      return event->target != NULL;
    case SUDA_IRC_EVENT_MESSAGE:
    case SUDA_IRC_EVENT_ACTION:
    case SUDA_IRC_EVENT_NOTICE:
    case SUDA_IRC_EVENT_MODE:
    case SUDA_IRC_EVENT_NAMES:
      return event->target != NULL && event->text != NULL;
    case SUDA_IRC_EVENT_JOIN:
    case SUDA_IRC_EVENT_PART:
      return event->nick != NULL && event->target != NULL;
    case SUDA_IRC_EVENT_QUIT:
      return event->nick != NULL;
    case SUDA_IRC_EVENT_NICK:
      return event->nick != NULL && event->argument != NULL;
    case SUDA_IRC_EVENT_KICK:
      return event->nick != NULL && event->target != NULL && event->argument != NULL;
    case SUDA_IRC_EVENT_INFO:
    case SUDA_IRC_EVENT_ERROR:
      return event->text != NULL;
    case SUDA_IRC_EVENT_HISTORY_START:
      return event->argument != NULL && event->target != NULL;
    case SUDA_IRC_EVENT_HISTORY_END:
      return event->argument != NULL;
    case SUDA_IRC_EVENT_READ_MARKER:
      return event->target != NULL;
    case SUDA_IRC_EVENT_OTHER:
    default:
      return TRUE;
    }
}


static void
handle_registered (SudaClient   *self,
                   SudaIrcEvent *event)
{
  g_autofree char *text = g_strdup_printf (_("Connected to %s as %s"),
                                           suda_connection_get_host (self->connection),
                                           event->target);

  suda_client_add_local (self, self->server, SUDA_MESSAGE_KIND_INFO, text);
  if (self->autojoin != NULL && suda_connection_get_channels (self->connection)[0] == NULL)
    suda_connection_send_command (self->connection, "JOIN", self->autojoin, NULL);
}

/* Our own join opens the room, unless it is a rejoin after a
 * reconnection, which must not pull the view away. */
static void
handle_join (SudaClient   *self,
             SudaIrcEvent *event)
{
  gboolean is_new = suda_client_find_conversation (self, event->target) == NULL;
  g_autofree char *folded = suda_irc_casefold (event->target);
  g_autofree char *text = NULL;
  SudaConversation *conv;

  conv = _suda_client_ensure_conversation (self, SUDA_CONVERSATION_ROOM, event->target);
  if (conv == NULL)
    return;
  if (event->own && (is_new || g_strcmp0 (folded, self->open_on_join) == 0))
    {
      g_clear_pointer (&self->open_on_join, g_free);
      _suda_client_emit_opened (self, conv);
    }
  if (event->own)
    {
      g_autoptr(SudaMessage) line = NULL;

      suda_conversation_clear_members (conv);
      suda_conversation_set_joined (conv, TRUE);
      text = g_strdup_printf (_("You joined %s"), event->target);
      line = _suda_client_new_event_line (self, conv, event, "join", text);
      suda_conversation_hold_join_line (conv, line);
      return;
    }
  suda_conversation_add_member (conv, event->nick, NULL);
  text = g_strdup_printf (_("%s joined"), event->nick);
  _suda_client_add_event_line (self, conv, event, "join", text);
}

static void
handle_part (SudaClient   *self,
             SudaIrcEvent *event)
{
  SudaConversation *conv = suda_client_find_conversation (self, event->target);
  g_autofree char *text = NULL;

  if (conv == NULL)
    return;
  if (event->own)
    {
      suda_conversation_set_joined (conv, FALSE);
      suda_conversation_clear_members (conv);
      text = g_strdup_printf (_("You left %s"), event->target);
    }
  else
    {
      suda_conversation_remove_member (conv, event->nick);
      text = event->text && *event->text
        ? g_strdup_printf (_("%s left (%s)"), event->nick, event->text)
        : g_strdup_printf (_("%s left"), event->nick);
    }
  _suda_client_add_event_line (self, conv, event, "part", text);
}

static void
handle_quit (SudaClient   *self,
             SudaIrcEvent *event)
{
  foreach_room_with (self, event->nick, quit_in, event);
}

/* Our own change is told in every room and the server's conversation;
 * someone else's where they are. */
static void
handle_nick (SudaClient   *self,
             SudaIrcEvent *event)
{
  GListModel *conversations = G_LIST_MODEL (self->conversations);
  guint n = g_list_model_get_n_items (conversations);

  if (!event->own)
    {
      foreach_room_with (self, event->nick, nick_in, event);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      if (suda_conversation_get_kind (conv) != SUDA_CONVERSATION_PRIVATE)
        nick_in (self, conv, event);
    }
}

static void
handle_kick (SudaClient   *self,
             SudaIrcEvent *event)
{
  SudaConversation *conv = suda_client_find_conversation (self, event->target);
  g_autofree char *text = NULL;
  gboolean has_reason = event->text && *event->text;

  if (conv == NULL)
    return;
  if (g_strcmp0 (event->argument, suda_connection_get_nick (self->connection)) == 0)
    {
      suda_conversation_set_joined (conv, FALSE);
      suda_conversation_clear_members (conv);
      text = has_reason
        ? g_strdup_printf (_("%s removed you from %s (%s)"), event->nick, event->target, event->text)
        : g_strdup_printf (_("%s removed you from %s"), event->nick, event->target);
    }
  else
    {
      suda_conversation_remove_member (conv, event->argument);
      text = has_reason
        ? g_strdup_printf (_("%s removed %s (%s)"), event->nick, event->argument, event->text)
        : g_strdup_printf (_("%s removed %s"), event->nick, event->argument);
    }
  _suda_client_add_event_line (self, conv, event, "kick", text);
}

static void
handle_topic (SudaClient   *self,
              SudaIrcEvent *event)
{
  SudaConversation *conv = _suda_client_ensure_conversation (self, SUDA_CONVERSATION_ROOM,
                                                             event->target);
  g_autofree char *text = NULL;

  if (conv == NULL)
    return;
  suda_conversation_set_topic (conv, event->text);
  if (event->nick != NULL)
    text = g_strdup_printf (_("%s changed the topic to: %s"), event->nick, event->text);
  else
    text = g_strdup_printf (_("Topic: %s"), event->text);
  _suda_client_add_event_line (self, conv, event, "topic", text);
}

/* A reply about a room we have open (who set its topic) goes there, as
 * one of the room's events beside "Topic: …" and "You joined". */
static void
handle_info (SudaClient   *self,
             SudaIrcEvent *event)
{
  SudaConversation *conv = event->target ? suda_client_find_conversation (self, event->target) : NULL;

  if (_suda_client_take_reply (self, event))
    return;
  if (event->text != NULL && *event->text != '\0')
    _suda_client_add_message (self, conv ? conv : self->server,
                              conv ? SUDA_MESSAGE_KIND_EVENT : SUDA_MESSAGE_KIND_INFO,
                              event->time, NULL, event->text, NULL);
}

static void
handle_error (SudaClient   *self,
              SudaIrcEvent *event)
{
  _suda_client_add_message (self, _suda_client_current_or_server (self), SUDA_MESSAGE_KIND_ERROR,
                            event->time, NULL, event->text, NULL);
}

typedef void (*EventHandler) (SudaClient   *self,
                              SudaIrcEvent *event);

/* SUDA_IRC_EVENT_OTHER has none: nothing to show. */
static const EventHandler handlers[] = {
  [SUDA_IRC_EVENT_REGISTERED]   = handle_registered,
  [SUDA_IRC_EVENT_MESSAGE]      = handle_text_event,
  [SUDA_IRC_EVENT_ACTION]       = handle_text_event,
  [SUDA_IRC_EVENT_NOTICE]       = handle_text_event,
  [SUDA_IRC_EVENT_JOIN]         = handle_join,
  [SUDA_IRC_EVENT_PART]         = handle_part,
  [SUDA_IRC_EVENT_QUIT]         = handle_quit,
  [SUDA_IRC_EVENT_NICK]         = handle_nick,
  [SUDA_IRC_EVENT_KICK]         = handle_kick,
  [SUDA_IRC_EVENT_TOPIC]        = handle_topic,
  [SUDA_IRC_EVENT_MODE]         = handle_mode,
  [SUDA_IRC_EVENT_NAMES]        = handle_names,
  [SUDA_IRC_EVENT_END_OF_NAMES] = handle_end_of_names,
  [SUDA_IRC_EVENT_INFO]         = handle_info,
  [SUDA_IRC_EVENT_ERROR]        = handle_error,
  [SUDA_IRC_EVENT_HISTORY_START] = _suda_client_history_started,
  [SUDA_IRC_EVENT_HISTORY_END]  = _suda_client_history_ended,
  [SUDA_IRC_EVENT_READ_MARKER]  = _suda_client_read_marker,
  [SUDA_IRC_EVENT_OTHER]        = NULL,
};

void
_suda_client_on_event (SudaConnection *connection,
                       SudaIrcEvent   *event,
                       gpointer        user_data)
{
  SudaClient *self = user_data;

  if (!has_parts (event))
    {
      g_debug ("ignoring a %s event with parts missing", event->command);
      return;
    }
  if ((guint) event->kind < G_N_ELEMENTS (handlers) && handlers[event->kind] != NULL)
    handlers[event->kind] (self, event);
}

void
_suda_client_on_error (SudaConnection *connection,
                       const GError   *error,
                       gpointer        user_data)
{
  SudaClient *self = user_data;
  SudaConversation *current = _suda_client_current_or_server (self);

  /* The kick's own event line in the room says who and why already. */
  if (g_error_matches (error, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_KICKED))
    return;
  suda_client_add_local (self, current, SUDA_MESSAGE_KIND_ERROR, error->message);
  if (current != self->server)
    suda_client_add_local (self, self->server, SUDA_MESSAGE_KIND_ERROR, error->message);
}

/* Nobody is in a room we are not in; NAMES fills them in again later. */
void
_suda_client_on_state_changed (SudaConnection *connection,
                               GParamSpec     *pspec,
                               gpointer        user_data)
{
  SudaClient *self = user_data;
  SudaConnectionState state = suda_connection_get_state (connection);
  GListModel *conversations = G_LIST_MODEL (self->conversations);
  guint n;

  if (state != SUDA_CONNECTION_DISCONNECTED && state != SUDA_CONNECTION_RECONNECTING)
    return;
  n = g_list_model_get_n_items (conversations);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      suda_conversation_clear_members (conv);
      suda_conversation_set_joined (conv, FALSE);
      suda_conversation_cancel_older (conv);
    }
}
