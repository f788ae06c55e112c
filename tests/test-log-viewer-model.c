/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "suda-log-model.h"
#include "suda-log-row.h"

/* The log viewer's model without a window: how lines are split, decoded
 * and filtered, and how a growing or rotated file is followed. */

typedef struct {
  char         *tmpdir;
  char         *path;
  GFile        *file;
  SudaLogModel *model;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->tmpdir = g_dir_make_tmp ("suda-log-model-XXXXXX", NULL);
  g_assert_nonnull (fixture->tmpdir);
  fixture->path = g_build_filename (fixture->tmpdir, "log.jsonl", NULL);
  fixture->file = g_file_new_for_path (fixture->path);
  fixture->model = suda_log_model_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->model);
  g_clear_object (&fixture->file);
  g_unlink (fixture->path);
  g_rmdir (fixture->tmpdir);
  g_free (fixture->path);
  g_free (fixture->tmpdir);
}

static void
load (Fixture    *fixture,
      const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (fixture->path, contents, -1, NULL));
  g_assert_true (suda_log_model_load (fixture->model, fixture->file, &error));
  g_assert_no_error (error);
}

static SudaLogRow *
row_at (Fixture *fixture,
        guint    position)
{
  SudaLogRow *row = g_list_model_get_item (G_LIST_MODEL (fixture->model), position);

  g_assert_nonnull (row);
  return row;
}

static guint
n_items (Fixture *fixture)
{
  return g_list_model_get_n_items (G_LIST_MODEL (fixture->model));
}

#define LINE(time, rest) "{\"time\":\"2026-11-21T" time ".000Z\"," rest "}"

static void
test_lines_crlf_blank_and_unterminated (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(SudaLogRow) first = NULL;
  g_autoptr(SudaLogRow) last = NULL;

  load (fixture, LINE ("10:00:00", "\"event\":\"join\",\"nick\":\"a\"") "\r\n"
                 "\n\r\n"
                 LINE ("10:00:01", "\"event\":\"part\",\"nick\":\"b\""));
  g_assert_cmpuint (n_items (fixture), ==, 2);
  first = row_at (fixture, 0);
  g_assert_false (suda_log_row_get_malformed (first));
  g_assert_cmpstr (suda_log_entry_get_nick (suda_log_row_get_entry (first)), ==, "a");
  last = row_at (fixture, 1);
  g_assert_cmpstr (suda_log_entry_get_event (suda_log_row_get_entry (last)), ==, "part");
  /* line numbers count the blank lines too */
  g_assert_cmpuint (suda_log_row_get_line_number (last), ==, 4);
}

static void
test_empty_file_has_no_rows (Fixture       *fixture,
                             gconstpointer  data)
{
  load (fixture, "");
  g_assert_cmpuint (n_items (fixture), ==, 0);
  g_assert_cmpuint (suda_log_model_get_n_lines (fixture->model), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (fixture->model), 0));
}

static void
test_escapes_and_extra_members_decode (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(SudaLogRow) row = NULL;
  g_autoptr(SudaLogRow) kick = NULL;
  g_autofree char *summary = NULL;

  load (fixture,
        LINE ("10:00:00", "\"event\":\"message\",\"meta\":{\"a\":[1,\"}\"]},\"n\":-1.5e3,"
                          "\"ok\":true,\"text\":\"q\\\"\\\\\\/ \\u00e9\\ud83d\\ude00 \\ud800x\"") "\n"
        LINE ("10:00:01", "\"event\":\"kick\",\"channel\":\"#a\",\"nick\":\"op\","
                          "\"text\":\"bye\",\"target\":\"bob\"") "\n");
  row = row_at (fixture, 0);
  g_assert_false (suda_log_row_get_malformed (row));
  /* a lone surrogate is not a character; it shows as U+FFFD */
  g_assert_cmpstr (suda_log_entry_get_text (suda_log_row_get_entry (row)), ==, "q\"\\/ é😀 \xef\xbf\xbdx");
  kick = row_at (fixture, 1);
  g_assert_cmpstr (suda_log_entry_get_field (suda_log_row_get_entry (kick), "target"), ==, "bob");
  summary = suda_log_row_dup_summary (kick);
  g_assert_cmpstr (summary, ==, "→ bob: bye");
}

static void
test_broken_lines_are_malformed (Fixture       *fixture,
                                 gconstpointer  data)
{
  static const char *broken[] = {
    "[1,2,3]",
    "{\"event\":\"join\"}",                                   /* no time */
    LINE ("10:00:00", "\"nick\":\"a\""),                      /* no event */
    "{\"time\":\"yesterday\",\"event\":\"join\"}",
    LINE ("10:00:00", "\"event\":\"join\"") " trailing",
    "{\"time\":\"2026-11-21T10:00:00.000Z\",\"event\":\"join\"",
    "{\"time\":\"2026-11-21T10:00:00.000Z\",\"event\":\"jo\tin\"}", /* raw tab */
    "\xff\xfe not even UTF-8",
  };
  g_autoptr(GString) contents = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    g_string_append_printf (contents, "%s\n", broken[i]);
  g_string_append (contents, LINE ("10:00:01", "\"event\":\"part\"") "\n");
  load (fixture, contents->str);

  g_assert_cmpuint (n_items (fixture), ==, G_N_ELEMENTS (broken) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(SudaLogRow) row = row_at (fixture, i);

      g_assert_true (suda_log_row_get_malformed (row));
      g_assert_true (g_utf8_validate (suda_log_row_get_raw_text (row), -1, NULL));
    }
  suda_log_model_set_event (fixture->model, "malformed");
  g_assert_cmpuint (n_items (fixture), ==, G_N_ELEMENTS (broken));
  suda_log_model_set_event (fixture->model, "part");
  g_assert_cmpuint (n_items (fixture), ==, 1);
}

static void
test_search_folds_case (Fixture       *fixture,
                        gconstpointer  data)
{
  load (fixture,
        LINE ("10:00:00", "\"event\":\"message\",\"nick\":\"Ana\",\"text\":\"ÉTÉ à Paris\"") "\n"
        LINE ("10:00:01", "\"event\":\"message\",\"nick\":\"bo\",\"text\":\"ПРИВЕТ мир\"") "\n"
        LINE ("10:00:02", "\"event\":\"message\",\"nick\":\"cy\",\"text\":\"plain ascii\"") "\n"
        LINE ("10:00:03", "\"event\":\"join\",\"channel\":\"#Été\",\"nick\":\"dee\"") "\n");

  suda_log_model_set_search_text (fixture->model, "été");
  g_assert_cmpuint (n_items (fixture), ==, 2);   /* the text, and the room's name */
  suda_log_model_set_search_text (fixture->model, "привет");
  g_assert_cmpuint (n_items (fixture), ==, 1);
  suda_log_model_set_search_text (fixture->model, "ASCII");
  g_assert_cmpuint (n_items (fixture), ==, 1);
  suda_log_model_set_search_text (fixture->model, "ana");
  g_assert_cmpuint (n_items (fixture), ==, 1);
  suda_log_model_set_search_text (fixture->model, "   ");
  g_assert_null (suda_log_model_get_search_text (fixture->model));
  g_assert_cmpuint (n_items (fixture), ==, 4);
}

static void
test_filters_combine (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GDateTime) since = g_date_time_new_utc (2026, 11, 21, 10, 0, 1);
  g_autoptr(GDateTime) until = g_date_time_new_utc (2026, 11, 21, 10, 0, 3);

  load (fixture,
        LINE ("10:00:00", "\"event\":\"message\",\"nick\":\"ana\",\"text\":\"hi\"") "\n"
        LINE ("10:00:01", "\"event\":\"message\",\"nick\":\"ana\",\"text\":\"hi again\"") "\n"
        LINE ("10:00:02", "\"event\":\"kick\",\"nick\":\"op\",\"target\":\"ANA\",\"text\":\"hi\"") "\n"
        LINE ("10:00:03", "\"event\":\"message\",\"nick\":\"ana\",\"text\":\"hi late\"") "\n"
        "{\"time\":\"2026-11-21T12:00:02+02:00\",\"event\":\"message\",\"nick\":\"ana\"}\n");

  /* a kick aimed at the nick is about them too; case does not matter */
  suda_log_model_set_nick (fixture->model, "Ana");
  g_assert_cmpuint (n_items (fixture), ==, 5);
  suda_log_model_set_time_range (fixture->model,
                                 g_date_time_to_unix (since) * G_USEC_PER_SEC,
                                 g_date_time_to_unix (until) * G_USEC_PER_SEC);
  /* 10:00:01 and 10:00:02, and 12:00:02+02:00 which is 10:00:02 UTC */
  g_assert_cmpuint (n_items (fixture), ==, 3);
  suda_log_model_set_event (fixture->model, "message");
  g_assert_cmpuint (n_items (fixture), ==, 2);
  suda_log_model_set_search_text (fixture->model, "again");
  g_assert_cmpuint (n_items (fixture), ==, 1);
}

static void
test_refresh_appends_and_rereads_a_rotated_file (Fixture       *fixture,
                                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  load (fixture, LINE ("10:00:00", "\"event\":\"join\",\"nick\":\"a\"") "\n"
                 LINE ("10:00:01", "\"event\":\"join\",\"nick\":\"b\"") "\n");
  suda_log_model_set_nick (fixture->model, "b");
  g_assert_cmpuint (n_items (fixture), ==, 1);

  g_assert_true (g_file_set_contents (fixture->path,
      LINE ("10:00:00", "\"event\":\"join\",\"nick\":\"a\"") "\n"
      LINE ("10:00:01", "\"event\":\"join\",\"nick\":\"b\"") "\n"
      LINE ("10:00:02", "\"event\":\"part\",\"nick\":\"b\"") "\n"
      LINE ("10:00:03", "\"event\":\"part\",\"nick\":\"a\"") "\n", -1, NULL));
  g_assert_true (suda_log_model_refresh (fixture->model, &error));
  g_assert_no_error (error);
  /* only the matching new line joins the filtered view */
  g_assert_cmpuint (n_items (fixture), ==, 2);
  g_assert_cmpuint (suda_log_model_get_n_lines (fixture->model), ==, 4);

  /* a shorter file was rotated: it is read again from the start */
  g_assert_true (g_file_set_contents (fixture->path,
      LINE ("11:00:00", "\"event\":\"join\",\"nick\":\"b\"") "\n", -1, NULL));
  g_assert_true (suda_log_model_refresh (fixture->model, &error));
  g_assert_cmpuint (suda_log_model_get_n_lines (fixture->model), ==, 1);
  g_assert_cmpuint (n_items (fixture), ==, 1);

  /* a file that disappeared leaves the rows as they were */
  g_unlink (fixture->path);
  g_assert_false (suda_log_model_refresh (fixture->model, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_cmpuint (n_items (fixture), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/log-viewer/model/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("lines/crlf-blank-and-unterminated", test_lines_crlf_blank_and_unterminated);
  ADD ("lines/empty-file-has-no-rows", test_empty_file_has_no_rows);
  ADD ("decode/escapes-and-extra-members", test_escapes_and_extra_members_decode);
  ADD ("decode/broken-lines-are-malformed", test_broken_lines_are_malformed);
  ADD ("filter/search-folds-case", test_search_folds_case);
  ADD ("filter/nick-event-time-and-text-combine", test_filters_combine);
  ADD ("follow/refresh-appends-and-rereads-a-rotated-file", test_refresh_appends_and_rereads_a_rotated_file);
#undef ADD

  return g_test_run ();
}
