/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-text.h"

/* Every line fits, is valid UTF-8, is not blank and has no line break. */
static void
assert_lines_well_formed (char **lines,
                          gsize  max_bytes)
{
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gsize len = strlen (lines[i]);

      g_assert_cmpuint (len, >, 0);
      g_assert_cmpuint (len, <=, max_bytes);
      g_assert_true (g_utf8_validate (lines[i], -1, NULL));
      g_assert_null (strpbrk (lines[i], "\r\n"));
      g_assert_cmpint (lines[i][len - 1], !=, ' ');
    }
}

static void
test_short_text_is_one_line (void)
{
  g_auto(GStrv) lines = NULL;
  guint omitted = 99;

  lines = suda_text_split_lines ("hello world", 100, 0, &omitted);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_cmpstr (lines[0], ==, "hello world");
  g_assert_cmpuint (omitted, ==, 0);
}

static void
test_empty_text_gives_no_lines (void)
{
  g_auto(GStrv) empty = suda_text_split_lines ("", 100, 0, NULL);
  g_auto(GStrv) blank = suda_text_split_lines ("  \n\r\n \t \n", 100, 0, NULL);
  g_auto(GStrv) null_text = suda_text_split_lines (NULL, 100, 0, NULL);

  g_assert_cmpuint (g_strv_length (empty), ==, 0);
  g_assert_cmpuint (g_strv_length (blank), ==, 0);
  g_assert_cmpuint (g_strv_length (null_text), ==, 0);
}

static void
test_keeps_line_breaks_and_drops_blank_lines (void)
{
  g_auto(GStrv) lines = NULL;

  lines = suda_text_split_lines ("first\r\nsecond\n\n\nthird\rfourth\n", 100, 0, NULL);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "first");
  g_assert_cmpstr (lines[1], ==, "second");
  g_assert_cmpstr (lines[2], ==, "third");
  g_assert_cmpstr (lines[3], ==, "fourth");
}

static void
test_wraps_at_spaces (void)
{
  const char *text =
    "The quick brown fox jumps over the lazy dog while the cat watches "
    "from the warm windowsill and wonders why anyone would run at all";
  g_auto(GStrv) lines = suda_text_split_lines (text, 20, 0, NULL);
  g_autofree char *joined = NULL;

  assert_lines_well_formed (lines, 20);
  g_assert_cmpuint (g_strv_length (lines), >, 6);
  /* Cut only at spaces: joining with one space gives the text back. */
  joined = g_strjoinv (" ", lines);
  g_assert_cmpstr (joined, ==, text);
  g_assert_cmpstr (lines[0], ==, "The quick brown fox");
  g_assert_cmpstr (lines[1], ==, "jumps over the lazy");
}

static void
test_korean_without_spaces_cuts_between_characters (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *joined = NULL;

  /* 3 bytes a syllable: 100 bytes is never a whole number of them. */
  for (guint i = 0; i < 200; i++)
    {
      gunichar c = 0xAC00 + (i * 37) % 11172;
      g_string_append_unichar (text, c);
    }

  lines = suda_text_split_lines (text->str, 100, 0, NULL);
  assert_lines_well_formed (lines, 100);
  /* 33 syllables (99 bytes) fill each line but the last. */
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  g_assert_cmpuint (strlen (lines[0]), ==, 99);
  joined = g_strjoinv ("", lines);
  g_assert_cmpstr (joined, ==, text->str);
}

static void
test_korean_with_spaces_wraps_at_words (void)
{
  const char *text = "안녕하세요 오늘은 날씨가 정말 좋네요 우리 같이 공원에 "
                     "산책하러 갈까요 아니면 도서관에 갈까요";
  g_auto(GStrv) lines = suda_text_split_lines (text, 40, 0, NULL);
  g_autofree char *joined = NULL;

  assert_lines_well_formed (lines, 40);
  g_assert_cmpuint (g_strv_length (lines), >, 2);
  joined = g_strjoinv (" ", lines);
  g_assert_cmpstr (joined, ==, text);
  g_assert_cmpstr (lines[0], ==, "안녕하세요 오늘은 날씨가");
}

static void
test_long_word_fills_the_line (void)
{
  const char *text = "see https://example.org/a/very/long/path/that/never/ends/at/all";
  g_auto(GStrv) lines = suda_text_split_lines (text, 16, 0, NULL);
  g_autofree char *joined = NULL;

  assert_lines_well_formed (lines, 16);
  /* The URL does not fit on a line of its own, so the first line is
   * filled rather than left with "see" alone. */
  g_assert_cmpstr (lines[0], ==, "see https://exam");
  joined = g_strjoinv ("", lines);
  g_assert_cmpstr (joined, ==, text);
}

static void
test_word_that_fits_moves_to_next_line (void)
{
  g_auto(GStrv) lines = suda_text_split_lines ("see https://example.org/x", 22, 0, NULL);

  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[0], ==, "see");
  g_assert_cmpstr (lines[1], ==, "https://example.org/x");
}

static void
test_never_cuts_before_a_combining_mark (void)
{
  /* "e" followed by U+0301 COMBINING ACUTE ACCENT, repeated. */
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < 30; i++)
    g_string_append (text, "e\xcc\x81");

  lines = suda_text_split_lines (text->str, 10, 0, NULL);
  assert_lines_well_formed (lines, 10);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_assert_false (g_unichar_ismark (g_utf8_get_char (lines[i])));
      g_assert_cmpuint (strlen (lines[i]) % 3, ==, 0);
    }
}

/* A letter with 300 combining marks (601 bytes) is one grapheme over a
 * 400-byte budget: it is cut inside, between characters, and nothing lost. */
static void
test_cluster_over_budget_is_cut_inside (void)
{
  g_autoptr(GString) text = g_string_new ("a");
  g_autoptr(GString) joined = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < 300; i++)
    g_string_append (text, "\xcc\x81");
  g_string_append (text, " after");
  lines = suda_text_split_lines (text->str, 400, 0, NULL);
  assert_lines_well_formed (lines, 400);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append (joined, lines[i]);
  g_assert_cmpstr (joined->str, ==, text->str);
}

static void
test_max_lines_counts_what_was_left_off (void)
{
  g_auto(GStrv) lines = NULL;
  guint omitted = 0;

  lines = suda_text_split_lines ("a\nb\nc\nd\ne\nf", 10, 4, &omitted);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[3], ==, "d");
  g_assert_cmpuint (omitted, ==, 2);
}

static void
test_tiny_limit_still_progresses (void)
{
  /* Smaller than one syllable: each line is one whole character. */
  g_auto(GStrv) lines = suda_text_split_lines ("한국어", 2, 0, NULL);

  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], ==, "한");
  g_assert_cmpstr (lines[2], ==, "어");
}

static void
test_invalid_utf8_is_repaired (void)
{
  g_auto(GStrv) lines = suda_text_split_lines ("ab\xff\xfe" "cd", 100, 0, NULL);

  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_true (g_utf8_validate (lines[0], -1, NULL));
  g_assert_true (g_str_has_prefix (lines[0], "ab"));
  g_assert_true (g_str_has_suffix (lines[0], "cd"));
}

/* Random mixes of ASCII words, Korean runs, spaces and line breaks: the
 * invariants hold and no text other than blanks is lost. */
static void
test_random_text_keeps_invariants (void)
{
  static const char *pieces[] = {
    "word", " ", "  ", "\n", "한국어", "안녕하세요반갑습니다", "é", "e\xcc\x81",
    "https://example.org/path", "\t", "😀", "x",
  };

  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GString) nonblank_in = g_string_new (NULL);
      g_autoptr(GString) nonblank_out = g_string_new (NULL);
      g_auto(GStrv) lines = NULL;
      gsize max = g_test_rand_int_range (4, 60);
      guint n = g_test_rand_int_range (0, 80);

      for (guint i = 0; i < n; i++)
        g_string_append (text, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);

      lines = suda_text_split_lines (text->str, max, 0, NULL);
      assert_lines_well_formed (lines, max);

      for (const char *p = text->str; *p; p++)
        if (!strchr (" \t\r\n", *p))
          g_string_append_c (nonblank_in, *p);
      for (guint i = 0; lines[i] != NULL; i++)
        for (const char *p = lines[i]; *p; p++)
          if (*p != ' ')
            g_string_append_c (nonblank_out, *p);
      g_assert_cmpstr (nonblank_out->str, ==, nonblank_in->str);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text/split/short-text-is-one-line", test_short_text_is_one_line);
  g_test_add_func ("/text/split/empty-text-gives-no-lines", test_empty_text_gives_no_lines);
  g_test_add_func ("/text/split/keeps-line-breaks-drops-blank-lines",
                   test_keeps_line_breaks_and_drops_blank_lines);
  g_test_add_func ("/text/split/wraps-at-spaces", test_wraps_at_spaces);
  g_test_add_func ("/text/split/korean-without-spaces-cuts-between-characters",
                   test_korean_without_spaces_cuts_between_characters);
  g_test_add_func ("/text/split/korean-with-spaces-wraps-at-words",
                   test_korean_with_spaces_wraps_at_words);
  g_test_add_func ("/text/split/long-word-fills-the-line", test_long_word_fills_the_line);
  g_test_add_func ("/text/split/word-that-fits-moves-to-next-line",
                   test_word_that_fits_moves_to_next_line);
  g_test_add_func ("/text/split/never-cuts-before-a-combining-mark",
                   test_never_cuts_before_a_combining_mark);
  g_test_add_func ("/text/split/cluster-over-budget-is-cut-inside",
                   test_cluster_over_budget_is_cut_inside);
  g_test_add_func ("/text/split/max-lines-counts-what-was-left-off",
                   test_max_lines_counts_what_was_left_off);
  g_test_add_func ("/text/split/tiny-limit-still-progresses", test_tiny_limit_still_progresses);
  g_test_add_func ("/text/split/invalid-utf8-is-repaired", test_invalid_utf8_is_repaired);
  g_test_add_func ("/text/split/random-text-keeps-invariants", test_random_text_keeps_invariants);

  return g_test_run ();
}
