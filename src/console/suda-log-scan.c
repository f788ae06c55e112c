/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-log-entry.h"
#include "suda-log-scan.h"

static inline const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    p++;
  return p;
}

/* P is at the opening quote; returns the byte after the closing one. */
static const char *
scan_string (const char   *p,
             const char   *end,
             SudaLogSlice *out)
{
  const char *start = ++p;
  gboolean escaped = FALSE;

  while (p < end)
    {
      guchar c = *p;

      if (c == '"')
        {
          out->ptr = start;
          out->len = p - start;
          out->escaped = escaped;
          return p + 1;
        }
      if (c == '\\')
        {
          escaped = TRUE;
          p += 2;
          continue;
        }
      /* JSON forbids raw control characters inside strings */
      if (c < 0x20)
        return NULL;
      p++;
    }
  return NULL;
}

/* Skips a number, literal, object or array; stops at the ',' or '}' that
 * ends it. */
static const char *
skip_value (const char *p,
            const char *end)
{
  int depth = 0;

  while (p < end)
    {
      SudaLogSlice ignored;

      switch (*p)
        {
        case '"':
          if (!(p = scan_string (p, end, &ignored)))
            return NULL;
          continue;
        case '{':
        case '[':
          depth++;
          break;
        case '}':
        case ']':
          if (depth == 0)
            return p;
          depth--;
          break;
        case ',':
          if (depth == 0)
            return p;
          break;
        default:
          break;
        }
      p++;
    }
  return depth == 0 ? p : NULL;
}

static SudaLogSlice *
slot_for_key (SudaLogFields      *fields,
              const SudaLogSlice *key)
{
  if (key->escaped)
    return NULL;
  switch (key->len)
    {
    case 4:
      if (memcmp (key->ptr, "time", 4) == 0)
        return &fields->time;
      if (memcmp (key->ptr, "nick", 4) == 0)
        return &fields->nick;
      if (memcmp (key->ptr, "text", 4) == 0)
        return &fields->text;
      return NULL;
    case 5:
      return memcmp (key->ptr, "event", 5) == 0 ? &fields->event : NULL;
    case 6:
      return memcmp (key->ptr, "target", 6) == 0 ? &fields->target : NULL;
    case 7:
      if (memcmp (key->ptr, "channel", 7) == 0)
        return &fields->channel;
      return memcmp (key->ptr, "address", 7) == 0 ? &fields->address : NULL;
    default:
      return NULL;
    }
}

/* Finds the five known members of one JSON object.  Returns FALSE when the
 * line is not a JSON object or lacks a string "time" or "event". */
gboolean
_suda_log_scan_fields (const char    *line,
                       gsize          len,
                       SudaLogFields *fields)
{
  const char *end = line + len;
  const char *p;

  memset (fields, 0, sizeof *fields);
  p = skip_space (line, end);
  if (p >= end || *p != '{')
    return FALSE;
  p = skip_space (p + 1, end);
  if (p < end && *p == '}')
    return FALSE;

  for (;;)
    {
      SudaLogSlice key;
      SudaLogSlice *slot;

      p = skip_space (p, end);
      if (p >= end || *p != '"' || !(p = scan_string (p, end, &key)))
        return FALSE;
      p = skip_space (p, end);
      if (p >= end || *p != ':')
        return FALSE;
      p = skip_space (p + 1, end);
      if (p >= end)
        return FALSE;

      slot = slot_for_key (fields, &key);
      if (*p == '"')
        {
          SudaLogSlice value;

          if (!(p = scan_string (p, end, &value)))
            return FALSE;
          if (slot != NULL && slot->ptr == NULL)
            *slot = value;
        }
      else
        {
          const char *start = p;

          if (!(p = skip_value (p, end)) || p == start)
            return FALSE;
        }

      p = skip_space (p, end);
      if (p >= end)
        return FALSE;
      if (*p == ',')
        {
          p++;
          continue;
        }
      if (*p != '}')
        return FALSE;
      break;
    }

  return skip_space (p + 1, end) == end &&
         fields->time.ptr != NULL && fields->event.ptr != NULL;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (const char *p,
           const char *end,
           gunichar   *out)
{
  gunichar value = 0;

  if (end - p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return FALSE;
      value = value << 4 | digit;
    }
  *out = value;
  return TRUE;
}

/* Appends the decoded string; broken escapes become U+FFFD rather than
 * failing, since a viewer should show what it can. */
void
_suda_log_slice_unescape (const SudaLogSlice *slice,
                          GString            *out)
{
  const char *p = slice->ptr;
  const char *end = slice->ptr + slice->len;

  if (!slice->escaped)
    {
      g_string_append_len (out, slice->ptr, slice->len);
      return;
    }

  while (p < end)
    {
      const char *backslash = memchr (p, '\\', end - p);
      gunichar ch;

      if (backslash == NULL)
        {
          g_string_append_len (out, p, end - p);
          break;
        }
      g_string_append_len (out, p, backslash - p);
      p = backslash + 1;
      if (p >= end)
        break;
      switch (*p++)
        {
        case '"':  g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/':  g_string_append_c (out, '/'); break;
        case 'b':  g_string_append_c (out, '\b'); break;
        case 'f':  g_string_append_c (out, '\f'); break;
        case 'n':  g_string_append_c (out, '\n'); break;
        case 'r':  g_string_append_c (out, '\r'); break;
        case 't':  g_string_append_c (out, '\t'); break;
        case 'u':
          if (!read_hex4 (p, end, &ch))
            {
              g_string_append_unichar (out, 0xFFFD);
              break;
            }
          p += 4;
          if (ch >= 0xD800 && ch < 0xDC00)
            {
              gunichar low;

              if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
                  read_hex4 (p + 2, end, &low) && low >= 0xDC00 && low < 0xE000)
                {
                  ch = 0x10000 + ((ch - 0xD800) << 10) + (low - 0xDC00);
                  p += 6;
                }
              else
                ch = 0xFFFD;
            }
          else if (ch >= 0xDC00 && ch < 0xE000)
            ch = 0xFFFD;
          g_string_append_unichar (out, ch ? ch : 0xFFFD);
          break;
        default:
          g_string_append_unichar (out, 0xFFFD);
          break;
        }
    }
}

/* A newly allocated, valid UTF-8 copy of the decoded string, or NULL for a
 * member that was absent. */
char *
_suda_log_slice_dup (const SudaLogSlice *slice)
{
  g_autoptr(GString) decoded = NULL;

  if (slice->ptr == NULL)
    return NULL;
  decoded = g_string_sized_new (slice->len);
  _suda_log_slice_unescape (slice, decoded);
  if (g_utf8_validate_len (decoded->str, decoded->len, NULL))
    return g_string_free (g_steal_pointer (&decoded), FALSE);
  return g_utf8_make_valid (decoded->str, decoded->len);
}

gboolean
_suda_log_slice_time (const SudaLogSlice *slice,
                      gint64             *unix_usec)
{
  g_autofree char *text = NULL;

  if (slice->ptr == NULL || slice->len > 64)
    return FALSE;
  text = _suda_log_slice_dup (slice);
  return suda_log_parse_time (text, unix_usec);
}
