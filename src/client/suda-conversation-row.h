/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "suda-conversation.h"

G_BEGIN_DECLS

#define SUDA_TYPE_CONVERSATION_ROW (suda_conversation_row_get_type ())

G_DECLARE_FINAL_TYPE (SudaConversationRow, suda_conversation_row, SUDA, CONVERSATION_ROW, GtkWidget)

GtkWidget        *suda_conversation_row_new              (void);
void              suda_conversation_row_set_conversation (SudaConversationRow *self,
                                                          SudaConversation    *conversation);
SudaConversation *suda_conversation_row_get_conversation (SudaConversationRow *self);

G_END_DECLS
