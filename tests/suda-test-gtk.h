/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Walks WIDGET's tree and fails the test at the first icon-only button
 * without an accessible name; counts the buttons it checked in CHECKED. */
void suda_test_check_icon_buttons (GtkWidget *widget,
                                   guint     *checked);

/* The first label under WIDGET showing exactly TEXT, or NULL. */
GtkWidget *suda_test_find_label (GtkWidget  *widget,
                                 const char *text);

G_END_DECLS
