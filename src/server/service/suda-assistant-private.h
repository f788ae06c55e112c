/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-assistant.h"

G_BEGIN_DECLS

typedef gint64 (*SudaAssistantClock) (gpointer user_data);

/* The clock of the rate limit's window and the cache's lifetime, in
 * microseconds; tests drive it instead of sleeping.  NULL restores
 * g_get_monotonic_time(). */
void   _suda_assistant_set_clock       (SudaAssistant      *self,
                                        SudaAssistantClock  clock,
                                        gpointer            user_data);
/* The cache's idea of "the same question": NFKC, case-folded, runs of
 * white space collapsed to one space, trimmed. */
char  *_suda_assistant_normalize_query (const char         *query);

G_END_DECLS
