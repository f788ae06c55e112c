/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client draws IRC formatting: a history row's attributes, colours
 * readable on the light and the dark style, hostile text kept in its
 * place. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <adwaita.h>

#include "suda-format-pango.h"
#include "suda-message-row.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"

#define FORMATTED "plain \x02" "bold\x02 \x1f" "under\x1f \x1d" "italic\x1d \x03" "04red\x03 \x03" "09,01green\x03 \x03" "02navy"

static GtkLabel *
row_label (GtkWidget  *row,
           const char *name)
{
  GObject *label = gtk_widget_get_template_child (row, SUDA_TYPE_MESSAGE_ROW, name);

  g_assert_true (GTK_IS_LABEL (label));
  return GTK_LABEL (label);
}

/* The attribute of TYPE covering the first byte of WORD in the label's
 * text, or NULL. */
static PangoAttribute *
attr_at (GtkLabel       *label,
         PangoAttrType   type,
         const char     *word)
{
  const char *text = gtk_label_get_text (label);
  const char *found = strstr (text, word);
  PangoAttrList *attrs = gtk_label_get_attributes (label);
  g_autoptr(PangoAttrIterator) iter = NULL;

  g_assert_nonnull (found);
  g_assert_nonnull (attrs);
  iter = pango_attr_list_get_iterator (attrs);
  do
    {
      int start, end;

      pango_attr_iterator_range (iter, &start, &end);
      if (start <= found - text && found - text < end)
        return pango_attr_iterator_get (iter, type);
    }
  while (pango_attr_iterator_next (iter));
  return NULL;
}

static guint32
attr_rgb (PangoAttribute *attr)
{
  PangoColor *c = &((PangoAttrColor *) attr)->color;

  return (c->red >> 8) << 16 | (c->green >> 8) << 8 | c->blue >> 8;
}

static void
test_row_attributes (void)
{
  g_autoptr(SudaMessage) message = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, G_USEC_PER_SEC, "bob", FORMATTED);
  GtkWidget *row = g_object_ref_sink (suda_message_row_new ());
  GtkLabel *text = row_label (row, "text_label");

  suda_message_row_set_message (SUDA_MESSAGE_ROW (row), message);
  g_assert_null (strpbrk (gtk_label_get_text (text), "\x02\x03\x1d"));
  g_assert_nonnull (strstr (gtk_label_get_text (text), "plain bold under italic red green navy"));
  for (int dark = 0; dark < 2; dark++)
    {
      SudaFormatTheme theme;
      PangoAttribute *weight, *style, *red, *green, *green_bg, *navy;

      g_object_set (row, "dark", dark, NULL);
      suda_format_theme_init (&theme, dark, TRUE);
      weight = attr_at (text, PANGO_ATTR_WEIGHT, "bold");
      style = attr_at (text, PANGO_ATTR_STYLE, "italic");
      red = attr_at (text, PANGO_ATTR_FOREGROUND, "red");
      green = attr_at (text, PANGO_ATTR_FOREGROUND, "green");
      green_bg = attr_at (text, PANGO_ATTR_BACKGROUND, "green");
      navy = attr_at (text, PANGO_ATTR_FOREGROUND, "navy");
      g_assert_nonnull (weight);
      g_assert_cmpint (((PangoAttrInt *) weight)->value, ==, PANGO_WEIGHT_BOLD);
      g_assert_nonnull (style);
      g_assert_cmpint (((PangoAttrInt *) style)->value, ==, PANGO_STYLE_ITALIC);
      g_assert_nonnull (attr_at (text, PANGO_ATTR_UNDERLINE, "under"));
      g_assert_null (attr_at (text, PANGO_ATTR_WEIGHT, "plain"));
      g_assert_null (attr_at (text, PANGO_ATTR_FOREGROUND, "plain"));
      /* each colour reads on the style's background, or on its own */
      g_assert_nonnull (red);
      g_assert_cmpfloat (suda_format_contrast (attr_rgb (red), theme.background), >=, 4.5);
      g_assert_nonnull (navy);
      g_assert_cmpfloat (suda_format_contrast (attr_rgb (navy), theme.background), >=, 4.5);
      g_assert_nonnull (green_bg);
      g_assert_cmphex (attr_rgb (green_bg), ==, 0x000000);
      g_assert_cmpfloat (suda_format_contrast (attr_rgb (green), 0x000000), >=, 4.5);
      /* red stays red: its hue is the palette's */
      g_assert_cmpint (attr_rgb (red) >> 16, >, (attr_rgb (red) >> 8 & 0xff) + 0x40);
      g_assert_cmpint ((attr_rgb (red) >> 8 & 0xff), ==, (attr_rgb (red) & 0xff));
    }

  /* colours off: the rest of the formatting stays */
  g_object_set (row, "show-colors", FALSE, NULL);
  g_assert_null (attr_at (text, PANGO_ATTR_FOREGROUND, "red"));
  g_assert_nonnull (attr_at (text, PANGO_ATTR_WEIGHT, "bold"));
  g_object_unref (row);
}

/* The foreground of the nick label's first character, from its layout. */
static guint32
nick_rgb (GtkWidget *row)
{
  PangoLayout *layout = gtk_label_get_layout (row_label (row, "nick_label"));
  g_autoptr(PangoAttrIterator) iter = pango_attr_list_get_iterator (pango_layout_get_attributes (layout));
  PangoAttribute *fg = pango_attr_iterator_get (iter, PANGO_ATTR_FOREGROUND);

  g_assert_nonnull (fg);
  return attr_rgb (fg);
}

/* Nick colours read on both styles too. */
static void
test_nick_readable (void)
{
  static const char * const nicks[] = { "soo", "minji", "jae", "prof_kim", "bob", "alice" };
  GtkWidget *row = g_object_ref_sink (suda_message_row_new ());

  for (guint i = 0; i < G_N_ELEMENTS (nicks); i++)
    {
      g_autoptr(SudaMessage) message = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, G_USEC_PER_SEC, nicks[i], "hi");

      suda_message_row_set_message (SUDA_MESSAGE_ROW (row), message);
      for (int dark = 0; dark < 2; dark++)
        {
          SudaFormatTheme theme;

          g_object_set (row, "dark", dark, NULL);
          suda_format_theme_init (&theme, dark, TRUE);
          g_assert_cmpfloat (suda_format_contrast (nick_rgb (row), theme.background), >=, 4.5);
        }
    }
  g_object_unref (row);
}

/* One channel of A at ALPHA over B, as GTK blends CSS colours. */
static guint32
mix_rgb (guint32 a,
         double  alpha,
         guint32 b)
{
  guint32 rgb = 0;

  for (int shift = 16; shift >= 0; shift -= 8)
    rgb |= (guint32) lround ((a >> shift & 0xff) * alpha + (b >> shift & 0xff) * (1 - alpha)) << shift;
  return rgb;
}

/* Every nick colour, on plain rows, one's own rows and mentions, in both
 * styles, reaches 4.5:1 on the colour the row really has: libadwaita
 * 1.2's window background under style.css's tints. */
static void
test_nick_readable_on_every_row (void)
{
  /* window, accent, warning; light then dark */
  static const guint32 window[] = { 0xfafafa, 0x242424 };
  static const guint32 warning[] = { 0xe5a50a, 0xcd9309 };
  GtkWidget *row = g_object_ref_sink (suda_message_row_new ());
  g_autoptr(GHashTable) colors = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < 720; i++)
    for (int kind = 0; kind < 3; kind++)
      {
        g_autofree char *nick = g_strdup_printf ("n%u", i);
        g_autoptr(SudaMessage) message = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, G_USEC_PER_SEC, nick, "hi");

        suda_message_set_own (message, kind == 1);
        suda_message_set_mention (message, kind == 2);
        for (int dark = 0; dark < 2; dark++)
          {
            guint32 background = kind == 0 ? window[dark]
                                 : kind == 1 ? mix_rgb (0x3584e4, 0.07, window[dark])
                                 : mix_rgb (warning[dark], 0.22, window[dark]);
            double ratio;

            g_object_set (row, "dark", dark, NULL);
            suda_message_row_set_message (SUDA_MESSAGE_ROW (row), message);
            ratio = suda_format_contrast (nick_rgb (row), background);
            if (ratio < 4.5)
              g_error ("%s in %s, %s row: %.2f:1", nick, dark ? "dark" : "light",
                       (const char *[]) { "plain", "own", "mention" }[kind], ratio);
            if (kind == 0)
              g_hash_table_add (colors, GUINT_TO_POINTER (nick_rgb (row)));
          }
      }
  /* the nicks are told apart: many hues, not one safe grey */
  g_assert_cmpuint (g_hash_table_size (colors), >, 200);
  g_object_unref (row);
}

/* A word longer than the column wraps between characters: the row asks
 * for no more width than a short message does. */
static void
test_long_word_wraps (void)
{
  g_autofree char *word = g_strnfill (400, 'w');
  g_autofree char *formatted = g_strdup_printf ("\x02%s\x02", word);
  g_autoptr(SudaMessage) short_message = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, G_USEC_PER_SEC, "bob", "hi");
  g_autoptr(SudaMessage) long_message = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, G_USEC_PER_SEC, "bob", formatted);
  GtkWidget *row = g_object_ref_sink (suda_message_row_new ());
  int short_min, long_min;

  suda_message_row_set_message (SUDA_MESSAGE_ROW (row), short_message);
  gtk_widget_measure (row, GTK_ORIENTATION_HORIZONTAL, -1, &short_min, NULL, NULL, NULL);
  suda_message_row_set_message (SUDA_MESSAGE_ROW (row), long_message);
  gtk_widget_measure (row, GTK_ORIENTATION_HORIZONTAL, -1, &long_min, NULL, NULL, NULL);
  g_assert_cmpint (gtk_label_get_wrap_mode (row_label (row, "text_label")), ==, PANGO_WRAP_WORD_CHAR);
  g_assert_cmpint (long_min, <=, short_min + 40);
  g_object_unref (row);
}

/* Every palette colour, on both styles, reaches 4.5:1 with its hue kept. */
static void
test_palette_readable (void)
{
  for (int dark = 0; dark < 2; dark++)
    {
      SudaFormatTheme theme;

      suda_format_theme_init (&theme, dark, TRUE);
      for (int i = 0; i < SUDA_FORMAT_N_PALETTE; i++)
        {
          guint32 rgb = suda_format_color_rgb (i);
          guint32 shown = suda_format_readable (rgb, theme.background);
          int r = rgb >> 16, g = rgb >> 8 & 0xff, b = rgb & 0xff;
          int sr = shown >> 16, sg = shown >> 8 & 0xff, sb = shown & 0xff;

          g_assert_cmpfloat (suda_format_contrast (shown, theme.background), >=, 4.5);
          /* the strongest channel of a coloured one stays the strongest */
          if (MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) > 60)
            {
              int top = r >= g && r >= b ? 0 : g >= b ? 1 : 2;
              int shown_top = sr >= sg && sr >= sb ? 0 : sg >= sb ? 1 : 2;

              g_assert_cmpint (top, ==, shown_top);
            }
          if (suda_format_contrast (rgb, theme.background) >= 4.5)
            g_assert_cmphex (shown, ==, rgb);
        }
    }
}

/* Glyphs drawn on LINE beyond one per character: a hyphen Pango put in. */
static int
inserted_glyphs (PangoLayoutLine *line)
{
  int glyphs = 0;

  for (GSList *l = line->runs; l != NULL; l = l->next)
    glyphs += ((PangoGlyphItem *) l->data)->glyphs->num_glyphs;
  return glyphs - g_utf8_strlen (pango_layout_get_text (line->layout) + line->start_index, line->length);
}

/* A long web address wraps over several lines, with no hyphen added at
 * the breaks; a long word that is no address still gets them. */
static void
test_long_link_wraps_without_hyphens (void)
{
  g_autofree char *word = g_strnfill (120, 'a');
  g_autofree char *text = g_strdup_printf ("see https://example.org/%s and %s", word, word);
  g_autoptr(SudaMessage) message = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, G_USEC_PER_SEC, "bob", text);
  GtkWidget *row = g_object_ref_sink (suda_message_row_new ());
  g_autoptr(PangoLayout) layout = NULL;
  const char *shown;
  int link_lines = 0, word_hyphens = 0;
  GSList *lines;

  suda_message_row_set_message (SUDA_MESSAGE_ROW (row), message);
  layout = pango_layout_copy (gtk_label_get_layout (row_label (row, "text_label")));
  pango_layout_set_width (layout, 180 * PANGO_SCALE);
  shown = pango_layout_get_text (layout);
  lines = pango_layout_get_lines_readonly (layout);
  for (GSList *l = lines; l != NULL && l->next != NULL; l = l->next)
    {
      PangoLayoutLine *line = l->data;
      int end = line->start_index + line->length;

      /* lines that break inside the address, then inside the long word */
      if (end < strstr (shown, " and ") - shown)
        {
          link_lines++;
          g_assert_cmpint (inserted_glyphs (line), ==, 0);
        }
      else if (line->start_index > strstr (shown, " and ") - shown)
        word_hyphens += inserted_glyphs (line);
    }
  g_assert_cmpint (link_lines, >=, 2);
  g_assert_cmpint (word_hyphens, >, 0);
  g_object_unref (row);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gtk_list_item_set_child (item, suda_message_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  suda_message_row_set_message (SUDA_MESSAGE_ROW (gtk_list_item_get_child (item)),
                                gtk_list_item_get_item (item));
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (SUDA_IS_MESSAGE_ROW (widget))
    g_ptr_array_add (rows, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_rows (c, rows);
}

/* A right-to-left override inside a message is isolated: the nick and the
 * time stay where a plain message has them, and the text ends its
 * isolate before anything else.  The rows are in a list view, as in the
 * window. */
static void
test_override_stays_in_its_text (void)
{
  GListStore *store = g_list_store_new (SUDA_TYPE_MESSAGE);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  const char *names[] = { "time_label", "nick_label" };
  const char *text;
  SudaTestFrame frame;
  g_autoptr(SudaMessage) plain = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, G_USEC_PER_SEC, "bob", "hello there");
  g_autoptr(SudaMessage) evil = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, G_USEC_PER_SEC, "bob",
                                                  "\u202e" "txet desrever \u2067 open");

  g_list_store_append (store, plain);
  g_list_store_append (store, evil);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (store))), factory);
  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 200);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, window, 5000));
  suda_test_gtk_frame_init (&frame, window);
  g_assert_true (suda_test_wait_until (suda_test_gtk_frame_painted, &frame, 5000));
  collect_rows (list, rows);
  g_assert_cmpuint (rows->len, ==, 2);
  if (suda_message_row_get_message (rows->pdata[0]) != plain)
    {
      gpointer swap = rows->pdata[0];

      rows->pdata[0] = rows->pdata[1];
      rows->pdata[1] = swap;
    }
  g_assert_true (suda_message_row_get_message (rows->pdata[1]) == evil);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      graphene_rect_t a, b;

      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (row_label (rows->pdata[0], names[i])), rows->pdata[0], &a));
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (row_label (rows->pdata[1], names[i])), rows->pdata[1], &b));
      g_assert_cmpfloat (fabs (a.origin.x - b.origin.x), <, 0.5);
      g_assert_cmpfloat (fabs (a.size.width - b.size.width), <, 0.5);
    }
  g_assert_cmpstr (gtk_label_get_text (row_label (rows->pdata[1], "nick_label")), ==, "\u2068bob\u2069");
  text = gtk_label_get_text (row_label (rows->pdata[1], "text_label"));
  g_assert_true (g_str_has_prefix (text, "\u2068\u202e"));
  g_assert_true (g_str_has_suffix (text, "open\u2069\u2069"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A bell, an escape or a C1 control is drawn, not obeyed. */
static void
test_controls_shown_as_pictures (void)
{
  g_autoptr(SudaMessage) message = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, G_USEC_PER_SEC, "bob",
                                                     "ding\x07 \x1b[31m \xc2\x9b");
  GtkWidget *row = g_object_ref_sink (suda_message_row_new ());

  suda_message_row_set_message (SUDA_MESSAGE_ROW (row), message);
  g_assert_cmpstr (gtk_label_get_text (row_label (row, "text_label")), ==,
                   "\u2068ding\u2407 \u241b[31m \u27e89B\u27e9\u2069");
  g_object_unref (row);
}

int
main (int   argc,
      char *argv[])
{
  /* No accessibility bus under Xvfb; its warning would abort the test. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/client/format/row-attributes", test_row_attributes);
  g_test_add_func ("/client/format/palette-readable-on-both-styles", test_palette_readable);
  g_test_add_func ("/client/format/nick-readable-on-both-styles", test_nick_readable);
  g_test_add_func ("/client/format/nick-readable-on-every-row", test_nick_readable_on_every_row);
  g_test_add_func ("/client/format/long-word-wraps", test_long_word_wraps);
  g_test_add_func ("/client/format/long-link-wraps-without-hyphens", test_long_link_wraps_without_hyphens);
  g_test_add_func ("/client/format/override-stays-in-its-text", test_override_stays_in_its_text);
  g_test_add_func ("/client/format/controls-shown-as-pictures", test_controls_shown_as_pictures);
  return g_test_run ();
}
