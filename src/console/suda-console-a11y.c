/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "suda-console-a11y.h"

/* libadwaita 1.2 builds icon-only buttons inside its entry rows (the
 * apply button, the password row's peek toggle) and in the preferences
 * window's header (the search toggle) with a tooltip but no accessible
 * name, so a screen reader would announce a bare "button".
 * Each is named after its tooltip, which libadwaita has already
 * translated, and renamed when the tooltip changes (the peek toggle's
 * does). */

static void
name_after_tooltip (GtkWidget *button)
{
  const char *tooltip = gtk_widget_get_tooltip_text (button);

  if (tooltip != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                    -1);
}

static void
on_tooltip_changed (GtkWidget  *button,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  name_after_tooltip (button);
}

static gboolean
is_icon_only (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) &&
         (gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL ||
          GTK_IS_IMAGE (gtk_button_get_child (GTK_BUTTON (widget))));
}

/* @library says whether @widget was built by libadwaita rather than from
 * our .ui files: an entry row's insides, a preferences window's own
 * chrome (but not the pages we put in it). */
static void
name_buttons (GtkWidget *widget,
              gboolean   library)
{
  if (ADW_IS_PREFERENCES_WINDOW (widget) || ADW_IS_ENTRY_ROW (widget))
    library = TRUE;
  else if (ADW_IS_PREFERENCES_PAGE (widget))
    library = FALSE;
  if (library && is_icon_only (widget))
    {
      name_after_tooltip (widget);
      g_signal_connect (widget, "notify::tooltip-text", G_CALLBACK (on_tooltip_changed), NULL);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    name_buttons (c, library);
}

/* Names the library-made icon buttons under @root; call it once, after
 * the template is built. Buttons in our own .ui files carry
 * their names there. */
void
suda_console_name_row_buttons (GtkWidget *root)
{
  name_buttons (root, FALSE);
}
