/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The folder of uploaded files: each file under a random id (ID), its
 * description beside it (ID.json), the type found from its bytes, and the
 * sweep that deletes what is past [files] retention=. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "suda-files-private.h"
#include "suda-task.h"

#define ID_LETTERS 26
#define MAX_NAME_BYTES 200

void
_suda_stored_file_free (SudaStoredFile *file)
{
  if (file == NULL)
    return;
  g_free (file->name);
  g_free (file->type);
  g_free (file->uploader);
  g_free (file);
}

/* Types and names -------------------------------------------------------- */

char *
_suda_files_sniff (GBytes     *data,
                   const char *name)
{
  gsize size = 0;
  const guchar *bytes = g_bytes_get_data (data, &size);
  gboolean uncertain = FALSE;
  g_autofree char *guess = g_content_type_guess (NULL, bytes, size, &uncertain);

  /* The bytes decide: a page named photo.png is still a page.  Only text,
   * whose bytes say little, takes the name's word among text types. */
  if (uncertain || g_content_type_is_a (guess, "text/plain"))
    {
      g_autofree char *named = g_content_type_guess (name, bytes, size, NULL);

      if (g_content_type_is_a (named, guess) || uncertain)
        {
          g_free (guess);
          guess = g_steal_pointer (&named);
        }
    }
  return g_content_type_get_mime_type (guess);
}

gboolean
_suda_files_type_allowed (const char *allowed,
                          const char *type)
{
  g_auto(GStrv) words = g_strsplit_set (allowed != NULL ? allowed : "", " ,\t", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize len = strlen (words[i]);

      if (len == 0)
        continue;
      if (g_ascii_strcasecmp (words[i], type) == 0)
        return TRUE;
      if (len > 2 && g_str_has_suffix (words[i], "/*") &&
          g_ascii_strncasecmp (words[i], type, len - 1) == 0)
        return TRUE;
    }
  return FALSE;
}

char *
_suda_files_clean_name (const char *name)
{
  g_autofree char *base = NULL;
  g_autoptr(GString) clean = g_string_new (NULL);
  const char *p;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return g_strdup ("file");
  base = g_path_get_basename (name);
  for (p = base; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == '\\' || c == '"' || c == '/')
        continue;
      if (clean->len + 6 > MAX_NAME_BYTES)
        break;
      g_string_append_unichar (clean, c);
    }
  g_strstrip (clean->str);
  if (clean->str[0] == '\0' || g_str_equal (clean->str, ".") || g_str_equal (clean->str, ".."))
    return g_strdup ("file");
  return g_strdup (clean->str);
}

static const char *
extension_of (const char *type)
{
  static const struct { const char *type; const char *ext; } table[] = {
    { "image/png", "png" }, { "image/jpeg", "jpg" }, { "image/gif", "gif" },
    { "image/webp", "webp" }, { "image/svg+xml", "svg" }, { "application/pdf", "pdf" },
    { "text/plain", "txt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (table[i].type, type))
      return table[i].ext;
  return "bin";
}

char *
_suda_files_new_id (const char *type)
{
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  char id[ID_LETTERS + 1];

  /* 26 of 36 letters: about 134 bits, not to be guessed. */
  for (guint i = 0; i < ID_LETTERS; i++)
    id[i] = letters[g_random_int_range (0, sizeof letters - 1)];
  id[ID_LETTERS] = '\0';
  return g_strdup_printf ("%s.%s", id, extension_of (type));
}

gboolean
_suda_files_id_valid (const char *id)
{
  guint i;

  for (i = 0; i < ID_LETTERS; i++)
    if (!g_ascii_islower (id[i]) && !g_ascii_isdigit (id[i]))
      return FALSE;
  if (id[i++] != '.')
    return FALSE;
  if (id[i] == '\0' || strlen (id + i) > 5)
    return FALSE;
  for (; id[i] != '\0'; i++)
    if (!g_ascii_islower (id[i]) && !g_ascii_isdigit (id[i]))
      return FALSE;
  return TRUE;
}

/* Writing ---------------------------------------------------------------- */

static char *
info_to_json (SudaStoredFile *file)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, file->name);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, file->type);
  json_builder_set_member_name (builder, "uploader");
  json_builder_add_string_value (builder, file->uploader);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, file->size);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

typedef struct {
  char   *folder;
  char   *id;
  GBytes *data;
  char   *info;
} WriteJob;

static void
write_job_free (WriteJob *job)
{
  g_free (job->folder);
  g_free (job->id);
  g_bytes_unref (job->data);
  g_free (job->info);
  g_free (job);
}

/* The description goes first: a file is never served without one. */
static void
write_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  WriteJob *job = data;
  g_autofree char *path = g_build_filename (job->folder, job->id, NULL);
  g_autofree char *info_path = g_strconcat (path, ".json", NULL);
  GError *error = NULL;

  if (g_mkdir_with_parents (job->folder, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               "%s: %s", job->folder, g_strerror (saved));
      return;
    }
  if (!g_file_set_contents_full (info_path, job->info, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error) ||
      !g_file_set_contents_full (path, g_bytes_get_data (job->data, NULL), g_bytes_get_size (job->data),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_unlink (info_path);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
_suda_files_write_async (const char          *folder,
                         const char          *id,
                         GBytes              *data,
                         SudaStoredFile      *file,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  WriteJob *job = g_new0 (WriteJob, 1);

  g_task_set_source_tag (task, _suda_files_write_async);
  job->folder = g_strdup (folder);
  job->id = g_strdup (id);
  job->data = g_bytes_ref (data);
  job->info = info_to_json (file);
  g_task_set_task_data (task, job, (GDestroyNotify) write_job_free);
  suda_task_run_in_thread (task, write_in_thread);
}

gboolean
_suda_files_write_finish (GAsyncResult  *result,
                          GError       **error)
{
  return suda_task_propagate_boolean (G_TASK (result), error);
}

/* Reading ---------------------------------------------------------------- */

SudaStoredFile *
_suda_files_read_info (const char *folder,
                       const char *id)
{
  g_autofree char *path = g_strconcat (folder, G_DIR_SEPARATOR_S, id, ".json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  SudaStoredFile *file;

  if (!_suda_files_id_valid (id) || !json_parser_load_from_mapped_file (parser, path, NULL))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  file = g_new0 (SudaStoredFile, 1);
  file->name = g_strdup (json_object_get_string_member_with_default (object, "name", "file"));
  file->type = g_strdup (json_object_get_string_member_with_default (object, "type", "application/octet-stream"));
  file->uploader = g_strdup (json_object_get_string_member_with_default (object, "uploader", ""));
  file->size = json_object_get_int_member_with_default (object, "size", 0);
  return file;
}

/* The sweep -------------------------------------------------------------- */

guint
_suda_files_sweep (const char *folder,
                   gint64      cutoff)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint n = 0;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autofree char *info_path = NULL;
      GStatBuf st;

      /* Only what this folder's ids name: another file put here stays. */
      if (!_suda_files_id_valid (name) || g_stat (path, &st) != 0 || st.st_mtime >= cutoff)
        continue;
      info_path = g_strconcat (path, ".json", NULL);
      if (g_unlink (path) == 0)
        n++;
      g_unlink (info_path);
    }
  return n;
}

static void
sweep_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  const char *folder = data;
  gint64 cutoff = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "cutoff"));

  g_task_return_int (task, _suda_files_sweep (folder, cutoff));
}

/* A big folder takes a while to list: not on the main loop. */
void
_suda_files_sweep_async (const char *folder,
                         gint64      cutoff)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, _suda_files_sweep_async);
  g_task_set_task_data (task, g_strdup (folder), g_free);
  g_object_set_data (G_OBJECT (task), "cutoff", GSIZE_TO_POINTER ((gsize) cutoff));
  suda_task_run_in_thread (task, sweep_in_thread);
}
