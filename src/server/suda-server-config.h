/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#define SUDA_MAX_TAGS_BYTES 8191

G_BEGIN_DECLS

/* [ai]: the OpenAI-compatible API behind !search (SudaAssistant). */
typedef struct {
  char     *base_url;         /* http:// or https://, no trailing slash */
  char     *model;
  char     *api_key_file;     /* NULL: the key comes from OPENAI_API_KEY */
  char     *api_key;          /* first line of api_key_file, read at load; NULL if none */
  char     *token_field;      /* max_completion_tokens or max_tokens */
  guint     max_tokens;
  char     *system_prompt;
  guint     timeout_ms;
  guint     retry_backoff_ms;
  guint     max_concurrent;
  guint     max_queued;
  guint     rate_per_minute;
  guint     cache_size;
  guint     cache_ttl_s;
  guint     max_lines;
  guint     summary_max;      /* !summary N: the most messages N may ask for */
  guint     context_lines;    /* the room's recent lines a !search sends along; 0 none */
} SudaAiConfig;

/* [schedule]: !schedule (SudaScheduler). */
typedef struct {
  guint     max_pending;      /* per author */
} SudaScheduleConfig;

/* [accounts]: REGISTER, SASL and nick protection. */
typedef struct {
  char     *file;             /* NULL: accounts.sqlite in the state folder */
  char     *registration;     /* "open", "operators" or "closed" */
  guint     nick_grace_ms;    /* a registered nick without login, until renamed */
} SudaAccountsConfig;

/* "[operators] NAME=account:ACCOUNT": rights that come with logging in. */
#define SUDA_OPERATOR_ACCOUNT_PREFIX "account:"

/* [web]: the page and IRC over WebSocket (src/server/web/). */
#define SUDA_WEB_PORT_ANY (-1)   /* port=auto: a free port chosen at start */
typedef struct {
  char     *port_text;        /* as written: 0 (off), auto or 1-65535 */
  int       port;             /* 0: off; SUDA_WEB_PORT_ANY; or the port */
  gboolean  port_fallback;    /* the port taken at start: a free one instead */
  char     *listen_address;   /* NULL or "" means every interface */
  char     *origins;          /* allowed Origins, space-separated; "" the page's own only */
} SudaWebConfig;

/* [cluster]: several servers sharing rooms and nicks through Redis
 * (src/server/cluster/); no redis= means one server alone. */
typedef struct {
  char     *redis;            /* redis://HOST:PORT/DB, rediss://…, unix:/PATH; NULL or "": none */
  char     *server_id;        /* NULL or "": NAME:PORT */
  gboolean  required;         /* Redis unreachable at start: refuse to start */
  guint     lease_ms;         /* how long a dead server's nicks stay held */
  char     *tls_ca;           /* rediss://: the CA file (PEM) to trust; NULL: the system's */
} SudaClusterConfig;

/* [files]: uploads shared in the chat (src/server/files/), the
 * soju.im/FILEHOST extension; port= works as [web] port= does. */
typedef struct {
  char     *port_text;        /* as written: 0 (off), auto or 1-65535 */
  int       port;             /* 0: off; SUDA_WEB_PORT_ANY; or the port */
  char     *listen_address;   /* NULL or "": [server] listen */
  char     *url;              /* the address clients are given, or NULL: this machine's */
  char     *folder;           /* NULL: "files" in the state folder */
  gsize     max_size;         /* bytes of one upload */
  char     *types;            /* allowed content types, space-separated; a wildcard ends in a star */
  guint     retention_days;   /* 0: kept for ever */
} SudaFilesConfig;

/* Every group of the config file, parsed and checked in one place
 * (suda-server-config.c holds the table of groups and keys). */
typedef struct {
  /* [server] */
  char     *listen_address;   /* NULL or "" means every interface */
  guint16   port;             /* 0 picks a free port */
  guint     max_clients;
  char     *password;
  char     *server_name;
  char     *network_name;
  char     *motd;             /* text of the message of the day, or NULL */
  char     *default_channel;  /* "" means none */
  char     *service_nick;     /* "" turns the service user off */
  char     *state_dir;        /* NULL: the log's folder */
  char     *admin_location;   /* ADMIN's answer, or NULL */
  char     *admin_email;
  gboolean  announce;         /* DNS-SD over mDNS (Avahi) on the local network */
  char     *announce_name;    /* the name people see; NULL: "NETWORK on HOST" */

  /* [log] */
  char     *log_path;         /* NULL: $XDG_STATE_HOME/suda/server.jsonl; "" no log */
  guint     history_lines;
  gboolean  log_whisper_text;

  /* [limits] */
  guint     max_line;         /* bytes of one line, tags excluded, CR LF included */
  gsize     sendq_bytes;
  gsize     recvq_bytes;
  gsize     total_sendq_bytes;  /* output queued for all clients together */
  gboolean  flood_control;
  double    flood_burst;      /* lines */
  double    flood_rate;       /* lines per second */
  guint     ping_interval_ms;
  guint     ping_timeout_ms;
  guint     max_channels;     /* per user */
  guint     max_targets;      /* per PRIVMSG / NOTICE */
  guint     max_per_address;  /* connections from one address; 0: no limit */
  gboolean  exempt_loopback;  /* max-per-address spares 127.0.0.1 and ::1 */
  guint     registration_timeout_ms;  /* from connect; no line extends it */
  guint     history_rooms;    /* rooms whose history is kept, in all */
  guint     connects_per_minute;  /* new connections from one address; 0: no limit */

  /* [tls] */
  guint16   tls_port;         /* 0: no TLS port */
  char     *tls_listen;       /* NULL or "": [server] listen */
  char     *tls_certificate;  /* PEM, a chain is fine; NULL: self-signed in the state folder */
  char     *tls_key;          /* PEM; NULL: the certificate's file */
  gboolean  plain;            /* the clear-text port too (only TLS when FALSE) */
  guint     sts_duration_s;   /* the sts policy's duration= */

  SudaScheduleConfig schedule;
  SudaAiConfig       ai;
  SudaAccountsConfig accounts;
  SudaWebConfig      web;
  SudaClusterConfig  cluster;
  SudaFilesConfig    files;

  /* [operators]: name → crypt(3) hash; use the functions below */
  GHashTable *operators;
  /* Unknown groups and keys met while loading, one translated sentence
   * each ("[limits] flood_control: unknown key; did you mean
   * flood-control?"), for the front end to show; never NULL. */
  GPtrArray  *warnings;
} SudaServerConfig;

SudaServerConfig   *suda_server_config_new                (void);
SudaServerConfig   *suda_server_config_copy               (const SudaServerConfig *self);
void                suda_server_config_free               (SudaServerConfig       *self);
/* A bad value in any group fails with G_KEY_FILE_ERROR_INVALID_VALUE and a
 * message "[GROUP] KEY: reason", leaving SELF as it was; unknown groups and
 * keys only add to SELF->warnings. */
gboolean            suda_server_config_load_file          (SudaServerConfig       *self,
                                                           const char             *path,
                                                           GError                **error);
gboolean            suda_server_config_load_key_file      (SudaServerConfig       *self,
                                                           GKeyFile               *key_file,
                                                           GError                **error);
/* Sets one key from its text, checked as the file's would be; VALUE NULL
 * restores the default (for [operators], removes the operator). */
gboolean            suda_server_config_set_value          (SudaServerConfig       *self,
                                                           const char             *group,
                                                           const char             *key,
                                                           const char             *value,
                                                           GError                **error);
const char         *suda_server_config_get_operator_hash  (const SudaServerConfig *self,
                                                           const char             *name);
char               *suda_server_config_dup_log_path       (const SudaServerConfig *self);
char               *suda_server_config_dup_state_dir      (const SudaServerConfig *self);
char               *suda_server_config_dup_accounts_path  (const SudaServerConfig *self);
char               *suda_server_config_dup_files_folder   (const SudaServerConfig *self);
const char         *suda_server_config_get_account_operator (const SudaServerConfig *self,
                                                           const char             *account);

/* The table itself, for documentation and its tests: the known groups
 * (NULL-terminated), the keys of one (NULL-terminated; empty for a group
 * of free keys such as [operators]), and a key's default as it would be
 * written in the file (NULL when it has none). */
const char * const *suda_server_config_get_groups         (void);
GStrv               suda_server_config_dup_keys           (const char             *group);
const char         *suda_server_config_get_default        (const char             *group,
                                                           const char             *key);

/* For a holder of its own [ai] copy (SudaAssistant); clear frees the
 * strings and wipes the key. */
void                suda_ai_config_copy                   (const SudaAiConfig     *src,
                                                           SudaAiConfig           *dest);
void                suda_ai_config_clear                  (SudaAiConfig           *ai);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaServerConfig, suda_server_config_free)

G_END_DECLS
