/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The page: its files from the GResource, config.json, the security
 * headers, and who may open a session (the Host and Origin checks). */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "suda-web-private.h"
#include "suda-web-resources.h"

#define RESOURCE_PREFIX "/chat/suda/web/"

typedef struct {
  const char *path;
  const char *resource;
  const char *type;
} PageFile;

static const PageFile page_files[] = {
  { "/", "index.html", "text/html; charset=utf-8" },
  { "/index.html", "index.html", "text/html; charset=utf-8" },
  { "/style.css", "style.css", "text/css; charset=utf-8" },
  { "/app.js", "app.js", "text/javascript; charset=utf-8" },
  { "/catalog.js", "catalog.js", "text/javascript; charset=utf-8" },
  { "/icon.svg", "icon.svg", "image/svg+xml" },
};

/* Origins ------------------------------------------------------------------- */

/* SCHEME://HOST[:PORT] as a browser writes an Origin: lowercase, the
 * default port left out, an IPv6 host in brackets; NULL if it is none. */
static char *
canonical_origin (const char *scheme,
                  const char *host,
                  int         port)
{
  gboolean https;
  g_autofree char *lower = NULL;

  if (scheme == NULL || host == NULL || *host == '\0')
    return NULL;
  https = g_ascii_strcasecmp (scheme, "https") == 0;
  if (!https && g_ascii_strcasecmp (scheme, "http") != 0)
    return NULL;
  /* The host lands in a header (the CSP): nothing but a host's letters. */
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (".-:[]", *p) == NULL)
      return NULL;
  lower = g_ascii_strdown (host, -1);
  if (port == (https ? 443 : 80))
    port = -1;
  return g_strdup_printf ("%s://%s%s%s%s%.0d", https ? "https" : "http",
                          strchr (lower, ':') && lower[0] != '[' ? "[" : "", lower,
                          strchr (lower, ':') && lower[0] != '[' ? "]" : "",
                          port > 0 ? ":" : "", port > 0 ? port : 0);
}

static char *
canonical_origin_of_text (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || (*g_uri_get_path (uri) != '\0' && !g_str_equal (g_uri_get_path (uri), "/")))
    return NULL;
  return canonical_origin (g_uri_get_scheme (uri), g_uri_get_host (uri), g_uri_get_port (uri));
}

/* The page's own origin: the address the request came to (its Host). */
static char *
own_origin (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);

  return canonical_origin (g_uri_get_scheme (uri), g_uri_get_host (uri), g_uri_get_port (uri));
}

gboolean
_suda_web_origin_allowed (SoupServerMessage      *msg,
                          const SudaServerConfig *config)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  g_autofree char *given = NULL;
  g_autofree char *own = NULL;
  g_auto(GStrv) allowed = NULL;

  /* Browsers always send one with a WebSocket; other programs can open
   * sessions on the IRC port anyway. */
  if (origin == NULL)
    return TRUE;
  given = canonical_origin_of_text (origin);
  if (given == NULL)
    return FALSE;  /* "null" (a sandboxed frame, a file:) included */
  own = own_origin (msg);
  if (own != NULL && g_str_equal (given, own))
    return TRUE;
  allowed = g_strsplit (config->web.origins != NULL ? config->web.origins : "", " ", -1);
  for (guint i = 0; allowed[i] != NULL; i++)
    {
      g_autofree char *one = canonical_origin_of_text (allowed[i]);

      if (one != NULL && g_str_equal (one, given))
        return TRUE;
    }
  return FALSE;
}

/* Hosts --------------------------------------------------------------------- */

/* The host of a Host header, lowercase, without its port, brackets or
 * final dot; NULL if it is none. */
static char *
host_of_header (const char *header)
{
  g_autofree char *host = NULL;
  const char *colon;
  gsize len;

  if (header[0] == '[')
    {
      const char *end = strchr (header, ']');

      if (end == NULL || (end[1] != '\0' && end[1] != ':'))
        return NULL;
      host = g_strndup (header + 1, end - header - 1);
    }
  else
    {
      colon = strchr (header, ':');
      host = colon != NULL ? g_strndup (header, colon - header) : g_strdup (header);
    }
  len = strlen (host);
  if (len > 0 && host[len - 1] == '.')
    host[--len] = '\0';
  if (len == 0)
    return NULL;
  return g_ascii_strdown (host, -1);
}

static gboolean
is_machine_name (const char *host)
{
  g_autofree char *name = g_ascii_strdown (g_get_host_name (), -1);
  g_autofree char *local = NULL;

  name[strcspn (name, ".")] = '\0';
  local = g_strconcat (name, ".local", NULL);
  return g_str_equal (host, name) || g_str_equal (host, local) ||
         g_ascii_strcasecmp (host, g_get_host_name ()) == 0;
}

static gboolean
is_origins_host (const char             *host,
                 const SudaServerConfig *config)
{
  g_auto(GStrv) origins = g_strsplit (config->web.origins != NULL ? config->web.origins : "", " ", -1);

  for (guint i = 0; origins[i] != NULL; i++)
    {
      g_autoptr(GUri) uri = g_uri_parse (origins[i], G_URI_FLAGS_NONE, NULL);

      if (uri != NULL && g_uri_get_host (uri) != NULL &&
          g_ascii_strcasecmp (g_uri_get_host (uri), host) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
_suda_web_host_allowed (SoupServerMessage      *msg,
                        const SudaServerConfig *config)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *header = soup_message_headers_get_one (headers, "Host");
  g_autofree char *host = NULL;

  /* Browsers always send one. */
  if (header == NULL)
    return TRUE;
  host = host_of_header (header);
  if (host == NULL)
    return FALSE;
  return g_hostname_is_ip_address (host) || g_str_equal (host, "localhost") ||
         is_machine_name (host) ||
         (config->server_name != NULL && g_ascii_strcasecmp (host, config->server_name) == 0) ||
         is_origins_host (host, config);
}

/* Headers ------------------------------------------------------------------- */

void
_suda_web_add_security_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *own = own_origin (msg);
  g_autofree char *sockets = NULL;
  g_autofree char *policy = NULL;

  /* 'self' covers ws: and wss: only in newer browsers: name them. */
  if (own != NULL)
    {
      const char *host = own + strlen (g_uri_get_scheme (uri)) + 3;

      sockets = g_strdup_printf (" ws://%s wss://%s", host, host);
    }
  policy = g_strdup_printf ("default-src 'self'; connect-src 'self'%s; script-src 'self'; "
                            "style-src 'self'; img-src 'self'; object-src 'none'; "
                            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                            sockets != NULL ? sockets : "");
  soup_message_headers_replace (headers, "Content-Security-Policy", policy);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  soup_message_headers_replace (headers, "Cross-Origin-Opener-Policy", "same-origin");
  soup_message_headers_replace (headers, "Cross-Origin-Resource-Policy", "same-origin");
  soup_message_headers_replace (headers, "Permissions-Policy",
                                "camera=(), microphone=(), geolocation=(), interest-cohort=()");
}

/* Files --------------------------------------------------------------------- */

static void
set_body (SoupServerMessage *msg,
          const char        *type,
          GBytes            *bytes)
{
  gsize size;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, data, size);
}

/* What the page needs to know of this server: its room and its name. */
static void
serve_config (SoupServerMessage      *msg,
              const SudaServerConfig *config)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "room");
  json_builder_add_string_value (builder, config->default_channel != NULL ? config->default_channel : "");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, config->network_name);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  bytes = g_bytes_new_take (text, length);
  set_body (msg, "application/json", bytes);
  /* It changes with a REHASH. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
}

static const PageFile *
find_file (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (page_files); i++)
    if (g_str_equal (page_files[i].path, path))
      return &page_files[i];
  return NULL;
}

/* A page file, with an ETag so a reload costs a 304: the files change only
 * with the binary, and a class reloading at once should not refetch all. */
static void
serve_file (SoupServerMessage *msg,
            const PageFile    *file)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  g_autofree char *name = g_strconcat (RESOURCE_PREFIX, file->resource, NULL);
  g_autoptr(GBytes) bytes = g_resource_lookup_data (suda_web_get_resource (), name,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autofree char *sum = NULL;
  g_autofree char *etag = NULL;
  const char *wanted;

  g_assert (bytes != NULL);
  sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  etag = g_strdup_printf ("\"%.32s\"", sum);
  soup_message_headers_replace (response, "ETag", etag);
  soup_message_headers_replace (response, "Cache-Control", "no-cache");
  wanted = soup_message_headers_get_one (request, "If-None-Match");
  if (wanted != NULL && strstr (wanted, etag) != NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  set_body (msg, file->type, bytes);
}

void
_suda_web_serve (SoupServerMessage      *msg,
                 const char             *path,
                 const SudaServerConfig *config)
{
  const char *method = soup_server_message_get_method (msg);
  const PageFile *file = find_file (path);

  if (file == NULL && !g_str_equal (path, "/config.json"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      return;
    }
  if (file != NULL)
    serve_file (msg, file);
  else
    serve_config (msg, config);
}
