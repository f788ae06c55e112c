/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client window's "Chats on this network" beside a real Avahi daemon
 * in a network namespace of the test's own (run-in-avahi-netns.sh, which
 * sets SUDA_TEST_AVAHI), under Xvfb: X reaches in through its socket in
 * /tmp, the same file in the namespace.  And an invite link pasted into
 * the connect form, which needs no daemon. */
#include "config.h"

#include "suda-certificate.h"
#include "suda-lan-list.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-test-window.h"

typedef struct {
  SudaTestWindow  w;
  SudaTrustStore *store;
  char           *dir;
} Fixture;

static SudaServer *
start_server (Fixture    *f,
              gboolean    tls,
              const char *name)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GError) error = NULL;
  SudaServer *server;

  f->dir = suda_test_make_tmpdir ();
  suda_server_config_set_value (config, "server", "listen", "127.0.0.1", NULL);
  suda_server_config_set_value (config, "server", "port", "0", NULL);
  suda_server_config_set_value (config, "server", "state-dir", f->dir, NULL);
  suda_server_config_set_value (config, "server", "default-channel", "#lab", NULL);
  if (name != NULL)
    {
      suda_server_config_set_value (config, "server", "announce", "true", NULL);
      suda_server_config_set_value (config, "server", "announce-name", name, NULL);
    }
  if (tls)
    {
      g_autofree char *port = g_strdup_printf ("%u", suda_test_free_port ());

      suda_server_config_set_value (config, "tls", "port", port, NULL);
    }
  config->log_path = g_build_filename (f->dir, "server.jsonl", NULL);
  server = suda_server_new (config);
  suda_server_start (server, &error);
  g_assert_no_error (error);
  return server;
}

static void
open_window (Fixture    *f,
             SudaServer *server)
{
  g_autofree char *path = g_build_filename (f->dir, "trust.ini", NULL);

  suda_test_window_open_on (&f->w, 900, server);
  f->store = suda_trust_store_new (path);
  suda_connection_set_trust_store (suda_window_get_connection (f->w.window), f->store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  suda_test_window_close (&f->w);
  g_clear_object (&f->store);
  g_clear_pointer (&f->dir, g_free);
}

static SudaLanList *
find_lan_list (GtkWidget *widget)
{
  if (SUDA_IS_LAN_LIST (widget))
    return SUDA_LAN_LIST (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SudaLanList *found = find_lan_list (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct {
  SudaLanList   *list;
  const char    *title;
  const char    *subtitle;    /* a part of it, or NULL */
  GtkListBoxRow *row;
} RowLookup;

/* Another test's chat may still be listed for a second after it stops. */
static gboolean
row_listed (gpointer data)
{
  RowLookup *lookup = data;
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (suda_lan_list_get_list_box (lookup->list), i)); i++)
    if (g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), lookup->title) &&
        (lookup->subtitle == NULL ||
         strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), lookup->subtitle) != NULL) &&
        gtk_widget_get_mapped (GTK_WIDGET (row)))
      {
        lookup->row = row;
        return TRUE;
      }
  return FALSE;
}

/* The row titled TITLE, its subtitle with SUBTITLE in it unless NULL,
 * once it is on screen. */
static GtkListBoxRow *
wait_row (SudaLanList *list,
          const char  *title,
          const char  *subtitle)
{
  RowLookup lookup = { list, title, subtitle, NULL };

  g_assert_true (suda_test_wait_until (row_listed, &lookup, 10000));
  return lookup.row;
}

static gboolean
lab_joined (gpointer data)
{
  SudaConversation *active = suda_client_get_active_conversation (suda_window_get_client (data));

  return g_strcmp0 (suda_conversation_get_name (active), "#lab") == 0 &&
         suda_conversation_get_joined (active);
}

/* The teacher's chat in the list; a click connects to it and joins its
 * room, and the list steps aside while connected. */
static void
test_click_connects (Fixture       *f,
                     gconstpointer  data)
{
  SudaLanList *list;
  GtkListBoxRow *row;

  open_window (f, start_server (f, FALSE, "Kim's class chat"));
  list = find_lan_list (GTK_WIDGET (f->w.window));
  g_assert_nonnull (list);
  row = wait_row (list, "Kim's class chat", NULL);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "#lab"));
  gtk_widget_activate (GTK_WIDGET (row));
  g_assert_true (suda_test_wait_until (lab_joined, f->w.window, 10000));
  g_assert_cmpuint (suda_connection_get_port (suda_window_get_connection (f->w.window)), ==,
                    suda_server_get_port (f->w.server));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (list)));
}

static gboolean
find_dialog_cb (gpointer data)
{
  GtkWindow **dialog = data;

  *dialog = suda_test_gtk_find_window (ADW_TYPE_MESSAGE_DIALOG);
  return *dialog != NULL;
}

static AdwMessageDialog *
wait_dialog (void)
{
  GtkWindow *dialog = NULL;

  g_assert_true (suda_test_wait_until (find_dialog_cb, &dialog, 10000));
  return ADW_MESSAGE_DIALOG (dialog);
}

static gboolean
secure_lab_joined (gpointer data)
{
  return lab_joined (data) && suda_connection_get_certificate (suda_window_get_connection (data)) != NULL;
}

/* A self-signed chat: its announced fingerprint is shown and trusted
 * only when the person says so; cancelling connects nowhere. */
static void
test_fingerprint_confirmed (Fixture       *f,
                            gconstpointer  data)
{
  SudaServer *server = start_server (f, TRUE, "Secure class");
  const char *fingerprint = suda_server_get_tls_fingerprint (server);
  g_autofree char *shown = suda_certificate_format_fingerprint (fingerprint);
  /* Once both services are in: the TLS one is what a click takes. */
  g_autofree char *where = g_strdup_printf (":%u", suda_server_get_tls_port (server));
  AdwMessageDialog *dialog;
  GtkListBoxRow *row;
  SudaLanList *list;

  open_window (f, server);
  list = find_lan_list (GTK_WIDGET (f->w.window));
  row = wait_row (list, "Secure class", where);
  gtk_widget_activate (GTK_WIDGET (row));
  dialog = wait_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), shown));
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  suda_test_gtk_drain ();
  g_assert_cmpint (suda_connection_get_state (suda_window_get_connection (f->w.window)), ==,
                   SUDA_CONNECTION_DISCONNECTED);
  g_assert_cmpint (suda_trust_store_check (f->store, "127.0.0.1", suda_server_get_tls_port (server),
                                           fingerprint), ==, SUDA_TRUST_UNKNOWN);

  /* The row is made again whenever the chat changes: look it up again. */
  row = wait_row (list, "Secure class", where);
  gtk_widget_activate (GTK_WIDGET (row));
  dialog = wait_dialog ();
  adw_message_dialog_response (dialog, "trust");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (suda_test_wait_until (secure_lab_joined, f->w.window, 10000));
  g_assert_cmpuint (suda_connection_get_port (suda_window_get_connection (f->w.window)), ==,
                    suda_server_get_tls_port (server));
  g_assert_cmpint (suda_trust_store_check (f->store, "127.0.0.1", suda_server_get_tls_port (server),
                                           fingerprint), ==, SUDA_TRUST_PINNED);
}

/* No daemon: no list, and a line (with its tooltip) that says why. */
static void
test_unavailable_says_why (Fixture       *f,
                           gconstpointer  data)
{
  SudaLanList *list;

  open_window (f, start_server (f, FALSE, NULL));
  list = find_lan_list (GTK_WIDGET (f->w.window));
  g_assert_nonnull (list);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (list)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (suda_lan_list_get_list_box (list))));
  g_assert_nonnull (suda_test_find_label (GTK_WIDGET (list),
                                          "Chats on this network cannot be found: the Avahi service "
                                          "is not running on this computer."));
}

static gboolean
room_joined (gpointer data)
{
  SudaConversation *active = suda_client_get_active_conversation (suda_window_get_client (data));

  return g_strcmp0 (suda_conversation_get_name (active), "#class") == 0 &&
         suda_conversation_get_joined (active);
}

/* irc://HOST:PORT/#room pasted into the server field fills the form with
 * it; connecting joins that room. */
static void
test_pasted_link_fills_form (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *link = NULL;
  GtkEditable *server_entry;

  open_window (f, start_server (f, FALSE, NULL));
  server_entry = suda_test_window_child (&f->w, "server_entry");
  gtk_switch_set_active (suda_test_window_child (&f->w, "tls_switch"), TRUE);
  link = g_strdup_printf ("irc://127.0.0.1:%u/#class", suda_server_get_port (f->w.server));
  gtk_editable_set_text (server_entry, link);
  g_assert_cmpstr (gtk_editable_get_text (server_entry), ==, "127.0.0.1");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (suda_test_window_child (&f->w, "port_spin")), ==,
                   suda_server_get_port (f->w.server));
  g_assert_false (gtk_switch_get_active (suda_test_window_child (&f->w, "tls_switch")));
  gtk_editable_set_text (GTK_EDITABLE (suda_test_window_child (&f->w, "nick_entry")), "student");
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.connect", NULL);
  g_assert_true (suda_test_wait_until (room_joined, f->w.window, 10000));

  /* ircs:// turns TLS on; an address that is no link is left alone. */
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.disconnect", NULL);
  gtk_editable_set_text (server_entry, "ircs://school.example:7000/#math");
  g_assert_cmpstr (gtk_editable_get_text (server_entry), ==, "school.example");
  g_assert_true (gtk_switch_get_active (suda_test_window_child (&f->w, "tls_switch")));
  gtk_editable_set_text (server_entry, "irc:/broken");
  g_assert_cmpstr (gtk_editable_get_text (server_entry), ==, "irc:/broken");
}

int
main (int   argc,
      char *argv[])
{
  const char *avahi = g_getenv ("SUDA_TEST_AVAHI");

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_printerr ("no display: run under xvfb-run\n");
      return 77;
    }
  adw_init ();

  if (g_strcmp0 (avahi, "running") == 0)
    {
      g_test_add ("/announce/window/click-connects", Fixture, NULL, NULL,
                  test_click_connects, fixture_tear_down);
      g_test_add ("/announce/window/fingerprint-confirmed", Fixture, NULL, NULL,
                  test_fingerprint_confirmed, fixture_tear_down);
    }
  else if (g_strcmp0 (avahi, "absent") == 0)
    {
      g_test_add ("/announce/window/unavailable-says-why", Fixture, NULL, NULL,
                  test_unavailable_says_why, fixture_tear_down);
      g_test_add ("/announce/window/pasted-link-fills-form", Fixture, NULL, NULL,
                  test_pasted_link_fills_form, fixture_tear_down);
    }
  else
    g_test_skip ("run through run-in-avahi-netns.sh");
  return g_test_run ();
}
