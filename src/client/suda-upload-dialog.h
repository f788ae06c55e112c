/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "suda-client.h"
#include "suda-conversation.h"

G_BEGIN_DECLS

#define SUDA_TYPE_UPLOAD_DIALOG (suda_upload_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SudaUploadDialog, suda_upload_dialog, SUDA, UPLOAD_DIALOG, AdwWindow)

/* What is about to be shared in CONVERSATION: a preview (PREVIEW, or
 * DATA decoded when it is an image), Send and Cancel.  Send uploads it
 * with a progress bar and posts the link; Cancel stops the upload. */
SudaUploadDialog *suda_upload_dialog_new   (GtkWindow        *parent,
                                            SudaClient       *client,
                                            SudaConversation *conversation,
                                            GBytes           *data,
                                            const char       *name,
                                            GdkTexture       *preview);
/* The link posted, once Send is done; NULL before. */
const char       *suda_upload_dialog_get_link (SudaUploadDialog *self);

G_END_DECLS
