/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Join from a phone": the web page's address and its QR code, big enough
 * to scan from the back of a classroom. */
#include "config.h"

#include "suda-console-join-window.h"
#include "suda-qr-code.h"

/* Pixels per module: a short URL's code is then about 300 px, and the
 * picture scales it up with the window. */
#define MODULE_PX 8

struct _SudaConsoleJoinWindow
{
  AdwWindow   parent_instance;

  /* Template widgets */
  GtkPicture *code_picture;
  GtkLabel   *url_label;

  /* Owned */
  GdkTexture *code;
};

G_DEFINE_FINAL_TYPE (SudaConsoleJoinWindow, suda_console_join_window, ADW_TYPE_WINDOW)

static void
suda_console_join_window_dispose (GObject *object)
{
  SudaConsoleJoinWindow *self = SUDA_CONSOLE_JOIN_WINDOW (object);

  g_clear_object (&self->code);
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_CONSOLE_JOIN_WINDOW);
  G_OBJECT_CLASS (suda_console_join_window_parent_class)->dispose (object);
}

static void
suda_console_join_window_class_init (SudaConsoleJoinWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_console_join_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Server/suda-console-join-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleJoinWindow, code_picture);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleJoinWindow, url_label);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
suda_console_join_window_init (SudaConsoleJoinWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SudaConsoleJoinWindow *
suda_console_join_window_new (GtkWindow   *parent,
                              const char  *url,
                              GError     **error)
{
  g_autoptr(GdkTexture) code = suda_qr_code_new_texture (url, MODULE_PX, error);
  SudaConsoleJoinWindow *self;

  if (code == NULL)
    return NULL;
  self = g_object_new (SUDA_TYPE_CONSOLE_JOIN_WINDOW, "transient-for", parent, NULL);
  self->code = g_steal_pointer (&code);
  gtk_picture_set_paintable (self->code_picture, GDK_PAINTABLE (self->code));
  gtk_label_set_text (self->url_label, url);
  return self;
}

GdkTexture *
suda_console_join_window_get_code (SudaConsoleJoinWindow *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_JOIN_WINDOW (self), NULL);
  return self->code;
}
