/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "suda-irc-message.h"
#include "suda-log-reader.h"
#include "suda-server-log.h"

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
  guint64  dropped;
  gboolean failing;
  gint64   last_attempt;
};

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
  return TRUE;
}

SudaServerLog *
suda_server_log_new (const char *path)
{
  SudaServerLog *self = g_new0 (SudaServerLog, 1);

  self->path = g_strdup (path);
  self->fd = -1;
  self->pending = g_string_new (NULL);
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
  g_free (self->path);
  g_free (self);
}

const char *
suda_server_log_get_path (SudaServerLog *self)
{
  return self->path;
}

void
suda_server_log_append (SudaServerLog *self,
                        SudaLogEntry  *entry)
{
  g_autofree char *line = suda_log_entry_to_line (entry);

  g_string_append (self->pending, line);
  g_string_append_c (self->pending, '\n');

  if (self->pending->len > MAX_PENDING_BYTES)
    {
      /* Keep the newest entries: cut at a line boundary past the excess. */
      gsize excess = self->pending->len - MAX_PENDING_BYTES / 2;
      const char *nl = memchr (self->pending->str + excess, '\n',
                               self->pending->len - excess);
      gsize cut = nl ? (gsize) (nl - self->pending->str) + 1 : self->pending->len;

      for (gsize i = 0; i < cut; i++)
        self->dropped += self->pending->str[i] == '\n';
      g_string_erase (self->pending, 0, cut);
    }
}

gboolean
suda_server_log_flush (SudaServerLog *self)
{
  gsize written = 0;

  if (self->pending->len == 0)
    return TRUE;
  if (self->fd < 0)
    {
      /* Reopening costs a syscall per try: at most one try a second. */
      gint64 now = g_get_monotonic_time ();

      if (now - self->last_attempt < G_USEC_PER_SEC)
        return FALSE;
      self->last_attempt = now;
      if (!log_open (self))
        return FALSE;
    }

  while (written < self->pending->len)
    {
      gssize n = write (self->fd, self->pending->str + written,
                        self->pending->len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          if (!self->failing)
            g_printerr (_("Cannot write the log %s: %s. Chat goes on; the log will be retried.\n"),
                        self->path, g_strerror (saved));
          self->failing = TRUE;
          g_string_erase (self->pending, 0, written);
          self->last_attempt = g_get_monotonic_time ();
          return FALSE;
        }
      written += n;
    }
  g_string_truncate (self->pending, 0);
  if (self->failing)
    {
      g_printerr (_("The log %s is writable again.\n"), self->path);
      if (self->dropped)
        {
          g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, self->dropped);

          g_printerr (g_dngettext (GETTEXT_PACKAGE,
                                   "%s log entry was lost while it was not.\n",
                                   "%s log entries were lost while it was not.\n",
                                   self->dropped > G_MAXULONG ? G_MAXULONG : (gulong) self->dropped),
                      count);
        }
      self->dropped = 0;
      self->failing = FALSE;
    }
  return TRUE;
}

/* SIGHUP: logrotate has moved the file away; write on in a new one. */
void
suda_server_log_reopen (SudaServerLog *self)
{
  suda_server_log_flush (self);
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  self->failing = FALSE;
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
  SudaLogFields fields;
  gboolean notice;

  if (suda_log_read_line (line, len, &fields, NULL, NULL) != SUDA_LOG_READ_OK)
    return;
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
  suda_history_add (ensure_history (histories, channel, max), fields.time, source,
                    notice ? "NOTICE" : "PRIVMSG", text);
}

/* Rebuilds each room's recent history from the tail of the log, so that
 * history survives a restart without reading a large log whole. */
GHashTable *
suda_server_log_load_history (const char *path,
                              guint       lines_per_channel)
{
  GHashTable *histories = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) suda_history_free);
  g_autoptr(GMappedFile) mapped = NULL;
  const char *data, *start, *p;
  gsize size;

  if (path == NULL || *path == '\0' || lines_per_channel == 0)
    return histories;
  mapped = g_mapped_file_new (path, FALSE, NULL);
  if (mapped == NULL)
    return histories;

  data = g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);
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
      const char *end = nl ? nl : data + size;

      if (end > p)
        add_history_line (histories, p, end - p, lines_per_channel);
      p = end + 1;
    }
  return histories;
}
