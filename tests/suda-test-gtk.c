/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers for the window tests (client and console). */
#include "config.h"

#include <string.h>

#include "suda-test-gtk.h"

/* A button that shows only an icon: an icon name, or an image as its child. */
static gboolean
is_icon_only_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget))
    return gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)) != NULL &&
           gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)) == NULL;
  if (GTK_IS_BUTTON (widget))
    return gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL ||
           GTK_IS_IMAGE (gtk_button_get_child (GTK_BUTTON (widget)));
  return FALSE;
}

/* The accessible label, or NULL without one. has_property alone is not
 * enough: GTK may hold the property with an "undefined" value. */
static char *
dup_accessible_label (GtkWidget *widget)
{
  char *value;

  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return NULL;
  /* check_property answers with the value it found when that differs
   * from the one expected, so expecting "" reads any non-empty label. */
  value = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, "");
  if (value != NULL && strcmp (value, "undefined") == 0)
    g_clear_pointer (&value, g_free);
  return value;
}

void
suda_test_check_icon_buttons (GtkWidget *widget,
                              guint     *checked)
{
  if (is_icon_only_button (widget))
    {
      GtkAccessibleRole role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget));
      g_autofree char *label = dup_accessible_label (widget);

      /* Buttons hidden from assistive technologies need no name; all
       * others must have one. */
      if (role != GTK_ACCESSIBLE_ROLE_NONE && role != GTK_ACCESSIBLE_ROLE_PRESENTATION && label == NULL)
        g_error ("%s %s (icon “%s”, tooltip “%s”) has no accessible name",
                 G_OBJECT_TYPE_NAME (widget), gtk_widget_get_name (widget),
                 GTK_IS_MENU_BUTTON (widget) ? gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget))
                                             : gtk_button_get_icon_name (GTK_BUTTON (widget)),
                 gtk_widget_get_tooltip_text (widget));
      g_test_message ("%s in %s is named “%s”", G_OBJECT_TYPE_NAME (widget),
                      G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)),
                      label != NULL ? label : "nothing (hidden)");
      ++*checked;
    }
  /* A menu button's inner toggle is named by the menu button, and a
   * spin button's steppers are part of the spin button, which says what
   * they do. */
  if (GTK_IS_MENU_BUTTON (widget) || GTK_IS_SPIN_BUTTON (widget))
    return;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    suda_test_check_icon_buttons (c, checked);
}

GtkWidget *
suda_test_find_label (GtkWidget  *widget,
                      const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  /* list cells are inscriptions: text drawn without measuring it */
  if (GTK_IS_INSCRIPTION (widget) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = suda_test_find_label (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkShortcut *
suda_test_gtk_find_shortcut (GtkWidget  *widget,
                             const char *trigger)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *keys = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          /* the controller keeps its shortcuts */
          if (g_str_equal (keys, trigger))
            return shortcut;
        }
    }
  return NULL;
}

void
suda_test_gtk_press_shortcut (GtkWidget  *widget,
                              const char *trigger)
{
  GtkShortcut *shortcut = suda_test_gtk_find_shortcut (widget, trigger);

  if (shortcut == NULL)
    g_error ("%s has no shortcut %s", G_OBJECT_TYPE_NAME (widget), trigger);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                               gtk_shortcut_get_arguments (shortcut)));
}

gboolean
suda_test_gtk_is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

void
suda_test_gtk_frame_init (SudaTestFrame *frame,
                          GtkWidget     *widget)
{
  frame->clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (frame->clock);
  frame->counter = gdk_frame_clock_get_frame_counter (frame->clock);
  /* Ask for a frame, or an idle window would paint none. */
  gtk_widget_queue_draw (widget);
}

/* The frame that began before frame_init() may be half done: one more. */
gboolean
suda_test_gtk_frame_painted (gpointer frame)
{
  SudaTestFrame *f = frame;

  return gdk_frame_clock_get_frame_counter (f->clock) > f->counter + 1;
}

void
suda_test_gtk_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

GtkWindow *
suda_test_gtk_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* borrowed */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}
