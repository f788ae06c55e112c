/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Accounts on the IRC side: logging in (what SASL and REGISTER lead to),
 * REGISTER (IRCv3 draft/account-registration), CERTFP, operators by
 * account, and the protection of a registered account's nick. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

static void
server_notice (SudaClient *c,
               const char *text)
{
  if (c->protocol->plain)
    _suda_client_sendf (c, "*** %s\r\n", text);
  else
    _suda_irc_send_line (c, _suda_irc_server_name (c), "NOTICE", _suda_client_target_name (c), text);
}

const char *
_suda_irc_client_certfp (SudaClient *c)
{
  /* No TLS client certificates yet (the TLS listener adds them). */
  return NULL;
}

/* Operators by account: "[operators] NAME=account:ACCOUNT", or an account
 * the console marked as an operator's. */
static void
grant_operator (SudaClient *c)
{
  const char *name = suda_server_config_get_account_operator (c->core->config, c->account);
  g_autoptr(SudaAccountInfo) info = NULL;

  if (c->oper || !c->registered)
    return;
  if (name == NULL && (info = suda_account_store_lookup (c->core->accounts, c->account)) != NULL &&
      info->is_operator)
    name = c->account;
  if (name)
    _suda_irc_become_oper (c, name);
}

/* Nick protection ------------------------------------------------------------ */

/* C's nick is a registered account's, and C is not logged into it. */
static gboolean
is_on_foreign_nick (SudaClient *c)
{
  if (c->core->accounts == NULL || c->nick == NULL)
    return FALSE;
  if (c->account && suda_irc_casecmp (c->account, c->nick) == 0)
    return FALSE;
  return suda_account_store_exists (c->core->accounts, c->nick);
}

static void
rename_to_guest (SudaClient *c)
{
  char guest[16];
  g_autofree char *text = NULL;
  guint tries = 0;

  do
    g_snprintf (guest, sizeof guest, "Guest%04u", (guint) g_random_int_range (0, 10000));
  while (_suda_registry_nick_in_use (c->core->registry, guest) && ++tries < 1000);
  text = g_strdup_printf ("renamed from %s (nick of a registered account)", c->nick);
  _suda_delivery_log_event (c->core->delivery, "mode", NULL, c->nick, text);
  g_clear_handle_id (&c->nick_grace_id, _suda_source_remove);
  _suda_irc_remember_nick (c);
  _suda_delivery_nick (c->core->delivery, c, guest);
}

#define GRACE_RECHECK_MS 200

static gboolean
on_grace_over (gpointer data)
{
  SudaSession *session = data;
  SudaClient *c;

  if (_suda_session_is_closing (session))
    return G_SOURCE_REMOVE;
  c = _suda_client_from_session (session);
  c->nick_grace_id = 0;
  /* A password being checked may be the owner's: its answer is waited for. */
  if (c->auth_checking)
    {
      c->nick_grace_id = _suda_timeout_add_full (G_PRIORITY_DEFAULT, GRACE_RECHECK_MS, on_grace_over,
                                                 g_object_ref (session), g_object_unref);
      return G_SOURCE_REMOVE;
    }
  if (is_on_foreign_nick (c))
    {
      server_notice (c, _("You did not log in: your nick was changed."));
      rename_to_guest (c);
    }
  return G_SOURCE_REMOVE;
}

/* After registration and every nick change: a stranger on a registered
 * nick is told, and renamed unless they log in within [accounts] nick-grace. */
void
_suda_irc_account_check_nick (SudaClient *c)
{
  guint grace_ms = c->core->config->accounts.nick_grace_ms;
  g_autofree char *text = NULL;

  g_clear_handle_id (&c->nick_grace_id, _suda_source_remove);
  if (!c->registered || !is_on_foreign_nick (c))
    return;
  /* A plain-text session has no way to log in: no grace to wait out. */
  if (c->protocol->plain)
    {
      server_notice (c, _("That nickname belongs to a registered account: you were given another."));
      rename_to_guest (c);
      return;
    }
  text = g_strdup_printf (_("The nick %s belongs to a registered account. Log in within %u seconds "
                            "(AUTHENTICATE, SASL PLAIN), or you will be renamed."),
                          c->nick, (grace_ms + 999) / 1000);
  server_notice (c, text);
  c->nick_grace_id = _suda_timeout_add_full (G_PRIORITY_DEFAULT, grace_ms, on_grace_over,
                                             g_object_ref (c->session), g_object_unref);
}

/* A logged-in user asks for their own account's nick, held by someone not
 * logged into it: the holder is renamed at once.  TRUE when the nick is free now. */
gboolean
_suda_irc_account_reclaim (SudaClient *c,
                           const char *nick)
{
  SudaClient *holder = _suda_registry_find_client (c->core->registry, nick);

  if (holder == NULL || holder == c || c->account == NULL || suda_irc_casecmp (c->account, nick) != 0)
    return FALSE;
  if (holder->account && suda_irc_casecmp (holder->account, nick) == 0)
    return FALSE;
  server_notice (holder, _("The owner of this nick logged in: your nick was changed."));
  rename_to_guest (holder);
  return TRUE;
}

/* Logging in ------------------------------------------------------------------ */

static void
announce_account (SudaClient *c)
{
  SudaOutLine line = { .time = g_get_real_time (), .source = c->mask, .nick = c->nick,
                       .command = "ACCOUNT", .target = c->account };

  _suda_delivery_to_peers (c->core->delivery, NULL, &line, c, FALSE, SUDA_CAP_ACCOUNT_NOTIFY);
}

/* C proved it owns ACCOUNT (SASL, or REGISTER of its own nick). */
void
_suda_irc_account_login (SudaClient *c,
                         const char *account)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "login", NULL, c->nick, NULL);

  g_free (c->account);
  c->account = g_strdup (account);
  suda_log_entry_set_field (entry, "account", account);
  suda_log_entry_set_field (entry, "address", c->host);
  _suda_delivery_log (c->core->delivery, entry);
  _suda_irc_replyf (c, "900", "%s %s :%s", c->mask ? c->mask : "*", account,
                    _("You are now logged in"));
  if (!c->registered)
    return;   /* the welcome does the rest */
  announce_account (c);
  grant_operator (c);
  _suda_irc_account_check_nick (c);
}

/* The end of the welcome burst. */
void
_suda_irc_account_welcomed (SudaClient *c)
{
  if (c->account)
    grant_operator (c);
  _suda_irc_account_check_nick (c);
}

void
_suda_irc_account_closed (SudaClient *c)
{
  g_clear_handle_id (&c->nick_grace_id, _suda_source_remove);
  g_clear_pointer (&c->sasl, _suda_irc_sasl_free);
}

/* REGISTER (draft/account-registration) -------------------------------------- */

static void
register_fail (SudaClient *c,
               const char *code,
               const char *account,
               const char *text)
{
  g_autofree char *what = g_strdup_printf ("%s %s", code, account);

  _suda_irc_fail (c, "REGISTER", what, text);
}

typedef struct {
  SudaSession *session;
  char        *account;
  gboolean     own;     /* the client's own nick: it is logged in after */
} Registering;

static void
registering_free (Registering *r)
{
  g_object_unref (r->session);
  g_free (r->account);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Registering, registering_free)

static const char *
code_for (const GError *error)
{
  if (g_error_matches (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS))
    return "ACCOUNT_EXISTS";
  if (g_error_matches (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_INVALID_NAME))
    return "BAD_ACCOUNT_NAME";
  if (g_error_matches (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_WEAK_PASSWORD))
    return "WEAK_PASSWORD";
  return "TEMPORARILY_UNAVAILABLE";
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(Registering) r = data;
  g_autoptr(GError) error = NULL;
  gboolean done = suda_account_store_register_finish (SUDA_ACCOUNT_STORE (source), result, &error);
  g_autofree char *text = NULL;
  SudaClient *c;

  /* The account exists even if its maker left meanwhile. */
  if (_suda_session_is_closing (r->session))
    return;
  c = _suda_client_from_session (r->session);
  c->auth_checking = FALSE;
  if (!done)
    register_fail (c, code_for (error), r->account, error->message);
  else
    {
      g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "account", NULL, c->nick, "registered");

      suda_log_entry_set_field (entry, "account", r->account);
      _suda_delivery_log (c->core->delivery, entry);
      text = g_strdup_printf (_("Account %s created"), r->account);
      _suda_irc_sendf (c, ":%s REGISTER SUCCESS %s :%s\r\n", _suda_irc_server_name (c), r->account, text);
      if (r->own)
        _suda_irc_account_login (c, r->account);
    }
  _suda_irc_try_register (c);
}

/* Who may make ACCOUNT: [accounts] registration, and an operator anyone's. */
static gboolean
may_register (SudaClient *c,
              const char *account)
{
  const char *policy = c->core->config->accounts.registration;
  gboolean own = c->nick && suda_irc_casecmp (account, c->nick) == 0;

  if (c->core->accounts == NULL)
    register_fail (c, "TEMPORARILY_UNAVAILABLE", account, _("This server has no account store"));
  else if (g_strcmp0 (policy, "closed") == 0 || (g_strcmp0 (policy, "operators") == 0 && !c->oper))
    register_fail (c, "DISALLOWED", account, _("Only an operator may create accounts on this server"));
  else if (c->auth_checking)
    register_fail (c, "TEMPORARILY_UNAVAILABLE", account, _("Another check is under way"));
  else if (c->oper && !own)
    return TRUE;
  else if (c->nick == NULL)
    register_fail (c, "NEED_NICK", account, _("Choose a nick first: the account takes its name"));
  else if (!own)
    register_fail (c, "ACCOUNT_NAME_MUST_BE_NICK", account, _("The account name must be your nick"));
  else if (c->account)
    register_fail (c, "ALREADY_AUTHENTICATED", account, _("You are already logged in"));
  else
    return TRUE;
  return FALSE;
}

/* REGISTER <account|*> <email> <password>; the e-mail is not kept. */
void
_suda_irc_cmd_register (SudaClient     *c,
                        SudaIrcMessage *m)
{
  const char *account = g_str_equal (m->params[0], "*") && c->nick ? c->nick : m->params[0];
  Registering *r;

  if (!may_register (c, account))
    return;
  r = g_new0 (Registering, 1);
  r->session = g_object_ref (c->session);
  r->account = g_strdup (account);
  r->own = c->nick && suda_irc_casecmp (account, c->nick) == 0 && c->account == NULL;
  /* Hashing takes a worker tens of milliseconds: registration waits. */
  c->auth_checking = TRUE;
  suda_account_store_register_async (c->core->accounts, account, m->params[2], NULL, on_registered, r);
}

/* CERTFP: the logged-in account's TLS client certificates, for SASL EXTERNAL ------ */

static void
certfp_list (SudaClient *c)
{
  g_auto(GStrv) fingerprints = suda_account_store_list_certificates (c->core->accounts, c->account);
  const char *server = _suda_irc_server_name (c);

  for (guint i = 0; fingerprints[i]; i++)
    _suda_irc_sendf (c, ":%s NOTE CERTFP LISTED %s :%s\r\n", server, fingerprints[i], c->account);
  _suda_irc_sendf (c, ":%s NOTE CERTFP END %s :%s\r\n", server, c->account,
                   _("End of the certificate list"));
}

/* CERTFP [ADD | REMOVE [FINGERPRINT] | LIST] */
void
_suda_irc_cmd_certfp (SudaClient     *c,
                      SudaIrcMessage *m)
{
  const char *sub = m->n_params ? m->params[0] : "LIST";
  const char *current = _suda_irc_client_certfp (c);
  const char *fingerprint = m->n_params > 1 ? m->params[1] : current;
  g_autoptr(GError) error = NULL;
  gboolean add = g_ascii_strcasecmp (sub, "ADD") == 0;

  if (c->core->accounts == NULL || c->account == NULL)
    _suda_irc_fail (c, "CERTFP", "NOT_LOGGED_IN", _("Log in to an account first"));
  else if (g_ascii_strcasecmp (sub, "LIST") == 0)
    certfp_list (c);
  else if (!add && g_ascii_strcasecmp (sub, "REMOVE") != 0)
    _suda_irc_fail (c, "CERTFP", "UNKNOWN_SUBCOMMAND", _("Use CERTFP ADD, CERTFP REMOVE or CERTFP LIST"));
  else if ((add ? current : fingerprint) == NULL)
    _suda_irc_fail (c, "CERTFP", "NO_CERTIFICATE", _("This connection has no TLS client certificate"));
  else if (add ? !suda_account_store_add_certificate (c->core->accounts, c->account, current, &error)
               : !suda_account_store_remove_certificate (c->core->accounts, c->account, fingerprint, &error))
    _suda_irc_fail (c, "CERTFP", add ? "CANNOT_ADD" : "CANNOT_REMOVE", error->message);
  else
    _suda_irc_sendf (c, ":%s NOTE CERTFP %s %s :%s\r\n", _suda_irc_server_name (c),
                     add ? "ADDED" : "REMOVED", add ? current : fingerprint, c->account);
}
