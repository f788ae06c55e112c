/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-line-buffer.h"

void
suda_line_buffer_init (SudaLineBuffer *self,
                       gsize           max_line)
{
  memset (self, 0, sizeof *self);
  self->max_line = max_line;
}

void
suda_line_buffer_clear (SudaLineBuffer *self)
{
  g_clear_pointer (&self->data, g_free);
  self->start = self->len = self->cap = 0;
}

gsize
suda_line_buffer_get_pending (const SudaLineBuffer *self)
{
  return self->len;
}

void
suda_line_buffer_append (SudaLineBuffer *self,
                         const char     *data,
                         gsize           len)
{
  if (self->start > 0 && self->len > 0)
    memmove (self->data, self->data + self->start, self->len);
  self->start = 0;

  if (self->len + len + 1 > self->cap)
    {
      self->cap = MAX (self->len + len + 1, MIN (self->cap * 2, self->len + len + 4096));
      self->data = g_realloc (self->data, self->cap);
    }
  memcpy (self->data + self->len, data, len);
  self->len += len;
}

SudaLineStatus
suda_line_buffer_pop (SudaLineBuffer  *self,
                      char           **line,
                      gsize           *len)
{
  char *begin, *nl;
  gsize line_len;

  if (self->len == 0)
    {
      /* Free the storage the moment it is drained: idle clients hold none. */
      suda_line_buffer_clear (self);
      return SUDA_LINE_NONE;
    }

  begin = self->data + self->start;
  nl = memchr (begin, '\n', self->len);
  if (nl == NULL)
    return self->len > self->max_line ? SUDA_LINE_TOO_LONG : SUDA_LINE_NONE;

  line_len = nl - begin;
  self->start += line_len + 1;
  self->len -= line_len + 1;
  if (line_len > 0 && begin[line_len - 1] == '\r')
    line_len--;
  if (line_len > self->max_line)
    return SUDA_LINE_TOO_LONG;

  begin[line_len] = '\0';
  *line = begin;
  *len = line_len;
  return SUDA_LINE_OK;
}

char *
suda_line_buffer_take_partial (SudaLineBuffer *self)
{
  char *text;

  if (self->len == 0)
    return NULL;
  text = g_strndup (self->data + self->start, self->len);
  suda_line_buffer_clear (self);
  return text;
}
