/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client window at a phone's width and at a desktop's, under Xvfb. */
#include "config.h"

#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-window.h"

typedef struct {
  SudaServer *server;
  GSettings  *settings;
  SudaWindow *window;
} Fixture;

static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), SUDA_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static void
open_window (Fixture *f,
             int      width)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  SudaTestFrame frame;

  f->server = suda_test_server_new (config);
  f->settings = g_settings_new ("chat.suda.Suda");
  g_settings_set_string (f->settings, "room", "#lab");
  /* The test servers here speak in clear. */
  g_settings_set_boolean (f->settings, "tls", FALSE);
  g_settings_set_boolean (f->settings, "keep-transcripts", FALSE);
  g_settings_set_int (f->settings, "window-width", width);
  g_settings_set_int (f->settings, "window-height", 640);
  f->window = suda_window_new (NULL, f->settings);
  g_object_ref_sink (f->window);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, f->window, 5000));
  suda_test_gtk_frame_init (&frame, GTK_WIDGET (f->window));
  g_assert_true (suda_test_wait_until (suda_test_gtk_frame_painted, &frame, 5000));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_clear_object (&f->settings);
  g_clear_object (&f->server);
  suda_test_gtk_drain ();
}

static gboolean
lab_is_shown (gpointer data)
{
  SudaClient *client = suda_window_get_client (data);
  SudaConversation *active = suda_client_get_active_conversation (client);

  return g_strcmp0 (suda_conversation_get_name (active), "#lab") == 0 &&
         suda_conversation_get_joined (active);
}

static void
connect_alice (Fixture *f)
{
  gtk_editable_set_text (GTK_EDITABLE (child (f, "server_entry")), "127.0.0.1");
  gtk_spin_button_set_value (child (f, "port_spin"), suda_server_get_port (f->server));
  gtk_editable_set_text (GTK_EDITABLE (child (f, "nick_entry")), "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
  g_assert_true (suda_test_wait_until (lab_is_shown, f->window, 5000));
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
  GtkWidget *input;
  int min_width;

  open_window (f, 360);
  sidebar = child (f, "sidebar_flap");
  members = child (f, "members_flap");
  input = child (f, "input_view");
  gtk_widget_measure (GTK_WIDGET (f->window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  g_assert_cmpint (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (f->window))), <=, 360);
  g_assert_true (adw_flap_get_folded (sidebar));
  g_assert_false (adw_flap_get_reveal_flap (sidebar));
  g_assert_true (gtk_widget_get_visible (child (f, "sidebar_button")));
  g_assert_cmpint (gtk_orientable_get_orientation (child (f, "connect_form")), ==, GTK_ORIENTATION_VERTICAL);

  connect_alice (f);
  g_assert_true (frame_painted_after_change (f));
  /* Connected, the stacked form steps aside; Disconnect brings it back. */
  g_assert_false (gtk_widget_get_visible (child (f, "connect_form")));
  g_assert_true (adw_flap_get_folded (members));
  g_assert_false (adw_flap_get_reveal_flap (members));
  /* The entry has the width of the window, not a sliver beside lists. */
  g_assert_cmpint (gtk_widget_get_width (input), >=, 200);

  bob = suda_test_client_register_joined (suda_server_get_port (f->server), "bob", NULL, "#lab");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (input)), "hello from a phone", -1);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* PRIVMSG #lab :hello from a phone"));

  /* The header button slides the sidebar in; choosing a row slides it out. */
  g_signal_emit_by_name (child (f, "sidebar_button"), "clicked");
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
  g_assert_true (gtk_widget_get_visible (child (f, "connect_form")));
}

/* At 1280 px nothing folds: sidebar, history and members side by side. */
static void
test_unfolded_at_1280 (Fixture       *f,
                       gconstpointer  data)
{
  AdwFlap *sidebar, *members;

  open_window (f, 1280);
  sidebar = child (f, "sidebar_flap");
  members = child (f, "members_flap");
  connect_alice (f);
  g_assert_true (frame_painted_after_change (f));
  g_assert_false (adw_flap_get_folded (sidebar));
  g_assert_true (adw_flap_get_reveal_flap (sidebar));
  g_assert_false (adw_flap_get_folded (members));
  g_assert_true (adw_flap_get_reveal_flap (members));
  g_assert_false (gtk_widget_get_visible (child (f, "sidebar_button")));
  g_assert_cmpint (gtk_orientable_get_orientation (child (f, "connect_form")), ==, GTK_ORIENTATION_HORIZONTAL);
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
