/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-test-window.h"

gpointer
suda_test_window_child (SudaTestWindow *f,
                        const char     *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), SUDA_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

/* A server of its own, the room #lab, and a window WIDTH wide, painted. */
void
suda_test_window_open (SudaTestWindow *f,
                       int             width)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  suda_test_window_open_on (f, width, suda_test_server_new (config));
}

/* The same beside SERVER (taken over), for a test that sets it up itself. */
void
suda_test_window_open_on (SudaTestWindow *f,
                          int             width,
                          SudaServer     *server)
{
  SudaTestFrame frame;

  f->server = server;
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

void
suda_test_window_close (SudaTestWindow *f)
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

/* Through the connect form, as a person would, until #lab is joined and shown. */
void
suda_test_window_connect (SudaTestWindow *f,
                          const char     *nick)
{
  gtk_editable_set_text (GTK_EDITABLE (suda_test_window_child (f, "server_entry")), "127.0.0.1");
  gtk_spin_button_set_value (suda_test_window_child (f, "port_spin"), suda_server_get_port (f->server));
  gtk_editable_set_text (GTK_EDITABLE (suda_test_window_child (f, "nick_entry")), nick);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
  g_assert_true (suda_test_wait_until (lab_is_shown, f->window, 5000));
}
