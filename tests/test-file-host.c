/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Files shared in the chat ([files], src/server/files/): a real server with
 * its file port, libsoup's client posting as soju.im/FILEHOST says, the
 * bearer token FILEHOST TOKEN hands out and an account's Basic login; the
 * limits' answers; the retention sweep; the upload log entry. */
#include "config.h"

#include <string.h>
#include <utime.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "suda-files-private.h"
#include "suda-test-util.h"

/* The smallest PNG: one transparent pixel. */
static const guchar png_pixel[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
  0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
  0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
  0x42, 0x60, 0x82,
};

typedef struct {
  SudaTestLobby  lobby;
  char          *state;
  char          *folder;
  char          *upload_url;
  SoupSession   *session;
} Fixture;

/* A reply of the HTTP exchange: status, Location, body. */
typedef struct {
  guint   status;
  char   *location;
  char   *type;
  char   *nosniff;
  GBytes *body;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_free (reply->location);
  g_free (reply->type);
  g_free (reply->nosniff);
  g_clear_pointer (&reply->body, g_bytes_unref);
}

static char *
body_text (Reply *reply)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (reply->body, &len);

  return g_strndup (data, len);
}

static void
set_up_with (Fixture    *f,
             const char *max_size)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(GError) error = NULL;
  static const char * const events[] = { "upload", NULL };
  g_autofree char *line = NULL;
  const char *url;

  f->state = suda_test_make_tmpdir ();
  f->folder = g_build_filename (f->state, "files", NULL);
  suda_server_config_set_value (config, "files", "port", "auto", &error);
  g_assert_no_error (error);
  suda_server_config_set_value (config, "files", "folder", f->folder, &error);
  g_assert_no_error (error);
  suda_server_config_set_value (config, "files", "max-size", max_size, &error);
  g_assert_no_error (error);
  suda_server_config_set_value (config, "server", "state-dir", f->state, &error);
  g_assert_no_error (error);
  suda_test_lobby_set_up (&f->lobby, config, events);
  /* VERSION sends ISUPPORT again: the URL is the address alice reached. */
  suda_test_client_send (f->lobby.alice, "VERSION");
  line = suda_test_client_expect (f->lobby.alice, "* 005 alice *soju.im/FILEHOST=http://127.0.0.1:*/upload *");
  url = strstr (line, "FILEHOST=") + strlen ("FILEHOST=");
  f->upload_url = g_strndup (url, strcspn (url, " "));
  f->session = soup_session_new ();
}

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  set_up_with (f, "10485760");
}

static void
set_up_small (Fixture       *f,
              gconstpointer  data)
{
  set_up_with (f, "1024");
}

static void
remove_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_unlink (path);
    }
  g_rmdir (folder);
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  suda_test_lobby_tear_down (&f->lobby);
  g_clear_object (&f->session);
  remove_folder (f->folder);
  remove_folder (f->state);
  g_free (f->folder);
  g_free (f->state);
  g_free (f->upload_url);
}

static char *
get_token (Fixture *f)
{
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;

  suda_test_client_send (f->lobby.alice, "FILEHOST TOKEN");
  line = suda_test_client_expect (f->lobby.alice, ":* NOTE FILEHOST TOKEN * :*");
  words = g_strsplit (line, " ", 6);
  return g_strdup (words[4]);
}

/* Sends MSG and waits (the server runs in this thread's main context). */
static void
exchange (Fixture     *f,
          SoupMessage *msg,
          Reply       *reply)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    suda_test_async_store, &result);
  reply->body = soup_session_send_and_read_finish (f->session, suda_test_async_wait (&result), &error);
  g_assert_no_error (error);
  g_object_unref (result);
  headers = soup_message_get_response_headers (msg);
  reply->status = soup_message_get_status (msg);
  reply->location = g_strdup (soup_message_headers_get_one (headers, "Location"));
  reply->type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  reply->nosniff = g_strdup (soup_message_headers_get_one (headers, "X-Content-Type-Options"));
}

static void
post (Fixture       *f,
      const char    *authorization,
      const char    *name,
      gconstpointer  data,
      gsize          len,
      Reply         *reply)
{
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, f->upload_url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autoptr(GBytes) body = g_bytes_new (data, len);
  g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"%s\"", name);

  if (authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  /* As a client should: a refused file is not sent at all. */
  soup_message_headers_set_expectations (headers, SOUP_EXPECTATION_CONTINUE);
  soup_message_set_request_body_from_bytes (msg, "application/octet-stream", body);
  exchange (f, msg, reply);
}

static void
get (Fixture    *f,
     const char *url,
     Reply      *reply)
{
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  exchange (f, msg, reply);
}

static guint
count_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_upload_with_token (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *token = get_token (f);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  g_autoptr(GBytes) expected = g_bytes_new_static (png_pixel, sizeof png_pixel);
  Reply up = { 0 }, down = { 0 };
  SudaLogEntry *entry;

  post (f, bearer, "dot.png", png_pixel, sizeof png_pixel, &up);
  g_assert_cmpuint (up.status, ==, SOUP_STATUS_CREATED);
  g_assert_true (g_str_has_prefix (up.location, "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (up.location, ".png"));
  g_assert_nonnull (strstr (up.location, "/files/"));

  get (f, up.location, &down);
  g_assert_cmpuint (down.status, ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (down.body, expected));
  g_assert_cmpstr (down.type, ==, "image/png");
  g_assert_cmpstr (down.nosniff, ==, "nosniff");

  /* The same token again: one per connection. */
  {
    g_autofree char *again = get_token (f);

    g_assert_cmpstr (again, ==, token);
  }
  g_assert_cmpuint (f->lobby.entries->len, ==, 1);
  entry = g_ptr_array_index (f->lobby.entries, 0);
  g_assert_cmpstr (suda_log_entry_get_event (entry), ==, "upload");
  g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "alice");
  g_assert_cmpstr (suda_log_entry_get_text (entry), ==, "dot.png");
  g_assert_cmpstr (suda_log_entry_get_field (entry, "type"), ==, "image/png");
  g_assert_true (g_str_has_suffix (up.location, suda_log_entry_get_field (entry, "id")));
  /* the log keeps the link itself, for the console to show */
  g_assert_cmpstr (suda_log_entry_get_field (entry, "url"), ==, up.location);
  reply_clear (&up);
  reply_clear (&down);
}

/* Writes TEXT as the server's config file and reads it again. */
static char *
rehash_with (Fixture    *f,
             const char *text)
{
  g_autofree char *path = g_build_filename (f->state, "suda.conf", NULL);
  g_autoptr(GError) error = NULL;
  char *restart = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  suda_server_set_config_file (f->lobby.server, path, NULL);
  g_assert_true (suda_server_rehash (f->lobby.server, &restart, &error));
  g_assert_no_error (error);
  g_unlink (path);
  return restart;
}

/* REHASH: the size limit and the types apply to the next upload; a new
 * port or folder is named as waiting for a restart, and the files go on
 * where they were meanwhile. */
static void
test_rehash (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *token = get_token (f);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  g_autofree char *big = g_malloc0 (2000);
  g_autofree char *same = g_strdup_printf ("[files]\nport=auto\nfolder=%s\nmax-size=1024\n", f->folder);
  g_autofree char *moved = g_strdup_printf ("[files]\nport=0\nfolder=%s/elsewhere\n", f->state);
  g_autofree char *restart = NULL;
  Reply up = { 0 };

  memcpy (big, png_pixel, sizeof png_pixel);
  restart = rehash_with (f, same);
  g_assert_true (restart == NULL || strstr (restart, "[files]") == NULL);
  post (f, bearer, "big.png", big, 2000, &up);
  g_assert_cmpuint (up.status, ==, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  g_assert_cmpuint (count_files (f->folder), ==, 0);
  reply_clear (&up);

  g_free (restart);
  restart = rehash_with (f, moved);
  g_assert_nonnull (restart);
  g_assert_nonnull (strstr (restart, "[files] port"));
  g_assert_nonnull (strstr (restart, "[files] folder"));
  /* back to 10 MB, on the port and in the folder of the start */
  post (f, bearer, "big.png", big, 2000, &up);
  g_assert_cmpuint (up.status, ==, SOUP_STATUS_CREATED);
  g_assert_cmpuint (count_files (f->folder), >, 0);
  reply_clear (&up);
}

static void
test_text_is_attachment (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *token = get_token (f);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  const char *text = "숙제는 금요일까지\n";
  g_autoptr(SoupMessage) msg = NULL;
  Reply up = { 0 }, down = { 0 };

  post (f, bearer, "notes.txt", text, strlen (text), &up);
  g_assert_cmpuint (up.status, ==, SOUP_STATUS_CREATED);
  msg = soup_message_new (SOUP_METHOD_GET, up.location);
  exchange (f, msg, &down);
  g_assert_cmpstr (down.type, ==, "text/plain");
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                 "Content-Disposition"), "attachment;"));
  reply_clear (&up);
  reply_clear (&down);
}

static void
test_too_large (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *token = get_token (f);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  g_autofree char *big = g_malloc0 (2000);
  g_autofree char *text = NULL;
  Reply up = { 0 };

  memcpy (big, png_pixel, sizeof png_pixel);
  post (f, bearer, "big.png", big, 2000, &up);
  g_assert_cmpuint (up.status, ==, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  text = body_text (&up);
  /* g_format_size() puts a no-break space before the unit. */
  g_assert_nonnull (strstr (text, "1.0\u00a0kB at most"));
  g_assert_cmpuint (count_files (f->folder), ==, 0);
  g_assert_cmpuint (f->lobby.entries->len, ==, 0);
  reply_clear (&up);
}

static void
test_forbidden_type (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *token = get_token (f);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  const char *page = "<!DOCTYPE html><html><script>alert(1)</script></html>";
  g_autofree char *text = NULL;
  Reply up = { 0 };

  /* Named as an image, but its bytes are a page. */
  post (f, bearer, "cat.png", page, strlen (page), &up);
  g_assert_cmpuint (up.status, ==, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE);
  text = body_text (&up);
  g_assert_nonnull (strstr (text, "text/html"));
  g_assert_cmpuint (count_files (f->folder), ==, 0);
  reply_clear (&up);
}

static void
test_no_auth (Fixture       *f,
              gconstpointer  data)
{
  Reply none = { 0 }, wrong = { 0 }, basic = { 0 };

  post (f, NULL, "dot.png", png_pixel, sizeof png_pixel, &none);
  g_assert_cmpuint (none.status, ==, SOUP_STATUS_UNAUTHORIZED);
  post (f, "Bearer not-a-token", "dot.png", png_pixel, sizeof png_pixel, &wrong);
  g_assert_cmpuint (wrong.status, ==, SOUP_STATUS_UNAUTHORIZED);
  /* base64 of "alice:wrong-password": no such account. */
  post (f, "Basic YWxpY2U6d3JvbmctcGFzc3dvcmQ=", "dot.png", png_pixel, sizeof png_pixel, &basic);
  g_assert_cmpuint (basic.status, ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (count_files (f->folder), ==, 0);
  reply_clear (&none);
  reply_clear (&wrong);
  reply_clear (&basic);
}

/* A token dies with its connection. */
static void
test_token_ends_with_session (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *token = get_token (f);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  Reply up = { 0 };

  suda_test_client_send (f->lobby.alice, "QUIT");
  g_assert_true (suda_test_client_wait_closed (f->lobby.alice, 5000));
  /* bob sees alice go once the server has dropped her session. */
  suda_test_client_await (f->lobby.bob, ":alice!* QUIT *");
  post (f, bearer, "dot.png", png_pixel, sizeof png_pixel, &up);
  g_assert_cmpuint (up.status, ==, SOUP_STATUS_UNAUTHORIZED);
  reply_clear (&up);
}

static void
test_account_basic (Fixture       *f,
                    gconstpointer  data)
{
  SudaAccountStore *accounts = suda_server_get_accounts (f->lobby.server);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *credentials = g_base64_encode ((const guchar *) "teacher:correct horse", 21);
  g_autofree char *basic = g_strdup_printf ("Basic %s", credentials);
  Reply up = { 0 };
  SudaLogEntry *entry;

  g_assert_nonnull (accounts);
  suda_account_store_register_async (accounts, "teacher", "correct horse", NULL, suda_test_async_store, &result);
  g_assert_true (suda_account_store_register_finish (accounts, suda_test_async_wait (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);

  post (f, basic, "dot.png", png_pixel, sizeof png_pixel, &up);
  g_assert_cmpuint (up.status, ==, SOUP_STATUS_CREATED);
  g_assert_cmpuint (f->lobby.entries->len, ==, 1);
  entry = g_ptr_array_index (f->lobby.entries, 0);
  g_assert_cmpstr (suda_log_entry_get_nick (entry), ==, "teacher");
  reply_clear (&up);
}

static void
test_no_way_out (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *base = g_strndup (f->upload_url, strlen (f->upload_url) - strlen ("upload"));
  static const char * const paths[] = {
    "files/..%2Fsecret", "files/abc", "files/a.png%00.json", "files/%2e%2e/%2e%2e/etc/passwd",
  };
  g_autofree char *token = get_token (f);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  g_autofree char *info_url = NULL;
  Reply up = { 0 }, info = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = g_strconcat (base, paths[i], NULL);
      Reply reply = { 0 };

      get (f, url, &reply);
      /* libsoup refuses some itself (400); the rest are no id (404). */
      g_assert_true (reply.status == SOUP_STATUS_NOT_FOUND || reply.status == SOUP_STATUS_BAD_REQUEST);
      reply_clear (&reply);
    }
  /* The description beside a file is not served. */
  post (f, bearer, "dot.png", png_pixel, sizeof png_pixel, &up);
  info_url = g_strconcat (up.location, ".json", NULL);
  get (f, info_url, &info);
  g_assert_cmpuint (info.status, ==, SOUP_STATUS_NOT_FOUND);
  reply_clear (&up);
  reply_clear (&info);
}

static void
backdate (const char *path,
          gint64      days)
{
  struct utimbuf times;

  times.actime = times.modtime = g_get_real_time () / G_USEC_PER_SEC - days * 86400;
  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

/* The sweep itself, with a backdated file: gone; a fresh one stays. */
static void
test_sweep (void)
{
  g_autofree char *folder = suda_test_make_tmpdir ();
  g_autofree char *old_id = _suda_files_new_id ("image/png");
  g_autofree char *new_id = _suda_files_new_id ("image/png");
  g_autofree char *old_path = g_build_filename (folder, old_id, NULL);
  g_autofree char *old_info = g_strconcat (old_path, ".json", NULL);
  g_autofree char *new_path = g_build_filename (folder, new_id, NULL);
  g_autofree char *other = g_build_filename (folder, "notes", NULL);

  g_assert_true (g_file_set_contents (old_path, "x", 1, NULL));
  g_assert_true (g_file_set_contents (old_info, "{}", 2, NULL));
  g_assert_true (g_file_set_contents (new_path, "x", 1, NULL));
  g_assert_true (g_file_set_contents (other, "x", 1, NULL));
  backdate (old_path, 40);
  backdate (other, 40);
  g_assert_cmpuint (_suda_files_sweep (folder, g_get_real_time () / G_USEC_PER_SEC - 30 * 86400), ==, 1);
  g_assert_false (g_file_test (old_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (old_info, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (new_path, G_FILE_TEST_EXISTS));
  /* Not one of ours: left alone. */
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  remove_folder (folder);
}

static gboolean
is_gone (gpointer path)
{
  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
is_stopped (gpointer server)
{
  return !suda_server_get_running (server);
}

/* A server starting sweeps what expired while it was off. */
static void
test_expired_at_start (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *token = get_token (f);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Reply up = { 0 }, down = { 0 };

  post (f, bearer, "dot.png", png_pixel, sizeof png_pixel, &up);
  g_assert_cmpuint (up.status, ==, SOUP_STATUS_CREATED);
  path = g_build_filename (f->folder, strrchr (up.location, '/') + 1, NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&f->lobby.alice, suda_test_client_free);
  g_clear_pointer (&f->lobby.bob, suda_test_client_free);
  suda_server_stop (f->lobby.server, NULL);
  g_assert_true (suda_test_wait_until (is_stopped, f->lobby.server, 5000));
  backdate (path, 31);
  g_assert_true (suda_server_start (f->lobby.server, &error));
  g_assert_no_error (error);
  g_assert_true (suda_test_wait_until (is_gone, path, 5000));
  reply_clear (&up);
  reply_clear (&down);
}

static void
test_disabled (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  g_autoptr(SudaTestClient) alice = suda_test_user (server, "alice", NULL);
  g_autoptr(GPtrArray) lines = NULL;

  suda_test_client_send (alice, "VERSION");
  lines = suda_test_client_sync (alice);
  g_assert_nonnull (suda_test_lines_find (lines, "* 005 alice *MONITOR=*"));
  g_assert_null (suda_test_lines_find (lines, "*FILEHOST*"));
  suda_test_client_send (alice, "FILEHOST TOKEN");
  suda_test_client_await (alice, ":* FAIL FILEHOST DISABLED :This server does not take files");
  suda_server_stop (server, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/files/upload/token", Fixture, NULL, set_up, test_upload_with_token, tear_down);
  g_test_add ("/files/upload/account", Fixture, NULL, set_up, test_account_basic, tear_down);
  g_test_add ("/files/upload/text-is-an-attachment", Fixture, NULL, set_up, test_text_is_attachment, tear_down);
  g_test_add ("/files/limits/too-large", Fixture, NULL, set_up_small, test_too_large, tear_down);
  g_test_add ("/files/limits/forbidden-type", Fixture, NULL, set_up, test_forbidden_type, tear_down);
  g_test_add ("/files/auth/none-or-wrong", Fixture, NULL, set_up, test_no_auth, tear_down);
  g_test_add ("/files/auth/token-ends-with-session", Fixture, NULL, set_up, test_token_ends_with_session, tear_down);
  g_test_add ("/files/serve/no-way-out", Fixture, NULL, set_up, test_no_way_out, tear_down);
  g_test_add_func ("/files/retention/sweep", test_sweep);
  g_test_add_func ("/files/off/no-token", test_disabled);
  g_test_add ("/files/retention/at-start", Fixture, NULL, set_up, test_expired_at_start, tear_down);
  g_test_add ("/files/rehash/limits-now-port-at-restart", Fixture, NULL, set_up, test_rehash, tear_down);
  return g_test_run ();
}
