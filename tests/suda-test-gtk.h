/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Walks WIDGET's tree and fails the test at the first icon-only button
 * without an accessible name; counts the buttons it checked in CHECKED. */
void       suda_test_check_icon_buttons (GtkWidget     *widget,
                                         guint         *checked);

/* The first label under WIDGET showing exactly TEXT, or NULL. */
GtkWidget *suda_test_find_label         (GtkWidget     *widget,
                                         const char    *text);

/* A frame of a widget's window, to wait for with suda_test_wait_until():
 * once suda_test_gtk_frame_painted() holds, the window has laid out and
 * painted everything that changed before suda_test_gtk_frame_init(). */
typedef struct {
  GdkFrameClock *clock;
  gint64         counter;
} SudaTestFrame;

void       suda_test_gtk_frame_init     (SudaTestFrame *frame,
                                         GtkWidget     *widget);
gboolean   suda_test_gtk_frame_painted  (gpointer       frame);

/* The shortcut of WIDGET's own controllers (its class's bindings among
 * them) whose trigger reads TRIGGER ("Up", "<Control>c"), or NULL;
 * borrowed.  GTK 4 has no synthetic key press: a test looks the binding
 * up, and may activate it. */
GtkShortcut *suda_test_gtk_find_shortcut (GtkWidget   *widget,
                                          const char  *trigger);
/* Activates that shortcut on WIDGET, as the key press would; fails the
 * test if there is none. */
void         suda_test_gtk_press_shortcut (GtkWidget  *widget,
                                           const char *trigger);

/* For suda_test_wait_until(): WIDGET is on screen. */
gboolean   suda_test_gtk_is_mapped      (gpointer       widget);

/* The first shown toplevel window of TYPE (a dialog, say), or NULL;
 * borrowed. */
GtkWindow *suda_test_gtk_find_window    (GType          type);

/* Runs what is ready to run without waiting, e.g. what a destroyed
 * window left to finalize. */
void       suda_test_gtk_drain          (void);

G_END_DECLS
