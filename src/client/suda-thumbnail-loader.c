/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Thumbnails of image links: one fetch per address however many rows
 * show it, the decoding and scaling in a worker thread, the result kept
 * (or the failure, so a broken link is not fetched again and again). */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "suda-thumbnail-loader.h"

#define MAX_WIDTH 320
#define MAX_HEIGHT 240
#define MAX_BYTES (16 * 1024 * 1024)
#define CACHE_MAX 200

struct _SudaThumbnailLoader
{
  GObject      parent_instance;

  SoupSession *session;
  GHashTable  *origins;    /* origin → GTlsCertificate or a placeholder */
  GHashTable  *hosts;      /* hosts allowed by the person */
  GHashTable  *cache;      /* url → GdkTexture, or the loader itself for a failure */
  GHashTable  *pending;    /* url → GPtrArray of GTask */
};

G_DEFINE_FINAL_TYPE (SudaThumbnailLoader, suda_thumbnail_loader, G_TYPE_OBJECT)

static void
suda_thumbnail_loader_finalize (GObject *object)
{
  SudaThumbnailLoader *self = SUDA_THUMBNAIL_LOADER (object);

  g_clear_object (&self->session);
  g_hash_table_unref (self->origins);
  g_hash_table_unref (self->hosts);
  g_hash_table_unref (self->cache);
  g_hash_table_unref (self->pending);
  G_OBJECT_CLASS (suda_thumbnail_loader_parent_class)->finalize (object);
}

static void
suda_thumbnail_loader_class_init (SudaThumbnailLoaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = suda_thumbnail_loader_finalize;
}

static void
suda_thumbnail_loader_init (SudaThumbnailLoader *self)
{
  self->session = soup_session_new ();
  self->origins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
}

SudaThumbnailLoader *
suda_thumbnail_loader_get_default (void)
{
  static SudaThumbnailLoader *instance;

  if (instance == NULL)
    instance = g_object_new (SUDA_TYPE_THUMBNAIL_LOADER, NULL);
  return instance;
}

/* Addresses ----------------------------------------------------------------- */

static char *
origin_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *host = NULL;
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  scheme = g_uri_get_scheme (uri);
  if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    return NULL;
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  return g_strdup_printf ("%s://%s:%d", scheme, host,
                          g_uri_get_port (uri) > 0 ? g_uri_get_port (uri)
                          : g_str_equal (scheme, "https") ? 443 : 80);
}

static char *
host_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri && g_uri_get_host (uri) ? g_ascii_strdown (g_uri_get_host (uri), -1) : NULL;
}

char *
suda_thumbnail_find_image_link (const char *text)
{
  static const char * const extensions[] = { ".png", ".jpg", ".jpeg", ".gif", ".webp" };
  g_auto(GStrv) words = g_strsplit_set (text ? text : "", " \t\n", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autoptr(GUri) uri = NULL;
      g_autofree char *path = NULL;

      if (!g_str_has_prefix (words[i], "http://") && !g_str_has_prefix (words[i], "https://"))
        continue;
      uri = g_uri_parse (words[i], G_URI_FLAGS_NONE, NULL);
      if (uri == NULL)
        continue;
      path = g_ascii_strdown (g_uri_get_path (uri), -1);
      for (guint j = 0; j < G_N_ELEMENTS (extensions); j++)
        if (g_str_has_suffix (path, extensions[j]))
          return g_strdup (words[i]);
    }
  return NULL;
}

void
suda_thumbnail_loader_trust_origin (SudaThumbnailLoader *self,
                                    const char          *url,
                                    GTlsCertificate     *certificate)
{
  char *origin;

  g_return_if_fail (SUDA_IS_THUMBNAIL_LOADER (self));

  if (url == NULL || (origin = origin_of (url)) == NULL)
    return;
  /* The loader stands for "no certificate": the system's trust decides. */
  g_hash_table_replace (self->origins, origin,
                        g_object_ref (certificate ? (GObject *) certificate : (GObject *) self));
}

void
suda_thumbnail_loader_allow_host (SudaThumbnailLoader *self,
                                  const char          *host)
{
  g_return_if_fail (SUDA_IS_THUMBNAIL_LOADER (self));
  g_hash_table_add (self->hosts, g_ascii_strdown (host, -1));
}

gboolean
suda_thumbnail_loader_may_load (SudaThumbnailLoader *self,
                                const char          *url)
{
  g_autofree char *origin = origin_of (url);
  g_autofree char *host = host_of (url);

  g_return_val_if_fail (SUDA_IS_THUMBNAIL_LOADER (self), FALSE);
  return origin != NULL && (g_hash_table_contains (self->origins, origin) ||
                            g_hash_table_contains (self->hosts, host));
}

GdkTexture *
suda_thumbnail_loader_lookup (SudaThumbnailLoader *self,
                              const char          *url,
                              gboolean            *failed)
{
  gpointer found = g_hash_table_lookup (self->cache, url);

  *failed = found == (gpointer) self;
  return found != NULL && found != (gpointer) self ? found : NULL;
}

/* Loading -------------------------------------------------------------------- */

static void
finish_all (SudaThumbnailLoader *self,
            const char          *url,
            GdkTexture          *texture,
            const GError        *error)
{
  g_autoptr(GPtrArray) tasks = NULL;
  g_autofree char *key = NULL;

  if (g_hash_table_size (self->cache) >= CACHE_MAX)
    g_hash_table_remove_all (self->cache);
  g_hash_table_replace (self->cache, g_strdup (url),
                        g_object_ref (texture ? (GObject *) texture : (GObject *) self));
  if (!g_hash_table_steal_extended (self->pending, url, (gpointer *) &key, (gpointer *) &tasks))
    return;
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (texture != NULL)
        g_task_return_pointer (task, g_object_ref (texture), g_object_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

static void
decode_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (data);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GError *error = NULL;

  double scale;

  pixbuf = gdk_pixbuf_new_from_stream (stream, NULL, &error);
  if (pixbuf == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Smaller, never larger: a small picture stays as it was drawn. */
  scale = MIN (1.0, MIN ((double) MAX_WIDTH / gdk_pixbuf_get_width (pixbuf),
                         (double) MAX_HEIGHT / gdk_pixbuf_get_height (pixbuf)));
  if (scale < 1.0)
    {
      GdkPixbuf *scaled = gdk_pixbuf_scale_simple (pixbuf, MAX (1, gdk_pixbuf_get_width (pixbuf) * scale),
                                                   MAX (1, gdk_pixbuf_get_height (pixbuf) * scale),
                                                   GDK_INTERP_BILINEAR);

      g_object_unref (pixbuf);
      pixbuf = scaled;
    }
  g_task_return_pointer (task, gdk_texture_new_for_pixbuf (pixbuf), g_object_unref);
}

static void
on_decoded (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autofree char *url = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);

  finish_all (SUDA_THUMBNAIL_LOADER (source), url, texture, error);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GTask) fetch = data;
  SudaThumbnailLoader *self = g_task_get_source_object (fetch);
  SoupMessage *msg = g_task_get_task_data (fetch);
  const char *url = g_object_get_data (G_OBJECT (fetch), "url");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(GTask) decode = NULL;

  if (body != NULL && (soup_message_get_status (msg) != SOUP_STATUS_OK || g_bytes_get_size (body) > MAX_BYTES))
    {
      g_clear_pointer (&body, g_bytes_unref);
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u", soup_message_get_status (msg));
    }
  if (body == NULL)
    {
      finish_all (self, url, NULL, error);
      return;
    }
  decode = g_task_new (self, NULL, on_decoded, g_strdup (url));
  g_task_set_source_tag (decode, decode_in_thread);
  g_task_set_task_data (decode, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (decode, decode_in_thread);
}

static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       SudaThumbnailLoader  *self)
{
  g_autofree char *url = g_uri_to_string (soup_message_get_uri (msg));
  g_autofree char *origin = origin_of (url);
  gpointer trusted = origin ? g_hash_table_lookup (self->origins, origin) : NULL;

  return G_IS_TLS_CERTIFICATE (trusted) && g_tls_certificate_is_same (trusted, certificate);
}

static void
fetch (SudaThumbnailLoader *self,
       const char          *url)
{
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GTask) fetch = NULL;

  if (msg == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, url);

      finish_all (self, url, NULL, error);
      return;
    }
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self, 0);
  fetch = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (fetch, g_object_ref (msg), g_object_unref);
  g_object_set_data_full (G_OBJECT (fetch), "url", g_strdup (url), g_free);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_LOW, NULL, on_fetched, g_steal_pointer (&fetch));
}

void
suda_thumbnail_loader_load_async (SudaThumbnailLoader *self,
                                  const char          *url,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *waiting;
  gboolean failed;
  GdkTexture *texture;

  g_return_if_fail (SUDA_IS_THUMBNAIL_LOADER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, suda_thumbnail_loader_load_async);
  texture = suda_thumbnail_loader_lookup (self, url, &failed);
  if (texture != NULL || failed)
    {
      if (texture != NULL)
        g_task_return_pointer (task, g_object_ref (texture), g_object_unref);
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", url);
      return;
    }
  waiting = g_hash_table_lookup (self->pending, url);
  if (waiting == NULL)
    {
      waiting = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->pending, g_strdup (url), waiting);
      g_ptr_array_add (waiting, g_steal_pointer (&task));
      fetch (self, url);
      return;
    }
  g_ptr_array_add (waiting, g_steal_pointer (&task));
}

GdkTexture *
suda_thumbnail_loader_load_finish (SudaThumbnailLoader  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
