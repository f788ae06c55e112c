/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: bytes as a JSON Lines log, read by the common reader
 * (suda_log_read_line, SudaLogEntry), by the viewer's rows, and by the
 * viewer's model over a real file (index, filters, a follow-up refresh).
 * Beyond "no crash" it asserts that the readers agree with one another and
 * that whatever is read as an entry writes out and reads back the same. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "suda-log-entry.h"
#include "suda-log-model.h"
#include "suda-log-reader.h"
#include "suda-log-row.h"

/* Rows decoded per input: enough to cover a few dozen lines, few enough to
 * keep each run fast when libFuzzer grows an input to thousands of lines. */
#define MAX_ROWS 256

static char *log_path;

static void
set_up_once (void)
{
  g_autofree char *dir = NULL;

  if (log_path != NULL)
    return;
  /* a g_warning or g_critical is a finding, as in the tests */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_setenv ("TZ", "UTC", TRUE);
  dir = g_dir_make_tmp ("suda-fuzz-log-XXXXXX", NULL);
  g_assert_nonnull (dir);
  log_path = g_build_filename (dir, "log.jsonl", NULL);
}

static void
count_member (const SudaLogValue *key,
              const SudaLogValue *value,
              gpointer            user_data)
{
  g_assert_cmpint (key->kind, ==, SUDA_LOG_VALUE_STRING);
  g_assert_cmpint (value->kind, !=, SUDA_LOG_VALUE_NONE);
  (*(guint *) user_data)++;
}

static void
assert_value_is (const SudaLogValue *value,
                 const char         *decoded)
{
  g_autofree char *dup = suda_log_value_dup (value);

  g_assert_cmpstr (dup, ==, decoded);
  if (decoded != NULL)
    g_assert_true (g_utf8_validate (decoded, -1, NULL));
}

static void
assert_same_entry (SudaLogEntry *a,
                   SudaLogEntry *b)
{
  JsonObject *extra_a = suda_log_entry_get_extra (a);
  JsonObject *extra_b = suda_log_entry_get_extra (b);

  g_assert_cmpstr (suda_log_entry_get_event (a), ==, suda_log_entry_get_event (b));
  g_assert_cmpstr (suda_log_entry_get_channel (a), ==, suda_log_entry_get_channel (b));
  g_assert_cmpstr (suda_log_entry_get_nick (a), ==, suda_log_entry_get_nick (b));
  g_assert_cmpstr (suda_log_entry_get_text (a), ==, suda_log_entry_get_text (b));
  g_assert_cmpuint (extra_a ? json_object_get_size (extra_a) : 0, ==,
                    extra_b ? json_object_get_size (extra_b) : 0);
}

/* The reader's verdict, the entry and the viewer's row agree; an entry
 * written out reads back as itself (times at the writer's millisecond). */
static void
check_line (const char *line,
            gsize       len)
{
  g_autoptr(SudaLogEntry) entry = NULL;
  g_autoptr(SudaLogEntry) again = NULL;
  g_autoptr(SudaLogRow) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  g_autofree char *summary = NULL;
  SudaLogFields fields;
  SudaLogReadResult result;
  guint members = 0;
  gint64 time;

  result = suda_log_read_line (line, len, &fields, count_member, &members);
  entry = suda_log_entry_new_from_line (line, len, &error);
  row = suda_log_row_new_from_line (line, len, 1);
  summary = suda_log_row_dup_summary (row);
  g_assert_true (g_utf8_validate (summary, -1, NULL));
  g_assert_cmpint (suda_log_row_get_malformed (row), ==, entry == NULL);
  if (result != SUDA_LOG_READ_OK)
    {
      g_assert_null (entry);
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (suda_log_row_get_raw_text (row), -1, NULL));
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (entry);
  g_assert_cmpuint (members, >=, 2);
  g_assert_cmpint (suda_log_entry_get_time (entry), ==, fields.time);
  assert_value_is (&fields.event, suda_log_entry_get_event (entry));
  assert_value_is (&fields.channel, suda_log_entry_get_channel (entry));
  assert_value_is (&fields.nick, suda_log_entry_get_nick (entry));
  assert_value_is (&fields.text, suda_log_entry_get_text (entry));
  assert_value_is (&fields.target, suda_log_entry_get_field (entry, "target"));

  written = suda_log_entry_to_line (entry);
  g_assert_null (strchr (written, '\n'));
  again = suda_log_entry_new_from_line (written, -1, &error);
  g_assert_no_error (error);
  assert_same_entry (entry, again);
  time = suda_log_entry_get_time (entry);
  g_assert_cmpint (suda_log_entry_get_time (again), ==, time - ((time % 1000) + 1000) % 1000);
}

static void
check_lines (const char *data,
             gsize       size)
{
  const char *p = data, *end = data + size;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl ? nl : end;

      check_line (p, stop - p);
      p = stop + 1;
    }
}

static guint
n_items (SudaLogModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (model));
}

typedef struct {
  guint malformed;
  guint join;
  guint nick_a;       /* rows by or aimed at "a", any case */
  guint before;       /* entries before 2026-01-01 */
} Counts;

static gboolean
is_nick_a (const char *nick)
{
  return nick != NULL && g_ascii_strcasecmp (nick, "a") == 0;
}

#define Y2026 (G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC)

static Counts
count_rows (SudaLogModel *model)
{
  Counts counts = { 0 };

  for (guint i = 0; i < MIN (n_items (model), MAX_ROWS); i++)
    {
      g_autoptr(SudaLogRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);
      SudaLogEntry *entry = suda_log_row_get_entry (row);

      g_assert_nonnull (row);
      g_assert_cmpuint (suda_log_row_get_line_number (row), >, i);
      if (entry == NULL)
        {
          counts.malformed++;
          continue;
        }
      counts.join += g_strcmp0 (suda_log_entry_get_event (entry), "join") == 0;
      counts.nick_a += is_nick_a (suda_log_entry_get_nick (entry)) ||
                       is_nick_a (suda_log_entry_get_field (entry, "target"));
      counts.before += suda_log_entry_get_time (entry) < Y2026;
    }
  return counts;
}

/* Each filter keeps exactly the rows the decoded entries say it should. */
static void
check_model_filters (SudaLogModel *model)
{
  guint all = n_items (model);
  Counts counts;

  g_assert_cmpuint (all, ==, suda_log_model_get_n_lines (model));
  if (all > MAX_ROWS)
    return;
  counts = count_rows (model);

  suda_log_model_set_event (model, "malformed");
  g_assert_cmpuint (n_items (model), ==, counts.malformed);
  suda_log_model_set_event (model, "join");
  g_assert_cmpuint (n_items (model), ==, counts.join);
  suda_log_model_set_event (model, NULL);
  suda_log_model_set_nick (model, "A");
  g_assert_cmpuint (n_items (model), ==, counts.nick_a);
  suda_log_model_set_nick (model, NULL);
  suda_log_model_set_time_range (model, 1, Y2026);
  g_assert_cmpuint (n_items (model), <=, counts.before);
  suda_log_model_set_time_range (model, 0, 0);
  /* searches only narrow; the folding one takes the slow path */
  suda_log_model_set_search_text (model, "e");
  g_assert_cmpuint (n_items (model), <=, all);
  suda_log_model_set_search_text (model, "É");
  g_assert_cmpuint (n_items (model), <=, all);
  suda_log_model_set_search_text (model, NULL);
  g_assert_cmpuint (n_items (model), ==, all);
}

/* g_file_set_contents would fsync the file it replaces, every run */
static void
write_log (const char *data,
           gsize       size)
{
  FILE *out = fopen (log_path, "wb");

  g_assert_nonnull (out);
  g_assert_cmpuint (fwrite (data, 1, size, out), ==, size);
  g_assert_cmpint (fclose (out), ==, 0);
}

static void
check_model (const char *data,
             gsize       size)
{
  g_autoptr(SudaLogModel) model = suda_log_model_new ();
  g_autoptr(GFile) file = g_file_new_for_path (log_path);
  g_autoptr(GError) error = NULL;
  gsize half = size / 2;

  /* the first half, then the rest appended, as a followed log grows */
  write_log (data, half);
  g_assert_true (suda_log_model_load (model, file, &error));
  g_assert_no_error (error);
  suda_log_model_set_event (model, "message");
  write_log (data, size);
  g_assert_true (suda_log_model_refresh (model, &error));
  g_assert_no_error (error);
  suda_log_model_set_event (model, NULL);
  check_model_filters (model);
  g_unlink (log_path);
}

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  set_up_once ();
  check_lines ((const char *) data, size);
  check_model ((const char *) data, size);
  return 0;
}
