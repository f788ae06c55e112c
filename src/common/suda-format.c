/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-format.h"

/* The colours as modern.ircdocs.horse lists them: 0–15 the classic mIRC
 * sixteen, 16–98 the extended ones (six rows of hues, then greys). */
static const guint32 palette[SUDA_FORMAT_N_PALETTE] = {
  0xffffff, 0x000000, 0x00007f, 0x009300, 0xff0000, 0x7f0000, 0x9c009c, 0xfc7f00,
  0xffff00, 0x00fc00, 0x009393, 0x00ffff, 0x0000fc, 0xff00ff, 0x7f7f7f, 0xd2d2d2,
  0x470000, 0x472100, 0x474700, 0x324700, 0x004700, 0x00472c,
  0x004747, 0x002747, 0x000047, 0x2e0047, 0x470047, 0x47002a,
  0x740000, 0x743a00, 0x747400, 0x517400, 0x007400, 0x007449,
  0x007474, 0x004074, 0x000074, 0x4b0074, 0x740074, 0x740045,
  0xb50000, 0xb56300, 0xb5b500, 0x7db500, 0x00b500, 0x00b571,
  0x00b5b5, 0x0063b5, 0x0000b5, 0x7500b5, 0xb500b5, 0xb5006b,
  0xff0000, 0xff8c00, 0xffff00, 0xb2ff00, 0x00ff00, 0x00ffa0,
  0x00ffff, 0x008cff, 0x0000ff, 0xa500ff, 0xff00ff, 0xff0098,
  0xff5959, 0xffb459, 0xffff71, 0xcfff60, 0x6fff6f, 0x65ffc9,
  0x6dffff, 0x59b4ff, 0x5959ff, 0xc459ff, 0xff66ff, 0xff59bc,
  0xff9c9c, 0xffd39c, 0xffff9c, 0xe2ff9c, 0x9cff9c, 0x9cffdb,
  0x9cffff, 0x9cd3ff, 0x9c9cff, 0xdc9cff, 0xff9cff, 0xff94d3,
  0x000000, 0x131313, 0x282828, 0x363636, 0x4d4d4d, 0x656565,
  0x818181, 0x9f9f9f, 0xbcbcbc, 0xe2e2e2, 0xffffff,
};

typedef struct {
  SudaFormatFlags flags;
  gint            fg;
  gint            bg;
} Style;

typedef struct {
  GString *plain;
  GArray  *spans;        /* NULL: plain text only */
  Style    style;
  gsize    run_start;    /* where the current style began in PLAIN */
} Parser;

guint32
suda_format_color_rgb (gint color)
{
  if (color >= 0 && color < SUDA_FORMAT_N_PALETTE)
    return palette[color];
  if (color & SUDA_FORMAT_RGB)
    return color & 0xffffff;
  return 0;
}

gboolean
suda_format_has_codes (const char *text)
{
  return text != NULL && strpbrk (text, "\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f") != NULL;
}

static gboolean
style_equal (const Style *a,
             const Style *b)
{
  return a->flags == b->flags && a->fg == b->fg && a->bg == b->bg;
}

/* Closes the run of the current style; a style change always goes through
 * here, so spans come out in order and never overlap. */
static void
end_run (Parser *p)
{
  gsize end = p->plain->len;
  SudaFormatSpan span = { p->run_start, end, p->style.flags, p->style.fg, p->style.bg };

  p->run_start = end;
  if (p->spans == NULL || span.start == end ||
      (span.flags == 0 && span.fg == SUDA_FORMAT_NO_COLOR && span.bg == SUDA_FORMAT_NO_COLOR))
    return;
  if (p->spans->len > 0)
    {
      SudaFormatSpan *last = &g_array_index (p->spans, SudaFormatSpan, p->spans->len - 1);

      if (last->end == span.start && last->flags == span.flags &&
          last->fg == span.fg && last->bg == span.bg)
        {
          last->end = end;
          return;
        }
    }
  g_array_append_val (p->spans, span);
}

static void
set_style (Parser      *p,
           const Style *style)
{
  if (style_equal (&p->style, style))
    return;
  end_run (p);
  p->style = *style;
}

/* Up to two decimal digits; 99 means "the default colour". */
static const char *
read_number (const char *s,
             gint       *value)
{
  if (!g_ascii_isdigit (s[0]))
    return NULL;
  *value = s[0] - '0';
  s++;
  if (g_ascii_isdigit (s[0]))
    *value = *value * 10 + (*s++ - '0');
  if (*value >= SUDA_FORMAT_N_PALETTE)
    *value = SUDA_FORMAT_NO_COLOR;
  return s;
}

/* Exactly six hex digits, or nothing. */
static const char *
read_hex (const char *s,
          gint       *value)
{
  guint32 rgb = 0;

  for (int i = 0; i < 6; i++)
    {
      if (!g_ascii_isxdigit (s[i]))
        return NULL;
      rgb = rgb << 4 | g_ascii_xdigit_value (s[i]);
    }
  *value = SUDA_FORMAT_RGB | rgb;
  return s + 6;
}

/* ^C[FG[,BG]] or ^D[RRGGBB[,RRGGBB]]: a code without a foreground resets
 * both colours, and a comma not followed by a background stays text. */
static const char *
parse_color (Parser     *p,
             const char *s,
             gboolean    hex)
{
  const char *(*read) (const char *, gint *) = hex ? read_hex : read_number;
  Style style = p->style;
  const char *next;
  gint value;

  if ((next = read (s, &value)) == NULL)
    {
      style.fg = style.bg = SUDA_FORMAT_NO_COLOR;
      set_style (p, &style);
      return s;
    }
  style.fg = value;
  s = next;
  if (s[0] == ',' && (next = read (s + 1, &value)) != NULL)
    {
      style.bg = value;
      s = next;
    }
  set_style (p, &style);
  return s;
}

static gboolean
toggle (Parser *p,
        guchar  c)
{
  Style style = p->style;
  SudaFormatFlags flag;

  switch (c)
    {
    case SUDA_FORMAT_CODE_BOLD: flag = SUDA_FORMAT_BOLD; break;
    case SUDA_FORMAT_CODE_ITALIC: flag = SUDA_FORMAT_ITALIC; break;
    case SUDA_FORMAT_CODE_UNDERLINE: flag = SUDA_FORMAT_UNDERLINE; break;
    case SUDA_FORMAT_CODE_STRIKETHROUGH: flag = SUDA_FORMAT_STRIKETHROUGH; break;
    case SUDA_FORMAT_CODE_MONOSPACE: flag = SUDA_FORMAT_MONOSPACE; break;
    case SUDA_FORMAT_CODE_REVERSE: flag = SUDA_FORMAT_REVERSE; break;
    case SUDA_FORMAT_CODE_RESET:
      style.flags = 0;
      style.fg = style.bg = SUDA_FORMAT_NO_COLOR;
      set_style (p, &style);
      return TRUE;
    default:
      return FALSE;
    }
  style.flags ^= flag;
  set_style (p, &style);
  return TRUE;
}

/* A control that would act (ring, move the cursor, start a terminal
 * escape) or show as a box gets a picture: U+2400 + code for C0, ␡ for
 * DEL, ⟨hex⟩ for C1.  Returns the bytes of input it stood for, or 0. */
static gsize
escape_control (GString    *out,
                const char *s)
{
  guchar c = s[0];

  if (c < 0x20 && c != '\t' && c != '\n')
    {
      g_string_append_unichar (out, 0x2400 + c);
      return 1;
    }
  if (c == 0x7f)
    {
      g_string_append (out, "\u2421");
      return 1;
    }
  if (c == 0xc2 && (guchar) s[1] >= 0x80 && (guchar) s[1] <= 0x9f)
    {
      g_string_append_printf (out, "\u27e8%02X\u27e9", (guchar) s[1]);
      return 2;
    }
  return 0;
}

/* The isolate marks (U+2066–U+2069) of TEXT kept balanced inside ours: a
 * stray PDI would end ours early, an open initiator would swallow it.
 * Returns the bytes of TEXT it took care of, 0 when S is something else. */
static gsize
balance_isolates (GString    *out,
                  const char *s,
                  guint      *depth)
{
  if ((guchar) s[0] != 0xe2 || (guchar) s[1] != 0x81 || (guchar) s[2] < 0xa6 || (guchar) s[2] > 0xa9)
    return 0;
  if ((guchar) s[2] == 0xa9)
    {
      if (*depth == 0)
        return 3;
      --*depth;
    }
  else
    ++*depth;
  g_string_append_len (out, s, 3);
  return 3;
}

static void
close_isolates (GString *out,
                guint    depth)
{
  for (; depth > 0; depth--)
    g_string_append (out, "\u2069");
  g_string_append (out, "\u2069");
}

char *
suda_format_parse (const char            *text,
                   SudaFormatPlainFlags   flags,
                   GArray               **spans)
{
  Parser p = { 0 };
  const char *s = text;
  gboolean isolate = (flags & SUDA_FORMAT_PLAIN_ISOLATE) != 0;
  guint depth = 0;

  g_return_val_if_fail (text != NULL, NULL);

  p.plain = g_string_sized_new (strlen (text));
  p.spans = spans ? g_array_new (FALSE, FALSE, sizeof (SudaFormatSpan)) : NULL;
  p.style.fg = p.style.bg = SUDA_FORMAT_NO_COLOR;
  if (isolate)
    g_string_append (p.plain, "\u2068");
  p.run_start = p.plain->len;
  while (*s)
    {
      guchar c = *s;
      gsize n;

      if (c == SUDA_FORMAT_CODE_COLOR || c == SUDA_FORMAT_CODE_HEX_COLOR)
        s = parse_color (&p, s + 1, c == SUDA_FORMAT_CODE_HEX_COLOR);
      else if (toggle (&p, c))
        s++;
      else if ((flags & SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS) && (n = escape_control (p.plain, s)) > 0)
        s += n;
      else if (isolate && (n = balance_isolates (p.plain, s, &depth)) > 0)
        s += n;
      else
        g_string_append_c (p.plain, *s++);
    }
  end_run (&p);
  if (isolate)
    close_isolates (p.plain, depth);
  if (spans)
    *spans = p.spans;
  return g_string_free (p.plain, FALSE);
}

char *
suda_format_strip (const char           *text,
                   SudaFormatPlainFlags  flags)
{
  if (text == NULL)
    return NULL;
  return suda_format_parse (text, flags, NULL);
}

/* TEXT between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, its own
 * isolates balanced.  Embeddings and overrides (U+202A–U+202E) end at our
 * PDI (Unicode bidi rule X6a), so they cannot run past the text. */
char *
suda_format_isolate (const char *text)
{
  GString *out;
  guint depth = 0;

  if (text == NULL)
    return NULL;
  out = g_string_sized_new (strlen (text) + 8);
  g_string_append (out, "\u2068");
  for (const char *s = text; *s; )
    {
      gsize n = balance_isolates (out, s, &depth);

      if (n == 0)
        g_string_append_c (out, *s++);
      else
        s += n;
    }
  close_isolates (out, depth);
  return g_string_free (out, FALSE);
}

/* TEXT with its invisible characters named: zero-width spaces and joiners,
 * bidi marks, the byte-order mark, soft hyphens (Unicode's format
 * characters) and controls become "⟨U+200B⟩", so two nicks that look the
 * same can be told apart.  NULL when there is none to name. */
char *
suda_format_reveal (const char *text)
{
  GString *out;
  gboolean found = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  out = g_string_new (NULL);
  for (const char *s = text; *s; s = g_utf8_next_char (s))
    {
      gunichar c = g_utf8_get_char (s);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_FORMAT || type == G_UNICODE_CONTROL)
        {
          g_string_append_printf (out, "\u27e8U+%04X\u27e9", c);
          found = TRUE;
        }
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, !found);
}
