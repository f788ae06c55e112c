/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "suda-log-cells.h"
#include "suda-log-row.h"
#include "suda-log-viewer-window.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"

/* tests/fixtures/chat-log.jsonl: 13 lines, 2 of them malformed (not JSON,
 * and a bad time), one blank line that is not a row. */
#define FIXTURE_ROWS 13

typedef struct {
  SudaLogViewerWindow *window;
  SudaLogModel        *model;
  char                *tmpdir;
} Fixture;

static gboolean
wait_for_n_items (GListModel *model,
                  guint       n,
                  guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (g_list_model_get_n_items (model) != n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  return g_list_model_get_n_items (model) == n;
}

static void
iterate_pending (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static GtkWidget *
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                   SUDA_TYPE_LOG_VIEWER_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static GFile *
fixture_file (void)
{
  return g_file_new_for_path (g_test_get_filename (G_TEST_DIST, "fixtures", "chat-log.jsonl", NULL));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->window = g_object_ref_sink (suda_log_viewer_window_new (NULL));
  fixture->model = suda_log_viewer_window_get_model (fixture->window);
  fixture->tmpdir = g_dir_make_tmp ("suda-log-viewer-XXXXXX", NULL);
  g_assert_nonnull (fixture->tmpdir);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->tmpdir, 0, NULL);
  const char *name;

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (fixture->tmpdir, name, NULL);

      g_chmod (path, 0600);
      g_unlink (path);
    }
  g_rmdir (fixture->tmpdir);
  g_free (fixture->tmpdir);
  iterate_pending ();
}

static void
open_fixture (Fixture *fixture)
{
  g_autoptr(GFile) file = fixture_file ();

  g_assert_true (suda_log_viewer_window_open (fixture->window, file));
  iterate_pending ();
}

static void
test_load_counts_rows (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkStack *stack = GTK_STACK (child (fixture, "stack"));
  GtkLabel *status = GTK_LABEL (child (fixture, "status_label"));
  g_autoptr(SudaLogRow) first = NULL;
  g_autoptr(SudaLogRow) escaped = NULL;
  g_autoptr(SudaLogRow) emoji = NULL;

  open_fixture (fixture);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "log");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), ==, FIXTURE_ROWS);
  g_assert_cmpuint (suda_log_model_get_n_lines (fixture->model), ==, FIXTURE_ROWS);
  g_assert_cmpstr (gtk_label_get_text (status), ==, "13 lines");

  first = g_list_model_get_item (G_LIST_MODEL (fixture->model), 0);
  g_assert_cmpstr (suda_log_entry_get_event (suda_log_row_get_entry (first)), ==, "server-start");
  g_assert_cmpint (suda_log_entry_get_time (suda_log_row_get_entry (first)), ==, G_GINT64_CONSTANT (1795165200) * G_USEC_PER_SEC);

  escaped = g_list_model_get_item (G_LIST_MODEL (fixture->model), 6);
  g_assert_cmpstr (suda_log_entry_get_text (suda_log_row_get_entry (escaped)), ==, "hello alice, \"quoted\"\tand a tab");
  emoji = g_list_model_get_item (G_LIST_MODEL (fixture->model), 11);
  g_assert_cmpstr (suda_log_entry_get_text (suda_log_row_get_entry (emoji)), ==, "Été HELLO 😀");
}

static void
test_malformed_line_shown_as_malformed (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(SudaLogRow) not_json = NULL;
  g_autoptr(SudaLogRow) bad_time = NULL;
  g_autoptr(SudaLogRow) after = NULL;

  open_fixture (fixture);
  not_json = g_list_model_get_item (G_LIST_MODEL (fixture->model), 7);
  g_assert_true (suda_log_row_get_malformed (not_json));
  g_assert_cmpstr (suda_log_row_get_raw_text (not_json), ==, "this line is not JSON");
  g_assert_cmpuint (suda_log_row_get_line_number (not_json), ==, 8);
  bad_time = g_list_model_get_item (G_LIST_MODEL (fixture->model), 10);
  g_assert_true (suda_log_row_get_malformed (bad_time));
  /* the lines after a bad one still read normally */
  after = g_list_model_get_item (G_LIST_MODEL (fixture->model), 8);
  g_assert_false (suda_log_row_get_malformed (after));
  g_assert_cmpstr (suda_log_entry_get_text (suda_log_row_get_entry (after)), ==, "안녕하세요");

  /* the event filter's last choice keeps only the malformed lines */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (fixture, "event_dropdown")),
                              g_strv_length ((char **) _suda_log_cells_get_events ()) + 1);
  g_assert_cmpstr (suda_log_model_get_event (fixture->model), ==, "malformed");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), ==, 2);
}

static void
test_filter_by_nick (Fixture       *fixture,
                     gconstpointer  data)
{
  GListModel *model = G_LIST_MODEL (fixture->model);

  open_fixture (fixture);
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "nick_entry")), "alice");
  /* the entry waits for a pause in typing before it filters */
  g_assert_true (wait_for_n_items (model, 4, 3000));
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(SudaLogRow) row = g_list_model_get_item (model, i);

      g_assert_cmpint (g_ascii_strcasecmp (suda_log_entry_get_nick (suda_log_row_get_entry (row)), "alice"), ==, 0);
    }
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (fixture, "status_label"))), ==,
                   "4 of 13 lines shown");

  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "nick_entry")), "");
  g_assert_true (wait_for_n_items (model, FIXTURE_ROWS, 3000));
}

static void
test_filter_by_text (Fixture       *fixture,
                     gconstpointer  data)
{
  GListModel *model = G_LIST_MODEL (fixture->model);
  GtkEditable *search = GTK_EDITABLE (child (fixture, "search_entry"));

  open_fixture (fixture);
  /* ASCII case folds, and the escaped line matches its decoded text */
  gtk_editable_set_text (search, "HELLO");
  g_assert_true (wait_for_n_items (model, 3, 3000));

  /* non-ASCII text folds case too */
  gtk_editable_set_text (search, "été");
  g_assert_true (wait_for_n_items (model, 1, 3000));

  gtk_editable_set_text (search, "안녕");
  g_assert_true (wait_for_n_items (model, 1, 3000));

  /* a malformed line is searched as raw text */
  gtk_editable_set_text (search, "not json");
  g_assert_true (wait_for_n_items (model, 1, 3000));

  gtk_editable_set_text (search, "no such words");
  g_assert_true (wait_for_n_items (model, 0, 3000));
  gtk_editable_set_text (search, "");
  g_assert_true (wait_for_n_items (model, FIXTURE_ROWS, 3000));
}

static void
test_filter_by_date_range (Fixture       *fixture,
                           gconstpointer  data)
{
  GListModel *model = G_LIST_MODEL (fixture->model);
  GtkWidget *since = child (fixture, "since_entry");
  GtkWidget *until = child (fixture, "until_entry");

  open_fixture (fixture);
  gtk_editable_set_text (GTK_EDITABLE (since), "2026-11-21");
  g_assert_true (wait_for_n_items (model, 4, 3000));

  gtk_editable_set_text (GTK_EDITABLE (since), "");
  gtk_editable_set_text (GTK_EDITABLE (until), "2026-11-20");
  g_assert_true (wait_for_n_items (model, 7, 3000));

  /* a date that does not parse is marked and leaves the range alone */
  gtk_editable_set_text (GTK_EDITABLE (until), "2026-13-01");
  iterate_pending ();
  g_usleep (300 * 1000);
  iterate_pending ();
  g_assert_true (gtk_widget_has_css_class (until, "error"));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 7);
}

/* An empty list says why: no line matches, or the dates are reversed. */
static gboolean
page_is (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (args[0]), args[1]) == 0;
}

static void
test_empty_result_says_why (Fixture       *fixture,
                            gconstpointer  data)
{
  GtkStack *stack = GTK_STACK (child (fixture, "stack"));
  AdwStatusPage *page = ADW_STATUS_PAGE (child (fixture, "no_match_page"));
  GtkWidget *since = child (fixture, "since_entry");
  GtkWidget *until = child (fixture, "until_entry");
  gpointer no_match[] = { stack, (gpointer) "no-match" };
  gpointer log[] = { stack, (gpointer) "log" };

  open_fixture (fixture);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "log");

  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "search_entry")), "no such words anywhere");
  g_assert_true (wait_for_n_items (G_LIST_MODEL (fixture->model), 0, 3000));
  g_assert_true (suda_test_wait_until (page_is, no_match, 3000));
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "No Lines Match");

  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "search_entry")), "");
  g_assert_true (wait_for_n_items (G_LIST_MODEL (fixture->model), FIXTURE_ROWS, 3000));
  g_assert_true (suda_test_wait_until (page_is, log, 3000));

  /* the start after the end: said as such, not as "no match" */
  gtk_editable_set_text (GTK_EDITABLE (since), "2026-11-21");
  gtk_editable_set_text (GTK_EDITABLE (until), "2026-11-20");
  g_assert_true (wait_for_n_items (G_LIST_MODEL (fixture->model), 0, 3000));
  g_assert_true (suda_test_wait_until (page_is, no_match, 3000));
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "The Start Date Is After the End Date");

  gtk_editable_set_text (GTK_EDITABLE (until), "");
  g_assert_true (suda_test_wait_until (page_is, log, 3000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), >, 0);
}

/* Ctrl+C on the list copies the selected lines as the file has them. */
static void
clipboard_text_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  char **text = data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
text_read (gpointer data)
{
  return *(char **) data != NULL;
}

static void
test_ctrl_c_copies_selected_lines (Fixture       *fixture,
                                   gconstpointer  data)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (child (fixture, "column_view"));
  GtkSelectionModel *selection = gtk_column_view_get_model (view);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->window));
  g_autoptr(SudaLogRow) first = NULL;
  g_autoptr(SudaLogRow) third = NULL;
  g_autofree char *copied = NULL;
  g_auto(GStrv) lines = NULL;

  open_fixture (fixture);
  first = g_list_model_get_item (G_LIST_MODEL (selection), 0);
  third = g_list_model_get_item (G_LIST_MODEL (selection), 2);
  g_assert_true (gtk_selection_model_select_item (selection, 0, TRUE));
  g_assert_true (gtk_selection_model_select_item (selection, 2, FALSE));

  {
    GtkShortcut *copy = suda_test_gtk_find_shortcut (GTK_WIDGET (fixture->window), "<Control>c");
    GtkShortcutAction *named = copy ? gtk_shortcut_get_action (copy) : NULL;

    g_assert_true (GTK_IS_NAMED_ACTION (named));
    g_assert_cmpstr (gtk_named_action_get_action_name (GTK_NAMED_ACTION (named)), ==, "win.copy");
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.copy", NULL));
  gdk_clipboard_read_text_async (clipboard, NULL, clipboard_text_cb, &copied);
  g_assert_true (suda_test_wait_until (text_read, &copied, 3000));
  /* two lines, each the row's columns between tabs */
  lines = g_strsplit (copied, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[2], ==, "");
  for (guint i = 0; i < 2; i++)
    {
      SudaLogRow *row = i == 0 ? first : third;
      SudaLogEntry *entry = suda_log_row_get_entry (row);
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", -1);
      g_autofree char *summary = suda_log_row_dup_summary (row);

      g_assert_cmpuint (g_strv_length (fields), ==, 5);
      g_assert_cmpstr (fields[1], ==, suda_log_entry_get_event (entry));
      g_assert_cmpstr (fields[3], ==, suda_log_entry_get_nick (entry) ? suda_log_entry_get_nick (entry) : "");
      g_assert_cmpstr (fields[4], ==, summary);
    }
}

static void
test_filter_by_event (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (child (fixture, "event_dropdown"));

  open_fixture (fixture);
  /* item 1 is the first event type, "message" */
  gtk_drop_down_set_selected (dropdown, 1);
  g_assert_cmpstr (suda_log_model_get_event (fixture->model), ==, "message");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), ==, 4);
  gtk_drop_down_set_selected (dropdown, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), ==, FIXTURE_ROWS);
}

static void
append_text (const char *path,
             const char *text)
{
  FILE *out = fopen (path, "a");

  g_assert_nonnull (out);
  fputs (text, out);
  fclose (out);
}

/* The viewer shows what was said, without the formatting codes the file
 * keeps, and a control character as a picture, in rows and malformed lines. */
static void
test_formatting_stripped (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->tmpdir, "formatted.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *view = GTK_WIDGET (fixture->window);

  append_text (path, "{\"time\":\"2026-11-21T05:03:07.123Z\",\"event\":\"message\","
                     "\"channel\":\"#lobby\",\"nick\":\"al\\u0007ice\","
                     "\"text\":\"\\u000304red text\\u0003 and \\u0002bold\\u0002\"}\n"
                     "not json \x02" "bold\x02 \x07\n");
  g_assert_true (suda_log_viewer_window_open (fixture->window, file));
  g_assert_true (wait_for_n_items (G_LIST_MODEL (fixture->model), 2, 5000));
  iterate_pending ();
  for (gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       suda_test_find_label (view, "not json bold \u2407") == NULL && g_get_monotonic_time () < deadline; )
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_nonnull (suda_test_find_label (view, "red text and bold"));
  g_assert_nonnull (suda_test_find_label (view, "al\u2407ice"));
  g_assert_nonnull (suda_test_find_label (view, "not json bold \u2407"));
}

static guint
event_position (const char *event)
{
  const char * const *events = _suda_log_cells_get_events ();

  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_equal (events[i], event))
      return i;
  g_error ("no %s in the event filter", event);
}

/* An upload reads as its file, size, type and link, in the text column and
 * in the event filter; a line from before links were logged gives the
 * file's path on the server. */
static void
test_upload_readable (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->tmpdir, "uploads.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *view = GTK_WIDGET (fixture->window);
  g_autofree char *big = g_format_size (12345);
  g_autofree char *small = g_format_size (2048);
  g_autofree char *photo = g_strdup_printf ("photo.png (%s, image/png) → http://192.0.2.7:8090/files/ab.png", big);
  g_autofree char *old = g_strdup_printf ("old.pdf (%s, application/pdf) → /files/cd.pdf", small);
  g_autoptr(SudaLogRow) first = NULL;
  g_autofree char *summary = NULL;

  append_text (path, "{\"time\":\"2026-11-21T05:03:07.123Z\",\"event\":\"message\","
                     "\"channel\":\"#lobby\",\"nick\":\"kim\",\"text\":\"look\"}\n"
                     "{\"time\":\"2026-11-21T05:03:08.000Z\",\"event\":\"upload\",\"nick\":\"kim\","
                     "\"text\":\"photo.png\",\"id\":\"ab.png\",\"type\":\"image/png\",\"size\":12345,"
                     "\"address\":\"192.0.2.9\",\"url\":\"http://192.0.2.7:8090/files/ab.png\"}\n"
                     "{\"time\":\"2026-11-21T05:03:09.000Z\",\"event\":\"upload\",\"nick\":\"lee\","
                     "\"text\":\"old.pdf\",\"id\":\"cd.pdf\",\"type\":\"application/pdf\",\"size\":2048}\n");
  g_assert_true (suda_log_viewer_window_open (fixture->window, file));
  g_assert_true (wait_for_n_items (G_LIST_MODEL (fixture->model), 3, 5000));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (fixture, "event_dropdown")), event_position ("upload") + 1);
  g_assert_cmpstr (suda_log_model_get_event (fixture->model), ==, "upload");
  g_assert_true (wait_for_n_items (G_LIST_MODEL (fixture->model), 2, 5000));
  first = g_list_model_get_item (G_LIST_MODEL (fixture->model), 0);
  summary = suda_log_row_dup_summary (first);
  g_assert_cmpstr (summary, ==, photo);
  iterate_pending ();
  for (gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       suda_test_find_label (view, old) == NULL && g_get_monotonic_time () < deadline; )
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_nonnull (suda_test_find_label (view, photo));
  g_assert_nonnull (suda_test_find_label (view, old));
}

static void
test_follow_appended_lines (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->tmpdir, "growing.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GListModel *model = G_LIST_MODEL (fixture->model);
  g_autoptr(SudaLogRow) last = NULL;

  g_assert_true (g_file_set_contents (path,
      "{\"time\":\"2026-11-21T10:00:00.000Z\",\"event\":\"join\",\"channel\":\"#a\",\"nick\":\"amy\"}\n",
      -1, NULL));
  g_assert_true (suda_log_viewer_window_open (fixture->window, file));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.follow", NULL);
  g_assert_true (suda_log_model_get_following (fixture->model));

  append_text (path, "{\"time\":\"2026-11-21T10:00:01.000Z\",\"event\":\"message\",\"channel\":\"#a\",\"nick\":\"amy\",\"text\":\"one\"}\n"
                     "{\"time\":\"2026-11-21T10:00:02.000Z\",\"event\":\"message\",");
  g_assert_true (wait_for_n_items (model, 3, 5000));
  /* the unfinished last line shows as it is, then completes in place */
  last = g_list_model_get_item (model, 2);
  g_assert_true (suda_log_row_get_malformed (last));
  g_clear_object (&last);

  append_text (path, "\"channel\":\"#a\",\"nick\":\"amy\",\"text\":\"two\"}\n");
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    do
      {
        g_clear_object (&last);
        g_main_context_iteration (NULL, FALSE);
        last = g_list_model_get_item (model, 2);
      }
    while (suda_log_row_get_malformed (last) && g_get_monotonic_time () < deadline);
  }
  g_assert_false (suda_log_row_get_malformed (last));
  g_assert_cmpstr (suda_log_entry_get_text (suda_log_row_get_entry (last)), ==, "two");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  /* following also respects the filters */
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "search_entry")), "three");
  g_assert_true (wait_for_n_items (model, 0, 3000));
  append_text (path, "{\"time\":\"2026-11-21T10:00:03.000Z\",\"event\":\"message\",\"channel\":\"#a\",\"nick\":\"amy\",\"text\":\"three\"}\n");
  g_assert_true (wait_for_n_items (model, 1, 5000));
  g_assert_cmpuint (suda_log_model_get_n_lines (fixture->model), ==, 4);
}

static gboolean
adjustment_at_end (GtkAdjustment *adj)
{
  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - 2.0;
}

/* Layout and the jump to the end take a few frames on a loaded machine. */
static gboolean
wait_at_end (GtkAdjustment *adj)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while ((!adjustment_at_end (adj) || gtk_adjustment_get_upper (adj) <= gtk_adjustment_get_page_size (adj)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  return adjustment_at_end (adj);
}

static void
append_lines (const char *path,
              guint       first,
              guint       n)
{
  g_autoptr(GString) lines = g_string_new (NULL);

  for (guint i = first; i < first + n; i++)
    g_string_append_printf (lines, "{\"time\":\"2026-11-21T10:00:00.000Z\",\"event\":\"message\","
                                   "\"channel\":\"#a\",\"nick\":\"amy\",\"text\":\"line %u\"}\n", i);
  append_text (path, lines->str);
}

static void
iterate_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
}

static void
test_follow_keeps_newest_in_sight (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->tmpdir, "busy.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GListModel *model = G_LIST_MODEL (fixture->model);
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (child (fixture, "scrolled")));
  double value;

  g_assert_true (g_file_set_contents (path, "", -1, NULL));
  append_lines (path, 0, 300);
  g_assert_true (suda_log_viewer_window_open (fixture->window, file));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.follow", NULL);
  g_assert_true (wait_at_end (adj));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, 2 * gtk_adjustment_get_page_size (adj));

  append_lines (path, 300, 100);
  g_assert_true (wait_for_n_items (model, 400, 5000));
  /* the list grows below the view first, then the view catches up */
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (gtk_adjustment_get_upper (adj) < 400 * 15 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  }
  g_assert_true (wait_at_end (adj));

  /* once the person scrolls up, new lines no longer pull the view down */
  gtk_adjustment_set_value (adj, 0);
  iterate_for (100);
  append_lines (path, 400, 100);
  g_assert_true (wait_for_n_items (model, 500, 5000));
  iterate_for (300);
  value = gtk_adjustment_get_value (adj);
  g_assert_cmpfloat (value, <, gtk_adjustment_get_page_size (adj));
  g_assert_false (adjustment_at_end (adj));
}

static void
test_dropped_file_opens (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (fixture->window));
  g_autoptr(GFile) file = fixture_file ();
  g_auto(GValue) value = G_VALUE_INIT;
  GtkDropTarget *target = NULL;
  gboolean accepted = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  /* what a file manager drops: a list of files, of which the first opens */
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, g_slist_append (NULL, g_object_ref (file)));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), ==, FIXTURE_ROWS);
  g_assert_true (g_file_equal (suda_log_model_get_file (fixture->model), file));
}

static void
test_open_missing_file_says_so (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->tmpdir, "nowhere.jsonl", NULL);
  g_autoptr(GFile) missing = g_file_new_for_path (path);
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->tmpdir);
  AdwStatusPage *page = ADW_STATUS_PAGE (child (fixture, "error_page"));
  GtkStack *stack = GTK_STACK (child (fixture, "stack"));

  g_assert_false (suda_log_viewer_window_open (fixture->window, missing));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "error");
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "does not exist"));

  g_assert_false (suda_log_viewer_window_open (fixture->window, folder));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "is a folder"));

  /* root reads everything, so only an ordinary user can see this one */
  if (geteuid () != 0)
    {
      g_autofree char *locked = g_build_filename (fixture->tmpdir, "locked.jsonl", NULL);
      g_autoptr(GFile) locked_file = g_file_new_for_path (locked);

      g_assert_true (g_file_set_contents (locked, "{}\n", -1, NULL));
      g_assert_cmpint (g_chmod (locked, 0), ==, 0);
      g_assert_false (suda_log_viewer_window_open (fixture->window, locked_file));
      g_assert_nonnull (strstr (adw_status_page_get_description (page), "not allowed"));
    }

  /* the window recovers with the next good file */
  open_fixture (fixture);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "log");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  /* no accessibility bus under Xvfb; its warning would abort the test */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/log-viewer/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("load/counts-rows", test_load_counts_rows);
  ADD ("load/malformed-line-shown-as-malformed", test_malformed_line_shown_as_malformed);
  ADD ("load/missing-or-unreadable-file-says-why", test_open_missing_file_says_so);
  ADD ("load/dropped-file-opens", test_dropped_file_opens);
  ADD ("load/formatting-stripped", test_formatting_stripped);
  ADD ("filter/by-nick", test_filter_by_nick);
  ADD ("filter/by-text", test_filter_by_text);
  ADD ("filter/by-event", test_filter_by_event);
  ADD ("upload/file-size-type-and-link", test_upload_readable);
  ADD ("filter/by-date-range", test_filter_by_date_range);
  ADD ("filter/empty-result-says-why", test_empty_result_says_why);
  ADD ("select/ctrl-c-copies-selected-lines", test_ctrl_c_copies_selected_lines);
  ADD ("follow/shows-appended-lines", test_follow_appended_lines);
  ADD ("follow/keeps-newest-in-sight-until-scrolled-up", test_follow_keeps_newest_in_sight);
#undef ADD

  return g_test_run ();
}
