/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IRCv3 SASL 3.2: AUTHENTICATE with PLAIN (a password, checked by the
 * account store in a worker thread) and EXTERNAL (the TLS client
 * certificate's fingerprint).  It works before registration, which waits
 * for a check under way, and after it, to log in on a protected nick. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"
#include "suda-task.h"

/* IRCv3 sasl: a client's data comes in base64 chunks of 400 bytes, a
 * shorter one (or "+") ending it. */
#define CHUNK 400
/* A PLAIN answer is three names and a password: far less than this. */
#define MAX_DATA 2048
/* As with OPER: a failure is told after a delay, and a connection (or an
 * address) that keeps guessing is stopped. */
#define FAILURE_DELAY_MS          1000
#define MAX_FAILURES_PER_CLIENT   3
#define MAX_FAILURES_PER_ADDRESS  10

struct _SudaIrcSasl
{
  gboolean  external;
  GString  *data;      /* base64 so far */
};

void
_suda_irc_sasl_free (SudaIrcSasl *sasl)
{
  if (sasl->data)
    {
      memset (sasl->data->str, 0, sasl->data->len);
      g_string_free (sasl->data, TRUE);
    }
  g_free (sasl);
}

void
_suda_irc_sasl_abort (SudaClient *c)
{
  if (c->sasl == NULL)
    return;
  g_clear_pointer (&c->sasl, _suda_irc_sasl_free);
  _suda_irc_replyf (c, "906", ":%s", _("SASL authentication aborted"));
}

static void
say_failed (SudaClient *c)
{
  _suda_irc_replyf (c, "904", ":%s", _("SASL authentication failed"));
}

static gboolean
on_failure_delay_over (gpointer data)
{
  SudaSession *session = data;
  SudaClient *c;

  if (_suda_session_is_closing (session))
    return G_SOURCE_REMOVE;
  c = _suda_client_from_session (session);
  c->auth_checking = FALSE;
  say_failed (c);
  if (c->auth_failures >= MAX_FAILURES_PER_CLIENT)
    _suda_client_close (c, "Too many failed logins");
  else
    _suda_irc_try_register (c);
  return G_SOURCE_REMOVE;
}

/* A wrong password or certificate: logged, counted, told after a delay
 * (registration waits for it). */
static void
fail_later (SudaClient *c,
            const char *name)
{
  g_autofree char *text = g_strdup_printf ("failed SASL login as %s", name ? name : "?");

  _suda_delivery_log_event (c->core->delivery, "error", NULL, c->nick, text);
  c->auth_failures++;
  c->auth_checking = TRUE;
  _suda_registry_note_oper_failure (c->core->registry, c->host);
  _suda_timeout_add_full (G_PRIORITY_DEFAULT, FAILURE_DELAY_MS, on_failure_delay_over,
                          g_object_ref (c->session), g_object_unref);
}

/* Who is being checked, for the log should the check fail. */
typedef struct {
  SudaSession *session;
  char        *name;
} Pending;

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->session);
  g_free (pending->name);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static void
on_verified (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(Pending) pending = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = suda_account_store_verify_finish (SUDA_ACCOUNT_STORE (source), result, &error);
  SudaClient *c;

  if (_suda_session_is_closing (pending->session))
    return;
  c = _suda_client_from_session (pending->session);
  if (account == NULL)
    {
      fail_later (c, pending->name);
      return;
    }
  c->auth_checking = FALSE;
  _suda_irc_account_login (c, account);
  _suda_irc_replyf (c, "903", ":%s", _("SASL authentication successful"));
  _suda_irc_try_register (c);
}

/* "authzid NUL authcid NUL password"; an authzid other than the authcid
 * would be logging in as someone else, which no one may. */
static void
finish_plain (SudaClient *c,
              const char *decoded,
              gsize       len)
{
  const char *authzid = decoded;
  const char *authcid = memchr (decoded, '\0', len);
  const char *password = authcid ? memchr (authcid + 1, '\0', len - (authcid + 1 - decoded)) : NULL;
  Pending *pending;

  if (authcid == NULL || password == NULL ||
      memchr (password + 1, '\0', len - (password + 1 - decoded)) != NULL)
    {
      fail_later (c, NULL);
      return;
    }
  authcid++;
  password++;
  if (*authzid != '\0' && suda_irc_casecmp (authzid, authcid) != 0)
    {
      fail_later (c, authcid);
      return;
    }
  c->auth_checking = TRUE;
  pending = g_new0 (Pending, 1);
  pending->session = g_object_ref (c->session);
  pending->name = g_strdup (authcid);
  suda_account_store_verify_async (c->core->accounts, authcid, password, NULL, on_verified, pending);
}

static void
lookup_certificate_in_thread (GTask        *task,
                              gpointer      source,
                              gpointer      data,
                              GCancellable *cancellable)
{
  g_task_return_pointer (task, suda_account_store_lookup_certificate (source, data), g_free);
}

static void
on_certificate_looked_up (GObject      *source,
                          GAsyncResult *result,
                          gpointer      data)
{
  g_autoptr(SudaSession) session = data;
  g_autofree char *account = suda_task_propagate_pointer (G_TASK (result), NULL);
  const char *authzid = g_object_get_data (G_OBJECT (result), "suda-authzid");
  SudaClient *c;

  if (_suda_session_is_closing (session))
    return;
  c = _suda_client_from_session (session);
  if (account == NULL || (authzid && *authzid && suda_irc_casecmp (authzid, account) != 0))
    {
      fail_later (c, account ? account : authzid);
      return;
    }
  c->auth_checking = FALSE;
  _suda_irc_account_login (c, account);
  _suda_irc_replyf (c, "903", ":%s", _("SASL authentication successful"));
  _suda_irc_try_register (c);
}

/* EXTERNAL: the certificate says who; the data may name the account. */
static void
finish_external (SudaClient *c,
                 const char *decoded,
                 gsize       len)
{
  const char *fingerprint = _suda_irc_client_certfp (c);
  g_autoptr(GTask) task = NULL;

  if (fingerprint == NULL || strlen (decoded) != len)
    {
      fail_later (c, NULL);
      return;
    }
  c->auth_checking = TRUE;
  task = g_task_new (c->core->accounts, NULL, on_certificate_looked_up, g_object_ref (c->session));
  g_task_set_task_data (task, g_strdup (fingerprint), g_free);
  g_object_set_data_full (G_OBJECT (task), "suda-authzid", g_strdup (decoded), g_free);
  suda_task_run_in_thread (task, lookup_certificate_in_thread);
}

static void
finish (SudaClient *c)
{
  SudaIrcSasl *sasl = g_steal_pointer (&c->sasl);
  g_autofree guchar *decoded = NULL;
  gsize len = 0;

  if (sasl->data->len > 0)
    decoded = g_base64_decode (sasl->data->str, &len);
  if (decoded == NULL)
    decoded = (guchar *) g_strdup ("");
  else
    {
      /* One more byte, so the text is a C string however it ends. */
      decoded = g_realloc (decoded, len + 1);
      decoded[len] = '\0';
    }
  if (sasl->external)
    finish_external (c, (const char *) decoded, len);
  else
    finish_plain (c, (const char *) decoded, len);
  memset (decoded, 0, len);
  _suda_irc_sasl_free (sasl);
}

static void
start (SudaClient *c,
       const char *mechanism)
{
  if (g_ascii_strcasecmp (mechanism, "PLAIN") != 0 && g_ascii_strcasecmp (mechanism, "EXTERNAL") != 0)
    {
      _suda_irc_replyf (c, "908", "%s :%s", SUDA_IRC_SASL_MECHANISMS,
                        _("are available SASL mechanisms"));
      say_failed (c);
      return;
    }
  c->sasl = g_new0 (SudaIrcSasl, 1);
  c->sasl->external = g_ascii_strcasecmp (mechanism, "EXTERNAL") == 0;
  c->sasl->data = g_string_new (NULL);
  _suda_irc_sendf (c, "AUTHENTICATE +\r\n");
}

void
_suda_irc_cmd_authenticate (SudaClient     *c,
                            SudaIrcMessage *m)
{
  const char *arg = m->params[0];

  /* A check under way: what comes meanwhile is no part of it. */
  if (c->auth_checking)
    return;
  if (g_str_equal (arg, "*"))
    {
      if (c->sasl)
        _suda_irc_sasl_abort (c);
      else
        _suda_irc_replyf (c, "906", ":%s", _("SASL authentication aborted"));
      return;
    }
  if (c->sasl == NULL)
    {
      if (c->account)
        _suda_irc_replyf (c, "907", ":%s", _("You have already authenticated using SASL"));
      else if (c->core->accounts == NULL ||
               _suda_registry_count_oper_failures (c->core->registry, c->host) >= MAX_FAILURES_PER_ADDRESS)
        say_failed (c);
      else
        start (c, arg);
      return;
    }
  if (strlen (arg) > CHUNK || c->sasl->data->len + strlen (arg) > MAX_DATA)
    {
      g_clear_pointer (&c->sasl, _suda_irc_sasl_free);
      _suda_irc_replyf (c, "905", ":%s", _("SASL message too long"));
      return;
    }
  if (!g_str_equal (arg, "+"))
    g_string_append (c->sasl->data, arg);
  if (strlen (arg) < CHUNK)
    finish (c);
}
