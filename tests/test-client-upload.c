/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sharing a file from the client window, under Xvfb, beside a real server
 * with its file host ([files] port=auto): a dropped file and a pasted
 * image open the preview; Send uploads and posts the link; the history
 * shows the image as a thumbnail; other hosts' images wait for a click;
 * a server without files says so.  With SUDA_TEST_SCREENSHOTS=DIR the
 * preview and the row are saved there, light and dark. */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "suda-message.h"
#include "suda-message-row.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-test-window.h"
#include "suda-upload-dialog.h"
#include "suda-window-private.h"

typedef struct {
  SudaTestWindow  w;
  char           *home;     /* the picture to share */
  char           *folder;   /* the server's files */
} Fixture;

static SudaServer *
file_server (const char *folder)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GError) error = NULL;

  if (folder != NULL)
    {
      suda_server_config_set_value (config, "files", "port", "auto", &error);
      g_assert_no_error (error);
      suda_server_config_set_value (config, "files", "folder", folder, &error);
      g_assert_no_error (error);
    }
  return suda_test_server_new (config);
}

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  f->home = suda_test_make_tmpdir ();
  f->folder = g_build_filename (f->home, "files", NULL);
  suda_test_window_open_on (&f->w, 1000, file_server (f->folder));
  suda_test_window_connect (&f->w, "alice");
}

static void
remove_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_unlink (path);
    }
  g_rmdir (folder);
}

static guint
count_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  suda_test_window_close (&f->w);
  remove_folder (f->folder);
  remove_folder (f->home);
  g_free (f->folder);
  g_free (f->home);
}

/* A picture worth looking at: a soft gradient, 240×150. */
static GdkTexture *
make_picture (void)
{
  const int width = 240, height = 150;
  g_autofree guchar *pixels = g_malloc (width * height * 3);
  g_autoptr(GBytes) bytes = NULL;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = pixels + (y * width + x) * 3;

        p[0] = 60 + x * 150 / width;
        p[1] = 120 + y * 100 / height;
        p[2] = 220 - x * 80 / width;
      }
  bytes = g_bytes_new_take (g_steal_pointer (&pixels), width * height * 3);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, width * 3);
}

static GFile *
write_picture (Fixture *f)
{
  g_autoptr(GdkTexture) texture = make_picture ();
  g_autofree char *path = g_build_filename (f->home, "sunset.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) png = gdk_texture_save_to_png_bytes (texture);

  g_assert_true (g_file_replace_contents (file, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                          NULL, FALSE, 0, NULL, NULL, NULL));
  return g_steal_pointer (&file);
}

/* What a drop of FILE on the history does, through its own drop target. */
static void
drop_file (Fixture *f,
           GFile   *file)
{
  GtkWidget *scroller = suda_test_window_child (&f->w, "history_scroller");
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (scroller);
  GValue value = G_VALUE_INIT;
  gboolean taken = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (&file, 1));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        g_signal_emit_by_name (controller, "drop", &value, 20.0, 20.0, &taken);
    }
  g_value_unset (&value);
  g_assert_true (taken);
}

static gboolean
dialog_shown (gpointer data)
{
  return suda_test_gtk_find_window (SUDA_TYPE_UPLOAD_DIALOG) != NULL;
}

static gpointer
dialog_child (GtkWindow  *dialog,
              const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (dialog), SUDA_TYPE_UPLOAD_DIALOG, name);
}

/* The history row of the message whose text has NEEDLE, or NULL. */
static SudaMessageRow *
find_row (GtkWidget  *widget,
          const char *needle)
{
  if (SUDA_IS_MESSAGE_ROW (widget))
    {
      SudaMessage *message = suda_message_row_get_message (SUDA_MESSAGE_ROW (widget));

      if (message != NULL && strstr (suda_message_get_text (message) ? suda_message_get_text (message) : "", needle))
        return SUDA_MESSAGE_ROW (widget);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      SudaMessageRow *found = find_row (c, needle);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gpointer
row_child (SudaMessageRow *row,
           const char     *name)
{
  if (g_str_equal (name, "thumbnail"))
    return suda_message_row_get_thumbnail (row);
  return suda_message_row_get_show_images_button (row);
}

typedef struct {
  Fixture    *f;
  const char *needle;
} RowWait;

static gboolean
thumbnail_shown (gpointer data)
{
  RowWait *w = data;
  SudaMessageRow *row = find_row (suda_test_window_child (&w->f->w, "history_list"), w->needle);
  GtkPicture *picture = row ? row_child (row, "thumbnail") : NULL;

  return picture != NULL && gtk_widget_get_visible (GTK_WIDGET (picture)) &&
         GDK_IS_TEXTURE (gtk_picture_get_paintable (picture));
}

static gboolean
row_shown (gpointer data)
{
  RowWait *w = data;

  return find_row (suda_test_window_child (&w->f->w, "history_list"), w->needle) != NULL;
}

/* SUDA_TEST_SCREENSHOTS=DIR: WIDGET's window as DIR/NAME-STYLE.png, in
 * both styles. */
static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *dir = g_getenv ("SUDA_TEST_SCREENSHOTS");
  static const char * const styles[] = { "light", "dark" };
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (dir == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s-%s.png", name, styles[i]);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autoptr(GdkPaintable) paintable = NULL;
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      g_autoptr(GdkTexture) texture = NULL;
      SudaTestFrame frame;

      adw_style_manager_set_color_scheme (manager, i == 0 ? ADW_COLOR_SCHEME_FORCE_LIGHT
                                                          : ADW_COLOR_SCHEME_FORCE_DARK);
      suda_test_gtk_frame_init (&frame, widget);
      g_assert_true (suda_test_wait_until (suda_test_gtk_frame_painted, &frame, 5000));
      paintable = gtk_widget_paintable_new (widget);
      gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, NULL);
      g_assert_true (gdk_texture_save_to_png (texture, path));
    }
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_drop_send_thumbnail (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = suda_test_client_register_joined (suda_server_get_port (f->w.server),
                                                                    "bob", NULL, "#lab");
  g_autoptr(GFile) file = write_picture (f);
  g_autofree char *line = NULL;
  GtkWindow *dialog;
  RowWait wait = { f, "/files/" };
  SudaMessageRow *row;

  drop_file (f, file);
  g_assert_true (suda_test_wait_until (dialog_shown, NULL, 5000));
  dialog = suda_test_gtk_find_window (SUDA_TYPE_UPLOAD_DIALOG);
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "preview")));
  g_assert_true (GDK_IS_TEXTURE (gtk_picture_get_paintable (dialog_child (dialog, "preview"))));
  g_assert_cmpstr (gtk_label_get_text (dialog_child (dialog, "name_label")), ==, "sunset.png");
  screenshot (GTK_WIDGET (dialog), "client-share");

  g_signal_emit_by_name (dialog_child (dialog, "send_button"), "clicked");
  line = suda_test_client_expect (bob, ":alice!* PRIVMSG #lab :http://127.0.0.1:*/files/*.png");
  g_assert_false (dialog_shown (NULL));

  /* The link's own picture, from the chat's own file host. */
  g_assert_true (suda_test_wait_until (thumbnail_shown, &wait, 5000));
  row = find_row (suda_test_window_child (&f->w, "history_list"), "/files/");
  g_assert_false (gtk_widget_get_visible (row_child (row, "show_images_button")));
  g_assert_cmpint (gdk_texture_get_width (GDK_TEXTURE (gtk_picture_get_paintable (row_child (row, "thumbnail")))), ==, 240);
  screenshot (GTK_WIDGET (f->w.window), "client-thumbnail");
}

static void
test_paste_then_cancel (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = suda_test_client_register_joined (suda_server_get_port (f->w.server),
                                                                    "bob", NULL, "#lab");
  g_autoptr(GdkTexture) texture = make_picture ();
  GtkWidget *input = suda_test_window_child (&f->w, "input_view");
  GtkWindow *dialog;

  gdk_clipboard_set_texture (gtk_widget_get_clipboard (input), texture);
  g_signal_emit_by_name (input, "paste-clipboard");
  g_assert_true (suda_test_wait_until (dialog_shown, NULL, 5000));
  dialog = suda_test_gtk_find_window (SUDA_TYPE_UPLOAD_DIALOG);
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "preview")));
  g_signal_emit_by_name (dialog_child (dialog, "cancel_button"), "clicked");
  g_assert_false (dialog_shown (NULL));
  /* Nothing went to the room, and nothing to the server's folder. */
  suda_test_client_expect_nothing_before_sync (bob, "*PRIVMSG*");
  g_assert_cmpuint (count_files (f->folder), ==, 0);
}

/* Another host's image is a button until the person allows that host. */
static void
test_other_host_waits (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = suda_test_client_register_joined (suda_server_get_port (f->w.server),
                                                                    "bob", NULL, "#lab");
  RowWait wait = { f, "example.invalid" };
  SudaMessageRow *row;

  suda_test_client_send (bob, "PRIVMSG #lab :look http://example.invalid/cat.png");
  g_assert_true (suda_test_wait_until (row_shown, &wait, 5000));
  row = find_row (suda_test_window_child (&f->w, "history_list"), "example.invalid");
  g_assert_true (gtk_widget_get_visible (row_child (row, "show_images_button")));
  g_assert_cmpstr (gtk_button_get_label (row_child (row, "show_images_button")), ==,
                   "Show images from example.invalid");
  g_assert_false (gtk_widget_get_visible (row_child (row, "thumbnail")));
}

static void
test_server_without_files (void)
{
  SudaTestWindow w = { 0 };
  g_autofree char *folder = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (folder, "notes.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_true (g_file_set_contents (path, "hello\n", -1, NULL));
  suda_test_window_open_on (&w, 1000, file_server (NULL));
  suda_test_window_connect (&w, "alice");
  _suda_window_share_file (w.window, file);
  g_assert_nonnull (suda_test_find_label (GTK_WIDGET (w.window), "This server does not take files"));
  g_assert_false (dialog_shown (NULL));
  suda_test_window_close (&w);
  g_unlink (path);
  g_rmdir (folder);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("no display: run under xvfb-run\n");
      return 77;
    }
  adw_init ();

  g_test_add ("/client/upload/drop-send-thumbnail", Fixture, NULL, set_up, test_drop_send_thumbnail, tear_down);
  g_test_add ("/client/upload/paste-then-cancel", Fixture, NULL, set_up, test_paste_then_cancel, tear_down);
  g_test_add ("/client/upload/other-host-waits", Fixture, NULL, set_up, test_other_host_waits, tear_down);
  g_test_add_func ("/client/upload/server-without-files", test_server_without_files);
  return g_test_run ();
}
