/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A Redis connection on the GLib main loop: hiredis reads and writes the
 * protocol (RESP), GIO carries the bytes.  hiredis 0.14 has no TLS of its
 * own; GIO's TLS gives rediss:// the same certificate checks as the rest of
 * Suda.  Commands are pipelined and answered in order; a connection that
 * has subscribed only hears messages, announced by the "message" signal. */
#include "config.h"

#include <string.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gi18n-lib.h>

#include "suda-redis.h"

#define READ_CHUNK (16 * 1024)

struct _SudaRedis
{
  GObject        parent_instance;

  GIOStream     *stream;
  GInputStream  *in;
  GOutputStream *out;
  GCancellable  *cancellable;
  redisReader   *reader;
  GQueue         pending;       /* GTask, in the order their commands were sent */
  GString       *outgoing;      /* bytes waiting for the write in flight */
  char          *in_flight;     /* the bytes being written */
  gboolean       writing;
  gboolean       subscribed;
  gboolean       closed;
  char           chunk[READ_CHUNK];
};

enum { MESSAGE, CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SudaRedis, suda_redis, G_TYPE_OBJECT)
G_DEFINE_QUARK (suda-redis-error-quark, suda_redis_error)

static void start_reading (SudaRedis *self);
static void flush (SudaRedis *self);

/* ---- addresses ------------------------------------------------------------ */

void
suda_redis_address_clear (SudaRedisAddress *address)
{
  g_clear_pointer (&address->host, g_free);
  g_clear_pointer (&address->socket_path, g_free);
  g_clear_pointer (&address->user, g_free);
  if (address->password != NULL)
    memset (address->password, 0, strlen (address->password));
  g_clear_pointer (&address->password, g_free);
}

static gboolean
bad_url (GError     **error,
         const char  *url,
         const char  *why)
{
  g_set_error (error, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_URL,
               _("“%s” is not a Redis address (%s); write redis://HOST:PORT/DB, rediss://… for TLS, or unix:/PATH"),
               url, why);
  return FALSE;
}

static gboolean
parse_credentials (GUri             *uri,
                   SudaRedisAddress *address)
{
  const char *user = g_uri_get_user (uri);
  const char *password = g_uri_get_password (uri);

  /* redis://:secret@host is a password alone, for the default user. */
  if (user != NULL && user[0] != '\0')
    address->user = g_strdup (user);
  if (password != NULL)
    address->password = g_strdup (password);
  return TRUE;
}

gboolean
suda_redis_address_parse (const char        *url,
                          SudaRedisAddress  *address,
                          GError           **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *path;

  g_return_val_if_fail (url != NULL && address != NULL, FALSE);

  memset (address, 0, sizeof *address);
  if (g_str_has_prefix (url, "unix:"))
    {
      address->socket_path = g_strdup (url + strlen ("unix:"));
      return g_path_is_absolute (address->socket_path) ||
             bad_url (error, url, _("the socket path must be absolute"));
    }
  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, NULL);
  if (uri == NULL)
    return bad_url (error, url, _("not a URL"));
  scheme = g_uri_get_scheme (uri);
  if (g_strcmp0 (scheme, "redis") != 0 && g_strcmp0 (scheme, "rediss") != 0)
    return bad_url (error, url, _("unknown scheme"));
  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return bad_url (error, url, _("no host"));
  address->tls = g_strcmp0 (scheme, "rediss") == 0;
  address->host = g_strdup (g_uri_get_host (uri));
  address->port = g_uri_get_port (uri) > 0 ? (guint16) g_uri_get_port (uri) : 6379;
  path = g_uri_get_path (uri);
  if (path[0] == '/' && path[1] != '\0')
    {
      guint64 db;

      if (!g_ascii_string_to_unsigned (path + 1, 10, 0, 15, &db, NULL))
        return bad_url (error, url, _("the database must be a number from 0 to 15"));
      address->db = (guint) db;
    }
  return parse_credentials (uri, address);
}

/* For logs and the console: never the password. */
char *
suda_redis_address_describe (const SudaRedisAddress *address)
{
  if (address->socket_path != NULL)
    return g_strdup_printf ("unix:%s", address->socket_path);
  return g_strdup_printf ("%s://%s%s:%u/%u", address->tls ? "rediss" : "redis",
                          address->password != NULL ? "***@" : "",
                          address->host, address->port, address->db);
}

/* ---- the object ---------------------------------------------------------- */

static void
suda_redis_dispose (GObject *object)
{
  SudaRedis *self = SUDA_REDIS (object);

  /* Nothing is pending here (each command holds a reference): only the
   * stream is left to close, quietly. */
  if (!self->closed && self->stream != NULL)
    {
      self->closed = TRUE;
      g_cancellable_cancel (self->cancellable);
      g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    }
  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (suda_redis_parent_class)->dispose (object);
}

static void
suda_redis_finalize (GObject *object)
{
  SudaRedis *self = SUDA_REDIS (object);

  redisReaderFree (self->reader);
  g_string_free (self->outgoing, TRUE);
  g_free (self->in_flight);
  G_OBJECT_CLASS (suda_redis_parent_class)->finalize (object);
}

static void
suda_redis_class_init (SudaRedisClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = suda_redis_dispose;
  object_class->finalize = suda_redis_finalize;

  /* (channel, payload, pattern or NULL) */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                   G_TYPE_STRING, G_TYPE_BYTES, G_TYPE_STRING);
  /* (reason): emitted once, when the connection ends for any cause */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
suda_redis_init (SudaRedis *self)
{
  self->reader = redisReaderCreate ();
  self->outgoing = g_string_new (NULL);
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->pending);
}

gboolean
suda_redis_is_connected (SudaRedis *self)
{
  g_return_val_if_fail (SUDA_IS_REDIS (self), FALSE);
  return self->stream != NULL && !self->closed;
}

/* Ends the connection: every command still waiting fails, "closed" is
 * emitted once.  Safe to call again. */
static void
close_with (SudaRedis  *self,
            const char *reason)
{
  GTask *task;

  if (self->closed)
    return;
  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->stream != NULL)
    g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_object_ref (self);
  while ((task = g_queue_pop_head (&self->pending)) != NULL)
    {
      g_task_return_new_error (task, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_CLOSED,
                               _("The connection to Redis ended: %s"), reason);
      g_object_unref (task);
    }
  g_signal_emit (self, signals[CLOSED], 0, reason);
  g_object_unref (self);
}

void
suda_redis_close (SudaRedis *self)
{
  g_return_if_fail (SUDA_IS_REDIS (self));
  close_with (self, _("closed by Suda"));
}

/* ---- replies -------------------------------------------------------------- */

static const char *
element_text (const redisReply *reply,
              gsize             i)
{
  if (reply->type != REDIS_REPLY_ARRAY || i >= reply->elements ||
      reply->element[i]->type != REDIS_REPLY_STRING)
    return NULL;
  return reply->element[i]->str;
}

/* A subscribed connection's pushes: "message" (channel, payload),
 * "pmessage" (pattern, channel, payload), and the confirmations. */
static gboolean
handle_push (SudaRedis  *self,
             redisReply *reply)
{
  const char *kind = element_text (reply, 0);
  gboolean pattern;
  redisReply *payload;
  g_autoptr(GBytes) bytes = NULL;

  if (kind == NULL)
    return FALSE;
  if (g_str_has_suffix (kind, "subscribe"))
    return TRUE;
  pattern = strcmp (kind, "pmessage") == 0;
  if (!pattern && strcmp (kind, "message") != 0)
    return FALSE;
  if (reply->elements != (pattern ? 4u : 3u))
    return FALSE;
  payload = reply->element[reply->elements - 1];
  if (payload->type != REDIS_REPLY_STRING)
    return FALSE;
  bytes = g_bytes_new (payload->str, payload->len);
  g_signal_emit (self, signals[MESSAGE], 0, element_text (reply, pattern ? 2 : 1), bytes,
                 pattern ? element_text (reply, 1) : NULL);
  return TRUE;
}

static void
answer (SudaRedis  *self,
        redisReply *reply)
{
  GTask *task;

  if (self->subscribed && handle_push (self, reply))
    {
      freeReplyObject (reply);
      return;
    }
  task = g_queue_pop_head (&self->pending);
  if (task == NULL)
    {
      /* Redis never speaks unasked outside pub/sub: this is not Redis. */
      freeReplyObject (reply);
      close_with (self, _("an answer nobody asked for"));
      return;
    }
  if (reply->type == REDIS_REPLY_ERROR)
    {
      g_task_return_new_error (task, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_REPLY, "%s", reply->str);
      freeReplyObject (reply);
    }
  else
    g_task_return_pointer (task, reply, freeReplyObject);
  g_object_unref (task);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(SudaRedis) self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  void *reply = NULL;

  if (self->closed)
    return;
  if (n <= 0)
    {
      close_with (self, n == 0 ? _("Redis closed the connection") : error->message);
      return;
    }
  redisReaderFeed (self->reader, self->chunk, (size_t) n);
  while (!self->closed)
    {
      if (redisReaderGetReply (self->reader, &reply) != REDIS_OK)
        {
          close_with (self, _("Redis sent something that is not its protocol"));
          return;
        }
      if (reply == NULL)
        break;
      answer (self, reply);
    }
  start_reading (self);
}

static void
start_reading (SudaRedis *self)
{
  if (!self->closed)
    g_input_stream_read_async (self->in, self->chunk, sizeof self->chunk, G_PRIORITY_DEFAULT,
                               self->cancellable, on_read, g_object_ref (self));
}

/* ---- commands ------------------------------------------------------------- */

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(SudaRedis) self = data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      close_with (self, error->message);
      return;
    }
  flush (self);
}

/* One write in flight; what is sent meanwhile waits in outgoing and goes
 * in the next write, so a burst of commands is a few system calls. */
static void
flush (SudaRedis *self)
{
  gsize length;
  char *bytes;

  if (self->writing || self->closed || self->outgoing->len == 0)
    return;
  length = self->outgoing->len;
  bytes = g_string_free (self->outgoing, FALSE);
  self->outgoing = g_string_new (NULL);
  self->writing = TRUE;
  g_free (self->in_flight);
  self->in_flight = bytes;
  g_output_stream_write_all_async (self->out, bytes, length, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_written, g_object_ref (self));
}

static void
queue_command (SudaRedis          *self,
               const char * const *argv,
               const gsize        *lengths)
{
  g_autofree gsize *measured = NULL;
  char *command = NULL;
  int argc = (int) g_strv_length ((char **) argv);
  int n;

  if (lengths == NULL)
    {
      measured = g_new (gsize, argc);
      for (int i = 0; i < argc; i++)
        measured[i] = strlen (argv[i]);
      lengths = measured;
    }
  n = redisFormatCommandArgv (&command, argc, (const char **) argv, lengths);
  g_string_append_len (self->outgoing, command, n);
  redisFreeCommand (command);
  flush (self);
}

/* ARGV is NULL-terminated; LENGTHS, when given, lets arguments hold NULs. */
void
suda_redis_command_async (SudaRedis           *self,
                          const char * const  *argv,
                          const gsize         *lengths,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SUDA_IS_REDIS (self));
  g_return_if_fail (argv != NULL && argv[0] != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, suda_redis_command_async);
  if (self->closed)
    {
      g_task_return_new_error (task, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_CLOSED,
                               _("The connection to Redis has ended"));
      g_object_unref (task);
      return;
    }
  if (self->subscribed)
    {
      g_task_return_new_error (task, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_SUBSCRIBED,
                               "%s: a subscribed connection only listens", argv[0]);
      g_object_unref (task);
      return;
    }
  g_queue_push_tail (&self->pending, task);
  queue_command (self, argv, lengths);
}

redisReply *
suda_redis_command_finish (SudaRedis     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
subscribe (SudaRedis  *self,
           const char *command,
           const char *name)
{
  const char *argv[] = { command, name, NULL };

  g_return_if_fail (SUDA_IS_REDIS (self));
  /* Replies still owed would be read as pushes: subscribe first. */
  g_return_if_fail (g_queue_is_empty (&self->pending));

  self->subscribed = TRUE;
  if (!self->closed)
    queue_command (self, argv, NULL);
}

void
suda_redis_subscribe (SudaRedis  *self,
                      const char *channel)
{
  subscribe (self, "SUBSCRIBE", channel);
}

void
suda_redis_psubscribe (SudaRedis  *self,
                       const char *pattern)
{
  subscribe (self, "PSUBSCRIBE", pattern);
}

/* ---- connecting ----------------------------------------------------------- */

typedef struct {
  SudaRedisAddress  address;
  GTlsDatabase     *trust;
  SudaRedis        *redis;
} Connect;

static void
connect_free (gpointer data)
{
  Connect *connect = data;

  suda_redis_address_clear (&connect->address);
  g_clear_object (&connect->trust);
  g_clear_object (&connect->redis);
  g_free (connect);
}

static void
on_event (GSocketClient      *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            data)
{
  Connect *connect = data;

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && connect->trust != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (connection), connect->trust);
}

/* Redis's own words (WRONGPASS, NOAUTH) name no file: say which key. */
static GError *
explain (Connect *connect,
         GError  *error)
{
  g_autofree char *where = suda_redis_address_describe (&connect->address);
  const char *why = error->message;
  GError *explained;

  if (g_str_has_prefix (why, "WRONGPASS") || strstr (why, "invalid password") != NULL)
    explained = g_error_new (SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_REPLY,
                             _("Redis at %s refused the password in [cluster] redis= (%s)"), where, why);
  else if (g_str_has_prefix (why, "NOAUTH"))
    explained = g_error_new (SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_REPLY,
                             _("Redis at %s asks for a password: write redis://:PASSWORD@HOST in [cluster] redis= (%s)"),
                             where, why);
  else
    explained = g_error_new (error->domain, error->code, _("Redis at %s: %s"), where, why);
  g_error_free (error);
  return explained;
}

static void
on_setup_answered (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(redisReply) reply = NULL;
  GError *error = NULL;

  reply = suda_redis_command_finish (SUDA_REDIS (source), result, &error);
  if (g_task_had_error (task))
    {
      g_clear_error (&error);
      return;
    }
  if (reply == NULL)
    {
      /* Returned before closing, which fails the commands queued after. */
      g_task_return_error (task, explain (g_task_get_task_data (task), error));
      suda_redis_close (SUDA_REDIS (source));
    }
}

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr(GTask) task = data;
  Connect *connect = g_task_get_task_data (task);
  g_autoptr(redisReply) reply = NULL;
  GError *error = NULL;

  reply = suda_redis_command_finish (SUDA_REDIS (source), result, &error);
  if (g_task_had_error (task))
    {
      g_clear_error (&error);
      return;
    }
  if (reply == NULL)
    {
      g_task_return_error (task, explain (connect, error));
      suda_redis_close (SUDA_REDIS (source));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&connect->redis), g_object_unref);
}

/* AUTH and SELECT are pipelined before a PING whose answer says "ready";
 * the first failure is the error the caller sees. */
static void
set_up (GTask *task)
{
  Connect *connect = g_task_get_task_data (task);
  SudaRedis *redis = connect->redis;
  g_autofree char *db = g_strdup_printf ("%u", connect->address.db);
  const char *auth[] = { "AUTH", NULL, NULL, NULL };
  const char *select[] = { "SELECT", db, NULL };
  const char *ping[] = { "PING", NULL };

  if (connect->address.password != NULL)
    {
      auth[1] = connect->address.user != NULL ? connect->address.user : connect->address.password;
      auth[2] = connect->address.user != NULL ? connect->address.password : NULL;
      suda_redis_command_async (redis, auth, NULL, NULL, on_setup_answered, g_object_ref (task));
    }
  if (connect->address.db != 0)
    suda_redis_command_async (redis, select, NULL, NULL, on_setup_answered, g_object_ref (task));
  suda_redis_command_async (redis, ping, NULL, NULL, on_ready, g_object_ref (task));
  start_reading (redis);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  Connect *connect = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  g_autofree char *where = suda_redis_address_describe (&connect->address);

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      g_task_return_new_error (task, error->domain, error->code,
                               _("Redis at %s cannot be reached: %s"), where, error->message);
      return;
    }
  connect->redis = g_object_new (SUDA_TYPE_REDIS, NULL);
  connect->redis->stream = G_IO_STREAM (connection);
  connect->redis->in = g_io_stream_get_input_stream (connect->redis->stream);
  connect->redis->out = g_io_stream_get_output_stream (connect->redis->stream);
  set_up (task);
}

void
suda_redis_connect_async (const char          *url,
                          GTlsDatabase        *trust,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnectable) target = NULL;
  Connect *connect = g_new0 (Connect, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, suda_redis_connect_async);
  g_task_set_task_data (task, connect, connect_free);
  if (!suda_redis_address_parse (url, &connect->address, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  connect->trust = trust != NULL ? g_object_ref (trust) : NULL;
  if (connect->address.socket_path != NULL)
    target = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (connect->address.socket_path));
  else
    target = g_network_address_new (connect->address.host, connect->address.port);
  g_socket_client_set_tls (client, connect->address.tls);
  g_socket_client_set_timeout (client, 10);
  g_signal_connect (client, "event", G_CALLBACK (on_event), connect);
  g_socket_client_connect_async (client, target, cancellable, on_connected, g_steal_pointer (&task));
}

SudaRedis *
suda_redis_connect_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
