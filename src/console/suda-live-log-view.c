/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-live-log-view.h"
#include "suda-log-row.h"

/* Why one widget and not a GtkColumnView: a busy server adds rows to the
 * live log all the time, and in GTK 4.8 each added row makes every column
 * of a column view measure every cell again, then the window lay itself
 * out again (on X11, round trips to the display).  Here a batch changes
 * the scroll range and redraws one picture; rows all have one height,
 * taken from the font, so nothing is measured.  Like a terminal, it is
 * read, not edited: the log viewer is the table to sort and resize. */

#define PAD_X 6
#define PAD_Y 4
#define TEXT_MIN_WIDTH 120
/* Shaped cells of the narrow columns, shared by rows: a class's log
 * repeats a few events, rooms, nicks and seconds in every batch */
#define SHARED_MAX 512

/* the text column takes what the others leave */
static const int column_widths[SUDA_LOG_N_COLUMNS] = { 150, 100, 110, 110, 0 };

typedef struct {
  PangoLayout *cells[SUDA_LOG_N_COLUMNS];   /* all but the text: shared */
  guint        drawn;    /* the picture that last showed it */
} RowLayouts;

struct _SudaLiveLogView
{
  GtkWidget parent_instance;

  GListModel    *model;
  GtkAdjustment *hadjustment;
  GtkAdjustment *vadjustment;
  guint          hscroll_policy : 1;
  guint          vscroll_policy : 1;

  int row_height;
  int header_height;
  int cursor;            /* -1: none */
  double shift;          /* a change above the rows in view, in pixels */
  gboolean follow;       /* the view is at its end: it stays there */

  PangoLayout *titles[SUDA_LOG_N_COLUMNS];
  GHashTable  *layouts;  /* SudaLogRow → RowLayouts: the rows in view */
  GHashTable  *shared;   /* "column:text" → PangoLayout */
  guint        drawn;
};

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS,
  /* GtkScrollable */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE_WITH_CODE (SudaLiveLogView, suda_live_log_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

const char *
suda_live_log_view_get_column_title (SudaLogColumn column)
{
  switch (column)
    {
    case SUDA_LOG_COLUMN_TIME:
      return _("Time");
    case SUDA_LOG_COLUMN_EVENT:
      return _("Event");
    case SUDA_LOG_COLUMN_ROOM:
      return _("Room");
    case SUDA_LOG_COLUMN_NICK:
      return _("Nick");
    case SUDA_LOG_COLUMN_TEXT:
    default:
      return _("Text");
    }
}

static guint
n_rows (SudaLiveLogView *self)
{
  return self->model ? g_list_model_get_n_items (self->model) : 0;
}

/* Each column's left edge and width in a view this wide */
static void
column_extent (SudaLiveLogView *self,
               SudaLogColumn    column,
               int             *x,
               int             *width)
{
  int left = 0;

  for (int c = 0; c < (int) column; c++)
    left += column_widths[c];
  *x = left;
  *width = column_widths[column] ? column_widths[column]
                                 : MAX (TEXT_MIN_WIDTH, gtk_widget_get_width (GTK_WIDGET (self)) - left);
}

static void
update_metrics (SudaLiveLogView *self)
{
  PangoFontMetrics *metrics = pango_context_get_metrics (gtk_widget_get_pango_context (GTK_WIDGET (self)),
                                                         NULL, NULL);
  int line = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics));

  pango_font_metrics_unref (metrics);
  self->row_height = MAX (line, 1) + 2 * PAD_Y;
  self->header_height = self->row_height + 2;
}

static double
page_height (SudaLiveLogView *self)
{
  return MAX (0, gtk_widget_get_height (GTK_WIDGET (self)) - self->header_height);
}

static gboolean
at_end (SudaLiveLogView *self)
{
  return gtk_adjustment_get_value (self->vadjustment) + gtk_adjustment_get_page_size (self->vadjustment) >=
         gtk_adjustment_get_upper (self->vadjustment) - 2.0;
}

/* The scroll range from the rows and the height; following, the view
 * goes to the end (a jump later in the frame would need another layout). */
static void
configure_range (SudaLiveLogView *self)
{
  double page = page_height (self);
  double upper = (double) n_rows (self) * self->row_height;
  double value = self->follow ? upper - page : gtk_adjustment_get_value (self->vadjustment) + self->shift;

  self->shift = 0;
  gtk_adjustment_configure (self->vadjustment, CLAMP (value, 0, MAX (0, upper - page)), 0, upper,
                            self->row_height, MAX (page * 0.9, self->row_height), page);
}

static void
announce_cursor (SudaLiveLogView *self)
{
  g_autofree char *text = NULL;

  if (self->cursor >= 0)
    text = suda_live_log_view_dup_row_text (self, self->cursor, ", ");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text ? text : "", -1);
}

/* Rows taken out or put in above the rows in view move those rows: the
 * view moves with them, unless it follows the end. */
static void
items_changed_cb (SudaLiveLogView *self,
                  guint            position,
                  guint            removed,
                  guint            added)
{
  double first = self->row_height > 0 ? gtk_adjustment_get_value (self->vadjustment) / self->row_height : 0;

  if (self->row_height > 0 && position < first && !self->follow)
    self->shift += ((double) added - removed) * self->row_height;
  if (self->cursor >= (int) position)
    {
      if (self->cursor >= (int) (position + removed))
        self->cursor += (int) added - (int) removed;
      else
        self->cursor = MIN ((int) position, (int) n_rows (self) - 1);
      announce_cursor (self);
    }
  /* the scroll range changes, and the picture: nothing is measured or
   * allocated again (a laid-out view has its metrics) */
  if (self->row_height > 0)
    configure_range (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
row_layouts_free (gpointer data)
{
  RowLayouts *layouts = data;

  for (int c = 0; c < SUDA_LOG_N_COLUMNS; c++)
    g_clear_object (&layouts->cells[c]);
  g_free (layouts);
}

static void
forget_layouts (SudaLiveLogView *self)
{
  g_hash_table_remove_all (self->layouts);
  g_hash_table_remove_all (self->shared);
  for (int c = 0; c < SUDA_LOG_N_COLUMNS; c++)
    g_clear_object (&self->titles[c]);
}

void
suda_live_log_view_set_model (SudaLiveLogView *self,
                              GListModel      *model)
{
  g_return_if_fail (SUDA_IS_LIVE_LOG_VIEW (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    g_signal_connect_swapped (model, "items-changed", G_CALLBACK (items_changed_cb), self);
  self->cursor = -1;
  g_hash_table_remove_all (self->layouts);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

GListModel *
suda_live_log_view_get_model (SudaLiveLogView *self)
{
  g_return_val_if_fail (SUDA_IS_LIVE_LOG_VIEW (self), NULL);
  return self->model;
}

static SudaLogRow *
dup_row (SudaLiveLogView *self,
         guint            position)
{
  return self->model ? g_list_model_get_item (self->model, position) : NULL;
}

char *
suda_live_log_view_dup_row_text (SudaLiveLogView *self,
                                 guint            position,
                                 const char      *separator)
{
  g_autoptr(SudaLogRow) row = NULL;
  GString *text;

  g_return_val_if_fail (SUDA_IS_LIVE_LOG_VIEW (self), NULL);

  row = dup_row (self, position);
  if (row == NULL)
    return NULL;
  text = g_string_new (NULL);
  for (int c = 0; c < SUDA_LOG_N_COLUMNS; c++)
    {
      g_autofree char *cell = _suda_log_cells_dup_text (row, c);

      g_string_append_printf (text, "%s%s", c > 0 ? separator : "", cell);
    }
  return g_string_free (text, FALSE);
}

gboolean
suda_live_log_view_get_visible_range (SudaLiveLogView *self,
                                      guint           *first,
                                      guint           *n_visible)
{
  double value, page;
  guint start, end;

  g_return_val_if_fail (SUDA_IS_LIVE_LOG_VIEW (self), FALSE);

  if (self->row_height <= 0 || n_rows (self) == 0)
    return FALSE;
  value = gtk_adjustment_get_value (self->vadjustment);
  page = page_height (self);
  start = MIN ((guint) (value / self->row_height), n_rows (self));
  end = MIN ((guint) ((value + page + self->row_height - 1) / self->row_height), n_rows (self));
  *first = start;
  *n_visible = end - start;
  return end > start;
}

/* The row at Y in the view, or -1 (the header, below the last row) */
static int
row_at (SudaLiveLogView *self,
        double           y)
{
  double offset = y - self->header_height + gtk_adjustment_get_value (self->vadjustment);

  if (y < self->header_height || self->row_height <= 0 || offset < 0 ||
      offset >= (double) n_rows (self) * self->row_height)
    return -1;
  return (int) (offset / self->row_height);
}

/* Scroll ------------------------------------------------------------------ */

/* Only a move away from the end, the person's own, stops the following */
static void
adjustment_value_changed_cb (SudaLiveLogView *self,
                             GtkAdjustment   *adjustment)
{
  if (adjustment == self->vadjustment)
    self->follow = at_end (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_adjustment (SudaLiveLogView  *self,
                GtkAdjustment   **slot,
                GtkAdjustment    *adjustment)
{
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  if (*slot == adjustment)
    return;
  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_data (*slot, self);
      g_object_unref (*slot);
    }
  *slot = g_object_ref_sink (adjustment);
  g_signal_connect_swapped (adjustment, "value-changed", G_CALLBACK (adjustment_value_changed_cb), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
scroll_to_row (SudaLiveLogView *self,
               int              position)
{
  double top = (double) position * self->row_height;
  double value = gtk_adjustment_get_value (self->vadjustment);
  double page = page_height (self);

  if (top < value)
    gtk_adjustment_set_value (self->vadjustment, top);
  else if (top + self->row_height > value + page)
    gtk_adjustment_set_value (self->vadjustment, top + self->row_height - page);
}

/* Layout ------------------------------------------------------------------ */

static void
suda_live_log_view_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  SudaLiveLogView *self = SUDA_LIVE_LOG_VIEW (widget);

  if (self->row_height == 0)
    update_metrics (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = TEXT_MIN_WIDTH;
      for (int c = 0; c < SUDA_LOG_N_COLUMNS; c++)
        *minimum += column_widths[c];
      *natural = *minimum;
    }
  else
    {
      *minimum = self->header_height + self->row_height;
      *natural = self->header_height + 10 * self->row_height;
    }
}

static void
suda_live_log_view_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  SudaLiveLogView *self = SUDA_LIVE_LOG_VIEW (widget);

  update_metrics (self);
  configure_range (self);
  gtk_adjustment_configure (self->hadjustment, 0, 0, width, 0, 0, width);
}

/* Drawing ----------------------------------------------------------------- */

static PangoLayout *
cell_layout (SudaLiveLogView *self,
             PangoLayout     *layout,
             const char      *text,
             int              width)
{
  if (layout == NULL)
    {
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (layout, TRUE);
    }
  if (pango_layout_get_width (layout) != (width - 2 * PAD_X) * PANGO_SCALE)
    pango_layout_set_width (layout, MAX (width - 2 * PAD_X, 1) * PANGO_SCALE);
  return layout;
}

/* A time is keyed by its second, so that a cached one is not even
 * formatted again */
static PangoLayout *
shared_layout (SudaLiveLogView *self,
               SudaLogRow      *row,
               SudaLogColumn    column)
{
  g_autofree char *key = NULL;
  g_autofree char *text = NULL;
  PangoLayout *layout;

  if (column == SUDA_LOG_COLUMN_TIME && !suda_log_row_get_malformed (row))
    key = g_strdup_printf ("%d:%" G_GINT64_FORMAT, column,
                           suda_log_entry_get_time (suda_log_row_get_entry (row)) / G_USEC_PER_SEC);
  else
    {
      text = _suda_log_cells_dup_text (row, column);
      key = g_strdup_printf ("%d:%s", column, text);
    }
  layout = g_hash_table_lookup (self->shared, key);
  if (layout == NULL)
    {
      if (text == NULL)
        text = _suda_log_cells_dup_text (row, column);
      layout = cell_layout (self, NULL, text, column_widths[column]);
      if (g_hash_table_size (self->shared) >= SHARED_MAX)
        g_hash_table_remove_all (self->shared);
      g_hash_table_insert (self->shared, g_steal_pointer (&key), layout);
    }
  return g_object_ref (layout);
}

static RowLayouts *
row_layouts (SudaLiveLogView *self,
             SudaLogRow      *row)
{
  RowLayouts *layouts = g_hash_table_lookup (self->layouts, row);
  int x, width;

  if (layouts == NULL)
    {
      g_autofree char *text = _suda_log_cells_dup_text (row, SUDA_LOG_COLUMN_TEXT);

      layouts = g_new0 (RowLayouts, 1);
      for (int c = 0; c < SUDA_LOG_COLUMN_TEXT; c++)
        layouts->cells[c] = shared_layout (self, row, c);
      column_extent (self, SUDA_LOG_COLUMN_TEXT, &x, &width);
      layouts->cells[SUDA_LOG_COLUMN_TEXT] = cell_layout (self, NULL, text, width);
      g_hash_table_insert (self->layouts, g_object_ref (row), layouts);
    }
  else
    {
      /* only the text column's width follows the view's */
      column_extent (self, SUDA_LOG_COLUMN_TEXT, &x, &width);
      cell_layout (self, layouts->cells[SUDA_LOG_COLUMN_TEXT], NULL, width);
    }
  layouts->drawn = self->drawn;
  return layouts;
}

static void
draw_layout (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             int            x,
             int            y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + PAD_X, y + PAD_Y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
draw_header (SudaLiveLogView *self,
             GtkSnapshot     *snapshot,
             const GdkRGBA   *color,
             const GdkRGBA   *line)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));

  for (int c = 0; c < SUDA_LOG_N_COLUMNS; c++)
    {
      int x, column_width;

      column_extent (self, c, &x, &column_width);
      if (self->titles[c] == NULL)
        {
          PangoAttrList *bold = pango_attr_list_new ();

          pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
          self->titles[c] = cell_layout (self, NULL, suda_live_log_view_get_column_title (c), column_width);
          pango_layout_set_attributes (self->titles[c], bold);
          pango_attr_list_unref (bold);
        }
      draw_layout (snapshot, cell_layout (self, self->titles[c], NULL, column_width), x, 0, color);
    }
  gtk_snapshot_append_color (snapshot, line, &GRAPHENE_RECT_INIT (0, self->header_height - 1, width, 1));
}

static gboolean
forget_undrawn (gpointer key,
                gpointer value,
                gpointer user_data)
{
  return ((RowLayouts *) value)->drawn != GPOINTER_TO_UINT (user_data);
}

static void
suda_live_log_view_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  SudaLiveLogView *self = SUDA_LIVE_LOG_VIEW (widget);
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double value = gtk_adjustment_get_value (self->vadjustment);
  GdkRGBA color, line, error, accent;
  guint first, n_visible;

  gtk_style_context_get_color (style, &color);
  line = color;
  line.alpha *= 0.15;
  if (!gtk_style_context_lookup_color (style, "error_color", &error))
    error = (GdkRGBA) { 0.75, 0.11, 0.16, 1.0 };
  if (!gtk_style_context_lookup_color (style, "accent_bg_color", &accent))
    accent = (GdkRGBA) { 0.21, 0.52, 0.89, 1.0 };
  accent.alpha *= 0.25;

  self->drawn++;
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, self->header_height, width,
                                                         MAX (0, height - self->header_height)));
  if (suda_live_log_view_get_visible_range (self, &first, &n_visible))
    for (guint i = first; i < first + n_visible; i++)
      {
        g_autoptr(SudaLogRow) row = dup_row (self, i);
        RowLayouts *layouts;
        int y = self->header_height + (int) ((double) i * self->row_height - value);

        if (row == NULL)
          continue;
        layouts = row_layouts (self, row);
        if ((int) i == self->cursor && gtk_widget_has_focus (widget))
          gtk_snapshot_append_color (snapshot, &accent, &GRAPHENE_RECT_INIT (0, y, width, self->row_height));
        for (int c = 0; c < SUDA_LOG_N_COLUMNS; c++)
          {
            int x, column_width;
            gboolean malformed = c == SUDA_LOG_COLUMN_EVENT && suda_log_row_get_malformed (row);

            column_extent (self, c, &x, &column_width);
            draw_layout (snapshot, layouts->cells[c], x, y, malformed ? &error : &color);
          }
      }
  gtk_snapshot_pop (snapshot);
  g_hash_table_foreach_remove (self->layouts, forget_undrawn, GUINT_TO_POINTER (self->drawn));

  draw_header (self, snapshot, &color, &line);
  for (int c = 1; c < SUDA_LOG_N_COLUMNS; c++)
    {
      int x, column_width;

      column_extent (self, c, &x, &column_width);
      gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (x, 0, 1, height));
    }
}

/* Tooltips ---------------------------------------------------------------- */

/* The whole text of a cell that shows only its start, for the pointer at
 * (x, y); asked only when the pointer rests there. */
char *
suda_live_log_view_dup_tooltip_at (SudaLiveLogView *self,
                                   double           x,
                                   double           y)
{
  g_autoptr(SudaLogRow) row = NULL;
  RowLayouts *layouts;
  int position;

  g_return_val_if_fail (SUDA_IS_LIVE_LOG_VIEW (self), NULL);

  position = row_at (self, y);
  row = position >= 0 ? dup_row (self, position) : NULL;
  if (row == NULL)
    return NULL;
  layouts = row_layouts (self, row);
  for (int c = SUDA_LOG_N_COLUMNS - 1; c >= 0; c--)
    {
      int left, width;

      column_extent (self, c, &left, &width);
      if (x >= left)
        return pango_layout_is_ellipsized (layouts->cells[c])
               ? g_strdup (pango_layout_get_text (layouts->cells[c])) : NULL;
    }
  return NULL;
}

static gboolean
suda_live_log_view_query_tooltip (GtkWidget  *widget,
                                  int         x,
                                  int         y,
                                  gboolean    keyboard,
                                  GtkTooltip *tooltip)
{
  g_autofree char *text = suda_live_log_view_dup_tooltip_at (SUDA_LIVE_LOG_VIEW (widget), x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The cursor --------------------------------------------------------------- */

int
suda_live_log_view_get_cursor (SudaLiveLogView *self)
{
  g_return_val_if_fail (SUDA_IS_LIVE_LOG_VIEW (self), -1);
  return self->cursor;
}

void
suda_live_log_view_set_cursor (SudaLiveLogView *self,
                               int              position)
{
  int n;

  g_return_if_fail (SUDA_IS_LIVE_LOG_VIEW (self));

  n = (int) n_rows (self);
  position = n == 0 ? -1 : CLAMP (position, 0, n - 1);
  if (position >= 0)
    scroll_to_row (self, position);
  if (position == self->cursor)
    return;
  self->cursor = position;
  announce_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
move_cursor_cb (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  SudaLiveLogView *self = SUDA_LIVE_LOG_VIEW (widget);
  int step = g_variant_get_int32 (args);
  int page = self->row_height > 0 ? MAX (1, (int) (page_height (self) / self->row_height) - 1) : 1;

  if (self->cursor < 0)
    {
      guint first, n_visible;

      self->cursor = suda_live_log_view_get_visible_range (self, &first, &n_visible)
                     ? (int) (first + n_visible - 1) : -1;
    }
  if (step == G_MININT32 || step == G_MAXINT32)
    suda_live_log_view_set_cursor (self, step);
  else
    suda_live_log_view_set_cursor (self, self->cursor + (ABS (step) == 2 ? step / 2 * page : step));
  return TRUE;
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SudaLiveLogView *self = SUDA_LIVE_LOG_VIEW (widget);
  g_autofree char *text = NULL;

  if (self->cursor >= 0)
    text = suda_live_log_view_dup_row_text (self, self->cursor, "\t");
  if (text != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            SudaLiveLogView *self)
{
  int position = row_at (self, y);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (position >= 0)
    suda_live_log_view_set_cursor (self, position);
}

static void
focus_changed_cb (SudaLiveLogView *self)
{
  if (self->cursor < 0 && gtk_widget_has_focus (GTK_WIDGET (self)))
    {
      guint first, n_visible;

      if (suda_live_log_view_get_visible_range (self, &first, &n_visible))
        suda_live_log_view_set_cursor (self, first + n_visible - 1);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* GObject ------------------------------------------------------------------ */

static void
suda_live_log_view_unroot (GtkWidget *widget)
{
  /* the layouts hold the font of the window they were shaped in */
  forget_layouts (SUDA_LIVE_LOG_VIEW (widget));
  GTK_WIDGET_CLASS (suda_live_log_view_parent_class)->unroot (widget);
}

static void
suda_live_log_view_dispose (GObject *object)
{
  SudaLiveLogView *self = SUDA_LIVE_LOG_VIEW (object);

  suda_live_log_view_set_model (self, NULL);
  forget_layouts (self);
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->hadjustment, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->vadjustment, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);
  G_OBJECT_CLASS (suda_live_log_view_parent_class)->dispose (object);
}

static void
suda_live_log_view_finalize (GObject *object)
{
  SudaLiveLogView *self = SUDA_LIVE_LOG_VIEW (object);

  g_clear_pointer (&self->layouts, g_hash_table_unref);
  g_clear_pointer (&self->shared, g_hash_table_unref);
  G_OBJECT_CLASS (suda_live_log_view_parent_class)->finalize (object);
}

static void
suda_live_log_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SudaLiveLogView *self = SUDA_LIVE_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_live_log_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SudaLiveLogView *self = SUDA_LIVE_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      suda_live_log_view_set_model (self, g_value_get_object (value));
      break;
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      self->hscroll_policy = g_value_get_enum (value);
      break;
    case PROP_VSCROLL_POLICY:
      self->vscroll_policy = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
add_move_binding (GtkWidgetClass *widget_class,
                  guint           keyval,
                  int             step)
{
  gtk_widget_class_add_binding (widget_class, keyval, 0, move_cursor_cb, "i", step);
}

static void
suda_live_log_view_class_init (SudaLiveLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_live_log_view_dispose;
  object_class->finalize = suda_live_log_view_finalize;
  object_class->get_property = suda_live_log_view_get_property;
  object_class->set_property = suda_live_log_view_set_property;
  widget_class->measure = suda_live_log_view_measure;
  widget_class->size_allocate = suda_live_log_view_size_allocate;
  widget_class->snapshot = suda_live_log_view_snapshot;
  widget_class->query_tooltip = suda_live_log_view_query_tooltip;
  widget_class->unroot = suda_live_log_view_unroot;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  /* ±1 a row, ±2 a page, the extremes the ends */
  add_move_binding (widget_class, GDK_KEY_Up, -1);
  add_move_binding (widget_class, GDK_KEY_KP_Up, -1);
  add_move_binding (widget_class, GDK_KEY_Down, 1);
  add_move_binding (widget_class, GDK_KEY_KP_Down, 1);
  add_move_binding (widget_class, GDK_KEY_Page_Up, -2);
  add_move_binding (widget_class, GDK_KEY_KP_Page_Up, -2);
  add_move_binding (widget_class, GDK_KEY_Page_Down, 2);
  add_move_binding (widget_class, GDK_KEY_KP_Page_Down, 2);
  add_move_binding (widget_class, GDK_KEY_Home, G_MININT32);
  add_move_binding (widget_class, GDK_KEY_KP_Home, G_MININT32);
  add_move_binding (widget_class, GDK_KEY_End, G_MAXINT32);
  add_move_binding (widget_class, GDK_KEY_KP_End, G_MAXINT32);
  gtk_widget_class_install_action (widget_class, "live-log.copy", NULL, copy_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "live-log.copy", NULL);

  gtk_widget_class_set_css_name (widget_class, "livelog");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LOG);
}

static void
suda_live_log_view_init (SudaLiveLogView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->cursor = -1;
  self->follow = TRUE;
  self->layouts = g_hash_table_new_full (NULL, NULL, g_object_unref, row_layouts_free);
  self->shared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  set_adjustment (self, &self->hadjustment, NULL);
  set_adjustment (self, &self->vadjustment, NULL);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (focus_changed_cb), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (focus_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
}

GtkWidget *
suda_live_log_view_new (void)
{
  return g_object_new (SUDA_TYPE_LIVE_LOG_VIEW, NULL);
}
