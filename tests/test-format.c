/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The formatting parser (src/common/suda-format.c) on a table of inputs:
 * each gives its plain text and its spans, written as
 * "START-END FLAGS FG/BG" with flags b i u s m r and colours as palette
 * numbers, #RRGGBB or "-". */
#include "config.h"

#include <string.h>

#include "suda-format.h"

typedef struct {
  const char *name;
  const char *input;
  const char *plain;
  const char *spans;
} Case;

static const Case cases[] = {
  { "none", "just text", "just text", "" },
  { "empty", "", "", "" },
  { "bold", "a\x02" "b\x02" "c", "abc", "1-2 b -/-" },
  { "italic", "\x1d" "it\x1d", "it", "0-2 i -/-" },
  { "underline", "\x1f" "u", "u", "0-1 u -/-" },
  { "strikethrough", "\x1e" "s\x1e", "s", "0-1 s -/-" },
  { "monospace", "\x11" "code\x11", "code", "0-4 m -/-" },
  { "reverse", "\x16" "r\x16", "r", "0-1 r -/-" },
  { "reset", "\x02\x1d" "bi\x0f" "x", "bix", "0-2 bi -/-" },
  { "nesting", "\x02" "b\x1d" "bi\x02" "i\x1d" "n", "bbiin", "0-1 b -/-,1-3 bi -/-,3-4 i -/-" },
  { "unterminated", "\x02\x1f" "open", "open", "0-4 bu -/-" },
  { "double-toggle", "\x02\x02" "x", "x", "" },
  { "same-style-merges", "\x02" "a\x02\x02" "b", "ab", "0-2 b -/-" },
  { "irssi-line", "plain then \x02" "bold\x02 and \x1d" "italic\x1d and \x1f" "underline\x1f",
    "plain then bold and italic and underline", "11-15 b -/-,20-26 i -/-,31-40 u -/-" },
  { "color-1-digit", "\x03" "4red", "red", "0-3 - 4/-" },
  { "color-2-digits", "\x03" "04red", "red", "0-3 - 4/-" },
  { "color-3-digits", "\x03" "123", "3", "0-1 - 12/-" },
  { "color-bg", "\x03" "09,01green", "green", "0-5 - 9/1" },
  { "color-bg-1-digit", "\x03" "9,1g", "g", "0-1 - 9/1" },
  { "color-reset", "\x03" "04red\x03 plain", "red plain", "0-3 - 4/-" },
  { "issue-line", "\x03" "04red text\x03 and \x03" "09,01green on black\x03 reset\x0f done",
    "red text and green on black reset done", "0-8 - 4/-,13-27 - 9/1" },
  { "color-comma-text", "\x03" "04,text", ",text", "0-5 - 4/-" },
  { "color-comma-only", "\x03,5", ",5", "" },
  { "color-trailing-comma", "\x03" "4,", ",", "0-1 - 4/-" },
  { "color-at-end", "x\x03", "x", "" },
  { "color-keeps-bg", "\x03" "4,2a\x03" "5b", "ab", "0-1 - 4/2,1-2 - 5/2" },
  { "color-99-default", "\x03" "99,99x", "x", "" },
  { "color-extended", "\x03" "52x\x03" "98y", "xy", "0-1 - 52/-,1-2 - 98/-" },
  { "color-digits-after", "\x03" "04,0123", "23", "0-2 - 4/1" },
  { "color-and-bold", "\x02\x03" "4x\x0f" "y", "xy", "0-1 b 4/-" },
  { "hex", "\x04" "ff8800orange", "orange", "0-6 - #ff8800/-" },
  { "hex-bg", "\x04" "FF8800,000000x", "x", "0-1 - #ff8800/#000000" },
  { "hex-short", "\x04" "ff88x", "ff88x", "" },
  { "hex-bad-bg", "\x04" "ff8800,00x", ",00x", "0-4 - #ff8800/-" },
  { "hex-reset", "\x04" "112233a\x04" "b", "ab", "0-1 - #112233/-" },
  { "korean", "\x02안녕\x02 하세요", "안녕 하세요", "0-6 b -/-" },
};

static void
append_color (GString *out,
              gint     color)
{
  if (color == SUDA_FORMAT_NO_COLOR)
    g_string_append_c (out, '-');
  else if (color & SUDA_FORMAT_RGB)
    g_string_append_printf (out, "#%06x", suda_format_color_rgb (color));
  else
    g_string_append_printf (out, "%d", color);
}

static char *
describe (GArray *spans)
{
  static const char letters[] = "biusmr";
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < spans->len; i++)
    {
      SudaFormatSpan *span = &g_array_index (spans, SudaFormatSpan, i);

      g_string_append_printf (out, "%s%zu-%zu ", i ? "," : "", span->start, span->end);
      if (span->flags == 0)
        g_string_append_c (out, '-');
      for (guint bit = 0; bit < 6; bit++)
        if (span->flags & (1u << bit))
          g_string_append_c (out, letters[bit]);
      g_string_append_c (out, ' ');
      append_color (out, span->fg);
      g_string_append_c (out, '/');
      append_color (out, span->bg);
    }
  return g_string_free (out, FALSE);
}

static void
test_table (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GArray) spans = NULL;
  g_autofree char *plain = suda_format_parse (c->input, SUDA_FORMAT_PLAIN_DEFAULT, &spans);
  g_autofree char *stripped = suda_format_strip (c->input, SUDA_FORMAT_PLAIN_DEFAULT);
  g_autofree char *described = describe (spans);

  g_assert_cmpstr (plain, ==, c->plain);
  g_assert_cmpstr (stripped, ==, c->plain);
  g_assert_cmpstr (described, ==, c->spans);
}

/* The client's cases from before the one parser (issue 21), as the
 * history's plain text shows them: codes gone, other controls drawn. */
static void
test_client_cases (void)
{
  static const struct { const char *in, *out; } table[] = {
    { "plain", "plain" },
    { "\002bold\002 \035italic\035 \037under\037\017", "bold italic under" },
    { "\00304red\003 \0034,12on blue\003 \003 99", "red on blue  99" },
    { "\0031234", "34" },            /* two digits of colour at most */
    { "\0034,", "," },               /* a comma without a background stays */
    { "\004ff0000hex\004 \004A0B0C0,000000x", "hex x" },
    { "bell\007 esc\033[31m tab\there\177", "bell\u2407 esc\u241b[31m tab\there\u2421" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *out = suda_format_strip (table[i].in, SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);

      g_assert_cmpstr (out, ==, table[i].out);
    }
}

static void
test_palette (void)
{
  g_assert_cmphex (suda_format_color_rgb (0), ==, 0xffffff);
  g_assert_cmphex (suda_format_color_rgb (1), ==, 0x000000);
  g_assert_cmphex (suda_format_color_rgb (4), ==, 0xff0000);
  g_assert_cmphex (suda_format_color_rgb (15), ==, 0xd2d2d2);
  g_assert_cmphex (suda_format_color_rgb (16), ==, 0x470000);
  g_assert_cmphex (suda_format_color_rgb (52), ==, 0xff0000);
  g_assert_cmphex (suda_format_color_rgb (98), ==, 0xffffff);
  g_assert_cmphex (suda_format_color_rgb (SUDA_FORMAT_RGB | 0x123456), ==, 0x123456);
}

static void
test_has_codes (void)
{
  g_assert_false (suda_format_has_codes ("plain"));
  g_assert_false (suda_format_has_codes (NULL));
  g_assert_true (suda_format_has_codes ("a\x03" "4b"));
  g_assert_true (suda_format_has_codes ("\x0f"));
}

static void
test_escape_controls (void)
{
  g_autofree char *bell = suda_format_strip ("ring\x07 \x02" "bold\x02\tend\r", SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
  g_autofree char *esc = suda_format_strip ("\x1b[2J\x7f", SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
  g_autofree char *c1 = suda_format_strip ("a\xc2\x85" "b\xc2\xa0" "c", SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
  g_autofree char *kept = suda_format_strip ("ring\x07", SUDA_FORMAT_PLAIN_DEFAULT);
  g_autoptr(GArray) spans = NULL;
  g_autofree char *parsed = suda_format_parse ("\x07\x02" "b", SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS, &spans);

  g_assert_cmpstr (bell, ==, "ring\u2407 bold\tend\u240d");
  g_assert_cmpstr (esc, ==, "\u241b[2J\u2421");
  /* NEL is a control; the no-break space is not */
  g_assert_cmpstr (c1, ==, "a\u27e885\u27e9b\u00a0c");
  g_assert_cmpstr (kept, ==, "ring\x07");
  /* spans count the picture's bytes */
  g_assert_cmpstr (parsed, ==, "\u2407b");
  g_assert_cmpuint (spans->len, ==, 1);
  g_assert_cmpuint (g_array_index (spans, SudaFormatSpan, 0).start, ==, 3);
  g_assert_cmpuint (g_array_index (spans, SudaFormatSpan, 0).end, ==, 4);
}

static void
test_isolate (void)
{
  static const struct { const char *in, *out; } table[] = {
    { "abc", "\u2068abc\u2069" },
    { "", "\u2068\u2069" },
    /* an override ends at the isolate's end */
    { "\u202eevil", "\u2068\u202eevil\u2069" },
    /* an open isolate is closed, a stray close dropped */
    { "a\u2067b", "\u2068a\u2067b\u2069\u2069" },
    { "a\u2069b", "\u2068ab\u2069" },
    { "\u2066x\u2069\u2069", "\u2068\u2066x\u2069\u2069" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *isolated = suda_format_isolate (table[i].in);

      g_assert_cmpstr (isolated, ==, table[i].out);
    }
  g_assert_null (suda_format_isolate (NULL));
}

static void
test_reveal (void)
{
  g_autofree char *zwsp = suda_format_reveal ("a\u200bdmin");
  g_autofree char *marks = suda_format_reveal ("\u202ebob\ufeff\u00ad");

  g_assert_cmpstr (zwsp, ==, "a\u27e8U+200B\u27e9dmin");
  g_assert_cmpstr (marks, ==, "\u27e8U+202E\u27e9bob\u27e8U+FEFF\u27e9\u27e8U+00AD\u27e9");
  g_assert_null (suda_format_reveal ("admin"));
  g_assert_null (suda_format_reveal ("관리자"));
  g_assert_null (suda_format_reveal (NULL));
}

/* Isolated while parsing: the spans count the marks' bytes. */
static void
test_parse_isolated (void)
{
  g_autoptr(GArray) spans = NULL;
  g_autofree char *plain = suda_format_parse ("\x02\u202e" "evil\u2069\u2067", SUDA_FORMAT_PLAIN_ISOLATE, &spans);

  g_assert_cmpstr (plain, ==, "\u2068\u202e" "evil\u2067\u2069\u2069");
  g_assert_cmpuint (spans->len, ==, 1);
  g_assert_cmpuint (g_array_index (spans, SudaFormatSpan, 0).start, ==, 3);
  g_assert_cmpuint (g_array_index (spans, SudaFormatSpan, 0).end, ==, 13);
  g_assert_null (suda_format_strip (NULL, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/format/parse/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_table);
    }
  g_test_add_func ("/format/client-cases", test_client_cases);
  g_test_add_func ("/format/palette", test_palette);
  g_test_add_func ("/format/has-codes", test_has_codes);
  g_test_add_func ("/format/escape-controls", test_escape_controls);
  g_test_add_func ("/format/isolate", test_isolate);
  g_test_add_func ("/format/parse-isolated", test_parse_isolated);
  g_test_add_func ("/format/reveal-invisible", test_reveal);
  return g_test_run ();
}
