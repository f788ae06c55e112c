/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "suda-scheduler.h"
#include "suda-test-util.h"

typedef struct {
  char          *dir;
  char          *path;
  SudaTestClock  clock;
  SudaScheduler *scheduler;
  GPtrArray     *delivered;   /* SudaScheduledMessage */
  GArray        *late;        /* gboolean, one per delivered */
} Fixture;

static void
on_due (SudaScheduler        *scheduler,
        SudaScheduledMessage *message,
        gboolean              late,
        Fixture              *fixture)
{
  g_ptr_array_add (fixture->delivered, suda_scheduled_message_ref (message));
  g_array_append_val (fixture->late, late);
}

static SudaScheduler *
fixture_open_scheduler (Fixture *fixture)
{
  SudaScheduler *scheduler = suda_scheduler_new (fixture->path);

  suda_scheduler_set_clock (scheduler, suda_test_clock_now, &fixture->clock, NULL);
  g_signal_connect (scheduler, "due", G_CALLBACK (on_due), fixture);
  return scheduler;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  fixture->dir = g_dir_make_tmp ("suda-scheduler-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "scheduled.json", NULL);
  fixture->clock.now = g_date_time_new (utc, 2026, 11, 21, 10, 0, 0);
  fixture->delivered = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_scheduled_message_unref);
  fixture->late = g_array_new (FALSE, FALSE, sizeof (gboolean));
  fixture->scheduler = fixture_open_scheduler (fixture);
  g_assert_true (suda_scheduler_load (fixture->scheduler, &error));
  g_assert_no_error (error);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->scheduler);
  remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_date_time_unref (fixture->clock.now);
  g_ptr_array_unref (fixture->delivered);
  g_array_unref (fixture->late);
}

static SudaScheduledMessage *
add_in (Fixture    *fixture,
        const char *author,
        double      seconds,
        const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) due = g_date_time_add_seconds (fixture->clock.now, seconds);
  SudaScheduledMessage *message;

  message = suda_scheduler_add (fixture->scheduler, author, "#lobby", due, text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

/* Parsing WHEN */

static GDateTime *
make_now (const char *zone,
          int         hour,
          int         minute,
          double      seconds)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);

  g_assert_nonnull (tz);
  return g_date_time_new (tz, 2026, 11, 21, hour, minute, seconds);
}

static void
assert_parses_to_offset (const char *spec,
                         GTimeSpan   expected_seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = make_now ("UTC", 10, 0, 0);
  g_autoptr(GDateTime) when = suda_schedule_parse_when (spec, now, &error);

  g_assert_no_error (error);
  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_difference (when, now), ==, expected_seconds * G_TIME_SPAN_SECOND);
}

static void
test_parse_relative (void)
{
  assert_parses_to_offset ("+90s", 90);
  assert_parses_to_offset ("+10m", 600);
  assert_parses_to_offset ("+2h", 7200);
  assert_parses_to_offset ("+1h30m", 5400);
  assert_parses_to_offset ("+1h0m5s", 3605);
  assert_parses_to_offset ("+2d", 2 * 86400);
  assert_parses_to_offset ("+10M", 600);
  assert_parses_to_offset ("+7d", 7 * 86400);
}

static void
test_parse_relative_is_utc (void)
{
  g_autoptr(GDateTime) now = make_now ("+09:00", 19, 0, 0);
  g_autoptr(GDateTime) when = suda_schedule_parse_when ("+10m", now, NULL);

  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_get_utc_offset (when), ==, 0);
  g_assert_cmpint (g_date_time_get_hour (when), ==, 10);
  g_assert_cmpint (g_date_time_get_minute (when), ==, 10);
}

static void
test_parse_absolute_later_today (void)
{
  g_autoptr(GDateTime) now = make_now ("UTC", 10, 0, 0);
  g_autoptr(GDateTime) when = suda_schedule_parse_when ("15:30", now, NULL);
  g_autoptr(GDateTime) with_seconds = suda_schedule_parse_when ("10:00:01", now, NULL);
  g_autoptr(GDateTime) short_hour = suda_schedule_parse_when ("9:05", now, NULL);

  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_get_day_of_month (when), ==, 21);
  g_assert_cmpint (g_date_time_get_hour (when), ==, 15);
  g_assert_cmpint (g_date_time_get_minute (when), ==, 30);
  g_assert_cmpint (g_date_time_get_second (when), ==, 0);

  g_assert_nonnull (with_seconds);
  g_assert_cmpint (g_date_time_difference (with_seconds, now), ==, G_TIME_SPAN_SECOND);

  /* 9:05 has passed at 10:00, so it is tomorrow's. */
  g_assert_nonnull (short_hour);
  g_assert_cmpint (g_date_time_get_day_of_month (short_hour), ==, 22);
  g_assert_cmpint (g_date_time_get_hour (short_hour), ==, 9);
}

static void
test_parse_absolute_past_means_tomorrow (void)
{
  g_autoptr(GDateTime) now = make_now ("UTC", 23, 50, 0);
  g_autoptr(GDateTime) when = suda_schedule_parse_when ("08:15", now, NULL);
  g_autoptr(GDateTime) same = suda_schedule_parse_when ("23:50", now, NULL);
  g_autoptr(GDateTime) month_end = make_now ("UTC", 12, 0, 0);
  g_autoptr(GDateTime) last_day = g_date_time_add_days (month_end, 9); /* 30 November */
  g_autoptr(GDateTime) wrapped = suda_schedule_parse_when ("11:00", last_day, NULL);

  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_get_day_of_month (when), ==, 22);
  g_assert_cmpint (g_date_time_get_hour (when), ==, 8);
  g_assert_cmpint (g_date_time_get_minute (when), ==, 15);

  /* The very current second is already past too. */
  g_assert_nonnull (same);
  g_assert_cmpint (g_date_time_difference (same, now), ==, G_TIME_SPAN_DAY);

  g_assert_nonnull (wrapped);
  g_assert_cmpint (g_date_time_get_month (wrapped), ==, 12);
  g_assert_cmpint (g_date_time_get_day_of_month (wrapped), ==, 1);
}

static void
test_parse_absolute_in_local_zone (void)
{
  /* 09:00 in Seoul is 00:00 UTC: the time of day is read in NOW's zone. */
  g_autoptr(GDateTime) now = make_now ("+09:00", 8, 0, 0);
  g_autoptr(GDateTime) when = suda_schedule_parse_when ("09:00", now, NULL);

  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_get_utc_offset (when), ==, 0);
  g_assert_cmpint (g_date_time_get_hour (when), ==, 0);
  g_assert_cmpint (g_date_time_difference (when, now), ==, G_TIME_SPAN_HOUR);
}

static void
test_parse_bad_input (void)
{
  static const struct { const char *spec; int code; } cases[] = {
    { "", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "25:00", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "24:00", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "12:60", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "12:00:60", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "12:5", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "123:00", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "12:00:00:00", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "-1:00", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "ab:cd", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "12", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "noon", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+0s", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+0h0m", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+10", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+10x", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+m", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+-5m", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+30m1h", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+1h1h", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+1h 5m", SUDA_SCHEDULER_ERROR_BAD_TIME },
    { "+8d", SUDA_SCHEDULER_ERROR_TOO_FAR },
    { "+169h", SUDA_SCHEDULER_ERROR_TOO_FAR },
    { "+99999999999999999999s", SUDA_SCHEDULER_ERROR_TOO_FAR },
  };
  g_autoptr(GDateTime) now = make_now ("UTC", 10, 0, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDateTime) when = suda_schedule_parse_when (cases[i].spec, now, &error);

      g_test_message ("WHEN “%s”", cases[i].spec);
      g_assert_null (when);
      g_assert_error (error, SUDA_SCHEDULER_ERROR, cases[i].code);
      g_assert_nonnull (error->message);
    }
}

/* Adding, listing, cancelling */

static void
test_add_returns_pending_message (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) message = add_in (fixture, "alice", 600, "meeting soon");
  g_autoptr(GDateTime) expected = g_date_time_add_minutes (fixture->clock.now, 10);

  g_assert_cmpuint (suda_scheduled_message_get_id (message), ==, 1);
  g_assert_cmpstr (suda_scheduled_message_get_author (message), ==, "alice");
  g_assert_cmpstr (suda_scheduled_message_get_channel (message), ==, "#lobby");
  g_assert_cmpstr (suda_scheduled_message_get_text (message), ==, "meeting soon");
  g_assert_true (g_date_time_equal (suda_scheduled_message_get_due (message), expected));
  g_assert_true (g_date_time_equal (suda_scheduled_message_get_created (message), fixture->clock.now));
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 1);
  g_assert_true (suda_scheduler_lookup (fixture->scheduler, 1) == message);
  g_assert_true (g_date_time_equal (suda_scheduler_get_next_due (fixture->scheduler), expected));
}

static void
test_add_ids_increase (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) first = add_in (fixture, "alice", 60, "one");
  g_autoptr(SudaScheduledMessage) second = add_in (fixture, "bob", 30, "two");

  g_assert_cmpuint (suda_scheduled_message_get_id (second), >, suda_scheduled_message_get_id (first));
  /* The sooner one is what the timer waits for. */
  g_assert_true (suda_scheduler_get_next_due (fixture->scheduler) == suda_scheduled_message_get_due (second));
}

static void
test_add_no_text_refused (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char *texts[] = { NULL, "", "   ", "\t \u3000" };
  g_autoptr(GDateTime) due = g_date_time_add_minutes (fixture->clock.now, 5);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SudaScheduledMessage) message =
        suda_scheduler_add (fixture->scheduler, "alice", "#lobby", due, texts[i], &error);

      g_assert_null (message);
      g_assert_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_NO_TEXT);
    }
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 0);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

static void
test_add_too_far_refused (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) due = g_date_time_add_days (fixture->clock.now, 8);
  g_autoptr(SudaScheduledMessage) message =
    suda_scheduler_add (fixture->scheduler, "alice", "#lobby", due, "later", &error);

  g_assert_null (message);
  g_assert_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_TOO_FAR);
}

static void
test_add_21st_pending_refused (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) due = g_date_time_add_minutes (fixture->clock.now, 5);
  g_autoptr(SudaScheduledMessage) refused = NULL;
  g_autoptr(SudaScheduledMessage) other = NULL;
  g_autoptr(SudaScheduledMessage) after_cancel = NULL;
  g_autoptr(SudaScheduledMessage) cancelled = NULL;

  g_assert_cmpuint (suda_scheduler_get_max_per_author (fixture->scheduler), ==, 20);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);
      g_autoptr(SudaScheduledMessage) message = add_in (fixture, "alice", 60 + i, text);
    }

  /* Nicks compare without case, as IRC does. */
  refused = suda_scheduler_add (fixture->scheduler, "ALICE", "#lobby", due, "one too many", &error);
  g_assert_null (refused);
  g_assert_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_TOO_MANY);
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 20);

  /* The limit is per author. */
  other = add_in (fixture, "bob", 60, "mine");

  /* Cancelling one frees a place. */
  cancelled = suda_scheduler_cancel (fixture->scheduler, 1, "alice", FALSE, NULL);
  g_assert_nonnull (cancelled);
  after_cancel = add_in (fixture, "alice", 60, "fits again");
}

static void
test_list_by_author_soonest_first (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) a1 = add_in (fixture, "alice", 300, "a-late");
  g_autoptr(SudaScheduledMessage) b1 = add_in (fixture, "bob", 100, "b");
  g_autoptr(SudaScheduledMessage) a2 = add_in (fixture, "alice", 200, "a-early");
  g_autoptr(GPtrArray) alice = suda_scheduler_list (fixture->scheduler, "Alice");
  g_autoptr(GPtrArray) carol = suda_scheduler_list (fixture->scheduler, "carol");
  g_autoptr(GPtrArray) all = suda_scheduler_list (fixture->scheduler, NULL);

  g_assert_cmpuint (alice->len, ==, 2);
  g_assert_true (g_ptr_array_index (alice, 0) == a2);
  g_assert_true (g_ptr_array_index (alice, 1) == a1);
  g_assert_cmpuint (carol->len, ==, 0);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_true (g_ptr_array_index (all, 0) == b1);
}

static void
test_cancel_by_author (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaScheduledMessage) message = add_in (fixture, "alice", 300, "never mind");
  g_autoptr(SudaScheduledMessage) cancelled = NULL;
  guint id = suda_scheduled_message_get_id (message);

  cancelled = suda_scheduler_cancel (fixture->scheduler, id, "alice", FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (cancelled == message);
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 0);
  g_assert_null (suda_scheduler_lookup (fixture->scheduler, id));
  g_assert_null (suda_scheduler_get_next_due (fixture->scheduler));

  /* A cancelled message never comes due. */
  suda_test_clock_advance (&fixture->clock, 600);
  suda_scheduler_check_due (fixture->scheduler);
  g_assert_cmpuint (fixture->delivered->len, ==, 0);
}

static void
test_cancel_by_someone_else_refused (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaScheduledMessage) message = add_in (fixture, "alice", 300, "mine");
  g_autoptr(SudaScheduledMessage) cancelled = NULL;

  cancelled = suda_scheduler_cancel (fixture->scheduler, suda_scheduled_message_get_id (message),
                                     "mallory", FALSE, &error);
  g_assert_null (cancelled);
  g_assert_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_NOT_PERMITTED);
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 1);
}

static void
test_cancel_by_operator_allowed (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaScheduledMessage) message = add_in (fixture, "alice", 300, "spam");
  g_autoptr(SudaScheduledMessage) cancelled = NULL;

  cancelled = suda_scheduler_cancel (fixture->scheduler, suda_scheduled_message_get_id (message),
                                     "oper", TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (cancelled == message);
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 0);
}

static void
test_cancel_unknown_id (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaScheduledMessage) cancelled =
    suda_scheduler_cancel (fixture->scheduler, 42, "alice", TRUE, &error);

  g_assert_null (cancelled);
  g_assert_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_NOT_FOUND);
}

/* Coming due */

static void
test_due_when_clock_passes (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) later = add_in (fixture, "bob", 120, "second");
  g_autoptr(SudaScheduledMessage) sooner = add_in (fixture, "alice", 90, "first");

  suda_test_clock_advance (&fixture->clock, 89);
  suda_scheduler_check_due (fixture->scheduler);
  g_assert_cmpuint (fixture->delivered->len, ==, 0);

  suda_test_clock_advance (&fixture->clock, 1);
  suda_scheduler_check_due (fixture->scheduler);
  g_assert_cmpuint (fixture->delivered->len, ==, 1);
  g_assert_true (g_ptr_array_index (fixture->delivered, 0) == sooner);
  g_assert_false (g_array_index (fixture->late, gboolean, 0));
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 1);

  /* Both at once come in time order; each only once. */
  suda_test_clock_advance (&fixture->clock, 3600);
  suda_scheduler_check_due (fixture->scheduler);
  suda_scheduler_check_due (fixture->scheduler);
  g_assert_cmpuint (fixture->delivered->len, ==, 2);
  g_assert_true (g_ptr_array_index (fixture->delivered, 1) == later);
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 0);
}

static void
test_due_in_time_order (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) c = add_in (fixture, "alice", 30, "c");
  g_autoptr(SudaScheduledMessage) a = add_in (fixture, "alice", 10, "a");
  g_autoptr(SudaScheduledMessage) b = add_in (fixture, "alice", 20, "b");
  g_autoptr(SudaScheduledMessage) b2 = add_in (fixture, "alice", 20, "b2");

  suda_test_clock_advance (&fixture->clock, 60);
  suda_scheduler_check_due (fixture->scheduler);
  g_assert_cmpuint (fixture->delivered->len, ==, 4);
  g_assert_true (g_ptr_array_index (fixture->delivered, 0) == a);
  g_assert_true (g_ptr_array_index (fixture->delivered, 1) == b);
  g_assert_true (g_ptr_array_index (fixture->delivered, 2) == b2);
  g_assert_true (g_ptr_array_index (fixture->delivered, 3) == c);
}

static void
reschedule_on_due (SudaScheduler        *scheduler,
                   SudaScheduledMessage *message,
                   gboolean              late,
                   Fixture              *fixture)
{
  g_autoptr(GDateTime) due = g_date_time_add_minutes (suda_scheduled_message_get_due (message), 1);
  g_autoptr(SudaScheduledMessage) again = NULL;

  /* The message has already left the list: a place is free again. */
  g_assert_null (suda_scheduler_lookup (scheduler, suda_scheduled_message_get_id (message)));
  if (fixture->delivered->len < 3)
    again = suda_scheduler_add (scheduler, suda_scheduled_message_get_author (message),
                                "#lobby", due, "again", NULL);
}

static void
test_due_handler_may_add (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) message = NULL;

  suda_scheduler_set_max_per_author (fixture->scheduler, 1);
  g_signal_connect (fixture->scheduler, "due", G_CALLBACK (reschedule_on_due), fixture);
  message = add_in (fixture, "alice", 10, "once");

  suda_test_clock_advance (&fixture->clock, 10);
  suda_scheduler_check_due (fixture->scheduler);
  g_assert_cmpuint (fixture->delivered->len, ==, 1);
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 1);

  suda_test_clock_advance (&fixture->clock, 60);
  suda_scheduler_check_due (fixture->scheduler);
  g_assert_cmpuint (fixture->delivered->len, ==, 2);
  g_assert_cmpstr (suda_scheduled_message_get_text (g_ptr_array_index (fixture->delivered, 1)), ==, "again");
}

static void
on_due_quit (SudaScheduler        *scheduler,
             SudaScheduledMessage *message,
             gboolean              late,
             GMainLoop            *loop)
{
  g_main_loop_quit (loop);
}

static gboolean
on_timeout_fail (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

static void
test_due_from_main_loop_timer (void)
{
  g_autoptr(SudaScheduler) scheduler = suda_scheduler_new (NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GDateTime) start = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) due = g_date_time_add_seconds (start, 0.15);
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(SudaScheduledMessage) message = NULL;
  guint guard;

  /* The real clock and a real timer, no polling: the loop wakes for it. */
  g_assert_true (suda_scheduler_load (scheduler, NULL));
  g_signal_connect (scheduler, "due", G_CALLBACK (on_due_quit), loop);
  message = suda_scheduler_add (scheduler, "alice", "#lobby", due, "now", NULL);
  g_assert_nonnull (message);
  guard = g_timeout_add_seconds (5, on_timeout_fail, NULL);
  g_main_loop_run (loop);
  g_source_remove (guard);

  end = g_date_time_new_now_utc ();
  g_assert_cmpint (g_date_time_compare (end, due), >=, 0);
  g_assert_cmpint (g_date_time_difference (end, due), <, G_TIME_SPAN_SECOND);
  g_assert_cmpuint (suda_scheduler_get_n_pending (scheduler), ==, 0);
}

/* Persistence */

/* The state as the file says it: its snapshot line with the records after
 * it (adds and removes) applied to the snapshot's "messages". */
static JsonNode *
read_state_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  JsonNode *root = NULL;
  JsonArray *messages;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *record;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      if (root == NULL)
        {
          root = json_node_copy (json_parser_get_root (parser));
          continue;
        }
      record = json_node_get_object (json_parser_get_root (parser));
      messages = json_object_get_array_member (json_node_get_object (root), "messages");
      if (json_object_has_member (record, "add"))
        json_array_add_element (messages, json_node_copy (json_object_get_member (record, "add")));
      else
        for (guint j = 0; j < json_array_get_length (messages); j++)
          if (json_object_get_int_member (json_array_get_object_element (messages, j), "id") ==
              json_object_get_int_member (record, "remove"))
            json_array_remove_element (messages, j--);
    }
  g_assert_nonnull (root);
  return root;
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_persist_state_file_is_valid_json (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) first = add_in (fixture, "alice", 60, "“quotes” and \\ and 한국어\nnewline");
  g_autoptr(SudaScheduledMessage) second = add_in (fixture, "bob", 120, "second");
  g_autoptr(SudaScheduledMessage) cancelled = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *message;
  JsonArray *messages;

  root = read_state_file (fixture->path);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 2);
  messages = json_object_get_array_member (object, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  message = json_array_get_object_element (messages, 0);
  g_assert_cmpint (json_object_get_int_member (message, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (message, "author"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (message, "channel"), ==, "#lobby");
  g_assert_cmpstr (json_object_get_string_member (message, "text"), ==, "“quotes” and \\ and 한국어\nnewline");
  g_assert_cmpstr (json_object_get_string_member (message, "due"), ==, "2026-11-21T10:01:00Z");

  /* Written by renaming a complete file into place: nothing else is left. */
  g_assert_cmpuint (count_files (fixture->dir), ==, 1);

  cancelled = suda_scheduler_cancel (fixture->scheduler, 1, "alice", FALSE, NULL);
  g_assert_nonnull (cancelled);
  g_clear_pointer (&root, json_node_unref);
  root = read_state_file (fixture->path);
  messages = json_object_get_array_member (json_node_get_object (root), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);

  suda_test_clock_advance (&fixture->clock, 120);
  suda_scheduler_check_due (fixture->scheduler);
  g_clear_pointer (&root, json_node_unref);
  root = read_state_file (fixture->path);
  messages = json_object_get_array_member (json_node_get_object (root), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 0);
  g_assert_cmpuint (count_files (fixture->dir), ==, 1);
}

static void
test_persist_restart_keeps_pending (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) first = add_in (fixture, "alice", 60, "one");
  g_autoptr(SudaScheduledMessage) second = add_in (fixture, "bob", 3600, "two");
  g_autoptr(SudaScheduledMessage) third = add_in (fixture, "alice", 120, "three");
  g_autoptr(SudaScheduledMessage) cancelled = suda_scheduler_cancel (fixture->scheduler, 3, "alice", FALSE, NULL);
  g_autoptr(SudaScheduledMessage) fresh = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  SudaScheduledMessage *loaded;

  g_assert_nonnull (cancelled);
  g_clear_object (&fixture->scheduler);

  fixture->scheduler = fixture_open_scheduler (fixture);
  g_assert_true (suda_scheduler_load (fixture->scheduler, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->delivered->len, ==, 0);

  list = suda_scheduler_list (fixture->scheduler, NULL);
  g_assert_cmpuint (list->len, ==, 2);
  loaded = g_ptr_array_index (list, 0);
  g_assert_cmpuint (suda_scheduled_message_get_id (loaded), ==, 1);
  g_assert_cmpstr (suda_scheduled_message_get_author (loaded), ==, "alice");
  g_assert_cmpstr (suda_scheduled_message_get_channel (loaded), ==, "#lobby");
  g_assert_cmpstr (suda_scheduled_message_get_text (loaded), ==, "one");
  g_assert_true (g_date_time_equal (suda_scheduled_message_get_due (loaded),
                                    suda_scheduled_message_get_due (first)));
  g_assert_true (g_date_time_equal (suda_scheduled_message_get_created (loaded),
                                    suda_scheduled_message_get_created (first)));
  g_assert_cmpuint (suda_scheduled_message_get_id (g_ptr_array_index (list, 1)), ==, 2);

  /* Ids are never reused, not even a cancelled one's. */
  fresh = add_in (fixture, "carol", 10, "new");
  g_assert_cmpuint (suda_scheduled_message_get_id (fresh), ==, 4);

  /* What was loaded still comes due on time. */
  suda_test_clock_advance (&fixture->clock, 60);
  suda_scheduler_check_due (fixture->scheduler);
  g_assert_cmpuint (fixture->delivered->len, ==, 2);
  g_assert_cmpstr (suda_scheduled_message_get_text (g_ptr_array_index (fixture->delivered, 1)), ==, "one");
  g_assert_false (g_array_index (fixture->late, gboolean, 1));
}

static void
test_persist_late_delivery_at_load (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) missed = add_in (fixture, "alice", 60, "missed");
  g_autoptr(SudaScheduledMessage) pending = add_in (fixture, "bob", 7200, "still ahead");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_clear_object (&fixture->scheduler);
  /* The server is down for an hour. */
  suda_test_clock_advance (&fixture->clock, 3600);

  fixture->scheduler = fixture_open_scheduler (fixture);
  g_assert_true (suda_scheduler_load (fixture->scheduler, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->delivered->len, ==, 1);
  g_assert_cmpstr (suda_scheduled_message_get_text (g_ptr_array_index (fixture->delivered, 0)), ==, "missed");
  g_assert_true (g_array_index (fixture->late, gboolean, 0));

  list = suda_scheduler_list (fixture->scheduler, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  root = read_state_file (fixture->path);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "messages")), ==, 1);

  /* A message that comes due while running is not late. */
  suda_test_clock_advance (&fixture->clock, 3600);
  suda_scheduler_check_due (fixture->scheduler);
  g_assert_cmpuint (fixture->delivered->len, ==, 2);
  g_assert_false (g_array_index (fixture->late, gboolean, 1));
}

static void
test_persist_missing_file_is_empty (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 0);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

static void
test_persist_nested_state_dir_created (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("suda-scheduler-XXXXXX", &error);
  g_autofree char *sub = g_build_filename (dir, "state", NULL);
  g_autofree char *path = g_build_filename (sub, "scheduled.json", NULL);
  g_autoptr(SudaScheduler) scheduler = suda_scheduler_new (path);
  g_autoptr(GDateTime) due = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_hours (due, 1);
  g_autoptr(SudaScheduledMessage) message = NULL;

  g_assert_no_error (error);
  g_assert_true (suda_scheduler_load (scheduler, NULL));
  message = suda_scheduler_add (scheduler, "alice", "#lobby", later, "hi", NULL);
  g_assert_nonnull (message);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  g_unlink (path);
  g_rmdir (sub);
  g_rmdir (dir);
}

static guint
count_lines (const char *path)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  for (const char *p = contents; *p; p++)
    n += *p == '\n';
  return n;
}

static guint64
inode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_ino;
}

/* A change appends one line to the same file; only now and then is the
 * file compacted into a new snapshot (a new file renamed into place). */
static void
test_persist_changes_are_appended (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) first = add_in (fixture, "alice", 60, "one");
  guint64 inode = inode_of (fixture->path);
  guint changes = 0;

  g_assert_cmpuint (count_lines (fixture->path), ==, 1);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(SudaScheduledMessage) message = add_in (fixture, "bob", 120, "more");
      g_autoptr(SudaScheduledMessage) cancelled =
        suda_scheduler_cancel (fixture->scheduler, suda_scheduled_message_get_id (message), "bob", FALSE, NULL);

      g_assert_nonnull (cancelled);
      changes += 2;
      g_assert_cmpuint (count_lines (fixture->path), ==, 1 + changes);
      g_assert_cmpuint (inode_of (fixture->path), ==, inode);
    }

  /* Many changes later the file starts over from a snapshot. */
  while (inode_of (fixture->path) == inode)
    {
      g_autoptr(SudaScheduledMessage) message = add_in (fixture, "bob", 120, "more");
      g_autoptr(SudaScheduledMessage) cancelled =
        suda_scheduler_cancel (fixture->scheduler, suda_scheduled_message_get_id (message), "bob", FALSE, NULL);

      changes += 2;
      g_assert_cmpuint (changes, <, 1000);
    }
  /* The snapshot, and the cancel after the add that compacted. */
  g_assert_cmpuint (count_lines (fixture->path), ==, 2);
  g_assert_cmpuint (count_files (fixture->dir), ==, 1);
}

/* A state file from before (version 1, one pretty-printed document) loads,
 * and is rewritten in the current form. */
static void
test_persist_version_1_migrates (Fixture       *fixture,
                                 gconstpointer  data)
{
  static const char old[] =
    "{\n  \"version\" : 1,\n  \"next-id\" : 8,\n  \"messages\" : [\n    {\n"
    "      \"id\" : 7,\n      \"author\" : \"alice\",\n      \"channel\" : \"#lobby\",\n"
    "      \"due\" : \"2026-11-21T11:00:00Z\",\n      \"created\" : \"2026-11-21T09:00:00Z\",\n"
    "      \"text\" : \"from before\"\n    }\n  ]\n}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SudaScheduledMessage) fresh = NULL;
  SudaScheduledMessage *loaded;

  g_clear_object (&fixture->scheduler);
  g_assert_true (g_file_set_contents (fixture->path, old, -1, NULL));
  fixture->scheduler = fixture_open_scheduler (fixture);
  g_assert_true (suda_scheduler_load (fixture->scheduler, &error));
  g_assert_no_error (error);
  loaded = suda_scheduler_lookup (fixture->scheduler, 7);
  g_assert_nonnull (loaded);
  g_assert_cmpstr (suda_scheduled_message_get_text (loaded), ==, "from before");

  g_assert_cmpuint (count_lines (fixture->path), ==, 1);
  root = read_state_file (fixture->path);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "version"), ==, 2);
  fresh = add_in (fixture, "bob", 60, "new");
  g_assert_cmpuint (suda_scheduled_message_get_id (fresh), ==, 8);
}

/* The file is locked while its scheduler runs: a second one (another
 * server given the same file) neither loads nor writes it. */
static void
test_persist_locked (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) first = add_in (fixture, "alice", 60, "mine");
  g_autoptr(SudaScheduler) other = suda_scheduler_new (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) due = g_date_time_add_hours (fixture->clock.now, 1);
  g_autoptr(SudaScheduledMessage) theirs = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_get_contents (fixture->path, &before, NULL, NULL));
  g_assert_false (suda_scheduler_load (other, &error));
  g_assert_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_IN_USE);
  g_assert_cmpuint (suda_scheduler_get_n_pending (other), ==, 0);
  theirs = suda_scheduler_add (other, "bob", "#lobby", due, "theirs", NULL);
  g_assert_nonnull (theirs);
  g_assert_true (g_file_get_contents (fixture->path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
}

/* A crash in the middle of an append leaves a torn last line: dropped. */
static void
test_persist_torn_record_dropped (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(SudaScheduledMessage) first = add_in (fixture, "alice", 60, "kept");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *torn = NULL;

  g_clear_object (&fixture->scheduler);
  g_assert_true (g_file_get_contents (fixture->path, &contents, NULL, NULL));
  torn = g_strconcat (contents, "{\"add\":{\"id\":2,\"auth", NULL);
  g_assert_true (g_file_set_contents (fixture->path, torn, -1, NULL));

  fixture->scheduler = fixture_open_scheduler (fixture);
  g_assert_true (suda_scheduler_load (fixture->scheduler, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 1);
  g_assert_cmpuint (count_lines (fixture->path), ==, 1);
}

static void
test_persist_corrupt_file_set_aside (Fixture       *fixture,
                                     gconstpointer  data)
{
  static const char *contents[] = {
    "{ not json",
    "[]",
    "{\"version\": 99, \"messages\": []}",
    "{\"version\": 1}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (contents); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SudaScheduledMessage) message = NULL;
      g_autofree char *aside = g_strconcat (fixture->path, ".bad", NULL);
      g_autofree char *kept = NULL;

      g_clear_object (&fixture->scheduler);
      g_assert_true (g_file_set_contents (fixture->path, contents[i], -1, NULL));
      fixture->scheduler = fixture_open_scheduler (fixture);
      g_assert_false (suda_scheduler_load (fixture->scheduler, &error));
      g_assert_nonnull (error);

      /* The unreadable file is kept for a person to look at ... */
      g_assert_true (g_file_get_contents (aside, &kept, NULL, NULL));
      g_assert_cmpstr (kept, ==, contents[i]);
      g_unlink (aside);

      /* ... and the scheduler works from empty. */
      g_assert_cmpuint (suda_scheduler_get_n_pending (fixture->scheduler), ==, 0);
      message = add_in (fixture, "alice", 60, "works");
      g_assert_nonnull (message);
      g_unlink (fixture->path);
    }
}

static void
test_persist_bad_entries_skipped (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char *contents =
    "{\"version\": 1, \"next-id\": 7, \"messages\": ["
    "{\"id\": 5, \"author\": \"alice\", \"channel\": \"#lobby\", \"due\": \"2026-11-21T11:00:00Z\","
    " \"created\": \"2026-11-21T09:00:00Z\", \"text\": \"good\"},"
    "{\"id\": 6, \"author\": \"bob\", \"channel\": \"#lobby\", \"due\": \"not a time\", \"text\": \"bad due\"},"
    "{\"id\": \"x\", \"author\": \"bob\", \"channel\": \"#lobby\", \"due\": \"2026-11-21T11:00:00Z\", \"text\": \"bad id\"},"
    "{\"id\": 8, \"channel\": \"#lobby\", \"due\": \"2026-11-21T11:00:00Z\", \"text\": \"no author\"},"
    "42"
    "]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(SudaScheduledMessage) fresh = NULL;

  g_clear_object (&fixture->scheduler);
  g_assert_true (g_file_set_contents (fixture->path, contents, -1, NULL));
  fixture->scheduler = fixture_open_scheduler (fixture);
  g_assert_true (suda_scheduler_load (fixture->scheduler, &error));
  g_assert_no_error (error);

  list = suda_scheduler_list (fixture->scheduler, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (suda_scheduled_message_get_text (g_ptr_array_index (list, 0)), ==, "good");
  fresh = add_in (fixture, "alice", 60, "new");
  g_assert_cmpuint (suda_scheduled_message_get_id (fresh), ==, 7);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_FIXTURE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/scheduler/parse/relative", test_parse_relative);
  g_test_add_func ("/scheduler/parse/relative-result-is-utc", test_parse_relative_is_utc);
  g_test_add_func ("/scheduler/parse/absolute-later-today", test_parse_absolute_later_today);
  g_test_add_func ("/scheduler/parse/absolute-past-means-tomorrow", test_parse_absolute_past_means_tomorrow);
  g_test_add_func ("/scheduler/parse/absolute-in-local-zone", test_parse_absolute_in_local_zone);
  g_test_add_func ("/scheduler/parse/bad-input-refused", test_parse_bad_input);
  ADD_FIXTURE_TEST ("/scheduler/add/returns-pending-message", test_add_returns_pending_message);
  ADD_FIXTURE_TEST ("/scheduler/add/ids-increase", test_add_ids_increase);
  ADD_FIXTURE_TEST ("/scheduler/add/no-text-refused", test_add_no_text_refused);
  ADD_FIXTURE_TEST ("/scheduler/add/too-far-refused", test_add_too_far_refused);
  ADD_FIXTURE_TEST ("/scheduler/add/21st-pending-refused", test_add_21st_pending_refused);
  ADD_FIXTURE_TEST ("/scheduler/list/by-author-soonest-first", test_list_by_author_soonest_first);
  ADD_FIXTURE_TEST ("/scheduler/cancel/by-author", test_cancel_by_author);
  ADD_FIXTURE_TEST ("/scheduler/cancel/by-someone-else-refused", test_cancel_by_someone_else_refused);
  ADD_FIXTURE_TEST ("/scheduler/cancel/by-operator-allowed", test_cancel_by_operator_allowed);
  ADD_FIXTURE_TEST ("/scheduler/cancel/unknown-id", test_cancel_unknown_id);
  ADD_FIXTURE_TEST ("/scheduler/due/when-clock-passes", test_due_when_clock_passes);
  ADD_FIXTURE_TEST ("/scheduler/due/in-time-order", test_due_in_time_order);
  ADD_FIXTURE_TEST ("/scheduler/due/handler-may-add", test_due_handler_may_add);
  g_test_add_func ("/scheduler/due/from-main-loop-timer", test_due_from_main_loop_timer);
  ADD_FIXTURE_TEST ("/scheduler/persist/state-file-is-valid-json", test_persist_state_file_is_valid_json);
  ADD_FIXTURE_TEST ("/scheduler/persist/restart-keeps-pending", test_persist_restart_keeps_pending);
  ADD_FIXTURE_TEST ("/scheduler/persist/late-delivery-at-load", test_persist_late_delivery_at_load);
  ADD_FIXTURE_TEST ("/scheduler/persist/missing-file-is-empty", test_persist_missing_file_is_empty);
  g_test_add_func ("/scheduler/persist/state-dir-created", test_persist_nested_state_dir_created);
  ADD_FIXTURE_TEST ("/scheduler/persist/changes-are-appended", test_persist_changes_are_appended);
  ADD_FIXTURE_TEST ("/scheduler/persist/version-1-migrates", test_persist_version_1_migrates);
  ADD_FIXTURE_TEST ("/scheduler/persist/locked-against-another", test_persist_locked);
  ADD_FIXTURE_TEST ("/scheduler/persist/torn-record-dropped", test_persist_torn_record_dropped);
  ADD_FIXTURE_TEST ("/scheduler/persist/corrupt-file-set-aside", test_persist_corrupt_file_set_aside);
  ADD_FIXTURE_TEST ("/scheduler/persist/bad-entries-skipped", test_persist_bad_entries_skipped);

  return g_test_run ();
}
