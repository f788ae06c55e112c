/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-format.h"
#include "suda-log-row.h"

/* Enough of a malformed line to recognise it without laying out megabytes */
#define MAX_RAW_BYTES 2000

struct _SudaLogRow
{
  GObject       parent_instance;

  SudaLogEntry *entry;        /* NULL for a malformed line */
  char         *raw_text;     /* a malformed line, cut short and valid UTF-8 */
  guint         line_number;
};

G_DEFINE_FINAL_TYPE (SudaLogRow, suda_log_row, G_TYPE_OBJECT)

static void
suda_log_row_finalize (GObject *object)
{
  SudaLogRow *self = SUDA_LOG_ROW (object);

  g_clear_object (&self->entry);
  g_clear_pointer (&self->raw_text, g_free);

  G_OBJECT_CLASS (suda_log_row_parent_class)->finalize (object);
}

static void
suda_log_row_class_init (SudaLogRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = suda_log_row_finalize;
}

static void
suda_log_row_init (SudaLogRow *self)
{
}

static char *
dup_raw_line (const char *line,
              gsize       len)
{
  const char *end;

  if (len > MAX_RAW_BYTES)
    len = MAX_RAW_BYTES;
  /* cut on a character boundary, then repair whatever else is broken */
  g_utf8_validate_len (line, len, &end);
  if (end - line < (gssize) len && len - (end - line) < 4)
    len = end - line;
  return g_utf8_make_valid (line, len);
}

SudaLogRow *
suda_log_row_new_from_line (const char *line,
                            gsize       len,
                            guint       line_number)
{
  SudaLogRow *self;

  g_return_val_if_fail (line != NULL || len == 0, NULL);

  self = g_object_new (SUDA_TYPE_LOG_ROW, NULL);
  self->line_number = line_number;
  self->entry = suda_log_entry_new_from_line (line ? line : "", len, NULL);
  if (self->entry == NULL)
    self->raw_text = dup_raw_line (line, len);
  return self;
}

SudaLogRow *
suda_log_row_new_from_entry (SudaLogEntry *entry)
{
  SudaLogRow *self;

  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (entry), NULL);

  self = g_object_new (SUDA_TYPE_LOG_ROW, NULL);
  self->entry = g_object_ref (entry);
  return self;
}

/* The entry, or NULL for a line that is not one. */
SudaLogEntry *
suda_log_row_get_entry (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);
  return self->entry;
}

/* A malformed line's text, or NULL for an entry. */
const char *
suda_log_row_get_raw_text (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);
  return self->raw_text;
}

gboolean
suda_log_row_get_malformed (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), FALSE);
  return self->entry == NULL;
}

guint
suda_log_row_get_line_number (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), 0);
  return self->line_number;
}

/* An upload reads as "photo.png (12.3 kB, image/png) → LINK"; a line from
 * before links were logged names the file's path on the server instead. */
static char *
dup_upload_summary (SudaLogEntry *entry)
{
  JsonObject *extra = suda_log_entry_get_extra (entry);
  const char *name = suda_log_entry_get_text (entry);
  const char *type = suda_log_entry_get_field (entry, "type");
  const char *url = suda_log_entry_get_field (entry, "url");
  const char *id = suda_log_entry_get_field (entry, "id");
  g_autofree char *size = NULL;
  g_autofree char *details = NULL;
  g_autofree char *link = NULL;

  if (extra != NULL && json_object_has_member (extra, "size"))
    size = g_format_size ((guint64) MAX (json_object_get_int_member_with_default (extra, "size", 0), 0));
  if (size != NULL && type != NULL)
    details = g_strdup_printf (" (%s, %s)", size, type);
  else if (size != NULL || type != NULL)
    details = g_strdup_printf (" (%s)", size ? size : type);
  if (url != NULL)
    link = g_strdup_printf (" → %s", url);
  else if (id != NULL)
    link = g_strdup_printf (" → /files/%s", id);
  return g_strconcat (name ? name : "", details ? details : "", link ? link : "", NULL);
}

/* The text column: the text, with whom it was aimed at ("→ bob: reason")
 * or where a connection came from when the event has no text; a malformed
 * line shows itself.  Formatting codes are left out and other controls
 * shown as pictures: the file keeps the bytes, a person reads the words. */
char *
suda_log_row_dup_summary (SudaLogRow *self)
{
  const char *text, *target, *address;
  g_autofree char *summary = NULL;

  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);

  if (self->entry == NULL)
    return suda_format_strip (self->raw_text, SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
  if (g_strcmp0 (suda_log_entry_get_event (self->entry), "upload") == 0)
    {
      summary = dup_upload_summary (self->entry);
      return suda_format_strip (summary, SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
    }
  text = suda_log_entry_get_text (self->entry);
  target = suda_log_entry_get_field (self->entry, "target");
  address = suda_log_entry_get_field (self->entry, "address");
  if (target != NULL)
    summary = text ? g_strdup_printf ("→ %s: %s", target, text) : g_strdup_printf ("→ %s", target);
  else if (text == NULL && address != NULL)
    summary = g_strdup (address);
  else
    summary = g_strdup (text ? text : "");
  return suda_format_strip (summary, SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS);
}
