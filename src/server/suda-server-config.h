/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#define SUDA_MAX_TAGS_BYTES 8191

G_BEGIN_DECLS

/* Everything the server core reads from the [server], [limits] and [log]
 * groups of the config file.  Subsystems with groups of their own ([ai],
 * [operators], [schedule]) read them from key_file. */
typedef struct {
  char     *listen_address;   /* NULL or "" means every interface */
  guint16   port;             /* 0 picks a free port */
  char     *log_path;         /* NULL: $XDG_STATE_HOME/suda/server.jsonl; "" no log */
  char     *state_dir;        /* NULL: the log's folder */
  guint     max_clients;
  char     *password;
  char     *server_name;
  char     *network_name;
  char     *motd;             /* text of the message of the day, or NULL */
  char     *default_channel;
  char     *service_nick;
  guint     history_lines;
  gboolean  log_whisper_text;

  /* [limits] */
  guint     max_line;         /* bytes of one line, tags excluded, CR LF included */
  gsize     sendq_bytes;
  gsize     recvq_bytes;
  gboolean  flood_control;
  double    flood_burst;      /* lines */
  double    flood_rate;       /* lines per second */
  guint     ping_interval_ms;
  guint     ping_timeout_ms;
  guint     max_channels;     /* per user */
  guint     max_targets;      /* per PRIVMSG / NOTICE */

  GKeyFile *key_file;         /* the whole file, never NULL */
} SudaServerConfig;

SudaServerConfig *suda_server_config_new          (void);
SudaServerConfig *suda_server_config_copy         (const SudaServerConfig *self);
void              suda_server_config_free         (SudaServerConfig *self);
gboolean          suda_server_config_load_file    (SudaServerConfig *self,
                                                   const char       *path,
                                                   GError          **error);
gboolean          suda_server_config_load_key_file(SudaServerConfig *self,
                                                   GKeyFile         *key_file,
                                                   GError          **error);
char             *suda_server_config_dup_log_path (const SudaServerConfig *self);
char             *suda_server_config_dup_state_dir(const SudaServerConfig *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaServerConfig, suda_server_config_free)

G_END_DECLS
