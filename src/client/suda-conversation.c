/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-conversation.h"
#include "suda-irc-message.h"
#include "suda-limits.h"

struct _SudaConversation
{
  GObject               parent_instance;

  SudaConversationKind  kind;
  char                 *name;
  char                 *topic;
  GPtrArray            *items;          /* SudaMessage, separators included */
  guint                 n_messages;     /* separators excluded */
  guint                 max_messages;   /* the oldest go past this */
  guint                 unread_count;
  gboolean              mention;
  gboolean              joined;

  /* Reading: where the person is, and the older history being loaded */
  SudaMessage          *marker;         /* the "New messages" item, borrowed from items */
  SudaMessage          *held;           /* our own join line, waiting for the join's replay */
  SudaMessage          *join_line;      /* borrowed from items: our join line, while only
                                         * replayed lines have come after it */
  SudaMessage          *first_unread;   /* since the person last came, borrowed */
  gint64                read_time;      /* read up to here (draft/read-marker), 0: unknown */
  gboolean              loading_older;
  gboolean              at_start;       /* the server has nothing older */
  char                 *older_batch;    /* the chathistory batch bringing it */
  GPtrArray            *older;          /* its lines so far, oldest first */

  /* The local day of the last message, so that a separator is only worked
   * out when the day changes rather than once per message. */
  gint64                day_start;
  gint64                day_end;

  GListStore           *members;
  GHashTable           *member_index;   /* nick (casefolded compare) → SudaMember, borrowed */
  GPtrArray            *pending_names;  /* SudaMember from 353 until 366 */

  GHashTable           *seen;           /* keys of messages shown, to drop replays */
  GQueue                seen_order;     /* the same keys, oldest first, to forget them */
};

enum {
  PROP_0,
  PROP_KIND,
  PROP_NAME,
  PROP_TOPIC,
  PROP_JOINED,
  PROP_UNREAD_COUNT,
  PROP_MENTION,
  PROP_N_MESSAGES,
  PROP_LOADING_OLDER,
  PROP_AT_START,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (SudaConversationKind, suda_conversation_kind,
  G_DEFINE_ENUM_VALUE (SUDA_CONVERSATION_SERVER, "server"),
  G_DEFINE_ENUM_VALUE (SUDA_CONVERSATION_ROOM, "room"),
  G_DEFINE_ENUM_VALUE (SUDA_CONVERSATION_PRIVATE, "private"))

static GType
suda_conversation_get_item_type (GListModel *model)
{
  return SUDA_TYPE_MESSAGE;
}

static guint
suda_conversation_get_n_items (GListModel *model)
{
  return SUDA_CONVERSATION (model)->items->len;
}

static gpointer
suda_conversation_get_item (GListModel *model,
                            guint       position)
{
  SudaConversation *self = SUDA_CONVERSATION (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = suda_conversation_get_item_type;
  iface->get_n_items = suda_conversation_get_n_items;
  iface->get_item = suda_conversation_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (SudaConversation, suda_conversation, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
suda_conversation_dispose (GObject *object)
{
  SudaConversation *self = SUDA_CONVERSATION (object);

  g_clear_object (&self->members);
  g_clear_pointer (&self->member_index, g_hash_table_unref);
  g_clear_pointer (&self->pending_names, g_ptr_array_unref);
  G_OBJECT_CLASS (suda_conversation_parent_class)->dispose (object);
}

static void
suda_conversation_finalize (GObject *object)
{
  SudaConversation *self = SUDA_CONVERSATION (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->older, g_ptr_array_unref);
  g_clear_pointer (&self->older_batch, g_free);
  g_clear_object (&self->held);
  g_queue_clear (&self->seen_order);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->topic, g_free);
  G_OBJECT_CLASS (suda_conversation_parent_class)->finalize (object);
}

static void
suda_conversation_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SudaConversation *self = SUDA_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_KIND: g_value_set_enum (value, self->kind); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_TOPIC: g_value_set_string (value, self->topic); break;
    case PROP_JOINED: g_value_set_boolean (value, self->joined); break;
    case PROP_UNREAD_COUNT: g_value_set_uint (value, self->unread_count); break;
    case PROP_MENTION: g_value_set_boolean (value, self->mention); break;
    case PROP_N_MESSAGES: g_value_set_uint (value, self->n_messages); break;
    case PROP_LOADING_OLDER: g_value_set_boolean (value, self->loading_older); break;
    case PROP_AT_START: g_value_set_boolean (value, self->at_start); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_conversation_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SudaConversation *self = SUDA_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_KIND: self->kind = g_value_get_enum (value); break;
    case PROP_NAME: suda_conversation_set_name (self, g_value_get_string (value)); break;
    case PROP_TOPIC: suda_conversation_set_topic (self, g_value_get_string (value)); break;
    case PROP_JOINED: suda_conversation_set_joined (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_conversation_class_init (SudaConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = suda_conversation_dispose;
  object_class->finalize = suda_conversation_finalize;
  object_class->get_property = suda_conversation_get_property;
  object_class->set_property = suda_conversation_set_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, SUDA_TYPE_CONVERSATION_KIND, SUDA_CONVERSATION_ROOM,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_TOPIC] = g_param_spec_string ("topic", NULL, NULL, NULL, rw);
  properties[PROP_JOINED] = g_param_spec_boolean ("joined", NULL, NULL, FALSE, rw);
  properties[PROP_UNREAD_COUNT] = g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_MENTION] = g_param_spec_boolean ("mention", NULL, NULL, FALSE, ro);
  properties[PROP_N_MESSAGES] = g_param_spec_uint ("n-messages", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LOADING_OLDER] = g_param_spec_boolean ("loading-older", NULL, NULL, FALSE, ro);
  properties[PROP_AT_START] = g_param_spec_boolean ("at-start", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_conversation_init (SudaConversation *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->older = g_ptr_array_new_with_free_func (g_object_unref);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->seen_order);
  self->members = g_list_store_new (SUDA_TYPE_MEMBER);
  self->member_index = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                              g_free, NULL);
  self->max_messages = SUDA_CLIENT_MAX_HISTORY;
  self->day_start = G_MAXINT64;
  self->day_end = G_MININT64;
}

/* Every conversation has a name: the list, the title and the transcript
 * are keyed by it. */
SudaConversation *
suda_conversation_new (SudaConversationKind  kind,
                       const char           *name)
{
  g_return_val_if_fail (name != NULL && *name != '\0', NULL);
  return g_object_new (SUDA_TYPE_CONVERSATION, "kind", kind, "name", name, NULL);
}

SudaConversationKind
suda_conversation_get_kind (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), 0);
  return self->kind;
}

const char *
suda_conversation_get_name (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), NULL);
  return self->name;
}

void
suda_conversation_set_name (SudaConversation *self,
                            const char       *name)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  g_return_if_fail (name != NULL && *name != '\0');
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
suda_conversation_get_topic (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), NULL);
  return self->topic;
}

void
suda_conversation_set_topic (SudaConversation *self,
                             const char       *topic)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  if (g_strcmp0 (self->topic, topic) == 0)
    return;
  g_free (self->topic);
  self->topic = g_strdup (topic);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOPIC]);
}

gboolean
suda_conversation_get_joined (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), FALSE);
  return self->joined;
}

void
suda_conversation_set_joined (SudaConversation *self,
                              gboolean          joined)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  joined = !!joined;
  if (self->joined == joined)
    return;
  self->joined = joined;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOINED]);
}

guint
suda_conversation_get_unread_count (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), 0);
  return self->unread_count;
}

gboolean
suda_conversation_get_mention (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), FALSE);
  return self->mention;
}

/* Someone else's words: what an unread count counts. */
static gboolean
is_countable (SudaMessage *message)
{
  switch (suda_message_get_kind (message))
    {
    case SUDA_MESSAGE_KIND_MESSAGE:
    case SUDA_MESSAGE_KIND_ACTION:
    case SUDA_MESSAGE_KIND_NOTICE:
      return !suda_message_get_own (message);
    default:
      return FALSE;
    }
}

/* What people say, their own included. */
static gboolean
is_words (SudaMessage *message)
{
  SudaMessageKind kind = suda_message_get_kind (message);

  return kind == SUDA_MESSAGE_KIND_MESSAGE || kind == SUDA_MESSAGE_KIND_ACTION ||
         kind == SUDA_MESSAGE_KIND_NOTICE;
}

/* Lines with the server's time on them, unlike the client's own notes. */
static gboolean
is_server_line (SudaMessage *message)
{
  SudaMessageKind kind = suda_message_get_kind (message);

  return kind == SUDA_MESSAGE_KIND_MESSAGE || kind == SUDA_MESSAGE_KIND_ACTION ||
         kind == SUDA_MESSAGE_KIND_NOTICE || kind == SUDA_MESSAGE_KIND_EVENT;
}

static gint
find_item (SudaConversation *self,
           SudaMessage      *item)
{
  guint pos;

  if (item == NULL || !g_ptr_array_find (self->items, item, &pos))
    return -1;
  return pos;
}

/* Takes the "New messages" line out, and puts one above the first line the
 * person has not seen yet, if there is one. */
static void
move_marker (SudaConversation *self)
{
  gint pos = find_item (self, self->marker);

  if (pos >= 0)
    {
      self->marker = NULL;
      g_ptr_array_remove_index (self->items, pos);
      g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
    }
  pos = find_item (self, self->first_unread);
  self->first_unread = NULL;
  if (pos < 0)
    return;
  /* Right under its day's separator, the marker would split the day
   * from its first line: it goes above the separator then. */
  if (pos > 0 && suda_message_get_kind (g_ptr_array_index (self->items, pos - 1)) == SUDA_MESSAGE_KIND_DATE_SEPARATOR)
    pos--;
  self->marker = suda_message_new (SUDA_MESSAGE_KIND_UNREAD_MARKER,
                                   suda_message_get_time (g_ptr_array_index (self->items, pos)),
                                   NULL, NULL);
  g_ptr_array_insert (self->items, pos, self->marker);
  g_list_model_items_changed (G_LIST_MODEL (self), pos, 0, 1);
}

/* The person comes to the conversation (it is shown in an active window):
 * nothing is unread any more, and the marker moves above what arrived
 * since the last time, or goes when nothing did.  While the person stays,
 * the marker stays. */
void
suda_conversation_mark_read (SudaConversation *self)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  move_marker (self);
  if (self->unread_count != 0)
    {
      self->unread_count = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
    }
  if (self->mention)
    {
      self->mention = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MENTION]);
    }
}

/* The position of the "New messages" line in the list, or -1. */
gint
suda_conversation_get_marker_position (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), -1);
  return find_item (self, self->marker);
}

gint64
suda_conversation_get_read_time (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), 0);
  return self->read_time;
}

static void
set_unread (SudaConversation *self,
            guint             count,
            gboolean          mention)
{
  if (self->unread_count != count)
    {
      self->unread_count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
    }
  if (self->mention != mention)
    {
      self->mention = mention;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MENTION]);
    }
}

/* The person has read up to TIME (a MARKREAD from the server: this
 * client's or another one's of the same person).  What is older is
 * no longer unread; the marker line stays where it is until the person
 * comes back.  Read positions only move forward: FALSE when TIME is not
 * past the one known. */
gboolean
suda_conversation_set_read_time (SudaConversation *self,
                                 gint64            time)
{
  gint pos;
  guint count = 0;
  gboolean mention = FALSE;

  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), FALSE);
  if (time <= self->read_time)
    return FALSE;
  self->read_time = time;
  pos = find_item (self, self->first_unread);
  self->first_unread = NULL;
  for (guint i = MAX (pos, 0); pos >= 0 && i < self->items->len; i++)
    {
      SudaMessage *item = g_ptr_array_index (self->items, i);

      if (!is_countable (item) || suda_message_get_time (item) <= time)
        continue;
      if (self->first_unread == NULL)
        self->first_unread = item;
      count++;
      mention |= suda_message_get_mention (item);
    }
  set_unread (self, count, mention && self->mention);
  return TRUE;
}

/* The server time of the newest line from the server (messages and
 * events, not the client's own notes): what a MARKREAD says was read. */
gint64
suda_conversation_get_newest_time (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), 0);
  for (guint i = self->items->len; i > 0; i--)
    {
      SudaMessage *item = g_ptr_array_index (self->items, i - 1);

      if (is_server_line (item))
        return suda_message_get_time (item);
    }
  return 0;
}

guint
suda_conversation_get_n_messages (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), 0);
  return self->n_messages;
}

guint
suda_conversation_get_max_messages (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), 0);
  return self->max_messages;
}

/* How many messages stay in memory (SUDA_CLIENT_MAX_HISTORY unless set);
 * the oldest go when more come.  Takes effect with the next append. */
void
suda_conversation_set_max_messages (SudaConversation *self,
                                    guint             max_messages)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  g_return_if_fail (max_messages > 0);
  self->max_messages = max_messages;
}

/* The local day around TIME, as [*START, *END) in unix µs. */
static void
find_day (gint64  time,
          gint64 *start,
          gint64 *end)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (time / G_USEC_PER_SEC);
  g_autoptr(GDateTime) midnight = NULL;
  g_autoptr(GDateTime) next = NULL;

  midnight = g_date_time_new_local (g_date_time_get_year (local),
                                    g_date_time_get_month (local),
                                    g_date_time_get_day_of_month (local), 0, 0, 0);
  next = g_date_time_add_days (midnight, 1);
  *start = g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
  if (end != NULL)
    *end = g_date_time_to_unix (next) * G_USEC_PER_SEC;
}

static SudaMessage *
new_separator (gint64 day_start)
{
  return suda_message_new (SUDA_MESSAGE_KIND_DATE_SEPARATOR, day_start, NULL, NULL);
}

/* Appends MESSAGE and, when it starts a new local day, a separator before it. */
static void
push_message (SudaConversation *self,
              SudaMessage      *message)
{
  gint64 time = suda_message_get_time (message);

  if (time < self->day_start || time >= self->day_end)
    {
      find_day (time, &self->day_start, &self->day_end);
      g_ptr_array_add (self->items, new_separator (self->day_start));
    }
  g_ptr_array_add (self->items, g_object_ref (message));
}

/* A line replayed by the server is new only past the read marker the
 * server keeps for the person (draft/read-marker); without one, the
 * replay on each join would count again what was read long ago. */
static gboolean
counts_as_unread (SudaConversation *self,
                  SudaMessage      *message,
                  gboolean          unread)
{
  if (!is_countable (message))
    return FALSE;
  if (suda_message_get_replayed (message))
    return self->read_time > 0 && suda_message_get_time (message) > self->read_time;
  return unread;
}

/* Drops the oldest items so that N_COMING more messages fit under the
 * limit.  A tenth more goes at once, so a busy room trims now and then
 * rather than on every line. */
static void
make_room (SudaConversation *self,
           guint             n_coming)
{
  guint keep, n_drop = 0, dropped_messages = 0;

  if ((guint64) self->n_messages + n_coming <= self->max_messages)
    return;
  keep = self->max_messages - self->max_messages / 10;
  keep = n_coming >= keep ? 0 : keep - n_coming;
  while (n_drop < self->items->len && self->n_messages - dropped_messages > keep)
    {
      if (suda_message_get_kind (g_ptr_array_index (self->items, n_drop)) != SUDA_MESSAGE_KIND_DATE_SEPARATOR)
        dropped_messages++;
      n_drop++;
    }
  if (n_drop == 0)
    return;
  for (guint i = 0; i < n_drop; i++)
    {
      gpointer item = g_ptr_array_index (self->items, i);

      if (item == self->marker)
        self->marker = NULL;
      if (item == self->first_unread)
        self->first_unread = NULL;
      if (item == self->join_line)
        self->join_line = NULL;
    }
  g_ptr_array_remove_range (self->items, 0, n_drop);
  self->n_messages -= dropped_messages;
  if (self->items->len == 0)
    {
      self->day_start = G_MAXINT64;
      self->day_end = G_MININT64;
    }
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n_drop, 0);
  if (self->unread_count > self->n_messages)
    {
      self->unread_count = self->n_messages;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
    }
}

/* Counts MESSAGE as the person's news if it is; TRUE when it is. */
static gboolean
count_unread (SudaConversation *self,
              SudaMessage      *message,
              gboolean          unread,
              gboolean         *mention)
{
  if (!counts_as_unread (self, message, unread))
    return FALSE;
  if (self->first_unread == NULL)
    self->first_unread = message;
  *mention |= suda_message_get_mention (message);
  return TRUE;
}

/* The items from FROM on come again through push_message() after
 * BEFORE[0..N_BEFORE), so their days' separators are worked out anew; the
 * "New messages" line among them goes (the next visit puts it back). */
static void
rebuild_tail (SudaConversation  *self,
              guint              from,
              SudaMessage      **before,
              guint              n_before)
{
  g_autoptr(GPtrArray) tail = g_ptr_array_new_with_free_func (g_object_unref);
  guint old_len = self->items->len;
  gint last;

  for (guint i = from; i < old_len; i++)
    {
      SudaMessage *item = g_ptr_array_index (self->items, i);
      SudaMessageKind kind = suda_message_get_kind (item);

      if (kind == SUDA_MESSAGE_KIND_UNREAD_MARKER)
        self->marker = NULL;
      else if (kind != SUDA_MESSAGE_KIND_DATE_SEPARATOR)
        g_ptr_array_add (tail, g_object_ref (item));
    }
  g_ptr_array_set_size (self->items, from);

  /* The day the items kept end on; none: the next one opens its day. */
  for (last = (gint) from - 1; last >= 0; last--)
    {
      SudaMessageKind kind = suda_message_get_kind (g_ptr_array_index (self->items, last));

      if (kind != SUDA_MESSAGE_KIND_DATE_SEPARATOR && kind != SUDA_MESSAGE_KIND_UNREAD_MARKER)
        break;
    }
  self->day_start = G_MAXINT64;
  self->day_end = G_MININT64;
  if (last >= 0)
    find_day (suda_message_get_time (g_ptr_array_index (self->items, last)), &self->day_start, &self->day_end);

  for (guint i = 0; i < n_before; i++)
    push_message (self, before[i]);
  for (guint i = 0; i < tail->len; i++)
    push_message (self, g_ptr_array_index (tail, i));
  g_list_model_items_changed (G_LIST_MODEL (self), from, old_len - from, self->items->len - from);
}

/* Suda's own server replays a room's history after the end of NAMES, so
 * its lines come after "You joined": those older than the join line go
 * above it, which stays the last line before live chat.  Returns how many
 * of MESSAGES (oldest first) went there. */
static guint
insert_before_join_line (SudaConversation  *self,
                         SudaMessage      **messages,
                         guint              n_messages,
                         gboolean           unread)
{
  gint64 join_time = suda_message_get_time (self->join_line);
  guint n = 0, new_unread = 0;
  gboolean new_mention = FALSE;
  gint pos;

  while (n < n_messages && suda_message_get_time (messages[n]) < join_time)
    n++;
  if (n == 0)
    return 0;
  make_room (self, n);
  pos = find_item (self, self->join_line);
  if (pos < 0)
    {
      /* Trimmed away meanwhile: the lines go at the end as any others. */
      self->join_line = NULL;
      return 0;
    }
  /* The join line's own day separator goes with it. */
  if (pos > 0 && suda_message_get_kind (g_ptr_array_index (self->items, pos - 1)) == SUDA_MESSAGE_KIND_DATE_SEPARATOR)
    pos--;
  rebuild_tail (self, pos, messages, n);
  self->n_messages += n;
  for (guint i = 0; i < n; i++)
    new_unread += count_unread (self, messages[i], unread, &new_mention);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MESSAGES]);
  if (new_unread > 0)
    {
      self->unread_count += new_unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
    }
  if (new_mention && !self->mention)
    {
      self->mention = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MENTION]);
    }
  return n;
}

void
suda_conversation_append_many (SudaConversation  *self,
                               SudaMessage      **messages,
                               guint              n_messages,
                               gboolean           unread)
{
  guint old_len, new_unread = 0;
  gboolean new_mention = FALSE;
  gboolean live = FALSE, live_words = FALSE;

  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  if (n_messages == 0)
    return;
  for (guint i = 0; i < n_messages; i++)
    if (!suda_message_get_replayed (messages[i]))
      {
        live = TRUE;
        live_words |= is_words (messages[i]);
      }
  /* Anything live comes after our join line; once people talk live, older
   * history no more goes above it (the room's topic, told on joining, does
   * not count). */
  if (live && self->held != NULL)
    suda_conversation_release_join_line (self);
  if (live_words)
    self->join_line = NULL;
  else if (self->join_line != NULL)
    {
      guint n_before = insert_before_join_line (self, messages, n_messages, unread);

      messages += n_before;
      n_messages -= n_before;
      if (n_messages == 0)
        return;
    }
  /* More at once than the whole limit: only the newest of them stay. */
  if (n_messages > self->max_messages)
    {
      messages += n_messages - self->max_messages;
      n_messages = self->max_messages;
    }
  make_room (self, n_messages);

  old_len = self->items->len;
  g_ptr_array_set_size (self->items, old_len);
  for (guint i = 0; i < n_messages; i++)
    {
      push_message (self, messages[i]);
      new_unread += count_unread (self, messages[i], unread, &new_mention);
    }
  self->n_messages += n_messages;

  g_list_model_items_changed (G_LIST_MODEL (self), old_len, 0, self->items->len - old_len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MESSAGES]);
  if (new_unread > 0)
    {
      self->unread_count += new_unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
    }
  if (new_mention && !self->mention)
    {
      self->mention = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MENTION]);
    }
}

/* A server replays a room's last lines right after our JOIN, and they are
 * older than it: "You joined" waits below them, until the room's names
 * have come (the replay is over by then) or a live line comes first. */
void
suda_conversation_hold_join_line (SudaConversation *self,
                                  SudaMessage      *line)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  g_return_if_fail (SUDA_IS_MESSAGE (line));
  suda_conversation_release_join_line (self);
  self->held = g_object_ref (line);
}

void
suda_conversation_release_join_line (SudaConversation *self)
{
  g_autoptr(SudaMessage) line = NULL;

  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  line = g_steal_pointer (&self->held);
  if (line != NULL)
    {
      suda_conversation_append_many (self, &line, 1, FALSE);
      self->join_line = line;
    }
}

void
suda_conversation_append (SudaConversation *self,
                          SudaMessage      *message,
                          gboolean          unread)
{
  g_return_if_fail (SUDA_IS_MESSAGE (message));
  suda_conversation_append_many (self, &message, 1, unread);
}

/* Older history (draft/chathistory): one page at a time, asked for when
 * the person scrolls to the top, gathered from its batch, then put in
 * front of what is there. */

gboolean
suda_conversation_get_loading_older (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), FALSE);
  return self->loading_older;
}

gboolean
suda_conversation_get_at_start (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), FALSE);
  return self->at_start;
}

static void
set_loading_older (SudaConversation *self,
                   gboolean          loading)
{
  if (self->loading_older == loading)
    return;
  self->loading_older = loading;
  g_clear_pointer (&self->older_batch, g_free);
  g_ptr_array_set_size (self->older, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING_OLDER]);
}

/* The oldest line from the server, where the next page ends; NULL when
 * there is none, or nothing older to ask for (the start was reached, a
 * page is on its way, or the conversation keeps no more). */
SudaMessage *
suda_conversation_begin_older (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), NULL);
  if (self->loading_older || self->at_start || self->n_messages >= self->max_messages)
    return NULL;
  for (guint i = 0; i < self->items->len; i++)
    {
      SudaMessage *item = g_ptr_array_index (self->items, i);

      if (is_server_line (item))
        {
          set_loading_older (self, TRUE);
          return item;
        }
    }
  return NULL;
}

/* The page asked for went away with the connection: it may be asked again. */
void
suda_conversation_cancel_older (SudaConversation *self)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  set_loading_older (self, FALSE);
}

const char *
suda_conversation_get_older_batch (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), NULL);
  return self->older_batch;
}

/* The chathistory batch REF brings the page asked for. */
void
suda_conversation_set_older_batch (SudaConversation *self,
                                   const char       *ref)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  g_return_if_fail (self->loading_older);
  g_free (self->older_batch);
  self->older_batch = g_strdup (ref);
}

void
suda_conversation_add_older (SudaConversation *self,
                             SudaMessage      *message)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  g_return_if_fail (SUDA_IS_MESSAGE (message));
  if (self->loading_older && self->older->len < self->max_messages)
    g_ptr_array_add (self->older, g_object_ref (message));
}

/* The first dated item (not a separator, not the marker), or NULL. */
static SudaMessage *
first_dated (SudaConversation *self)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      SudaMessage *item = g_ptr_array_index (self->items, i);
      SudaMessageKind kind = suda_message_get_kind (item);

      if (kind != SUDA_MESSAGE_KIND_DATE_SEPARATOR && kind != SUDA_MESSAGE_KIND_UNREAD_MARKER)
        return item;
    }
  return NULL;
}

/* Puts MESSAGES (oldest first) in front, with their days' separators,
 * in one change: the view keeps the rows it shows where they are. */
static void
prepend_many (SudaConversation  *self,
              SudaMessage      **messages,
              guint              n)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (self->items->len + 2 * n, g_object_unref);
  SudaMessage *head = self->items->len ? g_ptr_array_index (self->items, 0) : NULL;
  SudaMessage *old_first = first_dated (self);
  gint64 day = G_MININT64, last_day = 0, old_day;
  guint removed = 0, n_front;

  for (guint i = 0; i < n; i++)
    {
      gint64 start;

      find_day (suda_message_get_time (messages[i]), &start, NULL);
      if (start != day)
        g_ptr_array_add (items, new_separator (start));
      day = last_day = start;
      g_ptr_array_add (items, g_object_ref (messages[i]));
    }
  /* Where the old lines start the same day, their separator goes; where
   * they start another day with no separator (trimmed), one comes. */
  if (head != NULL && suda_message_get_kind (head) == SUDA_MESSAGE_KIND_DATE_SEPARATOR)
    removed = suda_message_get_time (head) == last_day;
  else if (old_first != NULL)
    {
      find_day (suda_message_get_time (old_first), &old_day, NULL);
      if (old_day != last_day)
        g_ptr_array_add (items, new_separator (old_day));
    }
  n_front = items->len;
  for (guint i = removed; i < self->items->len; i++)
    g_ptr_array_add (items, g_object_ref (g_ptr_array_index (self->items, i)));
  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&items);
  /* Appends go on from the newest day, which is one of these when there
   * was nothing before. */
  if (self->day_end == G_MININT64)
    find_day (suda_message_get_time (messages[n - 1]), &self->day_start, &self->day_end);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, n_front);
}

/* The batch ended: its lines go in front of the conversation.  A page that
 * brings nothing new means the start of the conversation: no more pages
 * are asked for, and START_NOTE (if given) says so at the top, once. */
void
suda_conversation_end_older (SudaConversation *self,
                             const char       *start_note)
{
  guint n;

  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  if (!self->loading_older)
    return;
  n = MIN (self->older->len, self->max_messages - MIN (self->n_messages, self->max_messages));
  if (n > 0)
    {
      prepend_many (self, (SudaMessage **) self->older->pdata + (self->older->len - n), n);
      self->n_messages += n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MESSAGES]);
    }
  else if (self->older->len == 0)
    {
      SudaMessage *first = first_dated (self);

      if (start_note != NULL && first != NULL)
        {
          g_autoptr(SudaMessage) note = suda_message_new (SUDA_MESSAGE_KIND_INFO,
                                                          suda_message_get_time (first),
                                                          NULL, start_note);

          prepend_many (self, &note, 1);
          self->n_messages++;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MESSAGES]);
        }
      self->at_start = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AT_START]);
    }
  set_loading_older (self, FALSE);
}

/* Notes KEY (a message's msgid, or its time, sender and text) and says
 * whether it is new.  A server replays a room's last lines on every join,
 * so a rejoin would show again what is already there; the keys of as
 * many messages as the conversation keeps are remembered. */
gboolean
suda_conversation_note_seen (SudaConversation *self,
                             const char       *key)
{
  char *copy;

  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), TRUE);
  g_return_val_if_fail (key != NULL, TRUE);
  if (g_hash_table_contains (self->seen, key))
    return FALSE;
  if (g_queue_get_length (&self->seen_order) >= self->max_messages)
    g_hash_table_remove (self->seen, g_queue_pop_head (&self->seen_order));
  copy = g_strdup (key);
  g_hash_table_add (self->seen, copy);
  g_queue_push_tail (&self->seen_order, copy);
  return TRUE;
}

void
suda_conversation_clear (SudaConversation *self)
{
  guint old_len;

  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  g_queue_clear (&self->seen_order);
  g_hash_table_remove_all (self->seen);
  old_len = self->items->len;
  self->marker = self->first_unread = self->join_line = NULL;
  self->at_start = FALSE;
  g_ptr_array_set_size (self->items, 0);
  self->n_messages = 0;
  self->day_start = G_MAXINT64;
  self->day_end = G_MININT64;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MESSAGES]);
  suda_conversation_mark_read (self);
}

/* The position of the last message before BEFORE (or from the end when
 * BEFORE is negative) whose text contains NEEDLE, ignoring case; -1 if none. */
gint
suda_conversation_find (SudaConversation *self,
                        const char       *needle,
                        gint              before)
{
  g_autofree char *folded = NULL;
  gint start;

  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), -1);
  if (needle == NULL || *needle == '\0')
    return -1;
  folded = g_utf8_casefold (needle, -1);
  start = before < 0 || (guint) before > self->items->len ? (gint) self->items->len : before;
  for (gint i = start - 1; i >= 0; i--)
    if (suda_message_matches (g_ptr_array_index (self->items, i), folded))
      return i;
  return -1;
}

GListModel *
suda_conversation_get_members (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), NULL);
  return G_LIST_MODEL (self->members);
}

static gint
find_member_position (SudaConversation *self,
                      SudaMember       *member)
{
  guint pos;

  if (member == NULL || !g_list_store_find (self->members, member, &pos))
    return -1;
  return pos;
}

SudaMember *
suda_conversation_find_member (SudaConversation *self,
                               const char       *nick)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), NULL);
  g_return_val_if_fail (nick != NULL, NULL);
  /* The store keeps its own reference, so a borrowed pointer stays valid. */
  return g_hash_table_lookup (self->member_index, nick);
}

guint
suda_conversation_get_n_members (SudaConversation *self)
{
  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->members));
}

/* Returns whether NICK is in the room now (it may have been already). */
gboolean
suda_conversation_add_member (SudaConversation *self,
                              const char       *nick,
                              const char       *prefixes)
{
  g_autoptr(SudaMember) member = NULL;

  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (nick != NULL && *nick != '\0', FALSE);
  if (g_hash_table_contains (self->member_index, nick))
    return TRUE;
  if (g_hash_table_size (self->member_index) >= SUDA_CLIENT_MAX_MEMBERS)
    {
      g_debug ("%s is full (%u people): %s is not listed", self->name,
               SUDA_CLIENT_MAX_MEMBERS, nick);
      return FALSE;
    }
  member = suda_member_new (nick, prefixes);
  g_hash_table_insert (self->member_index, g_strdup (nick), member);
  g_list_store_insert_sorted (self->members, member, suda_member_compare, NULL);
  return TRUE;
}

gboolean
suda_conversation_remove_member (SudaConversation *self,
                                 const char       *nick)
{
  gint pos;

  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (nick != NULL, FALSE);
  pos = find_member_position (self, g_hash_table_lookup (self->member_index, nick));
  if (pos < 0)
    return FALSE;
  g_hash_table_remove (self->member_index, nick);
  g_list_store_remove (self->members, pos);
  return TRUE;
}

/* Re-inserts the member at POS so that the order stays right after a change
 * of nick or rank. */
static void
resort_member (SudaConversation *self,
               guint             pos)
{
  g_autoptr(SudaMember) member = g_list_model_get_item (G_LIST_MODEL (self->members), pos);

  g_list_store_remove (self->members, pos);
  g_list_store_insert_sorted (self->members, member, suda_member_compare, NULL);
}

gboolean
suda_conversation_rename_member (SudaConversation *self,
                                 const char       *old_nick,
                                 const char       *new_nick)
{
  SudaMember *member;
  gint pos;

  g_return_val_if_fail (SUDA_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (old_nick != NULL && new_nick != NULL && *new_nick != '\0', FALSE);
  member = g_hash_table_lookup (self->member_index, old_nick);
  if ((pos = find_member_position (self, member)) < 0)
    return FALSE;
  /* A server that renames someone onto a nickname still listed means the
   * other one is gone: one entry per nickname stays true. */
  if (g_hash_table_lookup (self->member_index, new_nick) != member)
    {
      suda_conversation_remove_member (self, new_nick);
      pos = find_member_position (self, member);
    }
  g_object_ref (member);
  g_hash_table_remove (self->member_index, old_nick);
  suda_member_set_nick (member, new_nick);
  g_hash_table_insert (self->member_index, g_strdup (new_nick), member);
  resort_member (self, pos);
  g_object_unref (member);
  return TRUE;
}

void
suda_conversation_set_member_mode (SudaConversation *self,
                                   const char       *nick,
                                   char              prefix,
                                   gboolean          add)
{
  SudaMember *member;

  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  g_return_if_fail (nick != NULL);
  member = g_hash_table_lookup (self->member_index, nick);
  if (member == NULL)
    return;
  if (add)
    suda_member_add_prefix (member, prefix);
  else
    suda_member_remove_prefix (member, prefix);
  resort_member (self, find_member_position (self, member));
}

void
suda_conversation_add_pending_name (SudaConversation *self,
                                    const char       *nick,
                                    const char       *prefixes)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  g_return_if_fail (nick != NULL && *nick != '\0');
  if (self->pending_names == NULL)
    self->pending_names = g_ptr_array_new_with_free_func (g_object_unref);
  /* Names past the limit are not kept, even for a while. */
  if (self->pending_names->len >= SUDA_CLIENT_MAX_MEMBERS)
    return;
  g_ptr_array_add (self->pending_names, suda_member_new (nick, prefixes));
}

/* g_ptr_array_sort_with_data() hands over pointers to the elements. */
static gint
compare_member_ptrs (gconstpointer a,
                     gconstpointer b,
                     gpointer      user_data)
{
  return suda_member_compare (*(SudaMember **) a, *(SudaMember **) b, NULL);
}

/* RPL_ENDOFNAMES: the names gathered since the last one replace the list in
 * one change, so the member list view rebuilds once, not once per name. */
void
suda_conversation_commit_names (SudaConversation *self)
{
  guint n_old;

  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  if (self->pending_names == NULL)
    self->pending_names = g_ptr_array_new_with_free_func (g_object_unref);
  /* A name listed twice (a server's mistake or malice) is listed once. */
  g_hash_table_remove_all (self->member_index);
  for (guint i = 0; i < self->pending_names->len; )
    {
      SudaMember *member = g_ptr_array_index (self->pending_names, i);
      const char *nick = suda_member_get_nick (member);

      if (g_hash_table_contains (self->member_index, nick))
        g_ptr_array_remove_index_fast (self->pending_names, i);
      else
        {
          g_hash_table_insert (self->member_index, g_strdup (nick), member);
          i++;
        }
    }
  g_ptr_array_sort_with_data (self->pending_names, compare_member_ptrs, NULL);
  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->members));
  g_list_store_splice (self->members, 0, n_old, self->pending_names->pdata,
                       self->pending_names->len);
  g_clear_pointer (&self->pending_names, g_ptr_array_unref);
}

void
suda_conversation_clear_members (SudaConversation *self)
{
  g_return_if_fail (SUDA_IS_CONVERSATION (self));
  g_hash_table_remove_all (self->member_index);
  g_list_store_remove_all (self->members);
  g_clear_pointer (&self->pending_names, g_ptr_array_unref);
}

char **
suda_conversation_dup_member_nicks (SudaConversation *self)
{
  GListModel *model = G_LIST_MODEL (self->members);
  guint n = g_list_model_get_n_items (model);
  char **nicks = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMember) member = g_list_model_get_item (model, i);

      nicks[i] = g_strdup (suda_member_get_nick (member));
    }
  return nicks;
}
