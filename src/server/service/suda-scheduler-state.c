/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The state file: a snapshot line ({"version":2,"next-id":…,"messages":[…]})
 * then one line per change ({"add":{…}} or {"remove":ID}), appended without
 * a sync; every so often it is compacted into a new snapshot, written to a
 * new file, synced and renamed into place.  The file is locked (flock) for
 * as long as the scheduler runs, so two servers never share it.  Version 1
 * (one pretty-printed snapshot) still loads and is rewritten as version 2. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "suda-scheduler-private.h"

#define STATE_VERSION 2
/* A compaction rewrites every pending message: doing it only after as
 * many changes as there are messages (and at least this many) keeps the
 * cost of a change constant on average. */
#define MIN_RECORDS_BEFORE_COMPACTION 64

static void
add_message (JsonBuilder          *builder,
             SudaScheduledMessage *message)
{
  g_autofree char *due = g_date_time_format_iso8601 (message->due);
  g_autofree char *created = g_date_time_format_iso8601 (message->created);

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

/* One line of compact JSON (newlines in texts are escaped). */
static char *
to_line (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *data = NULL;

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, NULL);
  return g_strconcat (data, "\n", NULL);
}

static char *
snapshot_line (SudaScheduler *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, STATE_VERSION);
  json_builder_set_member_name (builder, "next-id");
  json_builder_add_int_value (builder, self->next_id);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->pending->len; i++)
    add_message (builder, g_ptr_array_index (self->pending, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return to_line (builder);
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Writes the whole pending list to a new file, synced, locked, renamed
 * over the old one; the new file is the one appended to from now on. */
static void
compact (SudaScheduler *self)
{
  g_autofree char *dir = g_path_get_dirname (self->state_path);
  g_autofree char *tmp = g_strconcat (self->state_path, ".new", NULL);
  g_autofree char *data = NULL;
  int fd, saved_errno;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_warning ("Cannot create %s for scheduled messages: %s", dir, g_strerror (saved_errno));
      return;
    }
  data = snapshot_line (self);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) != 0 ||
      !write_all (fd, data, strlen (data)) || fsync (fd) != 0 ||
      g_rename (tmp, self->state_path) != 0)
    {
      saved_errno = errno;
      g_warning ("Cannot save scheduled messages in %s: %s", self->state_path, g_strerror (saved_errno));
      if (fd >= 0)
        close (fd);
      g_unlink (tmp);
      return;
    }
  if (self->state_fd >= 0)
    close (self->state_fd);
  self->state_fd = fd;
  self->n_records = 0;
}

static void
append (SudaScheduler *self,
        const char    *lines,
        guint          n)
{
  if (self->state_path == NULL || self->locked_out)
    return;
  if (self->state_fd < 0 ||
      self->n_records + n > MAX (MIN_RECORDS_BEFORE_COMPACTION, 2 * self->pending->len))
    {
      compact (self);
      return;
    }
  /* A failed write may leave part of a line: a snapshot replaces it. */
  if (!write_all (self->state_fd, lines, strlen (lines)))
    {
      compact (self);
      return;
    }
  self->n_records += n;
}

void
_suda_scheduler_record_added (SudaScheduler        *self,
                              SudaScheduledMessage *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *line = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "add");
  add_message (builder, message);
  json_builder_end_object (builder);
  line = to_line (builder);
  append (self, line, 1);
}

void
_suda_scheduler_record_removed (SudaScheduler *self,
                                GPtrArray     *messages)
{
  g_autoptr(GString) lines = g_string_new (NULL);

  for (guint i = 0; i < messages->len; i++)
    g_string_append_printf (lines, "{\"remove\":%u}\n",
                            ((SudaScheduledMessage *) g_ptr_array_index (messages, i))->id);
  append (self, lines->str, messages->len);
}

void
_suda_scheduler_close_state (SudaScheduler *self)
{
  if (self->state_fd >= 0)
    close (self->state_fd);
  self->state_fd = -1;
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
is_state_version (JsonObject *root)
{
  gint64 version = json_object_get_int_member_with_default (root, "version", 0);

  return version == 1 || version == STATE_VERSION;
}

static gboolean
apply_snapshot (SudaScheduler *self,
                JsonNode      *node)
{
  JsonObject *root;
  JsonArray *messages;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  root = json_node_get_object (node);
  if (!is_state_version (root) || !json_object_has_member (root, "messages")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "messages")))
    return FALSE;

  self->next_id = (guint) CLAMP (json_object_get_int_member_with_default (root, "next-id", 1),
                                 1, G_MAXUINT);
  messages = json_object_get_array_member (root, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      SudaScheduledMessage *message = message_from_json (json_array_get_element (messages, i));

      if (message == NULL)
        {
          g_message ("Skipping a malformed scheduled message in %s", self->state_path);
          continue;
        }
      self->next_id = MAX (self->next_id, message->id + 1);
      g_ptr_array_add (self->pending, message);
    }
  return TRUE;
}

static gboolean
apply_record (SudaScheduler *self,
              JsonNode      *node)
{
  JsonObject *record;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  record = json_node_get_object (node);
  if (json_object_has_member (record, "add"))
    {
      SudaScheduledMessage *message = message_from_json (json_object_get_member (record, "add"));

      if (message == NULL)
        return FALSE;
      self->next_id = MAX (self->next_id, message->id + 1);
      g_ptr_array_add (self->pending, message);
      return TRUE;
    }
  if (json_object_has_member (record, "remove"))
    {
      gint64 id = json_object_get_int_member_with_default (record, "remove", 0);

      for (guint i = 0; i < self->pending->len; i++)
        if (((SudaScheduledMessage *) g_ptr_array_index (self->pending, i))->id == id)
          {
            g_ptr_array_remove_index (self->pending, i);
            break;
          }
      return TRUE;
    }
  return FALSE;
}

/* The snapshot line, then records; or version 1, one document.  A last line torn by a crash (no newline)
 * is dropped.  *REWRITE says the file should be compacted now. */
static gboolean
parse_state (SudaScheduler *self,
             const char    *data,
             gsize          len,
             gboolean      *rewrite,
             GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *p = data, *end = data + len;
  const char *first_nl = memchr (data, '\n', len);
  gboolean first = TRUE;

  /* Version 1 is pretty-printed: its first line alone is no JSON. */
  if (!json_parser_load_from_data (parser, data, first_nl ? first_nl - data : (gssize) len, NULL))
    {
      if (!json_parser_load_from_data (parser, data, len, NULL) ||
          !apply_snapshot (self, json_parser_get_root (parser)))
        goto bad;
      *rewrite = TRUE;
      goto done;
    }
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;
      gboolean ok = json_parser_load_from_data (parser, p, line_end - p, NULL);

      if (ok && first)
        {
          ok = apply_snapshot (self, json_parser_get_root (parser));
          *rewrite = ok && json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)),
                                                        "version") != STATE_VERSION;
        }
      else if (ok)
        ok = apply_record (self, json_parser_get_root (parser));
      if (!ok && !first && nl == NULL)
        {
          *rewrite = TRUE;
          break;
        }
      if (!ok)
        goto bad;
      first = FALSE;
      self->n_records++;
      p = line_end + 1;
    }
  if (first)
    goto bad;

done:
  g_ptr_array_sort (self->pending, _suda_scheduled_message_compare);
  return TRUE;

bad:
  g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_STATE,
               _("%s is not a scheduled-messages file"), self->state_path);
  return FALSE;
}

/* Takes the lock on the state file if there is one.  A compaction may
 * rename a new file in between open and lock: then the new one is tried. */
static gboolean
lock_state (SudaScheduler  *self,
            GError        **error)
{
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      struct stat opened, named;
      int fd = open (self->state_path, O_WRONLY | O_APPEND | O_CLOEXEC);

      if (fd < 0)
        return TRUE;  /* none yet: the first change creates it, locked */
      if (flock (fd, LOCK_EX | LOCK_NB) != 0)
        {
          close (fd);
          self->locked_out = TRUE;
          g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_IN_USE,
                       _("%s is in use by another server"), self->state_path);
          return FALSE;
        }
      if (fstat (fd, &opened) == 0 && g_stat (self->state_path, &named) == 0 &&
          opened.st_ino == named.st_ino && opened.st_dev == named.st_dev)
        {
          self->state_fd = fd;
          return TRUE;
        }
      close (fd);
    }
  return TRUE;
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
  gboolean rewrite = FALSE;

  g_return_val_if_fail (SUDA_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (!self->loaded, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->loaded = TRUE;
  if (self->state_path == NULL)
    return TRUE;
  if (!lock_state (self, error))
    return FALSE;

  if (!g_file_get_contents (self->state_path, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!parse_state (self, data, len, &rewrite, &local_error))
    {
      g_autofree char *aside = g_strconcat (self->state_path, ".bad", NULL);

      g_ptr_array_set_size (self->pending, 0);
      self->next_id = 1;
      g_rename (self->state_path, aside);
      _suda_scheduler_close_state (self);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (rewrite)
    compact (self);

  if (self->pending->len > 0)
    g_object_notify (G_OBJECT (self), "n-pending");
  _suda_scheduler_deliver_due (self, TRUE);
  return TRUE;
}
