/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "suda-log-entry.h"
#include "suda-log-reader.h"

/* The one reader of Suda's JSON Lines log (src/common/suda-log-reader.c)
 * and SudaLogEntry built on it: what is an entry, what each member decodes
 * to, and that whatever the writer writes reads back. */

#define T "\"time\":\"2026-11-21T10:00:00.000Z\""
#define LINE(rest) "{" T "," rest "}"
#define NOV21 (G_GINT64_CONSTANT (1795255200) * G_USEC_PER_SEC)

static SudaLogReadResult
read_line (const char    *line,
           SudaLogFields *fields)
{
  return suda_log_read_line (line, strlen (line), fields, NULL, NULL);
}

static SudaLogEntry *
entry_from (const char *line)
{
  g_autoptr(GError) error = NULL;
  SudaLogEntry *entry = suda_log_entry_new_from_line (line, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entry);
  return entry;
}

static void
assert_malformed (const char        *line,
                  SudaLogReadResult  expected)
{
  g_autoptr(SudaLogEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  SudaLogFields fields;

  g_assert_cmpint (read_line (line, &fields), ==, expected);
  entry = suda_log_entry_new_from_line (line, -1, &error);
  g_assert_null (entry);
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
}

static void
test_every_event_kind_reads_back (void)
{
  static const char *events[] = {
    "server-start", "server-stop", "connect", "register", "disconnect", "join", "part",
    "quit", "nick", "message", "notice", "whisper", "kick", "topic", "mode", "search",
    "schedule", "error",
  };

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autoptr(SudaLogEntry) written = suda_log_entry_new (NOV21 + 123000, events[i], "#lobby",
                                                            "alice", "안녕 \"there\"\n\t\x01");
      g_autoptr(SudaLogEntry) read = NULL;
      g_autofree char *line = NULL;
      SudaLogFields fields;

      suda_log_entry_set_field (written, "target", "bob");
      suda_log_entry_set_int_field (written, "id", -42);
      suda_log_entry_set_bool_field (written, "late", TRUE);
      line = suda_log_entry_to_line (written);
      g_assert_null (strchr (line, '\n'));

      g_assert_cmpint (read_line (line, &fields), ==, SUDA_LOG_READ_OK);
      g_assert_true (suda_log_value_equal (&fields.event, events[i]));
      g_assert_true (suda_log_value_equal (&fields.target, "bob"));
      g_assert_cmpint (fields.time, ==, NOV21 + 123000);

      read = entry_from (line);
      g_assert_cmpstr (suda_log_entry_get_event (read), ==, events[i]);
      g_assert_cmpint (suda_log_entry_get_time (read), ==, NOV21 + 123000);
      g_assert_cmpstr (suda_log_entry_get_channel (read), ==, "#lobby");
      g_assert_cmpstr (suda_log_entry_get_nick (read), ==, "alice");
      g_assert_cmpstr (suda_log_entry_get_text (read), ==, "안녕 \"there\"\n\t\x01");
      g_assert_cmpstr (suda_log_entry_get_field (read, "target"), ==, "bob");
      g_assert_cmpint (json_object_get_int_member (suda_log_entry_get_extra (read), "id"), ==, -42);
      g_assert_true (json_object_get_boolean_member (suda_log_entry_get_extra (read), "late"));
    }
}

static void
test_escapes_decode (void)
{
  g_autoptr(SudaLogEntry) entry = entry_from (
      LINE ("\"event\":\"message\",\"text\":\"q\\\"\\\\\\/\\b\\f\\n\\r\\t \\u00e9\\u00C9 \\ud83d\\ude00\""));
  g_autoptr(SudaLogEntry) broken = entry_from (
      LINE ("\"event\":\"message\",\"text\":\"\\ud800x \\udc00 \\u0000 \\ud83d\\u0041\""));
  g_autoptr(SudaLogEntry) keys = entry_from (
      "{\"\\u0074ime\":\"2026-11-21T10:00:00.000Z\",\"ev\\u0065nt\":\"join\","
      "\"\\u0063\\u0068\\u0061\\u006e\\u006e\\u0065\\u006c\":\"#a\",\"t\\u0061rget\":\"b\"}");
  SudaLogFields fields;

  g_assert_cmpstr (suda_log_entry_get_text (entry), ==, "q\"\\/\b\f\n\r\t éÉ 😀");
  /* halves of a surrogate pair alone, and U+0000, are no characters a C
   * string holds: each shows as U+FFFD */
  g_assert_cmpstr (suda_log_entry_get_text (broken), ==,
                   "\xef\xbf\xbdx \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd" "A");
  /* a key may be escaped too; it is still the member it names */
  g_assert_cmpstr (suda_log_entry_get_event (keys), ==, "join");
  g_assert_cmpstr (suda_log_entry_get_channel (keys), ==, "#a");
  g_assert_null (suda_log_entry_get_extra (keys) ? json_object_get_member (suda_log_entry_get_extra (keys), "time") : NULL);
  g_assert_cmpint (read_line ("{\"\\u0074ime\":\"2026-11-21T10:00:00.000Z\",\"event\":\"x\",\"t\\u0061rget\":\"b\"}",
                              &fields), ==, SUDA_LOG_READ_OK);
  g_assert_true (suda_log_value_equal (&fields.target, "b"));
  g_assert_cmpint (fields.time, ==, NOV21);
}

static void
test_invalid_json_is_malformed (void)
{
  static const char *lines[] = {
    "",
    "   ",
    "this line is not JSON",
    "[1,2,3]",
    "\"a string\"",
    "{}x",
    LINE ("\"event\":\"join\"") " trailing",
    LINE ("\"event\":\"join\"") "}",
    "{" T ",\"event\":\"join\",}",
    "{" T " \"event\":\"join\"}",
    "{\"time\" \"2026-11-21T10:00:00.000Z\",\"event\":\"join\"}",
    "{" T ",\"event\":\"jo\tin\"}",                         /* raw control character */
    LINE ("\"event\":\"join\",\"text\":\"\\x41\""),          /* no such escape */
    LINE ("\"event\":\"join\",\"text\":\"\\u12g4\""),
    LINE ("\"event\":\"join\",\"text\":\"\\\""),
    LINE ("\"event\":\"join\",\"n\":01"),
    LINE ("\"event\":\"join\",\"n\":1."),
    LINE ("\"event\":\"join\",\"n\":.5"),
    LINE ("\"event\":\"join\",\"n\":-"),
    LINE ("\"event\":\"join\",\"n\":1e"),
    LINE ("\"event\":\"join\",\"n\":+1"),
    LINE ("\"event\":\"join\",\"n\":tru"),
    LINE ("\"event\":\"join\",\"n\":nul"),
    LINE ("\"event\":\"join\",\"n\":NaN"),
    LINE ("\"event\":\"join\",\"n\":[1,]"),
    LINE ("\"event\":\"join\",\"n\":{\"a\"}"),
    LINE ("\"event\":\"join\",\"n\":[1}"),
    LINE ("\"event\":\"join\",'n':1"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    assert_malformed (lines[i], SUDA_LOG_READ_NOT_JSON);
}

static void
test_missing_time_or_event (void)
{
  assert_malformed ("{\"event\":\"join\"}", SUDA_LOG_READ_NO_TIME);
  assert_malformed ("{\"time\":12,\"event\":\"join\"}", SUDA_LOG_READ_NO_TIME);
  assert_malformed ("{\"time\":\"yesterday\",\"event\":\"join\"}", SUDA_LOG_READ_NO_TIME);
  assert_malformed ("{\"time\":\"2026-02-29T00:00:00.000Z\",\"event\":\"join\"}", SUDA_LOG_READ_NO_TIME);
  /* an offset cannot carry a time out of the years a writer can write */
  assert_malformed ("{\"time\":\"0001-01-01T00:00:00+01:00\",\"event\":\"join\"}", SUDA_LOG_READ_NO_TIME);
  assert_malformed ("{\"time\":\"9999-12-31T23:59:59-01:00\",\"event\":\"join\"}", SUDA_LOG_READ_NO_TIME);
  assert_malformed (LINE ("\"nick\":\"a\""), SUDA_LOG_READ_NO_EVENT);
  assert_malformed (LINE ("\"event\":7"), SUDA_LOG_READ_NO_EVENT);
  assert_malformed ("{}", SUDA_LOG_READ_NO_TIME);
}

/* A line cut anywhere (a writer that died, a file still being written) is
 * never taken for an entry. */
static void
test_truncated_lines_are_malformed (void)
{
  static const char line[] =
    LINE ("\"event\":\"message\",\"channel\":\"#lobby\",\"nick\":\"민준\","
          "\"text\":\"a \\\"b\\\" \\u00e9\",\"meta\":{\"a\":[1,2.5,true,null]}");
  SudaLogFields fields;

  g_assert_cmpint (read_line (line, &fields), ==, SUDA_LOG_READ_OK);
  for (gsize len = 0; len < sizeof line - 1; len++)
    {
      g_autoptr(SudaLogEntry) entry = suda_log_entry_new_from_line (line, len, NULL);

      g_assert_cmpint (suda_log_read_line (line, len, &fields, NULL, NULL), ==, SUDA_LOG_READ_NOT_JSON);
      g_assert_null (entry);
    }
}

/* One bad byte does not hide an entry: it reads, and shows as U+FFFD. */
static void
test_non_utf8_is_repaired (void)
{
  g_autoptr(SudaLogEntry) entry = entry_from (
      LINE ("\"event\":\"message\",\"nick\":\"\xff\",\"text\":\"caf\xe9 \xc3\",\"\xfe\":\"x\""));
  JsonObject *extra = suda_log_entry_get_extra (entry);

  g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "\xef\xbf\xbd");
  g_assert_cmpstr (suda_log_entry_get_text (entry), ==, "caf\xef\xbf\xbd \xef\xbf\xbd");
  g_assert_cmpstr (json_object_get_string_member (extra, "\xef\xbf\xbd"), ==, "x");
  assert_malformed ("\xff\xfe not even UTF-8", SUDA_LOG_READ_NOT_JSON);
}

static void
test_members_and_their_types (void)
{
  g_autoptr(SudaLogEntry) entry = entry_from (
      LINE ("\"event\":\"search\",\"nick\":\"first\",\"nick\":\"second\",\"text\":\"a\",\"text\":5,"
            "\"channel\":[\"#a\"],\"latency_ms\":123,\"cached\":false,\"none\":null,\"ratio\":-0.5e-3,"
            "\"big\":9223372036854775808,\"huge\":1e999,\"meta\":{\"a\":[1,\"}\",{\"b\":[]}]}"));
  JsonObject *extra = suda_log_entry_get_extra (entry);
  JsonNode *meta;

  /* a member written twice is its last writing; a column that is not a
   * string is absent */
  g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "second");
  g_assert_null (suda_log_entry_get_text (entry));
  g_assert_null (suda_log_entry_get_channel (entry));
  g_assert_false (json_object_has_member (extra, "text"));
  g_assert_cmpint (json_object_get_int_member (extra, "latency_ms"), ==, 123);
  g_assert_false (json_object_get_boolean_member (extra, "cached"));
  g_assert_true (json_object_get_null_member (extra, "none"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (extra, "ratio"), -0.0005, 1e-12);
  g_assert_cmpfloat (json_object_get_double_member (extra, "big"), ==, 9223372036854775808.0);
  /* JSON has no infinity, so a number past a double keeps its text */
  g_assert_cmpstr (json_object_get_string_member (extra, "huge"), ==, "1e999");
  meta = json_object_get_member (extra, "meta");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (meta));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (json_node_get_object (meta), "a"), 1),
                   ==, "}");
}

/* Nesting is bounded, so no line can exhaust the reader's stack. */
static void
test_nesting_depth_is_bounded (void)
{
  g_autoptr(GString) ok = g_string_new ("{" T ",\"event\":\"x\",\"d\":");
  g_autoptr(GString) deep = NULL;
  SudaLogFields fields;

  for (guint i = 0; i < 62; i++)
    g_string_append_c (ok, '[');
  for (guint i = 0; i < 62; i++)
    g_string_append_c (ok, ']');
  g_string_append_c (ok, '}');
  g_assert_cmpint (read_line (ok->str, &fields), ==, SUDA_LOG_READ_OK);

  deep = g_string_new ("{" T ",\"event\":\"x\",\"d\":");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  assert_malformed (deep->str, SUDA_LOG_READ_NOT_JSON);
}

static void
test_whitespace_around_members (void)
{
  g_autoptr(SudaLogEntry) entry = entry_from (
      " \t{ \"time\" : \"2026-11-21T10:00:00.000Z\" ,\r\n \"event\" : \"join\" } \r");

  g_assert_cmpstr (suda_log_entry_get_event (entry), ==, "join");
}

/* The writer's form is read without GDateTime; it must agree with it. */
static void
test_times_agree_with_gdatetime (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);
  static const char *forms[] = {
    "2026-11-21T12:00:00+02:00", "2026-11-21T10:00:00.5Z", "2026-11-21T10:00:00.123456789Z",
    "1969-12-31T23:59:59.500Z", "2024-02-29T00:00:00.000Z", "2026-11-21T10:00:60.000Z",
  };

  for (guint i = 0; i < 20000; i++)
    {
      int year = g_rand_int_range (rand, 1, 10000), month = g_rand_int_range (rand, 1, 13);
      int day = g_rand_int_range (rand, 1, g_date_get_days_in_month (month, year) + 1);
      int hour = g_rand_int_range (rand, 0, 24), minute = g_rand_int_range (rand, 0, 60);
      int second = g_rand_int_range (rand, 0, 60), usec = g_rand_int_range (rand, 0, 1000000);
      g_autofree char *ms = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                                             year, month, day, hour, minute, second, usec / 1000);
      g_autofree char *us = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                                             year, month, day, hour, minute, second, usec);
      g_autofree char *written = NULL;
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (us, NULL);
      gint64 parsed;

      g_assert_true (suda_log_parse_time (us, &parsed));
      g_assert_cmpint (parsed, ==, g_date_time_to_unix (dt) * G_USEC_PER_SEC + usec);
      g_assert_true (suda_log_parse_time (ms, &parsed));
      written = suda_log_format_time (parsed);
      g_assert_cmpstr (written, ==, ms);
    }
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (forms[i], NULL);
      gint64 parsed;

      g_assert_true (suda_log_parse_time (forms[i], &parsed));
      g_assert_cmpint (parsed, ==, g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log/reader/every-event-kind-reads-back", test_every_event_kind_reads_back);
  g_test_add_func ("/log/reader/escapes-decode", test_escapes_decode);
  g_test_add_func ("/log/reader/invalid-json-is-malformed", test_invalid_json_is_malformed);
  g_test_add_func ("/log/reader/missing-time-or-event", test_missing_time_or_event);
  g_test_add_func ("/log/reader/truncated-lines-are-malformed", test_truncated_lines_are_malformed);
  g_test_add_func ("/log/reader/non-utf8-is-repaired", test_non_utf8_is_repaired);
  g_test_add_func ("/log/reader/members-and-their-types", test_members_and_their_types);
  g_test_add_func ("/log/reader/nesting-depth-is-bounded", test_nesting_depth_is_bounded);
  g_test_add_func ("/log/reader/whitespace-around-members", test_whitespace_around_members);
  g_test_add_func ("/log/reader/times-agree-with-gdatetime", test_times_agree_with_gdatetime);
  return g_test_run ();
}
