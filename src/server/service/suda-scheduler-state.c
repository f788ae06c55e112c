/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "suda-scheduler-private.h"

/* Bumped when the state file's shape changes incompatibly. */
#define STATE_VERSION 1

static char *
format_time (GDateTime *time)
{
  return g_date_time_format_iso8601 (time);
}

static char *
serialize_state (SudaScheduler *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, STATE_VERSION);
  json_builder_set_member_name (builder, "next-id");
  json_builder_add_int_value (builder, self->next_id);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->pending->len; i++)
    {
      SudaScheduledMessage *message = g_ptr_array_index (self->pending, i);
      g_autofree char *due = format_time (message->due);
      g_autofree char *created = format_time (message->created);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, message->id);
      json_builder_set_member_name (builder, "author");
      json_builder_add_string_value (builder, message->author);
      json_builder_set_member_name (builder, "channel");
      json_builder_add_string_value (builder, message->channel);
      json_builder_set_member_name (builder, "due");
      json_builder_add_string_value (builder, due);
      json_builder_set_member_name (builder, "created");
      json_builder_add_string_value (builder, created);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, message->text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

void
_suda_scheduler_save_state (SudaScheduler *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *dir = NULL;

  if (self->state_path == NULL)
    return;

  data = serialize_state (self);
  dir = g_path_get_dirname (self->state_path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_warning ("Cannot create %s for scheduled messages: %s",
                 dir, g_strerror (saved_errno));
      return;
    }

  /* Written to a temporary file, synced and renamed over the old one, so a
   * crash leaves either the old state or the new, never half of one. */
  if (!g_file_set_contents_full (self->state_path, data, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &error))
    g_warning ("Cannot save scheduled messages: %s", error->message);
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static SudaScheduledMessage *
message_from_json (JsonNode *node)
{
  JsonObject *object;
  JsonNode *id_node;
  const char *author, *channel, *text, *due_text, *created_text;
  g_autoptr(GDateTime) due = NULL;
  g_autoptr(GDateTime) created = NULL;
  gint64 id;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  id_node = json_object_get_member (object, "id");
  if (id_node == NULL || json_node_get_value_type (id_node) != G_TYPE_INT64)
    return NULL;
  id = json_node_get_int (id_node);
  author = get_string_member (object, "author");
  channel = get_string_member (object, "channel");
  text = get_string_member (object, "text");
  due_text = get_string_member (object, "due");
  created_text = get_string_member (object, "created");
  if (id <= 0 || id > G_MAXUINT
      || author == NULL || *author == '\0'
      || channel == NULL || *channel == '\0'
      || text == NULL || due_text == NULL)
    return NULL;
  due = g_date_time_new_from_iso8601 (due_text, NULL);
  if (due == NULL)
    return NULL;
  if (created_text != NULL)
    created = g_date_time_new_from_iso8601 (created_text, NULL);
  if (created == NULL)
    created = g_date_time_ref (due);

  return _suda_scheduled_message_new ((guint) id, author, channel, text, due, created);
}

static gboolean
parse_state (SudaScheduler *self,
             const char    *data,
             gsize          len,
             GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *messages;
  gint64 next_id = 1;

  if (!json_parser_load_from_data (parser, data, len, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "version", 0) != STATE_VERSION)
    goto bad;
  if (!json_object_has_member (root, "messages")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "messages")))
    goto bad;

  next_id = json_object_get_int_member_with_default (root, "next-id", 1);
  messages = json_object_get_array_member (root, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      SudaScheduledMessage *message = message_from_json (json_array_get_element (messages, i));

      if (message == NULL)
        {
          g_message ("Skipping a malformed scheduled message in %s", self->state_path);
          continue;
        }
      next_id = MAX (next_id, (gint64) message->id + 1);
      g_ptr_array_add (self->pending, message);
    }
  g_ptr_array_sort (self->pending, _suda_scheduled_message_compare);
  self->next_id = (guint) CLAMP (next_id, 1, G_MAXUINT);
  return TRUE;

bad:
  g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_STATE,
               _("%s is not a scheduled-messages file"), self->state_path);
  return FALSE;
}

/**
 * suda_scheduler_load:
 *
 * Reads the state file, if there is one, and posts at once, as late, every
 * message whose time passed meanwhile: connect to "due" first.  A file
 * that cannot be read is renamed aside (to `PATH.bad`) so the next save
 * does not destroy what it held, and an error is returned; the scheduler
 * then starts empty and works.
 */
gboolean
suda_scheduler_load (SudaScheduler  *self,
                     GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (!self->loaded, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->loaded = TRUE;
  if (self->state_path == NULL)
    return TRUE;

  if (!g_file_get_contents (self->state_path, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!parse_state (self, data, len, &local_error))
    {
      g_autofree char *aside = g_strconcat (self->state_path, ".bad", NULL);

      g_ptr_array_set_size (self->pending, 0);
      g_rename (self->state_path, aside);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (self->pending->len > 0)
    g_object_notify (G_OBJECT (self), "n-pending");
  _suda_scheduler_deliver_due (self, TRUE);
  return TRUE;
}
