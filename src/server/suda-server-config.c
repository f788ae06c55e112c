/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "suda-irc-message.h"
#include "suda-redis.h"
#include "suda-server-config.h"

/* The one table of the configuration file.  A group a future issue adds
 * gets a line in `groups`, its keys a block in `keys` (type, range,
 * default as it is written in the file, field), a struct in the header,
 * and its lines in data/suda-server.conf.example (a test compares the
 * two). */

typedef enum {
  KEY_STRING,        /* kept as written, "" included */
  KEY_BLANK_DEFAULT, /* trimmed; blank means the default */
  KEY_UINT,
  KEY_UINT16,
  KEY_SIZE,
  KEY_DOUBLE,
  KEY_SECONDS,       /* seconds, fractions allowed, stored as guint ms */
  KEY_BOOL,
} KeyType;

/* Checks (and may rewrite) a string value after its type's parse, NULL
 * when unset; on failure returns a translated reason. */
typedef char *(*KeyCheck) (SudaServerConfig  *self,
                           char             **value);

typedef struct {
  const char *group;
  const char *key;
  KeyType     type;
  gsize       offset;
  double      min;
  double      max;
  const char *default_value;  /* NULL: unset (NULL string) */
  KeyCheck    check;
} KeyInfo;

/* Any key is allowed in a group of free keys: [operators] NAME=HASH. */
typedef struct {
  const char *name;
  gboolean    free_keys;
} GroupInfo;

static char *check_one_word     (SudaServerConfig *self, char **value);
static char *check_base_url     (SudaServerConfig *self, char **value);
static char *check_token_field  (SudaServerConfig *self, char **value);
static char *check_api_key_file (SudaServerConfig *self, char **value);
static char *check_registration (SudaServerConfig *self, char **value);
static char *check_web_port     (SudaServerConfig *self, char **value);
static char *check_web_origins  (SudaServerConfig *self, char **value);
static char *check_redis        (SudaServerConfig *self, char **value);
static char *check_server_id    (SudaServerConfig *self, char **value);
static char *check_files_port   (SudaServerConfig *self, char **value);
static char *check_files_url    (SudaServerConfig *self, char **value);

#define F(field) offsetof (SudaServerConfig, field)
#define DEFAULT_SYSTEM_PROMPT \
  "You answer questions asked in a group chat. Answer briefly, in a few " \
  "sentences of plain text without Markdown, in the language of the question."

static const char * const group_names[] = {
  "server", "log", "limits", "schedule", "operators", "ai", "tls", "accounts", "web", "cluster", "files", NULL
};

static const GroupInfo groups[] = {
  { "server", FALSE },
  { "log", FALSE },
  { "limits", FALSE },
  { "schedule", FALSE },
  { "operators", TRUE },
  { "ai", FALSE },
  { "tls", FALSE },
  { "accounts", FALSE },
  { "web", FALSE },
  { "cluster", FALSE },
  { "files", FALSE },
};

G_STATIC_ASSERT (G_N_ELEMENTS (group_names) == G_N_ELEMENTS (groups) + 1);

static const KeyInfo keys[] = {
  { "server", "listen", KEY_STRING, F (listen_address), 0, 0, NULL, NULL },
  { "server", "port", KEY_UINT16, F (port), 0, 65535, "6667", NULL },
  { "server", "max-clients", KEY_UINT, F (max_clients), 1, 1000000, "100", NULL },
  { "server", "password", KEY_STRING, F (password), 0, 0, NULL, NULL },
  { "server", "name", KEY_STRING, F (server_name), 0, 0, "suda.local", check_one_word },
  { "server", "network", KEY_STRING, F (network_name), 0, 0, "Suda", check_one_word },
  { "server", "motd", KEY_STRING, F (motd), 0, 0, NULL, NULL },
  { "server", "default-channel", KEY_STRING, F (default_channel), 0, 0, "#lobby", NULL },
  { "server", "service-nick", KEY_STRING, F (service_nick), 0, 0, "suda", NULL },
  { "server", "state-dir", KEY_STRING, F (state_dir), 0, 0, NULL, NULL },
  { "server", "admin-location", KEY_STRING, F (admin_location), 0, 0, NULL, NULL },
  { "server", "admin-email", KEY_STRING, F (admin_email), 0, 0, NULL, NULL },
  /* the console's own default is true: a class finds the chat by name */
  { "server", "announce", KEY_BOOL, F (announce), 0, 0, "false", NULL },
  { "server", "announce-name", KEY_STRING, F (announce_name), 0, 0, NULL, NULL },

  { "log", "file", KEY_STRING, F (log_path), 0, 0, NULL, NULL },
  { "log", "history-lines", KEY_UINT, F (history_lines), 0, 100000, "50", NULL },
  { "log", "whisper-text", KEY_BOOL, F (log_whisper_text), 0, 0, "false", NULL },

  /* max-line: the shortest IRC line with a 9-byte nick and a word of text */
  { "limits", "max-line", KEY_UINT, F (max_line), 64, 8192, "512", NULL },
  { "limits", "sendq", KEY_SIZE, F (sendq_bytes), 0, G_MAXUINT32, "1048576", NULL },
  { "limits", "recvq", KEY_SIZE, F (recvq_bytes), 0, G_MAXUINT32, "16384", NULL },
  /* at least a few sendqs' worth, or one busy room would pause every reader */
  { "limits", "total-sendq", KEY_SIZE, F (total_sendq_bytes), 65536, 68719476736.0, "67108864", NULL },
  { "limits", "flood-control", KEY_BOOL, F (flood_control), 0, 0, "true", NULL },
  { "limits", "flood-burst", KEY_DOUBLE, F (flood_burst), 0, 1e6, "10", NULL },
  { "limits", "flood-rate", KEY_DOUBLE, F (flood_rate), 0, 1e6, "2", NULL },
  /* a week, so the milliseconds fit a guint */
  { "limits", "ping-interval", KEY_SECONDS, F (ping_interval_ms), 0, 604800, "90", NULL },
  { "limits", "ping-timeout", KEY_SECONDS, F (ping_timeout_ms), 0, 604800, "180", NULL },
  { "limits", "max-channels", KEY_UINT, F (max_channels), 0, 10000, "20", NULL },
  { "limits", "max-targets", KEY_UINT, F (max_targets), 1, 100, "4", NULL },
  { "limits", "max-per-address", KEY_UINT, F (max_per_address), 0, 1000000, "10", NULL },
  { "limits", "exempt-loopback", KEY_BOOL, F (exempt_loopback), 0, 0, "false", NULL },
  { "limits", "registration-timeout", KEY_SECONDS, F (registration_timeout_ms), 0.1, 604800, "30", NULL },
  { "limits", "history-rooms", KEY_UINT, F (history_rooms), 1, 1000000, "1000", NULL },
  { "limits", "connects-per-minute", KEY_UINT, F (connects_per_minute), 0, 1000000, "60", NULL },

  { "schedule", "max-pending", KEY_UINT, F (schedule.max_pending), 1, 1000, "20", NULL },

  { "ai", "base-url", KEY_BLANK_DEFAULT, F (ai.base_url), 0, 0, "https://api.openai.com/v1",
    check_base_url },
  { "ai", "model", KEY_BLANK_DEFAULT, F (ai.model), 0, 0, "gpt-4o-mini", NULL },
  { "ai", "api-key-file", KEY_BLANK_DEFAULT, F (ai.api_key_file), 0, 0, NULL, check_api_key_file },
  { "ai", "token-field", KEY_BLANK_DEFAULT, F (ai.token_field), 0, 0, "max_completion_tokens",
    check_token_field },
  { "ai", "max-tokens", KEY_UINT, F (ai.max_tokens), 0, 1000000, "400", NULL },
  { "ai", "system-prompt", KEY_STRING, F (ai.system_prompt), 0, 0, DEFAULT_SYSTEM_PROMPT, NULL },
  { "ai", "timeout", KEY_SECONDS, F (ai.timeout_ms), 0.001, 3600, "30", NULL },
  { "ai", "retry-backoff", KEY_SECONDS, F (ai.retry_backoff_ms), 0, 3600, "1", NULL },
  { "ai", "max-concurrent", KEY_UINT, F (ai.max_concurrent), 1, 64, "4", NULL },
  { "ai", "max-queued", KEY_UINT, F (ai.max_queued), 0, 10000, "32", NULL },
  { "ai", "rate-per-minute", KEY_UINT, F (ai.rate_per_minute), 0, 10000, "3", NULL },
  { "ai", "cache-size", KEY_UINT, F (ai.cache_size), 0, 100000, "100", NULL },
  { "ai", "cache-ttl", KEY_UINT, F (ai.cache_ttl_s), 0, G_MAXINT32, "3600", NULL },
  { "ai", "max-lines", KEY_UINT, F (ai.max_lines), 1, 100, "8", NULL },
  { "ai", "summary-max", KEY_UINT, F (ai.summary_max), 1, 10000, "300", NULL },
  { "ai", "context-lines", KEY_UINT, F (ai.context_lines), 0, 1000, "20", NULL },

  { "tls", "port", KEY_UINT16, F (tls_port), 0, 65535, "0", NULL },
  { "tls", "listen", KEY_STRING, F (tls_listen), 0, 0, NULL, NULL },
  { "tls", "certificate", KEY_BLANK_DEFAULT, F (tls_certificate), 0, 0, NULL, NULL },
  { "tls", "key", KEY_BLANK_DEFAULT, F (tls_key), 0, 0, NULL, NULL },
  { "tls", "plain", KEY_BOOL, F (plain), 0, 0, "true", NULL },
  { "tls", "sts-duration", KEY_UINT, F (sts_duration_s), 0, G_MAXINT32, "2592000", NULL },

  { "accounts", "file", KEY_STRING, F (accounts.file), 0, 0, NULL, NULL },
  { "accounts", "registration", KEY_BLANK_DEFAULT, F (accounts.registration), 0, 0, "open",
    check_registration },
  /* a day at most: a protected nick is not held by a stranger longer */
  { "accounts", "nick-grace", KEY_SECONDS, F (accounts.nick_grace_ms), 0.1, 86400, "30", NULL },
  { "web", "port", KEY_BLANK_DEFAULT, F (web.port_text), 0, 0, "0", check_web_port },
  /* the console's own default: 8080, or a free port when 8080 is taken */
  { "web", "port-fallback", KEY_BOOL, F (web.port_fallback), 0, 0, "false", NULL },
  { "web", "listen", KEY_STRING, F (web.listen_address), 0, 0, NULL, NULL },
  { "web", "origins", KEY_STRING, F (web.origins), 0, 0, "", check_web_origins },

  { "cluster", "redis", KEY_STRING, F (cluster.redis), 0, 0, NULL, check_redis },
  { "cluster", "server-id", KEY_STRING, F (cluster.server_id), 0, 0, NULL, check_server_id },
  { "cluster", "required", KEY_BOOL, F (cluster.required), 0, 0, "true", NULL },
  /* a nick outlives its server by this much: long enough for a busy Redis,
   * short enough that a crashed server's users are soon free to come back */
  { "cluster", "lease", KEY_SECONDS, F (cluster.lease_ms), 0.1, 3600, "15", NULL },
  { "cluster", "tls-ca", KEY_STRING, F (cluster.tls_ca), 0, 0, NULL, NULL },

  { "files", "port", KEY_BLANK_DEFAULT, F (files.port_text), 0, 0, "0", check_files_port },
  { "files", "listen", KEY_STRING, F (files.listen_address), 0, 0, NULL, NULL },
  { "files", "url", KEY_BLANK_DEFAULT, F (files.url), 0, 0, NULL, check_files_url },
  { "files", "folder", KEY_BLANK_DEFAULT, F (files.folder), 0, 0, NULL, NULL },
  /* 4 GiB at most: one upload is held in memory while it arrives */
  { "files", "max-size", KEY_SIZE, F (files.max_size), 1, G_MAXUINT32, "10485760", NULL },
  /* no SVG by default: an image that can carry scripts */
  { "files", "types", KEY_BLANK_DEFAULT, F (files.types), 0, 0,
    "image/png image/jpeg image/gif image/webp application/pdf text/plain", NULL },
  { "files", "retention", KEY_UINT, F (files.retention_days), 0, 36500, "30", NULL },
};

#undef F

static gboolean
is_string_type (KeyType type)
{
  return type == KEY_STRING || type == KEY_BLANK_DEFAULT;
}

static gpointer
field_of (SudaServerConfig *self,
          const KeyInfo    *info)
{
  return (guint8 *) self + info->offset;
}

static const GroupInfo *
find_group (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    if (g_str_equal (groups[i].name, name))
      return &groups[i];
  return NULL;
}

static const KeyInfo *
find_key (const char *group,
          const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].group, group) && g_str_equal (keys[i].key, key))
      return &keys[i];
  return NULL;
}

/* Checks of [server] values ------------------------------------------------ */

/* The name and the network are sent as one IRC word (":NAME 001 ...",
 * "NETWORK=..."), and every line the server or the service user sends
 * carries the name: RFC 2812 keeps a server name to 63 bytes, which leaves
 * room for text in a 512-byte line. */
#define MAX_NAME_BYTES 63

static char *
check_one_word (SudaServerConfig  *self,
                char             **value)
{
  const char *p;

  if (*value == NULL || **value == '\0' || strlen (*value) > MAX_NAME_BYTES)
    return g_strdup_printf (_("must be one word of 1 to %d bytes"), MAX_NAME_BYTES);
  for (p = *value; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p) || *p == ':' || *p == ',')
      return g_strdup_printf (_("must be one word of 1 to %d bytes"), MAX_NAME_BYTES);
  return NULL;
}

/* Checks of [ai] values ---------------------------------------------------- */

static char *
check_base_url (SudaServerConfig  *self,
                char             **value)
{
  g_autoptr(GUri) uri = NULL;
  gsize len;

  g_assert (*value != NULL);  /* blank means the default, never unset */
  len = strlen (*value);

  while (len > 0 && (*value)[len - 1] == '/')
    (*value)[--len] = '\0';
  uri = g_uri_parse (*value, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return g_strdup (_("must be an http:// or https:// address"));
  return NULL;
}

static char *
check_token_field (SudaServerConfig  *self,
                   char             **value)
{
  if (g_strcmp0 (*value, "max_completion_tokens") != 0 &&
      g_strcmp0 (*value, "max_tokens") != 0)
    return g_strdup (_("must be max_completion_tokens or max_tokens"));
  return NULL;
}

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

/* The key is read with the rest of the file, so a path that cannot work
 * stops the start instead of the first !search. */
static char *
check_api_key_file (SudaServerConfig  *self,
                    char             **value)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (*value == NULL)
    {
      clear_secret (&self->ai.api_key);
      return NULL;
    }
  if (!g_file_get_contents (*value, &contents, NULL, &error))
    /* The file's own error names only the path, never its contents. */
    return g_strdup_printf (_("cannot be read: %s"), error->message);

  /* The first line is the key; editors add a final newline. */
  clear_secret (&self->ai.api_key);
  contents[strcspn (contents, "\r\n")] = '\0';
  g_strstrip (contents);
  if (contents[0] != '\0')
    self->ai.api_key = g_strdup (contents);
  memset (contents, 0, strlen (contents));
  g_free (contents);
  return NULL;
}

/* Checks of [accounts] values ---------------------------------------------- */

static char *
check_registration (SudaServerConfig  *self,
                    char             **value)
{
  static const char * const allowed[] = { "open", "operators", "closed", NULL };

  if (!g_strv_contains (allowed, *value))
    return g_strdup (_("must be open, operators or closed"));
  return NULL;
}

/* Checks of [web] values --------------------------------------------------- */

/* 0 keeps the page off (the daemon's default); "auto" takes a free port,
 * as [server] port=0 does, for tests and a first try. */
static char *
check_off_auto_port (const char *value,
                     int        *port)
{
  guint64 number = 0;

  g_assert (value != NULL);  /* blank means the default */
  if (g_str_equal (value, "auto"))
    {
      *port = SUDA_WEB_PORT_ANY;
      return NULL;
    }
  if (!g_ascii_string_to_unsigned (value, 10, 0, 65535, &number, NULL))
    return g_strdup_printf (_("“%s” is not 0 (off), auto or a port from 1 to 65535"), value);
  *port = (int) number;
  return NULL;
}

static char *
check_web_port (SudaServerConfig  *self,
                char             **value)
{
  return check_off_auto_port (*value, &self->web.port);
}

/* Each origin as a browser sends it: scheme://host[:port], nothing after;
 * written back lowercased and space-separated. */
static char *
check_web_origins (SudaServerConfig  *self,
                   char             **value)
{
  g_auto(GStrv) words = g_strsplit_set (*value != NULL ? *value : "", " ,\t", -1);
  g_autoptr(GString) normal = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autoptr(GUri) uri = NULL;
      g_autofree char *lower = g_ascii_strdown (words[i], -1);

      if (*lower == '\0')
        continue;
      uri = g_uri_parse (lower, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL ||
          (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
           g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
          g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
          *g_uri_get_path (uri) != '\0' || g_uri_get_query (uri) != NULL ||
          g_uri_get_userinfo (uri) != NULL || g_uri_get_fragment (uri) != NULL)
        return g_strdup_printf (_("“%s” is not an origin such as https://chat.example.org"), words[i]);
      if (normal->len > 0)
        g_string_append_c (normal, ' ');
      g_string_append (normal, lower);
    }
  g_free (*value);
  *value = g_string_free (g_steal_pointer (&normal), FALSE);
  return NULL;
}

/* Checks of [cluster] values ----------------------------------------------- */

static char *
check_redis (SudaServerConfig  *self,
             char             **value)
{
  SudaRedisAddress address;
  g_autoptr(GError) error = NULL;

  if (*value == NULL || **value == '\0')
    return NULL;
  if (!suda_redis_address_parse (*value, &address, &error))
    return g_strdup (error->message);
  suda_redis_address_clear (&address);
  return NULL;
}

/* The id goes into Redis keys and every event: one word, as a name is. */
static char *
check_server_id (SudaServerConfig  *self,
                 char             **value)
{
  return *value == NULL || **value == '\0' ? NULL : check_one_word (self, value);
}

/* Checks of [files] values ------------------------------------------------- */

/* As [web] port=: 0 off, auto a free port. */
static char *
check_files_port (SudaServerConfig  *self,
                  char             **value)
{
  return check_off_auto_port (*value, &self->files.port);
}

/* Given to clients as it is (behind a proxy, say): an address, no query. */
static char *
check_files_url (SudaServerConfig  *self,
                 char             **value)
{
  g_autoptr(GUri) uri = NULL;
  gsize len;

  if (*value == NULL)
    return NULL;
  len = strlen (*value);
  while (len > 0 && (*value)[len - 1] == '/')
    (*value)[--len] = '\0';
  uri = g_uri_parse (*value, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return g_strdup (_("must be an http:// or https:// address"));
  return NULL;
}

/* Parsing one value --------------------------------------------------------- */

static char *
parse_number (const KeyInfo *info,
              const char    *text,
              double        *out)
{
  g_autofree char *min = g_strdup_printf ("%g", info->min);
  g_autofree char *max = g_strdup_printf ("%.15g", info->max);
  char *end = NULL;
  double number = g_ascii_strtod (text, &end);

  /* Written so that NaN fails too. */
  if (end != text && *end == '\0' && number >= info->min && number <= info->max)
    {
      *out = number;
      return NULL;
    }
  if (info->type == KEY_SECONDS)
    return g_strdup_printf (_("“%s” is not a number of seconds from %s to %s"), text, min, max);
  return g_strdup_printf (_("“%s” is not a number from %s to %s"), text, min, max);
}

static char *
parse_unsigned (const KeyInfo *info,
                const char    *text,
                guint64       *out)
{
  /* The bounds are formatted apart: a G_GUINT64_FORMAT inside _() would
   * cut the message xgettext extracts. */
  g_autofree char *min = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) info->min);
  g_autofree char *max = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) info->max);

  if (g_ascii_string_to_unsigned (text, 10, (guint64) info->min, (guint64) info->max, out, NULL))
    return NULL;
  return g_strdup_printf (_("“%s” is not a whole number from %s to %s"), text, min, max);
}

static char *
parse_bool (const char *text,
            gboolean   *out)
{
  if (g_str_equal (text, "true") || g_str_equal (text, "1"))
    *out = TRUE;
  else if (g_str_equal (text, "false") || g_str_equal (text, "0"))
    *out = FALSE;
  else
    return g_strdup_printf (_("“%s” is not true or false"), text);
  return NULL;
}

static char *
store_string (SudaServerConfig *self,
              const KeyInfo    *info,
              const char       *text)
{
  char **field = field_of (self, info);
  g_autofree char *value = g_strdup (text);
  char *reason = NULL;

  if (info->type == KEY_BLANK_DEFAULT && value != NULL && *g_strstrip (value) == '\0')
    {
      g_free (value);
      value = g_strdup (info->default_value);
    }
  if (info->check != NULL && (reason = info->check (self, &value)) != NULL)
    return reason;
  g_free (*field);
  *field = g_steal_pointer (&value);
  return NULL;
}

/* Stores TEXT (the file's unescaped value; NULL only for a string's unset
 * default) in the key's field; returns a translated reason if it cannot. */
static char *
store_value (SudaServerConfig *self,
             const KeyInfo    *info,
             const char       *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  gpointer field = field_of (self, info);
  guint64 whole = 0;
  double number = 0;
  char *reason = NULL;

  switch (info->type)
    {
    case KEY_STRING:
    case KEY_BLANK_DEFAULT:
      return store_string (self, info, text);
    case KEY_UINT:
    case KEY_UINT16:
    case KEY_SIZE:
      if ((reason = parse_unsigned (info, trimmed, &whole)) != NULL)
        return reason;
      if (info->type == KEY_UINT)
        *(guint *) field = whole;
      else if (info->type == KEY_UINT16)
        *(guint16 *) field = whole;
      else
        *(gsize *) field = whole;
      return NULL;
    case KEY_DOUBLE:
    case KEY_SECONDS:
      if ((reason = parse_number (info, trimmed, &number)) != NULL)
        return reason;
      if (info->type == KEY_DOUBLE)
        *(double *) field = number;
      else
        *(guint *) field = (guint) (number * 1000 + 0.5);
      return NULL;
    case KEY_BOOL:
      return parse_bool (trimmed, field);
    default:
      g_assert_not_reached ();
    }
}

/* What one key implies for another, after any change. */
static void
finish (SudaServerConfig *self)
{
  self->recvq_bytes = MAX (self->recvq_bytes, self->max_line + SUDA_MAX_TAGS_BYTES);
}

static gboolean
set_key (SudaServerConfig *self,
         const KeyInfo    *info,
         const char       *text,
         GError          **error)
{
  g_autofree char *reason = store_value (self, info, text);

  if (reason != NULL)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   /* TRANSLATORS: "[GROUP] KEY: why the value is wrong" */
                   _("[%s] %s: %s"), info->group, info->key, reason);
      return FALSE;
    }
  return TRUE;
}

/* Life cycle ----------------------------------------------------------------- */

SudaServerConfig *
suda_server_config_new (void)
{
  SudaServerConfig *self = g_new0 (SudaServerConfig, 1);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (keys[i].default_value != NULL && !set_key (self, &keys[i], keys[i].default_value, NULL))
      g_assert_not_reached ();
  self->operators = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  finish (self);
  return self;
}

SudaServerConfig *
suda_server_config_copy (const SudaServerConfig *self)
{
  SudaServerConfig *copy = g_memdup2 (self, sizeof *self);
  GHashTableIter iter;
  gpointer name, hash;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (is_string_type (keys[i].type))
      {
        char **field = field_of (copy, &keys[i]);

        *field = g_strdup (*field);
      }
  copy->ai.api_key = g_strdup (self->ai.api_key);
  copy->operators = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, self->operators);
  while (g_hash_table_iter_next (&iter, &name, &hash))
    g_hash_table_insert (copy->operators, g_strdup (name), g_strdup (hash));
  copy->warnings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->warnings->len; i++)
    g_ptr_array_add (copy->warnings, g_strdup (g_ptr_array_index (self->warnings, i)));
  return copy;
}

/* Frees what SELF owns, not SELF. */
static void
clear_fields (SudaServerConfig *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (is_string_type (keys[i].type))
      g_clear_pointer ((char **) field_of (self, &keys[i]), g_free);
  clear_secret (&self->ai.api_key);
  g_clear_pointer (&self->operators, g_hash_table_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
}

void
suda_server_config_free (SudaServerConfig *self)
{
  if (self == NULL)
    return;
  clear_fields (self);
  g_free (self);
}

/* The string fields of [ai], found by the table's offsets. */
static char **
ai_string_field (SudaAiConfig  *ai,
                 const KeyInfo *info)
{
  return (char **) ((guint8 *) ai + info->offset - offsetof (SudaServerConfig, ai));
}

void
suda_ai_config_copy (const SudaAiConfig *src,
                     SudaAiConfig       *dest)
{
  g_return_if_fail (src != NULL && dest != NULL);

  *dest = *src;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].group, "ai") && is_string_type (keys[i].type))
      {
        char **field = ai_string_field (dest, &keys[i]);

        *field = g_strdup (*field);
      }
  dest->api_key = g_strdup (src->api_key);
}

void
suda_ai_config_clear (SudaAiConfig *ai)
{
  g_return_if_fail (ai != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].group, "ai") && is_string_type (keys[i].type))
      g_clear_pointer (ai_string_field (ai, &keys[i]), g_free);
  clear_secret (&ai->api_key);
}

/* Unknown names ------------------------------------------------------------- */

/* Levenshtein distance, case-folded: "flood_control" is 1 from
 * "flood-control". */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) != g_ascii_tolower (b[j - 1]);

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

/* The nearest of CANDIDATES to NAME if it is close enough to be a typo:
 * at most a third of the name's letters differ. */
static const char *
nearest (const char         *name,
         const char * const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  guint limit = MAX (1, strlen (name) / 3);

  for (guint i = 0; candidates[i] != NULL; i++)
    {
      guint distance = edit_distance (name, candidates[i]);

      if (distance < best_distance)
        {
          best_distance = distance;
          best = candidates[i];
        }
    }
  return best_distance <= limit ? best : NULL;
}

static void
warn_unknown_group (SudaServerConfig *self,
                    const char       *group)
{
  const char *near = nearest (group, suda_server_config_get_groups ());

  if (near != NULL)
    g_ptr_array_add (self->warnings,
                     g_strdup_printf (_("[%s]: unknown group; did you mean [%s]?"), group, near));
  else
    g_ptr_array_add (self->warnings, g_strdup_printf (_("[%s]: unknown group"), group));
}

/* A known key written under the wrong group, such as "[server]
 * flood-control": the group it belongs to, or NULL. */
static const char *
group_of_key (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].key, key))
      return keys[i].group;
  return NULL;
}

static void
warn_unknown_key (SudaServerConfig *self,
                  const char       *group,
                  const char       *key)
{
  g_auto(GStrv) known = suda_server_config_dup_keys (group);
  const char *near = nearest (key, (const char * const *) known);
  const char *elsewhere = group_of_key (key);

  if (near != NULL)
    g_ptr_array_add (self->warnings,
                     g_strdup_printf (_("[%s] %s: unknown key; did you mean %s?"),
                                      group, key, near));
  else if (elsewhere != NULL)
    g_ptr_array_add (self->warnings,
                     g_strdup_printf (_("[%s] %s: unknown key; it belongs in [%s]"),
                                      group, key, elsewhere));
  else
    g_ptr_array_add (self->warnings,
                     g_strdup_printf (_("[%s] %s: unknown key"), group, key));
}

/* Loading -------------------------------------------------------------------- */

static gboolean
load_group (SudaServerConfig *self,
            GKeyFile         *kf,
            const GroupInfo  *group,
            GError          **error)
{
  g_auto(GStrv) names = g_key_file_get_keys (kf, group->name, NULL, NULL);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *text = g_key_file_get_string (kf, group->name, names[i], &local_error);
      const KeyInfo *info = find_key (group->name, names[i]);

      if (!group->free_keys && info == NULL)
        {
          warn_unknown_key (self, group->name, names[i]);
          continue;
        }
      /* GLib returns the text and an error for an unknown \ escape. */
      if (local_error != NULL)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("[%s] %s: %s"), group->name, names[i],
                       _("not valid text; check its \\ escapes"));
          return FALSE;
        }
      if (group->free_keys)
        g_hash_table_replace (self->operators, g_strdup (names[i]), g_strstrip (g_steal_pointer (&text)));
      else if (!set_key (self, info, text, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
suda_server_config_load_key_file (SudaServerConfig *self,
                                  GKeyFile         *kf,
                                  GError          **error)
{
  g_autoptr(SudaServerConfig) loaded = NULL;
  g_auto(GStrv) names = NULL;
  SudaServerConfig swap;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (kf != NULL, FALSE);

  /* Read into a copy, so a bad value leaves SELF untouched. */
  loaded = suda_server_config_copy (self);
  names = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const GroupInfo *group = find_group (names[i]);

      if (group == NULL)
        warn_unknown_group (loaded, names[i]);
      else if (!load_group (loaded, kf, group, error))
        return FALSE;
    }
  finish (loaded);

  swap = *self;
  *self = *loaded;
  *loaded = swap;
  return TRUE;
}

gboolean
suda_server_config_load_file (SudaServerConfig *self,
                              const char       *path,
                              GError          **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return FALSE;
  return suda_server_config_load_key_file (self, kf, error);
}

gboolean
suda_server_config_set_value (SudaServerConfig *self,
                              const char       *group,
                              const char       *key,
                              const char       *value,
                              GError          **error)
{
  const GroupInfo *group_info = find_group (group);
  const KeyInfo *info = find_key (group, key);

  g_return_val_if_fail (self != NULL, FALSE);

  if (group_info != NULL && group_info->free_keys)
    {
      if (value != NULL)
        g_hash_table_replace (self->operators, g_strdup (key), g_strdup (value));
      else
        g_hash_table_remove (self->operators, key);
      return TRUE;
    }
  if (info == NULL)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                   _("[%s] %s: unknown key"), group, key);
      return FALSE;
    }
  if (!set_key (self, info, value != NULL ? value : info->default_value, error))
    return FALSE;
  finish (self);
  return TRUE;
}

const char *
suda_server_config_get_operator_hash (const SudaServerConfig *self,
                                      const char             *name)
{
  const char *hash;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  hash = g_hash_table_lookup (self->operators, name);
  /* An operator by account has no password to check. */
  if (hash == NULL || *hash == '\0' || g_str_has_prefix (hash, SUDA_OPERATOR_ACCOUNT_PREFIX))
    return NULL;
  return hash;
}

/* "[operators] teacher=account:kim": logging in as kim makes an operator.
 * Returns the operator's name, or NULL when no entry names ACCOUNT. */
const char *
suda_server_config_get_account_operator (const SudaServerConfig *self,
                                         const char             *account)
{
  GHashTableIter iter;
  gpointer name, value;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);

  g_hash_table_iter_init (&iter, self->operators);
  while (g_hash_table_iter_next (&iter, &name, &value))
    if (g_str_has_prefix (value, SUDA_OPERATOR_ACCOUNT_PREFIX) &&
        suda_irc_casecmp ((const char *) value + strlen (SUDA_OPERATOR_ACCOUNT_PREFIX), account) == 0)
      return name;
  return NULL;
}

/* The table ------------------------------------------------------------------ */

const char * const *
suda_server_config_get_groups (void)
{
  return group_names;
}

GStrv
suda_server_config_dup_keys (const char *group)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].group, group))
      g_strv_builder_add (builder, keys[i].key);
  return g_strv_builder_end (builder);
}

const char *
suda_server_config_get_default (const char *group,
                                const char *key)
{
  const KeyInfo *info = find_key (group, key);

  return info != NULL ? info->default_value : NULL;
}

/* Paths ---------------------------------------------------------------------- */

char *
suda_server_config_dup_accounts_path (const SudaServerConfig *self)
{
  g_autofree char *state_dir = NULL;

  if (self->accounts.file != NULL && *self->accounts.file != '\0')
    return g_strdup (self->accounts.file);
  state_dir = suda_server_config_dup_state_dir (self);
  return g_build_filename (state_dir, "accounts.sqlite", NULL);
}

char *
suda_server_config_dup_files_folder (const SudaServerConfig *self)
{
  g_autofree char *state_dir = NULL;

  if (self->files.folder != NULL)
    return g_strdup (self->files.folder);
  state_dir = suda_server_config_dup_state_dir (self);
  return g_build_filename (state_dir, "files", NULL);
}

char *
suda_server_config_dup_log_path (const SudaServerConfig *self)
{
  if (self->log_path != NULL)
    return g_strdup (self->log_path);
  return g_build_filename (g_get_user_state_dir (), "suda", "server.jsonl", NULL);
}

char *
suda_server_config_dup_state_dir (const SudaServerConfig *self)
{
  g_autofree char *log_path = NULL;

  if (self->state_dir != NULL && *self->state_dir != '\0')
    return g_strdup (self->state_dir);
  /* Under systemd (StateDirectory=suda) state belongs in /var/lib/suda. */
  if (g_getenv ("STATE_DIRECTORY") && *g_getenv ("STATE_DIRECTORY"))
    return g_strdup (g_getenv ("STATE_DIRECTORY"));
  log_path = suda_server_config_dup_log_path (self);
  if (*log_path == '\0')
    return g_build_filename (g_get_user_state_dir (), "suda", NULL);
  return g_path_get_dirname (log_path);
}
