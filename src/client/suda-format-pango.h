/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pango/pango.h>

#include "suda-format.h"

G_BEGIN_DECLS

/* What formatted text is drawn over: the style's own colours, and whether
 * the user wants the senders' colours at all. */
typedef struct {
  guint32  foreground;    /* 0xRRGGBB */
  guint32  background;
  gboolean show_colors;
  gboolean dark;
} SudaFormatTheme;

/* The history's rows that style.css tints: what they say is drawn on the
 * tint, not on the window's colour. */
typedef enum {
  SUDA_FORMAT_ROW_PLAIN,
  SUDA_FORMAT_ROW_OWN,
  SUDA_FORMAT_ROW_MENTION,
} SudaFormatRow;

/* The ratio every colour reaches against what it is drawn on (WCAG AA). */
#define SUDA_FORMAT_MIN_CONTRAST 4.5

void           suda_format_theme_init        (SudaFormatTheme       *theme,
                                              gboolean               dark,
                                              gboolean               show_colors);
void           suda_format_theme_set_row     (SudaFormatTheme       *theme,
                                              SudaFormatRow          row);
double         suda_format_contrast          (guint32                a,
                                              guint32                b);
guint32        suda_format_readable          (guint32                rgb,
                                              guint32                background);
PangoAttrList *suda_format_attributes        (GArray                *spans,
                                              guint                  offset,
                                              const SudaFormatTheme *theme);

G_END_DECLS
