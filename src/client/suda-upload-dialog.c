/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window between dropping (or pasting) a file and sharing it: what it
 * is, Send or Cancel; then the upload's progress, and the link posted in
 * the conversation it was meant for. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-upload.h"
#include "suda-upload-dialog.h"

struct _SudaUploadDialog
{
  AdwWindow         parent_instance;

  /* Template widgets */
  GtkWidget        *cancel_button;
  GtkWidget        *send_button;
  GtkPicture       *preview;
  GtkWidget        *file_icon;
  GtkLabel         *name_label;
  GtkLabel         *detail_label;
  GtkProgressBar   *progress_bar;
  GtkLabel         *error_label;

  /* Owned */
  SudaClient       *client;
  SudaConversation *conversation;
  GBytes           *data;
  char             *name;
  SudaUpload       *upload;
  GCancellable     *cancellable;
  char             *link;
};

G_DEFINE_FINAL_TYPE (SudaUploadDialog, suda_upload_dialog, ADW_TYPE_WINDOW)

static void
on_progress (SudaUpload       *upload,
             GParamSpec       *pspec,
             SudaUploadDialog *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, suda_upload_get_progress (upload));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(SudaUploadDialog) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *link = suda_upload_send_finish (SUDA_UPLOAD (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  if (link == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      gtk_button_set_label (GTK_BUTTON (self->send_button), _("_Try Again"));
      gtk_widget_set_sensitive (self->send_button, TRUE);
      return;
    }
  self->link = g_steal_pointer (&link);
  suda_client_submit (self->client, self->conversation, self->link);
  gtk_window_close (GTK_WINDOW (self));
}

static void
send_clicked_cb (SudaUploadDialog *self)
{
  SudaConnection *connection = suda_client_get_connection (self->client);

  gtk_widget_set_sensitive (self->send_button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  if (self->upload == NULL)
    {
      self->upload = suda_upload_new (connection, self->data, self->name);
      g_signal_connect_object (self->upload, "notify::progress", G_CALLBACK (on_progress), self, 0);
    }
  self->cancellable = g_cancellable_new ();
  suda_upload_send_async (self->upload, self->cancellable, on_sent, g_object_ref (self));
}

static void
cancel_clicked_cb (SudaUploadDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
suda_upload_dialog_dispose (GObject *object)
{
  SudaUploadDialog *self = SUDA_UPLOAD_DIALOG (object);

  /* Closed while sending: the upload stops. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->upload);
  g_clear_object (&self->client);
  g_clear_object (&self->conversation);
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_UPLOAD_DIALOG);
  G_OBJECT_CLASS (suda_upload_dialog_parent_class)->dispose (object);
}

static void
suda_upload_dialog_finalize (GObject *object)
{
  SudaUploadDialog *self = SUDA_UPLOAD_DIALOG (object);

  g_clear_pointer (&self->data, g_bytes_unref);
  g_free (self->name);
  g_free (self->link);
  G_OBJECT_CLASS (suda_upload_dialog_parent_class)->finalize (object);
}

static void
suda_upload_dialog_class_init (SudaUploadDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_upload_dialog_dispose;
  object_class->finalize = suda_upload_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Suda/suda-upload-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaUploadDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SudaUploadDialog, send_button);
  gtk_widget_class_bind_template_child (widget_class, SudaUploadDialog, preview);
  gtk_widget_class_bind_template_child (widget_class, SudaUploadDialog, file_icon);
  gtk_widget_class_bind_template_child (widget_class, SudaUploadDialog, name_label);
  gtk_widget_class_bind_template_child (widget_class, SudaUploadDialog, detail_label);
  gtk_widget_class_bind_template_child (widget_class, SudaUploadDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SudaUploadDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, send_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
suda_upload_dialog_init (SudaUploadDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* A picture for an image; the type's icon for the rest. */
static void
show_what (SudaUploadDialog *self,
           GdkTexture       *preview)
{
  gsize size = 0;
  gconstpointer bytes = g_bytes_get_data (self->data, &size);
  g_autofree char *type = g_content_type_guess (self->name, bytes, size, NULL);
  g_autofree char *human_size = g_format_size (size);
  g_autofree char *description = g_content_type_get_description (type);
  g_autofree char *detail = g_strdup_printf ("%s · %s", description, human_size);
  g_autoptr(GdkTexture) decoded = NULL;
  g_autoptr(GIcon) icon = g_content_type_get_symbolic_icon (type);

  if (preview == NULL && g_content_type_is_a (type, "image/*"))
    preview = decoded = gdk_texture_new_from_bytes (self->data, NULL);
  if (preview != NULL)
    {
      gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (preview));
      gtk_widget_set_visible (GTK_WIDGET (self->preview), TRUE);
      gtk_widget_set_visible (self->file_icon, FALSE);
    }
  else
    gtk_image_set_from_gicon (GTK_IMAGE (self->file_icon), icon);
  gtk_label_set_text (self->name_label, self->name);
  gtk_label_set_text (self->detail_label, detail);
}

SudaUploadDialog *
suda_upload_dialog_new (GtkWindow        *parent,
                        SudaClient       *client,
                        SudaConversation *conversation,
                        GBytes           *data,
                        const char       *name,
                        GdkTexture       *preview)
{
  SudaUploadDialog *self;

  g_return_val_if_fail (SUDA_IS_CLIENT (client), NULL);
  g_return_val_if_fail (SUDA_IS_CONVERSATION (conversation), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  self = g_object_new (SUDA_TYPE_UPLOAD_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->conversation = g_object_ref (conversation);
  self->data = g_bytes_ref (data);
  self->name = g_strdup (name ? name : _("file"));
  show_what (self, preview);
  return self;
}

const char *
suda_upload_dialog_get_link (SudaUploadDialog *self)
{
  g_return_val_if_fail (SUDA_IS_UPLOAD_DIALOG (self), NULL);
  return self->link;
}
