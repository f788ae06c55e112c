/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "suda-format-pango.h"

/* libadwaita's window colours (1.2): the history is drawn on them. */
#define LIGHT_FOREGROUND 0x000000
#define LIGHT_BACKGROUND 0xfafafa
#define DARK_FOREGROUND  0xffffff
#define DARK_BACKGROUND  0x242424

/* The tints of style.css over them: alpha (@accent_bg_color, 0.07) on
 * one's own rows, alpha (@warning_bg_color, 0.22) on mentions. */
#define ACCENT_BACKGROUND        0x3584e4
#define LIGHT_WARNING_BACKGROUND 0xe5a50a
#define DARK_WARNING_BACKGROUND  0xcd9309
#define OWN_TINT                 0.07
#define MENTION_TINT             0.22

/* Rounding to eight bits may lose a little contrast: aim a bit higher. */
#define TARGET_CONTRAST (SUDA_FORMAT_MIN_CONTRAST + 0.05)

void
suda_format_theme_init (SudaFormatTheme *theme,
                        gboolean         dark,
                        gboolean         show_colors)
{
  theme->foreground = dark ? DARK_FOREGROUND : LIGHT_FOREGROUND;
  theme->background = dark ? DARK_BACKGROUND : LIGHT_BACKGROUND;
  theme->show_colors = show_colors;
  theme->dark = dark;
}

/* COLOR at ALPHA over BACKGROUND, as GTK blends them (in sRGB). */
static guint32
blend (guint32 color,
       double  alpha,
       guint32 background)
{
  guint32 rgb = 0;

  for (int shift = 16; shift >= 0; shift -= 8)
    {
      double c = (color >> shift & 0xff) * alpha + (background >> shift & 0xff) * (1 - alpha);

      rgb |= (guint32) lround (c) << shift;
    }
  return rgb;
}

/* Moves the theme's background to the tint of ROW. */
void
suda_format_theme_set_row (SudaFormatTheme *theme,
                           SudaFormatRow    row)
{
  guint32 window = theme->dark ? DARK_BACKGROUND : LIGHT_BACKGROUND;

  switch (row)
    {
    case SUDA_FORMAT_ROW_OWN:
      theme->background = blend (ACCENT_BACKGROUND, OWN_TINT, window);
      break;
    case SUDA_FORMAT_ROW_MENTION:
      theme->background = blend (theme->dark ? DARK_WARNING_BACKGROUND : LIGHT_WARNING_BACKGROUND,
                                 MENTION_TINT, window);
      break;
    case SUDA_FORMAT_ROW_PLAIN:
    default:
      theme->background = window;
      break;
    }
}

static double
channel_luminance (guint value)
{
  double c = value / 255.0;

  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
luminance (guint32 rgb)
{
  return 0.2126 * channel_luminance (rgb >> 16 & 0xff) +
         0.7152 * channel_luminance (rgb >> 8 & 0xff) +
         0.0722 * channel_luminance (rgb & 0xff);
}

/* The WCAG contrast ratio, 1 to 21. */
double
suda_format_contrast (guint32 a,
                      guint32 b)
{
  double la = luminance (a), lb = luminance (b);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

typedef struct { double h, s, l; } Hsl;

static Hsl
to_hsl (guint32 rgb)
{
  double r = (rgb >> 16 & 0xff) / 255.0, g = (rgb >> 8 & 0xff) / 255.0, b = (rgb & 0xff) / 255.0;
  double max = MAX (r, MAX (g, b)), min = MIN (r, MIN (g, b)), d = max - min;
  Hsl hsl = { 0, 0, (max + min) / 2 };

  if (d == 0)
    return hsl;
  hsl.s = d / (1 - fabs (2 * hsl.l - 1));
  if (max == r)
    hsl.h = fmod ((g - b) / d, 6);
  else if (max == g)
    hsl.h = (b - r) / d + 2;
  else
    hsl.h = (r - g) / d + 4;
  if (hsl.h < 0)
    hsl.h += 6;
  return hsl;
}

static guint32
from_hsl (Hsl hsl)
{
  double c = (1 - fabs (2 * hsl.l - 1)) * hsl.s;
  double x = c * (1 - fabs (fmod (hsl.h, 2) - 1));
  double m = hsl.l - c / 2;
  double r = 0, g = 0, b = 0;

  switch ((int) hsl.h)
    {
    case 0: r = c, g = x; break;
    case 1: r = x, g = c; break;
    case 2: g = c, b = x; break;
    case 3: g = x, b = c; break;
    case 4: r = x, b = c; break;
    default: r = c, b = x; break;
    }
  return (guint32) lround (CLAMP (r + m, 0, 1) * 255) << 16 |
         (guint32) lround (CLAMP (g + m, 0, 1) * 255) << 8 |
         (guint32) lround (CLAMP (b + m, 0, 1) * 255);
}

/* The lightness between FROM (not enough) and TO (enough, checked) nearest
 * to FROM that reads on BACKGROUND; luminance grows with lightness at a
 * fixed hue and saturation, so halving the interval finds it. */
static guint32
search_lightness (Hsl     hsl,
                  double  to,
                  guint32 background)
{
  double from = hsl.l;
  guint32 found;

  hsl.l = to;
  found = from_hsl (hsl);
  for (int i = 0; i < 16; i++)
    {
      guint32 rgb;

      hsl.l = (from + to) / 2;
      rgb = from_hsl (hsl);
      if (suda_format_contrast (rgb, background) >= TARGET_CONTRAST)
        to = hsl.l, found = rgb;
      else
        from = hsl.l;
    }
  return found;
}

/* RGB with its lightness moved until it reaches the contrast on
 * BACKGROUND, away from the background's own lightness; hue and saturation
 * stay, so red stays red.  Black or white when no lightness will do. */
guint32
suda_format_readable (guint32 rgb,
                      guint32 background)
{
  Hsl hsl = to_hsl (rgb);
  gboolean light_background = luminance (background) > 0.18;
  double first = light_background ? 0 : 1;
  Hsl extreme = hsl;

  if (suda_format_contrast (rgb, background) >= SUDA_FORMAT_MIN_CONTRAST)
    return rgb;
  for (int attempt = 0; attempt < 2; attempt++)
    {
      extreme.l = attempt == 0 ? first : 1 - first;
      if (suda_format_contrast (from_hsl (extreme), background) >= TARGET_CONTRAST)
        return search_lightness (hsl, extreme.l, background);
    }
  return suda_format_contrast (0x000000, background) > suda_format_contrast (0xffffff, background)
         ? 0x000000 : 0xffffff;
}

static PangoAttribute *
color_attribute (PangoAttribute *(*make) (guint16, guint16, guint16),
                 guint32          rgb)
{
  return make ((rgb >> 16 & 0xff) * 257, (rgb >> 8 & 0xff) * 257, (rgb & 0xff) * 257);
}

static void
insert (PangoAttrList  *list,
        PangoAttribute *attr,
        guint           start,
        guint           end)
{
  attr->start_index = start;
  attr->end_index = end;
  pango_attr_list_insert (list, attr);
}

/* The span's colours as drawn: reverse swaps them (the style's own
 * standing in for unset ones); text over a background reads on it. */
static void
insert_colors (PangoAttrList         *list,
               const SudaFormatSpan  *span,
               guint                  start,
               guint                  end,
               const SudaFormatTheme *theme)
{
  gboolean has_fg = span->fg != SUDA_FORMAT_NO_COLOR;
  gboolean has_bg = span->bg != SUDA_FORMAT_NO_COLOR;
  guint32 fg = has_fg ? suda_format_color_rgb (span->fg) : theme->foreground;
  guint32 bg = has_bg ? suda_format_color_rgb (span->bg) : theme->background;

  if (span->flags & SUDA_FORMAT_REVERSE)
    {
      guint32 swap = fg;

      fg = bg, bg = swap;
      has_fg = has_bg = TRUE;
    }
  if (has_bg)
    insert (list, color_attribute (pango_attr_background_new, bg), start, end);
  else
    bg = theme->background;
  if (has_fg || has_bg)
    insert (list, color_attribute (pango_attr_foreground_new, suda_format_readable (fg, bg)),
            start, end);
}

/* Attributes for the spans of a label's text that starts OFFSET bytes in
 * (after a nick, an isolate mark). */
PangoAttrList *
suda_format_attributes (GArray                *spans,
                        guint                  offset,
                        const SudaFormatTheme *theme)
{
  PangoAttrList *list = pango_attr_list_new ();

  g_return_val_if_fail (theme != NULL, list);
  for (guint i = 0; spans != NULL && i < spans->len; i++)
    {
      const SudaFormatSpan *span = &g_array_index (spans, SudaFormatSpan, i);
      guint start = offset + span->start, end = offset + span->end;

      if (span->flags & SUDA_FORMAT_BOLD)
        insert (list, pango_attr_weight_new (PANGO_WEIGHT_BOLD), start, end);
      if (span->flags & SUDA_FORMAT_ITALIC)
        insert (list, pango_attr_style_new (PANGO_STYLE_ITALIC), start, end);
      if (span->flags & SUDA_FORMAT_UNDERLINE)
        insert (list, pango_attr_underline_new (PANGO_UNDERLINE_SINGLE), start, end);
      if (span->flags & SUDA_FORMAT_STRIKETHROUGH)
        insert (list, pango_attr_strikethrough_new (TRUE), start, end);
      if (span->flags & SUDA_FORMAT_MONOSPACE)
        insert (list, pango_attr_family_new ("monospace"), start, end);
      if (theme->show_colors)
        insert_colors (list, span, start, end, theme);
    }
  return list;
}
