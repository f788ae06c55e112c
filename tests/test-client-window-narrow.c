/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client window at a phone's width and at a desktop's, under Xvfb. */
#include "config.h"

#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-test-window.h"
#include "suda-window.h"

typedef SudaTestWindow Fixture;

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  suda_test_window_close (f);
}

static gboolean
frame_painted_after_change (Fixture *f)
{
  SudaTestFrame frame;

  suda_test_gtk_frame_init (&frame, GTK_WIDGET (f->window));
  return suda_test_wait_until (suda_test_gtk_frame_painted, &frame, 5000);
}

/* At 360 px both lists are folded away, the window is no wider than the
 * screen asked for, and the entry still sends; the sidebar comes back
 * over the history from its header button. */
static void
test_works_at_360 (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = NULL;
  AdwFlap *sidebar, *members;
  GtkWidget *input, *header;
  int min_width;

  suda_test_window_open (f, 360);
  sidebar = suda_test_window_child (f, "sidebar_flap");
  members = suda_test_window_child (f, "members_flap");
  input = suda_test_window_child (f, "input_view");
  gtk_widget_measure (GTK_WIDGET (f->window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  g_assert_cmpint (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (f->window))), <=, 360);
  g_assert_true (adw_flap_get_folded (sidebar));
  g_assert_false (adw_flap_get_reveal_flap (sidebar));
  g_assert_true (gtk_widget_get_visible (suda_test_window_child (f, "sidebar_button")));
  g_assert_cmpint (gtk_orientable_get_orientation (suda_test_window_child (f, "connect_form")), ==, GTK_ORIENTATION_VERTICAL);

  suda_test_window_connect (f, "alice");
  g_assert_true (frame_painted_after_change (f));
  /* Connected, the lock takes the status dot's place and the header
   * keeps only the close button: all of it fits the phone's width. */
  g_assert_true (gtk_widget_get_visible (suda_test_window_child (f, "tls_button")));
  g_assert_false (gtk_widget_get_visible (suda_test_window_child (f, "status_dot")));
  header = gtk_widget_get_ancestor (suda_test_window_child (f, "tls_button"), ADW_TYPE_HEADER_BAR);
  gtk_widget_measure (header, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  gtk_widget_measure (GTK_WIDGET (f->window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  g_assert_cmpint (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (f->window))), <=, 360);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (header)), <=, 360);
  /* Connected, the stacked form steps aside; Disconnect brings it back. */
  g_assert_false (gtk_widget_get_visible (suda_test_window_child (f, "connect_form")));
  g_assert_true (adw_flap_get_folded (members));
  g_assert_false (adw_flap_get_reveal_flap (members));
  /* The entry has the width of the window, not a sliver beside lists. */
  g_assert_cmpint (gtk_widget_get_width (input), >=, 200);

  bob = suda_test_client_register_joined (suda_server_get_port (f->server), "bob", NULL, "#lab");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (input)), "hello from a phone", -1);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* PRIVMSG #lab :hello from a phone"));

  /* The header button slides the sidebar in; choosing a row slides it out. */
  g_signal_emit_by_name (suda_test_window_child (f, "sidebar_button"), "clicked");
  g_assert_true (adw_flap_get_reveal_flap (sidebar));
  suda_window_show_conversation (f->window,
                                 suda_client_get_server_conversation (suda_window_get_client (f->window)));
  g_assert_false (adw_flap_get_reveal_flap (sidebar));

  /* The members button shows the member list over the history. */
  suda_window_show_conversation (f->window,
                                 suda_client_find_conversation (suda_window_get_client (f->window), "#lab"));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-members", NULL);
  g_assert_true (adw_flap_get_reveal_flap (members));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.disconnect", NULL);
  g_assert_true (gtk_widget_get_visible (suda_test_window_child (f, "connect_form")));
}

/* At 1280 px nothing folds: sidebar, history and members side by side. */
static void
test_unfolded_at_1280 (Fixture       *f,
                       gconstpointer  data)
{
  AdwFlap *sidebar, *members;

  suda_test_window_open (f, 1280);
  sidebar = suda_test_window_child (f, "sidebar_flap");
  members = suda_test_window_child (f, "members_flap");
  suda_test_window_connect (f, "alice");
  g_assert_true (frame_painted_after_change (f));
  g_assert_false (adw_flap_get_folded (sidebar));
  g_assert_true (adw_flap_get_reveal_flap (sidebar));
  g_assert_false (adw_flap_get_folded (members));
  g_assert_true (adw_flap_get_reveal_flap (members));
  g_assert_false (gtk_widget_get_visible (suda_test_window_child (f, "sidebar_button")));
  /* A desktop-wide header keeps the desktop's own window buttons. */
  g_assert_null (adw_header_bar_get_decoration_layout (ADW_HEADER_BAR (
    gtk_widget_get_ancestor (suda_test_window_child (f, "tls_button"), ADW_TYPE_HEADER_BAR))));
  g_assert_cmpint (gtk_orientable_get_orientation (suda_test_window_child (f, "connect_form")), ==, GTK_ORIENTATION_HORIZONTAL);
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

  g_test_add ("/client/window/narrow/works-at-360", Fixture, NULL, NULL,
              test_works_at_360, fixture_tear_down);
  g_test_add ("/client/window/narrow/unfolded-at-1280", Fixture, NULL, NULL,
              test_unfolded_at_1280, fixture_tear_down);
  return g_test_run ();
}
