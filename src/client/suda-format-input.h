/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Typing formatting codes: NAME is "bold", "italic", "underline",
 * "strikethrough", "monospace", "reset" or "color:N" (a palette index).
 * A selection is wrapped (the code before, its end after); otherwise the
 * code goes in at the cursor and what is typed next takes it.  Returns
 * FALSE for an unknown NAME. */
gboolean   suda_format_input_apply        (GtkTextView *view,
                                           const char  *name);
/* Buttons for the sixteen classic colours, each "win.format" with its
 * "color:N" target and its colour's name for assistive technologies. */
void       suda_format_input_fill_colors  (GtkGrid     *grid);

G_END_DECLS
