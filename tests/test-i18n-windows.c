/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client window, the server console and the log viewer under
 * LANGUAGE=ko show Korean labels from the build's compiled catalogue
 * (po/ko/LC_MESSAGES/suda.mo in the build folder).  Runs under xvfb-run. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <adwaita.h>

#include "suda-console-window.h"
#include "suda-live-log-view.h"
#include "suda-log-viewer-window.h"
#include "suda-message-row.h"
#include "suda-test-util.h"
#include "suda-window.h"

/* The Korean text for MSGID, which must differ from the English: an
 * untranslated or missing catalogue fails here rather than comparing
 * English with English. */
static const char *
ko (const char *msgid)
{
  const char *text = g_dgettext (GETTEXT_PACKAGE, msgid);

  g_assert_cmpstr (text, !=, msgid);
  return text;
}

static void
assert_korean (const char *shown,
               const char *msgid)
{
  g_assert_cmpstr (shown, ==, ko (msgid));
  g_assert_cmpstr (shown, !=, msgid);
}

/* Finds a widget of a template by its id in the .ui file, whether or not
 * the class binds it: GtkBuilder names every object it builds. */
static GtkWidget *
find_in (GtkWidget  *widget,
         const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_in (child, id);

      if (found)
        return found;
    }
  return NULL;
}

static gpointer
template_child (gpointer    window,
                const char *id)
{
  GtkWidget *found = find_in (GTK_WIDGET (window), id);

  g_assert_nonnull (found);
  return found;
}

static const char *
column_title (GtkColumnView *view,
              guint          position)
{
  g_autoptr(GtkColumnViewColumn) column =
    g_list_model_get_item (gtk_column_view_get_columns (view), position);

  g_assert_nonnull (column);
  return gtk_column_view_column_get_title (column);
}

static void
test_client_window_is_korean (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("chat.suda.Suda");
  SudaWindow *window;
  SudaConversation *server;

  g_settings_set_boolean (settings, "keep-transcripts", FALSE);
  window = g_object_ref_sink (suda_window_new (NULL, settings));
  gtk_window_present (GTK_WINDOW (window));
  suda_test_iterate (50);

#define CHILD(name) template_child (window, name)
  assert_korean (gtk_button_get_label (GTK_BUTTON (CHILD ("connect_button"))), "_Connect");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (CHILD ("connect_button"))), ==, "연결(_C)");
  assert_korean (gtk_button_get_label (GTK_BUTTON (CHILD ("disconnect_button"))), "_Disconnect");
  assert_korean (gtk_button_get_label (GTK_BUTTON (CHILD ("send_button"))), "_Send");
  assert_korean (gtk_entry_get_placeholder_text (GTK_ENTRY (CHILD ("nick_entry"))), "Nickname");
  g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (CHILD ("nick_entry"))), ==, "닉네임");
  assert_korean (gtk_entry_get_placeholder_text (GTK_ENTRY (CHILD ("server_entry"))), "Server (host or IP)");
  assert_korean (gtk_widget_get_tooltip_text (GTK_WIDGET (CHILD ("port_spin"))), "Port");
  assert_korean (gtk_widget_get_tooltip_text (GTK_WIDGET (CHILD ("members_button"))), "Members");
  /* Set from C, not from the template: the state line under the title. */
  assert_korean (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (CHILD ("window_title"))), "Not connected");
#undef CHILD

  server = suda_client_get_server_conversation (suda_window_get_client (window));
  assert_korean (suda_conversation_get_name (server), "Server");

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  g_settings_reset (settings, "keep-transcripts");
  suda_test_iterate (20);
}

static void
test_history_days_are_korean (void)
{
  gint64 now = g_get_real_time ();
  g_autofree char *today = suda_format_day (now, now);
  g_autofree char *yesterday = suda_format_day (now - G_TIME_SPAN_DAY, now);
  g_autofree char *earlier = suda_format_day (now - 3 * G_TIME_SPAN_DAY, now);

  assert_korean (today, "Today");
  g_assert_cmpstr (today, ==, "오늘");
  assert_korean (yesterday, "Yesterday");
  g_assert_cmpstr (yesterday, ==, "어제");
  /* Korean order: month, day, then the weekday ("11월 18일 수요일"). */
  g_assert_true (g_pattern_match_simple ("*월 *일 *", earlier));
}

static void
test_console_window_is_korean (void)
{
  SudaConsoleWindow *window = g_object_ref_sink (suda_console_window_new (NULL));
  GtkColumnView *users_view;
  g_autofree char *placeholder = NULL;

  gtk_window_present (GTK_WINDOW (window));
  suda_test_iterate (20);

#define CHILD(name) template_child (window, name)
  assert_korean (gtk_button_get_label (GTK_BUTTON (CHILD ("start_button"))), "_Start");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (CHILD ("start_button"))), ==, "시작(_S)");
  assert_korean (gtk_button_get_label (GTK_BUTTON (CHILD ("stop_button"))), "S_top");
  assert_korean (gtk_label_get_text (GTK_LABEL (CHILD ("status_label"))), "Stopped");
  assert_korean (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (CHILD ("settings_group"))), "Server");
  assert_korean (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (CHILD ("address_row"))), "Listen address");
  assert_korean (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (CHILD ("name_row"))), "Server name");
  assert_korean (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (CHILD ("log_row"))), "Log file");
  g_object_get (CHILD ("log_search"), "placeholder-text", &placeholder, NULL);
  assert_korean (placeholder, "Search text, nicks and rooms");

  g_assert_true (SUDA_IS_LIVE_LOG_VIEW (CHILD ("log_view")));
  assert_korean (suda_live_log_view_get_column_title (SUDA_LOG_COLUMN_TIME), "Time");
  assert_korean (suda_live_log_view_get_column_title (SUDA_LOG_COLUMN_EVENT), "Event");
  assert_korean (suda_live_log_view_get_column_title (SUDA_LOG_COLUMN_ROOM), "Room");
  assert_korean (suda_live_log_view_get_column_title (SUDA_LOG_COLUMN_NICK), "Nick");
  assert_korean (suda_live_log_view_get_column_title (SUDA_LOG_COLUMN_TEXT), "Text");
  users_view = GTK_COLUMN_VIEW (CHILD ("users_view"));
  assert_korean (column_title (users_view, 0), "Nick");
  assert_korean (column_title (users_view, 1), "Address");
#undef CHILD

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  suda_test_iterate (20);
}

static void
test_log_viewer_is_korean (void)
{
  SudaLogViewerWindow *window = g_object_ref_sink (suda_log_viewer_window_new (NULL));

  gtk_window_present (GTK_WINDOW (window));
  suda_test_iterate (20);

#define CHILD(name) template_child (window, name)
  assert_korean (gtk_window_get_title (GTK_WINDOW (window)), "Log Viewer");
  assert_korean (gtk_entry_get_placeholder_text (GTK_ENTRY (CHILD ("nick_entry"))), "Nick");
  assert_korean (gtk_entry_get_placeholder_text (GTK_ENTRY (CHILD ("since_entry"))), "From YYYY-MM-DD");
  assert_korean (gtk_widget_get_tooltip_text (GTK_WIDGET (CHILD ("follow_button"))), "Follow New Lines");
  assert_korean (column_title (GTK_COLUMN_VIEW (CHILD ("column_view")), 0), "Time");
#undef CHILD

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  suda_test_iterate (20);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;
  const char *set;

  /* As the apps' main() does, with the catalogue from the build folder.
   * LANGUAGE must be set before the first lookup; gettext caches. */
  g_setenv ("LANGUAGE", "ko", TRUE);
  set = setlocale (LC_ALL, "");
  /* glibc ignores LANGUAGE under plain C; C.UTF-8 is enough. */
  if (set == NULL || g_str_equal (set, "C") || g_str_equal (set, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  locale_dir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* No session bus under xvfb-run: without this GTK warns that it cannot
   * reach the accessibility bus, and warnings are fatal in tests. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      g_printerr ("no display: run under xvfb-run\n");
      return 1;
    }
  adw_init ();

  g_test_add_func ("/i18n/client/window-labels-are-korean", test_client_window_is_korean);
  g_test_add_func ("/i18n/client/history-days-are-korean", test_history_days_are_korean);
  g_test_add_func ("/i18n/console/window-labels-are-korean", test_console_window_is_korean);
  g_test_add_func ("/i18n/console/log-viewer-labels-are-korean", test_log_viewer_is_korean);

  return g_test_run ();
}
