/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 1459 allows 15 parameters; the 15th takes the rest of the line. */
#define SUDA_IRC_MAX_PARAMS 15
/* 512 bytes including CR LF, as RFC 1459 section 2.3 states. */
#define SUDA_IRC_MAX_LINE 512
/* IRCv3 message-tags: up to 8191 bytes for tags, '@' and the space included. */
#define SUDA_IRC_MAX_TAGS 8191

#define SUDA_IRC_ERROR (suda_irc_error_quark ())

typedef enum {
  SUDA_IRC_ERROR_EMPTY,
  SUDA_IRC_ERROR_NO_COMMAND,
  SUDA_IRC_ERROR_BAD_COMMAND,
  SUDA_IRC_ERROR_TOO_LONG,
  SUDA_IRC_ERROR_NUL,
  SUDA_IRC_ERROR_BAD_UTF8,
  SUDA_IRC_ERROR_BAD_CHARACTER,
} SudaIrcError;

/* A parsed line.  The pointers point into the line given to
 * suda_irc_message_parse(), which is modified in place: parsing allocates
 * nothing, which matters on the server's hot path. */
typedef struct {
  char  *tags;      /* raw tags without the leading '@', or NULL */
  char  *source;    /* prefix without the leading ':', or NULL */
  char  *command;   /* upper-cased in place */
  guint  n_params;
  char  *params[SUDA_IRC_MAX_PARAMS];
} SudaIrcMessage;

GQuark    suda_irc_error_quark        (void);
gboolean  suda_irc_message_parse      (SudaIrcMessage *msg,
                                       char           *line,
                                       GError        **error);
char     *suda_irc_message_dup_tag    (const SudaIrcMessage *msg,
                                       const char           *key);
const char *suda_irc_message_param    (const SudaIrcMessage *msg,
                                       guint                 index);

void      suda_irc_append_line        (GString            *out,
                                       const char         *tags,
                                       const char         *source,
                                       const char         *command,
                                       const char * const *params,
                                       guint               n_params);
void      suda_irc_append_tag_value   (GString    *out,
                                       const char *value);
char     *suda_irc_unescape_tag_value (const char *value);

char     *suda_irc_source_nick        (const char *source);
gboolean  suda_irc_is_valid_nick      (const char *nick,
                                       guint       max_len);
gboolean  suda_irc_is_channel         (const char *target);
gboolean  suda_irc_is_valid_channel   (const char *name,
                                       guint       max_len);
char     *suda_irc_casefold           (const char *name);
int       suda_irc_casecmp            (const char *a,
                                       const char *b);
guint     suda_irc_casefold_hash      (gconstpointer key);
gboolean  suda_irc_casefold_equal     (gconstpointer a,
                                       gconstpointer b);
gsize     suda_utf8_truncate          (const char *text,
                                       gsize       len,
                                       gsize       max_bytes);
char     *suda_irc_format_time_tag    (gint64 unix_usec);

G_END_DECLS
