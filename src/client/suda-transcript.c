/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "suda-irc-message.h"
#include "suda-transcript.h"

struct _SudaTranscript
{
  GObject     parent_instance;

  char       *dir;        /* BASE_DIR/HOST */
  GHashTable *streams;    /* file name → GOutputStream, opened on first use */
};

G_DEFINE_FINAL_TYPE (SudaTranscript, suda_transcript, G_TYPE_OBJECT)

static void
suda_transcript_finalize (GObject *object)
{
  SudaTranscript *self = SUDA_TRANSCRIPT (object);

  g_clear_pointer (&self->streams, g_hash_table_unref);
  g_clear_pointer (&self->dir, g_free);
  G_OBJECT_CLASS (suda_transcript_parent_class)->finalize (object);
}

static void
suda_transcript_class_init (SudaTranscriptClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = suda_transcript_finalize;
}

static void
suda_transcript_init (SudaTranscript *self)
{
  self->streams = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* A name from the network must not climb out of the folder or hide itself:
 * path separators and control characters become '_', and so does a leading
 * dot.  Rooms differing only in case share one file, as they are one room. */
char *
suda_transcript_safe_name (const char *name)
{
  g_autofree char *folded = suda_irc_casefold (name && *name ? name : "_");
  GString *out = g_string_new (NULL);

  for (const char *p = folded; *p; p++)
    {
      if (*p == '/' || *p == '\\' || (guchar) *p < 0x20 || *p == 0x7f || (p == folded && *p == '.'))
        g_string_append_c (out, '_');
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
suda_transcript_dup_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "suda", "logs", NULL);
}

char *
suda_transcript_dup_network (const char *host,
                             guint16     port)
{
  g_return_val_if_fail (host != NULL, NULL);
  if (port == 0 || port == 6667 || port == 6697)
    return g_strdup (host);
  return g_strdup_printf ("%s:%u", host, port);
}

SudaTranscript *
suda_transcript_new (const char *base_dir,
                     const char *host,
                     guint16     port)
{
  SudaTranscript *self;
  g_autofree char *default_dir = NULL;
  g_autofree char *network = NULL;
  g_autofree char *safe_network = NULL;

  g_return_val_if_fail (host != NULL, NULL);

  if (base_dir == NULL)
    base_dir = default_dir = suda_transcript_dup_default_dir ();
  network = suda_transcript_dup_network (host, port);
  safe_network = suda_transcript_safe_name (network);
  self = g_object_new (SUDA_TYPE_TRANSCRIPT, NULL);
  self->dir = g_build_filename (base_dir, safe_network, NULL);
  return self;
}

char *
suda_transcript_dup_path (SudaTranscript *self,
                          const char     *conversation)
{
  g_autofree char *safe = suda_transcript_safe_name (conversation);
  g_autofree char *file_name = g_strconcat (safe, ".jsonl", NULL);

  g_return_val_if_fail (SUDA_IS_TRANSCRIPT (self), NULL);
  return g_build_filename (self->dir, file_name, NULL);
}

gboolean
suda_transcript_append (SudaTranscript  *self,
                        const char      *conversation,
                        SudaLogEntry    *entry,
                        GError         **error)
{
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *line = NULL;
  GOutputStream *stream;

  g_return_val_if_fail (SUDA_IS_TRANSCRIPT (self), FALSE);
  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (entry), FALSE);

  path = suda_transcript_dup_path (self, conversation);
  stream = g_hash_table_lookup (self->streams, path);
  if (stream == NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      /* Transcripts are personal: the folder is readable by the owner only. */
      if (g_mkdir_with_parents (self->dir, 0700) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "%s: %s", self->dir, g_strerror (errno));
          return FALSE;
        }
      stream = G_OUTPUT_STREAM (g_file_append_to (file, G_FILE_CREATE_PRIVATE, NULL, error));
      if (stream == NULL)
        return FALSE;
      g_hash_table_insert (self->streams, g_strdup (path), stream);
    }

  json = suda_log_entry_to_line (entry);
  line = g_strconcat (json, "\n", NULL);
  /* One write per line: a crash loses at most the line being written. */
  if (!g_output_stream_write_all (stream, line, strlen (line), NULL, NULL, error))
    {
      g_hash_table_remove (self->streams, path);
      return FALSE;
    }
  return TRUE;
}
