/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "suda-assistant.h"
#include "suda-assistant-cache.h"

G_BEGIN_DECLS

/* SudaAssistant is split by concern over suda-assistant.c (the object, the
 * queue and the life of an ask), -request.c (HTTP out and in),
 * -response.c (reading answers, retries) and -rate-limit.c; this header
 * is what they share, and the clock hook tests use. */

typedef gint64 (*SudaAssistantClock) (gpointer user_data);

struct _SudaAssistant
{
  GObject             parent_instance;

  SudaAiConfig        config;    /* a copy; its api_key is unused */
  char               *endpoint;
  char               *api_key;   /* from the key file, or $OPENAI_API_KEY */
  gboolean            configured;

  SoupSession        *session;
  SudaAnswerCache    *cache;

  /* asker → GQueue of the times (clock µs) of their asks in the window */
  GHashTable         *recent_asks;

  guint               n_active;
  GQueue              queue;   /* GTask, waiting for a free request slot */

  SudaAssistantClock  clock;
  gpointer            clock_data;
};

typedef enum {
  ASK_QUEUED,
  ASK_SENDING,
  ASK_WAITING_TO_RETRY,
} AskState;

/* The state of one ask, the data of its GTask.  The GTask's own reference
 * lives from suda_assistant_ask_async() to finish_ask(); every operation in
 * flight holds one more. */
typedef struct {
  char          *asker;
  char          *query;
  char          *cache_key;    /* NULL: never cached */
  char          *instructions; /* SudaAssistantPrompt's, or NULL */
  char          *context;
  gint64         asked_at;     /* g_get_monotonic_time(), for the latency */
  AskState       state;
  gboolean       holds_slot;
  gboolean       timed_out;
  guint          attempts;
  guint          last_status;
  char          *detail;

  GCancellable  *request_cancellable;
  GSource       *user_cancel_source;
  GSource       *deadline_source;
  GSource       *retry_source;

  SoupMessage   *message;
  GInputStream  *stream;
  GByteArray    *body;
} Ask;

/* The clock of the rate limit's window and the cache's lifetime, in
 * microseconds; tests drive it instead of sleeping.  NULL restores
 * g_get_monotonic_time(). */
void   _suda_assistant_set_clock       (SudaAssistant      *self,
                                        SudaAssistantClock  clock,
                                        gpointer            user_data);
/* The cache's idea of "the same question": NFKC, case-folded, runs of
 * white space collapsed to one space, trimmed. */
char  *_suda_assistant_normalize_query (const char         *query);

/* suda-assistant.c: every way an ask ends goes through finish_ask, once. */
gint64               _suda_assistant_now              (SudaAssistant       *self);
char                *_suda_assistant_scrub_key        (SudaAssistant       *self,
                                                       char                *text);
void                 _suda_assistant_ask_set_detail   (GTask               *task,
                                                       const char          *format,
                                                       ...) G_GNUC_PRINTF (2, 3);
void                 _suda_assistant_finish_ask       (GTask               *task,
                                                       SudaAssistantAnswer *answer,
                                                       GError              *error);
void                 _suda_assistant_finish_ask_error (GTask               *task,
                                                       int                  code,
                                                       const char          *message);
void                 _suda_assistant_finish_cancelled (GTask               *task);
void                 _suda_assistant_finish_timeout   (GTask               *task);
SudaAssistantAnswer *_suda_assistant_make_answer      (SudaAssistant       *self,
                                                       Ask                 *ask,
                                                       const char          *text,
                                                       gboolean             cached);

/* suda-assistant-request.c */
void                 _suda_assistant_send_attempt     (GTask               *task);

/* suda-assistant-response.c */
void                 _suda_assistant_handle_response  (GTask               *task,
                                                       GBytes              *body);

/* suda-assistant-rate-limit.c: 0 when ASKER may ask now (the ask is
 * counted), else the seconds until they may. */
guint                _suda_assistant_rate_limit_check (SudaAssistant       *self,
                                                       const char          *asker);
void                 _suda_assistant_free_times       (GQueue              *times);

G_END_DECLS
