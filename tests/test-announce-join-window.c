/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console's "Join the chat" window: an invite link per address of
 * the machine and for its NAME.local, each copied by its button and
 * shown as a QR code a phone reads back as the link; full screen for the
 * projector, which Escape leaves before it closes the window. */
#include "config.h"

#include <glib/gstdio.h>

#include "suda-console-join-window.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"

#define WEB_URL "http://192.0.2.7:8080/"

static SudaConsoleJoinWindow *
open_join_window (const char *listen,
                  guint16     port,
                  guint16     tls_port)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GError) error = NULL;
  SudaConsoleJoinWindow *join;

  suda_server_config_set_value (config, "server", "default-channel", "#lab", NULL);
  if (listen != NULL)
    suda_server_config_set_value (config, "server", "listen", listen, NULL);
  join = suda_console_join_window_new (NULL, WEB_URL, &error);
  g_assert_no_error (error);
  suda_console_join_window_add_invites (join, config, port, tls_port);
  gtk_window_present (GTK_WINDOW (join));
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, join, 5000));
  return join;
}

static GtkListBox *
find_list (GtkWidget *widget)
{
  if (GTK_IS_LIST_BOX (widget))
    return GTK_LIST_BOX (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkListBox *found = find_list (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_icon_button (GtkWidget  *widget,
                  const char *icon)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), icon) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_icon_button (child, icon);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button_named (SudaConsoleJoinWindow *join,
                   const char            *icon)
{
  GtkWidget *button = find_icon_button (GTK_WIDGET (join), icon);

  g_assert_nonnull (button);
  return button;
}

/* What a phone's camera reads off TEXTURE: zbarimg decodes it. */
static char *
scan_code (GdkTexture *texture)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "code.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status;

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_assert_true (g_spawn_sync (NULL, (char *[]) { "zbarimg", "--quiet", "--raw", path, NULL }, NULL,
                               G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (path);
  return g_strchomp (g_steal_pointer (&out));
}

static void
clipboard_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  *(char **) data = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* Every way in listed, the web page first; the machine's NAME.local
 * last; a row's button copies its link, a click shows its code. */
static void
test_invite_links (void)
{
  SudaConsoleJoinWindow *join = open_join_window (NULL, 6667, 0);
  g_auto(GStrv) links = suda_console_join_window_dup_links (join);
  g_autofree char *local = g_strdup_printf ("irc://%s.local:6667/#lab", g_get_host_name ());
  guint n = g_strv_length (links);
  GtkListBox *list = find_list (GTK_WIDGET (join));
  GtkListBoxRow *row;
  g_autofree char *copied = NULL;
  g_autofree char *scanned = NULL;

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (links[0], ==, WEB_URL);
  g_assert_cmpstr (links[n - 1], ==, local);
  for (guint i = 1; i < n; i++)
    {
      g_assert_true (g_str_has_prefix (links[i], "irc://"));
      g_assert_true (g_str_has_suffix (links[i], ":6667/#lab"));
      g_assert_false (g_str_has_prefix (links[i], "irc://127."));
    }
  g_assert_cmpstr (suda_console_join_window_get_shown (join), ==, WEB_URL);

  row = gtk_list_box_get_row_at_index (list, n - 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, local);
  g_signal_emit_by_name (find_button (GTK_WIDGET (row)), "clicked");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (join)), NULL, clipboard_read_cb, &copied);
  g_assert_true (suda_test_wait_until (pointer_set, &copied, 5000));
  g_assert_cmpstr (copied, ==, local);

  gtk_widget_activate (GTK_WIDGET (row));
  g_assert_cmpstr (suda_console_join_window_get_shown (join), ==, local);
  g_assert_nonnull (suda_test_find_label (GTK_WIDGET (join), local));
  scanned = scan_code (suda_console_join_window_get_code (join));
  g_assert_cmpstr (scanned, ==, local);
  gtk_window_destroy (GTK_WINDOW (join));
}

/* With TLS the links are ircs:// on the TLS port; a server bound to one
 * address is offered there only. */
static void
test_tls_and_one_address (void)
{
  SudaConsoleJoinWindow *join = open_join_window ("192.0.2.7", 6667, 6697);
  g_auto(GStrv) links = suda_console_join_window_dup_links (join);

  g_assert_cmpuint (g_strv_length (links), ==, 2);
  g_assert_cmpstr (links[1], ==, "ircs://192.0.2.7:6697/#lab");
  gtk_window_destroy (GTK_WINDOW (join));
}

static void
note_destroyed (gpointer  data,
                GObject  *where)
{
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* "Show full screen" for the projector; Escape leaves it, and only a
 * second Escape closes the window. */
static void
test_full_screen_and_escape (void)
{
  SudaConsoleJoinWindow *join = open_join_window (NULL, 6667, 0);
  gboolean destroyed = FALSE;

  g_object_weak_ref (G_OBJECT (join), note_destroyed, &destroyed);
  /* Xvfb has no window manager to confirm it: what was asked is what
   * the window goes by. */
  gtk_widget_activate_action (GTK_WIDGET (join), "join.toggle-fullscreen", NULL);
  g_assert_true (suda_console_join_window_get_full_screen (join));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (find_button_named (join, "view-restore-symbolic")), ==,
                   "Leave Full Screen (Escape)");
  gtk_widget_activate_action (GTK_WIDGET (join), "join.escape", NULL);
  g_assert_false (suda_console_join_window_get_full_screen (join));
  suda_test_gtk_drain ();
  g_assert_false (destroyed);
  gtk_widget_activate_action (GTK_WIDGET (join), "join.escape", NULL);
  g_assert_true (suda_test_wait_until (flag_set, &destroyed, 5000));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/announce/join-window/invite-links", test_invite_links);
  g_test_add_func ("/announce/join-window/tls-and-one-address", test_tls_and_one_address);
  g_test_add_func ("/announce/join-window/full-screen-and-escape", test_full_screen_and_escape);
  return g_test_run ();
}
