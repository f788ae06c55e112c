/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console's live log on screen: it follows the newest row, stays on
 * the rows a person scrolled back to while the ring drops old ones, takes
 * a batch without measuring anything around it, shows a long text whole
 * in a tooltip, and has a cursor the keys move and Ctrl+C copies. */
#include "config.h"

#include <adwaita.h>

#include "suda-live-log-view.h"
#include "suda-live-log.h"
#include "suda-log-row.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"

#define RING 100

/* A bin that counts how often it is measured: what lies around the view */
#define TEST_TYPE_COUNTING_BIN (test_counting_bin_get_type ())
G_DECLARE_FINAL_TYPE (TestCountingBin, test_counting_bin, TEST, COUNTING_BIN, GtkWidget)

struct _TestCountingBin
{
  GtkWidget parent_instance;
  guint     n_measures;
};

G_DEFINE_FINAL_TYPE (TestCountingBin, test_counting_bin, GTK_TYPE_WIDGET)

static void
test_counting_bin_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  TEST_COUNTING_BIN (widget)->n_measures++;
  gtk_widget_measure (gtk_widget_get_first_child (widget), orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static void
test_counting_bin_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  gtk_widget_allocate (gtk_widget_get_first_child (widget), width, height, baseline, NULL);
}

static void
test_counting_bin_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (test_counting_bin_parent_class)->dispose (object);
}

static void
test_counting_bin_class_init (TestCountingBinClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = test_counting_bin_dispose;
  GTK_WIDGET_CLASS (klass)->measure = test_counting_bin_measure;
  GTK_WIDGET_CLASS (klass)->size_allocate = test_counting_bin_size_allocate;
}

static void
test_counting_bin_init (TestCountingBin *self)
{
}

typedef struct {
  GtkWindow         *window;
  TestCountingBin   *bin;
  GtkScrolledWindow *scrolled;
  SudaLiveLogView   *view;
  SudaLiveLog       *log;
  guint              next;     /* the number of the next row appended */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->log = suda_live_log_new (RING);
  fixture->view = SUDA_LIVE_LOG_VIEW (suda_live_log_view_new ());
  suda_live_log_view_set_model (fixture->view, G_LIST_MODEL (fixture->log));
  fixture->scrolled = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_child (fixture->scrolled, GTK_WIDGET (fixture->view));
  gtk_scrolled_window_set_overlay_scrolling (fixture->scrolled, FALSE);
  gtk_scrolled_window_set_policy (fixture->scrolled, GTK_POLICY_NEVER, GTK_POLICY_ALWAYS);
  fixture->bin = g_object_new (TEST_TYPE_COUNTING_BIN, NULL);
  gtk_widget_set_parent (GTK_WIDGET (fixture->scrolled), GTK_WIDGET (fixture->bin));
  fixture->window = GTK_WINDOW (gtk_window_new ());
  g_object_ref_sink (fixture->window);
  gtk_window_set_default_size (fixture->window, 800, 400);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->bin));
  gtk_window_present (fixture->window);
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, fixture->view, 10000));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->window);
  g_clear_object (&fixture->log);
  suda_test_gtk_drain ();
}

static void
append (Fixture    *fixture,
        guint       n,
        const char *long_text)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("row %u%s", fixture->next++, long_text ? long_text : "");

      g_ptr_array_add (entries, suda_log_entry_new (0, "message", "#a", "alice", text));
    }
  suda_live_log_append (fixture->log, (SudaLogEntry **) entries->pdata, entries->len, 0);
}

static void
wait_for_paint (Fixture *fixture)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (fixture->view));
  gint64 until = gdk_frame_clock_get_frame_counter (clock) + 2;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* the frame under way may be half done: the one after it */
  while (gdk_frame_clock_get_frame_counter (clock) < until && g_get_monotonic_time () < deadline)
    {
      gtk_widget_queue_draw (GTK_WIDGET (fixture->view));
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (gdk_frame_clock_get_frame_counter (clock), >=, until);
}

/* The text column of the row at POSITION, as drawn */
static char *
row_text (Fixture *fixture,
          guint    position)
{
  g_autoptr(SudaLogRow) row = g_list_model_get_item (G_LIST_MODEL (fixture->log), position);

  g_assert_nonnull (row);
  return _suda_log_cells_dup_text (row, SUDA_LOG_COLUMN_TEXT);
}

static void
assert_first_shown (Fixture    *fixture,
                    const char *text)
{
  guint first, n_visible;
  g_autofree char *shown = NULL;

  g_assert_true (suda_live_log_view_get_visible_range (fixture->view, &first, &n_visible));
  shown = row_text (fixture, first);
  g_assert_cmpstr (shown, ==, text);
}

static void
test_follows_the_newest_row (Fixture       *fixture,
                             gconstpointer  data)
{
  guint first, n_visible, n;

  for (guint batch = 0; batch < 5; batch++)
    {
      append (fixture, 17, NULL);
      wait_for_paint (fixture);
      n = g_list_model_get_n_items (G_LIST_MODEL (fixture->log));
      g_assert_true (suda_live_log_view_get_visible_range (fixture->view, &first, &n_visible));
      g_assert_cmpuint (first + n_visible, ==, n);
      g_assert_cmpuint (n_visible, >, 3);
      g_assert_cmpuint (n_visible, <, n);
    }
  /* one widget draws them all: no widget per row */
  g_assert_null (gtk_widget_get_first_child (GTK_WIDGET (fixture->view)));
}

/* A batch changes the scroll range and the picture: nothing around the
 * view is measured again (a window's layout asks an X server for its
 * monitor's work area, round trips each time). */
static void
test_batch_measures_nothing_around (Fixture       *fixture,
                                    gconstpointer  data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (fixture->scrolled);
  guint measured;
  double upper;

  append (fixture, 60, NULL);
  wait_for_paint (fixture);
  measured = fixture->bin->n_measures;
  upper = gtk_adjustment_get_upper (adjustment);
  for (guint batch = 0; batch < 5; batch++)
    {
      append (fixture, 5, NULL);
      wait_for_paint (fixture);
    }
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >, upper);
  g_assert_cmpuint (fixture->bin->n_measures, ==, measured);
}

/* Scrolled back, the rows stay put: rows added below and old rows the
 * ring drops above move nothing in sight. */
static void
test_scrolled_back_stays_on_its_rows (Fixture       *fixture,
                                      gconstpointer  data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (fixture->scrolled);
  g_autofree char *kept = NULL;

  append (fixture, RING, NULL);
  wait_for_paint (fixture);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) / 2);
  wait_for_paint (fixture);
  {
    guint first, n_visible;

    g_assert_true (suda_live_log_view_get_visible_range (fixture->view, &first, &n_visible));
    g_assert_cmpuint (first, >=, RING / 4);
    kept = row_text (fixture, first);
  }

  append (fixture, 10, NULL);
  wait_for_paint (fixture);
  assert_first_shown (fixture, kept);
  /* the ring was full: it dropped its oldest fifth */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->log)), <, RING);
  append (fixture, 10, NULL);
  wait_for_paint (fixture);
  assert_first_shown (fixture, kept);
}

static void
test_long_text_has_a_tooltip (Fixture       *fixture,
                              gconstpointer  data)
{
  static const char tail[] = ": and then a sentence that goes on well past the width of the text "
                             "column, so that the column shows only its start";
  g_autofree char *whole = NULL;
  int height;
  int text_x = 150 + 100 + 110 + 110 + 20;
  guint first, n_visible, n_tips = 0;

  append (fixture, 1, NULL);
  append (fixture, 1, tail);
  wait_for_paint (fixture);
  g_assert_true (suda_live_log_view_get_visible_range (fixture->view, &first, &n_visible));
  g_assert_cmpuint (first, ==, 0);
  g_assert_cmpuint (n_visible, ==, 2);
  whole = row_text (fixture, 1);
  height = gtk_widget_get_height (GTK_WIDGET (fixture->view));

  /* down the text column: only the long row's height has a tip, and it
   * is the whole text (the short row's would be "row 0") */
  for (int y = 0; y < height; y++)
    {
      g_autofree char *tip = suda_live_log_view_dup_tooltip_at (fixture->view, text_x, y);

      if (tip == NULL)
        continue;
      g_assert_cmpstr (tip, ==, whole);
      n_tips++;
    }
  g_assert_cmpuint (n_tips, >, 0);
  g_assert_cmpuint (n_tips, <, (guint) height / 4);
  /* a nick too long for its column, in a cell shaped once for every row
   * that has it */
  {
    static const char nick[] = "a_nickname_far_too_long_for_its_column";
    g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "message", "#a", nick, "short");
    guint found = 0;

    suda_live_log_append (fixture->log, &entry, 1, 0);
    suda_live_log_append (fixture->log, &entry, 1, 0);
    wait_for_paint (fixture);
    for (int y = 0; y < height; y++)
      {
        g_autofree char *tip = suda_live_log_view_dup_tooltip_at (fixture->view, 150 + 100 + 110 + 20, y);

        if (tip != NULL)
          {
            g_assert_cmpstr (tip, ==, nick);
            found++;
          }
      }
    /* both rows */
    g_assert_cmpuint (found, >, n_tips);
  }
  /* the time column fits its text */
  for (int y = 0; y < height; y++)
    {
      g_autofree char *tip = suda_live_log_view_dup_tooltip_at (fixture->view, 10, y);

      g_assert_null (tip);
    }
}

static char *clipboard_text;

static void
read_text_cb (GObject      *clipboard,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GError) error = NULL;

  clipboard_text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clipboard), result, &error);
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
test_cursor_moves_keeps_its_row_and_copies (Fixture       *fixture,
                                            gconstpointer  data)
{
  gboolean read = FALSE;
  g_autofree char *expected = NULL;
  g_autofree char *cursor_text = NULL;
  int cursor;

  append (fixture, RING, NULL);
  wait_for_paint (fixture);
  g_assert_cmpint (suda_live_log_view_get_cursor (fixture->view), ==, -1);

  /* the first key puts the cursor on the newest row in sight */
  gtk_widget_grab_focus (GTK_WIDGET (fixture->view));
  suda_test_gtk_press_shortcut (GTK_WIDGET (fixture->view), "Up");
  suda_test_gtk_press_shortcut (GTK_WIDGET (fixture->view), "Up");
  g_assert_cmpint (suda_live_log_view_get_cursor (fixture->view), ==, RING - 3);
  suda_test_gtk_press_shortcut (GTK_WIDGET (fixture->view), "Home");
  g_assert_cmpint (suda_live_log_view_get_cursor (fixture->view), ==, 0);
  wait_for_paint (fixture);
  assert_first_shown (fixture, "row 0");
  suda_test_gtk_press_shortcut (GTK_WIDGET (fixture->view), "Page_Down");
  cursor = suda_live_log_view_get_cursor (fixture->view);
  g_assert_cmpint (cursor, >, 1);
  suda_test_gtk_press_shortcut (GTK_WIDGET (fixture->view), "Down");
  g_assert_cmpint (suda_live_log_view_get_cursor (fixture->view), ==, cursor + 1);

  /* the ring drops its oldest fifth: the cursor stays on its row */
  suda_live_log_view_set_cursor (fixture->view, RING / 2);
  cursor_text = row_text (fixture, RING / 2);
  append (fixture, 1, NULL);
  g_assert_cmpint (suda_live_log_view_get_cursor (fixture->view), <, RING / 2);
  {
    g_autofree char *now = row_text (fixture, suda_live_log_view_get_cursor (fixture->view));

    g_assert_cmpstr (now, ==, cursor_text);
  }

  /* Ctrl+C: the row, its columns apart by tabs */
  expected = suda_live_log_view_dup_row_text (fixture->view, suda_live_log_view_get_cursor (fixture->view), "\t");
  g_assert_true (g_str_has_suffix (expected, "\tmessage\t#a\talice\t" "row 50"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "live-log.copy", NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (fixture->view)), NULL, read_text_cb, &read);
  g_assert_true (suda_test_wait_until (is_true, &read, 5000));
  g_assert_cmpstr (clipboard_text, ==, expected);
  g_clear_pointer (&clipboard_text, g_free);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/console/live-log-view/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("follows-the-newest-row", test_follows_the_newest_row);
  ADD ("batch-measures-nothing-around", test_batch_measures_nothing_around);
  ADD ("scrolled-back-stays-on-its-rows", test_scrolled_back_stays_on_its_rows);
  ADD ("long-text-has-a-tooltip", test_long_text_has_a_tooltip);
  ADD ("cursor-moves-keeps-its-row-and-copies", test_cursor_moves_keeps_its_row_and_copies);
#undef ADD

  return g_test_run ();
}
