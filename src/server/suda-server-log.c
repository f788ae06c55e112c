/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "suda-irc-message.h"
#include "suda-log-reader.h"
#include "suda-server-log.h"
#include "suda-task.h"

/* What is kept in memory while the file cannot be written; past it the
 * oldest unwritten entries are dropped and counted. */
#define MAX_PENDING_BYTES (8 * 1024 * 1024)
/* How far back from the end of the log history is looked for at start. */
#define MAX_HISTORY_SCAN (32 * 1024 * 1024)

struct _SudaServerLog
{
  char    *path;
  int      fd;
  GString *pending;
  gsize    max_pending;
  guint64  dropped;
  guint64  dropped_noted;  /* said in the log, told on stderr at recovery */
  char    *lost_from;      /* the times of the first and last entry dropped */
  char    *lost_until;
  char    *failed_at;      /* when writing began to fail */
  int      last_errno;
  gboolean failing;
  /* The file ends inside a line: one we wrote in part (whose rest heads
   * PENDING), or one that must be ended before anything else is written. */
  gboolean torn;
  gboolean need_newline;
  gint64   last_attempt;
};

/* The file ends inside a line (a crash or a full disk tore it): the next
 * entry must not be glued to the fragment. */
static gboolean
ends_inside_line (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  struct stat st;
  char last = '\n';

  if (fd < 0)
    return FALSE;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0 &&
      pread (fd, &last, 1, st.st_size - 1) != 1)
    last = '\n';
  close (fd);
  return last != '\n';
}

static gboolean
log_open (SudaServerLog *self)
{
  g_autofree char *dir = NULL;

  if (self->fd >= 0)
    return TRUE;
  dir = g_path_get_dirname (self->path);
  g_mkdir_with_parents (dir, 0750);
  self->fd = g_open (self->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (self->fd < 0)
    {
      int saved = errno;

      if (!self->failing)
        g_printerr (_("Cannot open the log %s: %s. Chat goes on; the log will be retried.\n"),
                    self->path, g_strerror (saved));
      self->failing = TRUE;
      return FALSE;
    }
  if (ends_inside_line (self->path))
    {
      self->need_newline = TRUE;
      self->torn = FALSE;
    }
  return TRUE;
}

SudaServerLog *
suda_server_log_new (const char *path)
{
  SudaServerLog *self = g_new0 (SudaServerLog, 1);

  self->path = g_strdup (path);
  self->fd = -1;
  self->pending = g_string_new (NULL);
  self->max_pending = MAX_PENDING_BYTES;
  log_open (self);
  return self;
}

void
suda_server_log_free (SudaServerLog *self)
{
  if (self == NULL)
    return;
  suda_server_log_flush (self);
  if (self->fd >= 0)
    close (self->fd);
  g_string_free (self->pending, TRUE);
  g_free (self->lost_from);
  g_free (self->lost_until);
  g_free (self->failed_at);
  g_free (self->path);
  g_free (self);
}

const char *
suda_server_log_get_path (SudaServerLog *self)
{
  return self->path;
}

/* For tests: how much may wait in memory while the file cannot be written. */
void
suda_server_log_set_max_pending (SudaServerLog *self,
                                 gsize          bytes)
{
  self->max_pending = bytes;
}

/* The "time" of the entry LINE starts, as written by suda_log_entry_to_line(). */
static char *
line_time (const char *line,
           gsize       len)
{
  static const char key[] = "{\"time\":\"";
  const char *end;

  if (len < sizeof key || strncmp (line, key, sizeof key - 1) != 0)
    return NULL;
  end = memchr (line + sizeof key - 1, '"', len - (sizeof key - 1));
  return end ? g_strndup (line + sizeof key - 1, end - (line + sizeof key - 1)) : NULL;
}

/* Drops the oldest unwritten entries, the first CUT bytes, and remembers
 * how many were lost and when they were said. */
static void
drop_pending (SudaServerLog *self,
              gsize          cut)
{
  const char *data = self->pending->str;
  const char *last = NULL;

  for (gsize i = 0; i < cut; i++)
    if (data[i] == '\n')
      {
        self->dropped++;
        if (i + 1 < cut)
          last = data + i + 1;
      }
  if (self->lost_from == NULL)
    {
      /* A line written in part has its time in the file, not here. */
      const char *first = self->torn ? memchr (data, '\n', cut) : data - 1;

      if (first != NULL && first + 1 < data + cut)
        self->lost_from = line_time (first + 1, data + cut - first - 1);
    }
  if (last != NULL)
    {
      g_free (self->lost_until);
      self->lost_until = line_time (last, data + cut - last);
    }
  /* The rest of a line written in part is gone: end that line first. */
  if (self->torn)
    {
      self->torn = FALSE;
      self->need_newline = TRUE;
    }
  g_string_erase (self->pending, 0, cut);
}

void
suda_server_log_append (SudaServerLog *self,
                        SudaLogEntry  *entry)
{
  g_autofree char *line = suda_log_entry_to_line (entry);

  g_string_append (self->pending, line);
  g_string_append_c (self->pending, '\n');

  if (self->pending->len > self->max_pending)
    {
      /* Keep the newest entries: cut at a line boundary past the excess. */
      gsize excess = self->pending->len - self->max_pending / 2;
      const char *nl = memchr (self->pending->str + excess, '\n',
                               self->pending->len - excess);
      gsize cut = nl ? (gsize) (nl - self->pending->str) + 1 : self->pending->len;

      drop_pending (self, cut);
    }
}

/* After a gap, the log says what it lacks, where the lost entries were. */
static void
note_gap (SudaServerLog *self)
{
  /* An entry written in part has its time only in the file: the failure's
   * time stands in for it. */
  const char *from = self->lost_from ? self->lost_from : self->failed_at;
  const char *until = self->lost_until ? self->lost_until : from;
  g_autoptr(SudaLogEntry) entry = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  if (self->dropped == 1)
    text = g_strdup_printf ("1 log entry of %s was lost: %s", from, g_strerror (self->last_errno));
  else
    text = g_strdup_printf ("%" G_GUINT64_FORMAT " log entries between %s and %s were lost: %s",
                            self->dropped, from, until, g_strerror (self->last_errno));
  entry = suda_log_entry_new (0, "error", NULL, NULL, text);
  line = suda_log_entry_to_line (entry);
  g_string_prepend_c (self->pending, '\n');
  g_string_prepend (self->pending, line);
  self->dropped_noted += self->dropped;
  self->dropped = 0;
  g_clear_pointer (&self->lost_from, g_free);
  g_clear_pointer (&self->lost_until, g_free);
}

static void
report_recovery (SudaServerLog *self)
{
  g_printerr (_("The log %s is writable again.\n"), self->path);
  if (self->dropped_noted)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, self->dropped_noted);

      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "%s log entry was lost while it was not.\n",
                               "%s log entries were lost while it was not.\n",
                               self->dropped_noted > G_MAXULONG ? G_MAXULONG : (gulong) self->dropped_noted),
                  count);
    }
  self->dropped_noted = 0;
  self->failing = FALSE;
}

/* Writes LEN bytes of DATA; returns how many were written before a failure,
 * with errno set, or LEN. */
static gsize
write_all (int         fd,
           const char *data,
           gsize       len)
{
  gsize written = 0;

  while (written < len)
    {
      gssize n = write (fd, data + written, len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = ENOSPC;
          break;
        }
      written += n;
    }
  return written;
}

static gboolean
write_failed (SudaServerLog *self,
              gsize          written)
{
  self->last_errno = errno;
  if (!self->failing)
    {
      g_free (self->failed_at);
      self->failed_at = suda_log_format_time (g_get_real_time ());
      g_printerr (_("Cannot write the log %s: %s. Chat goes on; the log will be retried.\n"),
                  self->path, g_strerror (self->last_errno));
    }
  self->failing = TRUE;
  if (written > 0)
    {
      self->torn = self->pending->str[written - 1] != '\n';
      g_string_erase (self->pending, 0, written);
    }
  self->last_attempt = g_get_monotonic_time ();
  return FALSE;
}

gboolean
suda_server_log_flush (SudaServerLog *self)
{
  gsize written;

  if (self->pending->len == 0 && !self->need_newline)
    return TRUE;
  if (self->fd < 0 || self->failing)
    {
      /* A failing disk costs a syscall per try (and the flush tries before
       * each session): reopening at most once a second, writing ten times. */
      gint64 now = g_get_monotonic_time ();

      if (now - self->last_attempt < (self->fd < 0 ? G_USEC_PER_SEC : G_USEC_PER_SEC / 10))
        return FALSE;
      self->last_attempt = now;
      if (!log_open (self))
        return FALSE;
    }

  if (self->need_newline)
    {
      if (write_all (self->fd, "\n", 1) != 1)
        return write_failed (self, 0);
      self->need_newline = FALSE;
    }
  if (self->dropped > 0 && !self->torn)
    note_gap (self);
  written = write_all (self->fd, self->pending->str, self->pending->len);
  if (written < self->pending->len)
    return write_failed (self, written);
  g_string_truncate (self->pending, 0);
  self->torn = FALSE;
  if (self->failing)
    report_recovery (self);
  return TRUE;
}

gboolean
suda_server_log_is_failing (SudaServerLog *self)
{
  return self->failing;
}

/* SIGHUP: logrotate has moved the file away; write on in a new one. */
void
suda_server_log_reopen (SudaServerLog *self)
{
  suda_server_log_flush (self);
  if (self->torn)
    {
      /* The rest of a line begun in the old file would start the new one
       * with a fragment: it is counted as lost instead. */
      const char *nl = memchr (self->pending->str, '\n', self->pending->len);

      drop_pending (self, nl ? (gsize) (nl - self->pending->str) + 1 : self->pending->len);
    }
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  self->failing = FALSE;
  self->need_newline = FALSE;
  log_open (self);
}

static SudaHistory *
ensure_history (GHashTable *histories,
                const char *channel,
                guint       max)
{
  g_autofree char *folded = suda_irc_casefold (channel);
  SudaHistory *history = g_hash_table_lookup (histories, folded);

  if (history == NULL)
    {
      history = suda_history_new (max);
      g_hash_table_insert (histories, g_steal_pointer (&folded), history);
    }
  return history;
}

/* Only what a room heard is history: messages and notices to a channel. */
/* The message's id, so a replay after a restart keeps it. */
static void
find_msgid (const SudaLogValue *key,
            const SudaLogValue *value,
            gpointer            user_data)
{
  char **msgid = user_data;

  if (*msgid == NULL && value->kind == SUDA_LOG_VALUE_STRING && suda_log_value_equal (key, "msgid"))
    *msgid = suda_log_value_dup (value);
}

static void
add_history_line (GHashTable *histories,
                  const char *line,
                  gsize       len,
                  guint       max)
{
  g_autofree char *channel = NULL;
  g_autofree char *nick = NULL;
  g_autofree char *source = NULL;
  g_autofree char *text = NULL;
  g_autofree char *msgid = NULL;
  SudaLogFields fields;
  gboolean notice;

  if (suda_log_read_line (line, len, &fields, find_msgid, &msgid) != SUDA_LOG_READ_OK)
    return;
  /* A redaction takes its message out of what is replayed. */
  if (suda_log_value_equal (&fields.event, "redact") && msgid)
    {
      SudaHistory *history;

      channel = suda_log_value_dup (&fields.channel);
      history = channel ? g_hash_table_lookup (histories, channel) : NULL;
      if (history)
        suda_history_remove_msgid (history, msgid);
      return;
    }
  notice = suda_log_value_equal (&fields.event, "notice");
  if ((!notice && !suda_log_value_equal (&fields.event, "message")) ||
      fields.text.kind != SUDA_LOG_VALUE_STRING)
    return;
  channel = suda_log_value_dup (&fields.channel);
  if (!suda_irc_is_channel (channel))
    return;

  text = suda_log_value_dup (&fields.text);
  source = suda_log_value_dup (&fields.source);
  nick = suda_log_value_dup (&fields.nick);
  if (source == NULL)
    source = g_strdup_printf ("%s!%s@history", nick ? nick : "*", nick ? nick : "*");
  /* A draft/multiline message is kept line by line, as when it was said:
   * no newline may reach a replayed line. */
  {
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

    for (guint i = 0; lines[i]; i++)
      suda_history_add (ensure_history (histories, channel, max), fields.time, source,
                        notice ? "NOTICE" : "PRIVMSG", lines[i], i == 0 ? msgid : NULL);
  }
}

/* Rebuilds each room's recent history from the tail of the log, so that
 * history survives a restart without reading a large log whole. */
GHashTable *
suda_server_log_load_history (const char *path,
                              guint       lines_per_channel)
{
  return suda_server_log_load_history_upto (path, lines_per_channel, G_MAXSIZE);
}

/* The same from the first END bytes only: a worker thread reads what the
 * log held at start while the server appends to it. */
GHashTable *
suda_server_log_load_history_upto (const char *path,
                                   guint       lines_per_channel,
                                   gsize       end)
{
  /* Looked up by a room's own name, whatever its case. */
  GHashTable *histories = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                                 g_free, (GDestroyNotify) suda_history_free);
  g_autoptr(GMappedFile) mapped = NULL;
  const char *data, *start, *p;
  gsize size;

  if (path == NULL || *path == '\0' || lines_per_channel == 0)
    return histories;
  mapped = g_mapped_file_new (path, FALSE, NULL);
  if (mapped == NULL)
    return histories;

  data = g_mapped_file_get_contents (mapped);
  size = MIN (g_mapped_file_get_length (mapped), end);
  if (data == NULL || size == 0)
    return histories;

  start = size > MAX_HISTORY_SCAN ? data + size - MAX_HISTORY_SCAN : data;
  if (start != data)
    {
      const char *nl = memchr (start, '\n', data + size - start);
      start = nl ? nl + 1 : data + size;
    }
  for (p = start; p < data + size;)
    {
      const char *nl = memchr (p, '\n', data + size - p);
      const char *line_end = nl ? nl : data + size;

      if (line_end > p)
        add_history_line (histories, p, line_end - p, lines_per_channel);
      p = line_end + 1;
    }
  return histories;
}

typedef struct {
  char  *path;
  guint  lines;
  gsize  end;
} HistoryLoad;

static void
history_load_free (gpointer data)
{
  HistoryLoad *load = data;

  g_free (load->path);
  g_free (load);
}

static void
load_history_in_thread (GTask        *task,
                        gpointer      source,
                        gpointer      data,
                        GCancellable *cancellable)
{
  HistoryLoad *load = data;

  g_task_return_pointer (task,
                         suda_server_log_load_history_upto (load->path, load->lines, load->end),
                         (GDestroyNotify) g_hash_table_unref);
}

/* The same on a worker thread: up to 32 MiB of log would stop the main
 * loop for a second. */
void
suda_server_log_load_history_async (const char          *path,
                                    guint                lines_per_channel,
                                    gsize                end,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  HistoryLoad *load = g_new0 (HistoryLoad, 1);

  g_return_if_fail (path != NULL);
  load->path = g_strdup (path);
  load->lines = lines_per_channel;
  load->end = end;
  g_task_set_source_tag (task, suda_server_log_load_history_async);
  g_task_set_task_data (task, load, history_load_free);
  suda_task_run_in_thread (task, load_history_in_thread);
}

/* NULL with G_IO_ERROR_CANCELLED when the load was cancelled. */
GHashTable *
suda_server_log_load_history_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return suda_task_propagate_pointer (G_TASK (result), error);
}
