/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "suda-server-private.h"

G_BEGIN_DECLS

#define SUDA_TYPE_FILE_HOST (suda_file_host_get_type ())

G_DECLARE_FINAL_TYPE (SudaFileHost, suda_file_host, SUDA, FILE_HOST, GObject)

/* Uploads ([files] port=): POST /upload, GET /files/ID.  CORE is borrowed
 * (its config, accounts and delivery, read at each request) and must
 * outlive the host; HTTPS when CERTIFICATE is given. */
SudaFileHost *suda_file_host_new            (const SudaCore  *core,
                                             GTlsCertificate *certificate);
/* Sweeps out expired files, then listens, and sweeps daily. */
gboolean      suda_file_host_start          (SudaFileHost    *self,
                                             GError         **error);
void          suda_file_host_stop           (SudaFileHost    *self);
guint16       suda_file_host_get_port       (SudaFileHost    *self);
const char   *suda_file_host_get_folder     (SudaFileHost    *self);
/* The address to POST to, as the ISUPPORT token gives it: [files] url=,
 * or this machine as LOCAL (the address a client reached the chat by;
 * NULL: the listening one) names it. */
char         *suda_file_host_dup_upload_url (SudaFileHost    *self,
                                             GSocketAddress  *local);
/* A bearer token for uploads in the name of SESSION's user, good while
 * the session lives; the same one each time it asks. */
char         *suda_file_host_grant          (SudaFileHost    *self,
                                             SudaSession     *session,
                                             const char      *account);
/* Deletes the files older than [files] retention= days (now), in this
 * thread; returns how many went. */
guint         suda_file_host_sweep          (SudaFileHost    *self);

G_END_DECLS
