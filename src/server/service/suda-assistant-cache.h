/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* SudaAssistant's answer cache: least recently used entries go first when
 * it is full, and an entry older than its lifetime is never returned. */
typedef struct _SudaAnswerCache SudaAnswerCache;

SudaAnswerCache *_suda_answer_cache_new      (guint            max_entries,
                                              gint64           ttl_usec);
void             _suda_answer_cache_free     (SudaAnswerCache *self);
const char      *_suda_answer_cache_lookup   (SudaAnswerCache *self,
                                              const char      *key,
                                              gint64           now_usec);
void             _suda_answer_cache_insert   (SudaAnswerCache *self,
                                              const char      *key,
                                              const char      *text,
                                              gint64           now_usec);

G_END_DECLS
