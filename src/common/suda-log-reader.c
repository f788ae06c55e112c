/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "suda-log-reader.h"

/* Deeper nesting than any Suda writer produces; the bound keeps the
 * recursion's stack small whatever a line holds. */
#define MAX_DEPTH 64
/* An ISO 8601 time is never longer; longer text is not decoded to find out. */
#define MAX_TIME_LEN 64
/* 0001-01-01 and the end of 9999 in UTC, the years GDateTime holds */
#define MIN_USEC (G_GINT64_CONSTANT (-62135596800) * G_USEC_PER_SEC)
#define MAX_USEC (G_GINT64_CONSTANT (253402300800) * G_USEC_PER_SEC - 1)

typedef gboolean (*MemberFunc) (const SudaLogValue *key,
                                const SudaLogValue *value,
                                gpointer            data);
typedef gboolean (*ElementFunc) (const SudaLogValue *value,
                                 gpointer            data);

static const char *scan_value (const char   *p,
                               const char   *end,
                               guint         depth,
                               SudaLogValue *out);

/* Bytes a string scan stops at: the closing quote, an escape, and the
 * control characters JSON forbids inside strings. */
static const guint8 string_stop[256] = {
  [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

static inline const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    p++;
  return p;
}

static inline gboolean
is_hex (char c)
{
  return g_ascii_isxdigit (c);
}

/* P is at the opening quote; returns the byte after the closing one.
 * Bytes that are not UTF-8 pass: decoding repairs them, so one bad byte
 * does not hide a whole entry. */
static const char *
scan_string (const char   *p,
             const char   *end,
             SudaLogValue *out)
{
  const char *start = ++p;
  gboolean escaped = FALSE;

  for (;;)
    {
      while (p < end && !string_stop[(guchar) *p])
        p++;
      if (p >= end || (guchar) *p < 0x20)
        return NULL;
      if (*p == '"')
        break;
      escaped = TRUE;
      if (end - p < 2)
        return NULL;
      if (p[1] == 'u')
        {
          if (end - p < 6 || !is_hex (p[2]) || !is_hex (p[3]) || !is_hex (p[4]) || !is_hex (p[5]))
            return NULL;
          p += 6;
        }
      else if (strchr ("\"\\/bfnrt", p[1]) != NULL && p[1] != '\0')
        p += 2;
      else
        return NULL;
    }
  *out = (SudaLogValue) { start, p - start, SUDA_LOG_VALUE_STRING, escaped };
  return p + 1;
}

static const char *
skip_digits (const char *p,
             const char *end)
{
  const char *start = p;

  while (p < end && g_ascii_isdigit (*p))
    p++;
  return p > start ? p : NULL;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static const char *
scan_number (const char *p,
             const char *end)
{
  if (p < end && *p == '-')
    p++;
  if (p < end && *p == '0')
    p++;
  else if (!(p = skip_digits (p, end)))
    return NULL;
  if (p < end && *p == '.' && !(p = skip_digits (p + 1, end)))
    return NULL;
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (!(p = skip_digits (p, end)))
        return NULL;
    }
  return p;
}

/* P is just inside the '{'; returns the byte after the '}'.  FUNC, when
 * given, sees every member in order and may stop the scan. */
static const char *
scan_object (const char *p,
             const char *end,
             guint       depth,
             MemberFunc  func,
             gpointer    data)
{
  p = skip_space (p, end);
  if (p < end && *p == '}')
    return p + 1;
  for (;;)
    {
      SudaLogValue key, value;

      if (p >= end || *p != '"' || !(p = scan_string (p, end, &key)))
        return NULL;
      p = skip_space (p, end);
      if (p >= end || *p != ':')
        return NULL;
      if (!(p = scan_value (skip_space (p + 1, end), end, depth, &value)))
        return NULL;
      if (func != NULL && !func (&key, &value, data))
        return NULL;
      p = skip_space (p, end);
      if (p < end && *p == '}')
        return p + 1;
      if (p >= end || *p != ',')
        return NULL;
      p = skip_space (p + 1, end);
    }
}

static const char *
scan_array (const char  *p,
            const char  *end,
            guint        depth,
            ElementFunc  func,
            gpointer     data)
{
  p = skip_space (p, end);
  if (p < end && *p == ']')
    return p + 1;
  for (;;)
    {
      SudaLogValue value;

      if (!(p = scan_value (p, end, depth, &value)))
        return NULL;
      if (func != NULL && !func (&value, data))
        return NULL;
      p = skip_space (p, end);
      if (p < end && *p == ']')
        return p + 1;
      if (p >= end || *p != ',')
        return NULL;
      p = skip_space (p + 1, end);
    }
}

static const char *
scan_literal (const char       *p,
              const char       *end,
              const char       *word,
              SudaLogValueKind  kind,
              SudaLogValue     *out)
{
  gsize len = strlen (word);

  if ((gsize) (end - p) < len || memcmp (p, word, len) != 0)
    return NULL;
  *out = (SudaLogValue) { p, len, kind, FALSE };
  return p + len;
}

/* DEPTH counts the containers P is inside. */
static const char *
scan_value (const char   *p,
            const char   *end,
            guint         depth,
            SudaLogValue *out)
{
  const char *start = p, *after;
  SudaLogValueKind kind;

  if (p >= end)
    return NULL;
  switch (*p)
    {
    case '"':
      return scan_string (p, end, out);
    case 't':
      return scan_literal (p, end, "true", SUDA_LOG_VALUE_TRUE, out);
    case 'f':
      return scan_literal (p, end, "false", SUDA_LOG_VALUE_FALSE, out);
    case 'n':
      return scan_literal (p, end, "null", SUDA_LOG_VALUE_NULL, out);
    case '{':
    case '[':
      if (depth >= MAX_DEPTH)
        return NULL;
      kind = *p == '{' ? SUDA_LOG_VALUE_OBJECT : SUDA_LOG_VALUE_ARRAY;
      after = kind == SUDA_LOG_VALUE_OBJECT ? scan_object (p + 1, end, depth + 1, NULL, NULL)
                                            : scan_array (p + 1, end, depth + 1, NULL, NULL);
      break;
    default:
      kind = SUDA_LOG_VALUE_NUMBER;
      after = scan_number (p, end);
      break;
    }
  if (after == NULL)
    return NULL;
  *out = (SudaLogValue) { start, after - start, kind, FALSE };
  return after;
}

/* The decoded key when it was written with escapes, as "\u0074ime" may be. */
static const SudaLogValue *
plain_key (const SudaLogValue *key,
           char               *buf,
           gsize               size,
           SudaLogValue       *decoded)
{
  g_autoptr(GString) text = NULL;

  if (!key->escaped)
    return key;
  if (key->len >= size)
    return NULL;
  text = g_string_new (NULL);
  suda_log_value_unescape (key, text);
  if (text->len >= size)
    return NULL;
  memcpy (buf, text->str, text->len);
  *decoded = (SudaLogValue) { buf, text->len, SUDA_LOG_VALUE_STRING, FALSE };
  return decoded;
}

static SudaLogValue *
slot_for_key (SudaLogFields      *fields,
              const SudaLogValue *key)
{
  char buf[48];  /* "\u0063hannel": each letter of a key may take six bytes */
  SudaLogValue decoded;

  if (!(key = plain_key (key, buf, sizeof buf, &decoded)))
    return NULL;
#define IS(word) (key->len == sizeof word - 1 && memcmp (key->ptr, word, key->len) == 0)
  switch (key->len)
    {
    case 4:
      return IS ("time") ? &fields->time_text : IS ("nick") ? &fields->nick
           : IS ("text") ? &fields->text : NULL;
    case 5:
      return IS ("event") ? &fields->event : NULL;
    case 6:
      return IS ("target") ? &fields->target : IS ("source") ? &fields->source : NULL;
    case 7:
      return IS ("channel") ? &fields->channel : IS ("address") ? &fields->address : NULL;
    default:
      return NULL;
    }
#undef IS
}

typedef struct {
  SudaLogFields     *fields;
  SudaLogMemberFunc  func;
  gpointer           data;
} LineScan;

/* A member written twice counts as its last writing, as in most JSON
 * readers; a field whose last value is not a string is absent. */
static gboolean
line_member (const SudaLogValue *key,
             const SudaLogValue *value,
             gpointer            data)
{
  LineScan *scan = data;
  SudaLogValue *slot = slot_for_key (scan->fields, key);

  if (slot != NULL)
    *slot = value->kind == SUDA_LOG_VALUE_STRING ? *value : (SudaLogValue) { 0 };
  if (scan->func != NULL)
    scan->func (key, value, scan->data);
  return TRUE;
}

static gboolean parse_utc_time (const char *text,
                                gsize       len,
                                gint64     *unix_usec);

/* Most times take the fast path straight from the line, with no copy. */
static gboolean
value_time (const SudaLogValue *value,
            gint64             *unix_usec)
{
  g_autoptr(GString) decoded = NULL;
  char buf[MAX_TIME_LEN + 1];

  if (value->kind != SUDA_LOG_VALUE_STRING || value->len > MAX_TIME_LEN)
    return FALSE;
  if (value->escaped)
    {
      decoded = g_string_new (NULL);
      suda_log_value_unescape (value, decoded);
      return strlen (decoded->str) == decoded->len && suda_log_parse_time (decoded->str, unix_usec);
    }
  if (parse_utc_time (value->ptr, value->len, unix_usec))
    return TRUE;
  memcpy (buf, value->ptr, value->len);
  buf[value->len] = '\0';
  return suda_log_parse_time (buf, unix_usec);
}

/* Reads one line (without its newline).  FIELDS is filled with what was
 * found even when the line is not a complete entry; MEMBER_FUNC, if given,
 * sees every member of a well-formed line, known ones included, in the
 * order written, and is called before the result is known. */
SudaLogReadResult
suda_log_read_line (const char        *line,
                    gsize              len,
                    SudaLogFields     *fields,
                    SudaLogMemberFunc  member_func,
                    gpointer           user_data)
{
  LineScan scan = { fields, member_func, user_data };
  const char *end = line + len;
  const char *p;

  g_return_val_if_fail (line != NULL || len == 0, SUDA_LOG_READ_NOT_JSON);
  g_return_val_if_fail (fields != NULL, SUDA_LOG_READ_NOT_JSON);

  memset (fields, 0, sizeof *fields);
  p = skip_space (line, end);
  if (p >= end || *p != '{')
    return SUDA_LOG_READ_NOT_JSON;
  if (!(p = scan_object (p + 1, end, 1, line_member, &scan)) || skip_space (p, end) != end)
    return SUDA_LOG_READ_NOT_JSON;
  if (!value_time (&fields->time_text, &fields->time))
    return SUDA_LOG_READ_NO_TIME;
  if (fields->event.kind != SUDA_LOG_VALUE_STRING)
    return SUDA_LOG_READ_NO_EVENT;
  return SUDA_LOG_READ_OK;
}

static int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
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

/* A \u escape, joined with the low half of a surrogate pair after it.
 * Halves alone and U+0000 are no characters a C string can hold: they
 * become U+FFFD. */
static const char *
read_unicode_escape (const char *p,
                     const char *end,
                     gunichar   *out)
{
  gunichar ch, low;

  if (!read_hex4 (p, end, &ch))
    {
      *out = 0xFFFD;
      return p;
    }
  p += 4;
  if (ch >= 0xD800 && ch < 0xDC00)
    {
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
  *out = ch ? ch : 0xFFFD;
  return p;
}

/* Appends the decoded string.  Bytes that are not UTF-8 are copied as
 * they are: suda_log_value_dup repairs them. */
void
suda_log_value_unescape (const SudaLogValue *value,
                         GString            *out)
{
  const char *p = value->ptr;
  const char *end = value->ptr + value->len;

  if (!value->escaped)
    {
      g_string_append_len (out, value->ptr, value->len);
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
        case 'b':  g_string_append_c (out, '\b'); break;
        case 'f':  g_string_append_c (out, '\f'); break;
        case 'n':  g_string_append_c (out, '\n'); break;
        case 'r':  g_string_append_c (out, '\r'); break;
        case 't':  g_string_append_c (out, '\t'); break;
        case 'u':
          p = read_unicode_escape (p, end, &ch);
          g_string_append_unichar (out, ch);
          break;
        default:   g_string_append_c (out, p[-1]); break;  /* " \ / */
        }
    }
}

/* A newly allocated, valid UTF-8 copy of a string value; NULL for an
 * absent member or one that is not a string. */
char *
suda_log_value_dup (const SudaLogValue *value)
{
  g_autoptr(GString) decoded = NULL;

  g_return_val_if_fail (value != NULL, NULL);

  if (value->kind != SUDA_LOG_VALUE_STRING)
    return NULL;
  decoded = g_string_sized_new (value->len);
  suda_log_value_unescape (value, decoded);
  if (g_utf8_validate_len (decoded->str, decoded->len, NULL))
    return g_string_free (g_steal_pointer (&decoded), FALSE);
  return g_utf8_make_valid (decoded->str, decoded->len);
}

/* Whether a string value decodes to exactly TEXT, byte for byte. */
gboolean
suda_log_value_equal (const SudaLogValue *value,
                      const char         *text)
{
  g_autoptr(GString) decoded = NULL;
  gsize len = strlen (text);

  if (value->kind != SUDA_LOG_VALUE_STRING)
    return FALSE;
  if (!value->escaped)
    return value->len == len && memcmp (value->ptr, text, len) == 0;
  decoded = g_string_new (NULL);
  suda_log_value_unescape (value, decoded);
  return decoded->len == len && memcmp (decoded->str, text, len) == 0;
}

static gboolean
object_member_to_node (const SudaLogValue *key,
                       const SudaLogValue *value,
                       gpointer            data)
{
  g_autofree char *name = suda_log_value_dup (key);

  json_object_set_member (data, name, suda_log_value_to_node (value));
  return TRUE;
}

static gboolean
array_element_to_node (const SudaLogValue *value,
                       gpointer            data)
{
  json_array_add_element (data, suda_log_value_to_node (value));
  return TRUE;
}

static JsonNode *
number_to_node (const SudaLogValue *value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *big = NULL;
  const char *text = buf;
  gboolean integral = memchr (value->ptr, '.', value->len) == NULL &&
                      memchr (value->ptr, 'e', value->len) == NULL &&
                      memchr (value->ptr, 'E', value->len) == NULL;
  gint64 number;
  double real;

  if (value->len < sizeof buf)
    {
      memcpy (buf, value->ptr, value->len);
      buf[value->len] = '\0';
    }
  else
    text = big = g_strndup (value->ptr, value->len);
  if (integral && g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &number, NULL))
    return json_node_init_int (json_node_alloc (), number);
  real = g_ascii_strtod (text, NULL);
  /* JSON has no infinity: a number too large for a double stays its text,
   * so that writing the entry again writes valid JSON */
  if (!isfinite (real))
    return json_node_init_string (json_node_alloc (), text);
  return json_node_init_double (json_node_alloc (), real);
}

/* The value as a json-glib node, for members a SudaLogEntry keeps beyond
 * its columns.  VALUE comes from suda_log_read_line, so it is well formed. */
JsonNode *
suda_log_value_to_node (const SudaLogValue *value)
{
  g_autofree char *text = NULL;
  JsonObject *object;
  JsonArray *array;
  JsonNode *node;

  g_return_val_if_fail (value != NULL, NULL);

  switch (value->kind)
    {
    case SUDA_LOG_VALUE_STRING:
      text = suda_log_value_dup (value);
      return json_node_init_string (json_node_alloc (), text);
    case SUDA_LOG_VALUE_NUMBER:
      return number_to_node (value);
    case SUDA_LOG_VALUE_TRUE:
    case SUDA_LOG_VALUE_FALSE:
      return json_node_init_boolean (json_node_alloc (), value->kind == SUDA_LOG_VALUE_TRUE);
    case SUDA_LOG_VALUE_OBJECT:
      object = json_object_new ();
      scan_object (value->ptr + 1, value->ptr + value->len, 1, object_member_to_node, object);
      node = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
      return node;
    case SUDA_LOG_VALUE_ARRAY:
      array = json_array_new ();
      scan_array (value->ptr + 1, value->ptr + value->len, 1, array_element_to_node, array);
      node = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
      return node;
    case SUDA_LOG_VALUE_NULL:
    case SUDA_LOG_VALUE_NONE:
    default:
      return json_node_init_null (json_node_alloc ());
    }
}

static gboolean
read_digits (const char *p,
             guint       n,
             int        *out)
{
  int value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      value = value * 10 + (p[i] - '0');
    }
  *out = value;
  return TRUE;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 era, yoe, doy, doe;

  year -= month <= 2;
  era = year / 400;
  yoe = year - era * 400;
  doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* "2026-11-21T05:03:07.123Z", the form every Suda writer uses (with
 * milliseconds, microseconds or none), read without GDateTime: a viewer
 * reads a million of them.  Anything else, or any field out of range,
 * is left to GDateTime. */
static gboolean
parse_utc_time (const char *text,
                gsize       len,
                gint64     *unix_usec)
{
  int year, month, day, hour, minute, second, fraction = 0;

  if ((len != 20 && len != 24 && len != 27) || text[len - 1] != 'Z' ||
      text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
    return FALSE;
  if (!read_digits (text, 4, &year) || !read_digits (text + 5, 2, &month) ||
      !read_digits (text + 8, 2, &day) || !read_digits (text + 11, 2, &hour) ||
      !read_digits (text + 14, 2, &minute) || !read_digits (text + 17, 2, &second))
    return FALSE;
  if (len > 20 && (text[19] != '.' || !read_digits (text + 20, len - 21, &fraction)))
    return FALSE;
  if (len == 24)
    fraction *= 1000;
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > g_date_get_days_in_month (month, year) || hour > 23 || minute > 59 || second > 59)
    return FALSE;
  *unix_usec = ((days_from_civil (year, month, day) * 24 + hour) * 60 + minute) * 60 + second;
  *unix_usec = *unix_usec * G_USEC_PER_SEC + fraction;
  return TRUE;
}

gboolean
suda_log_parse_time (const char *text,
                     gint64     *unix_usec)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 usec;

  if (text == NULL)
    return FALSE;
  if (parse_utc_time (text, strlen (text), unix_usec))
    return TRUE;
  if (!(dt = g_date_time_new_from_iso8601 (text, NULL)))
    return FALSE;
  usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  /* an offset can carry a time past the years GDateTime can write in UTC */
  if (usec < MIN_USEC || usec > MAX_USEC)
    return FALSE;
  *unix_usec = usec;
  return TRUE;
}
