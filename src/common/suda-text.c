/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-text.h"

typedef struct {
  GPtrArray *lines;
  guint      max_lines;
  guint      n_omitted;
} LineSink;

static void
line_sink_add (LineSink   *sink,
               const char *start,
               gsize       len)
{
  /* Trailing spaces carry nothing, and a line of only spaces is blank. */
  while (len > 0 && start[len - 1] == ' ')
    len--;
  if (len == 0)
    return;

  if (sink->max_lines > 0 && sink->lines->len >= sink->max_lines)
    sink->n_omitted++;
  else
    g_ptr_array_add (sink->lines, g_strndup (start, len));
}

static gsize
skip_spaces (const char *p,
             gsize       pos,
             gsize       len)
{
  while (pos < len && p[pos] == ' ')
    pos++;
  return pos;
}

/* The start of the character that contains byte POS, POS itself when a
 * character starts there. */
static gsize
char_start_at_or_before (const char *p,
                         gsize       pos)
{
  while (pos > 0 && ((guchar) p[pos] & 0xC0) == 0x80)
    pos--;
  return pos;
}

/* Where to end a line of paragraph P (LEN > MAX bytes): a cut of at most
 * MAX bytes, and where the next line begins. */
static void
find_cut (const char *p,
          gsize       len,
          gsize       max,
          gsize      *line_end,
          gsize      *next_start)
{
  gsize cut = char_start_at_or_before (p, max);

  /* An accent belongs with the letter before it, so back off over marks. */
  while (cut > 0 && g_unichar_ismark (g_utf8_get_char (p + cut)))
    cut = char_start_at_or_before (p, cut - 1);

  if (cut == 0)
    {
      /* One letter with its marks is over MAX alone (a letter can carry
       * hundreds): it is cut between characters so no line is over MAX,
       * and only a first character over MAX goes whole, since stopping
       * would never make progress. */
      cut = char_start_at_or_before (p, max);
      if (cut == 0)
        cut = g_utf8_next_char (p) - p;
      *line_end = cut;
      *next_start = skip_spaces (p, cut, len);
      return;
    }

  /* The last space at or before the cut.  Breaking there only pays off
   * when the word after it fits on a line of its own; a longer word (a
   * Korean sentence without spaces, a long URL) fills the line instead. */
  for (gsize s = cut; s > 0; s--)
    {
      const char *word_end;
      gsize word_len;

      if (p[s] != ' ')
        continue;

      word_end = memchr (p + s + 1, ' ', len - s - 1);
      word_len = (word_end != NULL ? (gsize) (word_end - p) : len) - (s + 1);
      if (word_len <= max)
        {
          *line_end = s;
          *next_start = skip_spaces (p, s, len);
          return;
        }
      break;
    }

  *line_end = cut;
  *next_start = skip_spaces (p, cut, len);
}

static void
split_paragraph (LineSink   *sink,
                 const char *p,
                 gsize       len,
                 gsize       max)
{
  while (len > max)
    {
      gsize line_end, next_start;

      find_cut (p, len, max, &line_end, &next_start);
      line_sink_add (sink, p, line_end);
      p += next_start;
      len -= next_start;
    }

  line_sink_add (sink, p, len);
}

char **
suda_text_split_lines (const char *text,
                       gsize       max_bytes,
                       guint       max_lines,
                       guint      *n_omitted)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *valid = NULL;
  LineSink sink = { lines, max_lines, 0 };
  const char *p;

  g_return_val_if_fail (max_bytes > 0, NULL);

  if (text == NULL)
    text = "";

  valid = g_utf8_make_valid (text, -1);

  /* Tabs become spaces: IRC clients show them in odd widths, and wrapping
   * only has to know one kind of blank. */
  g_strdelimit (valid, "\t", ' ');

  p = valid;
  while (*p != '\0')
    {
      gsize len = strcspn (p, "\r\n");

      split_paragraph (&sink, p, len, max_bytes);
      p += len;
      /* \r\n, \n and a lone \r all end a line. */
      if (*p == '\r')
        p++;
      if (*p == '\n')
        p++;
    }

  if (n_omitted != NULL)
    *n_omitted = sink.n_omitted;

  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}
