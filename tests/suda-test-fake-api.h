/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A stand-in for an OpenAI-compatible chat completions API on 127.0.0.1,
 * port 0: it answers from a script and records what it was sent, so the
 * real API is never called from tests. */

/* A delay that lasts until suda_fake_api_release(). */
#define SUDA_FAKE_API_HOLD G_MAXUINT

typedef struct {
  SoupServer *server;
  char       *base_url;        /* "http://127.0.0.1:PORT/v1" */
  GPtrArray  *bodies;          /* char *, each request's body, in order */
  GPtrArray  *authorizations;  /* char *, each Authorization header, "" if none */
  GArray     *times;           /* gint64, g_get_monotonic_time() of each request */
  guint       n_active;        /* requests received and not answered yet */
  guint       max_active;

  /*< private >*/
  GQueue      replies;
  GPtrArray   *delayed;
} SudaFakeApi;

SudaFakeApi *suda_fake_api_new          (void);
void         suda_fake_api_free         (SudaFakeApi *self);
/* The next request gets STATUS and BODY (and Retry-After if not NULL)
 * after DELAY_MS.  Unscripted requests get a success, "default answer". */
void         suda_fake_api_script       (SudaFakeApi *self,
                                         guint        status,
                                         const char  *body,
                                         const char  *retry_after,
                                         guint        delay_ms);
/* The next request gets a success whose answer is CONTENT. */
void         suda_fake_api_script_success (SudaFakeApi *self,
                                           const char  *content,
                                           guint        delay_ms);
/* Answers every request held with SUDA_FAKE_API_HOLD. */
void         suda_fake_api_release      (SudaFakeApi *self);
/* A chat completion whose choices[0].message.content is CONTENT. */
char        *suda_fake_api_success_body (const char  *content);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaFakeApi, suda_fake_api_free)

G_END_DECLS
