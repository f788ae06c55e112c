/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-client.h"
#include "suda-format.h"
#include "suda-irc-message.h"
#include "suda-limits.h"
#include "suda-log-entry.h"
#include "suda-slash-command.h"
#include "suda-transcript.h"

/* The Suda server's service user (DESIGN.md, "The service user"); other
 * IRC servers do not have it, and then /search and /schedule say so. */
#define SERVICE_NICK "suda"

struct _SudaClient
{
  GObject           parent_instance;

  SudaConnection   *connection;
  GListStore       *conversations;
  SudaConversation *server;
  SudaConversation *active;          /* weak: owned by the list */
  gboolean          window_active;
  gboolean          keep_transcripts;
  char             *transcript_dir;
  SudaTranscript   *transcript;
  char             *autojoin;
  GHashTable       *names_wanted;    /* rooms whose NAMES reply /users prints */
  char             *open_on_join;    /* casefolded room the person asked to join */
};

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_CONVERSATIONS,
  PROP_ACTIVE_CONVERSATION,
  PROP_WINDOW_ACTIVE,
  PROP_KEEP_TRANSCRIPTS,
  PROP_TRANSCRIPT_DIR,
  N_PROPS
};

enum {
  SIGNAL_ATTENTION,
  SIGNAL_CONVERSATION_OPENED,
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
static SudaConversation *
ensure_conversation (SudaClient           *self,
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

static const char *
log_event_for (SudaMessageKind kind)
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
  if (self->transcript == NULL)
    {
      const char *host = suda_connection_get_host (self->connection);

      if (host == NULL)
        return;
      self->transcript = suda_transcript_new (self->transcript_dir, host);
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
static void
write_transcript (SudaClient       *self,
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

static SudaMessage *
add_message (SudaClient       *self,
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
  write_transcript (self, conv, message, event ? event : log_event_for (kind));
  return message;   /* the conversation keeps a reference */
}

void
suda_client_add_local (SudaClient       *self,
                       SudaConversation *conversation,
                       SudaMessageKind   kind,
                       const char       *text)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));
  add_message (self, conversation ? conversation : self->server, kind, 0, NULL, text, NULL);
}

static SudaConversation *
current_or_server (SudaClient *self)
{
  return self->active ? self->active : self->server;
}

/* Shows TEXT, the readable sentence, and logs the event itself: the
 * transcript keeps the raw parts (who, what reason), not the sentence. */
static void
add_event_line (SudaClient       *self,
                SudaConversation *conv,
                SudaIrcEvent     *event,
                const char       *log_event,
                const char       *text)
{
  g_autoptr(SudaMessage) message = suda_message_new (SUDA_MESSAGE_KIND_EVENT, event->time, event->nick, text);
  g_autoptr(SudaLogEntry) entry = NULL;

  suda_message_set_replayed (message, event->replayed);
  suda_conversation_append (conv, message, conv != self->active || !self->window_active);
  if (event->replayed || !self->keep_transcripts)
    return;

  entry = suda_log_entry_new (event->time, log_event, suda_conversation_get_name (conv),
                              event->nick, event->text);
  if (g_strcmp0 (log_event, "nick") == 0)
    suda_log_entry_set_field (entry, "new-nick", event->argument);
  else if (g_strcmp0 (log_event, "kick") == 0)
    suda_log_entry_set_field (entry, "target", event->argument);
  append_transcript (self, conv, entry);
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

  if (suda_irc_is_channel (event->target))
    {
      if ((conv = ensure_conversation (self, SUDA_CONVERSATION_ROOM, event->target)) == NULL)
        return;
    }
  else if (event->own)
    conv = ensure_conversation (self, SUDA_CONVERSATION_PRIVATE, event->target);
  else if (event->nick == NULL || strchr (event->nick, '.') != NULL ||
           (kind == SUDA_MESSAGE_KIND_NOTICE && suda_connection_get_state (self->connection) != SUDA_CONNECTION_CONNECTED))
    conv = self->server;   /* the server itself, or notices during registration */
  else if (kind == SUDA_MESSAGE_KIND_NOTICE && !suda_client_find_conversation (self, event->nick))
    conv = current_or_server (self);   /* e.g. the service user answering us */
  else
    {
      conv = ensure_conversation (self, SUDA_CONVERSATION_PRIVATE, event->nick);
      private = kind != SUDA_MESSAGE_KIND_NOTICE;
    }
  if (conv == NULL)
    conv = self->server;   /* past the limit of private conversations */

  mention = !event->own && suda_text_mentions (event->text, own_nick);
  message = suda_message_new (kind, event->time, event->nick, event->text);
  suda_message_set_own (message, event->own);
  suda_message_set_mention (message, mention);
  suda_message_set_replayed (message, event->replayed);
  suda_conversation_append (conv, message, conv != self->active || !self->window_active);
  /* A private conversation is a whisper in the log format of DESIGN.md. */
  write_transcript (self, conv, message,
                    suda_conversation_get_kind (conv) == SUDA_CONVERSATION_PRIVATE &&
                    kind == SUDA_MESSAGE_KIND_MESSAGE ? "whisper" : log_event_for (kind));

  if ((mention || private) && !event->own && !event->replayed && !self->window_active)
    g_signal_emit (self, signals[SIGNAL_ATTENTION], 0, conv, message);
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
  add_event_line (self, conv, event, "quit", text);
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
  add_event_line (self, conv, event, "nick", text);
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
      add_event_line (self, self->server, event, "mode", text);
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
  add_event_line (self, conv, event, "mode", text);
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
    case SUDA_IRC_EVENT_OTHER:
    default:
      return TRUE;
    }
}

static void
on_event (SudaConnection *connection,
          SudaIrcEvent   *event,
          gpointer        user_data)
{
  SudaClient *self = user_data;
  SudaConversation *conv;
  g_autofree char *text = NULL;

  if (!has_parts (event))
    {
      g_debug ("ignoring a %s event with parts missing", event->command);
      return;
    }
  switch (event->kind)
    {
    case SUDA_IRC_EVENT_REGISTERED:
      text = g_strdup_printf (_("Connected to %s as %s"),
                              suda_connection_get_host (connection), event->target);
      suda_client_add_local (self, self->server, SUDA_MESSAGE_KIND_INFO, text);
      if (self->autojoin != NULL && suda_connection_get_channels (connection)[0] == NULL)
        suda_connection_send_command (connection, "JOIN", self->autojoin, NULL);
      break;

    case SUDA_IRC_EVENT_MESSAGE:
    case SUDA_IRC_EVENT_ACTION:
    case SUDA_IRC_EVENT_NOTICE:
      handle_text_event (self, event);
      break;

    case SUDA_IRC_EVENT_JOIN:
      {
        gboolean is_new = suda_client_find_conversation (self, event->target) == NULL;
        g_autofree char *folded = suda_irc_casefold (event->target);

        conv = ensure_conversation (self, SUDA_CONVERSATION_ROOM, event->target);
        if (conv == NULL)
          break;
        /* Rejoining after a reconnection must not pull the view away. */
        if (event->own && (is_new || g_strcmp0 (folded, self->open_on_join) == 0))
          {
            g_clear_pointer (&self->open_on_join, g_free);
            g_signal_emit (self, signals[SIGNAL_CONVERSATION_OPENED], 0, conv);
          }
      }
      if (event->own)
        {
          suda_conversation_clear_members (conv);
          suda_conversation_set_joined (conv, TRUE);
          text = g_strdup_printf (_("You joined %s"), event->target);
        }
      else
        {
          suda_conversation_add_member (conv, event->nick, NULL);
          text = g_strdup_printf (_("%s joined"), event->nick);
        }
      add_event_line (self, conv, event, "join", text);
      break;

    case SUDA_IRC_EVENT_PART:
      if ((conv = suda_client_find_conversation (self, event->target)) == NULL)
        break;
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
      add_event_line (self, conv, event, "part", text);
      break;

    case SUDA_IRC_EVENT_QUIT:
      foreach_room_with (self, event->nick, quit_in, event);
      break;

    case SUDA_IRC_EVENT_NICK:
      if (event->own)
        {
          /* Every conversation hears about our own change. */
          guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));

          for (guint i = 0; i < n; i++)
            {
              g_autoptr(SudaConversation) c = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

              if (suda_conversation_get_kind (c) != SUDA_CONVERSATION_PRIVATE)
                nick_in (self, c, event);
            }
        }
      else
        foreach_room_with (self, event->nick, nick_in, event);
      break;

    case SUDA_IRC_EVENT_KICK:
      if ((conv = suda_client_find_conversation (self, event->target)) == NULL)
        break;
      if (g_strcmp0 (event->argument, suda_connection_get_nick (connection)) == 0)
        {
          suda_conversation_set_joined (conv, FALSE);
          suda_conversation_clear_members (conv);
          text = event->text && *event->text
            ? g_strdup_printf (_("%s removed you from %s (%s)"), event->nick, event->target, event->text)
            : g_strdup_printf (_("%s removed you from %s"), event->nick, event->target);
        }
      else
        {
          suda_conversation_remove_member (conv, event->argument);
          text = event->text && *event->text
            ? g_strdup_printf (_("%s removed %s (%s)"), event->nick, event->argument, event->text)
            : g_strdup_printf (_("%s removed %s"), event->nick, event->argument);
        }
      add_event_line (self, conv, event, "kick", text);
      break;

    case SUDA_IRC_EVENT_TOPIC:
      if ((conv = ensure_conversation (self, SUDA_CONVERSATION_ROOM, event->target)) == NULL)
        break;
      suda_conversation_set_topic (conv, event->text);
      if (event->nick != NULL)
        text = g_strdup_printf (_("%s changed the topic to: %s"), event->nick, event->text);
      else
        text = g_strdup_printf (_("Topic: %s"), event->text);
      add_event_line (self, conv, event, "topic", text);
      break;

    case SUDA_IRC_EVENT_MODE:
      handle_mode (self, event);
      break;

    case SUDA_IRC_EVENT_NAMES:
      handle_names (self, event);
      break;

    case SUDA_IRC_EVENT_END_OF_NAMES:
      handle_end_of_names (self, event);
      break;

    case SUDA_IRC_EVENT_INFO:
      if (event->text != NULL && *event->text != '\0')
        add_message (self, self->server, SUDA_MESSAGE_KIND_INFO, event->time, NULL,
                     event->text, NULL);
      break;

    case SUDA_IRC_EVENT_ERROR:
      add_message (self, current_or_server (self), SUDA_MESSAGE_KIND_ERROR, event->time, NULL,
                   event->text, NULL);
      break;

    case SUDA_IRC_EVENT_OTHER:
    default:
      break;
    }
}

static void
on_error (SudaConnection *connection,
          const GError   *error,
          gpointer        user_data)
{
  SudaClient *self = user_data;

  suda_client_add_local (self, current_or_server (self), SUDA_MESSAGE_KIND_ERROR, error->message);
  if (self->active != self->server)
    suda_client_add_local (self, self->server, SUDA_MESSAGE_KIND_ERROR, error->message);
}

static void
on_state_changed (SudaConnection *connection,
                  GParamSpec     *pspec,
                  gpointer        user_data)
{
  SudaClient *self = user_data;
  SudaConnectionState state = suda_connection_get_state (connection);
  guint n;

  if (state != SUDA_CONNECTION_DISCONNECTED && state != SUDA_CONNECTION_RECONNECTING)
    return;
  /* Nobody is in a room we are not in; NAMES fills them in again later. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

      suda_conversation_clear_members (conv);
      suda_conversation_set_joined (conv, FALSE);
    }
}

/* Slash commands */

static gboolean
require_connection (SudaClient       *self,
                    SudaConversation *conv)
{
  if (suda_connection_is_connected (self->connection))
    return TRUE;
  suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR,
                         _("You are not connected. Connect to a server first."));
  return FALSE;
}

static gboolean
require_room (SudaClient       *self,
              SudaConversation *conv,
              SudaSlashKind     kind)
{
  g_autofree char *text = NULL;

  if (suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM)
    return TRUE;
  text = g_strdup_printf (_("Use %s in a room."), suda_slash_command_get_usage (kind));
  suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
  return FALSE;
}

/* The service user is there when it sits in the room, or, outside rooms,
 * in any room we are in. */
gboolean
suda_client_has_service (SudaClient       *self,
                         SudaConversation *conversation)
{
  guint n;

  g_return_val_if_fail (SUDA_IS_CLIENT (self), FALSE);
  if (conversation != NULL && suda_conversation_get_kind (conversation) == SUDA_CONVERSATION_ROOM)
    return suda_conversation_find_member (conversation, SERVICE_NICK) != NULL;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

      if (suda_conversation_find_member (conv, SERVICE_NICK) != NULL)
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
  suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
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
      suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR,
                             _("This is the server’s conversation. Join a room with /join #ROOM, or whisper someone with /whisper NICKNAME TEXT."));
      return;
    }
  if (!require_connection (self, conv))
    return;
  if (suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM &&
      !suda_conversation_get_joined (conv))
    {
      suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR,
                             _("You are not in this room. Use /join to enter it again."));
      return;
    }
  suda_connection_send_message (self->connection, suda_conversation_get_name (conv), text);
}

static void
run_command (SudaClient       *self,
             SudaConversation *conv,
             SudaSlashCommand *cmd)
{
  const char *room = suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM
                     ? suda_conversation_get_name (conv) : NULL;
  g_autofree char *text = NULL;

  switch (cmd->kind)
    {
    case SUDA_SLASH_TEXT:
      send_text_to (self, conv, cmd->text);
      break;

    case SUDA_SLASH_UNKNOWN:
      text = g_strdup_printf (_("There is no command /%s. Type /help to see the commands."), cmd->name);
      suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
      break;

    case SUDA_SLASH_MISUSE:
      text = g_strdup_printf (_("Usage: %s"), suda_slash_command_get_usage (cmd->command));
      suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_ERROR, text);
      break;

    case SUDA_SLASH_HELP:
      if (cmd->args[0] != NULL)
        {
          g_autoptr(SudaSlashCommand) asked = NULL;
          g_autofree char *as_command = g_strconcat ("/", cmd->args[0][0] == '/' ? cmd->args[0] + 1 : cmd->args[0], NULL);

          asked = suda_slash_command_parse (as_command);
          if (asked->command != SUDA_SLASH_TEXT && asked->kind != SUDA_SLASH_UNKNOWN)
            {
              SudaSlashKind kind = asked->kind == SUDA_SLASH_MISUSE ? asked->command : asked->kind;

              text = g_strdup_printf ("%s — %s", suda_slash_command_get_usage (kind),
                                      suda_slash_command_get_summary (kind));
              suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_INFO, text);
              break;
            }
        }
      text = suda_slash_command_dup_help ();
      suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_INFO, text);
      break;

    case SUDA_SLASH_NICK:
      if (suda_connection_is_connected (self->connection))
        suda_connection_set_nick (self->connection, cmd->args[0]);
      else
        {
          suda_connection_set_nick (self->connection, cmd->args[0]);
          text = g_strdup_printf (_("You will be %s when you connect."), cmd->args[0]);
          suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_INFO, text);
        }
      break;

    case SUDA_SLASH_USERS:
      {
        const char *which = cmd->args[0] ? cmd->args[0] : room;

        if (which == NULL)
          {
            require_room (self, conv, cmd->kind);
            break;
          }
        if (!require_connection (self, conv))
          break;
        /* The answer goes where the question was asked. */
        g_hash_table_insert (self->names_wanted, suda_irc_casefold (which),
                             g_strdup (suda_conversation_get_name (conv)));
        suda_connection_send_command (self->connection, "NAMES", which, NULL);
      }
      break;

    case SUDA_SLASH_WHISPER:
      {
        SudaConversation *private;

        if (!require_connection (self, conv))
          break;
        private = ensure_conversation (self, SUDA_CONVERSATION_PRIVATE, cmd->args[0]);
        suda_connection_send_message (self->connection, cmd->args[0], cmd->args[1]);
        g_signal_emit (self, signals[SIGNAL_CONVERSATION_OPENED], 0, private);
      }
      break;

    case SUDA_SLASH_KICK:
      if (!require_room (self, conv, cmd->kind) || !require_connection (self, conv))
        break;
      suda_connection_send_command (self->connection, "KICK", room, cmd->args[0],
                                    cmd->args[1], NULL);
      break;

    case SUDA_SLASH_SCHEDULE:
      if (!require_room (self, conv, cmd->kind) || !require_connection (self, conv) ||
          !require_service (self, conv, "/schedule"))
        break;
      text = g_strdup_printf ("!schedule %s %s", cmd->args[0], cmd->args[1]);
      suda_connection_send_message (self->connection, room, text);
      break;

    case SUDA_SLASH_SEARCH:
      if (!require_connection (self, conv) || !require_service (self, conv, "/search"))
        break;
      if (room != NULL)
        {
          text = g_strdup_printf ("!search %s", cmd->args[0]);
          suda_connection_send_message (self->connection, room, text);
        }
      else
        {
          /* Outside a room the answer comes back privately. */
          text = g_strdup_printf ("search %s", cmd->args[0]);
          suda_connection_send_message (self->connection, SERVICE_NICK, text);
        }
      break;

    case SUDA_SLASH_ME:
      if (conv == self->server)
        {
          require_room (self, conv, cmd->kind);
          break;
        }
      if (require_connection (self, conv))
        suda_connection_send_action (self->connection, suda_conversation_get_name (conv), cmd->args[0]);
      break;

    case SUDA_SLASH_TOPIC:
      if (!require_room (self, conv, cmd->kind) || !require_connection (self, conv))
        break;
      if (cmd->args[0] == NULL)
        {
          const char *topic = suda_conversation_get_topic (conv);

          text = topic && *topic ? g_strdup_printf (_("Topic: %s"), topic)
                                 : g_strdup (_("This room has no topic."));
          suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_INFO, text);
        }
      else
        suda_connection_send_command (self->connection, "TOPIC", room, cmd->args[0], NULL);
      break;

    case SUDA_SLASH_JOIN:
      {
        SudaConversation *existing = suda_client_find_conversation (self, cmd->args[0]);

        if (existing != NULL && suda_conversation_get_joined (existing))
          {
            g_signal_emit (self, signals[SIGNAL_CONVERSATION_OPENED], 0, existing);
            break;
          }
        if (!require_connection (self, conv))
          break;
        g_free (self->open_on_join);
        self->open_on_join = suda_irc_casefold (cmd->args[0]);
        suda_connection_send_command (self->connection, "JOIN", cmd->args[0], NULL);
      }
      break;

    case SUDA_SLASH_PART:
      {
        const char *which = cmd->args[0] ? cmd->args[0] : room;

        if (which == NULL)
          {
            /* /part in a private conversation just closes it. */
            suda_client_close_conversation (self, conv);
            break;
          }
        if (require_connection (self, conv))
          suda_connection_send_command (self->connection, "PART", which, cmd->args[1], NULL);
      }
      break;

    case SUDA_SLASH_QUIT:
      if (suda_connection_get_state (self->connection) == SUDA_CONNECTION_DISCONNECTED)
        {
          suda_client_add_local (self, conv, SUDA_MESSAGE_KIND_INFO, _("You are not connected."));
          break;
        }
      suda_connection_disconnect (self->connection, cmd->args[0]);
      suda_client_add_local (self, self->server, SUDA_MESSAGE_KIND_INFO, _("Disconnected."));
      break;

    default:
      g_assert_not_reached ();
    }
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
    conversation = current_or_server (self);
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
      run_command (self, conversation, cmd);
    }
}

/* Connecting */

void
suda_client_connect (SudaClient *self,
                     const char *host,
                     guint16     port,
                     const char *nick,
                     const char *password)
{
  g_return_if_fail (SUDA_IS_CLIENT (self));
  g_return_if_fail (host != NULL && *host != '\0');
  g_return_if_fail (nick != NULL && *nick != '\0');

  if (g_strcmp0 (host, suda_connection_get_host (self->connection)) != 0)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));

      /* Rooms and people of another server mean nothing on this one. */
      g_clear_object (&self->transcript);
      suda_client_set_active_conversation (self, self->server);
      if (n > 1)
        g_list_store_splice (self->conversations, 1, n - 1, NULL, 0);
    }
  suda_connection_set_server (self->connection, host, port);
  suda_connection_set_nick (self->connection, nick);
  suda_connection_set_password (self->connection, password);
  suda_conversation_set_name (self->server, host);
  suda_connection_connect (self->connection);
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
  g_clear_pointer (&self->autojoin, g_free);
  g_clear_pointer (&self->open_on_join, g_free);
  g_clear_pointer (&self->names_wanted, g_hash_table_unref);
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
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_ATTENTION] =
    g_signal_new ("attention", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SUDA_TYPE_CONVERSATION, SUDA_TYPE_MESSAGE);
  signals[SIGNAL_CONVERSATION_OPENED] =
    g_signal_new ("conversation-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SUDA_TYPE_CONVERSATION);
}

static void
suda_client_init (SudaClient *self)
{
  self->connection = suda_connection_new ();
  self->conversations = g_list_store_new (SUDA_TYPE_CONVERSATION);
  self->server = suda_conversation_new (SUDA_CONVERSATION_SERVER, _("Server"));
  self->names_wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_list_store_append (self->conversations, self->server);
  self->active = self->server;
  g_signal_connect (self->connection, "event", G_CALLBACK (on_event), self);
  g_signal_connect (self->connection, "error", G_CALLBACK (on_error), self);
  g_signal_connect (self->connection, "notify::state", G_CALLBACK (on_state_changed), self);
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
