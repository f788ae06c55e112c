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
} SudaFormatTheme;

/* The ratio every colour reaches against what it is drawn on (WCAG AA). */
#define SUDA_FORMAT_MIN_CONTRAST 4.5

void           suda_format_theme_init        (SudaFormatTheme       *theme,
                                              gboolean               dark,
                                              gboolean               show_colors);
double         suda_format_contrast          (guint32                a,
                                              guint32                b);
guint32        suda_format_readable          (guint32                rgb,
                                              guint32                background);
PangoAttrList *suda_format_attributes        (GArray                *spans,
                                              guint                  offset,
                                              const SudaFormatTheme *theme);

G_END_DECLS
