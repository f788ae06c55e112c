/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaClient: the session with one server, as the window shows it without
 * widgets: its connection, the conversations it feeds, their transcripts.
 * What the server tells is read in suda-client-events.c, what the person
 * types in suda-client-commands.c. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-client-private.h"
#include "suda-listed-room.h"
#include "suda-format.h"
#include "suda-irc-message.h"
#include "suda-limits.h"
#include "suda-log-entry.h"

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_CONVERSATIONS,
  PROP_ACTIVE_CONVERSATION,
  PROP_WINDOW_ACTIVE,
  PROP_KEEP_TRANSCRIPTS,
  PROP_TRANSCRIPT_DIR,
  PROP_LISTING_ROOMS,
  N_PROPS
};

enum {
  SIGNAL_ATTENTION,
  SIGNAL_CONVERSATION_OPENED,
  SIGNAL_BROWSE_ROOMS,
  SIGNAL_MENTIONED_ELSEWHERE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SudaClient, suda_client, G_TYPE_OBJECT)

/* Conversations */

static gint
find_position (SudaClient *self,
               const char *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));

  for (guint i = 1; i < n; i++)   /* 0 is the server's */
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

      if (suda_irc_casecmp (suda_conversation_get_name (conv), name) == 0)
        return i;
    }
  return -1;
}

SudaConversation *
suda_client_find_conversation (SudaClient *self,
                               const char *name)
{
  g_autoptr(SudaConversation) conv = NULL;
  gint pos;

  g_return_val_if_fail (SUDA_IS_CLIENT (self), NULL);
  if (name == NULL || (pos = find_position (self, name)) < 0)
    return NULL;
  conv = g_list_model_get_item (G_LIST_MODEL (self->conversations), pos);
  return conv;   /* the list keeps its reference */
}

static guint
count_conversations (SudaClient           *self,
                     SudaConversationKind  kind)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));
  guint count = 0;

  for (guint i = 1; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

      count += suda_conversation_get_kind (conv) == kind;
    }
  return count;
}

/* Rooms first in the order joined, then private conversations.  NULL when
 * there are as many of KIND as the client keeps (suda-limits.h). */
SudaConversation *
_suda_client_ensure_conversation (SudaClient           *self,
                                  SudaConversationKind  kind,
                                  const char           *name)
{
  g_autoptr(SudaConversation) conv = NULL;
  SudaConversation *found = suda_client_find_conversation (self, name);
  guint n, pos;

  if (found != NULL)
    return found;
  if (count_conversations (self, kind) >=
      (kind == SUDA_CONVERSATION_ROOM ? SUDA_CLIENT_MAX_ROOMS : SUDA_CLIENT_MAX_PRIVATE))
    {
      g_debug ("not opening %s: too many conversations", name);
      return NULL;
    }

  conv = suda_conversation_new (kind, name);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));
  pos = n;
  if (kind == SUDA_CONVERSATION_ROOM)
    for (pos = 1; pos < n; pos++)
      {
        g_autoptr(SudaConversation) other = g_list_model_get_item (G_LIST_MODEL (self->conversations), pos);

        if (suda_conversation_get_kind (other) == SUDA_CONVERSATION_PRIVATE)
          break;
      }
  g_list_store_insert (self->conversations, pos, conv);
  return conv;
}

void
suda_client_close_conversation (SudaClient       *self,
                                SudaConversation *conversation)
{
  guint pos;

  g_return_if_fail (SUDA_IS_CLIENT (self));
  if (conversation == self->server)
    return;
  if (suda_conversation_get_kind (conversation) == SUDA_CONVERSATION_ROOM &&
      suda_conversation_get_joined (conversation) &&
      suda_connection_is_connected (self->connection))
    suda_connection_send_command (self->connection, "PART",
                                  suda_conversation_get_name (conversation), NULL);
  if (g_list_store_find (self->conversations, conversation, &pos))
    {
      if (conversation == self->active)
        suda_client_set_active_conversation (self, self->server);
      g_list_store_remove (self->conversations, pos);
    }
}

void
_suda_client_emit_opened (SudaClient       *self,
                          SudaConversation *conv)
{
  g_signal_emit (self, signals[SIGNAL_CONVERSATION_OPENED], 0, conv);
}

void
_suda_client_emit_mentioned_elsewhere (SudaClient       *self,
                                       SudaConversation *conv,
                                       SudaMessage      *message)
{
  g_signal_emit (self, signals[SIGNAL_MENTIONED_ELSEWHERE], 0, conv, message);
}

void
_suda_client_emit_attention (SudaClient       *self,
                             SudaConversation *conv,
                             SudaMessage      *message)
{
  g_signal_emit (self, signals[SIGNAL_ATTENTION], 0, conv, message);
}

/* Messages */

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || c == '_' || c == '-' || c == '[' || c == ']' ||
         c == '\\' || c == '`' || c == '^' || c == '{' || c == '}' || c == '|';
}

/* Whether TEXT names NICK as a word of its own, ignoring case. */
gboolean
suda_text_mentions (const char *text,
                    const char *nick)
{
  g_autofree char *folded_text = NULL;
  g_autofree char *folded_nick = NULL;
  gsize nick_len;

  if (text == NULL || nick == NULL || *nick == '\0')
    return FALSE;
  folded_text = suda_irc_casefold (text);
  folded_nick = suda_irc_casefold (nick);
  nick_len = strlen (folded_nick);
  for (const char *p = strstr (folded_text, folded_nick); p; p = strstr (p + 1, folded_nick))
    {
      const char *after = p + nick_len;
      gboolean start_ok = p == folded_text ||
                          !is_word_char (g_utf8_get_char (g_utf8_find_prev_char (folded_text, p)));
      gboolean end_ok = *after == '\0' || !is_word_char (g_utf8_get_char (after));

      if (start_ok && end_ok)
        return TRUE;
    }
  return FALSE;
}

const char *
_suda_client_log_event_for (SudaMessageKind kind)
{
  switch (kind)
    {
    case SUDA_MESSAGE_KIND_MESSAGE:
    case SUDA_MESSAGE_KIND_ACTION:
      return "message";
    case SUDA_MESSAGE_KIND_NOTICE:
      return "notice";
    case SUDA_MESSAGE_KIND_ERROR:
      return "error";
    default:
      return NULL;
    }
}

static void
append_transcript (SudaClient       *self,
                   SudaConversation *conv,
                   SudaLogEntry     *entry)
{
  g_autoptr(GError) error = NULL;

  if (!self->keep_transcripts)
    return;
  /* One transcript folder per network: a connection to another server
   * (or port) starts another. */
  if (self->transcript == NULL ||
      g_strcmp0 (self->transcript_host, suda_connection_get_host (self->connection)) != 0 ||
      self->transcript_port != suda_connection_get_port (self->connection))
    {
      const char *host = suda_connection_get_host (self->connection);

      g_clear_object (&self->transcript);
      if (host == NULL)
        return;
      g_free (self->transcript_host);
      self->transcript_host = g_strdup (host);
      self->transcript_port = suda_connection_get_port (self->connection);
      self->transcript = suda_transcript_new (self->transcript_dir, host, self->transcript_port);
    }
  if (!suda_transcript_append (self->transcript, suda_conversation_get_name (conv), entry, &error))
    {
      /* Keeping the chat going matters more than the transcript. */
      g_message ("Cannot write the transcript: %s", error->message);
      self->keep_transcripts = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEP_TRANSCRIPTS]);
    }
}

/* Replayed history was written when it first happened, so it is skipped. */
void
_suda_client_write_transcript (SudaClient       *self,
                               SudaConversation *conv,
                               SudaMessage      *message,
                               const char       *event)
{
  g_autoptr(SudaLogEntry) entry = NULL;
  g_autofree char *plain = NULL;
  const char *text = suda_message_get_text (message);

  if (!self->keep_transcripts || suda_message_get_replayed (message) || event == NULL)
    return;
  /* The text reads as plain words; the codes are kept beside it. */
  plain = suda_format_strip (text, SUDA_FORMAT_PLAIN_DEFAULT);
  entry = suda_log_entry_new (suda_message_get_time (message), event,
                              suda_conversation_get_name (conv),
                              suda_message_get_sender (message), plain);
  if (suda_format_has_codes (text))
    suda_log_entry_set_field (entry, "formatted", text);
  if (suda_message_get_kind (message) == SUDA_MESSAGE_KIND_ACTION)
    suda_log_entry_set_bool_field (entry, "action", TRUE);
  append_transcript (self, conv, entry);
}

SudaMessage *
_suda_client_add_message (SudaClient       *self,
                          SudaConversation *conv,
                          SudaMessageKind   kind,
                          gint64            time,
                          const char       *sender,
                          const char       *text,
                          const char       *event)
{
  g_autoptr(SudaMessage) message = suda_message_new (kind, time ? time : g_get_real_time (),
                                                     sender, text);
  gboolean unread = conv != self->active || !self->window_active;

  suda_conversation_append (conv, message, unread);
  _suda_client_write_transcript (self, conv, message, event ? event : _suda_client_log_event_for (kind));
  return message;   /* the conversation keeps a reference */
}

void
suda_client_add_local (SudaClient       *self,
                       SudaConversation *conversation,
                       SudaMessageKind   kind,
                       const char       *text)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));
  _suda_client_add_message (self, conversation ? conversation : self->server, kind, 0, NULL, text, NULL);
}

SudaConversation *
_suda_client_current_or_server (SudaClient *self)
{
  return self->active ? self->active : self->server;
}

/* TEXT, the readable sentence, as a line for CONV; the event itself is
 * logged: the transcript keeps the raw parts (who, what reason), not the
 * sentence. */
SudaMessage *
_suda_client_new_event_line (SudaClient       *self,
                             SudaConversation *conv,
                             SudaIrcEvent     *event,
                             const char       *log_event,
                             const char       *text)
{
  SudaMessage *message = suda_message_new (SUDA_MESSAGE_KIND_EVENT, event->time, event->nick, text);
  g_autoptr(SudaLogEntry) entry = NULL;

  suda_message_set_replayed (message, event->replayed);
  if (event->replayed || !self->keep_transcripts)
    return message;

  entry = suda_log_entry_new (event->time, log_event, suda_conversation_get_name (conv),
                              event->nick, event->text);
  if (g_strcmp0 (log_event, "nick") == 0)
    suda_log_entry_set_field (entry, "new-nick", event->argument);
  else if (g_strcmp0 (log_event, "kick") == 0)
    suda_log_entry_set_field (entry, "target", event->argument);
  append_transcript (self, conv, entry);
  return message;
}

void
_suda_client_add_event_line (SudaClient       *self,
                             SudaConversation *conv,
                             SudaIrcEvent     *event,
                             const char       *log_event,
                             const char       *text)
{
  g_autoptr(SudaMessage) message = _suda_client_new_event_line (self, conv, event, log_event, text);

  suda_conversation_append (conv, message, conv != self->active || !self->window_active);
}

/* Each line of INPUT is a message or a command of its own: a paste of
 * several lines goes out as several messages. */
void
suda_client_submit (SudaClient       *self,
                    SudaConversation *conversation,
                    const char       *input)
{
  g_auto(GStrv) lines = NULL;

  g_return_if_fail (SUDA_IS_CLIENT (self));
  g_return_if_fail (input != NULL);

  if (conversation == NULL)
    conversation = _suda_client_current_or_server (self);
  lines = g_strsplit (input, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(SudaSlashCommand) cmd = NULL;
      char *line = lines[i];
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (*line == '\0')
        continue;
      cmd = suda_slash_command_parse (line);
      _suda_client_run_command (self, conversation, cmd);
    }
}

/* Connecting */

/* Rooms, people and what was said on another network mean nothing on
 * this one: two servers' histories and topics must not mix. */
static void
forget_network (SudaClient *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));

  g_clear_pointer (&self->network, g_free);
  suda_client_set_active_conversation (self, self->server);
  if (n > 1)
    g_list_store_splice (self->conversations, 1, n - 1, NULL, 0);
  suda_conversation_clear (self->server);
  suda_conversation_set_topic (self->server, NULL);
}

/* A network is told apart by its address (host and port) and, once the
 * server says it, by its ISUPPORT NETWORK name: another name at the same
 * address is another network.  The server's conversation is named after
 * the network when it has a name. */
void
_suda_client_on_network_changed (SudaConnection *connection,
                                 GParamSpec     *pspec,
                                 gpointer        user_data)
{
  SudaClient *self = user_data;
  const char *network = suda_connection_get_network (connection);

  if (network == NULL)
    return;
  if (self->network != NULL && g_strcmp0 (self->network, network) != 0)
    forget_network (self);
  g_free (self->network);
  self->network = g_strdup (network);
  suda_conversation_set_name (self->server, network);
}

void
suda_client_connect (SudaClient *self,
                     const char *host,
                     guint16     port,
                     const char *nick,
                     const char *password)
{
  gboolean same;

  g_return_if_fail (SUDA_IS_CLIENT (self));
  g_return_if_fail (host != NULL && *host != '\0');
  g_return_if_fail (nick != NULL && *nick != '\0');

  same = g_strcmp0 (host, suda_connection_get_host (self->connection)) == 0 &&
         port == suda_connection_get_port (self->connection);
  /* The connection ignores connect() while it is up: the session says
   * what that means instead of clearing rooms it goes on being in. */
  if (suda_connection_get_state (self->connection) != SUDA_CONNECTION_DISCONNECTED)
    {
      const char *current = suda_connection_get_nick (self->connection);

      if (same)
        {
          if (current != NULL && suda_irc_casecmp (nick, current) != 0)
            suda_connection_set_nick (self->connection, nick);
          return;
        }
      suda_client_disconnect (self);
    }
  if (!same)
    forget_network (self);   /* the transcript follows at its next line */
  suda_connection_set_server (self->connection, host, port);
  suda_connection_set_nick (self->connection, nick);
  suda_connection_set_password (self->connection, password);
  suda_conversation_set_name (self->server, self->network ? self->network : host);
  suda_connection_connect (self->connection);
}

static void
open_room (SudaClient *self,
           const char *room)
{
  SudaConversation *existing = suda_client_find_conversation (self, room);

  if (existing != NULL && suda_conversation_get_joined (existing))
    {
      _suda_client_emit_opened (self, existing);
      return;
    }
  g_free (self->open_on_join);
  self->open_on_join = suda_irc_casefold (room);
  suda_connection_send_command (self->connection, "JOIN", room, NULL);
}

/* What an irc:// address asks for (suda irc://HOST:PORT/#room --nick N),
 * also while connected: on that server already, the nickname changes to
 * NICK and ROOM opens (joined if need be); on another server, or none,
 * the session leaves the old one and connects there as NICK, joining ROOM.
 * NICK and ROOM may be NULL (the current nickname; no room). */
void
suda_client_open_address (SudaClient *self,
                          const char *host,
                          guint16     port,
                          const char *nick,
                          const char *room)
{
  SudaConnectionState state;

  g_return_if_fail (SUDA_IS_CLIENT (self));
  g_return_if_fail (host != NULL && *host != '\0');

  state = suda_connection_get_state (self->connection);
  if (nick == NULL || *nick == '\0')
    nick = suda_connection_get_nick (self->connection);
  g_return_if_fail (nick != NULL);
  if (state != SUDA_CONNECTION_DISCONNECTED &&
      g_strcmp0 (host, suda_connection_get_host (self->connection)) == 0 &&
      port == suda_connection_get_port (self->connection))
    {
      if (suda_irc_casecmp (nick, suda_connection_get_nick (self->connection)) != 0)
        suda_connection_set_nick (self->connection, nick);
      if (room == NULL)
        return;
      if (state == SUDA_CONNECTION_CONNECTED)
        open_room (self, room);
      else
        suda_client_set_autojoin (self, room);
      return;
    }
  if (state != SUDA_CONNECTION_DISCONNECTED)
    suda_client_disconnect (self);
  suda_client_set_autojoin (self, room);
  suda_client_connect (self, host, port, nick, NULL);
}

void
suda_client_disconnect (SudaClient *self)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));
  if (suda_connection_get_state (self->connection) == SUDA_CONNECTION_DISCONNECTED)
    return;
  suda_connection_disconnect (self->connection, NULL);
  suda_client_add_local (self, self->server, SUDA_MESSAGE_KIND_INFO, _("Disconnected."));
}

/* GObject */

static void
suda_client_dispose (GObject *object)
{
  SudaClient *self = SUDA_CLIENT (object);

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);
  g_clear_object (&self->transcript);
  g_clear_handle_id (&self->rooms_flush_id, g_source_remove);
  g_clear_object (&self->rooms);
  self->active = NULL;
  g_clear_object (&self->server);
  g_clear_object (&self->conversations);
  G_OBJECT_CLASS (suda_client_parent_class)->dispose (object);
}

static void
suda_client_finalize (GObject *object)
{
  SudaClient *self = SUDA_CLIENT (object);

  g_clear_pointer (&self->transcript_dir, g_free);
  g_clear_pointer (&self->transcript_host, g_free);
  g_clear_pointer (&self->autojoin, g_free);
  g_clear_pointer (&self->network, g_free);
  g_clear_pointer (&self->open_on_join, g_free);
  g_clear_pointer (&self->names_wanted, g_hash_table_unref);
  g_clear_pointer (&self->ignored, g_hash_table_unref);
  g_clear_pointer (&self->rooms_pending, g_ptr_array_unref);
  if (self->whois != NULL)
    g_string_free (g_steal_pointer (&self->whois), TRUE);
  if (self->room_list != NULL)
    g_string_free (g_steal_pointer (&self->room_list), TRUE);
  G_OBJECT_CLASS (suda_client_parent_class)->finalize (object);
}

static void
suda_client_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SudaClient *self = SUDA_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTION: g_value_set_object (value, self->connection); break;
    case PROP_CONVERSATIONS: g_value_set_object (value, self->conversations); break;
    case PROP_ACTIVE_CONVERSATION: g_value_set_object (value, self->active); break;
    case PROP_WINDOW_ACTIVE: g_value_set_boolean (value, self->window_active); break;
    case PROP_KEEP_TRANSCRIPTS: g_value_set_boolean (value, self->keep_transcripts); break;
    case PROP_TRANSCRIPT_DIR: g_value_set_string (value, self->transcript_dir); break;
    case PROP_LISTING_ROOMS: g_value_set_boolean (value, self->listing_rooms); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_client_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SudaClient *self = SUDA_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ACTIVE_CONVERSATION: suda_client_set_active_conversation (self, g_value_get_object (value)); break;
    case PROP_WINDOW_ACTIVE: suda_client_set_window_active (self, g_value_get_boolean (value)); break;
    case PROP_KEEP_TRANSCRIPTS: suda_client_set_keep_transcripts (self, g_value_get_boolean (value)); break;
    case PROP_TRANSCRIPT_DIR: suda_client_set_transcript_dir (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_client_class_init (SudaClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = suda_client_dispose;
  object_class->finalize = suda_client_finalize;
  object_class->get_property = suda_client_get_property;
  object_class->set_property = suda_client_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, SUDA_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONVERSATIONS] =
    g_param_spec_object ("conversations", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE_CONVERSATION] =
    g_param_spec_object ("active-conversation", NULL, NULL, SUDA_TYPE_CONVERSATION, rw);
  properties[PROP_WINDOW_ACTIVE] = g_param_spec_boolean ("window-active", NULL, NULL, FALSE, rw);
  properties[PROP_KEEP_TRANSCRIPTS] = g_param_spec_boolean ("keep-transcripts", NULL, NULL, FALSE, rw);
  properties[PROP_TRANSCRIPT_DIR] = g_param_spec_string ("transcript-dir", NULL, NULL, NULL, rw);
  properties[PROP_LISTING_ROOMS] =
    g_param_spec_boolean ("listing-rooms", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_ATTENTION] =
    g_signal_new ("attention", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SUDA_TYPE_CONVERSATION, SUDA_TYPE_MESSAGE);
  signals[SIGNAL_CONVERSATION_OPENED] =
    g_signal_new ("conversation-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SUDA_TYPE_CONVERSATION);
  signals[SIGNAL_MENTIONED_ELSEWHERE] =
    g_signal_new ("mentioned-elsewhere", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SUDA_TYPE_CONVERSATION, SUDA_TYPE_MESSAGE);
  signals[SIGNAL_BROWSE_ROOMS] =
    g_signal_new ("browse-rooms", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
suda_client_init (SudaClient *self)
{
  self->connection = suda_connection_new ();
  self->conversations = g_list_store_new (SUDA_TYPE_CONVERSATION);
  self->server = suda_conversation_new (SUDA_CONVERSATION_SERVER, _("Server"));
  self->names_wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ignored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rooms = g_list_store_new (SUDA_TYPE_LISTED_ROOM);
  self->rooms_pending = g_ptr_array_new_with_free_func (g_object_unref);
  g_list_store_append (self->conversations, self->server);
  self->active = self->server;
  g_signal_connect (self->connection, "event", G_CALLBACK (_suda_client_on_event), self);
  g_signal_connect (self->connection, "error", G_CALLBACK (_suda_client_on_error), self);
  g_signal_connect (self->connection, "notify::state", G_CALLBACK (_suda_client_on_state_changed), self);
  g_signal_connect (self->connection, "notify::network", G_CALLBACK (_suda_client_on_network_changed), self);
}

SudaClient *
suda_client_new (void)
{
  return g_object_new (SUDA_TYPE_CLIENT, NULL);
}

SudaConnection *
suda_client_get_connection (SudaClient *self)
{
  g_return_val_if_fail (SUDA_IS_CLIENT (self), NULL);
  return self->connection;
}

GListModel *
suda_client_get_conversations (SudaClient *self)
{
  g_return_val_if_fail (SUDA_IS_CLIENT (self), NULL);
  return G_LIST_MODEL (self->conversations);
}

SudaConversation *
suda_client_get_server_conversation (SudaClient *self)
{
  g_return_val_if_fail (SUDA_IS_CLIENT (self), NULL);
  return self->server;
}

SudaConversation *
suda_client_get_active_conversation (SudaClient *self)
{
  g_return_val_if_fail (SUDA_IS_CLIENT (self), NULL);
  return self->active;
}

void
suda_client_set_active_conversation (SudaClient       *self,
                                     SudaConversation *conversation)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));
  if (conversation == NULL)
    conversation = self->server;
  if (self->active == conversation)
    return;
  self->active = conversation;
  if (self->window_active)
    suda_conversation_mark_read (conversation);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_CONVERSATION]);
}

void
suda_client_set_window_active (SudaClient *self,
                               gboolean    active)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));
  active = !!active;
  if (self->window_active == active)
    return;
  self->window_active = active;
  if (active && self->active != NULL)
    suda_conversation_mark_read (self->active);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_ACTIVE]);
}

void
suda_client_set_keep_transcripts (SudaClient *self,
                                  gboolean    keep)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));
  keep = !!keep;
  if (self->keep_transcripts == keep)
    return;
  self->keep_transcripts = keep;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEP_TRANSCRIPTS]);
}

void
suda_client_set_transcript_dir (SudaClient *self,
                                const char *dir)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));
  if (g_strcmp0 (self->transcript_dir, dir) == 0)
    return;
  g_free (self->transcript_dir);
  self->transcript_dir = g_strdup (dir);
  g_clear_object (&self->transcript);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSCRIPT_DIR]);
}

/* The room to join after connecting, unless rooms are already remembered. */
void
suda_client_set_autojoin (SudaClient *self,
                          const char *room)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));
  g_free (self->autojoin);
  self->autojoin = room && *room ? g_strdup (room) : NULL;
}
