/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-format-input.h"
#include "suda-format.h"

static const struct {
  const char *name;
  char        code;
} toggles[] = {
  { "bold", SUDA_FORMAT_CODE_BOLD },
  { "italic", SUDA_FORMAT_CODE_ITALIC },
  { "underline", SUDA_FORMAT_CODE_UNDERLINE },
  { "strikethrough", SUDA_FORMAT_CODE_STRIKETHROUGH },
  { "monospace", SUDA_FORMAT_CODE_MONOSPACE },
};

/* The opening code of NAME and the one that ends it; FALSE if unknown. */
static gboolean
codes_for (const char *name,
           char        open[4],
           char        close[2])
{
  for (guint i = 0; i < G_N_ELEMENTS (toggles); i++)
    if (g_str_equal (name, toggles[i].name))
      {
        open[0] = close[0] = toggles[i].code;
        open[1] = close[1] = '\0';
        return TRUE;
      }
  if (g_str_equal (name, "reset"))
    {
      open[0] = SUDA_FORMAT_CODE_RESET, open[1] = '\0';
      close[0] = '\0';
      return TRUE;
    }
  if (g_str_has_prefix (name, "color:"))
    {
      char *end;
      long index = strtol (name + 6, &end, 10);

      if (*end != '\0' || end == name + 6 || index < 0 || index >= SUDA_FORMAT_N_PALETTE)
        return FALSE;
      /* Always two digits, so that a digit typed next stays text. */
      g_snprintf (open, 4, "%c%02ld", SUDA_FORMAT_CODE_COLOR, index);
      close[0] = SUDA_FORMAT_CODE_COLOR, close[1] = '\0';
      return TRUE;
    }
  return FALSE;
}

gboolean
suda_format_input_apply (GtkTextView *view,
                         const char  *name)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  GtkTextMark *end_mark;
  char open[4], close[2];

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!codes_for (name, open, close))
    return FALSE;
  buffer = gtk_text_view_get_buffer (view);
  gtk_text_buffer_begin_user_action (buffer);
  if (gtk_text_buffer_get_selection_bounds (buffer, &start, &end) && *close != '\0')
    {
      end_mark = gtk_text_buffer_create_mark (buffer, NULL, &end, FALSE);
      gtk_text_buffer_insert (buffer, &start, open, -1);
      gtk_text_buffer_get_iter_at_mark (buffer, &end, end_mark);
      gtk_text_buffer_insert (buffer, &end, close, -1);
      gtk_text_buffer_place_cursor (buffer, &end);
      gtk_text_buffer_delete_mark (buffer, end_mark);
    }
  else
    gtk_text_buffer_insert_at_cursor (buffer, open, -1);
  gtk_text_buffer_end_user_action (buffer);
  return TRUE;
}

void
suda_format_input_fill_colors (GtkGrid *grid)
{
  const char *names[16] = {
    N_("White"), N_("Black"), N_("Navy"), N_("Green"), N_("Red"), N_("Brown"),
    N_("Purple"), N_("Orange"), N_("Yellow"), N_("Light Green"), N_("Teal"),
    N_("Cyan"), N_("Blue"), N_("Pink"), N_("Grey"), N_("Light Grey"),
  };

  g_return_if_fail (GTK_IS_GRID (grid));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *swatch = gtk_label_new (NULL);
      g_autofree char *markup = g_strdup_printf ("<span background=\"#%06x\">      </span>",
                                                 suda_format_color_rgb (i));
      g_autofree char *target = g_strdup_printf ("color:%u", i);

      gtk_label_set_markup (GTK_LABEL (swatch), markup);
      gtk_button_set_child (GTK_BUTTON (button), swatch);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _(names[i]));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(names[i]), -1);
      gtk_actionable_set_detailed_action_name (GTK_ACTIONABLE (button), "win.format");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", target);
      gtk_grid_attach (grid, button, i % 8, i / 8, 1, 1);
    }
}
