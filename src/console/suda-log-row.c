/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-log-row.h"
#include "suda-log-scan.h"

/* Enough of a malformed line to recognise it without laying out megabytes */
#define MAX_RAW_BYTES 2000

struct _SudaLogRow
{
  GObject   parent_instance;

  gint64    time;
  char     *event;
  char     *channel;
  char     *nick;
  char     *text;
  char     *target;
  char     *address;
  guint     line_number;
  gboolean  malformed;
};

G_DEFINE_FINAL_TYPE (SudaLogRow, suda_log_row, G_TYPE_OBJECT)

static void
suda_log_row_finalize (GObject *object)
{
  SudaLogRow *self = SUDA_LOG_ROW (object);

  g_clear_pointer (&self->event, g_free);
  g_clear_pointer (&self->channel, g_free);
  g_clear_pointer (&self->nick, g_free);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->target, g_free);
  g_clear_pointer (&self->address, g_free);

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
  SudaLogFields fields;
  gint64 time;

  g_return_val_if_fail (line != NULL || len == 0, NULL);

  self = g_object_new (SUDA_TYPE_LOG_ROW, NULL);
  self->line_number = line_number;
  if (!_suda_log_scan_fields (line, len, &fields) ||
      !_suda_log_slice_time (&fields.time, &time))
    {
      self->malformed = TRUE;
      self->text = dup_raw_line (line, len);
      return self;
    }

  self->time = time;
  self->event = _suda_log_slice_dup (&fields.event);
  self->channel = _suda_log_slice_dup (&fields.channel);
  self->nick = _suda_log_slice_dup (&fields.nick);
  self->text = _suda_log_slice_dup (&fields.text);
  self->target = _suda_log_slice_dup (&fields.target);
  self->address = _suda_log_slice_dup (&fields.address);
  return self;
}

SudaLogRow *
suda_log_row_new_from_entry (SudaLogEntry *entry)
{
  SudaLogRow *self;

  g_return_val_if_fail (SUDA_IS_LOG_ENTRY (entry), NULL);

  self = g_object_new (SUDA_TYPE_LOG_ROW, NULL);
  self->time = suda_log_entry_get_time (entry);
  self->event = g_strdup (suda_log_entry_get_event (entry));
  self->channel = g_strdup (suda_log_entry_get_channel (entry));
  self->nick = g_strdup (suda_log_entry_get_nick (entry));
  self->text = g_strdup (suda_log_entry_get_text (entry));
  self->target = g_strdup (suda_log_entry_get_field (entry, "target"));
  self->address = g_strdup (suda_log_entry_get_field (entry, "address"));
  return self;
}

gint64
suda_log_row_get_time (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), 0);
  return self->time;
}

const char *
suda_log_row_get_event (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);
  return self->event;
}

const char *
suda_log_row_get_channel (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);
  return self->channel;
}

const char *
suda_log_row_get_nick (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);
  return self->nick;
}

const char *
suda_log_row_get_text (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);
  return self->text;
}

const char *
suda_log_row_get_target (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);
  return self->target;
}

const char *
suda_log_row_get_address (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);
  return self->address;
}

/* The text column: the text, with whom it was aimed at ("→ bob: reason")
 * or where a connection came from when the event has no text. */
char *
suda_log_row_dup_summary (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), NULL);

  if (self->target != NULL)
    return self->text ? g_strdup_printf ("→ %s: %s", self->target, self->text)
                      : g_strdup_printf ("→ %s", self->target);
  if (self->text == NULL && self->address != NULL)
    return g_strdup (self->address);
  return g_strdup (self->text ? self->text : "");
}

gboolean
suda_log_row_get_malformed (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), FALSE);
  return self->malformed;
}

guint
suda_log_row_get_line_number (SudaLogRow *self)
{
  g_return_val_if_fail (SUDA_IS_LOG_ROW (self), 0);
  return self->line_number;
}
