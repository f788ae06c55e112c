/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SUDA_TYPE_THUMBNAIL_LOADER (suda_thumbnail_loader_get_type ())

G_DECLARE_FINAL_TYPE (SudaThumbnailLoader, suda_thumbnail_loader, SUDA, THUMBNAIL_LOADER, GObject)

/* The small pictures of image links in the history: fetched and scaled
 * off the main loop, kept (a bounded cache), from the chat's own file
 * hosts at once and from other hosts once the person allows each. */
SudaThumbnailLoader *suda_thumbnail_loader_get_default  (void);
/* The first link in TEXT to an image (by its name's extension), or NULL. */
char                *suda_thumbnail_find_image_link     (const char          *text);
/* URL's origin is a server's file host (FILEHOST); CERTIFICATE, when not
 * NULL, is the chat's, which the file host shares. */
void                 suda_thumbnail_loader_trust_origin (SudaThumbnailLoader *self,
                                                         const char          *url,
                                                         GTlsCertificate     *certificate);
void                 suda_thumbnail_loader_allow_host   (SudaThumbnailLoader *self,
                                                         const char          *host);
gboolean             suda_thumbnail_loader_may_load     (SudaThumbnailLoader *self,
                                                         const char          *url);
/* The picture of URL if it was loaded already (borrowed), or NULL;
 * *FAILED says a load was tried and failed. */
GdkTexture          *suda_thumbnail_loader_lookup       (SudaThumbnailLoader *self,
                                                         const char          *url,
                                                         gboolean            *failed);
void                 suda_thumbnail_loader_load_async   (SudaThumbnailLoader *self,
                                                         const char          *url,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
GdkTexture          *suda_thumbnail_loader_load_finish  (SudaThumbnailLoader *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
