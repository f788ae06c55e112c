/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: bytes as a message's text, through the formatting parser
 * (src/common/suda-format.c) with and without visible escapes, and the
 * bidi isolation.  Beyond "no crash" it asserts what readers rely on:
 * spans in order, inside the plain text, on character boundaries; no code
 * left in the plain text; no acting control left when escaped; isolates
 * balanced. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "suda-format.h"

static void
check_spans (const char *plain,
             GArray     *spans,
             gboolean    valid)
{
  gsize len = strlen (plain);
  gsize last_end = 0;

  for (guint i = 0; i < spans->len; i++)
    {
      SudaFormatSpan *span = &g_array_index (spans, SudaFormatSpan, i);

      g_assert_cmpuint (span->start, <, span->end);
      g_assert_cmpuint (span->start, >=, last_end);
      g_assert_cmpuint (span->end, <=, len);
      g_assert_true (span->flags != 0 || span->fg != SUDA_FORMAT_NO_COLOR ||
                     span->bg != SUDA_FORMAT_NO_COLOR);
      g_assert_true (span->fg == SUDA_FORMAT_NO_COLOR || (span->fg & SUDA_FORMAT_RGB) ||
                     (span->fg >= 0 && span->fg < SUDA_FORMAT_N_PALETTE));
      if (valid)
        {
          g_assert_true (g_utf8_validate_len (plain, span->start, NULL));
          g_assert_true (g_utf8_validate_len (plain, span->end, NULL));
        }
      last_end = span->end;
    }
}

static void
check_escaped (const char *plain)
{
  for (const char *p = plain; *p; p++)
    {
      guchar c = *p;

      g_assert_true (c >= 0x20 || c == '\t' || c == '\n');
      g_assert_cmpint (c, !=, 0x7f);
      if (c == 0xc2)
        g_assert_false ((guchar) p[1] >= 0x80 && (guchar) p[1] <= 0x9f);
    }
}

static void
check_balanced (const char *isolated)
{
  int depth = 0;

  g_assert_true (g_utf8_validate (isolated, -1, NULL));
  for (const char *p = isolated; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      depth += c >= 0x2066 && c <= 0x2068;
      depth -= c == 0x2069;
      g_assert_cmpint (depth, >=, 0);
      /* ours closes last: nothing of the text comes after it */
      if (depth == 0)
        g_assert_cmpstr (g_utf8_next_char (p), ==, "");
    }
  g_assert_cmpint (depth, ==, 0);
}

static void
check_isolated (const char *text)
{
  g_autofree char *isolated = suda_format_isolate (text);

  check_balanced (isolated);
}

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  gboolean valid = g_utf8_validate (text, -1, NULL);
  SudaFormatPlainFlags modes[] = {
    SUDA_FORMAT_PLAIN_DEFAULT,
    SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS,
    SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS | SUDA_FORMAT_PLAIN_ISOLATE,
  };

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr(GArray) spans = NULL;
      g_autofree char *plain = suda_format_parse (text, modes[m], &spans);
      g_autofree char *stripped = suda_format_strip (text, modes[m]);

      g_assert_cmpstr (plain, ==, stripped);
      g_assert_false (suda_format_has_codes (plain));
      g_assert_true (!valid || g_utf8_validate (plain, -1, NULL));
      check_spans (plain, spans, valid);
      if (modes[m] == SUDA_FORMAT_PLAIN_DEFAULT)
        g_assert_cmpuint (strlen (plain), <=, strlen (text));
      else if (valid)   /* removed codes may join the halves of an invalid C1 */
        check_escaped (plain);
      if (valid && (modes[m] & SUDA_FORMAT_PLAIN_ISOLATE))
        check_balanced (plain);
    }
  if (valid)
    check_isolated (text);
  return 0;
}
