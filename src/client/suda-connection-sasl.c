/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection's accounts: logging in with SASL PLAIN during
 * registration, and creating an account for the current nickname with
 * REGISTER (IRCv3 draft/account-registration). */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-connection-private.h"

/* AUTHENTICATE carries at most 400 bytes of base64 per line (IRCv3 SASL). */
#define SASL_CHUNK 400

static gboolean
is_secure (SudaConnection *self)
{
  return G_IS_TLS_CONNECTION (self->stream);
}

/* Whether to ask for the sasl capability: an account is set, and the
 * password either travels inside TLS or the person allowed it in clear. */
gboolean
_suda_connection_wants_sasl (SudaConnection *self)
{
  if (self->account == NULL || self->account_password == NULL)
    return FALSE;
  if (is_secure (self) || self->allow_cleartext)
    return TRUE;
  _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_INSECURE,
                               _("Not logging in to the account “%s”: the connection is not encrypted, "
                                 "and the password would cross the network readable by anyone."),
                               self->account);
  return FALSE;
}

gboolean
_suda_connection_start_sasl (SudaConnection *self)
{
  if (!suda_connection_has_cap (self, "sasl") || self->account == NULL ||
      self->account_password == NULL || self->sasl_running)
    return FALSE;
  self->sasl_running = TRUE;
  _suda_connection_send_now (self, "AUTHENTICATE", "PLAIN", NULL);
  return TRUE;
}

static void
finish_sasl (SudaConnection *self)
{
  if (!self->sasl_running)
    return;
  self->sasl_running = FALSE;
  if (self->state == SUDA_CONNECTION_REGISTERING)
    _suda_connection_send_now (self, "CAP", "END", NULL);
}

/* "AUTHENTICATE +": the server waits for "account\0account\0password". */
gboolean
_suda_connection_handle_authenticate (SudaConnection       *self,
                                      const SudaIrcMessage *msg,
                                      SudaIrcEvent         *event)
{
  g_autoptr(GString) plain = NULL;
  g_autofree char *encoded = NULL;
  gsize len;

  if (!self->sasl_running || strcmp (msg->params[0], "+") != 0)
    return FALSE;
  plain = g_string_new (self->account);
  g_string_append_c (plain, '\0');
  g_string_append (plain, self->account);
  g_string_append_c (plain, '\0');
  g_string_append (plain, self->account_password);
  encoded = g_base64_encode ((const guchar *) plain->str, plain->len);
  memset (plain->str, 0, plain->len);
  len = strlen (encoded);
  for (gsize at = 0; at < len; at += SASL_CHUNK)
    {
      g_autofree char *chunk = g_strndup (encoded + at, SASL_CHUNK);

      _suda_connection_send_now (self, "AUTHENTICATE", chunk, NULL);
    }
  /* A last chunk of exactly 400 bytes would leave the server waiting. */
  if (len % SASL_CHUNK == 0)
    _suda_connection_send_now (self, "AUTHENTICATE", "+", NULL);
  memset (encoded, 0, len);
  return FALSE;
}

/* What each SASL numeric means: shown as any reply (900 logged in), the
 * exchange over (903 success, 906 aborted, 907 already logged in), or a
 * refusal told as an error with the server's text or the account name
 * in its one %s (902 cannot now, 904/905 refused, 908 the mechanisms the
 * server has). */
typedef enum {
  SASL_SHOW,
  SASL_DONE,
  SASL_REFUSED_TEXT,
  SASL_REFUSED_ACCOUNT,
} SaslOutcome;

static const struct {
  const char  *numeric;
  SaslOutcome  outcome;
  const char  *message;
} sasl_replies[] = {
  { "900", SASL_SHOW,            NULL },
  { "902", SASL_REFUSED_TEXT,    N_("You cannot log in to an account now: %s") },
  { "903", SASL_DONE,            NULL },
  { "904", SASL_REFUSED_ACCOUNT, N_("The server did not accept the password of the account “%s”. "
                                    "You are connected without logging in.") },
  { "905", SASL_REFUSED_ACCOUNT, N_("The server did not accept the password of the account “%s”. "
                                    "You are connected without logging in.") },
  { "906", SASL_DONE,            NULL },
  { "907", SASL_DONE,            NULL },
  { "908", SASL_REFUSED_TEXT,    N_("This server does not take an account password (it offers: %s).") },
};

/* FORMAT comes from the table above, each with exactly one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
tell_login_failed (SudaConnection *self,
                   const char     *format,
                   const char     *argument)
{
  _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_LOGIN, _(format), argument);
}
#pragma GCC diagnostic pop

gboolean
_suda_connection_handle_sasl_numeric (SudaConnection       *self,
                                      const SudaIrcMessage *msg,
                                      SudaIrcEvent         *event)
{
  const char *text = suda_irc_message_param (msg, msg->n_params >= 3 ? msg->n_params - 2 : 1);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sasl_replies); i++)
    if (strcmp (sasl_replies[i].numeric, msg->command) == 0)
      break;
  g_return_val_if_fail (i < G_N_ELEMENTS (sasl_replies), FALSE);
  switch (sasl_replies[i].outcome)
    {
    case SASL_SHOW:
      return _suda_connection_numeric_default (self, msg, event);
    case SASL_DONE:
      finish_sasl (self);
      return FALSE;
    case SASL_REFUSED_TEXT:
    case SASL_REFUSED_ACCOUNT:
    default:
      if (!self->sasl_running)
        return FALSE;   /* told already (908 comes before its 904) */
      finish_sasl (self);
      tell_login_failed (self, sasl_replies[i].message,
                         sasl_replies[i].outcome == SASL_REFUSED_TEXT ? (text ? text : "") : self->account);
      return FALSE;
    }
}

/* Creates an account named after the current nickname, with PASSWORD;
 * once the server says so, the connection logs in with it when it
 * connects again. */
gboolean
suda_connection_register_account (SudaConnection  *self,
                                  const char      *password,
                                  GError         **error)
{
  g_return_val_if_fail (SUDA_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (self->state != SUDA_CONNECTION_CONNECTED)
    {
      g_set_error (error, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_REGISTER,
                   _("Connect to the server first."));
      return FALSE;
    }
  if (!suda_connection_has_cap (self, "draft/account-registration"))
    {
      g_set_error (error, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_REGISTER,
                   _("This server does not let you register a nickname."));
      return FALSE;
    }
  if (!is_secure (self) && !self->allow_cleartext)
    {
      g_set_error (error, SUDA_CONNECTION_ERROR, SUDA_CONNECTION_ERROR_INSECURE,
                   _("The connection is not encrypted: the password would cross the network readable by anyone."));
      return FALSE;
    }
  g_free (self->registering_password);
  self->registering_password = g_strdup (password);
  _suda_connection_send_now (self, "REGISTER", self->nick, "*", password, NULL);
  return TRUE;
}

/* "REGISTER SUCCESS account :message" or "REGISTER VERIFICATION_REQUIRED
 * account :message". */
gboolean
_suda_connection_handle_register (SudaConnection       *self,
                                  const SudaIrcMessage *msg,
                                  SudaIrcEvent         *event)
{
  g_autofree char *password = g_steal_pointer (&self->registering_password);
  const char *account = msg->params[1];

  event->kind = SUDA_IRC_EVENT_INFO;
  g_clear_pointer (&event->nick, g_free);
  event->own = FALSE;
  if (strcmp (msg->params[0], "SUCCESS") == 0)
    {
      if (password != NULL)
        suda_connection_set_account (self, account, password);
      event->text = g_strdup_printf (_("The account “%s” is registered. You will be logged in to it "
                                       "whenever you connect."), account);
    }
  else
    event->text = g_strdup_printf (_("The account “%s” needs to be verified: %s"), account,
                                   suda_irc_message_param (msg, msg->n_params - 1));
  return TRUE;
}

/* IRCv3 standard replies: "FAIL COMMAND CODE [context…] :description". */
gboolean
_suda_connection_handle_fail (SudaConnection       *self,
                              const SudaIrcMessage *msg,
                              SudaIrcEvent         *event)
{
  const char *description = msg->params[msg->n_params - 1];

  if (strcmp (msg->params[0], "REGISTER") == 0)
    {
      g_clear_pointer (&self->registering_password, g_free);
      _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_REGISTER,
                                   _("The nickname could not be registered: %s"), description);
      return FALSE;
    }
  event->kind = SUDA_IRC_EVENT_ERROR;
  g_clear_pointer (&event->nick, g_free);
  event->own = FALSE;
  event->text = g_strdup_printf ("%s: %s", msg->params[0], description);
  return TRUE;
}
