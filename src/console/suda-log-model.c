/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "suda-log-model.h"
#include "suda-log-reader.h"
#include "suda-log-row.h"

typedef enum {
  SEARCH_NONE,
  SEARCH_BYTES,   /* ASCII folded, other characters have no case */
  SEARCH_FOLD,    /* needs full Unicode case folding */
} SearchMode;

struct _SudaLogModel
{
  GObject       parent_instance;

  GFile        *file;
  char         *path;
  GMappedFile  *mapped;
  const char   *data;
  gsize         size;
  GArray       *starts;        /* gsize: first byte of every line */
  GArray       *blanks;        /* guint: for each skipped blank line, the next line's index */
  gsize         indexed_end;   /* end of the last newline-terminated line */
  gboolean      partial_tail;  /* the last line has no newline yet */
  GArray       *view;          /* guint line numbers that match; NULL = all */
  GFileMonitor *monitor;
  gboolean      following;
  gboolean      emptied;       /* reads as empty while views drop their rows */

  char         *search_text;
  char         *search_needle;
  SearchMode    search_mode;
  char         *fold_anchors[3]; /* forms of the needle's first non-ASCII letter */
  char         *nick;
  char         *event;
  gint64        since;
  gint64        until;
};

enum {
  PROP_0,
  PROP_FILE,
  PROP_N_LINES,
  PROP_FOLLOWING,
  PROP_SEARCH_TEXT,
  PROP_NICK,
  PROP_EVENT,
  PROP_SINCE,
  PROP_UNTIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SudaLogModel, suda_log_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static guint
n_lines (SudaLogModel *self)
{
  return self->starts->len;
}

static guint
n_items (SudaLogModel *self)
{
  if (self->emptied)
    return 0;
  return self->view != NULL ? self->view->len : n_lines (self);
}

/* Announces that every item changed.  GTK 4.8's list views look up every
 * added item for a row widget to reuse when one change both removes and
 * adds; with a million items that costs a second and leaves the heap
 * bloated.  Removing everything first and then adding makes that search
 * empty. */
static void
replace_all_items (SudaLogModel *self,
                   guint         old_n)
{
  if (old_n > 0)
    {
      self->emptied = TRUE;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, 0);
      self->emptied = FALSE;
    }
  if (n_items (self) > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n_items (self));
}

static gboolean
is_filtered (SudaLogModel *self)
{
  return self->search_mode != SEARCH_NONE || self->nick != NULL ||
         self->event != NULL || self->since != 0 || self->until != 0;
}

static void
line_bounds (SudaLogModel *self,
             guint         line,
             const char  **ptr,
             gsize        *len)
{
  gsize start = g_array_index (self->starts, gsize, line);
  gsize end = line + 1 < n_lines (self) ? g_array_index (self->starts, gsize, line + 1)
                                        : self->size;

  /* blank lines were never indexed, so this also steps back over them */
  while (end > start && (self->data[end - 1] == '\n' || self->data[end - 1] == '\r'))
    end--;
  *ptr = self->data + start;
  *len = end - start;
}

/* Pages already read stay resident and would count against the viewer's
 * memory; the few rows on screen fault their pages back in cheaply.  Scans
 * release what they read as they go, so the peak stays low too. */
static void
release_range (SudaLogModel *self,
               gsize         from,
               gsize         to)
{
#ifdef MADV_DONTNEED
  gsize page = sysconf (_SC_PAGESIZE);

  if (self->data == NULL || (guintptr) self->data % page != 0)
    return;
  from -= from % page;
  to = MIN (to, self->size);
  to -= to % page;
  if (to > from)
    madvise ((void *) (self->data + from), to - from, MADV_DONTNEED);
#endif
}

static void
release_pages (SudaLogModel *self)
{
  release_range (self, 0, self->size + sysconf (_SC_PAGESIZE));
}

#define RELEASE_EVERY (16 * 1024 * 1024)

/* Indexes the lines from byte FROM to the end of the mapping. */
static void
index_lines (SudaLogModel *self,
             gsize         from)
{
  const char *p, *end;
  gsize released = from;

  /* an empty file maps to no memory at all */
  if (self->data == NULL)
    return;
  p = self->data + from;
  end = self->data + self->size;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);

      if ((gsize) (p - self->data) - released > RELEASE_EVERY)
        {
          release_range (self, released, p - self->data);
          released = p - self->data;
        }

      if (nl == NULL)
        {
          /* shown now, but re-read once its newline arrives */
          g_array_append_vals (self->starts, &(gsize) { p - self->data }, 1);
          self->partial_tail = TRUE;
          break;
        }
      if (nl > p && !(nl == p + 1 && *p == '\r'))
        g_array_append_vals (self->starts, &(gsize) { p - self->data }, 1);
      else
        g_array_append_val (self->blanks, self->starts->len);
      p = nl + 1;
      self->indexed_end = p - self->data;
    }
}

static inline guchar
ascii_lower (guchar c)
{
  return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* NEEDLE is ASCII-lowered; bytes of other characters compare exactly. */
static gboolean
ascii_case_contains (const char *hay,
                     gsize       hay_len,
                     const char *needle,
                     gsize       needle_len)
{
  guchar first = needle[0];
  guchar first_upper = g_ascii_toupper (first);
  const char *last;

  if (hay_len < needle_len)
    return FALSE;
  last = hay + hay_len - needle_len;
  for (const char *p = hay; p <= last; p++)
    {
      gsize i;

      if ((guchar) *p != first && (guchar) *p != first_upper)
        continue;
      for (i = 1; i < needle_len; i++)
        if (ascii_lower (p[i]) != (guchar) needle[i])
          break;
      if (i == needle_len)
        return TRUE;
    }
  return FALSE;
}

static gboolean
contains_bytes (const char *hay,
                gsize       hay_len,
                const char *needle)
{
  gsize needle_len = strlen (needle);
  const char *end = hay + hay_len;

  for (const char *p = hay; (gsize) (end - p) >= needle_len; p++)
    {
      if (!(p = memchr (p, needle[0], end - p)) || (gsize) (end - p) < needle_len)
        return FALSE;
      if (memcmp (p, needle, needle_len) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The decoded text of a string value, without a copy when it has no escape */
static const char *
value_text (const SudaLogValue *value,
            GString            *scratch,
            gsize              *len)
{
  if (!value->escaped)
    {
      *len = value->len;
      return value->ptr;
    }
  g_string_truncate (scratch, 0);
  suda_log_value_unescape (value, scratch);
  *len = scratch->len;
  return scratch->str;
}

static gboolean
value_contains (SudaLogModel       *self,
                const SudaLogValue *value,
                GString            *scratch)
{
  g_autofree char *valid = NULL;
  g_autofree char *folded = NULL;
  const char *text;
  gsize len;

  if (value->kind != SUDA_LOG_VALUE_STRING)
    return FALSE;
  text = value_text (value, scratch, &len);
  if (self->search_mode == SEARCH_BYTES)
    return ascii_case_contains (text, len, self->search_needle, strlen (self->search_needle));

  /* Case folding every line is slow; a line can only match if it holds
   * some case of the needle's first non-ASCII letter, which memmem finds
   * fast. */
  if (self->fold_anchors[0] != NULL)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (self->fold_anchors) && self->fold_anchors[i] && !found; i++)
        found = contains_bytes (text, len, self->fold_anchors[i]);
      if (!found)
        return FALSE;
    }
  if (!g_utf8_validate_len (text, len, NULL))
    text = valid = g_utf8_make_valid (text, len), len = strlen (valid);
  folded = g_utf8_casefold (text, len);
  return strstr (folded, self->search_needle) != NULL;
}

static gboolean
value_equals_nick (const SudaLogValue *value,
                   const char         *nick,
                   GString            *scratch)
{
  const char *text;
  gsize len;

  if (value->kind != SUDA_LOG_VALUE_STRING)
    return FALSE;
  text = value_text (value, scratch, &len);
  return len == strlen (nick) && g_ascii_strncasecmp (text, nick, len) == 0;
}

static gboolean
line_matches (SudaLogModel *self,
              const char   *line,
              gsize         len,
              GString      *scratch)
{
  gboolean wants_malformed = g_strcmp0 (self->event, "malformed") == 0;
  SudaLogFields fields;

  if (suda_log_read_line (line, len, &fields, NULL, NULL) != SUDA_LOG_READ_OK)
    goto malformed;
  if (wants_malformed)
    return FALSE;
  if (self->event != NULL && !suda_log_value_equal (&fields.event, self->event))
    return FALSE;
  /* a kick or whisper aimed at the nick is about them too */
  if (self->nick != NULL && !value_equals_nick (&fields.nick, self->nick, scratch) &&
      !value_equals_nick (&fields.target, self->nick, scratch))
    return FALSE;
  if ((self->since != 0 && fields.time < self->since) ||
      (self->until != 0 && fields.time >= self->until))
    return FALSE;

  if (self->search_mode == SEARCH_NONE)
    return TRUE;
  return value_contains (self, &fields.text, scratch) ||
         value_contains (self, &fields.nick, scratch) ||
         value_contains (self, &fields.channel, scratch) ||
         value_contains (self, &fields.target, scratch);

malformed:
  if ((self->event != NULL && !wants_malformed) ||
      self->nick != NULL || self->since != 0 || self->until != 0)
    return FALSE;
  if (self->search_mode == SEARCH_NONE)
    return TRUE;
  return value_contains (self, &(SudaLogValue) { line, len, SUDA_LOG_VALUE_STRING, FALSE }, scratch);
}

/* Appends the matching lines from FIRST on to the view. */
static void
filter_lines (SudaLogModel *self,
              guint         first)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  gsize released = first < n_lines (self) ? g_array_index (self->starts, gsize, first) : 0;

  for (guint i = first; i < n_lines (self); i++)
    {
      const char *line;
      gsize len;

      line_bounds (self, i, &line, &len);
      if ((gsize) (line - self->data) - released > RELEASE_EVERY)
        {
          release_range (self, released, line - self->data);
          released = line - self->data;
        }
      if (line_matches (self, line, len, scratch))
        g_array_append_val (self->view, i);
    }
}

static void
rebuild_view (SudaLogModel *self)
{
  guint old_n = n_items (self);

  g_clear_pointer (&self->view, g_array_unref);
  if (is_filtered (self))
    {
      self->view = g_array_new (FALSE, FALSE, sizeof (guint));
      filter_lines (self, 0);
      release_pages (self);
    }
  replace_all_items (self, old_n);
}

static void
clear_file (SudaLogModel *self)
{
  g_clear_pointer (&self->mapped, g_mapped_file_unref);
  self->data = NULL;
  self->size = 0;
  g_array_set_size (self->starts, 0);
  g_array_set_size (self->blanks, 0);
  self->indexed_end = 0;
  self->partial_tail = FALSE;
  if (self->view != NULL)
    g_array_set_size (self->view, 0);
}

static GMappedFile *
map_file (const char  *path,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = g_filename_display_name (path);
  GMappedFile *mapped;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                   _("“%s” is a folder, not a log file."), display);
      return NULL;
    }
  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped != NULL)
    return mapped;

  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                 _("“%s” does not exist."), display);
  else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES,
                 _("You are not allowed to read “%s”."), display);
  else
    g_set_error (error, local_error->domain, local_error->code,
                 _("“%s” could not be read: %s"), display, local_error->message);
  return NULL;
}

static void
take_mapping (SudaLogModel *self,
              GMappedFile  *mapped)
{
  g_clear_pointer (&self->mapped, g_mapped_file_unref);
  self->mapped = mapped;
  self->data = g_mapped_file_get_contents (mapped);
  self->size = g_mapped_file_get_length (mapped);
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  SudaLogModel *self = user_data;
  g_autoptr(GError) error = NULL;

  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED ||
      event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT ||
      event == G_FILE_MONITOR_EVENT_DELETED ||
      event == G_FILE_MONITOR_EVENT_MOVED_OUT)
    return;
  if (!suda_log_model_refresh (self, &error))
    g_debug ("Could not follow %s: %s", self->path, error->message);
}

static void
update_monitor (SudaLogModel *self)
{
  g_autoptr(GError) error = NULL;

  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, monitor_changed_cb, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  if (!self->following || self->file == NULL)
    return;

  self->monitor = g_file_monitor_file (self->file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    {
      g_debug ("Cannot watch %s: %s", self->path, error->message);
      return;
    }
  /* a busy log changes constantly; a tenth of a second is live enough */
  g_file_monitor_set_rate_limit (self->monitor, 100);
  g_signal_connect (self->monitor, "changed", G_CALLBACK (monitor_changed_cb), self);
}

gboolean
suda_log_model_load (SudaLogModel  *self,
                     GFile         *file,
                     GError       **error)
{
  g_autofree char *path = NULL;
  GMappedFile *mapped;
  guint old_n;

  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("Only files on this computer can be opened."));
      return FALSE;
    }
  if (!(mapped = map_file (path, error)))
    return FALSE;

  old_n = n_items (self);
  clear_file (self);
  take_mapping (self, mapped);
  g_set_object (&self->file, file);
  g_free (self->path);
  self->path = g_steal_pointer (&path);

  index_lines (self, 0);
  if (self->view != NULL)
    filter_lines (self, 0);
  release_pages (self);
  update_monitor (self);

  replace_all_items (self, old_n);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
  return TRUE;
}

/* Reads what was appended since the last look.  A file that shrank was
 * truncated or replaced (log rotation) and is read again from the start. */
gboolean
suda_log_model_refresh (SudaLogModel  *self,
                        GError       **error)
{
  GMappedFile *mapped;
  guint old_lines, old_items, removed = 0, position;

  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), FALSE);

  if (self->path == NULL)
    return TRUE;
  if (!(mapped = map_file (self->path, error)))
    return FALSE;
  if (g_mapped_file_get_length (mapped) == self->size)
    {
      g_mapped_file_unref (mapped);
      return TRUE;
    }
  if (g_mapped_file_get_length (mapped) < self->size)
    {
      g_autoptr(GFile) file = g_object_ref (self->file);

      g_mapped_file_unref (mapped);
      return suda_log_model_load (self, file, error);
    }

  old_lines = n_lines (self);
  old_items = n_items (self);
  if (self->partial_tail)
    {
      /* the unfinished last line is read again with what completes it */
      guint last = old_lines - 1;

      g_array_set_size (self->starts, last);
      self->partial_tail = FALSE;
      if (self->view == NULL)
        removed = 1;
      else if (self->view->len > 0 && g_array_index (self->view, guint, self->view->len - 1) == last)
        {
          g_array_set_size (self->view, self->view->len - 1);
          removed = 1;
        }
      old_lines = last;
    }
  position = old_items - removed;

  take_mapping (self, mapped);
  index_lines (self, self->indexed_end);
  if (self->view != NULL)
    filter_lines (self, old_lines);

  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, n_items (self) - position);
  if (n_lines (self) != old_lines + removed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
  return TRUE;
}

static GType
suda_log_model_get_item_type (GListModel *model)
{
  return SUDA_TYPE_LOG_ROW;
}

static guint
suda_log_model_get_n_items (GListModel *model)
{
  return n_items (SUDA_LOG_MODEL (model));
}

/* The line number an editor would show, counting the blank lines too. */
static guint
file_line_number (SudaLogModel *self,
                  guint         index)
{
  guint low = 0, high = self->blanks->len;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (g_array_index (self->blanks, guint, mid) <= index)
        low = mid + 1;
      else
        high = mid;
    }
  return index + 1 + low;
}

static gpointer
suda_log_model_get_item (GListModel *model,
                         guint       position)
{
  SudaLogModel *self = SUDA_LOG_MODEL (model);
  const char *line;
  gsize len;
  guint index;

  if (position >= n_items (self))
    return NULL;
  index = self->view != NULL ? g_array_index (self->view, guint, position) : position;
  line_bounds (self, index, &line, &len);
  return suda_log_row_new_from_line (line, len, file_line_number (self, index));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = suda_log_model_get_item_type;
  iface->get_n_items = suda_log_model_get_n_items;
  iface->get_item = suda_log_model_get_item;
}

static void
suda_log_model_dispose (GObject *object)
{
  SudaLogModel *self = SUDA_LOG_MODEL (object);

  self->following = FALSE;
  update_monitor (self);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (suda_log_model_parent_class)->dispose (object);
}

static void
suda_log_model_finalize (GObject *object)
{
  SudaLogModel *self = SUDA_LOG_MODEL (object);

  g_clear_pointer (&self->mapped, g_mapped_file_unref);
  g_clear_pointer (&self->starts, g_array_unref);
  g_clear_pointer (&self->blanks, g_array_unref);
  g_clear_pointer (&self->view, g_array_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->search_needle, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (self->fold_anchors); i++)
    g_clear_pointer (&self->fold_anchors[i], g_free);
  g_clear_pointer (&self->nick, g_free);
  g_clear_pointer (&self->event, g_free);

  G_OBJECT_CLASS (suda_log_model_parent_class)->finalize (object);
}

static void
suda_log_model_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SudaLogModel *self = SUDA_LOG_MODEL (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_N_LINES:
      g_value_set_uint (value, n_lines (self));
      break;
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;
    case PROP_SEARCH_TEXT:
      g_value_set_string (value, self->search_text);
      break;
    case PROP_NICK:
      g_value_set_string (value, self->nick);
      break;
    case PROP_EVENT:
      g_value_set_string (value, self->event);
      break;
    case PROP_SINCE:
      g_value_set_int64 (value, self->since);
      break;
    case PROP_UNTIL:
      g_value_set_int64 (value, self->until);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_log_model_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SudaLogModel *self = SUDA_LOG_MODEL (object);

  switch (prop_id)
    {
    case PROP_FOLLOWING:
      suda_log_model_set_following (self, g_value_get_boolean (value));
      break;
    case PROP_SEARCH_TEXT:
      suda_log_model_set_search_text (self, g_value_get_string (value));
      break;
    case PROP_NICK:
      suda_log_model_set_nick (self, g_value_get_string (value));
      break;
    case PROP_EVENT:
      suda_log_model_set_event (self, g_value_get_string (value));
      break;
    case PROP_SINCE:
      suda_log_model_set_time_range (self, g_value_get_int64 (value), self->until);
      break;
    case PROP_UNTIL:
      suda_log_model_set_time_range (self, self->since, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_log_model_class_init (SudaLogModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = suda_log_model_dispose;
  object_class->finalize = suda_log_model_finalize;
  object_class->get_property = suda_log_model_get_property;
  object_class->set_property = suda_log_model_set_property;

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_LINES] =
    g_param_spec_uint ("n-lines", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, FALSE, rw);
  properties[PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL, NULL, rw);
  properties[PROP_NICK] =
    g_param_spec_string ("nick", NULL, NULL, NULL, rw);
  properties[PROP_EVENT] =
    g_param_spec_string ("event", NULL, NULL, NULL, rw);
  properties[PROP_SINCE] =
    g_param_spec_int64 ("since", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_UNTIL] =
    g_param_spec_int64 ("until", NULL, NULL, 0, G_MAXINT64, 0, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_log_model_init (SudaLogModel *self)
{
  self->starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->blanks = g_array_new (FALSE, FALSE, sizeof (guint));
}

SudaLogModel *
suda_log_model_new (void)
{
  return g_object_new (SUDA_TYPE_LOG_MODEL, NULL);
}

GFile *
suda_log_model_get_file (SudaLogModel *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), NULL);
  return self->file;
}

guint
suda_log_model_get_n_lines (SudaLogModel *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), 0);
  return n_lines (self);
}

gboolean
suda_log_model_get_following (SudaLogModel *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), FALSE);
  return self->following;
}

void
suda_log_model_set_following (SudaLogModel *self,
                              gboolean      following)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SUDA_IS_LOG_MODEL (self));

  following = !!following;
  if (self->following == following)
    return;
  self->following = following;
  update_monitor (self);
  /* catch up with whatever was written while nobody watched */
  if (following && !suda_log_model_refresh (self, &error))
    g_debug ("Could not follow %s: %s", self->path, error->message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* Empty and blank strings mean "no filter". */
static char *
dup_filter_text (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text ? text : ""));

  return *copy != '\0' ? g_steal_pointer (&copy) : NULL;
}

static SearchMode
classify_search (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x80 && (g_unichar_tolower (c) != c || g_unichar_toupper (c) != c))
        return SEARCH_FOLD;
    }
  return SEARCH_BYTES;
}

static void
set_fold_anchors (SudaLogModel *self)
{
  const char *p;
  gunichar forms[3];
  guint n = 0;

  for (p = self->search_needle; *p && (guchar) *p < 0x80; p++)
    ;
  if (*p == '\0')
    return;
  forms[0] = g_utf8_get_char (p);
  forms[1] = g_unichar_toupper (forms[0]);
  forms[2] = g_unichar_totitle (forms[0]);
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < i; j++)
        seen |= forms[j] == forms[i];
      if (!seen)
        self->fold_anchors[n++] = g_ucs4_to_utf8 (&forms[i], 1, NULL, NULL, NULL);
    }
}

const char *
suda_log_model_get_search_text (SudaLogModel *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), NULL);
  return self->search_text;
}

void
suda_log_model_set_search_text (SudaLogModel *self,
                                const char   *text)
{
  g_autofree char *search = NULL;

  g_return_if_fail (SUDA_IS_LOG_MODEL (self));

  search = dup_filter_text (text);
  if (g_strcmp0 (search, self->search_text) == 0)
    return;
  g_free (self->search_text);
  g_clear_pointer (&self->search_needle, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (self->fold_anchors); i++)
    g_clear_pointer (&self->fold_anchors[i], g_free);
  self->search_text = g_steal_pointer (&search);
  self->search_mode = self->search_text ? classify_search (self->search_text) : SEARCH_NONE;
  if (self->search_mode == SEARCH_BYTES)
    self->search_needle = g_ascii_strdown (self->search_text, -1);
  else if (self->search_mode == SEARCH_FOLD)
    {
      self->search_needle = g_utf8_casefold (self->search_text, -1);
      set_fold_anchors (self);
    }

  rebuild_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
}

const char *
suda_log_model_get_nick (SudaLogModel *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), NULL);
  return self->nick;
}

void
suda_log_model_set_nick (SudaLogModel *self,
                         const char   *nick)
{
  g_autofree char *value = NULL;

  g_return_if_fail (SUDA_IS_LOG_MODEL (self));

  value = dup_filter_text (nick);
  if (g_strcmp0 (value, self->nick) == 0)
    return;
  g_free (self->nick);
  self->nick = g_steal_pointer (&value);
  rebuild_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

const char *
suda_log_model_get_event (SudaLogModel *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), NULL);
  return self->event;
}

void
suda_log_model_set_event (SudaLogModel *self,
                          const char   *event)
{
  g_autofree char *value = NULL;

  g_return_if_fail (SUDA_IS_LOG_MODEL (self));

  value = dup_filter_text (event);
  if (g_strcmp0 (value, self->event) == 0)
    return;
  g_free (self->event);
  self->event = g_steal_pointer (&value);
  rebuild_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENT]);
}

gint64
suda_log_model_get_since (SudaLogModel *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), 0);
  return self->since;
}

gint64
suda_log_model_get_until (SudaLogModel *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_MODEL (self), 0);
  return self->until;
}

void
suda_log_model_set_time_range (SudaLogModel *self,
                               gint64        since,
                               gint64        until)
{
  gboolean since_changed, until_changed;

  g_return_if_fail (SUDA_IS_LOG_MODEL (self));
  g_return_if_fail (since >= 0 && until >= 0);

  since_changed = since != self->since;
  until_changed = until != self->until;
  if (!since_changed && !until_changed)
    return;
  self->since = since;
  self->until = until;

  rebuild_view (self);
  if (since_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SINCE]);
  if (until_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNTIL]);
}
