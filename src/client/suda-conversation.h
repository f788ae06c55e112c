/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-member.h"
#include "suda-message.h"

G_BEGIN_DECLS

typedef enum {
  SUDA_CONVERSATION_SERVER,    /* the server's own messages: MOTD, notices, errors */
  SUDA_CONVERSATION_ROOM,
  SUDA_CONVERSATION_PRIVATE,
} SudaConversationKind;

#define SUDA_TYPE_CONVERSATION_KIND (suda_conversation_kind_get_type ())
#define SUDA_TYPE_CONVERSATION (suda_conversation_get_type ())

GType suda_conversation_kind_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (SudaConversation, suda_conversation, SUDA, CONVERSATION, GObject)

/* A conversation is a GListModel of SudaMessage, date separators included. */
SudaConversation     *suda_conversation_new                (SudaConversationKind  kind,
                                                            const char           *name);
SudaConversationKind  suda_conversation_get_kind           (SudaConversation     *self);
const char           *suda_conversation_get_name           (SudaConversation     *self);
void                  suda_conversation_set_name           (SudaConversation     *self,
                                                            const char           *name);
const char           *suda_conversation_get_topic          (SudaConversation     *self);
void                  suda_conversation_set_topic          (SudaConversation     *self,
                                                            const char           *topic);
gboolean              suda_conversation_get_joined         (SudaConversation     *self);
void                  suda_conversation_set_joined         (SudaConversation     *self,
                                                            gboolean              joined);
guint                 suda_conversation_get_unread_count   (SudaConversation     *self);
gboolean              suda_conversation_get_mention        (SudaConversation     *self);
void                  suda_conversation_mark_read          (SudaConversation     *self);
void                  suda_conversation_append             (SudaConversation     *self,
                                                            SudaMessage          *message,
                                                            gboolean              unread);
void                  suda_conversation_hold_join_line     (SudaConversation     *self,
                                                            SudaMessage          *line);
void                  suda_conversation_release_join_line  (SudaConversation     *self);
void                  suda_conversation_append_many        (SudaConversation     *self,
                                                            SudaMessage         **messages,
                                                            guint                 n_messages,
                                                            gboolean              unread);
gint                  suda_conversation_get_marker_position
                                                           (SudaConversation     *self);
gint64                suda_conversation_get_read_time      (SudaConversation     *self);
gboolean              suda_conversation_set_read_time      (SudaConversation     *self,
                                                            gint64                time);
gint64                suda_conversation_get_newest_time    (SudaConversation     *self);
gboolean              suda_conversation_get_loading_older  (SudaConversation     *self);
gboolean              suda_conversation_get_at_start       (SudaConversation     *self);
SudaMessage          *suda_conversation_begin_older        (SudaConversation     *self);
void                  suda_conversation_cancel_older       (SudaConversation     *self);
const char           *suda_conversation_get_older_batch    (SudaConversation     *self);
void                  suda_conversation_set_older_batch    (SudaConversation     *self,
                                                            const char           *ref);
void                  suda_conversation_add_older          (SudaConversation     *self,
                                                            SudaMessage          *message);
void                  suda_conversation_end_older          (SudaConversation     *self,
                                                            const char           *start_note);
gboolean              suda_conversation_note_seen          (SudaConversation     *self,
                                                            const char           *key);
void                  suda_conversation_clear              (SudaConversation     *self);
guint                 suda_conversation_get_n_messages     (SudaConversation     *self);
guint                 suda_conversation_get_max_messages   (SudaConversation     *self);
void                  suda_conversation_set_max_messages   (SudaConversation     *self,
                                                            guint                 max_messages);
gint                  suda_conversation_find               (SudaConversation     *self,
                                                            const char           *needle,
                                                            gint                  before);

GListModel           *suda_conversation_get_members        (SudaConversation     *self);
SudaMember           *suda_conversation_find_member        (SudaConversation     *self,
                                                            const char           *nick);
guint                 suda_conversation_get_n_members      (SudaConversation     *self);
gboolean              suda_conversation_add_member         (SudaConversation     *self,
                                                            const char           *nick,
                                                            const char           *prefixes);
gboolean              suda_conversation_remove_member      (SudaConversation     *self,
                                                            const char           *nick);
gboolean              suda_conversation_rename_member      (SudaConversation     *self,
                                                            const char           *old_nick,
                                                            const char           *new_nick);
void                  suda_conversation_set_member_mode    (SudaConversation     *self,
                                                            const char           *nick,
                                                            char                  prefix,
                                                            gboolean              add);
void                  suda_conversation_add_pending_name   (SudaConversation     *self,
                                                            const char           *nick,
                                                            const char           *prefixes);
void                  suda_conversation_commit_names       (SudaConversation     *self);
void                  suda_conversation_clear_members      (SudaConversation     *self);
char                **suda_conversation_dup_member_nicks   (SudaConversation     *self);

G_END_DECLS
