/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-irc-message.h"

G_DEFINE_QUARK (suda-irc-error-quark, suda_irc_error)

static char *
skip_spaces (char *p)
{
  while (*p == ' ')
    p++;
  return p;
}

static char *
cut_word (char *p)
{
  while (*p != '\0' && *p != ' ')
    p++;
  if (*p == ' ')
    *p++ = '\0';
  return p;
}

gboolean
suda_irc_message_parse (SudaIrcMessage  *msg,
                        char            *line,
                        GError         **error)
{
  char *p;

  g_return_val_if_fail (msg != NULL, FALSE);

  memset (msg, 0, sizeof *msg);
  if (line == NULL)
    {
      g_set_error_literal (error, SUDA_IRC_ERROR, SUDA_IRC_ERROR_EMPTY, "No line");
      return FALSE;
    }
  p = skip_spaces (line);

  if (*p == '@')
    {
      msg->tags = p + 1;
      p = skip_spaces (cut_word (p));
    }
  if (*p == ':')
    {
      msg->source = p + 1;
      p = skip_spaces (cut_word (p));
    }
  if (*p == '\0')
    {
      g_set_error_literal (error, SUDA_IRC_ERROR,
                           msg->tags || msg->source ? SUDA_IRC_ERROR_NO_COMMAND
                                                    : SUDA_IRC_ERROR_EMPTY,
                           "No command");
      return FALSE;
    }

  msg->command = p;
  p = cut_word (p);
  for (char *c = msg->command; *c; c++)
    {
      if (!g_ascii_isalnum (*c))
        {
          g_set_error_literal (error, SUDA_IRC_ERROR, SUDA_IRC_ERROR_BAD_COMMAND,
                               "Malformed command");
          return FALSE;
        }
      *c = g_ascii_toupper (*c);
    }

  while (*(p = skip_spaces (p)) != '\0')
    {
      if (*p == ':' || msg->n_params == SUDA_IRC_MAX_PARAMS - 1)
        {
          msg->params[msg->n_params++] = *p == ':' ? p + 1 : p;
          break;
        }
      msg->params[msg->n_params++] = p;
      p = cut_word (p);
    }

  return TRUE;
}

const char *
suda_irc_message_param (const SudaIrcMessage *msg,
                        guint                 index)
{
  return msg != NULL && index < msg->n_params ? msg->params[index] : NULL;
}

static const char *
find_tag (const char *tags,
          const char *key,
          gsize      *value_len)
{
  gsize key_len = strlen (key);
  const char *p = tags;

  while (p != NULL && *p != '\0')
    {
      const char *end = strchr (p, ';');
      gsize len = end ? (gsize) (end - p) : strlen (p);

      if (len >= key_len && strncmp (p, key, key_len) == 0 &&
          (len == key_len || p[key_len] == '='))
        {
          const char *value = len == key_len ? p + len : p + key_len + 1;
          *value_len = len - (value - p);
          return value;
        }
      p = end ? end + 1 : NULL;
    }
  return NULL;
}

char *
suda_irc_message_dup_tag (const SudaIrcMessage *msg,
                          const char           *key)
{
  g_autofree char *raw = NULL;
  const char *value;
  gsize len;

  if (msg == NULL || msg->tags == NULL || key == NULL || *key == '\0' ||
      !(value = find_tag (msg->tags, key, &len)))
    return NULL;
  raw = g_strndup (value, len);
  return suda_irc_unescape_tag_value (raw);
}

/* NULL stays NULL; a lone trailing backslash is dropped, and an escaped
 * character without a meaning stands for itself (IRCv3 message-tags). */
char *
suda_irc_unescape_tag_value (const char *value)
{
  GString *out;

  if (value == NULL)
    return NULL;
  out = g_string_sized_new (strlen (value));

  for (const char *p = value; *p; p++)
    {
      if (*p != '\\')
        {
          g_string_append_c (out, *p);
          continue;
        }
      switch (*++p)
        {
        case ':': g_string_append_c (out, ';'); break;
        case 's': g_string_append_c (out, ' '); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case '\0': p--; break;  /* a lone trailing backslash is dropped */
        default: g_string_append_c (out, *p); break;
        }
    }
  return g_string_free (out, FALSE);
}

void
suda_irc_append_tag_value (GString    *out,
                           const char *value)
{
  g_return_if_fail (out != NULL);
  if (value == NULL)
    return;
  for (const char *p = value; *p; p++)
    {
      switch (*p)
        {
        case ';': g_string_append (out, "\\:"); break;
        case ' ': g_string_append (out, "\\s"); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\n': g_string_append (out, "\\n"); break;
        default: g_string_append_c (out, *p); break;
        }
    }
}

void
suda_irc_append_line (GString            *out,
                      const char         *tags,
                      const char         *source,
                      const char         *command,
                      const char * const *params,
                      guint               n_params)
{
  g_return_if_fail (out != NULL);
  /* No command, no line: half a line on the wire would be worse. */
  if (command == NULL || *command == '\0')
    return;
  if (params == NULL)
    n_params = 0;
  if (tags != NULL && *tags != '\0')
    {
      g_string_append_c (out, '@');
      g_string_append (out, tags);
      g_string_append_c (out, ' ');
    }
  if (source != NULL && *source != '\0')
    {
      g_string_append_c (out, ':');
      g_string_append (out, source);
      g_string_append_c (out, ' ');
    }
  g_string_append (out, command);
  for (guint i = 0; i < n_params; i++)
    {
      const char *param = params[i] ? params[i] : "";

      g_string_append_c (out, ' ');
      /* Only the last parameter may hold spaces, start with ':' or be empty. */
      if (i == n_params - 1 &&
          (*param == '\0' || *param == ':' || strchr (param, ' ') != NULL))
        g_string_append_c (out, ':');
      g_string_append (out, param);
    }
  g_string_append (out, "\r\n");
}

/* The nickname part of a prefix; NULL when there is none (no prefix, or
 * an empty one such as ":" or ":!u@h"). */
char *
suda_irc_source_nick (const char *source)
{
  const char *end;

  if (source == NULL || *source == '\0' || *source == '!' || *source == '@')
    return NULL;
  end = strpbrk (source, "!@");
  return end ? g_strndup (source, end - source) : g_strdup (source);
}

/* RFC 2812 section 2.3.1: a letter or special first, then letters, digits,
 * specials and '-'. */
static gboolean
is_nick_special (char c)
{
  return strchr ("[]\\`_^{|}", c) != NULL;
}

gboolean
suda_irc_is_valid_nick (const char *nick,
                        guint       max_len)
{
  gsize len;

  if (nick == NULL || *nick == '\0')
    return FALSE;
  len = strlen (nick);
  if (len > max_len)
    return FALSE;
  if (!g_ascii_isalpha (nick[0]) && !is_nick_special (nick[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (nick[i]) && !is_nick_special (nick[i]) && nick[i] != '-')
      return FALSE;
  return TRUE;
}

gboolean
suda_irc_is_channel (const char *target)
{
  return target != NULL && target[0] == '#';
}

gboolean
suda_irc_is_valid_channel (const char *name,
                           guint       max_len)
{
  gsize len;

  if (!suda_irc_is_channel (name))
    return FALSE;
  len = strlen (name);
  if (len < 2 || len > max_len)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (*p == ' ' || *p == ',' || *p == '\x07' || (guchar) *p < 0x20)
      return FALSE;
  return g_utf8_validate (name, len, NULL);
}

/* rfc1459 casemapping: A-Z and []\~ fold to a-z and {}|^. */
static inline char
fold_char (char c)
{
  switch (c)
    {
    case '[': return '{';
    case ']': return '}';
    case '\\': return '|';
    case '~': return '^';
    default: return g_ascii_tolower (c);
    }
}

/* NULL folds to NULL. */
char *
suda_irc_casefold (const char *name)
{
  char *out = g_strdup (name);

  if (out == NULL)
    return NULL;

  for (char *p = out; *p; p++)
    *p = fold_char (*p);
  return out;
}

/* NULL sorts before every string, the empty one included, and equals
 * only NULL. */
int
suda_irc_casecmp (const char *a,
                  const char *b)
{
  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  while (*a && fold_char (*a) == fold_char (*b))
    a++, b++;
  return (guchar) fold_char (*a) - (guchar) fold_char (*b);
}

guint
suda_irc_casefold_hash (gconstpointer key)
{
  guint hash = 5381;

  if (key == NULL)
    return 0;
  for (const char *p = key; *p; p++)
    hash = hash * 33 + (guchar) fold_char (*p);
  return hash;
}

gboolean
suda_irc_casefold_equal (gconstpointer a,
                         gconstpointer b)
{
  return suda_irc_casecmp (a, b) == 0;
}

/* The longest prefix of TEXT no longer than MAX_BYTES that does not cut a
 * UTF-8 sequence in two. */
gsize
suda_utf8_truncate (const char *text,
                    gsize       len,
                    gsize       max_bytes)
{
  gsize cut;

  if (text == NULL)
    return 0;
  if (len <= max_bytes)
    return len;
  cut = max_bytes;
  while (cut > 0 && ((guchar) text[cut] & 0xC0) == 0x80)
    cut--;
  return cut;
}

/* Writes VALUE as exactly N decimal digits at P; returns the end. */
static char *
put_digits (char *p,
            guint value,
            guint n)
{
  for (guint i = n; i > 0; i--, value /= 10)
    p[i - 1] = '0' + value % 10;
  return p + n;
}

/* Every log entry and every server-time tag is written here, so the digits
 * are put by hand rather than through printf.  Division rounds toward zero:
 * a time before 1970 needs the second below it and a positive fraction.
 * The year has four digits (GLib's %Y writes the year 1 as "1").  Times
 * outside the years 1 to 9999 are told as the nearest end: a tag always
 * comes out, in the one format. */
char *
suda_irc_format_time_tag (gint64 unix_usec)
{
  gint64 usec = unix_usec % G_USEC_PER_SEC;
  g_autoptr(GDateTime) dt = NULL;
  char *tag, *p;
  int year, month, day;

  /* the year 1 begins this many seconds before 1970; checked first, so
   * the subtraction below cannot overflow */
  if (unix_usec < G_GINT64_CONSTANT (-62135596800) * G_USEC_PER_SEC)
    return g_strdup ("0001-01-01T00:00:00.000Z");
  if (usec < 0)
    usec += G_USEC_PER_SEC;
  dt = g_date_time_new_from_unix_utc ((unix_usec - usec) / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup ("9999-12-31T23:59:59.999Z");
  g_date_time_get_ymd (dt, &year, &month, &day);

  p = tag = g_malloc (sizeof "YYYY-MM-DDTHH:MM:SS.mmmZ");
  p = put_digits (p, year, 4);
  *p++ = '-';
  p = put_digits (p, month, 2);
  *p++ = '-';
  p = put_digits (p, day, 2);
  *p++ = 'T';
  p = put_digits (p, g_date_time_get_hour (dt), 2);
  *p++ = ':';
  p = put_digits (p, g_date_time_get_minute (dt), 2);
  *p++ = ':';
  p = put_digits (p, g_date_time_get_second (dt), 2);
  *p++ = '.';
  p = put_digits (p, usec / 1000, 3);
  *p++ = 'Z';
  *p = '\0';
  return tag;
}
