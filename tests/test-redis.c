/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaRedis against a real redis-server of the test's own on 127.0.0.1
 * (a free port, no persistence, its own folder). */
#include "config.h"

#include <string.h>

#include "suda-redis.h"
#include "suda-test-util.h"
#include "suda-tls-self-signed.h"

typedef struct {
  char        *dir;
  GSubprocess *server;
  guint16      port;
  char        *url;
} Fixture;

/* EXTRA are further redis-server options; with TLS the free port is the
 * TLS one and the clear port is off. */
static void
start_redis (Fixture     *f,
             gboolean     tls,
             const char  *extra[])
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  f->port = suda_test_free_port ();
  g_ptr_array_add (argv, g_strdup ("redis-server"));
  g_ptr_array_add (argv, g_strdup ("--bind"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("--save"));
  g_ptr_array_add (argv, g_strdup (""));
  g_ptr_array_add (argv, g_strdup ("--appendonly"));
  g_ptr_array_add (argv, g_strdup ("no"));
  g_ptr_array_add (argv, g_strdup ("--dir"));
  g_ptr_array_add (argv, g_strdup (f->dir));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, g_strdup (tls ? "--tls-port" : "--port"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", f->port));
  if (tls)
    {
      g_ptr_array_add (argv, g_strdup ("--port"));
      g_ptr_array_add (argv, g_strdup ("0"));
    }
  g_ptr_array_add (argv, NULL);
  f->server = g_subprocess_newv ((const char * const *) argv->pdata,
                                 G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 500 && !suda_test_port_accepts (f->port); i++)
    g_usleep (10000);
  g_assert_true (suda_test_port_accepts (f->port));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = suda_test_make_tmpdir ();
  if (data == NULL)
    {
      start_redis (f, FALSE, NULL);
      f->url = g_strdup_printf ("redis://127.0.0.1:%u", f->port);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->server != NULL)
    {
      g_subprocess_force_exit (f->server);
      g_subprocess_wait (f->server, NULL, NULL);
    }
  g_clear_object (&f->server);
  g_free (f->url);
  g_free (f->dir);
}

static SudaRedis *
connect_to (const char    *url,
            GTlsDatabase  *trust,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  suda_redis_connect_async (url, trust, NULL, suda_test_async_store, &result);
  return suda_redis_connect_finish (suda_test_async_wait (&result), error);
}

static redisReply *
run (SudaRedis           *redis,
     const char * const  *argv,
     const gsize         *lengths,
     GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  suda_redis_command_async (redis, argv, lengths, NULL, suda_test_async_store, &result);
  return suda_redis_command_finish (redis, suda_test_async_wait (&result), error);
}

static void
test_address_parse (void)
{
  SudaRedisAddress a;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;

  g_assert_true (suda_redis_address_parse ("redis://cache.example:7000/3", &a, &error));
  g_assert_cmpstr (a.host, ==, "cache.example");
  g_assert_cmpuint (a.port, ==, 7000);
  g_assert_cmpuint (a.db, ==, 3);
  g_assert_false (a.tls);
  g_assert_null (a.password);
  suda_redis_address_clear (&a);

  g_assert_true (suda_redis_address_parse ("rediss://:s%40cret@cache.example", &a, &error));
  g_assert_true (a.tls);
  g_assert_cmpuint (a.port, ==, 6379);
  g_assert_null (a.user);
  g_assert_cmpstr (a.password, ==, "s@cret");
  shown = suda_redis_address_describe (&a);
  g_assert_null (strstr (shown, "cret"));
  suda_redis_address_clear (&a);

  g_assert_true (suda_redis_address_parse ("redis://suda:pw@10.0.0.5", &a, &error));
  g_assert_cmpstr (a.user, ==, "suda");
  g_assert_cmpstr (a.password, ==, "pw");
  suda_redis_address_clear (&a);

  g_assert_true (suda_redis_address_parse ("unix:/run/redis/redis.sock", &a, &error));
  g_assert_cmpstr (a.socket_path, ==, "/run/redis/redis.sock");
  suda_redis_address_clear (&a);

  for (const char *const *bad = (const char *const[]) { "http://h", "redis://h/16", "redis://h/x",
                                                        "unix:relative.sock", "redis://", "", NULL };
       *bad != NULL; bad++)
    {
      g_assert_false (suda_redis_address_parse (*bad, &a, &error));
      g_assert_error (error, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_URL);
      g_clear_error (&error);
      suda_redis_address_clear (&a);
    }
}

static void
test_commands_in_order (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaRedis) redis = connect_to (f->url, NULL, &error);
  GAsyncResult *results[500] = { NULL };
  const char *incr[] = { "INCR", "counter", NULL };
  const char *set[] = { "SET", "blob", "a\0b\r\nc", NULL };
  const gsize set_lengths[] = { 3, 4, 7 };
  const char *get[] = { "GET", "blob", NULL };
  const char *missing[] = { "GET", "nothing-here", NULL };
  const char *wrong[] = { "INCR", "blob", NULL };
  g_autoptr(redisReply) blob = NULL;
  g_autoptr(redisReply) nil = NULL;
  g_autoptr(redisReply) stored = NULL;
  redisReply *failed;

  g_assert_no_error (error);
  /* Pipelined: all sent before any answer is read, answered in order. */
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    suda_redis_command_async (redis, incr, NULL, NULL, suda_test_async_store, &results[i]);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(redisReply) reply = suda_redis_command_finish (redis, suda_test_async_wait (&results[i]), &error);

      g_assert_no_error (error);
      g_assert_cmpint (reply->type, ==, REDIS_REPLY_INTEGER);
      g_assert_cmpint (reply->integer, ==, i + 1);
      g_object_unref (results[i]);
    }

  stored = run (redis, set, set_lengths, &error);
  g_assert_no_error (error);
  blob = run (redis, get, NULL, &error);
  g_assert_cmpint (blob->type, ==, REDIS_REPLY_STRING);
  g_assert_cmpuint (blob->len, ==, 7);
  g_assert_cmpmem (blob->str, blob->len, "a\0b\r\nc", 7);
  nil = run (redis, missing, NULL, &error);
  g_assert_cmpint (nil->type, ==, REDIS_REPLY_NIL);

  failed = run (redis, wrong, NULL, &error);
  g_assert_null (failed);
  g_assert_error (error, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_REPLY);
  g_assert_true (g_str_has_prefix (error->message, "ERR"));
  g_assert_true (suda_redis_is_connected (redis));
  suda_redis_close (redis);
}

typedef struct {
  GPtrArray *channels;
  GPtrArray *payloads;
  GPtrArray *patterns;
} Heard;

static void
on_message (SudaRedis  *redis,
            const char *channel,
            GBytes     *payload,
            const char *pattern,
            gpointer    data)
{
  Heard *heard = data;

  g_ptr_array_add (heard->channels, g_strdup (channel));
  g_ptr_array_add (heard->payloads, g_bytes_ref (payload));
  g_ptr_array_add (heard->patterns, g_strdup (pattern ? pattern : "-"));
}

static gboolean
heard_two (gpointer data)
{
  return ((Heard *) data)->channels->len >= 2;
}

static void
test_publish_subscribe (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaRedis) listener = connect_to (f->url, NULL, &error);
  g_autoptr(SudaRedis) speaker = connect_to (f->url, NULL, &error);
  Heard heard = { g_ptr_array_new_with_free_func (g_free),
                  g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
                  g_ptr_array_new_with_free_func (g_free) };
  const char *publish[] = { "PUBLISH", "room:#a", "hi\0there", NULL };
  const gsize lengths[] = { 7, 7, 8 };
  const char *ping[] = { "PING", NULL };
  const char *numsub[] = { "PUBSUB", "NUMSUB", "room:#a", NULL };
  g_autoptr(redisReply) subscribers = NULL;
  redisReply *refused;
  gsize size;
  const char *bytes;

  g_assert_no_error (error);
  g_signal_connect (listener, "message", G_CALLBACK (on_message), &heard);
  suda_redis_subscribe (listener, "room:#a");
  suda_redis_psubscribe (listener, "room:*");

  /* Publish only once Redis counts the subscription. */
  do
    {
      g_clear_pointer (&subscribers, freeReplyObject);
      subscribers = run (speaker, numsub, NULL, &error);
      g_assert_no_error (error);
    }
  while (subscribers->element[1]->integer < 1);
  freeReplyObject (run (speaker, publish, lengths, &error));
  g_assert_no_error (error);

  g_assert_true (suda_test_wait_until (heard_two, &heard, 5000));
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpstr (heard.channels->pdata[i], ==, "room:#a");
      bytes = g_bytes_get_data (heard.payloads->pdata[i], &size);
      g_assert_cmpmem (bytes, size, "hi\0there", 8);
    }
  g_assert_true (g_ptr_array_find_with_equal_func (heard.patterns, "room:*", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (heard.patterns, "-", g_str_equal, NULL));

  refused = run (listener, ping, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_SUBSCRIBED);

  suda_redis_close (listener);
  suda_redis_close (speaker);
  g_ptr_array_unref (heard.channels);
  g_ptr_array_unref (heard.payloads);
  g_ptr_array_unref (heard.patterns);
}

static void
test_password_and_database (Fixture       *f,
                            gconstpointer  data)
{
  const char *extra[] = { "--requirepass", "class secret", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaRedis) anonymous = NULL;
  g_autoptr(SudaRedis) wrong = NULL;
  g_autoptr(SudaRedis) right = NULL;
  g_autoptr(redisReply) where = NULL;
  g_autofree char *url = NULL;
  const char *client_info[] = { "CLIENT", "INFO", NULL };

  start_redis (f, FALSE, extra);
  url = g_strdup_printf ("redis://127.0.0.1:%u", f->port);
  anonymous = connect_to (url, NULL, &error);
  g_assert_null (anonymous);
  g_assert_error (error, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_REPLY);
  g_assert_nonnull (strstr (error->message, "NOAUTH"));
  g_clear_error (&error);
  g_free (url);

  url = g_strdup_printf ("redis://:guess@127.0.0.1:%u", f->port);
  wrong = connect_to (url, NULL, &error);
  g_assert_null (wrong);
  g_assert_error (error, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_REPLY);
  g_clear_error (&error);
  g_free (url);

  url = g_strdup_printf ("redis://:class%%20secret@127.0.0.1:%u/5", f->port);
  right = connect_to (url, NULL, &error);
  g_assert_no_error (error);
  where = run (right, client_info, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (where->str, " db=5 "));
  suda_redis_close (right);
}

static void
on_closed (SudaRedis  *redis,
           const char *reason,
           gpointer    data)
{
  (*(guint *) data)++;
}

static void
test_server_goes_away (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaRedis) redis = connect_to (f->url, NULL, &error);
  g_autoptr(SudaRedis) nobody = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const char *blocked[] = { "BLPOP", "never", "0", NULL };
  g_autofree char *gone_url = NULL;
  redisReply *reply;
  guint closed = 0;

  g_assert_no_error (error);
  g_signal_connect (redis, "closed", G_CALLBACK (on_closed), &closed);
  suda_redis_command_async (redis, blocked, NULL, NULL, suda_test_async_store, &result);
  g_subprocess_force_exit (f->server);
  reply = suda_redis_command_finish (redis, suda_test_async_wait (&result), &error);
  g_assert_null (reply);
  g_assert_error (error, SUDA_REDIS_ERROR, SUDA_REDIS_ERROR_CLOSED);
  g_assert_cmpuint (closed, ==, 1);
  g_assert_false (suda_redis_is_connected (redis));
  g_clear_error (&error);

  /* Nobody listens there now: a readable error naming the address. */
  g_subprocess_wait (f->server, NULL, NULL);
  gone_url = g_strdup_printf ("redis://127.0.0.1:%u", f->port);
  nobody = connect_to (gone_url, NULL, &error);
  g_assert_null (nobody);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
}

static void
test_tls (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (f->dir, "redis.crt", NULL);
  g_autofree char *key = g_build_filename (f->dir, "redis.key", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) trust = NULL;
  g_autoptr(SudaRedis) trusted = NULL;
  g_autoptr(SudaRedis) untrusted = NULL;
  g_autoptr(redisReply) pong = NULL;
  g_autofree char *url = NULL;
  const char *ping[] = { "PING", NULL };

  g_assert_true (suda_tls_create_self_signed (cert, key, "localhost", &error));
  {
    const char *extra[] = { "--tls-cert-file", cert, "--tls-key-file", key,
                            "--tls-ca-cert-file", cert, "--tls-auth-clients", "no", NULL };

    start_redis (f, TRUE, extra);
  }
  url = g_strdup_printf ("rediss://localhost:%u", f->port);

  untrusted = connect_to (url, NULL, &error);
  g_assert_null (untrusted);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  trust = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  trusted = connect_to (url, trust, &error);
  g_assert_no_error (error);
  pong = run (trusted, ping, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pong->str, ==, "PONG");
  suda_redis_close (trusted);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cluster/redis/address-parse", test_address_parse);
#define ADD(path, fn, data) g_test_add ("/cluster/redis/" path, Fixture, data, fixture_set_up, fn, fixture_tear_down)
  ADD ("commands-pipelined-in-order", test_commands_in_order, NULL);
  ADD ("publish-subscribe", test_publish_subscribe, NULL);
  ADD ("password-and-database", test_password_and_database, "own server");
  ADD ("server-goes-away", test_server_goes_away, NULL);
  ADD ("tls-with-trusted-certificate", test_tls, "own server");
#undef ADD

  return g_test_run ();
}
