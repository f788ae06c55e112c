/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* IRC text formatting (the mIRC control codes every client sends): the one
 * parser of it.  It knows nothing of Pango; the client turns its spans into
 * attributes, every other reader asks for plain text. */

typedef enum {
  SUDA_FORMAT_BOLD          = 1 << 0,   /* ^B  \x02 */
  SUDA_FORMAT_ITALIC        = 1 << 1,   /* ^]  \x1d */
  SUDA_FORMAT_UNDERLINE     = 1 << 2,   /* ^_  \x1f */
  SUDA_FORMAT_STRIKETHROUGH = 1 << 3,   /* ^^  \x1e */
  SUDA_FORMAT_MONOSPACE     = 1 << 4,   /* ^Q  \x11 */
  SUDA_FORMAT_REVERSE       = 1 << 5,   /* ^V  \x16 */
} SudaFormatFlags;

/* The codes themselves, for those who write them (the client's input). */
#define SUDA_FORMAT_CODE_BOLD          '\x02'
#define SUDA_FORMAT_CODE_COLOR         '\x03'
#define SUDA_FORMAT_CODE_HEX_COLOR     '\x04'
#define SUDA_FORMAT_CODE_RESET         '\x0f'
#define SUDA_FORMAT_CODE_MONOSPACE     '\x11'
#define SUDA_FORMAT_CODE_REVERSE       '\x16'
#define SUDA_FORMAT_CODE_ITALIC        '\x1d'
#define SUDA_FORMAT_CODE_STRIKETHROUGH '\x1e'
#define SUDA_FORMAT_CODE_UNDERLINE     '\x1f'

/* A colour is SUDA_FORMAT_NO_COLOR, a palette index (0–98: the 16 classic
 * and the 83 extended colours) or SUDA_FORMAT_RGB | 0xRRGGBB (^D). */
#define SUDA_FORMAT_NO_COLOR    (-1)
#define SUDA_FORMAT_RGB         (1 << 24)
#define SUDA_FORMAT_N_PALETTE   99

/* One run of the plain text with one style; runs without any style are
 * left out, neighbours of one style are merged. */
typedef struct {
  gsize           start;   /* bytes of the plain text */
  gsize           end;
  SudaFormatFlags flags;
  gint            fg;
  gint            bg;
} SudaFormatSpan;

typedef enum {
  SUDA_FORMAT_PLAIN_DEFAULT         = 0,
  /* C0 controls but tab and newline, DEL and C1 controls become visible
   * pictures (␇, ␛, ⟨85⟩) instead of acting */
  SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS = 1 << 0,
  /* the text as one bidi isolate, as suda_format_isolate() makes it */
  SUDA_FORMAT_PLAIN_ISOLATE         = 1 << 1,
} SudaFormatPlainFlags;

char     *suda_format_parse        (const char            *text,
                                    SudaFormatPlainFlags   flags,
                                    GArray               **spans);
char     *suda_format_strip        (const char            *text,
                                    SudaFormatPlainFlags   flags);
gboolean  suda_format_has_codes    (const char            *text);
char     *suda_format_isolate      (const char            *text);
char     *suda_format_reveal       (const char            *text);
guint32   suda_format_color_rgb    (gint                   color);

G_END_DECLS
