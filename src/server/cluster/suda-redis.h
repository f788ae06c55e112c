/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <hiredis/hiredis.h>

G_BEGIN_DECLS

#define SUDA_REDIS_ERROR (suda_redis_error_quark ())

typedef enum {
  SUDA_REDIS_ERROR_URL,        /* the address cannot be read */
  SUDA_REDIS_ERROR_REPLY,      /* Redis answered with an error */
  SUDA_REDIS_ERROR_PROTOCOL,   /* bytes that are not RESP */
  SUDA_REDIS_ERROR_CLOSED,     /* the connection ended first */
  SUDA_REDIS_ERROR_SUBSCRIBED, /* a command a subscribed connection cannot send */
} SudaRedisError;

typedef struct {
  char     *host;             /* NULL for a Unix socket */
  guint16   port;
  char     *socket_path;      /* unix:/path */
  gboolean  tls;              /* rediss:// */
  char     *user;             /* NULL: the default user */
  char     *password;         /* NULL: no AUTH */
  guint     db;
} SudaRedisAddress;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (redisReply, freeReplyObject)

#define SUDA_TYPE_REDIS (suda_redis_get_type ())
G_DECLARE_FINAL_TYPE (SudaRedis, suda_redis, SUDA, REDIS, GObject)

GQuark      suda_redis_error_quark      (void);
gboolean    suda_redis_address_parse    (const char           *url,
                                         SudaRedisAddress     *address,
                                         GError              **error);
void        suda_redis_address_clear    (SudaRedisAddress     *address);
char       *suda_redis_address_describe (const SudaRedisAddress *address);

void        suda_redis_connect_async    (const char           *url,
                                         GTlsDatabase         *trust,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
SudaRedis  *suda_redis_connect_finish   (GAsyncResult         *result,
                                         GError              **error);
void        suda_redis_command_async    (SudaRedis            *self,
                                         const char * const   *argv,
                                         const gsize          *lengths,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
redisReply *suda_redis_command_finish   (SudaRedis            *self,
                                         GAsyncResult         *result,
                                         GError              **error);
void        suda_redis_subscribe        (SudaRedis            *self,
                                         const char           *channel);
void        suda_redis_psubscribe       (SudaRedis            *self,
                                         const char           *pattern);
gboolean    suda_redis_is_connected     (SudaRedis            *self);
void        suda_redis_close            (SudaRedis            *self);

G_END_DECLS
