/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "suda-message.h"

G_BEGIN_DECLS

#define SUDA_TYPE_MESSAGE_ROW (suda_message_row_get_type ())

G_DECLARE_FINAL_TYPE (SudaMessageRow, suda_message_row, SUDA, MESSAGE_ROW, GtkWidget)

/* One line of the history.  Rows are recycled by the list view, so
 * everything shown comes from the message set last. */
GtkWidget   *suda_message_row_new           (void);
void         suda_message_row_set_message   (SudaMessageRow *self,
                                             SudaMessage    *message);
SudaMessage *suda_message_row_get_message   (SudaMessageRow *self);
/* What shows an image link under the text: NULL until the row first
 * shows one. */
GtkPicture  *suda_message_row_get_thumbnail (SudaMessageRow *self);
GtkButton   *suda_message_row_get_show_images_button (SudaMessageRow *self);
char        *suda_nick_color                (const char     *nick);
char        *suda_markup_linkify            (const char     *text);
char        *suda_format_day                (gint64          unix_usec,
                                             gint64          now_usec);

G_END_DECLS
