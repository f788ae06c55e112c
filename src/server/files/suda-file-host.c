/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Files shared in the chat ([files] port=), as the soju.im/FILEHOST
 * extension has them: a client POSTs a file to /upload (Content-Type,
 * Content-Disposition's filename) and is answered 201 with its link in
 * Location; GET /files/ID serves it.  An upload is in the name of an
 * account (HTTP Basic) or of a connected user (the bearer token FILEHOST
 * TOKEN hands out); each is logged as an "upload" entry. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-file-host.h"
#include "suda-files-private.h"

#define SWEEP_EVERY_S (24 * 60 * 60)

struct _SudaFileHost
{
  GObject          parent_instance;

  const SudaCore  *core;         /* borrowed: config, accounts, delivery */
  GTlsCertificate *certificate;  /* NULL: plain HTTP */
  char            *folder;
  SoupServer      *soup;
  guint16          port;
  char            *address;      /* the listening one */
  guint            sweep_id;
  GHashTable      *grants;       /* token → Grant */
};

/* A bearer token's holder: good while the session lives. */
typedef struct {
  GWeakRef  session;
  char     *account;
} Grant;

G_DEFINE_FINAL_TYPE (SudaFileHost, suda_file_host, G_TYPE_OBJECT)

static void
grant_free (Grant *grant)
{
  g_weak_ref_clear (&grant->session);
  g_free (grant->account);
  g_free (grant);
}

static void
suda_file_host_dispose (GObject *object)
{
  SudaFileHost *self = SUDA_FILE_HOST (object);

  suda_file_host_stop (self);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (suda_file_host_parent_class)->dispose (object);
}

static void
suda_file_host_finalize (GObject *object)
{
  SudaFileHost *self = SUDA_FILE_HOST (object);

  g_free (self->folder);
  g_hash_table_unref (self->grants);

  G_OBJECT_CLASS (suda_file_host_parent_class)->finalize (object);
}

static void
suda_file_host_class_init (SudaFileHostClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = suda_file_host_dispose;
  G_OBJECT_CLASS (klass)->finalize = suda_file_host_finalize;
}

static void
suda_file_host_init (SudaFileHost *self)
{
  self->grants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) grant_free);
}

SudaFileHost *
suda_file_host_new (const SudaCore  *core,
                    GTlsCertificate *certificate)
{
  SudaFileHost *self;

  g_return_val_if_fail (core != NULL, NULL);
  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), NULL);

  self = g_object_new (SUDA_TYPE_FILE_HOST, NULL);
  self->core = core;
  self->certificate = certificate ? g_object_ref (certificate) : NULL;
  self->folder = suda_server_config_dup_files_folder (core->config);
  return self;
}

/* Answers ---------------------------------------------------------------- */

static void
answer (SoupServerMessage *msg,
        guint              status,
        const char        *text)
{
  g_autofree char *body = g_strconcat (text, "\n", NULL);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static void
answer_unauthorized (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Basic realm=\"Suda\", Bearer realm=\"Suda\"");
  answer (msg, SOUP_STATUS_UNAUTHORIZED,
          _("Log in to upload: an account's name and password, or the token FILEHOST TOKEN gives."));
}

/* Who is asking ---------------------------------------------------------- */

/* The nick of the token's holder, or NULL when the token is no good. */
static char *
bearer_uploader (SudaFileHost *self,
                 const char   *token)
{
  Grant *grant = g_hash_table_lookup (self->grants, token);
  g_autoptr(SudaSession) session = NULL;

  if (grant == NULL)
    return NULL;
  session = g_weak_ref_get (&grant->session);
  if (session == NULL)
    {
      g_hash_table_remove (self->grants, token);
      return NULL;
    }
  return g_strdup (grant->account ? grant->account : suda_session_get_nick (session));
}

/* "Basic" credentials split in *NAME and *PASSWORD; FALSE when malformed. */
static gboolean
parse_basic (const char  *value,
             char       **name,
             char       **password)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  char *colon;

  decoded = g_base64_decode (value, &len);
  text = g_strndup ((const char *) decoded, len);
  if (decoded != NULL)
    memset (decoded, 0, len);
  colon = text ? strchr (text, ':') : NULL;
  if (colon == NULL || colon == text || strlen (text) != len)
    return FALSE;
  *name = g_strndup (text, colon - text);
  *password = g_strdup (colon + 1);
  memset (text, 0, len);
  return TRUE;
}

/* Uploads ---------------------------------------------------------------- */

typedef struct {
  SudaFileHost      *host;
  SoupServerMessage *msg;
  GBytes            *data;
  SudaStoredFile    *file;
  char              *id;
  char              *location;
} Upload;

static void
upload_free (Upload *upload)
{
  g_object_unref (upload->host);
  g_object_unref (upload->msg);
  g_clear_pointer (&upload->data, g_bytes_unref);
  _suda_stored_file_free (upload->file);
  g_free (upload->id);
  g_free (upload->location);
  g_free (upload);
}

static void
log_upload (Upload *upload)
{
  SudaStoredFile *file = upload->file;
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "upload", NULL, file->uploader, file->name);
  GSocketAddress *peer = soup_server_message_get_remote_address (upload->msg);

  suda_log_entry_set_field (entry, "id", upload->id);
  suda_log_entry_set_field (entry, "type", file->type);
  suda_log_entry_set_int_field (entry, "size", file->size);
  /* the link as the uploader was given it, for whoever reads the log */
  suda_log_entry_set_field (entry, "url", upload->location);
  if (G_IS_INET_SOCKET_ADDRESS (peer))
    {
      g_autofree char *address = g_inet_address_to_string (
          g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)));

      suda_log_entry_set_field (entry, "address", address);
    }
  _suda_delivery_log (upload->host->core->delivery, entry);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Upload *upload = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  if (!_suda_files_write_finish (result, &error))
    {
      g_autofree char *text = g_strdup_printf ("could not keep an upload: %s", error->message);

      _suda_delivery_log_event (upload->host->core->delivery, "error", NULL, NULL, text);
      answer (upload->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, _("The file could not be kept."));
    }
  else
    {
      log_upload (upload);
      soup_message_headers_replace (soup_server_message_get_response_headers (upload->msg),
                                    "Location", upload->location);
      body = g_strconcat (upload->location, "\n", NULL);
      soup_server_message_set_status (upload->msg, SOUP_STATUS_CREATED, NULL);
      soup_server_message_set_response (upload->msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                        body, strlen (body));
    }
  soup_server_message_unpause (upload->msg);
  upload_free (upload);
}

/* The link: [files] url=, or the address the upload came to (its Host). */
static char *
location_of (SudaFileHost      *self,
             SoupServerMessage *msg,
             const char        *id)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GUri) base = NULL;
  g_autofree char *text = NULL;

  if (self->core->config->files.url != NULL)
    return g_strdup_printf ("%s/files/%s", self->core->config->files.url, id);
  base = g_uri_build (G_URI_FLAGS_NONE, self->certificate ? "https" : "http", NULL,
                      g_uri_get_host (uri), g_uri_get_port (uri), "/files/", NULL, NULL);
  text = g_uri_to_string (base);
  return g_strconcat (text, id, NULL);
}

/* The body is all here and its sender known: its type decides.  TRUE
 * when it is being written (MSG paused until then), FALSE when answered. */
static gboolean
keep_upload (SudaFileHost      *self,
             SoupServerMessage *msg,
             const char        *uploader,
             gboolean           paused)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) data = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *type = NULL;
  Upload *upload;

  if (g_bytes_get_size (data) > self->core->config->files.max_size)
    {
      answer (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, _("The file is larger than this server takes."));
      return FALSE;
    }
  soup_message_headers_get_content_disposition (headers, NULL, &params);
  upload = g_new0 (Upload, 1);
  upload->file = g_new0 (SudaStoredFile, 1);
  upload->file->name = _suda_files_clean_name (params ? g_hash_table_lookup (params, "filename") : NULL);
  type = _suda_files_sniff (data, upload->file->name);
  if (!_suda_files_type_allowed (self->core->config->files.types, type))
    {
      g_autofree char *text = g_strdup_printf (_("Files of type %s are not taken here."), type);

      answer (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, text);
      _suda_stored_file_free (upload->file);
      g_free (upload);
      return FALSE;
    }
  upload->host = g_object_ref (self);
  upload->msg = g_object_ref (msg);
  upload->data = g_steal_pointer (&data);
  upload->file->type = g_steal_pointer (&type);
  upload->file->uploader = g_strdup (uploader);
  upload->file->size = g_bytes_get_size (upload->data);
  upload->id = _suda_files_new_id (upload->file->type);
  upload->location = location_of (self, msg, upload->id);
  if (!paused)
    soup_server_message_pause (msg);
  _suda_files_write_async (self->folder, upload->id, upload->data, upload->file, on_written, upload);
  return TRUE;
}

typedef struct {
  SudaFileHost      *host;
  SoupServerMessage *msg;
} Verify;

static void
on_verified (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Verify *verify = data;
  g_autofree char *account = suda_account_store_verify_finish (SUDA_ACCOUNT_STORE (source), result, NULL);

  if (account == NULL)
    answer_unauthorized (verify->msg);
  if (account == NULL || !keep_upload (verify->host, verify->msg, account, TRUE))
    soup_server_message_unpause (verify->msg);
  g_object_unref (verify->msg);
  g_object_unref (verify->host);
  g_free (verify);
}

static void
check_basic (SudaFileHost      *self,
             SoupServerMessage *msg,
             const char        *credentials)
{
  g_autofree char *name = NULL;
  g_autofree char *password = NULL;
  Verify *verify;

  if (self->core->accounts == NULL || !parse_basic (credentials, &name, &password))
    {
      answer_unauthorized (msg);
      return;
    }
  verify = g_new0 (Verify, 1);
  verify->host = g_object_ref (self);
  verify->msg = g_object_ref (msg);
  soup_server_message_pause (msg);
  /* crypt() runs in a worker thread: the chat keeps flowing. */
  suda_account_store_verify_async (self->core->accounts, name, password, NULL, on_verified, verify);
  memset (password, 0, strlen (password));
}

static void
handle_upload (SudaFileHost      *self,
               SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");
  g_autofree char *uploader = NULL;

  if (auth != NULL && g_ascii_strncasecmp (auth, "Bearer ", 7) == 0 &&
      (uploader = bearer_uploader (self, auth + 7)) != NULL)
    keep_upload (self, msg, uploader, FALSE);
  else if (auth != NULL && g_ascii_strncasecmp (auth, "Basic ", 6) == 0)
    check_basic (self, msg, auth + 6);
  else
    answer_unauthorized (msg);
}

/* Before the body is read: a file too large, or a request nobody could
 * make good, is refused without taking megabytes first. */
static void
on_upload_headers (SoupServer        *soup,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           data)
{
  SudaFileHost *self = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length = soup_message_headers_get_content_length (headers);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");

  if (!g_str_equal (path, "/upload") || soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    return;
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    answer (msg, SOUP_STATUS_LENGTH_REQUIRED, _("Send the file with its length (Content-Length)."));
  else if ((guint64) length > self->core->config->files.max_size)
    {
      g_autofree char *size = g_format_size (self->core->config->files.max_size);
      g_autofree char *text = g_strdup_printf (_("The file is larger than this server takes (%s at most)."), size);

      answer (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
    }
  else if (auth == NULL)
    answer_unauthorized (msg);
  else
    return;
  /* The body is not read: the connection cannot carry another request. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

/* Serving ---------------------------------------------------------------- */

static void
add_file_headers (SoupServerMessage *msg,
                  SudaStoredFile    *file)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *escaped = g_uri_escape_string (file->name, NULL, FALSE);
  g_autofree char *disposition = NULL;
  gboolean image = g_str_has_prefix (file->type, "image/") && !g_str_equal (file->type, "image/svg+xml");

  /* A file is someone's upload, never a page of this origin. */
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Security-Policy", "default-src 'none'; sandbox");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Cache-Control", "private, max-age=86400");
  disposition = g_strdup_printf ("%s; filename*=UTF-8''%s", image ? "inline" : "attachment", escaped);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
}

static void
serve_file (SudaFileHost      *self,
            SoupServerMessage *msg,
            const char        *id)
{
  g_autoptr(SudaStoredFile) file = _suda_files_read_info (self->folder, id);
  g_autofree char *path = NULL;
  g_autofree char *type = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (file == NULL)
    {
      answer (msg, SOUP_STATUS_NOT_FOUND, _("There is no such file (it may have expired)."));
      return;
    }
  path = g_build_filename (self->folder, id, NULL);
  /* Mapped: the pages are read as they are sent, not all at once here. */
  mapped = g_mapped_file_new (path, FALSE, NULL);
  if (mapped == NULL)
    {
      answer (msg, SOUP_STATUS_NOT_FOUND, _("There is no such file (it may have expired)."));
      return;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  add_file_headers (msg, file);
  type = g_str_has_prefix (file->type, "text/") ? g_strconcat (file->type, "; charset=utf-8", NULL)
                                                 : g_strdup (file->type);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, NULL, 0);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

static void
on_request (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  SudaFileHost *self = data;
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/upload") && method == SOUP_METHOD_POST)
    handle_upload (self, msg);
  else if (g_str_has_prefix (path, "/files/") && (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD))
    serve_file (self, msg, path + strlen ("/files/"));
  else if (g_str_equal (path, "/upload") || g_str_has_prefix (path, "/files/"))
    answer (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _("That is not done here."));
  else
    answer (msg, SOUP_STATUS_NOT_FOUND, _("There is no such file (it may have expired)."));
}

/* Tokens ----------------------------------------------------------------- */

static gboolean
grant_is_dead (gpointer key,
               gpointer value,
               gpointer data)
{
  Grant *grant = value;
  g_autoptr(SudaSession) session = g_weak_ref_get (&grant->session);

  return session == NULL;
}

char *
suda_file_host_grant (SudaFileHost *self,
                      SudaSession  *session,
                      const char   *account)
{
  const char *given;
  char *token;
  Grant *grant;
  guint8 random[24];

  g_return_val_if_fail (SUDA_IS_FILE_HOST (self), NULL);
  g_return_val_if_fail (SUDA_IS_SESSION (session), NULL);

  given = g_object_get_data (G_OBJECT (session), "suda-files-token");
  if (given != NULL && g_hash_table_contains (self->grants, given))
    return g_strdup (given);
  g_hash_table_foreach_remove (self->grants, grant_is_dead, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (random); i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (random + i, &r, 4);
    }
  token = g_base64_encode (random, sizeof random);
  /* Base64 of 24 bytes has no '=': the token fits a header and an IRC word. */
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  grant = g_new0 (Grant, 1);
  g_weak_ref_init (&grant->session, session);
  grant->account = g_strdup (account);
  g_hash_table_insert (self->grants, g_strdup (token), grant);
  g_object_set_data_full (G_OBJECT (session), "suda-files-token", g_strdup (token), g_free);
  return token;
}

/* Start and stop ---------------------------------------------------------- */

static gint64
cutoff_now (SudaFileHost *self)
{
  return g_get_real_time () / G_USEC_PER_SEC - (gint64) self->core->config->files.retention_days * 86400;
}

guint
suda_file_host_sweep (SudaFileHost *self)
{
  g_return_val_if_fail (SUDA_IS_FILE_HOST (self), 0);

  if (self->core->config->files.retention_days == 0)
    return 0;
  return _suda_files_sweep (self->folder, cutoff_now (self));
}

static gboolean
on_sweep_due (gpointer data)
{
  SudaFileHost *self = data;

  if (self->core->config->files.retention_days != 0)
    _suda_files_sweep_async (self->folder, cutoff_now (self));
  return G_SOURCE_CONTINUE;
}

static gboolean
listen_on (SudaFileHost  *self,
           guint          port,
           GError       **error)
{
  const SudaServerConfig *config = self->core->config;
  const char *text = config->files.listen_address;
  SoupServerListenOptions options = self->certificate ? SOUP_SERVER_LISTEN_HTTPS : 0;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  if (text == NULL || *text == '\0')
    text = config->listen_address;
  if (text == NULL || *text == '\0' || g_str_equal (text, "*"))
    return soup_server_listen_all (self->soup, port, options, error);
  inet = g_inet_address_new_from_string (text);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("[files] listen: “%s” is not an IP address"), text);
      return FALSE;
    }
  self->address = g_inet_address_to_string (inet);
  address = g_inet_socket_address_new (inet, port);
  return soup_server_listen (self->soup, address, options, error);
}

gboolean
suda_file_host_start (SudaFileHost  *self,
                      GError       **error)
{
  int port;
  GSList *listeners;

  g_return_val_if_fail (SUDA_IS_FILE_HOST (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  on_sweep_due (self);
  port = self->core->config->files.port;
  self->soup = soup_server_new ("server-header", NULL, "tls-certificate", self->certificate, NULL);
  soup_server_add_early_handler (self->soup, NULL, on_upload_headers, self, NULL);
  soup_server_add_handler (self->soup, NULL, on_request, self, NULL);
  if (!listen_on (self, port == SUDA_WEB_PORT_ANY ? 0 : (guint) port, error))
    {
      suda_file_host_stop (self);
      return FALSE;
    }
  listeners = soup_server_get_listeners (self->soup);
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (listeners->data, NULL);

      if (local != NULL)
        self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  g_slist_free (listeners);
  self->sweep_id = _suda_timeout_add_seconds (SWEEP_EVERY_S, on_sweep_due, self);
  return TRUE;
}

void
suda_file_host_stop (SudaFileHost *self)
{
  g_return_if_fail (SUDA_IS_FILE_HOST (self));

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_handle_id (&self->sweep_id, _suda_source_remove);
  g_clear_pointer (&self->address, g_free);
  self->port = 0;
}

guint16
suda_file_host_get_port (SudaFileHost *self)
{
  g_return_val_if_fail (SUDA_IS_FILE_HOST (self), 0);
  return self->port;
}

const char *
suda_file_host_get_folder (SudaFileHost *self)
{
  g_return_val_if_fail (SUDA_IS_FILE_HOST (self), NULL);
  return self->folder;
}

/* The host LOCAL names, as a URL writes it: an IPv4 address a v6 socket
 * saw as ::ffff:a.b.c.d is written a.b.c.d. */
static char *
host_of (GSocketAddress *local,
         const char     *listening)
{
  GInetAddress *inet;
  g_autofree char *text = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (local))
    return g_strdup (listening ? listening : "localhost");
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  text = g_inet_address_to_string (inet);
  if (g_str_has_prefix (text, "::ffff:") && strchr (text + 7, '.') != NULL)
    return g_strdup (text + 7);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]", text);
  return g_steal_pointer (&text);
}

char *
suda_file_host_dup_upload_url (SudaFileHost   *self,
                               GSocketAddress *local)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (SUDA_IS_FILE_HOST (self), NULL);

  if (self->core->config->files.url != NULL)
    return g_strdup_printf ("%s/upload", self->core->config->files.url);
  if (self->port == 0)
    return NULL;
  host = host_of (local, self->address);
  return g_strdup_printf ("%s://%s:%u/upload", self->certificate ? "https" : "http", host, self->port);
}
