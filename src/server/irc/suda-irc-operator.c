/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server operators: OPER (credentials from the config's [operators],
 * stored as crypt(3) hashes), KILL, WALLOPS and REHASH. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"
#include "suda-password.h"
#include "suda-task.h"

/* crypt() with a strong hash costs tens of milliseconds: it runs in a
 * worker thread, a failure is answered only after a delay, and a
 * connection (or an address) that keeps guessing is stopped. */
#define FAILURE_DELAY_MS          1000
#define MAX_FAILURES_PER_CLIENT   3
#define MAX_FAILURES_PER_ADDRESS  10

typedef struct {
  char *name;
  char *password;
  char *hash;       /* NULL: NAME is no operator's */
} OperCheck;

static void
oper_check_free (gpointer data)
{
  OperCheck *check = data;

  g_free (check->name);
  suda_password_clear (check->password);
  g_free (check->password);
  g_free (check->hash);
  g_free (check);
}

static void
check_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  OperCheck *check = data;

  g_task_return_boolean (task, suda_password_verify (check->password, check->hash));
}

void
_suda_irc_become_oper (SudaClient *c,
                       const char *name)
{
  g_autofree char *text = g_strdup_printf ("OPER as %s", name);

  c->oper = TRUE;
  _suda_irc_reply (c, SUDA_RPL_YOUREOPER, NULL);
  _suda_irc_sendf (c, ":%s MODE %s :+o\r\n", c->mask, c->nick);
  _suda_delivery_log_event (c->core->delivery, "mode", NULL, c->nick, text);
}

/* The delay is over: the client hears of its failure, and may try again. */
static gboolean
on_failure_delay_over (gpointer data)
{
  SudaSession *session = data;
  SudaClient *c;

  if (_suda_session_is_closing (session))
    return G_SOURCE_REMOVE;
  c = _suda_client_from_session (session);
  c->oper_checking = FALSE;
  _suda_irc_reply (c, SUDA_ERR_PASSWDMISMATCH, NULL);
  if (c->oper_failures >= MAX_FAILURES_PER_CLIENT)
    _suda_client_close (c, "Too many failed OPER attempts");
  return G_SOURCE_REMOVE;
}

static void
fail (SudaClient *c,
      const char *name,
      gboolean    known)
{
  g_autofree char *text = NULL;

  /* A name that is no operator's may be a password given first. */
  text = known ? g_strdup_printf ("failed OPER as %s", name)
               : g_strdup ("failed OPER with a name that is no operator's");
  _suda_delivery_log_event (c->core->delivery, "error", NULL, c->nick, text);
  c->oper_failures++;
  _suda_registry_note_oper_failure (c->core->registry, c->host);
  _suda_timeout_add_full (G_PRIORITY_DEFAULT, FAILURE_DELAY_MS, on_failure_delay_over,
                          g_object_ref (c->session), g_object_unref);
}

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(SudaSession) session = data;
  OperCheck *check = g_task_get_task_data (G_TASK (result));
  gboolean right = suda_task_propagate_boolean (G_TASK (result), NULL);
  SudaClient *c;

  if (_suda_session_is_closing (session))
    return;
  c = _suda_client_from_session (session);
  if (!right)
    {
      fail (c, check->name, check->hash != NULL);
      return;
    }
  c->oper_checking = FALSE;
  _suda_irc_become_oper (c, check->name);
}

void
_suda_irc_cmd_oper (SudaClient     *c,
                    SudaIrcMessage *m)
{
  const char *hash = suda_server_config_get_operator_hash (c->core->config, m->params[0]);
  g_autoptr(GTask) task = NULL;
  OperCheck *check;

  /* One guess at a time, and an address that guessed wrong too often
   * gets no more checks for a while. */
  if (c->oper_checking ||
      _suda_registry_count_oper_failures (c->core->registry, c->host) >= MAX_FAILURES_PER_ADDRESS)
    {
      _suda_irc_reply (c, SUDA_ERR_PASSWDMISMATCH, NULL);
      return;
    }
  c->oper_checking = TRUE;
  check = g_new0 (OperCheck, 1);
  check->name = g_strdup (m->params[0]);
  check->password = g_strdup (m->params[1]);
  check->hash = g_strdup (hash);
  /* the session goes with the callback, not the task: GLib may drop a
   * thread task's last reference on its worker, and a session must end on
   * the server's thread */
  task = g_task_new (NULL, NULL, on_checked, g_object_ref (c->session));
  g_task_set_task_data (task, check, oper_check_free);
  suda_task_run_in_thread (task, check_in_thread);
}

void
_suda_irc_cmd_kill (SudaClient     *c,
                    SudaIrcMessage *m)
{
  SudaClient *victim;
  g_autofree char *reason = NULL;
  g_autoptr(SudaLogEntry) entry = NULL;

  if (!c->oper)
    {
      _suda_irc_reply (c, SUDA_ERR_NOPRIVILEGES, NULL);
      return;
    }
  victim = _suda_registry_find_client (c->core->registry, m->params[0]);
  if (victim == NULL || !victim->registered)
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHNICK, m->params[0], NULL);
      return;
    }
  reason = g_strdup_printf ("Killed (%s (%s))", c->nick, m->n_params > 1 ? m->params[1] : c->nick);
  entry = suda_log_entry_new (0, "kick", NULL, c->nick, reason);
  suda_log_entry_set_field (entry, "target", victim->nick);
  _suda_delivery_log (c->core->delivery, entry);
  _suda_client_close (victim, reason);
}

static void
send_wallops (gpointer data,
              gpointer user_data)
{
  SudaClient *to = data;
  SudaOutLine *line = user_data;

  if (to->registered && to->wallops && !to->protocol->plain)
    _suda_delivery_send_line (line, to);
}

/* WALLOPS: a server operator's words to everyone with user mode +w. */
void
_suda_irc_cmd_wallops (SudaClient     *c,
                       SudaIrcMessage *m)
{
  SudaOutLine line = { .time = g_get_real_time (), .source = c->mask, .nick = c->nick,
                       .command = "WALLOPS", .text = m->params[0] };

  if (!c->oper)
    {
      _suda_irc_reply (c, SUDA_ERR_NOPRIVILEGES, NULL);
      return;
    }
  _suda_delivery_log_event (c->core->delivery, "notice", NULL, c->nick, m->params[0]);
  _suda_registry_foreach_client (c->core->registry, send_wallops, &line);
  _suda_delivery_out_line_clear (&line);
}

static void
server_notice (SudaClient *c,
               const char *text)
{
  _suda_irc_send_line (c, _suda_irc_server_name (c), "NOTICE", c->nick, text);
}

/* REHASH: the config file again, nobody dropped (suda_server_rehash()). */
void
_suda_irc_cmd_rehash (SudaClient     *c,
                      SudaIrcMessage *m)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *restart = NULL;
  g_autofree char *file = NULL;

  if (!c->oper)
    {
      _suda_irc_reply (c, SUDA_ERR_NOPRIVILEGES, NULL);
      return;
    }
  if (c->core->rehash == NULL)
    {
      server_notice (c, _("This server was started without a config file: there is nothing to read again."));
      return;
    }
  file = g_path_get_basename (c->core->config_file);
  _suda_irc_reply (c, SUDA_RPL_REHASHING, strchr (file, ' ') ? "*" : file, NULL);
  if (!c->core->rehash (c->core, &restart, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The config file was not read again: %s"), error->message);

      server_notice (c, text);
      return;
    }
  if (restart)
    {
      g_autofree char *text = g_strdup_printf (_("These settings take effect after a restart: %s"), restart);

      server_notice (c, text);
    }
}
