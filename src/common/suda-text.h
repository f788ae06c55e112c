/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Splits TEXT into lines of at most MAX_BYTES bytes each, for protocols
 * with a line limit such as IRC.  Existing line breaks are kept, blank
 * lines dropped, lines wrapped at spaces when the next word fits on a line
 * of its own and otherwise cut between characters (Korean runs, long URLs),
 * never inside a UTF-8 sequence nor before a combining mark.  At most
 * MAX_LINES lines are returned (0: no limit); N_OMITTED, if not NULL, is
 * set to the number of further lines that were left off.  Returns a
 * NULL-terminated array, empty for blank text; free it with g_strfreev(). */
char **suda_text_split_lines (const char *text,
                              gsize       max_bytes,
                              guint       max_lines,
                              guint      *n_omitted);

G_END_DECLS
