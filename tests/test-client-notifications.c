/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desktop notifications on a session bus of the test's own (run under
 * dbus-run-session): the test owns org.freedesktop.Notifications, as a
 * notification daemon would, and records every Notify call that GIO's
 * freedesktop backend makes for the window's application. */
#include "config.h"

#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-window.h"

typedef struct {
  SudaServer     *server;
  GSettings      *settings;
  SudaWindow     *window;
  GtkApplication *app;
  GDBusNodeInfo  *node;
  guint           object_id;
  guint           name_id;
  GPtrArray      *notified;   /* "summary\nbody" of each Notify */
} Fixture;

static const char introspection[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "</interface></node>";

static void
daemon_method_cb (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *path,
                  const char            *interface,
                  const char            *method,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               data)
{
  Fixture *f = data;

  if (g_str_equal (method, "Notify"))
    {
      const char *summary, *body;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (f->notified, g_strdup_printf ("%s\n%s", summary, body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", f->notified->len));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(['body'],)"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable daemon_vtable = { daemon_method_cb, NULL, NULL, { NULL } };

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
is_true (gpointer flag)
{
  return *(gboolean *) flag;
}

static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), SUDA_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  gboolean owned = FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  f->notified = g_ptr_array_new_with_free_func (g_free);
  f->node = g_dbus_node_info_new_for_xml (introspection, &error);
  g_assert_no_error (error);
  f->object_id = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                    f->node->interfaces[0], &daemon_vtable, f, NULL, &error);
  g_assert_no_error (error);
  f->name_id = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                             name_acquired_cb, NULL, &owned, NULL);
  g_assert_true (suda_test_wait_until (is_true, &owned, 5000));

  f->app = gtk_application_new ("chat.suda.SudaNotificationTest", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  f->server = suda_test_server_new (config);
  f->settings = g_settings_new ("chat.suda.Suda");
  g_settings_set_string (f->settings, "room", "#lab");
  /* The test servers here speak in clear. */
  g_settings_set_boolean (f->settings, "tls", FALSE);
  g_settings_set_boolean (f->settings, "keep-transcripts", FALSE);
  /* Not presented: a window that is not in front, as the attention
   * rule wants. */
  f->window = suda_window_new (f->app, f->settings);
  g_object_ref_sink (f->window);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_clear_object (&f->settings);
  g_clear_object (&f->server);
  g_clear_object (&f->app);
  g_bus_unown_name (f->name_id);
  g_dbus_connection_unregister_object (bus, f->object_id);
  g_dbus_node_info_unref (f->node);
  g_ptr_array_unref (f->notified);
  suda_test_gtk_drain ();
}

static gboolean
lab_joined (gpointer data)
{
  SudaConversation *conv = suda_client_find_conversation (suda_window_get_client (data), "#lab");

  return conv != NULL && suda_conversation_get_joined (conv);
}

static gboolean
lab_has_first_mention (gpointer client)
{
  SudaConversation *conv = suda_client_find_conversation (client, "#lab");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conv));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      if (g_strcmp0 (suda_message_get_text (m), "alice, while you look") == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_notification (gpointer data)
{
  return ((GPtrArray *) data)->len > 0;
}

/* A mention while the window is in front notifies nobody; one while it
 * is not becomes exactly one notification, named after the room. */
static void
test_mention_notifies_once (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = NULL;
  SudaClient *client = suda_window_get_client (f->window);

  gtk_editable_set_text (GTK_EDITABLE (child (f, "server_entry")), "127.0.0.1");
  gtk_spin_button_set_value (child (f, "port_spin"), suda_server_get_port (f->server));
  gtk_editable_set_text (GTK_EDITABLE (child (f, "nick_entry")), "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
  g_assert_true (suda_test_wait_until (lab_joined, f->window, 5000));
  bob = suda_test_client_register_joined (suda_server_get_port (f->server), "bob", NULL, "#lab");

  /* In front: the client asks for nobody's attention. */
  suda_client_set_window_active (client, TRUE);
  suda_test_client_send (bob, "PRIVMSG #lab :alice, while you look");
  g_assert_true (suda_test_wait_until (lab_has_first_mention, client, 5000));
  suda_client_set_window_active (client, FALSE);
  /* Behind: the next mention is the one notification; a Notify for the
   * first, made before on the same bus connection, would have come first. */
  suda_test_client_send (bob, "PRIVMSG #lab :alice, are you there?");
  g_assert_true (suda_test_wait_until (has_notification, f->notified, 5000));
  g_assert_cmpuint (f->notified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->notified, 0), ==, "bob in #lab\nalice, are you there?");
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

  g_test_add ("/client/window/notifications/mention-notifies-once", Fixture, NULL, fixture_set_up,
              test_mention_notifies_once, fixture_tear_down);
  return g_test_run ();
}
