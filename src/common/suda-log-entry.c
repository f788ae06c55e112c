/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-irc-message.h"
#include "suda-log-entry.h"

struct _SudaLogEntry
{
  GObject     parent_instance;

  gint64      time;
  char       *event;
  char       *channel;
  char       *nick;
  char       *text;
  JsonObject *extra;   /* further fields, in the order written; may be NULL */
};

G_DEFINE_FINAL_TYPE (SudaLogEntry, suda_log_entry, G_TYPE_OBJECT)

static void
suda_log_entry_finalize (GObject *object)
{
  SudaLogEntry *self = SUDA_LOG_ENTRY (object);

  g_clear_pointer (&self->event, g_free);
  g_clear_pointer (&self->channel, g_free);
  g_clear_pointer (&self->nick, g_free);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->extra, json_object_unref);

  G_OBJECT_CLASS (suda_log_entry_parent_class)->finalize (object);
}

static void
suda_log_entry_class_init (SudaLogEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = suda_log_entry_finalize;
}

static void
suda_log_entry_init (SudaLogEntry *self)
{
}

SudaLogEntry *
suda_log_entry_new (gint64      unix_usec,
                    const char *event,
                    const char *channel,
                    const char *nick,
                    const char *text)
{
  SudaLogEntry *self;

  g_return_val_if_fail (event != NULL, NULL);

  self = g_object_new (SUDA_TYPE_LOG_ENTRY, NULL);
  self->time = unix_usec ? unix_usec : g_get_real_time ();
  self->event = g_strdup (event);
  self->channel = g_strdup (channel);
  self->nick = g_strdup (nick);
  self->text = g_strdup (text);
  return self;
}

gint64
suda_log_entry_get_time (SudaLogEntry *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (self), 0);
  return self->time;
}

const char *
suda_log_entry_get_event (SudaLogEntry *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (self), NULL);
  return self->event;
}

const char *
suda_log_entry_get_channel (SudaLogEntry *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (self), NULL);
  return self->channel;
}

const char *
suda_log_entry_get_nick (SudaLogEntry *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (self), NULL);
  return self->nick;
}

const char *
suda_log_entry_get_text (SudaLogEntry *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (self), NULL);
  return self->text;
}

static JsonObject *
ensure_extra (SudaLogEntry *self)
{
  if (self->extra == NULL)
    self->extra = json_object_new ();
  return self->extra;
}

void
suda_log_entry_set_field (SudaLogEntry *self,
                          const char   *name,
                          const char   *value)
{
  g_return_if_fail (SUDA_IS_LOG_ENTRY (self));
  if (value != NULL)
    json_object_set_string_member (ensure_extra (self), name, value);
}

void
suda_log_entry_set_int_field (SudaLogEntry *self,
                              const char   *name,
                              gint64        value)
{
  g_return_if_fail (SUDA_IS_LOG_ENTRY (self));
  json_object_set_int_member (ensure_extra (self), name, value);
}

void
suda_log_entry_set_bool_field (SudaLogEntry *self,
                               const char   *name,
                               gboolean      value)
{
  g_return_if_fail (SUDA_IS_LOG_ENTRY (self));
  json_object_set_boolean_member (ensure_extra (self), name, value);
}

const char *
suda_log_entry_get_field (SudaLogEntry *self,
                          const char   *name)
{
  JsonNode *node;

  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (self), NULL);
  if (self->extra == NULL || !(node = json_object_get_member (self->extra, name)))
    return NULL;
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

JsonObject *
suda_log_entry_get_extra (SudaLogEntry *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (self), NULL);
  return self->extra;
}

char *
suda_log_format_time (gint64 unix_usec)
{
  return suda_irc_format_time_tag (unix_usec);
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

/* The line has no newline; json-glib escapes control characters, so no text
 * can break a line in two or forge another entry. */
char *
suda_log_entry_to_line (SudaLogEntry *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *time = NULL;

  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (self), NULL);

  time = suda_log_format_time (self->time);
  json_builder_begin_object (builder);
  add_string (builder, "time", time);
  add_string (builder, "event", self->event);
  add_string (builder, "channel", self->channel);
  add_string (builder, "nick", self->nick);
  add_string (builder, "text", self->text);
  if (self->extra != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;

      json_object_iter_init (&iter, self->extra);
      while (json_object_iter_next (&iter, &name, &node))
        {
          json_builder_set_member_name (builder, name);
          json_builder_add_value (builder, json_node_copy (node));
        }
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* The entry's columns come from FIELDS; every other member is kept. */
static void
keep_extra_member (const SudaLogValue *key,
                   const SudaLogValue *value,
                   gpointer            user_data)
{
  static const char * const columns[] = { "time", "event", "channel", "nick", "text" };
  SudaLogEntry *self = user_data;
  g_autofree char *name = suda_log_value_dup (key);

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    if (strcmp (name, columns[i]) == 0)
      return;
  json_object_set_member (ensure_extra (self), name, suda_log_value_to_node (value));
}

/* LINE need not be NUL-terminated when LEN is not -1.  A line is an entry
 * when suda_log_read_line says so, and then always becomes one. */
SudaLogEntry *
suda_log_entry_new_from_line (const char  *line,
                              gssize       len,
                              GError     **error)
{
  g_autoptr(SudaLogEntry) self = NULL;
  SudaLogFields fields;

  g_return_val_if_fail (line != NULL, NULL);

  self = g_object_new (SUDA_TYPE_LOG_ENTRY, NULL);
  switch (suda_log_read_line (line, len < 0 ? strlen (line) : (gsize) len, &fields,
                              keep_extra_member, self))
    {
    case SUDA_LOG_READ_OK:
      break;
    case SUDA_LOG_READ_NOT_JSON:
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "not one JSON object");
      return NULL;
    case SUDA_LOG_READ_NO_TIME:
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "no valid \"time\"");
      return NULL;
    case SUDA_LOG_READ_NO_EVENT:
    default:
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "no \"event\"");
      return NULL;
    }
  self->time = fields.time;
  self->event = suda_log_value_dup (&fields.event);
  self->channel = suda_log_value_dup (&fields.channel);
  self->nick = suda_log_value_dup (&fields.nick);
  self->text = suda_log_value_dup (&fields.text);
  return g_steal_pointer (&self);
}
