/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-format.h"
#include "suda-message.h"

/* Kept small on purpose: a conversation may hold a million of these. */
struct _SudaMessage
{
  GObject  parent_instance;

  gint64   time;
  char    *sender;     /* a GRefString, interned: few distinct nicks */
  char    *text;
  char    *msgid;      /* the server's msgid tag, or NULL */
  guint8   kind;
  guint    own : 1;
  guint    mention : 1;
  guint    replayed : 1;
};

enum {
  PROP_0,
  PROP_KIND,
  PROP_TIME,
  PROP_SENDER,
  PROP_TEXT,
  PROP_OWN,
  PROP_MENTION,
  PROP_REPLAYED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (SudaMessageKind, suda_message_kind,
  G_DEFINE_ENUM_VALUE (SUDA_MESSAGE_KIND_MESSAGE, "message"),
  G_DEFINE_ENUM_VALUE (SUDA_MESSAGE_KIND_ACTION, "action"),
  G_DEFINE_ENUM_VALUE (SUDA_MESSAGE_KIND_NOTICE, "notice"),
  G_DEFINE_ENUM_VALUE (SUDA_MESSAGE_KIND_EVENT, "event"),
  G_DEFINE_ENUM_VALUE (SUDA_MESSAGE_KIND_DATE_SEPARATOR, "date-separator"),
  G_DEFINE_ENUM_VALUE (SUDA_MESSAGE_KIND_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (SUDA_MESSAGE_KIND_INFO, "info"),
  G_DEFINE_ENUM_VALUE (SUDA_MESSAGE_KIND_UNREAD_MARKER, "unread-marker"))

G_DEFINE_FINAL_TYPE (SudaMessage, suda_message, G_TYPE_OBJECT)

static void
suda_message_finalize (GObject *object)
{
  SudaMessage *self = SUDA_MESSAGE (object);

  g_clear_pointer (&self->sender, g_ref_string_release);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->msgid, g_free);

  G_OBJECT_CLASS (suda_message_parent_class)->finalize (object);
}

static void
suda_message_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SudaMessage *self = SUDA_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_KIND: g_value_set_enum (value, self->kind); break;
    case PROP_TIME: g_value_set_int64 (value, self->time); break;
    case PROP_SENDER: g_value_set_string (value, self->sender); break;
    case PROP_TEXT: g_value_set_string (value, self->text); break;
    case PROP_OWN: g_value_set_boolean (value, self->own); break;
    case PROP_MENTION: g_value_set_boolean (value, self->mention); break;
    case PROP_REPLAYED: g_value_set_boolean (value, self->replayed); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_message_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SudaMessage *self = SUDA_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_KIND: self->kind = g_value_get_enum (value); break;
    case PROP_TIME: self->time = g_value_get_int64 (value); break;
    case PROP_SENDER:
      g_clear_pointer (&self->sender, g_ref_string_release);
      if (g_value_get_string (value))
        self->sender = g_ref_string_new_intern (g_value_get_string (value));
      break;
    case PROP_TEXT:
      g_free (self->text);
      self->text = g_value_dup_string (value);
      break;
    case PROP_OWN: suda_message_set_own (self, g_value_get_boolean (value)); break;
    case PROP_MENTION: suda_message_set_mention (self, g_value_get_boolean (value)); break;
    case PROP_REPLAYED: suda_message_set_replayed (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_message_class_init (SudaMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = suda_message_finalize;
  object_class->get_property = suda_message_get_property;
  object_class->set_property = suda_message_set_property;

  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, SUDA_TYPE_MESSAGE_KIND,
                                             SUDA_MESSAGE_KIND_MESSAGE, ro);
  properties[PROP_TIME] = g_param_spec_int64 ("time", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SENDER] = g_param_spec_string ("sender", NULL, NULL, NULL, ro);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, ro);
  properties[PROP_OWN] = g_param_spec_boolean ("own", NULL, NULL, FALSE, rw);
  properties[PROP_MENTION] = g_param_spec_boolean ("mention", NULL, NULL, FALSE, rw);
  properties[PROP_REPLAYED] = g_param_spec_boolean ("replayed", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_message_init (SudaMessage *self)
{
}

/* Sets the fields directly rather than through g_object_new()'s property
 * machinery, which would cost a few times more per message in a long
 * history. */
SudaMessage *
suda_message_new (SudaMessageKind  kind,
                  gint64           unix_usec,
                  const char      *sender,
                  const char      *text)
{
  SudaMessage *self = g_object_new (SUDA_TYPE_MESSAGE, NULL);

  self->kind = kind;
  self->time = unix_usec;
  self->sender = sender ? g_ref_string_new_intern (sender) : NULL;
  self->text = g_strdup (text);
  return self;
}

SudaMessageKind
suda_message_get_kind (SudaMessage *self)
{
  g_return_val_if_fail (SUDA_IS_MESSAGE (self), 0);
  return self->kind;
}

gint64
suda_message_get_time (SudaMessage *self)
{
  g_return_val_if_fail (SUDA_IS_MESSAGE (self), 0);
  return self->time;
}

GDateTime *
suda_message_dup_datetime (SudaMessage *self)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_val_if_fail (SUDA_IS_MESSAGE (self), NULL);
  utc = g_date_time_new_from_unix_local (self->time / G_USEC_PER_SEC);
  return g_date_time_add (utc, self->time % G_USEC_PER_SEC);
}

const char *
suda_message_get_sender (SudaMessage *self)
{
  g_return_val_if_fail (SUDA_IS_MESSAGE (self), NULL);
  return self->sender;
}

const char *
suda_message_get_text (SudaMessage *self)
{
  g_return_val_if_fail (SUDA_IS_MESSAGE (self), NULL);
  return self->text;
}

#define DEFINE_FLAG(name, PROP)                                             \
gboolean                                                                    \
suda_message_get_##name (SudaMessage *self)                                 \
{                                                                           \
  g_return_val_if_fail (SUDA_IS_MESSAGE (self), FALSE);                     \
  return self->name;                                                        \
}                                                                           \
void                                                                        \
suda_message_set_##name (SudaMessage *self,                                 \
                         gboolean     value)                                \
{                                                                           \
  g_return_if_fail (SUDA_IS_MESSAGE (self));                                \
  value = !!value;                                                          \
  if (self->name == (guint) value)                                          \
    return;                                                                 \
  self->name = value;                                                       \
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);             \
}

DEFINE_FLAG (own, PROP_OWN)
DEFINE_FLAG (mention, PROP_MENTION)
DEFINE_FLAG (replayed, PROP_REPLAYED)

/* The msgid tag tells a line loaded again (older history, a rejoin) from
 * a new one, and is where the next page of older history starts. */
const char *
suda_message_get_msgid (SudaMessage *self)
{
  g_return_val_if_fail (SUDA_IS_MESSAGE (self), NULL);
  return self->msgid;
}

void
suda_message_set_msgid (SudaMessage *self,
                        const char  *msgid)
{
  g_return_if_fail (SUDA_IS_MESSAGE (self));
  g_free (self->msgid);
  self->msgid = g_strdup (msgid);
}

/* NEEDLE must already be casefolded with g_utf8_casefold(). */
gboolean
suda_message_matches (SudaMessage *self,
                      const char  *needle_casefolded)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (SUDA_IS_MESSAGE (self), FALSE);
  if (self->text == NULL || self->kind == SUDA_MESSAGE_KIND_DATE_SEPARATOR ||
      self->kind == SUDA_MESSAGE_KIND_UNREAD_MARKER)
    return FALSE;
  /* What is found is what is shown: the words, not the codes between them. */
  if (suda_format_has_codes (self->text))
    {
      g_autofree char *plain = suda_format_strip (self->text, SUDA_FORMAT_PLAIN_DEFAULT);

      folded = g_utf8_casefold (plain, -1);
    }
  else
    folded = g_utf8_casefold (self->text, -1);
  return strstr (folded, needle_casefolded) != NULL;
}

/* Days since the epoch in local time: the unit that date separators split. */
guint32
suda_day_number (gint64 unix_usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_usec / G_USEC_PER_SEC);
  GDate date;

  if (dt == NULL)
    return 0;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (dt), g_date_time_get_month (dt),
                  g_date_time_get_year (dt));
  return g_date_get_julian (&date);
}
