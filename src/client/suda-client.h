/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-connection.h"
#include "suda-conversation.h"

G_BEGIN_DECLS

#define SUDA_TYPE_CLIENT (suda_client_get_type ())

G_DECLARE_FINAL_TYPE (SudaClient, suda_client, SUDA, CLIENT, GObject)

/* The session with one server, as the window shows it without widgets:
 * its connection (SudaConnection: socket, registration, CAP, reconnect),
 * the conversations it feeds with their members, the nickname and state
 * (through the connection), the slash commands, transcripts.  The
 * application keeps one per server in a SudaServerList.
 *
 * Signals:
 *   "attention" (SudaConversation *, SudaMessage *): a mention or a private
 *       message arrived while the window was not in front
 *   "conversation-opened" (SudaConversation *): the person joined a room or
 *       started a private conversation; the window shows it
 *   "mentioned-elsewhere" (SudaConversation *, SudaMessage *): the same
 *       while the window is in front, in a conversation not shown
 *   "browse-rooms": the person asked for the server's rooms (/list, or
 *       suda_client_browse_rooms()); the window shows the room browser
 * Properties: "connection", "conversations", "active-conversation",
 *   "window-active", "keep-transcripts", "transcript-dir", "listing-rooms"
 *   (a LIST reply for the room browser is on its way). */

SudaClient       *suda_client_new                     (void);
SudaConnection   *suda_client_get_connection          (SudaClient       *self);
GListModel       *suda_client_get_conversations       (SudaClient       *self);
SudaConversation *suda_client_get_server_conversation (SudaClient       *self);
SudaConversation *suda_client_find_conversation       (SudaClient       *self,
                                                       const char       *name);
SudaConversation *suda_client_get_active_conversation (SudaClient       *self);
void              suda_client_set_active_conversation (SudaClient       *self,
                                                       SudaConversation *conversation);
void              suda_client_set_window_active       (SudaClient       *self,
                                                       gboolean          active);
void              suda_client_set_keep_transcripts    (SudaClient       *self,
                                                       gboolean          keep);
void              suda_client_set_transcript_dir      (SudaClient       *self,
                                                       const char       *dir);
void              suda_client_set_autojoin            (SudaClient       *self,
                                                       const char       *room);
void              suda_client_connect                 (SudaClient       *self,
                                                       const char       *host,
                                                       guint16           port,
                                                       const char       *nick,
                                                       const char       *password);
void              suda_client_open_address            (SudaClient       *self,
                                                       const char       *host,
                                                       guint16           port,
                                                       const char       *nick,
                                                       const char       *room);
void              suda_client_disconnect              (SudaClient       *self);
void              suda_client_submit                  (SudaClient       *self,
                                                       SudaConversation *conversation,
                                                       const char       *input);
void              suda_client_close_conversation      (SudaClient       *self,
                                                       SudaConversation *conversation);
gboolean          suda_client_has_service             (SudaClient       *self,
                                                       SudaConversation *conversation);
gboolean          suda_client_load_older              (SudaClient       *self,
                                                       SudaConversation *conversation);
void              suda_client_note_read               (SudaClient       *self,
                                                       SudaConversation *conversation);
void              suda_client_add_local               (SudaClient       *self,
                                                       SudaConversation *conversation,
                                                       SudaMessageKind   kind,
                                                       const char       *text);
GListModel       *suda_client_get_rooms               (SudaClient       *self);
gboolean          suda_client_get_listing_rooms       (SudaClient       *self);
void              suda_client_browse_rooms            (SudaClient       *self);
gboolean          suda_text_mentions                  (const char       *text,
                                                       const char       *nick);

G_END_DECLS
