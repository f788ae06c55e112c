/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-log-entry.h"

G_BEGIN_DECLS

#define SUDA_TYPE_TRANSCRIPT (suda_transcript_get_type ())

G_DECLARE_FINAL_TYPE (SudaTranscript, suda_transcript, SUDA, TRANSCRIPT, GObject)

/* Appends each conversation's events as JSON Lines to
 * BASE_DIR/NETWORK/CONVERSATION.jsonl, in the server log's format, where
 * NETWORK is HOST on the usual ports (6667 in clear, 6697 over TLS: the
 * same server either way) and HOST:PORT on any other, so that two servers
 * on one machine keep apart. */
SudaTranscript *suda_transcript_new             (const char     *base_dir,
                                                 const char     *host,
                                                 guint16         port);
char           *suda_transcript_dup_network     (const char     *host,
                                                 guint16         port);
char           *suda_transcript_dup_default_dir (void);
char           *suda_transcript_dup_path        (SudaTranscript *self,
                                                 const char     *conversation);
gboolean        suda_transcript_append          (SudaTranscript *self,
                                                 const char     *conversation,
                                                 SudaLogEntry   *entry,
                                                 GError        **error);
char           *suda_transcript_safe_name       (const char     *name);

G_END_DECLS
