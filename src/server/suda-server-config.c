/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-server-config.h"

SudaServerConfig *
suda_server_config_new (void)
{
  SudaServerConfig *self = g_new0 (SudaServerConfig, 1);

  self->port = 6667;
  self->max_clients = 100;
  self->server_name = g_strdup ("suda.local");
  self->network_name = g_strdup ("Suda");
  self->default_channel = g_strdup ("#lobby");
  self->service_nick = g_strdup ("suda");
  self->history_lines = 50;
  self->max_line = 512;
  self->sendq_bytes = 1024 * 1024;
  self->recvq_bytes = 16 * 1024;
  self->flood_control = TRUE;
  self->flood_burst = 10;
  self->flood_rate = 2;
  self->ping_interval_ms = 90 * 1000;
  self->ping_timeout_ms = 180 * 1000;
  self->max_channels = 20;
  self->max_targets = 4;
  self->key_file = g_key_file_new ();
  return self;
}

SudaServerConfig *
suda_server_config_copy (const SudaServerConfig *self)
{
  SudaServerConfig *copy = g_memdup2 (self, sizeof *self);
  g_autofree char *data = g_key_file_to_data (self->key_file, NULL, NULL);

  copy->listen_address = g_strdup (self->listen_address);
  copy->log_path = g_strdup (self->log_path);
  copy->state_dir = g_strdup (self->state_dir);
  copy->password = g_strdup (self->password);
  copy->server_name = g_strdup (self->server_name);
  copy->network_name = g_strdup (self->network_name);
  copy->motd = g_strdup (self->motd);
  copy->default_channel = g_strdup (self->default_channel);
  copy->service_nick = g_strdup (self->service_nick);
  copy->key_file = g_key_file_new ();
  g_key_file_load_from_data (copy->key_file, data, -1,
                             G_KEY_FILE_KEEP_COMMENTS, NULL);
  return copy;
}

void
suda_server_config_free (SudaServerConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->listen_address);
  g_free (self->log_path);
  g_free (self->state_dir);
  g_free (self->password);
  g_free (self->server_name);
  g_free (self->network_name);
  g_free (self->motd);
  g_free (self->default_channel);
  g_free (self->service_nick);
  g_key_file_unref (self->key_file);
  g_free (self);
}

/* Each reader leaves the default in place when the key is absent and fails
 * with a message naming the key when its value is of the wrong kind. */
static gboolean
read_string (GKeyFile    *kf,
             const char  *group,
             const char  *key,
             char       **value,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *text = g_key_file_get_string (kf, group, key, &local_error);

  if (text == NULL)
    return TRUE;
  g_free (*value);
  *value = text;
  return TRUE;
}

static gboolean
read_uint (GKeyFile    *kf,
           const char  *group,
           const char  *key,
           guint64      max,
           guint64     *value,
           GError     **error)
{
  g_autofree char *text = g_key_file_get_value (kf, group, key, NULL);
  guint64 number;

  if (text == NULL)
    return TRUE;
  g_strstrip (text);
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &number, NULL))
    {
      /* The bound is formatted apart: a G_GUINT64_FORMAT inside _()
       * would cut the message xgettext extracts. */
      g_autofree char *bound = g_strdup_printf ("%" G_GUINT64_FORMAT, max);

      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _("[%s] %s: “%s” is not a whole number from 0 to %s"),
                   group, key, text, bound);
      return FALSE;
    }
  *value = number;
  return TRUE;
}

static gboolean
read_double (GKeyFile    *kf,
             const char  *group,
             const char  *key,
             double      *value,
             GError     **error)
{
  g_autofree char *text = g_key_file_get_value (kf, group, key, NULL);
  char *end = NULL;
  double number;

  if (text == NULL)
    return TRUE;
  number = g_ascii_strtod (g_strstrip (text), &end);
  if (end == text || *end != '\0' || number < 0)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _("[%s] %s: “%s” is not a positive number"), group, key, text);
      return FALSE;
    }
  *value = number;
  return TRUE;
}

static gboolean
read_bool (GKeyFile    *kf,
           const char  *group,
           const char  *key,
           gboolean    *value,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean b;

  if (!g_key_file_has_key (kf, group, key, NULL))
    return TRUE;
  b = g_key_file_get_boolean (kf, group, key, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _("[%s] %s: expected true or false"), group, key);
      return FALSE;
    }
  *value = b;
  return TRUE;
}

static gboolean
read_seconds_ms (GKeyFile    *kf,
                 const char  *group,
                 const char  *key,
                 guint       *value_ms,
                 GError     **error)
{
  double seconds = *value_ms / 1000.0;

  if (!read_double (kf, group, key, &seconds, error))
    return FALSE;
  *value_ms = (guint) MIN (seconds * 1000.0, (double) G_MAXINT);
  return TRUE;
}

gboolean
suda_server_config_load_key_file (SudaServerConfig *self,
                                  GKeyFile         *kf,
                                  GError          **error)
{
  guint64 port = self->port, max_clients = self->max_clients;
  guint64 history = self->history_lines, max_line = self->max_line;
  guint64 sendq = self->sendq_bytes, recvq = self->recvq_bytes;
  guint64 max_channels = self->max_channels, max_targets = self->max_targets;
  g_autofree char *data = NULL;

  if (!read_string (kf, "server", "listen", &self->listen_address, error) ||
      !read_uint (kf, "server", "port", 65535, &port, error) ||
      !read_uint (kf, "server", "max-clients", 1000000, &max_clients, error) ||
      !read_string (kf, "server", "password", &self->password, error) ||
      !read_string (kf, "server", "name", &self->server_name, error) ||
      !read_string (kf, "server", "network", &self->network_name, error) ||
      !read_string (kf, "server", "motd", &self->motd, error) ||
      !read_string (kf, "server", "default-channel", &self->default_channel, error) ||
      !read_string (kf, "server", "service-nick", &self->service_nick, error) ||
      !read_string (kf, "server", "state-dir", &self->state_dir, error) ||
      !read_string (kf, "log", "file", &self->log_path, error) ||
      !read_uint (kf, "log", "history-lines", 100000, &history, error) ||
      !read_bool (kf, "log", "whisper-text", &self->log_whisper_text, error) ||
      !read_uint (kf, "limits", "max-line", 8192, &max_line, error) ||
      !read_uint (kf, "limits", "sendq", G_MAXUINT32, &sendq, error) ||
      !read_uint (kf, "limits", "recvq", G_MAXUINT32, &recvq, error) ||
      !read_bool (kf, "limits", "flood-control", &self->flood_control, error) ||
      !read_double (kf, "limits", "flood-burst", &self->flood_burst, error) ||
      !read_double (kf, "limits", "flood-rate", &self->flood_rate, error) ||
      !read_seconds_ms (kf, "limits", "ping-interval", &self->ping_interval_ms, error) ||
      !read_seconds_ms (kf, "limits", "ping-timeout", &self->ping_timeout_ms, error) ||
      !read_uint (kf, "limits", "max-channels", 10000, &max_channels, error) ||
      !read_uint (kf, "limits", "max-targets", 100, &max_targets, error))
    return FALSE;

  if (max_line < 64)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _("[limits] max-line must be at least 64 bytes"));
      return FALSE;
    }

  self->port = port;
  self->max_clients = max_clients;
  self->history_lines = history;
  self->max_line = max_line;
  self->sendq_bytes = sendq;
  self->recvq_bytes = MAX (recvq, max_line + SUDA_MAX_TAGS_BYTES);
  self->max_channels = max_channels;
  self->max_targets = MAX (max_targets, 1);

  data = g_key_file_to_data (kf, NULL, NULL);
  g_key_file_unref (self->key_file);
  self->key_file = g_key_file_new ();
  g_key_file_load_from_data (self->key_file, data, -1, G_KEY_FILE_KEEP_COMMENTS, NULL);
  return TRUE;
}

gboolean
suda_server_config_load_file (SudaServerConfig *self,
                              const char       *path,
                              GError          **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_COMMENTS, error))
    return FALSE;
  return suda_server_config_load_key_file (self, kf, error);
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
