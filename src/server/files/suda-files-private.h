/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the file host's two halves share: the HTTP side
 * (suda-file-host.c) and the folder of files (suda-file-store.c). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What is known of a stored file, kept beside it in ID.json. */
typedef struct {
  char   *name;       /* as the uploader named it, cleaned */
  char   *type;       /* the content type found from its bytes */
  char   *uploader;   /* nick or account */
  gint64  size;
} SudaStoredFile;

void      _suda_stored_file_free      (SudaStoredFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaStoredFile, _suda_stored_file_free)

/* The type of DATA found from its bytes (NAME helps only when they say
 * little, as plain text's do). */
char     *_suda_files_sniff           (GBytes         *data,
                                       const char     *name);
/* Whether TYPE is in ALLOWED ("image/png text/plain", or a whole family as image and a star). */
gboolean  _suda_files_type_allowed    (const char     *allowed,
                                       const char     *type);
/* A file name fit to keep and to send back in a header: no folders, no
 * control characters, at most 200 bytes; "file" when nothing is left. */
char     *_suda_files_clean_name      (const char     *name);
/* A fresh random id with the extension of TYPE: 26 letters and digits,
 * a dot, the extension. */
char     *_suda_files_new_id          (const char     *type);
/* Whether ID could be one _suda_files_new_id() made (so no path can
 * leave the folder). */
gboolean  _suda_files_id_valid        (const char     *id);

/* Writes DATA and FILE's description as ID in FOLDER, asynchronously. */
void      _suda_files_write_async     (const char     *folder,
                                       const char     *id,
                                       GBytes         *data,
                                       SudaStoredFile *file,
                                       GAsyncReadyCallback callback,
                                       gpointer        user_data);
gboolean  _suda_files_write_finish    (GAsyncResult   *result,
                                       GError        **error);
/* ID's description, or NULL when there is no such file. */
SudaStoredFile *_suda_files_read_info (const char     *folder,
                                       const char     *id);
/* Deletes what is older than CUTOFF (unix seconds); returns how many. */
guint     _suda_files_sweep           (const char     *folder,
                                       gint64          cutoff);
void      _suda_files_sweep_async     (const char     *folder,
                                       gint64          cutoff);

G_END_DECLS
