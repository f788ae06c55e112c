/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include <glib/gi18n-lib.h>

#include "suda-log-cells.h"
#include "suda-log-row.h"
#include "suda-log-viewer-window.h"

/* Typing in a filter field waits this long for the next key before the
 * log is scanned again. */
#define FILTER_DELAY_MS 200

struct _SudaLogViewerWindow
{
  AdwApplicationWindow  parent_instance;

  AdwWindowTitle       *window_title;
  GtkWidget            *filter_bar;
  GtkSearchEntry       *search_entry;
  GtkEntry             *nick_entry;
  GtkDropDown          *event_dropdown;
  GtkEntry             *since_entry;
  GtkEntry             *until_entry;
  GtkStack             *stack;
  AdwStatusPage        *error_page;
  AdwStatusPage        *no_match_page;
  GtkScrolledWindow    *scrolled;
  GtkColumnView        *column_view;
  GtkLabel             *status_label;

  SudaLogModel         *model;
  GtkFileChooserNative *chooser;
  guint                 filter_timeout_id;
  gboolean              dates_reversed;  /* the start date is after the end date */
};

enum {
  PROP_0,
  PROP_FOLLOWING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SudaLogViewerWindow, suda_log_viewer_window, ADW_TYPE_APPLICATION_WINDOW)

/* Following the file: the view stays at its bottom while following is on
 * and the person has not scrolled up, so the newest line stays in sight. */

typedef struct {
  GtkAdjustment *adj;
  GtkWidget     *scrolled;
  GdkFrameClock *clock;     /* the scrolled window's while it is realized */
  gboolean enabled;
  gboolean at_end;      /* the person left the view at its end */
  gboolean pending;     /* a jump to the end the list has not seen yet */
  gboolean catch_up;    /* the list grew under a view that follows it */
  guint    idle_id;
  double   last_value;
} ScrollFollow;

static gboolean
adjustment_at_end (GtkAdjustment *adj)
{
  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - 2.0;
}

/* A list view only moves its rows when the value changes, and a value set
 * before its first allocation may already equal the end it later computes;
 * a one-pixel step first makes sure it sees a change. */
static void
scroll_to_end (ScrollFollow *follow)
{
  double end = gtk_adjustment_get_upper (follow->adj) - gtk_adjustment_get_page_size (follow->adj);

  if (end <= 0)
    {
      follow->pending = TRUE;
      return;
    }
  follow->pending = FALSE;
  gtk_adjustment_set_value (follow->adj, end - 1);
  gtk_adjustment_set_value (follow->adj, end);
}

/* Only a move up is the person leaving the end: list views also move the
 * value themselves as rows are added below, but never upwards. */
static void
follow_value_changed_cb (GtkAdjustment *adj,
                         ScrollFollow  *follow)
{
  double value = gtk_adjustment_get_value (adj);

  if (adjustment_at_end (adj))
    follow->at_end = TRUE;
  else if (value < follow->last_value - 0.5)
    follow->at_end = FALSE;
  follow->last_value = value;
}

static void
catch_up (ScrollFollow *follow)
{
  follow->catch_up = FALSE;
  if (follow->enabled && follow->at_end)
    scroll_to_end (follow);
}

static gboolean
scroll_to_end_idle_cb (gpointer data)
{
  ScrollFollow *follow = data;

  follow->idle_id = 0;
  catch_up (follow);
  return G_SOURCE_REMOVE;
}

/* After the window's own layout handler, in the same layout phase: the
 * jump makes the list lay itself out again before anything is painted
 * (the frame clock repeats its layout phase when asked during it), so a
 * batch costs one frame, not a frame at the old place and one at the end. */
static void
frame_layout_cb (GdkFrameClock *clock,
                 ScrollFollow  *follow)
{
  if (follow->catch_up)
    catch_up (follow);
}

/* Growth changes "upper" without touching "value": that is the moment to
 * catch up, if the view was at its end before the growth.  The list view
 * ignores its adjustment while it lays itself out, which is when this
 * runs, so the jump waits for the end of the layout phase (or for an idle
 * moment, when the window is not realized and lays nothing out). */
static void
follow_changed_cb (GtkAdjustment *adj,
                   ScrollFollow  *follow)
{
  if (!follow->enabled || !follow->at_end || (!follow->pending && adjustment_at_end (adj)))
    return;
  follow->catch_up = TRUE;
  if (follow->clock == NULL && follow->idle_id == 0)
    follow->idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, scroll_to_end_idle_cb, follow, NULL);
}

static void
follow_unrealize_cb (GtkWidget    *scrolled,
                     ScrollFollow *follow)
{
  if (follow->clock != NULL)
    g_signal_handlers_disconnect_by_func (follow->clock, frame_layout_cb, follow);
  g_clear_object (&follow->clock);
}

static void
follow_realize_cb (GtkWidget    *scrolled,
                   ScrollFollow *follow)
{
  follow_unrealize_cb (scrolled, follow);
  follow->clock = g_object_ref (gtk_widget_get_frame_clock (scrolled));
  g_signal_connect_after (follow->clock, "layout", G_CALLBACK (frame_layout_cb), follow);
}

static void
scroll_follow_free (gpointer data)
{
  ScrollFollow *follow = data;

  g_clear_handle_id (&follow->idle_id, g_source_remove);
  follow_unrealize_cb (follow->scrolled, follow);
  g_signal_handlers_disconnect_by_data (follow->adj, follow);
  g_object_unref (follow->adj);
  g_free (follow);
}

static void
scroll_follow_attach (GtkScrolledWindow *scrolled)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scrolled);
  ScrollFollow *follow = g_new0 (ScrollFollow, 1);

  follow->adj = g_object_ref (adj);
  follow->scrolled = GTK_WIDGET (scrolled);
  follow->enabled = TRUE;
  follow->at_end = TRUE;
  g_object_set_data_full (G_OBJECT (scrolled), "suda-scroll-follow", follow, scroll_follow_free);
  g_signal_connect (adj, "value-changed", G_CALLBACK (follow_value_changed_cb), follow);
  g_signal_connect (adj, "changed", G_CALLBACK (follow_changed_cb), follow);
  g_signal_connect (scrolled, "realize", G_CALLBACK (follow_realize_cb), follow);
  g_signal_connect (scrolled, "unrealize", G_CALLBACK (follow_unrealize_cb), follow);
  if (gtk_widget_get_realized (GTK_WIDGET (scrolled)))
    follow_realize_cb (GTK_WIDGET (scrolled), follow);
}

static void
scroll_follow_set_enabled (GtkScrolledWindow *scrolled,
                           gboolean           enabled)
{
  ScrollFollow *follow = g_object_get_data (G_OBJECT (scrolled), "suda-scroll-follow");

  g_return_if_fail (follow != NULL);

  follow->enabled = enabled;
  if (enabled)
    {
      follow->at_end = TRUE;
      scroll_to_end (follow);
    }
}

static void
update_status (SudaLogViewerWindow *self)
{
  guint total = suda_log_model_get_n_lines (self->model);
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  g_autofree char *counts = NULL;

  if (suda_log_model_get_file (self->model) == NULL)
    {
      gtk_label_set_text (self->status_label, "");
      return;
    }
  if (shown == total)
    counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u line", "%'u lines", total), total);
  else
    counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u of %'u line shown",
                                           "%'u of %'u lines shown", total),
                              shown, total);
  if (suda_log_model_get_following (self->model))
    {
      g_autofree char *following = g_strdup_printf (_("%s · following new lines"), counts);

      gtk_label_set_text (self->status_label, following);
    }
  else
    gtk_label_set_text (self->status_label, counts);
}

/* An empty list says why it is empty, not just nothing: a filter that
 * matches no line looks the same as a log that did not load. */
static void
update_page (SudaLogViewerWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->model)) == 0 &&
                   suda_log_model_get_n_lines (self->model) > 0;

  if (suda_log_model_get_file (self->model) == NULL || g_strcmp0 (page, "error") == 0)
    return;
  if (!empty && !self->dates_reversed)
    {
      gtk_stack_set_visible_child_name (self->stack, "log");
      return;
    }
  if (self->dates_reversed)
    {
      adw_status_page_set_title (self->no_match_page, _("The Start Date Is After the End Date"));
      adw_status_page_set_description (self->no_match_page,
                                       _("The start date is after the end date, so no line can be "
                                         "between them. Swap the dates or clear one."));
    }
  else
    {
      adw_status_page_set_title (self->no_match_page, _("No Lines Match"));
      adw_status_page_set_description (self->no_match_page,
                                       _("No line of this log matches the search and filters. "
                                         "Change or clear them to see more."));
    }
  gtk_stack_set_visible_child_name (self->stack, "no-match");
}

static void
model_items_changed_cb (SudaLogViewerWindow *self)
{
  update_status (self);
  update_page (self);
}

/* "YYYY-MM-DD" as the local midnight starting that day, or the next one. */
static gboolean
parse_date_entry (GtkEntry *entry,
                  gboolean  day_after,
                  gint64   *unix_usec)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GDateTime) day = NULL;
  guint year, month, mday;
  char tail;

  *unix_usec = 0;
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  if (*text == '\0')
    return TRUE;
  if (sscanf (text, "%4u-%2u-%2u%c", &year, &month, &mday, &tail) != 3 ||
      !g_date_valid_dmy (mday, month, year) ||
      !(day = g_date_time_new_local (year, month, mday, 0, 0, 0)))
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      return FALSE;
    }
  if (day_after)
    {
      GDateTime *next = g_date_time_add_days (day, 1);

      g_date_time_unref (day);
      day = next;
    }
  *unix_usec = MAX (g_date_time_to_unix (day), 1) * G_USEC_PER_SEC;
  return TRUE;
}

static void
apply_filters (SudaLogViewerWindow *self)
{
  const char * const *events = _suda_log_cells_get_events ();
  guint selected = gtk_drop_down_get_selected (self->event_dropdown);
  guint n_events = g_strv_length ((char **) events);
  const char *event = NULL;
  gint64 since, until;

  g_clear_handle_id (&self->filter_timeout_id, g_source_remove);

  /* item 0 is "every event", the last is "malformed lines" */
  if (selected >= 1 && selected <= n_events)
    event = events[selected - 1];
  else if (selected == n_events + 1)
    event = "malformed";

  g_object_freeze_notify (G_OBJECT (self->model));
  suda_log_model_set_search_text (self->model, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  suda_log_model_set_nick (self->model, gtk_editable_get_text (GTK_EDITABLE (self->nick_entry)));
  suda_log_model_set_event (self->model, event);
  /* an unfinished date leaves the range as it was until it parses */
  if (parse_date_entry (self->since_entry, FALSE, &since) &&
      parse_date_entry (self->until_entry, TRUE, &until))
    {
      self->dates_reversed = since != 0 && until != 0 && since >= until;
      suda_log_model_set_time_range (self->model, since, until);
    }
  g_object_thaw_notify (G_OBJECT (self->model));
  update_page (self);
}

static gboolean
filter_timeout_cb (gpointer user_data)
{
  SudaLogViewerWindow *self = user_data;

  self->filter_timeout_id = 0;
  apply_filters (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_filters (SudaLogViewerWindow *self)
{
  g_clear_handle_id (&self->filter_timeout_id, g_source_remove);
  self->filter_timeout_id = g_timeout_add (FILTER_DELAY_MS, filter_timeout_cb, self);
}

/* The search entry already waits for a pause in typing. */
static void
search_changed_cb (SudaLogViewerWindow *self)
{
  apply_filters (self);
}

static void
nick_changed_cb (SudaLogViewerWindow *self)
{
  schedule_filters (self);
}

static void
dates_changed_cb (SudaLogViewerWindow *self)
{
  schedule_filters (self);
}

static void
event_changed_cb (SudaLogViewerWindow *self)
{
  apply_filters (self);
}

static void
set_following (SudaLogViewerWindow *self,
               gboolean             following)
{
  following = !!following;
  if (following == suda_log_model_get_following (self->model))
    return;
  suda_log_model_set_following (self->model, following);
  scroll_follow_set_enabled (self->scrolled, following);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

gboolean
suda_log_viewer_window_open (SudaLogViewerWindow *self,
                             GFile               *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (SUDA_IS_LOG_VIEWER_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (!suda_log_model_load (self->model, file, &error))
    {
      g_debug ("Cannot open log: %s", error->message);
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      gtk_widget_set_sensitive (self->filter_bar, FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.follow", FALSE);
      set_following (self, FALSE);
      update_status (self);
      return FALSE;
    }

  basename = g_file_get_basename (file);
  display = g_file_get_parse_name (file);
  adw_window_title_set_subtitle (self->window_title, basename);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), display);
  gtk_stack_set_visible_child_name (self->stack, "log");
  gtk_widget_set_sensitive (self->filter_bar, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.follow", TRUE);
  update_status (self);
  update_page (self);
  return TRUE;
}

SudaLogModel *
suda_log_viewer_window_get_model (SudaLogViewerWindow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_VIEWER_WINDOW (self), NULL);
  return self->model;
}

static void
chooser_response_cb (SudaLogViewerWindow  *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        suda_log_viewer_window_open (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SudaLogViewerWindow *self = SUDA_LOG_VIEWER_WINDOW (widget);
  g_autoptr(GtkFileFilter) logs = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Open Log"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (logs, _("Suda logs"));
  gtk_file_filter_add_pattern (logs, "*.jsonl");
  gtk_file_filter_add_pattern (logs, "*.log");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), logs);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SudaLogViewerWindow *self = SUDA_LOG_VIEWER_WINDOW (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* One row as the columns show it, tab-separated, so a paste into a
 * message or a spreadsheet keeps the columns; a malformed line as it is. */
static char *
dup_row_text (SudaLogRow *row)
{
  SudaLogEntry *entry = suda_log_row_get_entry (row);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *time = NULL;
  g_autofree char *summary = suda_log_row_dup_summary (row);

  if (suda_log_row_get_malformed (row) || entry == NULL)
    return g_strdup (suda_log_row_get_raw_text (row) ? suda_log_row_get_raw_text (row) : "");
  utc = g_date_time_new_from_unix_utc (suda_log_entry_get_time (entry) / G_USEC_PER_SEC);
  local = utc ? g_date_time_to_local (utc) : NULL;
  time = local ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
  return g_strjoin ("\t", time, suda_log_entry_get_event (entry),
                    suda_log_entry_get_channel (entry) ? suda_log_entry_get_channel (entry) : "",
                    suda_log_entry_get_nick (entry) ? suda_log_entry_get_nick (entry) : "",
                    summary ? summary : "", NULL);
}

/* The selected rows, one a line, oldest first. */
static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SudaLogViewerWindow *self = SUDA_LOG_VIEWER_WINDOW (widget);
  GtkSelectionModel *selection = gtk_column_view_get_model (self->column_view);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (selection);
  g_autoptr(GString) text = g_string_new (NULL);
  GtkBitsetIter iter;
  guint position;

  if (!gtk_bitset_iter_init_first (&iter, selected, &position))
    return;
  do
    {
      g_autoptr(SudaLogRow) row = g_list_model_get_item (G_LIST_MODEL (selection), position);
      g_autofree char *line = dup_row_text (row);

      g_string_append (text, line);
      g_string_append_c (text, '\n');
    }
  while (gtk_bitset_iter_next (&iter, &position));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text->str);
}

static gboolean
drop_cb (GtkDropTarget       *target,
         const GValue        *value,
         double               x,
         double               y,
         SudaLogViewerWindow *self)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      file = files ? files->data : NULL;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  return file != NULL && suda_log_viewer_window_open (self, file);
}

static void
setup_event_dropdown (SudaLogViewerWindow *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, _("Every event"));
  for (const char * const *event = _suda_log_cells_get_events (); *event; event++)
    gtk_string_list_append (list, *event);
  gtk_string_list_append (list, _("Malformed lines"));
  gtk_drop_down_set_model (self->event_dropdown, G_LIST_MODEL (list));
}

static void
suda_log_viewer_window_dispose (GObject *object)
{
  SudaLogViewerWindow *self = SUDA_LOG_VIEWER_WINDOW (object);

  g_clear_handle_id (&self->filter_timeout_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->model != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->model, self);
      suda_log_model_set_following (self->model, FALSE);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_LOG_VIEWER_WINDOW);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (suda_log_viewer_window_parent_class)->dispose (object);
}

static void
suda_log_viewer_window_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  SudaLogViewerWindow *self = SUDA_LOG_VIEWER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->model && suda_log_model_get_following (self->model));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_log_viewer_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  SudaLogViewerWindow *self = SUDA_LOG_VIEWER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FOLLOWING:
      set_following (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_log_viewer_window_class_init (SudaLogViewerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_log_viewer_window_dispose;
  object_class->get_property = suda_log_viewer_window_get_property;
  object_class->set_property = suda_log_viewer_window_set_property;

  /* whether lines appended to the file appear as they are written */
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Server/suda-log-viewer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, nick_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, event_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, since_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, until_entry);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, no_match_page);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, scrolled);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, SudaLogViewerWindow, status_label);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, nick_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, dates_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, event_changed_cb);
  _suda_log_cells_bind_callbacks (widget_class);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.copy", NULL, copy_action);
  gtk_widget_class_install_property_action (widget_class, "win.follow", "following");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  /* the search fields copy their own text first: they take the key before the window */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
suda_log_viewer_window_init (SudaLogViewerWindow *self)
{
  g_autoptr(GtkMultiSelection) selection = NULL;
  GtkDropTarget *drop;

  /* before the template: the "follow" action reads the model's state */
  self->model = suda_log_model_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->model, "items-changed", G_CALLBACK (model_items_changed_cb), self);
  selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  setup_event_dropdown (self);
  scroll_follow_attach (self->scrolled);
  scroll_follow_set_enabled (self->scrolled, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.follow", FALSE);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, (GType[]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  gtk_stack_set_visible_child_name (self->stack, "empty");
  gtk_widget_set_sensitive (self->filter_bar, FALSE);
}

SudaLogViewerWindow *
suda_log_viewer_window_new (GtkApplication *application)
{
  return g_object_new (SUDA_TYPE_LOG_VIEWER_WINDOW, "application", application, NULL);
}
