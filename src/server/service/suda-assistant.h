/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "suda-server-config.h"

G_BEGIN_DECLS

#define SUDA_TYPE_ASSISTANT        (suda_assistant_get_type ())
#define SUDA_TYPE_ASSISTANT_ANSWER (suda_assistant_answer_get_type ())
#define SUDA_ASSISTANT_ERROR       (suda_assistant_error_quark ())

G_DECLARE_FINAL_TYPE (SudaAssistant, suda_assistant, SUDA, ASSISTANT, GObject)

/* Every error's message is a sentence for the person who asked, already
 * translated; none ever contains the API key. */
typedef enum {
  SUDA_ASSISTANT_ERROR_NOT_CONFIGURED,
  SUDA_ASSISTANT_ERROR_RATE_LIMITED,      /* this asker asked too often */
  SUDA_ASSISTANT_ERROR_KEY_REJECTED,      /* HTTP 401 / 403 */
  SUDA_ASSISTANT_ERROR_QUOTA,             /* HTTP 429 insufficient_quota */
  SUDA_ASSISTANT_ERROR_TOO_MANY_REQUESTS, /* HTTP 429, or our queue is full */
  SUDA_ASSISTANT_ERROR_SERVER_ERROR,      /* HTTP 5xx after the retries */
  SUDA_ASSISTANT_ERROR_TIMEOUT,
  SUDA_ASSISTANT_ERROR_UNREACHABLE,       /* DNS, refused, TLS */
  SUDA_ASSISTANT_ERROR_BAD_RESPONSE,      /* not the JSON we expect */
  SUDA_ASSISTANT_ERROR_EMPTY_ANSWER,
  SUDA_ASSISTANT_ERROR_REQUEST_REJECTED,  /* other 4xx: unknown model, ... */
} SudaAssistantError;

typedef struct {
  char     *text;        /* the whole answer, trimmed, never empty */
  char     *model;
  gboolean  cached;
  guint     latency_ms;  /* from the ask to the answer, queueing included */
  guint     attempts;    /* HTTP requests made; 0 when cached */
} SudaAssistantAnswer;

GType                suda_assistant_answer_get_type (void) G_GNUC_CONST;
SudaAssistantAnswer *suda_assistant_answer_copy     (const SudaAssistantAnswer *answer);
void                 suda_assistant_answer_free     (SudaAssistantAnswer       *answer);

GQuark               suda_assistant_error_quark     (void);
const char          *suda_assistant_error_get_name  (const GError *error);

/* CONFIG is the [ai] group as suda-server-config.c checked it; the key is
 * its api_key when it names a key file, else $OPENAI_API_KEY. */
SudaAssistant       *suda_assistant_new             (const SudaAiConfig  *config);
gboolean             suda_assistant_is_configured   (SudaAssistant  *self);
const char          *suda_assistant_get_model       (SudaAssistant  *self);
const char          *suda_assistant_get_base_url    (SudaAssistant  *self);
guint                suda_assistant_get_max_lines   (SudaAssistant  *self);
guint                suda_assistant_get_n_active    (SudaAssistant  *self);
guint                suda_assistant_get_n_queued    (SudaAssistant  *self);

/* What an ask says besides its question: INSTRUCTIONS, a system message
 * after the configured one (what to do: summarize, make a quiz); CONTEXT,
 * text the question is about (the room's recent lines), sent before it;
 * CACHE_KEY, what makes two asks the same answer (NULL: the normalized
 * question, "" never cached). */
typedef struct {
  const char *instructions;
  const char *context;
  const char *cache_key;
} SudaAssistantPrompt;

/* Asks QUERY on behalf of ASKER (the per-user rate limit's key).  Never
 * blocks: the answer comes from the cache, or from the API once a request
 * slot is free. */
void                 suda_assistant_ask_async       (SudaAssistant       *self,
                                                     const char          *asker,
                                                     const char          *query,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* The same with a PROMPT around QUERY (NULL: as suda_assistant_ask_async). */
void                 suda_assistant_ask_prompt_async (SudaAssistant             *self,
                                                     const char                *asker,
                                                     const char                *query,
                                                     const SudaAssistantPrompt *prompt,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
SudaAssistantAnswer *suda_assistant_ask_finish      (SudaAssistant       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
/* What happened on the wire, for the log (never for a chat user, and never
 * with the key): "HTTP 500 ×3", "connection refused", ...  NULL if nothing
 * was sent.  Valid as long as RESULT. */
const char          *suda_assistant_ask_get_detail  (GAsyncResult        *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaAssistantAnswer, suda_assistant_answer_free)

G_END_DECLS
