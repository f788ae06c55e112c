/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-irc-message.h"
#include "suda-line-buffer.h"

static void
test_parse_full (void)
{
  char line[] = "@time=2026-11-21T05:03:07.123Z;+x=a\\sb :alice!~a@host privmsg #lobby :hello there";
  g_autoptr(GError) error = NULL;
  g_autofree char *time = NULL;
  g_autofree char *x = NULL;
  SudaIrcMessage m;

  g_assert_true (suda_irc_message_parse (&m, line, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (m.source, ==, "alice!~a@host");
  g_assert_cmpstr (m.command, ==, "PRIVMSG");
  g_assert_cmpuint (m.n_params, ==, 2);
  g_assert_cmpstr (m.params[0], ==, "#lobby");
  g_assert_cmpstr (m.params[1], ==, "hello there");
  time = suda_irc_message_dup_tag (&m, "time");
  g_assert_cmpstr (time, ==, "2026-11-21T05:03:07.123Z");
  x = suda_irc_message_dup_tag (&m, "+x");
  g_assert_cmpstr (x, ==, "a b");
  g_assert_null (suda_irc_message_dup_tag (&m, "missing"));
}

static void
test_parse_params (void)
{
  char line[] = "USER a b c d e f g h i j k l m n o p q";
  char empty_trailing[] = "PRIVMSG #a :";
  char spaces[] = "   ";
  g_autoptr(GError) error = NULL;
  SudaIrcMessage m;

  g_assert_true (suda_irc_message_parse (&m, line, NULL));
  g_assert_cmpuint (m.n_params, ==, SUDA_IRC_MAX_PARAMS);
  g_assert_cmpstr (m.params[14], ==, "o p q");

  g_assert_true (suda_irc_message_parse (&m, empty_trailing, NULL));
  g_assert_cmpuint (m.n_params, ==, 2);
  g_assert_cmpstr (m.params[1], ==, "");

  g_assert_false (suda_irc_message_parse (&m, spaces, &error));
  g_assert_error (error, SUDA_IRC_ERROR, SUDA_IRC_ERROR_EMPTY);
}

static void
test_parse_bad_command (void)
{
  char line[] = "PRIV/MSG x";
  char only_tags[] = "@a=b";
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  SudaIrcMessage m;

  g_assert_false (suda_irc_message_parse (&m, line, &error));
  g_assert_error (error, SUDA_IRC_ERROR, SUDA_IRC_ERROR_BAD_COMMAND);
  g_assert_false (suda_irc_message_parse (&m, only_tags, &error2));
  g_assert_error (error2, SUDA_IRC_ERROR, SUDA_IRC_ERROR_NO_COMMAND);
}

static void
test_serialize (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *params[] = { "#lobby", "hi there" };
  const char *params2[] = { "#lobby", ":)" };
  const char *params3[] = { "bob" };

  suda_irc_append_line (out, "time=x", "a!b@c", "PRIVMSG", params, 2);
  g_assert_cmpstr (out->str, ==, "@time=x :a!b@c PRIVMSG #lobby :hi there\r\n");
  g_string_truncate (out, 0);
  suda_irc_append_line (out, NULL, NULL, "PRIVMSG", params2, 2);
  g_assert_cmpstr (out->str, ==, "PRIVMSG #lobby ::)\r\n");
  g_string_truncate (out, 0);
  suda_irc_append_line (out, NULL, NULL, "NICK", params3, 1);
  g_assert_cmpstr (out->str, ==, "NICK bob\r\n");
}

static void
test_tag_escaping (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *back = NULL;
  const char *value = "a;b c\\d\r\n";

  suda_irc_append_tag_value (out, value);
  g_assert_cmpstr (out->str, ==, "a\\:b\\sc\\\\d\\r\\n");
  back = suda_irc_unescape_tag_value (out->str);
  g_assert_cmpstr (back, ==, value);
}

static void
test_nick_validity (void)
{
  const struct { const char *nick; gboolean ok; } cases[] = {
    { "alice", TRUE }, { "[bot]", TRUE }, { "a-b_c", TRUE }, { "x9", TRUE },
    { "9x", FALSE }, { "-x", FALSE }, { "", FALSE }, { "has space", FALSE },
    { "#chan", FALSE }, { "한글", FALSE }, { "abcdefghijklmnopqrstuvwxyz12345", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (suda_irc_is_valid_nick (cases[i].nick, 30), ==, cases[i].ok);
}

static void
test_casefold (void)
{
  g_autofree char *folded = suda_irc_casefold ("Alice[]\\~");

  g_assert_cmpstr (folded, ==, "alice{}|^");
  g_assert_cmpint (suda_irc_casecmp ("NICK[1]", "nick{1}"), ==, 0);
  g_assert_cmpint (suda_irc_casecmp ("a", "b"), !=, 0);
  g_assert_cmpuint (suda_irc_casefold_hash ("ABC^"), ==, suda_irc_casefold_hash ("abc~"));
  g_assert_true (suda_irc_is_valid_channel ("#로비", 50));
  g_assert_false (suda_irc_is_valid_channel ("#a,b", 50));
  g_assert_false (suda_irc_is_valid_channel ("lobby", 50));
}

static void
test_utf8_truncate (void)
{
  const char *text = "가나다";  /* 3 bytes each */

  g_assert_cmpuint (suda_utf8_truncate (text, 9, 9), ==, 9);
  g_assert_cmpuint (suda_utf8_truncate (text, 9, 8), ==, 6);
  g_assert_cmpuint (suda_utf8_truncate (text, 9, 4), ==, 3);
  g_assert_cmpuint (suda_utf8_truncate (text, 9, 2), ==, 0);
}

static void
test_time_tag (void)
{
  g_autofree char *tag = suda_irc_format_time_tag (G_GINT64_CONSTANT (1795237387123456));

  g_assert_cmpstr (tag, ==, "2026-11-21T05:03:07.123Z");
}

static void
test_line_buffer (void)
{
  SudaLineBuffer buffer;
  char *line;
  gsize len;

  suda_line_buffer_init (&buffer, 10);
  suda_line_buffer_append (&buffer, "ab\r\ncd", 6);
  g_assert_cmpint (suda_line_buffer_pop (&buffer, &line, &len), ==, SUDA_LINE_OK);
  g_assert_cmpstr (line, ==, "ab");
  g_assert_cmpint (suda_line_buffer_pop (&buffer, &line, &len), ==, SUDA_LINE_NONE);
  suda_line_buffer_append (&buffer, "e\n", 2);
  g_assert_cmpint (suda_line_buffer_pop (&buffer, &line, &len), ==, SUDA_LINE_OK);
  g_assert_cmpstr (line, ==, "cde");
  g_assert_cmpint (suda_line_buffer_pop (&buffer, &line, &len), ==, SUDA_LINE_NONE);
  /* drained: no memory held */
  g_assert_null (buffer.data);

  suda_line_buffer_append (&buffer, "0123456789abc", 13);
  g_assert_cmpint (suda_line_buffer_pop (&buffer, &line, &len), ==, SUDA_LINE_TOO_LONG);
  suda_line_buffer_clear (&buffer);

  suda_line_buffer_append (&buffer, "0123456789abc\n", 14);
  g_assert_cmpint (suda_line_buffer_pop (&buffer, &line, &len), ==, SUDA_LINE_TOO_LONG);
  suda_line_buffer_clear (&buffer);

  suda_line_buffer_append (&buffer, "no newline", 10);
  line = suda_line_buffer_take_partial (&buffer);
  g_assert_cmpstr (line, ==, "no newline");
  g_free (line);
  suda_line_buffer_clear (&buffer);
}

/* Every helper has an answer for NULL and for "", so a line with parts
 * missing cannot crash whoever asks about it. */
static void
test_null_and_empty_inputs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  SudaIrcMessage msg;
  char empty[] = "";
  char only_tags[] = "@a=b";

  g_assert_false (suda_irc_message_parse (&msg, NULL, &error));
  g_assert_error (error, SUDA_IRC_ERROR, SUDA_IRC_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_false (suda_irc_message_parse (&msg, empty, &error));
  g_assert_error (error, SUDA_IRC_ERROR, SUDA_IRC_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_false (suda_irc_message_parse (&msg, only_tags, &error));
  g_assert_error (error, SUDA_IRC_ERROR, SUDA_IRC_ERROR_NO_COMMAND);

  g_assert_null (suda_irc_message_param (NULL, 0));
  g_assert_null (suda_irc_message_dup_tag (NULL, "time"));
  g_assert_null (suda_irc_message_dup_tag (&msg, NULL));
  g_assert_null (suda_irc_message_dup_tag (&msg, ""));
  g_assert_null (suda_irc_unescape_tag_value (NULL));

  g_assert_null (suda_irc_source_nick (NULL));
  g_assert_null (suda_irc_source_nick (""));
  g_assert_null (suda_irc_source_nick ("!user@host"));
  g_assert_null (suda_irc_source_nick ("@host"));
  g_assert_false (suda_irc_is_valid_nick (NULL, 30));
  g_assert_false (suda_irc_is_valid_nick ("", 30));
  g_assert_false (suda_irc_is_channel (NULL));
  g_assert_false (suda_irc_is_channel (""));
  g_assert_false (suda_irc_is_valid_channel (NULL, 50));
  g_assert_false (suda_irc_is_valid_channel ("#", 50));

  g_assert_null (suda_irc_casefold (NULL));
  g_assert_cmpint (suda_irc_casecmp (NULL, NULL), ==, 0);
  g_assert_cmpint (suda_irc_casecmp (NULL, ""), <, 0);
  g_assert_cmpint (suda_irc_casecmp ("", NULL), >, 0);
  g_assert_cmpint (suda_irc_casecmp ("bob", NULL), >, 0);
  g_assert_cmpint (suda_irc_casecmp ("", ""), ==, 0);
  g_assert_true (suda_irc_casefold_equal (NULL, NULL));
  g_assert_false (suda_irc_casefold_equal ("a", NULL));
  g_assert_cmpuint (suda_irc_casefold_hash (NULL), ==, 0);
  g_assert_cmpuint (suda_utf8_truncate (NULL, 0, 10), ==, 0);

  suda_irc_append_tag_value (out, NULL);
  suda_irc_append_line (out, NULL, NULL, NULL, NULL, 0);
  suda_irc_append_line (out, "", "", "", NULL, 3);
  g_assert_cmpstr (out->str, ==, "");
  suda_irc_append_line (out, "", "", "QUIT", NULL, 2);
  g_assert_cmpstr (out->str, ==, "QUIT\r\n");
}

/* A hostile time tag is out of range: the tag still comes out. */
static void
test_time_tag_out_of_range (void)
{
  g_autofree char *before = suda_irc_format_time_tag (-5 * G_USEC_PER_SEC);
  g_autofree char *first = suda_irc_format_time_tag (G_MININT64);
  g_autofree char *after = suda_irc_format_time_tag (G_MAXINT64);

  g_assert_cmpstr (before, ==, "1969-12-31T23:59:55.000Z");
  g_assert_cmpstr (first, ==, "0001-01-01T00:00:00.000Z");
  g_assert_cmpstr (after, ==, "9999-12-31T23:59:59.999Z");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/irc/parse/full-line", test_parse_full);
  g_test_add_func ("/irc/parse/params", test_parse_params);
  g_test_add_func ("/irc/parse/bad-command", test_parse_bad_command);
  g_test_add_func ("/irc/serialize/trailing-colon", test_serialize);
  g_test_add_func ("/irc/tags/escaping-round-trip", test_tag_escaping);
  g_test_add_func ("/irc/nick/validity", test_nick_validity);
  g_test_add_func ("/irc/casemapping/rfc1459", test_casefold);
  g_test_add_func ("/irc/utf8/truncate-on-character", test_utf8_truncate);
  g_test_add_func ("/irc/time-tag/utc-milliseconds", test_time_tag);
  g_test_add_func ("/irc/total/null-and-empty-inputs", test_null_and_empty_inputs);
  g_test_add_func ("/irc/time-tag/out-of-range", test_time_tag_out_of_range);
  g_test_add_func ("/line-buffer/split-and-bound", test_line_buffer);
  return g_test_run ();
}
