/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sharing files: a file dropped on the conversation, or an image pasted
 * into the entry, opens the upload window (suda-upload-dialog.c) when the
 * server takes files (soju.im/FILEHOST), and says it does not otherwise. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-thumbnail-loader.h"
#include "suda-upload-dialog.h"
#include "suda-window-private.h"

/* The shown conversation's server's file host, or NULL. */
static const char *
filehost_of_shown (SudaWindow *self)
{
  if (self->client == NULL || self->shown == NULL)
    return NULL;
  return suda_connection_get_filehost (suda_client_get_connection (self->client));
}

void
_suda_window_files_trust (SudaWindow *self)
{
  const char *filehost = filehost_of_shown (self);
  SudaConnection *connection;

  if (filehost == NULL)
    return;
  connection = suda_client_get_connection (self->client);
  suda_thumbnail_loader_trust_origin (suda_thumbnail_loader_get_default (), filehost,
                                      suda_connection_get_certificate (connection));
}

static void
say_no_files (SudaWindow *self)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("This server does not take files")));
}

void
_suda_window_share (SudaWindow *self,
                    GBytes     *data,
                    const char *name,
                    GdkTexture *preview)
{
  SudaUploadDialog *dialog;

  if (filehost_of_shown (self) == NULL)
    {
      say_no_files (self);
      return;
    }
  _suda_window_files_trust (self);
  dialog = suda_upload_dialog_new (GTK_WINDOW (self), self->client, self->shown, data, name, preview);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_file_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(SudaWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  char *contents = NULL;
  gsize len = 0;
  g_autoptr(GBytes) bytes = NULL;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &len, NULL, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  bytes = g_bytes_new_take (contents, len);
  _suda_window_share (self, bytes, name, NULL);
}

void
_suda_window_share_file (SudaWindow *self,
                         GFile      *file)
{
  if (filehost_of_shown (self) == NULL)
    {
      say_no_files (self);
      return;
    }
  g_file_load_contents_async (file, NULL, on_file_loaded, g_object_ref (self));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         SudaWindow    *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  /* One file a time: each gets its own look before it is sent. */
  if (files != NULL)
    _suda_window_share_file (self, files->data);
  g_slist_free (files);
  return files != NULL;
}

static void
on_texture_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(SudaWindow) self = data;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, NULL);
  g_autoptr(GBytes) png = NULL;

  if (texture == NULL)
    return;
  png = gdk_texture_save_to_png_bytes (texture);
  /* Translators: the name given to an image pasted from the clipboard */
  _suda_window_share (self, png, _("pasted-image.png"), texture);
}

/* An image on the clipboard (a screenshot, say) is shared; text pastes
 * as it always did. */
static void
on_paste (GtkTextView *view,
          SudaWindow  *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (view));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (!gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE) ||
      gdk_content_formats_contain_mime_type (formats, "text/plain;charset=utf-8") ||
      gdk_content_formats_contain_mime_type (formats, "text/plain"))
    return;
  g_signal_stop_emission_by_name (view, "paste-clipboard");
  gdk_clipboard_read_texture_async (clipboard, NULL, on_texture_read, g_object_ref (self));
}

void
_suda_window_files_init (SudaWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect_object (target, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->history_scroller), GTK_EVENT_CONTROLLER (target));
  g_signal_connect_object (self->input_view, "paste-clipboard", G_CALLBACK (on_paste), self, 0);
}
